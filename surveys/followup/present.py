"""Indicator figures in words and numbers for pages and the report, in the page's language.

Everything a template shows of an indicator is prepared here: formatted values and
intervals, changes with their test, the target status, group labels, suppression notes,
and the chart geometry. Views and the report only pick what they need.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flask_babel import format_decimal, format_percent, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from surveys.core.i18n import tr, tr_text
from surveys.followup import charts
from surveys.followup.models import FocusArea, Framework
from surveys.followup.values import IndicatorSeries
from surveys.indicators import Assessment, Change, Estimate, Gap, TargetStatus

VARIABLE_LABELS = {
    "born": _l("Country of birth"),
    "years_in_sweden": _l("Years in Sweden"),
    "gender": _l("Gender"),
    "age": _l("Age group"),
    "district": _l("District"),
}
CATEGORY_LABELS = {
    ("born", "inrikes"): _l("Born in Sweden"),
    ("born", "utrikes"): _l("Born abroad"),
    ("gender", "kvinna"): _l("Women"),
    ("gender", "man"): _l("Men"),
    ("gender", "annat"): _l("Another gender"),
}
STATUS_LABELS = {
    TargetStatus.REACHED: _l("Target reached"),
    TargetStatus.ON_TRACK: _l("On track to the target"),
    TargetStatus.NOT_ON_TRACK: _l("Not on track to the target"),
    TargetStatus.NO_TARGET: _l("No target set"),
    TargetStatus.UNKNOWN: _l("Status unknown"),
}
#: Smaller p-values are written "p < 0.001": three decimals cannot show them.
P_FLOOR = 0.001
ASSESSMENT_LABELS = {
    Assessment.IMPROVED: _l("Improved"),
    Assessment.WORSENED: _l("Worsened"),
    Assessment.UNCHANGED: _l("No significant change"),
}


def percent_pattern(decimals: int) -> str:
    """The locale's own percent pattern ("#,##0\u00a0%" in Swedish) with `decimals` decimals."""
    pattern = get_locale().percent_formats[None].pattern.split(";")[0]
    if not decimals:
        return pattern
    return re.sub(r"0(?![0#,.])", "0." + "0" * decimals, pattern, count=1)


def p_number(p: float | None) -> str:
    """A p-value in the page's language with three decimals, "< 0,001" below that (never
    "0,000"); "" when there is no test."""
    if p is None:
        return ""
    if p < P_FLOOR:
        return "< " + format_decimal(P_FLOOR, "0.000")
    return format_decimal(p, "0.000")


def p_text(p: float | None) -> str:
    """"p = 0,012" or "p < 0,001" (decimal separator of the page's language)."""
    number = p_number(p)
    if not number:
        return ""
    return f"p {number}" if number.startswith("<") else f"p = {number}"


def value_text(estimator: str, value: float | None, unit: str | None = None) -> str:
    """A share as a percentage, a mean or index with one decimal, a register value with unit."""
    if value is None:
        return "–"
    if estimator == "proportion":
        return format_percent(value, percent_pattern(1))
    text = format_decimal(value, "#,##0.0")
    if estimator == "register" and unit in ("percent", "procent"):
        return format_percent(value / 100, percent_pattern(1))
    return text


def difference_text(estimator: str, value: float | None, unit: str | None = None) -> str:
    """A change or gap with its sign; for shares in percentage points."""
    if value is None:
        return "–"
    if estimator == "proportion" or (estimator == "register" and unit in ("percent",
                                                                          "procent")):
        points = value * 100 if estimator == "proportion" else value
        return _("%(points)s percentage points",
                 points=format_decimal(points, "+#,##0.0;−#,##0.0"))
    return format_decimal(value, "+#,##0.0;−#,##0.0")


def interval_text(estimator: str, low: float | None, high: float | None,
                  unit: str | None = None) -> str:
    """"45.1–51.3 %" style 95% interval, or "" when there is none."""
    if low is None or high is None:
        return ""
    return _("%(low)s to %(high)s", low=value_text(estimator, low, unit),
             high=value_text(estimator, high, unit))


