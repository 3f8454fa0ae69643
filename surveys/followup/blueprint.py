"""The URL map of the yearly follow-up.

Three blueprints, because their callers differ: `followup` serves the organisation's
staff (login and roles; the report and the API tokens too), `indicators` serves residents
the published public pages (no login, pages in every platform language), and `api`
serves programs (no session and so no CSRF token; rate-limited per token; JSON errors;
briefly cacheable when anonymous).
"""

from __future__ import annotations

from flask import Blueprint
from werkzeug.exceptions import HTTPException

from surveys.core.urls import BOTH, GET, POST, add_rules
from surveys.extensions import csrf, limiter
from surveys.followup import views

followup = Blueprint("followup", __name__, url_prefix="/followup", template_folder="templates")
followup.context_processor(views.helpers)
followup.before_request(views.staff_fallback)

indicators = Blueprint("indicators", __name__, url_prefix="/indicators",
                       template_folder="templates")
indicators.context_processor(views.helpers)

api = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(api)  # read-only GETs, authenticated by a header, never by a cookie
limiter.limit(views.api_limit, key_func=views.api_limit_key)(api)
api.before_request(views.api_language)
api.after_request(views.api_cache_headers)
api.errorhandler(views.ApiError)(views.api_error)
api.errorhandler(HTTPException)(views.api_http_error)

add_rules(
    followup,
    # -- a framework other than the default: its overview, dashboards, indicators, figures as
    # CSV, new indicator, settings, waves and yearly report under its slug (these rules come
    # first, so that url_for with a slug builds them; without one, the default's below)
    ("/f/<slug>/", "index", views.index, GET),
    ("/f/<slug>/areas/<key>", "area", views.area, GET),
    ("/f/<slug>/indicators/<int:indicator_id>", "indicator", views.indicator, GET),
    ("/f/<slug>/values.csv", "values_csv", views.values_csv, GET),
    ("/f/<slug>/indicators/new", "new_indicator", views.new_indicator, BOTH),
    ("/f/<slug>/settings", "settings", views.settings, BOTH),
    ("/f/<slug>/waves", "waves", views.waves, POST),
    ("/f/<slug>/report", "report", views.report_page, GET),
    ("/f/<slug>/report.pdf", "report_pdf", views.report_pdf, POST),
    ("/f/<slug>/report.docx", "report_docx", views.report_docx, POST),
    ("/f/<slug>/areas/<key>/summary", "area_summary", views.area_summary, BOTH),
    ("/f/<slug>/comparisons", "comparisons_page", views.comparisons_page, BOTH),
    ("/f/<slug>/comparisons/indicators/<int:indicator_id>", "comparison_kpi",
     views.comparison_kpi, POST),
    ("/f/<slug>/comparisons/fetch", "fetch_comparisons", views.fetch_comparisons, POST),
)

