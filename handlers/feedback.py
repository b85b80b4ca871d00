"""/feedback, /poll and /vote — community feedback on an activity — and the platform events that carry it.

A card is created here before it is sent; the reply carries ``track="card:<id>"`` and the door reports the
sent message back as a :class:`Posted` event, so reactions (and poll answers) on exactly that message count.
Reactions on other messages, and the reactions of bots, are ignored. One voter, one vote per card: a later
reaction or click replaces the earlier one, removing the reaction withdraws it.
"""

from __future__ import annotations

from handlers import markup, render
from handlers.core import (
    ChatRef,
    PollAnswer,
    PollResults,
    PollSpec,
    Posted,
    ReactionCount,
    ReactionEvent,
    Reply,
    SentMessage,
)
from handlers.errors import PermissionDenied, UserError, quote_token
from handlers.i18n import _, ngettext
from handlers.ledger import load_activity
from handlers.parsing import parse_id
from handlers.router import EventRequest, Request, registry
from storage.emoji import normalize_emoji
from storage.feedback.cards import (
    Mode,
    card_for_message,
    card_for_poll,
    card_posted,
    close_card,
    create_card,
    get_card,
    open_polls,
    reaction_target,
)
from storage.feedback.emoji_map import emoji_map_of
from storage.feedback.scales import Scale, scores_of
from storage.feedback.votes import cast_vote, replace_tallies, voter_key, withdraw_vote
from storage.links import linked_chats
from storage.models import Activity, FeedbackCard, Team

FEEDBACK_EXAMPLE = "/feedback 42"
POLL_EXAMPLE = "/poll 42 nps"
CARD_TRACK = "card:"


def card_track(card: FeedbackCard) -> str:
    return f"{CARD_TRACK}{card.id}"


# --- /feedback ----------------------------------------------------------------------------------------


@registry.command(
    "feedback",
    summary="Post a card about an activity that people rate with emoji reactions",
    usage="/feedback <id> [everywhere]",
    examples=(FEEDBACK_EXAMPLE, "/feedback 42 everywhere"),
    details=(
        "Reactions on the card are votes: one per person, a new reaction replaces the old one, removing it takes "
        "the vote back. “everywhere” also posts the card into every community chat of the team, on Slack and "
        "Telegram. Admins change the emoji with /settings emoji 🔥=5 👍=4 😐=3 👎=1. "
        "On Slack, where /feedback belongs to Slack itself, the command is /rate."
    ),
)
def feedback(req: Request) -> list[Reply]:
    words = req.args.split()
    activity = load_activity(req, words[0] if words else "", example=FEEDBACK_EXAMPLE)
    rest = [w.lower() for w in words[1:]]
    if rest not in ([], ["everywhere"]):
        raise UserError(
            _("{token} is not an option of /feedback; the only one is “everywhere”.").format(
                token=quote_token(words[1])
            ),
            example="/feedback 42 everywhere",
        )
    here = req.incoming.chat
    chats: list[ChatRef | None] = [None]  # None: this chat
    if rest:
        chats += [
            ChatRef(platform=b.platform, chat_id=b.chat_id)  # type: ignore[arg-type]
            for b in linked_chats(req.session, team_id=req.team.id)
            if b.purpose == "community" and (b.platform, b.chat_id) != (here.platform, here.chat_id)
        ]
    text = card_text(activity, req.team)
    replies = []
    for chat in chats:
        target = chat or here
        card = create_card(
            req.session, team_id=req.team.id, activity_id=activity.id, mode=Mode.EMOJI, scale=Scale.RATING,
            platform=target.platform, chat_id=target.chat_id, created_by=req.member.id, now=req.now,
        )
        replies.append(Reply(text, to=chat, track=card_track(card)))
    if rest:
        elsewhere = len(chats) - 1
        replies.append(Reply(
            ngettext("Also posted in {n} community chat.", "Also posted in {n} community chats.", elsewhere).format(
                n=elsewhere) if elsewhere else _("No community chats are linked yet: /connect telegram community "
                                                 "links one."),
            ephemeral=True,
        ))
    return replies


def card_text(activity: Activity, team: Team) -> str:
    emoji = " ".join(emoji_map_of(team))
    lines = [f"📣 {markup.bold(_('How was it?'))} {render.headline(activity)}"]
    if activity.url:
        lines.append(markup.link(activity.url, activity.url))
    lines.append(_("Rate it with a reaction: {emoji}").format(emoji=markup.escape(emoji)))
    return "\n".join(lines)


