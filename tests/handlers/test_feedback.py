"""Feedback cards, emoji votes, polls and their results, called as the doors call them: a command, then the
``Posted`` event the door reports for the message it sent, then reactions and answers on that message."""

from __future__ import annotations

from dataclasses import replace

from sqlmodel import select

from handlers.core import (
    ChatRef,
    PollAnswer,
    PollResults,
    Posted,
    ReactionCount,
    ReactionEvent,
    Reply,
    SentMessage,
    UserRef,
)
from handlers.router import Router
from storage.models import FeedbackCard, Vote, VoteTally
from tests.helpers import BOB, TEAM_CHAT, incoming, say, text_of

GROUP = ChatRef(platform="telegram", chat_id="-100777")
TALK = '/log talk "Scaling Postgres" @ HighLoad++ 2026-11-20 audience=300'


def person(name: str, *, platform: str = "console", is_bot: bool = False) -> UserRef:
    return UserRef(platform=platform, user_id=f"u-{name}", display_name=name, is_bot=is_bot)  # type: ignore[arg-type]


def in_group(line: str):
    """A line typed by an admin of the Telegram group."""
    tg_admin = UserRef(platform="telegram", user_id="42", display_name="tg-admin")
    return replace(incoming(line, user=tg_admin, chat=GROUP), chat_admin=True)


def posted(router: Router, reply: Reply, chat: ChatRef = TEAM_CHAT, message_id: str = "m-1",
           poll_id: str | None = None) -> None:
    """What a door does after sending a tracked reply."""
    assert reply.track is not None
    router.handle_event(Posted(track=reply.track, sent=SentMessage(chat=chat, message_id=message_id, poll_id=poll_id)))


def react(router: Router, emoji: str, user: UserRef, *, added: bool = True, chat: ChatRef = TEAM_CHAT,
          message_id: str = "m-1") -> None:
    router.handle_event(ReactionEvent(chat=chat, message_id=message_id, user=user, emoji=emoji, added=added))


def votes(db) -> dict[str, int]:
    with db.session() as s:
        return {v.voter: v.score for v in s.exec(select(Vote))}


def card_on(router: Router, line: str = "/feedback 1") -> Reply:
    say(router, TALK)
    card = say(router, line)
    posted(router, card)
    return card


def test_the_card_names_the_activity_and_the_emoji_to_rate_with(router):
    say(router, TALK + " https://example.com/talk")
    card = say(router, "/feedback 1")
    assert not card.ephemeral and card.to is None and card.track == "card:1"
    assert "Scaling Postgres" in text_of(card) and "Rate it with a reaction: 🔥 👍 😐 👎" in text_of(card)
    assert "https://example.com/talk" in text_of(card)


def test_a_later_reaction_replaces_the_vote_and_removing_it_withdraws_it(router, db):
    card_on(router)
    carol, dave = person("carol"), person("dave")
    react(router, "🔥", carol)
    react(router, "👎", dave)
    assert votes(db) == {"console:u-carol": 5, "console:u-dave": 1}

    react(router, "👍", carol)  # replaces the 🔥
    react(router, "🔥", carol, added=False)  # the 🔥 was already replaced: nothing to withdraw
    assert votes(db) == {"console:u-carol": 4, "console:u-dave": 1}

    react(router, "👎", dave, added=False)
    assert votes(db) == {"console:u-carol": 4}
    assert "community rating: 4.0 of 5 (1 answer) — 👍 4: 1" in text_of(say(router, "/show 1"))


def test_reactions_elsewhere_unknown_emoji_and_bots_are_ignored(router, db):
    card_on(router)
    react(router, "🔥", person("carol"), message_id="m-other")  # not a card
    react(router, "🎉", person("carol"))  # not in the emoji map
    react(router, "🔥", person("helper", is_bot=True))
    router.handle_event(ReactionEvent(chat=TEAM_CHAT, message_id="m-1", user=None, emoji="🔥", added=True))
    assert votes(db) == {}


