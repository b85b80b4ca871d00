"""/forget me — a person erases themselves from every team's community; their votes stay as anonymous counts."""

from __future__ import annotations

from handlers.core import Reply
from handlers.errors import UserError
from handlers.i18n import _, ngettext
from handlers.router import Request, registry
from storage.community.forget import forget_person
from storage.feedback.votes import voter_key

FORGET_EXAMPLE = "/forget me"


@registry.command(
    "forget",
    summary="Erase yourself from every team's community: your profile goes, your votes stay as anonymous counts",
    usage="/forget me",
    examples=(FORGET_EXAMPLE,),
    details="Send it in a private chat with the bot. Ratings and NPS stay as they were; nothing names you any more.",
)
def forget(req: Request) -> Reply:
    if req.args.strip().lower() not in ("me", "меня"):
        raise UserError(_("Say “/forget me” to erase yourself; nobody can erase someone else."),
                        example=FORGET_EXAMPLE)
    if not req.incoming.chat.is_private:
        raise UserError(_("Send /forget me in a private chat with the bot, not in a group."), example=FORGET_EXAMPLE)
    user = req.incoming.user
    done = forget_person(req.session, platform=user.platform, user_id=user.user_id,
                         voter=voter_key(platform=user.platform, user_id=user.user_id))
    if not done.members and not done.votes:
        return Reply(_("There was nothing about you in any community: no profile and no votes."), ephemeral=True)
    return Reply(
        ngettext("🧹 Done: your community profile and its history are erased, and your {n} vote is now an "
                 "anonymous count.",
                 "🧹 Done: your community profile and its history are erased, and your {n} votes are now "
                 "anonymous counts.", done.votes).format(n=done.votes),
        ephemeral=True,
    )