def suppression_text(reason: str | None, framework: Framework) -> str:
    """Why a figure is not shown."""
    if reason == "small_group":
        return _("Fewer than %(n)s respondents: not shown", n=framework.min_group_size)
    if reason == "no_data":
        return _("No data")
    if reason == "complement":
        return _("Not shown, so that no small group can be worked out from the other figures")
    return ""


def group_label(variable: str, value: Any, options: dict[str, dict[str, str]]) -> str:
    """A group's name: the platform's label, a question option's label, or the code."""
    known = CATEGORY_LABELS.get((variable, value))
    if known is not None:
        return str(known)
    label = options.get(variable, {}).get(str(value))
    if label:
        return str(label)
    if variable == "age":
        return _("%(range)s years", range=str(value).replace("-", "–"))
    return str(value)


def variable_label(variable: str) -> str:
    """A grouping's name."""
    return str(VARIABLE_LABELS.get(variable, variable))


def option_labels(framework: Framework) -> dict[str, dict[str, str]]:
    """Question key -> option code -> label, from the latest wave's survey."""
    if not framework.waves:
        return {}
    survey = framework.waves[-1].survey
    labels: dict[str, dict[str, str]] = {}
    for question in survey.questions():
        options = (question.settings or {}).get("options") or []
        if options:
            labels[question.key] = {o["code"]: tr_text(o["label"]) for o in options}
    return labels


@dataclass
class Row:
    """One line of a figure table."""

    label: str
    value: str
    interval: str
    n: str
    note: str = ""
    uncertain: bool = False
    #: A gap's test: its p and the p adjusted for the wave's other gaps ("0,012", "< 0,001").
    p: str = ""
    p_adjusted: str = ""


@dataclass
class ChangeView:
    label: str
    value: str
    interval: str
    #: "p = 0,012" / "p < 0,001" for running text.
    p_value: str
    assessment: str
    significant: bool | None
    #: For tables: p and the p adjusted for the changes tested with it ("0,012", "< 0,001").
    p: str = ""
    p_adjusted: str = ""


@dataclass
class GroupChangeView:
    """One group's change since the previous wave, tested with every other group's."""

    grouping: str
    change: ChangeView


@dataclass
class GroupView:
    variable: str
    label: str
    rows: list[Row]
    chart: charts.GroupChart
    summary: str


@dataclass
class Card:
    """One indicator as a dashboard card, a report section or a public entry."""

    key: str
    goal_id: int
    #: Escaped, with a fallback text marked with its language.
    title: Markup
    #: The same as plain text, for SVG titles and descriptions.
    title_text: str
    description: Markup
    estimator: str
    unit: str | None
    direction: str
    public: bool
    latest_year: int | None
    latest: Row | None
    status: str
    status_code: str
    target: str
    source: str | None
    changes: list[ChangeView]
    trend_rows: list[Row]
    trend: charts.TrendChart | None
    trend_summary: str
    groups: list[GroupView] = field(default_factory=list)
    gaps: list[Row] = field(default_factory=list)
    #: Every group's change since the previous wave (one family of tests).
    group_changes: list[GroupChangeView] = field(default_factory=list)
    previous_wave: Any = None
    uncertain_any: bool = False


def _row(label: str, est: Estimate, estimator: str, unit: str | None,
         framework: Framework) -> Row:
    if est.suppressed:
        return Row(label, "–", "", "", suppression_text(est.suppressed, framework))
    return Row(label, value_text(estimator, est.value, unit),
               interval_text(estimator, est.ci_low, est.ci_high, unit),
               format_decimal(est.n) if est.n is not None else "",
               _("Uncertain: large standard error") if est.uncertain else "",
               uncertain=est.uncertain)


