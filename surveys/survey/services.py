"""Every state change of surveys and responses: these functions flush, the request commits.

Authoring: views parse a form, then call one of these. A refused change raises
`AuthoringError` with every reason *before* anything is modified, so the request's single
commit (or rollback) never sees half a change. Once a survey has responses its structure
is fixed (pages, questions, keys, types, option codes, scale ends, conditions), because
stored answers refer to it; texts and translations stay editable.

Answering: starting, resuming and saving responses, and the display rules they follow;
each page is saved whole or not at all, and saving it twice stores every answer once.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam
from sqlalchemy.orm.attributes import flag_modified

from surveys.audit import services as audit
from surveys.core.i18n import LANGUAGES, UI_LOCALES, language_name, normalise_tag
from surveys.core.signals import survey_figures_changed
from surveys.core.time import utcnow
from surveys.extensions import db
from surveys.survey import audio, queries
from surveys.survey.definition import DefinitionError, definition_problems, load_template
from surveys.survey.models import (
    RESUME_ALPHABET,
    RESUME_LENGTH,
    Answer,
    Channel,
    Page,
    Question,
    Response,
    ResponseRow,
    Survey,
    SurveyRow,
    SurveyStatus,
)
from surveys.survey.published import PageDefinition, QuestionDefinition, SurveyDefinition
from surveys.survey.questions import QUESTION_TYPES, AnswerError
from surveys.survey.texts import SURVEY_TEXTS, completeness, missing_texts, survey_texts
from surveys.survey.translation_files import ImportReport, read_translations

#: Largest survey definition file accepted for import (the template is about 60 kB).
MAX_DEFINITION_BYTES = 1024 * 1024

class AuthoringError(ValueError):
    """A change that cannot be made; `problems` lists every reason, `field` the form field."""

    def __init__(self, problems: list[str], field: str | None = None):
        super().__init__("; ".join(problems))
        self.problems = problems
        self.field = field


# -- rules -----------------------------------------------------------------------------------

def opening_problems(survey: Survey) -> list[str]:
    """Every reason the survey cannot open now (empty when it can)."""
    problems = []
    if not survey.questions():
        problems.append(_("Add at least one question before opening the survey."))
    for lang, (done, total) in completeness(survey).items():
        if done < total:
            problems.append(_(
                "Translations are incomplete in %(language)s: %(done)s of %(total)s texts.",
                language=language_name(lang), done=done, total=total))
    for question in survey.questions():
        problems += [f"{question.key}: {problem}"
                     for problem in question.kind.settings_errors(question.settings)]
    if survey.closes_at is not None and survey.closes_at <= utcnow():
        problems.append(_("The closing time has passed. Change it in the settings first."))
    return problems


def condition_choices(question: Question) -> list[tuple[str, str]]:
    """The answers of `question` that a later question's condition can test."""
    return question.kind.offered_answers(question.settings,
                                         question.page.survey.default_language)


def earlier_questions(question: Question) -> list[Question]:
    """Questions that come before `question` in the survey."""
    ordered = question.page.survey.questions()
    return ordered[:ordered.index(question)]


def dependents(question: Question) -> list[Question]:
    """Questions whose display condition refers to `question`."""
    return [q for q in question.page.survey.questions()
            if q.condition and q.condition.get("question") == question.key]


# -- surveys ---------------------------------------------------------------------------------

def _slug_problem(slug: str) -> AuthoringError:
    return AuthoringError([_("The address %(slug)s is already taken.", slug=slug)], field="slug")


def _ordered_languages(default: str, languages: list[str]) -> list[str]:
    """The default language first, each language once; AuthoringError for a bad tag."""
    bad = [lang for lang in [default, *languages] if normalise_tag(lang) != lang]
    if bad:
        raise AuthoringError([_("%(tags)s: not a valid BCP 47 language tag. Write a language "
                                "code such as fi, ckb or pa-Arab.", tags=", ".join(bad))],
                             field="other_languages")
    return [default] + [lang for lang in dict.fromkeys(languages) if lang != default]


def create_survey(organisation_id: int, *, slug: str, title: str, default_language: str,
                  languages: list[str]) -> Survey:
    """A draft survey with a title and one empty page."""
    if queries.slug_taken(slug):
        raise _slug_problem(slug)
    languages = _ordered_languages(default_language, languages)
    texts: dict[str, dict] = {name: {} for name in SURVEY_TEXTS}
    texts["title"][default_language] = title.strip()
    survey = Survey(
        organisation_id=organisation_id,
        slug=slug,
        status=SurveyStatus.draft,
        default_language=default_language,
        languages=languages,
        texts=texts,
    )
    survey.pages.append(Page(position=0, title={}))
    db.session.add(survey)
    db.session.flush()
    return survey


