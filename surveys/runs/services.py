"""Every change of weighting: margin sets, mappings, runs and their approval.

Functions add to the session and flush; the request commits. A run the engine refuses is
stored too, with its error, so the analyst sees why and can retry (for an empty category:
merged into a neighbour with ``collapse=``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pandas as pd
from sqlalchemy import insert

from surveys.audit import services as audit
from surveys.core.data import jsonable
from surveys.core.signals import survey_figures_changed
from surveys.core.time import utcnow
from surveys.extensions import db
from surveys.runs import jsonstat, margin_files, queries
from surveys.runs.margin_files import margins_frame
from surveys.runs.models import MarginRow, MarginSet, RunWeight, WeightingRun, WeightingScheme
from surveys.runs.weighing import (
    RunError,
    RunSettings,
    drawn_json,
    error_dict,
    estimate_items,
    estimates,
    held_categories,
    input_hash,
    sampled_design,
    steps_record,
    unmet_margins,
    weigh,
)
from surveys.survey.models import Survey
from surveys.weighting import DrawnSample, WeightingError


# -- margin sets -------------------------------------------------------------------------------
def import_csv(organisation_id: int, user_id: int | None, name: str, source: str,
               reference_date: date, raw: bytes) -> MarginSet:
    """A margin set from a long CSV (variable,category,population_count); ImportProblems
    naming every problem, and nothing stored, when the file is not right."""
    margins, notes = margin_files.read_csv(raw)
    return _store(organisation_id, user_id, name, source, reference_date, "csv", margins, notes)


def import_jsonstat(organisation_id: int, user_id: int | None, name: str, source: str,
                    reference_date: date, raw: bytes,
                    code_mapping: jsonstat.CodeMapping) -> MarginSet:
    """A margin set from SCB's JSON-stat 2.0, codes mapped by `code_mapping`; ImportProblems
    naming every problem, and nothing stored, when the file is not right."""
    margins, notes = margin_files.read_jsonstat(raw, code_mapping)
    return _store(organisation_id, user_id, name, source, reference_date, "json-stat",
                  margins, notes)


def _store(organisation_id: int, user_id: int | None, name: str, source: str,
           reference_date: date, file_format: str, margins: pd.DataFrame,
           notes: dict) -> MarginSet:
    margin_set = MarginSet(organisation_id=organisation_id, created_by_id=user_id, name=name,
                           source=source, reference_date=reference_date,
                           file_format=file_format, notes=notes)
    margin_set.rows = [
        MarginRow(position=i, variable=str(row.variable), category=str(row.category),
                  population_count=float(row.population_count))
        for i, row in enumerate(margins.itertuples(index=False))
    ]
    db.session.add(margin_set)
    db.session.flush()
    return margin_set


def delete_margin_set(margin_set: MarginSet) -> None:
    """Delete a margin set that no run uses (the caller checks)."""
    db.session.delete(margin_set)
    db.session.flush()


# -- mappings ----------------------------------------------------------------------------------
def save_scheme(survey: Survey, scheme: dict, user_id: int | None) -> WeightingScheme:
    """Store the survey's mapping (creating its row on first save)."""
    stored = queries.stored_scheme(survey)
    if stored is None:
        stored = WeightingScheme(survey_id=survey.id, mapping=scheme)
        db.session.add(stored)
    stored.mapping = scheme
    stored.updated_by_id = user_id
    db.session.flush()
    return stored


