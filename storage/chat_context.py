"""The team a chat works in and the member a person is there, cached between commands — and why a cached copy
never acts on a team or a member that has changed.

Every command used to begin with two ORM loads (the chat's team, the person's membership). For a command that
takes its hot path (``/log``) the pair comes from here instead: from a cache, or on a miss from one Core read of
the binding, the team and the member together (:meth:`ChatContexts.load`).

A cached copy is checked by the command's first write itself, not by a statement of its own: that write is
guarded by the generation (:func:`generation_guard`: ``INSERT … SELECT … FROM team WHERE team.id = :team_id AND
team.generation = :generation``), so it writes nothing when the team has moved on, and the caller raises
:class:`StaleContext`; the router then reads the pair again in the same transaction and runs the command again
with it. What a command computed from the copy before its first write (the parsed line, the day, an owner's
lookup) is thrown away with it. A refusal, which writes nothing, is answered only after :meth:`ChatContexts.holds`
found the copy still true.

Why the check is enough: ``team.generation`` is bumped by the database itself (triggers, migration 0020) whenever
the team's row, one of its chats or one of its members changes — a rename, /settings, a chat linked or unlinked,
a member added, renamed, moved or removed — whichever code path, process or replica made the change. A copy read
at generation N is true while the team is still at N, and every change that could make it false (the chat moving
to another team bumps the team it left) moves N. The check (the guard, or the lookup's read) reads the generation
in the command's own transaction:

- on SQLite a writer holds the database's write lock from its ``BEGIN IMMEDIATE``, so nothing changes between
  the check and the command's inserts;
- on PostgreSQL the check takes the team's row ``FOR SHARE`` (a load: the binding's and the team's, and the
  member's KEY SHARE): a concurrent change — whose trigger updates the team's row — waits for this command to
  commit, or this command waits for the change and then reads its new generation (PostgreSQL evaluates the
  guard's ``generation = :generation`` again on the row the change left, so the guarded write writes nothing; a
  load: the binding, team and member as they are now). So a command never writes into a team its chat has just
  left, nor as a member who was just moved or removed. The locks are taken binding, team, member — the order in
  which a chat's link takes them (the binding, its trigger the team, then the members it moves) — so the two
  wait for each other rather than deadlock; a member's rename or role change takes no lock a command's KEY SHARE
  waits for. (A hand-written DELETE of a member racing a /log by that very member can deadlock: PostgreSQL rolls
  one back, and the command answers "try again".)
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, Integer, bindparam, or_, select

from storage.ids import id_of
from storage.models import ChatBinding, Member, Team

_TEAM = Team.__table__  # type: ignore[attr-defined]
_BINDING = ChatBinding.__table__  # type: ignore[attr-defined]
_MEMBER = Member.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ChatContext:
    """What a hot-path command needs of its team and its member, as read at ``generation``."""

    team_id: int
    generation: int
    timezone: str
    currency: str
    locale: str
    default_purpose: str | None
    reminder_hour: int
    reminder_days_before: int
    member_id: int
    member_name: str

    @classmethod
    def of(cls, team: Team, member: Member) -> ChatContext:
        """The same from ORM objects (a command that had to create the team or the member first)."""
        return cls(
            team_id=id_of(team), generation=team.generation, timezone=team.timezone, currency=team.currency,
            locale=team.locale, default_purpose=team.default_purpose, reminder_hour=team.reminder_hour,
            reminder_days_before=team.reminder_days_before, member_id=id_of(member),
            member_name=member.display_name,
        )


# Built once (these run on every hot-path command). On SQLite SQLAlchemy renders no FOR SHARE: the write lock
# already keeps the rows still.
_CHECK = (
    select(_TEAM.c.generation).where(_TEAM.c.id == bindparam("team_id")).with_for_update(read=True)
)
_LOAD = (
    select(
        _TEAM.c.id, _TEAM.c.generation, _TEAM.c.timezone, _TEAM.c.currency, _TEAM.c.locale,
        _TEAM.c.default_purpose, _TEAM.c.reminder_hour, _TEAM.c.reminder_days_before, _MEMBER.c.id,
        _MEMBER.c.display_name,
    )
    .select_from(
        _BINDING.join(_TEAM, _TEAM.c.id == _BINDING.c.team_id).join(_MEMBER, _MEMBER.c.team_id == _TEAM.c.id)
    )
    .where(
        _BINDING.c.platform == bindparam("platform"), _BINDING.c.chat_id == bindparam("scope_id"),
        _MEMBER.c.platform == bindparam("user_platform"), _MEMBER.c.user_id == bindparam("user_id"),
    )
    # PostgreSQL: the binding's and the team's rows shared, so a change in flight to either is waited for and the
    # row read again as it became; the member's KEY SHARE, taken after the team's, reads a member moved or removed
    # meanwhile as it is now, and does not wait for a mere rename.
    .suffix_with("FOR SHARE OF chat_binding, team FOR KEY SHARE OF member", dialect="postgresql")
)



class StaleContext(Exception):  # noqa: N818 - a signal, not an error
    """A write guarded by a cached copy's generation found the team moved on: it wrote nothing."""


