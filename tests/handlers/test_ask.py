"""/ask through the router: a question becomes a poll in this chat or in every community chat, answers from
native polls and buttons merge across chats, public answers make community members and anonymous ones only count,
/ask close posts the result once, and bad input changes nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlmodel import func, select

from handlers.core import ChatRef, PollAnswer, PollResults, UserRef
from storage.models import CommunityMember, CommunityPoll, CommunityPollAnswer, CommunityPollPost, Interaction
from tests.handlers.feedback_support import GROUP, person, posted
from tests.helpers import BOB, TEAM_CHAT, incoming, say, text_of

GROUP_2 = ChatRef(platform="telegram", chat_id="-100888")
QUESTION = '/ask "What should the next meetup be about?" Kubernetes | Rust | Postgres'


def link_community(router, chat: ChatRef) -> None:
    code = text_of(say(router, "/connect telegram community")).split("Link code: ")[1].split()[0]
    admin = UserRef(platform="telegram", user_id=f"admin{chat.chat_id}", display_name="tg-admin")
    (linked,) = router.dispatch(replace(incoming(f"/connect {code}", user=admin, chat=chat), chat_admin=True))
    assert "community chat" in text_of(linked)


def rows(db, model) -> int:
    with db.session() as s:
        return int(s.exec(select(func.count()).select_from(model)).one())


def members(db) -> set[str]:
    with db.session() as s:
        return {m.display_name for m in s.exec(select(CommunityMember))}


def test_a_question_here_is_a_poll_with_its_options_that_closes_in_a_week_by_default(router, db, clock):
    poll, note = router.dispatch(incoming(QUESTION))
    assert poll.poll is not None and poll.to is None and poll.track == "ask:1"
    assert poll.poll.question == "What should the next meetup be about?"
    assert poll.poll.options == ("Kubernetes", "Rust", "Postgres")
    assert poll.poll.anonymous and not poll.poll.multiple and poll.poll.choice_command == "/ask answer 1"
    assert "Poll #1 asked here (anonymous); it closes 2026-12-03 12:00" in text_of(note) and note.ephemeral
    with db.session() as s:
        stored = s.exec(select(CommunityPoll)).one()
    assert stored.closes_at == clock.now + timedelta(days=7) == stored.next_attempt_at


def test_options_after_the_last_choice_multi_public_and_closes(router, db, clock):
    poll, _note = router.dispatch(incoming("/ask Which day suits you? Tue | Wed | Thu multi public closes 12h"))
    assert poll.poll is not None and poll.poll.options == ("Tue", "Wed", "Thu")
    assert poll.poll.multiple and not poll.poll.anonymous
    with db.session() as s:
        assert s.exec(select(CommunityPoll)).one().closes_at == clock.now + timedelta(hours=12)


@pytest.mark.parametrize(("line", "says"), [
    ("/ask", "Write the question in quotes"),
    ('/ask "Only one?" Yes', "at least two options"),
    ('/ask "Empty?" A || B', "An option is empty"),
    ('/ask "Twice?" Rust | rust', "“Rust” is there twice"),
    ('/ask "Unclosed? A | B', "closing quote is missing"),
    ("/ask No question mark A | B", "end it with “?”"),
    ('/ask "Too long?" A | B closes 2y', "“closes” takes how long the poll runs"),
    ('/ask "Too long?" A | B closes 45d', "A poll runs from 5 minutes to 30 days"),
    ('/ask "Eleven?" ' + " | ".join(str(i) for i in range(11)), "at most 10 options"),
    ('/ask "Where?" A | B everywhere', "No community chats are linked yet"),
    ("/ask results 9", "There is no poll #9"),
    ("/ask close x", "Example"),
])
def test_bad_input_is_refused_with_an_example_and_nothing_is_stored(router, db, line, says):
    reply = say(router, line)
    assert reply.is_error and says in text_of(reply) and "Example" in text_of(reply)
    assert rows(db, CommunityPoll) == 0


def test_everywhere_posts_in_each_community_chat_and_merges_named_answers_from_both(router, db):
    link_community(router, GROUP)
    link_community(router, GROUP_2)
    first, second, note = router.dispatch(incoming(QUESTION + " public everywhere"))
    assert (first.to, second.to) == (GROUP, GROUP_2) and first.poll == second.poll
    assert "asked in 2 community chats" in text_of(note)
    posted(router, first, chat=GROUP, message_id="10", poll_id="p-1")
    posted(router, second, chat=GROUP_2, message_id="20", poll_id="p-2")

    carol, dave, erin = (person(n, platform="telegram") for n in ("carol", "dave", "erin"))
    router.handle_event(PollAnswer(poll_id="p-1", user=carol, option_ids=(0,)))
    router.handle_event(PollAnswer(poll_id="p-2", user=dave, option_ids=(2,)))
    router.handle_event(PollAnswer(poll_id="p-2", user=erin, option_ids=(1,)))
    router.handle_event(PollAnswer(poll_id="p-2", user=erin, option_ids=(0,)))  # changed her mind
    router.handle_event(PollResults(poll_id="p-1", voter_counts=(5, 5, 5), is_closed=False))  # named: not added
    # A button answer in a chat the poll is in counts too; in a chat it is not in, it is refused.
    frank = replace(person("frank", platform="telegram"))
    assert "Your answer: Rust" in text_of(say(router, "/ask answer 1 rust", user=frank, chat=GROUP))
    assert say(router, "/ask answer 1 Rust", user=frank).is_error

    shown = text_of(say(router, "/ask results 1")).splitlines()
    assert shown == [
        "📊 Poll #1 so far: What should the next meetup be about?",
        "• Kubernetes — 2 (50%)",
        "• Rust — 1 (25%)",
        "• Postgres — 1 (25%)",
        "4 people answered · in 2 chats",
    ]
    assert members(db) == {"carol", "dave", "erin", "frank"}
    assert rows(db, Interaction) == 4  # one per person and poll, however often they changed their answer
    router.handle_event(PollAnswer(poll_id="p-2", user=dave, option_ids=()))  # taken back
    assert rows(db, Interaction) == 3 and "3 people answered" in text_of(say(router, "/ask results 1"))


def test_an_anonymous_poll_takes_the_platforms_totals_and_button_answers_and_names_no_one(router, db):
    link_community(router, GROUP)
    link_community(router, GROUP_2)
    first, second, _note = router.dispatch(incoming(QUESTION + " everywhere"))
    posted(router, first, chat=GROUP, message_id="10", poll_id="p-1")
    posted(router, second, chat=GROUP_2, message_id="20")  # a chat answering with buttons
    router.handle_event(PollResults(poll_id="p-1", voter_counts=(2, 0, 1), is_closed=False, voters=3))
    router.handle_event(PollResults(poll_id="p-1", voter_counts=(3, 0, 1), is_closed=False, voters=4))  # newer
    say(router, "/ask answer 1 Postgres", user=person("gina", platform="telegram"), chat=GROUP_2)
    assert "Kubernetes — 3 (60%)" in text_of(say(router, "/ask results 1"))
    assert "Postgres — 2 (40%)" in text_of(say(router, "/ask results 1"))
    assert members(db) == set() and rows(db, Interaction) == 0


def test_a_multi_poll_button_click_toggles_an_option(router, db):
    poll, _note = router.dispatch(incoming('/ask "Which days?" Tue | Wed | Thu multi'))
    posted(router, poll, message_id="m-7")
    say(router, "/ask answer 1 Tue", user=BOB)
    assert "Your answers: Tue, Thu" in text_of(say(router, "/ask answer 1 Thu", user=BOB))
    assert "Your answers: Thu" in text_of(say(router, "/ask answer 1 Tue", user=BOB))
    assert "not an option" in text_of(say(router, "/ask answer 1 Fri", user=BOB))
    shown = text_of(say(router, "/ask results 1"))
    assert "Thu — 1 (100%)" in shown and "several answers each" in shown


def test_ask_close_posts_the_result_where_it_was_asked_stops_the_copies_and_only_once(router, db):
    link_community(router, GROUP)
    poll, _note = router.dispatch(incoming(QUESTION + " public everywhere"))
    posted(router, poll, chat=GROUP, message_id="10", poll_id="p-1")
    router.handle_event(PollAnswer(poll_id="p-1", user=person("carol", platform="telegram"), option_ids=(1,)))
    assert say(router, "/ask close 1", user=BOB, admin=False).is_error  # bob neither asked nor administers

    result = say(router, "/ask close 1")
    assert result.to is None and "Poll #1 is closed" in text_of(result) and "Rust — 1 (100%)" in text_of(result)
    assert [(m.chat, m.message_id, m.poll_id) for m in result.stop_polls] == [(GROUP, "10", "p-1")]
    router.handle_event(PollAnswer(poll_id="p-1", user=person("dave", platform="telegram"), option_ids=(0,)))
    assert "1 person answered" in text_of(say(router, "/ask results 1"))  # too late
    assert "closed already" in text_of(say(router, "/ask close 1"))
    with db.session() as s:
        stored = s.exec(select(CommunityPoll)).one()
    assert stored.cancelled_at is not None and stored.sent_at is None  # the sweep will not close it again


def test_forget_me_keeps_poll_answers_as_counts(router, db):
    poll, _note = router.dispatch(incoming(QUESTION + " public"))
    posted(router, poll, message_id="m-1")
    say(router, "/ask answer 1 Rust", user=BOB)
    assert "bob" in members(db)
    private = ChatRef(platform="console", chat_id=BOB.user_id, is_private=True)
    say(router, "/forget me", user=BOB, chat=private)
    with db.session() as s:
        (answer,) = s.exec(select(CommunityPollAnswer)).all()
    assert answer.voter.startswith("~") and "bob" not in answer.voter and members(db) == set()
    assert "Rust — 1 (100%)" in text_of(say(router, "/ask results 1"))
    assert rows(db, CommunityPollPost) == 1 and TEAM_CHAT.chat_id == "team-chat"


def link_titled(router, chat: ChatRef, title: str | None) -> None:
    """/connect CODE in a group whose door reports its title."""
    code = text_of(say(router, "/connect telegram community")).split("Link code: ")[1].split()[0]
    admin = UserRef(platform="telegram", user_id=f"admin{chat.chat_id}", display_name="tg-admin")
    request = replace(incoming(f"/connect {code}", user=admin, chat=chat), chat_admin=True, chat_title=title)
    (linked,) = router.dispatch(request)
    assert "community chat" in text_of(linked)


GROUP_3 = ChatRef(platform="telegram", chat_id="-100999")


def test_in_posts_only_in_the_chats_named_by_title_number_or_id_and_here(router, db):
    link_titled(router, GROUP, "Go community")
    link_titled(router, GROUP_2, "DevRel RU")
    link_titled(router, GROUP_3, None)
    listed = say(router, "/ask chats")
    assert text_of(listed).splitlines()[1:4] == [
        "• #2 Go community (Telegram -100777)", "• #3 DevRel RU (Telegram -100888)", "• #4 Telegram -100999"]

    first, second, note = router.dispatch(incoming(QUESTION + " public in @devrel_ru, here closes 2d"))
    assert (first.to, second.to) == (GROUP_2, None) and first.poll == second.poll
    assert first.poll is not None and first.poll.options == ("Kubernetes", "Rust", "Postgres")
    assert "asked in 2 chats (public" in text_of(note)
    with db.session() as s:
        assert sorted((p.platform, p.chat_id) for p in s.exec(select(CommunityPollPost))) == [
            ("console", "team-chat"), ("telegram", "-100888")]

    by_number_and_id = router.dispatch(incoming(QUESTION + " in #4, -100777, #go-community"))
    assert [r.to for r in by_number_and_id[:-1]] == [GROUP_3, GROUP]  # the same chat named twice: posted once


@pytest.mark.parametrize(("line", "says"), [
    (QUESTION + " in #nowhere, @devrel_ru", "“#nowhere”: not a community chat of this team. Its community chats:"),
    (QUESTION + " in #99", "“#99”: not a community chat"),
    (QUESTION + " everywhere in #2", "either “everywhere” or “in”"),
    ('/ask "Where?" Online | Rust in DevRel RU', "put # or @ before its name"),
])
def test_a_chat_that_is_not_one_of_the_teams_community_chats_posts_nothing(router, db, line, says):
    link_titled(router, GROUP, "Go community")
    link_titled(router, GROUP_2, "DevRel RU")
    before = rows(db, CommunityPollPost)
    reply = say(router, line)
    assert reply.is_error and says in text_of(reply), text_of(reply)
    assert "Example" in text_of(reply)
    if "Its community chats" in says:
        assert "• #2 Go community (Telegram -100777)" in text_of(reply)
        assert "• #3 DevRel RU (Telegram -100888)" in text_of(reply)
    assert rows(db, CommunityPoll) == 0 and rows(db, CommunityPollPost) == before == 0


def test_in_followed_by_words_that_name_no_chat_is_the_last_options_own_text(router, db):
    poll, _note = router.dispatch(incoming('/ask "Where do you run Rust?" Nowhere | Rust in production'))
    assert poll.poll is not None and poll.poll.options == ("Nowhere", "Rust in production")
    assert poll.to is None


def test_no_community_chat_linked_yet(router, db):
    assert "No community chats are linked yet" in text_of(say(router, "/ask chats"))
    refused = say(router, QUESTION + " in #devrel")
    assert refused.is_error and "no community chats are linked yet" in text_of(refused)
    assert rows(db, CommunityPoll) == 0


def test_ask_close_is_for_the_asker_or_an_admin_as_the_permission_table_says(router, db):
    carol = person("carol")
    say(router, "/help", user=carol)  # carol is a member of the team too
    for _n in range(2):
        router.dispatch(incoming(QUESTION, user=BOB, admin=False))

    refused = say(router, "/ask close 1", user=carol, admin=False)
    assert refused.is_error
    assert "Only the owner of community poll #1 (bob) or a team admin may close this community poll." in text_of(
        refused)
    with db.session() as s:
        assert all(p.closed_at is None for p in s.exec(select(CommunityPoll)))

    assert "Poll #1 is closed" in text_of(say(router, "/ask close 1", user=BOB, admin=False))  # the asker
    assert "Poll #2 is closed" in text_of(say(router, "/ask close 2"))  # alice administers the team chat
