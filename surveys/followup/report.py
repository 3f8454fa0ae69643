"""The yearly follow-up report: its content, as HTML and as PDF.

`build_report` gathers what the report says for one framework and year. It opens with
each focus area's plain-language summary (the analyst's saved text in the report's
language, else the draft `summary_draft` makes from the figures) and a table of every
indicator; then, per focus area, the actions serving its goals with their status, what
residents said at dialogue events (both from `report_parts` providers), and the goals with
the indicators' full cards (the same `present.card` the dashboard shows, computed from the
waves up to that year only). The method (each wave's responses, approved weighting run and
design effect, the disclosure rules in words) is an appendix.

`audience="residents"` makes the shorter version for residents: public indicators only,
each as a value, an interval in words ("between 45 and 51 %") and its change in words; no
charts, group tables or method terms; a short appendix on how the figures are made.

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
from markupsafe import Markup, escape

from surveys.core.i18n import LANGUAGES, Language, tr, tr_text
from surveys.core.pdf import tagged_pdf
from surveys.fieldwork.summary import response_rate_sentence
from surveys.followup import messages, present, queries, report_parts, summary_draft
from surveys.followup.models import FocusArea, Framework, Goal, Wave
from surveys.followup.report_parts import EventEvidence, GoalActions, ThemeRaised
from surveys.followup.values import IndicatorSeries
from surveys.indicators import follow_up
from surveys.indicators.plain_summary import Finding
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


#: Who a report is for: staff (the council, the committees) or residents.
AUDIENCES = ("staff", "residents")


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
class AreaText:
    """A focus area's plain-language summary as the report prints it."""

    paragraphs: list[str]
    #: True when an analyst saved it; False for the draft made from the figures.
    written: bool


@dataclass
class PlainIndicator:
    """An indicator in the residents' version: words instead of method terms."""

    key: str
    title: Markup
    year: str
    value: str
    #: "between 45 and 51 %", or "" without an interval.
    between: str
    #: The change since the previous wave in words, or "".
    change: str
    status: str
    note: str


@dataclass
class AreaSection:
    key: str
    title: str
    goals: list[GoalSection]
    summary: AreaText
    actions: list[GoalActions] = field(default_factory=list)
    said: list[EventEvidence] = field(default_factory=list)
    themes: list[ThemeRaised] = field(default_factory=list)
    plain: list[PlainIndicator] = field(default_factory=list)


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
    audience: str = "staff"

    @property
    def for_residents(self) -> bool:
        return self.audience == "residents"


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


def area_draft(framework: Framework, area: FocusArea, year: int) -> str:
    """The draft summary of a focus area for `year`'s report, in the current language."""
    series = [s for s in series_until(framework, year)
              if s.definition.goal.focus_area_id == area.id]
    return summary_draft.draft(series, present.option_labels(framework))


def paragraphs(text: str) -> list[str]:
    """Plain text split at blank lines, each paragraph's line breaks kept as spaces."""
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]


def residents_said(framework: Framework, area: FocusArea, goals: list[Goal],
                   year: int) -> list[EventEvidence]:
    """What residents said about the focus area in `year`: the published dialogue events
    linked to its goals' actions or held on the area, with their most agreed statements
    (`dialog/report_part.py`), in the report's language."""
    provider = report_parts.PROVIDERS.get("dialogue")
    if provider is None:
        return []
    return provider(framework, area, goals, year, g.content_language)


def themes_raised(framework: Framework, goals: list[Goal], year: int) -> list[ThemeRaised]:
    """The themes linked to the goals, with how often residents raised them in `year` at
    dialogue events and in survey comments (`surveys/themes/report_part.py`)."""
    provider = report_parts.PROVIDERS.get("themes")
    return provider(framework, goals, year, g.content_language) if provider else []


def goal_actions(framework: Framework, goals: list[Goal], year: int) -> list[GoalActions]:
    """The actions serving the goals, goal by goal, with their status at the end of `year`
    (`surveys/actions/report_part.py`)."""
    provider = report_parts.PROVIDERS.get("actions")
    return provider(framework, goals, year) if provider is not None else []


