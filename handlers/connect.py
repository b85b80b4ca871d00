"""/connect and /disconnect — one team across Slack and Telegram, joined with a one-time code.

A team admin runs ``/connect telegram`` (in Slack or the console) and gets a code; an admin of a Telegram
group runs ``/connect CODE`` there and the group joins the team. ``/connect slack community`` makes a code for a
Slack channel: a workspace admin sends it in the channel, and that channel — not the whole workspace — becomes a
community chat. Whether someone is an admin *of the chat* is the platform's knowledge: the door checks it and
passes ``Incoming.chat_admin``.
"""

from __future__ import annotations

from handlers import markup
from handlers.core import Reply
from handlers.errors import UserError, quote_token
from handlers.i18n import _, ngettext
from handlers.router import Request, registry
from storage.links import (
    CODE_TTL,
    PURPOSES,
    LinkOutcome,
    create_link_code,
    looks_like_code,
    redeem_link_code,
    unbind_chat,
)

CONNECT_EXAMPLE = "/connect telegram"
REDEEM_EXAMPLE = "/connect ABCD-EFGH"
# Platforms another chat can join from. Data, not a branch: the word only names where the code will be used.
JOINABLE = ("telegram", "slack")
SLACK_EXAMPLE = "/connect slack community"


@registry.command(
    "connect",
    summary="Link a Telegram group or a Slack channel to this team with a one-time code",
    usage="/connect telegram [team|community]  ·  /connect slack community  ·  /connect CODE",
    examples=(CONNECT_EXAMPLE, "/connect telegram community", SLACK_EXAMPLE, REDEEM_EXAMPLE),
    admin_examples=("/connect telegram", "/connect telegram community", SLACK_EXAMPLE, REDEEM_EXAMPLE),
    details=(
        "A team admin runs /connect telegram (in Slack or the console) and gets a code that works once, for "
        "15 minutes. An admin of the Telegram group then sends /connect CODE in that group, and the group "
        "becomes part of the team: a team chat, or a community chat whose members vote on feedback. "
        "/connect slack community makes a code for a Slack channel: a Slack workspace admin sends /connect CODE "
        "in the channel, and that channel becomes a community chat (/ask … in #channel, /feedback … everywhere)."
    ),
)
def connect(req: Request) -> Reply:
    words = req.args.split()
    if not words:
        raise UserError(
            _("Say where the code will be used, or give the code you got."),
            example=CONNECT_EXAMPLE,
            hint=_("Then, in the Telegram group: {example}").format(example=REDEEM_EXAMPLE),
        )
    if words[0].lower() in JOINABLE:
        return _new_code(req, words[0].lower(), words[1:])
    if looks_like_code(req.args):
        return _redeem(req, req.args)
    raise UserError(
        _("{token} is neither “telegram” nor a link code like ABCD-EFGH.").format(token=quote_token(words[0])),
        example=CONNECT_EXAMPLE,
        hint=_("In the Telegram group, send the code: {example}").format(example=REDEEM_EXAMPLE),
    )


def _new_code(req: Request, platform: str, rest: list[str]) -> Reply:
    purpose = rest[0].lower() if rest else "community" if platform == "slack" else "team"
    if platform == "slack" and purpose == "team":
        # A Slack channel belongs to its workspace's team already: it can only join as a community chat.
        raise UserError(_("A Slack channel joins as a community chat: its workspace is the team's chat already."),
                        example=SLACK_EXAMPLE)
    if purpose not in PURPOSES or len(rest) > 1:
        raise UserError(
            _("A linked chat is either a team chat or a community chat: “team” or “community”."),
            example="/connect telegram community",
        )
    code = create_link_code(req.session, team_id=req.team_id, created_by=req.member.id, now=req.now, purpose=purpose)
    minutes = int(CODE_TTL.total_seconds() // 60)
    what = _("a community chat") if purpose == "community" else _("a team chat")
    if platform == "slack":
        where = _("In the Slack channel, a Slack workspace admin sends:")
        joins = ngettext("The channel joins {team} as {what}. The code works once, for {minutes} minute.",
                         "The channel joins {team} as {what}. The code works once, for {minutes} minutes.", minutes)
    else:
        where = _("In the Telegram group, an admin of the group sends:")
        joins = ngettext("The group joins {team} as {what}. The code works once, for {minutes} minute.",
                         "The group joins {team} as {what}. The code works once, for {minutes} minutes.", minutes)
    lines = [
        _("🔗 Link code: {code}").format(code=markup.bold(code)),
        where,
        markup.code(f"/connect {code}"),
        joins.format(team=markup.bold(req.team.name), what=what, minutes=minutes),
    ]
    return Reply("\n".join(lines), ephemeral=True)


def _redeem(req: Request, code: str) -> Reply:
    chat = req.incoming.chat
    # In a Slack channel the scope is the whole workspace; a community code links the channel alone.
    channel = chat.chat_id if chat.chat_id != chat.scope else None
    result = redeem_link_code(
        req.session, code=code, platform=chat.platform, chat_id=chat.scope, title=req.incoming.chat_title,
        now=req.now, channel_id=channel,
    )
    if result.outcome is LinkOutcome.UNKNOWN:
        raise UserError(
            _("That link code is not valid. Check it, or ask a team admin for a new one with /connect telegram."),
            example=REDEEM_EXAMPLE,
        )
    if result.outcome is LinkOutcome.EXPIRED:
        raise UserError(_("That link code has expired. Ask a team admin for a new one with /connect telegram."))
    if result.outcome is LinkOutcome.USED:
        raise UserError(_("That link code was already used. Ask a team admin for a new one with /connect telegram."))
    assert result.team is not None
    team = markup.bold(result.team.name)
    if result.outcome is LinkOutcome.TEAM_CODE_IN_CHANNEL:
        raise UserError(_("A Slack channel joins only as a community chat; this code is for a team chat. "
                          "Ask a team admin for a community code."), example=SLACK_EXAMPLE)
    if result.outcome is LinkOutcome.OTHER_WORKSPACE_TEAM:
        raise UserError(_("This Slack workspace belongs to {team}, so its channels can only join {team}. "
                          "Ask an admin of {team} for the code.").format(team=team), example=SLACK_EXAMPLE)
    if result.outcome is LinkOutcome.ALREADY_LINKED:
        return Reply(_("This chat is already part of {team}.").format(team=team), ephemeral=True)
    what = _("community chat") if result.purpose == "community" else _("team chat")
    return Reply(
        _("✅ This chat is now a {what} of {team}. /disconnect undoes it.").format(what=what, team=team)
    )


@registry.command(
    "disconnect",
    summary="Unlink this chat from the team it joined with /connect",
    usage="/disconnect",
    examples=("/disconnect",),
    admin_examples=("/disconnect",),
)
def disconnect(req: Request) -> Reply:
    chat = req.incoming.chat
    # A Slack channel linked as a community chat leaves alone; elsewhere (and in other channels) the chat's scope.
    team = unbind_chat(req.session, platform=chat.platform, chat_id=chat.chat_id) if chat.chat_id != chat.scope \
        else None
    team = team or unbind_chat(req.session, platform=chat.platform, chat_id=chat.scope)
    if team is None:
        raise UserError(_("This chat was not linked to a team with /connect, so there is nothing to undo."))
    return Reply(
        _("This chat has left {team}; from now on it is a team of its own.").format(team=markup.bold(team.name))
    )
