"""Every change of the follow-up: the framework, its waves, its cached figures, API tokens.

A framework comes from a template (`surveys/data/framework_*.json`, format
"delaktig-framework/1"): focus areas, goals with optional sub-goals, and indicators whose
"definition" is the core's JSON form. Every change is validated by the core before it is
stored. Figures are computed per wave from the wave's approved run (reproduced bit for
bit, so the standard errors carry the calibration) and cached in `IndicatorValue` under a
fingerprint of everything they depend on (`values.value_fingerprint`): pages call `refresh` and
then read (`queries.series_for`). Functions flush; the request commits.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError

from surveys.audit import services as audit
from surveys.core.i18n import LANGUAGES
from surveys.core.signals import goals_in_use, survey_figures_changed
from surveys.core.time import utcnow
from surveys.extensions import db
from surveys.followup import queries
from surveys.followup.models import (
    KEY_RE,
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
    answer_frame,
    core_indicator,
    gap_specs,
    groupings,
    plain,
    rules_of,
    value_fingerprint,
)
from surveys.indicators import (
    IndicatorError,
    RegisterSeries,
    SurveyIndicator,
    estimate_wave,
    indicator_from_dict,
    indicator_to_dict,
)
from surveys.runs.queries import reproduce
from surveys.runs.weighing import RunError
from surveys.survey.models import Survey

DATA = Path(__file__).resolve().parent.parent / "data"
TEMPLATE = "framework_tillit_och_delaktighet.json"


class FrameworkError(ValueError):
    """A change to a framework that cannot be made; `code` and `details` for translation.

    `status` is the HTTP status a page answers with: 409 when the change conflicts with
    what is stored (a circle in the goal tree, values or actions hanging on it), else 400.
    """

    CONFLICTS = frozenset({"goal_cycle", "goal_in_use", "framework_in_use", "area_in_use",
                           "default_framework"})

    def __init__(self, code: str, **details: Any):
        super().__init__(code)
        self.code = code
        self.details = details

    @property
    def status(self) -> int:
        return 409 if self.code in self.CONFLICTS else 400


def load_template(name: str = TEMPLATE) -> dict:
    """The template as a dict."""
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def slug_from(name: str) -> str:
    """A URL-safe slug from an organisation name ("Exempelby kommun" -> "exempelby-kommun")."""
    folded = name.lower().translate(str.maketrans("åäöéü", "aaoeu"))
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:60].strip("-")
    return slug or "kommun"


def _unique_slug(base: str) -> str:
    slug, n = base, 1
    while queries.slug_taken(slug):
        n += 1
        slug = f"{base[:55]}-{n}"
    return slug


def _indicator(framework: Framework, goal: Goal, spec: Mapping, position: int
               ) -> IndicatorDefinition:
    definition = indicator_to_dict(indicator_from_dict({**spec["definition"], "key": spec["key"]}))
    definition.pop("key")
    indicator = IndicatorDefinition(framework=framework, goal=goal, key=spec["key"],
                                    position=position, title=dict(spec["title"]),
                                    description=dict(spec.get("description", {})),
                                    definition=definition, public=bool(spec.get("public")))
    db.session.add(indicator)
    return indicator


def _new_framework(organisation, title: Mapping[str, str]) -> Framework:
    """A framework at the end of the organisation's list; its first one is the default."""
    existing = queries.organisation_frameworks(organisation.id, archived=True)
    framework = Framework(
        organisation=organisation, title=dict(title), is_default=not existing,
        position=max((f.position for f in existing), default=-1) + 1,
        slug=_unique_slug(slug_from(organisation.name if not existing
                                    else f"{organisation.name} {title.get('sv', '')}")))
    db.session.add(framework)
    return framework


