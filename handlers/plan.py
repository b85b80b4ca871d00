"""/plan — the team's media plan: add, list, done, move, drop, import."""

from __future__ import annotations

from handlers import markup, render
from handlers.activity import load_activity
from handlers.core import Button, Reply
from handlers.errors import IncompleteCommand, UserError, quote_token
from handlers.filters import Filter, parse_filters
from handlers.i18n import N_, _, ngettext
from handlers.log import resolve_owner
from handlers.parsing import parse_date, parse_fields, parse_log, tokenize
from handlers.plan_import import import_plan
from handlers.router import Request, registry
from handlers.update import apply_changes
from storage.activities import create_activity
from storage.domain import Kind, Status
from storage.models import Activity
from storage.plan import plan_items
from storage.reminders import reschedule
from storage.teams import members_by_id

ADD_EXAMPLE = N_('/plan add article "Postgres 17 in production" due 2026-12-10 @alice @ Habr #backend')
DONE_EXAMPLE = N_("/plan done 42 views=12k likes=300")
MOVE_EXAMPLE = "/plan move 42 2026-12-20"
DROP_EXAMPLE = "/plan drop 42"
LIST_EXAMPLE = N_("/plan month @alice")
SUBCOMMANDS = ("add", "done", "move", "drop", "import")

PLAN_DETAILS = N_("""\
add: the /log grammar, with "due <date>"; @person makes them the owner, "@ place" is the venue or outlet.
done: the item becomes a done activity (same number); give its numbers as key=value.
move: a new due date. drop: take it out of the plan (its owner or an admin).
import: attach a CSV with columns kind,title,due,owner,outlet,tags,url (see docs/plan.md).
The owner is reminded 3 days before, on the day, and the day after if it is overdue."""
)


@registry.command(
    "plan",
    summary="The media plan: what is due, by whom, where",
    usage="/plan [week|month|all] [@person] · /plan add|done|move|drop|import …",
    examples=(ADD_EXAMPLE, "/plan", LIST_EXAMPLE, DONE_EXAMPLE, MOVE_EXAMPLE, DROP_EXAMPLE),
    admin_examples=("/plan done 2", "/plan move 2 2026-12-20", "/plan drop 2"),  # someone else's plan item
    details=PLAN_DETAILS,
)
def plan(req: Request) -> Reply:
    head, _sep, rest = req.args.strip().partition(" ")
    action = head.lower()
    if action == "add":
        return add(req, rest)
    if action == "done":
        return done(req, rest)
    if action == "move":
        return move(req, rest)
    if action == "drop":
        return drop(req, rest)
    if action == "import":
        return import_attached(req)
    return list_plan(req)


def add(req: Request, args: str) -> Reply:
    if not args.strip():
        raise IncompleteCommand(_("What goes in the plan? Give a kind, a title and a due date."),
                                example=ADD_EXAMPLE, command="plan add")
    command = parse_log(args, today=req.today, default_currency=req.team.currency, due_keyword=True)
    fields = command.fields
    if fields.on is None:
        raise IncompleteCommand(_("A plan item needs a due date: add “due 2026-12-10”."), example=ADD_EXAMPLE,
                                command="plan add", known={"kind": command.kind.value, "title": command.title})
    if fields.status not in (None, Status.PLANNED):
        raise UserError(_("Plan items are planned; to record something done, use /log."), example=ADD_EXAMPLE,
                        field="status")
    owner = resolve_owner(req, fields, example=ADD_EXAMPLE)
    activity = create_activity(
        req.session, team_id=req.team_id, kind=command.kind, title=command.title, on=fields.on,
        status=Status.PLANNED, values={**fields.values, "venue": fields.venue, "url": fields.url,
                                       "notes": fields.notes, "due_date": fields.on},
        tags=fields.tags, owner_id=owner.id, created_by=req.member.id,
    )
    reschedule(req.session, activity=activity, team=req.team, now=req.now, new=True)
    text = "🗓️ " + _("Added to the plan: {what}, owner {owner}").format(
        what=render.headline(activity), owner=markup.escape(owner.display_name))
    return Reply(text)


def _planned(req: Request, raw_id: str, example: str) -> Activity:
    activity = load_activity(req, raw_id, example=example)
    if activity.status != Status.PLANNED.value:
        raise UserError(_("#{id} is not in the plan: it is {status}.").format(id=activity.id, status=activity.status),
                        example=example)
    return activity


