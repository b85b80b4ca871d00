"""The Slack door: a slack-bolt AsyncApp in the bot's event loop, in Socket Mode or HTTP mode.

Only this package imports slack_bolt / slack_sdk, and ``bot/app.py`` imports it only when SLACK_BOT_TOKEN is
set, so the console starts without loading the SDK. The pure parts (Block Kit, the /log modal, App Home,
inbound text) live in their own modules and are tested without Slack.
"""

from bot.slack.door import SlackDoor

__all__ = ["SlackDoor"]
