"""Every Telegram update goes through one callback: dedupe by update_id, then a command, a button press, a
dialogue answer, or a platform event for the shared handlers.

Commands run in a worker thread (database work must not block the loop) and their replies go out through
the shared delivery path. A failure is logged with its traceback, the person is told nothing was saved, and
the next update is served as usual.
"""

from __future__ import annotations

import asyncio
import contextvars
import html
import logging
import re
from collections.abc import Callable, Sequence

from sqlmodel import Session
from telegram import CallbackQuery, Chat, ChatMember, Message, MessageReactionUpdated, Update, User
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import attachments
from bot.delivery import Delivery
from bot.inbox import UNAVAILABLE, Inbox, keeper, kept_replies, stored_row, waiting_notice
from bot.roles import RoleCache
from bot.telegram import convert, files
from bot.telegram.buttons import INLINE, STORED, ButtonPayloads
from bot.telegram.dialogue import Dialogues
from bot.telegram.intake import note_fault
from bot.telegram.messenger import TelegramMessenger
from handlers import markup
from handlers.core import Attachment, ChatRef, Incoming, ReactionEvent, Reply, SentMessage, UserRef
from handlers.i18n import DEFAULT_LOCALE, _, supported_locale, use_locale
from handlers.router import PlatformEvent, Router, parse_command_line

log = logging.getLogger(f"devrelbot.{__name__}")

# The update a command is being run for (set per update; PTB runs a handler in the update's own task).
_UPDATE_DELIVERY: contextvars.ContextVar[str | None] = contextvars.ContextVar("update_delivery", default=None)

ALLOWED_UPDATES = [
    "message",
    "callback_query",
    "message_reaction",
    "message_reaction_count",
    "poll",
    "poll_answer",
    "my_chat_member",
]
# Commands whose handlers need to know whether the sender administers the chat (one getChatMember each).
ADMIN_CHECKED = frozenset({"connect", "disconnect"})
CHAT_ADMIN_STATUSES = frozenset({ChatMember.OWNER, ChatMember.ADMINISTRATOR})
_ADDRESSED = re.compile(r"^/[A-Za-z][A-Za-z0-9_]*@([A-Za-z0-9_]+)")