def _gap_row(gap: Gap, variable_options, estimator: str, unit: str | None,
             framework: Framework) -> Row:
    label = _("%(a)s minus %(b)s",
              a=group_label(gap.variable, gap.minuend, variable_options),
              b=group_label(gap.variable, gap.subtrahend, variable_options))
    if gap.suppressed:
        return Row(label, "–", "", "", suppression_text(gap.suppressed, framework))
    note = ""
    if gap.significant is not None:
        note = _("Significant gap") if gap.significant else _("Not significant")
    return Row(label, difference_text(estimator, gap.value, unit),
               interval_text_difference(estimator, gap.ci_low, gap.ci_high, unit), "", note,
               uncertain=gap.uncertain, p=p_number(gap.p_value),
               p_adjusted=p_number(gap.p_adjusted))


def interval_text_difference(estimator: str, low: float | None, high: float | None,
                             unit: str | None) -> str:
    """The interval of a change or gap: signed numbers in the change's own unit."""
    if low is None or high is None:
        return ""
    scale = 100 if estimator == "proportion" else 1
    signed = "+#,##0.0;−#,##0.0"
    return _("%(low)s to %(high)s", low=format_decimal(low * scale, signed),
             high=format_decimal(high * scale, signed))


def _change_view(label: str, change: Change | None, estimator: str, unit: str | None,
                 framework: Framework) -> ChangeView | None:
    if change is None:
        return None
    if change.suppressed:
        return ChangeView(label, "–", "", "", suppression_text(change.suppressed, framework),
                          None)
    return ChangeView(
        label, difference_text(estimator, change.value, unit),
        interval_text_difference(estimator, change.ci_low, change.ci_high, unit),
        p_text(change.p_value),
        str(ASSESSMENT_LABELS[change.assessment]) if change.assessment else "",
        change.significant, p=p_number(change.p_value), p_adjusted=p_number(change.p_adjusted))


def _scale_limits(estimator: str) -> tuple[float | None, float | None, Any]:
    if estimator == "proportion":
        return 0.0, 1.0, lambda v: format_percent(v, percent_pattern(0))
    return None, None, lambda v: format_decimal(v, "#,##0.#")


def card(series: IndicatorSeries, framework: Framework,
         options: dict[str, dict[str, str]], detail: bool = True) -> Card:
    """The card of one indicator; `detail` adds the group breakdown and gaps."""
    definition, indicator = series.definition, series.indicator
    estimator = series.latest.estimator if series.latest else (
        "register" if definition.kind == "register" else
        "proportion" if definition.kind == "share" else "mean")
    stored = definition.register_series or {}
    unit = stored.get("unit") or definition.definition.get("unit")
    floor, ceiling, tick = _scale_limits(estimator)
    latest = series.latest
    trend_rows = [_row(str(w.year), w.overall, estimator, unit, framework) for w in series.waves]
    points = [charts.Point(str(w.year), w.overall.value, w.overall.ci_low, w.overall.ci_high)
              for w in series.waves]
    target = indicator.target
    trend = charts.trend(points, tick, target=target.value if target else None,
                         floor=floor, ceiling=ceiling) if points else None
    follow = series.follow_up
    changes = []
    if follow is not None:
        changes = [c for c in (
            _change_view(_("Since %(wave)s", wave=follow.previous_wave),
                         follow.overall.since_previous, estimator, unit, framework),
            _change_view(_("Since the baseline %(wave)s", wave=follow.baseline_wave),
                         follow.overall.since_baseline, estimator, unit, framework)
            if follow.baseline_wave is not None and follow.baseline_wave != follow.previous_wave
            else None,
        ) if c is not None]
    status_code = str(follow.status) if follow else str(TargetStatus.UNKNOWN)
    target_text = ""
    if target is not None:
        target_text = _("Target: %(value)s by %(year)s",
                        value=value_text(estimator, target.value, unit), year=target.year)
    summary = "; ".join(f"{r.label}: {r.value}" + (f" ({r.interval})" if r.interval else "")
                        for r in trend_rows)
    result = Card(
        key=definition.key, goal_id=definition.goal_id, title=tr(definition.title),
        title_text=tr_text(definition.title), description=tr(definition.description),
        estimator=estimator, unit=unit,
        direction=str(indicator.direction), public=definition.public,
        latest_year=latest.year if latest else None,
        latest=_row(str(latest.year), latest.overall, estimator, unit, framework)
        if latest else None,
        status=str(STATUS_LABELS[TargetStatus(status_code)]), status_code=status_code,
        target=target_text, source=latest.source if latest else None, changes=changes,
        trend_rows=trend_rows, trend=trend, trend_summary=summary,
    )
    if detail and latest is not None:
        for variable, estimates in latest.groups.items():
            rows = [_row(group_label(variable, e.group, options), e, estimator, unit, framework)
                    for e in estimates]
            chart_points = [charts.Point(r.label, e.value, e.ci_low, e.ci_high)
                            for r, e in zip(rows, estimates, strict=True)]
            chart = charts.by_group(chart_points, tick, overall=latest.overall.value,
                                    floor=floor, ceiling=ceiling)
            group_summary = "; ".join(f"{r.label}: {r.value}" for r in rows)
            result.groups.append(GroupView(variable, variable_label(variable), rows, chart,
                                           group_summary))
        result.gaps = [_gap_row(g, options, estimator, unit, framework) for g in latest.gaps]
        if follow is not None and follow.previous_wave is not None:
            result.previous_wave = follow.previous_wave
            result.group_changes = [
                GroupChangeView(variable_label(c.variable), view)
                for c in follow.groups
                if (view := _change_view(group_label(c.variable, c.group, options),
                                         c.comparison.since_previous, estimator, unit,
                                         framework)) is not None]
    result.uncertain_any = any(r.uncertain for r in trend_rows) or any(
        r.uncertain for g in result.groups for r in g.rows)
    return result


