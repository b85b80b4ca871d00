"""Feedback through the Slack door (signed requests, fake Web API): /rate (Slack's name for /feedback) and
reactions on the card, a Block Kit button poll with a changed vote and /poll close, and the new-hire survey."""

from __future__ import annotations

import asyncio
import itertools
import random
import re

import pytest
from sqlmodel import select

from handlers.router import Router
from storage.links import bind_chat
from storage.models import ChatBinding, CommunityPollAnswer, CommunityPollPost, HireSurvey
from storage.teams import get_or_create_team_for_chat
from tests.doors import cards, eventually, votes
from tests.fakes.slack_api import BOT_USER_ID, TEAM_ID, SlackClient, reaction_event

TALK = 'talk "Scaling Postgres" @ HighLoad++ 2026-11-20 audience=300'


@pytest.fixture
def slack_router(db, clock) -> Router:
    """The real registry: commands and the feedback event handlers."""
    return Router(db, default_timezone="UTC", clock=clock)



CLICKS = itertools.count(1)


def click(api, value: str, *, user: str, channel: str = "C0GENERAL") -> dict:
    return {
        "type": "block_actions", "team": {"id": TEAM_ID}, "user": {"id": user, "username": user.lower(),
                                                                   "team_id": TEAM_ID},
        "channel": {"id": channel}, "container": {"type": "message"},
        "trigger_id": f"trigger.click.{next(CLICKS)}",  # Slack gives every click its own
        "response_url": api.response_url("click-" + value.replace("/", "").replace(" ", "-")),
        "actions": [{"type": "button", "action_id": "devrelbot_button_0", "value": value}],
    }


async def show(slack: SlackClient, slack_api) -> str:
    before = len(slack_api.of("response_url"))
    await slack.command("/show", "1", user="UALICE")
    return (await slack_api.wait_for("response_url", before + 1))[before].params["text"]


async def test_rate_posts_a_card_whose_reactions_are_votes(slack: SlackClient, slack_api, db):
    await slack.command("/log", TALK, user="UALICE")
    await slack_api.wait_for("chat.postMessage")
    await slack.command("/rate", "1", user="UALICE")  # /feedback is Slack's own; the app's name for it is /rate
    posts = await slack_api.wait_for("chat.postMessage", 2)
    assert "Rate it with a reaction: 🔥 👍 😐 👎" in posts[1].params["text"]
    await eventually(lambda: bool(cards(db)) and cards(db)[0].message_id is not None)
    ts = cards(db)[0].message_id

    await slack.event(reaction_event("reaction_added", "fire", ts=ts, user="UCAROL"))
    await slack.event(reaction_event("reaction_added", "+1::skin-tone-2", ts=ts, user="UDAVE"))
    await slack.event(reaction_event("reaction_added", "fire", ts=ts, user=BOT_USER_ID))  # the bot's own
    await slack.event(reaction_event("reaction_added", "fire", ts="1700000000.999999", user="UERIN"))  # not the card
    await eventually(lambda: len(votes(db)) == 2)
    await slack.event(reaction_event("reaction_removed", "+1", ts=ts, user="UDAVE"))
    await eventually(lambda: len(votes(db)) == 1)

    assert votes(db) == {"slack:UCAROL": 5}
    assert "community rating: 5.0 of 5 (1 answer)" in await show(slack, slack_api)


