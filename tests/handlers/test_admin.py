"""Admins come from the platform plus explicit grants; nobody becomes an admin by being first."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

from sqlmodel import select

from handlers.core import ChatRef, UserRef
from storage.links import bind_chat
from storage.models import Member, Team
from tests.helpers import BOB, say, text_of

CAROL = UserRef(platform="console", user_id="u-carol", display_name="carol")
COMMUNITY = ChatRef(platform="telegram", chat_id="-100500")


def team_timezone(db) -> str:
    with db.session() as s:
        return s.exec(select(Team)).one().timezone


def test_the_first_person_in_a_new_team_is_not_an_admin(router, db):
    first = say(router, "/settings timezone=Europe/Berlin", user=BOB)
    listed = say(router, "/admin", user=BOB)

    assert first.is_error and "admin" in text_of(first)
    assert team_timezone(db) == "UTC"
    assert "You are not an admin here." in text_of(listed)
    with db.session() as s:
        assert [m.role for m in s.exec(select(Member))] == ["advocate"]


def test_a_platform_admin_is_an_admin_without_any_role_stored(router, db):
    changed = say(router, "/settings timezone=Europe/Berlin", user=BOB, admin=True)
    assert not changed.is_error and team_timezone(db) == "Europe/Berlin"
    with db.session() as s:
        assert s.exec(select(Member)).one().role == "advocate"


def test_an_admin_grants_and_revokes_the_role(router, db):
    say(router, "/help", user=BOB)
    granted = say(router, "/admin grant @bob")
    bob_changes = say(router, "/settings timezone=Europe/Berlin", user=BOB)
    listed = say(router, "/admin list", user=CAROL)
    revoked = say(router, "/admin revoke bob")
    refused = say(router, "/settings timezone=Asia/Tokyo", user=BOB)

    assert not granted.is_error and "bob is now an admin" in text_of(granted)
    assert not bob_changes.is_error
    assert "• bob" in text_of(listed) and "You are not an admin here." in text_of(listed)
    assert not revoked.is_error and refused.is_error
    assert team_timezone(db) == "Europe/Berlin"


def test_grant_and_revoke_explain_what_is_wrong(router, db):
    say(router, "/help", user=BOB)
    by_member = say(router, "/admin grant @bob", user=BOB)
    unknown = say(router, "/admin grant @zed")
    not_granted = say(router, "/admin revoke @bob")
    nonsense = say(router, "/admin promote @bob")

    assert by_member.is_error and "Only a team admin" in text_of(by_member)
    assert unknown.is_error and "“@zed”" in text_of(unknown) and "Example:" in text_of(unknown)
    assert not_granted.is_error and "nothing to revoke" in text_of(not_granted)
    assert nonsense.is_error and "/admin grant @alice" in text_of(nonsense)
    with db.session() as s:
        assert {m.role for m in s.exec(select(Member))} == {"advocate"}


def test_an_admin_of_a_community_chat_is_not_a_team_admin(router, db):
    say(router, "/help")
    with db.session() as s:
        team = s.exec(select(Team)).one()
        bind_chat(s, platform="telegram", chat_id=COMMUNITY.chat_id, team_id=team.id, purpose="community", title=None)
    group_admin = UserRef(platform="telegram", user_id="777", display_name="mod")
    refused = say(router, "/settings timezone=Europe/Berlin", user=group_admin, chat=COMMUNITY, admin=True)
    assert refused.is_error and team_timezone(db) == "UTC"


def test_help_admin_says_who_is_an_admin_and_how_to_change_it(router):
    text = text_of(say(router, "/help admin", user=BOB))
    for words in ("Slack workspace admins", "Telegram", "console", "first", "/admin grant", "devrelbot admin"):
        assert words in text, words


def test_two_first_commands_at_once_make_neither_an_admin(router, db):
    start = threading.Barrier(2)
    replies = {}

    def first(user: UserRef) -> None:
        start.wait()
        replies[user.user_id] = say(router, "/settings timezone=Europe/Berlin", user=user)

    threads = [threading.Thread(target=first, args=(u,)) for u in (BOB, CAROL)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)

    assert all(r.is_error for r in replies.values()) and len(replies) == 2
    with db.session() as s:  # a refusal keeps nothing, so there may be no team yet; none was changed
        assert {t.timezone for t in s.exec(select(Team))} <= {"UTC"}
    with db.session() as s:
        assert "admin" not in {m.role for m in s.exec(select(Member))}


def test_the_cli_grants_lists_and_revokes(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "LOG_LEVEL": "WARNING"}

    def devrelbot(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True,
                              text=True, cwd=tmp_path, env=env, timeout=60, check=False)

    devrelbot("console", stdin="/help\n")  # the local user joins the local team
    import getpass

    me = getpass.getuser()
    listed_before = devrelbot("admin", "list", "--team", "Local team")
    granted = devrelbot("admin", "grant", me, "--team", "Local team")
    listed = devrelbot("admin", "list")
    revoked = devrelbot("admin", "revoke", me)
    unknown = devrelbot("admin", "grant", "nobody-here")

    assert "Granted admins of Local team: nobody." in listed_before.stderr
    assert granted.returncode == 0 and "is now an admin of Local team" in granted.stderr
    assert me in listed.stderr
    assert revoked.returncode == 0 and "is no longer a granted admin" in revoked.stderr
    assert unknown.returncode == 2 and "'nobody-here'" in unknown.stderr
