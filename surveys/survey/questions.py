"""Question types.

Each type is a class that owns what is special about it: its settings (and the
localized texts inside them), how a submitted form becomes an answer value, the
template that renders it, which answers a display condition can test, its export
columns and their coding in the microdata codebook, its result summary, and what
weighting and the follow-up may do with its answers (a mean, a weighting variable,
a grouping). Adding a type is adding a class and a template, nothing else.

Answer values are plain JSON: an option code, an integer, a list of codes, a
mapping item code -> option code, or text. ``"dk"`` stands for the "don't know /
prefer not to say" choice where a question offers it.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from surveys.core.i18n import localized
from surveys.survey.codebook import DONT_KNOW, Coding, Variable, categorical, numeric

CODE_RE = re.compile(r"^[a-z0-9_]{1,40}$")

#: The kinds of weighting variable an answer can become (see `surveys.runs.mapping`).
AGE_GROUPS, CODES = "age_groups", "codes"

#: Labels of the platform-supplied "don't know" choices, by setting value.
DONT_KNOW_LABELS = {
    "dont_know": _l("Don't know"),
    "prefer_not": _l("Prefer not to say"),
}

#: The 1-5 agreement scale, supplied by the platform in every language.
AGREEMENT_LABELS = {
    1: _l("Strongly disagree"),
    2: _l("Somewhat disagree"),
    3: _l("Neither agree nor disagree"),
    4: _l("Somewhat agree"),
    5: _l("Strongly agree"),
}


class AnswerError(ValueError):
    """A submitted answer that cannot be accepted; the message is shown to the resident."""

    def __init__(self, message: Any):
        super().__init__(str(message))
        self.message = message


def field_name(question_key: str, item: str | None = None) -> str:
    """Name of the form field for a question (or one item of a matrix)."""
    return f"q_{question_key}" + (f"__{item}" if item else "")


class QuestionType:
    """Base class: a question type with no options."""

    name = ""
    label: Any = ""
    #: Whether the type can offer a "don't know / prefer not to say" choice.
    allows_dont_know = False
    #: Answers are free text: left out of weighted microdata unless asked for.
    free_text = False
    #: Answers are points of a numeric scale, so a weighted mean of them means something.
    numeric = False
    #: The kind of weighting variable an answer can become (`AGE_GROUPS`, `CODES`), if any.
    weighting_kind: str | None = None
    #: Each answer is one code, so the follow-up can break its figures down by it.
    groups_respondents = False

    # -- settings ---------------------------------------------------------------------------
    def default_settings(self) -> dict:
        """Settings of a freshly added question of this type."""
        return {}

    def settings_errors(self, settings: Mapping) -> list[str]:
        """Problems with a settings mapping (empty when it is usable)."""
        errors = []
        dk = settings.get("dont_know")
        if dk is not None and (
            not self.allows_dont_know or not isinstance(dk, str) or dk not in DONT_KNOW_LABELS
        ):
            errors.append(str(_l("Unknown 'don't know' setting: %(value)s", value=dk)))
        return errors

    def texts(self, settings: Mapping) -> Iterator[tuple[str, dict]]:
        """The localized texts inside the settings, as (path, text) pairs."""
        return iter(())

    def answer_structure(self, settings: Mapping) -> tuple:
        """What stored answers depend on besides the key and type: the option and item
        codes, the scale's ends, the extra choice. A survey with answers keeps it fixed."""
        codes = [
            tuple(sorted(entry.get("code") for entry in settings.get(name, [])
                         if isinstance(entry, Mapping)))
            for name in ("options", "items")
        ]
        return (*codes, None, None, settings.get("dont_know"))

    # -- answering --------------------------------------------------------------------------
    def field_names(self, question) -> list[str]:
        """Form fields this question reads."""
        return [field_name(question.key)]

    def parse(self, question, form) -> Any:
        """Turn submitted form data into an answer value, None for no answer."""
        raise NotImplementedError

    def _dont_know(self, question, raw: str) -> bool:
        return raw == DONT_KNOW and bool(question.settings.get("dont_know"))

    def offered_answers(self, settings: Mapping, lang: str) -> list[tuple[str, str]]:
        """The answers a display condition can test: (value, label) pairs.

        Only coded answers qualify (options, scale points); free text and numbers do not.
        """
        return []

    def _with_dont_know(self, choices: list[tuple[str, str]], settings: Mapping
                        ) -> list[tuple[str, str]]:
        if settings.get("dont_know"):
            choices.append((DONT_KNOW, str(DONT_KNOW_LABELS[settings["dont_know"]])))
        return choices

    def condition_values(self, value: Any) -> set[str]:
        """The values a display condition can test against this answer."""
        if value is None:
            return set()
        if isinstance(value, list):
            return {str(v) for v in value}
        return {str(value)}

    def form_values(self, question, value: Any) -> dict[str, Any]:
        """Field name -> value to pre-fill when the page is shown again."""
        return {field_name(question.key): value}

    # -- results ----------------------------------------------------------------------------
    def columns(self, question) -> list[str]:
        """Column names in the raw answer export."""
        return [question.key]

    def export(self, question, value: Any) -> dict[str, Any]:
        """Column -> cell for the raw answer export."""
        return {question.key: value}

    def summarise(self, question, values: list[Any]) -> dict:
        """A summary of all answers: at least the number answered."""
        return {"answered": len(values)}

    def answer_label(self, question, code: Any, lang: str) -> Any:
        """What an analyst reads for an answer code: the option text, a scale point with its
        end's label, "Don't know"."""
        settings = question.settings
        if code == DONT_KNOW:
            return DONT_KNOW_LABELS.get(settings.get("dont_know"), code)
        for option in settings.get("options", []):
            if option["code"] == code:
                return localized(option["label"], lang, question.survey.default_language)
        if isinstance(code, int):
            return self._point_label(question, code, lang)
        return str(code)

    def _point_label(self, question, point: int, lang: str) -> Any:
        settings = question.settings
        end = {settings.get("min"): "min_label", settings.get("max"): "max_label"}.get(point)
        fallback = question.survey.default_language
        end_text = localized(settings.get(end), lang, fallback) if end else ""
        return Markup("{} – {}").format(point, end_text) if end_text else str(point)

    def group_of(self, value: Any) -> Any:
        """The group an answer puts its respondent in (`groups_respondents`); None for "don't
        know"."""
        return None if value == DONT_KNOW else value

    # -- weighted microdata ---------------------------------------------------------------
    def codebook_variables(self, coding: Coding) -> list[Variable]:
        """The question's columns in the microdata codebook, coded (`surveys.survey.codebook`)."""
        raise NotImplementedError(f"no microdata coding for question type {self.name!r}")


