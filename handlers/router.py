"""The router: command names to handlers, help text per command, one transaction per command.

A door builds an :class:`Incoming` and calls :meth:`Router.dispatch`; it gets ``Reply`` values back and
renders them. Handlers never send anything themselves.
"""

from __future__ import annotations

import functools
import logging
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session

from handlers import markup
from handlers.core import (
    Button,
    ChatRef,
    DirectTarget,
    FormRequest,
    Incoming,
    PollAnswer,
    PollResults,
    Posted,
    ReactionCount,
    ReactionEvent,
    Reply,
)
from handlers.errors import IncompleteCommand, UserError
from handlers.i18n import DEFAULT_LOCALE, _, supported_locale, use_locale
from handlers.permissions import PERMISSIONS, Permission, enforce, members_may
from handlers.safe_text import char_name, drop_control_chars, first_control_char
from storage.chat_context import ChatContext, ChatContexts, StaleContext
from storage.db import Database
from storage.domain import Role
from storage.events import mark_processed
from storage.faults import Fault, classify, first_line
from storage.history import Actor, act_as
from storage.models import Member, Team, utcnow
from storage.periods import local_today
from storage.teams import (
    chosen_team_id,
    find_member,
    get_or_create_member,
    get_or_create_team_for_chat,
    team_chat_purpose,
    team_for_chat,
    teams_of_person,
)

log = logging.getLogger(f"devrelbot.{__name__}")

# How a command ended: it did its work, the person's input was refused, or the bot failed.
Outcome = Literal["ok", "user_error", "failure"]
CommandObserver = Callable[[Incoming, Outcome, float], None]
# How a platform event ended: applied, a redelivery of one applied before, dropped by a failure, or left
# unacknowledged because the database was away (the platform sends it again).
EventOutcome = Literal["ok", "duplicate", "failure", "unavailable"]
EventObserver = Callable[[str, EventOutcome], None]
# Keeps a command's replies in the transaction that applies it (a door's inbox: ``Router.dispatch``); an ORM session
# or, on the commands' hot path, the connection of a unit of work in Core statements.
Keep = Callable[[Session | Connection, list[Reply]], None]

_COMMAND_LINE = re.compile(r"^/([A-Za-z][A-Za-z0-9_]*)(?:@[A-Za-z0-9_]+)?(?:\s+(.*))?$", re.S)


def parse_command_line(text: str) -> tuple[str, str] | None:
    """``/log@devrelbot talk "X"`` → ("log", 'talk "X"'); None when the text is not a command."""
    m = _COMMAND_LINE.match(text.strip())
    if not m:
        return None
    return m.group(1).lower(), (m.group(2) or "").strip()


@dataclass(frozen=True)
class Request:
    """Everything a handler needs: what was asked, by whom, in which team, inside one open transaction."""

    incoming: Incoming
    session: Session
    team: Team
    member: Member
    now: datetime  # aware, UTC

    @property
    def args(self) -> str:
        return self.incoming.args

    @property
    def team_id(self) -> int:
        """The team's id: the router only hands over stored teams, so there is one."""
        assert self.team.id is not None
        return self.team.id

    @property
    def member_id(self) -> int:
        assert self.member.id is not None
        return self.member.id

    @property
    def today(self) -> date:
        """Today in the team's time zone."""
        return local_today(self.now, self.team.timezone)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.team.timezone)

    platform_admin: bool = False  # the platform says so, for a chat that is one of the team's own

    @property
    def is_admin(self) -> bool:
        """A team admin: granted (/admin grant, devrelbot admin grant) or an admin on the platform."""
        return self.member.role == Role.ADMIN.value or self.platform_admin


Handler = Callable[[Request], "Reply | list[Reply]"]


