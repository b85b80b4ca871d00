"""/help — what the bot can do, and how to write each command."""

from __future__ import annotations

from handlers import markup
from handlers.core import Reply
from handlers.errors import UserError
from handlers.i18n import _
from handlers.router import Request, registry


@registry.command(
    "help",
    summary="What each command does; /help <command> for details",
    usage="/help [command]",
    examples=("/help", "/help log"),
    reads_only=True,
)
def help_(req: Request) -> Reply:
    name = req.args.strip().lstrip("/").lower()
    # Under a namespace command (Slack's /devrel) every command is typed after it: /devrel stats.
    slash = f"/{req.incoming.namespace} " if req.incoming.namespace else "/"
    if not name:
        lines = [markup.bold(_("devrelbot commands"))]
        for listed in registry.all():
            admin = (" " + _("(admins)") if listed.admin_only
                     else " " + _("(partly admins)") if listed.admin_examples else "")
            lines.append(f"• {markup.code(slash + listed.name)} — {markup.escape(_(listed.summary))}{admin}")
        lines.append(_("Type /help <command> for details, e.g. {example}.").format(
            example=markup.code(slash + "help log")))
        return Reply("\n".join(lines), ephemeral=True)
    command = registry.get(name)
    if command is None:
        raise UserError(
            _("There is no command /{name}; /help lists them all.").format(name=name[:40]), example="/help log"
        )
    lines = [
        f"{markup.bold('/' + command.name)} — {markup.escape(_(command.summary))}",
        _("Usage: {usage}").format(usage=markup.code(_(command.usage))),
    ]
    if command.details:
        lines.append(markup.escape(_(command.details)))
    if command.examples:
        lines.append(_("Examples:"))
        lines.extend(f"• {markup.code(_(e))}" for e in command.examples)
    if command.admin_only:
        lines.append(_("Only team admins can use it."))
    elif command.admin_examples:
        # The permission table (handlers/permissions.py) says who exactly; an item's owner counts as its admin.
        lines.append(_("Only admins — or, on an activity, its owner — can do these:"))
        lines.extend(f"• {markup.code(_(e))}" for e in command.admin_examples)
    return Reply("\n".join(lines), ephemeral=True)