def _text_errors(name: str, text: Any) -> list[str]:
    if not isinstance(text, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in text.items()
    ):
        return [str(_l("%(name)s must map languages to texts.", name=name))]
    return []


class _Choices(QuestionType):
    """Shared behaviour of types that offer a list of coded options."""

    allows_dont_know = True

    def default_settings(self) -> dict:
        return {"options": [], "dont_know": None}

    def settings_errors(self, settings: Mapping) -> list[str]:
        errors = super().settings_errors(settings)
        options = settings.get("options")
        if not isinstance(options, list) or not options:
            return errors + [str(_l("Add at least one option."))]
        codes = []
        for option in options:
            code = option.get("code") if isinstance(option, Mapping) else None
            if not isinstance(code, str) or not CODE_RE.match(code) or code == DONT_KNOW:
                errors.append(str(_l("Invalid option code: %(code)s", code=code)))
                continue
            codes.append(code)
            errors += _text_errors(code, option.get("label"))
        if len(set(codes)) != len(codes):
            errors.append(str(_l("Option codes must be unique.")))
        return errors

    def texts(self, settings):
        for option in settings.get("options", []):
            yield f"option.{option['code']}", option["label"]

    def codes(self, question) -> list[str]:
        return [o["code"] for o in question.settings.get("options", [])]

    def offered_answers(self, settings, lang):
        if "options" not in settings:
            return []
        return self._with_dont_know(
            [(o["code"], o["label"].get(lang) or o["code"]) for o in settings["options"]],
            settings)

    def summarise(self, question, values):
        counts = Counter()
        for value in values:
            counts.update(value if isinstance(value, list) else [value])
        return {"answered": len(values), "counts": {c: counts[c] for c in self.codes(question)}
                | ({DONT_KNOW: counts[DONT_KNOW]} if question.settings.get("dont_know") else {})}


