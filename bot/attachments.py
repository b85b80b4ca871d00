"""Files sent with a command, for the doors: which commands take one, how big it may be, and what a person is
told when a file cannot be taken. No platform SDK here; each door downloads in its own way.

Only commands that read a file make the door download one (``/plan import``, ``/attendees <event> import``): a
document captioned with any other command is not fetched.
"""

from __future__ import annotations

from handlers import markup
from handlers.core import Attachment, Reply
from handlers.i18n import _

MAX_BYTES = 1_000_000  # a plan of a few thousand rows is well under this
# (command, the position of the word "import" among its arguments)
FILE_COMMANDS = frozenset({("plan", 0), ("attendees", 1)})
CSV_SUFFIXES = (".csv", ".txt")


def wants_file(command: str, args: str) -> bool:
    """``/plan import`` and ``/attendees 42 import`` do; ``/plan``, ``/log …`` and the rest do not."""
    words = [w.lower() for w in args.split(maxsplit=2)]
    return any((command.lower(), i) in FILE_COMMANDS for i, word in enumerate(words[:2]) if word == "import")


def pick(names: list[str]) -> int:
    """Of several files sent together, the first that looks like a CSV (else the first): its index."""
    return next((i for i, name in enumerate(names) if name.lower().endswith(CSV_SUFFIXES)), 0)


def megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def shown(filename: str) -> str:
    """A file name as a reply shows it: literal (it is the sender's text) and not endless."""
    return markup.code(filename if len(filename) <= 80 else filename[:79] + "…")


class FileRefused(Exception):
    """A file the door will not hand to the command; ``reply`` says why. Nothing was imported."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.reply = Reply(text, ephemeral=True, is_error=True)


def too_big(filename: str, size: int, max_bytes: int = MAX_BYTES) -> FileRefused:
    return FileRefused("⚠️ " + _("{name} is {size}; files up to {limit} are accepted. Nothing was imported.").format(
        name=shown(filename), size=megabytes(size), limit=megabytes(max_bytes)))


def not_downloaded(filename: str, hint: str = "") -> FileRefused:
    text = "⚠️ " + _("I could not download {name}; nothing was imported. Please send it again.").format(
        name=shown(filename))
    return FileRefused(f"{text} {hint}".strip())


def checked(filename: str, content: bytes, max_bytes: int = MAX_BYTES) -> Attachment:
    """The downloaded bytes as an Attachment, refused if they are bigger than announced and than the cap."""
    if len(content) > max_bytes:
        raise too_big(filename, len(content), max_bytes)
    return Attachment(filename=filename, content=bytes(content))
