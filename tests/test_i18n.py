"""Every user-facing string goes through the translation function, and the catalog template is current."""

from __future__ import annotations

import io
import re
import string
from datetime import date
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from handlers.i18n import _, use_locale

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("bot", "handlers", "jobs", "storage")


def test_the_catalog_template_lists_every_message_in_the_code():
    extracted = {
        message if isinstance(message, str) else message[0]
        for layer in LAYERS
        for _file, _line, message, _comments, _context in extract_from_dir(
            # babel.cfg's extractor: Babel's, plus _() inside f-strings and the commands' help texts
            str(ROOT / layer), method_map=[("**.py", "handlers.i18n_extract:extract")]
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


# --- the Russian catalog ----------------------------------------------------------------------------



RU_PO = ROOT / "handlers" / "locale" / "ru" / "LC_MESSAGES" / "devrelbot.po"
RU_MO = RU_PO.with_suffix(".mo")
POT = ROOT / "handlers" / "locale" / "devrelbot.pot"
UPDATE = "pybabel update -i handlers/locale/devrelbot.pot -d handlers/locale -D devrelbot --no-fuzzy-matching"


def _catalog(path: Path, locale: str | None = None):  # type: ignore[no-untyped-def]
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _placeholders(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}


def test_every_message_of_the_template_has_a_russian_translation():
    template = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalog(POT) if m.id}
    russian = _catalog(RU_PO, "ru")
    translated = {
        m.id if isinstance(m.id, str) else m.id[0]
        for m in russian
        if m.id and "fuzzy" not in m.flags and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    missing = sorted(template - translated)
    assert missing == [], f"untranslated in {RU_PO.name} (run: {UPDATE}, then translate): {missing[:10]}"


def test_russian_translations_keep_every_placeholder_and_have_three_plural_forms():
    russian = _catalog(RU_PO, "ru")
    assert russian.num_plurals == 3 and "n % 10 == 1" in russian.plural_expr
    for message in russian:
        if not message.id:
            continue
        sources = [message.id] if isinstance(message.id, str) else list(message.id)
        targets = [message.string] if isinstance(message.string, str) else list(message.string)
        if message.pluralizable:
            assert len(targets) == 3, message.id
        expected = set().union(*(_placeholders(s) for s in sources))
        for target in targets:
            assert _placeholders(target) == expected, (message.id, target)


def test_the_committed_mo_is_compiled_from_the_po():
    compiled = io.BytesIO()
    write_mo(compiled, _catalog(RU_PO, "ru"))
    assert RU_MO.read_bytes() == compiled.getvalue(), "run: pybabel compile -d handlers/locale -D devrelbot"


def test_russian_plural_forms_read_naturally():
    from handlers.i18n import ngettext

    with use_locale("ru"):
        talks = [ngettext("{n} talk", "{n} talks", n).format(n=n) for n in (1, 2, 5, 11, 21, 22, 25)]
    with use_locale("en"):
        english = [ngettext("{n} talk", "{n} talks", n).format(n=n) for n in (1, 2)]

    assert talks == ["1 доклад", "2 доклада", "5 докладов", "11 докладов", "21 доклад", "22 доклада", "25 докладов"]
    assert english == ["1 talk", "2 talks"]


def test_every_translated_example_of_the_grammar_parses():
    from handlers.parsing import EXAMPLES, UPDATE_EXAMPLE, parse_fields, parse_log, tokenize
    from storage.domain import Kind

    with use_locale("ru"):
        for kind, example in EXAMPLES.items():
            line = _(example)
            assert line != example and re.search("[а-я]", line), example
            command = parse_log(line.removeprefix("/log "), today=date(2026, 12, 2), default_currency="RUB")
            assert command.kind is kind and command.fields.values
        update = _(UPDATE_EXAMPLE).removeprefix("/update 42 ")
        fields = parse_fields(tokenize(update), kind=Kind.PUBLICATION, today=date(2026, 12, 2),
                              default_currency="RUB", example="")
        assert fields.values == {"views": 15000, "likes": 120}


def test_a_metric_shown_in_russian_can_be_typed_back():
    from handlers.words import METRIC_NAMES
    from storage.domain import METRIC_ALIASES, METRICS

    assert set(METRIC_NAMES) == set(METRICS)
    with use_locale("ru"):
        for key, name in METRIC_NAMES.items():
            shown = _(name)
            assert METRIC_ALIASES.get(shown, shown) == key, (key, shown)


def test_metric_descriptions_marked_for_the_catalog_are_storages():
    from handlers.words import METRIC_DESCRIPTIONS
    from storage.domain import METRICS

    assert METRIC_DESCRIPTIONS == {key: spec.description for key, spec in METRICS.items()}


def test_every_command_help_text_is_translated():
    import handlers  # noqa: F401  (registers the commands)
    from handlers.router import registry

    with use_locale("ru"):
        for command in registry.all():
            for text in (command.summary, command.details):
                if text:
                    assert _(text) != text, f"/{command.name}: {text[:60]}"
