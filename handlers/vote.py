"""/vote — an answer to a feedback poll: what the poll's buttons send where the platform has no native poll."""

from __future__ import annotations

from handlers.core import Reply
from handlers.errors import UserError
from handlers.i18n import _
from handlers.parsing import parse_id
from handlers.router import Request, registry
from storage.community.members import InteractionKind, note_vote
from storage.feedback.cards import Mode, get_card
from storage.feedback.order import ANSWER, newest_change
from storage.feedback.scales import Scale, scores_of
from storage.feedback.votes import cast_vote, voter_key


@registry.command(
    "vote",
    summary="Answer a feedback poll (what the poll's buttons send)",
    usage="/vote <poll> <answer>",
    examples=("/vote 7 4",),
    details="Poll buttons send this for you; a new vote replaces your earlier one until the poll is closed.",
)
def vote(req: Request) -> Reply | list[Reply]:
    example = "/vote 7 4"
    words = req.args.split()
    if len(words) != 2:
        raise UserError(_("Give the poll's number and your answer."), example=example)
    card = get_card(req.session, card_id=parse_id(words[0], example=example))
    here = req.incoming.chat
    if (
        card is None
        or card.mode != Mode.POLL.value
        or card.message_id is None
        or (card.platform, card.chat_id) != (here.platform, here.chat_id)
    ):
        raise UserError(_("There is no such poll in this chat."), example=example)
    if card.closed_at is not None:
        raise UserError(_("This poll is closed; its result is final."))
    scores = scores_of(Scale(card.scale))
    raw = words[1]
    if not raw.isdigit() or int(raw) not in scores:
        raise UserError(
            _("Answer with a number from {low} to {high}.").format(low=scores[0], high=scores[-1]), example=example
        )
    user = req.incoming.user
    voter = voter_key(platform=user.platform, user_id=user.user_id)
    stamp = req.incoming.stamp
    if stamp is not None and not newest_change(req.session, card=card, voter=voter, choice=ANSWER, present=True,
                                               stamp=stamp, now=req.now):
        return []  # a newer click of theirs counted already and was answered: this late one changes nothing
    cast_vote(req.session, card=card, voter=voter, score=int(raw), now=req.now)
    note_vote(req.session, card=card, platform=user.platform, user_id=user.user_id, display_name=user.display_name,
              kind=InteractionKind.POLL_ANSWER, now=req.now)
    return Reply(_("🗳️ Your answer: {score}. Thanks! Click another one to change it.").format(score=raw),
                 ephemeral=True)
