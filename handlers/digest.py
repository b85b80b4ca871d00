"""/digest — where and when the weekly digest is posted; admins subscribe a chat. The digest itself is built
in :mod:`handlers.digest_content` and sent by :mod:`jobs.digest`."""

from __future__ import annotations

from handlers import markup, render
from handlers.core import Reply
from handlers.errors import UserError
from handlers.i18n import _
from handlers.router import Request, registry
from handlers.words import weekday_name
from storage.digests import channels_of, subscribe, unsubscribe

DIGEST_EXAMPLE = "/digest here"


@registry.command(
    "digest",
    summary="Where and when the weekly digest is posted; admins subscribe this chat",
    usage="/digest [here|off]",
    examples=("/digest", DIGEST_EXAMPLE, "/digest off"),
    details="Admins change the day and hour with /settings digest=mon 10:00 (the team's time zone).",
    admin_examples=("/digest here", "/digest off"),
)
def digest(req: Request) -> Reply:
    action = req.args.strip().lower()
    chat = req.incoming.chat
    if action in ("here", "off"):
        if action == "here":
            added = subscribe(req.session, team=req.team, platform=chat.platform, chat_id=chat.chat_id,
                              thread_id=chat.thread_id, member_id=req.member.id, now=req.now)
            head = _("📬 This chat will get the weekly digest.") if added else _("This chat already gets the digest.")
        else:
            removed = unsubscribe(req.session, team=req.team, platform=chat.platform, chat_id=chat.chat_id)
            head = _("This chat will no longer get the digest.") if removed else _("This chat did not get the digest.")
        return Reply(head + "\n" + describe(req))
    if action:
        raise UserError(_("Use /digest, /digest here or /digest off."), example=DIGEST_EXAMPLE)
    return Reply(describe(req), ephemeral=True)


def describe(req: Request) -> str:
    team = req.team
    day = weekday_name(team.digest_weekday)
    lines = [markup.bold(_("Weekly digest")) + ": " + _("every {day} at {hour}:00 ({zone})").format(
        day=day, hour=f"{team.digest_hour:02d}", zone=team.timezone)]
    channels = channels_of(req.session, team_id=team.id)
    here = (req.incoming.chat.platform, req.incoming.chat.chat_id)
    for channel in channels:
        marker = " " + _("(this chat)") if (channel.platform, channel.chat_id) == here else ""
        lines.append(f"• {channel.platform} {markup.code(channel.chat_id)}{marker}")
    if not channels:
        lines.append(_("No chat gets it yet: an admin types {example} where it should go.").format(
            example=markup.code(DIGEST_EXAMPLE)))
    elif team.next_digest_at is not None:
        lines.append(_("Next: {when}").format(when=render.moment(team.next_digest_at, req.tz)))
    return "\n".join(lines)
