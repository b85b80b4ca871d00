"""The /log modal: a form for the same fields as the one-line command, checked by the same parser.

A submission is turned back into a one-line ``/log`` argument string and run through ``parse_log``, so the
modal can never accept what the command would refuse. ``UserError.field`` says which input was wrong and
becomes a per-field error inside the modal (``response_action: errors``).
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from handlers.errors import UserError
from handlers.i18n import _
from handlers.parsing import QUOTES, parse_log
from handlers.words import metric_name
from storage.domain import METRICS, PLACE_WORD, Kind, metrics_for

CALLBACK_ID = "devrelbot_log_modal"
KIND_ACTION = "devrelbot_log_kind"
VALUE_ACTION = "value"
TEXT_BLOCKS = ("title", "venue", "date", "tags", "url")
_PLACE_FIELDS = {"venue", "outlet", "network"}
PLACEHOLDERS = {"int": "300 or 1.2k", "rating": "1–5", "nps": "-100…100", "money": "1500 or 1500usd"}

Block = dict[str, Any]


@dataclass(frozen=True)
class ModalContext:
    """Where the modal was opened, carried in ``private_metadata`` so the confirmation goes back there."""

    team_id: str
    user_id: str
    channel_id: str | None = None
    thread_ts: str | None = None

    def dumps(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def loads(cls, text: str) -> ModalContext:
        data = json.loads(text or "{}")
        return cls(**{k: data.get(k) for k in ("team_id", "user_id", "channel_id", "thread_ts")})


def log_modal(context: ModalContext, *, kind: Kind = Kind.TALK, known: dict[str, str] | None = None) -> Block:
    """The modal for one kind: choosing another kind re-renders it with that kind's metrics."""
    known = known or {}
    blocks = [
        _kind_block(kind),
        _text_input("title", _("Title"), initial=known.get("title"), optional=False, max_length=200),
        _text_input("venue", _(PLACE_WORD[kind]).capitalize(), initial=known.get("venue")),
        _date_input(known.get("date")),
        *(_metric_input(name, initial=known.get(name)) for name in metrics_for(kind)),
        _text_input("tags", _("Tags"), placeholder="backend, devops", initial=known.get("tags")),
        _text_input("url", _("Link"), initial=known.get("url"), placeholder="https://…"),
    ]
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": {"type": "plain_text", "text": _("Log an activity")[:24]},
        "submit": {"type": "plain_text", "text": _("Log it")[:24]},
        "close": {"type": "plain_text", "text": _("Cancel")[:24]},
        "private_metadata": context.dumps(),
        "blocks": blocks,
    }


def initial_kind(known: dict[str, str]) -> Kind:
    try:
        return Kind(known.get("kind", Kind.TALK.value))
    except ValueError:
        return Kind.TALK


def _kind_block(kind: Kind) -> Block:
    options = [_option(k.value, _(k.value).capitalize()) for k in Kind]
    return {
        "type": "input",
        "block_id": "kind",
        "dispatch_action": True,  # choosing a kind re-renders the metric fields
        "label": {"type": "plain_text", "text": _("Kind")},
        "element": {
            "type": "static_select",
            "action_id": KIND_ACTION,
            "options": options,
            "initial_option": _option(kind.value, _(kind.value).capitalize()),
        },
    }


def _option(value: str, label: str) -> Block:
    return {"text": {"type": "plain_text", "text": label}, "value": value}


def _text_input(
    block_id: str,
    label: str,
    *,
    optional: bool = True,
    initial: str | None = None,
    placeholder: str | None = None,
    max_length: int | None = None,
) -> Block:
    element: Block = {"type": "plain_text_input", "action_id": VALUE_ACTION}
    if initial:
        element["initial_value"] = initial
    if placeholder:
        element["placeholder"] = {"type": "plain_text", "text": placeholder}
    if max_length:
        element["max_length"] = max_length
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": {"type": "plain_text", "text": label},
        "element": element,
    }


def _metric_input(name: str, *, initial: str | None) -> Block:
    spec = METRICS[name]
    placeholder = PLACEHOLDERS[spec.value_type]
    label = metric_name(name).replace("_", " ").capitalize()
    block = _text_input(name, label, initial=initial, placeholder=placeholder)
    block["hint"] = {"type": "plain_text", "text": _(spec.description)}
    return block


def _date_input(initial: str | None) -> Block:
    element: Block = {"type": "datepicker", "action_id": VALUE_ACTION}
    if initial and re.fullmatch(r"\d{4}-\d{2}-\d{2}", initial):
        element["initial_date"] = initial
    return {
        "type": "input",
        "block_id": "date",
        "optional": True,
        "label": {"type": "plain_text", "text": _("Date")},
        "hint": {"type": "plain_text", "text": _("Empty means today; a future date makes it planned.")},
        "element": element,
    }


# --- submission --------------------------------------------------------------------------------------


def submitted_values(view: dict[str, Any]) -> dict[str, str]:
    """``view.state.values`` flattened to block id → text (select value, date, or typed text)."""
    values: dict[str, str] = {}
    for block_id, actions in (view.get("state") or {}).get("values", {}).items():
        for action in actions.values():
            value = (
                (action.get("selected_option") or {}).get("value") or action.get("selected_date") or action.get("value")
            )
            if value is not None and str(value).strip():
                values[block_id] = str(value).strip()
    return values


def kind_of(values: dict[str, str]) -> Kind:
    return initial_kind({"kind": values.get("kind", Kind.TALK.value)})


def to_log_args(values: dict[str, str]) -> str:
    """The one-line ``/log`` arguments for a submission; a value no quote can hold is an error on its field."""
    kind = kind_of(values)
    parts = [kind.value, _quoted("title", values.get("title", ""))]
    if "venue" in values:
        parts.append("venue=" + _quoted("venue", values["venue"]))
    if "date" in values:
        parts.append("date=" + _quoted("date", values["date"]))
    for name in metrics_for(kind):
        if name in values:
            parts.append(f"{name}=" + _quoted(name, values[name]))
    for tag in re.split(r"[\s,]+", values.get("tags", "")):
        if tag.strip("#"):
            parts.append("#" + tag.strip("#"))
    if "url" in values:
        parts.append("url=" + _quoted("url", values["url"]))
    return " ".join(parts)


def _quoted(block_id: str, value: str) -> str:
    for opening, closing in QUOTES.items():
        if closing not in value:
            return f"{opening}{value}{closing}"
    raise UserError(_("This text uses every kind of quote mark; remove some."), field=block_id)


def validate(values: dict[str, str], *, today: date, default_currency: str) -> tuple[str, dict[str, str]]:
    """The /log arguments and, when the parser refuses them, the error by block id (empty when valid)."""
    try:
        args = to_log_args(values)
        parse_log(args, today=today, default_currency=default_currency)
    except UserError as error:
        return "", {error_block(error.field, kind_of(values)): error_message(error)}
    return args, {}


def error_block(field: str | None, kind: Kind) -> str:
    """The input to show an error under. Errors without a field are about the title (the only free text)."""
    if field in _PLACE_FIELDS:
        return "venue"
    if field in TEXT_BLOCKS or field == "kind" or field in metrics_for(kind):
        return str(field)
    return "title"


def error_message(error: UserError) -> str:
    """Slack shows these under the input; the one-line example would only confuse inside a form."""
    return error.message
