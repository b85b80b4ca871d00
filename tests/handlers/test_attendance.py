"""/attended and /attendees import through the router: people at an event are matched to known community members
(by id, Telegram username, e-mail or a unique name) or become new ones, the reply says which, and attending scores 5
on the event's day."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from handlers.core import Attachment
from storage.community.members import note_member
from storage.models import CommunityMember, Interaction
from tests.helpers import incoming, say, team_of, text_of

MEETUP = '/log event "Go meetup" @ Hall 2026-11-20 audience=40'
TIMEPAD = (
    "Имя;Фамилия;E-mail;Telegram;Телефон\n"
    "Carol;Smith;carol@example.com;@carol_tg;+7 900\n"
    "Dave;;dave@example.com;;\n"
    "Erin;;;;+7 901\n"
    "Frank;;not-an-email;;\n"
    "Dave;Again;DAVE@example.com;;\n"
)


def attendance(db) -> dict[str, datetime]:
    """Who attended what: member name → the interaction's time."""
    with db.session() as s:
        rows = s.exec(select(CommunityMember.display_name, Interaction.at, Interaction.subject)
                      .join(Interaction, Interaction.member_id == CommunityMember.id)
                      .where(Interaction.kind == "attendance")).all()
    return {f"{name} {subject}": at for name, at, subject in rows}


def known(db, *, platform: str, user_id: str, name: str) -> None:
    with db.session() as s:
        note_member(s, team_id=team_of(db).id, platform=platform, user_id=user_id, display_name=name,
                    now=datetime(2026, 11, 1, tzinfo=UTC))


def with_file(line: str, content: str, filename: str = "attendees.csv"):
    return replace(incoming(line), attachments=(Attachment(filename=filename, content=content.encode()),))


def test_attended_matches_a_known_name_adds_new_people_and_counts_a_repeat_once(router, db):
    say(router, MEETUP)
    known(db, platform="console", user_id="u-carol", name="carol")
    shown = text_of(say(router, "/attended 1 @carol @dave @carol"))
    assert shown.splitlines() == [
        "✅ 2 attendees of event #1 Go meetup @ Hall, 2026-11-20",
        "• known community members (1): carol (by name)",
        "• new community members (1): dave",
        "• named twice, counted once (1): carol",
    ]
    noon = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    assert attendance(db) == {"carol activity:1": noon, "dave activity:1": noon}
    again = text_of(say(router, "/attended 1 @dave"))
    assert "already marked before (1): dave" in again and len(attendance(db)) == 2
    # 6 days after the event: 5 × 0.5^(6/30) = 4.35 — orbit level 3 (≥ 3).
    profile = text_of(say(router, "/member @dave"))
    assert "orbit level 3 (score 4.4)" in profile and "events attended: 1" in profile


def test_an_event_platforms_export_is_matched_by_telegram_username_and_email_with_a_report(router, db):
    say(router, MEETUP)
    say(router, '/log event "Rust meetup" @ Hall 2026-11-24')
    known(db, platform="telegram", user_id="5005", name="carol_tg")
    shown = text_of(router.dispatch(with_file("/attendees 1 import", TIMEPAD))[0]).splitlines()
    assert shown == [
        "✅ 2 attendees of event #1 Go meetup @ Hall, 2026-11-20",
        "• known community members (1): carol_tg (by Telegram username)",
        "• new community members (1): Dave",
        "• named twice, counted once (1): Dave Again",
        "• skipped (2): line 4: no Telegram username, Slack id or e-mail, line 5: “not-an-email” is not an e-mail "
        "address",
    ]
    eventbrite = "First Name,Last Name,Email,Ticket Type\nDave,,dave@example.com,General\nGina,Lee,gina@x.org,VIP\n"
    shown = text_of(router.dispatch(with_file("/attendees 2 import", eventbrite))[0])
    assert "known community members (1): Dave (by e-mail)" in shown and "new community members (1): Gina Lee" in shown
    with db.session() as s:
        people = {(m.platform, m.user_id, m.display_name) for m in s.exec(select(CommunityMember))}
    assert people == {("telegram", "5005", "carol_tg"), ("email", "dave@example.com", "Dave"),
                      ("email", "gina@x.org", "Gina Lee")}


