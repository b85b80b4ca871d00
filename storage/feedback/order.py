"""Votes in the platform's order: a late, older reaction or poll answer never overrides a newer one.

Deliveries of one person's quick changes can be applied out of order (concurrent Slack requests commit in any
order; Telegram's webhook posts over several connections). Each carries the platform's stamp (Slack's
``event_ts`` in microseconds, Telegram's ``update_id``), and ``vote_order`` keeps the newest stamp per voter,
card and choice, with what that change did. A change older than the one kept is ignored; the check and the
record are one conditional upsert in the vote's own transaction, so two concurrent deliveries cannot both win.

Reactions are kept per emoji (last change wins for each), and the vote is the newest emoji still present —
so the result is the same whatever order the changes came in. A poll answer replaces the whole answer: it is
kept under the choice "" and the newest answer is the vote.

A stamp seen more than :data:`STAMPS_KEPT_FOR` ago no longer blocks: Telegram restarts its update ids at a
random number after a week without updates, and a real reordering spans seconds, not days.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, case, or_, select
from sqlmodel import Session

from storage.driver import DriverStatement
from storage.feedback.votes import VotedCard, dialect_insert
from storage.models import VoteOrder

STAMPS_KEPT_FOR = timedelta(days=1)
ANSWER = ""  # the choice a poll answer is kept under: one answer per voter and card

_TABLE = VoteOrder.metadata.tables["vote_order"]
_CLAIMS: dict[str, DriverStatement] = {}
# Run on the driver's cursor (storage.driver): every stamped vote runs it.
_PRESENT = DriverStatement(
    select(_TABLE.c.choice)
    .where(_TABLE.c.card_id == bindparam("card_id"), _TABLE.c.voter == bindparam("voter"), _TABLE.c.present)
    # A stamp from before a restart of Telegram's numbering is older than any fresh one, whatever its number.
    .order_by(case((_TABLE.c.seen_at < bindparam("stale_before"), 1), else_=0), _TABLE.c.stamp.desc(),
              _TABLE.c.choice)
)


def _claim(dialect: str) -> DriverStatement:
    """``INSERT … ON CONFLICT DO UPDATE … WHERE`` the kept stamp is not newer (built once per dialect)."""
    claim = _CLAIMS.get(dialect)
    if claim is None:
        values = dialect_insert(dialect)(_TABLE).values({name: bindparam(name) for name in
                                        ("card_id", "voter", "choice", "present", "stamp", "seen_at")})
        new = values.excluded
        statement = values.on_conflict_do_update(
            index_elements=["card_id", "voter", "choice"],
            set_={"present": new.present, "stamp": new.stamp, "seen_at": new.seen_at},
            # Equal stamps go through: one Telegram update may remove one emoji and add another.
            where=or_(_TABLE.c.stamp <= new.stamp, _TABLE.c.seen_at < bindparam("stale_before")),
        ).returning(_TABLE.c.stamp)
        claim = _CLAIMS[dialect] = DriverStatement(statement)
    return claim


_LAST_STALE: tuple[datetime, datetime] | None = None


def _stale_before(now: datetime) -> datetime:
    """``now - STAMPS_KEPT_FOR``, the same object for the same ``now``: a vote's two statements pass it, and the
    driver converts a value it has just converted for free (storage.driver)."""
    global _LAST_STALE
    last = _LAST_STALE
    if last is not None and last[0] is now:
        return last[1]
    stale = now - STAMPS_KEPT_FOR
    _LAST_STALE = (now, stale)
    return stale


def newest_change(session: Session, *, card: VotedCard, voter: str, choice: str, present: bool, stamp: int,
                  now: datetime) -> bool:
    """Keep this change (``choice`` added, or removed when not ``present``) as the voter's newest for that
    choice and return True — or return False, changing nothing, when a newer change of it was kept already
    (the caller then ignores this delivery)."""
    params = {"card_id": card.id, "voter": voter, "choice": choice[:64], "present": present, "stamp": stamp,
              "seen_at": now, "stale_before": _stale_before(now)}
    return _claim(session.get_bind().dialect.name).execute(session, params).fetchone() is not None


def present_choices(session: Session, *, card: VotedCard, voter: str, now: datetime) -> list[str]:
    """The voter's choices whose newest change added them, newest first: their vote is the first that counts."""
    params = {"card_id": card.id, "voter": voter, "stale_before": _stale_before(now)}
    return [row[0] for row in _PRESENT.execute(session, params).fetchall()]
