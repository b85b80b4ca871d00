"""Feedback cards and emoji votes, called as the doors call them: a command, then the ``Posted`` event the door
reports for the message it sent, then reactions on that message."""

from __future__ import annotations

from sqlmodel import select

from handlers.core import (
    ReactionCount,
    ReactionEvent,
)
from storage.models import FeedbackCard, VoteTally
from tests.handlers.feedback_support import GROUP, TALK, card_on, in_group, person, posted, react
from tests.helpers import BOB, TEAM_CHAT, incoming, say, text_of, votes


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
    assert "3.7 of 5 (3 answers)" in text_of(router.dispatch(in_group("/stats month"))[0])
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
