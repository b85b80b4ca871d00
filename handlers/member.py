"""/member — one community member's profile: orbit level and its trend, when first and last seen, what they did."""

from __future__ import annotations

from handlers import markup, render
from handlers.community import level_name
from handlers.core import Reply
from handlers.errors import UserError, quote_token
from handlers.i18n import _
from handlers.router import Request, registry
from storage.community.members import InteractionKind
from storage.community.summary import find_community_members, member_profile

MEMBER_EXAMPLE = "/member @carol"


@registry.command(
    "member",
    summary="A community member's profile: orbit level and trend, first seen, platforms, votes and poll answers",
    usage="/member <@name|user id|#number>",
    examples=(MEMBER_EXAMPLE, "/member #3"),
    reads_only=True,
)
def member(req: Request) -> Reply:
    who = req.args.strip()
    if not who:
        raise UserError(_("Say whose profile to show."), example=MEMBER_EXAMPLE)
    found = find_community_members(req.session, team_id=req.team_id, who=who)
    if not found:
        raise UserError(
            _("{token} is not a member of this team's community yet.").format(token=quote_token(who)),
            example=MEMBER_EXAMPLE,
        )
    if len(found) > 1:
        raise UserError(
            _("{token} names several community members; pick one by number: {choices}.").format(
                token=quote_token(who), choices=", ".join(f"#{m.id} ({m.platform})" for m in found)),
            example="/member #3",
        )
    profile = member_profile(req.session, member=found[0], now=req.now)
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
    ]
    return Reply("\n".join(lines), ephemeral=True)
