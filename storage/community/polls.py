"""Community polls (``/ask``): a question posted in several chats, answered across them, closed once.

Answers merge across chats and platforms: named answers (a Telegram poll that is not anonymous, a Slack button)
are rows of ``community_poll_answer``, one per person and option; an anonymous Telegram poll reports only its
totals, which are kept on its post and replaced by newer ones. A poll's result is the sum of both.

Closing is the outbox life cycle (:mod:`storage.outbox`): the poll row is due at ``closes_at`` and one sweep
claims it. ``/ask close`` closes at once only while no sweep holds the row (:func:`close_now`), so the result is
posted once either way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, func, or_, select, update

from storage.community.members import InteractionKind, note_interaction, withdraw_interaction
from storage.ids import id_of
from storage.models import CommunityPoll, CommunityPollAnswer, CommunityPollPost

POLL_TRACK = "ask:"  # Reply.track of a posted poll: "ask:<post id>"


def poll_subject(poll_id: int) -> str:
    """The interaction subject of an answer to a community poll (one interaction per poll and person)."""
    return f"ask:{poll_id}"


def options_of(poll: CommunityPoll) -> list[str]:
    return list(json.loads(poll.options))


def create_poll(
    session: Session, *, team_id: int, question: str, options: list[str], multiple: bool, anonymous: bool,
    platform: str, chat_id: str, thread_id: str | None, created_by: int | None, now: datetime, closes_at: datetime,
) -> CommunityPoll:
    poll = CommunityPoll(
        team_id=team_id, question=question, options=json.dumps(options, ensure_ascii=False), multiple=multiple,
        anonymous=anonymous, platform=platform, chat_id=chat_id, thread_id=thread_id, created_by=created_by,
        created_at=now, closes_at=closes_at, next_attempt_at=closes_at,
    )
    session.add(poll)
    session.flush()
    return poll


def add_post(session: Session, *, poll: CommunityPoll, platform: str, chat_id: str) -> CommunityPollPost:
    """A copy of the poll about to be sent to a chat; :func:`post_sent` records the message it became."""
    post = CommunityPollPost(poll_id=id_of(poll), platform=platform, chat_id=chat_id)
    session.add(post)
    session.flush()
    return post


def post_sent(session: Session, *, post_id: int, chat_id: str, message_id: str, native_poll_id: str | None) -> None:
    post = session.get(CommunityPollPost, post_id)
    if post is not None:
        post.chat_id, post.message_id, post.native_poll_id = chat_id, message_id, native_poll_id
        session.add(post)
        session.flush()


def posts_of(session: Session, *, poll_id: int) -> list[CommunityPollPost]:
    return list(session.exec(select(CommunityPollPost).where(CommunityPollPost.poll_id == poll_id)
                             .order_by(col(CommunityPollPost.id))))


def post_for_native(session: Session, *, native_poll_id: str) -> CommunityPollPost | None:
    """The copy a native poll's answer or totals belong to (only Telegram has native polls)."""
    return session.exec(select(CommunityPollPost).where(CommunityPollPost.native_poll_id == native_poll_id)).first()


def post_in_chat(session: Session, *, poll_id: int, platform: str, chat_id: str) -> CommunityPollPost | None:
    return session.exec(select(CommunityPollPost).where(
        CommunityPollPost.poll_id == poll_id, CommunityPollPost.platform == platform,
        CommunityPollPost.chat_id == chat_id, col(CommunityPollPost.message_id).is_not(None))).first()


def get_poll(session: Session, *, team_id: int, poll_id: int) -> CommunityPoll | None:
    poll = session.get(CommunityPoll, poll_id)
    return poll if poll is not None and poll.team_id == team_id else None


@dataclass(frozen=True)
class Answerer:
    platform: str
    user_id: str
    display_name: str

    @property
    def voter(self) -> str:
        return f"{self.platform}:{self.user_id}"[:96]


def set_answer(session: Session, *, poll: CommunityPoll, who: Answerer, options: set[int], now: datetime) -> None:
    """The person's choice is now ``options`` (empty: taken back). A public poll makes them a community member
    (one interaction per poll, moved to the latest answer); an anonymous one identifies no one."""
    poll_id = id_of(poll)
    session.execute(delete(CommunityPollAnswer).where(
        col(CommunityPollAnswer.poll_id) == poll_id, col(CommunityPollAnswer.voter) == who.voter))
    for option in sorted(options):
        session.add(CommunityPollAnswer(poll_id=poll_id, voter=who.voter, option=option, cast_at=now))
    session.flush()
    if poll.anonymous:
        return
    if options:
        note_interaction(session, team_id=poll.team_id, platform=who.platform, user_id=who.user_id,
                         display_name=who.display_name, kind=InteractionKind.POLL_ANSWER,
                         subject=poll_subject(poll_id), activity_id=None, now=now)
    else:
        withdraw_interaction(session, team_id=poll.team_id, platform=who.platform, user_id=who.user_id,
                             kind=InteractionKind.POLL_ANSWER, subject=poll_subject(poll_id))


