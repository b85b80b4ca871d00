"""A fake Telegram Bot API: aiohttp on 127.0.0.1, port 0, ``/bot<token>/<method>``, recording every call.
Files a test stores with :meth:`FakeBotApi.add_file` are served by ``getFile`` and downloaded from
``/file/bot<token>/<file_path>`` (recorded as a ``download`` call), as the real Bot API serves them.

Tests feed updates with :meth:`FakeBotApi.push` (served to ``getUpdates`` as long polling does), make the
next call to a method fail with :meth:`FakeBotApi.fail_next`, say who administers a chat with ``admins``,
and read back what the bot sent from ``calls``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web

TOKEN = "123456789:TEST-fake-token-for-the-local-bot-api-x"
BOT_ID = 123456789
BOT_USERNAME = "devrel_test_bot"
_TAG = re.compile(r"<[^>]+>")


@dataclass
class Call:
    method: str
    params: dict[str, str]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)

    def json(self, name: str) -> Any:
        """A parameter PTB sent JSON-encoded (reply_markup, options, allowed_updates…)."""
        return json.loads(self.params[name])

    @property
    def chat_id(self) -> int:
        return int(self.params["chat_id"])

    @property
    def text(self) -> str:
        return self.params.get("text") or self.params.get("caption") or ""


class FakeBotApi:
    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.token_valid = True
        self.calls: list[Call] = []
        self.admins: dict[int, set[int]] = {}
        self._updates: list[dict[str, Any]] = []
        self.confirmed_below = 0  # getUpdates' offset: every update id below it is acknowledged, Telegram forgets it
        # Long polls being answered now, and the most ever at once (Telegram allows one; a second gets 409).
        self.polls_in_flight = 0
        self.most_polls_at_once = 0
        self._update_ids = itertools.count(1000)
        self._message_ids = itertools.count(500)
        self._poll_ids = itertools.count(9000)
        self.files: dict[str, bytes] = {}  # by file_id: what getFile and the download path serve
        self._file_ids = itertools.count(1)
        self.polls: dict[int, dict[str, Any]] = {}  # sent polls by message id; stopPoll closes them
        self.final_counts: dict[int, list[int]] = {}  # what stopPoll reports per message id, when set
        self.member_counts: dict[int, int] = {}  # what getChatMemberCount says per chat
        self._failures: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        self.held: dict[str, asyncio.Event] = {}  # methods whose calls wait for release()
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._closing = False
        self.url = ""

    # --- server ------------------------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self.add_routes(app)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    def add_routes(self, app: web.Application) -> None:
        """More routes for a subclass (the benchmark's load control)."""

    async def close(self) -> None:
        self._closing = True
        await self._notify()  # end pending long polls at once
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"{self.url}/bot"

    # --- what tests use ---------------------------------------------------------------------------

    def push(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates; returns its update_id."""
        update.setdefault("update_id", next(self._update_ids))
        self._updates.append(update)
        asyncio.get_running_loop().create_task(self._notify())
        return update["update_id"]

    def add_file(self, content: bytes) -> str:
        """Store a file as if someone had sent it to the bot; returns its file_id."""
        file_id = f"BQACAgIAAxkBAAI-{next(self._file_ids)}"
        self.files[file_id] = content
        return file_id

    def hold(self, method: str) -> None:
        """Calls to ``method`` are recorded, then wait unanswered until :meth:`release` (a stuck platform)."""
        self.held[method] = asyncio.Event()

    def release(self, method: str) -> None:
        self.held.pop(method).set()

    def fail_next(self, method: str, *, status: int, description: str, retry_after: int | None = None) -> None:
        payload: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if retry_after is not None:
            payload["parameters"] = {"retry_after": retry_after}
        self._failures.setdefault(method, []).append((status, payload))

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def sent_texts(self, chat_id: int | None = None) -> list[str]:
        return [
            c.text
            for c in self.calls
            if c.method in ("sendMessage", "sendPhoto", "sendDocument") and (chat_id is None or c.chat_id == chat_id)
        ]

    async def wait_for(self, method: str, count: int = 1, *, timeout: float = 5.0) -> list[Call]:
        """Wait (bounded) until ``count`` calls to ``method`` arrived — delivery is asynchronous."""
        deadline = time.monotonic() + timeout
        async with self._changed:
            while len(self.calls_to(method)) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    got = [(c.method, c.params.get("text", "")[:60]) for c in self.calls if c.method != "getUpdates"]
                    raise AssertionError(f"expected {count} × {method}; calls so far: {got}")
                try:
                    await asyncio.wait_for(self._changed.wait(), remaining)
                except TimeoutError:
                    pass
        return self.calls_to(method)

    # --- handling ---------------------------------------------------------------------------------

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params, files = await self._read(request)
        self.calls.append(Call(method, params, files))
        await self._notify()
        if request.match_info["token"] != self.token or not self.token_valid:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        if method in self.held:
            await self.held[method].wait()
        if self._failures.get(method):
            status, payload = self._failures[method].pop(0)
            return web.json_response(payload, status=status)
        if method == "getUpdates":
            result: Any = await self._get_updates(params)
        else:
            handler = getattr(self, f"_m_{method}", None)
            if handler is None:
                return web.json_response(
                    {"ok": False, "error_code": 404, "description": "Not Found: method not found"}, status=404
                )
            result = handler(params, files)
        return web.json_response({"ok": True, "result": result})

    async def _download(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        self.calls.append(Call("download", {"path": path}))
        await self._notify()
        if request.match_info["token"] != self.token or not self.token_valid:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        if self._failures.get("download"):
            status, payload = self._failures["download"].pop(0)
            return web.json_response(payload, status=status)
        content = self.files.get(path.removeprefix("documents/"))
        if content is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        return web.Response(body=content, content_type="application/octet-stream")

    @staticmethod
    async def _read(request: web.Request) -> tuple[dict[str, str], dict[str, tuple[str, bytes]]]:
        params: dict[str, str] = {}
        files: dict[str, tuple[str, bytes]] = {}
        if request.content_type == "application/json":
            body = await request.json() if request.can_read_body else {}
            return {k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()}, files
        form = await request.post()
        for name, value in form.items():
            if isinstance(value, str):
                params[name] = value
            else:
                files[name] = (value.filename, value.file.read())
        return params, files

    async def _get_updates(self, params: dict[str, str]) -> list[dict[str, Any]]:
        self.polls_in_flight += 1
        self.most_polls_at_once = max(self.most_polls_at_once, self.polls_in_flight)
        try:
            return await self._next_updates(params)
        finally:
            self.polls_in_flight -= 1

    async def _next_updates(self, params: dict[str, str]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        self.confirmed_below = max(self.confirmed_below, offset)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        await self.long_poll(params, lambda: bool(self._updates))
        return list(self._updates)

    async def long_poll(self, params: dict[str, str], has_updates: Callable[[], bool]) -> None:
        """getUpdates with nothing to send waits (up to its timeout, here at most 1 s) for something to come."""
        wait = min(float(params.get("timeout") or 0), 1.0)
        if not has_updates() and wait:
            async with self._changed:
                try:
                    await asyncio.wait_for(self._changed.wait_for(lambda: has_updates() or self._closing), wait)
                except TimeoutError:
                    pass

    # --- methods ----------------------------------------------------------------------------------

    def _m_getMe(self, params: dict[str, str], files: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "DevRel",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _message(self, params: dict[str, str], **extra: Any) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        chat_type = "private" if chat_id > 0 else "supergroup"
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": chat_type, **({"title": "Group"} if chat_id < 0 else {})},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "DevRel", "username": BOT_USERNAME},
            **extra,
        }
        if "reply_markup" in params:
            markup = json.loads(params["reply_markup"])
            if "inline_keyboard" in markup:
                message["reply_markup"] = markup
        return message

    def _m_sendMessage(self, params: dict[str, str], files: dict[str, Any]) -> dict[str, Any]:
        return self._message(params, text=_plain(params["text"]))

    def _m_sendPhoto(self, params: dict[str, str], files: dict[str, Any]) -> dict[str, Any]:
        photo = [{"file_id": "photo-1", "file_unique_id": "p1", "width": 800, "height": 600}]
        return self._message(params, photo=photo, **_caption(params))

    def _m_sendDocument(self, params: dict[str, str], files: dict[str, Any]) -> dict[str, Any]:
        document = {"file_id": "doc-1", "file_unique_id": "d1", "file_name": next(iter(files.values()))[0]}
        return self._message(params, document=document, **_caption(params))

    def _m_sendPoll(self, params: dict[str, str], files: dict[str, Any]) -> dict[str, Any]:
        options = [o if isinstance(o, str) else o["text"] for o in json.loads(params["options"])]
        poll = {
            "id": str(next(self._poll_ids)),
            "question": params["question"],
            "options": [{"text": o, "voter_count": 0, "persistent_id": f"o{i}"} for i, o in enumerate(options)],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": params.get("is_anonymous", "true") != "false",
            "type": params.get("type", "regular"),
            "allows_multiple_answers": False,
            "allows_revoting": False,
            "members_only": False,
        }
        message = self._message(params, poll=poll)
        self.polls[message["message_id"]] = poll
        return message

    def _m_stopPoll(self, params: dict[str, str], files: dict[str, Any]) -> dict[str, Any]:
        message_id = int(params["message_id"])
        poll = dict(self.polls[message_id], is_closed=True)
        for option, count in zip(poll["options"], self.final_counts.get(message_id, []), strict=False):
            option["voter_count"] = count
        poll["total_voter_count"] = sum(o["voter_count"] for o in poll["options"])
        self.polls[message_id] = poll
        return poll

    def _m_editMessageText(self, params: dict[str, str], files: dict[str, Any]) -> dict[str, Any]:
        message = self._message(params, text=_plain(params["text"]))
        message["message_id"] = int(params["message_id"])
        return message

    def _m_getFile(self, params: dict[str, str], files: dict[str, Any]) -> dict[str, Any]:
        file_id = params["file_id"]
        if file_id not in self.files:
            raise web.HTTPBadRequest(
                text=json.dumps({"ok": False, "error_code": 400, "description": "Bad Request: invalid file_id"}),
                content_type="application/json",
            )
        size = len(self.files[file_id])
        return {"file_id": file_id, "file_unique_id": f"u{file_id[-6:]}", "file_size": size,
                "file_path": f"documents/{file_id}"}

    def _m_getChatMember(self, params: dict[str, str], files: dict[str, Any]) -> dict[str, Any]:
        chat_id, user_id = int(params["chat_id"]), int(params["user_id"])
        user = {"id": user_id, "is_bot": False, "first_name": f"user{user_id}"}
        if user_id not in self.admins.get(chat_id, set()):
            return {"status": "member", "user": user}
        rights = (
            "can_be_edited can_manage_chat can_delete_messages can_manage_video_chats can_restrict_members "
            "can_promote_members can_change_info can_invite_users can_post_stories can_edit_stories "
            "can_delete_stories"
        ).split()
        return {"status": "administrator", "user": user, "is_anonymous": False, **dict.fromkeys(rights, True)}

    def _m_getChatMemberCount(self, params: dict[str, str], files: dict[str, Any]) -> int:
        return self.member_counts.get(int(params["chat_id"]), 1)

    def _true(self, params: dict[str, str], files: dict[str, Any]) -> bool:
        return True

    _m_answerCallbackQuery = _true
    _m_setMyCommands = _true
    _m_setWebhook = _true
    _m_deleteWebhook = _true
    _m_close = _true
    _m_logOut = _true


def _plain(text: str) -> str:
    """What a client shows of an HTML message (real Telegram returns the entities separately)."""
    return _TAG.sub("", text).replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")


def _caption(params: dict[str, str]) -> dict[str, str]:
    return {"caption": _plain(params["caption"])} if params.get("caption") else {}


# --- update builders: what Telegram would send --------------------------------------------------------

GROUP_ID = -1001234567890
ALICE_ID = 1001
BOB_ID = 1002


def tg_user(user_id: int, username: str | None = None, language_code: str | None = None) -> dict[str, Any]:
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": username or f"user{user_id}"}
    if username:
        user["username"] = username
    if language_code:
        user["language_code"] = language_code
    return user


def tg_chat(chat_id: int) -> dict[str, Any]:
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": "someone"}
    return {"id": chat_id, "type": "supergroup", "title": "DevRel group"}


_incoming_ids = itertools.count(1)


def reaction_update(
    message_id: int, user: dict[str, Any], old: list[str], new: list[str], *, chat_id: int = GROUP_ID
) -> dict[str, Any]:
    """A person's emoji on a message changed from ``old`` to ``new`` (what Telegram sends the chat's admin bot)."""
    return {"message_reaction": {
        "chat": tg_chat(chat_id), "message_id": message_id, "user": user, "date": 1,
        "old_reaction": [{"type": "emoji", "emoji": e} for e in old],
        "new_reaction": [{"type": "emoji", "emoji": e} for e in new],
    }}


def message_update(
    text: str,
    *,
    chat_id: int = GROUP_ID,
    user_id: int = ALICE_ID,
    username: str = "alice",
    reply_to_bot: bool = False,
    language_code: str | None = None,
) -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": next(_incoming_ids),
        "date": int(time.time()),
        "chat": tg_chat(chat_id),
        "from": tg_user(user_id, username, language_code),
        "text": text,
    }
    if text.startswith("/"):
        length = len(text.split()[0])
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return {"message": message}


def document_update(
    file_id: str,
    filename: str | None = "plan.csv",
    *,
    size: int,
    caption: str | None = None,
    chat_id: int = GROUP_ID,
    user_id: int = ALICE_ID,
    username: str = "alice",
    mime_type: str = "text/csv",
) -> dict[str, Any]:
    """A file sent as a document, with its caption (a command in it is marked as Telegram marks it)."""
    document: dict[str, Any] = {"file_id": file_id, "file_unique_id": f"u{file_id[-6:]}", "file_size": size,
                                "mime_type": mime_type}
    if filename is not None:
        document["file_name"] = filename
    message: dict[str, Any] = {
        "message_id": next(_incoming_ids),
        "date": int(time.time()),
        "chat": tg_chat(chat_id),
        "from": tg_user(user_id, username),
        "document": document,
    }
    if caption:
        message["caption"] = caption
        if caption.startswith("/"):
            message["caption_entities"] = [{"type": "bot_command", "offset": 0, "length": len(caption.split()[0])}]
    return {"message": message}


def callback_update(call: Call, label: str, *, user_id: int = ALICE_ID, username: str = "alice") -> dict[str, Any]:
    """Press the button labelled ``label`` on the message the bot sent in ``call``."""
    keyboard = call.json("reply_markup")["inline_keyboard"]
    button = next(b for row in keyboard for b in row if b["text"] == label)
    message = {
        "message_id": 4242,
        "date": int(time.time()),
        "chat": tg_chat(call.chat_id),
        "from": {"id": BOT_ID, "is_bot": True, "first_name": "DevRel", "username": BOT_USERNAME},
        "text": _plain(call.params.get("text", "")),
        "reply_markup": {"inline_keyboard": keyboard},
    }
    return {
        "callback_query": {
            "id": f"cb-{next(_incoming_ids)}",
            "from": tg_user(user_id, username),
            "chat_instance": "ci-1",
            "message": message,
            "data": button["callback_data"],
        }
    }


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeBotApi]:
    api = FakeBotApi()
    await api.start()
    yield api
    await api.close()