class SingleChoice(_Choices):
    """Pick one option."""

    name = "single_choice"
    label = _l("Single choice")
    weighting_kind = CODES
    groups_respondents = True

    def parse(self, question, form):
        raw = form.get(field_name(question.key), "").strip()
        if not raw:
            return None
        if raw in self.codes(question) or self._dont_know(question, raw):
            return raw
        raise AnswerError(_l("Choose one of the options."))

    def codebook_variables(self, coding):
        key = coding.question.key
        return [categorical(key, coding.label, coding.options(), coding.dont_know(),
                            question_key=key)]


class MultipleChoice(_Choices):
    """Pick any number of options; "prefer not to say" excludes the others."""

    name = "multiple_choice"
    label = _l("Multiple choice")

    def parse(self, question, form):
        raw = [v.strip() for v in form.getlist(field_name(question.key)) if v.strip()]
        if not raw:
            return None
        if DONT_KNOW in raw and self._dont_know(question, DONT_KNOW):
            if len(set(raw)) > 1:
                raise AnswerError(_l("This choice cannot be combined with the others."))
            return [DONT_KNOW]
        codes = self.codes(question)
        if any(v not in codes for v in raw):
            raise AnswerError(_l("Choose among the options shown."))
        return [c for c in codes if c in raw]

    def columns(self, question):
        extra = [DONT_KNOW] if question.settings.get("dont_know") else []
        return [f"{question.key}__{c}" for c in self.codes(question) + extra]

    def export(self, question, value):
        chosen = set(value or [])
        return {
            col: (None if value is None else int(col.rsplit("__", 1)[1] in chosen))
            for col in self.columns(question)
        }

    def form_values(self, question, value):
        return {field_name(question.key): value or []}

    def codebook_variables(self, coding):
        # The same columns as `columns`: the options, then "dk" if offered.
        answers = list(coding.options().values())
        if coding.settings.get("dont_know"):
            answers.append(coding.dont_know())
        chosen = {0: coding.names["not_chosen"], 1: coding.names["chosen"]}
        return [
            Variable(column, f"{coding.label}: {answer}", "multi", dict(chosen), "nominal",
                     coding.question.key, integer=True)
            for column, answer in zip(self.columns(coding.question), answers, strict=True)
        ]


class Scale(QuestionType):
    """An integer scale such as 0-10, with labelled end points."""

    name = "scale"
    label = _l("Scale (e.g. 0-10)")
    allows_dont_know = True
    numeric = True

    def default_settings(self):
        return {"min": 0, "max": 10, "min_label": {}, "max_label": {}, "dont_know": None}

    def settings_errors(self, settings):
        errors = super().settings_errors(settings)
        low, high = settings.get("min"), settings.get("max")
        if not (isinstance(low, int) and isinstance(high, int) and 0 <= low < high <= 100
                and high - low <= 20):
            errors.append(str(_l("A scale needs whole-number ends, at most 20 steps apart.")))
        for end in ("min_label", "max_label"):
            errors += _text_errors(end, settings.get(end, {}))
        return errors

    def texts(self, settings):
        yield "min_label", settings.get("min_label", {})
        yield "max_label", settings.get("max_label", {})

    def answer_structure(self, settings):
        options, items, _low, _high, dont_know = super().answer_structure(settings)
        return options, items, settings.get("min"), settings.get("max"), dont_know

    def offered_answers(self, settings, lang):
        return self._with_dont_know(
            [(str(p), str(p)) for p in range(settings["min"], settings["max"] + 1)], settings)

    def points(self, question) -> list[int]:
        return list(range(question.settings["min"], question.settings["max"] + 1))

    def parse(self, question, form):
        raw = form.get(field_name(question.key), "").strip()
        if not raw:
            return None
        if self._dont_know(question, raw):
            return DONT_KNOW
        try:
            value = int(raw)
        except ValueError:
            raise AnswerError(_l("Choose one of the points on the scale.")) from None
        if value not in self.points(question):
            raise AnswerError(_l("Choose one of the points on the scale."))
        return value

    def summarise(self, question, values):
        numbers = [v for v in values if isinstance(v, int)]
        summary = {"answered": len(values), "counts": {p: numbers.count(p) for p in self.points(question)}}
        if question.settings.get("dont_know"):
            summary["counts"][DONT_KNOW] = len(values) - len(numbers)
        if numbers:
            summary["mean"] = statistics.fmean(numbers)
            summary["median"] = statistics.median(numbers)
        return summary

    def codebook_variables(self, coding):
        low, high = coding.settings["min"], coding.settings["max"]
        ends = {low: coding.text(coding.settings.get("min_label")),
                high: coding.text(coding.settings.get("max_label"))}
        return [numeric(coding, ends, high, "scale")]


