"""The Telegram door: a python-telegram-bot ``Application`` in the shared event loop.

``initialize`` / ``start`` / ``updater.start_polling`` (never ``run_polling``, which would own the loop),
PTB's JobQueue off (the app owns the one scheduler), the rate limiter on. Webhook mode serves Telegram's
POSTs with aiohttp (already a dependency) and checks the secret token on every request.

Every update goes through one callback: dedupe by update_id, then a command, a button press, a dialogue
answer, or a platform event for the shared handlers. A failure is logged with its traceback, the person is
told nothing was saved, and the next update is served as usual.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import html
import logging
import re
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from telegram import BotCommand, CallbackQuery, Chat, ChatMember, Message, MessageReactionUpdated, Update
from telegram.constants import ParseMode
from telegram.error import InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot import attachments
from bot.delivery import Delivery
from bot.inbox import Inbox
from bot.settings import Settings
from bot.telegram import convert, files
from bot.telegram.dialogue import DialogueKey, LogDialogue, Step, answer, prompt
from bot.telegram.messenger import TelegramMessenger, mention
from bot.telegram.render import ButtonPayloads, menu_description
from handlers.core import Attachment, ChatRef, Incoming, Reply, SentMessage, UserRef
from handlers.i18n import _
from handlers.router import PlatformEvent, Router, error_reply, parse_command_line

log = logging.getLogger(f"devrelbot.{__name__}")
# On stop, requests still in flight get this long to finish (aiohttp would wait a minute).
SHUTDOWN_SECONDS = 3.0

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
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DEFAULT_WEBHOOK_PORT = 8443
_ADDRESSED = re.compile(r"^/[A-Za-z][A-Za-z0-9_]*@([A-Za-z0-9_]+)")

SOMETHING_WENT_WRONG = "⚠️ Something went wrong, nothing was saved. The error is in the bot's log."


class BoundedRateLimiter(AIORateLimiter):
    """PTB's limiter waits out a 429 ``retry_after`` and retries; this one refuses to wait longer than
    ``max_wait`` seconds, so one flood-limited chat cannot park a send (and the loop's caller) for an hour.

    Network errors (a 5xx from the Bot API, a refused or dropped connection) are retried ``network_retries``
    times with exponential backoff from ``network_backoff`` seconds, then raised (the door logs them). A
    ``BadRequest`` or ``TimedOut`` is not retried: the first is final, and after the second the message may
    already have been delivered."""

    def __init__(
        self, *, max_wait: float, max_retries: int = 3, network_retries: int = 2, network_backoff: float = 1.0
    ) -> None:
        super().__init__(max_retries=max_retries)
        self.max_wait = max_wait
        self.network_retries = network_retries
        self.network_backoff = network_backoff

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        async def bounded(*a: Any, **kw: Any) -> Any:
            delay = self.network_backoff
            for attempt in range(self.network_retries + 1):
                try:
                    return await callback(*a, **kw)
                except RetryAfter as exc:
                    wait = _seconds(exc.retry_after)
                    if wait > self.max_wait:
                        raise TelegramError(
                            f"flood limit: asked to wait {wait:.0f} s, more than {self.max_wait:.0f} s"
                        ) from exc
                    raise
                except NetworkError as exc:
                    if type(exc) is not NetworkError or attempt == self.network_retries:
                        raise
                    log.warning("Telegram %s failed (%s); retry %d in %.1f s", endpoint, exc, attempt + 1, delay)
                    await asyncio.sleep(delay)
                    delay *= 2
            raise AssertionError("unreachable")

        return await super().process_request(bounded, args, kwargs, endpoint, data, rate_limit_args)


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def file_url(base_url: str) -> str:
    """Files live beside the API: ``…/bot`` → ``…/file/bot`` (the official layout, and a local Bot API's)."""
    return base_url[: -len("/bot")] + "/file/bot" if base_url.endswith("/bot") else base_url


class TelegramDoor:
    name = "telegram"

    def __init__(
        self,
        settings: Settings,
        router: Router,
        *,
        dialogue_timeout: float = 600.0,
        poll_timeout: float = 10.0,
        max_rate_limit_wait: float = 60.0,
        network_backoff: float = 1.0,
        webhook_host: str = "0.0.0.0",
        webhook_port: int | None = None,
    ) -> None:
        if settings.telegram_bot_token is None:
            raise ValueError("TELEGRAM_BOT_TOKEN is not set")
        self.settings = settings
        self.router = router
        self.dialogue_timeout = dialogue_timeout
        self.poll_timeout = poll_timeout
        self.max_rate_limit_wait = max_rate_limit_wait
        self.network_backoff = network_backoff
        self.webhook_host = webhook_host
        self.webhook_port = webhook_port if webhook_port is not None else settings.telegram_webhook_port
        self.payloads = ButtonPayloads()
        self.dialogues: dict[DialogueKey, LogDialogue] = {}
        self._timers: dict[DialogueKey, asyncio.Task[None]] = {}
        self.app: Application | None = None
        # Built once: the scheduler takes each door's messenger before the doors start.
        self.messenger = TelegramMessenger(None, self.payloads)
        # The one reply-delivery path; bot/app.py adds the other doors' messengers to it.
        self.delivery = Delivery(router, {"telegram": self.messenger})
        self.inbox = Inbox(router, "telegram")
        self.bound_port: int | None = None  # the webhook server's port once it listens (port 0 in tests)
        self.ready = asyncio.Event()
        self._bot_id = 0
        self._username = ""

    # --- lifecycle ------------------------------------------------------------------------------------

    def build_application(self) -> Application:
        assert self.settings.telegram_bot_token is not None
        base_url = self.settings.telegram_api_base_url.rstrip("/")
        app = (
            ApplicationBuilder()
            .token(self.settings.telegram_bot_token.get_secret_value())
            .base_url(base_url)
            .base_file_url(file_url(base_url))
            .job_queue(None)
            .rate_limiter(
                BoundedRateLimiter(max_wait=self.max_rate_limit_wait, network_backoff=self.network_backoff)
            )
            .build()
        )
        app.add_handler(TypeHandler(Update, self._on_update))
        app.add_error_handler(self._on_error)
        return app

    async def run(self, stop: asyncio.Event) -> None:
        """Serve until ``stop`` is set; raise when Telegram cannot be reached or rejects the token, so the
        supervisor logs it and retries with backoff while the other doors go on."""
        self.ready.clear()
        app = self.app = self.build_application()
        try:
            await app.initialize()  # getMe: a revoked token or an unreachable API fails here
        except InvalidToken:
            raise RuntimeError(
                "Telegram rejected TELEGRAM_BOT_TOKEN (revoked or mistyped); get the token from @BotFather"
            ) from None
        runner: web.AppRunner | None = None
        try:
            self._bot_id, self._username = app.bot.id, app.bot.username or ""
            self.messenger.attach(app.bot)
            await self._publish_commands()
            await app.start()
            if self.settings.telegram_webhook_url:
                runner = await self._start_webhook(app)
                watched = None
            else:
                watched = await self._start_polling(app)
            log.info("Telegram door running as @%s (%s)", self._username, "webhook" if runner else "polling")
            self.ready.set()
            await self._serve_until(stop, watched)
        finally:
            await self._shut_down(app, runner)

    async def _serve_until(self, stop: asyncio.Event, polling: asyncio.Task[Any] | None) -> None:
        stop_task = asyncio.create_task(stop.wait())
        watched: set[asyncio.Task[Any]] = {stop_task} | ({polling} if polling else set())
        try:
            done, _pending = await asyncio.wait(watched, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop_task.cancel()
        if polling is not None and polling in done and not stop.is_set():
            error = None if polling.cancelled() else polling.exception()
            if isinstance(error, InvalidToken):
                raise RuntimeError("Telegram rejected TELEGRAM_BOT_TOKEN while polling (revoked?)")
            raise RuntimeError(f"Telegram polling stopped: {type(error).__name__}: {error}")

    async def _start_polling(self, app: Application) -> asyncio.Task[Any] | None:
        """Start long polling and return its task, so that a fatal polling error ends ``run``."""
        assert app.updater is not None
        before = asyncio.all_tasks()
        await app.updater.start_polling(
            poll_interval=0,
            timeout=timedelta(seconds=self.poll_timeout),
            allowed_updates=ALLOWED_UPDATES,
            error_callback=_log_polling_error,
        )
        started = [t for t in asyncio.all_tasks() - before if t.get_name() == "Updater:start_polling:polling_task"]
        return started[0] if started else None

    async def _start_webhook(self, app: Application) -> web.AppRunner:
        url = self.settings.telegram_webhook_url
        secret = self.settings.telegram_webhook_secret
        assert url is not None and secret is not None
        server = web.Application()
        server.router.add_post(urlsplit(url).path or "/", self._webhook_handler(app, secret.get_secret_value()))
        runner = web.AppRunner(server, access_log=None, shutdown_timeout=SHUTDOWN_SECONDS)
        await runner.setup()
        port = DEFAULT_WEBHOOK_PORT if self.webhook_port is None else self.webhook_port  # 0: any free port
        site = web.TCPSite(runner, self.webhook_host, port)
        await site.start()
        self.bound_port = runner.addresses[0][1]
        try:
            await app.bot.set_webhook(
                url=url, secret_token=secret.get_secret_value(), allowed_updates=ALLOWED_UPDATES
            )
        except BaseException:
            await runner.cleanup()
            raise
        return runner

    def _webhook_handler(self, app: Application, secret: str) -> Callable[[web.Request], Coroutine[Any, Any, Any]]:
        async def receive(request: web.Request) -> web.Response:
            given = request.headers.get(SECRET_HEADER, "")
            if not hmac.compare_digest(given.encode(), secret.encode()):
                log.warning("webhook request without the right secret token rejected")
                return web.Response(status=403)
            try:
                update = Update.de_json(await request.json(), app.bot)
            except Exception as error:  # not JSON, or not an update: refuse it, the door goes on
                log.warning("malformed Telegram webhook request refused: %s: %s", type(error).__name__, error)
                return web.Response(status=400)
            await app.update_queue.put(update)
            return web.Response(status=200)

        return receive

    async def _shut_down(self, app: Application, runner: web.AppRunner | None) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        self.dialogues.clear()
        self.messenger.attach(None)
        with contextlib.suppress(Exception):
            if app.updater is not None and app.updater.running:
                await app.updater.stop()
        if runner is not None:
            await runner.cleanup()
        with contextlib.suppress(Exception):
            if app.running:
                await app.stop()
        with contextlib.suppress(Exception):
            await app.shutdown()
        self.ready.clear()

    async def _publish_commands(self) -> None:
        """The command menu users see on typing /. A failure here is not worth stopping the door for."""
        assert self.app is not None
        commands = [BotCommand(c.name, menu_description(c)) for c in self.router.commands.all()]
        try:
            await self.app.bot.set_my_commands(commands)
        except TelegramError as error:
            log.warning("could not publish the Telegram command menu: %s", error)

    # --- updates -------------------------------------------------------------------------------------

    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.message_reaction is not None:  # deduplicated in the transaction that applies it
            await self._on_reaction(update.update_id, update.message_reaction)
            return
        if not await self.inbox.first_time(self._update_key(update.update_id)):
            return
        if update.callback_query is not None:
            await self._on_button(update.callback_query)
        elif update.message is not None:
            await self._on_message(update.message)
        elif update.message_reaction_count is not None:
            counts = update.message_reaction_count
            await self._on_event(convert.reaction_count(counts), convert.chat_ref(counts.chat))
        elif update.poll_answer is not None:
            await self._on_event(convert.poll_answer(update.poll_answer), None)
        elif update.poll is not None:
            await self._on_event(convert.poll_results(update.poll), None)
        elif update.my_chat_member is not None:
            await self._on_membership(update)

    def _update_key(self, update_id: int) -> str:
        """Update ids are counted per bot: with the bot's id they stay unique if the token changes bots."""
        return f"{self._bot_id}:{update_id}"

    async def _on_message(self, message: Message) -> None:
        text = message.text or message.caption or ""
        sender = self._sender(message)
        if sender is None or (sender.is_bot and not message.sender_chat):
            return
        chat = convert.message_chat(message)
        key = _key(chat, sender)
        parsed = self._parse_command(text)
        if parsed is None:
            if key in self.dialogues:
                await self._dialogue_answer(key, chat, sender, text, message.message_id)
            elif chat.is_private and text:
                await self._say(chat, Reply(_("Commands start with / — try /help.")), message.message_id)
            return
        command, args = parsed
        anonymous_admin = message.sender_chat is not None and message.sender_chat.id == message.chat.id
        attached: tuple[Attachment, ...] = ()
        document = files.document_of(message)
        if document is not None and attachments.wants_file(command, args) and self.app is not None:
            try:  # a CSV captioned /plan import (or a reply to one): the command gets the file
                attached = (await files.download(self.app.bot, document),)
            except attachments.FileRefused as refused:
                await self._say(chat, refused.reply, message.message_id)
                return
        await self._command(chat, sender, command, args, text, message.message_id, anonymous_admin, attached)

    async def _on_button(self, query: CallbackQuery) -> None:
        """A press re-dispatches the button's command as the person who pressed it."""
        command_line = self.payloads.decode(query.data or "")
        if command_line is None:
            await query.answer(_("This button has expired; type the command instead."), show_alert=True)
            return
        await query.answer()
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
        await self._command(chat, sender, parsed[0], parsed[1], command_line, None, False)

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
    ) -> None:
        key = _key(chat, sender)
        if command in ("cancel", "skip"):
            await self._dialogue_control(key, chat, sender, command, message_id)
            return
        admin = False
        if command in ADMIN_CHECKED:
            admin = anonymous_admin or await self._is_chat_admin(chat, sender)
        incoming = Incoming(
            chat=chat,
            user=sender,
            command=command,
            args=args,
            text=text,
            message_id=str(message_id) if message_id is not None else None,
            attachments=attached,
            chat_admin=admin,
        )
        await self._dispatch(incoming, reply_to=message_id)

    async def _dispatch(self, incoming: Incoming, *, reply_to: int | None) -> list[Reply]:
        """Run the command off the loop (database work) and send what it answers."""
        replies = await asyncio.to_thread(self.router.dispatch, incoming)
        await self.delivery.deliver(replies, _Here(self, incoming.chat, incoming.user, reply_to))
        return replies

    async def _on_reaction(self, update_id: int, reaction: MessageReactionUpdated) -> None:
        """One update may add and remove several emoji (a changed vote): all of it in one transaction, which
        also records the update id, so a redelivered update changes nothing and a failed one is not lost."""
        events = convert.reaction_events(update_id, reaction)
        replies = await self.inbox.apply(events, self._update_key(update_id))
        chat = convert.chat_ref(reaction.chat)
        for reply in replies:
            await self._say(chat, reply, None)

    async def _on_event(self, event: PlatformEvent, chat: ChatRef | None) -> None:
        replies = await asyncio.to_thread(self.router.handle_event, event)
        if chat is None:
            if replies:
                log.debug("%d replies to a %s have no chat to go to", len(replies), type(event).__name__)
            return
        for reply in replies:
            await self._say(chat, reply, None)

    async def _on_membership(self, update: Update) -> None:
        change = update.my_chat_member
        assert change is not None
        old, new = change.old_chat_member.status, change.new_chat_member.status
        joined = old in (ChatMember.LEFT, ChatMember.BANNED) and new in (ChatMember.MEMBER, ChatMember.ADMINISTRATOR)
        if new == ChatMember.ADMINISTRATOR and old != ChatMember.ADMINISTRATOR:
            log.info("made an admin of Telegram chat %s: reactions will arrive there", change.chat.id)
        if joined and change.chat.type in (Chat.GROUP, Chat.SUPERGROUP):
            hello = _(
                "👋 Hi! I keep this team's DevRel ledger: /help lists what I can do. "
                "To join a Slack team, a team admin runs /connect telegram there and an admin here sends "
                "/connect CODE. Make me an admin of this group so that I see emoji reactions."
            )
            await self._say(convert.chat_ref(change.chat), Reply(hello), None)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        error = context.error
        log.error("Telegram update failed: %s: %s", type(error).__name__, error, exc_info=error)
        if not isinstance(update, Update) or update.effective_chat is None or self.app is None:
            return
        try:
            await self.app.bot.send_message(chat_id=update.effective_chat.id, text=SOMETHING_WENT_WRONG)
        except TelegramError as send_error:
            log.warning("could not tell the chat about the failure: %s", send_error)

    # --- the guided /log -------------------------------------------------------------------------------

    async def _start_dialogue(
        self, key: DialogueKey, chat: ChatRef, user: UserRef, known: dict[str, str], reply_to: int | None
    ) -> None:
        dialogue = self.dialogues[key] = LogDialogue.from_known(known)
        self._arm_timer(key, chat)
        await self._ask(chat, user, dialogue, reply_to)

    async def _dialogue_answer(
        self, key: DialogueKey, chat: ChatRef, user: UserRef, text: str, reply_to: int | None
    ) -> None:
        dialogue = self.dialogues[key]
        error = answer(dialogue, text, today=self.router.clock().date())
        if error is not None:
            await self._say(chat, error_reply(error), reply_to)
        elif dialogue.done:
            await self._finish_dialogue(key, chat, user, dialogue, reply_to)
            return
        self._arm_timer(key, chat)
        await self._ask(chat, user, dialogue, reply_to)

    async def _finish_dialogue(
        self, key: DialogueKey, chat: ChatRef, user: UserRef, dialogue: LogDialogue, reply_to: int | None
    ) -> None:
        """The answers become one ordinary /log line; if it is refused, the last question is asked again."""
        self._end_dialogue(key)
        args = dialogue.args()
        incoming = Incoming(chat=chat, user=user, command="log", args=args, text=f"/log {args}")
        replies = await self._dispatch(incoming, reply_to=reply_to)
        if any(r.is_error and r.form is None for r in replies):
            dialogue.done, dialogue.step = False, Step.METRICS
            self.dialogues[key] = dialogue
            self._arm_timer(key, chat)
            await self._ask(chat, user, dialogue, reply_to)

    async def _dialogue_control(
        self, key: DialogueKey, chat: ChatRef, user: UserRef, command: str, reply_to: int | None
    ) -> None:
        if key not in self.dialogues:
            await self._say(chat, Reply(_("Nothing to cancel."), ephemeral=True), reply_to)
            return
        if command == "cancel":
            self._end_dialogue(key)
            await self._say(chat, Reply(_("Cancelled; nothing was saved.")), reply_to)
            return
        await self._dialogue_answer(key, chat, user, "skip", reply_to)

    async def _ask(self, chat: ChatRef, user: UserRef, dialogue: LogDialogue, reply_to: int | None) -> None:
        who = "" if chat.is_private or not user.user_id.isdigit() else mention(user.user_id, user.display_name)
        await self._say(chat, prompt(dialogue, mention=who), reply_to, force_reply=dialogue.step is not Step.KIND)

    def _arm_timer(self, key: DialogueKey, chat: ChatRef) -> None:
        """(Re)start the dialogue's clock: an abandoned dialogue ends with a message, not silently."""
        if (old := self._timers.pop(key, None)) is not None:
            old.cancel()
        self._timers[key] = asyncio.create_task(self._expire(key, chat))

    async def _expire(self, key: DialogueKey, chat: ChatRef) -> None:
        await asyncio.sleep(self.dialogue_timeout)
        self._timers.pop(key, None)
        if self.dialogues.pop(key, None) is not None:
            minutes = max(1, round(self.dialogue_timeout / 60))
            text = _("The /log questions timed out after {minutes} min; nothing was saved.").format(minutes=minutes)
            try:
                await self._say(chat, Reply(text), None)
            except TelegramError as error:
                log.warning("could not send the dialogue timeout notice: %s", error)

    def _end_dialogue(self, key: DialogueKey) -> None:
        self.dialogues.pop(key, None)
        timer = self._timers.pop(key, None)
        if timer is not None and timer is not asyncio.current_task():
            timer.cancel()

    async def _mark_choice(self, message: Message, query: CallbackQuery) -> None:
        """Show which kind was chosen, by whom, and drop the buttons so the question is not answered twice."""
        if not message.text or message.reply_markup is None:
            return
        label = next(
            (b.text for row in message.reply_markup.inline_keyboard for b in row if b.callback_data == query.data),
            "",
        )
        who = query.from_user.username or query.from_user.full_name
        assert self.app is not None
        try:
            await self.app.bot.edit_message_text(
                chat_id=message.chat.id,
                message_id=message.message_id,
                text=f"{message.text_html}\n▸ {html.escape(label)} — {html.escape(who)}",
                parse_mode=ParseMode.HTML,
            )
        except TelegramError as error:
            log.debug("could not mark the chosen button: %s", error)

    # --- helpers -------------------------------------------------------------------------------------

    async def _say(
        self, chat: ChatRef, reply: Reply, reply_to: int | None, *, force_reply: bool = False
    ) -> list[Message]:
        return await self.messenger.deliver(chat, reply, reply_to=reply_to, force_reply=force_reply)

    def _parse_command(self, text: str) -> tuple[str, str] | None:
        """``/cmd`` or ``/cmd@thisbot``; a command addressed to another bot in the group is not ours."""
        addressed = _ADDRESSED.match(text.strip())
        if addressed and addressed.group(1).lower() != self._username.lower():
            return None
        return parse_command_line(text)

    @staticmethod
    def _sender(message: Message) -> UserRef | None:
        if message.sender_chat is not None:
            return convert.chat_as_user(message.sender_chat)
        return convert.user_ref(message.from_user) if message.from_user is not None else None

    async def _is_chat_admin(self, chat: ChatRef, user: UserRef) -> bool:
        """Only the chat's own admins may link or unlink it; in a private chat the person is the chat."""
        if chat.is_private:
            return True
        if not user.user_id.isdigit() or self.app is None:
            return False
        try:
            member = await self.app.bot.get_chat_member(chat_id=int(chat.chat_id), user_id=int(user.user_id))
        except TelegramError as error:
            log.warning("could not check chat admin status: %s", error)
            return False
        return member.status in CHAT_ADMIN_STATUSES


class _Here:
    """Answers in the chat of the update: a reply to the person's message; /log with fields missing starts the
    guided dialogue."""

    def __init__(self, door: TelegramDoor, chat: ChatRef, user: UserRef, reply_to: int | None) -> None:
        self.door, self.user, self.reply_to = door, user, reply_to
        self._chat = chat

    async def chat(self) -> ChatRef:
        return self._chat

    async def show_form(self, reply: Reply) -> bool:
        if reply.form is None or reply.form.command != "log":
            return False
        key = _key(self._chat, self.user)
        await self.door._start_dialogue(key, self._chat, self.user, dict(reply.form.known), self.reply_to)
        return True

    async def post(self, reply: Reply) -> SentMessage | None:
        sent = await self.door._say(self._chat, reply, self.reply_to)
        return SentMessage(self._chat, str(sent[0].message_id)) if sent else None


def _key(chat: ChatRef, user: UserRef) -> DialogueKey:
    return (chat.chat_id, chat.thread_id, user.user_id)


def _log_polling_error(error: TelegramError) -> None:
    """PTB retries polling by itself; say so in one line instead of a traceback per attempt."""
    log.warning("Telegram polling error (retrying): %s: %s", type(error).__name__, error)
