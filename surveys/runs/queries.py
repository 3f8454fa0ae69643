"""Reads of weighting: margin sets, mappings, runs, their weights and input tables.

`input_table` and `reproduce` read the answers and hand them to `weighing`; nothing here
changes the database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
from sqlalchemy import func, select

from surveys.extensions import db
from surveys.runs import mapping, microdata, monitor
from surveys.runs.margin_files import margins_frame
from surveys.runs.models import MarginRow, MarginSet, RunWeight, WeightingRun, WeightingScheme
from surveys.runs.syntax import WeightingPlan
from surveys.runs.weighing import (
    RunError,
    RunSettings,
    input_hash,
    step_columns,
    weigh,
    weighting_frame,
    weighting_plan,
)
from surveys.survey.models import Answer, Response, Survey
from surveys.weighting import WeightedDesign


# -- margin sets -------------------------------------------------------------------------------
def margin_sets(organisation_id: int) -> list[MarginSet]:
    """The organisation's margin sets, the latest reference date first."""
    return list(db.session.scalars(
        select(MarginSet).where(MarginSet.organisation_id == organisation_id)
        .order_by(MarginSet.reference_date.desc(), MarginSet.id.desc())))


def newest_margin_set(organisation_id: int, variable: str | None = None) -> MarginSet | None:
    """The organisation's margin set with the latest reference date (that has `variable`)."""
    query = select(MarginSet).where(MarginSet.organisation_id == organisation_id)
    if variable is not None:
        query = query.where(MarginSet.id.in_(
            select(MarginRow.margin_set_id).where(MarginRow.variable == variable)))
    return db.session.scalar(
        query.order_by(MarginSet.reference_date.desc(), MarginSet.id.desc()).limit(1))


def runs_using(margin_set: MarginSet) -> int:
    """How many runs weighted to the margin set."""
    return db.session.scalar(select(func.count(WeightingRun.id))
                             .where(WeightingRun.margin_set_id == margin_set.id))


# -- surveys and mappings ----------------------------------------------------------------------
def completed_counts(survey_ids: list[int]) -> dict[int, int]:
    """Survey id -> completed responses, for the surveys given."""
    if not survey_ids:
        return {}
    return dict(db.session.execute(
        select(Response.survey_id, func.count(Response.id))
        .where(Response.completed_at.is_not(None), Response.survey_id.in_(survey_ids))
        .group_by(Response.survey_id)).all())


def stored_scheme(survey: Survey) -> WeightingScheme | None:
    """The survey's saved mapping row, if the analyst saved one."""
    return db.session.scalar(select(WeightingScheme).where(WeightingScheme.survey_id == survey.id))


def scheme_for(survey: Survey) -> dict:
    """The survey's stored mapping, or the default one when none was saved."""
    stored = stored_scheme(survey)
    return dict(stored.mapping) if stored else mapping.default_scheme(survey)


def completed_ids(survey_id: int) -> list[int]:
    """Ids of the survey's completed responses, oldest first."""
    return list(db.session.scalars(
        select(Response.id).where(Response.survey_id == survey_id,
                                  Response.completed_at.is_not(None)).order_by(Response.id)))


def load_answers(survey: Survey, keys: Iterable[str], response_ids: list[int] | None = None
                 ) -> tuple[list[int], dict[int, dict[str, Any]]]:
    """Completed response ids and their answers to the questions `keys`, in two queries."""
    ids = completed_ids(survey.id) if response_ids is None else sorted(response_ids)
    question_ids = {q.id: q.key for q in survey.questions() if q.key in set(keys)}
    answers: dict[int, dict[str, Any]] = defaultdict(dict)
    if question_ids:
        rows = db.session.execute(
            select(Answer.response_id, Answer.question_id, Answer.value)
            .join(Response, Response.id == Answer.response_id)
            .where(Response.survey_id == survey.id, Response.completed_at.is_not(None),
                   Answer.question_id.in_(list(question_ids))))
        wanted = set(ids)
        for response_id, question_id, value in rows:
            if response_id in wanted:
                answers[response_id][question_ids[question_id]] = value
    return ids, answers


def input_table(survey: Survey, scheme: Mapping, response_ids: list[int] | None = None,
                extra_keys: Iterable[str] = ()) -> tuple[pd.DataFrame, dict[int, dict[str, Any]]]:
    """The categories of every completed response (index: response id), and the raw answers."""
    keys = {v["question"] for v in scheme.get("variables", [])} | set(extra_keys)
    ids, answers = load_answers(survey, keys, response_ids)
    year = mapping.reference_year(survey, scheme)
    return mapping.categorize(scheme, answers, year, ids), answers


def response_languages(ids: list[int]) -> list[str]:
    """The language of each response id, in the order given."""
    found = dict(db.session.execute(select(Response.id, Response.language)
                                    .where(Response.id.in_(list(ids)))).all()) if ids else {}
    return [found[i] for i in ids]


def survey_monitor(survey: Survey, scheme: Mapping, margin_set: MarginSet
                   ) -> monitor.Monitor:
    """The monitor for the survey's completed responses against `margin_set`."""
    table, _ = input_table(survey, scheme)
    languages = response_languages(list(table.index))
    return monitor.representation(table, languages, margins_frame(margin_set), survey.languages)


