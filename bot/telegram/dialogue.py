"""The guided /log: kind (buttons), then title, date and metrics, one message each.

Text questions carry no buttons: the door sends them with a ForceReply, so that in a group with privacy
mode on the answer comes as a reply to the bot, which is what such a bot can see.

It starts when ``/log`` comes back with a form (required fields missing). Each answer is checked at once
with the /log parser, and the finished answers become one ordinary ``/log`` line that the door dispatches,
so a guided entry and a typed one are stored the same way. :class:`Dialogues` keeps the ones in progress in
the database (``storage.dialogues``), one per person and chat, so that with several replicas behind a proxy
whichever gets the next answer continues the dialogue. Each step commits with the id of the update that made
it, and the last one with the /log it dispatches, so an update handled again (a database fault, a crash, another
replica) advances the dialogue once. What a step answers (the next question, an error, "cancelled") is kept with
the update's inbox row in that same transaction, as a command's answer is (``bot.inbox.keeper``), and sent after
the commit: a process killed in between leaves it for the next one, which sends it instead of handling the update
again (``bot.telegram.updates``). A clock ends an abandoned dialogue with a message. No PTB here: the door hands in
how to send and how to dispatch.

PTB's ``ConversationHandler`` is not used: its timeout needs PTB's JobQueue (switched off, the app owns the one
scheduler), it keys conversations by chat and user but not by forum topic, and the dialogue starts from a
router's answer (a form), not from an update a handler could match.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from sqlmodel import Session

from bot.inbox import keeper, stored_row
from bot.telegram.render import mention
from handlers import markup
from handlers.core import Button, ChatRef, Incoming, Reply, UserRef
from handlers.errors import UserError
from handlers.i18n import DEFAULT_LOCALE, N_, _, use_locale
from handlers.parsing import QUOTES, parse_log, tokenize
from handlers.router import error_reply
from handlers.words import kind_name
from storage import dialogues as stored
from storage.db import Database
from storage.dialogues import DialogueKey
from storage.domain import Kind
from storage.events import mark_processed, processed
from storage.models import utcnow

log = logging.getLogger(f"devrelbot.{__name__}")

SKIP_WORDS = {"skip", "-", "none", "no", "/skip", "пропустить", "пропуск", "нет"}
KIND_LABELS = {
    Kind.TALK: N_("🎤 Talk"),
    Kind.EVENT: N_("🧑‍🤝‍🧑 Event"),
    Kind.PARTNERSHIP: N_("🤝 Partnership"),
    Kind.PUBLICATION: N_("📝 Publication"),
    Kind.SOCIAL: N_("📣 Social"),
}


class Step(StrEnum):
    KIND = "kind"
    TITLE = "title"
    DATE = "date"
    METRICS = "metrics"


# The parser's UserError.field, mapped to the question that asks for it again.
_STEP_OF_FIELD = {"kind": Step.KIND, "title": Step.TITLE, "date": Step.DATE}

# The update being handled, as the router records it: ("telegram", delivery id).
Once = tuple[str, str] | None
# The clock fires this long after the dialogue's expiry, so that it finds it expired.
EXPIRY_SLACK = 0.05


def dialogue_key(chat: ChatRef, user: UserRef) -> DialogueKey:
    return DialogueKey(chat.platform, chat.chat_id, chat.thread_id, user.user_id)


@dataclass
class LogDialogue:
    """One person's /log in progress, in one chat."""

    kind: str | None = None
    title: str | None = None
    on: str | None = None
    rest: str = ""
    step: Step = Step.KIND
    done: bool = False
    locale: str = DEFAULT_LOCALE  # the questions' language: the team's, or the person's in a private chat

    def dumps(self) -> str:
        """As the database keeps it between two answers (``done`` is never kept: a done dialogue is over)."""
        return json.dumps({"kind": self.kind, "title": self.title, "on": self.on, "rest": self.rest,
                           "step": self.step.value, "locale": self.locale}, ensure_ascii=False)

    @classmethod
    def loads(cls, state: str) -> LogDialogue:
        data = json.loads(state)
        return cls(kind=data.get("kind"), title=data.get("title"), on=data.get("on"), rest=data.get("rest") or "",
                   step=Step(data.get("step") or Step.KIND), locale=data.get("locale") or DEFAULT_LOCALE)

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
    """The question for the dialogue's current step, in the dialogue's language."""
    with use_locale(dialogue.locale):
        return _prompt(dialogue, mention=mention)


