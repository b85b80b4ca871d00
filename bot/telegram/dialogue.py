"""The guided /log: kind (buttons), then title, date and metrics, one message each.

Text questions carry no buttons: the door sends them with a ForceReply, so that in a group with privacy
mode on the answer comes as a reply to the bot, which is what such a bot can see.

It starts when ``/log`` comes back with a form (required fields missing). Each answer is checked at once
with the /log parser, and the finished answers become one ordinary ``/log`` line that the door dispatches,
so a guided entry and a typed one are stored the same way. :class:`Dialogues` holds the ones in progress,
one per person and chat, each with a clock that ends an abandoned one with a message. No PTB here: the door
hands in how to send and how to dispatch.

PTB's ``ConversationHandler`` is not used: its timeout needs PTB's JobQueue (switched off, the app owns the one
scheduler), it keys conversations by chat and user but not by forum topic, and the dialogue starts from a
router's answer (a form), not from an update a handler could match.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, Protocol

from bot.telegram.render import mention
from handlers import markup
from handlers.core import Button, ChatRef, Incoming, Reply, UserRef
from handlers.errors import UserError
from handlers.i18n import DEFAULT_LOCALE, N_, _, use_locale
from handlers.parsing import QUOTES, parse_log, tokenize
from handlers.router import error_reply
from handlers.words import kind_name
from storage.domain import Kind

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

DialogueKey = tuple[str, str | None, str]  # chat id, thread id, user id


def dialogue_key(chat: ChatRef, user: UserRef) -> DialogueKey:
    return (chat.chat_id, chat.thread_id, user.user_id)


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
        return Reply(lead + question + " " + cancel)
    if dialogue.step is Step.DATE:
        return Reply(lead + _("Date? 2026-11-20, 20.11.2026, today or yesterday.") + " " + cancel)
    text = _("Numbers, venue and tags? e.g. {example} — or skip.").format(
        example=markup.code("@ HighLoad++ audience=300 contacts=25 #backend")
    )
    return Reply(lead + text + " " + cancel)


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
    async def __call__(self, chat: ChatRef, reply: Reply, reply_to: int | None, *, force_reply: bool = False) -> Any:
        ...


class Dialogues:
    """The guided /log questions in progress: one per person and chat (and forum topic)."""

    def __init__(
        self,
        *,
        say: Say,
        dispatch: Callable[[Incoming, int | None], Awaitable[list[Reply]]],
        today: Callable[[], date],
        timeout: float,
        locale_for: Callable[[ChatRef, str | None], str] = lambda _chat, _language: DEFAULT_LOCALE,
    ) -> None:
        self.say = say
        self.dispatch = dispatch
        self.today = today
        self.timeout = timeout
        # The questions' language: the person's own in their private chat, else the chat's team's.
        self.locale_for = locale_for
        self.active: dict[DialogueKey, LogDialogue] = {}
        self._timers: dict[DialogueKey, asyncio.Task[None]] = {}

    def __contains__(self, key: DialogueKey) -> bool:
        return key in self.active

    async def start(
        self, chat: ChatRef, user: UserRef, known: dict[str, str], reply_to: int | None, *, language: str | None = None
    ) -> None:
        key = dialogue_key(chat, user)
        dialogue = LogDialogue.from_known(known)
        dialogue.locale = await asyncio.to_thread(self.locale_for, chat, language)
        self.active[key] = dialogue
        self._arm_timer(key, chat)
        await self._ask(chat, user, dialogue, reply_to)

    async def answer(self, chat: ChatRef, user: UserRef, text: str, reply_to: int | None) -> None:
        key = dialogue_key(chat, user)
        dialogue = self.active[key]
        error = answer(dialogue, text, today=self.today())
        if error is not None:
            await self.say(chat, error_reply(error), reply_to)
        elif dialogue.done:
            await self._finish(key, chat, user, dialogue, reply_to)
            return
        self._arm_timer(key, chat)
        await self._ask(chat, user, dialogue, reply_to)

    async def control(self, chat: ChatRef, user: UserRef, command: str, reply_to: int | None) -> None:
        """/cancel ends the person's dialogue; /skip answers its current question with "skip"."""
        key = dialogue_key(chat, user)
        if key not in self.active:
            await self.say(chat, Reply(_("Nothing to cancel."), ephemeral=True), reply_to)
            return
        if command == "cancel":
            with use_locale(self.active[key].locale):
                cancelled = Reply(_("Cancelled; nothing was saved."))
            self._end(key)
            await self.say(chat, cancelled, reply_to)
            return
        await self.answer(chat, user, "skip", reply_to)

    def clear(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        self.active.clear()

    async def _finish(
        self, key: DialogueKey, chat: ChatRef, user: UserRef, dialogue: LogDialogue, reply_to: int | None
    ) -> None:
        """The answers become one ordinary /log line; if it is refused, the last question is asked again."""
        self._end(key)
        args = dialogue.args()
        incoming = Incoming(chat=chat, user=user, command="log", args=args, text=f"/log {args}")
        replies = await self.dispatch(incoming, reply_to)
        if any(r.is_error and r.form is None for r in replies):
            dialogue.done, dialogue.step = False, Step.METRICS
            self.active[key] = dialogue
            self._arm_timer(key, chat)
            await self._ask(chat, user, dialogue, reply_to)

    async def _ask(self, chat: ChatRef, user: UserRef, dialogue: LogDialogue, reply_to: int | None) -> None:
        who = "" if chat.is_private or not user.user_id.isdigit() else mention(user.user_id, user.display_name)
        await self.say(chat, prompt(dialogue, mention=who), reply_to, force_reply=dialogue.step is not Step.KIND)

    def _arm_timer(self, key: DialogueKey, chat: ChatRef) -> None:
        """(Re)start the dialogue's clock: an abandoned dialogue ends with a message, not silently."""
        if (old := self._timers.pop(key, None)) is not None:
            old.cancel()
        self._timers[key] = asyncio.create_task(self._expire(key, chat))

    async def _expire(self, key: DialogueKey, chat: ChatRef) -> None:
        await asyncio.sleep(self.timeout)
        self._timers.pop(key, None)
        if (dialogue := self.active.pop(key, None)) is not None:
            minutes = max(1, round(self.timeout / 60))
            with use_locale(dialogue.locale):
                text = _("The /log questions timed out after {minutes} min; nothing was saved.").format(
                    minutes=minutes
                )
            try:
                await self.say(chat, Reply(text), None)
            except Exception as error:  # the chat may be gone; the dialogue is over either way
                log.warning("could not send the dialogue timeout notice: %s: %s", type(error).__name__, error)

    def _end(self, key: DialogueKey) -> None:
        self.active.pop(key, None)
        timer = self._timers.pop(key, None)
        if timer is not None and timer is not asyncio.current_task():
            timer.cancel()