def create_from_template(organisation, template: Mapping | None = None,
                         title: Mapping[str, str] | None = None) -> Framework:
    """A framework built from the template (flushes).

    The organisation's first framework gets the template's indicators. A later one gets
    the focus areas and goals, and its goals reuse the organisation's indicators with the
    template's keys (computed once, in the framework that defines them).
    """
    template = load_template() if template is None else template
    default = queries.framework_of(organisation.id)
    framework = _new_framework(organisation, title or template["title"])
    reusable = {i.key: i for i in default.indicators} if default is not None else {}
    position = 0

    def add_goals(area: FocusArea, parent: Goal | None, specs) -> None:
        nonlocal position
        for goal_position, spec in enumerate(specs):
            goal = Goal(focus_area=area, parent=parent, position=goal_position,
                        title=dict(spec["title"]))
            db.session.add(goal)
            for ind_spec in spec.get("indicators", []):
                if default is None:
                    _indicator(framework, goal, ind_spec, position)
                    position += 1
                elif ind_spec["key"] in reusable:
                    goal.linked_indicators.append(reusable[ind_spec["key"]])
            add_goals(area, goal, spec.get("subgoals", []))

    for area_position, area_spec in enumerate(template["focus_areas"]):
        area = FocusArea(framework=framework, key=area_spec["key"], position=area_position,
                         title=dict(area_spec["title"]))
        db.session.add(area)
        add_goals(area, None, area_spec["goals"])
    db.session.flush()
    return framework


def create_empty(organisation, title_sv: str) -> Framework:
    """A framework with a title and nothing in it yet (flushes)."""
    if not (title_sv or "").strip():
        raise FrameworkError("title_required")
    framework = _new_framework(organisation, {"sv": title_sv.strip()})
    db.session.flush()
    return framework


def _swap(items: list, item, direction: str) -> None:
    """Move `item` one step up or down among `items` (ordered by position); renumbers."""
    items = list(items)
    index = items.index(item)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    for position, thing in enumerate(items):
        thing.position = position
    db.session.flush()


def move_framework(framework: Framework, direction: str) -> None:
    """One step up or down in the organisation's list."""
    _swap(queries.organisation_frameworks(framework.organisation_id, archived=True),
          framework, direction)


def archive_framework(framework: Framework, archived: bool) -> None:
    """Stop (or resume) following a framework; nothing in it is deleted. The default
    framework carries the waves and the report, so it stays."""
    if archived and framework.is_default:
        raise FrameworkError("default_framework")
    framework.archived_at = utcnow() if archived else None
    db.session.flush()
    audit.record("framework_archived" if archived else "framework_restored",
                 subject=framework.title.get("sv", ""),
                 organisation_id=framework.organisation_id)


def delete_framework(framework: Framework) -> None:
    """Delete a framework nothing hangs on: not the default, no indicators of its own, no
    goal with actions. Anything else is archived instead."""
    if framework.is_default:
        raise FrameworkError("default_framework")
    goal_ids = {g.id for a in framework.focus_areas for g in a.goals}
    if framework.indicators or framework.waves or _hanging_on(goal_ids):
        raise FrameworkError("framework_in_use")
    audit.record("framework_deleted", subject=framework.title.get("sv", ""),
                 organisation_id=framework.organisation_id)
    db.session.delete(framework)
    db.session.flush()


def _hanging_on(goal_ids: set[int]) -> int:
    """How many things of other features (actions ...) hang on these goals."""
    if not goal_ids:
        return 0
    return sum(answer or 0 for _receiver, answer in goals_in_use.send(goal_ids=goal_ids))


def missing_translations(texts: Mapping[str, str] | None) -> list[str]:
    """The platform languages a title or description lacks."""
    texts = texts or {}
    return [code for code in LANGUAGES if not (texts.get(code) or "").strip()]


def _validated(framework_id: int, *, title: Mapping[str, str], description: Mapping[str, str],
               definition: Mapping[str, Any], goal: Goal | None, public: bool,
               key: str) -> dict[str, Any]:
    """The columns of an indicator after the core has validated its computation.

    A public indicator needs its title in every platform language: the public page never
    falls back silently to another language.
    """
    if goal is None or goal.focus_area.framework_id != framework_id:
        raise FrameworkError("unknown_goal")
    try:
        core = indicator_from_dict({**definition, "key": key})
    except IndicatorError as error:
        raise FrameworkError("invalid_definition", reason=error.code, **error.details) from None
    title = {k: v.strip() for k, v in title.items() if v and v.strip()}
    if not title.get("sv"):
        raise FrameworkError("title_required")
    if public and missing_translations(title):
        raise FrameworkError("public_needs_translations", languages=missing_translations(title))
    stored = indicator_to_dict(core)
    stored.pop("key")
    return {"title": title, "definition": stored, "goal": goal, "public": public,
            "description": {k: v.strip() for k, v in description.items() if v and v.strip()}}


