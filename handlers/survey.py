"""/survey — the new-hire survey: "Did our talks, articles or events influence your decision to join?"

``/survey hire @person`` sends the person a direct message with Yes / Partly / No; after a yes or a partly,
an optional second question asks which of the team's recent activities it was. Only that person's clicks
count. Hiring influence (the share of yes + partly) shows in /stats.
"""

from __future__ import annotations

import re

from handlers import markup, render
from handlers.core import Button, DirectTarget, Reply, UserRef
from handlers.errors import PermissionDenied, UserError, quote_token
from handlers.i18n import _
from handlers.parsing import parse_id
from handlers.router import Request, registry
from storage.activities import get_activity, list_activities
from storage.domain import Status
from storage.feedback.survey import HireAnswer, answer_survey, get_survey, start_survey
from storage.teams import find_members_by_name

SURVEY_EXAMPLE = "/survey hire @alice"
RECENT_ACTIVITIES = 5
# What a door turns a mention into: a Slack user id (U…/W…) or a Telegram numeric id.
_USER_ID = re.compile(r"^(?:[UW][A-Z0-9]{5,}|\d{4,})$")


@registry.command(
    "survey",
    summary="Ask a new hire whether our talks, articles or events influenced their decision to join",
    usage="/survey hire @person",
    examples=(SURVEY_EXAMPLE,),
    details=(
        "The person gets a direct message with Yes / Partly / No, then optionally which activity it was. "
        "Hiring influence, the share of yes and partly, is in /stats."
    ),
)
def survey(req: Request) -> list[Reply]:
    words = req.args.split()
    action = words[0].lower() if words else ""
    if action == "hire" and len(words) == 2:
        return _ask(req, words[1])
    if action == "answer" and len(words) in (3, 4):
        return [_answer(req, words[1:])]
    raise UserError(_("Name the new hire: /survey hire @person."), example=SURVEY_EXAMPLE)


def _ask(req: Request, name: str) -> list[Reply]:
    person = _resolve(req, name)
    survey_row, _new = start_survey(
        req.session, team_id=req.team_id, platform=person.platform, user_id=person.user_id,
        display_name=person.display_name, asked_by=req.member.id, now=req.now,
    )
    shown = markup.escape(f"@{person.display_name}")
    if survey_row.answer is not None:
        raise UserError(
            _("{name} already answered the survey ({answer}).").format(name=f"@{person.display_name}",
                                                                      answer=_(survey_row.answer))
        )
    sid = survey_row.id
    question = Reply(
        "👋 " + _("Welcome to {team}! One quick question: did our talks, articles or events influence your decision "
                 "to join?").format(team=markup.bold(req.team.name)),
        buttons=(
            Button(_("Yes"), f"/survey answer {sid} yes", style="primary"),
            Button(_("Partly"), f"/survey answer {sid} partly"),
            Button(_("No"), f"/survey answer {sid} no"),
        ),
        to=DirectTarget(user=person, fallback_chat=None if req.incoming.chat.is_private else req.incoming.chat),
    )
    done = Reply(_("📨 Sent the new-hire survey to {name}.").format(name=shown), ephemeral=True)
    return [question, done]


def _resolve(req: Request, name: str) -> UserRef:
    """A member of the team by name or id; someone the bot has not met yet by the id a mention carries. Asking
    someone joins them to nothing: their answer (a click in a direct message) is filed under the survey's
    team, and their own private chat stays theirs."""
    wanted = name.lstrip("@")
    platform = req.incoming.user.platform
    found = [m for m in find_members_by_name(req.session, team_id=req.team_id, name=wanted) if m.platform == platform]
    if found:
        return UserRef(platform=platform, user_id=found[0].user_id, display_name=found[0].display_name)
    if not _USER_ID.match(wanted):
        raise UserError(
            _("I don't know {token} yet: mention them (@…) so I get their id, or ask them to send me /help first.")
            .format(token=quote_token(name)),
            example=SURVEY_EXAMPLE,
        )
    return UserRef(platform=platform, user_id=wanted, display_name=wanted)


def _answer(req: Request, words: list[str]) -> Reply:
    example = "/survey answer 3 yes"
    survey_row = get_survey(req.session, survey_id=parse_id(words[0], example=example))
    user = req.incoming.user
    if survey_row is None:
        raise UserError(_("There is no such survey."), example=example)
    if (survey_row.platform, survey_row.user_id) != (user.platform, user.user_id):
        raise PermissionDenied(_("This question was for someone else."))
    try:
        answer = HireAnswer(words[1].lower())
    except ValueError:
        raise UserError(_("Answer yes, partly or no."), example=example) from None
    if len(words) == 3:
        which = words[2].lower()
        activity = None
        if which != "skip":
            activity = get_activity(req.session, activity_id=parse_id(which, example=example))
            if activity is None or activity.team_id != survey_row.team_id:
                raise UserError(_("There is no such activity in this team."), example=example)
        answer_survey(req.session, survey=survey_row, answer=answer, now=req.now,
                      activity_id=activity.id if activity else None)
        if activity is None:
            return Reply(_("Thanks! Your answer is saved."))
        return Reply(_("Thanks! Noted: {what}").format(what=render.headline(activity)))
    answer_survey(req.session, survey=survey_row, answer=answer, now=req.now)
    if answer is HireAnswer.NO:
        return Reply(_("Thanks for answering — and welcome aboard!"))
    recent = list_activities(req.session, team_id=survey_row.team_id, limit=RECENT_ACTIVITIES * 2)
    recent = [a for a in recent if a.status == Status.DONE.value][:RECENT_ACTIVITIES]
    if not recent:
        return Reply(_("Thanks — and welcome aboard!"))
    buttons = tuple(
        Button(f"{a.kind} #{a.id}: {a.title}"[:60], f"/survey answer {survey_row.id} {answer.value} {a.id}")
        for a in recent
    ) + (Button(_("Skip"), f"/survey answer {survey_row.id} {answer.value} skip"),)
    return Reply(_("Thanks! Which of these was it? (optional)"), buttons=buttons)
