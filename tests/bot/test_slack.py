"""The Slack door over HTTP: the real AsyncApp, requests signed as Slack signs them, a fake Web API that
records what the bot sent, and the database to see what was stored."""

from __future__ import annotations

import json
import time

from sqlmodel import select

from storage.models import Member, ProcessedEvent, Team
from tests.bot.slack_support import PNG
from tests.doors import activities, eventually
from tests.fakes.slack_api import TEAM_ID, FakeSlackAPI, SlackClient, reaction_event

LOG_LINE = 'talk "Scaling Postgres" @ HighLoad++ 2026-11-20 audience=300 contacts=25 #backend'


def all_text(call) -> str:
    """Everything a message showed (its fallback text and its blocks), bold markers dropped."""
    shown = call.params.get("text", "") + json.dumps(call.params.get("blocks") or [], ensure_ascii=False)
    return shown.replace("*", "")


# --- slash commands ---------------------------------------------------------------------------------------


async def test_slash_log_stores_the_activity_and_announces_it_in_the_channel(slack: SlackClient, slack_api, db):
    started = time.monotonic()
    response = await slack.command("/log", LOG_LINE, user="UALICE", channel="C0GENERAL")

    assert response.status == 200
    assert time.monotonic() - started < 3  # acked well within Slack's 3 seconds
    [post] = await slack_api.wait_for("chat.postMessage")
    assert post.params["channel"] == "C0GENERAL"
    assert "Logged talk #1" in all_text(post) and "Scaling Postgres" in all_text(post)
    [activity] = activities(db)
    assert (activity.title, activity.venue, activity.audience, activity.contacts) == (
        "Scaling Postgres",
        "HighLoad++",
        300,
        25,
    )


async def test_errors_and_help_go_to_the_caller_only(slack: SlackClient, slack_api, db):
    await slack.command("/log", 'talk "X" audience=lots')
    await slack.command("/help")

    error, help_ = await slack_api.wait_for("response_url", 2)
    assert {error.params["response_type"], help_.params["response_type"]} == {"ephemeral"}
    texts = sorted([error.params["text"], help_.params["text"]], key=lambda t: "lots" not in t)
    assert "lots" in texts[0] and "Example" in texts[0]
    assert "/log" in texts[1] and "/settings" in texts[1]
    assert slack_api.of("chat.postMessage") == []
    assert activities(db) == []


async def test_slack_mentions_and_entities_reach_the_router_as_typed(slack: SlackClient, slack_api, db):
    await slack.command("/log", 'talk "Q&amp;A &lt;live&gt;" @ Conf today <https://example.com/talk|example.com/talk>')

    await slack_api.wait_for("chat.postMessage")
    [activity] = activities(db)
    assert activity.title == "Q&A <live>"
    assert activity.url == "https://example.com/talk"


async def test_a_workspace_is_one_team_whose_admins_are_the_workspace_admins_not_the_first_users(
    slack: SlackClient, slack_api, db
):
    slack_api.display_names["UALICE"] = "alice"
    # The first two commands in a new workspace, at once: neither person becomes an admin.
    await slack.command("/settings", "timezone=Europe/Berlin", user="UALICE", channel="C0GENERAL")
    await slack.command("/settings", "currency=EUR", user="UBOB", channel="C0RANDOM")
    refusals = await slack_api.wait_for("response_url", 2)
    slack_api.admins.add("UCAROL")  # users.info says carol is a workspace admin
    await slack.command("/settings", "timezone=Europe/Berlin currency=EUR", user="UCAROL")

    await slack_api.wait_for("chat.postMessage")
    with db.session() as s:
        [team] = s.exec(select(Team)).all()
        roles = {m.user_id: (m.role, m.display_name) for m in s.exec(select(Member)).all()}
    assert (team.timezone, team.currency) == ("Europe/Berlin", "EUR")
    assert roles["UCAROL"] == ("advocate", "ucarol")  # an admin by Slack's word, with no role stored
    assert {role for role, _name in roles.values()} == {"advocate"}
    assert all("admin" in r.params["text"] for r in refusals)


