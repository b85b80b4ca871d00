"""/connect and /disconnect: a Slack team admin gets a code, a Telegram chat admin redeems it."""

from __future__ import annotations

import re
from dataclasses import replace

from sqlmodel import select

from handlers.core import ChatRef, UserRef
from storage.models import Activity, ChatBinding, LinkCode
from tests.helpers import incoming, text_of

SLACK = ChatRef(platform="slack", chat_id="C1", workspace_id="T1")
SLACK_ADMIN = UserRef(platform="slack", user_id="U1", display_name="ann")  # a workspace admin, says Slack
SLACK_ADVOCATE = UserRef(platform="slack", user_id="U2", display_name="ben")
GROUP = ChatRef(platform="telegram", chat_id="-1001")
TG_USER = UserRef(platform="telegram", user_id="42", display_name="tg")


def run(router, line, *, user, chat, chat_admin=False):
    replies = router.dispatch(
        replace(incoming(line, user=user, chat=chat, admin=user == SLACK_ADMIN), chat_admin=chat_admin)
    )
    assert len(replies) == 1, replies
    return replies[0]


def new_code(router) -> str:
    reply = run(router, "/connect telegram", user=SLACK_ADMIN, chat=SLACK)
    assert not reply.is_error and reply.ephemeral
    return re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}", text_of(reply)).group(0)


def bindings(db) -> dict[tuple[str, str], tuple[int, str]]:
    with db.session() as s:
        return {(b.platform, b.chat_id): (b.team_id, b.purpose) for b in s.exec(select(ChatBinding))}


def test_a_telegram_group_admin_links_the_group_to_the_slack_team(router, db):
    code = new_code(router)
    reply = run(router, f"/connect {code}", user=TG_USER, chat=GROUP, chat_admin=True)

    assert not reply.is_error and "now a team chat of" in text_of(reply)
    slack_team = bindings(db)[("slack", "T1")][0]
    assert bindings(db)[("telegram", "-1001")] == (slack_team, "team")
    # one ledger: a talk logged in the group is the Slack team's talk
    run(router, '/log talk "Shared" @ Conf 2026-11-20', user=TG_USER, chat=GROUP)
    with db.session() as s:
        assert s.exec(select(Activity)).one().team_id == slack_team


def test_a_community_code_links_the_group_as_a_community_chat(router, db):
    reply = run(router, "/connect telegram community", user=SLACK_ADMIN, chat=SLACK)
    code = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}", text_of(reply)).group(0)
    run(router, f"/connect {code}", user=TG_USER, chat=GROUP, chat_admin=True)
    assert bindings(db)[("telegram", "-1001")][1] == "community"


def test_only_a_team_admin_gets_a_code(router, db):
    new_code(router)  # ann is a workspace admin
    reply = run(router, "/connect telegram", user=SLACK_ADVOCATE, chat=SLACK)
    assert reply.is_error and "team admin" in text_of(reply)
    with db.session() as s:
        assert len(s.exec(select(LinkCode)).all()) == 1


def test_a_non_admin_of_the_group_cannot_link_it_and_the_code_stays_usable(router, db):
    code = new_code(router)
    refused = run(router, f"/connect {code}", user=TG_USER, chat=GROUP, chat_admin=False)
    assert refused.is_error and "admin of this chat" in text_of(refused)
    assert ("telegram", "-1001") not in bindings(db)  # a refused command leaves nothing, not even a new team
    accepted = run(router, f"/connect {code}", user=TG_USER, chat=GROUP, chat_admin=True)
    assert not accepted.is_error


def test_wrong_reused_and_expired_codes_are_refused_with_a_clear_reason(router, db, clock):
    code = new_code(router)
    wrong = run(router, "/connect ABCD-EFGH", user=TG_USER, chat=GROUP, chat_admin=True)
    run(router, f"/connect {code}", user=TG_USER, chat=GROUP, chat_admin=True)
    other_group = ChatRef(platform="telegram", chat_id="-1002")
    reused = run(router, f"/connect {code}", user=TG_USER, chat=other_group, chat_admin=True)
    late_code = new_code(router)
    clock.advance(minutes=16)
    expired = run(router, f"/connect {late_code}", user=TG_USER, chat=other_group, chat_admin=True)

    assert "not valid" in text_of(wrong) and "already used" in text_of(reused) and "expired" in text_of(expired)
    assert all(r.is_error for r in (wrong, reused, expired))
    assert ("telegram", "-1002") not in bindings(db)  # refused: no binding, not even a team of its own


