"""/team — which team this chat works in; in a private chat, switch between the teams you joined."""

from __future__ import annotations

from handlers import markup
from handlers.core import Button, Reply
from handlers.errors import UserError
from handlers.i18n import _
from handlers.router import Request, registry
from storage.teams import choose_team, team_for_chat, teams_of_person

TEAM_EXAMPLE = "/team 2"


@registry.command(
    "team",
    summary="Which team this chat works in; in a private chat, pick one of your teams",
    usage="/team [number]",
    examples=("/team", TEAM_EXAMPLE),
    details=(
        "A group or channel belongs to one team. A private chat with the bot works in the team you joined; "
        "if you joined several, choose one with /team and its number (the buttons do it for you)."
    ),
)
def team(req: Request) -> Reply:
    chat, user = req.incoming.chat, req.incoming.user
    private = chat.is_private and chat.workspace_id is None
    wanted = req.args.strip().lstrip("#")
    if not private:
        if wanted:
            raise UserError(_("This chat belongs to {team}; only a private chat with me can switch teams.").format(
                team=req.team.name), example="/team")
        return Reply(_("This chat works in {team}.").format(team=markup.bold(req.team.name)), ephemeral=True)
    teams = {t.id: t for t in teams_of_person(req.session, platform=user.platform, user_id=user.user_id)}
    bound = team_for_chat(req.session, platform=chat.platform, scope_id=chat.scope)
    if bound is not None:
        teams.setdefault(bound.id, bound)
    if not wanted:
        buttons = tuple(Button(t.name, f"/team {t.id}") for t in teams.values() if t.id != req.team_id)
        return Reply(_("This private chat works in {team}.").format(team=markup.bold(req.team.name)),
                     buttons=buttons, ephemeral=True)
    if not wanted.isdigit() or int(wanted) != req.team_id:  # the router picked it only if it is one of yours
        raise UserError(_("{token} is not one of your teams; /team lists them.").format(token=f"“{wanted[:40]}”"),
                        example=TEAM_EXAMPLE)
    choose_team(req.session, platform=user.platform, user_id=user.user_id, team_id=req.team_id, now=req.now)
    return Reply("✅ " + _("This private chat now works in {team}.").format(team=markup.bold(req.team.name)),
                 ephemeral=True)
