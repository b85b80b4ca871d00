"""Slack in a person's own language: what only they see (ephemeral answers, App Home) follows their Slack
locale; what the channel sees stays in the team's language."""

from __future__ import annotations

import json

from tests.fakes.slack_api import SlackClient


async def test_ephemeral_answers_follow_the_persons_slack_locale_and_the_channel_the_teams(
    slack: SlackClient, slack_api
):
    slack_api.locales["UOLGA"] = "ru-RU"
    await slack.command("/help", user="UOLGA", channel="C0GENERAL")
    [help_] = await slack_api.wait_for("response_url")
    await slack.command("/log", "доклад Kafka @ HighLoad++ вчера аудитория=300", user="UOLGA", channel="C0GENERAL")
    [post] = await slack_api.wait_for("chat.postMessage")

    assert help_.params["response_type"] == "ephemeral" and "Команды devrelbot" in help_.params["text"]
    assert "Logged talk #1" in post.params["text"].replace("*", "")  # the team is English


async def test_app_home_reads_in_the_persons_language(slack: SlackClient, slack_api):
    slack_api.locales["UOLGA"] = "ru-RU"
    await slack.command("/log", 'talk "Home Talk" @ Conf today audience=120', user="UOLGA")
    await slack_api.wait_for("chat.postMessage")

    await slack.event({"type": "app_home_opened", "user": "UOLGA", "channel": "D0OLGA", "tab": "home"})

    [published] = await slack_api.wait_for("views.publish")
    view = json.dumps(published.params["view"], ensure_ascii=False)
    assert "Эта неделя" in view and "Ваши последние активности" in view and "Home Talk" in view
    assert "доклад" in view and "Записать активность" in view


async def test_a_person_without_a_locale_reads_the_teams_language(slack: SlackClient, slack_api):
    await slack.command("/help", user="UALICE", channel="C0GENERAL")

    [help_] = await slack_api.wait_for("response_url")
    assert "devrelbot commands" in help_.params["text"]


async def test_the_log_modal_is_in_the_persons_language(slack: SlackClient, slack_api):
    slack_api.locales["UOLGA"] = "ru-RU"
    await slack.command("/log", "", user="UOLGA", channel="C0GENERAL")

    [opened] = await slack_api.wait_for("views.open")
    view = json.dumps(opened.params["view"], ensure_ascii=False)
    assert "Записать активность" in view and "Название" in view and "Аудитория" in view and "люди в зале" in view
    assert "Log an activity" not in view
