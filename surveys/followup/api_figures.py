"""What the read API returns: frameworks, indicators and their stored figures as JSON and
CSV, and its errors as RFC 9457 problem details.

The figures are the stored `WaveResult` dicts (already through the framework's disclosure
rules), picked field by field so the API's shape is documented and stable, and never more
than aggregates: no respondent-level value leaves through here. Shares (0-1) are rounded
to :data:`SHARE_DECIMALS` decimals, which every indicator states in ``decimals``; other
kinds keep full precision. An :class:`ApiView` says what the caller asked to see (years,
one grouping, the labels of groups in the caller's language).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from surveys.auth.models import Organisation
from surveys.core.data import BOM, safe_cell
from surveys.core.problems import http_problem
from surveys.followup.comparisons import Entry
from surveys.followup.models import Framework, Goal, IndicatorDefinition
from surveys.followup.values import IndicatorSeries

#: Fields of an estimate (whole population or one group).
ESTIMATE_FIELDS = ("value", "se", "ci_low", "ci_high", "n", "suppressed", "uncertain")
#: Fields of a gap between two groups.
GAP_FIELDS = ("variable", "minuend", "subtrahend", "value", "se", "ci_low", "ci_high",
              "p_value", "p_adjusted", "significant", "suppressed", "uncertain")
#: Fields of a change between two waves.
CHANGE_FIELDS = ("since", "value", "se", "ci_low", "ci_high", "z", "p_value", "p_adjusted",
                 "significant", "assessment", "suppressed")
#: Columns of the long CSV, one row per indicator x wave x (whole population | group | gap).
CSV_COLUMNS = ("indicator", "title", "kind", "year", "row_type", "variable", "group",
               "group_label", "compared_with", "compared_with_label", "value", "ci_low",
               "ci_high", "se", "n", "p_value", "p_adjusted", "suppressed", "uncertain",
               "source")
#: Decimals of a share (0-1) and of its SE, interval and changes: 0.01 percentage points.
SHARE_DECIMALS = 4
#: Fields that are in the indicator's unit, and so rounded for shares.
IN_UNIT = ("value", "se", "ci_low", "ci_high", "required")

#: Titles of the API's own problem types; other errors are plain HTTP ones.
PROBLEM_TITLES = {
    "invalid_token": "Invalid access token",
    "framework_not_found": "Framework not found",
    "indicator_not_found": "Indicator not found",
    "grouping_not_found": "Grouping not found",
    "unknown_format": "Unknown format",
    "unknown_dialect": "Unknown CSV dialect",
    "invalid_parameter": "Invalid query parameter",
}


def problem(status: int, code: str, detail: str) -> dict[str, Any]:
    """An error of the indicator API as RFC 9457 problem details."""
    return http_problem(status, code, detail, PROBLEM_TITLES.get(code))


@dataclass(frozen=True)
class ApiView:
    """What the caller asked to see and how groups are named."""

    #: (variable, group code) -> the group's name in the caller's language.
    label: Callable[[str, Any], str]
    #: The organisation the figures belong to (its name and kommunkod go on each indicator).
    organisation: Organisation | None = None
    #: The framework asked for: where its goals place each indicator.
    framework: Framework | None = None
    #: Only waves of these years; None: every wave.
    years: frozenset[int] | None = None
    #: Only this grouping's groups and gaps (and, in the list, its groups); None: all.
    group: str | None = None

    def wants_year(self, year: int) -> bool:
        return self.years is None or year in self.years

    def wants_variable(self, variable: str) -> bool:
        return self.group is None or variable == self.group


def _pick(data: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    return {name: data.get(name) for name in names}


def framework_json(framework: Framework, visible: list[IndicatorDefinition],
                   access: str) -> dict[str, Any]:
    """The framework's structure with the keys of the indicators the caller may see (under
    each goal: those it defines and those it follows)."""
    shown = {d.id for d in visible}

    def goal_json(goal: Goal, goals: list[Goal]) -> dict[str, Any]:
        """A goal with its sub-goals, to any depth."""
        return {"id": goal.id, "title": dict(goal.title),
                "indicators": [d.key for d in goal.all_indicators() if d.id in shown],
                "subgoals": [goal_json(sub, goals) for sub in goals if sub.parent_id == goal.id]}

    areas = []
    for area in framework.focus_areas:
        areas.append({"key": area.key, "title": dict(area.title), "goals": [
            goal_json(g, area.goals) for g in area.goals if g.parent_id is None]})
    return {
        **framework_head(framework, access),
        "organisation": framework.organisation.name,
        "groupings": list(framework.groupings),
        "gaps": [{"variable": v, "minuend": a, "subtrahend": b} for v, a, b in framework.gaps],
        "focus_areas": areas,
    }


def framework_head(framework: Framework, access: str) -> dict[str, Any]:
    """What every framework response starts with: which framework, rules, waves, access."""
    return {
        "slug": framework.slug,
        "title": dict(framework.title),
        "published": framework.published,
        "access": access,
        "disclosure": {"min_group_size": framework.min_group_size,
                       "max_rse": framework.max_rse},
        "waves": [w.year for w in framework.waves],
    }


def definition_json(definition: IndicatorDefinition, framework: Framework | None = None
                    ) -> dict[str, Any]:
    """The indicator's definition summary: what it measures, where it sits (in `framework`:
    the first of its goals that follows it), its target."""
    stored = definition.definition
    goal = definition.goal
    if framework is not None and definition.framework_id != framework.id:
        goal = next((g for a in framework.focus_areas for g in a.goals
                     if definition in g.linked_indicators), goal)
    register = definition.register_series
    return {
        "key": definition.key,
        "kind": definition.kind,
        "direction": stored.get("direction"),
        "baseline": stored.get("baseline_wave"),
        "target": stored.get("target"),
        "title": dict(definition.title),
        "description": dict(definition.description or {}),
        "focus_area": goal.focus_area.key,
        "goal": {"id": goal.id, "title": dict(goal.title), "parent_id": goal.parent_id},
        "public": definition.public,
        "definition": {k: v for k, v in stored.items() if k != "key"},
        "register": None if not register else _pick(register, ("source", "label", "unit",
                                                               "updated")),
    }


def decimals_of(definition: IndicatorDefinition) -> int | None:
    """Decimals the API rounds the indicator's values to: shares only."""
    return SHARE_DECIMALS if definition.kind == "share" else None


