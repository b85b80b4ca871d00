"""/log — record a talk, event, partnership, publication or social post in one line."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from handlers import render
from handlers.core import Reply
from handlers.errors import UserError
from handlers.i18n import N_, _
from handlers.parsing import EXAMPLES, Fields, parse_log
from handlers.router import QuickRequest, Request, registry
from storage.activity_insert import insert_activity
from storage.domain import Status
from storage.models import Member
from storage.reminders import ReminderSettings
from storage.teams import find_members_by_name, members_named

Owner = TypeVar("Owner")

LOG_DETAILS = N_("""\
Kinds: talk, event (meetup, workshop, hackathon), partnership (booth), publication (post, article, video, blog), \
social (tweet).
Title: in quotes ("…", '…' or «…»), or the words up to the first @, #, date, key=value or link.
Dates: 2026-11-20, 20.11.2026, 20.11, 20 Nov 2026, today, yesterday, tomorrow (default today). A future date makes \
the item planned.
Numbers: 300, 12k, 1.5k. Cost: cost=1500, cost=1500usd, cost=€200 (default: the team's currency).
Russian words work too: доклад, митап, статья; аудитория=, просмотры=; вчера, 20 ноября; 1 500 руб.
Also: @ venue (or outlet / network), #tags, a link, @person for the owner, status=planned|done|cancelled, \
purpose=hiring|brand|product|community (default: the team's, see /settings), notes="…"."""
)


def log_quick(req: QuickRequest) -> Reply:
    """The work of /log, on its hot path: the team and member as cached, the writes in statements built once
    (:mod:`storage.activity_insert`: the activity, its tags, reminders and history in this transaction; the
    activity's insert checks a cached copy of the team — :class:`~storage.chat_context.StaleContext` when it no
    longer holds, and the router runs this again on the pair read now)."""
    chat, today = req.chat, req.today
    command = parse_log(req.args, today=today, default_currency=chat.currency)
    fields = command.fields
    owner_id, owner_name = _quick_owner(req, fields, example=EXAMPLES[command.kind])
    on = fields.on or today
    status = fields.status or (Status.PLANNED if on > today else Status.DONE)
    activity = insert_activity(
        req.connection,
        team_id=chat.team_id,
        kind=command.kind,
        title=command.title,
        on=on,
        status=status,
        values={
            # The team's default purpose, unless the line names one.
            "purpose": chat.default_purpose,
            **fields.values, "venue": fields.venue, "url": fields.url, "notes": fields.notes,
            # A planned item is in the media plan, due on its date; a done one was done on its date.
            "due_date": on if status == Status.PLANNED else None,
            "done_on": on if status == Status.DONE else None,
        },
        tags=fields.tags,
        owner_id=owner_id,
        created_by=chat.member_id,
        reminders=ReminderSettings(timezone=chat.timezone, hour=chat.reminder_hour,
                                   days_before=chat.reminder_days_before),
        actor=req.actor,
        now=req.now,
        generation=req.guard,
    )
    verb = _("Planned") if status == Status.PLANNED else _("Logged")
    text = f"✅ {verb} {render.details(activity, tags=sorted(fields.tags), owner=owner_name)}"
    return Reply(text)


@registry.command(
    "log",
    summary="Log a talk, event, partnership, publication or social post",
    usage="/log <kind> <title> [@ venue] [date] [key=value …] [#tag …] [link]",
    examples=tuple(EXAMPLES.values()),
    details=LOG_DETAILS,
    quick=log_quick,
)
def log_activity(req: Request) -> Reply:
    """/log when the router had to make the chat's team or the person's membership first (the ORM way): then
    the same work as on the hot path."""
    return log_quick(QuickRequest.of(req))


def resolve_owner(req: Request, fields: Fields, *, example: str) -> Member:
    """``@alice`` makes a team member the owner. An unknown ``@Word`` with no venue yet reads as the venue."""
    if fields.owner is None:
        return req.member
    matches = find_members_by_name(req.session, team_id=req.team_id, name=fields.owner)
    return _choose_owner(fields, matches, me=req.member, example=example)


def _quick_owner(req: QuickRequest, fields: Fields, *, example: str) -> tuple[int, str]:
    """:func:`resolve_owner` on the hot path: the owner's id and display name."""
    me = (req.chat.member_id, req.chat.member_name)
    if fields.owner is None:
        return me
    matches = members_named(req.connection, team_id=req.chat.team_id, name=fields.owner)
    return _choose_owner(fields, matches, me=me, example=example)


def _choose_owner(fields: Fields, matches: Sequence[Owner], *, me: Owner, example: str) -> Owner:
    assert fields.owner is not None
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise UserError(
            _("More than one team member is called @{name}; use their user id.").format(name=fields.owner),
            example=example,
        )
    if fields.venue is None:
        fields.venue = fields.owner
        return me
    raise UserError(
        _("No one in this team is called @{name}. To name a venue, write “@ {name}” with a space.").format(
            name=fields.owner
        ),
        example=example,
    )