async def test_a_command_in_a_channel_the_bot_is_not_in_answers_through_response_url(slack: SlackClient, slack_api, db):
    slack_api.fail("chat.postMessage", error="not_in_channel")

    await slack.command("/log", LOG_LINE)

    [answer] = await slack_api.wait_for("response_url")
    assert answer.params["response_type"] == "in_channel"
    assert "Logged talk #1" in answer.params["text"].replace("*", "")
    assert len(activities(db)) == 1


# --- signatures -------------------------------------------------------------------------------------------


async def test_a_bad_signature_gets_401_and_stores_nothing(slack: SlackClient, slack_api, db):
    response = await slack.command("/log", LOG_LINE, secret="not-the-signing-secret")

    assert response.status == 401
    assert activities(db) == []
    assert [c.method for c in slack_api.calls] == ["auth.test"]  # only the door's start-up check


async def test_a_request_older_than_five_minutes_is_rejected(slack: SlackClient, slack_api, db):
    response = await slack.command("/log", LOG_LINE, timestamp=int(time.time()) - 6 * 60)

    assert response.status == 401
    assert activities(db) == []


# --- reactions and dedupe ---------------------------------------------------------------------------------



async def test_reactions_reach_the_handler_with_message_user_and_emoji(slack: SlackClient, recorder, db):
    added = await slack.event(reaction_event("reaction_added", "fire"), event_id="Ev1")
    removed = await slack.event(reaction_event("reaction_removed", "+1::skin-tone-3"), event_id="Ev2")

    assert (added.status, removed.status) == (200, 200)
    await eventually(lambda: len(recorder.reactions) == 2)
    first, second = sorted(recorder.reactions, key=lambda r: r.event_id)  # events are handled concurrently
    assert (first.message_id, first.chat.chat_id, first.chat.workspace_id) == (
        "1700000000.000042",
        "C0GENERAL",
        TEAM_ID,
    )
    assert (first.user.user_id, first.emoji, first.added, first.event_id) == ("UCAROL", "🔥", True, "Ev1")
    assert (second.emoji, second.added) == ("👍", False)


async def test_a_retried_event_is_processed_once(slack: SlackClient, recorder, db):
    await slack.event(reaction_event("reaction_added"), event_id="EvSame")
    await slack.event(reaction_event("reaction_added"), event_id="EvSame", retry_num=1)
    await slack.event(reaction_event("reaction_added", "tada"), event_id="EvOther")

    await eventually(lambda: len(recorder.reactions) == 2)
    assert sorted(r.emoji for r in recorder.reactions) == sorted(["🔥", "🎉"])

    def processed() -> list[str]:
        with db.session() as s:
            return sorted(e.event_id for e in s.exec(select(ProcessedEvent)).all())

    # The recorder sees an event inside its transaction, a moment before that transaction commits.
    await eventually(lambda: processed() == ["EvOther", "EvSame"])


# --- the /log modal ---------------------------------------------------------------------------------------


def submission(view: dict, values: dict[str, str], *, kind: str = "talk", user: str = "UALICE") -> dict:
    """What Slack sends when the person presses "Log it": the view with the state of every input."""
    state: dict[str, dict] = {
        "kind": {"devrelbot_log_kind": {"type": "static_select", "selected_option": {"value": kind}}}
    }
    for block_id, value in values.items():
        if block_id == "date":
            state[block_id] = {"value": {"type": "datepicker", "selected_date": value}}
        else:
            state[block_id] = {"value": {"type": "plain_text_input", "value": value}}
    return {
        "type": "view_submission",
        "team": {"id": TEAM_ID, "domain": "test"},
        "user": {"id": user, "username": user.lower(), "team_id": TEAM_ID},
        "api_app_id": "A0APP",
        "trigger_id": "trigger.modal",
        "view": {**view, "id": "V1", "hash": "h1", "state": {"values": state}},
    }