@dataclass(frozen=True)
class QuickRequest:
    """A command on its hot path (:attr:`Command.quick`): the chat's team and the person's membership as
    :mod:`storage.chat_context` caches them, and the transaction's connection for Core statements — no ORM
    objects to load or flush."""

    incoming: Incoming
    connection: Connection
    chat: ChatContext
    now: datetime  # aware, UTC
    # The generation the command's first write must still find the team at (``chat`` is a cached copy not yet
    # checked in this transaction: the write is guarded, :mod:`storage.chat_context`); None: ``chat`` was read
    # in this transaction.
    guard: int | None = None

    @classmethod
    def of(cls, req: Request) -> QuickRequest:
        """The hot path's request for a command that ran the ORM way (its team or member had to be made)."""
        req.session.flush()  # the Core statements that follow see what the ORM made
        return cls(incoming=req.incoming, connection=req.session.connection(),
                   chat=ChatContext.of(req.team, req.member), now=req.now)

    @property
    def args(self) -> str:
        return self.incoming.args

    @property
    def today(self) -> date:
        """Today in the team's time zone."""
        return local_today(self.now, self.chat.timezone)

    @property
    def actor(self) -> Actor:
        """Who the history says did it (the ORM path puts the same on its session: :meth:`Router._request`)."""
        return Actor(member_id=self.chat.member_id, name=self.chat.member_name, door=self.incoming.chat.platform,
                     at=self.now)


QuickHandler = Callable[[QuickRequest], "Reply | list[Reply]"]

# Posted: a door sent a Reply that asked to be tracked (Reply.track), so a handler learns the message's id.
PlatformEvent = ReactionEvent | ReactionCount | PollAnswer | PollResults | Posted


@dataclass(frozen=True)
class EventRequest:
    """A platform event that is not a command (a reaction, a poll answer), inside one open transaction."""

    event: PlatformEvent
    session: Session
    now: datetime


EventHandler = Callable[[EventRequest], "Reply | list[Reply] | None"]


@dataclass(frozen=True)
class Command:
    name: str
    handler: Handler
    summary: str  # one line, untranslated source text (translated when shown)
    usage: str
    examples: tuple[str, ...] = ()
    admin_only: bool = False
    details: str = ""
    # Invocations only a team admin (or, for /connect CODE and /disconnect, a chat admin) may run, when only
    # parts of a command are admin-only. The security test runs each as a non-admin member, after the first
    # member (the admin) logged activity #1 and planned item #2, and expects a refusal that changes nothing.
    admin_examples: tuple[str, ...] = ()
    # Only reads: runs in a reader transaction (``Database.reader``), which on SQLite does not take the write
    # lock, so a report never waits for a writer (nor holds one up).
    reads_only: bool = False
    # The hot path: runs instead of ``handler`` when the chat's team and the person's membership are already
    # stored (and cached), and the permission table asks nothing more than membership (/log).
    quick: QuickHandler | None = None


