"""/settings — the team's time zone and currency. Everyone may look; only admins change them.

Weeks, digests and "today" are computed in the team's time zone, and a cost without a currency is in the
team's currency, so a wrong value here quietly skews every number: changes are validated strictly.
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from handlers import markup
from handlers.core import Reply
from handlers.errors import UserError, quote_token
from handlers.i18n import LOCALES, _, ngettext, use_locale
from handlers.parsing import _currencies, parse_purpose, parse_text, tokenize
from handlers.permissions import Edits
from handlers.render import DASH
from handlers.router import Request, registry
from handlers.setting_text import setting_name, setting_value
from handlers.settings_orbit import ORBIT_EXAMPLE, describe_orbit, orbit_of, orbit_settings
from handlers.words import weekday_name
from storage.digests import WEEKDAYS, reschedule_digest
from storage.emoji import normalize_emoji
from storage.feedback.emoji_map import DEFAULT_EMOJI_MAP, set_emoji_map
from storage.history import shown
from storage.plan import plan_items
from storage.reminders import reschedule

SETTINGS_EXAMPLE = "/settings timezone=Europe/Berlin currency=EUR"
KEY_ALIASES = {
    "timezone": "timezone", "tz": "timezone", "time_zone": "timezone", "currency": "currency",
    "reminder_hour": "reminder_hour", "reminder_days": "reminder_days_before",
    "reminder_days_before": "reminder_days_before", "polls": "polls_anonymous", "digest": "digest",
    "language": "locale", "lang": "locale", "locale": "locale", "язык": "locale",
    "purpose": "default_purpose", "actions": "target_action_name", "target_actions": "target_action_name",
    "назначение": "default_purpose", "действия": "target_action_name", "edits": "edits", "правки": "edits",
}
# What a person may write for a language; stored as the catalog's code.
LANGUAGE_NAMES = {"en": "en", "english": "en", "английский": "en", "ru": "ru", "russian": "ru", "русский": "ru"}
PURPOSE_EXAMPLE = "/settings purpose=hiring"
ACTIONS_EXAMPLE = '/settings actions="vacancy responses"'
MAX_ACTION_NAME = 60
DIGEST_EXAMPLE = "/settings digest=mon 10:00"
# "digest=mon 10:00" is one setting written with a space: joined before the words are split.
_DIGEST_SPACED = re.compile(r"\bdigest=([A-Za-z]+)\s+(\d{1,2}(?::\d{2})?)\b", re.I)
_DIGEST_VALUE = re.compile(r"^([A-Za-z]+)[@ ,]?(\d{1,2})(?::(\d{2}))?$")
POLL_PRIVACY = {"anonymous": True, "public": False}
EDITS_EXAMPLE = "/settings edits=team"
EMOJI_EXAMPLE = "/settings emoji 🔥=5 👍=4 😐=3 👎=1"
NUMBER_RANGES = {"reminder_hour": (0, 23), "reminder_days_before": (0, 30)}


@registry.command(
    "settings",
    summary="Show the team's settings (time zone, currency, language, reminders, digest, feedback, purpose); "
    "admins change them",
    usage="/settings [timezone=<IANA name>] [currency=<ISO code>] [language=en|ru] [reminder_hour=<0-23>] "
    "[reminder_days=<0-30>] "
    "[polls=anonymous|public] [digest=<day> <hour>] [purpose=hiring|brand|product|community|none] "
    "[actions=\"<what target actions are called>\"] [edits=owners|team]  ·  /settings emoji <emoji>=<1-5> …  ·  "
    "/settings orbit [reaction=<n>] [poll=<n>] [attendance=<n>] [talk=<n>] [levels=<l1>/<l2>/<l3>]",
    examples=("/settings", SETTINGS_EXAMPLE, "/settings currency=USD", "/settings language=ru",
              "/settings reminder_hour=10 reminder_days=2", EMOJI_EXAMPLE, "/settings polls=public", DIGEST_EXAMPLE,
              PURPOSE_EXAMPLE, ACTIONS_EXAMPLE, EDITS_EXAMPLE, ORBIT_EXAMPLE),
    admin_examples=("/settings timezone=Europe/Berlin", "/settings currency=EUR", "/settings language=ru",
                    "/settings reminder_hour=7", "/settings polls=public", "/settings emoji 🔥=5 👍=4",
                    "/settings emoji default", DIGEST_EXAMPLE, PURPOSE_EXAMPLE, ACTIONS_EXAMPLE, EDITS_EXAMPLE,
                    ORBIT_EXAMPLE),
    details=(
        "Time zones are IANA names (Europe/Berlin, America/New_York, UTC); currencies are ISO codes (EUR, USD). "
        "The emoji map says what each reaction on a feedback card is worth; /settings emoji default restores it. "
        "purpose= is what /log gives an activity that names none; actions= is what your target actions are "
        "(vacancy responses, sign-ups), as reports and /funnel call them. "
        "edits= says who may add numbers to someone else's activity: its owner and admins only (owners, the "
        "default) or every member (team)."
    ),
)
def settings(req: Request) -> Reply:
    words = req.args.split()
    if words and words[0].lower() == "emoji":
        return _emoji(req, words[1:])
    if words and words[0].lower() == "orbit":
        return orbit_settings(req, words[1:])
    changes = parse_settings(req.args)
    if not changes:
        return Reply(describe(req), ephemeral=True)
    for key, value in changes.items():
        if key == "digest":
            assert isinstance(value, tuple)  # parse_settings gives (weekday, hour)
            req.team.digest_weekday, req.team.digest_hour = value
        else:
            setattr(req.team, key, value)
    req.session.add(req.team)
    if {"timezone", "digest"} & changes.keys():
        reschedule_digest(req.session, team=req.team, now=req.now)
    if {"timezone", "reminder_hour", "reminder_days_before"} & changes.keys():
        # Reminder times are local times: move the pending ones to the new zone or hour.
        for item in plan_items(req.session, team_id=req.team_id, limit=10_000):
            reschedule(req.session, activity=item, team=req.team, now=req.now)
    # A new language answers in itself straight away.
    with use_locale(req.team.locale):
        return Reply("⚙️ " + _("Settings changed.") + "\n" + describe(req))


def describe(req: Request) -> str:
    lines = [
        markup.bold(_("Team settings")),
        _setting(req, "timezone", code=True),
        _setting(req, "currency", code=True),
        _setting(req, "locale", code=True),
        _setting(req, "feedback_emoji"),
        _setting(req, "polls_anonymous"),
        "• " + ngettext("plan reminders: {days} day before and on the due day, at {hour}:00",
                        "plan reminders: {days} days before and on the due day, at {hour}:00",
                        req.team.reminder_days_before).format(
            days=req.team.reminder_days_before, hour=f"{req.team.reminder_hour:02d}"),
        "• " + _("weekly digest: {day} {hour}:00 (/digest shows where)").format(
            day=weekday_name(req.team.digest_weekday).lower(), hour=f"{req.team.digest_hour:02d}"),
        _setting(req, "default_purpose"),
        _setting(req, "target_action_name"),
        _setting(req, "edits"),
        describe_orbit(orbit_of(req)),
    ]
    if req.is_admin:
        lines.append(_("Change them with {example}").format(example=markup.code(SETTINGS_EXAMPLE)))
    return "\n".join(lines)


def _setting(req: Request, column: str, *, code: bool = False) -> str:
    """``• time zone: Europe/Berlin`` — named and written as /history settings shows its changes."""
    value = setting_value(column, shown(getattr(req.team, column))) or DASH
    return f"• {setting_name(column)}: " + (markup.code(value) if code else markup.escape(value))


def parse_settings(args: str) -> dict[str, object]:
    """``timezone=Europe/Berlin currency=eur`` → {"timezone": "Europe/Berlin", "currency": "EUR"}, validated."""
    changes: dict[str, object] = {}
    for token in tokenize(_DIGEST_SPACED.sub(r"digest=\1@\2", args), example=SETTINGS_EXAMPLE):
        key, sep, value = token.text.partition("=")
        name = KEY_ALIASES.get(key.strip().lower())
        if not sep or name is None:
            raise UserError(
                _("I don't know the setting {token}; use timezone=…, currency=…, language=…, reminder_hour=…, "
                  "reminder_days=…, polls=…, digest=…, purpose=…, actions=… or edits=….").format(
                    token=quote_token(token.raw)
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
        elif name == "digest":
            changes[name] = parse_digest_time(value)
        elif name == "locale":
            changes[name] = parse_language(value)
        elif name == "default_purpose":
            changes[name] = None if value.strip().lower() == "none" else parse_purpose(
                value, example=PURPOSE_EXAMPLE).value
        elif name == "target_action_name":
            text = " ".join(value.split())
            changes[name] = None if text.lower() in ("", "default") else parse_text(
                "actions", text, limit=MAX_ACTION_NAME, example=ACTIONS_EXAMPLE)
        elif name == "edits":
            changes[name] = parse_edits(value)
        elif name == "polls_anonymous":
            if value.strip().lower() not in POLL_PRIVACY:
                raise UserError(_("polls is “anonymous” or “public”."), example="/settings polls=public",
                                field=name)
            changes[name] = POLL_PRIVACY[value.strip().lower()]
        else:
            changes[name] = parse_whole(name, value)
    return changes


def _emoji(req: Request, pairs: list[str]) -> Reply:
    if not pairs:
        return Reply(describe(req), ephemeral=True)
    mapping = DEFAULT_EMOJI_MAP if [p.lower() for p in pairs] == ["default"] else parse_emoji_map(pairs)
    set_emoji_map(req.session, team=req.team, mapping=mapping)
    return Reply("⚙️ " + _("Settings changed.") + "\n" + describe(req))


def parse_emoji_map(pairs: list[str]) -> dict[str, int]:
    """``🔥=5 :+1:=4 thumbsdown=1`` → {"🔥": 5, "👍": 4, "👎": 1}: each emoji once, scores 1 to 5."""
    mapping: dict[str, int] = {}
    for pair in pairs:
        raw, sep, score = pair.rpartition("=")
        emoji = normalize_emoji(raw) if sep else ""
        if not emoji or not score.isdigit() or not 1 <= int(score) <= 5:
            raise UserError(
                _("{token} is not emoji=score with a score from 1 to 5.").format(token=quote_token(pair)),
                example=EMOJI_EXAMPLE,
            )
        if emoji in mapping:
            raise UserError(_("{emoji} is given twice; give it once.").format(emoji=emoji), example=EMOJI_EXAMPLE)
        mapping[emoji] = int(score)
    return mapping


def parse_digest_time(raw: str) -> tuple[int, int]:
    """``mon@10:00`` (from ``digest=mon 10:00``) → (0, 10): a weekday and a whole hour."""
    m = _DIGEST_VALUE.match(raw.strip())
    day = m.group(1).lower()[:3] if m else ""
    if not m or day not in WEEKDAYS or not 0 <= int(m.group(2)) <= 23 or m.group(3) not in (None, "00"):
        raise UserError(
            _("digest takes a weekday and a whole hour, like mon 10:00 — not {token}.").format(
                token=quote_token(raw.replace('@', ' '))),
            example=DIGEST_EXAMPLE, field="digest",
        )
    return WEEKDAYS.index(day), int(m.group(2))


def parse_edits(raw: str) -> str:
    """``edits=team``: every member may add numbers to any activity; ``edits=owners``: its owner and admins."""
    word = raw.strip().lower()
    if word not in {e.value for e in Edits}:
        raise UserError(_("edits is “owners” (an activity's owner and admins add its numbers) or “team” (every "
                          "member may), not {token}.").format(token=quote_token(raw.strip())),
                        example=EDITS_EXAMPLE, field="edits")
    return word


def parse_whole(name: str, raw: str) -> int:
    low, high = NUMBER_RANGES[name]
    text = raw.strip()
    if not text.isdigit() or not low <= int(text) <= high:
        raise UserError(
            _("{name} must be a whole number from {low} to {high}, not {token}.").format(
                name=name, low=low, high=high, token=quote_token(text)),
            example="/settings reminder_hour=10 reminder_days=2",
            field=name,
        )
    return int(text)


def parse_language(raw: str) -> str:
    code = LANGUAGE_NAMES.get(raw.strip().lower())
    if code is None:
        raise UserError(
            _("{token} is not a language I speak; use {choices}.").format(
                token=quote_token(raw.strip()), choices=" / ".join(LOCALES)
            ),
            example="/settings language=ru",
            field="language",
        )
    return code


def parse_timezone(raw: str) -> str:
    name = raw.strip()
    try:
        if not name:
            raise ValueError(name)
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(
            _("{token} is not a time zone; use an IANA name like Europe/Berlin, America/New_York or UTC.").format(
                token=quote_token(name)
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
                token=quote_token(raw.strip())
            ),
            example=SETTINGS_EXAMPLE,
            field="currency",
        )
    return code