def generation_guard() -> ColumnElement[bool]:
    """The condition on ``team`` a guarded write selects its row through: the team ``:team_id``, still at
    ``:generation`` (a NULL generation: the copy was read in this transaction, so any). The caller's statement
    takes the team's row FOR SHARE on PostgreSQL (``with_for_update(read=True)``), as the check does."""
    generation = bindparam("generation", type_=Integer)
    return (_TEAM.c.id == bindparam("team_id", type_=Integer)) & or_(generation.is_(None),
                                                                    _TEAM.c.generation == generation)


Key = tuple[str, str, str, str]  # the chat's platform and scope, the person's platform and user id


class ChatContexts:
    """The cache: one per router (so per process), bounded, shared by the threads a door runs commands in."""

    def __init__(self, *, size: int = 4096) -> None:
        self.size = size
        self._cached: OrderedDict[Key, ChatContext] = OrderedDict()
        self._lock = threading.Lock()

    def cached(self, *, platform: str, scope_id: str, user_platform: str, user_id: str) -> ChatContext | None:
        """The copy as last read, unchecked: the command's first write checks it (:func:`generation_guard`)."""
        key = (platform, scope_id, user_platform, user_id)
        with self._lock:
            cached = self._cached.get(key)
            if cached is not None:
                self._cached.move_to_end(key)
            return cached

    def lookup(
        self, connection: Connection, *, platform: str, scope_id: str, user_platform: str, user_id: str
    ) -> ChatContext | None:
        """The cached copy once a read of the generation found it still true, else :meth:`load`."""
        key = (platform, scope_id, user_platform, user_id)
        with self._lock:
            cached = self._cached.get(key)
        if cached is not None and self.holds(connection, cached):
            with self._lock:
                if key in self._cached:
                    self._cached.move_to_end(key)
            return cached
        return self.load(connection, platform=platform, scope_id=scope_id, user_platform=user_platform,
                         user_id=user_id)

    def holds(self, connection: Connection, context: ChatContext) -> bool:
        """Whether the team is still at the generation ``context`` was read at (on PostgreSQL its row is then
        held FOR SHARE until the transaction ends)."""
        return connection.execute(_CHECK, {"team_id": context.team_id}).scalar() == context.generation

    def load(
        self, connection: Connection, *, platform: str, scope_id: str, user_platform: str, user_id: str
    ) -> ChatContext | None:
        """The chat's team and the person's membership read in ``connection``'s transaction (and cached); None
        when the chat has no team yet or the person is not a member yet (the ORM path creates them)."""
        key = (platform, scope_id, user_platform, user_id)
        row = connection.execute(
            _LOAD, {"platform": platform, "scope_id": scope_id, "user_platform": user_platform, "user_id": user_id}
        ).first()
        context = None if row is None else _context(row)
        with self._lock:
            if context is None:
                self._cached.pop(key, None)
            else:
                self._cached[key] = context
                self._cached.move_to_end(key)
                while len(self._cached) > self.size:
                    self._cached.popitem(last=False)
        return context

    def __len__(self) -> int:
        return len(self._cached)


def _context(row: Sequence[Any]) -> ChatContext:
    team_id, generation, timezone, currency, locale, purpose, hour, days_before, member_id, name = row
    return ChatContext(
        team_id=team_id, generation=generation, timezone=timezone, currency=currency, locale=locale,
        default_purpose=purpose, reminder_hour=hour, reminder_days_before=days_before, member_id=member_id,
        member_name=name,
    )
