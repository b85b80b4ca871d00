"""The Slack door's pure parts: inbound text, Block Kit, the modal's round trip to /log, the manifest."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from typer.testing import CliRunner

import handlers  # noqa: F401  (registers the commands)
from bot.cli import app
from bot.slack import inbound
from bot.slack.blocks import SECTION_LIMIT, fallback_text, reply_blocks
from bot.slack.manifest import manifest_file, render_manifest
from bot.slack.modal import ModalContext, log_modal, to_log_args, validate
from handlers.core import Button, Reply
from handlers.parsing import parse_log
from handlers.router import registry
from storage.domain import Kind

TODAY = date(2026, 11, 26)
MANIFEST = Path(__file__).resolve().parents[2] / "deploy" / "slack-manifest.yml"


def test_command_text_turns_slack_escapes_back_into_what_was_typed():
    typed = inbound.command_text("talk “Q&amp;A” @ <#C1|devconf> <@U123|alice> <https://x.dev/a|x.dev/a> &lt;b&gt;")

    assert typed == "talk “Q&A” @ #devconf @U123 https://x.dev/a <b>"


def test_reaction_names_become_unicode_emoji_and_skin_tones_do_not_split_votes():
    assert [inbound.emoji(n) for n in ("fire", "+1", "+1::skin-tone-4", "-1", "neutral_face")] == [
        "🔥",
        "👍",
        "👍",
        "👎",
        "😐",
    ]
    assert inbound.emoji("partyparrot") == ":partyparrot:"


def test_reply_text_renders_as_mrkdwn_with_user_text_escaped():
    blocks = reply_blocks(Reply("*Logged* <b>&</b> [site](https://x.dev)"))

    assert blocks == [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "*Logged* &lt;b&gt;&amp;&lt;/b&gt; <https://x.dev|site>"},
        }
    ]


def test_long_replies_are_split_into_sections_slack_accepts():
    text = "\n".join(f"• line {i} " + "x" * 80 for i in range(200))

    blocks = reply_blocks(Reply(text))

    assert len(blocks) > 1
    assert all(len(b["text"]["text"]) <= SECTION_LIMIT for b in blocks)
    assert "\n".join(b["text"]["text"] for b in blocks) == text
    assert len(fallback_text(Reply(text))) <= 3000


def test_buttons_carry_their_command_and_style():
    buttons = (Button("Delete #4", "/delete 4 confirm", "danger"), Button("Keep", "/delete 4 keep"))
    reply = Reply("Delete #4?", buttons=buttons)

    actions = reply_blocks(reply)[-1]

    assert actions["type"] == "actions"
    assert [(e["action_id"], e["value"], e.get("style")) for e in actions["elements"]] == [
        ("devrelbot_button_0", "/delete 4 confirm", "danger"),
        ("devrelbot_button_1", "/delete 4 keep", None),
    ]


def test_a_modal_submission_becomes_the_same_one_line_command():
    values = {
        "kind": "publication",
        "title": 'It\'s “quoted” and "double"',
        "venue": "Habr",
        "date": "2026-11-01",
        "views": "12k",
        "likes": "140",
        "tags": "#backend, frontend",
        "url": "https://habr.com/p/1",
    }

    command = parse_log(to_log_args(values), today=TODAY, default_currency="USD")

    assert (command.kind, command.title) == (Kind.PUBLICATION, values["title"])
    assert (command.fields.venue, command.fields.on, command.fields.url) == ("Habr", date(2026, 11, 1), values["url"])
    assert command.fields.values == {"views": 12000, "likes": 140}
    assert command.fields.tags == ["backend", "frontend"]


def test_modal_errors_land_on_the_field_at_fault():
    def errors(**values: str) -> dict[str, str]:
        return validate({"kind": "talk", "title": "T", **values}, today=TODAY, default_currency="USD")[1]

    assert list(errors(rating="7")) == ["rating"]
    assert list(errors(cost="-5")) == ["cost"]
    assert list(errors(venue="v" * 300)) == ["venue"]
    assert list(errors(title="   ")) == ["title"]
    assert list(errors(date="1999-01-01")) == ["date"]
    assert errors(audience="300") == {}


def test_the_modal_shows_the_metrics_of_its_kind_and_remembers_where_it_was_opened():
    context = ModalContext(team_id="T1", user_id="U1", channel_id="C1", thread_ts="1.2")

    view = log_modal(context, kind=Kind.EVENT, known={"title": "Go Meetup"})

    ids = [b["block_id"] for b in view["blocks"]]
    assert {"stream_views", "nps", "audience"} <= set(ids) and "views" not in ids
    assert ModalContext.loads(view["private_metadata"]) == context
    title = next(b for b in view["blocks"] if b["block_id"] == "title")
    assert title["element"]["initial_value"] == "Go Meetup"


def test_the_manifests_in_the_repo_are_current():
    for locale, form in (("en", "namespace"), ("ru", "namespace"), ("en", "all")):
        name = manifest_file(locale=locale, form=form)
        expected = render_manifest(registry.all(), locale=locale, form=form)
        assert (MANIFEST.parent / name).read_text(encoding="utf-8") == expected, (
            f"deploy/{name} is out of date: devrelbot slack manifest"
            f"{' --commands all' if form == 'all' else ''}{' --locale ru' if locale == 'ru' else ''} > deploy/{name}"
        )


def test_the_namespace_manifest_has_one_command_for_all_and_log_of_its_own():
    manifest = render_manifest(registry.all())

    assert slash_commands(manifest) == ["/devrel", "/log"]
    assert slash_commands(render_manifest(registry.all(), namespace="dr")) == ["/dr", "/log"]


def test_the_all_manifest_lists_every_command_of_the_router():
    manifest = render_manifest(registry.all(), form="all")

    assert slash_commands(manifest) == [f"/{inbound.slack_command(c.name)}" for c in registry.all()]


def test_the_russian_manifest_is_in_russian():
    expected = render_manifest(registry.all(), locale="ru")

    assert 'description: "Записать доклад, мероприятие, партнёрство, публикацию или пост в соцсетях"' in expected
    assert "usage_hint: \"<вид> <название>" in expected
    assert 'usage_hint: "<команда> [аргументы], например stats week или help"' in expected
    assert slash_commands(expected) == ["/devrel", "/log"]  # the commands keep their names


def slash_commands(manifest: str) -> list[str]:
    return [line.split(": ", 1)[1] for line in manifest.splitlines() if line.startswith("    - command: ")]


def test_slack_reserved_commands_go_by_another_name_there():
    # /feedback is one of Slack's own slash commands ("send feedback to Slack"); apps cannot register it.
    manifest = render_manifest(registry.all(), form="all")
    assert "- command: /rate\n" in manifest and "- command: /feedback\n" not in manifest
    assert (inbound.slack_command("feedback"), inbound.router_command("rate")) == ("rate", "feedback")
    assert (inbound.slack_command("poll"), inbound.router_command("poll")) == ("poll", "poll")


def test_the_cli_prints_either_manifest(monkeypatch):
    monkeypatch.delenv("SLACK_COMMAND", raising=False)
    runner = CliRunner()

    namespace = runner.invoke(app, ["slack", "manifest"])
    every = runner.invoke(app, ["slack", "manifest", "--commands", "all", "--locale", "ru"])
    named = runner.invoke(app, ["slack", "manifest", "--name", "/DR"])
    wrong = runner.invoke(app, ["slack", "manifest", "--commands", "some"])

    assert namespace.exit_code == every.exit_code == named.exit_code == 0
    assert namespace.stdout == render_manifest(registry.all())
    assert every.stdout == render_manifest(registry.all(), form="all", locale="ru")
    assert slash_commands(named.stdout) == ["/dr", "/log"]
    assert wrong.exit_code == 2 and "choose namespace or all" in wrong.output


def test_channel_mentions_pair_the_name_the_text_shows_with_the_channel_id():
    text = "\"Next?\" Go | Rust in <#C0DEVREL|devrel>, <#C0BARE>, here"
    assert inbound.command_text(text) == "\"Next?\" Go | Rust in #devrel, #C0BARE, here"
    assert inbound.channel_mentions(text) == (("#devrel", "C0DEVREL"),)  # a bare mention shows its id already
