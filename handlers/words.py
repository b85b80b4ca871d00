"""The domain's words that people read — kinds, statuses, places, metrics, periods, weekdays — marked for the
catalog here (storage/ keeps the English source words and imports no translation) and translated on use."""

from __future__ import annotations

from babel.dates import get_day_names

from handlers.i18n import N_, _, babel_locale
from storage.domain import METRICS, PLACE_WORD, Kind, Status

KIND_NAMES: dict[str, str] = {
    Kind.TALK: N_("talk"),
    Kind.EVENT: N_("event"),
    Kind.PARTNERSHIP: N_("partnership"),
    Kind.PUBLICATION: N_("publication"),
    Kind.SOCIAL: N_("social"),
}
STATUS_NAMES: dict[str, str] = {
    Status.PLANNED: N_("planned"),
    Status.DONE: N_("done"),
    Status.CANCELLED: N_("cancelled"),
}
PLACE_NAMES: dict[str, str] = {"venue": N_("venue"), "outlet": N_("outlet"), "network": N_("network")}
# A metric's name is the key people type (audience=300); a language's name is a key the grammar reads too
# (аудитория=300), so what a reply shows can be typed back.
METRIC_NAMES: dict[str, str] = {
    "audience": N_("audience"),
    "stream_views": N_("stream_views"),
    "participants": N_("participants"),
    "views": N_("views"),
    "subscribers": N_("subscribers"),
    "likes": N_("likes"),
    "shares": N_("shares"),
    "comments": N_("comments"),
    "target_actions": N_("target_actions"),
    "contacts": N_("contacts"),
    "hires": N_("hires"),
    "cost": N_("cost"),
    "rating": N_("rating"),
    "nps": N_("nps"),
}
METRIC_DESCRIPTIONS: dict[str, str] = {
    "audience": N_("people in the room"),
    "stream_views": N_("views of the online stream"),
    "participants": N_("people who took part in activities and contests"),
    "views": N_("views of the post or video"),
    "subscribers": N_("subscribers gained"),
    "likes": N_("likes"),
    "shares": N_("shares and reposts"),
    "comments": N_("comments"),
    "target_actions": N_("target actions: clicks, downloads, sign-ups"),
    "contacts": N_("contacts made (leads, people who left details)"),
    "hires": N_("people hired thanks to it (from the recruiting pipeline)"),
    "cost": N_("what it cost, with an optional currency (1500usd)"),
    "rating": N_("the organisers' rating, 1 to 5"),
    "nps": N_("NPS from the organisers' survey, -100 to 100"),
}
# The text fields /update changes, named as the keys people type (a Russian name is a Russian key too).
FIELD_NAMES: dict[str, str] = {
    "title": N_("title"),
    "venue": N_("venue"),
    "url": N_("url"),
    "notes": N_("notes"),
    "date": N_("date"),
    "status": N_("status"),
    "owner": N_("owner"),
    "due": N_("due"),
}
PERIOD_NAMES: dict[str, str] = {"week": N_("week"), "month": N_("month"), "quarter": N_("quarter"), "year": N_("year")}
PURPOSE_NAMES: dict[str, str] = {
    "hiring": N_("hiring"), "brand": N_("brand"), "product": N_("product"), "community": N_("community"),
}
ANSWER_NAMES: dict[str, str] = {"yes": N_("yes"), "partly": N_("partly"), "no": N_("no")}


def kind_name(kind: str) -> str:
    """``talk`` → "talk" / "доклад"."""
    return _(KIND_NAMES.get(kind, kind))


def status_name(status: str) -> str:
    return _(STATUS_NAMES.get(status, status))


def place_name(kind: Kind) -> str:
    """What the kind calls its place: venue, outlet (a publication), network (a social post)."""
    word = PLACE_WORD[kind]
    return _(PLACE_NAMES.get(word, word))


def metric_name(key: str) -> str:
    return _(METRIC_NAMES.get(key, key))


def metric_description(key: str) -> str:
    text = METRIC_DESCRIPTIONS.get(key) or METRICS[key].description
    return _(text)


def field_name(name: str) -> str:
    """A metric or a text field as the current language writes its key: ``views`` / ``просмотры``."""
    return metric_name(name) if name in METRIC_NAMES else _(FIELD_NAMES.get(name, name))


def period_name(name: str) -> str:
    return _(PERIOD_NAMES.get(name, name))


def purpose_name(purpose: str) -> str:
    """``hiring`` → "hiring" / "найм" (a word the grammar reads back in purpose=)."""
    return _(PURPOSE_NAMES.get(purpose, purpose))


def answer_name(answer: str) -> str:
    return _(ANSWER_NAMES.get(answer, answer))


def weekday_name(index: int) -> str:
    """0 = Monday, short, in the current language (Babel's CLDR names): "Mon" / "пн"."""
    return get_day_names("abbreviated", locale=babel_locale())[index]