def create_from_template(organisation_id: int, template: str, slug: str) -> Survey:
    """A draft copy of a ready template at a new address."""
    if queries.slug_taken(slug):
        raise _slug_problem(slug)
    try:
        return import_definition(load_template(template), organisation_id, slug=slug)
    except DefinitionError as error:
        raise AuthoringError(error.problems) from error


def read_definition_file(raw: bytes) -> Any:
    """The JSON inside an uploaded definition file; AuthoringError when it is not readable."""
    if len(raw) > MAX_DEFINITION_BYTES:
        raise AuthoringError([_(
            "The file is too large: a survey definition is at most %(size)s kB.",
            size=MAX_DEFINITION_BYTES // 1024)], field="file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AuthoringError([_("The file is not a text file in UTF-8. Choose the JSON file "
                                "that Delaktig exported.")], field="file") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise AuthoringError([_("The file is not valid JSON (line %(line)s, column %(column)s).",
                                line=error.lineno, column=error.colno)], field="file") from None
    except (ValueError, RecursionError):
        raise AuthoringError([_("The file is not valid JSON.")], field="file") from None


def import_survey(data: Any, organisation_id: int, slug: str | None = None) -> Survey:
    """A draft survey built from a definition; every problem is reported, nothing is added."""
    try:
        return import_definition(data, organisation_id, slug=slug)
    except DefinitionError as error:
        raise AuthoringError(error.problems) from error


def import_definition(data: Any, organisation_id: int, slug: str | None = None) -> Survey:
    """Build a draft survey from a definition; raises DefinitionError and adds nothing if bad."""
    problems = definition_problems(data)
    slug = slug or (data.get("slug") if isinstance(data, Mapping) else None)
    if not problems and queries.slug_taken(slug):
        problems.append(str(_l("The address %(slug)s is already taken.", slug=slug)))
    if problems:
        raise DefinitionError(problems)
    languages = [data["default_language"]] + [
        lang for lang in data["languages"] if lang != data["default_language"]
    ]
    interfaces = data.get("interface_languages") or {}
    survey = Survey(
        organisation_id=organisation_id,
        slug=slug,
        status=SurveyStatus.draft,
        default_language=data["default_language"],
        languages=languages,
        interface_languages={lang: ui for lang, ui in interfaces.items()
                             if lang in languages and lang not in LANGUAGES},
        texts={name: dict(data["texts"].get(name, {})) for name in SURVEY_TEXTS},
    )
    for p_index, page_data in enumerate(data["pages"]):
        page = Page(position=p_index, title=dict(page_data.get("title", {})))
        survey.pages.append(page)
        for q_index, q in enumerate(page_data["questions"]):
            kind = QUESTION_TYPES[q["type"]]
            page.questions.append(Question(
                survey=survey,
                position=q_index,
                key=q["key"],
                type=q["type"],
                required=q.get("required", False),
                text=dict(q.get("text", {})),
                help=dict(q.get("help", {})),
                settings=kind.default_settings() | dict(q.get("settings", {})),
                condition=q.get("condition"),
            ))
    db.session.add(survey)
    db.session.flush()
    return survey


def update_settings(survey: Survey, *, slug: str, languages: list[str],
                    opens_at: datetime | None, closes_at: datetime | None,
                    texts: Mapping[str, str], interfaces: Mapping[str, str] | None = None) -> None:
    """Address, languages (with the interface around each that has none of its own),
    opening times and the survey texts in the default language."""
    problems = []
    if slug != survey.slug:
        if survey.status is not SurveyStatus.draft:
            problems.append(_("The address cannot change once the survey has opened: "
                              "links and QR codes already handed out would stop working."))
        elif queries.slug_taken(slug):
            raise _slug_problem(slug)
    languages = _ordered_languages(survey.default_language, languages)
    if survey.status is SurveyStatus.open:
        for lang in languages:
            if lang not in survey.languages and missing_texts(survey, lang):
                problems.append(_(
                    "%(language)s cannot be added while the survey is open: its texts are not "
                    "translated. Close the survey, add the language, translate, then open again.",
                    language=language_name(lang)))
    if opens_at and closes_at and closes_at <= opens_at:
        problems.append(_("The closing time must be after the opening time."))
    if problems:
        raise AuthoringError(problems)
    survey.slug = slug
    survey.languages = languages
    # Kept for the survey's languages only; a language added now gets its usual interface.
    survey.interface_languages = {
        lang: ui for lang, ui in {**survey.interface_languages, **(interfaces or {})}.items()
        if lang in languages and lang not in LANGUAGES and ui in UI_LOCALES}
    survey.opens_at, survey.closes_at = opens_at, closes_at
    for name in SURVEY_TEXTS:
        _set_text(survey.texts.setdefault(name, {}), survey.default_language, texts.get(name, ""))
    flag_modified(survey, "texts")
    db.session.flush()


