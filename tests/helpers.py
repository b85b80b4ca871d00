"""Builders that make tests read like usage: a person types a line, the bot answers."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from pathlib import Path

from sqlmodel import select

from handlers.core import ChatRef, Incoming, Reply, UserRef
from handlers.router import Router, parse_command_line
from storage.db import Database
from storage.models import Team, Vote

TEAM_CHAT = ChatRef(platform="console", chat_id="team-chat")
ALICE = UserRef(platform="console", user_id="u-alice", display_name="alice")
BOB = UserRef(platform="console", user_id="u-bob", display_name="bob")


def incoming(line: str, *, user: UserRef = ALICE, chat: ChatRef = TEAM_CHAT, admin: bool | None = None) -> Incoming:
    """What a door would build. ALICE plays the person the platform calls an admin (the console's local user,
    a workspace admin, a group's administrator), as the doors report it; anyone else is an ordinary member
    unless ``admin=True``."""
    parsed = parse_command_line(line)
    assert parsed is not None, f"not a command: {line!r}"
    command, args = parsed
    platform_admin = user == ALICE if admin is None else admin
    return Incoming(chat=chat, user=user, command=command, args=args, text=line, platform_admin=platform_admin)


def say(
    router: Router, line: str, *, user: UserRef = ALICE, chat: ChatRef = TEAM_CHAT, admin: bool | None = None
) -> Reply:
    """Dispatch one line and return its single reply."""
    replies = router.dispatch(incoming(line, user=user, chat=chat, admin=admin))
    assert len(replies) == 1, replies
    return replies[0]


def text_of(reply: Reply) -> str:
    from handlers.markup import to_plain

    return to_plain(reply.text)


def team_of(db: Database) -> Team:
    """The one team the test made."""
    with db.session() as s:
        return s.exec(select(Team)).one()


def votes(db: Database) -> dict[str, int]:
    """Each voter's current score, over every card."""
    with db.session() as s:
        return {v.voter: v.score for v in s.exec(select(Vote))}


def lines_of_two_processes(target: Callable[..., None], url: str, schema: str | None, tmp_path: Path,
                           at: str) -> list[list[str]]:
    """Run ``target(url, schema, name, out_file, at, barrier)`` in two spawned processes that start together (the
    barrier), and return the lines each wrote to its file."""
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(2)
    outs = [tmp_path / "a.txt", tmp_path / "b.txt"]
    procs = [ctx.Process(target=target, args=(url, schema, f"proc-{i}", str(out), at, start))
             for i, out in enumerate(outs)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    return [out.read_text(encoding="utf-8").splitlines() for out in outs]
