"""What the read API returns: frameworks, indicators and their stored figures as JSON and CSV.

The figures are the stored `WaveResult` dicts (already through the framework's disclosure
rules), picked field by field so the API's shape is documented and stable, and never more
than aggregates: no respondent-level value leaves through here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from surveys.core.data import BOM, safe_cell
from surveys.followup.models import Framework, Goal, IndicatorDefinition
from surveys.followup.values import IndicatorSeries

#: Fields of an estimate (whole population or one group).
ESTIMATE_FIELDS = ("value", "se", "ci_low", "ci_high", "n", "suppressed", "uncertain")
#: Fields of a gap between two groups.
GAP_FIELDS = ("variable", "minuend", "subtrahend", "value", "se", "ci_low", "ci_high",
              "p_value", "significant", "suppressed", "uncertain")
#: Fields of a change between two waves.
CHANGE_FIELDS = ("since", "value", "se", "ci_low", "ci_high", "z", "p_value", "significant",
                 "assessment", "suppressed")
#: Columns of the long CSV, one row per indicator x wave x (whole population | group | gap).
CSV_COLUMNS = ("indicator", "title", "kind", "year", "row_type", "variable", "group",
               "compared_with", "value", "ci_low", "ci_high", "se", "n", "p_value",
               "suppressed", "uncertain", "source")


def _pick(data: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    return {name: data.get(name) for name in names}


def framework_json(framework: Framework, visible: list[IndicatorDefinition],
                   access: str) -> dict[str, Any]:
    """The framework's structure with the keys of the indicators the caller may see."""
    keys_by_goal: dict[int, list[str]] = {}
    for definition in visible:
        keys_by_goal.setdefault(definition.goal_id, []).append(definition.key)

    def goal_json(goal: Goal, goals: list[Goal]) -> dict[str, Any]:
        """A goal with its sub-goals, to any depth."""
        return {"id": goal.id, "title": dict(goal.title),
                "indicators": keys_by_goal.get(goal.id, []),
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


def definition_json(definition: IndicatorDefinition) -> dict[str, Any]:
    """The indicator's definition summary: what it measures, where it sits, its target."""
    stored = definition.definition
    goal = definition.goal
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


def estimate_json(estimate: dict[str, Any]) -> dict[str, Any]:
    """One stored estimate in the API's fields."""
    return _pick(estimate, ESTIMATE_FIELDS)


def wave_json(result: dict[str, Any], detail: bool) -> dict[str, Any]:
    """One wave of an indicator; with `detail`, its groups and gaps as well."""
    out = {"year": result["year"], "wave": result["wave"], "source": result.get("source"),
           "overall": estimate_json(result["overall"])}
    if detail:
        out["groups"] = [{"variable": variable, "group": e.get("group"), **estimate_json(e)}
                         for variable, estimates in result.get("groups", {}).items()
                         for e in estimates]
        out["gaps"] = [_pick(g, GAP_FIELDS) for g in result.get("gaps", [])]
    return out


def _comparison(data: dict[str, Any]) -> dict[str, Any]:
    return {part: None if data.get(part) is None else _pick(data[part], CHANGE_FIELDS)
            for part in ("since_previous", "since_baseline")}


def follow_up_json(series: IndicatorSeries, detail: bool) -> dict[str, Any] | None:
    """Change since the previous wave and the baseline, and status against the target."""
    if series.follow_up is None:
        return None
    data = series.follow_up.to_dict()
    out = {"latest_wave": data["latest"]["wave"], "previous_wave": data["previous_wave"],
           "baseline_wave": data["baseline_wave"], **_comparison(data["overall"]),
           "status": data["status"], "required": data["required"]}
    if detail:
        out["groups"] = [{"variable": g["variable"], "group": g["group"], **_comparison(g)}
                         for g in data["groups"]]
        out["gaps"] = [{"variable": g["variable"], "minuend": g["minuend"],
                        "subtrahend": g["subtrahend"], **_comparison(g)} for g in data["gaps"]]
    return out


def indicator_json(series: IndicatorSeries, detail: bool = False) -> dict[str, Any]:
    """An indicator with its waves (oldest first) and its follow-up."""
    return {
        **definition_json(series.definition),
        "waves": [wave_json(w.to_dict(), detail) for w in series.waves],
        "follow_up": follow_up_json(series, detail),
    }


# -- CSV ------------------------------------------------------------------------------------
def csv_rows(all_series: Iterable[IndicatorSeries], lang: str) -> Iterator[dict[str, Any]]:
    """The long table: per indicator and wave, the whole population, each group, each gap."""
    for series in all_series:
        definition = series.definition
        title = definition.title.get(lang) or definition.title.get("sv", "")
        for wave in series.waves:
            result = wave.to_dict()
            head = {"indicator": definition.key, "title": title, "kind": definition.kind,
                    "year": result["year"], "source": result.get("source")}
            yield {**head, "row_type": "overall", **_csv_estimate(result["overall"])}
            for variable, estimates in result.get("groups", {}).items():
                for e in estimates:
                    yield {**head, "row_type": "group", "variable": variable,
                           "group": e.get("group"), **_csv_estimate(e)}
            for gap in result.get("gaps", []):
                yield {**head, "row_type": "gap", "variable": gap["variable"],
                       "group": gap["minuend"], "compared_with": gap["subtrahend"],
                       **_pick(gap, ("value", "ci_low", "ci_high", "se", "p_value",
                                     "suppressed", "uncertain"))}


def _csv_estimate(estimate: dict[str, Any]) -> dict[str, Any]:
    return _pick(estimate, ("value", "ci_low", "ci_high", "se", "n", "suppressed", "uncertain"))


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
