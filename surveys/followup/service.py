"""From approved weighting runs to stored indicator values, and from those to the follow-up.

Values are computed per wave from the wave's approved run (reproduced bit for bit, so the
standard errors carry the calibration) and cached in `IndicatorValue` under a fingerprint of
everything they depend on. Pages call `refresh` and then read; a changed definition, a
newly approved run or new disclosure rules simply give a new fingerprint.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from surveys.core.time import utcnow
from surveys.extensions import db
from surveys.followup.models import Framework, IndicatorDefinition, IndicatorValue, Wave
from surveys.indicators import (
    DisclosureRules,
    FollowUp,
    GapSpec,
    Indicator,
    IndicatorError,
    RegisterIndicator,
    RULES_VERSION,
    RegisterSeries,
    SurveyIndicator,
    WaveResult,
    estimate_wave,
    follow_up,
    indicator_from_dict,
    register_waves,
)
from surveys.runs.models import RunWeight
from surveys.runs.queries import approved_run, reproduce
from surveys.runs.weighing import RunError
from surveys.survey.models import Response
from surveys.survey.questions import DONT_KNOW


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


def store_register_series(definition: IndicatorDefinition, series: RegisterSeries) -> None:
    """Keep an imported series on the indicator (replacing the previous import)."""
    definition.register_series = {
        "values": {str(y): v for y, v in sorted(series.values.items())},
        "source": series.source, "label": series.label, "unit": series.unit,
        "updated": series.updated,
    }


def _plain(details: dict) -> dict:
    """Problem details as JSON can store them (lists of strings, numbers)."""
    return json.loads(json.dumps(details, default=str))


def _answers_stamp(run) -> str:
    """When the latest of the run's responses last changed: the run's input hash covers the
    weighting categories, this also covers the answers the indicators read."""
    latest = db.session.scalar(select(func.max(Response.updated_at)).join(
        RunWeight, RunWeight.response_id == Response.id).where(RunWeight.run_id == run.id))
    return latest.isoformat() if latest else ""


def _fingerprint(run, stamp: str, definition: IndicatorDefinition, wave: Wave,
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


def _answer_frame(answers: dict[int, dict[str, Any]], index: pd.Index,
                  keys: Iterable[str]) -> pd.DataFrame:
    return pd.DataFrame({k: [answers.get(r, {}).get(k) for r in index] for k in keys},
                        index=index, dtype=object)


def _groupings(framework: Framework, wave: Wave, design_sample: pd.DataFrame,
               answers: dict[int, dict[str, Any]]) -> list[pd.Series]:
    """Each grouping as a named Series: a weighting variable, else a single-choice question."""
    choice_keys = {q.key for q in wave.survey.questions() if q.type == "single_choice"}
    groups = []
    for name in framework.groupings:
        if name in design_sample.columns:
            groups.append(design_sample[name].rename(name))
        elif name in choice_keys:
            values = [answers.get(r, {}).get(name) for r in design_sample.index]
            groups.append(pd.Series([None if v == DONT_KNOW else v for v in values],
                                    index=design_sample.index, name=name, dtype=object))
    return groups


def _gap_specs(framework: Framework, grouped: set[str]) -> list[GapSpec]:
    return [GapSpec(v, a, b) for v, a, b in framework.gaps if v in grouped]


def refresh(framework: Framework) -> list[FigureProblem]:
    """Compute every survey indicator's value in every wave whose stored value is stale.

    A figure that cannot be computed (a question the wave lacks, an invalid gap) is stored
    as that problem under the same fingerprint, so it is not retried until an input
    changes. Returns every current problem, new or stored. Flushes; the request commits.
    """
    problems: list[FigureProblem] = []
    survey_indicators = [d for d in framework.indicators if d.kind != "register"]
    stored = {(v.indicator_id, v.wave_id): v for v in db.session.scalars(
        select(IndicatorValue).join(Wave).where(Wave.framework_id == framework.id))}
    for wave in framework.waves:
        run = approved_run(wave.survey_id)
        if run is None:
            problems.append(FigureProblem("no_approved_run", wave=wave.year))
            continue
        stale = []
        stamp = _answers_stamp(run)
        for definition in survey_indicators:
            value = stored.get((definition.id, wave.id))
            if value is None or value.fingerprint != _fingerprint(run, stamp, definition, wave,
                                                                  framework):
                stale.append(definition)
            elif value.problem is not None:
                problems.append(FigureProblem(value.problem["code"], definition.key, wave.year,
                                        value.problem["details"]))
        if stale:
            problems += _compute_wave(framework, wave, run, stamp, stale, stored)
    db.session.flush()
    return problems


def _compute_wave(framework: Framework, wave: Wave, run, stamp: str,
                  definitions: list[IndicatorDefinition], stored: dict) -> list[FigureProblem]:
    indicators = {d.id: core_indicator(d) for d in definitions}
    columns = {c for ind in indicators.values() if isinstance(ind, SurveyIndicator)
               for c in ind.columns()}
    question_keys = {q.key for q in wave.survey.questions()}
    try:
        design, answers = reproduce(run, extra_keys=columns | set(framework.groupings))
    except RunError as error:
        # the wave's inputs changed: nothing of it may be shown until it is weighted again
        for definition in definitions:
            if (definition.id, wave.id) in stored:
                db.session.delete(stored.pop((definition.id, wave.id)))
        return [FigureProblem(error.code, wave=wave.year, details=error.details)]
    sample = design.sample
    data = _answer_frame(answers, sample.index, sorted(columns & question_keys))
    groups = _groupings(framework, wave, sample, answers)
    gaps = _gap_specs(framework, {g.name for g in groups})
    rules = rules_of(framework)
    problems = []
    for definition in definitions:
        indicator = indicators[definition.id]
        fingerprint = _fingerprint(run, stamp, definition, wave, framework)
        missing = [c for c in indicator.columns() if c not in question_keys]
        try:
            if missing:
                raise IndicatorError("missing_question", questions=missing)
            result = estimate_wave(indicator, design, data, year=wave.year, wave=wave.year,
                                   groups=groups, gaps=gaps, rules=rules)
        except IndicatorError as error:
            problems.append(FigureProblem(error.code, definition.key, wave.year, error.details))
            _store(stored.get((definition.id, wave.id)), definition, wave, run, fingerprint,
                   None, {"code": error.code, "details": _plain(error.details)})
            continue
        _store(stored.get((definition.id, wave.id)), definition, wave, run, fingerprint,
               result.to_dict(), None)
    return problems


def _store(value: IndicatorValue | None, definition, wave, run, fingerprint: str,
           result: dict | None, problem: dict | None) -> None:
    """Insert or update one value (or the problem that kept it from being computed).

    Two workers may compute the same missing value at once: the second insert then fails
    on the unique key and that worker updates the row instead.
    """
    if value is None:
        value = IndicatorValue(indicator_id=definition.id, wave_id=wave.id, run_id=run.id,
                               fingerprint=fingerprint, result=result, problem=problem)
        try:
            with db.session.begin_nested():
                db.session.add(value)
        except IntegrityError:
            value = db.session.scalar(select(IndicatorValue).where(
                IndicatorValue.indicator_id == definition.id,
                IndicatorValue.wave_id == wave.id))
    value.run_id, value.fingerprint = run.id, fingerprint
    value.result, value.problem, value.computed_at = result, problem, utcnow()


def series_for(framework: Framework, definitions: Iterable[IndicatorDefinition] | None = None
               ) -> list[IndicatorSeries]:
    """Each indicator's current values (stored for survey waves, imported for registers).

    Only values computed from exactly today's inputs are used: one whose fingerprint no
    longer matches (rules tightened, definition edited, another run approved) is left out
    even if `refresh` could not replace it.
    """
    definitions = list(framework.indicators if definitions is None else definitions)
    waves_by_id = {w.id: w for w in framework.waves}
    current = {w.id: approved_run(w.survey_id) for w in framework.waves}
    stamps = {wave_id: _answers_stamp(run) for wave_id, run in current.items() if run}
    by_id = {d.id: d for d in definitions}
    values: dict[int, list[WaveResult]] = {}
    for value in db.session.scalars(select(IndicatorValue).where(
            IndicatorValue.indicator_id.in_(list(by_id)))):
        run = current.get(value.wave_id)
        if (run is None or value.result is None or value.fingerprint != _fingerprint(
                run, stamps[value.wave_id], by_id[value.indicator_id],
                waves_by_id[value.wave_id], framework)):
            continue
        values.setdefault(value.indicator_id, []).append(WaveResult.from_dict(value.result))
    out = []
    for definition in definitions:
        indicator = core_indicator(definition)
        if isinstance(indicator, RegisterIndicator):
            series = register_series(definition)
            waves = register_waves(indicator, series) if series else []
        else:
            waves = sorted(values.get(definition.id, []), key=lambda w: w.year)
        out.append(IndicatorSeries(definition, indicator, waves,
                                   follow_up(indicator, waves) if waves else None))
    return out


def framework_of(organisation_id: int) -> Framework | None:
    """The organisation's framework, if it has one."""
    return db.session.scalar(select(Framework).where(Framework.organisation_id == organisation_id))
