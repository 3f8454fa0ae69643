"""Reads of the follow-up: frameworks, the stored figures of their indicators, tokens."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select

from surveys.extensions import db
from surveys.followup.models import (
    TOKEN_RE,
    ApiToken,
    AreaSummary,
    FocusArea,
    Framework,
    Goal,
    IndicatorDefinition,
    IndicatorValue,
    Wave,
)
from surveys.followup.values import (
    FigureProblem,
    IndicatorSeries,
    core_indicator,
    register_series,
    value_fingerprint,
)
from surveys.indicators import RegisterIndicator, WaveResult, follow_up, register_waves
from surveys.runs.models import RunWeight
from surveys.runs.queries import approved_run
from surveys.survey.models import Response, Survey


def framework_of(organisation_id: int) -> Framework | None:
    """The organisation's default framework (the follow-up's first addresses), if any."""
    return db.session.scalar(select(Framework).where(
        Framework.organisation_id == organisation_id, Framework.is_default))


def area_summary(area_id: int, year: int, language: str) -> AreaSummary | None:
    """The analyst's summary of a focus area for one year's report in one language."""
    return db.session.scalar(select(AreaSummary).where(
        AreaSummary.focus_area_id == area_id, AreaSummary.year == year,
        AreaSummary.language == language))


def area_summaries(framework: Framework, year: int, language: str) -> dict[int, AreaSummary]:
    """The saved summaries of the framework's focus areas for a year and language, by area."""
    return {s.focus_area_id: s for s in db.session.scalars(
        select(AreaSummary).join(FocusArea).where(
            FocusArea.framework_id == framework.id, AreaSummary.year == year,
            AreaSummary.language == language))}


def summary_count(area: FocusArea) -> int:
    """How many summaries have been written for the focus area (any year and language)."""
    return db.session.scalar(select(func.count(AreaSummary.id)).where(
        AreaSummary.focus_area_id == area.id)) or 0


def organisation_frameworks(organisation_id: int, archived: bool = False) -> list[Framework]:
    """The organisation's frameworks in their order (archived ones too when asked)."""
    query = select(Framework).where(Framework.organisation_id == organisation_id)
    if not archived:
        query = query.where(Framework.archived_at.is_(None))
    return list(db.session.scalars(query.order_by(Framework.position, Framework.id)))


def organisation_indicators(organisation_id: int) -> list[IndicatorDefinition]:
    """Every indicator of the organisation's frameworks, by framework and position."""
    return list(db.session.scalars(
        select(IndicatorDefinition).join(Framework)
        .where(Framework.organisation_id == organisation_id)
        .order_by(Framework.position, Framework.id, IndicatorDefinition.position)))