def open_survey(survey: Survey) -> None:
    """Let residents answer; refused while texts are untranslated or there are no questions."""
    problems = opening_problems(survey)
    if problems:
        raise AuthoringError(problems)
    survey.status = SurveyStatus.open
    audit.record("survey_opened", subject=survey.slug, organisation_id=survey.organisation_id)
    db.session.flush()


def close_survey(survey: Survey) -> None:
    """Stop accepting answers (staff may still finish paper entries)."""
    if survey.status is not SurveyStatus.open:
        raise AuthoringError([_("Only an open survey can be closed.")])
    survey.status = SurveyStatus.closed
    audit.record("survey_closed", subject=survey.slug, organisation_id=survey.organisation_id)
    db.session.flush()


def save_translations(survey: Survey, lang: str, values: Mapping[str, str]) -> int:
    """Store the texts of one language by text id; returns how many texts changed."""
    changed = 0
    for ref in survey_texts(survey):
        if ref.id in values and values[ref.id].strip() != ref.get(lang):
            ref.set(lang, values[ref.id])
            changed += 1
    db.session.flush()
    return changed


def import_translations(survey: Survey, lang: str, data: bytes) -> ImportReport:
    """Check a translated PO file and, only if it is entirely right, store its texts."""
    report = read_translations(survey, lang, data)
    if report.ok:
        for ref, translation in report.updates:
            ref.set(lang, translation)
        report.changed = len(report.updates)
        db.session.flush()
    return report


def start_staff_entry(survey: Survey, language: str, channel: Channel, user) -> Response:
    """A response typed in by staff from a paper questionnaire or an interview."""
    if survey.status is SurveyStatus.draft:
        raise AuthoringError([_("Answers can be entered once the survey has been opened.")])
    if language not in survey.languages or channel is Channel.web:
        raise AuthoringError([_("Choose one of the survey's languages and paper or interview.")])
    return start_response(survey, language, channel, entered_by=user)


# -- pages -----------------------------------------------------------------------------------

def _refuse_if_answered(survey: Survey) -> None:
    if queries.has_responses(survey):
        raise AuthoringError([_(
            "This survey already has responses, so its pages, questions, keys, types and "
            "options cannot change. You can still edit texts and translations.")])


def _renumber(items: list) -> None:
    for position, item in enumerate(items):
        item.position = position


def _order_problems(pages: list[list[Question]]) -> list[str]:
    """Conditions that would refer to a later question in this arrangement of pages."""
    problems, seen = [], set()
    for questions in pages:
        for question in questions:
            source = (question.condition or {}).get("question")
            if source and source not in seen:
                problems.append(_(
                    "%(key)s is shown depending on the answer to %(source)s, which must come "
                    "before it.", key=question.key, source=source))
            seen.add(question.key)
    return problems


def add_page(survey: Survey, title: str = "") -> Page:
    """A new last page."""
    _refuse_if_answered(survey)
    page = Page(position=len(survey.pages), title={})
    _set_text(page.title, survey.default_language, title)
    survey.pages.append(page)
    db.session.flush()
    return page


def rename_page(page: Page, title: str) -> None:
    """Set the page heading in the default language (empty removes it)."""
    _set_text(page.title, page.survey.default_language, title)
    flag_modified(page, "title")
    db.session.flush()


def delete_page(page: Page) -> None:
    """Delete a page and its questions."""
    survey = page.survey
    _refuse_if_answered(survey)
    rest = [list(p.questions) for p in survey.pages if p is not page]
    problems = _order_problems(rest)
    if problems:
        raise AuthoringError(problems)
    survey.pages.remove(page)
    _renumber(survey.pages)
    db.session.flush()