async def test_a_button_poll_counts_one_vote_per_person_and_close_freezes_it(slack: SlackClient, slack_api, db):
    await slack.command("/log", TALK, user="UALICE")
    await slack_api.wait_for("chat.postMessage")
    await slack.command("/poll", "1", user="UALICE")
    poll = (await slack_api.wait_for("chat.postMessage", 2))[1]
    buttons = next(b for b in poll.params["blocks"] if b["type"] == "actions")["elements"]
    assert [(b["text"]["text"], b["value"]) for b in buttons] == [(str(i), f"/vote 1 {i}") for i in range(1, 6)]
    await eventually(lambda: bool(cards(db)) and cards(db)[0].message_id is not None)

    await slack.interaction(click(slack_api, "/vote 1 1", user="UCAROL"))
    await eventually(lambda: votes(db) == {"slack:UCAROL": 1})
    await slack.interaction(click(slack_api, "/vote 1 5", user="UCAROL"))  # a new click replaces the old
    await slack.interaction(click(slack_api, "/vote 1 3", user="UDAVE"))
    await eventually(lambda: votes(db) == {"slack:UCAROL": 5, "slack:UDAVE": 3})
    await eventually(lambda: sum("Your answer" in c.params["text"] for c in slack_api.of("response_url")) == 3)

    await slack.command("/poll", "close 1", user="UALICE")
    (update,) = await slack_api.wait_for("chat.update")
    assert update.params["ts"] == cards(db)[0].message_id and "closed" in update.params["text"]
    await slack.interaction(click(slack_api, "/vote 1 1", user="UDAVE"))
    await eventually(lambda: any("closed" in c.params["text"] for c in slack_api.of("response_url")))
    assert votes(db) == {"slack:UCAROL": 5, "slack:UDAVE": 3}
    assert "community rating: 4.0 of 5 (2 answers)" in await show(slack, slack_api)


async def test_the_new_hire_survey_goes_to_a_dm_and_only_the_hire_answers(slack: SlackClient, slack_api, db):
    await slack.command("/log", TALK, user="UALICE")
    await slack_api.wait_for("chat.postMessage")
    await slack.command("/survey", "hire <@UNEWBIE|newbie>", user="UALICE")
    question = (await slack_api.wait_for("chat.postMessage", 2))[1]
    assert question.params["channel"] == "DNEWBIE" and "influence your decision" in question.params["text"]
    values = [b["value"] for b in next(b for b in question.params["blocks"] if b["type"] == "actions")["elements"]]
    assert values == ["/survey answer 1 yes", "/survey answer 1 partly", "/survey answer 1 no"]

    await slack.interaction(click(slack_api, values[0], user="UMALLORY", channel="DNEWBIE"))  # not the hire
    await slack.interaction(click(slack_api, values[0], user="UNEWBIE", channel="DNEWBIE"))
    which = (await slack_api.wait_for("chat.postMessage", 3))[2]
    assert which.params["channel"] == "DNEWBIE" and "Which of these" in which.params["text"]
    choices = next(b for b in which.params["blocks"] if b["type"] == "actions")["elements"]
    assert [c["value"] for c in choices] == ["/survey answer 1 yes 1", "/survey answer 1 yes skip"]
    await slack.interaction(click(slack_api, choices[0]["value"], user="UNEWBIE", channel="DNEWBIE"))
    await slack_api.wait_for("chat.postMessage", 4)

    with db.session() as s:
        (survey,) = s.exec(select(HireSurvey)).all()
    assert (survey.user_id, survey.answer, survey.activity_id) == ("UNEWBIE", "yes", 1)
    assert any("someone else" in c.params["text"] for c in slack_api.of("response_url"))
    before = len(slack_api.of("response_url"))
    await slack.command("/stats", user="UALICE")
    stats = (await slack_api.wait_for("response_url", before + 1))[before].params["text"]
    assert "hiring influence: 100% (1 of 1 answered; 1 surveyed)" in stats


async def test_rapid_toggles_arriving_out_of_order_end_in_each_persons_newest(slack: SlackClient, slack_api, db):
    """Each person clicks 🔥, takes it back, 👍, takes it back, and half of them then 👎 — Slack stamps each
    event; they reach the door shuffled and all at once, and each person's newest stamp decides."""
    await slack.command("/log", TALK, user="UALICE")
    await slack_api.wait_for("chat.postMessage")
    await slack.command("/rate", "1", user="UALICE")
    await eventually(lambda: bool(cards(db)) and cards(db)[0].message_id is not None)
    ts = cards(db)[0].message_id
    steps = [("reaction_added", "fire"), ("reaction_removed", "fire"), ("reaction_added", "+1"),
             ("reaction_removed", "+1"), ("reaction_added", "-1")]
    people = [f"UV{n:02d}" for n in range(16)]
    sent = []
    for n, person in enumerate(people):
        for step, (kind, emoji) in enumerate(steps[: 5 if n % 2 else 4]):
            event = reaction_event(kind, emoji, ts=ts, user=person)
            event["event_ts"] = f"1700000200.{step * 1000 + n:06d}"
            sent.append(event)
    random.Random(12).shuffle(sent)

    responses = await asyncio.gather(*(slack.event(event) for event in sent))
    assert {r.status for r in responses} == {200}  # each acknowledged after its commit
    assert votes(db) == {f"slack:{p}": 1 for n, p in enumerate(people) if n % 2}


