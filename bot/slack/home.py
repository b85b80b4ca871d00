"""App Home: this week's team numbers, the caller's recent activities, and a button to log a new one.

The two texts come from the router (``/stats week`` and ``/list @<user>``), so Home shows exactly what the
commands show and needs no query of its own.
"""

from __future__ import annotations

from typing import Any

from bot.slack.blocks import SECTION_LIMIT, button_blocks
from handlers.core import Button
from handlers.i18n import _
from handlers.markup import to_slack

RECENT_LINES = 10


def home_view(*, stats_text: str, recent_text: str) -> dict[str, Any]:
    recent = "\n".join(recent_text.split("\n")[:RECENT_LINES])
    return {
        "type": "home",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": _("This week")}},
            _section(stats_text),
            {"type": "divider"},
            {"type": "header", "text": {"type": "plain_text", "text": _("Your recent activities")}},
            _section(recent),
            *button_blocks([Button(_("Log an activity"), "/log", style="primary"), Button(_("Help"), "/help")]),
        ],
    }


def _section(text: str) -> dict[str, Any]:
    rendered = to_slack(text) or " "
    if len(rendered) > SECTION_LIMIT:
        rendered = rendered[: SECTION_LIMIT - 1] + "…"
    return {"type": "section", "text": {"type": "mrkdwn", "text": rendered}}
