"""The statements a vote runs, executed on the driver's own cursor.

A reaction is the bot's highest-rate write: up to seven small statements (the delivery's dedupe mark, the voter's
order claim, their present choices, the vote, the community member and interaction, the inbox row). Through
SQLAlchemy each costs 35–130 µs of Python (an execution context, parameter processing, a result object) against
1–5 µs in the driver itself — most of a vote's cost, and paid while holding the GIL the event loop needs too
(bench/bench_reactions.py prints the CPU per event). A :class:`DriverStatement` is compiled by SQLAlchemy once per
dialect (so the SQL is the same as ``session.execute`` would send, on SQLite and PostgreSQL alike), and each run
processes its parameters with the columns' own bind processors and hands them to the session's DBAPI cursor — in
the session's transaction, so it commits or rolls back with the rest of the unit of work.

A driver error is raised as SQLAlchemy raises it (``OperationalError`` and the rest, which
:func:`storage.faults.classify` reads), and a fault that a new connection cures invalidates the connection, as
:func:`storage.faults.heal_on_fault` does for statements run through SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, exc
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import SessionTransaction
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement
from sqlmodel import Session

from storage.faults import HEALED_BY_RECONNECTING, classify

Processor = Callable[[Any], Any]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    # Positional drivers (SQLite's ``?``): the parameter names in the order the SQL takes them; None for drivers
    # that take a mapping (psycopg's ``%(name)s``).
    order: tuple[str, ...] | None
    processors: tuple[tuple[str, Processor], ...]
    literals: tuple[tuple[str, Any], ...]  # values the statement carries itself (``case(…, 1)``'s 1)


class DriverStatement:
    """A Core statement or ``text()`` with bound parameters, run on the driver's cursor (see the module)."""

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def _for(self, dialect: Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            sql = self.statement.compile(dialect=dialect)
            assert isinstance(sql, SQLCompiler)
            names = sql.bind_names  # each bound parameter → its name in the SQL (``param_1`` for a literal)
            processors = tuple((name, processor) for name, processor in (
                (name, bind.type.dialect_impl(dialect).bind_processor(dialect)) for bind, name in names.items()
            ) if processor is not None)
            literals = tuple((name, bind.effective_value) for bind, name in names.items() if not bind.required)
            positions = getattr(sql, "positiontup", None)
            compiled = _Compiled(sql.string, tuple(positions) if positions is not None else None, processors,
                                 literals)
            self._compiled[dialect.name] = compiled
        return compiled

    def execute(self, session: Session | Connection, params: Mapping[str, Any]) -> Any:
        """Run the statement in the transaction of the session (or of the connection of a unit of work in Core
        statements); returns the DBAPI cursor (``rowcount``, ``fetchone``, ``fetchall``)."""
        if isinstance(session, Connection):
            bound = _Bound(None, session, session.dialect, session.connection.driver_connection)
        else:
            if session.autoflush:
                session.flush()  # as session.execute would: pending ORM changes first (nothing, on the vote path)
            bound = _bound(session)
        compiled = self._for(bound.dialect)
        values = dict(compiled.literals)
        values.update(params)
        for name, processor in compiled.processors:
            if name in values:
                values[name] = _processed(processor, values[name])
        args: Any = values if compiled.order is None else tuple(values[name] for name in compiled.order)
        cursor = bound.dbapi_connection.cursor()
        try:
            cursor.execute(compiled.sql, args)
        except bound.dialect.loaded_dbapi.Error as error:
            raise _translated(bound.connection, bound.dialect, compiled.sql, args, error, cursor) from error
        return cursor


@dataclass(frozen=True)
class _Bound:
    """The session's transaction and its connection, looked up once per transaction (a vote runs several
    statements, a group-commit batch hundreds)."""

    transaction: SessionTransaction | None  # None: a bare connection's
    connection: Connection
    dialect: Dialect
    dbapi_connection: Any


_BOUND = "storage.driver.bound"


def _bound(session: Session) -> _Bound:
    bound: _Bound | None = session.info.get(_BOUND)
    transaction = session.get_transaction()
    if bound is not None and transaction is not None and bound.transaction is transaction and transaction.is_active:
        return bound
    connection = session.connection()  # begins the transaction if none is open
    transaction = session.get_transaction()
    assert transaction is not None
    bound = session.info[_BOUND] = _Bound(transaction, connection, connection.dialect,
                                          connection.connection.driver_connection)
    return bound


# The last value each bind processor converted, and what it made of it: a vote's statements all pass the same
# ``now``, and formatting a datetime for SQLite is not free. Compared by identity; a tuple is replaced whole, so
# threads sharing it see a matching pair or none.
_LAST: dict[Processor, tuple[Any, Any]] = {}


def _processed(processor: Processor, value: Any) -> Any:
    last = _LAST.get(processor)
    if last is not None and last[0] is value:
        return last[1]
    result = processor(value)
    _LAST[processor] = (value, result)
    return result


def _translated(connection: Any, dialect: Dialect, sql: str, args: Any, error: Any, cursor: Any
                ) -> exc.StatementError:
    """The driver's error as SQLAlchemy would raise it; a connection a fault left useless is invalidated, so the
    next unit of work opens a fresh one."""
    disconnect = dialect.is_disconnect(error, connection.connection.dbapi_connection, cursor)
    wrapped = exc.DBAPIError.instance(sql, args, error, dialect.loaded_dbapi.Error, hide_parameters=True,
                                      connection_invalidated=disconnect, dialect=dialect)
    if disconnect or classify(wrapped) in HEALED_BY_RECONNECTING:
        connection.invalidate(wrapped)
    return wrapped