def answer_of(session: Session, *, poll_id: int, voter: str) -> set[int]:
    return set(session.exec(select(CommunityPollAnswer.option).where(
        CommunityPollAnswer.poll_id == poll_id, CommunityPollAnswer.voter == voter)).all())


def set_counts(session: Session, *, post: CommunityPollPost, counts: tuple[int, ...], voters: int) -> None:
    """An anonymous native poll's newest totals replace the older ones (a repeated update counts once)."""
    post.counts = json.dumps(list(counts))
    post.voters = voters
    session.add(post)
    session.flush()


@dataclass(frozen=True)
class PollResult:
    poll_id: int
    question: str
    options: tuple[str, ...]
    counts: tuple[int, ...]  # per option, over every chat and platform
    voters: int  # people who answered (on a poll with several answers, fewer than the answers)
    multiple: bool
    anonymous: bool
    closed: bool
    chats: int


def result_of(session: Session, *, poll: CommunityPoll) -> PollResult:
    poll_id = id_of(poll)
    options = options_of(poll)
    counts = [0] * len(options)
    for option, n in session.exec(
        select(CommunityPollAnswer.option, func.count()).where(CommunityPollAnswer.poll_id == poll_id)
        .group_by(col(CommunityPollAnswer.option))
    ).all():
        if 0 <= option < len(counts):
            counts[option] += int(n)
    voters = int(session.exec(select(func.count(func.distinct(CommunityPollAnswer.voter)))
                              .where(CommunityPollAnswer.poll_id == poll_id)).one())
    posts = posts_of(session, poll_id=poll_id)
    for post in posts:
        if post.counts:
            for i, n in enumerate(json.loads(post.counts)[: len(counts)]):
                counts[i] += int(n)
            voters += post.voters
    return PollResult(
        poll_id=poll_id, question=poll.question, options=tuple(options), counts=tuple(counts), voters=voters,
        multiple=poll.multiple, anonymous=poll.anonymous, closed=poll.closed_at is not None,
        chats=sum(1 for p in posts if p.message_id is not None),
    )


def mark_closed(session: Session, *, poll: CommunityPoll, now: datetime) -> None:
    """Answers stop counting from now (a no-op on a poll already closed)."""
    if poll.closed_at is None:
        poll.closed_at = now
        session.add(poll)
        session.flush()


def close_now(session: Session, *, poll: CommunityPoll, now: datetime) -> bool:
    """Close the poll at once, taking its closing away from the sweep: only while no sweep holds it and it was
    not closed yet (one conditional UPDATE, so a sweep and ``/ask close`` never both post the result). False:
    it is closed already, or a sweep is closing it right now."""
    poll_id = id_of(poll)
    won = session.exec(
        update(CommunityPoll)
        .where(col(CommunityPoll.id) == poll_id, col(CommunityPoll.sent_at).is_(None),
               col(CommunityPoll.cancelled_at).is_(None),
               or_(col(CommunityPoll.claim_expires_at).is_(None), col(CommunityPoll.claim_expires_at) < now))
        .values(cancelled_at=now, claimed_by=None, claim_expires_at=None, last_error="closed by /ask close",
                closed_at=func.coalesce(col(CommunityPoll.closed_at), now))
    ).rowcount
    session.refresh(poll)
    return bool(won)


def closing_state(poll: CommunityPoll) -> str:
    """"open", "closing" (a sweep holds it) or "closed"."""
    if poll.sent_at is not None or poll.cancelled_at is not None:
        return "closed"
    if poll.claimed_by is not None or poll.closed_at is not None:
        return "closing"
    return "open"


def closed_between(session: Session, *, team_id: int, start: datetime, end: datetime) -> list[CommunityPoll]:
    """The team's polls that closed in ``[start, end)`` (the digest's poll results of the week)."""
    return list(session.exec(select(CommunityPoll).where(
        CommunityPoll.team_id == team_id, col(CommunityPoll.closed_at) >= start, col(CommunityPoll.closed_at) < end)
        .order_by(col(CommunityPoll.closed_at), col(CommunityPoll.id))))


def forget_voter(session: Session, *, voter: str, anonymous_as: str) -> int:
    """``/forget me``: the person's answers stay as counts under a key that names no one."""
    return int(session.exec(update(CommunityPollAnswer).where(col(CommunityPollAnswer.voter) == voter)
                            .values(voter=anonymous_as)).rowcount or 0)