# -- runs --------------------------------------------------------------------------------------
def approved_run(survey_id: int) -> WeightingRun | None:
    """The survey's official run, if one is approved."""
    return db.session.scalar(select(WeightingRun).where(
        WeightingRun.survey_id == survey_id, WeightingRun.approved_at.is_not(None)))


def survey_runs(survey_id: int) -> list[WeightingRun]:
    """Every run of the survey, newest first."""
    return list(db.session.scalars(select(WeightingRun).where(
        WeightingRun.survey_id == survey_id).order_by(WeightingRun.id.desc())))


def approved_runs(survey_id: int) -> list[WeightingRun]:
    """Every run of the survey marked approved (one, or none, once a change has flushed)."""
    return list(db.session.scalars(select(WeightingRun).where(
        WeightingRun.survey_id == survey_id, WeightingRun.approved_at.is_not(None))))


def current_hash(run: WeightingRun) -> str:
    """The input hash the run would have if made now (differs once answers change)."""
    table, _ = input_table(run.survey, run.mapping)
    settings = RunSettings.from_dict(run.settings)
    return input_hash(table, margins_frame(run.margin_set, settings.variables))


def reproduce(run: WeightingRun, extra_keys: Iterable[str] = ()
              ) -> tuple[WeightedDesign, dict[int, dict[str, Any]]]:
    """The run's weighted design again, from its stored mapping, margins and settings.

    Standard errors need the whole design (the calibration residuals), not just the stored
    weights; the engine is deterministic, so this is the run bit for bit. Also returns the
    raw answers to `extra_keys`. RunError "run_outdated" when the input has changed since.
    """
    ids = list(db.session.scalars(select(RunWeight.response_id)
                                  .where(RunWeight.run_id == run.id)))
    table, answers = input_table(run.survey, run.mapping, response_ids=ids,
                                 extra_keys=extra_keys)
    settings = RunSettings.from_dict(run.settings)
    margins = margins_frame(run.margin_set, settings.variables)
    if input_hash(table, margins) != run.input_hash:
        raise RunError("run_outdated", run=run.id)
    return weigh(table, margins, settings), answers


def export_design(run: WeightingRun) -> tuple[WeightedDesign, WeightingPlan]:
    """The run weighted again, and how, for its microdata export and syntax files.
    RunError "run_outdated" when the input has changed since the run."""
    weighted, _ = reproduce(run)
    items = (run.estimates or {}).get("items", [])
    return weighted, weighting_plan(weighted, RunSettings.from_dict(run.settings), items,
                                    run=run.id)


def weights_of(run: WeightingRun) -> pd.Series:
    """The stored weights, indexed by response id (ascending)."""
    rows = db.session.execute(select(RunWeight.response_id, RunWeight.weight)
                              .where(RunWeight.run_id == run.id)
                              .order_by(RunWeight.response_id)).all()
    return pd.Series([w for _, w in rows], index=pd.Index([r for r, _ in rows],
                                                          name="response_id"), name="weight",
                     dtype=float)


# -- weighted microdata -----------------------------------------------------------------------------
def export_numbers(survey_id: int) -> dict[int, int]:
    """Response id -> the number the raw answer export gives it (1, 2, 3 ... by start)."""
    ids = db.session.scalars(select(Response.id).where(Response.survey_id == survey_id)
                             .order_by(Response.id))
    return {r: n for n, r in enumerate(ids, start=1)}


def microdata_frame(run: WeightingRun, weighted: WeightedDesign,
                    include_text: bool = False) -> pd.DataFrame:
    """One row per weighted response, as `surveys.runs.microdata` expects: response_id, language,
    channel, the expansion and normalised weights, every question's export columns, and the
    weighting variables as `weighted` (the run reproduced) used them, with imputation flags;
    for a drawn sample also stratum, design_weight and nonresponse_weight (the weights after
    steps 1 and 2).

    Free-text answers are left out unless `include_text`; `response_id` is the raw answer
    export's number, so the two files can be joined.
    """
    survey = run.survey
    weights = weights_of(run)
    ids = list(weights.index)
    questions = [q for q in survey.questions() if include_text or not q.kind.free_text]
    _, answers = load_answers(survey, [q.key for q in questions], ids)
    numbers = export_numbers(survey.id)
    about = {r.id: r for r in db.session.execute(
        select(Response.id, Response.language, Response.channel).where(Response.id.in_(ids)))}
    columns: dict[str, list[Any]] = {
        "response_id": [numbers[r] for r in ids],
        "language": [about[r].language for r in ids],
        "channel": [about[r].channel.value for r in ids],
        "weight_exp": weights.to_list(),
        "weight_norm": microdata.normalised(weights).to_list(),
    }
    for question in questions:
        cells = [question.kind.export(question, answers.get(r, {}).get(question.key))
                 for r in ids]
        for name in question.kind.columns(question):
            columns[name] = [c.get(name) for c in cells]
    drawn, steps = run.settings.get("drawn_sample"), (run.diagnostics or {}).get("drawn_sample")
    if drawn and steps:
        columns |= step_columns(drawn, steps, ids)
    used = weighting_frame(weighted).reindex(ids)
    columns |= {name: used[name].to_list() for name in used.columns}
    return pd.DataFrame(columns)