class Agreement(Scale):
    """The 1-5 agreement scale with platform-supplied labels."""

    name = "agreement"
    label = _l("Agreement scale (1-5)")

    def default_settings(self):
        return {"dont_know": None}

    def settings_errors(self, settings):
        return QuestionType.settings_errors(self, settings)

    def texts(self, settings):
        return iter(())

    def points(self, question):
        return list(AGREEMENT_LABELS)

    def answer_structure(self, settings):
        return QuestionType.answer_structure(self, settings)

    def offered_answers(self, settings, lang):
        return self._with_dont_know(
            [(str(p), f"{p} {label}") for p, label in AGREEMENT_LABELS.items()], settings)

    def _point_label(self, question, point, lang):
        return Markup("{} – {}").format(point, AGREEMENT_LABELS[point])

    def codebook_variables(self, coding):
        points = {p: coding.names["agreement"][p] for p in self.points(coding.question)}
        return [numeric(coding, points, max(points), "ordinal")]


class Matrix(_Choices):
    """Several items answered on one shared list of options."""

    name = "matrix"
    label = _l("Matrix (several items, one scale)")

    def default_settings(self):
        return {"items": [], "options": [], "dont_know": None}

    def settings_errors(self, settings):
        errors = super().settings_errors(settings)
        items = settings.get("items")
        if not isinstance(items, list) or not items:
            return errors + [str(_l("Add at least one item."))]
        codes = [i.get("code") for i in items if isinstance(i, Mapping)]
        if len(codes) != len(items) or any(
            not isinstance(c, str) or not CODE_RE.match(c) for c in codes
        ):
            errors.append(str(_l("Every item needs a code of lower-case letters and digits.")))
        elif len(set(codes)) != len(codes):
            errors.append(str(_l("Item codes must be unique.")))
        for item in items:
            if isinstance(item, Mapping):
                errors += _text_errors(str(item.get("code")), item.get("label"))
        return errors

    def texts(self, settings):
        for item in settings.get("items", []):
            yield f"item.{item['code']}", item["label"]
        yield from super().texts(settings)

    def items(self, question) -> list[str]:
        return [i["code"] for i in question.settings.get("items", [])]

    def field_names(self, question):
        return [field_name(question.key, item) for item in self.items(question)]

    def parse(self, question, form):
        answer = {}
        codes = self.codes(question)
        for item in self.items(question):
            raw = form.get(field_name(question.key, item), "").strip()
            if not raw:
                continue
            if raw not in codes and not self._dont_know(question, raw):
                raise AnswerError(_l("Choose one of the options for every statement."))
            answer[item] = raw
        if question.required and answer and len(answer) < len(self.items(question)):
            raise AnswerError(_l("Answer every statement."))
        return answer or None

    def condition_values(self, value):
        return set((value or {}).values())

    def form_values(self, question, value):
        value = value or {}
        return {field_name(question.key, item): value.get(item) for item in self.items(question)}

    def columns(self, question):
        return [f"{question.key}__{item}" for item in self.items(question)]

    def export(self, question, value):
        value = value or {}
        return {f"{question.key}__{item}": value.get(item) for item in self.items(question)}

    def summarise(self, question, values):
        return {
            "answered": len(values),
            "items": {
                item: super(Matrix, self).summarise(
                    question, [v[item] for v in values if item in v]
                )
                for item in self.items(question)
            },
        }

    def codebook_variables(self, coding):
        # The items share one list of answers, which the type calls a scale: ordinal.
        items = [coding.text(i["label"]) for i in coding.settings.get("items", [])]
        return [
            categorical(column, f"{coding.label}: {item}", coding.options(),
                        coding.dont_know(), "ordinal", coding.question.key)
            for column, item in zip(self.columns(coding.question), items, strict=True)
        ]


