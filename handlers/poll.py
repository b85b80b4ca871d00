"""/poll — a rating (1–5) or NPS (0–10) poll about an activity, /poll close — and the poll answers and results
the platforms report. Buttons of a poll where the platform has no native one send /vote (:mod:`handlers.vote`)."""

from __future__ import annotations

from handlers import markup, render
from handlers.activity import load_activity
from handlers.core import (
    ChatRef,
    PollAnswer,
    PollResults,
    PollSpec,
    Reply,
    SentMessage,
    as_platform,
)
from handlers.errors import UserError
from handlers.feedback import card_track
from handlers.i18n import _, ngettext
from handlers.router import EventRequest, Request, registry
from storage.community.members import InteractionKind, note_vote, withdraw_vote_interaction
from storage.feedback.cards import Mode, card_for_poll, close_card, create_card, open_polls
from storage.feedback.order import ANSWER, newest_change
from storage.feedback.scales import Scale, scores_of
from storage.feedback.votes import cast_vote, replace_tallies, voter_key, withdraw_vote

POLL_EXAMPLE = "/poll 42 nps"


@registry.command(
    "poll",
    summary="Send a rating (1–5) or NPS (0–10) poll about an activity; /poll close freezes it",
    usage="/poll <id> [rating|nps]  ·  /poll close <id>",
    examples=("/poll 42", POLL_EXAMPLE, "/poll close 42"),
    admin_examples=("/poll close 1",),  # someone else's activity: its owner or an admin
    details=(
        "In Telegram it is a native poll (anonymous unless an admin sets /settings polls=public); elsewhere a "
        "message with one button per answer, where a new click replaces the old one. Closing a poll makes its "
        "result final."
    ),
)
def poll(req: Request) -> Reply:
    words = req.args.split()
    if words and words[0].lower() == "close":
        return _close(req, words[1:])
    activity = load_activity(req, words[0] if words else "", example=POLL_EXAMPLE)
    scale_word = words[1].lower() if len(words) > 1 else Scale.RATING.value
    if scale_word not in (Scale.RATING.value, Scale.NPS.value) or len(words) > 2:
        raise UserError(
            _("A poll asks for a rating (1–5) or an NPS (0–10): say “rating” or “nps”."), example=POLL_EXAMPLE
        )
    scale = Scale(scale_word)
    assert activity.id is not None  # read from the database
    chat = req.incoming.chat
    card = create_card(
        req.session, team_id=req.team_id, activity_id=activity.id, mode=Mode.POLL, scale=scale,
        platform=chat.platform, chat_id=chat.chat_id, created_by=req.member.id, now=req.now,
        anonymous=req.team.polls_anonymous,
    )
    if scale is Scale.RATING:
        question = _("How would you rate “{title}”? 1 = poor, 5 = excellent").format(title=activity.title)
    else:
        question = _("How likely are you to recommend “{title}” to a friend or colleague? 0 = not at all, "
                     "10 = extremely likely").format(title=activity.title)
    spec = PollSpec(
        question=question,
        options=tuple(str(s) for s in scores_of(scale)),
        anonymous=req.team.polls_anonymous,
        choice_command=f"/vote {card.id}",
    )
    return Reply(markup.escape(question), poll=spec, track=card_track(card))


def _close(req: Request, words: list[str]) -> Reply:
    example = "/poll close 42"
    activity = load_activity(req, words[0] if words else "", example=example)
    assert activity.id is not None  # read from the database
    cards = open_polls(req.session, activity_id=activity.id)
    if not cards:
        raise UserError(_("#{id} has no open poll; /poll {id} sends one.").format(id=activity.id), example=example)
    for card in cards:
        close_card(req.session, card=card, now=req.now)
    stops = tuple(
        SentMessage(chat=ChatRef(platform=as_platform(c.platform), chat_id=c.chat_id), message_id=c.message_id or "",
                    poll_id=c.poll_id)
        for c in cards
    )
    text = ngettext(
        "🔒 Closed {n} poll on {what}; its result is final. /show {id} shows it.",
        "🔒 Closed {n} polls on {what}; their result is final. /show {id} shows it.",
        len(cards),
    ).format(n=len(cards), what=render.headline(activity), id=activity.id)
    return Reply(text, stop_polls=stops)


# --- platform events ----------------------------------------------------------------------------------


@registry.on(PollAnswer)
def on_poll_answer(req: EventRequest) -> None:
    """A named answer to a native poll; no options means the person took their vote back."""
    event = req.event
    assert isinstance(event, PollAnswer)
    card = card_for_poll(req.session, poll_id=event.poll_id)
    if card is None or card.closed_at is not None or event.user is None or event.user.is_bot:
        return None
    voter = voter_key(platform=event.user.platform, user_id=event.user.user_id)
    if event.stamp is not None and not newest_change(req.session, card=card, voter=voter, choice=ANSWER,
                                                     present=bool(event.option_ids), stamp=event.stamp, now=req.now):
        return None  # a newer answer of theirs was applied already
    scores = scores_of(Scale(card.scale))
    if not event.option_ids:
        withdraw_vote(req.session, card=card, voter=voter)
        withdraw_vote_interaction(req.session, card=card, platform=event.user.platform, user_id=event.user.user_id,
                                  kind=InteractionKind.POLL_ANSWER)
    elif 0 <= event.option_ids[0] < len(scores):
        cast_vote(req.session, card=card, voter=voter, score=scores[event.option_ids[0]], now=req.now)
        note_vote(req.session, card=card, platform=event.user.platform, user_id=event.user.user_id,
                  display_name=event.user.display_name, kind=InteractionKind.POLL_ANSWER, now=req.now)
    return None


@registry.on(PollResults)
def on_poll_results(req: EventRequest) -> None:
    """A native poll's totals. Named polls are counted from their answers, so only anonymous ones use these;
    once a poll is closed, only its final (closed) result is taken."""
    event = req.event
    assert isinstance(event, PollResults)
    card = card_for_poll(req.session, poll_id=event.poll_id)
    if card is None:
        return None
    if card.anonymous and (card.closed_at is None or event.is_closed):
        scores = scores_of(Scale(card.scale))
        tallies = {str(i): (scores[i], n) for i, n in enumerate(event.voter_counts) if i < len(scores)}
        replace_tallies(req.session, card=card, tallies=tallies, now=req.now)
    if event.is_closed and card.closed_at is None:
        close_card(req.session, card=card, now=req.now)
    return None
