"""The URL map of the action plans (staff only: analysts and admins, and unit reporters for
their own units' actions)."""

from __future__ import annotations

from flask import Blueprint

from surveys.actions import report_part as _report_part  # noqa: F401 - the report's actions
from surveys.actions import views
from surveys.core.urls import BOTH, GET, POST, add_rules

bp = Blueprint("actions", __name__, url_prefix="/actions", template_folder="templates")
bp.context_processor(views.helpers)
bp.before_request(views.staff_fallback)

add_rules(
    bp,
    # the actions (?unit=&status=); a new one
    ("/", "index", views.index, GET),
    ("/new", "new", views.new, BOTH),
    # one action with its status history; edit it; a dated status update with a comment
    ("/<int:action_id>", "action", views.action, GET),
    ("/<int:action_id>/edit", "edit", views.edit, BOTH),
    ("/<int:action_id>/status", "report_status", views.report_status, POST),
    # -- units: the list (POST adds one); edit; delete one without actions; its reporters
    ("/units/", "units", views.units, BOTH),
    ("/units/<int:unit_id>/edit", "edit_unit", views.edit_unit, BOTH),
    ("/units/<int:unit_id>/delete", "delete_unit", views.delete_unit, POST),
    ("/units/<int:unit_id>/reporters", "unit_reporters", views.unit_reporters, POST),
    # a unit's summary for its committee and the executive board (printable)
    ("/units/<int:unit_id>", "unit_summary", views.unit_summary, GET),
    # -- a goal: its actions and their status beside the effect indicators
    ("/goals/<int:goal_id>", "goal", views.goal, GET),
)