@pytest.mark.parametrize(("line", "content", "says"), [
    ("/attended 1", None, "Name the people who attended"),
    ("/attended 99 @carol", None, "#99"),
    ("/attendees 1", None, "/attendees <event id> import"),
    ("/attendees 1 import", None, "Attach the attendee list as a CSV file"),
    ("/attendees 1 import", "Name,Phone\nCarol,+7 900\n", "no Telegram username, Slack id or e-mail column"),
    ("/attendees 1 import", "", "The file is empty"),
])
def test_bad_input_is_refused_and_nothing_is_stored(router, db, line, content, says):
    say(router, MEETUP)
    request = incoming(line) if content is None else with_file(line, content)
    (reply,) = router.dispatch(request)
    assert reply.is_error and says in text_of(reply) and "Example" in text_of(reply)
    with db.session() as s:
        assert s.exec(select(CommunityMember)).all() == []


def interactions(db) -> list[tuple[str, str, str]]:
    """Every interaction: (member, kind, subject), sorted."""
    with db.session() as s:
        rows = s.exec(select(CommunityMember.display_name, Interaction.kind, Interaction.subject)
                      .join(Interaction, Interaction.member_id == CommunityMember.id)).all()
    return sorted((name, kind, subject) for name, kind, subject in rows)


def test_speakers_score_the_talk_weight_attend_too_and_count_once_however_often_named(router, db):
    say(router, MEETUP)
    say(router, "/attended 1 @dave")
    shown = text_of(say(router, "/speakers 1 @erin @dave @erin"))
    assert shown.splitlines() == [
        "🎤 2 speakers at event #1 Go meetup @ Hall, 2026-11-20",
        "• known community members (1): dave (by name)",
        "• new community members (1): erin",
        "• named twice, counted once (1): erin",
    ]
    expected = [("dave", "attendance", "activity:1"), ("dave", "speaking", "activity:1"),
                ("erin", "attendance", "activity:1"), ("erin", "speaking", "activity:1")]
    assert interactions(db) == expected
    # Named again — as a speaker, or on the attendee list — nothing is counted twice.
    assert "marked as speakers before, counted once (1): erin" in text_of(say(router, "/speakers 1 @erin"))
    assert "already marked before (1): erin" in text_of(say(router, "/attended 1 @erin"))
    assert interactions(db) == expected
    # 6 days after the event: (10 + 5) × 0.5^(6/30) = 13.06 — orbit level 2 (≥ 8).
    profile = text_of(say(router, "/member @erin"))
    assert "orbit level 2 (score 13.1)" in profile
    assert "events attended: 1" in profile and "talks given at the team's events: 1" in profile
    # The team's own talk weight: (20 + 5) × 0.5^(6/30) = 21.76 — level 1 (≥ 20).
    say(router, "/settings orbit talk=20")
    assert "orbit level 1 (score 21.8)" in text_of(say(router, "/member @erin"))


def test_speakers_show_in_the_community_export(router, db):
    say(router, MEETUP)
    say(router, "/speakers 1 @erin")
    (reply,) = router.dispatch(incoming("/export community"))
    assert reply.document is not None
    header, row = reply.document.content.decode("utf-8-sig").splitlines()[:2]
    columns = dict(zip(header.split(","), row.split(","), strict=True))
    assert (columns["events_attended"], columns["talks"]) == ("1", "1")


@pytest.mark.parametrize(("line", "says"), [
    ("/speakers", "Which activity?"),
    ("/speakers 1", "Name the people who spoke"),
    ("/speakers 99 @carol", "#99"),
    ("/speakers 2 @carol", "#2 is a talk, not one of the team's events"),
    ("/speakers 1 @", "“@” names no one"),
])
def test_speakers_bad_input_is_refused_with_an_example_and_nothing_is_stored(router, db, line, says):
    say(router, MEETUP)
    say(router, '/log talk "Our talk" @ Conf 2026-11-21')
    reply = say(router, line)
    assert reply.is_error and says in text_of(reply) and "/speakers 42 @carol" in text_of(reply)
    assert interactions(db) == []
