"""One team across platforms: one-time link codes, and binding a chat to another team.

A team admin asks for a code (``/connect telegram``); an admin of another chat redeems it (``/connect CODE``)
and that chat joins the team. Codes are random, stored only as a SHA-256 hash, valid for 15 minutes, and
claimed with a conditional UPDATE so that two processes cannot both use one.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from storage.domain import Role
from storage.feedback.merge import move_team_feedback
from storage.models import Activity, ChatBinding, LinkCode, Member, Team

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: people copy codes by eye
CODE_LENGTH = 8
CODE_TTL = timedelta(minutes=15)
PURPOSES = ("team", "community")


class LinkOutcome(StrEnum):
    LINKED = "linked"
    ALREADY_LINKED = "already_linked"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    TEAM_CODE_IN_CHANNEL = "team_code_in_channel"  # a Slack channel joins only as a community chat
    OTHER_WORKSPACE_TEAM = "other_workspace_team"  # the channel's workspace belongs to another team


@dataclass(frozen=True)
class LinkResult:
    outcome: LinkOutcome
    team: Team | None = None
    purpose: str | None = None


def normalize_code(raw: str) -> str:
    """``abcd-efgh`` and ``ABCD EFGH`` are the same code as ``ABCDEFGH``."""
    return "".join(ch for ch in raw.upper() if ch not in "- ")


def looks_like_code(raw: str) -> bool:
    code = normalize_code(raw)
    return len(code) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code)


def format_code(code: str) -> str:
    code = normalize_code(code)
    return f"{code[:4]}-{code[4:]}"


def hash_code(code: str) -> str:
    return hashlib.sha256(normalize_code(code).encode()).hexdigest()


def chat_key(*, platform: str, chat_id: str) -> str:
    return f"{platform}:{chat_id}"


def create_link_code(
    session: Session,
    *,
    team_id: int,
    created_by: int | None,
    now: datetime,
    purpose: str = "team",
    ttl: timedelta = CODE_TTL,
) -> str:
    """Store a new code for ``team_id`` and return it in its display form (``ABCD-EFGH``)."""
    if purpose not in PURPOSES:
        raise ValueError(f"purpose must be one of {PURPOSES}")
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    session.add(
        LinkCode(
            code_hash=hash_code(code),
            team_id=team_id,
            purpose=purpose,
            created_by=created_by,
            created_at=now,
            expires_at=now + ttl,
        )
    )
    session.flush()
    return format_code(code)


def redeem_link_code(
    session: Session, *, code: str, platform: str, chat_id: str, title: str | None, now: datetime,
    channel_id: str | None = None,
) -> LinkResult:
    """Join the chat to the code's team. Nothing changes unless the outcome is LINKED. ``channel_id`` is the
    channel the code was sent in when ``chat_id`` is a whole Slack workspace: a community code links that channel
    alone (the workspace stays the team it is), a team code the workspace."""
    row = session.exec(select(LinkCode).where(LinkCode.code_hash == hash_code(code))).first()
    if row is None:
        return LinkResult(LinkOutcome.UNKNOWN)
    team = session.get(Team, row.team_id)
    if row.used_at is not None:
        return LinkResult(LinkOutcome.USED, team=team)
    if row.expires_at <= now:
        return LinkResult(LinkOutcome.EXPIRED, team=team)
    if channel_id:
        # A code sent in a Slack channel never moves the workspace, and a channel serves its workspace's team:
        # feedback answered there is counted for that team, so another team's channel would count for nobody.
        if row.purpose != "community":
            return LinkResult(LinkOutcome.TEAM_CODE_IN_CHANNEL, team=team)
        workspace = _binding(session, platform=platform, chat_id=chat_id)
        if workspace is not None and workspace.team_id != row.team_id:
            return LinkResult(LinkOutcome.OTHER_WORKSPACE_TEAM, team=session.get(Team, workspace.team_id))
        chat_id = channel_id
    binding = _binding(session, platform=platform, chat_id=chat_id)
    if binding is not None and binding.team_id == row.team_id and binding.purpose == row.purpose:
        return LinkResult(LinkOutcome.ALREADY_LINKED, team=team, purpose=row.purpose)
    key = chat_key(platform=platform, chat_id=chat_id)
    claimed = session.exec(
        update(LinkCode)
        .where(col(LinkCode.id) == row.id, col(LinkCode.used_at).is_(None))
        .values(used_at=now, used_by_chat=key)
    )
    if claimed.rowcount != 1:  # another process redeemed it a moment ago
        return LinkResult(LinkOutcome.USED, team=team)
    bind_chat(session, platform=platform, chat_id=chat_id, team_id=row.team_id, purpose=row.purpose, title=title)
    return LinkResult(LinkOutcome.LINKED, team=team, purpose=row.purpose)


def bind_chat(
    session: Session, *, platform: str, chat_id: str, team_id: int, purpose: str, title: str | None
) -> ChatBinding:
    """Point the chat at ``team_id``. A chat that was a team of its own brings its activities and people
    along (members join as advocates: being the first to talk to the bot in a group is no reason to
    become an admin of the whole team)."""
    binding = _binding(session, platform=platform, chat_id=chat_id)
    if binding is None:
        binding = ChatBinding(platform=platform, chat_id=chat_id, team_id=team_id, purpose=purpose, title=title)
        session.add(binding)
        session.flush()
        return binding
    old_team_id = binding.team_id
    binding.team_id, binding.purpose = team_id, purpose
    if title:
        binding.title = title[:200]
    session.add(binding)
    session.flush()
    if old_team_id != team_id and _binding_count(session, team_id=old_team_id) == 0:
        merge_team_into(session, source_team_id=old_team_id, target_team_id=team_id)
    return binding


def merge_team_into(session: Session, *, source_team_id: int, target_team_id: int) -> None:
    """Move members and activities of a chat's own team into the team it joined. The emptied team row is
    kept (other tables may still point at it); it has no chat bound, so nothing reaches it any more."""
    for member in session.exec(select(Member).where(Member.team_id == source_team_id)).all():
        twin = session.exec(
            select(Member).where(
                Member.team_id == target_team_id,
                Member.platform == member.platform,
                Member.user_id == member.user_id,
            )
        ).first()
        if twin is None:
            member.team_id = target_team_id
            if member.role == Role.ADMIN.value:
                member.role = Role.ADVOCATE.value
            session.add(member)
            continue
        for column in ("owner_id", "created_by", "updated_by"):
            session.exec(update(Activity).where(getattr(Activity, column) == member.id).values({column: twin.id}))
        session.delete(member)
    session.flush()
    session.exec(update(Activity).where(col(Activity.team_id) == source_team_id).values(team_id=target_team_id))
    move_team_feedback(session, source_team_id=source_team_id, target_team_id=target_team_id)
    session.flush()


def linked_by_code(session: Session, *, platform: str, chat_id: str) -> ChatBinding | None:
    """The chat's binding, when the chat joined its team with a code (rather than being the team's home)."""
    binding = _binding(session, platform=platform, chat_id=chat_id)
    if binding is None:
        return None
    used = session.exec(
        select(LinkCode).where(
            LinkCode.used_by_chat == chat_key(platform=platform, chat_id=chat_id),
            LinkCode.team_id == binding.team_id,
        )
    ).first()
    return binding if used is not None else None


def unbind_chat(session: Session, *, platform: str, chat_id: str) -> Team | None:
    """Undo a link: the chat leaves the team it joined (and is a team of its own again on its next command).
    Returns the team it left, or None when the chat was not linked with a code."""
    binding = linked_by_code(session, platform=platform, chat_id=chat_id)
    if binding is None:
        return None
    team = session.get(Team, binding.team_id)
    session.delete(binding)
    session.flush()
    return team


def linked_chats(session: Session, *, team_id: int) -> list[ChatBinding]:
    return list(session.exec(select(ChatBinding).where(ChatBinding.team_id == team_id).order_by(col(ChatBinding.id))))


def _binding(session: Session, *, platform: str, chat_id: str) -> ChatBinding | None:
    return session.exec(
        select(ChatBinding).where(ChatBinding.platform == platform, ChatBinding.chat_id == chat_id)
    ).first()


def _binding_count(session: Session, *, team_id: int) -> int:
    return int(
        session.exec(select(func.count()).select_from(ChatBinding).where(ChatBinding.team_id == team_id)).one()
    )