# -- runs --------------------------------------------------------------------------------------
def create_run(survey: Survey, margin_set: MarginSet, settings: RunSettings,
               user_id: int | None, scheme: Mapping | None = None,
               drawn: DrawnSample | None = None) -> WeightingRun:
    """Weight the survey's completed responses and store the run, failed or not (flushes).

    With `drawn` (the responses come from a drawn sample) the weights are made in three
    steps, kept in the settings for reruns and shown step by step in the diagnostics."""
    if drawn is not None:
        settings.drawn_sample = drawn_json(drawn)
    scheme = dict(scheme if scheme is not None else queries.scheme_for(survey))
    settings.variables = [v for v in margin_set.variables() if v in settings.variables]
    items = [q.key for q in estimate_items(survey)]
    table, answers = queries.input_table(survey, scheme, extra_keys=items)
    margins = margins_frame(margin_set, settings.variables)
    digest = input_hash(table, margins)
    if settings.seed is None:  # from the input: the same answers give the same draws
        settings.seed = int(digest[:8], 16)
    settings.sample_share = held_categories(table, margins, settings.variables)
    run = WeightingRun(survey_id=survey.id, margin_set_id=margin_set.id, created_by_id=user_id,
                       settings=jsonable(settings.to_dict()), mapping=jsonable(scheme),
                       input_hash=digest, n_respondents=len(table))
    db.session.add(run)
    try:
        weighted = weigh(table, margins, settings)
    except WeightingError as error:
        run.error = error_dict(error, margins)
        db.session.flush()
        return run
    run.converged = bool(weighted.converged)
    run.iterations = int(weighted.iterations)
    run.diagnostics = jsonable(weighted.diagnostics.to_dict())
    sampled = sampled_design(table, settings)
    if sampled is not None:
        run.diagnostics["drawn_sample"] = steps_record(sampled, weighted)
    if not settings.trims:  # trimming moves off the margins on purpose, and says so
        unmet = unmet_margins(run.diagnostics.get("margins", []))
        if unmet:
            run.diagnostics["warnings"].append({"code": "margins_not_met",
                                                "details": {"rows": unmet}})
    by = [v["name"] for v in scheme.get("variables", [])]
    try:
        run.estimates = estimates(weighted, table, answers, items, by)
    except WeightingError as error:  # estimates are extra: the weights stand without them
        run.estimates = {"error": jsonable(error.to_dict())}
    db.session.flush()
    weights = weighted.weights
    db.session.execute(insert(RunWeight), [
        {"run_id": run.id, "response_id": int(r), "weight": float(w)}
        for r, w in zip(weights.index, weights.to_numpy(), strict=True)])
    return run


def rerun(run: WeightingRun, user_id: int | None,
          collapse: tuple[str, str, str] | None = None) -> WeightingRun:
    """The same settings, margins and mapping again; optionally merging one more category."""
    settings = RunSettings.from_dict(run.settings)
    settings.imputation = "hot_deck"  # a new run: never the earlier modal rule
    if collapse:
        variable, source, into = collapse
        settings.collapse = {**settings.collapse,
                             variable: {**settings.collapse.get(variable, {}), source: into}}
    return create_run(run.survey, run.margin_set, settings, user_id, scheme=run.mapping)


def approve(run: WeightingRun, user_id: int | None) -> None:
    """Make `run` the survey's official run; the previously approved one is withdrawn."""
    if not run.approvable:
        raise RunError("not_approvable")
    for other in queries.approved_runs(run.survey_id):
        if other.id == run.id:
            continue
        other.approved_at = None
        other.approved_by_id = None
    run.approved_at = utcnow()
    run.approved_by_id = user_id
    audit.record("run_approved", subject=_run_name(run),
                 organisation_id=run.survey.organisation_id)
    db.session.flush()
    survey_figures_changed.send(run, survey_id=run.survey_id)


def withdraw(run: WeightingRun) -> None:
    """The survey has no approved run any more."""
    run.approved_at = None
    run.approved_by_id = None
    audit.record("run_withdrawn", subject=_run_name(run),
                 organisation_id=run.survey.organisation_id)
    db.session.flush()
    survey_figures_changed.send(run, survey_id=run.survey_id)


def note_download(run: WeightingRun, fmt: str, include_text: bool) -> None:
    """Weighted microdata left the app: the audit log says who took which file."""
    audit.record("microdata_downloaded", subject=_run_name(run),
                 organisation_id=run.survey.organisation_id, format=fmt,
                 free_text=include_text)


def _run_name(run: WeightingRun) -> str:
    return f"{run.survey.slug} #{run.id}"