def test_skin_tones_variation_selectors_and_slack_names_are_the_same_emoji(router, db):
    say(router, TALK)
    changed = say(router, "/settings emoji ❤️=5 :+1:=4 thumbsdown=1")
    assert "feedback emoji: ❤=5 👍=4 👎=1" in text_of(changed)
    posted(router, say(router, "/feedback 1"))

    react(router, "❤", person("carol"))  # no variation selector, as some clients send it
    react(router, "👍🏽", person("dave"))  # a skin tone
    react(router, "+1::skin-tone-4", person("erin", platform="slack"))  # a Slack name (a door normally maps it)
    react(router, "👎️", person("frank"))  # with a text-presentation selector
    assert votes(db) == {"console:u-carol": 5, "console:u-dave": 4, "slack:u-erin": 4, "console:u-frank": 1}

    react(router, "👍🏿", person("dave"), added=False)  # another skin tone is still the same 👍
    assert "console:u-dave" not in votes(db)


def test_any_emoji_in_the_map_merges_slack_names_and_telegram_unicode(router, db):
    say(router, TALK)
    changed = say(router, "/settings emoji :partying_face:=5 🙏=4 man-shrugging=3 flag-fr=1")
    assert "feedback emoji: 🥳=5 🙏=4 🤷\u200d♂=3 🇫🇷=1" in text_of(changed)
    posted(router, say(router, "/feedback 1"))

    react(router, "🥳", person("carol", platform="telegram"))
    react(router, "partying_face", person("erin", platform="slack"))
    react(router, "pray::skin-tone-5", person("dave", platform="slack"))
    react(router, "🤷🏽‍♂️", person("frank", platform="telegram"))
    react(router, "🇫🇷", person("gina", platform="telegram"))
    assert votes(db) == {"telegram:u-carol": 5, "slack:u-erin": 5, "slack:u-dave": 4, "telegram:u-frank": 3,
                         "telegram:u-gina": 1}

    react(router, "🙏🏻", person("dave", platform="slack"), added=False)  # the same 🙏 in another spelling
    assert "slack:u-dave" not in votes(db)


def test_bad_emoji_maps_are_refused_and_only_admins_change_it(router):
    say(router, TALK)
    assert say(router, "/settings emoji 🔥=6").is_error
    assert say(router, "/settings emoji 🔥").is_error
    assert "twice" in text_of(say(router, "/settings emoji 🔥=5 fire=4"))
    refused = say(router, "/settings emoji 🔥=1", user=BOB)
    assert refused.is_error and "admin" in text_of(refused)
    assert "feedback emoji: 🔥=5 👍=4 😐=3 👎=1" in text_of(say(router, "/settings emoji default"))


def test_an_anonymous_count_that_arrives_twice_is_counted_once(router, db):
    card_on(router)
    counts = ReactionCount(chat=TEAM_CHAT, message_id="m-1", counts=(("🔥", 3), ("👍", 1), ("🎉", 9)))
    router.handle_event(counts)
    router.handle_event(counts)
    assert "community rating: 4.8 of 5 (4 answers) — 🔥 5: 3 · 👍 4: 1" in text_of(say(router, "/show 1"))

    router.handle_event(ReactionCount(chat=TEAM_CHAT, message_id="m-1", counts=(("🔥", 2), ("😐", 2))))  # newer
    assert "community rating: 4.0 of 5 (4 answers) — 🔥 5: 2 · 😐 3: 2" in text_of(say(router, "/show 1"))
    with db.session() as s:
        assert len(s.exec(select(VoteTally)).all()) == 2


def test_show_and_stats_say_no_answers_yet_never_zero(router):
    say(router, TALK)
    shown = text_of(say(router, "/show 1"))
    assert "community rating: no answers yet" in shown and "NPS: no answers yet" in shown
    stats = text_of(say(router, "/stats month"))
    assert "community rating: no answers yet (was —)" in stats
    assert "NPS: no answers yet (was —)" in stats
    assert "hiring influence: no answers yet (was —)" in stats


def test_nps_by_hand_from_button_votes(router):
    say(router, TALK)
    poll = say(router, "/poll 1 nps")
    assert poll.poll is not None and poll.poll.options == tuple(str(i) for i in range(11))
    assert poll.poll.choice_command == "/vote 1" and poll.poll.anonymous
    posted(router, poll)
    # 10, 10, 9 are promoters, 8 passive, 6 a detractor: (3 - 1) / 5 = +40.
    for name, score in (("a", 10), ("b", 10), ("c", 9), ("d", 8), ("e", 6)):
        assert "Your answer" in text_of(say(router, f"/vote 1 {score}", user=person(name)))
    assert "NPS: +40 (3 promoters, 1 passives, 1 detractors; 5 answers)" in text_of(say(router, "/show 1"))
    assert "NPS: +40 (3 promoters, 1 passives, 1 detractors; 5 answers) (was —)" in text_of(say(router, "/stats"))