def update_indicator(indicator: IndicatorDefinition, **fields: Any) -> None:
    """Replace an indicator's texts, goal and computation (see `_validated`); flushes."""
    for name, value in _validated(indicator.framework_id, key=indicator.key, **fields).items():
        setattr(indicator, name, value)
    db.session.flush()
    refresh_following(indicator)


def add_indicator(framework: Framework, key: str, **fields: Any) -> IndicatorDefinition:
    """A new indicator, validated like an edit (flushes; nothing stored on error)."""
    if not KEY_RE.match(key or ""):
        raise FrameworkError("invalid_key")
    if any(i.key == key for i in framework.all_indicators()):
        raise FrameworkError("key_taken", key=key)
    columns = _validated(framework.id, key=key, **fields)
    position = max((i.position for i in framework.indicators), default=-1) + 1
    indicator = IndicatorDefinition(framework=framework, key=key, position=position, **columns)
    db.session.add(indicator)
    db.session.flush()
    refresh(framework)
    return indicator


def set_wave(framework: Framework, survey: Survey, year: int | None) -> Wave | None:
    """Count `survey` as the wave of `year`, or (year None) stop counting it (flushes)."""
    if survey.organisation_id != framework.organisation_id:
        raise FrameworkError("unknown_survey")
    existing = next((w for w in framework.waves if w.survey_id == survey.id), None)
    if year is None:
        if existing is not None:
            framework.waves.remove(existing)
            db.session.flush()
            refresh(framework)
        return None
    if not 1990 <= year <= 2100:
        raise FrameworkError("invalid_year")
    other = next((w for w in framework.waves if w.year == year and w.survey_id != survey.id),
                 None)
    if other is not None:
        raise FrameworkError("year_taken", year=year)
    if existing is None:
        existing = Wave(framework=framework, survey_id=survey.id, year=year)
        db.session.add(existing)
    existing.year = year
    db.session.flush()
    refresh(framework)
    return existing



def set_title(thing: Framework | FocusArea | Goal, title: Mapping[str, str]) -> None:
    """A framework's, focus area's or goal's titles; Swedish is required."""
    cleaned = {k: v.strip() for k, v in title.items() if v and v.strip()}
    if not cleaned.get("sv"):
        raise FrameworkError("title_required")
    thing.title = cleaned
    db.session.flush()


def add_area(framework: Framework, title_sv: str) -> FocusArea:
    """A focus area at the end of the framework; its key comes from the Swedish title."""
    if not (title_sv or "").strip():
        raise FrameworkError("title_required")
    base = (slug_from(title_sv).replace("-", "_")[:50].strip("_") or "area")
    if not base[0].isalpha():
        base = f"area_{base}"[:50]
    taken = {a.key for a in framework.focus_areas}
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}_{n}"
    area = FocusArea(framework=framework, key=key, title={"sv": title_sv.strip()},
                     position=max((a.position for a in framework.focus_areas), default=-1) + 1)
    db.session.add(area)
    db.session.flush()
    return area


def move_area(area: FocusArea, direction: str) -> None:
    """One step up or down among the framework's focus areas."""
    _swap(area.framework.focus_areas, area, direction)


def delete_area(area: FocusArea) -> None:
    """Delete a focus area without goals or written summaries."""
    if area.goals:
        raise FrameworkError("area_in_use")
    if queries.summary_count(area):
        raise FrameworkError("area_has_summaries")
    area.framework.focus_areas.remove(area)
    db.session.flush()


def _children(area: FocusArea, parent: Goal | None) -> list[Goal]:
    """The goals directly under `parent` (None: at the top of the area)."""
    return [g for g in area.goals if g.parent_id == (parent.id if parent else None)]


def descendants(goal: Goal) -> list[Goal]:
    """Every goal below `goal`, at any depth."""
    found, stack = [], [goal]
    while stack:
        current = stack.pop()
        below = [g for g in current.focus_area.goals if g.parent_id == current.id]
        found += below
        stack += below
    return found