async def test_ask_posts_buttons_and_counts_one_answer_per_person_until_closed(slack: SlackClient, slack_api, db):
    await slack.command("/ask", '"Next meetup?" Kubernetes | Rust | Postgres public', user="UALICE")
    poll = (await slack_api.wait_for("chat.postMessage"))[0]
    buttons = next(b for b in poll.params["blocks"] if b["type"] == "actions")["elements"]
    assert [(b["text"]["text"], b["value"]) for b in buttons] == [
        ("Kubernetes", "/ask answer 1 Kubernetes"), ("Rust", "/ask answer 1 Rust"),
        ("Postgres", "/ask answer 1 Postgres")]

    def answered() -> int:
        return sum("Your answer" in c.params["text"] for c in slack_api.of("response_url"))

    await eventually(lambda: bool(slack_api.of("response_url")))  # the confirmation: the poll is tracked
    await slack.interaction(click(slack_api, "/ask answer 1 Rust", user="UCAROL"))
    await eventually(lambda: answered() == 1)
    await slack.interaction(click(slack_api, "/ask answer 1 Postgres", user="UCAROL"))  # replaces her answer
    await slack.interaction(click(slack_api, "/ask answer 1 Postgres", user="UDAVE"))
    await eventually(lambda: answered() == 3)

    await slack.command("/ask", "close 1", user="UALICE")
    (update,) = await slack_api.wait_for("chat.update")
    with db.session() as s:
        (copy,) = s.exec(select(CommunityPollPost)).all()
    assert update.params["ts"] == copy.message_id and "closed" in update.params["text"]
    result = next(c.params["text"] for c in await slack_api.wait_for("chat.postMessage", 2) if "Poll #1" in
                  c.params["text"])
    assert "Postgres — 2 (100%)" in result and "2 people answered" in result


async def test_ask_clicks_arriving_out_of_order_end_in_each_persons_newest(slack: SlackClient, slack_api, db):
    """Each person clicks Kubernetes, then Rust, and every other one then Postgres — Slack stamps each click
    (action_ts); they reach the door shuffled and all at once, and each person's newest click is their answer."""
    await slack.command("/ask", '"Next meetup?" Kubernetes | Rust | Postgres public', user="UALICE")
    await slack_api.wait_for("chat.postMessage")
    await eventually(lambda: bool(slack_api.of("response_url")))  # the confirmation: the poll is tracked
    steps = ["Kubernetes", "Rust", "Postgres"]
    people = [f"UA{n:02d}" for n in range(12)]
    sent = []
    for n, person in enumerate(people):
        for step, option in enumerate(steps[: 3 if n % 2 else 2]):
            payload = click(slack_api, f"/ask answer 1 {option}", user=person)
            payload["actions"][0]["action_ts"] = f"1700000300.{step * 1000 + n:06d}"
            sent.append(payload)
    random.Random(5).shuffle(sent)

    responses = await asyncio.gather(*(slack.interaction(payload) for payload in sent))
    assert {r.status for r in responses} == {200}

    def answers() -> dict[str, int]:
        with db.session() as s:
            return {a.voter: a.option for a in s.exec(select(CommunityPollAnswer))}

    expected = {f"slack:{p}": 2 if n % 2 else 1 for n, p in enumerate(people)}
    await eventually(lambda: answers() == expected)


def _community_channel(db, channel_id: str, title: str) -> None:
    """A channel of the workspace's team linked as a community chat."""
    with db.session() as s:
        team = get_or_create_team_for_chat(s, platform="slack", scope_id=TEAM_ID, name="DevRel", timezone="UTC")
        assert team.id is not None
        bind_chat(s, platform="slack", chat_id=channel_id, team_id=team.id, purpose="community", title=title)
        s.commit()