def between_text(estimator: str, low: float | None, high: float | None,
                 unit: str | None) -> str:
    """An interval in words, in whole numbers: "between 45 and 51 %"."""
    if low is None or high is None:
        return ""
    if estimator == "proportion" or (estimator == "register" and unit in ("percent",
                                                                          "procent")):
        scale = 100 if estimator == "proportion" else 1
        return _("between %(low)s and %(high)s %%", low=format_decimal(round(low * scale)),
                 high=format_decimal(round(high * scale)))
    return _("between %(low)s and %(high)s", low=format_decimal(low, "#,##0.0"),
             high=format_decimal(high, "#,##0.0"))


def _plain(series: IndicatorSeries, card: present.Card,
           finding: Finding | None) -> PlainIndicator:
    latest = series.latest
    note, between = "", ""
    if latest is None:
        note = _("No figures yet.")
    elif latest.overall.suppressed:
        note = present.suppression_text(latest.overall.suppressed, series.definition.framework)
    else:
        between = between_text(latest.estimator, latest.overall.ci_low,
                               latest.overall.ci_high, card.unit)
        if latest.overall.uncertain:
            note = _("Few answers: the figure is uncertain.")
    change = ""
    if finding is not None and finding.overall is not None:
        change = summary_draft.change_sentence(card.title_text, finding.overall)
    return PlainIndicator(
        key=card.key, title=card.title,
        year=str(card.latest_year) if card.latest_year else "–",
        value=card.latest.value if card.latest else "–",
        between=between, change=change, status=card.status, note=note)


def build_report(framework: Framework, year: int | None = None,
                 audience: str = "staff") -> Report:
    """The report's content for `year` (default: the latest wave), in the current language,
    for `audience` ("staff" or "residents": see the module docstring).

    Reads only: the figures are the cached ones that the operations keep current.
    """
    year = report_year(framework, year)
    residents = audience == "residents"
    problems = [] if residents else [
        messages.problem_text(p) for p in queries.figure_problems(framework)
        if p.wave is None or p.wave <= year]
    options = present.option_labels(framework)
    series = [s for s in series_until(framework, year)
              if s.definition.public or not residents]
    cards = [present.card(s, framework, options, detail=not residents) for s in series]
    by_key = {c.key: (s, c) for s, c in zip(series, cards, strict=True)}
    saved = queries.area_summaries(framework, year, g.content_language)
    # one pass over the year's tagged statements and answers for the whole framework
    raised = themes_raised(framework, [goal for a in framework.focus_areas for goal in a.goals],
                           year)
    summary, areas = [], []
    for area in framework.focus_areas:
        keys = [d.key for d in queries.area_indicators(area) if d.key in by_key]
        area_series = [by_key[k][0] for k in keys]
        summary.append((tr(area.title), [_summary_row(*by_key[k]) for k in keys]))
        goals = list(area.goals)
        placed = present.by_goal(area, [by_key[k][1] for k in keys])
        text = saved.get(area.id)
        section = AreaSection(
            area.key, tr(area.title),
            [] if residents else [_goal_section(goal, goals, placed)
                                  for goal in goals if goal.parent_id is None],
            summary=AreaText(paragraphs(text.text), True) if text is not None else AreaText(
                paragraphs(summary_draft.draft(area_series, options)), False),
            actions=goal_actions(framework, goals, year),
            said=residents_said(framework, area, goals, year),
            themes=[t for t in raised if t.goal_id in {goal.id for goal in goals}])
        if residents:
            found = summary_draft.findings(area_series)
            section.plain = [_plain(by_key[k][0], by_key[k][1], found.get(k)) for k in keys]
        areas.append(section)
    registers = [r for s in series if s.definition.kind == "register"
                 if (r := _register_source(s, year)) is not None]
    framework_title = tr_text(framework.title)
    return Report(
        framework=framework, year=year, language=LANGUAGES[g.content_language],
        title=(_("What happened in %(year)s: %(framework)s", year=year,
                 framework=framework_title) if residents else
               _("Yearly follow-up %(year)s: %(framework)s", year=year,
                 framework=framework_title)),
        framework_title=framework_title, organisation=framework.organisation.name,
        created=format_date(date.today(), "long"), summary=summary, areas=areas,
        methods=[_wave_method(w) for w in framework.waves if w.year <= year],
        registers=registers, rules=present.rules_in_words(framework), problems=problems,
        audience=audience)