# --- /poll and /vote ----------------------------------------------------------------------------------


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
    chat = req.incoming.chat
    card = create_card(
        req.session, team_id=req.team.id, activity_id=activity.id, mode=Mode.POLL, scale=scale,
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
    if not req.is_admin and activity.owner_id != req.member.id:
        raise PermissionDenied(
            _("Only the owner of #{id} or a team admin can close its polls.").format(id=activity.id), example=example
        )
    cards = open_polls(req.session, activity_id=activity.id)
    if not cards:
        raise UserError(_("#{id} has no open poll; /poll {id} sends one.").format(id=activity.id), example=example)
    for card in cards:
        close_card(req.session, card=card, now=req.now)
    stops = tuple(
        SentMessage(chat=ChatRef(platform=c.platform, chat_id=c.chat_id), message_id=c.message_id or "",  # type: ignore[arg-type]
                    poll_id=c.poll_id)
        for c in cards
    )
    text = ngettext(
        "🔒 Closed {n} poll on {what}; its result is final. /show {id} shows it.",
        "🔒 Closed {n} polls on {what}; their result is final. /show {id} shows it.",
        len(cards),
    ).format(n=len(cards), what=render.headline(activity), id=activity.id)
    return Reply(text, stop_polls=stops)


@registry.command(
    "vote",
    summary="Answer a feedback poll (what the poll's buttons send)",
    usage="/vote <poll> <answer>",
    examples=("/vote 7 4",),
    details="Poll buttons send this for you; a new vote replaces your earlier one until the poll is closed.",
)
def vote(req: Request) -> Reply:
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
    cast_vote(req.session, card=card, voter=voter_key(platform=user.platform, user_id=user.user_id), score=int(raw),
              now=req.now)
    return Reply(_("🗳️ Your answer: {score}. Thanks! Click another one to change it.").format(score=raw),
                 ephemeral=True)


# --- platform events ----------------------------------------------------------------------------------


@registry.on(Posted)
def on_posted(req: EventRequest) -> None:
    """The door sent a card: remember its message (and poll) id, so that votes on it count."""
    event = req.event
    assert isinstance(event, Posted)
    if not event.track.startswith(CARD_TRACK) or not event.sent.message_id:
        return None
    card_id = event.track.removeprefix(CARD_TRACK)
    if card_id.isdigit():
        sent = event.sent
        card_posted(req.session, card_id=int(card_id), platform=sent.chat.platform, chat_id=sent.chat.chat_id,
                    message_id=sent.message_id, poll_id=sent.poll_id)
    return None


@registry.on(ReactionEvent)
def on_reaction(req: EventRequest) -> None:
    event = req.event
    assert isinstance(event, ReactionEvent)
    if event.user is None or event.user.is_bot:
        return None
    card = reaction_target(req.session, platform=event.chat.platform, chat_id=event.chat.chat_id,
                           message_id=event.message_id)
    if card is None or card.mode != Mode.EMOJI.value or card.closed_at is not None:
        return None
    emoji = normalize_emoji(event.emoji)
    voter = voter_key(platform=event.user.platform, user_id=event.user.user_id)
    if not event.added:
        withdraw_vote(req.session, card=card, voter=voter, emoji=emoji)
        return None
    score = card.emoji_map.get(emoji)
    if score is not None:
        cast_vote(req.session, card=card, voter=voter, score=score, emoji=emoji, now=req.now)
    return None


@registry.on(ReactionCount)
def on_reaction_count(req: EventRequest) -> None:
    """Anonymous reactions (Telegram channels): the newest totals replace the card's older ones."""
    event = req.event
    assert isinstance(event, ReactionCount)
    card = card_for_message(req.session, platform=event.chat.platform, chat_id=event.chat.chat_id,
                            message_id=event.message_id)
    if card is None or card.mode != Mode.EMOJI.value or card.closed_at is not None:
        return None
    team = req.session.get(Team, card.team_id)
    mapping = emoji_map_of(team) if team else {}
    tallies: dict[str, tuple[int, int]] = {}
    for raw, count in event.counts:
        emoji = normalize_emoji(raw)
        if emoji in mapping:
            tallies[emoji] = (mapping[emoji], tallies.get(emoji, (0, 0))[1] + count)
    replace_tallies(req.session, card=card, tallies=tallies, now=req.now)
    return None


@registry.on(PollAnswer)
def on_poll_answer(req: EventRequest) -> None:
    """A named answer to a native poll; no options means the person took their vote back."""
    event = req.event
    assert isinstance(event, PollAnswer)
    card = card_for_poll(req.session, poll_id=event.poll_id)
    if card is None or card.closed_at is not None or event.user is None or event.user.is_bot:
        return None
    voter = voter_key(platform=event.user.platform, user_id=event.user.user_id)
    scores = scores_of(Scale(card.scale))
    if not event.option_ids:
        withdraw_vote(req.session, card=card, voter=voter)
    elif 0 <= event.option_ids[0] < len(scores):
        cast_vote(req.session, card=card, voter=voter, score=scores[event.option_ids[0]], now=req.now)
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