def test_disconnect_undoes_the_link_and_the_group_is_a_team_of_its_own_again(router, db):
    code = new_code(router)
    run(router, f"/connect {code}", user=TG_USER, chat=GROUP, chat_admin=True)
    refused = run(router, "/disconnect", user=TG_USER, chat=GROUP, chat_admin=False)
    done = run(router, "/disconnect", user=TG_USER, chat=GROUP, chat_admin=True)
    run(router, "/list", user=TG_USER, chat=GROUP)

    assert refused.is_error and not done.is_error and "left" in text_of(done)
    assert bindings(db)[("telegram", "-1001")][0] != bindings(db)[("slack", "T1")][0]
    again = run(router, "/disconnect", user=TG_USER, chat=GROUP, chat_admin=True)
    assert again.is_error and "nothing to undo" in text_of(again)


def test_connect_without_arguments_or_with_nonsense_explains_itself(router):
    empty = run(router, "/connect", user=SLACK_ADMIN, chat=SLACK)
    nonsense = run(router, "/connect discord", user=SLACK_ADMIN, chat=SLACK)
    assert empty.is_error and "/connect telegram" in text_of(empty)
    assert nonsense.is_error and "“discord”" in text_of(nonsense)


def test_a_workspace_admin_links_a_slack_channel_as_a_community_chat_and_unlinks_it(router, db):
    reply = run(router, "/connect slack community", user=SLACK_ADMIN, chat=SLACK)
    assert "In the Slack channel" in text_of(reply)
    code = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}", text_of(reply)).group(0)
    devrel = replace(SLACK, chat_id="C9")
    linked = router.dispatch(replace(incoming(f"/connect {code}", user=SLACK_ADMIN, chat=devrel), chat_admin=True,
                                     chat_title="devrel"))
    assert "now a community chat of" in text_of(linked[0])
    team = bindings(db)[("slack", "T1")]
    assert team[1] == "team"  # the workspace stays the team it was
    assert bindings(db)[("slack", "C9")] == (team[0], "community")  # the channel alone joins, as a community chat
    listed = run(router, "/ask chats", user=SLACK_ADVOCATE, chat=SLACK)
    assert "devrel (Slack C9)" in text_of(listed)

    left = run(router, "/disconnect", user=SLACK_ADMIN, chat=devrel, chat_admin=True)
    assert not left.is_error
    assert ("slack", "C9") not in bindings(db) and bindings(db)[("slack", "T1")] == team


def test_a_slack_channel_cannot_join_as_a_team_chat(router, db):
    run(router, "/help", user=SLACK_ADMIN, chat=SLACK)
    before = bindings(db)
    refused = run(router, "/connect slack team", user=SLACK_ADMIN, chat=SLACK)
    assert refused.is_error and "/connect slack community" in text_of(refused)
    assert bindings(db) == before
    with db.session() as s:
        assert s.exec(select(LinkCode)).all() == []


def test_a_team_code_sent_in_a_slack_channel_is_refused_and_moves_nothing(router, db):
    code = new_code(router)  # /connect telegram: a team chat's code
    before = bindings(db)
    devrel = replace(SLACK, chat_id="C9")
    refused = router.dispatch(replace(incoming(f"/connect {code}", user=SLACK_ADMIN, chat=devrel, admin=True),
                                      chat_admin=True))[0]
    assert refused.is_error and "only as a community chat" in text_of(refused)
    assert "/connect slack community" in text_of(refused)
    assert bindings(db) == before


def test_another_teams_community_code_cannot_link_a_channel_of_this_workspace(router, db):
    run(router, "/help", user=SLACK_ADMIN, chat=SLACK)  # workspace T1 is its own team
    other_chat = ChatRef(platform="slack", chat_id="C7", workspace_id="T2")
    other_admin = UserRef(platform="slack", user_id="U7", display_name="olga")
    made = router.dispatch(incoming("/connect slack community", user=other_admin, chat=other_chat, admin=True))[0]
    code = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}", text_of(made)).group(0)
    before = bindings(db)

    devrel = replace(SLACK, chat_id="C9")
    refused = router.dispatch(replace(incoming(f"/connect {code}", user=SLACK_ADMIN, chat=devrel, admin=True),
                                      chat_admin=True))[0]
    assert refused.is_error and "its channels can only join" in text_of(refused)
    assert bindings(db) == before