class Updates:
    """The update callback and the error handler the door registers on its PTB Application."""

    def __init__(
        self,
        router: Router,
        messenger: TelegramMessenger,
        delivery: Delivery,
        payloads: ButtonPayloads,
        *,
        dialogue_timeout: float,
    ) -> None:
        self.router = router
        self.messenger = messenger
        self.delivery = delivery
        self.payloads = payloads
        self.inbox = Inbox(router, "telegram")
        self.dialogues = Dialogues(
            db=router.db,
            say=self.say,
            dispatch=self.dispatch,
            today=lambda: router.clock().date(),
            timeout=dialogue_timeout,
            locale_for=lambda chat, language: router.locale_for(chat, language=language),
        )
        self.bot_id = 0
        self.username = ""
        self.roles = RoleCache()  # who administers which group, as getChatMember said a few minutes ago

    def signed_in(self, bot_id: int, username: str) -> None:
        """Who the bot is (from getMe): update ids are per bot, and ``/cmd@otherbot`` is not ours."""
        self.bot_id, self.username = bot_id, username

    async def on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.message_reaction is not None:  # deduplicated in the transaction that applies it
            await self._on_reaction(update.update_id, update.message_reaction)
            return
        delivery = self._delivery_id(update.update_id)
        if update.callback_query is not None or update.message is not None:
            # A command is deduplicated in its own transaction (see ``dispatch``): handled again from the inbox
            # after a crash, it is applied once.
            _UPDATE_DELIVERY.set(delivery)
            if update.callback_query is not None:
                await self._on_button(update.callback_query)
            elif update.message is not None:
                await self._on_message(update.message)
        elif update.message_reaction_count is not None:
            counts = update.message_reaction_count
            await self._on_event(convert.reaction_count(counts), convert.chat_ref(counts.chat), delivery)
        elif update.poll_answer is not None:
            await self._on_event(convert.poll_answer(update.update_id, update.poll_answer), None, delivery)
        elif update.poll is not None:
            await self._on_event(convert.poll_results(update.poll), None, delivery)
        elif update.my_chat_member is not None and await self.inbox.first_time(delivery):
            await self._on_membership(update)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        error = context.error
        if error is not None and note_fault(error):
            return  # the database is away: the update stays in the inbox and is handled again (intake)
        log.error("Telegram update failed: %s: %s", type(error).__name__, error, exc_info=error)
        if not isinstance(update, Update) or update.effective_chat is None:
            return
        try:
            apology = _("Something went wrong, nothing was saved. The error is in the bot's log.")
            text = "⚠️ " + html.escape(apology, quote=False)  # sent as HTML, like every message (DEFAULTS)
            await self.messenger.bot.send_message(chat_id=update.effective_chat.id, text=text)
        except (TelegramError, ConnectionError) as send_error:
            log.warning("could not tell the chat about the failure: %s", send_error)

    def _delivery_id(self, update_id: int) -> str:
        """Update ids are counted per bot: with the bot's id they stay unique if the token changes bots."""
        return f"{self.bot_id}:{update_id}"

    # --- commands ------------------------------------------------------------------------------------------

    async def _on_message(self, message: Message) -> None:
        text = message.text or message.caption or ""
        sender = _sender(message)
        if sender is None or (sender.is_bot and not message.sender_chat):
            return
        chat = convert.message_chat(message)
        if await self._answer_kept(chat, sender, message.message_id, _own_language(chat, message.from_user)):
            return
        parsed = self._parse_command(text)
        if parsed is None:
            if await self.dialogues.answer(chat, sender, text, message.message_id, once=_current_update()):
                return
            if chat.is_private and text:
                locale = await asyncio.to_thread(
                    self.router.locale_for, chat, language=_own_language(chat, message.from_user)
                )
                with use_locale(locale):
                    hint = Reply(_("Commands start with / — try /help."))
                await self.say(chat, hint, message.message_id)
            return
        command, args = parsed
        anonymous_admin = message.sender_chat is not None and message.sender_chat.id == message.chat.id
        attached: tuple[Attachment, ...] = ()
        document = files.document_of(message)
        if document is not None and attachments.wants_file(command, args):
            try:  # a CSV captioned /plan import (or a reply to one): the command gets the file
                attached = (await files.download(self.messenger.bot, document),)
            except attachments.FileRefused as refused:
                await self.say(chat, refused.reply, message.message_id)
                return
        await self._command(chat, sender, command, args, text, message.message_id, anonymous_admin, attached,
                            language=_own_language(chat, message.from_user), chat_title=message.chat.title)

    async def _on_button(self, query: CallbackQuery) -> None:
        """A press re-dispatches the button's command as the person who pressed it."""
        pressed = await self.payloads.decode(query.data or "")
        if pressed.command is None:
            # The alert is for the person who pressed: their app's language where the bot speaks it.
            with use_locale(supported_locale(query.from_user.language_code) or DEFAULT_LOCALE):
                expired = _("This button has expired; type the command instead.")
            await _answer(query, expired, show_alert=True)
            return
        await _answer(query)
        command_line = pressed.command
        if pressed.expired:  # a month-old button: say what to type (a message: an alert holds 200 characters)
            await self._say_expired(query, command_line)
            return
        message = query.message
        if message is None:
            return
        parsed = parse_command_line(command_line)
        if parsed is None:
            return
        chat = convert.message_chat(message) if isinstance(message, Message) else convert.chat_ref(message.chat)
        sender = convert.user_ref(query.from_user)
        if parsed[0] == "log" and isinstance(message, Message):
            await self._mark_choice(message, query)
        await self._command(chat, sender, parsed[0], parsed[1], command_line, None, False,
                            language=_own_language(chat, query.from_user))

    async def _say_expired(self, query: CallbackQuery, command_line: str) -> None:
        message = query.message
        if message is None:
            return
        chat = convert.message_chat(message) if isinstance(message, Message) else convert.chat_ref(message.chat)
        locale = await asyncio.to_thread(self.router.locale_for, chat, language=_own_language(chat, query.from_user))
        with use_locale(locale):
            notice = Reply(_("This button has expired — type the command: {command}").format(
                command=markup.code(command_line)))
        await self.say(chat, notice, None)

    async def tell_waiting(self, update: Update) -> None:
        """The update's command waits for the database (``DurableInbox``): tell the person once that it is
        kept. Only for what a person sent the bot — a command, a button, a private message or a reply to the
        bot (an answer to the guided /log) —, never for chatter in a group or a vote."""
        target = self._waiting_target(update)
        if target is None:
            return
        chat, user, reply_to = target
        language = _own_language(chat, user)
        try:  # the team's language is in the database, which is away: the person's own, or the default
            locale = await asyncio.to_thread(self.router.locale_for, chat, language=language)
        except UNAVAILABLE:
            locale = supported_locale(language) or self.router.default_language
        with use_locale(locale):
            notice = Reply(waiting_notice())
        try:
            await self.say(chat, notice, reply_to)
        except (TelegramError, ConnectionError) as error:
            log.warning("could not tell the chat its command waits for the database: %s", error)

    def _waiting_target(self, update: Update) -> tuple[ChatRef, User | None, int | None] | None:
        query = update.callback_query
        if query is not None:
            if query.message is None or not (query.data or "").startswith((INLINE, STORED)):
                return None
            pressed_on = query.message
            chat = (convert.message_chat(pressed_on) if isinstance(pressed_on, Message)
                    else convert.chat_ref(pressed_on.chat))
            return chat, query.from_user, None
        message = update.message
        if message is None:
            return None
        text = message.text or message.caption or ""
        chat = convert.message_chat(message)
        replied = message.reply_to_message
        to_bot = replied is not None and replied.from_user is not None and replied.from_user.id == self.bot_id
        if self._parse_command(text) is None and not (text and (chat.is_private or to_bot)):
            return None
        return chat, message.from_user, message.message_id

    async def _command(
        self,
        chat: ChatRef,
        sender: UserRef,
        command: str,
        args: str,
        text: str,
        message_id: int | None,
        anonymous_admin: bool,
        attached: tuple[Attachment, ...] = (),
        *,
        language: str | None = None,
        chat_title: str | None = None,
    ) -> None:
        if command in ("cancel", "skip"):
            await self.dialogues.control(chat, sender, command, message_id, once=_current_update())
            return
        # Linking or unlinking the chat asks Telegram afresh; any other command may use an answer a few minutes
        # old. A private chat belongs to no group, so there the person administers no team.
        admin = anonymous_admin or await self._is_chat_admin(chat, sender, fresh=command in ADMIN_CHECKED)
        incoming = Incoming(
            chat=chat,
            user=sender,
            command=command,
            args=args,
            text=text,
            message_id=str(message_id) if message_id is not None else None,
            attachments=attached,
            chat_admin=admin,
            language=language,
            platform_admin=admin and not chat.is_private,
            chat_title=chat_title,
        )
        await self.dispatch(incoming, message_id)

    async def dispatch(self, incoming: Incoming, reply_to: int | None, *,
                       also: Callable[[Session], None] | None = None) -> list[Reply]:
        """Run the command off the loop (database work) and send what it answers. The first command an update
        runs records the update's id in its transaction (a redelivered or re-handled update runs nothing), and
        keeps its replies with the update's inbox row; the row is marked done after they were sent. An update
        whose command was applied before the last stop, but maybe not answered, sends the kept replies.

        A command of a stored update that finds the database away raises: the update stays in the inbox and is
        handled again (``intake``), instead of being answered "try again" and dropped. ``also``: committed with
        the command (the guided dialogue it ends)."""
        once = _current_update()
        _UPDATE_DELIVERY.set(None)
        row = stored_row.get() if once is not None else None
        if once is not None and row is not None and row.answer is not None:
            replies = kept_replies(row.answer, once[1])
        else:
            keep = keeper(row.item_id) if row is not None else None
            replies = await asyncio.to_thread(self.router.dispatch, incoming, once=once,
                                              raise_unavailable=once is not None, also=also, keep=keep)
        await self.delivery.deliver(
            replies, _Here(self, incoming.chat, incoming.user, reply_to, incoming.language, once=once))
        return replies

    async def _answer_kept(self, chat: ChatRef, user: UserRef, reply_to: int | None, language: str | None) -> bool:
        """A message applied before the last stop — a command, or a step of the guided /log (``Dialogues``) — whose
        answer was kept with its inbox row and maybe not sent: the kept answer is sent, and nothing runs again."""
        once = _current_update()
        row = stored_row.get() if once is not None else None
        if once is None or row is None or row.answer is None:
            return False
        _UPDATE_DELIVERY.set(None)
        replies = kept_replies(row.answer, once[1])
        await self.delivery.deliver(replies, _Here(self, chat, user, reply_to, language, once=once))
        return True

    async def say(self, chat: ChatRef, reply: Reply, reply_to: int | None) -> list[Message]:
        return await self.messenger.deliver(chat, reply, reply_to=reply_to)

    def _parse_command(self, text: str) -> tuple[str, str] | None:
        """``/cmd`` or ``/cmd@thisbot``; a command addressed to another bot in the group is not ours."""
        addressed = _ADDRESSED.match(text.strip())
        if addressed and addressed.group(1).lower() != self.username.lower():
            return None
        return parse_command_line(text)

    async def _is_chat_admin(self, chat: ChatRef, user: UserRef, *, fresh: bool = False) -> bool:
        """Whether the person administers the chat (getChatMember: administrator or creator), remembered for a
        few minutes; in a private chat the person is the chat."""
        if chat.is_private:
            return True
        if not user.user_id.isdigit():
            return False
        bot = self.messenger.bot

        async def ask() -> bool | None:
            try:
                member = await bot.get_chat_member(chat_id=int(chat.chat_id), user_id=int(user.user_id))
            except TelegramError as error:
                log.warning("could not check chat admin status: %s", error)
                return None
            return member.status in CHAT_ADMIN_STATUSES

        return await self.roles.is_admin(("telegram", chat.chat_id, user.user_id), ask, fresh=fresh)

    async def _mark_choice(self, message: Message, query: CallbackQuery) -> None:
        """Show which kind was chosen, by whom, and drop the buttons so the question is not answered twice."""
        if not message.text or message.reply_markup is None:
            return
        label = next(
            (b.text for row in message.reply_markup.inline_keyboard for b in row if b.callback_data == query.data),
            "",
        )
        who = query.from_user.username or query.from_user.full_name
        try:
            await self.messenger.bot.edit_message_text(
                chat_id=message.chat.id,
                message_id=message.message_id,
                text=f"{message.text_html}\n▸ {html.escape(label)} — {html.escape(who)}",  # HTML: DEFAULTS
            )
        except TelegramError as error:
            log.debug("could not mark the chosen button: %s", error)

    # --- platform events -----------------------------------------------------------------------------------

    def apply_votes(self, session: Session, events: Sequence[PlatformEvent], delivery_id: str) -> list[Reply]:
        """A vote (reactions, a poll answer) applied in the transaction that stores its update (``intake``): the
        inbox row, unique per update, is its dedupe mark — a redelivery is not stored, so not applied."""
        if not self.router.handles(events):
            return []
        replies = self.router.apply_events(session, events)
        self.router.observe_event(("telegram", delivery_id), "ok")  # counted as apply_events counts a delivery
        return replies

    async def answer_votes(self, events: Sequence[PlatformEvent], replies: list[Reply]) -> None:
        """Send what a vote applied by ``apply_votes`` answered: into the reaction's chat (a poll answer has
        none)."""
        first = events[0] if events else None
        if not isinstance(first, ReactionEvent):
            log.debug("%d replies to a %s have no chat to go to", len(replies), type(first).__name__)
            return
        for reply in replies:
            try:
                await self.say(first.chat, reply, None)
            except (TelegramError, ConnectionError) as error:
                log.warning("could not answer a reaction: %s", error)

    async def _on_reaction(self, update_id: int, reaction: MessageReactionUpdated) -> None:
        """One update may add and remove several emoji (a changed vote): all of it in one transaction, which
        also records the update id, so a redelivered update changes nothing and a failed one is not lost."""
        events = convert.reaction_events(update_id, reaction)
        replies = await self.inbox.apply(events, self._delivery_id(update_id))
        chat = convert.chat_ref(reaction.chat)
        for reply in replies:
            await self.say(chat, reply, None)

    async def _on_event(self, event: PlatformEvent, chat: ChatRef | None, delivery: str) -> None:
        replies = await self.inbox.apply([event], delivery)
        if chat is None:
            if replies:
                log.debug("%d replies to a %s have no chat to go to", len(replies), type(event).__name__)
            return
        for reply in replies:
            await self.say(chat, reply, None)

    async def _on_membership(self, update: Update) -> None:
        change = update.my_chat_member
        assert change is not None
        old, new = change.old_chat_member.status, change.new_chat_member.status
        joined = old in (ChatMember.LEFT, ChatMember.BANNED) and new in (ChatMember.MEMBER, ChatMember.ADMINISTRATOR)
        if new == ChatMember.ADMINISTRATOR and old != ChatMember.ADMINISTRATOR:
            log.info("made an admin of Telegram chat %s: reactions will arrive there", change.chat.id)
        if joined and change.chat.type in (Chat.GROUP, Chat.SUPERGROUP):
            chat = convert.chat_ref(change.chat)
            with use_locale(await asyncio.to_thread(self.router.locale_for, chat)):  # a new group: DEFAULT_LANGUAGE
                hello = _(
                    "👋 Hi! I keep this team's DevRel ledger: /help lists what I can do. "
                    "To join a Slack team, a team admin runs /connect telegram there and an admin here sends "
                    "/connect CODE. Make me an admin of this group so that I see emoji reactions."
                )
            await self.say(chat, Reply(hello), None)