def move_page(page: Page, direction: str) -> None:
    """Swap a page with the one before ("up") or after ("down") it."""
    survey = page.survey
    _refuse_if_answered(survey)
    pages = list(survey.pages)
    index = pages.index(page)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(pages):
        raise AuthoringError([_("The page cannot move further that way.")])
    pages[index], pages[other] = pages[other], pages[index]
    problems = _order_problems([list(p.questions) for p in pages])
    if problems:
        raise AuthoringError(problems)
    survey.pages[:] = pages
    _renumber(survey.pages)
    db.session.flush()


# -- questions -------------------------------------------------------------------------------

def _set_text(text: dict, lang: str, value: str | None) -> None:
    value = (value or "").strip()
    if value:
        text[lang] = value
    else:
        text.pop(lang, None)


def _coded(old: list, pairs: list[tuple[str, str]], lang: str) -> list[dict]:
    """Options or items from (code, label) lines, keeping other languages' labels by code."""
    previous = {entry.get("code"): entry.get("label", {}) for entry in old or []
                if isinstance(entry, Mapping)}
    result = []
    for code, label in pairs:
        text = dict(previous.get(code, {}))
        _set_text(text, lang, label)
        result.append({"code": code, "label": text})
    return result


def build_settings(type_name: str, raw: Mapping[str, Any], old: Mapping[str, Any],
                   lang: str) -> dict:
    """Settings of a question from form values in the default language.

    Translations of options, items and scale ends survive edits of the default text.
    """
    settings = QUESTION_TYPES[type_name].default_settings()
    for key in settings:
        if key not in raw:
            continue
        value = raw[key]
        if key in ("options", "items"):
            settings[key] = _coded(old.get(key, []), value, lang)
        elif key in ("min_label", "max_label"):
            text = dict(old.get(key) or {})
            _set_text(text, lang, value)
            settings[key] = text
        else:
            settings[key] = value
    return settings


def _structure(*, type_name: str, key: str, settings: Mapping) -> tuple:
    """What stored answers depend on: key, type, and what the type says (codes, ends ...)."""
    return key, type_name, *QUESTION_TYPES[type_name].answer_structure(settings)


def _key_problem(survey: Survey, key: str, question: Question | None) -> AuthoringError | None:
    if any(q.key == key and q is not question for q in survey.questions()):
        return AuthoringError([_("Another question already uses the key %(key)s.", key=key)],
                              field="key")
    return None


def add_question(page: Page, *, type_name: str, key: str, required: bool, text: str, help: str,
                 raw_settings: Mapping[str, Any]) -> Question:
    """A new last question on `page`; its settings must be usable."""
    survey = page.survey
    _refuse_if_answered(survey)
    error = _key_problem(survey, key, None)
    if error:
        raise error
    kind = QUESTION_TYPES[type_name]
    settings = build_settings(type_name, raw_settings, {}, survey.default_language)
    problems = kind.settings_errors(settings)
    if problems:
        raise AuthoringError(problems, field="settings")
    question = Question(survey=survey, position=len(page.questions), key=key, type=type_name,
                        required=required, text={}, help={}, settings=settings)
    _set_text(question.text, survey.default_language, text)
    _set_text(question.help, survey.default_language, help)
    page.questions.append(question)
    db.session.flush()
    return question


def update_question(question: Question, *, type_name: str, key: str, required: bool, text: str,
                    help: str, raw_settings: Mapping[str, Any]) -> None:
    """Change a question; structural changes are refused once the survey has responses."""
    survey = question.page.survey
    lang = survey.default_language
    # Labels are kept by code, so translations survive a change between similar types.
    settings = build_settings(type_name, raw_settings, question.settings, lang)
    error = _key_problem(survey, key, question)
    if error:
        raise error
    problems = QUESTION_TYPES[type_name].settings_errors(settings)
    if problems:
        raise AuthoringError(problems, field="settings")
    before = _structure(type_name=question.type, key=question.key, settings=question.settings)
    after = _structure(type_name=type_name, key=key, settings=settings)
    if before != after:
        _refuse_if_answered(survey)
    # Conditions of later questions must still name answers this question offers.
    kind = QUESTION_TYPES[type_name]
    offered = {value for value, _label in kind.offered_answers(settings, lang)}
    followers = dependents(question)
    for follower in followers:
        lost = [str(v) for v in follower.condition.get("values", []) if str(v) not in offered]
        if lost:
            problems.append(_(
                "%(key)s is shown only after the answers %(values)s, which this question would "
                "no longer offer. Change that condition first.",
                key=follower.key, values=", ".join(lost)))
    if problems:
        raise AuthoringError(problems)
    for follower in followers:
        follower.condition = {**follower.condition, "question": key}
    question.key, question.type, question.required = key, type_name, required
    _set_text(question.text, lang, text)
    _set_text(question.help, lang, help)
    question.settings = settings
    db.session.flush()


