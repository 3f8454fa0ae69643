"""The yearly follow-up report for the council: its content, as HTML and as PDF.

`build_report` gathers what the report says for one framework and year: a summary table
of every indicator, each focus area's goals with the indicators' full cards (the same
`present.card` the dashboard shows, computed from the waves up to that year only), and a
method section per wave (responses, the approved weighting run, its design effect) with
the disclosure rules in words.

`render_report_html` makes one standalone document (no navigation, print-friendly). The
style sheet is `static/report.css`: embedded in a `<style>` element for the PDF and the
downloaded file, linked by URL on the page the app serves (whose Content-Security-Policy
allows style sheets from the app only, not inline styles). `render_report_pdf` turns the
embedded version into PDF with WeasyPrint, which fetches nothing: every resource is inline.
"""

from __future__ import annotations

import functools
import re
import subprocess
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from html import unescape
from pathlib import Path

from flask import g, render_template
from flask_babel import force_locale, format_date, format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import escape

from surveys.core.i18n import LANGUAGES, Language, tr, tr_text
from surveys.fieldwork.summary import response_rate_sentence
from surveys.followup import messages, present, queries
from surveys.followup.models import Framework, Goal, Wave
from surveys.followup.values import IndicatorSeries
from surveys.indicators import follow_up
from surveys.runs import messages as run_messages
from surveys.runs.models import WeightingRun
from surveys.runs.queries import approved_run
from surveys.survey import queries as survey_queries

STYLESHEET = Path(__file__).resolve().parent.parent / "static" / "report.css"
#: The charts' colours, put inside each SVG for the PDF: WeasyPrint styles inline SVG only
#: from a <style> element of its own, not from the page's style sheet.
SVG_STYLE = (
    "<style>.grid{stroke:#d9d9d9;stroke-width:1}"
    ".tick,.label,.suppressed{font-size:11px;fill:#333}"
    ".series{fill:none;stroke:#0072b2;stroke-width:2}.point{fill:#0072b2}"
    ".whisker{stroke:#0072b2;stroke-width:2}"
    ".target{stroke:#d55e00;stroke-width:2;stroke-dasharray:6 4}"
    ".overall{stroke:#555;stroke-width:1.5;stroke-dasharray:3 3}</style>"
)
SVG_OPEN = re.compile(r"(<svg\b[^>]*>)")
SVG_TEXT = re.compile(r"(<text\b[^>]*>)([^<]*)(</text>)")
#: Hebrew, Arabic, Syriac, Thaana, NKo ... and the Arabic presentation forms.
RTL_LETTERS = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")

METHOD_LABELS = {
    "rake": _l("raking (iterative proportional fitting)"),
    "poststratify": _l("post-stratification"),
    "linear": _l("linear calibration"),
    "raking": _l("calibration with the raking distance"),
    "logit": _l("bounded (logit) calibration"),
}


class ReportError(LookupError):
    """No report can be made: `code` is "no_waves" or "unknown_year"."""

    def __init__(self, code: str, years: list[int] | None = None):
        super().__init__(code)
        self.code = code
        self.years = years or []


@dataclass
class RunInfo:
    """The approved weighting run of a wave, as the method section states it."""

    id: int
    method: str
    variables: list[str]
    margin_name: str
    margin_source: str
    margin_date: str
    approved_at: str
    approved_by: str
    n_weighted: str
    iterations: int
    kish_deff: float | None
    effective_n: float | None
    kish_deff_text: str
    effective_n_text: str
    #: How missing categories were imputed and categories without a population figure held.
    notes: list[str] = field(default_factory=list)


@dataclass
class WaveMethod:
    """How one wave was collected and weighted."""

    year: int
    survey_title: str
    fieldwork: str
    responses: str
    completed: str
    run: RunInfo | None
    #: "Response rate 41 % (RR1); 23 % among ..." when the wave's survey drew a sample.
    response_rate: str = ""


@dataclass
class RegisterSource:
    """Where a register indicator's values come from."""

    title: str
    source: str
    label: str
    years: str
    updated: str


