"""A Reply as Slack Block Kit: mrkdwn sections (via markup.to_slack) and an actions block of buttons.

A button carries its command line as its value; a click dispatches that line as the clicking user, so
typed and clicked input share one path.
"""

from __future__ import annotations

from typing import Any

from handlers.core import Button, Reply
from handlers.markup import strip_bidi, to_slack

BUTTON_ACTION_PREFIX = "devrelbot_button_"
SECTION_LIMIT = 3000  # Slack's limit for a section's text
FALLBACK_LIMIT = 3000  # the notification text; long enough for any reply, short of Slack's 40k
BUTTONS_PER_BLOCK = 25
BUTTON_LABEL_LIMIT = 75
BUTTON_VALUE_LIMIT = 2000

Block = dict[str, Any]


def reply_blocks(reply: Reply) -> list[Block]:
    blocks: list[Block] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": chunk}} for chunk in _chunks(to_slack(reply.text))
    ]
    if reply.buttons:
        blocks.extend(button_blocks(reply.buttons))
    return blocks


def fallback_text(reply: Reply) -> str:
    """The top-level ``text`` Slack shows in notifications and screen readers."""
    text = to_slack(reply.text)
    return text if len(text) <= FALLBACK_LIMIT else text[: FALLBACK_LIMIT - 1] + "…"


def button_blocks(buttons: tuple[Button, ...] | list[Button]) -> list[Block]:
    elements = [button_element(button, index) for index, button in enumerate(buttons)]
    return [
        {"type": "actions", "elements": elements[i : i + BUTTONS_PER_BLOCK]}
        for i in range(0, len(elements), BUTTONS_PER_BLOCK)
    ]


def button_element(button: Button, index: int) -> Block:
    label = strip_bidi(button.label)
    label = label if len(label) <= BUTTON_LABEL_LIMIT else label[: BUTTON_LABEL_LIMIT - 1] + "…"
    element: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": label, "emoji": True},
        # action ids must be unique within a message; the index keeps them so
        "action_id": f"{BUTTON_ACTION_PREFIX}{index}",
        "value": button.command[:BUTTON_VALUE_LIMIT],
    }
    if button.style != "default":
        element["style"] = button.style
    return element


def _chunks(text: str) -> list[str]:
    """Split at line breaks into pieces a section accepts; a single over-long line is cut hard."""
    if not text:
        return [" "]
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > SECTION_LIMIT:
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:SECTION_LIMIT])
            line = line[SECTION_LIMIT:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > SECTION_LIMIT:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current or not chunks:
        chunks.append(current or " ")
    return chunks
