"""What a due reminder says, and to whom. The sweep in jobs/ claims rows and sends what this builds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from handlers import markup, render
from handlers.checklist import label
from handlers.core import Button, ChatRef, DirectTarget, Reply, UserRef, as_platform
from handlers.i18n import _, ngettext, use_locale
from handlers.words import metric_name
from storage.domain import Kind, Status
from storage.models import Activity, ChatBinding, Member, Reminder, Team
from storage.periods import local_today
from storage.plan import open_items
from storage.reminders import ReminderKind

LATE_AFTER = timedelta(days=1)
ASKED_NUMBER = {Kind.PUBLICATION: "views", Kind.SOCIAL: "views", Kind.EVENT: "audience",
                Kind.TALK: "audience", Kind.PARTNERSHIP: "contacts"}


@dataclass(frozen=True)
class Outgoing:
    reminder_id: int
    platform: str
    target: DirectTarget
    reply: Reply


def prepare(session: Session, *, reminder_id: int, now: datetime) -> Outgoing | None:
    """The message for a claimed reminder, or None when it no longer applies (the sweep cancels it then):
    the item was done, dropped or deleted, or the checklist is complete."""
    reminder = session.get(Reminder, reminder_id)
    activity = session.get(Activity, reminder.activity_id) if reminder else None
    team = session.get(Team, reminder.team_id) if reminder else None
    if reminder is None or activity is None or team is None:
        return None
    owner = session.get(Member, activity.owner_id) if activity.owner_id else None
    owner = owner or _first_admin(session, team_id=team.id)
    with use_locale(team.locale):
        reply = _message(session, reminder, activity, team, now)
    if reply is None or owner is None:
        return None
    due_at = reminder.due_at if reminder.due_at.tzinfo else reminder.due_at.replace(tzinfo=UTC)
    if now - due_at > LATE_AFTER:
        with use_locale(team.locale):
            late = _("(Late: this reminder was due {when}; the bot was not running then.)").format(
                when=render.moment(due_at, render_zone(team)))
        reply = Reply(f"{reply.text}\n{markup.italic(late)}", buttons=reply.buttons)
    target = DirectTarget(user=UserRef(platform=as_platform(owner.platform), user_id=owner.user_id,
                                       display_name=owner.display_name),
                          fallback_chat=_team_chat(session, team_id=team.id, platform=owner.platform))
    return Outgoing(reminder_id=reminder_id, platform=owner.platform, target=target, reply=reply)


def render_zone(team: Team) -> ZoneInfo:
    return ZoneInfo(team.timezone)


def _message(session: Session, reminder: Reminder, activity: Activity, team: Team, now: datetime) -> Reply | None:
    kind = ReminderKind(reminder.kind)
    what = render.headline(activity)
    if kind == ReminderKind.FOLLOWUP:
        if activity.status != Status.DONE.value:
            return None
        metric = metric_name(ASKED_NUMBER[Kind(activity.kind)])  # a key the grammar reads in this language
        text = "📊 " + _("How many {metric} did {title} get? Reply with {example}").format(
            metric=metric, title=markup.bold(activity.title),
            example=markup.code(f"/update {activity.id} {metric}=…"))
        return Reply(text, buttons=(
            Button(_("Snooze 1 day"), f"/followup {activity.id} snooze 1d"),
            Button(_("Snooze 1 week"), f"/followup {activity.id} snooze 1w"),
            Button(_("No numbers"), f"/followup {activity.id} stop"),
        ))
    if activity.status != Status.PLANNED.value or activity.due_date is None:
        return None
    due = render.day(activity.due_date)
    done = Button(_("Mark done"), f"/plan done {activity.id}", style="primary")
    days_left = (activity.due_date - local_today(now, team.timezone)).days
    if kind == ReminderKind.DUE_SOON:
        if days_left <= 0:
            return None  # caught up late: the "due today" or "overdue" reminder says it better
        text = "⏰ " + ngettext("Coming up in {days} day ({due}): {what}", "Coming up in {days} days ({due}): {what}",
                               days_left).format(days=days_left, due=due, what=what)
        return Reply(text, buttons=(done,))
    if kind == ReminderKind.DUE_TODAY:
        if days_left < 0:
            return None
        return Reply("📅 " + _("Due today: {what}").format(what=what), buttons=(done,))
    if kind == ReminderKind.OVERDUE:
        text = "⚠️ " + _("Overdue since {due}: {what}. Mark it done, move it ({move}) or drop it.").format(
            due=due, what=what, move=markup.code(f"/plan move {activity.id} <date>"))
        return Reply(text, buttons=(done, Button(_("Drop it"), f"/plan drop {activity.id}", style="danger")))
    items = open_items(session, activity_id=activity.id)
    if not items:
        return None
    if days_left < 0:
        return None
    listed = ", ".join(label(item) for item in items)
    text = "📋 " + ngettext("{what} is in {days} day; open checklist items: {items}",
                           "{what} is in {days} days; open checklist items: {items}", days_left).format(
        what=what, days=days_left, items=markup.escape(listed))
    return Reply(text, buttons=(Button(_("Open the checklist"), f"/checklist {activity.id}"),))


def _first_admin(session: Session, *, team_id: int | None) -> Member | None:
    return session.exec(
        select(Member).where(Member.team_id == team_id, Member.role == "admin").order_by(col(Member.id))
    ).first()


def _team_chat(session: Session, *, team_id: int | None, platform: str) -> ChatRef | None:
    binding = session.exec(
        select(ChatBinding)
        .where(ChatBinding.team_id == team_id, ChatBinding.platform == platform, ChatBinding.purpose == "team")
        .order_by(col(ChatBinding.id))
    ).first()
    return ChatRef(platform=as_platform(platform), chat_id=binding.chat_id) if binding else None
