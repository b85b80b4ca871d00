"""How each metric of :mod:`storage.metrics` reads, the same on every surface (/show, /stats, /report, the
digest, its chart, the PDF review, App Home): one wording per figure, rounded half-up."""

from __future__ import annotations

from collections.abc import Sequence

from handlers import render
from handlers.i18n import _, ngettext
from storage.domain import Kind
from storage.metrics.cost import CostPerContact
from storage.metrics.hiring import HiringInfluence
from storage.metrics.plan import Fulfilment
from storage.metrics.scores import Reported
from storage.metrics.shares import percent_change
from storage.metrics.windows import Window


def cost_value(figure: CostPerContact) -> str:
    """``€66.25`` — the money alone, rounded half-up to the currency's cents."""
    return render.money(figure.value, figure.currency)


def cost_text(figures: Sequence[CostPerContact]) -> str:
    """After a "cost per contact" label: ``€66.25 (on 40 of 95 contacts with a cost)``, one per currency;
    ``$50.00`` alone when every contact in scope has a cost; "—" when nothing has both a cost and contacts."""
    if not figures:
        return render.DASH
    shown = []
    for f in figures:
        text = cost_value(f)
        if f.partial:
            basis = ngettext("(on {n} of {all} contact with a cost)", "(on {n} of {all} contacts with a cost)",
                             f.all_contacts)
            text += " " + basis.format(n=render.number(f.contacts), all=render.number(f.all_contacts))
        shown.append(text)
    return "; ".join(shown)


def cost_short(figures: Sequence[CostPerContact]) -> str:
    """``€66.25, $12.00`` (a "was" figure); "—" with none."""
    return ", ".join(cost_value(f) for f in figures) or render.DASH


def fulfilment_text(plan: Fulfilment) -> str:
    """``75% (3 of 4 due items done on time)``; "— (nothing in the plan was due)"."""
    if not plan.due:
        return f"{render.DASH} ({_('nothing in the plan was due')})"
    counts = ngettext("{done} of {due} due item done on time", "{done} of {due} due items done on time",
                      plan.due).format(done=plan.done_on_time, due=plan.due)
    return f"{share_text(plan.share)} ({counts})"


def hiring_text(hiring: HiringInfluence) -> str:
    """``67% (2 of 3 answered; 4 surveyed)``; "no answers yet (4 surveyed)"; "no answers yet"."""
    surveyed = ngettext("{n} surveyed", "{n} surveyed", hiring.surveyed).format(n=hiring.surveyed)
    if hiring.share is None:
        return f"{_('no answers yet')} ({surveyed})" if hiring.surveyed else _("no answers yet")
    answered = ngettext("{n} of {answered} answered", "{n} of {answered} answered", hiring.answered).format(
        n=hiring.influenced, answered=hiring.answered)
    return f"{share_text(hiring.share)} ({answered}; {surveyed})"


def share_text(share: float | None) -> str:
    """A share (0..1) as a whole percentage, half-up: 0.625 → 63%."""
    return render.percent(None if share is None else 100 * share)


def on_what(reported: Reported) -> str:
    """``on 1 event``, ``on 2 talks``; ``on 3 activities`` when they are of several kinds."""
    n = reported.activities
    if len(reported.kinds) == 1:
        kind = next(iter(reported.kinds))
        words = {
            Kind.TALK: ngettext("on {n} talk", "on {n} talks", n),
            Kind.EVENT: ngettext("on {n} event", "on {n} events", n),
            Kind.PARTNERSHIP: ngettext("on {n} partnership", "on {n} partnerships", n),
            Kind.PUBLICATION: ngettext("on {n} publication", "on {n} publications", n),
            Kind.SOCIAL: ngettext("on {n} social post", "on {n} social posts", n),
        }
        return words[kind].format(n=n)
    return ngettext("on {n} activity", "on {n} activities", n).format(n=n)


def reported_text(rating: Reported | None, nps: Reported | None) -> str | None:
    """``reported: rating 4.7 on 2 activities, NPS 91 on 1 event`` — results typed in from elsewhere; None when
    nothing in scope has one."""
    parts = []
    if rating is not None:
        parts.append(_("rating {value} {on_what}").format(value=render.decimal(rating.value), on_what=on_what(rating)))
    if nps is not None:
        parts.append(_("NPS {value} {on_what}").format(value=render.number(render.whole(nps.value)),
                                                        on_what=on_what(nps)))
    return _("reported: {figures}").format(figures=", ".join(parts)) if parts else None


def change_text(current: float, previous: float) -> str:
    """``+12%``, ``-4%``, ``new`` (from nothing), ``no change`` (nothing both times)."""
    if previous == 0:
        return _("new") if current else _("no change")
    return render.percent(percent_change(current, previous), signed=True)


def so_far(window: Window) -> str:
    """" so far" while the window's period runs (its last day too); empty once it is over."""
    return " " + _("so far") if window.running else ""


def votes_so_far(window: Window) -> str:
    """" so far" after a rating or NPS while votes on the window's activities may still arrive, once the
    period itself is over (while it runs, the title says so already)."""
    return " " + _("so far") if window.votes_so_far and not window.running else ""


def span_text(window: Window) -> str:
    """``2026-11-01 – 2026-11-26``"""
    return f"{render.day(window.start)} – {render.day(window.last_day)}"


def comparison_text(window: Window) -> str:
    """What the "was" figures are: the previous period, or the same days of it while this one runs."""
    span = span_text(window.previous())
    if window.partial:
        words = {"week": _("against the same days of the previous week ({span})"),
                 "month": _("against the same days of the previous month ({span})"),
                 "quarter": _("against the same days of the previous quarter ({span})"),
                 "year": _("against the same days of the previous year ({span})")}
    else:
        words = {"week": _("against the previous week ({span})"),
                 "month": _("against the previous month ({span})"),
                 "quarter": _("against the previous quarter ({span})"),
                 "year": _("against the previous year ({span})")}
    return words[window.period.name].format(span=span)
