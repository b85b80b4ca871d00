"""Community members through the Telegram door and the fake Bot API: a reaction on a card makes its author a
member; an anonymous poll's answers arrive only as totals and identify no one."""

from __future__ import annotations

from sqlmodel import select

from storage.models import CommunityMember, VoteTally
from tests.bot.test_telegram_feedback import TALK, say
from tests.doors import cards, eventually, votes
from tests.fakes.telegram_api import BOB_ID, message_update, reaction_update, tg_user


def community(db) -> list[tuple[str, str, str]]:
    with db.session() as s:
        return [(m.platform, m.user_id, m.display_name) for m in s.exec(select(CommunityMember))]


def tallies(db) -> int:
    with db.session() as s:
        return sum(t.count for t in s.exec(select(VoteTally)))


async def test_a_reaction_makes_a_member_and_an_anonymous_poll_answer_does_not(telegram_door, fake_telegram, db):
    await say(fake_telegram, TALK)
    await say(fake_telegram, "/feedback 1")
    await eventually(lambda: bool(cards(db)) and cards(db)[0].message_id is not None)
    fake_telegram.push(reaction_update(int(cards(db)[0].message_id), tg_user(BOB_ID, "bob"), [], ["🔥"]))
    await eventually(lambda: votes(db) == {f"telegram:{BOB_ID}": 5})
    (member,) = community(db)
    assert member[:2] == ("telegram", str(BOB_ID))

    fake_telegram.push(message_update("/poll 1"))  # anonymous: Telegram sends only the totals
    await fake_telegram.wait_for("sendPoll")
    await eventually(lambda: len(cards(db)) == 2 and cards(db)[1].poll_id is not None)
    fake_telegram.push({"poll": {
        "id": cards(db)[1].poll_id, "question": "q", "total_voter_count": 3, "is_closed": False,
        "is_anonymous": True, "type": "regular", "allows_multiple_answers": False, "allows_revoting": False,
        "members_only": False,
        "options": [{"text": str(i + 1), "voter_count": n, "persistent_id": f"o{i}"}
                    for i, n in enumerate([0, 0, 1, 0, 2])],
    }})
    await eventually(lambda: tallies(db) == 3)
    assert len(community(db)) == 1
    assert "members: 1 (was 0)" in await say(fake_telegram, "/community")
