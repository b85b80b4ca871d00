"""The durable inbox: deliveries stored before they are acknowledged, handled later, pruned after a while.

A platform is told "received" only after :func:`store` committed; a worker takes :func:`pending` rows and
:func:`mark_done` marks each once it was handled. A process killed in between leaves its rows pending, and the
next start handles them. Handling is deduplicated where it commits (``storage.events``), so a row handled just
before a crash, but not yet marked, changes nothing the second time.

A command's replies are kept with its row (:func:`keep_answer`) in the transaction that applies it, and the row
is marked done only once they were sent: a row found pending with an answer was applied, and only its answer is
sent again — the person is answered even when the process died between the commit and the send.

Replicas share the table, so a pending row carries a lease: ``claimed_by`` (the replica handling it) until
``claimed_until``. The storer owns its fresh rows (:func:`store` sets the lease in the INSERT: no statement more);
now and then each replica claims (:func:`claim`, one statement for a batch of rows) the rows it holds — renewing
their lease — and those whose lease has run out — their replica died — so a kept answer is never sent by two live
replicas.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, bindparam, or_, update
from sqlalchemy import select as sa_select
from sqlalchemy import true as sa_true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, delete, func, select

from storage.driver import DriverStatement
from storage.models import InboxItem, utcnow

_TABLE = InboxItem.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Delivery:
    delivery_id: str
    chat_key: str
    payload: str
    # Stored as handled: the storer applies it in the same transaction (a Telegram vote: storage and vote one
    # commit), so no worker takes it and nothing marks it later.
    done: bool = False


@dataclass(frozen=True)
class Stored:
    item_id: int
    delivery_id: str
    chat_key: str
    payload: str
    answer: str | None = None  # the replies kept when it was applied (:func:`keep_answer`); None: not applied
    received_at: datetime | None = None
    done: bool = False  # stored handled (``Delivery.done``): its storer applies it, no worker takes it


# One row per statement, built once and run on the driver's cursor (storage.driver): a multi-row VALUES would be
# a new statement, compiled anew, for every batch size; a row is a few microseconds this way.
_STORE = {
    name: DriverStatement(
        dialect.insert(_TABLE)
        .values({column: bindparam(column)
                 for column in ("platform", "delivery_id", "chat_key", "payload", "received_at", "claimed_by",
                                "claimed_until", "done_at")})
        .on_conflict_do_nothing(index_elements=["platform", "delivery_id"])
        .returning(_TABLE.c.id)
    )
    for name, dialect in (("sqlite", sqlite), ("postgresql", postgresql))
}


def store(session: Session, *, platform: str, deliveries: Sequence[Delivery], owner: str | None = None,
          lease: timedelta = timedelta(0)) -> list[Stored]:
    """Insert what is new; a delivery already stored (a redelivery) is skipped. Returns the new rows, in the
    order given (which is the order of their ids). ``owner``: the replica that will handle them, which holds them
    for ``lease`` from now (None: nobody holds them, any replica may take them). A delivery marked ``done`` is
    stored handled (its storer applies it in this transaction)."""
    statement = _STORE["postgresql" if session.get_bind().dialect.name == "postgresql" else "sqlite"]
    now = utcnow()
    until = now + lease if owner is not None else None
    stored = []
    for d in deliveries:
        delivery_id, chat_key = d.delivery_id[:128], d.chat_key[:64]
        row = statement.execute(session, {"platform": platform, "delivery_id": delivery_id, "chat_key": chat_key,
                                          "payload": d.payload, "received_at": now, "claimed_by": owner,
                                          "claimed_until": until, "done_at": now if d.done else None}).fetchone()
        if row is not None:  # None: stored before (a redelivery), or twice in this batch
            stored.append(Stored(int(row[0]), delivery_id, chat_key, d.payload, received_at=now, done=d.done))
    return stored


def pending(session: Session, *, platform: str, after_id: int = 0, limit: int = 500,
            received_before: datetime | None = None) -> list[Stored]:
    """Rows not handled yet, oldest first (what a killed process left behind); ``received_before``: only those
    waiting since before then."""
    table = _TABLE.c
    query = (
        sa_select(table.id, table.delivery_id, table.chat_key, table.payload, table.answer, table.received_at)
        .where(table.platform == platform, table.done_at.is_(None), table.id > after_id)
    )
    if received_before is not None:
        query = query.where(table.received_at < received_before)
    rows = session.execute(query.order_by(table.id).limit(limit)).all()
    return [Stored(item_id, delivery_id, chat_key, payload, answer, _aware(received))
            for item_id, delivery_id, chat_key, payload, answer, received in rows]


def _claimable(now: datetime, owner: str) -> ColumnElement[bool]:
    """A row nobody holds, one whose holder let its lease run out (it died), or one this replica holds."""
    table = _TABLE.c
    return or_(table.claimed_until.is_(None), table.claimed_until < now, table.claimed_by == owner)


def claim(session: Session, *, platform: str, owner: str, lease: timedelta, after_id: int = 0,
          limit: int = 500, held_or_not: bool = False) -> list[Stored]:
    """Take pending rows of ``platform`` (ids above ``after_id``, oldest first, at most ``limit``) that no other
    replica holds, for ``lease`` from now (for the rows ``owner`` holds already: its lease renewed). One
    conditional UPDATE: of two replicas claiming at once, the second finds the row held (PostgreSQL re-checks
    the WHERE on the row the first one updated; SQLite has one writer), so a row is never handed to two. The
    clock is read here, when the claim is made. ``held_or_not``: also the rows others hold — only for who knows
    their holders are gone (a Telegram poller that took the poller's lock from the one that stored them)."""
    table = _TABLE.c
    now = utcnow()
    claimable = sa_true() if held_or_not else _claimable(now, owner)
    candidates = (
        sa_select(table.id)
        .where(table.platform == platform, table.done_at.is_(None), table.id > after_id, claimable)
        .order_by(table.id).limit(limit)
    )
    claimed = session.execute(
        update(_TABLE)
        .where(table.id.in_(candidates.scalar_subquery()), table.done_at.is_(None), claimable)
        .values(claimed_by=owner, claimed_until=now + lease)
        .returning(table.id, table.delivery_id, table.chat_key, table.payload, table.answer, table.received_at)
    ).all()
    return sorted((Stored(item_id, delivery_id, chat_key, payload, answer, _aware(received))
                   for item_id, delivery_id, chat_key, payload, answer, received in claimed),
                  key=lambda item: item.item_id)


def keep_answer(session: Session | Connection, *, item_id: int, answer: str) -> None:
    """Keep the replies of the command applied from row ``item_id`` — in the transaction that applied it, so a
    row is never applied without its answer kept. The row stays pending until :func:`mark_done` (sent)."""
    session.execute(_KEEP_ANSWER, {"item_id": item_id, "kept": answer})


# Core, built once: every update handled runs it (one row: on the driver's cursor, storage.driver).
_MARK_DONE = (
    update(_TABLE).where(_TABLE.c.id.in_(bindparam("ids", expanding=True))).values(done_at=bindparam("now"))
)
_MARK_ONE_DONE = DriverStatement(update(_TABLE).where(_TABLE.c.id == bindparam("id")).values(done_at=bindparam("now")))


_KEEP_ANSWER = update(_TABLE).where(_TABLE.c.id == bindparam("item_id")).values(answer=bindparam("kept"))


def mark_done(session: Session, *, item_ids: Sequence[int], now: datetime | None = None) -> None:
    if len(item_ids) == 1:
        _MARK_ONE_DONE.execute(session, {"id": item_ids[0], "now": now or utcnow()})
    elif item_ids:
        session.execute(_MARK_DONE, {"ids": list(item_ids), "now": now or utcnow()})


def prune_done_before(session: Session, *, cutoff: datetime) -> int:
    """Handled rows only guard against redeliveries, which come within hours: drop them after a while.
    Rows not handled yet are never pruned."""
    result = session.exec(delete(InboxItem).where(col(InboxItem.done_at).is_not(None),
                                                  col(InboxItem.received_at) < cutoff))
    return int(result.rowcount or 0)


def backlog(session: Session) -> dict[str, tuple[int, datetime | None]]:
    """Per platform: how many rows are not handled yet, and when the oldest of them was received."""
    rows = session.exec(
        select(InboxItem.platform, func.count(), func.min(InboxItem.received_at))
        .where(col(InboxItem.done_at).is_(None))
        .group_by(InboxItem.platform)
    ).all()
    return {platform: (int(count), _aware(oldest)) for platform, count, oldest in rows}


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every time is stored in UTC."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment
