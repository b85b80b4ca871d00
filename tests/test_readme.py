"""The README's command → module map names, for every registered command, the module that registers it."""

from __future__ import annotations

import re
from pathlib import Path

import handlers  # noqa: F401  (registers the commands)
from handlers.router import registry

README = Path(__file__).resolve().parents[1] / "README.md"
ROW = re.compile(r"^\| ((?:`/\w+`(?:, )?)+) \| `([\w/]+\.py)` \|$")


def readme_map() -> dict[str, str]:
    mapped: dict[str, str] = {}
    for line in README.read_text(encoding="utf-8").splitlines():
        if m := ROW.match(line):
            for name in re.findall(r"`/(\w+)`", m.group(1)):
                assert name not in mapped, f"/{name} is in the README's map twice"
                mapped[name] = m.group(2)
    return mapped


def test_the_readme_maps_every_command_to_the_module_that_registers_it():
    registered = {c.name: c.handler.__module__.replace(".", "/") + ".py" for c in registry.all()}
    assert readme_map() == registered


def test_every_mapped_module_exists():
    root = README.parent
    assert all((root / module).is_file() for module in readme_map().values())