def goal_tree(area: FocusArea, archived: bool = True) -> list[tuple[Goal, int]]:
    """The area's goals depth first, each with its depth (0 at the top)."""
    below: dict[int | None, list[Goal]] = {}
    for each in area.goals:
        if archived or each.archived_at is None:
            below.setdefault(each.parent_id, []).append(each)
    out: list[tuple[Goal, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for each in sorted(below.get(parent_id, []), key=lambda g: (g.position, g.id)):
            out.append((each, depth))
            walk(each.id, depth + 1)

    walk(None, 0)
    return out


def goal_path(goal: Goal) -> list[Goal]:
    """The goals above `goal`, the top one first (never loops: the tree has no circles)."""
    path, seen, current = [], {goal.id}, goal.parent
    while current is not None and current.id not in seen:
        path.insert(0, current)
        seen.add(current.id)
        current = current.parent
    return path


def answers_stamp(run) -> str:
    """When the latest of the run's responses last changed: the run's input hash covers the
    weighting categories, this also covers the answers the indicators read."""
    latest = db.session.scalar(select(func.max(Response.updated_at)).join(
        RunWeight, RunWeight.response_id == Response.id).where(RunWeight.run_id == run.id))
    return latest.isoformat() if latest else ""


def series_for(framework: Framework, definitions: Iterable[IndicatorDefinition] | None = None
               ) -> list[IndicatorSeries]:
    """Each indicator's current values (stored for survey waves, imported for registers).

    Only values computed from exactly today's inputs are used: one whose fingerprint no
    longer matches (rules tightened, definition edited, another run approved) is left out
    even if `refresh` could not replace it.
    """
    definitions = list(framework.all_indicators() if definitions is None else definitions)
    waves_by_id = {w.id: w for w in framework.waves}
    current = {w.id: approved_run(w.survey_id) for w in framework.waves}
    stamps = {wave_id: answers_stamp(run) for wave_id, run in current.items() if run}
    by_id = {d.id: d for d in definitions}
    orders = category_orders(framework)
    values: dict[int, list[WaveResult]] = {}
    for value in db.session.scalars(select(IndicatorValue).where(
            IndicatorValue.indicator_id.in_(list(by_id)))):
        run = current.get(value.wave_id)
        if (run is None or value.result is None or value.fingerprint != value_fingerprint(
                run, stamps[value.wave_id], by_id[value.indicator_id],
                waves_by_id[value.wave_id], framework)):
            continue
        values.setdefault(value.indicator_id, []).append(
            WaveResult.from_dict(value.result).in_order(orders).with_adjusted_gaps())
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


def category_orders(framework: Framework) -> dict[str, list[str]]:
    """Each grouping's categories in their declared order, the one every page, API answer,
    CSV and report lists groups in (`WaveResult.in_order`): a question's options as the
    latest wave's survey lists them, a weighting variable's as the population table of
    the wave's approved run does (as the representation monitor shows them). Categories
    neither names follow by their first number ("0_4", "5_9", "10_19", "20_plus")."""
    if not framework.waves:
        return {}
    wave = framework.waves[-1]
    orders: dict[str, list[str]] = {}
    run = approved_run(wave.survey_id)
    if run is not None:
        for row in run.margin_set.rows:
            orders.setdefault(row.variable, []).append(row.category)
    for question in wave.survey.questions():
        options = (question.settings or {}).get("options") or []
        if options and question.key not in orders:  # a weighting variable's name wins
            orders[question.key] = [str(o["code"]) for o in options]
    return {name: orders[name] for name in framework.groupings if name in orders}


def framework_by_slug(slug: str) -> Framework | None:
    """The framework whose public page (and API address) is /indicators/<slug>, and whose
    staff pages (unless it is the default) are under /followup/f/<slug>/."""
    return db.session.scalar(select(Framework).where(Framework.slug == slug))


def slug_taken(slug: str, other_than: Framework | None = None) -> bool:
    """True when a framework (other than `other_than`) has this public address."""
    query = select(Framework.id).where(Framework.slug == slug)
    if other_than is not None:
        query = query.where(Framework.id != other_than.id)
    return db.session.scalar(query) is not None


def goal(goal_id: int) -> Goal | None:
    """A goal by its id (the caller checks it is one of the framework's)."""
    return db.session.get(Goal, goal_id)


def area_indicators(area: FocusArea, public_only: bool = False) -> list[IndicatorDefinition]:
    """The indicators a focus area's goals follow (their own and reused ones), in the
    framework's order."""
    followed = {i.id for goal in area.goals for i in goal.all_indicators()}
    return [i for i in area.framework.all_indicators()
            if i.id in followed and (i.public or not public_only)]


def organisation_surveys(organisation_id: int) -> list[Survey]:
    """The surveys a wave can be, oldest first."""
    return list(db.session.scalars(select(Survey).where(
        Survey.organisation_id == organisation_id).order_by(Survey.id)))


def frameworks_with_survey(survey_id: int) -> list[Framework]:
    """The frameworks that count the survey as one of their waves."""
    return list(db.session.scalars(select(Framework).join(Wave).where(
        Wave.survey_id == survey_id)))


@dataclass
class WaveFigures:
    """One wave as the stored figures see it: its approved run (None: no figures), when the
    run's answers last changed, and per survey indicator its stored value (or None) and
    whether that value was computed from today's inputs."""

    wave: Wave
    run: object | None
    stamp: str | None
    figures: list[tuple[IndicatorDefinition, IndicatorValue | None, bool]]

    def problems(self) -> list[FigureProblem]:
        """Why figures are missing: no approved run, or stored as a problem of today's inputs."""
        if self.run is None:
            return [FigureProblem("no_approved_run", wave=self.wave.year)]
        return [FigureProblem(value.problem["code"], definition.key, self.wave.year,
                              value.problem["details"])
                for definition, value, current in self.figures
                if current and value.problem is not None]


def wave_figures(framework: Framework) -> list[WaveFigures]:
    """The state of every wave's stored survey figures; `figure_problems` reads it and
    `services.refresh` recomputes what is not current."""
    stored = {(v.indicator_id, v.wave_id): v for v in stored_values(framework)}
    survey_indicators = [d for d in framework.all_indicators() if d.kind != "register"]
    states = []
    for wave in framework.waves:
        run = approved_run(wave.survey_id)
        if run is None:
            states.append(WaveFigures(wave, None, None, []))
            continue
        stamp = answers_stamp(run)
        figures = []
        for definition in survey_indicators:
            value = stored.get((definition.id, wave.id))
            current = value is not None and value.fingerprint == value_fingerprint(
                run, stamp, definition, wave, framework)
            figures.append((definition, value, current))
        states.append(WaveFigures(wave, run, stamp, figures))
    return states


def figure_problems(framework: Framework) -> list[FigureProblem]:
    """Why figures are missing, as stored by the last `services.refresh` (reads only): waves
    without an approved run, and figures stored as their problem under today's inputs."""
    return [problem for state in wave_figures(framework) for problem in state.problems()]


def stored_values(framework: Framework) -> list[IndicatorValue]:
    """Every cached figure of the framework's waves, current or stale."""
    return list(db.session.scalars(
        select(IndicatorValue).join(Wave).where(Wave.framework_id == framework.id)))


def value_row(indicator_id: int, wave_id: int) -> IndicatorValue | None:
    """The cached figure of one indicator in one wave."""
    return db.session.scalar(select(IndicatorValue).where(
        IndicatorValue.indicator_id == indicator_id, IndicatorValue.wave_id == wave_id))


# -- API tokens --------------------------------------------------------------------------------
def organisation_tokens(organisation_id: int) -> list[ApiToken]:
    """The organisation's tokens, newest first, revoked ones too."""
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.organisation_id == organisation_id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def valid_token(secret: str) -> ApiToken | None:
    """The unrevoked token with this secret; None if there is none."""
    token = token_by_secret(secret)
    return token if token is not None and token.revoked_at is None else None


def token_by_secret(secret: str) -> ApiToken | None:
    """The token with this secret, revoked or not; None for anything that is not one."""
    if not TOKEN_RE.match(secret):
        return None
    return db.session.scalar(select(ApiToken).where(ApiToken.token_hash == ApiToken.hash_of(secret)))
