"""The message extractor ``pybabel extract`` uses (see babel.cfg): Babel's own Python extractor, plus

- the ``_("…")`` calls inside f-strings, which Python 3.11's tokenizer hands Babel as one opaque string;
- the help texts of each ``@registry.command(…)`` (``summary=``, ``usage=``, ``details=``, and the examples
  written out in ``examples=`` / ``admin_examples=``), which /help, the Telegram menu and the Slack manifest
  translate where they show them.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

from babel.messages.extract import extract_python

Extracted = tuple[Any, ...]  # (line, keyword, message or (singular, plural), comments[, context])
COMMAND_TEXTS = ("summary", "usage", "details")
COMMAND_EXAMPLES = ("examples", "admin_examples")


def extract(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any],
    comment_tags: Collection[str],
    options: dict[str, Any],
) -> Iterator[Extracted]:
    source = fileobj.read()
    fileobj.seek(0)
    yield from extract_python(fileobj, keywords, comment_tags, options)  # type: ignore[arg-type]
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return
    for call in ast.walk(tree):
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "command":
            for keyword in call.keywords:
                value = keyword.value
                if keyword.arg in COMMAND_TEXTS and isinstance(value, ast.Constant) and isinstance(value.value, str):
                    if value.value:
                        yield value.lineno, "_", value.value, []
                elif keyword.arg in COMMAND_EXAMPLES and isinstance(value, ast.Tuple):
                    for item in value.elts:  # examples written out here (named constants are marked where defined)
                        if isinstance(item, ast.Constant) and isinstance(item.value, str) and item.value:
                            yield item.lineno, "_", item.value, []
    for joined in ast.walk(tree):
        if not isinstance(joined, ast.JoinedStr):
            continue
        for node in ast.walk(joined):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in keywords
                and node.args
                and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args[:2])
            ):
                texts = tuple(str(a.value) for a in node.args[:2] if isinstance(a, ast.Constant))
                message: str | tuple[str, ...] = texts if node.func.id == "ngettext" else texts[0]
                yield node.lineno, node.func.id, message, []
