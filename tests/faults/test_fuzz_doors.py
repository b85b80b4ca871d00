"""Malformed input at every door (hypothesis): signed Slack bodies, events, interactivity payloads and slash
commands through the real HTTP endpoint, and random or mutated Telegram updates through the door's webhook
(the same update path as polling: ``Update.de_json`` → ``process_update``). Each gets a 2xx/4xx answer or a
logged ignore — never a 5xx, never an exception that stops the door — and afterwards a normal command is
still answered on both doors."""

from __future__ import annotations

import asyncio
import copy
import json
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.doors import make_slack_door, make_telegram_door
from tests.fakes.slack_api import TEAM_ID, FakeSlackAPI, command_payload, reaction_event, sign
from tests.fakes.telegram_api import FakeBotApi, callback_update, message_update, reaction_update, tg_user

EXAMPLES = settings(max_examples=20, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
SECRET = "Fuzz_webhook_secret-77"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63) | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)


def paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path into a JSON value (dict keys and list indexes)."""
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += paths(child, (*prefix, index))
    return found


@st.composite
def mutated(draw: Callable, base: dict[str, Any]) -> dict[str, Any]:
    """A valid payload with one to three parts replaced by random JSON or removed."""
    value = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        candidates = [p for p in paths(value) if p]
        if not candidates:
            break
        path = draw(st.sampled_from(candidates))
        parent = value
        for step in path[:-1]:
            parent = parent[step]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(json_values)
    return value


# --- both doors in a loop of their own, so hypothesis can drive them from the test's thread ------------------


class Doors:
    def __init__(self, router) -> None:  # noqa: ANN001
        self.router = router
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.stop: asyncio.Event | None = None
        self.tasks: list[asyncio.Task] = []

    def call(self, coro: Any, timeout: float = 20) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def start(self) -> None:
        self.thread.start()
        self.call(self._start())

    async def _start(self) -> None:
        self.slack_api, self.telegram_api = FakeSlackAPI(), FakeBotApi()
        await self.slack_api.start()
        await self.telegram_api.start()
        self.slack = make_slack_door(self.slack_api, self.router)
        self.telegram = make_telegram_door(self.telegram_api, self.router, webhook_host="127.0.0.1",
                                           webhook_port=0, network_backoff=0.01,
                                           settings={"telegram_webhook_url": "https://bot.example.com/tg/hook",
                                                     "telegram_webhook_secret": SECRET})
        self.stop = asyncio.Event()
        self.tasks = [asyncio.create_task(d.run(self.stop)) for d in (self.slack, self.telegram)]
        await asyncio.wait_for(asyncio.gather(self.slack.ready.wait(), self.telegram.ready.wait()), 10)

    def close(self) -> None:
        async def _close() -> None:
            assert self.stop is not None
            self.stop.set()
            await asyncio.wait_for(asyncio.gather(*self.tasks), 30)
            await self.slack_api.stop()
            await self.telegram_api.close()

        self.call(_close(), timeout=60)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)

    def alive(self) -> None:
        assert not any(t.done() for t in self.tasks), [t.exception() for t in self.tasks if t.done()]

    # --- requests -----------------------------------------------------------------------------------------

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310  (a local test server)
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def slack_post(self, body: str | bytes, content_type: str) -> int:
        raw = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
        text = raw.decode("utf-8", "replace")
        headers = {"Content-Type": content_type, **sign(text)} if text.encode() == raw else {
            "Content-Type": content_type, **sign(raw.decode("latin-1"))}
        return self.post(f"http://127.0.0.1:{self.slack.bound_port}/slack/events", raw, headers)

    def telegram_post(self, payload: Any) -> int:
        body = json.dumps(payload).encode() if not isinstance(payload, bytes) else payload
        return self.post(f"http://127.0.0.1:{self.telegram.bound_port}/tg/hook", body,
                         {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET})


@pytest.fixture
def doors(router) -> Iterator[Doors]:
    running = Doors(router)
    running.start()
    yield running
    running.close()


def ok(status: int) -> bool:
    return 200 <= status < 500


# --- Slack --------------------------------------------------------------------------------------------------


def envelope(event: Any) -> dict[str, Any]:
    return {"token": "legacy", "team_id": TEAM_ID, "api_app_id": "A0APP", "event": event,
            "type": "event_callback", "event_id": f"EvFuzz{time.monotonic_ns()}", "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM_ID, "user_id": "UBOT", "is_bot": True}]}


REACTION = reaction_event()
HOME = {"type": "app_home_opened", "user": "UALICE", "channel": "D0ALICE", "tab": "home"}
BUTTON = {"type": "block_actions", "team": {"id": TEAM_ID}, "user": {"id": "UALICE", "username": "alice"},
          "channel": {"id": "C0GENERAL"}, "container": {"type": "message"}, "trigger_id": "t.1",
          "actions": [{"type": "button", "action_id": "devrelbot_button_0", "value": "/list"}]}
SUBMISSION = {"type": "view_submission", "team": {"id": TEAM_ID}, "user": {"id": "UALICE", "team_id": TEAM_ID},
              "view": {"id": "V1", "callback_id": "devrelbot_log_modal", "private_metadata": "{}",
                       "state": {"values": {"title": {"value": {"type": "plain_text_input", "value": "T"}}}}}}


@EXAMPLES
@given(body=st.binary(max_size=300) | st.text(max_size=300),
       content_type=st.sampled_from(["application/json", "application/x-www-form-urlencoded", "text/plain", ""]))
def test_fuzzed_slack_bodies_get_a_client_error_or_an_ack(doors, body, content_type):
    assert ok(doors.slack_post(body, content_type))
    doors.alive()


@EXAMPLES
@given(event=mutated(REACTION) | mutated(HOME) | json_values)
def test_fuzzed_slack_events_are_acked_or_refused_never_fatal(doors, event):
    assert ok(doors.slack_post(json.dumps(envelope(event)), "application/json"))
    doors.alive()


@EXAMPLES
@given(payload=mutated(BUTTON) | mutated(SUBMISSION) | json_values)
def test_fuzzed_slack_interactivity_payloads_are_acked_or_refused(doors, payload):
    body = urllib.parse.urlencode({"payload": json.dumps(payload)})
    assert ok(doors.slack_post(body, "application/x-www-form-urlencoded"))
    doors.alive()


@EXAMPLES
@given(form=st.data())
def test_fuzzed_slash_commands_are_acked_or_refused(doors, form):
    fields = command_payload(doors.slack_api, "/log", "")
    fields = form.draw(mutated(fields))
    fields = {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in fields.items()}
    if form.draw(st.booleans()):
        fields["text"] = form.draw(st.text(max_size=200))
    assert ok(doors.slack_post(urllib.parse.urlencode(fields), "application/x-www-form-urlencoded"))
    doors.alive()


# --- Telegram -----------------------------------------------------------------------------------------------

_ids = iter(range(10**6, 10**7))

MESSAGE = message_update('/log talk "Fuzzed" @ Conf 2026-11-20 audience=10')
REACTION_UPDATE = reaction_update(7, tg_user(1001, "alice"), [], ["🔥"])
POLL_ANSWER = {"poll_answer": {"poll_id": "p-1", "user": tg_user(1001, "alice"), "option_ids": [1]}}


def callback() -> dict[str, Any]:
    class _Call:  # what callback_update needs of a recorded sendMessage call
        chat_id = -1001234567890
        params = {"text": "Delete?"}

        @staticmethod
        def json(name: str) -> Any:
            return {"inline_keyboard": [[{"text": "Go", "callback_data": "garbage-payload"}]]}

    return callback_update(_Call(), "Go")  # type: ignore[arg-type]


@EXAMPLES
@given(update=mutated(MESSAGE) | mutated(REACTION_UPDATE) | mutated(POLL_ANSWER) | mutated(callback())
       | st.dictionaries(st.sampled_from(["message", "callback_query", "message_reaction", "poll", "poll_answer",
                                          "my_chat_member", "edited_message", "message_reaction_count"]),
                         json_values, min_size=1, max_size=2)
       | json_values)
def test_fuzzed_telegram_updates_are_handled_or_refused_never_fatal(doors, update):
    if isinstance(update, dict):
        update = {**update, "update_id": next(_ids)} if "update_id" not in update else update
    assert doors.telegram_post(update) in (200, 400)
    doors.alive()


# --- afterwards, the doors still work --------------------------------------------------------------------------


def test_after_fuzzing_both_doors_still_answer_a_normal_command(doors):
    for body in (b"\xff\xfe{", b'{"type": "event_callback", "event": 3}', b"payload=%7B"):
        doors.slack_post(body, "application/x-www-form-urlencoded")
    for update in ({"update_id": "x"}, [], {"update_id": 5, "message": {"chat": None}}):
        doors.telegram_post(update)

    text = '/log talk "After the storm" @ Conf 2026-11-20'
    assert doors.telegram_post({"update_id": next(_ids), **message_update(text)}) == 200
    status = doors.slack_post(urllib.parse.urlencode(command_payload(doors.slack_api, "/log", text[5:])),
                              "application/x-www-form-urlencoded")
    assert status == 200
    sent = doors.call(doors.telegram_api.wait_for("sendMessage", timeout=10))
    posted = doors.call(doors.slack_api.wait_for("chat.postMessage", timeout=10))
    assert "After the storm" in sent[-1].text
    assert "After the storm" in posted[-1].params["text"]
    doors.alive()
