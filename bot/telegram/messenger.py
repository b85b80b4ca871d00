"""Sending to Telegram: Reply → HTML messages, inline keyboards, photos, documents and native polls.

This is the Telegram ``Messenger`` that jobs send through, and what the door uses to answer commands. Every
text it sends is HTML without link previews: the door builds its Bot with :data:`DEFAULTS`, so the calls
here do not repeat it (a poll's question and options are plain text, and say so).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TypedDict

from telegram import (
    Bot,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    InputPollOption,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
)
from telegram.constants import ParseMode, PollLimit
from telegram.error import BadRequest, Forbidden
from telegram.ext import Defaults

from bot.telegram.buttons import ButtonPayloads
from bot.telegram.convert import poll_results
from bot.telegram.render import CAPTION_LIMIT, mention, split_html
from handlers import markup
from handlers.core import Button, ChatRef, DirectTarget, Platform, PollResults, PollSpec, Reply, SentMessage

log = logging.getLogger(f"devrelbot.{__name__}")

ROW_WIDTH = 3
LONG_LABEL = 20
DEFAULTS = Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True))


class _Where(TypedDict):
    """Where a message goes: the arguments every send takes alike."""

    chat_id: int
    message_thread_id: int | None
    reply_parameters: ReplyParameters | None


async def keyboard(buttons: Sequence[Button], payloads: ButtonPayloads) -> InlineKeyboardMarkup | None:
    """Short labels share a row (three at most); any long label puts every button on its own row. None when no
    button is left (each long command's button needs the database: see ``ButtonPayloads.encode``)."""
    width = 1 if any(len(b.label) > LONG_LABEL for b in buttons) else ROW_WIDTH
    data = await payloads.encode([b.command for b in buttons])
    keys = [InlineKeyboardButton(markup.strip_bidi(b.label), callback_data=d)
            for b, d in zip(buttons, data, strict=True) if d is not None]
    if not keys:
        return None
    return InlineKeyboardMarkup([keys[i : i + width] for i in range(0, len(keys), width)])


class TelegramMessenger:
    """Exists as long as the door does (jobs hold on to it); the door attaches each run's ``Bot`` to it."""

    platform: Platform = "telegram"

    def __init__(self, bot: Bot | None, payloads: ButtonPayloads) -> None:
        self._bot = bot
        self.payloads = payloads

    @property
    def bot(self) -> Bot:
        if self._bot is None:
            raise ConnectionError("the Telegram door is not connected (starting, or retrying after a failure)")
        return self._bot

    def attach(self, bot: Bot | None) -> None:
        self._bot = bot

    async def send(self, chat: ChatRef, reply: Reply) -> SentMessage:
        messages = await self.deliver(chat, reply)
        return SentMessage(chat=chat, message_id=str(messages[0].message_id))

    async def send_in_thread(self, chat: ChatRef, parent_id: str, reply: Reply) -> SentMessage:
        """Telegram groups have no threads under a message: the closest is a reply to it."""
        messages = await self.deliver(chat, reply, reply_to=int(parent_id))
        return SentMessage(chat=chat, message_id=str(messages[0].message_id))

    async def deliver(self, chat: ChatRef, reply: Reply, *, reply_to: int | None = None) -> list[Message]:
        """Send one Reply as one or more messages; buttons (or a ForceReply: ``Reply.asks_reply``) go on the last
        one."""
        chunks = split_html(reply.text)
        markup_ = await self._reply_markup(reply)
        where = _where(chat, reply_to)
        sent: list[Message] = []
        attachment = reply.image or reply.document
        if attachment is not None:
            caption = chunks.pop(0) if len(chunks[0]) <= CAPTION_LIMIT else None
            file = InputFile(attachment.content, filename=attachment.filename)
            keys = markup_ if not [c for c in chunks if c.strip()] else None
            if reply.image is not None:
                sent.append(await self.bot.send_photo(**where, photo=file, caption=caption or None, reply_markup=keys))
            else:
                sent.append(
                    await self.bot.send_document(**where, document=file, caption=caption or None, reply_markup=keys)
                )
        texts = [c for c in chunks if c.strip()]
        for i, text in enumerate(texts):
            last = i == len(texts) - 1
            sent.append(await self.bot.send_message(**where, text=text, reply_markup=markup_ if last else None))
        return sent

    async def send_poll(self, chat: ChatRef, poll: PollSpec) -> SentMessage:
        if not 2 <= len(poll.options) <= PollLimit.MAX_OPTION_NUMBER:
            raise ValueError(f"a Telegram poll has 2 to {PollLimit.MAX_OPTION_NUMBER} options")
        message = await self.bot.send_poll(
            **_where(chat, None),
            question=markup.strip_bidi(poll.question)[: PollLimit.MAX_QUESTION_LENGTH],
            question_parse_mode=None,  # people's text, not HTML
            options=[
                InputPollOption(markup.strip_bidi(o)[: PollLimit.MAX_OPTION_LENGTH], text_parse_mode=None)
                for o in poll.options
            ],
            is_anonymous=poll.anonymous,
            allows_multiple_answers=poll.multiple,
        )
        if message.poll is None:
            raise ValueError("Telegram answered sendPoll without the poll")
        return SentMessage(chat=chat, message_id=str(message.message_id), poll_id=message.poll.id)

    async def stop_poll(self, message: SentMessage) -> PollResults:
        """Close the poll; Telegram answers with its final counts."""
        poll = await self.bot.stop_poll(chat_id=int(message.chat.chat_id), message_id=int(message.message_id))
        return poll_results(poll)

    async def member_count(self, chat: ChatRef) -> int:
        """The group's members or the channel's subscribers (the bot must be in it)."""
        return int(await self.bot.get_chat_member_count(chat_id=int(chat.chat_id)))

    async def send_direct(self, target: DirectTarget, reply: Reply) -> SentMessage:
        """A private message; when the person never opened a chat with the bot, a mention in the team chat."""
        private = ChatRef(platform="telegram", chat_id=target.user.user_id, is_private=True)
        try:
            return await self.send(private, reply)
        except (Forbidden, BadRequest):
            if target.fallback_chat is None:
                raise
            log.info("cannot message a Telegram user privately; mentioning them in the team chat instead")
            text = f"{mention(target.user.user_id, target.user.display_name)}, {reply.text}"
            return await self.send(target.fallback_chat, Reply(text, image=reply.image, buttons=reply.buttons))

    async def _reply_markup(self, reply: Reply) -> InlineKeyboardMarkup | ForceReply | None:
        if reply.buttons:
            return await keyboard(reply.buttons, self.payloads)
        if reply.asks_reply:
            return ForceReply(selective=True)
        return None



def _where(chat: ChatRef, reply_to: int | None) -> _Where:
    return _Where(
        chat_id=int(chat.chat_id),
        message_thread_id=int(chat.thread_id) if chat.thread_id is not None else None,
        reply_parameters=ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to is not None else None,
    )