@dataclass
class SummaryRow:
    """One indicator in the summary table."""

    key: str
    title: str
    year: str
    value: str
    interval: str
    n: str
    change: str
    significant: bool | None
    status: str
    status_code: str
    note: str


@dataclass
class GoalSection:
    """A goal with its indicators' cards and its sub-goals."""

    id: int
    title: str
    cards: list[present.Card]
    subgoals: list[GoalSection] = field(default_factory=list)


@dataclass
class AreaSection:
    key: str
    title: str
    goals: list[GoalSection]


@dataclass
class Report:
    """Everything the report shows, in the language it was built in."""

    framework: Framework
    year: int
    language: Language
    title: str
    framework_title: str
    organisation: str
    created: str
    summary: list[tuple[str, list[SummaryRow]]]
    areas: list[AreaSection]
    methods: list[WaveMethod]
    registers: list[RegisterSource]
    rules: list[str]
    problems: list[str]


# -- language ---------------------------------------------------------------------------------
@contextmanager
def in_language(lang: str) -> Iterator[Language]:
    """Texts, numbers and dates in `lang` (untranslated titles in Swedish), then back."""
    language = LANGUAGES[lang]
    saved = {key: g.get(key) for key in ("content_language", "fallback_language")}
    g.content_language, g.fallback_language = lang, "sv"
    try:
        with force_locale(language.ui_locale):
            yield language
    finally:
        for key, value in saved.items():
            if value is None:
                g.pop(key, None)
            else:
                setattr(g, key, value)


# -- content -------------------------------------------------------------------------------
def years_of(framework: Framework) -> list[int]:
    """The years a report can be made for: the framework's waves."""
    return [w.year for w in framework.waves]


def report_year(framework: Framework, year: int | None) -> int:
    """`year`, or the latest wave's year; ReportError if the framework has no such wave."""
    years = years_of(framework)
    if not years:
        raise ReportError("no_waves")
    if year is None:
        return years[-1]
    if year not in years:
        raise ReportError("unknown_year", years)
    return year


def series_until(framework: Framework, year: int) -> list[IndicatorSeries]:
    """Each indicator's series as it stood in `year`: later waves (and register years) left
    out, and the follow-up worked out again from what remains."""
    out = []
    for series in queries.series_for(framework):
        waves = [w for w in series.waves if w.year <= year]
        out.append(IndicatorSeries(series.definition, series.indicator, waves,
                                   follow_up(series.indicator, waves) if waves else None))
    return out


def _summary_row(series: IndicatorSeries, card: present.Card) -> SummaryRow:
    change, significant = "", None
    previous = series.follow_up.overall.since_previous if series.follow_up else None
    if previous is not None and card.changes:
        view = card.changes[0]
        significant = view.significant
        parts = [view.value]
        if view.p_value:
            parts.append(f"({view.p_value})")
        if view.assessment:
            parts.append(f"– {view.assessment}")
        change = _("%(change)s since %(wave)s", change=" ".join(parts),
                   wave=series.follow_up.previous_wave)
    latest = card.latest
    return SummaryRow(
        key=card.key, title=card.title,
        year=str(card.latest_year) if card.latest_year else "–",
        value=latest.value if latest else "–", interval=latest.interval if latest else "",
        n=latest.n if latest else "", change=change, significant=significant,
        status=card.status, status_code=card.status_code,
        note=latest.note if latest else _("No figures yet."))


def _goal_section(goal: Goal, goals: list[Goal], cards: dict[int, list[present.Card]]
                  ) -> GoalSection:
    return GoalSection(
        goal.id, tr(goal.title), cards.get(goal.id, []),
        [_goal_section(sub, goals, cards) for sub in goals if sub.parent_id == goal.id])


def _date(value: datetime | date | None) -> str:
    return format_date(value, "long") if value is not None else "–"


