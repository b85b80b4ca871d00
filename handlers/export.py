"""/export — the ledger or the plan as a CSV file (UTF-8 with a BOM, so Excel opens it right); the plan's columns
are those /plan import reads, so an exported plan imports again as it is."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime

from sqlmodel import Session, col, select

from handlers.core import Document, Reply
from handlers.errors import UserError, quote_token
from handlers.i18n import N_, _, pgettext
from handlers.plan_import import PLAN_COLUMNS
from handlers.router import Request, registry
from handlers.safe_text import csv_cell
from handlers.words import metric_name
from storage import history
from storage.activities import tags_of
from storage.community.members import InteractionKind
from storage.community.orbit import Orbit
from storage.community.summary import member_profile
from storage.domain import METRICS, Status
from storage.metrics.activity import engagement, reach
from storage.metrics.cost import cost_per_contact
from storage.metrics.rounding import half_up
from storage.models import Activity, CommunityMember, Member, Team, saved_id
from storage.teams import members_by_id

EXPORTS = ("activities", "plan", "history", "community")
N_("history")  # "Here is the {what} export." names it; "activities" and "plan" are in the catalog already
N_("community")


@registry.command(
    "export",
    summary="Download the team's activities, plan, history or (admins) community members as CSV",
    usage="/export [activities|plan|history|community]",
    examples=("/export", "/export plan", "/export history", "/export community"),
    admin_examples=("/export community",),
    details="The community export (admins only: it names people) has each member's identities, first and last "
            "seen, score, orbit level and interactions by kind.",
    reads_only=True,
)
def export(req: Request) -> Reply:
    what = req.args.strip().lower() or "activities"
    if what not in EXPORTS:
        raise UserError(_("{token} cannot be exported; choose activities, plan, history or community.").format(
            token=quote_token(what)), example="/export plan")
    if what == "history":
        data = export_history(req.session, team_id=req.team_id)
    elif what == "community":  # admins only: the permission table
        data = export_community(req.session, team_id=req.team_id, now=req.now)
    else:
        data = export_activities(req.session, team_id=req.team_id, plan_only=what == "plan")
    filename = f"devrelbot-{what}-{req.today.isoformat()}.csv"
    return Reply(_("Here is the {what} export.").format(what=_(what)),
                 document=Document(filename=filename, content=data), ephemeral=True)


ACTIVITY_COLUMNS = ("id", "kind", "title", "status", "date", "due_date", "done_on", "owner", "venue", "url", "tags",
                    *METRICS, "currency", "reach", "engagement", "cost_per_contact", "notes", "created_at")


def export_activities(session: Session, *, team_id: int, plan_only: bool = False) -> bytes:
    """The team's activities (or open plan items) as CSV, with the derived metrics; UTF-8 with a BOM so
    that Excel opens it right."""
    query = select(Activity).where(Activity.team_id == team_id)
    if plan_only:
        query = query.where(Activity.status == Status.PLANNED.value)
    activities = list(session.exec(query.order_by(col(Activity.date), col(Activity.id))).all())
    owners = members_by_id(session, ids={a.owner_id for a in activities if a.owner_id})
    tags = tags_of(session, ids=[a.id for a in activities])
    out = io.StringIO()
    writer = csv.writer(out)
    names = csv_headers()
    if plan_only:
        writer.writerow([names[c] for c in ("id", *PLAN_COLUMNS)])
        for a in activities:
            assert a.id is not None  # read from the database
            owner = owners.get(a.owner_id or -1)
            writer.writerow(safe_row((a.id, a.kind, a.title, (a.due_date or a.date).isoformat(),
                                      owner.display_name if owner else "", a.venue or "", " ".join(tags[a.id]),
                                      a.url or "")))
    else:
        writer.writerow([names[c] for c in ACTIVITY_COLUMNS])
        for a in activities:
            assert a.id is not None  # read from the database
            writer.writerow(safe_row(_activity_row(a, owners.get(a.owner_id or -1), tags[a.id])))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def export_history(session: Session, *, team_id: int) -> bytes:
    """Every change the team's history holds, oldest first (cells neutralised like every export's)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([pgettext("CSV column", "at"), pgettext("CSV column", "who"), pgettext("CSV column", "door"),
                     pgettext("CSV column", "activity"), pgettext("CSV column", "action"),
                     pgettext("CSV column", "field"), pgettext("CSV column", "old"), pgettext("CSV column", "new")])
    for c in history.of_team(session, team_id=team_id):
        writer.writerow(safe_row((c.at.isoformat(), c.actor, c.door, "" if c.activity_id is None else c.activity_id,
                                  c.action, c.field or "", c.old or "", c.new or "")))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