def test_a_new_click_replaces_the_old_and_a_closed_poll_is_final(router, db):
    say(router, TALK)
    posted(router, say(router, "/poll 1"), message_id="m-poll")
    say(router, "/vote 1 2", user=person("carol"))
    say(router, "/vote 1 5", user=person("carol"))
    assert votes(db) == {"console:u-carol": 5}
    assert say(router, "/vote 1 9", user=person("carol")).is_error  # a rating is 1 to 5
    assert say(router, "/vote 1 3", user=person("carol"), chat=GROUP).is_error  # not the poll's chat

    assert say(router, "/poll close 1", user=BOB).is_error  # neither the owner nor an admin
    closed = say(router, "/poll close 1")
    assert closed.stop_polls == (SentMessage(chat=ChatRef(platform="console", chat_id="team-chat"),
                                             message_id="m-poll"),)
    refused = say(router, "/vote 1 1", user=person("carol"))
    assert refused.is_error and "closed" in text_of(refused)
    assert votes(db) == {"console:u-carol": 5}
    assert say(router, "/poll close 1").is_error  # nothing open any more


def test_native_poll_answers_named_and_anonymous(router, db):
    say(router, TALK)
    say(router, "/settings polls=public")
    named = say(router, "/poll 1")
    assert named.poll is not None and not named.poll.anonymous
    posted(router, named, chat=GROUP, message_id="10", poll_id="p-named")
    alice = person("alice", platform="telegram")
    router.handle_event(PollAnswer(poll_id="p-named", user=alice, option_ids=(1,)))  # option 1 is "2"
    router.handle_event(PollAnswer(poll_id="p-named", user=alice, option_ids=(4,)))  # changed to "5"
    router.handle_event(PollAnswer(poll_id="p-named", user=person("bob", platform="telegram"), option_ids=(0,)))
    router.handle_event(PollResults(poll_id="p-named", voter_counts=(1, 0, 0, 0, 1), is_closed=False))  # not added
    router.handle_event(PollAnswer(poll_id="p-named", user=person("bob", platform="telegram"), option_ids=()))
    assert votes(db) == {"telegram:u-alice": 5}

    say(router, "/settings polls=anonymous")
    anonymous = say(router, "/poll 1 nps")
    posted(router, anonymous, chat=GROUP, message_id="11", poll_id="p-anon")
    counts = (0,) * 6 + (1, 0, 2, 1, 3)  # one 6, two 8s, one 9, three 10s
    router.handle_event(PollResults(poll_id="p-anon", voter_counts=counts, is_closed=False))
    router.handle_event(PollResults(poll_id="p-anon", voter_counts=counts, is_closed=False))  # again: once
    shown = text_of(say(router, "/show 1"))
    assert "community rating: 5.0 of 5 (1 answer)" in shown
    assert "NPS: +43 (4 promoters, 2 passives, 1 detractors; 7 answers)" in shown

    say(router, "/poll close 1")
    router.handle_event(PollResults(poll_id="p-anon", voter_counts=(0,) * 10 + (50,), is_closed=False))  # late
    router.handle_event(PollAnswer(poll_id="p-named", user=alice, option_ids=(0,)))  # late
    assert "NPS: +43 (4 promoters, 2 passives, 1 detractors; 7 answers)" in text_of(say(router, "/show 1"))
    assert votes(db) == {"telegram:u-alice": 5}
    # The final result Telegram gives back when the bot stops the poll is taken.
    router.handle_event(PollResults(poll_id="p-anon", voter_counts=counts[:-1] + (4,), is_closed=True))
    assert "NPS: +50 (5 promoters, 2 passives, 1 detractors; 8 answers)" in text_of(say(router, "/show 1"))


