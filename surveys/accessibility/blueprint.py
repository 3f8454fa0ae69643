"""The URL map of accessibility: the statement, barrier reports and admins' list of them."""

from __future__ import annotations

from flask import Blueprint

from surveys.accessibility import views
from surveys.core.urls import BOTH, GET, POST, add_rules

bp = Blueprint("accessibility", __name__, url_prefix="/accessibility",
               template_folder="templates")

add_rules(
    bp,
    # the statement and the report form (?from=<path>); POST sends a report
    ("", "statement", views.statement, BOTH),
    # admins: the organisation's reports; mark one handled
    ("/reports", "reports", views.reports, GET),
    ("/reports/<int:report_id>", "handled", views.handled, POST),
)
