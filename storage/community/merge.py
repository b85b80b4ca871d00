"""``/member merge``: two community identities are one person (their Slack and their Telegram self, say).

The second identity, and any merged into it before, point at the first (``merged_into``): every figure counts them
as that one member, with all their interactions, and each identity keeps recording its own new ones. The member's
first and last seen span both.
"""

from __future__ import annotations

from sqlmodel import Session, col, or_, update

from storage.ids import id_of
from storage.models import CommunityMember


def merge_members(session: Session, *, keep: CommunityMember, other: CommunityMember) -> int:
    """Make ``other`` (a member, not a merged identity) count as ``keep``; returns how many identities moved."""
    keep_id, other_id = id_of(keep), id_of(other)
    if keep.merged_into is not None or other.merged_into is not None or keep_id == other_id:
        raise ValueError("merge members, not identities already merged")
    moved = session.exec(
        update(CommunityMember)
        .where(or_(col(CommunityMember.id) == other_id, col(CommunityMember.merged_into) == other_id))
        .values(merged_into=keep_id)
    ).rowcount
    keep.first_seen, keep.last_seen = min(keep.first_seen, other.first_seen), max(keep.last_seen, other.last_seen)
    session.add(keep)
    session.flush()
    session.refresh(other)
    return int(moved or 0)