def add_goal(area: FocusArea, parent: Goal | None, title_sv: str) -> Goal:
    """A goal at the end of the area (or a sub-goal of `parent`, at any depth)."""
    if parent is not None and parent.focus_area_id != area.id:
        raise FrameworkError("unknown_goal")
    if not (title_sv or "").strip():
        raise FrameworkError("title_required")
    siblings = _children(area, parent)
    goal = Goal(focus_area=area, parent=parent, title={"sv": title_sv.strip()},
                position=max((g.position for g in siblings), default=-1) + 1)
    db.session.add(goal)
    db.session.flush()
    return goal


def move_goal(goal: Goal, direction: str) -> None:
    """One step up or down among its siblings."""
    _swap(sorted(_children(goal.focus_area, goal.parent), key=lambda g: g.position), goal,
          direction)


def reparent_goal(goal: Goal, area: FocusArea, parent: Goal | None) -> None:
    """Put a goal (with its sub-goals) under another goal or at the top of a focus area of
    the same framework. A goal cannot go under itself or one of its own sub-goals."""
    if area.framework_id != goal.focus_area.framework_id or (
            parent is not None and parent.focus_area.framework_id != area.framework_id):
        raise FrameworkError("unknown_goal")
    if parent is not None and (parent.id == goal.id or parent in descendants(goal)):
        raise FrameworkError("goal_cycle")
    if parent is not None:
        area = parent.focus_area
    moving = [goal, *descendants(goal)]
    goal.parent = parent
    goal.position = max((g.position for g in _children(area, parent) if g is not goal),
                        default=-1) + 1
    for each in moving:
        each.focus_area = area
    db.session.flush()


def archive_goal(goal: Goal, archived: bool) -> None:
    """Stop (or resume) pursuing a goal and its sub-goals; nothing is deleted."""
    stamp = utcnow() if archived else None
    for each in [goal, *descendants(goal)]:
        each.archived_at = stamp
    db.session.flush()


def delete_goal(goal: Goal) -> None:
    """Delete a goal nothing hangs on: no indicators (own or reused), no sub-goals, no
    actions. Anything else is archived instead."""
    if (goal.indicators or goal.linked_indicators or descendants(goal)
            or _hanging_on({goal.id})):
        raise FrameworkError("goal_in_use")
    goal.focus_area.goals.remove(goal)
    db.session.flush()


def link_indicator(goal: Goal, indicator: IndicatorDefinition, linked: bool) -> None:
    """Let a goal follow one of the organisation's indicators (or stop)."""
    framework = goal.focus_area.framework
    if indicator.framework.organisation_id != framework.organisation_id:
        raise FrameworkError("unknown_indicator")
    if linked and indicator not in goal.linked_indicators and indicator.goal_id != goal.id:
        # the framework's pages and API find an indicator by its key: keys stay unique
        if any(i.key == indicator.key and i.id != indicator.id
               for i in framework.all_indicators()):
            raise FrameworkError("key_taken", key=indicator.key)
        goal.linked_indicators.append(indicator)
    elif not linked and indicator in goal.linked_indicators:
        goal.linked_indicators.remove(indicator)
    db.session.flush()
    refresh(framework)


def update_settings(framework: Framework, *, slug: str, min_group_size: int, max_rse: float,
                    groupings: list[str], gaps: list[list[str]], published: bool) -> None:
    """Disclosure rules, groupings, gaps and the public page, checked before anything changes."""
    if queries.slug_taken(slug, other_than=framework):
        raise FrameworkError("slug_taken")
    for number, (variable, minuend, subtrahend) in enumerate(gaps, start=1):
        if minuend == subtrahend:
            raise FrameworkError("gap_same_group", line=number)
        if variable not in groupings:
            raise FrameworkError("gap_not_grouped", line=number, variable=variable)
    framework.slug = slug
    framework.min_group_size = min_group_size
    framework.max_rse = max_rse
    framework.groupings = groupings
    framework.gaps = gaps
    framework.published = published
    db.session.flush()
    refresh(framework)


