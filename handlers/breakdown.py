"""A breakdown (``/stats month by tag``, ``/report quarter #backend by person``): the segments of a slice side by
side — activities, reach, contacts, cost per contact, rating — with the whole slice as the last row.

The table is one inline-code line per row: every door shows code in a monospace font, so the columns line up
on Slack, on Telegram and in the console alike, and a long table still splits between rows like any text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

from handlers import markup, render
from handlers.filters import Filters, describe
from handlers.i18n import _
from handlers.metric_text import cost_short, cost_text, so_far, span_text
from handlers.words import kind_name, purpose_name
from storage.metrics.period import PeriodNumbers, numbers_of
from storage.metrics.windows import Window
from storage.models import Activity, Team
from storage.scope import Selection, done_activities, segments
from storage.selection import Dimension, Scope
from storage.teams import members_by_id

PARTIAL = "*"  # marks a cost per contact that rests on only some of the segment's contacts
LABEL_WIDTH = 16  # a segment's name is cut to this, so a table fits a phone held sideways


@dataclass(frozen=True)
class SegmentRow:
    label: str
    activities: int
    reach: int
    contacts: int
    cost_per_contact: str
    rating: str
    cost_basis: str | None = None  # the cost with its basis, when it rests on only some of the contacts


def breakdown_rows(session: Session, *, team: Team, window: Window, scope: Scope, by: Dimension) -> list[SegmentRow]:
    """The segments, largest reach first (those without a tag, owner or purpose last), then the whole slice —
    each measured by :mod:`storage.metrics` on its own activities."""
    activities = done_activities(session, team_id=team.id or 0, start=window.start, end=window.end, scope=scope)
    split = segments(session, activities, by=by, scope=scope)
    labels = segment_labels(session, by, [key for key in split if key is not None])
    rows = [_row(labels.get(key, _unset(by)) if key else _unset(by), _measure(session, found, team, window))
            for key, found in split.items()]
    rows.sort(key=lambda r: (r.label == _unset(by), -r.reach, r.label.casefold()))
    if rows:
        rows.append(_row(_("total"), _measure(session, activities, team, window)))
    return rows


def _measure(session: Session, activities: Sequence[Activity], team: Team, window: Window) -> PeriodNumbers:
    return numbers_of(session, Selection(activities=activities, plan_items=(), surveys=()), window=window,
                      currency=team.currency)


def segment_labels(session: Session, by: Dimension, keys: Sequence[str]) -> dict[str, str]:
    """What each segment key reads as: a kind's or purpose's word, #tag, a person's name."""
    if by is Dimension.KIND:
        return {key: kind_name(key) for key in keys}
    if by is Dimension.PURPOSE:
        return {key: purpose_name(key) for key in keys}
    if by is Dimension.TAG:
        return {key: f"#{key}" for key in keys}
    members = members_by_id(session, ids={int(key) for key in keys})
    return {key: members[int(key)].display_name for key in keys if int(key) in members}


def _unset(by: Dimension) -> str:
    words = {
        Dimension.TAG: _("(no tag)"), Dimension.PERSON: _("(no owner)"), Dimension.PURPOSE: _("(no purpose)"),
        Dimension.KIND: "",
    }
    return words[by]


def _row(label: str, n: PeriodNumbers) -> SegmentRow:
    return SegmentRow(
        label=label,
        activities=n.totals.activities,
        reach=n.totals.reach,
        contacts=n.totals.contacts,
        cost_per_contact=cost_short(n.cost),
        rating=render.decimal(n.votes.rating),
        cost_basis=cost_text(n.cost) if any(f.partial for f in n.cost) else None,
    )


def breakdown_text(rows: Sequence[SegmentRow], *, filters: Filters, window: Window) -> str:
    """The title (the dimension, the period, the slice), the table, and how a tag breakdown counts."""
    assert filters.by is not None
    titles = {
        Dimension.KIND: _("By kind{so_far}, {span}"), Dimension.TAG: _("By tag{so_far}, {span}"),
        Dimension.PERSON: _("By person{so_far}, {span}"), Dimension.PURPOSE: _("By purpose{so_far}, {span}"),
    }
    title = titles[filters.by].format(so_far=so_far(window), span=span_text(window))
    lines = [markup.bold(title)]
    if filters.narrowed:
        lines.append(_("Slice: {slice}").format(slice=markup.escape(describe(filters))))
    if not rows:
        lines.append(_("No done activities in this slice yet."))
        return "\n".join(lines)
    dimensions = {Dimension.KIND: _("kind"), Dimension.TAG: _("tag"), Dimension.PERSON: _("person"),
                  Dimension.PURPOSE: _("purpose")}
    header = (dimensions[filters.by], _("reach"), _("contacts"), _("per contact"), _("rating"))
    # A cell has no room for "(on 20 of 25 contacts with a cost)": a mark, and the basis under the table; the
    # other figures get a space instead, so the cents stay in one column.
    partial = [r for r in rows if r.cost_basis]
    marks = {True: PARTIAL, False: " " if partial else ""}
    cells = [(_cut(r.label), render.number(r.reach), render.number(r.contacts),
              r.cost_per_contact + marks[r.cost_basis is not None], r.rating)
             for r in rows]
    lines.extend(markup.code(line) for line in table_lines(header, cells))
    if filters.by is Dimension.TAG:
        lines.append(_("An activity with several tags counts under each of them, once in the total."))
    if partial:
        lines.append(_("{mark} Cost per contact of the contacts with a cost only:").format(mark=PARTIAL))
        lines.extend(f"• {markup.escape(r.label)}: {r.cost_basis}" for r in partial)
    return "\n".join(lines)


def table_lines(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Columns padded to their widest cell: the first (names) to the left, the figures to the right."""
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        first, *rest = row
        return "  ".join([first.ljust(widths[0]), *(cell.rjust(w) for cell, w in zip(rest, widths[1:], strict=True))])

    return [line(header).rstrip(), *(line(row).rstrip() for row in rows)]


def _cut(label: str) -> str:
    # A backtick would end the code span the row sits in on Slack.
    label = label.replace("`", "'")
    return label if len(label) <= LABEL_WIDTH else label[: LABEL_WIDTH - 1] + "…"

