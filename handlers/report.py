"""/report — the digest on demand, for a week, month or quarter."""

from __future__ import annotations

from handlers.core import Reply
from handlers.digest_content import as_replies, build_report
from handlers.filters import Filter, parse_filters
from handlers.i18n import N_, _
from handlers.router import Request, registry
from storage.periods import period_containing, periods_back

REPORT_EXAMPLE = N_("/report month")


@registry.command(
    "report",
    summary="The digest on demand: summary, details and chart for a week, month or quarter",
    usage="/report [last] [week|month|quarter]",
    examples=("/report", REPORT_EXAMPLE, "/report last month", "/report quarter"),
    details="This period so far against the previous one; with “last”, the previous complete period. "
            "The chart shows weeks (week, month) or months (quarter).",
)
def report(req: Request) -> list[Reply]:
    filters = parse_filters(
        req.args,
        session=req.session,
        team_id=req.team_id,
        accept=(Filter.PERIOD, Filter.LAST),
        example=REPORT_EXAMPLE,
        unknown=lambda token: _("{token} is not a period: use week, month or quarter, optionally after “last”.")
        .format(token=token),
    )
    name = filters.period or "week"
    period = filters.period_for(req.today, default=name)
    assert period is not None  # a default period and no "all"
    buckets = (periods_back(period_containing("month", period.last_day), 6) if name == "quarter"
               else periods_back(period_containing("week", period.last_day), 8))
    return as_replies(build_report(req.session, team=req.team, period=period, now=req.now, buckets=buckets))
