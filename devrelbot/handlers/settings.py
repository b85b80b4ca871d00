"""/settings — the team's time zone and currency. Everyone may look; only admins change them.

Weeks, digests and "today" are computed in the team's time zone, and a cost without a currency is in the
team's currency, so a wrong value here quietly skews every number: changes are validated strictly.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from devrelbot import markup
from devrelbot.core import Reply
from devrelbot.handlers.errors import PermissionDenied, UserError
from devrelbot.handlers.parsing import _currencies, tokenize
from devrelbot.handlers.router import Request, registry
from devrelbot.i18n import _
from devrelbot.storage.plan import plan_items
from devrelbot.storage.reminders import reschedule

SETTINGS_EXAMPLE = "/settings timezone=Europe/Berlin currency=EUR"
KEY_ALIASES = {
    "timezone": "timezone", "tz": "timezone", "time_zone": "timezone", "currency": "currency",
    "reminder_hour": "reminder_hour", "reminder_days": "reminder_days_before",
    "reminder_days_before": "reminder_days_before",
}
NUMBER_RANGES = {"reminder_hour": (0, 23), "reminder_days_before": (0, 30)}


@registry.command(
    "settings",
    summary="Show the team's time zone, currency and reminder times; admins change them",
    usage="/settings [timezone=<IANA name>] [currency=<ISO code>] [reminder_hour=<0-23>] [reminder_days=<0-30>]",
    examples=("/settings", SETTINGS_EXAMPLE, "/settings currency=USD", "/settings reminder_hour=10 reminder_days=2"),
    details="Time zones are IANA names (Europe/Berlin, America/New_York, UTC); currencies are ISO codes (EUR, USD).",
)
def settings(req: Request) -> Reply:
    changes = parse_settings(req.args)
    if not changes:
        return Reply(describe(req), ephemeral=True)
    if not req.is_admin:
        raise PermissionDenied(_("Only a team admin can change the settings; ask an admin of your team."))
    for key, value in changes.items():
        setattr(req.team, key, value)
    req.session.add(req.team)
    if {"timezone", "reminder_hour", "reminder_days_before"} & changes.keys():
        # Reminder times are local times: move the pending ones to the new zone or hour.
        for item in plan_items(req.session, team_id=req.team.id, limit=10_000):
            reschedule(req.session, activity=item, team=req.team, now=req.now)
    return Reply("⚙️ " + _("Settings changed.") + "\n" + describe(req))


def describe(req: Request) -> str:
    lines = [
        markup.bold(_("Team settings")),
        f"• {_('time zone')}: {markup.code(req.team.timezone)}",
        f"• {_('currency')}: {markup.code(req.team.currency)}",
        "• " + _("plan reminders: {days} days before and on the due day, at {hour}:00").format(
            days=req.team.reminder_days_before, hour=f"{req.team.reminder_hour:02d}"),
    ]
    if req.is_admin:
        lines.append(_("Change them with {example}").format(example=markup.code(SETTINGS_EXAMPLE)))
    return "\n".join(lines)


def parse_settings(args: str) -> dict[str, str | int]:
    """``timezone=Europe/Berlin currency=eur`` → {"timezone": "Europe/Berlin", "currency": "EUR"}, validated."""
    changes: dict[str, str | int] = {}
    for token in tokenize(args, example=SETTINGS_EXAMPLE):
        key, sep, value = token.text.partition("=")
        name = KEY_ALIASES.get(key.strip().lower())
        if not sep or name is None:
            raise UserError(
                _("I don't know the setting {token}; use timezone=…, currency=…, reminder_hour=… or "
                  "reminder_days=….").format(
                    token=f"“{token.raw[:40]}”"
                ),
                example=SETTINGS_EXAMPLE,
                field=name,
            )
        if name in changes:
            raise UserError(_("{name} is given twice; give it once.").format(name=name), example=SETTINGS_EXAMPLE)
        if name == "timezone":
            changes[name] = parse_timezone(value)
        elif name == "currency":
            changes[name] = parse_currency(value)
        else:
            changes[name] = parse_whole(name, value)
    return changes


def parse_whole(name: str, raw: str) -> int:
    low, high = NUMBER_RANGES[name]
    text = raw.strip()
    if not text.isdigit() or not low <= int(text) <= high:
        raise UserError(
            _("{name} must be a whole number from {low} to {high}, not {token}.").format(
                name=name, low=low, high=high, token=f"“{text[:40]}”"),
            example="/settings reminder_hour=10 reminder_days=2",
            field=name,
        )
    return int(text)


def parse_timezone(raw: str) -> str:
    name = raw.strip()
    try:
        if not name:
            raise ValueError(name)
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(
            _("{token} is not a time zone; use an IANA name like Europe/Berlin, America/New_York or UTC.").format(
                token=f"“{name[:40]}”"
            ),
            example=SETTINGS_EXAMPLE,
            field="timezone",
        ) from None
    return name


def parse_currency(raw: str) -> str:
    code = raw.strip().upper()
    if code not in _currencies():
        raise UserError(
            _("{token} is not a currency code; use three letters like EUR, USD or GBP.").format(
                token=f"“{raw.strip()[:40]}”"
            ),
            example=SETTINGS_EXAMPLE,
            field="currency",
        )
    return code