add_rules(
    followup,
    # -- the default framework (the addresses from before there were several)
    # focus areas, waves, problems; the framework from the template
    ("/", "index", views.index, GET),
    ("/create", "create", views.create, POST),
    # the dashboard of one focus area; one indicator, every figure
    ("/areas/<key>", "area", views.area, GET),
    ("/indicators/<int:indicator_id>", "indicator", views.indicator, GET),
    # every indicator's figures as CSV (?dialect=semicolon)
    ("/values.csv", "values_csv", views.values_csv, GET),
    # -- frameworks: the organisation's strategies and programmes; POST makes one
    ("/frameworks/", "frameworks", views.frameworks, BOTH),
    # one framework's focus areas and goal tree (/structure: the default framework's)
    ("/frameworks/<int:framework_id>", "framework", views.framework, GET),
    ("/structure", "structure", views.structure, GET),
    # its title in each language; up or down in the list; archive or restore; delete
    ("/frameworks/<int:framework_id>/title", "framework_title", views.framework_title, BOTH),
    ("/frameworks/<int:framework_id>/move", "move_framework", views.move_framework, POST),
    ("/frameworks/<int:framework_id>/archive", "archive_framework", views.archive_framework,
     POST),
    ("/frameworks/<int:framework_id>/delete", "delete_framework", views.delete_framework, POST),
    # focus areas: a new one; title (by key in the default framework, or by id); move; delete
    ("/frameworks/<int:framework_id>/areas/new", "new_area", views.new_area, POST),
    ("/areas/<key>/title", "area_title", views.area_title, BOTH),
    ("/focus-areas/<int:area_id>/title", "area_title_by_id", views.area_title_by_id, BOTH),
    ("/focus-areas/<int:area_id>/move", "move_area", views.move_area, POST),
    ("/focus-areas/<int:area_id>/delete", "delete_area", views.delete_area, POST),
    # goals at any depth: a new one; title; up/down; under another goal; archive; delete
    ("/goals/new", "new_goal", views.new_goal, POST),
    ("/goals/<int:goal_id>/title", "goal_title", views.goal_title, BOTH),
    ("/goals/<int:goal_id>/move", "move_goal", views.move_goal, POST),
    ("/goals/<int:goal_id>/parent", "reparent_goal", views.reparent_goal, BOTH),
    ("/goals/<int:goal_id>/archive", "archive_goal", views.archive_goal, POST),
    ("/goals/<int:goal_id>/delete", "delete_goal", views.delete_goal, POST),
    # follow one of the organisation's indicators (of any framework) under this goal, or stop
    ("/goals/<int:goal_id>/indicators", "goal_indicators", views.goal_indicators, POST),
    # -- indicators
    # texts and computation; register values from a file (CSV, JSON-stat); a new one
    ("/indicators/<int:indicator_id>/edit", "edit_indicator", views.edit_indicator, BOTH),
    ("/indicators/<int:indicator_id>/register", "register", views.register, BOTH),
    ("/indicators/new", "new_indicator", views.new_indicator, BOTH),
    # -- settings and waves
    # disclosure rules, groupings, gaps, the public page; which survey is which year's wave
    ("/settings", "settings", views.settings, BOTH),
    ("/waves", "waves", views.waves, POST),
    # -- comparisons: Kolada group and sharing; a register indicator's KPI; fetch from Kolada
    ("/comparisons", "comparisons_page", views.comparisons_page, BOTH),
    ("/comparisons/indicators/<int:indicator_id>", "comparison_kpi", views.comparison_kpi,
     POST),
    ("/comparisons/fetch", "fetch_comparisons", views.fetch_comparisons, POST),
    # -- the yearly report (?year=&lang=&audience=staff|residents): the page, the PDF, DOCX
    ("/report", "report", views.report_page, GET),
    ("/report.pdf", "report_pdf", views.report_pdf, POST),
    ("/report.docx", "report_docx", views.report_docx, POST),
    # a focus area's plain-language summary that opens the report (?year=&lang=); POST saves
    ("/areas/<key>/summary", "area_summary", views.area_summary, BOTH),
    # -- API tokens (admins): the organisation's tokens, POST creates one; revoke one
    ("/tokens/", "tokens", views.tokens, BOTH),
    ("/tokens/<int:token_id>/revoke", "revoke_token", views.revoke_token, POST),
)

add_rules(
    indicators,
    # public: the focus areas; one focus area's indicators
    ("/<slug>", "public_index", views.public_index, GET),
    ("/<slug>/<key>", "public_area", views.public_area, GET),
    # the yearly report's version for residents (?year=&lang=)
    ("/<slug>/yearly-report", "public_report", views.public_report, GET),
)

ANY = ["GET", "POST", "PUT", "PATCH", "DELETE"]
add_rules(
    api,
    # this API described (OpenAPI 3.1)
    ("/openapi.json", "openapi", views.openapi, GET),
    # focus areas, goals, rules, waves
    ("/frameworks/<slug>", "framework_detail", views.framework_detail, GET),
    # every visible indicator, overall (?format=csv); the same with groups and gaps as CSV
    ("/frameworks/<slug>/indicators", "indicator_list", views.indicator_list, GET),
    ("/frameworks/<slug>/indicators.csv", "indicator_csv", views.indicator_csv, GET),
    # one indicator with groups and gaps
    ("/frameworks/<slug>/indicators/<key>", "indicator_detail", views.indicator_detail, GET),
    # anything else under the API answers in JSON too
    ("/<path:anything>", "unknown", views.api_unknown, ANY),
    ("/", "unknown", views.api_unknown, ANY, {"anything": ""}),
)
