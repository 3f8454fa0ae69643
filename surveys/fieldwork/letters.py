"""Letters, e-mails and SMS to the sampled people, and the paper questionnaire.

A letter is one A4 page: the address where a C5/C4 window envelope's window is (Swedish
standard, window on the left: 20 mm from the left, 45 mm from the top, 90 × 45 mm), then
the text in the person's language (the frame's preferred language when the survey has it,
else the survey's default), the person's code and a QR code for ``/s/<slug>?c=CODE``,
and a short line in every other survey language saying how to answer in it. The texts
are the survey's "letter" and "reminder" texts as authors wrote and translated them, or a
standard text. WeasyPrint lays out a batch in chunks whose pages make one PDF.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import segno
from flask import render_template
from flask_babel import force_locale, format_date
from flask_babel import gettext as _

from surveys.core import pdf
from surveys.core.i18n import LANGUAGE_NAMES, LANGUAGES, localized
from surveys.fieldwork.codes import format_code
from surveys.fieldwork.models import MailingKind
from surveys.survey.models import Survey

STYLESHEET = Path(__file__).resolve().parent / "templates" / "fieldwork" / "letters" / "letter.css"
#: Letters per WeasyPrint document: memory stays flat and progress moves.
CHUNK = 100


@dataclass(frozen=True)
class Recipient:
    """What a letter needs of one sampled person."""

    code: str
    language: str | None
    name: str
    care_of: str
    street: str
    postal_code: str
    town: str


def letter_language(survey: Survey, preferred: str | None) -> str:
    """The person's preferred language when the survey has it, else the default."""
    return preferred if preferred in survey.languages else survey.default_language


def answer_link(base_url: str, code: str) -> str:
    """The address the QR code holds: the survey's start page with the code."""
    return f"{base_url}?c={code}"


def qr_svg(link: str) -> str:
    """The link as an inline SVG QR code (sized by the style sheet)."""
    return segno.make(link, error="m").svg_inline(omitsize=True, border=2, title=link)


def _text_name(kind: MailingKind) -> str:
    return "letter" if kind is MailingKind.letter else "reminder"


def body(survey: Survey, kind: MailingKind, lang: str) -> str:
    """The letter's or reminder's text in `lang`: the authors', else the standard text."""
    own = survey.texts.get(_text_name(kind), {}).get(lang)
    if own:
        return own
    language = LANGUAGES[lang]
    with force_locale(language.ui_locale):
        title = survey.title(lang)
        if kind is MailingKind.letter:
            return _("You have been chosen at random among the residents to take part in "
                     "the survey “%(title)s”. Your answers help the municipality understand "
                     "what life is like here and what needs to change. Answering takes about "
                     "15 minutes. Taking part is voluntary and your answers are treated "
                     "confidentially: no one can see what you in particular answered.",
                     title=title)
        return _("Some time ago we sent you a letter about the survey “%(title)s”. We have "
                 "not yet received your answers. It is not too late: every answer counts, "
                 "and we would be grateful if you took 15 minutes to answer. If you have "
                 "already answered, thank you, and please ignore this reminder.", title=title)


@dataclass(frozen=True)
class LetterTexts:
    """A letter's fixed wording in one language."""

    lang: str
    direction: str
    heading: str
    body: str
    how: str
    code_label: str
    date: str


def letter_texts(survey: Survey, kind: MailingKind, lang: str, on: date) -> LetterTexts:
    language = LANGUAGES[lang]
    with force_locale(language.ui_locale):
        return LetterTexts(
            lang=language.tag, direction=language.direction,
            heading=survey.title(lang) if kind is MailingKind.letter
            else _("Reminder: %(title)s", title=survey.title(lang)),
            body=body(survey, kind, lang),
            how=_("Scan the QR code with your phone's camera, or go to the address below "
                  "and type your code."),
            code_label=_("Your personal code"),
            date=format_date(on, "long"))


def other_language_lines(survey: Survey, lang: str) -> list[tuple[str, str, str]]:
    """(tag, direction, text) in every other survey language: how to answer in it."""
    lines = []
    for other in survey.languages:
        if other == lang:
            continue
        language = LANGUAGES[other]
        with force_locale(language.ui_locale):
            lines.append((language.tag, language.direction, _(
                "Scan the QR code to answer in %(language)s.",
                language=str(LANGUAGE_NAMES.get(other, language.native_name)))))
    return lines


