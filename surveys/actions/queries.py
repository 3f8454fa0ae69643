"""Reads of the action plans: units, actions (all, a unit's, a goal's), and what they link to."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select

from surveys.actions.links import KINDS
from surveys.actions.models import (
    Action,
    ActionLink,
    ActionStatus,
    Unit,
    UnitKind,
    action_goals,
    unit_reporters,
)
from surveys.auth.models import User
from surveys.core.roles import Role
from surveys.extensions import db
from surveys.followup import present
from surveys.followup.models import Framework, IndicatorDefinition
from surveys.followup.queries import series_for


def units(organisation_id: int) -> list[Unit]:
    """The organisation's units, by kind and name."""
    return sorted(db.session.scalars(select(Unit).where(Unit.organisation_id == organisation_id)),
                  key=lambda u: (list(UnitKind).index(u.kind), u.name.casefold()))


def unit_named(organisation_id: int, name: str) -> Unit | None:
    """The organisation's unit with this name, whatever its capitals."""
    return db.session.scalar(select(Unit).where(
        Unit.organisation_id == organisation_id, func.lower(Unit.name) == name.lower()))


def reporter_unit_ids(user: User) -> set[int] | None:
    """The units a unit reporter reports for; None for every other role (no such limit)."""
    if user.role is not Role.unit_reporter:
        return None
    return set(db.session.scalars(select(unit_reporters.c.unit_id).where(
        unit_reporters.c.user_id == user.id)))


def possible_reporters(organisation_id: int) -> list[User]:
    """The organisation's active unit reporters."""
    return list(db.session.scalars(select(User).where(
        User.organisation_id == organisation_id, User.role == Role.unit_reporter,
        User.active).order_by(User.name)))


def action_count(unit: Unit) -> int:
    """How many actions the unit owns."""
    return db.session.scalar(select(func.count(Action.id)).where(Action.unit_id == unit.id))


def actions_on_goals(goal_ids: set[int]) -> int:
    """How many (action, goal) links there are to these goals."""
    return db.session.scalar(select(func.count()).select_from(action_goals).where(
        action_goals.c.goal_id.in_(goal_ids))) or 0


def actions(organisation_id: int, unit_ids: Iterable[int] | None = None,
            status: ActionStatus | None = None, goal_id: int | None = None) -> list[Action]:
    """The organisation's actions (only these units' when given), by start date and title."""
    query = select(Action).where(Action.organisation_id == organisation_id)
    if unit_ids is not None:
        query = query.where(Action.unit_id.in_(list(unit_ids)))
    if status is not None:
        query = query.where(Action.status == status)
    if goal_id is not None:
        query = query.join(action_goals).where(action_goals.c.goal_id == goal_id)
    return list(db.session.scalars(query.order_by(Action.starts_on, Action.id)))


def actions_of_goals(organisation_id: int, goal_ids: list[int]) -> dict[int, list[Action]]:
    """The organisation's actions serving each of these goals, by start date."""
    rows = db.session.execute(
        select(action_goals.c.goal_id, Action).join(Action, Action.id == action_goals.c.action_id)
        .where(Action.organisation_id == organisation_id, action_goals.c.goal_id.in_(goal_ids))
        .order_by(Action.starts_on, Action.id))
    out: dict[int, list[Action]] = {}
    for goal_id, action in rows:
        out.setdefault(goal_id, []).append(action)
    return out


def linked_targets(organisation_id: int, goal_ids: list[int], kind: str) -> set[int]:
    """The ids of things of `kind` that the organisation's actions on these goals answer."""
    return set(db.session.scalars(
        select(ActionLink.target_id).join(Action, Action.id == ActionLink.action_id)
        .join(action_goals, action_goals.c.action_id == Action.id)
        .where(Action.organisation_id == organisation_id, ActionLink.kind == kind,
               action_goals.c.goal_id.in_(goal_ids))))


def links_of(action: Action) -> dict[str, list[tuple[str, str | None]]]:
    """Per registered kind: (name, URL) of each thing the action answers."""
    out = {}
    for kind in KINDS.values():
        ids = {link.target_id for link in action.links if link.kind == kind.key}
        if ids:
            names = dict(kind.choices(action.organisation_id))
            out[kind.key] = [(names[i], kind.url(i)) for i in sorted(ids) if i in names]
    return out


def effect_cards(indicators: Iterable[IndicatorDefinition]) -> dict[int, present.Card]:
    """The latest figures of these indicators (from the stored values), by indicator id."""
    by_framework: dict[int, tuple[Framework, list[IndicatorDefinition]]] = {}
    for indicator in indicators:
        by_framework.setdefault(indicator.framework_id, (indicator.framework, []))[1].append(
            indicator)
    out = {}
    for framework, listed in by_framework.values():
        unique = list({i.id: i for i in listed}.values())
        for definition, card in zip(unique, present.cards(
                framework, series_for(framework, unique), detail=False), strict=True):
            out[definition.id] = card
    return out
