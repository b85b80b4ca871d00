"""What the Slack door tests add to the real registry: a reaction recorder and a command that answers with a
chart (the fixtures that use them are in ``tests/bot/conftest.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from handlers.core import Image, ReactionEvent, Reply
from handlers.router import EventRequest, Registry, Request, registry

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@dataclass
class Recorder:
    reactions: list[ReactionEvent] = field(default_factory=list)


def build_registry(recorder: Recorder) -> Registry:
    """Every real command, plus a reaction recorder and /chart (a reply with an image)."""
    commands = Registry()
    for c in registry.all():
        commands.command(
            c.name, summary=c.summary, usage=c.usage, examples=c.examples, admin_only=c.admin_only, details=c.details
        )(c.handler)

    @commands.command("chart", summary="A test chart", usage="/chart")
    def chart(req: Request) -> Reply:
        return Reply("*Reach* this week", image=Image("reach.png", PNG))

    @commands.on(ReactionEvent)
    def record(req: EventRequest) -> None:
        assert isinstance(req.event, ReactionEvent)
        recorder.reactions.append(req.event)

    return commands
