"""Commands behind Telegram buttons that do not fit the button (:class:`storage.models.ButtonCommand`), shared
by every replica: the button carries a short token, this table the command. A token is derived from its command,
so sending one button a thousand times keeps one row (its expiry moved on each time)."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, delete, select

from storage.models import ButtonCommand

_TABLE = ButtonCommand.__table__  # type: ignore[attr-defined]
TOKEN_LENGTH = 16  # base64url characters: 96 bits of SHA-256, no collision in any real number of buttons


@dataclass(frozen=True)
class Kept:
    """A stored command and when its buttons stop working."""

    command: str
    expires_at: datetime


def token_for(command: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(command.encode()).digest()).decode()[:TOKEN_LENGTH]


def keep(session: Session, *, commands: Mapping[str, str], expires_at: datetime) -> None:
    """Store ``token → command`` pairs; one stored before works until ``expires_at`` now."""
    if not commands:
        return
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(_TABLE).values(
        [{"token": token, "command": command, "expires_at": expires_at} for token, command in sorted(commands.items())]
    )
    session.execute(statement.on_conflict_do_update(
        index_elements=["token"], set_={"expires_at": statement.excluded.expires_at}))


def find(session: Session, *, token: str) -> Kept | None:
    """The command behind the token, expired or not; None once housekeeping dropped it (or it never was)."""
    row = session.exec(select(ButtonCommand.command, ButtonCommand.expires_at)
                       .where(ButtonCommand.token == token)).first()
    return None if row is None else Kept(command=row[0], expires_at=row[1])


def prune_expired_before(session: Session, *, cutoff: datetime) -> int:
    """Drop commands whose buttons expired before ``cutoff`` (kept a while after expiry so that a late press
    can still say which command to type)."""
    result = session.exec(delete(ButtonCommand).where(col(ButtonCommand.expires_at) < cutoff))
    return int(result.rowcount or 0)
