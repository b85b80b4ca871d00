"""The filter words that /list, /plan, /stats, /report, /funnel and ``devrelbot digest`` share — a kind, a
period (``week|month|quarter``, ``all``, ``last``), ``@person``, ``#tag`` (several: any of them), ``purpose=…``
and a breakdown (``by tag|person|kind|purpose``) — read in one place, so every command understands them the
same way and only says which of them it takes."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlmodel import Session

from handlers.errors import UserError, quote_token
from handlers.i18n import _
from handlers.parsing import Token, parse_purpose, parse_tag, tokenize
from handlers.words import kind_name, purpose_name
from storage.domain import Kind, resolve_kind
from storage.periods import PERIOD_NAMES, Period, PeriodName, period_containing
from storage.selection import Dimension, Scope
from storage.teams import find_members_by_name

_PERIODS: dict[str, PeriodName] = {
    **{name: name for name in PERIOD_NAMES},
    # the same words in Russian, in the forms people type after /list or /stats
    "неделя": "week", "неделю": "week", "месяц": "month", "квартал": "quarter",
}
ALL_WORDS = frozenset({"all", "всё", "все"})
LAST_WORDS = frozenset({"last", "прошлый", "прошлая", "прошлую", "прошлое"})
BY_WORDS = frozenset({"by", "по"})
_DIMENSIONS: dict[str, Dimension] = {
    "kind": Dimension.KIND, "kinds": Dimension.KIND, "виду": Dimension.KIND, "видам": Dimension.KIND,
    "tag": Dimension.TAG, "tags": Dimension.TAG, "тегу": Dimension.TAG, "тегам": Dimension.TAG,
    "person": Dimension.PERSON, "people": Dimension.PERSON, "owner": Dimension.PERSON,
    "человеку": Dimension.PERSON, "людям": Dimension.PERSON, "авторам": Dimension.PERSON,
    "purpose": Dimension.PURPOSE, "purposes": Dimension.PURPOSE, "назначению": Dimension.PURPOSE,
    "назначениям": Dimension.PURPOSE,
}


class Filter(StrEnum):
    KIND = "kind"  # talk, publication, … (any alias /log knows)
    PERIOD = "period"  # week, month or quarter: the calendar period containing today
    ALL = "all"  # no time limit
    LAST = "last"  # the previous complete period instead of the current one
    PERSON = "person"  # @name: activities that team member owns
    TAG = "tag"  # #tag; several mean any of them
    PURPOSE = "purpose"  # purpose=hiring|brand|product|community
    BREAKDOWN = "by"  # by tag|person|kind|purpose: the segments side by side


# What /stats, /report and ``devrelbot digest`` take besides their period words: the slice and its breakdown.
SLICE_FILTERS = (Filter.KIND, Filter.TAG, Filter.PERSON, Filter.PURPOSE, Filter.BREAKDOWN)


@dataclass(frozen=True)
class Filters:
    kind: Kind | None = None
    period: PeriodName | None = None
    all_time: bool = False
    last: bool = False
    person: str | None = None  # as typed, with its @
    owner_ids: tuple[int, ...] | None = None  # the members ``person`` names (never empty when ``person`` is set)
    tags: tuple[str, ...] = ()  # without their #, in the order given; any of them
    purpose: str | None = None  # hiring, brand, product or community
    by: Dimension | None = None

    @property
    def scope(self) -> Scope:
        """Which activities the words select (the period aside)."""
        return Scope(kind=self.kind, tags=self.tags, owner_ids=self.owner_ids, purpose=self.purpose)

    @property
    def narrowed(self) -> bool:
        """Some word narrows the activities: a kind, a tag, a person or a purpose."""
        return not self.scope.is_everything

    def period_for(self, today: date, *, default: PeriodName | None = None) -> Period | None:
        """The calendar period asked for (or ``default``), the previous one with "last"; None for "all" or when
        neither a period nor a default is there."""
        name = None if self.all_time else self.period or default
        if name is None:
            return None
        current = period_containing(name, today)
        return current.previous() if self.last else current


def parse_filters(
    args: str,
    *,
    session: Session,
    team_id: int,
    accept: Collection[Filter],
    example: str,
    unknown: Callable[[str], str],
) -> Filters:
    """Read ``args`` as filter words in any order; each filter at most once.

    ``accept``: the filters this command takes; a word for any other filter is refused like an unknown one.
    ``unknown``: the command's own message for a word it does not take, given that word quoted.
    An ``@person`` who is not in the team is an error, never an empty result."""
    kind: Kind | None = None
    period: PeriodName | None = None
    all_time = last = False
    person: str | None = None
    owner_ids: tuple[int, ...] | None = None
    tags: list[str] = []
    purpose: str | None = None
    by: Dimension | None = None
    tokens = iter(tokenize(args, example=example))
    for token in tokens:
        word = token.text
        lowered = word.lower()
        if Filter.PERIOD in accept and lowered in _PERIODS:
            _once(period is not None or all_time, word, example)
            period = _PERIODS[lowered]
        elif Filter.ALL in accept and lowered in ALL_WORDS:
            _once(period is not None or all_time, word, example)
            all_time = True
        elif Filter.LAST in accept and lowered in LAST_WORDS:
            last = True  # "last last" still means the previous period
        elif Filter.TAG in accept and word.startswith("#"):
            tag = parse_tag(word, example=example)
            _once(tag in tags, word, example)
            tags.append(tag)
        elif Filter.PERSON in accept and word.startswith("@"):
            _once(person is not None, word, example)
            owners = find_members_by_name(session, team_id=team_id, name=word)
            if not owners:
                raise UserError(
                    _("No one in this team is called {token}.").format(token=quote_token(word)), example=example
                )
            person, owner_ids = word, tuple(m.id for m in owners if m.id is not None)
        elif Filter.PURPOSE in accept and lowered.startswith("purpose="):
            _once(purpose is not None, word, example)
            purpose = parse_purpose(word.partition("=")[2], example=example).value
        elif Filter.BREAKDOWN in accept and lowered in BY_WORDS:
            _once(by is not None, word, example)
            by = _dimension(word, next(tokens, None), example)
        elif Filter.KIND in accept and (found := resolve_kind(word)) is not None:
            _once(kind is not None, word, example)
            kind = found
        else:
            raise UserError(unknown(quote_token(word)), example=example)
    return Filters(
        kind=kind, period=period, all_time=all_time, last=last, person=person, owner_ids=owner_ids,
        tags=tuple(tags), purpose=purpose, by=by,
    )


def _dimension(by_word: str, token: Token | None, example: str) -> Dimension:
    """The word after "by": tag, person, kind or purpose."""
    word = token.text if token is not None else ""
    found = _DIMENSIONS.get(word.lower())
    if found is None:
        shown = quote_token(f"{by_word} {word}".strip())
        raise UserError(
            _("{token} is not a breakdown: use by tag, by person, by kind or by purpose.").format(token=shown),
            example=example,
        )
    return found


def describe(filters: Filters) -> str:
    """The slice as the words that chose it, as plain text (escape it for markup): ``talk · any of #backend
    #devops · @alice · purpose: hiring``."""
    parts = []
    if filters.kind is not None:
        parts.append(kind_name(filters.kind.value))
    if filters.tags:
        tags = " ".join(f"#{tag}" for tag in filters.tags)
        parts.append(tags if len(filters.tags) == 1 else _("any of {tags}").format(tags=tags))
    if filters.person:
        parts.append(filters.person)
    if filters.purpose:
        parts.append(_("purpose: {purpose}").format(purpose=purpose_name(filters.purpose)))
    return " · ".join(parts)


def _once(already: bool, word: str, example: str) -> None:
    if already:
        raise UserError(
            _("{token} repeats a filter given before; give each filter once.").format(token=quote_token(word)),
            example=example,
        )
