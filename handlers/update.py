"""/update — change an activity's numbers or details (and what /plan done writes)."""

from __future__ import annotations

from handlers import markup, render
from handlers.activity import load_activity
from handlers.core import Reply
from handlers.errors import UserError
from handlers.i18n import _
from handlers.log import resolve_owner
from handlers.parsing import UPDATE_EXAMPLE, Fields, parse_fields, tokenize
from handlers.router import Request, registry
from handlers.words import field_name, status_name
from storage.activities import update_activity
from storage.domain import METRICS, Kind, Status
from storage.models import Activity
from storage.plan import mark_done
from storage.reminders import ReminderKind, cancel_pending, reschedule


@registry.command(
    "update",
    summary="Change an activity's numbers or details",
    usage="/update <id> key=value … [#tag …] [date] [@ venue] [link]",
    examples=(UPDATE_EXAMPLE, '/update 7 title="Scaling Postgres, part 2" 2026-12-01', "/update 12 #devops"),
    details="Keys are those of /log for the activity's kind, plus title=. Tags are added to the existing ones.",
    admin_examples=("/update 1 audience=20",),  # someone else's activity: its owner or an admin
)
def update(req: Request) -> Reply:
    head, _sep, rest = req.args.strip().partition(" ")
    activity = load_activity(req, head, example=UPDATE_EXAMPLE)
    fields = parse_fields(
        tokenize(rest, example=UPDATE_EXAMPLE), kind=Kind(activity.kind), today=req.today,
        default_currency=activity.currency or req.team.currency, example=UPDATE_EXAMPLE, allow_title=True,
    )
    if fields.is_empty():
        raise UserError(_("Nothing to update: give at least one key=value, #tag or date."), example=UPDATE_EXAMPLE)
    changes = apply_changes(req, activity, fields, example=UPDATE_EXAMPLE)
    lines = [f"✏️ {_('Updated')} {render.headline(activity)}", *changes, render.derived_line(activity)]
    return Reply("\n".join(lines))


def apply_changes(req: Request, activity: Activity, fields: Fields, *, example: str) -> list[str]:
    """Write what /update (or /plan done) said into the activity; returns the changes, one line each.

    Keeps the plan consistent: a planned item's new date is its new due date, a status change to done
    records when it was done, numbers that arrive stop the follow-up, and reminders are rescheduled."""
    values: dict[str, object] = dict(fields.values)
    for name in ("title", "venue", "url", "notes"):
        if getattr(fields, name) is not None:
            values[name] = getattr(fields, name)
    if fields.status is not None:
        values["status"] = fields.status.value
    if fields.on is not None:
        values["date"] = fields.on
    if fields.owner is not None:
        values["owner_id"] = resolve_owner(req, fields, example=example).id
        if fields.venue is not None and "venue" not in values:
            values["venue"] = fields.venue
    changes = [
        f"• {field_name(name)}: {_shown(name, getattr(activity, name))} → {_shown(name, value)}"
        for name, value in values.items()
        if name not in ("currency", "owner_id") and getattr(activity, name) != value
    ]
    was_status = activity.status
    update_activity(req.session, activity=activity, values=values, add_tags=fields.tags, updated_by=req.member_id)
    if activity.status == Status.PLANNED.value:
        activity.due_date = activity.date
        activity.done_on = None
    elif activity.status == Status.DONE.value and was_status != Status.DONE.value:
        mark_done(activity, today=req.today, on=fields.on)
    req.session.add(activity)
    if any(name in METRICS for name in fields.values):
        cancel_pending(req.session, activity_id=activity.id, kinds=(ReminderKind.FOLLOWUP,), now=req.now)
    reschedule(req.session, activity=activity, team=req.team, now=req.now)
    if fields.tags:
        added = " ".join(markup.escape(f"#{t}") for t in fields.tags)
        changes.append("• " + _("tags added: {tags}").format(tags=added))
    return changes


def _shown(name: str, value: object) -> str:
    if value is None:
        return render.DASH
    if name == "status":
        return markup.escape(status_name(str(value)))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return render.number(value)
    return markup.escape(str(value))
