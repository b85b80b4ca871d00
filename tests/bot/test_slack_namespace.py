"""One Slack namespace: ``/devrel <command> …`` carries every command, while each command's own slash command
(``/log`` above all) keeps working, so a workspace can move from one manifest to the other."""

from __future__ import annotations

import pytest

from bot.slack import SlackDoor
from bot.slack.inbound import command_call, slack_command
from handlers.core import Reply
from handlers.router import Registry, Request, Router, registry
from storage.db import Database
from tests.conftest import Clock
from tests.doors import activities, make_slack_door, running, slack_client
from tests.fakes.slack_api import FakeSlackAPI


def echoing_registry() -> Registry:
    """Every real command's name, each answering with the name and arguments it was dispatched with (to
    everyone: who may run what is not this test's business)."""
    commands = Registry(permissions=())
    for command in registry.all():

        def echo(req: Request, name: str = command.name) -> Reply:
            return Reply(f"ran {name} with [{req.args}]", ephemeral=True)

        commands.command(command.name, summary=command.summary, usage=command.usage)(echo)
    return commands


async def test_the_namespace_command_dispatches_every_registered_command(
    slack_api: FakeSlackAPI, db: Database, clock: Clock
):
    router = Router(db, commands=echoing_registry(), clock=clock)
    async with running(make_slack_door(slack_api, router)) as door, slack_client(door, slack_api) as slack:
        for n, command in enumerate(registry.all(), start=1):
            response = await slack.command("/devrel", f"{command.name} first  second")
            assert response.status == 200
            [*_, answer] = await slack_api.wait_for("response_url", n)
            assert answer.params["text"] == f"ran {command.name} with [first  second]"


async def test_devrel_help_lists_every_command_as_it_is_typed_there(slack_door: SlackDoor, slack_api: FakeSlackAPI):
    async with slack_client(slack_door, slack_api) as slack:
        await slack.command("/devrel", "help")
        await slack.command("/devrel")  # alone, it is help as well
        listed, bare = await slack_api.wait_for("response_url", 2)

    assert listed.params["response_type"] == "ephemeral"
    # The blocks carry the whole list; the notification text beside them is cut at 3,000 characters.
    shown = "\n".join(b["text"]["text"] for b in listed.params["blocks"] if b["type"] == "section")
    for command in registry.all():
        assert f"/devrel {command.name}" in shown
    assert "/devrel help log" in shown
    assert bare.params["text"] == listed.params["text"]


async def test_both_forms_work_at_once_and_store_the_same(slack_door: SlackDoor, slack_api: FakeSlackAPI, db):
    async with slack_client(slack_door, slack_api) as slack:
        await slack.command("/devrel", 'log talk "Through the namespace" @ Conf 2026-11-20 audience=10')
        await slack.command("/log", 'talk "On its own" @ Conf 2026-11-20 audience=20')
        await slack_api.wait_for("chat.postMessage", 2)

    assert sorted((a.title, a.audience) for a in activities(db)) == [("On its own", 20), ("Through the namespace", 10)]


async def test_an_unknown_command_under_the_namespace_says_so_and_stores_nothing(
    slack_door: SlackDoor, slack_api: FakeSlackAPI, db
):
    async with slack_client(slack_door, slack_api) as slack:
        await slack.command("/devrel", "lgo talk X")
        [answer] = await slack_api.wait_for("response_url")

    assert "/lgo" in answer.params["text"] and "/help" in answer.params["text"]
    assert activities(db) == []


async def test_the_namespace_is_a_setting(slack_api: FakeSlackAPI, slack_router: Router):
    async with running(make_slack_door(slack_api, slack_router, slack_command="/DR")) as door:
        async with slack_client(door, slack_api) as slack:
            await slack.command("/dr", "help")
            [answer] = await slack_api.wait_for("response_url")
    assert "/dr stats" in answer.params["text"]


def test_a_namespace_named_like_a_command_is_refused(slack_api: FakeSlackAPI, slack_router: Router):
    with pytest.raises(ValueError, match="SLACK_COMMAND /stats"):
        make_slack_door(slack_api, slack_router, slack_command="stats")


def test_a_namespaced_line_is_split_into_the_command_and_its_arguments():
    assert command_call("/devrel", "log talk <https://x.io|x.io>", namespace="devrel") == ("log", "talk https://x.io",
                                                                                         "devrel")
    assert command_call("/devrel", "  /Stats   week ", namespace="devrel") == ("stats", "week", "devrel")
    assert command_call("/devrel", "rate 42", namespace="devrel") == ("feedback", "42", "devrel")
    assert command_call("/devrel", "", namespace="devrel") == ("help", "", "devrel")
    assert command_call(f"/{slack_command('feedback')}", "42", namespace="devrel") == ("feedback", "42", None)