def by_goal(area: FocusArea, shown: list[Card]) -> dict[int, list[Card]]:
    """The cards under each goal of a focus area: the indicators it defines and those it
    follows, each card under the first goal that has it (a page shows it once)."""
    by_key = {c.key: c for c in shown}
    placed: set[str] = set()
    out: dict[int, list[Card]] = {}
    for goal in area.goals:
        for definition in goal.all_indicators():
            if definition.key in by_key and definition.key not in placed:
                placed.add(definition.key)
                out.setdefault(goal.id, []).append(by_key[definition.key])
    return out


def cards(framework: Framework, series: list[IndicatorSeries], detail: bool) -> list[Card]:
    """The cards of several indicators, their groups' option labels looked up once."""
    options = option_labels(framework)
    return [card(s, framework, options, detail=detail) for s in series]


def rules_in_words(framework: Framework) -> list[str]:
    """The disclosure rules as sentences, with the framework's own numbers."""
    return [
        _("Groups with fewer than %(n)s respondents are not shown, nor are other groups "
          "from which they could be worked out by subtraction, nor gaps and changes that "
          "would rest on them.", n=framework.min_group_size),
        _("An estimate whose relative standard error (standard error divided by the "
          "estimate; for a share, by the smaller of the share and one minus it) is above "
          "%(rse)s is marked as uncertain, and so is a share of none or all of a group, whose "
          "interval is then the exact (Clopper–Pearson) one.",
          rse=format_percent(framework.max_rse, percent_pattern(0))),
        _("Intervals are %(level)s confidence intervals that take the weighting into "
          "account; a change or gap is called significant when its p-value is below "
          "%(alpha)s.", level=format_percent(0.95, percent_pattern(0)),
          alpha=format_decimal(0.05, "0.00")),
        _("Where many groups are tested at once (every group's change, the gaps of a "
          "year), the p-values are adjusted with the Benjamini–Hochberg method, so that "
          "chance findings among them stay few; whether a change or gap is called "
          "significant, improved or worsened follows the adjusted p-value, and both are "
          "shown."),
    ]
