"""Link codes on SQLite and PostgreSQL: single use, expiry, hashing, and a chat's own team merging in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from storage.links import (
    LinkOutcome,
    create_link_code,
    hash_code,
    looks_like_code,
    normalize_code,
    redeem_link_code,
    unbind_chat,
)
from storage.models import Activity, ChatBinding, LinkCode, Member
from storage.teams import get_or_create_member, get_or_create_team_for_chat

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def _slack_team(session):
    team = get_or_create_team_for_chat(session, platform="slack", scope_id="T1", name="Slack T1", timezone="UTC")
    admin = get_or_create_member(session, team=team, platform="slack", user_id="U1", display_name="ann")
    return team, admin


def test_a_code_is_stored_only_as_its_hash_and_links_once(any_db):
    with any_db.session() as s:
        team, admin = _slack_team(s)
        code = create_link_code(s, team_id=team.id, created_by=admin.id, now=NOW)
    assert looks_like_code(code) and len(code) == 9 and code[4] == "-"
    with any_db.session() as s:
        row = s.exec(select(LinkCode)).one()
        assert row.code_hash == hash_code(code) and normalize_code(code) not in row.code_hash

    with any_db.session() as s:
        first = redeem_link_code(s, code=code.lower(), platform="telegram", chat_id="-100", title="g", now=NOW)
    with any_db.session() as s:
        again = redeem_link_code(s, code=code, platform="telegram", chat_id="-200", title="h", now=NOW)
        bindings = {(b.platform, b.chat_id): b.team_id for b in s.exec(select(ChatBinding))}

    assert first.outcome is LinkOutcome.LINKED and first.team.id == team.id
    assert again.outcome is LinkOutcome.USED
    assert bindings == {("slack", "T1"): team.id, ("telegram", "-100"): team.id}


def test_an_expired_or_unknown_code_changes_nothing(any_db):
    with any_db.session() as s:
        team, admin = _slack_team(s)
        code = create_link_code(s, team_id=team.id, created_by=admin.id, now=NOW)
    later = NOW + timedelta(minutes=15)
    with any_db.session() as s:
        expired = redeem_link_code(s, code=code, platform="telegram", chat_id="-100", title=None, now=later)
        unknown = redeem_link_code(s, code="ABCD-EFGH", platform="telegram", chat_id="-100", title=None, now=NOW)
    with any_db.session() as s:
        assert s.exec(select(LinkCode)).one().used_at is None
        assert [b.chat_id for b in s.exec(select(ChatBinding))] == ["T1"]
    assert (expired.outcome, unknown.outcome) == (LinkOutcome.EXPIRED, LinkOutcome.UNKNOWN)


def test_a_chat_with_its_own_team_brings_its_activities_and_people_as_advocates(any_db):
    with any_db.session() as s:
        team, admin = _slack_team(s)
        group = get_or_create_team_for_chat(s, platform="telegram", scope_id="-100", name="G", timezone="UTC")
        bob = get_or_create_member(s, team=group, platform="telegram", user_id="7", display_name="bob")
        s.add(Activity(team_id=group.id, kind="talk", title="T", title_key="t", date=NOW.date(), owner_id=bob.id))
        code = create_link_code(s, team_id=team.id, created_by=admin.id, now=NOW, purpose="community")
    with any_db.session() as s:
        result = redeem_link_code(s, code=code, platform="telegram", chat_id="-100", title="G", now=NOW)
    with any_db.session() as s:
        activity = s.exec(select(Activity)).one()
        moved = s.exec(select(Member).where(Member.user_id == "7")).one()
        binding = s.exec(select(ChatBinding).where(ChatBinding.chat_id == "-100")).one()
    assert result.outcome is LinkOutcome.LINKED and result.purpose == "community"
    assert (activity.team_id, activity.owner_id) == (team.id, moved.id)
    assert (moved.team_id, moved.role) == (team.id, "advocate")
    assert (binding.team_id, binding.purpose) == (team.id, "community")


def test_unbinding_only_undoes_a_link_made_with_a_code(any_db):
    with any_db.session() as s:
        team, admin = _slack_team(s)
        code = create_link_code(s, team_id=team.id, created_by=admin.id, now=NOW)
        redeem_link_code(s, code=code, platform="telegram", chat_id="-100", title=None, now=NOW)
    with any_db.session() as s:
        home = unbind_chat(s, platform="slack", chat_id="T1")
        left = unbind_chat(s, platform="telegram", chat_id="-100")
    with any_db.session() as s:
        chats = [b.chat_id for b in s.exec(select(ChatBinding))]
    assert home is None and left.id == team.id
    assert chats == ["T1"]
