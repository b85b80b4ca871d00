"""``devrelbot demo``: a realistic quarter of DevRel work for the local console team.

Everything goes through the router as typed commands, so the demo data obeys the same rules as real input.
"""

from __future__ import annotations

import random
import re
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import col, select

from bot.console import LOCAL_CHAT, local_user
from handlers.core import Incoming
from handlers.markup import to_plain
from handlers.router import Router, parse_command_line
from storage.community.members import InteractionKind, note_vote
from storage.feedback.cards import Mode, create_card
from storage.feedback.scales import Scale
from storage.feedback.survey import HireAnswer, answer_survey, start_survey
from storage.feedback.votes import cast_vote
from storage.models import Activity
from storage.periods import local_today
from storage.teams import activity_count, clear_ledger, team_for_chat

TALKS = ["Scaling Postgres to 10 TB", "Kafka without tears", "Observability on a budget", "Go at classifieds scale",
         "Feature flags in mobile apps"]
CONFERENCES = ["HighLoad++", "PGConf", "DevOops", "GopherCon", "Mobius", "HolyJS", "SmartData"]
OUTLETS = ["Habr", "Medium", "company blog", "YouTube"]
NETWORKS = ["X", "LinkedIn", "Telegram channel"]
TAGS = ["backend", "frontend", "mobile", "devops", "dba", "datascience"]


