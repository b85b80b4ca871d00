"""Downloading a document sent with a command (``/plan import`` as the caption of a CSV).

``getFile`` gives a path; PTB fetches it from the Bot API's file URL (``base_file_url``, the token in it:
neither the path nor the URL is ever logged). The size Telegram announces is checked before anything is
fetched, and the bytes again after.
"""

from __future__ import annotations

import logging

from telegram import Bot, Document, Message
from telegram.error import TelegramError

from bot import attachments
from handlers.core import Attachment

log = logging.getLogger(f"devrelbot.{__name__}")

CSV_MIME_TYPES = frozenset({"text/csv", "text/comma-separated-values", "application/csv", "text/plain"})


def document_of(message: Message) -> Document | None:
    """The document sent with the command, or the one the command answers (a reply to someone's CSV)."""
    if message.document is not None:
        return message.document
    replied = message.reply_to_message
    return replied.document if replied is not None else None


def filename_of(document: Document) -> str:
    if document.file_name:
        return document.file_name
    return "plan.csv" if (document.mime_type or "").lower() in CSV_MIME_TYPES else "document"


async def download(bot: Bot, document: Document, *, max_bytes: int = attachments.MAX_BYTES) -> Attachment:
    """The document's bytes, or :class:`~bot.attachments.FileRefused` saying why not."""
    name = filename_of(document)
    if document.file_size is not None and document.file_size > max_bytes:
        raise attachments.too_big(name, document.file_size, max_bytes)
    try:
        file = await bot.get_file(document.file_id)
        if file.file_size is not None and file.file_size > max_bytes:
            raise attachments.too_big(name, file.file_size, max_bytes)
        content = await file.download_as_bytearray()
    except TelegramError as error:  # the message names no URL: PTB's errors carry the API's description
        log.warning("Telegram: could not download a document: %s", type(error).__name__)
        raise attachments.not_downloaded(name) from None
    return attachments.checked(name, bytes(content), max_bytes)
