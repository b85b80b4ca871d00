from __future__ import annotations

from handlers.router import registry
from tests.helpers import say, text_of


def test_help_lists_every_registered_command(router):
    text = text_of(say(router, "/help"))
    for command in registry.all():
        assert f"/{command.name} — " in text


def test_help_for_one_command_shows_usage_and_examples(router):
    text = text_of(say(router, "/help log"))
    assert "Usage: /log <kind> <title>" in text
    assert '/log talk "Scaling Postgres"' in text


def test_unknown_command_and_unknown_help_topic(router):
    unknown = say(router, "/frobnicate now")
    assert unknown.is_error and "Unknown command /frobnicate, try /help" in text_of(unknown)
    assert "There is no command /nope" in text_of(say(router, "/help nope"))
