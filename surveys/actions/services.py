"""Every change of the action plans: units, their reporters, actions and status updates.

Functions check what they are given, raise `ActionError` (a code for `messages`, and the
HTTP status a page answers with) before anything changes, and flush; the request commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from surveys.actions import queries
from surveys.actions.links import KINDS
from surveys.actions.models import (
    Action,
    ActionLink,
    ActionStatus,
    ActionUpdate,
    Unit,
    UnitKind,
)
from surveys.audit import services as audit
from surveys.auth.models import User
from surveys.core.roles import Role
from surveys.core.signals import goals_in_use
from surveys.core.time import utcnow
from surveys.extensions import db
from surveys.followup.models import Goal, IndicatorDefinition


class ActionError(ValueError):
    """A change that cannot be made: `code` and `details` for `messages`, `field` names the
    form field it concerns (or None), `status` is the page's HTTP status."""

    def __init__(self, code: str, field: str | None = None, status: int = 400,
                 **details: Any):
        super().__init__(code)
        self.code, self.field, self.status, self.details = code, field, status, details


# -- units --------------------------------------------------------------------------------------
def _unit_name(organisation_id: int, name: str, unit: Unit | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise ActionError("name_required", "name")
    other = queries.unit_named(organisation_id, name)
    if other is not None and other is not unit:
        raise ActionError("name_taken", "name", name=name)
    return name


def create_unit(organisation_id: int, name: str, kind: UnitKind) -> Unit:
    """A new unit of the organisation (flushes)."""
    unit = Unit(organisation_id=organisation_id, kind=kind,
                name=_unit_name(organisation_id, name))
    db.session.add(unit)
    db.session.flush()
    return unit


def update_unit(unit: Unit, name: str, kind: UnitKind) -> None:
    """A unit's name and kind."""
    unit.name = _unit_name(unit.organisation_id, name, unit)
    unit.kind = kind
    db.session.flush()


def delete_unit(unit: Unit) -> None:
    """Delete a unit that owns no actions; with actions it stays (409): move them first."""
    owned = queries.action_count(unit)
    if owned:
        raise ActionError("unit_in_use", status=409, count=owned, name=unit.name)
    audit.record("unit_deleted", subject=unit.name, organisation_id=unit.organisation_id)
    db.session.delete(unit)
    db.session.flush()


def set_reporters(unit: Unit, users: Iterable[User]) -> None:
    """Who reports for the unit: unit reporters of the same organisation."""
    users = list(users)
    if any(u.organisation_id != unit.organisation_id or u.role is not Role.unit_reporter
           for u in users):
        raise ActionError("not_a_reporter", "reporters")
    if {u.id for u in users} != {u.id for u in unit.reporters}:
        unit.reporters = users
        audit.record("unit_reporters_changed", subject=unit.name,
                     organisation_id=unit.organisation_id,
                     reporters=sorted(u.email for u in users))
    db.session.flush()


# -- actions ------------------------------------------------------------------------------------
def _texts(texts: Mapping[str, str]) -> dict[str, str]:
    return {k: v.strip() for k, v in texts.items() if v and v.strip()}


def _checked(organisation_id: int, *, title: Mapping[str, str], description: Mapping[str, str],
             unit: Unit | None, contact_name: str, contact: str, starts_on: date | None,
             ends_on: date | None, goals: list[Goal], indicators: list[IndicatorDefinition],
             links: Mapping[str, list[int]]) -> dict[str, Any]:
    """The columns of an action, after every check."""
    title = _texts(title)
    if not title.get("sv"):
        raise ActionError("title_required", "title_sv")
    if unit is None or unit.organisation_id != organisation_id:
        raise ActionError("unknown_unit", "unit_id")
    if starts_on is None:
        raise ActionError("start_required", "starts_on")
    if ends_on is not None and ends_on < starts_on:
        raise ActionError("ends_before_start", "ends_on", starts_on=starts_on, ends_on=ends_on)
    if any(g.focus_area.framework.organisation_id != organisation_id for g in goals):
        raise ActionError("unknown_goal", "goals")
    if any(i.framework.organisation_id != organisation_id for i in indicators):
        raise ActionError("unknown_indicator", "indicators")
    for kind, ids in links.items():
        known = {number for number, _name in KINDS[kind].choices(organisation_id)}
        if not set(ids) <= known:
            raise ActionError("unknown_link", f"links_{kind}")
    return {"title": title, "description": _texts(description), "unit": unit,
            "contact_name": (contact_name or "").strip(), "contact": (contact or "").strip(),
            "starts_on": starts_on, "ends_on": ends_on, "goals": list(goals),
            "indicators": list(indicators)}


def _set_links(action: Action, links: Mapping[str, list[int]]) -> None:
    for kind, ids in links.items():
        keep = set(ids)
        for link in [x for x in action.links if x.kind == kind]:
            if link.target_id in keep:
                keep.discard(link.target_id)
            else:
                action.links.remove(link)
        action.links += [ActionLink(kind=kind, target_id=i) for i in sorted(keep)]


def create_action(organisation_id: int, by: User | None, **fields: Any) -> Action:
    """A new action, planned (its first status update, dated today, or at its start when
    that was earlier, so that updates about what happened since come after it); flushes."""
    links = fields.pop("links", {})
    columns = _checked(organisation_id, links=links, **fields)
    action = Action(organisation_id=organisation_id, status=ActionStatus.planned, **columns)
    action.updates.append(ActionUpdate(status=ActionStatus.planned, by=by,
                                       on_date=min(utcnow().date(), columns["starts_on"])))
    db.session.add(action)
    _set_links(action, links)
    db.session.flush()
    return action


def update_action(action: Action, **fields: Any) -> None:
    """Replace an action's texts, unit, contact, dates, goals, indicators and links."""
    links = fields.pop("links", {})
    for name, value in _checked(action.organisation_id, links=links, **fields).items():
        setattr(action, name, value)
    _set_links(action, links)
    db.session.flush()


def report_status(action: Action, status: ActionStatus, on_date: date | None, comment: str,
                  by: User | None) -> ActionUpdate:
    """A dated status update with a short comment; the action takes the latest status."""
    today = utcnow().date()
    on_date = on_date or today
    if on_date > today:
        raise ActionError("update_in_future", "on_date")
    if on_date < action.starts_on and status is not ActionStatus.planned:
        raise ActionError("update_before_start", "on_date", starts_on=action.starts_on)
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise ActionError("comment_too_long", "comment")
    update = ActionUpdate(status=status, on_date=on_date, comment=comment, by=by)
    action.updates.append(update)
    db.session.flush()
    latest = max(action.updates, key=lambda u: (u.on_date, u.id or 0))
    action.status = latest.status
    db.session.flush()
    return update


@goals_in_use.connect
def _actions_on_goals(sender, goal_ids: set[int], **extra) -> int:
    """Goals that actions serve are not deleted (they can be archived)."""
    return queries.actions_on_goals(goal_ids)
