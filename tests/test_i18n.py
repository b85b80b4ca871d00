"""Every user-facing string goes through the translation function, and the catalog template is current."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from handlers.i18n import _, use_locale

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("bot", "handlers", "jobs", "storage")


def test_the_catalog_template_lists_every_message_in_the_code():
    extracted = {
        message if isinstance(message, str) else message[0]
        for layer in LAYERS
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT / layer), method_map=[("**.py", "python")]
        )
    }
    with (ROOT / "handlers" / "locale" / "devrelbot.pot").open("rb") as handle:
        catalog = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    missing = sorted(extracted - catalog)
    refresh = "pybabel extract -F babel.cfg --sort-output --no-location -o handlers/locale/devrelbot.pot ."
    assert missing == [], f"run: {refresh}"


def test_an_unknown_locale_falls_back_to_english():
    with use_locale("xx"):
        assert _("Unknown command /{name}, try /help.") == "Unknown command /{name}, try /help."