def _rounded(data: dict[str, Any], decimals: int | None) -> dict[str, Any]:
    if decimals is None:
        return data
    return {k: round(v, decimals) if k in IN_UNIT and isinstance(v, float) else v
            for k, v in data.items()}


def estimate_json(estimate: dict[str, Any], decimals: int | None = None) -> dict[str, Any]:
    """One stored estimate in the API's fields."""
    return _rounded(_pick(estimate, ESTIMATE_FIELDS), decimals)


def _group_json(variable: str, estimate: dict[str, Any], view: ApiView,
                decimals: int | None) -> dict[str, Any]:
    group = estimate.get("group")
    return {"variable": variable, "group": group, "label": view.label(variable, group),
            **estimate_json(estimate, decimals)}


def _gap_json(gap: dict[str, Any], view: ApiView, decimals: int | None) -> dict[str, Any]:
    return {**_rounded(_pick(gap, GAP_FIELDS), decimals),
            "minuend_label": view.label(gap["variable"], gap["minuend"]),
            "subtrahend_label": view.label(gap["variable"], gap["subtrahend"])}


def wave_json(result: dict[str, Any], detail: bool, view: ApiView,
              decimals: int | None = None) -> dict[str, Any]:
    """One wave of an indicator; with `detail` (or a grouping asked for), groups and gaps."""
    out = {"year": result["year"], "wave": result["wave"], "source": result.get("source"),
           "overall": estimate_json(result["overall"], decimals)}
    if detail or view.group is not None:
        out["groups"] = [_group_json(variable, e, view, decimals)
                         for variable, estimates in result.get("groups", {}).items()
                         if view.wants_variable(variable) for e in estimates]
        out["gaps"] = [_gap_json(g, view, decimals) for g in result.get("gaps", [])
                       if view.wants_variable(g["variable"])]
    return out


def _comparison(data: dict[str, Any], decimals: int | None) -> dict[str, Any]:
    return {part: None if data.get(part) is None else _rounded(
        _pick(data[part], CHANGE_FIELDS), decimals) for part in ("since_previous",
                                                                 "since_baseline")}


def follow_up_json(series: IndicatorSeries, detail: bool, view: ApiView,
                   decimals: int | None = None) -> dict[str, Any] | None:
    """Change since the previous wave and the baseline, and status against the target."""
    if series.follow_up is None:
        return None
    data = series.follow_up.to_dict()
    out = {"latest_wave": data["latest"]["wave"], "previous_wave": data["previous_wave"],
           "baseline_wave": data["baseline_wave"], **_comparison(data["overall"], decimals),
           "status": data["status"],
           **_rounded({"required": data["required"]}, decimals)}
    if detail:
        out["groups"] = [{"variable": g["variable"], "group": g["group"],
                          "label": view.label(g["variable"], g["group"]),
                          **_comparison(g, decimals)}
                         for g in data["groups"] if view.wants_variable(g["variable"])]
        out["gaps"] = [{"variable": g["variable"], "minuend": g["minuend"],
                        "subtrahend": g["subtrahend"],
                        "minuend_label": view.label(g["variable"], g["minuend"]),
                        "subtrahend_label": view.label(g["variable"], g["subtrahend"]),
                        **_comparison(g, decimals)}
                       for g in data["gaps"] if view.wants_variable(g["variable"])]
    return out


#: Fields of a comparison's difference (ours minus theirs).
DIFFERENCE_FIELDS = ("value", "se", "ci_low", "ci_high", "z", "p_value", "significant")


def comparison_json(entry: Entry, decimals: int | None) -> dict[str, Any]:
    """One comparison figure: whose, which year, the value and, where there is one, the
    interval, and ours minus it with its test."""
    diff = entry.difference
    return {"role": entry.role, "area_code": entry.area_code, "name": entry.name,
            "year": entry.year,
            **_rounded({"value": entry.value, "se": entry.se, "ci_low": entry.ci_low,
                        "ci_high": entry.ci_high}, decimals),
            "n": entry.n,
            "difference": None if diff is None else _rounded(
                {name: getattr(diff, name) for name in DIFFERENCE_FIELDS}, decimals)}


