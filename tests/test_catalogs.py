"""Every interface string is translated in every catalog, and every string in the code is in them."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from surveys.core.i18n import LANGUAGES, UI_LOCALES

ROOT = Path(__file__).resolve().parents[1]
CATALOGS = {path.parts[-3]: path for path in (ROOT / "translations").glob("*/LC_MESSAGES/messages.po")}


@cache
def code_strings() -> frozenset[tuple[str | None, str]]:
    """Every (context, msgid) marked for translation in Python code and templates; the
    context is None but for pgettext (a word that is a noun here and a verb there)."""
    with open(ROOT / "babel.cfg") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None,
                "pgettext": ((1, "c"), 2)}
    found = frozenset({
        (context, message if isinstance(message, str) else message[0])
        for _, _, message, _, context in extract_from_dir(ROOT, method_map, options_map,
                                                          keywords=keywords)
    })
    assert len(found) > 100  # the extraction itself works
    return found


def load(lang: str):
    with open(CATALOGS[lang], "rb") as handle:
        return read_po(handle, locale=lang)


def test_there_is_a_catalog_for_every_interface_language():
    assert set(CATALOGS) == set(UI_LOCALES)
    assert all(LANGUAGES[code].ui_locale in UI_LOCALES for code in LANGUAGES)


@pytest.mark.parametrize("lang", UI_LOCALES)
def test_every_entry_is_translated_and_none_is_fuzzy(lang):
    catalog = load(lang)
    untranslated = [m.id for m in catalog if m.id and not all(
        (m.string if isinstance(m.string, tuple) else (m.string,)))]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == []


@pytest.mark.parametrize("lang", UI_LOCALES)
def test_translations_keep_the_placeholders_of_the_original(lang):
    problems = [(m.id, [str(e) for e in errors]) for m, errors in load(lang).check() if errors]
    assert problems == []


@pytest.mark.parametrize("lang", UI_LOCALES)
def test_every_string_in_the_code_is_in_the_catalog(lang):
    ids = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in load(lang) if m.id}
    missing = sorted(code_strings() - ids)
    assert missing == [], f"run `flask --app wsgi translate update` and translate: {missing[:10]}"


def test_non_english_catalogs_are_not_copies_of_the_english_text():
    for lang in set(UI_LOCALES) - {"en"}:
        catalog = [m for m in load(lang) if m.id and isinstance(m.id, str)]
        same = [m.id for m in catalog if m.string == m.id and any(c.isalpha() for c in m.id)]
        # Names such as "Delaktig" or "WCAG" may stay; whole sentences may not.
        assert len(same) <= max(3, len(catalog) // 50), (lang, same[:10])
