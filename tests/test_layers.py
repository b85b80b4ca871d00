"""The layer rule of ARCHITECTURE.md, checked on the source: storage ← handlers ← jobs ← bot."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "devrelbot"
SDKS = ("telegram", "slack_bolt", "slack_sdk")
FORBIDDEN = {
    "storage": ("devrelbot.handlers", "devrelbot.jobs", "devrelbot.bot", *SDKS),
    "handlers": ("devrelbot.jobs", "devrelbot.bot", *SDKS),
    "jobs": ("devrelbot.bot", *SDKS),
}


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_only_what_it_may(layer):
    files = sorted((PACKAGE / layer).rglob("*.py"))
    assert files
    offences = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in files
        for name in imports_of(path)
        if any(name == banned or name.startswith(banned + ".") for banned in FORBIDDEN[layer])
    ]
    assert offences == []


def test_core_types_import_no_sdk_and_no_layer():
    names = imports_of(PACKAGE / "core.py") | imports_of(PACKAGE / "markup.py")
    assert not [n for n in names if n.startswith(("devrelbot.", *SDKS))]