def delete_question(question: Question) -> None:
    """Delete a question no other question depends on."""
    page = question.page
    _refuse_if_answered(page.survey)
    followers = dependents(question)
    if followers:
        raise AuthoringError([_(
            "%(keys)s depend on the answer to this question. Remove their conditions first.",
            keys=", ".join(q.key for q in followers))])
    recordings = [clip["sha256"] for clip in question.audio.values()]
    page.questions.remove(question)
    _renumber(page.questions)
    db.session.flush()
    for sha256 in recordings:
        _discard_if_unused(sha256)


def move_question(question: Question, direction: str) -> None:
    """Move up or down within its page, or to the end of the previous / start of the next page."""
    page = question.page
    survey = page.survey
    pages = [list(p.questions) for p in survey.pages]
    p_index, q_index = survey.pages.index(page), page.questions.index(question)
    if direction in ("up", "down"):
        other = q_index - 1 if direction == "up" else q_index + 1
        if not 0 <= other < len(pages[p_index]):
            raise AuthoringError([_("The question cannot move further that way.")])
        row = pages[p_index]
        row[q_index], row[other] = row[other], row[q_index]
    elif direction in ("previous", "next"):
        target = p_index - 1 if direction == "previous" else p_index + 1
        if not 0 <= target < len(pages):
            raise AuthoringError([_("There is no page to move the question to.")])
        _refuse_if_answered(survey)
        pages[p_index].remove(question)
        if direction == "previous":
            pages[target].append(question)
        else:
            pages[target].insert(0, question)
    else:
        raise AuthoringError([_("Unknown direction.")])
    problems = _order_problems(pages)
    if problems:
        raise AuthoringError(problems)
    for target_page, questions in zip(survey.pages, pages, strict=True):
        target_page.questions[:] = questions
        _renumber(target_page.questions)
    db.session.flush()


def set_condition(question: Question, source_key: str, values: list[str]) -> None:
    """Show `question` only when the earlier question `source_key` got one of `values`."""
    _refuse_if_answered(question.page.survey)
    source = next((q for q in earlier_questions(question) if q.key == source_key), None)
    if source is None:
        raise AuthoringError([_("A condition can only depend on an earlier question.")],
                             field="source")
    offered = [value for value, _label in condition_choices(source)]
    if not offered:
        raise AuthoringError([_("%(key)s has no fixed answers to depend on.", key=source_key)],
                             field="source")
    chosen = [value for value in offered if value in values]
    if not chosen or len(chosen) != len(set(values)):
        raise AuthoringError([_("Tick at least one of the answers offered.")], field="values")
    question.condition = {"question": source.key, "values": chosen}
    db.session.flush()


def clear_condition(question: Question) -> None:
    """Show the question to everyone."""
    if question.condition:
        _refuse_if_answered(question.page.survey)
        question.condition = None
        db.session.flush()


# -- recorded questions ----------------------------------------------------------------------

class AudioRefused(AuthoringError):
    """An upload that is not stored; `status` is the HTTP status to answer with."""

    def __init__(self, problem: str, status: int = 400):
        super().__init__([problem], field="file")
        self.status = status


