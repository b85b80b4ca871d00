"""A breakdown's table as each door sends it: every row a monospace code line of one width, so its columns line
up in Slack's mrkdwn sections, in Telegram's HTML (also when a long table is split into several messages) and in
the console."""

from __future__ import annotations

import re

from bot.console import to_rich
from bot.slack.blocks import reply_blocks
from bot.telegram.render import split_html
from tests.helpers import say

TAGS = ["backend", "frontend", "mobile", "devops", "dba", "datascience", "qa", "security"]


def breakdown(router):
    for n, tag in enumerate(TAGS):
        assert not say(router, f'/log talk "T{n}" @ Conf 2026-11-{n + 2:02d} audience={100 * (n + 1)} contacts={n + 1} '
                    f"cost={10 * (n + 1)}usd #{tag}").is_error
    return say(router, "/stats month by tag")


def test_slack_sends_each_row_as_inline_code_of_one_width(router):
    reply = breakdown(router)

    text = "\n".join(block["text"]["text"] for block in reply_blocks(reply) if block["type"] == "section")
    rows = [line for line in text.splitlines() if line.startswith("`")]
    assert len(rows) == 1 + len(TAGS) + 1  # the header, one per tag, the total
    assert all(row.endswith("`") and row.count("`") == 2 for row in rows)
    assert len({len(row) for row in rows}) == 1


def test_telegram_sends_each_row_as_code_of_one_width_even_split_across_messages(router):
    reply = breakdown(router)

    for limit in (4096, 200):  # a table longer than a message is cut between rows, never inside one
        chunks = split_html(reply.text, limit=limit)
        rows = [line for chunk in chunks for line in chunk.splitlines() if line.startswith("<code>")]
        assert len(rows) == 1 + len(TAGS) + 1
        assert all(re.fullmatch(r"<code>[^<]*</code>", row) for row in rows)
        assert len({len(row) for row in rows}) == 1
    assert len(split_html(reply.text, limit=200)) > 1


def test_the_console_shows_the_rows_aligned(router):
    reply = breakdown(router)

    lines = to_rich(reply.text).plain.splitlines()
    rows = lines[1:1 + 1 + len(TAGS) + 1]
    assert rows[0].startswith("tag ") and rows[-1].startswith("total ")
    assert len({len(row) for row in rows}) == 1
