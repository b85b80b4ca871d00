"""/report — the digest on demand, for a week, month or quarter."""

from __future__ import annotations

from handlers.core import Document, Reply
from handlers.digest_content import as_replies, build_report
from handlers.errors import UserError
from handlers.filters import SLICE_FILTERS, Filter, parse_filters
from handlers.i18n import N_, _
from handlers.review import build_review, quarter_label
from handlers.router import Request, registry
from storage.periods import Period, period_containing, periods_back

REPORT_EXAMPLE = N_("/report month")


@registry.command(
    "report",
    summary="The digest on demand: summary, details and chart for a week, month or quarter",
    usage="/report [last] [week|month|quarter] [kind] [#tag …] [@person] [purpose=…] [by tag|person|kind|purpose] "
          "[pdf]",
    examples=("/report", REPORT_EXAMPLE, "/report last month", "/report quarter #backend by person",
              "/report month purpose=hiring", "/report last quarter pdf"),
    details="This period so far against the previous one; with “last”, the previous complete period. "
            "The chart shows weeks (week, month) or months (quarter). A kind, #tags (any of them), @person or "
            "purpose=… narrow the whole report to a slice; “by tag”, “by person”, “by kind” or “by purpose” adds "
            "a table of the slice’s segments side by side. With “pdf”, a quarter comes as the quarterly review: "
            "a PDF of the whole team to send upward.",
    reads_only=True,
)
def report(req: Request) -> list[Reply]:
    words = req.args.split()
    as_pdf = any(w.lower() == "pdf" for w in words)
    filters = parse_filters(
        " ".join(w for w in words if w.lower() != "pdf"),
        session=req.session,
        team_id=req.team_id,
        accept=(Filter.PERIOD, Filter.LAST, *SLICE_FILTERS),
        example=REPORT_EXAMPLE,
        unknown=lambda token: _(
            "{token} is not something /report takes: a period (week, month or quarter, optionally after “last”), "
            "a kind, #tag, @person, purpose=… or by tag|person|kind|purpose."
        ).format(token=token),
    )
    name = filters.period or "week"
    period = filters.period_for(req.today, default=name)
    assert period is not None  # a default period and no "all"
    if as_pdf:
        if filters.narrowed or filters.by is not None:
            raise UserError(_("The PDF review covers the whole team: leave out the kind, #tag, @person, purpose= "
                              "and “by”."), example="/report quarter pdf")
        return [review_reply(req, period, quarterly=name == "quarter")]
    buckets = (periods_back(period_containing("month", period.last_day), 6) if name == "quarter"
               else periods_back(period_containing("week", period.last_day), 8))
    return as_replies(build_report(req.session, team=req.team, period=period, now=req.now, buckets=buckets,
                                   filters=filters))


def review_reply(req: Request, period: Period, *, quarterly: bool) -> Reply:
    """The quarterly review as a PDF file; only a quarter has one."""
    if not quarterly:
        raise UserError(_("The PDF review is for a quarter: /report quarter pdf."), example="/report quarter pdf")
    review = build_review(req.session, team=req.team, period=period, now=req.now)
    filename = f"review-{period.start.year}-Q{(period.start.month - 1) // 3 + 1}.pdf"
    return Reply(_("📄 The quarterly review, {quarter}: headline figures, goals, hiring funnel, charts and top "
                   "activities.").format(quarter=quarter_label(period)),
                 document=Document(filename=filename, content=review.pdf, mime_type="application/pdf"))
