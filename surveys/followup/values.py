"""The follow-up's figures before they are stored: what a value depends on, and the
core's inputs built from a stored definition, its wave and the wave's weighting.

No database here: `services.refresh` computes and stores values, `queries.series_for`
reads them back, and both use these to agree on what a current value is.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from surveys.followup.models import Framework, IndicatorDefinition, Wave
from surveys.indicators import (
    RULES_VERSION,
    DisclosureRules,
    FollowUp,
    GapSpec,
    Indicator,
    RegisterSeries,
    WaveResult,
    indicator_from_dict,
)


@dataclass
class FigureProblem:
    """Something that kept a figure from being computed, for the analyst to fix."""

    code: str
    indicator: str | None = None
    wave: int | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class IndicatorSeries:
    """One indicator's results over the waves (oldest first) and its follow-up."""

    definition: IndicatorDefinition
    indicator: Indicator
    waves: list[WaveResult]
    follow_up: FollowUp | None

    @property
    def latest(self) -> WaveResult | None:
        return self.waves[-1] if self.waves else None


def rules_of(framework: Framework) -> DisclosureRules:
    """The framework's disclosure rules."""
    return DisclosureRules(min_n=framework.min_group_size, max_rse=framework.max_rse)


def core_indicator(definition: IndicatorDefinition) -> Indicator:
    """The core's indicator object for a stored definition (key kept in step)."""
    return indicator_from_dict({**definition.definition, "key": definition.key})


def register_series(definition: IndicatorDefinition) -> RegisterSeries | None:
    """The imported register values of a register indicator, if any."""
    stored = definition.register_series
    if not stored:
        return None
    values = sorted((int(y), float(v)) for y, v in stored["values"].items())
    return RegisterSeries(values=dict(values),
                          source=stored.get("source"), label=stored.get("label"),
                          unit=stored.get("unit"), updated=stored.get("updated"))


def plain(details: dict) -> dict:
    """Problem details as JSON can store them (lists of strings, numbers)."""
    return json.loads(json.dumps(details, default=str))


def value_fingerprint(run, stamp: str, definition: IndicatorDefinition, wave: Wave,
                 framework: Framework) -> str:
    payload = {
        "run": run.id, "input": run.input_hash, "approved": run.approved_at.isoformat(),
        "answers": stamp,
        "definition": {**definition.definition, "key": definition.key},
        "year": wave.year, "groupings": list(framework.groupings),
        "gaps": [list(g) for g in framework.gaps],
        "rules": [framework.min_group_size, framework.max_rse, RULES_VERSION],
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def answer_frame(answers: dict[int, dict[str, Any]], index: pd.Index,
                  keys: Iterable[str]) -> pd.DataFrame:
    return pd.DataFrame({k: [answers.get(r, {}).get(k) for r in index] for k in keys},
                        index=index, dtype=object)


def groupings(framework: Framework, wave: Wave, design_sample: pd.DataFrame,
               answers: dict[int, dict[str, Any]]) -> list[pd.Series]:
    """Each grouping as a named Series: a weighting variable, else a question whose answers
    group respondents (a single choice)."""
    grouping = {q.key: q for q in wave.survey.questions() if q.kind.groups_respondents}
    groups = []
    for name in framework.groupings:
        if name in design_sample.columns:
            groups.append(design_sample[name].rename(name))
        elif name in grouping:
            kind = grouping[name].kind
            values = [answers.get(r, {}).get(name) for r in design_sample.index]
            groups.append(pd.Series([kind.group_of(v) for v in values],
                                    index=design_sample.index, name=name, dtype=object))
    return groups


def gap_specs(framework: Framework, grouped: set[str]) -> list[GapSpec]:
    return [GapSpec(v, a, b) for v, a, b in framework.gaps if v in grouped]