def done(req: Request, args: str) -> Reply:
    head, _sep, rest = args.strip().partition(" ")
    activity = _planned(req, head, DONE_EXAMPLE)
    fields = parse_fields(tokenize(rest, example=DONE_EXAMPLE), kind=Kind(activity.kind), today=req.today,
                          default_currency=activity.currency or req.team.currency, example=DONE_EXAMPLE,
                          allow_title=True)
    if fields.status is not None:
        raise UserError(_("/plan done sets the status itself; leave out status=."), example=DONE_EXAMPLE,
                        field="status")
    fields.status = Status.DONE  # apply_changes records when it was done and reschedules
    changes = apply_changes(req, activity, fields, example=DONE_EXAMPLE)
    late = activity.due_date is not None and activity.done_on is not None and activity.done_on > activity.due_date
    note = " " + _("(after its due date {due})").format(due=render.day(activity.due_date)) if late else ""
    lines = ["✅ " + _("Done: {what}").format(what=render.headline(activity)) + note, *changes,
             render.derived_line(activity)]
    return Reply("\n".join(lines))


def move(req: Request, args: str) -> Reply:
    parts = args.split()
    if len(parts) != 2:
        raise UserError(_("Give the item's number and its new due date."), example=MOVE_EXAMPLE)
    activity = _planned(req, parts[0], MOVE_EXAMPLE)
    new_date = parse_date(parts[1], today=req.today, example=MOVE_EXAMPLE)
    old = activity.due_date
    activity.date = new_date
    activity.due_date = new_date
    req.session.add(activity)
    reschedule(req.session, activity=activity, team=req.team, now=req.now)
    return Reply("📆 " + _("Moved {what} (was due {old})").format(
        what=render.headline(activity), old=render.day(old)))


def drop(req: Request, args: str) -> Reply:
    activity = _planned(req, args.strip(), DROP_EXAMPLE)
    activity.status = Status.CANCELLED.value
    req.session.add(activity)
    reschedule(req.session, activity=activity, team=req.team, now=req.now)
    return Reply("🗑️ " + _("Dropped from the plan: {what}").format(what=render.headline(activity)))


def _how_to_attach(platform: str) -> str:
    """Where the platform allows files, how to send one with the command (docs/plan.md)."""
    if platform == "telegram":
        return _("Send the CSV as a file with the caption /plan import.")
    if platform == "slack":
        return _("Slash commands cannot carry files: upload the CSV in a message to me (or in a channel I am in) "
                 "with the text /plan import.")
    return _("From a terminal: devrelbot plan import plan.csv --team <team>.")


def import_attached(req: Request) -> Reply:
    attached = req.incoming.attachments
    files = [a for a in attached if a.filename.lower().endswith((".csv", ".txt"))]
    if not files and attached:
        raise UserError(_("{name} is not a CSV file: save the sheet as CSV (UTF-8) and send that.").format(
            name=quote_token(attached[0].filename, limit=80)), example="/plan import  + plan.csv")
    if not files:
        raise UserError(_("Attach a CSV file to /plan import (columns kind,title,due,owner,outlet,tags,url)."),
                        hint=_how_to_attach(req.incoming.chat.platform), example="/plan import  + plan.csv")
    result = import_plan(req.session, team=req.team, importer=req.member, data=files[0].content, now=req.now,
                         today=req.today)
    if result.errors:
        failed = ngettext("⚠️ Nothing was imported: {n} row has errors.",
                          "⚠️ Nothing was imported: {n} rows have errors.", len(result.errors))
        lines = [failed.format(n=len(result.errors))]
        lines.extend(f"• {markup.escape(e)}" for e in result.errors[:20])
        return Reply("\n".join(lines), ephemeral=True, is_error=True)
    return Reply("📥 " + ngettext("Imported {n} plan item.", "Imported {n} plan items.", result.imported).format(
        n=result.imported))


def list_plan(req: Request) -> Reply:
    filters = parse_filters(
        req.args,
        session=req.session,
        team_id=req.team_id,
        accept=(Filter.PERIOD, Filter.ALL, Filter.PERSON),
        example=LIST_EXAMPLE,
        unknown=lambda token: _(
            "I don't know what {token} means in /plan. Use week, month or all, @person, or one of: {subs}."
        ).format(token=token, subs=", ".join(SUBCOMMANDS)),
    )
    period = filters.period_for(req.today)
    items = plan_items(req.session, team_id=req.team_id, end=period.end if period else None,
                       scope=filters.scope)
    if not items:
        return Reply(_("The plan is empty here — add an item: {example}").format(example=markup.code(_(ADD_EXAMPLE))),
                     ephemeral=True)
    owners = members_by_id(req.session, ids={a.owner_id for a in items if a.owner_id})
    lines = [markup.bold(_("Media plan"))]
    for a in items:
        owner = owners.get(a.owner_id or -1)
        due = a.due_date or a.date
        flag = " ⚠️ " + _("overdue") if due < req.today else ""
        who = f" — {markup.escape(owner.display_name)}" if owner else ""
        lines.append(f"• {render.day(due)}{flag}: {render.headline(a)}{who}")
    buttons = tuple(Button(_("Done #{id}").format(id=a.id), f"/plan done {a.id}") for a in items[:3]
                    if (a.due_date or a.date) <= req.today)
    return Reply("\n".join(lines), buttons=buttons, ephemeral=True)