async def opened_modal(slack: SlackClient, slack_api: FakeSlackAPI, args: str = "") -> dict:
    await slack.command("/log", args, channel="C0GENERAL")
    [opened] = await slack_api.wait_for("views.open")
    assert opened.params["trigger_id"].startswith("trigger.")
    return opened.params["view"]


async def test_log_without_arguments_opens_the_modal(slack: SlackClient, slack_api):
    view = await opened_modal(slack, slack_api)

    block_ids = [b["block_id"] for b in view["blocks"]]
    assert view["callback_id"] == "devrelbot_log_modal"
    assert block_ids[:4] == ["kind", "title", "venue", "date"]
    assert {"audience", "contacts", "cost", "rating", "tags", "url"} <= set(block_ids)
    assert slack_api.of("chat.postMessage") == [] and slack_api.of("response_url") == []


async def test_log_with_a_kind_but_no_title_opens_the_modal_for_that_kind(slack: SlackClient, slack_api):
    view = await opened_modal(slack, slack_api, "article")

    kind_block = next(b for b in view["blocks"] if b["block_id"] == "kind")
    assert kind_block["element"]["initial_option"]["value"] == "publication"
    assert {"views", "likes", "subscribers"} <= {b["block_id"] for b in view["blocks"]}
    assert "audience" not in {b["block_id"] for b in view["blocks"]}


async def test_an_invalid_field_is_shown_in_the_modal_and_nothing_is_stored(slack: SlackClient, slack_api, db):
    view = await opened_modal(slack, slack_api)

    status, body = await slack.interaction_json(
        submission(view, {"title": "Scaling Postgres", "audience": "lots", "date": "2026-11-20"})
    )

    assert status == 200
    assert body["response_action"] == "errors"
    assert list(body["errors"]) == ["audience"] and "lots" in body["errors"]["audience"]
    assert activities(db) == []
    assert slack_api.of("chat.postMessage") == []


async def test_a_bad_link_and_a_bad_tag_are_errors_on_their_own_fields(slack: SlackClient, slack_api, db):
    view = await opened_modal(slack, slack_api)

    _, bad_url = await slack.interaction_json(submission(view, {"title": "T", "url": "ftp://x"}))
    _, bad_tag = await slack.interaction_json(submission(view, {"title": "T", "tags": "back end!"}))

    assert list(bad_url["errors"]) == ["url"]
    assert list(bad_tag["errors"]) == ["tags"]
    assert activities(db) == []


async def test_a_valid_submission_stores_and_posts_the_confirmation(slack: SlackClient, slack_api, db):
    view = await opened_modal(slack, slack_api)

    status, body = await slack.interaction_json(
        submission(
            view,
            {
                "title": 'The "real" cost of Kafka',
                "venue": "DevConf",
                "date": "2026-11-20",
                "audience": "1.2k",
                "cost": "500eur",
                "tags": "backend, #devops",
                "url": "https://example.com/kafka",
            },
        )
    )

    assert status == 200 and body is None  # the modal closes
    [post] = await slack_api.wait_for("chat.postMessage")
    assert post.params["channel"] == "C0GENERAL"
    assert "Logged talk #1" in all_text(post)
    [activity] = activities(db)
    assert (activity.title, activity.venue, activity.audience, str(activity.cost), activity.currency) == (
        'The "real" cost of Kafka',
        "DevConf",
        1200,
        "500.00",
        "EUR",
    )
    assert activity.url == "https://example.com/kafka"


