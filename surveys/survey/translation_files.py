"""Survey texts for translators as gettext PO files, and the check of a translated file.

Each survey text becomes one PO entry: ``msgctxt`` is the text's stable id,
``msgid`` the text in the survey's default language, ``msgstr`` the translation.
Translation tools (Poedit, Weblate, Lokalise, OmegaT ...) read and write this.
An import is checked as a whole here; `services.import_translations` applies it only
when every line is right.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError, read_po, write_po
from flask_babel import lazy_gettext as _l

from surveys.core.i18n import language
from surveys.survey.models import Survey
from surveys.survey.texts import TextRef, survey_texts

#: Parts of a text that must survive translation unchanged: {name}, %(name)s, %s, links.
PLACEHOLDER_RE = re.compile(r"\{[^{}\s]+\}|%\([a-z_]+\)[sd]|%[sd]|https?://[^\s)]+")


def placeholders(text: str) -> list[str]:
    """The placeholders in a text, sorted, with repeats."""
    return sorted(PLACEHOLDER_RE.findall(text))


def _po_locale(lang: str) -> Locale | None:
    """The PO header's locale for a tag, when CLDR knows it (``pa-Arab`` yes, ``sv-ll`` no)."""
    try:
        return Locale.parse(lang, sep="-")
    except (ValueError, UnknownLocaleError):
        return None


def export_po(survey: Survey, lang: str) -> bytes:
    """A PO file with every text of the survey for translation into `lang`."""
    catalog = Catalog(locale=_po_locale(lang), project=f"Delaktig survey {survey.slug}",
                      charset="utf-8")
    for ref in survey_texts(survey):
        source = ref.get(survey.default_language)
        if not source:
            continue
        catalog.add(source, ref.get(lang), context=ref.id,
                    auto_comments=[f"{survey.default_language} → {lang}"])
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0, omit_header=False)
    return buffer.getvalue()


@dataclass
class ImportReport:
    """What an import found: problems by line, the texts to change, how many it changed."""

    problems: list[tuple[int | None, str]] = field(default_factory=list)
    #: (text, its new translation) for every text the file changes.
    updates: list[tuple[TextRef, str]] = field(default_factory=list)
    changed: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def read_translations(survey: Survey, lang: str, data: bytes) -> ImportReport:
    """Check a translated PO file line by line; nothing is stored here."""
    report = ImportReport()
    if lang not in survey.languages or lang == survey.default_language:
        report.problems.append((None, str(_l("This survey is not translated into that language."))))
        return report
    try:
        catalog = read_po(io.BytesIO(data), abort_invalid=True)
    except (PoFileError, UnicodeDecodeError, ValueError) as error:
        report.problems.append((None, str(_l("The file is not a readable PO file: %(error)s",
                                             error=str(error)[:200]))))
        return report
    if catalog.locale is not None and catalog.locale.language != lang.split("-")[0]:
        report.problems.append((None, str(_l(
            "The file is for the language %(file_lang)s, not %(lang)s.",
            file_lang=str(catalog.locale), lang=language(lang).native_name))))
    if not any(message.id for message in catalog):
        report.problems.append((None, str(_l("The file holds no survey texts."))))
    refs = {ref.id: ref for ref in survey_texts(survey)}
    for message in catalog:
        if not message.id:
            continue  # the header
        line = message.lineno
        ref = refs.get(message.context or "")
        if ref is None:
            report.problems.append((line, str(_l("Unknown text id %(id)s.", id=message.context))))
            continue
        translation = (message.string or "").strip()
        if message.id != ref.get(survey.default_language):
            report.problems.append((line, str(_l(
                "The original text of %(id)s has changed since the file was exported; "
                "export a new file.", id=ref.id))))
        elif message.fuzzy:
            report.problems.append((line, str(_l(
                "%(id)s is marked as needing review (fuzzy).", id=ref.id))))
        elif not translation and ref.get(lang):
            report.problems.append((line, str(_l(
                "The translation of %(id)s was emptied.", id=ref.id))))
        elif translation and placeholders(translation) != placeholders(message.id):
            report.problems.append((line, str(_l(
                "The translation of %(id)s lost or changed a placeholder: %(expected)s.",
                id=ref.id, expected=" ".join(placeholders(message.id))))))
        elif translation and translation != ref.get(lang):
            report.updates.append((ref, translation))
    return report
