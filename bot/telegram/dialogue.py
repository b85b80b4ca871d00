"""The guided /log: kind (buttons), then title, date and metrics, one message each.

Text questions carry no buttons: the door sends them with a ForceReply, so that in a group with privacy
mode on the answer comes as a reply to the bot, which is what such a bot can see.

It starts when ``/log`` comes back with a form (required fields missing). Each answer is checked at once
with the /log parser, and the finished answers become one ordinary ``/log`` line that the door dispatches,
so a guided entry and a typed one are stored the same way. No PTB here: the door owns timers and sending.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from handlers import markup
from handlers.core import Button, Reply
from handlers.errors import UserError
from handlers.i18n import _
from handlers.parsing import QUOTES, parse_log
from storage.domain import Kind

SKIP_WORDS = {"skip", "-", "none", "no", "/skip"}
KIND_LABELS = {
    Kind.TALK: "🎤 Talk",
    Kind.EVENT: "🧑‍🤝‍🧑 Event",
    Kind.PARTNERSHIP: "🤝 Partnership",
    Kind.PUBLICATION: "📝 Publication",
    Kind.SOCIAL: "📣 Social",
}


class Step(StrEnum):
    KIND = "kind"
    TITLE = "title"
    DATE = "date"
    METRICS = "metrics"


# The parser's UserError.field, mapped to the question that asks for it again.
_STEP_OF_FIELD = {"kind": Step.KIND, "title": Step.TITLE, "date": Step.DATE}

DialogueKey = tuple[str, str | None, str]  # chat id, thread id, user id


@dataclass
class LogDialogue:
    """One person's /log in progress, in one chat."""

    kind: str | None = None
    title: str | None = None
    on: str | None = None
    rest: str = ""
    step: Step = Step.KIND
    done: bool = False

    @classmethod
    def from_known(cls, known: dict[str, str]) -> LogDialogue:
        dialogue = cls(kind=known.get("kind"), title=known.get("title"))
        dialogue.step = dialogue.next_step()
        return dialogue

    def next_step(self) -> Step:
        if self.kind is None:
            return Step.KIND
        if self.title is None:
            return Step.TITLE
        if self.on is None:
            return Step.DATE
        return Step.METRICS

    def args(self, *, rest: str | None = None) -> str:
        """The one-line /log arguments for the answers so far."""
        parts = [self.kind or "", quote_title(self.title) if self.title is not None else ""]
        if self.on:
            parts.append(self.on)
        parts.append(self.rest if rest is None else rest)
        return " ".join(p for p in parts if p)


def quote_title(title: str) -> str:
    for opening, closing in QUOTES.items():
        if opening not in title and closing not in title:
            return f"{opening}{title}{closing}"
    raise UserError(_("A title cannot contain every kind of quote mark; leave one out."), field="title")


def prompt(dialogue: LogDialogue, *, mention: str = "") -> Reply:
    """The question for the dialogue's current step."""
    lead = f"{mention}, " if mention else ""
    cancel = _("(/cancel to stop)")
    if dialogue.step is Step.KIND:
        buttons = tuple(Button(_(label), f"/log {kind.value}") for kind, label in KIND_LABELS.items())
        return Reply(lead + _("What would you like to log?") + " " + cancel, buttons=buttons)
    if dialogue.step is Step.TITLE:
        return Reply(lead + _("Title of the {kind}?").format(kind=markup.escape(dialogue.kind or "")) + " " + cancel)
    if dialogue.step is Step.DATE:
        return Reply(lead + _("Date? 2026-11-20, 20.11.2026, today or yesterday.") + " " + cancel)
    text = _("Numbers, venue and tags? e.g. {example} — or skip.").format(
        example=markup.code("@ HighLoad++ audience=300 contacts=25 #backend")
    )
    return Reply(lead + text + " " + cancel)


def answer(dialogue: LogDialogue, text: str, *, today: date) -> UserError | None:
    """Record the answer to the current step after checking it with the /log parser; an error names what to
    fix and leaves the dialogue on the step at fault."""
    value = text.strip()
    skipped = value.lower() in SKIP_WORDS
    trial = LogDialogue(kind=dialogue.kind, title=dialogue.title, on=dialogue.on, rest=dialogue.rest)
    if dialogue.step is Step.TITLE:
        if skipped or not value:
            return UserError(_("The title cannot be empty."), field="title")
        trial.title = value
    elif dialogue.step is Step.DATE:
        trial.on = "today" if skipped or not value else value
        if len(trial.on.split()) != 1:
            return UserError(_("Send just the date, e.g. 2026-11-20 or yesterday."), field="date")
    elif dialogue.step is Step.METRICS:
        trial.rest = "" if skipped else value
    else:
        return UserError(_("Choose a kind with the buttons above."), field="kind")
    try:
        parse_log(trial.args(), today=today, default_currency="USD")
    except UserError as error:
        dialogue.step = _STEP_OF_FIELD.get(error.field or "", dialogue.step)
        return error
    dialogue.title, dialogue.on, dialogue.rest = trial.title, trial.on, trial.rest
    if dialogue.step is Step.METRICS:
        dialogue.done = True
    else:
        dialogue.step = dialogue.next_step()
    return None