def demo_commands(today: date, *, weeks: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    start = today - timedelta(weeks=weeks)
    lines: list[str] = []
    for week in range(weeks):
        monday = start + timedelta(weeks=week)

        def day(monday: date = monday) -> str:
            return (monday + timedelta(days=rng.randrange(0, 5))).isoformat()

        def tag() -> str:
            return "#" + rng.choice(TAGS)

        if rng.random() < 0.8:
            audience = rng.randrange(80, 600)
            # Every other week's talk is for hiring; a twentieth of the room answers the vacancy it showed.
            purpose = "hiring" if week % 2 == 0 else "brand"
            lines.append(f'/log talk "{rng.choice(TALKS)}" @ {rng.choice(CONFERENCES)} {day()} audience={audience} '
                         f"contacts={rng.randrange(5, 40)} rating={rng.choice([3.9, 4.2, 4.5, 4.8])} {tag()} "
                         f"target_actions={audience // 20} purpose={purpose}"
                         + (" hires=1" if week % 4 == 0 else ""))
        if week % 3 == 1:
            lines.append(f'/log meetup "Backend meetup #{week // 3 + 1}" @ Office {day()} '
                         f"audience={rng.randrange(40, 120)} stream_views={rng.randrange(300, 3000)} "
                         f"contacts={rng.randrange(15, 60)} "
                         f"cost={rng.randrange(300, 1500)}usd nps={rng.randrange(40, 92)} {tag()}")
        for _ in range(rng.randrange(1, 3)):
            views = rng.randrange(2_000, 40_000)
            lines.append(f'/log article "Engineering notes {week}-{rng.randrange(100)}" @ {rng.choice(OUTLETS)} '
                         f"{day()} views={views} likes={views // rng.randrange(40, 120)} shares={rng.randrange(3, 60)} "
                         f"comments={rng.randrange(0, 80)} subscribers={rng.randrange(0, 200)} {tag()}")
        for _ in range(rng.randrange(1, 4)):
            views = rng.randrange(500, 15_000)
            lines.append(f'/log social "Thread {week}-{rng.randrange(1000)}" @ {rng.choice(NETWORKS)} {day()} '
                         f"views={views} likes={views // rng.randrange(20, 60)} shares={rng.randrange(0, 30)} "
                         f"comments={rng.randrange(0, 20)}")
        if week == weeks // 2:
            lines.append(f'/log booth "Partner booth" @ {rng.choice(CONFERENCES)} {day()} audience=1500 '
                         f"participants={rng.randrange(100, 300)} contacts={rng.randrange(60, 150)} cost=5000usd "
                         "target_actions=240")
    for offset, title in ((5, TALKS[0]), (12, "Backend meetup planning"), (20, TALKS[1])):
        lines.append(f'/log talk "{title}" @ {rng.choice(CONFERENCES)} {(today + timedelta(days=offset)).isoformat()}')
    for week in range(weeks):  # the media plan: two posts due each week, most of them done on time
        for n in range(2):
            due = start + timedelta(weeks=week, days=1 + 2 * n)
            # Tagged like the rest, so a slice (/stats quarter #backend) has a plan to be measured against.
            lines.append(f'/plan add article "Planned post {week}.{n}" due {due.isoformat()} @ {rng.choice(OUTLETS)} '
                         f"#{rng.choice(TAGS)}")
    return lines


def local_activities(router: Router) -> int:
    """How many activities the console's team has (0 before its first command)."""
    with router.db.session() as session:
        team = team_for_chat(session, platform=LOCAL_CHAT.platform, scope_id=LOCAL_CHAT.scope)
        return 0 if team is None or team.id is None else activity_count(session, team_id=team.id)


def clear_local_team(router: Router) -> None:
    """Erase the console team's ledger (see :func:`storage.teams.clear_ledger`) so the demo can replace it."""
    with router.db.session() as session:
        team = team_for_chat(session, platform=LOCAL_CHAT.platform, scope_id=LOCAL_CHAT.scope)
        if team is not None and team.id is not None:
            clear_ledger(session, team_id=team.id)
            session.commit()


def fill_demo(router: Router, *, weeks: int = 13, seed: int = 7) -> int:
    """Log the demo commands as the console user; returns how many were stored."""
    today = local_today(router.clock(), router.default_timezone)
    rng = random.Random(seed)
    stored = 0
    for line in demo_commands(today, weeks=weeks, seed=seed):
        reply_text = _run(router, line)
        stored += 1
        planned = re.search(r"#(\d+) .*, (\d{4}-\d{2}-\d{2})", reply_text) if line.startswith("/plan add") else None
        if planned:
            done_on = plan_outcome(date.fromisoformat(planned.group(2)), today=today, rng=rng)
            if done_on is not None:
                _run(router, f"/plan done {planned.group(1)} {done_on.isoformat()} "
                             f"views={rng.randrange(1_000, 20_000)}")
    add_community_feedback(router, rng=rng)
    # The lead's goals for the quarter, as the README shows them.
    _run(router, "/settings actions=\"vacancy responses\"")
    _run(router, "/goal quarter talks=12 publications=24 reach=500k contacts=300 nps=50 hires=5")
    return stored


def plan_outcome(due: date, *, today: date, rng: random.Random) -> date | None:
    """When a past plan item was done, or None when it never was: most on time (on the due day or the day
    before), some late (two to six days after), some not at all — so plan fulfilment reads like a real plan's,
    never a flat 100%. Items not yet due stay planned."""
    if due >= today:
        return None
    roll = rng.random()
    if roll < 0.6:
        return due - timedelta(days=rng.randrange(0, 2))
    if roll < 0.85:
        return min(due + timedelta(days=rng.randrange(2, 7)), today)
    return None


def add_community_feedback(router: Router, *, rng: random.Random) -> None:
    """Votes from a community on the talks and meetups (as if on feedback cards), and new hires' answers."""
    with router.db.session() as session:
        team = team_for_chat(session, platform=LOCAL_CHAT.platform, scope_id=LOCAL_CHAT.scope)
        assert team is not None and team.id is not None
        done = session.exec(select(Activity).where(Activity.team_id == team.id, Activity.status == "done",
                                                   col(Activity.kind).in_(["talk", "event"]))).all()
        for activity in sorted(done, key=lambda a: (a.date, a.id or 0)):  # the community meets them in order
            assert activity.id is not None  # read from the database
            scale = Scale.NPS if activity.kind == "event" else Scale.RATING
            card = create_card(session, team_id=team.id, activity_id=activity.id, mode=Mode.EMOJI, scale=scale,
                               platform="console", chat_id="community", created_by=None, now=_moment(activity.date))
            for voter in range(rng.randrange(8, 40)):
                score = rng.choice([3, 4, 4, 5, 5, 5]) if scale == Scale.RATING else rng.choice([6, 8, 9, 9, 10, 10])
                cast_at = _moment(activity.date) + timedelta(hours=rng.randrange(1, 72))
                cast_vote(session, card=card, voter=f"console:fan{voter}", score=score, now=cast_at)
                # A public vote makes its voter a community member, as the doors record it.
                note_vote(session, card=card, platform="console", user_id=f"fan{voter}",
                          display_name=f"Fan {voter}", kind=InteractionKind.REACTION, now=cast_at)
        talks = sorted((a for a in done if a.kind == "talk"), key=lambda a: a.date, reverse=True)
        for n, answer in enumerate([HireAnswer.YES, HireAnswer.PARTLY, HireAnswer.NO, HireAnswer.YES,
                                    HireAnswer.PARTLY, HireAnswer.NO, HireAnswer.YES]):
            survey, _new = start_survey(session, team_id=team.id, platform="console", user_id=f"hire{n}",
                                        display_name=f"New hire {n}", asked_by=None, now=router.clock())
            # Those the talks influenced name one: a hire influenced by that talk, in the funnel.
            named = talks[n].id if answer is not HireAnswer.NO and n < len(talks) else None
            answer_survey(session, survey=survey, answer=answer, now=router.clock() - timedelta(days=9 * n),
                          activity_id=named)


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(18), tzinfo=UTC)


def _run(router: Router, line: str) -> str:
    parsed = parse_command_line(line)
    assert parsed is not None
    command, args = parsed
    replies = router.dispatch(
        Incoming(chat=LOCAL_CHAT, user=local_user(), command=command, args=args, text=line, platform_admin=True)
    )
    if not replies or replies[0].is_error:
        raise RuntimeError(f"demo command rejected: {line}: {replies[0].text if replies else ''}")
    return to_plain(replies[0].text)