def _run_info(run: WeightingRun) -> RunInfo:
    diagnostics = run.diagnostics or {}
    deff, effective = diagnostics.get("kish_deff"), diagnostics.get("effective_n")
    approver = run.approved_by
    settings = run.settings or {}
    margins = run.margin_set
    return RunInfo(
        id=run.id, method=str(METHOD_LABELS.get(settings.get("method"),
                                                settings.get("method", ""))),
        variables=[present.variable_label(v) for v in settings.get("variables", [])],
        margin_name=margins.name, margin_source=margins.source,
        margin_date=_date(margins.reference_date), approved_at=_date(run.approved_at),
        approved_by=approver.name if approver else "–",
        n_weighted=format_decimal(run.n_respondents), iterations=run.iterations,
        kish_deff=deff, effective_n=effective,
        kish_deff_text=format_decimal(deff, "#,##0.00") if deff is not None else "–",
        effective_n_text=format_decimal(round(effective)) if effective is not None else "–",
        notes=[run_messages.note(m) for m in diagnostics.get("messages", [])
               if m.get("code") in ("imputed", "sample_share")])


def _wave_method(wave: Wave) -> WaveMethod:
    survey = wave.survey
    total, completed, first, last = survey_queries.fieldwork(survey.id)
    start = survey.opens_at or first
    end = survey.closes_at or last
    fieldwork = (_("%(start)s to %(end)s", start=_date(start), end=_date(end))
                 if start is not None else "–")
    run = approved_run(survey.id)
    return WaveMethod(
        year=wave.year, survey_title=survey.title(survey.default_language),
        fieldwork=fieldwork, responses=format_decimal(total), completed=format_decimal(completed),
        run=_run_info(run) if run is not None else None,
        response_rate=response_rate_sentence(survey))


def _register_source(series: IndicatorSeries, year: int) -> RegisterSource | None:
    stored = series.definition.register_series
    if not stored:
        return None
    years = sorted(int(y) for y in stored["values"] if int(y) <= year)
    return RegisterSource(
        title=tr(series.definition.title),
        source=stored.get("source") or series.indicator.source or "–",
        label=stored.get("label") or "",
        years=f"{years[0]}–{years[-1]}" if len(years) > 1 else (str(years[0]) if years
                                                                 else "–"),
        updated=stored.get("updated") or "")


def build_report(framework: Framework, year: int | None = None) -> Report:
    """The report's content for `year` (default: the latest wave), in the current language.

    Reads only: the figures are the cached ones that the operations keep current.
    """
    year = report_year(framework, year)
    problems = [messages.problem_text(p) for p in queries.figure_problems(framework)
                if p.wave is None or p.wave <= year]
    options = present.option_labels(framework)
    series = series_until(framework, year)
    cards = [present.card(s, framework, options, detail=True) for s in series]
    by_key = {c.key: (s, c) for s, c in zip(series, cards, strict=True)}
    summary, areas = [], []
    for area in framework.focus_areas:
        keys = [d.key for d in queries.area_indicators(area)]
        summary.append((tr(area.title), [_summary_row(*by_key[k]) for k in keys]))
        goals = list(area.goals)
        placed = present.by_goal(area, [by_key[k][1] for k in keys])
        areas.append(AreaSection(area.key, tr(area.title), [
            _goal_section(goal, goals, placed) for goal in goals if goal.parent_id is None]))
    registers = [r for s in series if s.definition.kind == "register"
                 if (r := _register_source(s, year)) is not None]
    framework_title = tr_text(framework.title)
    return Report(
        framework=framework, year=year, language=LANGUAGES[g.content_language],
        title=_("Yearly follow-up %(year)s: %(framework)s", year=year,
                framework=framework_title),
        framework_title=framework_title, organisation=framework.organisation.name,
        created=format_date(date.today(), "long"), summary=summary, areas=areas,
        methods=[_wave_method(w) for w in framework.waves if w.year <= year],
        registers=registers, rules=present.rules_in_words(framework), problems=problems)


# -- documents -----------------------------------------------------------------------------
def stylesheet() -> str:
    """The report's style sheet, read at render time."""
    return STYLESHEET.read_text(encoding="utf-8")


