"""Attendance and speakers: the people at an event (and who spoke at it), matched to the team's community members
or added as new ones.

A person is known by whatever the source gives: a platform id (a mention), a Telegram username, a Slack user id,
an e-mail address (an event platform's export), or only a name. Matching goes from the surest to the weakest:

1. a platform id — that identity;
2. a Telegram username — a Telegram member whose display name is that username (the bot names Telegram people by
   their username), or one added earlier by that username;
3. an e-mail address — a member added earlier by that address;
4. a name alone — the one member of that display name (several: none, it is ambiguous).

Someone not found becomes a new member under the surest identity given: ``telegram``/``@username``,
``slack``/``U…``, ``email``/``address``, or the chat's platform with ``@name`` — until ``/member merge`` joins
such a record with the person's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session, col, func, select

from storage.community.members import InteractionKind, activity_subject, note_interaction
from storage.models import CommunityMember, Interaction


class MatchedBy(StrEnum):
    ID = "id"
    TELEGRAM = "telegram"
    EMAIL = "email"
    NAME = "name"


@dataclass(frozen=True)
class Attendee:
    """One person at an event, as the source names them (at least one of the fields is set)."""

    name: str = ""
    platform_id: tuple[str, str] | None = None  # (platform, user id): a mention, a Slack id
    telegram: str | None = None  # a username, without @
    email: str | None = None  # lower case

    @property
    def shown(self) -> str:
        if self.name:
            return self.name
        if self.telegram:
            return f"@{self.telegram}"
        if self.email:
            return self.email
        return self.platform_id[1] if self.platform_id else "?"


@dataclass
class AttendanceReport:
    matched: list[tuple[str, MatchedBy]] = field(default_factory=list)  # (display name, how)
    new: list[str] = field(default_factory=list)
    again: list[str] = field(default_factory=list)  # marked as attending this event before
    repeats: list[str] = field(default_factory=list)  # the same person twice in one list


def _members(session: Session, team_id: int) -> list[CommunityMember]:
    return list(session.exec(select(CommunityMember).where(CommunityMember.team_id == team_id)
                             .order_by(col(CommunityMember.id))))


def match(members: list[CommunityMember], person: Attendee) -> tuple[CommunityMember, MatchedBy] | None:
    """The known member this attendee is, by the surest identity they carry (see the module's docstring)."""
    if person.platform_id is not None:
        platform, user_id = person.platform_id
        for m in members:
            if (m.platform, m.user_id) == (platform, user_id):
                return m, MatchedBy.ID
    if person.telegram:
        wanted = person.telegram.casefold()
        for m in members:
            if m.platform == "telegram" and wanted in (m.display_name.casefold(), m.user_id.casefold().lstrip("@")):
                return m, MatchedBy.TELEGRAM
    if person.email:
        for m in members:
            if (m.platform, m.user_id) == ("email", person.email):
                return m, MatchedBy.EMAIL
    if person.name and not (person.platform_id or person.telegram or person.email):
        named = [m for m in members if m.display_name.casefold() == person.name.lstrip("@").casefold()]
        if len(named) == 1:
            return named[0], MatchedBy.NAME
    return None


def new_identity(person: Attendee, *, platform: str) -> tuple[str, str, str]:
    """(platform, user id, display name) of an attendee the community does not know yet."""
    if person.platform_id is not None:
        return person.platform_id[0], person.platform_id[1], person.name or person.platform_id[1]
    if person.telegram:
        return "telegram", f"@{person.telegram}", person.telegram
    if person.email:
        return "email", person.email, person.name or person.email
    name = person.name.lstrip("@")
    return platform, f"@{name}", name


def record_attendance(
    session: Session, *, team_id: int, activity_id: int, people: list[Attendee], platform: str, at: datetime,
) -> AttendanceReport:
    """Mark everyone in ``people`` as attending the activity (one interaction each, at ``at``); ``platform`` is
    where a bare name was typed."""
    return _record(session, team_id=team_id, activity_id=activity_id, people=people, platform=platform, at=at,
                   kinds=(InteractionKind.ATTENDANCE,))


def record_speakers(
    session: Session, *, team_id: int, activity_id: int, people: list[Attendee], platform: str, at: datetime,
) -> AttendanceReport:
    """Mark everyone in ``people`` as a speaker at the team's event: a speaking interaction (the talk weight) and,
    since a speaker was there, an attendance — each once per person and event, so naming someone again, or
    importing an attendee list that has the speaker in it too, counts nothing twice. ``again`` in the report
    means marked as a speaker of this event before."""
    return _record(session, team_id=team_id, activity_id=activity_id, people=people, platform=platform, at=at,
                   kinds=(InteractionKind.SPEAKING, InteractionKind.ATTENDANCE))


def _record(
    session: Session, *, team_id: int, activity_id: int, people: list[Attendee], platform: str, at: datetime,
    kinds: tuple[InteractionKind, ...],
) -> AttendanceReport:
    """Match each person and record ``kinds`` for them on the activity; ``kinds[0]`` is what "again" is about.
    An interaction is unique per member, kind and subject, so a repeat only moves its time."""
    members = _members(session, team_id)
    subject = activity_subject(activity_id)
    marked = set(session.exec(select(Interaction.member_id).where(
        Interaction.team_id == team_id, Interaction.kind == kinds[0].value,
        Interaction.subject == subject)).all())
    report = AttendanceReport()
    seen: set[tuple[str, str]] = set()
    for person in people:
        found = match(members, person)
        if found is not None:
            member, how = found
            identity = (member.platform, member.user_id, member.display_name)
        else:
            identity = new_identity(person, platform=platform)
        key = (identity[0], identity[1][:64])
        if key in seen:
            report.repeats.append(person.shown)
            continue
        seen.add(key)
        for kind in kinds:
            member_id = note_interaction(session, team_id=team_id, platform=identity[0], user_id=identity[1],
                                         display_name=identity[2], kind=kind, subject=subject,
                                         activity_id=activity_id, now=at)
        if member_id in marked:
            report.again.append(identity[2])
        elif found is not None:
            report.matched.append((identity[2], found[1]))
        else:
            report.new.append(identity[2])
            # Known to the rest of the list (a row naming them again by another identity is a repeat).
            members.append(CommunityMember(id=member_id, team_id=team_id, platform=identity[0], user_id=identity[1],
                                           display_name=identity[2], first_seen=at, last_seen=at))
    return report


def attendance_count(session: Session, *, activity_id: int) -> int:
    return int(session.exec(select(func.count()).select_from(Interaction).where(
        Interaction.kind == InteractionKind.ATTENDANCE.value, Interaction.subject == activity_subject(activity_id))
    ).one())
