"""Files shared with a command: ``/plan import`` on Slack.

Slash commands cannot carry files, so the CSV comes as a file shared in a message, in the bot's DM or in a
channel the bot is in, whose text is the command: ``/plan import``, ``plan import`` or ``@devrelbot plan
import``. Slack sends that as a ``message`` event (subtype ``file_share``) with ``files``; the file is fetched
from its ``url_private_download`` with the bot token as a Bearer header, which needs the ``files:read`` scope.

Every other message is ignored at once (nothing stored, nothing logged). The token is only ever sent to
Slack's own file hosts (or to the configured API's host), and no file URL is logged.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from slack_sdk.errors import SlackApiError

from bot import attachments
from bot.slack import inbound
from bot.slack.listeners import Origin, SlackListeners
from handlers.core import Attachment, ChatRef, Incoming, Reply
from handlers.i18n import _
from handlers.router import parse_command_line

log = logging.getLogger(f"devrelbot.{__name__}")

FILE_SUBTYPES = (None, "file_share")
SLACK_FILE_HOSTS = ("slack.com", "slack-gov.com")  # files.slack.com, files-origin.slack.com, …
_LEADING_MENTION = re.compile(r"^\s*<@[A-Z0-9]+(?:\|[^>]*)?>[\s:,]*")
_CHANNEL_NAMES = {"im": "directmessage", "mpim": "mpdm", "group": "privategroup"}
DOWNLOAD_TIMEOUT = aiohttp.ClientTimeout(total=30, sock_connect=10)


def command_of(text: str) -> tuple[str, str] | None:
    """``/plan import``, ``plan import`` and ``<@UBOT> plan import`` → ("plan", "import"); else None."""
    text = inbound.command_text(_LEADING_MENTION.sub("", text or ""))
    if not text:
        return None
    return parse_command_line(text if text.startswith("/") else "/" + text)


def trusted_url(url: str, api_base_url: str) -> bool:
    """May the bot token go to this URL? Slack's own hosts over HTTPS, or the host of SLACK_API_BASE_URL."""
    parts, api = urlsplit(url), urlsplit(api_base_url)
    if parts.scheme in ("http", "https") and (parts.scheme, parts.netloc) == (api.scheme, api.netloc):
        return True
    host = (parts.hostname or "").lower()
    return parts.scheme == "https" and any(host == h or host.endswith("." + h) for h in SLACK_FILE_HOSTS)


class FileImports:
    """The ``message`` listener: a file shared with ``/plan import`` becomes the command's attachment."""

    def __init__(
        self, listeners: SlackListeners, *, token: str, api_base_url: str, max_bytes: int = attachments.MAX_BYTES
    ) -> None:
        self.listeners = listeners
        self._token = token
        self.api_base_url = api_base_url
        self.max_bytes = max_bytes

    async def on_message(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        shared = [f for f in event.get("files") or [] if isinstance(f, dict)]
        if not shared or event.get("subtype") not in FILE_SUBTYPES or event.get("bot_id") or not event.get("user"):
            return
        if event["user"] == self.listeners.bot_user_id:
            return
        parsed = command_of(str(event.get("text") or ""))
        if parsed is None or not attachments.wants_file(*parsed):
            return
        if not await self.listeners.first_time(body):  # a retried event: imported once
            return
        workspace = inbound.team_of(body)
        chat = inbound.chat_ref(
            channel_id=str(event["channel"]),
            team_id=workspace,
            thread_ts=event.get("thread_ts"),
            channel_name=_CHANNEL_NAMES.get(str(event.get("channel_type"))),
        )
        user = await self.listeners.user_ref(str(event["user"]))
        origin = Origin(chat, user, workspace)
        try:
            attachment = await self.fetch(shared[attachments.pick([str(f.get("name") or "") for f in shared])])
        except attachments.FileRefused as refused:
            await self.listeners.deliver(_in(chat, [refused.reply]), origin)
            return
        command, args = parsed
        incoming = Incoming(
            chat=chat,
            user=user,
            command=command,
            args=args,
            text=f"/{command} {args}".strip(),
            message_id=event.get("ts"),
            attachments=(attachment,),
        )
        await self.listeners.deliver(_in(chat, await self.listeners.dispatch(incoming)), origin)

    async def fetch(self, file: dict[str, Any]) -> Attachment:
        """The shared file's bytes, capped; :class:`~bot.attachments.FileRefused` says why not."""
        if file.get("file_access") == "check_file_info" or not file.get("url_private_download"):
            file = await self._file_info(file)
        name = str(file.get("name") or file.get("title") or "file")
        if file.get("mode") == "external":
            raise attachments.FileRefused("⚠️ " + _(
                "{name} is a link to another service; upload the CSV file itself. Nothing was imported."
            ).format(name=attachments.shown(name)))
        size = file.get("size")
        if isinstance(size, int) and size > self.max_bytes:
            raise attachments.too_big(name, size, self.max_bytes)
        url = str(file.get("url_private_download") or file.get("url_private") or "")
        if not url or not trusted_url(url, self.api_base_url):
            log.warning("Slack: a shared file has no download URL on a Slack host; not fetched")
            raise attachments.not_downloaded(name)
        return attachments.checked(name, await self._download(url, name), self.max_bytes)

    async def _file_info(self, file: dict[str, Any]) -> dict[str, Any]:
        try:
            response = await self.listeners.messenger.client.files_info(file=str(file.get("id")))
        except SlackApiError as error:
            log.warning("Slack: files.info failed: %s", error.response.get("error"))
            raise attachments.not_downloaded(str(file.get("name") or "file"), _needs_files_read()) from None
        return dict(response.get("file") or {})

    async def _download(self, url: str, name: str) -> bytes:
        headers = {"Authorization": f"Bearer {self._token}"}
        try:
            async with (
                aiohttp.ClientSession(timeout=DOWNLOAD_TIMEOUT) as session,
                session.get(url, headers=headers) as response,
            ):
                if response.status != 200:
                    log.warning("Slack: a file download answered HTTP %s", response.status)
                    raise attachments.not_downloaded(name)
                if response.content_type == "text/html":  # Slack's sign-in page: the token may not read files
                    log.warning("Slack: a file download answered a web page; does the app have files:read?")
                    raise attachments.not_downloaded(name, _needs_files_read())
                if response.content_length is not None and response.content_length > self.max_bytes:
                    raise attachments.too_big(name, response.content_length, self.max_bytes)
                content = bytearray()
                async for chunk in response.content.iter_chunked(64 * 1024):
                    content.extend(chunk)
                    if len(content) > self.max_bytes:
                        raise attachments.too_big(name, len(content), self.max_bytes)
                return bytes(content)
        except (aiohttp.ClientError, TimeoutError) as error:
            log.warning("Slack: a file download failed: %s", type(error).__name__)
            raise attachments.not_downloaded(name) from None


def _needs_files_read() -> str:
    return _("The Slack app needs the files:read scope: update it from deploy/slack-manifest.yml and reinstall it.")


def _in(chat: ChatRef, replies: list[Reply]) -> list[Reply]:
    """In the bot's DM nobody else reads along: answers are ordinary messages (an ephemeral one would vanish
    on reload); in a channel, errors stay visible to the sender only."""
    if chat.chat_id.startswith("D"):
        return [replace(r, ephemeral=False) for r in replies]
    return replies
