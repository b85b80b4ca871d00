"""Closing community polls on time (the claim-and-send sweep of :mod:`jobs.sweep`): a poll whose time came is
claimed by one worker, which closes it (answers stop counting), stops every posted copy — an anonymous Telegram
poll's final totals are kept — and posts the merged result where the poll was asked. ``progress`` remembers that
the copies were stopped, so a retry after a failed post does not stop them again."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from handlers.ask import asked_in, result_text, stoppable
from handlers.core import ChatRef, Messenger, PollResults, Reply, SentMessage
from handlers.i18n import use_locale
from jobs.sweep import Claim, Skip, SweepResult, messenger_for, sweep
from storage.community.polls import mark_closed, post_for_native, posts_of, result_of, set_counts
from storage.db import Database
from storage.models import CommunityPoll, Team
from storage.outbox import DEFAULT_LEASE, OutboxFields

log = logging.getLogger(f"devrelbot.{__name__}")


@dataclass(frozen=True)
class Closing:
    poll_id: int
    locale: str
    asked: ChatRef
    posts: tuple[SentMessage, ...]
    progress: int


@dataclass(frozen=True)
class ClosingPolls:
    db: Database
    messengers: Mapping[str, Messenger]
    model: type[OutboxFields] = CommunityPoll
    name: str = "community poll"

    def prepare(self, session: Session, row_id: int, now: datetime) -> Closing | Skip:
        """In the claim's transaction: answers stop counting now."""
        poll = session.get(CommunityPoll, row_id)
        team = session.get(Team, poll.team_id) if poll is not None else None
        if poll is None or team is None:
            return Skip("poll removed")
        mark_closed(session, poll=poll, now=now)
        return Closing(poll_id=row_id, locale=team.locale, asked=asked_in(poll),
                       posts=stoppable(posts_of(session, poll_id=row_id)), progress=poll.progress)

    async def send(self, job: Closing, claim: Claim) -> None:
        if job.progress < 1:
            for message in job.posts:
                await self._stop(message, job.locale)
            await claim.keep(progress=1)
        text = await asyncio.to_thread(self._result, job)
        await messenger_for(self.messengers, job.asked.platform).send(job.asked, Reply(text))

    async def _stop(self, message: SentMessage, locale: str) -> None:
        """Close one posted copy; one that cannot be closed (the bot left that chat) does not hold the result."""
        messenger = self.messengers.get(message.chat.platform)
        try:
            if messenger is None:
                raise LookupError(f"the {message.chat.platform} door is not running")
            with use_locale(locale):
                final = await messenger.stop_poll(message)
        except Exception as error:
            log.warning("could not close a community poll's copy on %s: %s: %s", message.chat.platform,
                        type(error).__name__, error)
            return
        if final is not None:
            await asyncio.to_thread(self._keep_final, final)

    def _keep_final(self, final: PollResults) -> None:
        with self.db.session() as session:
            post = post_for_native(session, native_poll_id=final.poll_id)
            poll = session.get(CommunityPoll, post.poll_id) if post is not None else None
            if post is not None and poll is not None and poll.anonymous:
                set_counts(session, post=post, counts=final.voter_counts,
                           voters=final.voters if final.voters is not None else sum(final.voter_counts))

    def _result(self, job: Closing) -> str:
        with self.db.reader() as session, use_locale(job.locale):
            poll = session.get(CommunityPoll, job.poll_id)
            assert poll is not None  # claimed a moment ago; polls are never deleted but with their team
            return result_text(result_of(session, poll=poll))


async def sweep_community_polls(
    db: Database, messengers: Mapping[str, Messenger], *, clock: Callable[[], datetime], worker: str,
    batch: int = 20, lease: timedelta = DEFAULT_LEASE,
) -> SweepResult:
    """Close every community poll whose time has come, each once."""
    return await sweep(db, ClosingPolls(db, messengers), clock=clock, worker=worker, batch=batch, lease=lease)
