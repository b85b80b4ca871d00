"""A fake Slack Web API on 127.0.0.1 (aiohttp, port 0) that records every call, plus a client that sends
the door requests signed exactly as Slack signs them (v0 HMAC-SHA256 of ``v0:{timestamp}:{body}``).

Serves auth.test, chat.postMessage, chat.postEphemeral, views.open/update/publish, the three file-upload
steps, users.info (the users in ``admins`` are workspace admins), conversations.info/open, files.info and
response_url; anything else answers ``{"ok": true}``.
Files stored with :meth:`FakeSlackAPI.add_file` are downloaded from their ``url_private_download`` (recorded as
``file_download``); without the bot token as a Bearer header Slack answers its HTML sign-in page, and so does this.
Faults are queued per method: ``api.fail("chat.postMessage", status=429, headers={"Retry-After": "0"})``.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
import urllib.parse
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web

TEAM_ID = "T0TEAM"
BOT_USER_ID = "UBOT"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-0000000000-0000000000000-testtesttesttesttesttest"


@dataclass
class Call:
    method: str  # "chat.postMessage", "upload", "response_url"
    params: dict[str, Any]
    status: int = 200


@dataclass
class Fault:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None


class FakeSlackAPI:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.faults: dict[str, list[Fault]] = {}
        self.display_names: dict[str, str] = {}
        self.locales: dict[str, str] = {}  # users.info with include_locale: a person's Slack language
        self.admins: set[str] = set()  # users.info says is_admin for these users
        self.member_counts: dict[str, int] = {}  # conversations.info's num_members per channel
        self.files: dict[str, tuple[dict[str, Any], bytes]] = {}  # by file id: the file object and its bytes
        self.files_readable = True  # False: the app lacks files:read, downloads get the sign-in page
        self.held: dict[str, asyncio.Event] = {}  # methods whose calls wait for release()
        self.socket_envelopes: list[dict[str, Any]] = []  # sent to a Socket Mode client once it connects
        # Socket Mode as Slack delivers (``deliver``): envelopes go out over the live connection, a few unacked at
        # a time. An event not acknowledged within ``socket_ack_timeout`` (Slack's 3 s) — also on a live connection
        # — or whose connection dropped is sent again at once, as a new envelope with retry_attempt one higher and
        # retry_reason "timeout", up to ``socket_retries`` times (Slack's Events API retry policy: three); past
        # them, and for a slash command at the first timeout (Slack shows the person "operation_timeout" and
        # never sends it again), it failed for good. An ack that comes after its envelope timed out is recorded
        # all the same (the door did acknowledge it), but Slack had moved on.
        self.socket_window = 8
        self.socket_ack_timeout = 3.0
        self.socket_retries = 3
        self.socket_acked: list[str] = []  # envelope ids, in the order their acks arrived (late ones too)
        self.socket_failed: list[dict[str, Any]] = []  # envelopes Slack gave up on (see above)
        self._to_deliver: list[dict[str, Any]] = []
        # Sent over a connection and awaiting their ack: the envelope, its connection, when it was sent.
        self._unacked: dict[str, tuple[dict[str, Any], web.WebSocketResponse, float]] = {}
        self._timed_out: set[str] = set()  # envelope ids whose ack did not come in time
        self._first_of: dict[str, str] = {}  # a retry's envelope id → the first envelope's id
        self._socket_changed = asyncio.Condition()
        self.latency: dict[str, float] = {}  # seconds a Web API method takes to answer (the real one is not instant)
        self.peers: set[tuple[str, int]] = set()  # the client connections Web API calls came over
        self.authorizations: list[tuple[str, str]] = []  # (method, Authorization header) of every call
        self._sockets: list[web.WebSocketResponse] = []
        self._ts = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.base = ""

    # --- lifecycle ------------------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_post("/response/{token}", self._response_url)
        app.router.add_get("/files-pri/{team_file}/download/{name}", self._file_download)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        for ws in self._sockets:
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    def response_url(self, token: str = "cmd") -> str:
        return f"{self.base}/response/{token}"

    # --- what tests look at ---------------------------------------------------------------------------

    def add_file(self, name: str, content: bytes, *, size: int | None = None, **extra: Any) -> dict[str, Any]:
        """Store a file someone uploaded; returns its file object as a ``message`` event's ``files`` carries it."""
        file_id = f"F{next(self._ts):08d}"
        file = {
            "id": file_id,
            "name": name,
            "title": name,
            "mimetype": "text/csv",
            "filetype": "csv",
            "size": len(content) if size is None else size,
            "mode": "hosted",
            "url_private": f"{self.base}/files-pri/{TEAM_ID}-{file_id}/{name}",
            "url_private_download": f"{self.base}/files-pri/{TEAM_ID}-{file_id}/download/{name}",
            **extra,
        }
        self.files[file_id] = (file, content)
        return file

    async def deliver(self, envelopes: list[dict[str, Any]]) -> None:
        """Queue envelopes for Socket Mode delivery: sent over the live connection (or the next one)."""
        self._to_deliver += envelopes
        async with self._socket_changed:
            self._socket_changed.notify_all()

    @property
    def undelivered(self) -> int:
        """Envelopes not acknowledged yet: queued, or sent and awaiting their ack."""
        return len(self._to_deliver) + len(self._unacked)

    def first_envelope(self, envelope_id: str) -> str:
        """The id of the envelope a retry sends again (its own id for a first delivery)."""
        return self._first_of.get(envelope_id, envelope_id)

    def sent_envelopes(self) -> list[dict[str, Any]]:
        """Every envelope ``deliver`` sent over a connection, retries included, in the order they were sent."""
        return [c.params for c in self.calls if c.method == "socket_envelope"]

    def hold(self, method: str) -> None:
        """Calls to ``method`` are recorded, then wait unanswered until :meth:`release` (a stuck platform)."""
        self.held[method] = asyncio.Event()

    def release(self, method: str) -> None:
        self.held.pop(method).set()

    def fail(self, method: str, *, status: int = 200, headers: dict[str, str] | None = None, error: str = "") -> None:
        """Queue one fault for the next call of ``method``: an HTTP status, or ``{"ok": false, "error": …}``."""
        body = {"ok": False, "error": error} if error else None
        self.faults.setdefault(method, []).append(Fault(status, headers or {}, body))

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and c.status == 200]

    def attempts(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Replies are sent after the ack, in the background: poll briefly until they arrive."""
        deadline = time.monotonic() + timeout
        while len(self.of(method)) < count:
            if time.monotonic() > deadline:
                seen = [c.method for c in self.calls]
                raise AssertionError(f"expected {count} {method} call(s) within {timeout}s; calls: {seen}")
            await asyncio.sleep(0.01)
        return self.of(method)

    # --- handlers -------------------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await _params(request)
        self.authorizations.append((method, request.headers.get("Authorization", "")))
        peer = request.transport.get_extra_info("peername") if request.transport is not None else None
        if peer is not None:
            self.peers.add((peer[0], peer[1]))
        if self.latency.get(method):
            await asyncio.sleep(self.latency[method])
        fault = self.faults.get(method, []).pop(0) if self.faults.get(method) else None
        if fault is not None and fault.status != 200:
            self.calls.append(Call(method, params, fault.status))
            return web.json_response({"ok": False, "error": "ratelimited"}, status=fault.status, headers=fault.headers)
        self.calls.append(Call(method, params))
        if method in self.held:
            await self.held[method].wait()
        if fault is not None and fault.body is not None:
            return web.json_response(fault.body)
        return web.json_response(self._answer(method, params))

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        ok: dict[str, Any] = {"ok": True}
        if method == "auth.test":
            return {**ok, "user": "devrelbot", "user_id": BOT_USER_ID, "bot_id": "BBOT", "team": "Test"} | {
                "team_id": TEAM_ID
            }
        if method == "chat.postMessage":
            return {**ok, "channel": params.get("channel"), "ts": f"1700000000.{next(self._ts):06d}"}
        if method == "chat.postEphemeral":
            return {**ok, "message_ts": f"1700000000.{next(self._ts):06d}"}
        if method in ("views.open", "views.update", "views.publish"):
            return {**ok, "view": {"id": "V1", "hash": "h1"}}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts)}"
            return {**ok, "upload_url": f"{self.base}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = params.get("files")
            files = json.loads(files) if isinstance(files, str) else files
            return {**ok, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}
        if method == "users.info":
            user = str(params.get("user"))
            name = self.display_names.get(user, user.lower())
            person = {"id": user, "team_id": TEAM_ID, "name": name, "is_admin": user in self.admins, "is_owner": False,
                      "profile": {"display_name": name, "real_name": name}}
            if user in self.locales and str(params.get("include_locale")).lower() in ("true", "1"):
                person["locale"] = self.locales[user]
            return {**ok, "user": person}
        if method == "files.info":
            stored = self.files.get(str(params.get("file")))
            return {**ok, "file": stored[0]} if stored else {"ok": False, "error": "file_not_found"}
        if method == "conversations.info":
            channel = str(params.get("channel"))
            return {**ok, "channel": {"id": channel, "is_private": False,
                                      "num_members": self.member_counts.get(channel, 1)}}
        if method == "apps.connections.open":
            return {**ok, "url": self.base.replace("http://", "ws://") + "/socket"}
        if method == "conversations.open":
            return {**ok, "channel": {"id": "D" + str(params.get("users", "")).lstrip("U")}}
        return ok

    async def _upload(self, request: web.Request) -> web.Response:
        data = await request.read()
        self.calls.append(Call("upload", {"file_id": request.match_info["file_id"], "size": len(data), "data": data}))
        return web.Response(text=f"OK - {len(data)}")

    async def _file_download(self, request: web.Request) -> web.Response:
        file_id = request.match_info["team_file"].removeprefix(f"{TEAM_ID}-")
        authorization = request.headers.get("Authorization", "")
        fault = self.faults.get("file_download", []).pop(0) if self.faults.get("file_download") else None
        status = fault.status if fault is not None else 200
        self.calls.append(Call("file_download", {"file_id": file_id, "authorization": authorization}, status))
        if fault is not None:
            return web.Response(status=fault.status, text="error")
        if authorization != f"Bearer {BOT_TOKEN}" or not self.files_readable:
            return web.Response(text="<!DOCTYPE html><html>Sign in to Slack</html>", content_type="text/html")
        if file_id not in self.files:
            return web.Response(status=404, text="not found")
        return web.Response(body=self.files[file_id][1], content_type="text/csv")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        """Socket Mode: say hello, deliver the queued envelopes, record every acknowledgement."""
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1})
        for envelope in self.socket_envelopes:
            await ws.send_json(envelope)
        sending = asyncio.create_task(self._send_envelopes(ws))
        expiring = asyncio.create_task(self._expire_unacked(ws))
        try:
            async for message in ws:
                if message.type == aiohttp.WSMsgType.TEXT:
                    ack = json.loads(message.data)
                    self.calls.append(Call("socket_ack", ack))
                    envelope_id = str(ack.get("envelope_id"))
                    if self._unacked.pop(envelope_id, None) is not None:
                        self.socket_acked.append(envelope_id)
                        async with self._socket_changed:
                            self._socket_changed.notify_all()
                    elif envelope_id in self._timed_out:  # too late: its retry is on its way, or it failed
                        self._timed_out.discard(envelope_id)
                        self.socket_acked.append(envelope_id)
        finally:
            sending.cancel()
            expiring.cancel()
            self._dropped(ws)
        return ws

    async def _send_envelopes(self, ws: web.WebSocketResponse) -> None:
        """What ``deliver`` queued, a window of unacked envelopes at a time over this connection."""
        while not ws.closed:
            async with self._socket_changed:
                await self._socket_changed.wait_for(
                    lambda: bool(self._to_deliver) and len(self._unacked) < self.socket_window or ws.closed
                )
                if ws.closed:
                    return
                envelope = self._to_deliver.pop(0)
                self._unacked[envelope["envelope_id"]] = (envelope, ws, time.monotonic())
                self.calls.append(Call("socket_envelope", envelope))
            try:
                await ws.send_json(envelope)
            except (ConnectionError, RuntimeError):
                return  # the connection is going: _dropped puts it back

    async def _expire_unacked(self, ws: web.WebSocketResponse) -> None:
        """Slack's ack timeout on a live connection: what this connection was sent and did not acknowledge within
        ``socket_ack_timeout`` timed out (an event is sent again, a slash command failed)."""
        while not ws.closed:
            await asyncio.sleep(0.05)
            due = time.monotonic() - self.socket_ack_timeout
            late = [envelope_id for envelope_id, (_envelope, over, sent) in self._unacked.items()
                    if over is ws and sent <= due]
            if late:
                self._timed_out.update(late)
                self._give_up_or_retry(late)
                async with self._socket_changed:
                    self._socket_changed.notify_all()

    def _dropped(self, ws: web.WebSocketResponse) -> None:
        """The connection is gone: what it left unacknowledged timed out."""
        self._give_up_or_retry([envelope_id for envelope_id, (_envelope, over, _sent) in self._unacked.items()
                                if over is ws])

    def _give_up_or_retry(self, envelope_ids: list[str]) -> None:
        """Envelopes whose ack did not come: each event is sent again first thing, as a new envelope (retry_attempt
        one higher, retry_reason "timeout") while it has retries left; a slash command, or an event out of
        retries, failed for good."""
        again = []
        for envelope_id in envelope_ids:
            envelope, _over, _sent = self._unacked.pop(envelope_id)
            attempt = envelope.get("retry_attempt", 0) + 1
            if envelope["type"] != "events_api" or attempt > self.socket_retries:
                self.socket_failed.append(envelope)
                continue
            first = self.first_envelope(envelope_id)
            retry_id = f"{first}-retry-{attempt}"
            self._first_of[retry_id] = first
            again.append({**envelope, "envelope_id": retry_id, "retry_attempt": attempt, "retry_reason": "timeout"})
        self._to_deliver[:0] = again

    async def _response_url(self, request: web.Request) -> web.Response:
        self.calls.append(Call("response_url", await request.json()))
        return web.Response(text="ok")


async def _params(request: web.Request) -> dict[str, Any]:
    """Arguments as the SDK sent them: a query string, a JSON body (most write methods) or a form."""
    params: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        params.update(await request.json())
    elif request.method == "POST":
        form = await request.post()
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
    for key in ("blocks", "view", "files"):
        if isinstance(params.get(key), str):
            params[key] = json.loads(params[key])
    return params


# --- requests signed as Slack signs them -------------------------------------------------------------------


def sign(body: str, *, timestamp: int | None = None, secret: str = SIGNING_SECRET) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def file_share_event(
    text: str,
    files: list[dict[str, Any]],
    *,
    user: str = "UALICE",
    channel: str = "D0ALICE",
    thread_ts: str | None = None,
) -> dict[str, Any]:
    """A message with files, as Slack sends it to a bot in the conversation (message.im / message.channels)."""
    event: dict[str, Any] = {
        "type": "message",
        "subtype": "file_share",
        "text": text,
        "files": files,
        "upload": False,
        "user": user,
        "display_as_bot": False,
        "ts": f"1700000100.{len(text):06d}",
        "channel": channel,
        "channel_type": "im" if channel.startswith("D") else "channel",
        "event_ts": f"1700000100.{len(text):06d}",
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def reaction_event(
    kind: str = "reaction_added",
    emoji: str = "fire",
    *,
    user: str = "UCAROL",
    ts: str = "1700000000.000042",
    channel: str = "C0GENERAL",
) -> dict[str, Any]:
    """A reaction added to (or removed from) a message of the bot's, as the Events API sends it."""
    return {
        "type": kind,
        "user": user,
        "reaction": emoji,
        "item": {"type": "message", "channel": channel, "ts": ts},
        "item_user": BOT_USER_ID,
        "event_ts": "1700000100.000100",
    }


def command_payload(
    api: FakeSlackAPI, command: str, text: str = "", *, user: str = "UALICE", channel: str = "C0GENERAL", n: int = 1
) -> dict[str, str]:
    """A slash command as Slack sends it (a form over HTTP, the same fields inside a Socket Mode envelope)."""
    return {
        "token": "legacy",
        "team_id": TEAM_ID,
        "team_domain": "test",
        "channel_id": channel,
        "channel_name": "directmessage" if channel.startswith("D") else "general",
        "user_id": user,
        "user_name": user.lower(),
        "command": command,
        "text": text,
        "api_app_id": "A0APP",
        "response_url": api.response_url(f"cmd{n}"),
        "trigger_id": f"trigger.{n}",
    }


@dataclass
class SlackClient:
    """Sends to the door what Slack would: slash commands, events, interactions."""

    url: str
    api: FakeSlackAPI
    session: aiohttp.ClientSession
    _ids: Callable[[], int] = field(default_factory=lambda: itertools.count(1).__next__)

    async def post(
        self, body: str, content_type: str, *, headers: dict[str, str] | None = None, **signing: Any
    ) -> aiohttp.ClientResponse:
        all_headers = {"Content-Type": content_type, **sign(body, **signing), **(headers or {})}
        async with self.session.post(self.url, data=body.encode(), headers=all_headers) as response:
            await response.read()
            return response

    async def command(
        self, command: str, text: str = "", *, user: str = "UALICE", channel: str = "C0GENERAL", **signing: Any
    ) -> aiohttp.ClientResponse:
        form = command_payload(self.api, command, text, user=user, channel=channel, n=self._ids())
        return await self.post(urllib.parse.urlencode(form), "application/x-www-form-urlencoded", **signing)

    async def event(
        self, event: dict[str, Any], *, event_id: str | None = None, retry_num: int | None = None
    ) -> aiohttp.ClientResponse:
        envelope = {
            "token": "legacy",
            "team_id": TEAM_ID,
            "api_app_id": "A0APP",
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{self._ids():08d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
        }
        headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"} if retry_num else {}
        return await self.post(json.dumps(envelope), "application/json", headers=headers)

    async def interaction(self, payload: dict[str, Any]) -> aiohttp.ClientResponse:
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return await self.post(body, "application/x-www-form-urlencoded")

    async def interaction_json(self, payload: dict[str, Any]) -> tuple[int, Any]:
        """An interaction whose response body matters (a view_submission's errors)."""
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}
        async with self.session.post(self.url, data=body.encode(), headers=headers) as response:
            text = await response.text()
            return response.status, json.loads(text) if text.strip() else None


@pytest.fixture
async def slack_api() -> AsyncIterator[FakeSlackAPI]:
    api = FakeSlackAPI()
    await api.start()
    yield api
    await api.stop()
