"""Unweighted results for analysts: what the results page shows, in the page's language.

The figures come from `surveys.survey.stats` (response counts and times) and from
each question type's own `summarise` (answer distributions); this module takes the
data `queries` loads in a few queries and attaches the labels an analyst reads.
Weighted figures are the weighting runs' (`surveys.runs`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from babel import Locale, UnknownLocaleError, numbers
from flask_babel import format_decimal, get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from surveys.core.i18n import LANGUAGES, current_language, localized
from surveys.survey import queries, stats
from surveys.survey.models import Channel, Question, Survey
from surveys.survey.questions import DONT_KNOW

CHANNEL_LABELS = {
    Channel.web.value: _l("Web"),
    Channel.paper.value: _l("Paper form"),
    Channel.interview.value: _l("Interview"),
}

#: Content languages that are no locale of their own.
LANGUAGE_NAMES = {"sv-ll": _l("Easy-to-read Swedish")}

#: Summary figures a question type may report, in the order they are shown.
FIGURE_LABELS = {
    "mean": _l("Mean"),
    "median": _l("Median"),
    "min": _l("Smallest"),
    "max": _l("Largest"),
}


# -- the results page ------------------------------------------------------------------------
@dataclass
class ResultRow:
    """One answer alternative: its label, how many chose it and their share of those answering."""

    label: Any
    count: int
    share: float | None


@dataclass
class Distribution:
    """The answers to a question (or to one item of a matrix)."""

    label: Any
    answered: int
    rows: list[ResultRow] = field(default_factory=list)
    #: (label, value) pairs such as the mean and median.
    figures: list[tuple[Any, float]] = field(default_factory=list)
    #: True when the figures leave out "don't know" answers.
    figures_exclude_dont_know: bool = False


@dataclass
class QuestionResult:
    """A question, its number in the survey and its unweighted summary."""

    number: int
    question: Question
    text: Markup
    answered: int
    #: The distribution of the whole question (None for matrices, text and years).
    distribution: Distribution | None
    #: One distribution per item of a matrix.
    items: list[Distribution] = field(default_factory=list)


@dataclass
class SurveyResults:
    """Everything the results page shows."""

    overview: stats.Overview
    questions: list[QuestionResult]
    completed_only: bool


def survey_results(survey: Survey, completed_only: bool = False) -> SurveyResults:
    """Response counts and times, and every question's unweighted summary.

    The counts and times always cover every response begun; `completed_only`
    limits the question summaries to completed responses.
    """
    frame = queries.load_responses(survey.id)
    values: dict[int, list] = defaultdict(list)
    for _response_id, question_id, value in queries.load_answers(survey.id, completed_only):
        values[question_id].append(value)
    lang = current_language().code
    results = [
        _question_result(number, question, values[question.id], lang)
        for number, question in enumerate(survey.questions(), start=1)
    ]
    overview = stats.overview(frame, survey.languages, [c.value for c in Channel])
    return SurveyResults(overview=overview, questions=results, completed_only=completed_only)


def _question_result(number: int, question: Question, values: list, lang: str) -> QuestionResult:
    fallback = question.survey.default_language
    summary = question.kind.summarise(question, values)
    result = QuestionResult(
        number=number,
        question=question,
        text=localized(question.text, lang, fallback),
        answered=summary["answered"],
        distribution=None,
    )
    if "items" in summary:
        labels = {i["code"]: i["label"] for i in question.settings.get("items", [])}
        result.items = [
            _distribution(question, localized(labels.get(item), lang, fallback), sub, lang)
            for item, sub in summary["items"].items()
        ]
    elif "counts" in summary or any(name in summary for name in FIGURE_LABELS):
        result.distribution = _distribution(question, result.text, summary, lang)
    return result


def _distribution(question: Question, label: Any, summary: dict, lang: str) -> Distribution:
    answered = summary["answered"]
    counts = summary.get("counts", {})
    share = stats.shares(counts, answered)
    return Distribution(
        label=label,
        answered=answered,
        rows=[ResultRow(question.kind.answer_label(question, code, lang), n, share[code])
              for code, n in counts.items()],
        figures=[(FIGURE_LABELS[name], summary[name]) for name in FIGURE_LABELS
                 if name in summary],
        figures_exclude_dont_know=DONT_KNOW in counts,
    )


def language_display_name(code: str) -> Any:
    """A language's name in the page's locale from Babel's locale data, e.g. "arabiska" for
    "ar" in Swedish (`surveys.core.i18n.language_name` takes the interface catalog's)."""
    if code in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[code]
    try:
        return Locale.parse(code, sep="-").get_display_name(get_locale()) or code
    except (ValueError, UnknownLocaleError):
        return LANGUAGES[code].native_name if code in LANGUAGES else code


# -- formatting for the page's locale --------------------------------------------------------
def format_share(share: float | None) -> str:
    """A share as a percentage with one decimal in the page's locale, e.g. "12,5 %" in Swedish."""
    if share is None:
        return "–"
    locale = get_locale()
    pattern = locale.percent_formats[None].pattern.replace("0", "0.0", 1)
    return numbers.format_percent(share, format=pattern, locale=locale)


def format_figure(value: float | None) -> str:
    """A mean, median or number of minutes with one decimal in the page's locale."""
    if value is None:
        return "–"
    return format_decimal(value, format="#,##0.0")
