"""Every Slack listener, shared by Socket Mode and HTTP mode: slash commands, button clicks, the /log modal,
reactions and App Home.

The app processes before it responds (``process_before_response``): Slack's 200 goes out when the listener
is done, so what it committed is durable before Slack hears "received". A reaction is applied in the request
(a reaction the database could not take is answered 503 and Slack sends it again). A slash command, a click or
a /log form is stored in the durable inbox (``bot.inbox``), deduplicated on its trigger_id, and acknowledged;
one worker per channel then runs the router in a worker thread and answers through the chat or the
command's response_url — also after a restart, from what the previous process stored.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session

from bot.cache import TtlCache
from bot.delivery import Delivery
from bot.inbox import DurableInbox, Inbox, keeper, kept_replies, waiting_notice
from bot.roles import RoleCache
from bot.slack import inbound
from bot.slack.blocks import BUTTON_ACTION_PREFIX, fallback_text, reply_blocks
from bot.slack.home import home_view
from bot.slack.messenger import SlackMessenger
from bot.slack.modal import (
    CALLBACK_ID,
    KIND_ACTION,
    ModalContext,
    initial_kind,
    kind_of,
    log_modal,
    submitted_values,
    validate,
)
from handlers.core import ChatRef, Incoming, ReactionEvent, Reply, SentMessage, UserRef
from handlers.i18n import supported_locale, use_locale
from handlers.router import Keep, Router, fault_message, parse_command_line
from storage import inbox
from storage.events import mark_processed
from storage.faults import classify
from storage.models import utcnow
from storage.periods import local_today
from storage.teams import team_for_chat

log = logging.getLogger(f"devrelbot.{__name__}")

PEOPLE_CACHED = 5000
LOOKUPS_IN_FLIGHT = 4  # users.info calls made in the background at once: names are for later, votes come first
UNAVAILABLE = (OperationalError, PoolTimeout)  # the database locked past its busy timeout, or unreachable
# Slack wants its answer within 3 s (else a command fails with "operation_timeout" and an event is retried as if
# lost). What arrived gets this long to be committed; past it (a write lock held elsewhere) it is given up unstored
# (``storage.writer.WriteTimeout``) and the answer says so: "not saved" for a command, a 503 for the rest.
ACK_WITHIN = 2.5
# App Home's write (a new workspace's team, a new person) gets at least this long, should users.info have taken
# the deadline: the tab then says "busy" only when the database was.
HOME_WRITE_AT_LEAST = 0.5

# Slack takes a request's response_url for 30 minutes; a minute less leaves time for the answer to get there.
RESPONSE_URL_LIFETIME = timedelta(minutes=29)
# Posting into a channel the bot is not in fails; a slash command can still answer there via response_url.
_NOT_A_MEMBER = ("not_in_channel", "channel_not_found", "is_archived")


@dataclass(frozen=True)
class Origin:
    """Where to answer: the chat (None for App Home, which has none: answers go to the DM), the person, and
    the short-lived handles Slack gives (response_url, trigger_id for opening a modal)."""

    chat: ChatRef | None
    user: UserRef
    workspace_id: str
    respond: AsyncRespond | None = None
    trigger_id: str | None = None


class SlackListeners:
    def __init__(self, router: Router, messenger: SlackMessenger, *, namespace: str = "devrel") -> None:
        if router.commands.get(inbound.router_command(namespace)) is not None:
            raise ValueError(f"SLACK_COMMAND /{namespace} is the name of a command; choose another, like devrel")
        self.router = router
        self.namespace = namespace  # the one slash command that carries every command (/devrel stats)
        self.messenger = messenger
        # The one reply-delivery path; bot/app.py adds the other doors' messengers to it.
        self.delivery = Delivery(router, {"slack": messenger})
        self.inbox = Inbox(router, "slack")
        # Slash commands, clicks and forms: stored before the ack, handled by one worker per channel.
        self.received = DurableInbox(router.db, "slack", self.handle_stored, tell_waiting=self.tell_waiting)
        self.bot_user_id: str | None = None  # set from auth.test: the bot's own reactions are not votes
        # user id → (display name, is a bot, Slack locale such as "ru-RU")
        # users.info once an hour per person at most; at most PEOPLE_CACHED people kept in memory.
        self._people: TtlCache[str, tuple[str, bool, str | None]] = TtlCache(max_size=PEOPLE_CACHED, ttl=3600.0)
        self.roles = RoleCache()  # who administers the workspace, as users.info said a few minutes ago
        self._lookups: dict[str, asyncio.Task[None]] = {}  # users.info asked in the background (voter_ref)

    def register(self, app: AsyncApp) -> None:
        """Wire every listener on ``app``. Slash commands come from the router's registry, in one place: the
        namespace command and each command's own, so either manifest (docs/slack.md) works."""
        # bolt tries listeners in the order they were added: reactions, the busiest by far, come first, so one
        # is not matched against every slash command before it is found.
        app.event("reaction_added")(_guarded(self.on_reaction))
        app.event("reaction_removed")(_guarded(self.on_reaction))
        app.command(f"/{self.namespace}")(_guarded(self.on_command))
        for command in self.router.commands.all():
            app.command(f"/{inbound.slack_command(command.name)}")(_guarded(self.on_command))
        app.action(re.compile(rf"^{BUTTON_ACTION_PREFIX}\d+$"))(_guarded(self.on_button))
        app.action(KIND_ACTION)(_guarded(self.on_kind_change))
        app.view(CALLBACK_ID)(_guarded(self.on_log_submission))
        app.event("app_home_opened")(_guarded(self.on_home_opened))

    # --- commands and clicks: stored before the ack, handled by the chat's worker -------------------------

    async def on_command(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        """A slash command is stored before Slack hears "received", and handled after: its answers go out
        through the command's response_url (valid 30 minutes), also when it is handled after a restart. Slack
        never sends a slash command again, so when the database cannot take it the ack says nothing was saved."""
        try:
            await self.receive("command", body, chat_key=f"{inbound.team_of(body)}:{body['channel_id']}")
        except UNAVAILABLE as error:
            with use_locale(self.router.default_language):
                await ack(text=fault_message(classify(error)), response_type="ephemeral")
            return
        await ack()

    async def on_button(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        """A click is stored before its ack like a command; when the database cannot take it the request is
        answered 503 (Slack shows the click failed, and the person clicks again)."""
        await self.receive("button", body, chat_key=self._chat_key(body, (body.get("channel") or {}).get("id")))
        await ack()

    async def receive(self, kind: str, body: dict[str, Any], *, chat_key: str, args: str | None = None) -> None:
        """Store what arrived in the inbox, deduplicated on its trigger_id (unique per invocation: a replayed
        request is stored once), and queue it for the chat's worker. Raises ``UNAVAILABLE`` when the database
        cannot take it: it must not be acknowledged then."""
        trigger = body.get("trigger_id")
        delivery_id = f"trigger:{trigger}" if trigger else f"untriggered:{uuid.uuid4().hex}"
        payload = json.dumps({"kind": kind, "body": body, "args": args})
        if not await self.received.accept([inbox.Delivery(delivery_id, chat_key, payload)], within=ACK_WITHIN):
            log.info("Slack: %s %s was stored before (a replay); not handled again", kind, delivery_id)

    @staticmethod
    def _chat_key(body: dict[str, Any], channel: str | None) -> str:
        """One chat's requests are handled in order; App Home and modals (no channel) are the person's own."""
        return f"{inbound.team_of(body)}:{channel or body['user']['id']}"

    async def handle_stored(self, item: inbox.Stored) -> bool:
        """The chat's worker: run a stored command, click or /log form and answer it. Its delivery id is
        recorded, and its replies kept with the row, in the command's own transaction; the row is marked done
        once they were sent. So one applied just before a crash is applied once, and the next worker to take
        the row (after a restart, or another replica's) sends its kept replies instead. A database that is away
        raises, and the inbox keeps the row and tries again."""
        stored = json.loads(item.payload)
        body: dict[str, Any] = stored["body"]
        respond = _responder(body, item.received_at)
        call: tuple[Incoming, Origin] | None
        if stored["kind"] == "command":
            call = await self._command_call(body, respond)
        elif stored["kind"] == "button":
            call = await self._click_call(body, respond)
        elif stored["kind"] == "log_form":
            call = await self._form_call(body, str(stored["args"]))
        else:
            log.warning("Slack: a stored request of unknown kind %r skipped", stored["kind"])
            return False
        if call is None:
            return False
        incoming, origin = call
        if item.answer is not None:
            replies = kept_replies(item.answer, item.delivery_id)
        else:
            replies = await self.dispatch(incoming, once=("slack", item.delivery_id), keep=keeper(item.item_id))
        await self.deliver(replies, origin)
        return False  # the inbox marks it done now that its replies went out

    async def tell_waiting(self, item: inbox.Stored) -> None:
        """The stored request waits for the database (``DurableInbox``): tell the person once, privately, that it
        is kept — through the command's or click's response_url, or in their DM for a /log form."""
        stored = json.loads(item.payload)
        body: dict[str, Any] = stored["body"]
        user_id = str(body.get("user_id") or (body.get("user") or {}).get("id") or "")
        # Their Slack language as users.info said it (no database): the team's is in the database, which is away.
        with use_locale(supported_locale(self.language_of(user_id)) or self.router.default_language):
            text = waiting_notice()
        if body.get("response_url"):
            await AsyncRespond(response_url=body["response_url"])(
                text=text, response_type="ephemeral", replace_original=False)
        elif stored["kind"] == "log_form" and user_id:
            await self.messenger.send(await self.messenger.dm(user_id, workspace_id=inbound.team_of(body)), Reply(text))

    async def _command_call(self, body: dict[str, Any], respond: AsyncRespond | None) -> tuple[Incoming, Origin]:
        workspace = inbound.team_of(body)
        chat = inbound.chat_ref(channel_id=body["channel_id"], team_id=workspace, channel_name=body.get("channel_name"))
        user = await self.user_ref(body["user_id"], body.get("user_name"))
        name, args, via = inbound.command_call(str(body["command"]), body.get("text") or "", namespace=self.namespace)
        incoming = Incoming(
            chat=chat, user=user, command=name, args=args, text=f"/{name} {args}".strip(),
            language=self.language_of(user.user_id), namespace=via,
            channel_mentions=inbound.channel_mentions(body.get("text") or ""),
            chat_title=None if chat.is_private else body.get("channel_name"),
        )
        return incoming, Origin(chat, user, workspace, respond=respond, trigger_id=body.get("trigger_id"))

    async def _click_call(self, body: dict[str, Any], respond: AsyncRespond | None) -> tuple[Incoming, Origin] | None:
        """A click re-dispatches the button's command line through the router, as the person who clicked."""
        parsed = parse_command_line(str(body["actions"][0].get("value") or ""))
        if parsed is None:
            return None
        name, args = parsed
        workspace = inbound.team_of(body)
        user = await self.user_ref(body["user"]["id"], body["user"].get("username"))
        chat = self._click_chat(body, workspace)
        origin = Origin(chat, user, workspace, respond=respond, trigger_id=body.get("trigger_id"))
        incoming = Incoming(
            chat=chat or _home_chat(user.user_id, workspace),
            user=user,
            command=name,
            args=args,
            text=f"/{name} {args}",
            language=self.language_of(user.user_id),
            stamp=inbound.stamp(body["actions"][0].get("action_ts")),
        )
        return incoming, origin

    @staticmethod
    def _click_chat(body: dict[str, Any], workspace: str) -> ChatRef | None:
        channel = (body.get("channel") or {}).get("id")
        if not channel:
            return None  # a click in App Home or in a modal
        thread = (body.get("message") or {}).get("thread_ts") or (body.get("container") or {}).get("thread_ts")
        return inbound.chat_ref(channel_id=channel, team_id=workspace, thread_ts=thread)

    async def dispatch(self, incoming: Incoming, *, once: tuple[str, str] | None = None,
                       keep: Keep | None = None) -> list[Reply]:
        """Every Slack command and click passes here: the person's workspace role goes on the Incoming. With
        ``once`` (a stored request) the database being away raises, so the inbox keeps the request; ``keep``
        keeps its replies with the request's row (``bot.inbox.keeper``)."""
        admin = await self.workspace_admin(incoming.user.user_id, incoming.chat.workspace_id)
        # A workspace admin or owner administers its channels, too: they may link one (/connect CODE) and unlink it.
        return await asyncio.to_thread(self.router.dispatch, replace(incoming, platform_admin=admin, chat_admin=admin),
                                       once=once, raise_unavailable=once is not None, keep=keep)

    # --- answering --------------------------------------------------------------------------------------

    async def deliver(self, replies: list[Reply], origin: Origin) -> None:
        try:
            await self.delivery.deliver(replies, _Here(self, origin))
        except Exception as error:  # the listener has acked: a failed send is logged, the door goes on
            log.warning("Slack: could not send a reply: %s: %s", type(error).__name__, error)

    async def here_chat(self, origin: Origin) -> ChatRef:
        """The command's channel; App Home has none, so the person's DM."""
        return origin.chat or await self.messenger.dm(origin.user.user_id, workspace_id=origin.workspace_id)

    async def post(self, reply: Reply, origin: Origin) -> SentMessage | None:
        if origin.chat is None:
            return await self.messenger.send(await self.here_chat(origin), reply)
        if reply.ephemeral:
            await self._private(reply, origin, origin.chat)
            return None
        return await self._public(reply, origin, origin.chat)

    async def _private(self, reply: Reply, origin: Origin, chat: ChatRef) -> None:
        if origin.respond is not None and reply.image is None and reply.document is None:
            await origin.respond(
                text=fallback_text(reply), blocks=reply_blocks(reply), response_type="ephemeral", replace_original=False
            )
        else:
            await self.messenger.send_ephemeral(chat, origin.user.user_id, reply)

    async def _public(self, reply: Reply, origin: Origin, chat: ChatRef) -> SentMessage | None:
        """Post into the channel; the SentMessage, or None when it went through response_url (no id to track)."""
        try:
            return await self.messenger.send(chat, reply)
        except SlackApiError as error:
            if error.response.get("error") not in _NOT_A_MEMBER or origin.respond is None:
                raise
            log.info("Slack: not a member of %s; answering through the command's response_url", chat.chat_id)
            await origin.respond(text=fallback_text(reply), blocks=reply_blocks(reply), response_type="in_channel")
            return None

    # --- the /log modal -----------------------------------------------------------------------------------

    async def open_log_modal(self, origin: Origin, known: dict[str, str]) -> bool:
        """Open the modal for a /log that lacked fields. False when Slack refused (the trigger expired): the
        caller then shows the text reply instead."""
        context = ModalContext(
            team_id=origin.workspace_id,
            user_id=origin.user.user_id,
            channel_id=origin.chat.chat_id if origin.chat else None,
            thread_ts=origin.chat.thread_id if origin.chat else None,
        )
        locale = await self._personal_locale(origin.workspace_id, origin.user.user_id)
        try:
            with use_locale(locale):
                view = log_modal(context, kind=initial_kind(known), known=known)
            await self.messenger.client.views_open(trigger_id=origin.trigger_id, view=view)
        except SlackApiError as error:
            log.warning("Slack: could not open the /log modal: %s", error.response.get("error"))
            return False
        return True

    async def on_kind_change(self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        """Another kind has other metrics: re-render the modal, keeping what was typed."""
        await ack()
        view = body["view"]
        values = submitted_values(view)
        context = ModalContext.loads(view.get("private_metadata") or "")
        with use_locale(await self._personal_locale(context.team_id or inbound.team_of(body), context.user_id)):
            updated = log_modal(context, kind=kind_of(values), known=values)
        await client.views_update(view_id=view["id"], hash=view.get("hash"), view=updated)

    async def on_log_submission(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        """Validate with the one-line parser: errors stay in the modal, nothing is stored; else log it (stored
        first, like a command, then handled by the chat's worker)."""
        context = ModalContext.loads(view.get("private_metadata") or "")
        values = submitted_values(view)
        today, currency, locale = await asyncio.to_thread(self._team_defaults, context.team_id or inbound.team_of(body))
        with use_locale(supported_locale(self.language_of(context.user_id)) or locale):
            args, errors = validate(values, today=today, default_currency=currency)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        # Stored before the ack like a command (the form closes then); the database away: 503, the form stays.
        await self.receive("log_form", body, chat_key=self._chat_key(body, context.channel_id), args=args)
        await ack()

    async def _form_call(self, body: dict[str, Any], args: str) -> tuple[Incoming, Origin]:
        context = ModalContext.loads(body["view"].get("private_metadata") or "")
        workspace = context.team_id or inbound.team_of(body)
        user = await self.user_ref(body["user"]["id"], body["user"].get("username"))
        chat = (
            inbound.chat_ref(channel_id=context.channel_id, team_id=workspace, thread_ts=context.thread_ts)
            if context.channel_id
            else None
        )
        incoming = Incoming(
            chat=chat or _home_chat(user.user_id, workspace), user=user, command="log", args=args, text=f"/log {args}"
        )
        return incoming, Origin(chat, user, workspace)

    async def _personal_locale(self, workspace_id: str, user_id: str) -> str:
        """A modal is the person's alone: their Slack language where the bot speaks it, else the team's."""
        chat = _home_chat(user_id, workspace_id)
        return await asyncio.to_thread(self.router.locale_for, chat, language=self.language_of(user_id))

    def _team_defaults(self, workspace_id: str) -> tuple[date, str, str]:
        """Today in the team's time zone, its currency and locale (a new workspace: the bot's defaults)."""
        with self.router.db.reader() as session:  # a read: it must not wait for the write lock
            team = team_for_chat(session, platform="slack", scope_id=workspace_id)
            timezone = team.timezone if team else self.router.default_timezone
            currency = team.currency if team else "USD"
            locale = team.locale if team else self.router.default_language
        return local_today(self.router.clock(), timezone), currency, locale

    # --- events ---------------------------------------------------------------------------------------

    async def on_reaction(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        """A reaction is a vote when it is on a feedback card. A retried event (the same event_id) counts once:
        the router records the id in the transaction that applies the reaction (one trip to the database)."""
        item = event.get("item") or {}
        if item.get("type") != "message":
            return
        workspace = inbound.team_of(body)
        chat = inbound.chat_ref(channel_id=item["channel"], team_id=workspace)
        user_id = event.get("user")
        if user_id and user_id == self.bot_user_id:
            return
        reaction = ReactionEvent(
            chat=chat,
            message_id=str(item["ts"]),
            user=self.voter_ref(user_id) if user_id else None,
            emoji=inbound.emoji(event["reaction"]),
            added=event["type"] == "reaction_added",
            event_id=body.get("event_id"),
            stamp=inbound.stamp(event.get("event_ts")),
        )
        replies = await self.inbox.apply([reaction], reaction.event_id, within=ACK_WITHIN)
        if replies and reaction.user is not None:
            await self.deliver(replies, Origin(chat, reaction.user, workspace))

    async def on_home_opened(self, body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab") != "home":
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + ACK_WITHIN  # the event is acknowledged when this listener returns
        workspace = inbound.team_of(body)
        user = await self.user_ref(event["user"])
        chat = _home_chat(user.user_id, workspace)
        language = self.language_of(user.user_id)
        this_week = Incoming(chat=chat, user=user, command="stats", args="week", language=language)
        try:
            # A users.info that took the whole deadline leaves the database a moment all the same.
            if not await self.visit(body, this_week, within=max(deadline - loop.time(), HOME_WRITE_AT_LEAST)):
                return
        except UNAVAILABLE as error:  # said in the tab, in time — as a slash command's ack says it — not late
            with use_locale(supported_locale(language) or self.router.default_language):
                view = home_view(stats_text=fault_message(classify(error)), recent_text="")
            await client.views_publish(user_id=user.user_id, view=view)
            return
        # The two commands only read (they never wait for the write lock). The home tab is the person's alone: it
        # reads in their Slack language where the bot speaks it.
        stats = await self.dispatch(this_week)
        recent = await self.dispatch(
            Incoming(chat=chat, user=user, command="list", args=f"@{user.user_id}", language=language)
        )
        _today, _currency, team_locale = await asyncio.to_thread(self._team_defaults, workspace)
        with use_locale(supported_locale(language) or team_locale):
            view = home_view(stats_text=_text(stats), recent_text=_text(recent))
        await client.views_publish(user_id=user.user_id, view=view)

    async def visit(self, body: dict[str, Any], incoming: Incoming, *, within: float) -> bool:
        """A Home visit: its event_id recorded (False for a repeat) and, in a new workspace or for a new person,
        the team and the membership created (``Router.enter``) — in one unit of the writer, given up past
        ``within`` seconds (``WriteTimeout``: nothing created, nothing recorded). Where both exist the visit only
        reads, and a repeat check the database cannot make in time lets it through (:meth:`first_time`)."""
        if await asyncio.to_thread(self.router.entered, incoming):
            return await self.first_time(body, within=within)
        event_id = body.get("event_id")
        return await self.inbox.writer.submit(
            functools.partial(self._first_visit, str(event_id) if event_id else None, incoming), within=within
        )

    def _first_visit(self, event_id: str | None, incoming: Incoming, session: Session) -> bool:
        if event_id and not mark_processed(session, platform="slack", event_id=event_id):
            return False
        self.router.enter(session, incoming)
        return True

    async def first_time(self, body: dict[str, Any], *, within: float = ACK_WITHIN) -> bool:
        """Slack retries an event it thinks we missed (X-Slack-Retry-Num), with the same event_id: it gets
        through once, also across restarts and processes."""
        event_id = body.get("event_id")
        return await self.inbox.first_time(str(event_id) if event_id else None, within=within)

    # --- people ---------------------------------------------------------------------------------------

    async def user_ref(self, user_id: str, fallback: str | None = None) -> UserRef:
        """The person's Slack display name and whether it is a bot (users.info, cached per process); their
        handle if that fails."""
        person = self._people.get(user_id)
        if person is None:
            name, is_bot, locale = await self._lookup(user_id)
            person = self._people[user_id] = (name or fallback or user_id, is_bot, locale)
        return UserRef(platform="slack", user_id=user_id, display_name=person[0], is_bot=person[1])

    def voter_ref(self, user_id: str) -> UserRef:
        """A reaction's author without waiting for users.info: a vote needs only the id. The name and bot flag
        come from the cache; a person not in it yet gets their id as the name (which never replaces a stored
        name: ``storage.community.members``) and is looked up in the background for their next event."""
        person = self._people.get(user_id)
        if person is None:
            self._look_up_later(user_id)
            return UserRef(platform="slack", user_id=user_id, display_name=user_id)
        return UserRef(platform="slack", user_id=user_id, display_name=person[0], is_bot=person[1])

    def _look_up_later(self, user_id: str) -> None:
        if user_id in self._lookups or len(self._lookups) >= LOOKUPS_IN_FLIGHT:
            return  # already asked, or enough asked at once: a later event asks again

        async def look_up() -> None:
            try:
                await self.user_ref(user_id)
            finally:
                self._lookups.pop(user_id, None)

        self._lookups[user_id] = asyncio.create_task(look_up(), name=f"users.info:{user_id}")

    async def close(self) -> None:
        """Stop the background lookups (the door is stopping)."""
        tasks = list(self._lookups.values())
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)

    def language_of(self, user_id: str) -> str | None:
        """The person's Slack language (users.info with include_locale, looked up by :meth:`user_ref`)."""
        person = self._people.get(user_id)
        return person[2] if person else None

    async def workspace_admin(self, user_id: str, workspace_id: str | None) -> bool:
        """Whether Slack calls the person a workspace admin or owner (users.info; asked again when the answer
        is a few minutes old)."""

        async def ask() -> bool | None:
            user = await self._users_info(user_id)
            return None if user is None else _is_workspace_admin(user)

        return await self.roles.is_admin(("slack", workspace_id, user_id), ask)

    async def _users_info(self, user_id: str) -> dict[str, Any] | None:
        try:
            response = await self.messenger.client.users_info(user=user_id, include_locale=True)
        except Exception as error:
            log.info("Slack: users.info for %s failed (%s)", user_id, type(error).__name__)
            return None
        user = response.get("user") or {}
        return user if isinstance(user, dict) else {}

    async def _lookup(self, user_id: str) -> tuple[str | None, bool, str | None]:
        user = await self._users_info(user_id)
        if user is None:
            return None, False, None
        if user.get("team_id"):  # the same answer says whether they administer the workspace
            self.roles.remember(("slack", str(user["team_id"]), user_id), _is_workspace_admin(user))
        profile = user.get("profile") or {}
        name = profile.get("display_name") or profile.get("real_name") or user.get("name") or None
        locale = user.get("locale")
        return name, bool(user.get("is_bot")), locale if isinstance(locale, str) else None


def _is_workspace_admin(user: dict[str, Any]) -> bool:
    return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))


def _guarded(listener: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    """A payload a listener cannot make sense of (a field missing or of the wrong type) is logged and ignored
    inside the listener. Letting it raise would be worse than a 500: slack-bolt then discards the ack already
    given and holds the request for its 3-second ack timeout before answering 404."""

    @functools.wraps(listener)
    async def run(**kwargs: Any) -> None:
        try:
            await listener(**kwargs)
        except UNAVAILABLE:
            raise  # not acknowledged: Slack sends it again (see bot.slack.door._refuse_unreadable)
        except Exception as error:
            log.warning("Slack: ignored a request its listener could not handle: %s: %s", type(error).__name__,
                        error, exc_info=log.isEnabledFor(logging.DEBUG))
            ack = kwargs.get("ack")
            if ack is not None and ack.response is None:
                await ack()

    return run


class _Here:
    """Answers where the Slack request came from (see :meth:`SlackListeners.post`); /log with fields missing
    opens the modal while Slack's trigger is fresh."""

    def __init__(self, listeners: SlackListeners, origin: Origin) -> None:
        self.listeners, self.origin = listeners, origin

    async def chat(self) -> ChatRef:
        return await self.listeners.here_chat(self.origin)

    async def show_form(self, reply: Reply) -> bool:
        if reply.form is None or reply.form.command != "log" or not self.origin.trigger_id:
            return False
        return await self.listeners.open_log_modal(self.origin, dict(reply.form.known))

    async def post(self, reply: Reply) -> SentMessage | None:
        return await self.listeners.post(reply, self.origin)


def _responder(body: dict[str, Any], received_at: datetime | None) -> AsyncRespond | None:
    """The request's response_url, while Slack still takes it (30 minutes); after that (a command answered long
    after a stop) replies go to the channel, ephemeral ones by chat.postEphemeral (see ``post``)."""
    url = body.get("response_url")
    if not url:
        return None
    if received_at is not None and utcnow() - received_at > RESPONSE_URL_LIFETIME:
        log.info("Slack: the response_url of a request received at %s has expired; answering in the channel",
                 received_at.isoformat(timespec="seconds"))
        return None
    return AsyncRespond(response_url=url)


def _home_chat(user_id: str, workspace_id: str) -> ChatRef:
    """App Home and modals have no channel; the workspace is what binds the person to the team."""
    return ChatRef(platform="slack", chat_id=user_id, workspace_id=workspace_id, is_private=True)


def _text(replies: list[Reply]) -> str:
    return "\n".join(r.text for r in replies)