def indicator_json(series: IndicatorSeries, view: ApiView, detail: bool = False,
                   comparisons: Iterable[Entry] = ()) -> dict[str, Any]:
    """An indicator with its organisation, its waves (oldest first), its follow-up and its
    comparisons."""
    decimals = decimals_of(series.definition)
    return {
        **definition_json(series.definition, view.framework),
        "organisation": view.organisation.name if view.organisation else None,
        "municipality_code": view.organisation.municipality_code if view.organisation else None,
        "decimals": decimals,
        "waves": [wave_json(w.to_dict(), detail, view, decimals) for w in series.waves
                  if view.wants_year(w.year)],
        "follow_up": follow_up_json(series, detail, view, decimals),
        "comparisons": [comparison_json(e, decimals) for e in comparisons
                        if view.wants_year(e.year)],
    }


# -- CSV ------------------------------------------------------------------------------------
def csv_rows(all_series: Iterable[IndicatorSeries], lang: str,
             view: ApiView | None = None) -> Iterator[dict[str, Any]]:
    """The long table: per indicator and wave, the whole population, each group, each gap:
    those `view` asks for, shares rounded; without one, everything in full precision,
    groups labelled by their codes."""
    rounded = view is not None
    view = view or ApiView(lambda _variable, group: str(group))
    for series in all_series:
        definition = series.definition
        title = _title(definition, lang)
        decimals = decimals_of(definition) if rounded else None
        for wave in series.waves:
            if not view.wants_year(wave.year):
                continue
            result = wave.to_dict()
            head = {"indicator": definition.key, "title": title, "kind": definition.kind,
                    "year": result["year"], "source": result.get("source")}
            yield {**head, "row_type": "overall", **_csv_estimate(result["overall"], decimals)}
            for variable, estimates in result.get("groups", {}).items():
                if not view.wants_variable(variable):
                    continue
                for e in estimates:
                    yield {**head, "row_type": "group", "variable": variable,
                           "group": e.get("group"),
                           "group_label": view.label(variable, e.get("group")),
                           **_csv_estimate(e, decimals)}
            for gap in result.get("gaps", []):
                if not view.wants_variable(gap["variable"]):
                    continue
                yield {**head, "row_type": "gap", "variable": gap["variable"],
                       "group": gap["minuend"],
                       "group_label": view.label(gap["variable"], gap["minuend"]),
                       "compared_with": gap["subtrahend"],
                       "compared_with_label": view.label(gap["variable"], gap["subtrahend"]),
                       **_rounded(_pick(gap, ("value", "ci_low", "ci_high", "se", "p_value",
                                              "p_adjusted", "suppressed", "uncertain")),
                                  decimals)}


def comparison_rows(all_series: Iterable[IndicatorSeries], entries: Mapping[str, list],
                    lang: str) -> Iterator[dict[str, Any]]:
    """The indicators' comparisons (`comparisons.entries_for`: Kolada's areas for register
    indicators, organisations that share theirs for survey ones) as rows of the long table:
    whose figure (`variable` its role, `group` its area code, `group_label` its name), the
    figure in full precision, and in `p_value` the test of ours against it where there is
    one."""
    for series in all_series:
        definition = series.definition
        title = _title(definition, lang)
        for entry in entries.get(definition.key, ()):
            yield {"indicator": definition.key, "title": title, "kind": definition.kind,
                   "year": entry.year, "row_type": "comparison", "variable": entry.role,
                   "group": entry.area_code, "group_label": entry.name, "value": entry.value,
                   "ci_low": entry.ci_low, "ci_high": entry.ci_high, "se": entry.se,
                   "n": entry.n,
                   "p_value": entry.difference.p_value if entry.difference else None,
                   "source": "kolada" if definition.kind == "register" else "shared"}


def _title(definition, lang: str) -> str:
    """The indicator's title in `lang`, else in Swedish."""
    return definition.title.get(lang) or definition.title.get("sv", "")


def _csv_estimate(estimate: dict[str, Any], decimals: int | None) -> dict[str, Any]:
    return _rounded(_pick(estimate, ("value", "ci_low", "ci_high", "se", "n", "suppressed",
                                     "uncertain")), decimals)


def _cell(value: Any, decimal_comma: bool) -> str:
    """A CSV cell: numbers in full precision, booleans 0/1, None blank, no formulas."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        return text.replace(".", ",") if decimal_comma else text
    return safe_cell(str(value))


def to_csv(rows: Iterable[dict[str, Any]], semicolon: bool = False) -> bytes:
    """UTF-8 with a byte-order mark, CRLF line ends; comma and decimal point by default,
    semicolon and decimal comma for a spreadsheet set to Swedish."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=";" if semicolon else ",", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([_cell(row.get(c), semicolon) for c in CSV_COLUMNS])
    return buffer.getvalue().encode("utf-8")
