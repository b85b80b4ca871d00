"""Community poll answers in the platform's order: a late, older answer never overrides a newer one.

The same rule as feedback votes (:mod:`storage.feedback.order`): one person's quick changes can be applied out
of order (Telegram's webhook posts over several connections; concurrent Slack clicks commit in any order), so each
answer carries the platform's stamp — a Telegram poll answer's ``update_id`` (the update carries no date, and
Telegram numbers updates in the order it made them), a Slack click's ``action_ts`` in microseconds — and
``community_poll_order`` keeps the newest stamp per person and poll. An answer replaces the person's whole answer
(a native poll sends every chosen option at once; a button on a one-answer poll picks one), so one stamp per person
and poll is enough. The check and the record are one conditional upsert in the answer's own transaction, so two
concurrent deliveries cannot both win.

A stamp seen more than :data:`~storage.feedback.order.STAMPS_KEPT_FOR` ago no longer blocks (Telegram restarts its
update ids after a week without updates).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, or_
from sqlmodel import Session

from storage.feedback.order import STAMPS_KEPT_FOR
from storage.feedback.votes import dialect_insert
from storage.models import CommunityPollOrder

_TABLE = CommunityPollOrder.metadata.tables["community_poll_order"]
_CLAIMS: dict[str, Any] = {}


def _claim(dialect: str) -> Any:
    """``INSERT … ON CONFLICT DO UPDATE … WHERE`` the kept stamp is not newer (built once per dialect)."""
    statement = _CLAIMS.get(dialect)
    if statement is None:
        values = dialect_insert(dialect)(_TABLE).values(
            {name: bindparam(name) for name in ("poll_id", "voter", "stamp", "seen_at")})
        new = values.excluded
        statement = values.on_conflict_do_update(
            index_elements=["poll_id", "voter"],
            set_={"stamp": new.stamp, "seen_at": new.seen_at},
            # An equal stamp goes through: a redelivery that got past the inbox sets the same answer again.
            where=or_(_TABLE.c.stamp <= new.stamp, _TABLE.c.seen_at < bindparam("stale_before")),
        ).returning(_TABLE.c.stamp)
        _CLAIMS[dialect] = statement
    return statement


def newest_answer(session: Session, *, poll_id: int, voter: str, stamp: int, now: datetime) -> bool:
    """Keep ``stamp`` as the person's newest answer to the poll and return True — or return False, changing
    nothing, when a newer answer of theirs was kept already (the caller then ignores this one)."""
    params = {"poll_id": poll_id, "voter": voter[:96], "stamp": stamp, "seen_at": now,
              "stale_before": now - STAMPS_KEPT_FOR}
    return session.execute(_claim(session.get_bind().dialect.name), params).first() is not None
