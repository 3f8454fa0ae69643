"""The URL map of weighting: margins, mappings, runs, the representation monitor, exports."""

from __future__ import annotations

from flask import Blueprint

from surveys.core.urls import BOTH, GET, POST, add_rules
from surveys.runs import views

bp = Blueprint("runs", __name__, url_prefix="/analysis", template_folder="templates")
bp.context_processor(views.helpers)

add_rules(
    bp,
    # surveys to weight, margin sets
    ("/", "index", views.index, GET),
    # -- margins
    # import margins from a long CSV, or from SCB's JSON-stat
    ("/margins/csv", "import_margins_csv", views.import_margins_csv, BOTH),
    ("/margins/json-stat", "import_margins_jsonstat", views.import_margins_jsonstat, BOTH),
    # a margin set: rows, totals, notes; confirm, then delete (sets no run uses)
    ("/margins/<int:margin_set_id>", "margin_set", views.margin_set, GET),
    ("/margins/<int:margin_set_id>/delete", "delete_margins", views.delete_margins, BOTH),
    # -- a survey
    # the mapping summary and the runs; POST weights
    ("/surveys/<int:survey_id>", "survey", views.survey, BOTH),
    # how answers become categories; one more variable from a question; back to the default
    ("/surveys/<int:survey_id>/mapping", "edit_mapping", views.edit_mapping, BOTH),
    ("/surveys/<int:survey_id>/mapping/add", "add_variable", views.add_variable, POST),
    ("/surveys/<int:survey_id>/mapping/reset", "reset_mapping", views.reset_mapping, POST),
    # who is missing, per language (?margins=); the same as CSV, counts under 10 suppressed
    ("/surveys/<int:survey_id>/representation", "representation", views.representation, GET),
    ("/surveys/<int:survey_id>/representation.csv", "representation_csv",
     views.representation_csv, GET),
    # -- runs
    # diagnostics, estimates, approval (?by=)
    ("/runs/<int:run_id>", "run", views.run, GET),
    # the survey's official run; no official run
    ("/runs/<int:run_id>/approve", "approve", views.approve, POST),
    ("/runs/<int:run_id>/withdraw", "withdraw", views.withdraw, POST),
    # the same settings and inputs again; again, merging an empty category
    ("/runs/<int:run_id>/rerun", "rerun", views.rerun, POST),
    ("/runs/<int:run_id>/collapse", "collapse", views.collapse, POST),
    # weighted microdata (format=&dialect=&text=&lang=): a POST, since the download is
    # written to the audit log; its codebook, SPSS syntax for the .sav and an R script for the
    # CSV (the same fields, from the same form or a query)
    ("/runs/<int:run_id>/export", "export", views.export, POST),
    ("/runs/<int:run_id>/codebook.csv", "codebook", views.codebook, BOTH),
    ("/runs/<int:run_id>/syntax.sps", "spss_syntax", views.spss_syntax, BOTH),
    ("/runs/<int:run_id>/script.R", "r_script", views.r_script, BOTH),
)
