"""Sending to Slack: the Messenger port for jobs, and the few ways a door answers a person.

Files cannot be ephemeral in Slack, so a private reply with an image or a CSV goes to the person's DM.
Polls do not exist in Slack; a poll degrades to a message with one button per option (or, without a
vote command, numbered options to answer with a reaction).
"""

from __future__ import annotations

import logging
from dataclasses import replace

from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks import fallback_text, reply_blocks
from handlers import markup
from handlers.core import (
    Button,
    ChatRef,
    DirectTarget,
    Document,
    Image,
    Platform,
    PollResults,
    PollSpec,
    Reply,
    SentMessage,
)
from handlers.i18n import _

log = logging.getLogger(f"devrelbot.{__name__}")

NUMBER_EMOJI = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "keycap_ten")


class SlackMessenger:
    platform: Platform = "slack"
    # Slack posts about one message per second per channel; bulk senders (the digest) keep to it.
    min_interval_per_chat = 1.0

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def send(self, chat: ChatRef, reply: Reply) -> SentMessage:
        """Post the text (with its buttons) into the channel or thread, then upload any image or document
        next to it. The message id is the text message's ``ts`` (reactions to it are votes)."""
        message_id = ""
        if reply.text.strip() or reply.buttons or not _files(reply):
            response = await self.client.chat_postMessage(
                channel=chat.chat_id,
                thread_ts=chat.thread_id,
                text=fallback_text(reply),
                blocks=reply_blocks(reply),
                unfurl_links=False,
            )
            message_id = str(response["ts"])
        for attachment in _files(reply):
            await self.upload(chat, attachment)
        return SentMessage(chat=chat, message_id=message_id)

    async def send_in_thread(self, chat: ChatRef, parent_id: str, reply: Reply) -> SentMessage:
        return await self.send(replace(chat, thread_id=parent_id), reply)

    async def upload(self, chat: ChatRef, attachment: Image | Document) -> None:
        """files_upload_v2 does the three steps: get an upload URL, upload, complete into the channel."""
        await self.client.files_upload_v2(
            channel=chat.chat_id,
            thread_ts=chat.thread_id,
            file=attachment.content,
            filename=attachment.filename,
            title=attachment.filename,
        )

    async def send_ephemeral(self, chat: ChatRef, user_id: str, reply: Reply) -> None:
        """Only ``user_id`` sees it. Files cannot be ephemeral: a reply that carries one goes to the DM."""
        if _files(reply):
            await self.send(await self.dm(user_id, workspace_id=chat.workspace_id), reply)
            return
        await self.client.chat_postEphemeral(
            channel=chat.chat_id,
            user=user_id,
            thread_ts=chat.thread_id,
            text=fallback_text(reply),
            blocks=reply_blocks(reply),
        )

    async def dm(self, user_id: str, *, workspace_id: str | None) -> ChatRef:
        response = await self.client.conversations_open(users=user_id)
        channel = str(response["channel"]["id"])
        return ChatRef(platform="slack", chat_id=channel, workspace_id=workspace_id, is_private=True)

    async def send_direct(self, target: DirectTarget, reply: Reply) -> SentMessage:
        try:
            workspace = target.fallback_chat.workspace_id if target.fallback_chat else None
            return await self.send(await self.dm(target.user.user_id, workspace_id=workspace), reply)
        except Exception:
            if target.fallback_chat is None:
                raise
            log.warning("cannot DM Slack user %s; posting in the team channel instead", target.user.user_id)
            mention = markup.escape(f"@{target.user.display_name}: ")
            return await self.send(target.fallback_chat, replace(reply, text=mention + reply.text))

    async def send_poll(self, chat: ChatRef, poll: PollSpec) -> SentMessage:
        """Slack has no polls: with a ``choice_command``, one button per option (a click votes as the person who
        clicked, a new click replaces the old); without one, numbered options to answer with a reaction."""
        if poll.choice_command:
            buttons = tuple(Button(option, f"{poll.choice_command} {option}") for option in poll.options)
            return await self.send(chat, Reply(markup.bold(poll.question), buttons=buttons))
        lines = [markup.bold(poll.question)]
        for index, option in enumerate(poll.options):
            emoji = NUMBER_EMOJI[index] if index < len(NUMBER_EMOJI) else str(index)
            lines.append(f"• :{emoji}: {markup.escape(option)}")
        lines.append(_("Vote with the number's reaction."))
        return await self.send(chat, Reply("\n".join(lines)))

    async def member_count(self, chat: ChatRef) -> int:
        """The channel's members (channels:read / groups:read)."""
        response = await self.client.conversations_info(channel=chat.chat_id, include_num_members=True)
        return int(response["channel"]["num_members"])

    async def stop_poll(self, message: SentMessage) -> PollResults | None:
        """Take the buttons off a button poll; the votes are counted by the bot, so there are no totals here."""
        text = _("🔒 This poll is closed; its result is final.")
        await self.client.chat_update(
            channel=message.chat.chat_id, ts=message.message_id, text=text, blocks=reply_blocks(Reply(text))
        )
        return None


def _files(reply: Reply) -> list[Image | Document]:
    return [f for f in (reply.image, reply.document) if f is not None]