def _prompt(dialogue: LogDialogue, *, mention: str) -> Reply:
    lead = f"{mention}, " if mention else ""
    cancel = _("(/cancel to stop)")
    if dialogue.step is Step.KIND:
        buttons = tuple(Button(_(label), f"/log {kind.value}") for kind, label in KIND_LABELS.items())
        return Reply(lead + _("What would you like to log?") + " " + cancel, buttons=buttons)
    if dialogue.step is Step.TITLE:
        question = _("Title of the {kind}?").format(kind=markup.escape(kind_name(dialogue.kind or "")))
        return Reply(lead + question + " " + cancel, asks_reply=True)
    if dialogue.step is Step.DATE:
        return Reply(lead + _("Date? 2026-11-20, 20.11.2026, today or yesterday.") + " " + cancel, asks_reply=True)
    text = _("Numbers, venue and tags? e.g. {example} — or skip.").format(
        example=markup.code("@ HighLoad++ audience=300 contacts=25 #backend")
    )
    return Reply(lead + text + " " + cancel, asks_reply=True)


def answer(dialogue: LogDialogue, text: str, *, today: date) -> UserError | None:
    """Record the answer to the current step after checking it with the /log parser; an error names what to
    fix (in the dialogue's language) and leaves the dialogue on the step at fault."""
    with use_locale(dialogue.locale):
        return _answer(dialogue, text, today=today)


def _answer(dialogue: LogDialogue, text: str, *, today: date) -> UserError | None:
    value = text.strip()
    skipped = value.lower() in SKIP_WORDS
    trial = LogDialogue(kind=dialogue.kind, title=dialogue.title, on=dialogue.on, rest=dialogue.rest,
                        locale=dialogue.locale)
    if dialogue.step is Step.TITLE:
        if skipped or not value:
            return UserError(_("The title cannot be empty."), field="title")
        trial.title = value
    elif dialogue.step is Step.DATE:
        trial.on = "today" if skipped or not value else value
        try:
            words = tokenize(trial.on)
        except UserError as error:
            return error
        if len(words) != 1:  # one date, though "20 ноября" is written as two words
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


class Say(Protocol):
    async def __call__(self, chat: ChatRef, reply: Reply, reply_to: int | None) -> Any:
        ...


class Dispatch(Protocol):
    async def __call__(self, incoming: Incoming, reply_to: int | None, *,
                       also: Callable[[Session], None] | None = None) -> list[Reply]:
        ...


@dataclass(frozen=True)
class _Step:
    """What one answer did: the dialogue after it, the error that sent it back (None: it went on), and what to
    answer (kept with the update's inbox row in the step's transaction)."""

    dialogue: LogDialogue
    error: UserError | None
    replies: tuple[Reply, ...] = ()


class _Seen:
    """The update was handled before (its change is committed): nothing to do again."""


SEEN = _Seen()