# -- register series ---------------------------------------------------------------------------
def store_register_series(definition: IndicatorDefinition, series: RegisterSeries) -> None:
    """Keep an imported series on the indicator (replacing the previous import)."""
    definition.register_series = {
        "values": {str(y): v for y, v in sorted(series.values.items())},
        "source": series.source, "label": series.label, "unit": series.unit,
        "updated": series.updated,
    }

# -- cached figures ----------------------------------------------------------------------------
@survey_figures_changed.connect
def _survey_figures_changed(sender, survey_id: int, **extra) -> None:
    """A run approved or withdrawn, or its answers edited: recompute where it is a wave."""
    for framework in queries.frameworks_with_survey(survey_id):
        refresh(framework)


def refresh_following(indicator: IndicatorDefinition) -> None:
    """Recompute an edited indicator in every framework that follows it."""
    for framework in queries.organisation_frameworks(indicator.framework.organisation_id):
        if indicator in framework.all_indicators():
            refresh(framework)


def refresh(framework: Framework) -> list[FigureProblem]:
    """Compute every survey indicator's value in every wave whose stored value is stale.

    A figure that cannot be computed (a question the wave lacks, an invalid gap) is stored
    as that problem under the same fingerprint, so it is not retried until an input
    changes. Returns every current problem, new or stored. Flushes; the request commits.
    """
    problems: list[FigureProblem] = []
    for state in queries.wave_figures(framework):
        problems += state.problems()
        stale = [definition for definition, _, current in state.figures if not current]
        if stale:
            stored = {(definition.id, state.wave.id): value
                      for definition, value, _ in state.figures if value is not None}
            problems += _compute_wave(framework, state.wave, state.run, state.stamp, stale,
                                      stored)
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
    data = answer_frame(answers, sample.index, sorted(columns & question_keys))
    groups = groupings(framework, wave, sample, answers)
    gaps = gap_specs(framework, {g.name for g in groups})
    rules = rules_of(framework)
    problems = []
    for definition in definitions:
        indicator = indicators[definition.id]
        fingerprint = value_fingerprint(run, stamp, definition, wave, framework)
        missing = [c for c in indicator.columns() if c not in question_keys]
        try:
            if missing:
                raise IndicatorError("missing_question", questions=missing)
            result = estimate_wave(indicator, design, data, year=wave.year, wave=wave.year,
                                   groups=groups, gaps=gaps, rules=rules)
        except IndicatorError as error:
            problems.append(FigureProblem(error.code, definition.key, wave.year, error.details))
            _store(stored.get((definition.id, wave.id)), definition, wave, run, fingerprint,
                   None, {"code": error.code, "details": plain(error.details)})
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
            value = queries.value_row(definition.id, wave.id)
    value.run_id, value.fingerprint = run.id, fingerprint
    value.result, value.problem, value.computed_at = result, problem, utcnow()


# -- API tokens --------------------------------------------------------------------------------
def create_token(organisation_id: int, name: str, created_by_id: int | None
                 ) -> tuple[ApiToken, str]:
    """A new token of the organisation and its secret, which is never stored (flushes)."""
    secret = secrets.token_urlsafe(32)
    token = ApiToken(organisation_id=organisation_id, name=name.strip(),
                     token_hash=ApiToken.hash_of(secret), created_by_id=created_by_id)
    db.session.add(token)
    db.session.flush()
    audit.record("token_created", subject=token.name, organisation_id=organisation_id)
    return token, secret


def revoke(token: ApiToken) -> None:
    """Stop the token working (kept in the list, so its use can still be traced)."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record("token_revoked", subject=token.name,
                     organisation_id=token.organisation_id)
    db.session.flush()


def save_area_summary(area: FocusArea, year: int, language: str, text: str,
                      user_id: int) -> AreaSummary:
    """Save (or replace) the analyst's summary of a focus area for a year and language."""
    summary = queries.area_summary(area.id, year, language)
    if summary is None:
        summary = AreaSummary(focus_area_id=area.id, year=year, language=language)
        db.session.add(summary)
    summary.text = text.strip()
    summary.updated_by_id = user_id
    db.session.flush()
    # what the published report says about an area: who last wrote it is on record
    audit.record("area_summary_saved", subject=area.title.get("sv", area.key),
                 organisation_id=area.framework.organisation_id, user_id=user_id, year=year,
                 language=language)
    return summary