class Number(QuestionType):
    """A number within limits; a decimal comma is accepted."""

    name = "number"
    label = _l("Number")

    def default_settings(self):
        return {"min": 0, "max": 1000, "integer": True}

    def settings_errors(self, settings):
        errors = super().settings_errors(settings)
        low, high = settings.get("min"), settings.get("max")
        if not (isinstance(low, (int, float)) and isinstance(high, (int, float)) and low < high):
            errors.append(str(_l("The smallest allowed number must be below the largest.")))
        return errors

    def parse(self, question, form):
        raw = form.get(field_name(question.key), "").strip().replace(" ", "").replace("\u2212", "-")
        if not raw:
            return None
        integer = question.settings.get("integer", True)
        pattern = r"-?\d{1,12}" if integer else r"-?\d{1,12}([.,]\d{1,6})?"
        if not re.fullmatch(pattern, raw):
            raise AnswerError(
                _l("Write a whole number.") if integer else _l("Write a number.")
            )
        value = int(raw) if integer else float(raw.replace(",", "."))
        low, high = question.settings["min"], question.settings["max"]
        if not low <= value <= high:
            raise AnswerError(
                _l("Write a number from %(low)s to %(high)s.", low=low, high=high)
            )
        return value

    def summarise(self, question, values):
        summary = {"answered": len(values)}
        if values:
            summary |= {"mean": statistics.fmean(values), "median": statistics.median(values),
                        "min": min(values), "max": max(values)}
        return summary

    def codebook_variables(self, coding):
        return [numeric(coding, {}, 0, "scale", bool(coding.settings.get("integer", True)))]


class ShortText(QuestionType):
    """One line of free text."""

    name = "short_text"
    label = _l("Short text")
    default_max = 200
    free_text = True

    def default_settings(self):
        return {"max_length": self.default_max}

    def settings_errors(self, settings):
        errors = super().settings_errors(settings)
        limit = settings.get("max_length")
        if not isinstance(limit, int) or not 1 <= limit <= 20000:
            errors.append(str(_l("The length limit must be a whole number from 1 to 20000.")))
        return errors

    def parse(self, question, form):
        raw = form.get(field_name(question.key), "")
        # Normalise line ends so the length a resident sees is the length we count.
        text = raw.replace("\r\n", "\n").strip()
        if not text:
            return None
        limit = question.settings.get("max_length", self.default_max)
        if len(text) > limit:
            raise AnswerError(
                _l("Shorten your answer to at most %(limit)s characters (now %(length)s).",
                   limit=limit, length=len(text))
            )
        return text

    def condition_values(self, value):
        return set()

    def codebook_variables(self, coding):
        key = coding.question.key
        return [Variable(key, coding.label, "text", question_key=key)]


class LongText(ShortText):
    """Several lines of free text."""

    name = "long_text"
    label = _l("Long text")
    default_max = 5000


class YearOfBirth(QuestionType):
    """A year of birth within an age range."""

    name = "year_of_birth"
    label = _l("Year of birth")
    allows_dont_know = True
    weighting_kind = AGE_GROUPS

    def default_settings(self):
        return {"min_age": 16, "max_age": 110, "dont_know": "prefer_not"}

    def settings_errors(self, settings):
        errors = super().settings_errors(settings)
        low, high = settings.get("min_age"), settings.get("max_age")
        if not (isinstance(low, int) and isinstance(high, int) and 0 <= low < high <= 130):
            errors.append(str(_l("The youngest age must be below the oldest.")))
        return errors

    def years(self, question, today: date | None = None) -> tuple[int, int]:
        """Earliest and latest accepted year."""
        year = (today or date.today()).year
        return year - question.settings["max_age"], year - question.settings["min_age"]

    def parse(self, question, form):
        # The year box and the "prefer not to say" box share one name.
        given = [v.strip() for v in form.getlist(field_name(question.key)) if v.strip()]
        if not given:
            return None
        if len(given) > 1:
            raise AnswerError(_l("Write a year or choose the box below it, not both."))
        raw = given[0]
        if self._dont_know(question, raw):
            return DONT_KNOW
        first, last = self.years(question)
        if not re.fullmatch(r"\d{4}", raw) or not first <= int(raw) <= last:
            raise AnswerError(
                _l("Write a year from %(first)s to %(last)s, e.g. 1985.", first=first, last=last)
            )
        return int(raw)

    def condition_values(self, value):
        return set()

    def codebook_variables(self, coding):
        return [numeric(coding, {}, self.years(coding.question)[1], "scale")]


QUESTION_TYPES: dict[str, QuestionType] = {
    t.name: t
    for t in (
        SingleChoice(), MultipleChoice(), Scale(), Agreement(), Matrix(),
        Number(), ShortText(), LongText(), YearOfBirth(),
    )
}


def question_type(name: str) -> QuestionType:
    """The type object registered under `name`."""
    try:
        return QUESTION_TYPES[name]
    except KeyError:
        raise ValueError(f"unknown question type {name!r}") from None
