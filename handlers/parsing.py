"""The forgiving one-line grammar shared by /log and /update (and later /plan).

``/log <kind> <title> [@ venue] [date] [key=value …] [#tag …] [url] [@person]``

Every function here either returns a value or raises :class:`UserError` with the offending token
quoted and an example; nothing else escapes (a property test holds us to it).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from babel.dates import get_month_names
from babel.numbers import list_currencies

from handlers.errors import IncompleteCommand, UserError, quote_token
from handlers.i18n import LOCALES, N_, _, ngettext
from handlers.safe_text import char_name, first_control_char
from handlers.words import field_name, kind_name, metric_description, metric_name, place_name
from storage.domain import (
    KIND_ALIASES,
    METRIC_ALIASES,
    METRICS,
    PLACE_WORD,
    STATUS_ALIASES,
    TEXT_KEY_ALIASES,
    Kind,
    Purpose,
    Status,
    metrics_for,
    resolve_kind,
    resolve_purpose,
)

MAX_TITLE = 200
MAX_TEXT = 200
MAX_NOTES = 2000
MAX_URL = 2000
MAX_COUNT = 2_000_000_000
MAX_COST = Decimal("999999999999")
MIN_YEAR = 2000
YEARS_AHEAD = 5

QUOTES = {'"': '"', "'": "'", "«": "»", "“": "”", "„": "“"}
CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "₽": "RUB", "¥": "JPY", "₸": "KZT", "₴": "UAH"}
# Currency words people write after an amount (``1 500 руб``), on top of the symbols and ISO codes.
CURRENCY_WORDS = {
    "р": "RUB", "руб": "RUB", "рубль": "RUB", "рубля": "RUB", "рублей": "RUB",
    "евро": "EUR", "долл": "USD", "доллар": "USD", "доллара": "USD", "долларов": "USD",
    "тенге": "KZT", "грн": "UAH",
}

# Examples shown with an error are translated: a Russian team is shown a line in Russian (which parses too, a
# test holds the catalog to it). Callers translate them with ``_`` where they show them.
EXAMPLES: dict[Kind, str] = {
    Kind.TALK: N_('/log talk "Scaling Postgres" @ HighLoad++ 2026-11-20 audience=300 contacts=25 #backend #dba'),
    Kind.EVENT: N_('/log meetup "Go Meetup #3" @ Office 20.11.2026 audience=80 stream_views=1.2k cost=500usd'),
    Kind.PARTNERSHIP: N_('/log booth "DevConf booth" @ DevConf 2026-10-02 participants=150 contacts=90 cost=3000usd'),
    Kind.PUBLICATION: N_('/log article "Why we moved to Kafka" @ Habr 2026-11-01 views=12k likes=140'),
    Kind.SOCIAL: N_('/log tweet "Release 2.0 thread" @ X yesterday views=5k likes=80 shares=12'),
}
LOG_EXAMPLE = EXAMPLES[Kind.TALK]
UPDATE_EXAMPLE = N_("/update 42 views=15000 likes=120 status=done")

_KEY_VALUE = re.compile(r"^([^\W\d]\w*)=(.*)$", re.S)
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.I)
_TAG = re.compile(r"^#([\w-]{1,40})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DOT_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_DAY_MONTH = re.compile(r"^(\d{1,2})\.(\d{1,2})$")  # 20.11: the nearest 20 November
_WORD_DATE = re.compile(r"^(\d{1,2}) ([^\W\d_]+)\.?(?: (\d{4}))?$")  # 20 ноября, 20 ноя 2026, 20 Nov
# Digits with date separators that are none of the forms above (20/11, 2026.11.20): refused as a date,
# never taken for a venue or a title.
_DATE_LIKE = re.compile(r"^\d{1,4}[./-]\d{1,2}(?:[./-]\d{1,4})?$")
_DAY = re.compile(r"^\d{1,2}$")
_YEAR = re.compile(r"^\d{4}$")
_THOUSANDS = re.compile(r"^\d{3}$")
_GROUPED = re.compile(r"^\d{1,3}(?: \d{3})*$")
_COUNT = re.compile(r"^(\d[\d,. ]*?)\s*([kKmMкКмМ]?)$")
_MONEY = re.compile(r"^([$€£₽¥₸₴]?)(\d[\d,. ]*?)\s*([kKmMкКмМ]?)\s*([^\W\d_]+\.?|[$€£₽¥₸₴])?$")
# How a number may be written (after spaces of any kind became one plain space). Thousands are grouped by
# commas (12,000 and 1,500.50) or spaces (12 000, 12 000,50); a decimal comma is read only where it cannot be a
# thousands separator: before k or m (1,5k). Anything else with a comma, or 1.500 (a thousands dot, or three
# decimals?), is ambiguous and refused — a wrong figure silently stored is worse than a question.
_GROUPED_COMMA = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_GROUPED_SPACE = re.compile(r"^\d{1,3}(?: \d{3})+(?:[.,]\d+)?$")
_PLAIN = re.compile(r"^\d+(?:\.\d+)?$")
_DECIMAL_COMMA = re.compile(r"^\d+,(?!\d{3}$)\d+$")
_THOUSANDS_DOT = re.compile(r"^\d{1,3}(?:\.\d{3})+$")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
DUE_WORDS = frozenset({"due", "срок"})  # /plan add … due 2026-12-10, срок 10.12.2026
RELATIVE_DAYS = {
    "today": 0, "yesterday": -1, "tomorrow": 1,
    "сегодня": 0, "вчера": -1, "завтра": 1, "позавчера": -2, "послезавтра": 2,
}
DATE_FORMS = "2026-11-20, 20.11.2026, 20.11, 20 ноября, 20 Nov 2026, today, yesterday, tomorrow, сегодня, вчера, завтра"


@cache  # built on first use, not at import: reading CLDR's data for every language is ~20 ms of each start-up
def _month_words() -> dict[str, int]:
    """Month names in every language the bot speaks, as Babel's CLDR data spells them (ноября, нояб., ноябрь,
    November, Nov), plus the three-letter stems people type (ноя, сен)."""
    words: dict[str, int] = {}
    for locale in LOCALES:
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for month, name in get_month_names(width, context, locale=locale).items():
                    name = name.lower().rstrip(".")
                    words.setdefault(name, int(month))
                    words.setdefault(name[:3], int(month))
    return words


@dataclass(frozen=True)
class Token:
    text: str  # the value, quotes removed
    raw: str  # as typed
    quoted: bool = False
    is_date: bool = False  # marked as a date by its context (``due <date>``), so it must parse as one


@dataclass
class Fields:
    """What the rest of a /log or /update line said, already validated."""

    venue: str | None = None
    on: date | None = None
    values: dict[str, Any] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    url: str | None = None
    owner: str | None = None
    status: Status | None = None
    title: str | None = None
    notes: str | None = None

    def is_empty(self) -> bool:
        return not (self.values or self.tags or any(
            v is not None for v in (self.venue, self.on, self.url, self.owner, self.status, self.title, self.notes)))


@dataclass(frozen=True)
class LogCommand:
    kind: Kind
    title: str
    fields: Fields


# --- tokens -----------------------------------------------------------------------------------------


def tokenize(text: str, *, example: str = LOG_EXAMPLE) -> list[Token]:
    """Split on white space; a quote at the start of a token (or right after ``key=``) runs to its match."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start = i
        if text[i] in QUOTES:
            close = _closingquote_token(text, i, example)
            tokens.append(Token(text[i + 1 : close], text[start : close + 1], quoted=True))
            i = close + 1
            continue
        while i < n and not text[i].isspace():
            if text[i] == "=" and i + 1 < n and text[i + 1] in QUOTES:
                close = _closingquote_token(text, i + 1, example)
                key = text[start:i]
                tokens.append(Token(f"{key}={text[i + 2 : close]}", text[start : close + 1], quoted=True))
                i = close + 1
                break
            i += 1
        else:
            tokens.append(Token(text[start:i], text[start:i]))
    return _merge_word_dates(tokens)