COMMUNITY_COLUMNS = ("member", "name", "platforms", "identities", "first_seen", "last_seen", "score", "level",
                     "reactions", "poll_answers", "events_attended", "talks")


def export_community(session: Session, *, team_id: int, now: datetime) -> bytes:
    """Every community member (merged identities on their member's row) with their score and level now."""
    names = {
        "member": pgettext("CSV column", "member"), "name": pgettext("CSV column", "name"),
        "platforms": pgettext("CSV column", "platforms"), "identities": pgettext("CSV column", "identities"),
        "first_seen": pgettext("CSV column", "first_seen"), "last_seen": pgettext("CSV column", "last_seen"),
        "score": pgettext("CSV column", "score"), "level": pgettext("CSV column", "level"),
        "reactions": pgettext("CSV column", "reactions"), "poll_answers": pgettext("CSV column", "poll_answers"),
        "events_attended": pgettext("CSV column", "events_attended"), "talks": pgettext("CSV column", "talks"),
    }
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([names[c] for c in COMMUNITY_COLUMNS])
    rows = list(session.exec(select(CommunityMember).where(CommunityMember.team_id == team_id)
                             .order_by(col(CommunityMember.id))))
    team = session.get(Team, team_id)
    orbit = Orbit.loads(team.orbit if team else None)
    identities: dict[int, list[str]] = {}
    for m in rows:
        identities.setdefault(m.merged_into or saved_id(m.id), []).append(f"{m.platform}:{m.user_id}")
    for m in rows:
        if m.merged_into is not None:
            continue
        p = member_profile(session, member=m, now=now, orbit=orbit)
        writer.writerow(safe_row((
            m.id, m.display_name, " ".join(p.platforms), " ".join(identities[saved_id(m.id)]),
            m.first_seen.isoformat(), m.last_seen.isoformat(), f"{p.score:.2f}", p.level or "",
            *(p.counts.get(k, 0) for k in (InteractionKind.REACTION, InteractionKind.POLL_ANSWER,
                                           InteractionKind.ATTENDANCE, InteractionKind.SPEAKING)),
        )))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def csv_headers() -> dict[str, str]:
    """Column names in the current language; a plan exported in Russian imports again (HEADER_ALIASES)."""
    names = {
        "id": pgettext("CSV column", "id"),
        "kind": pgettext("CSV column", "kind"),
        "title": pgettext("CSV column", "title"),
        "status": pgettext("CSV column", "status"),
        "date": pgettext("CSV column", "date"),
        "due": pgettext("CSV column", "due"),
        "due_date": pgettext("CSV column", "due_date"),
        "done_on": pgettext("CSV column", "done_on"),
        "owner": pgettext("CSV column", "owner"),
        "venue": pgettext("CSV column", "venue"),
        "outlet": pgettext("CSV column", "outlet"),
        "url": pgettext("CSV column", "url"),
        "tags": pgettext("CSV column", "tags"),
        "currency": pgettext("CSV column", "currency"),
        "reach": pgettext("CSV column", "reach"),
        "engagement": pgettext("CSV column", "engagement"),
        "cost_per_contact": pgettext("CSV column", "cost_per_contact"),
        "notes": pgettext("CSV column", "notes"),
        "created_at": pgettext("CSV column", "created_at"),
    }
    return {**names, **{m: metric_name(m) for m in METRICS}}


def safe_row(values: Iterable[object]) -> list[object]:
    """Every exported row goes through here: no cell may start like a spreadsheet formula."""
    return [csv_cell(v) for v in values]


def _activity_row(a: Activity, owner: Member | None, tags: Iterable[str]) -> list[object]:
    per_contact = cost_per_contact([a], default_currency=a.currency or "")
    return [
        a.id, a.kind, a.title, a.status, a.date.isoformat(), _iso(a.due_date), _iso(a.done_on),
        owner.display_name if owner else "", a.venue or "", a.url or "", " ".join(tags),
        *("" if getattr(a, m) is None else getattr(a, m) for m in METRICS),
        a.currency or "", reach(a), engagement(a), half_up(per_contact[0].value, 2) if per_contact else "",
        a.notes or "", a.created_at.isoformat(),
    ]


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""