def test_feedback_everywhere_posts_in_every_community_chat_and_merges_the_results(router, db):
    say(router, TALK)
    code = text_of(say(router, "/connect telegram community")).split("Link code: ")[1].split()[0]
    redeem = router.dispatch(in_group(f"/connect {code}"))
    assert "community chat" in text_of(redeem[0])

    here, there, note = router.dispatch(incoming("/feedback 1 everywhere"))
    assert here.to is None and there.to == GROUP and there.track != here.track
    assert "Also posted in 1 community chat" in text_of(note) and note.ephemeral
    posted(router, here, message_id="m-1")
    posted(router, there, chat=GROUP, message_id="501")

    react(router, "🔥", person("carol"))
    react(router, "👎", person("tg-dave", platform="telegram"), chat=GROUP, message_id="501")
    react(router, "🔥", person("tg-erin", platform="telegram"), chat=GROUP, message_id="501")
    shown = text_of(say(router, "/show 1"))
    assert "community rating: 3.7 of 5 (3 answers) — 🔥 5: 2 · 👎 1: 1" in shown
    # The Telegram group sees the same merged numbers.
    assert "3.7 of 5 (3 answers)" in text_of(router.dispatch(in_group("/stats"))[0])
    with db.session() as s:
        assert {(c.platform, c.chat_id, c.message_id) for c in s.exec(select(FeedbackCard))} == {
            ("console", "team-chat", "m-1"), ("telegram", "-100777", "501")}


def test_feedback_everywhere_without_community_chats_says_how_to_link_one(router):
    say(router, TALK)
    card, note = router.dispatch(incoming("/feedback 1 everywhere"))
    assert card.track and "/connect telegram community" in text_of(note)
    assert say(router, "/feedback 1 somewhere").is_error
    assert say(router, "/feedback 99").is_error


def test_a_redelivered_reaction_counts_once_and_a_failed_one_is_not_marked_as_handled(router, db, monkeypatch):
    """``once=(platform, delivery id)`` is recorded in the transaction that applies the reaction: a repeat of
    the id changes nothing (here: it would bring a withdrawn vote back), and a delivery whose handling failed
    is rolled back with its mark, so its redelivery still counts."""
    card_on(router)
    carol = person("carol")

    def event(emoji: str, *, added: bool = True) -> ReactionEvent:
        return ReactionEvent(chat=TEAM_CHAT, message_id="m-1", user=carol, emoji=emoji, added=added)

    router.handle_event(event("🔥"), once=("console", "ev-1"))
    router.handle_event(event("🔥", added=False), once=("console", "ev-2"))
    router.handle_event(event("🔥"), once=("console", "ev-1"))  # ev-1 again, after it was withdrawn
    assert votes(db) == {}

    import handlers.feedback as feedback

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away mid-vote")

    with monkeypatch.context() as patch:
        patch.setattr(feedback, "cast_vote", broken)
        assert router.handle_event(event("👍"), once=("console", "ev-3")) == []  # logged, not raised
    assert votes(db) == {}
    router.handle_event(event("👍"), once=("console", "ev-3"))  # the redelivery is not taken for a repeat
    assert votes(db) == {"console:u-carol": 4}


def test_one_delivery_with_several_reactions_is_one_transaction_deduplicated_as_a_whole(router, db):
    """A Telegram update that replaces 👍 by 😐 is two events; both apply, and its redelivery applies neither."""
    card_on(router)
    dave = person("dave")
    react(router, "👍", dave)
    change = [ReactionEvent(chat=TEAM_CHAT, message_id="m-1", user=dave, emoji="👍", added=False),
              ReactionEvent(chat=TEAM_CHAT, message_id="m-1", user=dave, emoji="😐", added=True)]
    router.handle_events(change, once=("telegram", "1:500"))
    assert votes(db) == {"console:u-dave": 3}
    react(router, "😐", dave, added=False)
    router.handle_events(change, once=("telegram", "1:500"))  # redelivered: nothing happens
    assert votes(db) == {}


def test_a_changed_emoji_map_applies_to_the_next_reaction(router, db):
    """The parsed map is cached by its stored text, so a change made with /settings is seen at once."""
    card_on(router)
    say(router, "/settings emoji 🔥=5 🎉=4 👎=1")
    react(router, "🎉", person("erin"))
    assert votes(db) == {"console:u-erin": 4}
    say(router, "/settings emoji 🔥=5 🎉=2 👎=1")
    react(router, "🎉", person("frank"))
    assert votes(db)["console:u-frank"] == 2
