"""/update, /show, /delete and /list — working with what was logged."""

from __future__ import annotations

from handlers import markup, render
from handlers.core import Button, Reply
from handlers.errors import PermissionDenied, UserError, quote_token
from handlers.feedback_results import activity_lines
from handlers.filters import Filter, parse_filters
from handlers.i18n import N_, _
from handlers.log import resolve_owner
from handlers.parsing import UPDATE_EXAMPLE, Fields, parse_fields, parse_id, tokenize
from handlers.router import Request, registry
from handlers.words import field_name, status_name
from storage.activities import (
    delete_activity,
    figures_of,
    get_activity,
    list_activities,
    tags_of,
    update_activity,
)
from storage.domain import METRICS, Kind, Status
from storage.metrics import reach
from storage.models import Activity
from storage.plan import mark_done
from storage.reminders import ReminderKind, cancel_pending, reschedule
from storage.teams import members_by_id

SHOW_EXAMPLE = "/show 42"
DELETE_EXAMPLE = "/delete 42"
LIST_EXAMPLE = N_("/list talk month #backend")
LIST_LIMIT = 30


def load_activity(req: Request, raw_id: str, *, example: str) -> Activity:
    """The team's activity with that number, or a clear error (another team's looks the same as none)."""
    if not raw_id:
        raise UserError(_("Which activity? Give its number."), example=example)
    activity_id = parse_id(raw_id, example=example)
    activity = get_activity(req.session, activity_id=activity_id)
    if activity is None or activity.team_id != req.team.id:
        raise UserError(
            _("There is no activity #{id} in this team. /list shows what there is.").format(id=activity_id),
            example=example,
        )
    return activity


@registry.command(
    "update",
    summary="Change an activity's numbers or details",
    usage="/update <id> key=value … [#tag …] [date] [@ venue] [link]",
    examples=(UPDATE_EXAMPLE, '/update 7 title="Scaling Postgres, part 2" 2026-12-01', "/update 12 #devops"),
    details="Keys are those of /log for the activity's kind, plus title=. Tags are added to the existing ones.",
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
    update_activity(req.session, activity=activity, values=values, add_tags=fields.tags, updated_by=req.member.id)
    if activity.status == Status.PLANNED.value:
        activity.due_date, activity.done_on = activity.date, None
    elif activity.status == Status.DONE.value and was_status != Status.DONE.value:
        mark_done(activity, today=req.today)
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


@registry.command(
    "show",
    summary="Show one activity with its numbers and derived metrics",
    usage="/show <id>",
    examples=(SHOW_EXAMPLE,),
)
def show(req: Request) -> Reply:
    activity = load_activity(req, req.args.strip(), example=SHOW_EXAMPLE)
    owner = members_by_id(req.session, ids={activity.owner_id} if activity.owner_id else set()).get(
        activity.owner_id or -1
    )
    tags = tags_of(req.session, ids=[activity.id])[activity.id]
    lines = [render.details(activity, tags=tags, owner=owner), *activity_lines(req.session, activity=activity,
                                                                              team=req.team)]
    return Reply("\n".join(lines), ephemeral=True)


@registry.command(
    "delete",
    summary="Delete an activity (its owner or an admin), after a confirmation",
    usage="/delete <id>",
    examples=(DELETE_EXAMPLE,),
    admin_examples=("/delete 1", "/delete 1 confirm"),  # someone else's activity
)
def delete(req: Request) -> Reply:
    parts = req.args.split()
    activity = load_activity(req, parts[0] if parts else "", example=DELETE_EXAMPLE)
    if not req.is_admin and activity.owner_id != req.member.id:
        raise PermissionDenied(
            _("Only the owner of #{id} or a team admin can delete it.").format(id=activity.id),
            example=DELETE_EXAMPLE,
        )
    action = parts[1].lower() if len(parts) > 1 else ""
    if action == "confirm":
        title = render.headline(activity)
        delete_activity(req.session, activity=activity)
        return Reply("🗑️ " + _("Deleted {what}").format(what=title))
    if action == "keep":
        return Reply(_("Kept {what}").format(what=render.headline(activity)), ephemeral=True)
    if action:
        raise UserError(
            _("{token} is not an option of /delete.").format(token=quote_token(parts[1])), example=DELETE_EXAMPLE
        )
    return Reply(
        _("Delete {what}? This cannot be undone.").format(what=render.headline(activity)),
        buttons=(
            Button(_("Delete #{id}").format(id=activity.id), f"/delete {activity.id} confirm", style="danger"),
            Button(_("Keep it"), f"/delete {activity.id} keep"),
        ),
        ephemeral=True,
    )


@registry.command(
    "list",
    summary="List activities, newest first",
    usage="/list [kind] [week|month|quarter|all] [@person] [#tag]",
    examples=("/list", LIST_EXAMPLE, "/list publication week @alice"),
)
def list_(req: Request) -> Reply:
    filters = parse_filters(
        req.args,
        session=req.session,
        team_id=req.team_id,
        accept=(Filter.KIND, Filter.PERIOD, Filter.ALL, Filter.PERSON, Filter.TAG),
        example=LIST_EXAMPLE,
        unknown=lambda token: _(
            "I don't know what {token} means in /list: give a kind, week, month, quarter or all, @person or #tag."
        ).format(token=token),
    )
    period = filters.period_for(req.today)
    rows = list_activities(
        req.session,
        team_id=req.team_id,
        kind=filters.kind,
        start=period.start if period else None,
        end=period.end if period else None,
        owner_ids=filters.owner_ids,
        tag=filters.tag,
        limit=LIST_LIMIT + 1,
    )
    if not rows:
        return Reply(
            _("Nothing logged here yet — try {example}").format(
                example=markup.code(_('/log talk "My talk" @ Conf today audience=100'))
            ),
            ephemeral=True,
        )
    lines = [f"• {render.headline(a)} — {_('reach')} {render.number(reach(figures_of(a)))}" for a in rows[:LIST_LIMIT]]
    if len(rows) > LIST_LIMIT:
        lines.append(
            _("Showing the newest {n}; narrow it with a kind, a period, @person or #tag.").format(n=LIST_LIMIT)
        )
    return Reply("\n".join(lines), ephemeral=True)
