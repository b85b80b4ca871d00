"""The layer rule of ARCHITECTURE.md, checked on the source: storage ← handlers ← jobs ← bot."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SDKS = ("telegram", "slack_bolt", "slack_sdk")
FORBIDDEN = {
    "storage": ("handlers", "jobs", "bot", *SDKS),
    "handlers": ("jobs", "bot", *SDKS),
    "jobs": ("bot", *SDKS),
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
    files = sorted((ROOT / layer).rglob("*.py"))
    assert files
    offences = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in files
        for name in imports_of(path)
        if any(name == banned or name.startswith(banned + ".") for banned in FORBIDDEN[layer])
    ]
    assert offences == []


def test_the_layers_are_top_level_packages():
    assert not (ROOT / "devrelbot").exists()
    for layer in ("bot", "handlers", "jobs", "storage"):
        assert (ROOT / layer / "__init__.py").is_file()


def test_core_types_import_no_sdk_and_no_layer():
    names = imports_of(ROOT / "handlers" / "core.py") | imports_of(ROOT / "handlers" / "markup.py")
    layers = ("handlers", "jobs", "bot", "storage")
    assert not [n for n in names if n.split(".")[0] in (*layers, *SDKS)]
