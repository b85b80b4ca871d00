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

import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, exc
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import SessionTransaction
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement
from sqlmodel import Session
from sqlmodel.sql.sqltypes import UTCDateTime

from storage.faults import HEALED_BY_RECONNECTING, classify

Processor = Callable[[Any], Any]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    # Positional drivers (SQLite's ``?``): the parameters in the order the SQL takes them, as one C call on the
    # processed values (``operator.itemgetter``); None for drivers that take a mapping (psycopg's ``%(name)s``).
    arguments: Callable[[Mapping[str, Any]], tuple[Any, ...]] | None
    processors: tuple[tuple[str, Processor], ...]
    literals: dict[str, Any]  # values the statement carries itself (``case(…, 1)``'s 1)


def _positional(names: tuple[str, ...]) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    if len(names) == 1:
        name = names[0]
        return lambda values: (values[name],)
    if not names:
        return lambda values: ()
    return operator.itemgetter(*names)


# One processor per type and dialect, shared by every statement: a vote's statements pass the same ``now`` to
# several columns of one type, and ``_processed`` converts a value once per processor. Types that compare equal by
# SQLAlchemy's cache key process alike (the promise its compiled cache rests on); others keep their own.
_SHARED: dict[tuple[str, Any], Processor] = {}


def _shared(dialect: Dialect, bind_type: Any, processor: Processor) -> Processor:
    try:
        key = (dialect.name, bind_type._static_cache_key)
        hash(key)
    except Exception:  # a type that is not cacheable (``cache_ok`` unset): its own processor
        return processor
    if not isinstance(key[1], tuple):
        return processor
    shared = _SHARED.get(key)
    if shared is None:
        shared = _SHARED[key] = _sqlite_utc(processor) if _is_sqlite_utc(dialect, bind_type) else processor
    return shared


# SQLite stores the models' times (SQLModel's UTCDateTime) as text in SQLAlchemy's DATETIME format; its processor
# builds that text with ``%`` from a dict of seven fields, after converting to UTC. The same text is one C call,
# ``isoformat(" ", "microseconds")`` of the naive UTC time — every vote writes three times.
_SQLITE_DATETIME_FORMAT = ("%(year)04d-%(month)02d-%(day)02d %(hour)02d:%(minute)02d:%(second)02d"
                           ".%(microsecond)06d")


def _is_sqlite_utc(dialect: Dialect, bind_type: Any) -> bool:
    if dialect.name != "sqlite" or not isinstance(bind_type, UTCDateTime):
        return False
    impl = getattr(bind_type.dialect_impl(dialect), "impl", None)
    return getattr(impl, "_storage_format", None) == _SQLITE_DATETIME_FORMAT


def _sqlite_utc(library: Processor) -> Processor:
    def process(value: Any) -> Any:
        if type(value) is datetime and value.utcoffset() is not None:
            return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
        return library(value)  # None, a naive time (refused), anything else: as SQLAlchemy does it

    return process


class DriverStatement:
    """A Core statement or ``text()`` with bound parameters, run on the driver's cursor (see the module)."""

    def __init__(self, statement: ClauseElement, *, observed: bool = False) -> None:
        """``observed``: the engine's ``before_cursor_execute`` and ``after_cursor_execute`` listeners see the
        statement, as they see SQLAlchemy's (a test that counts a command's statements or injects a fault into
        one; a benchmark's statement count). Off for the doors' statements, whose tests were written without."""
        self.statement = statement
        self.observed = observed
        self._compiled: dict[str, _Compiled] = {}

    def _for(self, dialect: Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            sql = self.statement.compile(dialect=dialect)
            assert isinstance(sql, SQLCompiler)
            names = sql.bind_names  # each bound parameter → its name in the SQL (``param_1`` for a literal)
            processors = tuple((name, _shared(dialect, bind.type, processor)) for bind, name, processor in (
                (bind, name, bind.type.dialect_impl(dialect).bind_processor(dialect)) for bind, name in names.items()
            ) if processor is not None)
            literals = {name: bind.effective_value for bind, name in names.items() if not bind.required}
            positions = getattr(sql, "positiontup", None)
            compiled = _Compiled(sql.string, _positional(tuple(positions)) if positions is not None else None,
                                 processors, literals)
            self._compiled[dialect.name] = compiled
        return compiled

    def execute(self, session: Session | Connection, params: Mapping[str, Any]) -> Any:
        """Run the statement in the transaction of the session (or of the connection of a unit of work in Core
        statements); returns the DBAPI cursor (``rowcount``, ``fetchone``, ``fetchall``)."""
        bound = _bind(session)
        compiled = self._for(bound.dialect)
        return self._run(bound, compiled.sql, _arguments(compiled, params), many=False)

    def execute_many(self, session: Session | Connection, rows: Sequence[Mapping[str, Any]]) -> Any:
        """:meth:`execute` once per row, in one call to the driver's ``executemany``."""
        bound = _bind(session)
        compiled = self._for(bound.dialect)
        return self._run(bound, compiled.sql, [_arguments(compiled, row) for row in rows], many=True)

    def prepared(self, dialect: Dialect, params: Mapping[str, Any]) -> tuple[str, Any]:
        """The SQL and the driver's arguments that :meth:`execute` would send: for measuring what the database
        itself costs beside what running the statement costs (bench/bench_reactions.py)."""
        compiled = self._for(dialect)
        return compiled.sql, _arguments(compiled, params)

    def _run(self, bound: _Bound, sql: str, args: Any, *, many: bool) -> Any:
        connection = bound.connection
        observed = self.observed and (connection._has_events or connection.engine._has_events)
        cursor = bound.dbapi_connection.cursor()
        try:
            if observed:
                connection.dispatch.before_cursor_execute(connection, cursor, sql, args, None, many)
            if many:
                cursor.executemany(sql, args)
            else:
                cursor.execute(sql, args)
            if observed:
                connection.dispatch.after_cursor_execute(connection, cursor, sql, args, None, many)
        except bound.dialect.loaded_dbapi.Error as error:
            raise _translated(connection, bound.dialect, sql, args, error, cursor) from error
        return cursor


def _bind(session: Session | Connection) -> _Bound:
    if isinstance(session, Connection):
        return _Bound(None, session, session.dialect, session.connection.driver_connection)
    if session.autoflush:
        session.flush()  # as session.execute would: pending ORM changes first (nothing, on the vote path)
    return _bound(session)


def _arguments(compiled: _Compiled, params: Mapping[str, Any]) -> Any:
    """The parameters as the driver takes them: the statement's own literals added, each value through its
    column's bind processor, in the SQL's order for a positional driver."""
    values = {**compiled.literals, **params} if compiled.literals else dict(params)
    for name, processor in compiled.processors:
        if name in values:
            values[name] = _processed(processor, values[name])
    return values if compiled.arguments is None else compiled.arguments(values)


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


# The last few values each bind processor converted, and what it made of them, newest first: a vote's statements
# pass the same ``now`` and ``now - a day`` to several columns (alternately: the order claim takes both), and
# formatting a datetime for SQLite is not free. Compared by identity; the tuple is replaced whole, so threads sharing
# it see a whole one.
_RECENT = 4
_LAST: dict[Processor, tuple[tuple[Any, Any], ...]] = {}


def _processed(processor: Processor, value: Any) -> Any:
    recent = _LAST.get(processor, ())
    for seen, result in recent:
        if seen is value:
            return result
    result = processor(value)
    _LAST[processor] = ((value, result), *recent[: _RECENT - 1])
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