# -- documents -----------------------------------------------------------------------------
def stylesheet() -> str:
    """The report's style sheet, read at render time."""
    return STYLESHEET.read_text(encoding="utf-8")


@dataclass
class PageLinks:
    """What the served page adds in a bar that is not printed (files have none)."""

    back_url: str
    #: POST addresses that make the PDF and the Word document (staff only).
    pdf_url: str | None = None
    docx_url: str | None = None
    #: Year -> the same report for that year.
    other_years: dict[int, str] = field(default_factory=dict)
    #: The other version (staff <-> residents): its label and address.
    other_version: tuple[str, str] | None = None
    #: Focus area key -> where an analyst writes its summary.
    edit_urls: dict[str, str] = field(default_factory=dict)


def render_report_html(framework: Framework, year: int | None = None, lang: str = "sv",
                       css_url: str | None = None, links: PageLinks | None = None,
                       audience: str = "staff") -> str:
    """The report as one HTML document in `lang` for `audience`.

    With `css_url` (the served page) the style sheet is linked, and `links` make a small
    bar of links that is not printed; without it the style sheet is embedded, so the file
    stands alone.
    """
    with in_language(lang):
        report = build_report(framework, year, audience)
        return render_template(
            "followup/report.html", report=report, certainty_note=summary_draft.certainty_note,
            css_url=css_url,
            css=None if css_url else stylesheet(), links=links,
            missing_characters=missing_characters(report_text(report))
            if links and links.pdf_url else [])


def render_report_pdf(framework: Framework, year: int | None = None, lang: str = "sv",
                      audience: str = "staff") -> bytes:
    """The report as PDF: the standalone HTML laid out by WeasyPrint (A4, numbered pages)."""
    return html_to_pdf(render_report_html(framework, year, lang, audience=audience))


def html_to_pdf(html: str) -> bytes:
    """A standalone report document as tagged PDF."""
    html = SVG_OPEN.sub(lambda m: m.group(1) + SVG_STYLE, html)
    html = SVG_TEXT.sub(_shaped_svg_text, html)
    return tagged_pdf(html)


def _shaped_svg_text(match: re.Match) -> str:
    """WeasyPrint draws SVG text letter by letter: Arabic script would come out unjoined and
    backwards. Chart labels in it get their joined letter forms, in visual order."""
    text = unescape(match.group(2))
    if not RTL_LETTERS.search(text):
        return match.group(0)
    from arabic_reshaper import reshape
    from bidi import get_display

    return match.group(1) + str(escape(get_display(reshape(text)))) + match.group(3)


def file_name(framework: Framework, year: int, lang: str, extension: str,
              audience: str = "staff") -> str:
    """"uppfoljning-exempelby-kommun-2026-sv.pdf" ("...-2026-sv-ll-invanare.pdf" for
    residents)."""
    suffix = "-invanare" if audience == "residents" else ""
    return f"uppfoljning-{framework.slug}-{year}-{lang}{suffix}.{extension}"


# -- fonts -----------------------------------------------------------------------------------
def visible_text(html: str) -> str:
    """The text of a document without its tags and style sheet."""
    body = re.sub(r"<(style|title)\b.*?</\1>", " ", html, flags=re.DOTALL)
    return unescape(re.sub(r"<[^>]+>", " ", body))


def report_text(report: Report) -> str:
    """The words the report prints in its own language (titles, summaries, goals, areas)."""
    parts = [report.title, report.organisation]
    for area in report.areas:
        parts += [area.title, *area.summary.paragraphs]
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