class _Here:
    """Answers in the chat of the update: a reply to the person's message; /log with fields missing starts the
    guided dialogue."""

    def __init__(
        self, updates: Updates, chat: ChatRef, user: UserRef, reply_to: int | None, language: str | None = None,
        *, once: tuple[str, str] | None = None,
    ) -> None:
        self.updates, self.user, self.reply_to = updates, user, reply_to
        self._chat = chat
        self.language = language  # the person's own, where the platform reported it (a private chat)
        self.once = once  # the update the command came with: the dialogue it starts records it

    async def chat(self) -> ChatRef:
        return self._chat

    async def show_form(self, reply: Reply) -> bool:
        if reply.form is None or reply.form.command != "log":
            return False
        await self.updates.dialogues.start(
            self._chat, self.user, dict(reply.form.known), self.reply_to, language=self.language, once=self.once
        )
        return True

    async def post(self, reply: Reply) -> SentMessage | None:
        sent = await self.updates.say(self._chat, reply, self.reply_to)
        return SentMessage(self._chat, str(sent[0].message_id)) if sent else None


async def _answer(query: CallbackQuery, text: str | None = None, *, show_alert: bool = False) -> None:
    """Stop the button's spinner. Telegram refuses an answer after about 15 seconds (a press handled again from
    the inbox once the database is back): the press is still carried out."""
    try:
        await query.answer(text, show_alert=show_alert)
    except TelegramError as error:
        log.debug("could not answer a button press: %s", error)


def _current_update() -> tuple[str, str] | None:
    """The update being handled, as the router records it (None outside one, or once its command ran)."""
    delivery = _UPDATE_DELIVERY.get()
    return ("telegram", delivery) if delivery else None


def _sender(message: Message) -> UserRef | None:
    if message.sender_chat is not None:
        return convert.chat_as_user(message.sender_chat)
    return convert.user_ref(message.from_user) if message.from_user is not None else None


def _own_language(chat: ChatRef, user: User | None) -> str | None:
    """The person's app language, for a private chat only: in a group every reply is seen by all (Telegram
    has no replies for one person), so there the team's language stays."""
    return user.language_code if chat.is_private and user is not None else None