class Registry:
    """The set of commands. Handler modules register with ``@registry.command(...)``."""

    def __init__(self, *, permissions: tuple[Permission, ...] = PERMISSIONS) -> None:
        self._commands: dict[str, Command] = {}
        # Who may change what (handlers.permissions), by command name: a registry of the real commands (a
        # test's copy, say) is checked like the real one unless it says otherwise.
        self.permissions = permissions
        self._event_handlers: dict[type, list[EventHandler]] = {}

    def command(
        self,
        name: str,
        *,
        summary: str,
        usage: str,
        examples: Iterable[str] = (),
        admin_only: bool = False,
        details: str = "",
        admin_examples: Iterable[str] = (),
        reads_only: bool = False,
        quick: QuickHandler | None = None,
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            if name in self._commands:
                raise ValueError(f"command /{name} is registered twice")
            self._commands[name] = Command(
                name, handler, summary, usage, tuple(examples), admin_only, details, tuple(admin_examples),
                reads_only, quick,
            )
            return handler

        return register

    def on(self, event_type: type) -> Callable[[EventHandler], EventHandler]:
        """Register a handler for a platform event type (ReactionEvent, PollAnswer, …)."""

        def register(handler: EventHandler) -> EventHandler:
            self._event_handlers.setdefault(event_type, []).append(handler)
            return handler

        return register

    def handlers_for(self, event_type: type) -> list[EventHandler]:
        return list(self._event_handlers.get(event_type, ()))

    def handles(self, event_type: type) -> bool:
        return bool(self._event_handlers.get(event_type))

    def get(self, name: str) -> Command | None:
        return self._commands.get(name)

    def all(self) -> list[Command]:
        return list(self._commands.values())


registry = Registry()


def fault_message(fault: Fault | None) -> str:
    """What the person is told when the database failed them: what happened and what to do."""
    if fault is Fault.READ_ONLY:
        return _("⛔ The bot's database is read-only, so nothing can be saved. Ask whoever runs the bot to make "
                 "the database file and its folder writable. Nothing was saved.")
    if fault is Fault.NO_FILE:
        return _("⛔ The bot cannot open its database file (its folder is missing or not accessible). Ask whoever "
                 "runs the bot to check DATABASE_URL. Nothing was saved.")
    if fault is Fault.DISK_FULL:
        return _("⛔ The disk under the bot's database is full. Ask whoever runs the bot to free some space. "
                 "Nothing was saved.")
    if fault is Fault.UNREACHABLE:
        return _("⏳ The bot cannot reach its database server right now — try again in a moment. Nothing was saved.")
    if fault is Fault.LOCKED:
        return _("⏳ The database is busy (another process holds its lock) — try again in a moment. Nothing was "
                 "saved.")
    return _("⏳ The database is busy or unreachable — try again in a moment. Nothing was saved.")


def error_reply(error: UserError) -> Reply:
    lines = [f"⚠️ {markup.escape(error.message)}"]
    if error.hint:
        lines.append(markup.escape(error.hint))
    if error.example:
        # Examples marked for the catalog (the /log ones) read in the team's language.
        lines.append(_("Example: {example}").format(example=markup.code(_(error.example))))
    form = None
    if isinstance(error, IncompleteCommand):
        form = FormRequest(command=error.command, known=tuple(sorted(error.known.items())))
    return Reply("\n".join(lines), ephemeral=True, is_error=True, form=form)


class Router:
    def __init__(
        self,
        db: Database,
        *,
        commands: Registry = registry,
        default_timezone: str = "UTC",
        default_language: str = DEFAULT_LOCALE,
        clock: Callable[[], datetime] = utcnow,
        on_command: CommandObserver | None = None,
        on_event: EventObserver | None = None,
    ) -> None:
        self.db = db
        self.on_event = on_event  # told the door and outcome of every platform delivery, like on_command
        # Told of every command dispatched (the bot's metrics); the router stays free of any metrics library.
        self.on_command = on_command
        self.commands = commands
        self.default_timezone = default_timezone
        self.default_language = default_language  # a new team's language
        self.clock = clock
        self.contexts = ChatContexts()  # the chats' teams and members, for the commands' hot path

    def dispatch(
        self, incoming: Incoming, *, once: tuple[str, str] | None = None, raise_unavailable: bool = False,
        also: Callable[[Session], None] | None = None, keep: Keep | None = None,
    ) -> list[Reply]:
        """Run one command (see :meth:`_dispatch`) and tell ``on_command`` how it went and how long it took.

        ``raise_unavailable``: a locked or unreachable database raises (``OperationalError``) instead of
        answering "try again" — for a command from a door's inbox, which keeps it and runs it again later.

        ``also``: the door's own work that must commit with the command's effect or not at all (a guided
        dialogue that ends with it); run in the command's transaction once the command succeeded, so the
        command runs as a writer. A refused command rolls back without it.

        ``keep(session, replies)``: called in the transaction that applies the command and records ``once``, just
        before it commits (a door's inbox keeps the answer there, so a crash before the send loses no answer)."""
        started = time.perf_counter()
        replies, outcome = self._dispatch(incoming, once=once, raise_unavailable=raise_unavailable, also=also,
                                          keep=keep)
        seconds = time.perf_counter() - started
        log.debug("/%s from %s: %s in %.1f ms", incoming.command[:40], incoming.chat.platform, outcome, seconds * 1000)
        if self.on_command is not None:
            try:
                self.on_command(incoming, outcome, seconds)
            except Exception:
                log.warning("the command observer failed", exc_info=True)
        return replies

    def _dispatch(
        self, incoming: Incoming, *, once: tuple[str, str] | None = None, raise_unavailable: bool = False,
        also: Callable[[Session], None] | None = None, keep: Keep | None = None,
    ) -> tuple[list[Reply], Outcome]:
        """Run one command in one transaction. Blocking (database work): doors call it in a worker thread.

        Replies are in the team's language. When the person's own language (``Incoming.language``) differs
        and every reply is one only they see (an error, help, an ephemeral list), the command runs again in
        their language after the first run was rolled back — the same state, so the same answer, in words
        they read.

        ``once=(platform, delivery_id)``: recorded in the command's own transaction, and a repeat of it runs
        nothing (no reply) — so a command handled again from the inbox after a crash is applied once. A command
        that only reads records nothing: handled again, it answers again."""
        personal = supported_locale(incoming.language)
        command = self.commands.get(incoming.command.lower())
        if command is None:
            with use_locale(personal or self.default_language):
                return [
                    error_reply(
                        UserError(
                            _("Unknown command /{name}, try /help.").format(name=incoming.command[:40]),
                            example="/help",
                        )
                    )
                ], "user_error"
        with use_locale(personal or self.default_language):
            refused = _control_char_refusal(command, incoming)
        if refused is not None:
            return [refused], "user_error"
        run = functools.partial(self._run, command, incoming, once=once, raise_unavailable=raise_unavailable,
                                also=also, keep=keep, reading=False if also is not None else None)
        try:
            return run(personal=personal)
        except _InPersonalLanguage as again:
            return run(locale=again.locale)

    def _run(
        self, command: Command, incoming: Incoming, *, locale: str | None = None, personal: str | None = None,
        once: tuple[str, str] | None = None, raise_unavailable: bool = False, reading: bool | None = None,
        also: Callable[[Session], None] | None = None, keep: Keep | None = None,
    ) -> tuple[list[Reply], Outcome]:
        """``locale``: the language to answer in (None: the team's). ``personal``: the person's, to switch to
        (by raising :class:`_InPersonalLanguage`) if every reply turns out to be for them alone. ``reading``:
        run in a reader transaction (None: when the command only reads); a command that must create the chat's
        team or the person's membership first runs again as a writer."""
        fallback = locale or personal or self.default_language
        reading = command.reads_only if reading is None else reading
        try:
            # The hot path, unless the door's own work (``also``) must commit with it in an ORM session.
            if not reading and command.quick is not None and also is None:
                answered = self._run_quick(command, command.quick, incoming, locale=locale, personal=personal,
                                           once=once, keep=keep)
                if answered is not None:
                    return answered
            with self.db.reader() if reading else self.db.session() as session:
                if once is not None and not reading and not mark_processed(session, platform=once[0],
                                                                           event_id=once[1]):
                    log.debug("%s delivery %s already handled", once[0], once[1])
                    return [], "ok"
                request = self._request(session, incoming, create=not reading)

                def handle() -> Reply | list[Reply]:
                    # Who may change what: the one table, checked here and nowhere else.
                    enforce(request, command, self.commands.permissions)
                    return command.handler(request)

                answered = self._answer(handle, incoming, chosen=locale or request.team.locale, personal=personal)
                if also is not None:
                    also(session)
                if keep is not None and once is not None and not reading:
                    keep(session, answered[0])  # in the commit that records ``once``: applied means answerable
                return answered
        except _Refused as refused:
            return [refused.reply], "user_error"
        except UserError as error:
            with use_locale(fallback):
                return [error_reply(error)], "user_error"
        except TeamChoiceNeeded as choice:
            with use_locale(fallback):
                return [choice.reply()], "user_error"
        except _NeedsWriter:
            return self._run(command, incoming, locale=locale, personal=personal, once=once,
                             raise_unavailable=raise_unavailable, reading=False, also=also, keep=keep)
        except (OperationalError, PoolTimeout) as error:
            if raise_unavailable:
                raise
            fault = classify(error)
            if fault is None:
                log.exception("/%s failed on the database", command.name)
            else:
                log.warning("database %s while running /%s: %s", fault, command.name, first_line(error))
            with use_locale(fallback):
                return [Reply(fault_message(fault), ephemeral=True, is_error=True)], "failure"
        except _InPersonalLanguage:
            raise
        except Exception:
            log.exception("/%s failed", command.name)
            with use_locale(fallback):
                return [
                    Reply(
                        _("Something went wrong, nothing was saved. The error is in the bot's log."),
                        ephemeral=True,
                        is_error=True,
                    )
                ], "failure"

    def _run_quick(
        self, command: Command, quick: QuickHandler, incoming: Incoming, *, locale: str | None,
        personal: str | None, once: tuple[str, str] | None, keep: Keep | None = None,
    ) -> tuple[list[Reply], Outcome] | None:
        """The command's hot path, in a transaction of Core statements (no ORM session); None — with nothing
        done — when it cannot be taken (see :meth:`_quick_request`): then the ORM way runs.

        From a cached copy of the chat's team and member the command runs unchecked, and its first write checks
        the copy (:mod:`storage.chat_context`): when the team has moved on, nothing was written, and it runs
        again on the pair read now. A refusal writes nothing to check it by: it is answered once the copy is
        known to be true, else the command runs again too."""
        try:
            with self.db.writer() as connection:
                if once is not None and not mark_processed(connection, platform=once[0], event_id=once[1]):
                    log.debug("%s delivery %s already handled", once[0], once[1])
                    return [], "ok"
                request = self._quick_request(connection, command, incoming)
                answered: tuple[list[Reply], Outcome] | None = None
                try:
                    answered = self._answer(functools.partial(quick, request), incoming,
                                            chosen=locale or request.chat.locale, personal=personal)
                except StaleContext:
                    pass
                except _Refused:
                    if request.guard is None or self.contexts.holds(connection, request.chat):
                        raise
                if answered is None:
                    request = self._quick_request(connection, command, incoming, reload=True)
                    answered = self._answer(functools.partial(quick, request), incoming,
                                            chosen=locale or request.chat.locale, personal=personal)
                if keep is not None and once is not None:
                    keep(connection, answered[0])  # in the commit that records ``once``, as on the ORM way
                return answered
        except _NotQuick:
            return None

    def _answer(
        self, handle: Callable[[], Reply | list[Reply]], incoming: Incoming, *, chosen: str, personal: str | None
    ) -> tuple[list[Reply], Outcome]:
        """Run a handler in the language ``chosen``, inside the caller's transaction. Raises (so the caller's
        transaction rolls back) :class:`_Refused` for a refusal, and :class:`_InPersonalLanguage` when the
        person's own language differs and every reply is for them alone."""
        switch = personal if personal and personal != chosen else None
        with use_locale(chosen):
            try:
                replies = _as_list(handle())
            except UserError as error:
                if switch:
                    raise _InPersonalLanguage(switch) from None
                # Nothing a refused command did may stay: leave the block by raising.
                raise _Refused(error_reply(error)) from None
            if switch and replies and all(_only_for(incoming, reply) for reply in replies):
                raise _InPersonalLanguage(switch)  # rolls this run back
            return replies, "ok"

    def locale_for(self, chat: ChatRef, *, language: str | None = None) -> str:
        """The language for what a door says to one person in ``chat`` outside a command (a form's questions):
        their own when given and spoken here, else the chat's team's, else a new team's."""
        personal = supported_locale(language)
        if personal:
            return personal
        with self.db.reader() as session:  # a read: it must not wait for the write lock
            team = team_for_chat(session, platform=chat.platform, scope_id=chat.scope)
            return team.locale if team is not None else self.default_language

    def handle_event(self, event: PlatformEvent, *, once: tuple[str, str] | None = None) -> list[Reply]:
        """Run the handlers registered for this event type in one transaction. Never raises: a bad event is
        logged and dropped, so a door's loop goes on.

        ``once=(platform, event_id)``: a platform's delivery id (a Slack event id, a Telegram update id) is
        recorded in that same transaction, and a repeat of it runs nothing — so an event counts exactly once,
        and one that failed is not marked as handled."""
        return self.handle_events((event,), once=once)

    def handle_events(
        self, events: Sequence[PlatformEvent], *, once: tuple[str, str] | None = None,
        raise_unavailable: bool = False,
    ) -> list[Reply]:
        """:meth:`handle_event` for what one delivery carries (a Telegram reaction update changes several
        emoji at once): all of it in one transaction, deduplicated by ``once`` as a whole.

        ``raise_unavailable``: a locked or unreachable database raises (``OperationalError``) instead of
        dropping the event, so a door that has not acknowledged it yet can keep it for later."""
        if not self.handles(events):
            return []
        try:
            with self.db.session() as session:
                return self.apply_events(session, events, once=once)
        except (OperationalError, PoolTimeout) as error:
            self.observe_event(once, "unavailable")
            if raise_unavailable:
                raise
            log.warning("database unavailable; %s dropped: %s", event_names(events),
                        error.orig if isinstance(error, OperationalError) else error)
            return []
        except Exception:
            self.observe_event(once, "failure")
            log.exception("handling %s failed", event_names(events))
            return []

    def observe_event(self, once: tuple[str, str] | None, outcome: EventOutcome) -> None:
        """Tell ``on_event`` how a platform's delivery (``once``: its platform and id) ended; the bot's own
        events (no ``once``) are not counted."""
        if self.on_event is None or once is None:
            return
        try:
            self.on_event(once[0], outcome)
        except Exception:
            log.warning("the event observer failed", exc_info=True)

    def handles(self, events: Sequence[PlatformEvent]) -> bool:
        """Whether any handler is registered for these events (else there is nothing to store)."""
        return any(self.commands.handles(type(event)) for event in events)

    def apply_events(
        self, session: Session, events: Sequence[PlatformEvent], *, once: tuple[str, str] | None = None
    ) -> list[Reply]:
        """The work of :meth:`handle_events` inside a transaction the caller holds (the doors' group-commit
        writer puts many deliveries in one): raises whatever a handler raised, the caller rolls back."""
        if once is not None and not mark_processed(session, platform=once[0], event_id=once[1]):
            log.debug("%s event %s already handled", once[0], once[1])
            self.observe_event(once, "duplicate")
            return []
        replies: list[Reply] = []
        now = self.clock()
        for event in events:
            request = EventRequest(event=event, session=session, now=now)
            for handler in self.commands.handlers_for(type(event)):
                result = handler(request)
                if result is not None:
                    replies.extend(_as_list(result))
        # Counted when applied in its transaction: a commit that fails after this is counted again by the
        # caller as unavailable (rare: the write lock or the connection went between the statements and COMMIT).
        self.observe_event(once, "ok")
        return replies

    def _quick_request(
        self, connection: Connection, command: Command, incoming: Incoming, *, reload: bool = False
    ) -> QuickRequest:
        """The command's hot path, when it has one and may take it: the chat is bound to a team (a Telegram
        private chat's team is the person's choice, not its binding), the person is a member under the name
        they have now (else the ORM path makes or renames them), and the permission table asks nothing more
        than membership (the check that :func:`enforce` would make). Raises :class:`_NotQuick` when it cannot
        be taken. ``reload``: read the chat's team and member in this transaction even if a copy is cached."""
        chat = incoming.chat
        if command.quick is None or (chat.is_private and chat.workspace_id is None):
            raise _NotQuick
        if not members_may(command, incoming.args, self.commands.permissions):
            raise _NotQuick
        key = {"platform": chat.platform, "scope_id": chat.scope, "user_platform": incoming.user.platform,
               "user_id": incoming.user.user_id}
        name = drop_control_chars(incoming.user.display_name)[:200]
        context = None if reload else self.contexts.cached(**key)
        guard = None
        if context is not None and (not name or name == context.member_name):
            guard = context.generation
        else:  # not cached, or cached under another name (the copy may predate a rename): read it now
            context = self.contexts.load(connection, **key)
        if context is None or (name and name != context.member_name):
            raise _NotQuick
        return QuickRequest(incoming=incoming, connection=connection, chat=context, now=self.clock(), guard=guard)

    def entered(self, incoming: Incoming) -> bool:
        """Whether the chat's team and the person's membership exist, so a command of theirs that only reads runs
        as a reader, without the write lock (a read)."""
        with self.db.reader() as session:
            try:
                self._membership(session, incoming, create=False)
            except _NeedsWriter:
                return False
        return True

    def enter(self, session: Session, incoming: Incoming) -> None:
        """Create the chat's team and the person's membership where they are new — what a command's first run as a
        writer does first — in the caller's transaction: for a door that must bound how long it waits for the write
        lock (``storage.writer``: ``submit(within=)``) before it runs commands that only read."""
        self._membership(session, incoming, create=True)

    def _request(self, session: Session, incoming: Incoming, *, create: bool = True) -> Request:
        """The command's team and member; with ``create`` false (a reader), :class:`_NeedsWriter` when either
        is still to be created."""
        team, member = self._membership(session, incoming, create=create)
        chat = incoming.chat
        # Whatever this command changes is recorded as this member's doing (storage.history).
        now = self.clock()
        act_as(session, Actor(member_id=member.id, name=member.display_name, door=chat.platform, at=now))
        platform_admin = incoming.platform_admin and team_chat_purpose(
            session, platform=chat.platform, scope_id=chat.scope, team_id=team.id
        )
        return Request(
            incoming=incoming, session=session, team=team, member=member, now=now,
            platform_admin=platform_admin,
        )

    def _membership(self, session: Session, incoming: Incoming, *, create: bool) -> tuple[Team, Member]:
        """The chat's team and the person's member record, created where new; with ``create`` false,
        :class:`_NeedsWriter` when either is still to be created."""
        chat = incoming.chat
        team: Team | None
        if chat.is_private and chat.workspace_id is None:
            # A private chat outside any workspace (Telegram) belongs to no team by itself: it acts in the
            # team(s) the person joined. Being mentioned, surveyed or voting joins no one to anything.
            team = self._private_team(session, incoming)
        else:
            team = team_for_chat(session, platform=chat.platform, scope_id=chat.scope)
        if team is None and not create:
            raise _NeedsWriter
        if team is None:
            team = get_or_create_team_for_chat(
                session,
                platform=chat.platform,
                scope_id=chat.scope,
                name=_team_name(incoming),
                timezone=self.default_timezone,
                locale=self.default_language,
            )
        if create:
            member = get_or_create_member(
                session,
                team=team,
                platform=incoming.user.platform,
                user_id=incoming.user.user_id,
                display_name=drop_control_chars(incoming.user.display_name),
            )
        else:  # a reader keeps the stored name; the person's next writing command updates it
            found = find_member(session, team=team, platform=incoming.user.platform, user_id=incoming.user.user_id)
            if found is None:
                raise _NeedsWriter
            member = found
        return team, member

    @staticmethod
    def _private_team(session: Session, incoming: Incoming) -> Team | None:
        """The person's team for a private chat; None when they have none yet (the chat becomes their own);
        :class:`TeamChoiceNeeded` when they have several and have not said which."""
        user, chat = incoming.user, incoming.chat
        teams = {t.id: t for t in teams_of_person(session, platform=user.platform, user_id=user.user_id)}
        bound = team_for_chat(session, platform=chat.platform, scope_id=chat.scope)
        if bound is not None:  # the chat's own team, or the team it joined with a code its person redeemed
            teams.setdefault(bound.id, bound)
        if len(teams) <= 1:
            return next(iter(teams.values()), None)
        named = incoming.args.strip() if incoming.command == "team" else ""
        if named.isdigit() and int(named) in teams:
            return teams[int(named)]
        chosen = chosen_team_id(session, platform=user.platform, user_id=user.user_id)
        if chosen in teams:
            return teams[chosen]
        raise TeamChoiceNeeded(list(teams.values()))


class TeamChoiceNeeded(Exception):
    """A private chat of someone in several teams, with no choice made yet: ask which (buttons)."""

    def __init__(self, teams: list[Team]) -> None:
        super().__init__("several teams")
        self.teams = [(team.id, team.name) for team in teams]  # read now: the session closes before the reply

    def reply(self) -> Reply:
        return Reply(
            _("You are in several teams. Which one should this private chat work in? Then send your command "
              "again; /team switches later."),
            buttons=tuple(Button(name, f"/team {team_id}") for team_id, name in self.teams),
            ephemeral=True,
        )


def event_names(events: Sequence[PlatformEvent]) -> str:
    """For a log line: "ReactionEvent", "PollAnswer, ReactionEvent"."""
    return ", ".join(sorted({type(event).__name__ for event in events}))


def _control_char_refusal(command: Command, incoming: Incoming) -> Reply | None:
    """NUL and other control characters are refused before anything runs, on every database alike (PostgreSQL
    cannot store a NUL; SQLite would)."""
    bad = first_control_char(incoming.args)
    if bad is None:
        return None
    example = command.examples[0] if command.examples else command.usage
    return error_reply(
        UserError(
            _("Your message contains an invisible control character ({char}); nothing was saved. Type it again "
              "without it.").format(char=char_name(bad)),
            example=example,
        )
    )


class _InPersonalLanguage(Exception):  # noqa: N818 - a signal, not an error
    """Every reply was for the caller alone: run the command again in their own language."""

    def __init__(self, locale: str) -> None:
        super().__init__(locale)
        self.locale = locale


class _NotQuick(Exception):  # noqa: N818 - a signal, not an error
    """The hot path cannot be taken (the chat's team or the person's membership is still to be made)."""


class _NeedsWriter(Exception):  # noqa: N818 - a signal, not an error
    """A reader found the chat's team or the person's membership still to be created: run as a writer."""


class _Refused(Exception):  # noqa: N818 - carries the refusal out of the rolled-back transaction
    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.text)
        self.reply = reply


def _only_for(incoming: Incoming, reply: Reply) -> bool:
    """Only the caller sees this reply: an ephemeral one, or any in a chat that is theirs alone (a Telegram
    private chat's id is the person's; so is a Slack App Home's)."""
    if reply.to is not None:
        return isinstance(reply.to, DirectTarget) and reply.to.user.user_id == incoming.user.user_id
    return reply.ephemeral or incoming.chat.chat_id == incoming.user.user_id


def _team_name(incoming: Incoming) -> str:
    if incoming.chat.platform == "console":
        return "Local team"
    return f"{incoming.chat.platform.title()} {incoming.chat.scope}"


def _as_list(result: Any) -> list[Reply]:
    return [result] if isinstance(result, Reply) else list(result)
