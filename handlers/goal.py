"""/goal — the team's targets for a month, quarter or year, and how far along each one is."""

from __future__ import annotations

from handlers import markup
from handlers.core import Reply
from handlers.errors import UserError, quote_token
from handlers.goal_text import goal_line, members_of, period_label
from handlers.i18n import _, ngettext
from handlers.parsing import parse_count, parse_id, parse_nps, parse_rating, parse_tag, tokenize
from handlers.router import Request, registry
from storage.goals import drop_goal, get_goal, goals_from, progress, set_goal
from storage.models import GOAL_METRICS
from storage.periods import period_containing
from storage.teams import find_members_by_name

GOAL_EXAMPLE = "/goal quarter talks=12 publications=24 reach=500k contacts=300 nps=50 hires=5"
GOAL_PERIODS = ("month", "quarter", "year")
METRIC_WORDS: dict[str, str] = {
    **{m: m for m in GOAL_METRICS},
    "talk": "talks", "event": "events", "meetups": "events", "partnership": "partnerships",
    "publication": "publications", "posts": "publications", "articles": "publications", "tweets": "social",
    "actions": "target_actions", "target": "target_actions", "hired": "hires",
}


@registry.command(
    "goal",
    summary="Targets for the month, quarter or year, and progress against them; admins set them",
    usage="/goal [next] month|quarter|year <metric>=<target> … [#tag] [@person]  ·  /goal  ·  /goal drop <id>",
    examples=("/goal", GOAL_EXAMPLE, "/goal month talks=4 #backend", "/goal quarter publications=6 @alice",
              "/goal drop 3"),
    admin_examples=("/goal quarter talks=12", "/goal drop 1"),
    details=(
        "Metrics: activities, talks, events, partnerships, publications, social, reach, engagement, contacts, "
        "target_actions, hires, nps, rating. A goal with #tag counts that tag's activities, with @person that "
        "person's. Setting the same goal again changes its target. Progress shows in /stats, /report and the "
        "digest: on track while what is done keeps pace with the time gone by."
    ),
)
def goal(req: Request) -> Reply:
    words = req.args.split()
    if not words:
        return Reply(listing(req), ephemeral=True)
    if words[0].lower() == "drop":
        return _drop(req, words[1:])
    return _set(req)


def _set(req: Request) -> Reply:
    tokens = tokenize(req.args, example=GOAL_EXAMPLE)
    period_word: str | None = None
    following = False
    targets: dict[str, float] = {}
    tag: str | None = None
    person: str | None = None
    for token in tokens:
        word = token.text.lower()
        if word == "next" and period_word is None and not following:
            following = True
        elif word in GOAL_PERIODS and period_word is None:
            period_word = word
        elif word.startswith("#"):
            if tag is not None:
                raise UserError(_("Give one #tag per goal."), example="/goal month talks=4 #backend")
            tag = parse_tag(token.text, example=GOAL_EXAMPLE)
        elif word.startswith("@") and len(word) > 1:
            if person is not None:
                raise UserError(_("Give one @person per goal."), example="/goal quarter publications=6 @alice")
            person = token.text[1:]
        elif "=" in word:
            key, _sep, raw = token.text.partition("=")
            metric = METRIC_WORDS.get(key.lower())
            if metric is None:
                raise UserError(
                    _("{token} is not a metric a goal can have; use {metrics}.").format(
                        token=quote_token(key), metrics=", ".join(GOAL_METRICS)),
                    example=GOAL_EXAMPLE)
            if metric in targets:
                raise UserError(_("{name} is given twice; give it once.").format(name=metric), example=GOAL_EXAMPLE)
            targets[metric] = _target(metric, raw)
        else:
            raise UserError(
                _("I don't know what {token} means here: start with month, quarter or year, then metric=target.")
                .format(token=quote_token(token.raw)),
                example=GOAL_EXAMPLE)
    if period_word is None:
        raise UserError(_("Say which period the goal is for: month, quarter or year."), example=GOAL_EXAMPLE)
    if not targets:
        raise UserError(_("Give at least one target, like talks=12."), example=GOAL_EXAMPLE)
    member_id = _member_id(req, person) if person else None
    period = period_containing(period_word, req.today)  # type: ignore[arg-type]
    if following:
        period = period_containing(period.name, period.end)
    created = changed = 0
    for metric, target in targets.items():
        _goal, new = set_goal(req.session, team_id=req.team_id, period=period, metric=metric, target=target,
                              tag=tag, member_id=member_id, created_by=req.member.id)
        created += new
        changed += not new
    head = []
    if created:
        head.append(ngettext("🎯 Set {n} goal.", "🎯 Set {n} goals.", created).format(n=created))
    if changed:
        head.append(ngettext("Changed the target of {n} goal.", "Changed the targets of {n} goals.",
                             changed).format(n=changed))
    return Reply(" ".join(head) + "\n" + listing(req))


def _target(metric: str, raw: str) -> float:
    example = GOAL_EXAMPLE
    if metric == "nps":
        return float(parse_nps(raw, example=example))
    if metric == "rating":
        return parse_rating(raw, example=example)
    value = parse_count(metric, raw, example=example)
    if value == 0:
        raise UserError(_("A target of 0 is no goal; give a number above zero."), example=example)
    return float(value)


def _member_id(req: Request, name: str) -> int | None:
    matches = find_members_by_name(req.session, team_id=req.team_id, name=name)
    if len(matches) != 1:
        raise UserError(
            _("No one in this team is called @{name}.").format(name=name[:40]) if not matches
            else _("More than one team member is called @{name}; use their user id.").format(name=name[:40]),
            example="/goal quarter publications=6 @alice")
    return matches[0].id


def _drop(req: Request, words: list[str]) -> Reply:
    example = "/goal drop 3"
    if len(words) != 1:
        raise UserError(_("Name the goal to drop by its number (see /goal)."), example=example)
    found = get_goal(req.session, team_id=req.team_id, goal_id=parse_id(words[0], example=example))
    if found is None:
        raise UserError(_("There is no goal {token} in this team; /goal lists them.").format(
            token=f"#{words[0].lstrip('#')[:12]}"), example=example)
    label = period_label(found)
    drop_goal(req.session, goal=found)
    return Reply(_("Dropped goal #{id} ({period}).").format(id=words[0].lstrip("#"), period=label) + "\n"
                 + listing(req))


def listing(req: Request) -> str:
    goals = goals_from(req.session, team_id=req.team_id, day=req.today)
    if not goals:
        return _("No goals yet. An admin sets them with {example}").format(example=markup.code(GOAL_EXAMPLE))
    members = members_of(req.session, goals)
    action_name = req.team.target_action_name
    lines = [markup.bold(_("Goals"))]
    for g in goals:
        lines.append(goal_line(progress(req.session, goal=g, today=req.today), members, action_name=action_name,
                               with_id=True))
    return "\n".join(lines)

