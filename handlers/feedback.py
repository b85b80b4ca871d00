"""/feedback — a card about an activity that people rate with emoji reactions — and the events that carry the
reactions (/poll and /vote: :mod:`handlers.poll`, :mod:`handlers.vote`).

A card is created here before it is sent; the reply carries ``track="card:<id>"`` and the door reports the
sent message back as a :class:`Posted` event, so reactions (and poll answers) on exactly that message count.
Reactions on other messages, and the reactions of bots, are ignored. One voter, one vote per card: a later
reaction or click replaces the earlier one, removing the reaction withdraws it.
"""

from __future__ import annotations

from handlers import markup, render
from handlers.activity import load_activity
from handlers.core import (
    ChatRef,
    Posted,
    ReactionCount,
    ReactionEvent,
    Reply,
    as_platform,
)
from handlers.errors import UserError, quote_token
from handlers.i18n import _, ngettext
from handlers.router import EventRequest, Request, registry
from storage.community.members import InteractionKind, note_vote, withdraw_vote_interaction
from storage.emoji import normalize_emoji
from storage.feedback.cards import (
    Mode,
    ReactionTarget,
    card_for_message,
    card_posted,
    create_card,
    reaction_target,
)
from storage.feedback.emoji_map import emoji_map_of
from storage.feedback.order import newest_change, present_choices
from storage.feedback.scales import Scale
from storage.feedback.votes import cast_vote, replace_tallies, voter_key, withdraw_vote
from storage.links import linked_chats
from storage.models import Activity, FeedbackCard, Team

FEEDBACK_EXAMPLE = "/feedback 42"
CARD_TRACK = "card:"


def card_track(card: FeedbackCard) -> str:
    return f"{CARD_TRACK}{card.id}"


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
            ChatRef(platform=as_platform(b.platform), chat_id=b.chat_id)
            for b in linked_chats(req.session, team_id=req.team_id)
            if b.purpose == "community" and (b.platform, b.chat_id) != (here.platform, here.chat_id)
        ]
    assert activity.id is not None  # read from the database
    text = card_text(activity, req.team)
    replies = []
    for chat in chats:
        target = chat or here
        card = create_card(
            req.session, team_id=req.team_id, activity_id=activity.id, mode=Mode.EMOJI, scale=Scale.RATING,
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
    if event.stamp is not None:
        _reaction_in_order(req, card, voter, emoji, event.stamp)
        return None
    if not event.added:
        if withdraw_vote(req.session, card=card, voter=voter, emoji=emoji):
            withdraw_vote_interaction(req.session, card=card, platform=event.user.platform,
                                      user_id=event.user.user_id, kind=InteractionKind.REACTION)
        return None
    score = card.emoji_map.get(emoji)
    if score is not None:
        cast_vote(req.session, card=card, voter=voter, score=score, emoji=emoji, now=req.now)
        note_vote(req.session, card=card, platform=event.user.platform, user_id=event.user.user_id,
                  display_name=event.user.display_name, kind=InteractionKind.REACTION, now=req.now)
    return None


def _reaction_in_order(req: EventRequest, card: ReactionTarget, voter: str, emoji: str, stamp: int) -> None:
    """A stamped reaction (every door's): the person's newest change of each emoji is kept, and their vote is
    the newest emoji they still have on the card — the same whatever order the changes arrived in."""
    event = req.event
    assert isinstance(event, ReactionEvent) and event.user is not None
    mapping = card.emoji_map
    if emoji not in mapping:
        return
    if not newest_change(req.session, card=card, voter=voter, choice=emoji, present=event.added, stamp=stamp,
                         now=req.now):
        return  # a newer change of this emoji was applied already
    user = event.user
    winner = next((c for c in present_choices(req.session, card=card, voter=voter, now=req.now) if c in mapping), None)
    if winner is None:
        if withdraw_vote(req.session, card=card, voter=voter):
            withdraw_vote_interaction(req.session, card=card, platform=user.platform, user_id=user.user_id,
                                      kind=InteractionKind.REACTION)
        return
    cast_vote(req.session, card=card, voter=voter, score=mapping[winner], emoji=winner, now=req.now)
    if event.added and winner == emoji:
        note_vote(req.session, card=card, platform=user.platform, user_id=user.user_id,
                  display_name=user.display_name, kind=InteractionKind.REACTION, now=req.now)


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