def set_audio(question: Question, lang: str, data: bytes) -> None:
    """Store a recording of the question in `lang`, replacing the one it had."""
    if lang not in question.survey.languages:
        raise AudioRefused(_("Choose one of the survey's languages."))
    if len(data) > audio.MAX_AUDIO_BYTES:
        raise AudioRefused(_("The recording is too large: at most %(size)s MB.",
                             size=audio.MAX_AUDIO_BYTES // (1024 * 1024)), 413)
    kind = audio.media_type(data) if data else None
    if kind is None:
        raise AudioRefused(_("The file is not a recording in MP3, Ogg or M4A format."))
    old = question.audio.get(lang)
    question.audio[lang] = {"sha256": audio.store(data), "type": kind, "size": len(data)}
    db.session.flush()
    if old and old["sha256"] != question.audio[lang]["sha256"]:
        _discard_if_unused(old["sha256"])


def remove_audio(question: Question, lang: str) -> None:
    """Remove the recording of the question in `lang`."""
    old = question.audio.pop(lang, None)
    db.session.flush()
    if old:
        _discard_if_unused(old["sha256"])


def _discard_if_unused(sha256: str) -> None:
    # The same bytes uploaded for two questions (of any organisation) share one file.
    if not queries.audio_in_use(sha256):
        audio.discard(sha256)


# -- answering -----------------------------------------------------------------------------

def start_response(
    survey: Survey | SurveyRow, language: str, channel: Channel = Channel.web, entered_by=None
) -> Response:
    """Create an empty response with a fresh token and resume code."""
    while True:
        code = "".join(secrets.choice(RESUME_ALPHABET) for _ in range(RESUME_LENGTH))
        if not queries.resume_code_taken(survey, code):
            break
    response = Response(
        survey_id=survey.id,
        token=secrets.token_urlsafe(32),
        resume_code=code,
        language=language,
        channel=channel,
        entered_by_id=entered_by.id if entered_by else None,
    )
    db.session.add(response)
    db.session.flush()
    return response


def answers_by_key(values: Mapping[int, object], definition: SurveyDefinition
                   ) -> dict[str, object]:
    """Question key -> stored answer value, from question id -> value
    (`queries.answer_values`)."""
    by_id = definition.by_id
    return {by_id[question_id].key: value for question_id, value in values.items()
            if question_id in by_id}


def stored_values(page: PageDefinition, answers: dict[str, object]) -> dict[str, object]:
    """The page's form fields filled with the answers already stored."""
    values = {}
    for question in page.questions:
        if question.key in answers:
            values.update(question.kind.form_values(question, answers[question.key]))
    return values


def is_shown(question: QuestionDefinition, answers: dict[str, object],
             definition: SurveyDefinition) -> bool:
    """True unless the question's display condition is unmet by the earlier answer."""
    condition = question.condition
    if not condition:
        return True
    source = definition.by_key.get(condition["question"])
    if source is None or source.key not in answers:
        return False
    given = source.kind.condition_values(answers[source.key])
    return bool(given & {str(v) for v in condition["values"]})


def shown_questions(page: PageDefinition, answers: dict[str, object],
                    definition: SurveyDefinition) -> list[QuestionDefinition]:
    """The questions of a page that the resident sees, given the answers so far."""
    return [q for q in page.questions if is_shown(q, answers, definition)]


def shown_pages(definition: SurveyDefinition, answers: dict[str, object]) -> list[int]:
    """Indexes of the pages with at least one question shown."""
    return [i for i, page in enumerate(definition.pages)
            if shown_questions(page, answers, definition)]


def first_incomplete_page(definition: SurveyDefinition, answers: dict[str, object]) -> int | None:
    """The first shown page with a shown required question unanswered, if any.

    A resident reaches a page only through the pages before it, so the pages after this
    one are not reached yet: they cannot be opened by typing their address.
    """
    for index in shown_pages(definition, answers):
        if any(q.required and q.key not in answers
               for q in shown_questions(definition.pages[index], answers, definition)):
            return index
    return None


@dataclass
class PageResult:
    """What came of submitting a page."""

    errors: dict[str, str] = field(default_factory=dict)
    #: The form values as submitted, to show again next to the errors.
    values: dict[str, object] = field(default_factory=dict)
    next_page: int | None = None
    completed: bool = False


def save_page(response: Response | ResponseRow, page_index: int, form, *,
              going_back: bool = False, definition: SurveyDefinition | None = None,
              stored: Mapping[int, object] | None = None, language: str | None = None
              ) -> PageResult:
    """Validate and store one page's answers in the current transaction.

    Answers are replaced, never appended, so submitting the same page twice stores
    each answer once. Nothing is written when any answer on the page is invalid.
    Going back skips the required check but still refuses malformed answers.
    `definition` is the survey's current one (read here when not given). `stored`: the
    response's answers (question id -> value) as the caller read them after locking the
    response (else it is locked and they are read here). `language`: the language the page
    was answered in, kept as the response's.

    The writes are Core statements (an INSERT of the new answers, an UPDATE of changed
    ones, a DELETE of cleared or now hidden ones, an UPDATE of the response): answer
    objects already loaded in the session are not refreshed by them.
    """
    definition = definition or queries.survey_definition(
        queries.survey_by_id(response.survey_id))
    if stored is None:
        # Serialise concurrent submits of the same response (a double tap) on PostgreSQL.
        queries.lock_response(response.id)
        stored = queries.answer_values(response.id)
    page = definition.pages[page_index]
    answers = answers_by_key(stored, definition)
    result = PageResult()
    parsed: dict[QuestionDefinition, object] = {}
    for question in page.questions:
        # Conditions may refer to earlier questions on the same page.
        seen = answers | {q.key: v for q, v in parsed.items() if v is not None}
        if not is_shown(question, seen, definition):
            continue
        try:
            value = question.kind.parse(question, form)
            if value is None and question.required and not going_back:
                raise AnswerError(_l("This question needs an answer."))
        except AnswerError as error:
            result.errors[question.key] = error.message
            result.values.update({name: _raw(form, name) for name in question.kind.field_names(question)})
            continue
        parsed[question] = value
        result.values.update(question.kind.form_values(question, value))
    if result.errors:
        return result

    values = dict(stored)
    for question in page.questions:
        if parsed.get(question) is None:
            values.pop(question.id, None)
        else:
            values[question.id] = parsed[question]
    # An edited earlier answer may hide later questions: their answers go.
    answers = answers_by_key(values, definition)
    for question_id in [q for q in values if q in definition.by_id
                        and not is_shown(definition.by_id[q], answers, definition)]:
        del values[question_id]
    _store_answers(response.id, stored, values)

    answers = answers_by_key(values, definition)
    pages = shown_pages(definition, answers)
    changes: dict[str, object] = {"updated_at": utcnow()}
    if going_back:
        earlier = [i for i in pages if i < page_index]
        result.next_page = earlier[-1] if earlier else page_index
    else:
        later = [i for i in pages if i > page_index]
        missing = first_incomplete_page(definition, answers)
        if later:
            result.next_page = later[0] if missing is None else min(later[0], missing)
        elif missing is not None:
            # The last page, but an earlier required answer is missing (cleared on the
            # way back): go there instead of finishing.
            result.next_page = missing
        else:
            result.completed = True
            if response.completed_at is None:
                changes["completed_at"] = changes["updated_at"]
    if result.next_page is not None:
        changes["current_page"] = result.next_page
    if language is not None and language != response.language:
        changes["language"] = language
    db.session.connection().execute(
        Response.__table__.update().where(Response.__table__.c.id == response.id)
        .values(**changes))
    if response.completed_at is not None:
        # staff corrected a finished (paper) response: weighted figures move
        survey_figures_changed.send(response, survey_id=response.survey_id)
    return result


_ANSWERS = Answer.__table__
_OF_RESPONSE = _ANSWERS.c.response_id == bindparam("response")
#: Built once (their cache keys are then computed once per process).
_REMOVE_ANSWERS = _ANSWERS.delete().where(
    _OF_RESPONSE, _ANSWERS.c.question_id.in_(bindparam("questions", expanding=True)))
_CHANGE_ANSWER = _ANSWERS.update().where(
    _OF_RESPONSE, _ANSWERS.c.question_id == bindparam("question")).values(
    value=bindparam("new_value"))
#: RETURNING makes SQLAlchemy send the rows as one INSERT of several VALUES (psycopg would
#: pipeline one INSERT per row).
_ADD_ANSWER = _ANSWERS.insert().returning(_ANSWERS.c.id)


def _store_answers(response_id: int, before: Mapping[int, object],
                   after: Mapping[int, object]) -> None:
    """Write the difference between a response's answers `before` and `after` (question
    id -> value): at most one statement each for removed, changed and new answers (one
    INSERT for all new ones on PostgreSQL)."""
    connection = db.session.connection()
    removed = [q for q in before if q not in after]
    if removed:
        connection.execute(_REMOVE_ANSWERS, {"response": response_id, "questions": removed})
    changed = [{"response": response_id, "question": q, "new_value": v}
               for q, v in after.items() if q in before and before[q] != v]
    if changed:
        connection.execute(_CHANGE_ANSWER, changed)
    new = [{"response_id": response_id, "question_id": q, "value": v}
           for q, v in after.items() if q not in before]
    if new:
        connection.execute(_ADD_ANSWER, new)


def _raw(form, name: str):
    values = form.getlist(name)
    return values if len(values) > 1 else (values[0] if values else None)
