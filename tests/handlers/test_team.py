"""Membership comes only from a person's own action: a private chat works in the team(s) the person joined,
and with several the bot asks which."""

from __future__ import annotations

from sqlmodel import select

from handlers.core import ChatRef, UserRef
from storage.models import Activity, Member
from tests.helpers import incoming, say, text_of

GROUP_A = ChatRef(platform="telegram", chat_id="-100111")
GROUP_B = ChatRef(platform="telegram", chat_id="-100222")
ANN = UserRef(platform="telegram", user_id="5001", display_name="ann")
HIRE = UserRef(platform="telegram", user_id="4004", display_name="newbie")


def private(user: UserRef) -> ChatRef:
    return ChatRef(platform="telegram", chat_id=user.user_id, is_private=True)


def team_of_activity(db, activity_id: int) -> int:
    with db.session() as s:
        return s.exec(select(Activity).where(Activity.id == activity_id)).one().team_id


def test_a_survey_joins_no_one_and_the_surveyed_private_chat_stays_theirs(router, db):
    say(router, '/log talk "A talk" @ Conf 2026-11-20', user=ANN, chat=GROUP_A)
    asked = router.dispatch(incoming("/survey hire 4004", user=ANN, chat=GROUP_A))
    assert not any(r.is_error for r in asked)

    logged = say(router, '/log talk "Mine" @ Elsewhere 2026-11-21', user=HIRE, chat=private(HIRE))
    listed = say(router, "/list all", user=ANN, chat=GROUP_A)

    assert not logged.is_error
    assert "Mine" not in text_of(listed)
    assert team_of_activity(db, 2) != team_of_activity(db, 1)
    with db.session() as s:
        ann_team = team_of_activity(db, 1)
        assert s.exec(select(Member).where(Member.team_id == ann_team, Member.user_id == "4004")).first() is None


def test_a_mention_joins_no_one(router, db):
    say(router, '/log talk "A talk" @ Conf 2026-11-20', user=ANN, chat=GROUP_A)
    say(router, '/list @newbie', user=ANN, chat=GROUP_A)
    with db.session() as s:
        assert [m.user_id for m in s.exec(select(Member))] == ["5001"]


def test_a_private_chat_of_someone_in_one_team_works_in_that_team(router, db):
    say(router, "/help", user=ANN, chat=GROUP_A)
    say(router, '/log talk "From my DM" @ Conf 2026-11-20', user=ANN, chat=private(ANN))
    listed = say(router, "/list all", user=ANN, chat=GROUP_A)
    assert "From my DM" in text_of(listed)


def test_with_several_teams_the_bot_asks_which_and_remembers_the_choice(router, db):
    say(router, "/help", user=ANN, chat=GROUP_A)
    say(router, "/help", user=ANN, chat=GROUP_B)

    asked = say(router, '/log talk "Where?" @ Conf 2026-11-20', user=ANN, chat=private(ANN))
    assert [b.command for b in asked.buttons] == ["/team 1", "/team 2"]
    assert "several teams" in text_of(asked)
    with db.session() as s:
        assert s.exec(select(Activity)).all() == []

    chosen = say(router, asked.buttons[1].command, user=ANN, chat=private(ANN))
    assert not chosen.is_error and "now works in" in text_of(chosen)
    say(router, '/log talk "Here" @ Conf 2026-11-20', user=ANN, chat=private(ANN))
    assert "Here" in text_of(say(router, "/list all", user=ANN, chat=GROUP_B))
    assert "Here" not in text_of(say(router, "/list all", user=ANN, chat=GROUP_A))


def test_team_refuses_a_team_that_is_not_yours_and_switching_in_a_group(router, db):
    say(router, "/help", user=ANN, chat=GROUP_A)
    say(router, "/help", user=HIRE, chat=GROUP_B)
    say(router, "/help", user=ANN, chat=GROUP_B)

    not_mine = say(router, "/team 99", user=ANN, chat=private(ANN))
    in_group = say(router, "/team 1", user=ANN, chat=GROUP_B)

    assert not_mine.buttons and "several teams" in text_of(not_mine)
    assert in_group.is_error and "private chat" in text_of(in_group)
