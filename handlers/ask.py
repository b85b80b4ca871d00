"""/ask — a question to the community: a native poll in Telegram, buttons in Slack, in this chat or in every
linked community chat; answers merge across chats and platforms; the poll closes itself on time (the sweep of
:mod:`jobs.community_polls`) or with ``/ask close``, and its result is posted where it was asked.

Public answers make the people who gave them community members (an interaction worth a poll answer's weight);
anonymous polls count answers and identify no one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from handlers import markup, render
from handlers.community_chats import chats_named, community_chats, listing, looks_like_chat
from handlers.core import ChatRef, PollAnswer, PollResults, PollSpec, Posted, Reply, SentMessage, as_platform
from handlers.errors import UserError, quote_token
from handlers.i18n import _, ngettext
from handlers.parsing import parse_id
from handlers.router import EventRequest, Request, registry
from storage.community.poll_order import newest_answer
from storage.community.polls import (
    POLL_TRACK,
    Answerer,
    PollResult,
    add_post,
    answer_of,
    close_now,
    closing_state,
    create_poll,
    get_poll,
    options_of,
    post_for_native,
    post_in_chat,
    post_sent,
    posts_of,
    result_of,
    set_answer,
    set_counts,
)
from storage.links import linked_chats
from storage.models import CommunityPoll, CommunityPollPost

ASK_EXAMPLE = '/ask "What should the next meetup be about?" Kubernetes | Rust | Postgres closes 2d'
IN_EXAMPLE = '/ask "What should the next meetup be about?" Kubernetes | Rust in {chat}, here'
MAX_OPTIONS = 10
QUESTION_LIMIT = 300
OPTION_LIMIT = 100
DEFAULT_DURATION = timedelta(days=7)
SHORTEST, LONGEST = timedelta(minutes=5), timedelta(days=30)
_QUOTES = {'"': '"', "“": "”", "«": "»", "„": "“", "”": "”"}
_DURATION = re.compile(r"^(\d{1,4})(m|min|h|d|w)$")
_UNITS = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_FLAG_WORDS = frozenset({"multi", "multiple", "public", "anonymous", "everywhere", "in", "closes"})


@dataclass(frozen=True)
class Question:
    text: str
    options: tuple[str, ...]
    multiple: bool = False
    public: bool | None = None  # None: the team's default (/settings polls=…)
    everywhere: bool = False
    duration: timedelta = DEFAULT_DURATION
    chats: tuple[str, ...] = ()  # the chats named after "in" (handlers.community_chats), in that order


@registry.command(
    "ask",
    summary="Ask the community: a native poll in Telegram, buttons in Slack; answers add up across chats",
    usage='/ask "<question>" <option> | <option> | … [multi] [public|anonymous] [everywhere|in <chat>, <chat>…] '
          "[closes <2d|12h|1w>]  ·  /ask chats  ·  /ask results <id>  ·  /ask close <id>",
    examples=(ASK_EXAMPLE, '/ask "Which day suits you?" Tue | Wed | Thu multi public everywhere',
              '/ask "Next meetup?" Go | Rust in #go-community, here', "/ask chats", "/ask results 3",
              "/ask close 3"),
    admin_examples=("/ask close 1",),  # the asker's, or an admin's (handlers/permissions.py)
    details=(
        "“everywhere” posts the poll in every linked community chat (Slack and Telegram) instead of here; "
        "“in” posts it in the chats named after it, separated by commas: a chat's number or title as /ask chats "
        "lists them (#3, #go-community, @go_community), or “here”. The answers of all of them are added up. "
        "“multi” lets people pick several options; “public” records who answered (they become community "
        "members), “anonymous” only counts. A poll closes after 7 days unless “closes” says otherwise (5 minutes "
        "to 30 days); then its result is posted where it was asked."
    ),
)
def ask(req: Request) -> list[Reply]:
    words = req.args.split(maxsplit=1)
    sub = words[0].lower() if words else ""
    rest = words[1] if len(words) > 1 else ""
    if sub == "results":
        return [Reply(result_text(result_of(req.session, poll=_poll(req, rest, "/ask results 3"))))]
    if sub == "close":
        return _close(req, rest)
    if sub == "answer":
        answered = _answer(req, rest)
        return [answered] if answered is not None else []
    if sub == "chats" and not rest:
        return [_chats(req)]
    return _ask(req, parse_question(req.args))


def parse_question(args: str) -> Question:
    """``"Question?" A | B | C [multi] [public] [everywhere | in #chat, #chat] [closes 2d]``."""
    text = args.strip()
    if not text:
        raise UserError(_("Write the question in quotes, then its options separated by |."), example=ASK_EXAMPLE)
    closing = _QUOTES.get(text[0])
    if closing is not None:
        end = text.find(closing, 1)
        if end < 0:
            raise UserError(_("The question's closing quote is missing."), example=ASK_EXAMPLE)
        question, tail = text[1:end].strip(), text[end + 1:]
    elif "?" in text:
        end = text.index("?") + 1
        question, tail = text[:end].strip(), text[end:]
    else:
        raise UserError(_("Write the question in quotes (or end it with “?”), then its options separated by |."),
                        example=ASK_EXAMPLE)
    if not question:
        raise UserError(_("The question is empty."), example=ASK_EXAMPLE)
    if len(question) > QUESTION_LIMIT:
        raise UserError(_("The question is longer than {n} characters.").format(n=QUESTION_LIMIT),
                        example=ASK_EXAMPLE)
    parts = [p.strip() for p in tail.split("|")]
    last_words = parts[-1].split()
    flags: dict[str, Any] = {}
    for start in range(1, len(last_words) + 1):  # the shortest last option whose remaining words are all options
        parsed = _flags(last_words[start:])
        if parsed is not None:
            parts[-1], flags = " ".join(last_words[:start]), parsed
            break
    if "closes" in [w.lower() for w in parts[-1].split()[1:]]:
        raise UserError(_("“closes” takes how long the poll runs: 30m, 12h, 2d or 1w."), example=ASK_EXAMPLE)
    if flags.get("everywhere") and flags.get("chats"):
        raise UserError(_("Say either “everywhere” or “in” and the chats, not both."),
                        example=IN_EXAMPLE.format(chat="#3"))
    if len(parts) < 2:
        raise UserError(_("A poll needs at least two options, separated by |."), example=ASK_EXAMPLE)
    if len(parts) > MAX_OPTIONS:
        raise UserError(_("A poll has at most {n} options.").format(n=MAX_OPTIONS), example=ASK_EXAMPLE)
    for option in parts:
        if not option:
            raise UserError(_("An option is empty (two | in a row, or one at the end)."), example=ASK_EXAMPLE)
        if len(option) > OPTION_LIMIT:
            raise UserError(_("The option {token} is longer than {n} characters.").format(
                token=quote_token(option), n=OPTION_LIMIT), example=ASK_EXAMPLE)
    folded = [p.casefold() for p in parts]
    for option in parts:
        if folded.count(option.casefold()) > 1:
            raise UserError(_("The option {token} is there twice.").format(token=quote_token(option)),
                            example=ASK_EXAMPLE)
    return Question(text=question, options=tuple(parts), **flags)


def _flags(words: list[str]) -> dict[str, Any] | None:
    """The words after the last option as options of the poll; None when one of them is not."""
    flags: dict[str, Any] = {}
    i = 0
    while i < len(words):
        word = words[i].lower()
        if word in ("multi", "multiple") and "multiple" not in flags:
            flags["multiple"] = True
        elif word in ("public", "anonymous") and "public" not in flags:
            flags["public"] = word == "public"
        elif word == "everywhere" and "everywhere" not in flags:
            flags["everywhere"] = True
        elif word == "in" and "chats" not in flags:
            named = _chat_names(words[i + 1:])
            if named is None:
                return None
            flags["chats"], i = named[0], i + named[1]
        elif word == "closes" and "duration" not in flags and i + 1 < len(words):
            duration = parse_duration(words[i + 1])
            if duration is None:
                return None
            flags["duration"] = duration
            i += 1
        else:
            return None
        i += 1
    return flags


def _chat_names(words: list[str]) -> tuple[tuple[str, ...], int] | None:
    """The chats after "in" — up to the next option of the poll, separated by commas — and how many words they
    took; None when something there names no chat (then "in" belongs to the last option: "Rust in production")."""
    taken = 0
    while taken < len(words) and words[taken].lower() not in _FLAG_WORDS:
        taken += 1
    names = tuple(n.strip() for n in " ".join(words[:taken]).split(","))
    if not taken or not all(looks_like_chat(n) for n in names):
        return None
    return names, taken


def parse_duration(word: str) -> timedelta | None:
    """``2d``, ``12h``, ``30m``, ``1w``; None when the word is not one."""
    m = _DURATION.match(word.lower())
    if not m:
        return None
    return timedelta(**{_UNITS[m.group(2)]: int(m.group(1))})


def _ask(req: Request, question: Question) -> list[Reply]:
    if not SHORTEST <= question.duration <= LONGEST:
        raise UserError(_("A poll runs from 5 minutes to 30 days."), example=ASK_EXAMPLE)
    here = req.incoming.chat
    targets: list[ChatRef] = [here]
    if question.chats:  # every name is checked before anything is stored or posted
        targets = chats_named(req, question.chats, example=IN_EXAMPLE)
    elif not question.everywhere:
        _refuse_unmarked_chats(req, question.options[-1])
    else:
        targets = [ChatRef(platform=as_platform(b.platform), chat_id=b.chat_id)
                   for b in linked_chats(req.session, team_id=req.team_id) if b.purpose == "community"]
        if not targets:
            raise UserError(_("No community chats are linked yet: /connect telegram community links one."),
                            example="/connect telegram community")
    anonymous = req.team.polls_anonymous if question.public is None else not question.public
    poll = create_poll(
        req.session, team_id=req.team_id, question=question.text, options=list(question.options),
        multiple=question.multiple, anonymous=anonymous, platform=here.platform, chat_id=here.chat_id,
        thread_id=here.thread_id, created_by=req.member_id, now=req.now, closes_at=req.now + question.duration,
    )
    assert poll.id is not None  # flushed
    spec = PollSpec(question=question.text, options=question.options, anonymous=anonymous,
                    choice_command=f"/ask answer {poll.id}", multiple=question.multiple)
    replies = []
    for target in targets:
        post = add_post(req.session, poll=poll, platform=target.platform, chat_id=target.chat_id)
        at_here = (target.platform, target.chat_id) == (here.platform, here.chat_id)
        replies.append(Reply(markup.escape(question.text), poll=spec, to=None if at_here else target,
                             track=f"{POLL_TRACK}{post.id}"))
    if targets == [here]:
        where = _("here")
    elif question.chats:
        where = ngettext("in {n} chat", "in {n} chats", len(targets)).format(n=len(targets))
    else:
        where = ngettext("in {n} community chat", "in {n} community chats", len(targets)).format(n=len(targets))
    kind = _("public: who answers becomes a community member") if not anonymous else _("anonymous")
    replies.append(Reply(
        _("📊 Poll #{id} asked {where} ({kind}); it closes {when} and its result is posted here. "
          "/ask results {id} shows the answers so far, /ask close {id} closes it now.").format(
            id=poll.id, where=where, kind=kind, when=render.moment(poll.closes_at, req.tz)),
        ephemeral=True,
    ))
    return replies


def _refuse_unmarked_chats(req: Request, last_option: str) -> None:
    """``… | Rust in devrel-ru``: "in" followed by community chats named without # or @ reads as the last option's
    own words. When every name there is one of the team's community chats, the asker meant the chats: refuse
    rather than post an option nobody meant."""
    head, sep, tail = last_option.rpartition(" in ")
    if not sep or not head.strip():
        return
    chats = community_chats(req)
    names = [n.strip() for n in tail.split(",")]
    if chats and all(n and any(c.is_named(n) for c in chats) for n in names):
        raise UserError(_("{tokens} after “in” reads as part of the option {option}; to ask in a chat, put # or @ "
                          "before its name.").format(tokens=", ".join(quote_token(n) for n in names),
                                                    option=quote_token(last_option)),
                        example=IN_EXAMPLE.format(chat="#" + names[0].lstrip("#@")))


def _chats(req: Request) -> Reply:
    """``/ask chats``: the community chats a poll can be asked in, as names "in" takes."""
    chats = community_chats(req)
    if not chats:
        raise UserError(_("No community chats are linked yet: /connect telegram community links one."),
                        example="/connect telegram community")
    return Reply(_("Community chats (name them after “in”, separated by commas):") + "\n" + listing(chats)
                 + "\n" + markup.code(IN_EXAMPLE.format(chat=f"#{chats[0].number}")), ephemeral=True)


def _poll(req: Request, raw: str, example: str) -> CommunityPoll:
    poll = get_poll(req.session, team_id=req.team_id, poll_id=parse_id(raw.split()[0] if raw.split() else "",
                                                                         example=example))
    if poll is None:
        raise UserError(_("There is no poll #{id} in this team.").format(id=raw.split()[0]), example=example)
    return poll


def _close(req: Request, rest: str) -> list[Reply]:
    example = "/ask close 3"
    poll = _poll(req, rest, example)  # who may close it (the asker, an admin) is the permission table's
    state = closing_state(poll)
    if state == "closed":
        raise UserError(_("Poll #{id} is closed already; /ask results {id} shows its result.").format(id=poll.id),
                        example=f"/ask results {poll.id}")
    if not close_now(req.session, poll=poll, now=req.now):
        return [Reply(_("Poll #{id} is being closed right now; its result follows where it was asked.").format(
            id=poll.id), ephemeral=True)]
    asked = asked_in(poll)
    here = req.incoming.chat
    at_here = (asked.platform, asked.chat_id) == (here.platform, here.chat_id)
    result = Reply(result_text(result_of(req.session, poll=poll)), to=None if at_here else asked,
                   stop_polls=stoppable(posts_of(req.session, poll_id=poll.id or 0)))
    if at_here:
        return [result]
    return [result, Reply(_("🔒 Poll #{id} is closed; its result went where it was asked.").format(id=poll.id),
                          ephemeral=True)]


def asked_in(poll: CommunityPoll) -> ChatRef:
    return ChatRef(platform=as_platform(poll.platform), chat_id=poll.chat_id, thread_id=poll.thread_id)


def stoppable(posts: list[CommunityPollPost]) -> tuple[SentMessage, ...]:
    """The posted copies of a poll, as messages a door can close."""
    return tuple(
        SentMessage(chat=ChatRef(platform=as_platform(p.platform), chat_id=p.chat_id), message_id=p.message_id,
                    poll_id=p.native_poll_id)
        for p in posts if p.message_id
    )


def _answer(req: Request, rest: str) -> Reply | None:
    """What a poll's button sends where the platform has no native poll: ``/ask answer <id> <option>``; None
    (no reply) for a click older than one already applied."""
    example = "/ask answer 3 Rust"
    words = rest.split(maxsplit=1)
    if len(words) != 2:
        raise UserError(_("Give the poll's number and your answer."), example=example)
    here, user = req.incoming.chat, req.incoming.user
    poll = get_poll(req.session, team_id=req.team_id, poll_id=parse_id(words[0], example=example))
    if poll is None or post_in_chat(req.session, poll_id=poll.id or 0, platform=here.platform,
                                    chat_id=here.chat_id) is None:
        raise UserError(_("There is no such poll in this chat."), example=example)
    if poll.closed_at is not None or closing_state(poll) == "closed":
        raise UserError(_("This poll is closed; its result is final."))
    options = options_of(poll)
    folded = [o.casefold() for o in options]
    choice = words[1].strip().casefold()
    if choice not in folded:
        raise UserError(_("{token} is not an option of poll #{id}.").format(token=quote_token(words[1]), id=poll.id),
                        example=example)
    index = folded.index(choice)
    who = Answerer(platform=user.platform, user_id=user.user_id, display_name=user.display_name)
    chosen = answer_of(req.session, poll_id=poll.id or 0, voter=who.voter)
    if poll.multiple:
        # A click on a chosen option takes it back. Toggles give the same answer in any order, so a late click
        # is applied as it comes; a one-answer poll's click replaces the answer, so there the newest stamp wins.
        chosen ^= {index}
    else:
        stamp = req.incoming.stamp
        if stamp is not None and not newest_answer(req.session, poll_id=poll.id or 0, voter=who.voter, stamp=stamp,
                                                   now=req.now):
            return None  # a newer click of theirs counted already and was answered: this late one changes nothing
        chosen = {index}
    set_answer(req.session, poll=poll, who=who, options=chosen, now=req.now)
    if not chosen:
        return Reply(_("🗳️ You took your answer back."), ephemeral=True)
    names = ", ".join(options[i] for i in sorted(chosen))
    if poll.multiple:
        return Reply(_("🗳️ Your answers: {names}. Click an option again to take it back.").format(
            names=markup.escape(names)), ephemeral=True)
    return Reply(_("🗳️ Your answer: {name}. Thanks! Click another one to change it.").format(
        name=markup.escape(names)), ephemeral=True)


def result_text(result: PollResult) -> str:
    """The merged result: each option with its count and share of the people who answered, the leader(s) bold."""
    if result.closed:
        title = _("📊 Poll #{id} is closed: {question}")
    else:
        title = _("📊 Poll #{id} so far: {question}")
    lines = [markup.bold(title.format(id=result.poll_id, question=markup.escape(result.question)))]
    top = max(result.counts) if result.counts else 0
    for option, count in zip(result.options, result.counts, strict=True):
        share = render.percent(100 * count / result.voters) if result.voters else render.percent(0)
        line = f"{markup.escape(option)} — {render.number(count)} ({share})"
        lines.append("• " + (markup.bold(line) if count and count == top else line))
    lines.append(ngettext("{n} person answered", "{n} people answered", result.voters).format(
        n=render.number(result.voters)) + " · " + ngettext("in {n} chat", "in {n} chats", result.chats).format(
        n=result.chats) + (" · " + _("several answers each") if result.multiple else ""))
    return "\n".join(lines)


# --- platform events ----------------------------------------------------------------------------------


@registry.on(Posted)
def on_posted(req: EventRequest) -> None:
    """The door sent a copy of a poll: remember its message and native poll id, so answers on it count."""
    event = req.event
    assert isinstance(event, Posted)
    post_id = event.track.removeprefix(POLL_TRACK)
    if event.track.startswith(POLL_TRACK) and post_id.isdigit() and event.sent.message_id:
        post_sent(req.session, post_id=int(post_id), chat_id=event.sent.chat.chat_id,
                  message_id=event.sent.message_id, native_poll_id=event.sent.poll_id)
    return None


def _poll_of_native(req: EventRequest, native_poll_id: str) -> tuple[CommunityPollPost, CommunityPoll] | None:
    post = post_for_native(req.session, native_poll_id=native_poll_id)
    poll = req.session.get(CommunityPoll, post.poll_id) if post is not None else None
    return (post, poll) if post is not None and poll is not None else None


@registry.on(PollAnswer)
def on_poll_answer(req: EventRequest) -> None:
    """A named answer to a native poll (all of the person's options at once); none means taken back. Applied in
    the order Telegram numbered the updates (:mod:`storage.community.poll_order`)."""
    event = req.event
    assert isinstance(event, PollAnswer)
    found = _poll_of_native(req, event.poll_id)
    if found is None or event.user is None or event.user.is_bot:
        return None
    _post, poll = found
    if poll.closed_at is not None or closing_state(poll) == "closed":
        return None
    count = len(options_of(poll))
    chosen = {i for i in event.option_ids if 0 <= i < count}
    if not poll.multiple:
        chosen = set(sorted(chosen)[:1])
    user = event.user
    who = Answerer(user.platform, user.user_id, user.display_name)
    if event.stamp is not None and not newest_answer(req.session, poll_id=poll.id or 0, voter=who.voter,
                                                     stamp=event.stamp, now=req.now):
        return None  # a newer answer of theirs was applied already
    set_answer(req.session, poll=poll, who=who, options=chosen, now=req.now)
    return None


@registry.on(PollResults)
def on_poll_results(req: EventRequest) -> None:
    """An anonymous native poll's totals (named polls are counted from their answers); once the poll is closed,
    only the platform's final (closed) totals are taken."""
    event = req.event
    assert isinstance(event, PollResults)
    found = _poll_of_native(req, event.poll_id)
    if found is None:
        return None
    post, poll = found
    if poll.anonymous and (poll.closed_at is None or event.is_closed):
        counts = tuple(event.voter_counts[: len(options_of(poll))])
        set_counts(req.session, post=post, counts=counts,
                   voters=event.voters if event.voters is not None else sum(counts))
    return None
