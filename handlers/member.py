"""/member — one community member's profile: orbit level and its trend, when first and last seen, what they did."""

from __future__ import annotations

from handlers import markup, render
from handlers.community import level_name
from handlers.core import Reply
from handlers.errors import PermissionDenied, UserError, quote_token
from handlers.i18n import _
from handlers.router import Request, registry
from storage.community.members import InteractionKind
from storage.community.merge import merge_members
from storage.community.orbit import Orbit
from storage.community.summary import find_community_members, member_profile
from storage.models import CommunityMember

MEMBER_EXAMPLE = "/member @carol"
MERGE_EXAMPLE = "/member merge #3 #7"


@registry.command(
    "member",
    summary="A community member's profile: orbit level and trend, first seen, platforms, votes and poll answers",
    usage="/member <@name|user id|#number>  ·  /member merge <#a> <#b>",
    examples=(MEMBER_EXAMPLE, "/member #3", MERGE_EXAMPLE),
    admin_examples=("/member merge #1 #2",),
    details="An admin merges two records of one person (their Slack and Telegram selves, say) with /member merge: "
            "from then on they count as one member, the first, with both histories.",
)
def member(req: Request) -> Reply:
    who = req.args.strip()
    if not who:
        raise UserError(_("Say whose profile to show."), example=MEMBER_EXAMPLE)
    words = who.split()
    if words[0].lower() == "merge":
        return _merge(req, words[1:])
    profile = member_profile(req.session, member=_one(req, who, example=MEMBER_EXAMPLE), now=req.now,
                             orbit=Orbit.loads(req.team.orbit))
    person = profile.member
    if profile.level is None:
        level = _("no orbit level (no interaction in 90 days)")
    else:
        level = _("orbit level {level} (score {score})").format(level=profile.level,
                                                                score=render.decimal(profile.score))
    before, now = profile.level_a_month_ago, profile.level
    rank_before, rank_now = before or 5, now or 5
    trend = (_("moving closer") if rank_now < rank_before else _("drifting away") if rank_now > rank_before
             else _("steady"))
    counts = profile.counts
    lines = [
        markup.bold(f"#{person.id} {markup.escape(person.display_name)}"),
        f"• {level}; {_('a month ago')}: {level_name(before)} — {trend}",
        "• {label}: {day}".format(label=_("first seen"), day=person.first_seen.astimezone(req.tz).date().isoformat()),
        "• {label}: {day}".format(label=_("last seen"), day=person.last_seen.astimezone(req.tz).date().isoformat()),
        "• {label}: {names}".format(label=_("platforms"), names=", ".join(profile.platforms)),
        "• {label}: {n}".format(label=_("votes with a reaction"), n=counts.get(InteractionKind.REACTION, 0)),
        "• {label}: {n}".format(label=_("polls answered"), n=counts.get(InteractionKind.POLL_ANSWER, 0)),
        "• {label}: {n}".format(label=_("events attended"), n=counts.get(InteractionKind.ATTENDANCE, 0)),
        "• {label}: {n}".format(label=_("talks given at the team's events"),
                                n=counts.get(InteractionKind.SPEAKING, 0)),
    ]
    return Reply("\n".join(lines), ephemeral=True)


def _one(req: Request, who: str, *, example: str) -> CommunityMember:
    found = find_community_members(req.session, team_id=req.team_id, who=who)
    if not found:
        raise UserError(
            _("{token} is not a member of this team's community yet.").format(token=quote_token(who)),
            example=example,
        )
    if len(found) > 1:
        raise UserError(
            _("{token} names several community members; pick one by number: {choices}.").format(
                token=quote_token(who), choices=", ".join(f"#{m.id} ({m.platform})" for m in found)),
            example="/member #3",
        )
    return found[0]


def _merge(req: Request, names: list[str]) -> Reply:
    if not req.is_admin:
        raise PermissionDenied(_("Only a team admin can merge community members."), example=MERGE_EXAMPLE)
    if len(names) != 2:
        raise UserError(_("Name the two records of one person: the one to keep, then the other."),
                        example=MERGE_EXAMPLE)
    keep, other = (_one(req, name, example=MERGE_EXAMPLE) for name in names)
    if keep.id == other.id:
        raise UserError(_("{a} and {b} are one member already.").format(a=quote_token(names[0]),
                                                                        b=quote_token(names[1])),
                        example=MERGE_EXAMPLE)
    merge_members(req.session, keep=keep, other=other)
    platforms = member_profile(req.session, member=keep, now=req.now).platforms
    return Reply(_("🔗 #{other} {other_name} is now counted as #{keep} {keep_name} ({platforms}).").format(
        other=other.id, other_name=markup.escape(other.display_name), keep=keep.id,
        keep_name=markup.escape(keep.display_name), platforms=", ".join(platforms)))
