"""/admin — who the team's admins are, and granting or revoking the role.

Admins come from the platform (Slack workspace admins and owners, Telegram group administrators and creators,
anonymous group admins, the console's local user — the doors ask the platform, and ask again when its answer
is a few minutes old) plus explicit grants. Nobody becomes an admin by being the first to use the bot; when
no one is an admin yet, ``devrelbot admin grant NAME --team TEAM`` from the shell is the way in.
"""

from __future__ import annotations

from handlers import markup
from handlers.core import Reply
from handlers.errors import UserError
from handlers.i18n import N_, _
from handlers.router import Request, registry
from storage.domain import Role
from storage.models import Member
from storage.teams import find_members_by_name, granted_admins, set_role

GRANT_EXAMPLE = "/admin grant @alice"
REVOKE_EXAMPLE = "/admin revoke @alice"

ADMIN_DETAILS = N_(
    "Who is an admin: Slack workspace admins and owners, administrators and the creator of a Telegram team "
    "group (also when posting anonymously as the group), the local console user — the bot asks the platform, "
    "again every few minutes — and people an admin granted the role. Being the first to use the bot makes no "
    "one an admin. An admin changes it with /admin grant @person and /admin revoke @person; from the shell, "
    "devrelbot admin grant|revoke|list --team NAME."
)


@registry.command(
    "admin",
    summary="Who the team's admins are; grant or revoke the admin role",
    usage="/admin [list] · /admin grant @person · /admin revoke @person",
    examples=("/admin", GRANT_EXAMPLE, REVOKE_EXAMPLE),
    admin_examples=("/admin grant @bob", "/admin revoke @alice"),
    details=ADMIN_DETAILS,
)
def admin(req: Request) -> Reply:
    words = req.args.split()
    action = words[0].lower() if words else "list"
    if action == "list" and len(words) <= 1:
        return _list(req)
    if action in ("grant", "revoke") and len(words) == 2:
        member = _person(req, words[1], example=GRANT_EXAMPLE if action == "grant" else REVOKE_EXAMPLE)
        return _grant(req, member) if action == "grant" else _revoke(req, member)
    raise UserError(_("Say list, grant @person or revoke @person."), example=GRANT_EXAMPLE)


def _list(req: Request) -> Reply:
    granted = granted_admins(req.session, team_id=req.team_id)
    lines = [markup.bold(_("Admins of {team}").format(team=req.team.name))]
    if granted:
        lines.extend(f"• {markup.escape(m.display_name)}" for m in granted)
    else:
        lines.append(_("No one has been granted the role."))
    lines.append(markup.escape(_(ADMIN_DETAILS)))
    you = _("You are an admin here.") if req.is_admin else _("You are not an admin here.")
    lines.append(you)
    return Reply("\n".join(lines), ephemeral=True)


def _person(req: Request, name: str, *, example: str) -> Member:
    found = find_members_by_name(req.session, team_id=req.team_id, name=name)
    if len(found) == 1:
        return found[0]
    if found:
        raise UserError(_("More than one team member is called {token}; use their user id.").format(
            token=f"“{name[:40]}”"), example=example)
    raise UserError(
        _("No one in this team is called {token}: a person joins the team by using the bot here once.").format(
            token=f"“{name[:40]}”"),
        example=example,
    )


def _grant(req: Request, member: Member) -> Reply:
    name = markup.escape(member.display_name)
    if not set_role(req.session, member=member, role=Role.ADMIN):
        return Reply(_("{name} is already an admin.").format(name=name), ephemeral=True)
    return Reply("🔑 " + _("{name} is now an admin of {team}.").format(name=name, team=markup.bold(req.team.name)))


def _revoke(req: Request, member: Member) -> Reply:
    name = markup.escape(member.display_name)
    if not set_role(req.session, member=member, role=Role.ADVOCATE):
        raise UserError(_("{name} was not granted the admin role, so there is nothing to revoke (admins of the "
                          "platform stay admins).").format(name=member.display_name), example="/admin")
    return Reply(_("{name} is no longer an admin of {team} (unless the platform makes them one).").format(
        name=name, team=markup.bold(req.team.name)))
