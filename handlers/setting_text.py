"""A team setting as people know it from /settings: its name and its value written the way /settings writes it.
/settings lists them; /history settings shows their changes with the same words (never a column name such as
``digest_weekday``). Values arrive as the history keeps them (text, booleans as on/off, see
:func:`storage.history.shown`); None is the setting's default where it has one."""

from __future__ import annotations

from handlers.i18n import N_, _
from handlers.permissions import Edits
from handlers.render import purpose_word
from handlers.settings_orbit import orbit_text
from handlers.words import weekday_name
from storage.community.orbit import Orbit
from storage.feedback.emoji_map import format_emoji_map, parsed_emoji_map

# The team row's columns, by the name /settings gives each. A setting /settings writes in one sentence with
# another (the reminders, the digest's day and hour) is named for its part of that sentence.
SETTING_NAMES = {
    "timezone": N_("time zone"),
    "currency": N_("currency"),
    "locale": N_("language"),
    "feedback_emoji": N_("feedback emoji"),
    "polls_anonymous": N_("polls"),
    "reminder_days_before": N_("plan reminders, days before"),
    "reminder_hour": N_("plan reminders, hour"),
    "digest_weekday": N_("weekly digest, day"),
    "digest_hour": N_("weekly digest, hour"),
    "default_purpose": N_("default purpose"),
    "target_action_name": N_("target actions are called"),
    "edits": N_("numbers of an activity added by"),
    "orbit": N_("community weights"),
}


def setting_name(column: str) -> str:
    """``digest_weekday`` → "weekly digest, day" / "еженедельный дайджест, день"."""
    return _(SETTING_NAMES[column]) if column in SETTING_NAMES else column


def setting_value(column: str, value: str | None) -> str | None:
    """A stored value as /settings writes it: ``on`` → "anonymous" for polls, ``0`` → "mon" for the digest's
    day, ``9`` → "09:00" for an hour; None (no value) where the setting has no default."""
    try:
        return _value(column, value)
    except (ValueError, IndexError):  # a value no version of /settings wrote: shown as kept
        return value


def _value(column: str, value: str | None) -> str | None:
    if column == "feedback_emoji":
        return format_emoji_map(parsed_emoji_map(value))
    if column == "orbit":
        return orbit_text(Orbit.loads(value))
    if column == "default_purpose":
        return purpose_word(value) if value else _("none")
    if column == "target_action_name":
        return value or _("target actions")
    if value is None:
        return None
    if column == "polls_anonymous":
        return _("anonymous") if value == "on" else _("public")
    if column in ("reminder_hour", "digest_hour"):
        return f"{int(value):02d}:00"
    if column == "digest_weekday":
        return weekday_name(int(value)).lower()
    if column == "edits":
        return _("every member") if value == Edits.TEAM.value else _("its owner and admins")
    return value
