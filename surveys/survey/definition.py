"""A whole survey as JSON (format ``delaktig-survey/1``): export, validation, templates.

The same format carries the ready templates, so a survey can be reused next year
or by another municipality. The import (`services.import_definition`) validates
everything here first and then builds the survey in one go: a bad file changes nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from importlib import resources
from typing import Any

from flask_babel import lazy_gettext as _l

from surveys.core.i18n import UI_LOCALES, normalise_tag
from surveys.survey.models import Survey
from surveys.survey.questions import CODE_RE, QUESTION_TYPES
from surveys.survey.texts import SURVEY_TEXTS

FORMAT = "delaktig-survey/1"
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")
TEMPLATES = {"tillit-och-delaktighet": "tillit_och_delaktighet.json"}


class DefinitionError(ValueError):
    """A survey definition that cannot be imported; `problems` lists every reason."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def export_definition(survey: Survey) -> dict:
    """The survey's structure and texts, without responses or ids."""
    return {
        "format": FORMAT,
        "slug": survey.slug,
        "default_language": survey.default_language,
        "languages": list(survey.languages),
        "interface_languages": dict(survey.interface_languages or {}),
        "texts": {name: dict(survey.texts.get(name, {})) for name in SURVEY_TEXTS},
        "pages": [
            {
                "title": dict(page.title),
                "questions": [
                    {
                        "key": q.key,
                        "type": q.type,
                        "required": q.required,
                        "text": dict(q.text),
                        "help": dict(q.help),
                        "settings": json.loads(json.dumps(q.settings)),
                        "condition": q.condition,
                    }
                    for q in page.questions
                ],
            }
            for page in survey.pages
        ],
    }


def _is_tag(value: Any) -> bool:
    """A BCP 47 tag written as Delaktig writes it (e.g. ``fi``, ``ckb``, ``pa-Arab``)."""
    return isinstance(value, str) and normalise_tag(value) == value


def _is_text(value: Any) -> bool:
    return isinstance(value, Mapping) and all(
        _is_tag(k) and isinstance(v, str) and len(v) <= 20000 for k, v in value.items()
    )


def definition_problems(data: Any) -> list[str]:
    """Every reason the definition cannot be imported (empty when it can)."""
    if not isinstance(data, Mapping):
        return [str(_l("The file does not hold a survey definition."))]
    problems: list[str] = []
    if data.get("format") != FORMAT:
        problems.append(str(_l("Unknown format: expected %(format)s.", format=FORMAT)))
    languages = data.get("languages")
    if not isinstance(languages, list) or not languages or any(
        not _is_tag(lang) for lang in languages
    ) or len(set(languages)) != len(languages):
        problems.append(str(_l("languages must list known language codes once each.")))
        languages = []
    interfaces = data.get("interface_languages", {})
    if not isinstance(interfaces, Mapping) or any(
        lang not in languages or ui not in UI_LOCALES for lang, ui in interfaces.items()
    ):
        problems.append(str(_l("interface_languages must map survey languages to interface "
                               "languages (%(locales)s).", locales=", ".join(UI_LOCALES))))
    if data.get("default_language") not in (languages or []):
        problems.append(str(_l("default_language must be one of the languages.")))
    slug = data.get("slug")
    if not isinstance(slug, str) or not SLUG_RE.match(slug):
        problems.append(str(_l("The slug may hold lower-case letters, digits and hyphens.")))
    texts = data.get("texts")
    if not isinstance(texts, Mapping) or not all(
        _is_text(texts.get(name, {})) for name in SURVEY_TEXTS
    ):
        problems.append(str(_l("texts must map title, intro, consent and thanks to languages.")))
    pages = data.get("pages")
    if not isinstance(pages, list):
        return problems + [str(_l("pages must be a list."))]
    seen: dict[str, dict] = {}
    for p_index, page in enumerate(pages, start=1):
        if not isinstance(page, Mapping) or not isinstance(page.get("questions"), list):
            problems.append(str(_l("Page %(n)s has no list of questions.", n=p_index)))
            continue
        if not _is_text(page.get("title", {})):
            problems.append(str(_l("Page %(n)s: the title is not a text.", n=p_index)))
        on_page: dict[str, dict] = {}
        for question in page["questions"]:
            problems += _question_problems(question, p_index, seen, on_page)
        seen |= on_page
    return problems


def _question_problems(question: Any, page_no: int, earlier: dict, on_page: dict) -> list[str]:
    where = str(_l("Page %(n)s", n=page_no))
    if not isinstance(question, Mapping):
        return [f"{where}: " + str(_l("a question is not an object."))]
    key = question.get("key")
    if not isinstance(key, str) or not CODE_RE.match(key):
        return [f"{where}: " + str(_l("invalid question key %(key)s.", key=key))]
    where = f"{where}, {key}"
    problems = []
    if key in earlier or key in on_page:
        problems.append(f"{where}: " + str(_l("the key is used twice.")))
    kind = QUESTION_TYPES.get(question.get("type")) if isinstance(question.get("type"), str) else None
    if kind is None:
        return problems + [f"{where}: " + str(_l("unknown question type %(type)s.",
                                                  type=question.get("type")))]
    if not isinstance(question.get("required", False), bool):
        problems.append(f"{where}: " + str(_l("required must be true or false.")))
    for name in ("text", "help"):
        if not _is_text(question.get(name, {})):
            problems.append(f"{where}: " + str(_l("%(name)s is not a text.", name=name)))
    settings = question.get("settings", {})
    if not isinstance(settings, Mapping):
        problems.append(f"{where}: " + str(_l("settings must be an object.")))
    else:
        problems += [f"{where}: {p}" for p in kind.settings_errors(settings)]
    condition = question.get("condition")
    if condition is not None:
        source = (earlier | on_page).get(condition.get("question")) if isinstance(
            condition, Mapping) and isinstance(condition.get("question"), str) else None
        if source is None or not isinstance(condition.get("values"), list) or not condition["values"]:
            problems.append(f"{where}: " + str(_l(
                "a condition must name an earlier question and the answers that show this one.")))
    on_page[key] = question
    return problems


def load_template(name: str) -> dict:
    """A ready survey definition shipped with the platform."""
    text = resources.files("surveys.data").joinpath(TEMPLATES[name]).read_text("utf-8")
    return json.loads(text)


def template_titles(locale: str) -> dict[str, str]:
    """Template name -> its title in `locale` (Swedish, else the name, when it has none)."""
    titles = {}
    for name in TEMPLATES:
        title = load_template(name)["texts"]["title"]
        titles[name] = title.get(locale) or title.get("sv") or name
    return titles
