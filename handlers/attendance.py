"""/attended, /attendees and /speakers — who was at an event, and who spoke at it: people named in chat, or an
event platform's attendee export (CSV), matched to the team's community members (new members otherwise) with a
report of what matched.

Attending is a community interaction worth 5, speaking at the team's event one worth 10 (the team's weights:
:mod:`storage.community.orbit`), both dated on the event's day; a speaker was there, so they attended too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from handlers import markup, render
from handlers.activity import load_activity
from handlers.core import Reply
from handlers.csv_files import csv_rows
from handlers.errors import UserError, quote_token
from handlers.i18n import _, ngettext
from handlers.router import Request, registry
from handlers.safe_text import uncsv_cell
from handlers.words import kind_name
from storage.community.attendance import AttendanceReport, Attendee, MatchedBy, record_attendance, record_speakers
from storage.domain import Kind
from storage.models import Activity
from storage.periods import local_moment

ATTENDED_EXAMPLE = "/attended 42 @carol @dave"
SPEAKERS_EXAMPLE = "/speakers 42 @carol"
IMPORT_EXAMPLE = "/attendees 42 import  + attendees.csv"
HEADER_EXAMPLE = "Name,Telegram,Email"
MAX_ROWS = 5000
SHOWN = 10
# What a door turns a mention into: a Slack user id (U…/W…) or a Telegram numeric id.
_USER_ID = re.compile(r"^(?:[UW][A-Z0-9]{5,}|\d{4,})$")
_TELEGRAM = re.compile(r"^[A-Za-z][A-Za-z0-9_]{4,31}$")
_SLACK_ID = re.compile(r"^[UW][A-Z0-9]{5,}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# Column names of common event platforms' exports (Timepad, Eventbrite, Meetup, Luma, Google Forms…), folded:
# lower case, with "_" and "-" as spaces.
NAME_COLUMNS = frozenset({"name", "full name", "fullname", "attendee", "attendee name", "participant", "guest",
                          "имя и фамилия", "фио", "участник"})
FIRST_NAME_COLUMNS = frozenset({"first name", "firstname", "given name", "имя"})
LAST_NAME_COLUMNS = frozenset({"last name", "lastname", "surname", "family name", "фамилия"})
TELEGRAM_COLUMNS = frozenset({"telegram", "telegram username", "telegram handle", "telegram login", "tg",
                              "tg username", "телеграм", "телеграмм", "ник в telegram", "ник в телеграм"})
SLACK_COLUMNS = frozenset({"slack", "slack id", "slack user id", "slack member id"})
EMAIL_COLUMNS = frozenset({"email", "e mail", "email address", "e mail address", "mail", "почта",
                           "электронная почта", "эл почта", "адрес электронной почты"})


@registry.command(
    "attended",
    summary="Mark who attended an event: they become (or are matched to) community members",
    usage="/attended <event id> @person @person …",
    examples=(ATTENDED_EXAMPLE,),
    details="Attending scores 5 in a member's engagement. /attendees <id> import takes an event platform's CSV.",
)
def attended(req: Request) -> Reply:
    words = req.args.split()
    activity = load_activity(req, words[0] if words else "", example=ATTENDED_EXAMPLE)
    if not words[1:]:
        raise UserError(_("Name the people who attended, as @mentions."), example=ATTENDED_EXAMPLE)
    return _recorded(req, activity, named_people(req, words[1:], example=ATTENDED_EXAMPLE), skipped=[])


def named_people(req: Request, names: list[str], *, example: str) -> list[Attendee]:
    """People named in chat: a mention (a platform id), a Telegram username, or a bare name."""
    people = []
    for word in names:
        name = word.lstrip("@")
        if not name:
            raise UserError(_("{token} names no one.").format(token=quote_token(word)), example=example)
        if _USER_ID.match(name):
            people.append(Attendee(platform_id=(req.incoming.chat.platform, name)))
        elif req.incoming.chat.platform == "telegram" and _TELEGRAM.match(name):
            people.append(Attendee(telegram=name))
        else:
            people.append(Attendee(name=name))
    return people


@registry.command(
    "attendees",
    summary="Import an event's attendee list (a CSV export of the event platform) into the community",
    usage="/attendees <event id> import  (with a CSV attached)",
    examples=(IMPORT_EXAMPLE,),
    details=(
        "The CSV needs a name column and a Telegram username, Slack id or e-mail column — the exports of Timepad, "
        "Eventbrite, Meetup, Luma or a form work as they are; other columns are ignored. Each person is matched to "
        "a known community member (new members otherwise), and the reply says who matched how. From a terminal: "
        "devrelbot attendees import <event id> attendees.csv --team <team>."
    ),
)
def attendees(req: Request) -> Reply:
    words = req.args.split()
    if len(words) != 2 or words[1].lower() != "import":
        raise UserError(_("Say which event and attach its attendee CSV: /attendees <event id> import."),
                        example=IMPORT_EXAMPLE)
    activity = load_activity(req, words[0], example=IMPORT_EXAMPLE)
    files = [a for a in req.incoming.attachments if a.filename.lower().endswith((".csv", ".txt"))]
    if not files:
        raise UserError(_("Attach the attendee list as a CSV file (a name column and a Telegram username, Slack id "
                          "or e-mail column)."), example=IMPORT_EXAMPLE)
    table = read_attendees(files[0].content)
    return _recorded(req, activity, table.people, skipped=table.skipped)


@registry.command(
    "speakers",
    summary="Mark who spoke at the team's event: a talk counts 10 in their engagement, and they attended too",
    usage="/speakers <event id> @person @person …",
    examples=(SPEAKERS_EXAMPLE, "/speakers 42 @carol @dave"),
    details=(
        "For community members who gave a talk at one of the team's own events (a meetup, a workshop): each "
        "scores the talk weight (10 unless /settings orbit says otherwise) and counts as an attendee of the event. "
        "Naming someone again counts nothing twice. The team's own advocates' talks elsewhere are /log talk."
    ),
)
def speakers(req: Request) -> Reply:
    words = req.args.split()
    activity = load_activity(req, words[0] if words else "", example=SPEAKERS_EXAMPLE)
    if activity.kind != Kind.EVENT.value:
        raise UserError(
            _("#{id} is a {kind}, not one of the team's events: speakers are marked on an event (a meetup, a "
              "workshop).").format(id=activity.id, kind=kind_name(activity.kind)),
            example=SPEAKERS_EXAMPLE)
    if not words[1:]:
        raise UserError(_("Name the people who spoke, as @mentions."), example=SPEAKERS_EXAMPLE)
    assert activity.id is not None  # read from the database
    report = record_speakers(req.session, team_id=req.team_id, activity_id=activity.id,
                             people=named_people(req, words[1:], example=SPEAKERS_EXAMPLE),
                             platform=req.incoming.chat.platform, at=_event_moment(req, activity))
    return Reply(format_report(activity, report, [], speakers=True))


@dataclass
class AttendeeTable:
    people: list[Attendee] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "line 4: why"


def _fold(header: str) -> str:
    return " ".join(header.strip().lower().replace("_", " ").replace("-", " ").split())


def read_attendees(data: bytes) -> AttendeeTable:
    """An event platform's attendee export → the people in it; rows without a usable identity are skipped with
    the reason. A file without any identity column is refused."""
    header, rows = csv_rows(data, example=HEADER_EXAMPLE)
    columns = [_fold(h) for h in header]

    def where(names: frozenset[str]) -> int | None:
        return next((i for i, c in enumerate(columns) if c in names), None)

    name, first, last = where(NAME_COLUMNS), where(FIRST_NAME_COLUMNS), where(LAST_NAME_COLUMNS)
    telegram, slack, email = where(TELEGRAM_COLUMNS), where(SLACK_COLUMNS), where(EMAIL_COLUMNS)
    if telegram is None and slack is None and email is None:
        raise UserError(
            _("The file has no Telegram username, Slack id or e-mail column (its columns: {cols}).").format(
                cols=", ".join(quote_token(h, limit=30) for h in header[:12])),
            example=HEADER_EXAMPLE)
    if len(rows) > MAX_ROWS:
        raise UserError(_("The file has {n} rows; at most {limit} are imported at once.").format(
            n=len(rows), limit=MAX_ROWS), example=HEADER_EXAMPLE)
    table = AttendeeTable()
    for line, values in rows:

        def cell(index: int | None, values: list[str] = values) -> str:
            return uncsv_cell(values[index].strip()) if index is not None and index < len(values) else ""

        shown = cell(name) or " ".join(p for p in (cell(first), cell(last)) if p)
        tg = cell(telegram).removeprefix("https://").removeprefix("t.me/").lstrip("@")
        slack_id, mail = cell(slack).upper(), cell(email).lower()
        problems = []
        if tg and not _TELEGRAM.match(tg):
            problems.append(_("{token} is not a Telegram username").format(token=quote_token(tg)))
        if slack_id and not _SLACK_ID.match(slack_id):
            problems.append(_("{token} is not a Slack user id").format(token=quote_token(slack_id)))
        if mail and not _EMAIL.match(mail):
            problems.append(_("{token} is not an e-mail address").format(token=quote_token(mail)))
        if problems:
            table.skipped.append(_("line {line}: {why}").format(line=line, why="; ".join(problems)))
        elif not (tg or slack_id or mail):
            table.skipped.append(_("line {line}: no Telegram username, Slack id or e-mail").format(line=line))
        else:
            table.people.append(Attendee(name=shown[:200], telegram=tg or None, email=mail[:64] or None,
                                         platform_id=("slack", slack_id) if slack_id else None))
    return table


def _event_moment(req: Request, activity: Activity) -> datetime:
    """When attending (or speaking) happened: noon of the event's day, never in the future."""
    return min(local_moment(activity.date, 12, req.team.timezone), req.now)