async def test_ask_in_a_channel_mention_posts_buttons_in_the_channel_it_names(slack: SlackClient, slack_api, db):
    """Slack sends ``#devrel`` as ``<#C0DEVREL|devrel>``: the poll goes to that channel, found by its id — the
    community chat's title ("DevRel RU") is not the channel's name, so the name alone would find nothing."""
    _community_channel(db, "C0DEVREL", "DevRel RU")
    await slack.command("/ask", "chats", user="UALICE")
    await eventually(lambda: any("C0DEVREL" in c.params["text"] for c in slack_api.of("response_url")))
    listed = next(c.params["text"] for c in slack_api.of("response_url") if "C0DEVREL" in c.params["text"])
    assert "DevRel RU (Slack C0DEVREL)" in listed

    await slack.command("/ask", '"Next meetup?" Go | Rust in <#C0DEVREL|devrel>', user="UALICE")
    (poll,) = await slack_api.wait_for("chat.postMessage")
    assert poll.params["channel"] == "C0DEVREL"
    buttons = next(b for b in poll.params["blocks"] if b["type"] == "actions")["elements"]
    assert [b["value"] for b in buttons] == ["/ask answer 1 Go", "/ask answer 1 Rust"]


async def test_ask_in_an_unknown_channel_posts_nothing_and_lists_the_community_chats(slack: SlackClient, slack_api,
                                                                                     db):
    _community_channel(db, "C0DEVREL", "devrel")
    await slack.command("/ask", '"Next meetup?" Go | Rust in <#C0RANDOM|random>', user="UALICE")
    await eventually(lambda: any("#random" in c.params["text"] for c in slack_api.of("response_url")))
    refusal = next(c.params["text"] for c in slack_api.of("response_url") if "#random" in c.params["text"])
    assert "not a community chat of this team" in refusal and "devrel (Slack C0DEVREL)" in refusal
    assert slack_api.of("chat.postMessage") == []
    with db.session() as s:
        assert s.exec(select(CommunityPollPost)).all() == []


async def test_a_workspace_admin_links_a_channel_with_a_code_and_a_poll_named_by_its_mention_goes_there(
        slack: SlackClient, slack_api, db):
    """/connect slack community, then /connect CODE sent in the channel: the channel (not the workspace) becomes a
    community chat under its Slack name, /ask chats lists it and /ask … in <#C0DEVREL|devrel> posts its buttons."""
    slack_api.admins.add("UALICE")
    await slack.command("/connect", "slack community", user="UALICE")
    await eventually(lambda: any("Link code" in c.params["text"] for c in slack_api.of("response_url")))
    offer = next(c.params["text"] for c in slack_api.of("response_url") if "Link code" in c.params["text"])
    code = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}", offer).group(0)
    await slack.command("/connect", code, user="UALICE", channel="C0DEVREL")
    await eventually(lambda: any("community chat of" in str(c.params.get("text")) for c in slack_api.calls))

    await slack.command("/ask", "chats", user="UBOB")
    await eventually(lambda: any("(Slack C0DEVREL)" in c.params["text"] for c in slack_api.of("response_url")))
    posted = len(slack_api.of("chat.postMessage"))
    await slack.command("/ask", '"Next meetup?" Go | Rust in <#C0DEVREL|devrel>', user="UBOB")
    await eventually(lambda: len(slack_api.of("chat.postMessage")) > posted)
    poll = slack_api.of("chat.postMessage")[-1]
    assert poll.params["channel"] == "C0DEVREL"
    assert [b["value"] for b in next(b for b in poll.params["blocks"] if b["type"] == "actions")["elements"]] == [
        "/ask answer 1 Go", "/ask answer 1 Rust"]
    with db.session() as s:
        assert {(b.chat_id, b.purpose) for b in s.exec(select(ChatBinding))} == {(TEAM_ID, "team"),
                                                                                ("C0DEVREL", "community")}