class Dialogues:
    """The guided /log questions in progress: one per person and chat (and forum topic), in the database, so
    any replica continues one. ``once`` is the update being handled: recorded in the transaction that changes
    the dialogue, so the update changes it once however often it is handled."""

    def __init__(
        self,
        *,
        db: Database,
        say: Say,
        dispatch: Dispatch,
        today: Callable[[], date],
        timeout: float,
        locale_for: Callable[[ChatRef, str | None], str] = lambda _chat, _language: DEFAULT_LOCALE,
    ) -> None:
        self.db = db
        self.say = say
        self.dispatch = dispatch
        self.today = today
        self.timeout = timeout
        # The questions' language: the person's own in their private chat, else the chat's team's.
        self.locale_for = locale_for
        # Each replica runs the clock of the dialogues it asked the last question of; the database says whether
        # the dialogue has really run out when it rings (another replica may have asked a question since).
        self._timers: dict[DialogueKey, asyncio.Task[None]] = {}

    def active(self) -> list[DialogueKey]:
        """The dialogues in progress, on every replica (blocking: a database read)."""
        with self.db.reader() as session:
            return stored.active(session, now=utcnow())

    async def start(
        self, chat: ChatRef, user: UserRef, known: dict[str, str], reply_to: int | None, *,
        language: str | None = None, once: Once = None,
    ) -> None:
        """A /log came back with a form: the dialogue starts (or starts again) with what it knew. The /log was
        refused (it rolled back), so the update's id is recorded here, with the new dialogue."""
        key = dialogue_key(chat, user)
        dialogue = LogDialogue.from_known(known)
        dialogue.locale = await asyncio.to_thread(self.locale_for, chat, language)
        question = self._question(chat, user, dialogue)
        if not await asyncio.to_thread(self._save, key, dialogue, once, question):
            return  # started by an earlier handling of this update (which kept the question)
        self._arm_timer(key, chat)
        await self.say(chat, question, reply_to)

    async def answer(self, chat: ChatRef, user: UserRef, text: str, reply_to: int | None, *,
                     once: Once = None) -> bool:
        """Take ``text`` as the answer to the person's dialogue; False when they have none (it is not ours)."""
        key = dialogue_key(chat, user)
        step = await asyncio.to_thread(self._step, key, chat, user, text, once)
        if step is None:
            return False
        if isinstance(step, _Seen):
            return True  # its answer was sent, or kept with its inbox row and sent from there (the door)
        if step.error is None and step.dialogue.done:
            await self._finish(key, chat, user, step.dialogue, reply_to, once)
            return True
        self._arm_timer(key, chat)
        for reply in step.replies:  # the error, if any, then the question (again)
            await self.say(chat, reply, reply_to)
        return True

    async def control(self, chat: ChatRef, user: UserRef, command: str, reply_to: int | None, *,
                      once: Once = None) -> None:
        """/cancel ends the person's dialogue; /skip answers its current question with "skip"."""
        if command == "skip":
            if not await self.answer(chat, user, "skip", reply_to, once=once):
                await self.say(chat, Reply(_("Nothing to cancel."), ephemeral=True), reply_to)
            return
        key = dialogue_key(chat, user)
        cancelled = await asyncio.to_thread(self._cancel, key, once)
        if isinstance(cancelled, _Seen):
            return
        ended, notice = cancelled
        if ended:
            self._stop_timer(key)
        await self.say(chat, notice, reply_to)

    async def resume(self) -> int:
        """Set the clocks of the dialogues a process stopped before left running (on this replica or another:
        the first clock to ring after one runs out ends it, with one notice). Returns how many."""

        def load() -> list[tuple[DialogueKey, datetime]]:
            with self.db.reader() as session:
                return stored.deadlines(session, platform="telegram", now=utcnow())

        running = await asyncio.to_thread(load)
        now = utcnow()
        for key, expires_at in running:
            if key not in self._timers:
                chat = ChatRef(platform="telegram", chat_id=key.chat_id, thread_id=key.thread_id)
                self._arm_timer(key, chat, after=(expires_at - now).total_seconds())
        return len(running)

    def clear(self) -> None:
        """The door stops: its clocks stop. The dialogues stay in the database for the next answer, on any
        replica; one nobody answers again is dropped by housekeeping."""
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()

    # --- in the database (blocking: run in a worker thread) -----------------------------------------------

    def _save(self, key: DialogueKey, dialogue: LogDialogue, once: Once, question: Reply) -> bool:
        """Store the dialogue as it now stands, with the update's id and the question it asks next (kept with
        the update's inbox row); False when the update was recorded before (its change is in already)."""
        with self.db.session() as session:
            if once is not None and not mark_processed(session, platform=once[0], event_id=once[1]):
                return False
            stored.save(session, key=key, state=dialogue.dumps(),
                        expires_at=utcnow() + timedelta(seconds=self.timeout))
            _keep(session, once, [question])
        return True

    def _step(self, key: DialogueKey, chat: ChatRef, user: UserRef, text: str, once: Once) -> _Step | _Seen | None:
        now = utcnow()
        # A read first: most messages in a group are nobody's answer, and must not wait for the write lock.
        with self.db.reader() as session:
            if once is not None and processed(session, platform=once[0], event_id=once[1]):
                return SEEN  # handled before (the dialogue may be over by now: it must not look like chatter)
            if stored.load(session, key=key, now=now) is None:
                return None
        with self.db.session() as session:
            state = stored.load(session, key=key, now=now, for_update=True)
            if state is None:
                return None  # ended meanwhile (cancelled, timed out)
            dialogue = LogDialogue.loads(state)
            error = answer(dialogue, text, today=self.today())
            if error is None and dialogue.done:
                return _Step(dialogue, None)  # nothing written: the /log it becomes ends it (``_finish``)
            if once is not None and not mark_processed(session, platform=once[0], event_id=once[1]):
                return SEEN
            stored.save(session, key=key, state=dialogue.dumps(), expires_at=now + timedelta(seconds=self.timeout))
            question = self._question(chat, user, dialogue)
            replies = (question,) if error is None else (error_reply(error), question)
            _keep(session, once, list(replies))
        return _Step(dialogue, error, replies)

    def _cancel(self, key: DialogueKey, once: Once) -> tuple[bool, Reply] | _Seen:
        """End the person's dialogue; whether there was one, and what to tell them (kept with the update's row)."""
        with self.db.session() as session:
            if once is not None and not mark_processed(session, platform=once[0], event_id=once[1]):
                return SEEN
            state = stored.load(session, key=key, now=utcnow(), for_update=True)
            if state is None:
                notice = Reply(_("Nothing to cancel."), ephemeral=True)
            else:
                stored.end(session, key=key)
                with use_locale(LogDialogue.loads(state).locale):
                    notice = Reply(_("Cancelled; nothing was saved."))
            _keep(session, once, [notice])
        return state is not None, notice

    def _expire(self, key: DialogueKey) -> LogDialogue | None:
        with self.db.session() as session:
            state = stored.expire(session, key=key, now=utcnow())
        return None if state is None else LogDialogue.loads(state)

    # --- the end of a dialogue ------------------------------------------------------------------------------

    async def _finish(
        self, key: DialogueKey, chat: ChatRef, user: UserRef, dialogue: LogDialogue, reply_to: int | None,
        once: Once,
    ) -> None:
        """The answers become one ordinary /log line, dispatched with the dialogue's end in its transaction:
        stored and ended together, or (a database fault) neither, and the update is handled again with the
        dialogue as it was. If the /log is refused, the last question is asked again."""
        args = dialogue.args()
        incoming = Incoming(chat=chat, user=user, command="log", args=args, text=f"/log {args}")
        # Its clock stops here (the database's expiry still holds if the update must be handled again); a form
        # among the answers starts a new dialogue, with a clock of its own.
        self._stop_timer(key)
        replies = await self.dispatch(incoming, reply_to, also=functools.partial(_end, key))
        if any(r.is_error and r.form is None for r in replies):
            dialogue.done, dialogue.step = False, Step.METRICS
            question = self._question(chat, user, dialogue)
            if not await asyncio.to_thread(self._save, key, dialogue, once, question):
                return
            self._arm_timer(key, chat)
            await self.say(chat, question, reply_to)

    @staticmethod
    def _question(chat: ChatRef, user: UserRef, dialogue: LogDialogue) -> Reply:
        """The question for the dialogue's step, addressed to the person in a group."""
        who = "" if chat.is_private or not user.user_id.isdigit() else mention(user.user_id, user.display_name)
        return prompt(dialogue, mention=who)

    # --- the clock --------------------------------------------------------------------------------------------

    def _arm_timer(self, key: DialogueKey, chat: ChatRef, *, after: float | None = None) -> None:
        """(Re)start the dialogue's clock (``after``: seconds left; the full timeout when None): an abandoned
        dialogue ends with a message, not silently."""
        self._stop_timer(key)
        delay = self.timeout if after is None else max(0.0, after)
        self._timers[key] = asyncio.create_task(self._ring(key, chat, delay), name=f"dialogue:{key.chat_id}")

    def _stop_timer(self, key: DialogueKey) -> None:
        timer = self._timers.pop(key, None)
        if timer is not None and timer is not asyncio.current_task():
            timer.cancel()

    async def _ring(self, key: DialogueKey, chat: ChatRef, delay: float) -> None:
        await asyncio.sleep(delay + EXPIRY_SLACK)
        self._timers.pop(key, None)
        try:  # ends it only if it has run out: answered since on another replica, it goes on there
            dialogue = await asyncio.to_thread(self._expire, key)
        except Exception as error:  # the database away: housekeeping drops it later, without a notice
            log.warning("could not end a timed-out dialogue: %s", type(error).__name__)
            return
        if dialogue is None:
            return
        minutes = max(1, round(self.timeout / 60))
        with use_locale(dialogue.locale):
            text = _("The /log questions timed out after {minutes} min; nothing was saved.").format(minutes=minutes)
        try:
            await self.say(chat, Reply(text), None)
        except Exception as error:  # the chat may be gone; the dialogue is over either way
            log.warning("could not send the dialogue timeout notice: %s: %s", type(error).__name__, error)


def _keep(session: Session, once: Once, replies: list[Reply]) -> None:
    """In a step's transaction: what it answers is kept with the inbox row of the update that made it (the row
    stays pending until the door has sent it), so a process killed before the send leaves the answer, not the
    step, for the next one — which sends it and never takes the step again."""
    row = stored_row.get()
    if once is not None and row is not None:
        keeper(row.item_id)(session, replies)


def _end(key: DialogueKey, session: Session) -> None:
    """In the /log's transaction: the dialogue it finishes is over."""
    stored.end(session, key=key)