def letters_html(survey: Survey, organisation: str, kind: MailingKind, on: date,
                 base_url: str, recipients: Sequence[Recipient]) -> str:
    """One HTML document with one page per recipient."""
    texts: dict[str, LetterTexts] = {}
    others: dict[str, list] = {}
    letters = []
    for person in recipients:
        lang = letter_language(survey, person.language)
        if lang not in texts:
            texts[lang] = letter_texts(survey, kind, lang, on)
            others[lang] = other_language_lines(survey, lang)
        link = answer_link(base_url, person.code)
        letters.append({"person": person, "texts": texts[lang], "others": others[lang],
                        "code": format_code(person.code), "link": link, "qr": qr_svg(link)})
    return render_template("fieldwork/letters/letters.html", letters=letters,
                           organisation=organisation, base_url=base_url,
                           css=STYLESHEET.read_text(encoding="utf-8"))


def letters_pdf(survey: Survey, organisation: str, kind: MailingKind, on: date,
                base_url: str, recipients: Sequence[Recipient],
                progress: Callable[[int, int], None] | None = None) -> bytes:
    """All letters as one PDF, laid out `CHUNK` letters at a time."""
    documents = []
    for start in range(0, len(recipients), CHUNK):
        documents.append(pdf.document(letters_html(
            survey, organisation, kind, on, base_url, recipients[start:start + CHUNK])))
        if progress:
            progress(min(start + CHUNK, len(recipients)), len(recipients))
    if not documents:
        raise ValueError("no letters to lay out")
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()


# -- e-mail and SMS ----------------------------------------------------------------------------
def reminder_mail(survey: Survey, lang: str, base_url: str, code: str) -> tuple[str, str]:
    """(subject, text) of a reminder e-mail in `lang`."""
    language = LANGUAGES[lang]
    link = answer_link(base_url, code)
    with force_locale(language.ui_locale):
        subject = _("Reminder: %(title)s", title=survey.title(lang))
        text = "\n\n".join([
            body(survey, MailingKind.reminder_1, lang),
            _("Answer here: %(link)s", link=link),
            _("Your personal code: %(code)s", code=format_code(code))])
    return subject, text


def reminder_sms(survey: Survey, lang: str, base_url: str, code: str) -> str:
    """A short reminder text message in `lang`."""
    language = LANGUAGES[lang]
    with force_locale(language.ui_locale):
        return _("Reminder: please answer the survey “%(title)s”: %(link)s",
                 title=survey.title(lang), link=answer_link(base_url, code))


# -- the paper questionnaire -------------------------------------------------------------------
def questionnaire_html(survey: Survey, lang: str, code: str | None = None) -> str:
    """The survey's questions on paper in `lang`, with the person's code when given."""
    language = LANGUAGES[lang]
    with force_locale(language.ui_locale):
        pages = [{"title": localized(page.title, lang, survey.default_language),
                  "questions": [_paper_question(q, lang, survey.default_language)
                                for q in page.questions]}
                 for page in survey.pages]
        return render_template("fieldwork/letters/questionnaire.html", survey=survey,
                               lang=language, title=survey.title(lang), pages=pages,
                               code=format_code(code) if code else None,
                               css=STYLESHEET.read_text(encoding="utf-8"))


def _paper_question(question, lang: str, fallback: str) -> dict:
    """A question as the paper shows it: its text, its boxes to tick, its items."""
    settings = question.settings
    return {"key": question.key, "type": question.type,
            "text": localized(question.text, lang, fallback),
            "help": localized(question.help, lang, fallback),
            "options": [label for _code, label in question.kind.offered_answers(settings, lang)],
            "rows": [localized(item.get("label"), lang, fallback)
                      for item in settings.get("items", [])]}


def questionnaire_pdf(survey: Survey, lang: str, code: str | None = None) -> bytes:
    return pdf.document(questionnaire_html(survey, lang, code)).write_pdf()
