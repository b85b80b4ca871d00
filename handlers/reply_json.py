"""Replies as JSON text, and back: a command's answer is kept in the database (``storage.inbox.keep_answer``) in
the transaction that applies the command, so a process that dies before sending it leaves it for the next one.

Only the core's own frozen dataclasses are written, each tagged with its class name; bytes (a chart, a CSV) go
as base64 and tuples come back as tuples. Anything else is refused when written, never guessed when read.
"""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Sequence
from typing import Any

from handlers.core import (
    Button,
    ChatRef,
    DirectTarget,
    Document,
    FormRequest,
    Image,
    PollSpec,
    Reply,
    SentMessage,
    UserRef,
)

_TYPES: dict[str, type] = {
    cls.__name__: cls
    for cls in (Reply, Image, Document, Button, FormRequest, ChatRef, UserRef, DirectTarget, PollSpec, SentMessage)
}
_TYPE, _BYTES = "$type", "$bytes"


def dumps(replies: Sequence[Reply]) -> str:
    return json.dumps([_encode(reply) for reply in replies], ensure_ascii=False, separators=(",", ":"))


def loads(text: str) -> list[Reply]:
    replies = [_decode(value) for value in json.loads(text)]
    if not all(isinstance(reply, Reply) for reply in replies):
        raise ValueError("kept replies hold something that is not a Reply")
    return replies


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, bytes):
        return {_BYTES: base64.b64encode(value).decode("ascii")}
    if isinstance(value, tuple | list):
        return [_encode(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type) and _TYPES.get(type(value).__name__) is type(
        value
    ):
        fields = {field.name: _encode(getattr(value, field.name)) for field in dataclasses.fields(value)}
        return {_TYPE: type(value).__name__, **fields}
    raise TypeError(f"a reply cannot be kept with a {type(value).__name__} in it")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_decode(item) for item in value)  # every sequence in the core types is a tuple
    if isinstance(value, dict):
        if _BYTES in value:
            return base64.b64decode(value[_BYTES])
        cls = _TYPES[value[_TYPE]]
        # A field a newer version dropped is left out (kept answers outlive an upgrade by minutes at most).
        known = {field.name for field in dataclasses.fields(cls)}
        return cls(**{name: _decode(item) for name, item in value.items() if name in known})
    return value
