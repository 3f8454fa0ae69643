"""The actions serving a focus area's goals, as the yearly report lists them
(`surveys.followup.report_parts`).

Imported by `surveys.actions.blueprint`, so the provider is registered whenever the app is.
An action is listed when it started by the end of the report year and had not ended
before the year began; its status is the one it had at the end of that year.
"""

from __future__ import annotations

from datetime import date

from flask_babel import format_date

from surveys.actions.forms import STATUS_LABELS
from surveys.actions.models import Action, ActionStatus
from surveys.actions.queries import actions_of_goals
from surveys.core.i18n import localized, tr
from surveys.followup.models import Framework, Goal
from surveys.followup.report_parts import ActionLine, GoalActions, register


def _line(action: Action, year_end: date) -> ActionLine:
    # updates are newest first; the first one on or before the year's end is the status then
    update = next((u for u in action.updates if u.on_date <= year_end), None)
    status = update.status if update is not None else ActionStatus.planned
    return ActionLine(
        title=tr(action.title), unit=localized({"sv": action.unit.name}, "sv"),
        status=str(STATUS_LABELS[status]), status_code=status.value,
        since=format_date(update.on_date, "long") if update is not None else "",
        comment=update.comment if update is not None else "")


def goal_actions(framework: Framework, goals: list[Goal], year: int) -> list[GoalActions]:
    """Per goal with actions (in the order given): its actions in `year`, by start date."""
    year_start, year_end = date(year, 1, 1), date(year, 12, 31)
    by_goal = actions_of_goals(framework.organisation_id, [goal.id for goal in goals])
    out = []
    for goal in goals:
        listed = [_line(a, year_end) for a in by_goal.get(goal.id, [])
                  if a.starts_on <= year_end and (a.ends_on is None or a.ends_on >= year_start)]
        if listed:
            out.append(GoalActions(goal.id, tr(goal.title), listed))
    return out


register("actions", goal_actions)