async def test_choosing_another_kind_re_renders_the_modal_with_its_metrics(slack: SlackClient, slack_api):
    view = await opened_modal(slack, slack_api)
    payload = submission(view, {"title": "Kafka post"}, kind="publication")
    payload["type"] = "block_actions"
    payload["container"] = {"type": "view", "view_id": "V1"}
    payload["actions"] = [
        {
            "type": "static_select",
            "action_id": "devrelbot_log_kind",
            "block_id": "kind",
            "selected_option": {"value": "publication"},
        }
    ]

    await slack.interaction(payload)

    [update] = await slack_api.wait_for("views.update")
    block_ids = {b["block_id"] for b in update.params["view"]["blocks"]}
    assert update.params["view_id"] == "V1"
    assert {"views", "likes"} <= block_ids and "audience" not in block_ids
    title = next(b for b in update.params["view"]["blocks"] if b["block_id"] == "title")
    assert title["element"]["initial_value"] == "Kafka post"


# --- buttons ----------------------------------------------------------------------------------------------


async def test_a_button_click_re_dispatches_its_command_as_the_clicking_user(slack: SlackClient, slack_api, db):
    await slack.command("/log", LOG_LINE, user="UALICE")
    await slack_api.wait_for("chat.postMessage")
    await slack.command("/delete", "1", user="UALICE")
    [question] = await slack_api.wait_for("response_url")
    buttons = next(b for b in question.params["blocks"] if b["type"] == "actions")["elements"]
    assert [b["value"] for b in buttons] == ["/delete 1 confirm", "/delete 1 keep"]
    assert buttons[0]["style"] == "danger"

    await slack.interaction(
        {
            "type": "block_actions",
            "team": {"id": TEAM_ID},
            "user": {"id": "UALICE", "username": "alice", "team_id": TEAM_ID},
            "channel": {"id": "C0GENERAL"},
            "container": {"type": "message", "is_ephemeral": True},
            "trigger_id": "trigger.click",
            "response_url": slack_api.response_url("click"),
            "actions": [{"type": "button", **buttons[0]}],
        }
    )

    posts = await slack_api.wait_for("chat.postMessage", 2)
    assert "Deleted" in all_text(posts[1])
    assert activities(db) == []


# --- App Home, images, rate limits ------------------------------------------------------------------------


async def test_app_home_shows_the_week_and_the_callers_activities(slack: SlackClient, slack_api, db):
    await slack.command("/log", 'talk "Home Talk" @ Conf today audience=120', user="UALICE")
    await slack_api.wait_for("chat.postMessage")

    await slack.event({"type": "app_home_opened", "user": "UALICE", "channel": "D0ALICE", "tab": "home"})

    [published] = await slack_api.wait_for("views.publish")
    view = json.dumps(published.params["view"], ensure_ascii=False)
    assert published.params["user_id"] == "UALICE"
    assert published.params["view"]["type"] == "home"
    assert "Home Talk" in view and "This week" in view
    assert '"value": "/log"' in view  # the button that opens the modal


async def test_an_image_reply_goes_through_the_three_upload_steps(slack: SlackClient, slack_api):
    await slack.command("/chart", channel="C0GENERAL")

    [complete] = await slack_api.wait_for("files.completeUploadExternal")
    [get_url] = slack_api.of("files.getUploadURLExternal")
    [upload] = slack_api.of("upload")
    assert get_url.params["filename"] == "reach.png" and int(get_url.params["length"]) == len(PNG)
    assert upload.params["data"] == PNG
    assert complete.params["channel_id"] == "C0GENERAL"
    assert complete.params["files"][0]["id"] == upload.params["file_id"]
    [post] = slack_api.of("chat.postMessage")
    assert "*Reach* this week" in post.params["text"]


async def test_a_rate_limited_message_is_retried_after_retry_after_and_not_lost(slack: SlackClient, slack_api, db):
    slack_api.fail("chat.postMessage", status=429, headers={"Retry-After": "0"})

    await slack.command("/log", LOG_LINE)

    [post] = await slack_api.wait_for("chat.postMessage")
    assert [c.status for c in slack_api.attempts("chat.postMessage")] == [429, 200]
    assert "Logged talk #1" in all_text(post)