def _recorded(req: Request, activity: Activity, people: list[Attendee], *, skipped: list[str]) -> Reply:
    assert activity.id is not None  # read from the database
    report = record_attendance(req.session, team_id=req.team_id, activity_id=activity.id, people=people,
                               platform=req.incoming.chat.platform, at=_event_moment(req, activity))
    return Reply(format_report(activity, report, skipped))


def format_report(activity: Activity, report: AttendanceReport, skipped: list[str], *, speakers: bool = False) -> str:
    recorded = len(report.matched) + len(report.new) + len(report.again)
    if speakers:
        title = ngettext("🎤 {n} speaker at {what}", "🎤 {n} speakers at {what}", recorded)
    else:
        title = ngettext("✅ {n} attendee of {what}", "✅ {n} attendees of {what}", recorded)
    lines = [title.format(n=recorded, what=render.headline(activity))]
    if report.matched:
        how = {MatchedBy.ID: _("by id"), MatchedBy.TELEGRAM: _("by Telegram username"),
               MatchedBy.EMAIL: _("by e-mail"), MatchedBy.NAME: _("by name")}
        lines.append(_("• known community members ({n}): {names}").format(n=len(report.matched), names=_names(
            [f"{name} ({how[by]})" for name, by in report.matched])))
    if report.new:
        lines.append(_("• new community members ({n}): {names}").format(n=len(report.new), names=_names(report.new)))
    if report.again:
        again = _("• marked as speakers before, counted once ({n}): {names}") if speakers else _(
            "• already marked before ({n}): {names}")
        lines.append(again.format(n=len(report.again), names=_names(report.again)))
    if report.repeats:
        lines.append(_("• named twice, counted once ({n}): {names}").format(n=len(report.repeats),
                                                                            names=_names(report.repeats)))
    if skipped:
        lines.append(_("• skipped ({n}): {rows}").format(n=len(skipped), rows=_names(skipped)))
    return "\n".join(lines)


def _names(items: list[str]) -> str:
    shown = ", ".join(markup.escape(i) for i in items[:SHOWN])
    more = len(items) - SHOWN
    return shown if more <= 0 else shown + " " + ngettext("and {n} more", "and {n} more", more).format(n=more)