def _merge_word_dates(tokens: list[Token]) -> list[Token]:
    """``20 ноября 2026`` is one date written as two or three words: a day, a month-like word (a misspelt
    month too, so that it is refused as a date rather than read as part of a venue), an optional year."""
    merged: list[Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if (
            nxt is not None
            and not token.quoted
            and not nxt.quoted
            and _DAY.match(token.text)
            and _looks_like_month(nxt.text)
        ):
            words = [token, nxt]
            if i + 2 < len(tokens) and not tokens[i + 2].quoted and _YEAR.match(tokens[i + 2].text):
                words.append(tokens[i + 2])
            text = " ".join(w.text for w in words)
            merged.append(Token(text, " ".join(w.raw for w in words), is_date=True))
            i += len(words)
        else:
            merged.append(token)
            i += 1
    return merged


def _looks_like_month(word: str) -> bool:
    word = word.lower().rstrip(".")
    if not word.isalpha():
        return False
    month_words = _month_words()
    return word in month_words or (
        len(word) >= 4 and bool(difflib.get_close_matches(word, list(month_words), n=1, cutoff=0.8))
    )


def _closingquote_token(text: str, open_at: int, example: str) -> int:
    close = text.find(QUOTES[text[open_at]], open_at + 1)
    if close == -1:
        fragment = text[open_at : open_at + 30]
        raise UserError(
            _("Unbalanced quote: {fragment} has no closing {quote}.").format(
                fragment=quote_token(fragment + ("…" if len(text) - open_at > 30 else "")), quote=QUOTES[text[open_at]]
            ),
            example=example,
        )
    return close


def is_date_word(token: Token) -> bool:
    if token.is_date:
        return True
    if token.quoted:
        return False
    word = token.text.lower()
    return word in RELATIVE_DAYS or bool(_ISO_DATE.match(word) or _DATE_LIKE.match(word))


def _is_special(token: Token) -> bool:
    """A token that ends an unquoted title or venue."""
    if token.quoted:
        return False
    t = token.text
    return t.startswith(("@", "#")) or bool(_URL.match(t)) or bool(_KEY_VALUE.match(t)) or is_date_word(token)


# --- values -----------------------------------------------------------------------------------------


def parse_date(word: str, *, today: date, example: str = LOG_EXAMPLE) -> date:
    lowered = " ".join(word.lower().split())
    year: int | None
    if lowered in RELATIVE_DAYS:
        return today + timedelta(days=RELATIVE_DAYS[lowered])
    if m := _ISO_DATE.match(lowered):
        year, month, day = (int(g) for g in m.groups())
    elif m := _DOT_DATE.match(lowered):
        day, month, year = (int(g) for g in m.groups())
    elif m := _DAY_MONTH.match(lowered):
        day, month, year = int(m.group(1)), int(m.group(2)), None
    elif (m := _WORD_DATE.match(lowered)) and m.group(2) in _month_words():
        day, month = int(m.group(1)), _month_words()[m.group(2)]
        year = int(m.group(3)) if m.group(3) else None
    else:
        raise UserError(
            _("{token} is not a date I know. Write it like one of these: {forms}.").format(
                token=quote_token(word), forms=DATE_FORMS
            ),
            example=example,
            field="date",
        )
    try:
        parsed = date(year, month, day) if year is not None else _nearest(today, month, day)
    except ValueError:
        raise UserError(
            _("{token} is not a real calendar date.").format(token=quote_token(word)), example=example, field="date"
        ) from None
    latest = today.year + YEARS_AHEAD
    if not MIN_YEAR <= parsed.year <= latest:
        raise UserError(
            _("The date {token} is out of range: use a year between {low} and {high}.").format(
                token=quote_token(word), low=MIN_YEAR, high=latest
            ),
            example=example,
            field="date",
        )
    return parsed


def _nearest(today: date, month: int, day: int) -> date:
    """A day and month without a year (20.11, 20 ноября): the one nearest today, so last month's talk and
    next month's meetup both land in the right year."""
    candidates = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:  # 29 February in another year
            continue
    if not candidates:
        raise ValueError(f"{day}.{month}")
    return min(candidates, key=lambda d: abs((d - today).days))


def _scaled(number: str, suffix: str, *, key: str, raw: str, example: str, field: str | None = None) -> Decimal:
    """The number as written (see the patterns above) times its k or m."""
    if suffix:
        readable = bool(_PLAIN.match(number) or _DECIMAL_COMMA.match(number))
    else:
        readable = bool(_GROUPED_COMMA.match(number) or _GROUPED_SPACE.match(number)
                        or (_PLAIN.match(number) and not _THOUSANDS_DOT.match(number)))
    if not readable:
        raise UserError(
            _("{key}={token} is ambiguous: write thousands as 1,500 or 1 500 and decimals with a point, "
              "like 1.50 (or 1,5k).").format(key=key, token=quote_token(raw)),
            example=example,
            field=field or key,
        )
    if suffix or _GROUPED_SPACE.match(number):  # the comma can only be a decimal one
        number = number.replace(" ", "").replace(",", ".")
    value = Decimal(number.replace(",", ""))
    return value * {"": 1, "k": 1000, "к": 1000, "m": 1_000_000, "м": 1_000_000}[suffix.lower()]


def _normalized_number(raw: str) -> str:
    """Underscores dropped, any run of (no-break, thin) spaces made one plain space."""
    return _SPACES.sub(" ", raw.strip().replace("_", ""))


def parse_count(key: str, raw: str, *, example: str) -> int:
    field, key = key, metric_name(key)  # the message names it as the language writes it (аудитория)
    text = _normalized_number(raw)
    if text.startswith("-") and _COUNT.match(text[1:]):
        raise UserError(
            _("{key} cannot be negative: {token}.").format(key=key, token=quote_token(raw)),
            example=example,
            field=field,
        )
    m = _COUNT.match(text)
    if not m:
        raise UserError(
            _("{key} must be a whole number like 300, 12,000, 12k or 1.5k, not {token}.").format(
                key=key, token=quote_token(raw)
            ),
            example=example,
            field=field,
        )
    value = _scaled(*m.groups(), key=key, raw=raw, example=example, field=field)
    if value != value.to_integral_value():
        raise UserError(
            _("{key} must be a whole number; {token} is {value}.").format(key=key, token=quote_token(raw), value=value),
            example=example,
            field=field,
        )
    if value > MAX_COUNT:
        raise UserError(
            _("{key}={token} is larger than any real audience; check the number.").format(key=key, token=raw),
            example=example,
            field=field,
        )
    return int(value)


def parse_rating(raw: str, *, example: str) -> float:
    try:
        value = float(Decimal(raw.strip().replace(",", ".")))
    except (InvalidOperation, ValueError):
        raise UserError(
            _("rating must be a number from 1 to 5, not {token}.").format(token=quote_token(raw)),
            example=example,
            field="rating",
        ) from None
    if not 1 <= value <= 5:
        raise UserError(
            _("rating must be from 1 to 5; {token} is outside.").format(token=quote_token(raw)),
            example=example,
            field="rating",
        )
    return round(value, 2)


def parse_nps(raw: str, *, example: str) -> int:
    text = raw.strip()
    if not re.fullmatch(r"[+-]?\d{1,4}", text):
        raise UserError(
            _("nps must be a whole number from -100 to 100, not {token}.").format(token=quote_token(raw)),
            example=example,
            field="nps",
        )
    value = int(text)
    if not -100 <= value <= 100:
        raise UserError(
            _("nps must be from -100 to 100; {token} is outside.").format(token=quote_token(raw)),
            example=example,
            field="nps",
        )
    return value


def parse_money(raw: str, *, default_currency: str, example: str) -> tuple[Decimal, str]:
    """``1500``, ``1500usd``, ``2.5kEUR``, ``$200``, ``€200``, ``1500₽``, ``1 500 руб``."""
    text = _normalized_number(raw)
    if text.startswith("-"):
        raise UserError(
            _("cost cannot be negative: {token}.").format(token=quote_token(raw)), example=example, field="cost"
        )
    m = _MONEY.match(text)
    read = _amount_and_currency(m.group(3), m.group(4)) if m else None
    if m is None or read is None:
        if m and m.group(4):
            raise UserError(
                _("{code} in {token} is not a currency code I know; use ISO codes like USD, EUR, RUB.").format(
                    code=m.group(4), token=quote_token(raw)
                ),
                example=example,
                field="cost",
            )
        raise UserError(
            _("cost must be an amount with an optional currency, like 1500, 1500usd, 1 500 руб or €200 — "
              "not {token}.").format(token=quote_token(raw)),
            example=example,
            field="cost",
        )
    prefix, number = m.group(1), m.group(2)
    suffix, named = read
    if prefix and named and CURRENCY_SYMBOLS[prefix] != named:
        raise UserError(
            _("cost {token} names two currencies.").format(token=quote_token(raw)), example=example, field="cost"
        )
    code = CURRENCY_SYMBOLS.get(prefix) or named or default_currency
    if code not in _currencies():
        raise UserError(
            _("{code} in {token} is not a currency code I know; use ISO codes like USD, EUR, RUB.").format(
                code=code, token=quote_token(raw)
            ),
            example=example,
            field="cost",
        )
    amount = _scaled(number.strip(), suffix, key="cost", raw=raw, example=example).quantize(Decimal("0.01"))
    if amount > MAX_COST:
        raise UserError(
            _("cost {token} is too large; check the number.").format(token=quote_token(raw)),
            example=example,
            field="cost",
        )
    return amount, code


def _amount_and_currency(suffix: str, tail: str | None) -> tuple[str, str | None] | None:
    """What follows the digits: a scale (k, к, m, м) and/or a currency (₽, руб, usd). ``1500mxn`` is pesos,
    ``2.5kEUR`` is 2 500 euros: the currency reading wins when both read."""
    candidates = [(suffix, tail)]
    if suffix and tail is not None:
        candidates.insert(0, ("", suffix + tail))
    if suffix and tail is None:
        candidates.append(("", suffix))
    for scale, word in candidates:
        if word is None:
            return scale, None
        code = _currency_code(word)
        if code is not None:
            return scale, code
    return None


def _currency_code(word: str) -> str | None:
    lowered = word.lower().rstrip(".")
    code = CURRENCY_SYMBOLS.get(word) or CURRENCY_WORDS.get(lowered) or word.upper()
    return code if code in _currencies() else None


_CURRENCIES: frozenset[str] | None = None


def _currencies() -> frozenset[str]:
    global _CURRENCIES
    if _CURRENCIES is None:
        _CURRENCIES = frozenset(list_currencies())
    return _CURRENCIES


def parse_status(raw: str, *, example: str) -> Status:
    status = STATUS_ALIASES.get(raw.strip().lower())
    if status is None:
        raise UserError(
            _("status must be planned, done or cancelled, not {token}.").format(token=quote_token(raw)),
            example=example,
            field="status",
        )
    return status


def parse_purpose(raw: str, *, example: str) -> Purpose:
    purpose = resolve_purpose(raw)
    if purpose is None:
        raise UserError(
            _("purpose must be hiring, brand, product or community, not {token}.").format(token=quote_token(raw)),
            example=example,
            field="purpose",
        )
    return purpose


def parse_text(key: str, raw: str, *, limit: int, example: str) -> str:
    field, key = key, field_name(key)  # named as the language writes the key (название, место)
    text = " ".join(raw.split())
    if not text:
        raise UserError(_("{key} cannot be empty.").format(key=key), example=example, field=field)
    bad = first_control_char(text)
    if bad is not None:
        raise UserError(
            _("{key} contains an invisible control character ({char}) that cannot be stored; remove it.").format(
                key=key, char=char_name(bad)
            ),
            example=example,
            field=field,
        )
    if len(text) > limit:
        raise UserError(
            ngettext("{key} is too long ({length} character); the limit is {limit}.",
                     "{key} is too long ({length} characters); the limit is {limit}.", len(text)).format(
                key=key, length=len(text), limit=limit
            ),
            example=example,
            field=field,
        )
    return text


def parse_url(raw: str, *, example: str) -> str:
    url = raw.strip()
    if not _URL.match(url) or len(url) > MAX_URL:
        raise UserError(
            _("{token} is not a web address; it must start with http:// or https://.").format(token=quote_token(raw)),
            example=example,
            field="url",
        )
    return url


def parse_tag(raw: str, *, example: str) -> str:
    m = _TAG.match(raw)
    if not m:
        raise UserError(
            _("{token} is not a tag: tags are # and a word of letters, digits, - or _ (like #backend).").format(
                token=quote_token(raw)
            ),
            example=example,
            field="tags",
        )
    return m.group(1).lower()


def parse_id(raw: str, *, example: str) -> int:
    text = raw.strip().lstrip("#")
    if not text.isascii() or not text.isdigit() or len(text) > 12:
        raise UserError(_("{token} is not an activity number like 42.").format(token=quote_token(raw)), example=example)
    return int(text)


# --- the /log and /update grammar --------------------------------------------------------------------


def parse_log(args: str, *, today: date, default_currency: str, due_keyword: bool = False) -> LogCommand:
    """``due_keyword``: the media plan's ``due <date>`` form (``/plan add``)."""
    tokens = tokenize(args)
    if due_keyword:
        tokens = _merge_due(tokens)
    if not tokens:
        raise IncompleteCommand(
            _("What would you like to log? Give a kind and a title."), example=LOG_EXAMPLE, command="log"
        )
    kind = _parse_kind(tokens[0])
    example = EXAMPLES[kind]
    rest = tokens[1:]
    title_tokens: list[Token] = []
    if rest and rest[0].quoted:
        title_tokens, rest = [rest[0]], rest[1:]
    else:
        while rest and not _is_special(rest[0]):
            title_tokens.append(rest.pop(0))
    title_raw = " ".join(t.text for t in title_tokens)
    if not title_raw.strip():
        raise IncompleteCommand(
            _("The {kind} needs a title: put it right after the kind, in quotes if it is several words.").format(
                kind=kind_name(kind)
            ),
            example=example,
            command="log",
            known={"kind": kind.value},
        )
    title = parse_text("title", title_raw, limit=MAX_TITLE, example=example)
    fields = parse_fields(rest, kind=kind, today=today, default_currency=default_currency, example=example)
    return LogCommand(kind=kind, title=title, fields=fields)


def _merge_due(tokens: list[Token]) -> list[Token]:
    """``due 2026-12-01`` reads as the date ``2026-12-01`` and ends an unquoted title; "Due diligence"
    stays a title."""
    merged: list[Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if not token.quoted and token.text.lower() in DUE_WORDS and i + 1 < len(tokens) and is_date_word(tokens[i + 1]):
            nxt = tokens[i + 1]
            merged.append(Token(nxt.text, f"{token.raw} {nxt.raw}", is_date=True))
            i += 2
        else:
            merged.append(token)
            i += 1
    return merged


def _parse_kind(token: Token) -> Kind:
    kind = None if token.quoted else resolve_kind(token.text)
    if kind is None:
        close = difflib.get_close_matches(token.text.lower(), list(KIND_ALIASES), n=1)
        hint = _(" Did you mean {word}?").format(word=close[0]) if close else ""
        raise UserError(
            _(
                "{token} is not a kind of activity. Kinds: talk, event (meetup, workshop), partnership (booth), "
                "publication (post, article, video), social (tweet)."
            ).format(token=quote_token(token.raw))
            + hint,
            example=LOG_EXAMPLE,
            field="kind",
        )
    return kind


def parse_fields(
    tokens: list[Token],
    *,
    kind: Kind,
    today: date,
    default_currency: str,
    example: str,
    allow_title: bool = False,
) -> Fields:
    fields = Fields()
    seen: set[str] = set()
    rest = list(tokens)
    while rest:
        token = rest.pop(0)
        t = token.text
        if not token.quoted and t == "@":
            if rest and rest[0].quoted:
                venue_tokens = [rest.pop(0)]
            else:
                venue_tokens = []
                while rest and not rest[0].quoted and not _is_special(rest[0]):
                    venue_tokens.append(rest.pop(0))
            if not venue_tokens:
                raise UserError(
                    _("“@” must be followed by the {place}.").format(place=place_name(kind)), example=example
                )
            _once(seen, PLACE_WORD[kind], "@", example)
            fields.venue = parse_text(
                PLACE_WORD[kind], " ".join(v.text for v in venue_tokens), limit=MAX_TEXT, example=example
            )
        elif not token.quoted and t.startswith("@"):
            _once(seen, "owner", token.raw, example)
            fields.owner = t[1:]
        elif not token.quoted and t.startswith("#"):
            tag = parse_tag(t, example=example)
            if tag not in fields.tags:
                fields.tags.append(tag)
        elif not token.quoted and _URL.match(t):
            _once(seen, "url", token.raw, example)
            fields.url = parse_url(t, example=example)
        elif is_date_word(token):
            _once(seen, "date", token.raw, example)
            fields.on = parse_date(t, today=today, example=example)
        elif m := _KEY_VALUE.match(t):
            key, value = m.group(1).lower(), m.group(2)
            if not token.quoted and METRIC_ALIASES.get(key, key) in METRICS:
                value = _absorb_spaced_number(value, rest, money=METRIC_ALIASES.get(key, key) == "cost")
            _apply_key(
                fields,
                seen,
                key,
                value,
                token=token,
                kind=kind,
                today=today,
                default_currency=default_currency,
                example=example,
                allow_title=allow_title,
            )
        else:
            raise UserError(
                _(
                    "I don't know what {token} means here. Put a title of several words in quotes, "
                    "a {place} after “@ ”, and numbers as key=value."
                ).format(token=quote_token(token.raw), place=place_name(kind)),
                example=example,
            )
    return fields


def _absorb_spaced_number(value: str, rest: list[Token], *, money: bool) -> str:
    """``contacts=1 500`` and ``cost=1 500 руб`` are one value written with spaces: take the groups of three
    digits (and, for money, a currency word) that follow from ``rest``."""
    while rest and not rest[0].quoted and _THOUSANDS.match(rest[0].text) and _GROUPED.match(value):
        value = f"{value} {rest.pop(0).text}"
    if money and rest and not rest[0].quoted and re.fullmatch(r"[\d.,]+[kKmMкКмМ]?", value.replace(" ", "")):
        word = rest[0].text
        if _currency_code(word) is not None:
            value = f"{value} {rest.pop(0).text}"
    return value


def _once(seen: set[str], name: str, raw: str, example: str) -> None:
    if name in seen:
        raise UserError(
            _("{name} is given twice (again at {token}); give it once.").format(
                name=field_name(name), token=quote_token(raw)
            ),
            example=example,
        )
    seen.add(name)


def _apply_key(
    fields: Fields,
    seen: set[str],
    key: str,
    raw: str,
    *,
    token: Token,
    kind: Kind,
    today: date,
    default_currency: str,
    example: str,
    allow_title: bool,
) -> None:
    key = METRIC_ALIASES.get(key) or TEXT_KEY_ALIASES.get(key) or key
    if key in ("venue", "outlet", "network"):
        _once(seen, PLACE_WORD[kind], token.raw, example)
        fields.venue = parse_text(PLACE_WORD[kind], raw, limit=MAX_TEXT, example=example)
    elif key == "title" and allow_title:
        _once(seen, "title", token.raw, example)
        fields.title = parse_text("title", raw, limit=MAX_TITLE, example=example)
    elif key in ("date", "due"):
        _once(seen, "date", token.raw, example)
        fields.on = parse_date(raw, today=today, example=example)
    elif key == "status":
        _once(seen, "status", token.raw, example)
        fields.status = parse_status(raw, example=example)
    elif key == "url":
        _once(seen, "url", token.raw, example)
        fields.url = parse_url(raw, example=example)
    elif key == "purpose":
        _once(seen, "purpose", token.raw, example)
        fields.values["purpose"] = parse_purpose(raw, example=example).value
    elif key == "notes":
        _once(seen, "notes", token.raw, example)
        fields.notes = parse_text("notes", raw, limit=MAX_NOTES, example=example)
    elif key in METRICS:
        spec = METRICS[key]
        if kind not in spec.kinds:
            raise UserError(_not_for_kind(key, kind), example=example, field=key)
        _once(seen, key, token.raw, example)
        if spec.value_type == "int":
            fields.values[key] = parse_count(key, raw, example=example)
        elif spec.value_type == "rating":
            fields.values[key] = parse_rating(raw, example=example)
        elif spec.value_type == "nps":
            fields.values[key] = parse_nps(raw, example=example)
        else:
            fields.values["cost"], fields.values["currency"] = parse_money(
                raw, default_currency=default_currency, example=example
            )
    else:
        raise UserError(_unknown_key(key, kind, allow_title), example=example, field=key)


def valid_keys(kind: Kind, *, allow_title: bool = False) -> list[str]:
    text_keys = [PLACE_WORD[kind], "date", "status", "url", "notes", "purpose"]
    return metrics_for(kind) + (["title"] if allow_title else []) + text_keys


def _unknown_key(key: str, kind: Kind, allow_title: bool) -> str:
    keys = valid_keys(kind, allow_title=allow_title)
    close = difflib.get_close_matches(key, keys + list(METRIC_ALIASES), n=1)
    hint = _(" Did you mean {key}?").format(key=METRIC_ALIASES.get(close[0], close[0])) if close else ""
    return (
        _("Unknown key {token}. A {kind} takes: {keys}.").format(
            token=quote_token(key), kind=kind_name(kind), keys=", ".join(field_name(k) for k in keys)
        )
        + hint
    )


def _not_for_kind(key: str, kind: Kind) -> str:
    spec = METRICS[key]
    owners = ", ".join(sorted(kind_name(k) for k in spec.kinds))
    return _(
        "{key} ({description}) does not apply to a {kind}; it is counted for: {owners}. A {kind} takes: {keys}."
    ).format(
        key=metric_name(key),
        description=metric_description(key),
        kind=kind_name(kind),
        owners=owners,
        keys=", ".join(metric_name(k) for k in metrics_for(kind)),
    )
