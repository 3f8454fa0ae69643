"""Every translatable text of a survey, addressed by a stable id.

Ids look like ``survey.title``, ``page.12.title``, ``q.trust_people.text`` or
``q.trust_people.option.yes``; translation screens and exchange files use them.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy.orm.attributes import flag_modified

from surveys.core.i18n import language_name
from surveys.survey.models import Survey

#: "letter" and "reminder" are the letters to a drawn sample (surveys/fieldwork/letters.py).
SURVEY_TEXTS = ("title", "intro", "consent", "thanks", "letter", "reminder")
#: Survey texts that must exist in the default language before a survey opens.
REQUIRED_SURVEY_TEXTS = ("title", "intro", "consent")


@dataclass
class TextRef:
    """One translatable text: where it lives and its current translations."""

    id: str
    text: dict
    owner: object
    attribute: str
    #: Counted even while the default language is empty.
    required: bool = False

    def get(self, lang: str) -> str:
        return self.text.get(lang, "")

    def set(self, lang: str, value: str) -> None:
        """Store one translation (an empty value removes it)."""
        value = value.strip()
        if value:
            self.text[lang] = value
        else:
            self.text.pop(lang, None)
        # Nested JSON changes are invisible to SQLAlchemy unless flagged.
        flag_modified(self.owner, self.attribute)


def survey_texts(survey: Survey) -> list[TextRef]:
    """All texts that need a translation: those with text in the default language."""
    refs: list[TextRef] = []
    for name in SURVEY_TEXTS:
        if name not in survey.texts:  # setdefault would mark the survey changed on every read
            survey.texts[name] = {}
        refs.append(TextRef(f"survey.{name}", survey.texts[name], survey, "texts",
                            required=name in REQUIRED_SURVEY_TEXTS))
    for page in survey.pages:
        refs.append(TextRef(f"page.{page.id}.title", page.title, page, "title"))
        for question in page.questions:
            prefix = f"q.{question.key}"
            refs.append(TextRef(f"{prefix}.text", question.text, question, "text", required=True))
            refs.append(TextRef(f"{prefix}.help", question.help, question, "help"))
            for path, text in question.kind.texts(question.settings):
                refs.append(TextRef(f"{prefix}.{path}", text, question, "settings"))
    return [ref for ref in refs if ref.required or ref.get(survey.default_language)]


def completeness(survey: Survey) -> dict[str, tuple[int, int]]:
    """Per survey language: (texts translated, texts in all)."""
    refs = survey_texts(survey)
    return {
        lang: (sum(1 for ref in refs if ref.get(lang)), len(refs)) for lang in survey.languages
    }


def completeness_lines(survey: Survey) -> list[tuple[str, bool, str]]:
    """Per survey language: (code, complete?, "Arabic: 37 of 40 texts")."""
    return [
        (lang, done == total,
         _("%(language)s: %(done)s of %(total)s texts",
           language=language_name(lang), done=done, total=total))
        for lang, (done, total) in completeness(survey).items()
    ]


def missing_texts(survey: Survey, lang: str) -> list[str]:
    """Ids of the texts that have no translation in `lang`."""
    return [ref.id for ref in survey_texts(survey) if not ref.get(lang)]
