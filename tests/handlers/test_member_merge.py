"""/member merge: an admin joins a person's Slack or console and Telegram records; the figures, the profile and
/forget me treat them as one person from then on."""

from __future__ import annotations

from sqlmodel import select

from handlers.core import ChatRef
from storage.models import CommunityMember
from tests.handlers.feedback_support import GROUP, TALK, person, posted, react
from tests.handlers.test_ask import link_community
from tests.helpers import BOB, incoming, say, text_of, votes


def test_merged_records_count_as_one_member_and_forget_me_erases_both(router, db):
    say(router, TALK)
    link_community(router, GROUP)
    here, there, _note = router.dispatch(incoming("/feedback 1 everywhere"))
    posted(router, here, message_id="m-1")
    posted(router, there, chat=GROUP, message_id="501")
    carol, carol_tg = person("carol"), person("carol_tg", platform="telegram")
    react(router, "🔥", carol)
    react(router, "👍", carol_tg, chat=GROUP, message_id="501")
    assert "• members: 2" in text_of(say(router, "/community"))

    refused = say(router, "/member merge @carol @carol_tg", user=BOB, admin=False)
    assert refused.is_error and "admin" in text_of(refused)
    assert say(router, "/member merge @carol @carol").is_error
    merged = text_of(say(router, "/member merge @carol @carol_tg"))
    assert merged == "🔗 #2 carol_tg is now counted as #1 carol (console, telegram)."

    shown = text_of(say(router, "/community")).splitlines()
    assert "• members: 1 (was 0)" in shown and shown[-1] == "1. carol — 2.0 (level 4)"
    profile = text_of(say(router, "/member @carol_tg"))  # either record finds the person
    assert "#1 carol" in profile and "platforms: console, telegram" in profile and "score 2.0" in profile
    react(router, "🔥", carol_tg, chat=GROUP, message_id="501")  # the telegram record keeps recording
    assert "1. carol — 2.0 (level 4)" in text_of(say(router, "/community"))

    private = ChatRef(platform="telegram", chat_id=carol_tg.user_id, is_private=True)
    say(router, "/forget me", user=carol_tg, chat=private)
    with db.session() as s:
        assert s.exec(select(CommunityMember)).all() == []
    assert set(votes(db)) == set()  # both records' votes are anonymous counts now
    assert "2 answers" in text_of(say(router, "/show 1"))


def test_export_community_is_for_admins_and_lists_each_person_once(router, db):
    say(router, TALK)
    link_community(router, GROUP)
    here, there, _note = router.dispatch(incoming("/feedback 1 everywhere"))
    posted(router, here, message_id="m-1")
    posted(router, there, chat=GROUP, message_id="501")
    react(router, "🔥", person("carol"))
    react(router, "👍", person("carol_tg", platform="telegram"), chat=GROUP, message_id="501")
    react(router, "👍", person("dave"))
    say(router, "/member merge @carol @carol_tg")

    refused = say(router, "/export community", user=BOB, admin=False)
    assert refused.is_error and "admin" in text_of(refused) and refused.document is None
    exported = say(router, "/export community")
    assert exported.document is not None and exported.ephemeral
    rows = exported.document.content.decode("utf-8-sig").splitlines()
    assert rows == [
        "member,name,platforms,identities,first_seen,last_seen,score,level,reactions,poll_answers,events_attended,"
        "talks",
        "1,carol,console telegram,console:u-carol telegram:u-carol_tg,2026-11-26T12:00:00+00:00,"
        "2026-11-26T12:00:00+00:00,2.00,4,2,0,0,0",
        "3,dave,console,console:u-dave,2026-11-26T12:00:00+00:00,2026-11-26T12:00:00+00:00,1.00,4,1,0,0,0",
    ]