def render_report_html(framework: Framework, year: int | None = None, lang: str = "sv",
                       css_url: str | None = None, pdf_url: str | None = None,
                       docx_url: str | None = None, back_url: str | None = None,
                       other_years: dict[int, str] | None = None) -> str:
    """The report as one HTML document in `lang`.

    With `css_url` (the served page) the style sheet is linked, and `pdf_url`, `back_url`
    and `other_years` make a small bar of links that is not printed; without it the style
    sheet is embedded, so the file stands alone.
    """
    with in_language(lang):
        report = build_report(framework, year)
        return render_template(
            "followup/report.html", report=report, css_url=css_url,
            css=None if css_url else stylesheet(), pdf_url=pdf_url, docx_url=docx_url,
            back_url=back_url,
            other_years=other_years or {},
            missing_characters=missing_characters(report_text(report)) if pdf_url else [])


def render_report_pdf(framework: Framework, year: int | None = None,
                      lang: str = "sv") -> bytes:
    """The report as PDF: the standalone HTML laid out by WeasyPrint (A4, numbered pages)."""
    return html_to_pdf(render_report_html(framework, year, lang))


def html_to_pdf(html: str) -> bytes:
    """A standalone report document as PDF."""
    from weasyprint import HTML  # imported here: only the PDF needs it, and it loads pango

    html = SVG_OPEN.sub(lambda m: m.group(1) + SVG_STYLE, html)
    html = SVG_TEXT.sub(_shaped_svg_text, html)
    return HTML(string=html, url_fetcher=_no_fetching).write_pdf()


def _shaped_svg_text(match: re.Match) -> str:
    """WeasyPrint draws SVG text letter by letter: Arabic script would come out unjoined and
    backwards. Chart labels in it get their joined letter forms, in visual order."""
    text = unescape(match.group(2))
    if not RTL_LETTERS.search(text):
        return match.group(0)
    from arabic_reshaper import reshape
    from bidi import get_display

    return match.group(1) + str(escape(get_display(reshape(text)))) + match.group(3)


def _no_fetching(url: str, *args, **kwargs):
    """The report is self-contained; refuse anything it might still point to."""
    raise ValueError(f"The report does not load {url}.")


def file_name(framework: Framework, year: int, lang: str, extension: str) -> str:
    """"uppfoljning-exempelby-kommun-2026-sv.pdf"."""
    return f"uppfoljning-{framework.slug}-{year}-{lang}.{extension}"


# -- fonts -----------------------------------------------------------------------------------
def visible_text(html: str) -> str:
    """The text of a document without its tags and style sheet."""
    body = re.sub(r"<(style|title)\b.*?</\1>", " ", html, flags=re.DOTALL)
    return unescape(re.sub(r"<[^>]+>", " ", body))


def report_text(report: Report) -> str:
    """The words the report prints in its own language (titles, goals, areas)."""
    parts = [report.title, report.organisation]
    for area in report.areas:
        parts.append(area.title)
        stack = list(area.goals)
        while stack:
            goal = stack.pop()
            stack += goal.subgoals
            parts.append(goal.title)
            for card in goal.cards:
                parts += [card.title, card.description, card.status]
    return " ".join(parts)


@functools.lru_cache(maxsize=1)
def _installed_coverage() -> tuple[tuple[int, int], ...] | None:
    """Code point ranges some installed font covers (fontconfig), or None without fc-list."""
    try:
        listing = subprocess.run(["fc-list", "--format", "%{charset}\n"], capture_output=True,
                                 text=True, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    ranges = set()
    for token in listing.split():
        low, _, high = token.partition("-")
        try:
            ranges.add((int(low, 16), int(high or low, 16)))
        except ValueError:
            continue
    return tuple(sorted(ranges))


def missing_characters(text: str) -> list[str]:
    """Characters of `text` that no installed font has: the PDF would show empty boxes.

    Empty when fontconfig cannot be asked (nothing is claimed then)."""
    coverage = _installed_coverage()
    if coverage is None:
        return []
    missing = set()
    for char in set(text):
        if char.isspace() or unicodedata.category(char) in ("Cc", "Cf"):
            continue
        point = ord(char)
        if not any(low <= point <= high for low, high in coverage):
            missing.add(char)
    return sorted(missing)
