"""The URL map of themes and series (staff only: facilitators and analysts; admins too).

One blueprint: every visitor is a member of staff. Changing a series and deleting a theme
are for facilitators.
"""

from __future__ import annotations

from flask import Blueprint

from surveys.core.urls import BOTH, GET, POST, add_rules
from surveys.themes import action_links as _action_links  # noqa: F401 - registers themes
from surveys.themes import report_part as _report_part  # noqa: F401 - themes in reports
from surveys.themes import views

bp = Blueprint("themes", __name__, template_folder="templates")
bp.context_processor(views.helpers)
bp.before_request(views.staff_fallback)

add_rules(
    bp,
    # -- themes: the list with counts (POST adds one); one theme's counts; its names and goals
    ("/themes/", "index", views.index, BOTH),
    ("/themes/<int:theme_id>", "theme", views.theme, GET),
    ("/themes/<int:theme_id>/edit", "edit", views.edit, BOTH),
    # what deleting it takes away (facilitators); POST deletes it with its tags and links
    ("/themes/<int:theme_id>/delete", "delete", views.delete, BOTH),
    # -- tagging: an event's statements; set one statement's themes
    ("/themes/events/<int:event_id>", "event_statements", views.event_statements, GET),
    ("/themes/statements/<int:statement_id>", "tag_statement", views.tag_statement, POST),
    # add one theme to the ticked statements of the event
    ("/themes/events/<int:event_id>/tag", "tag_statements", views.tag_statements, POST),
    # the surveys with free-text questions; one survey's answers; set one answer's themes
    ("/themes/surveys/", "surveys", views.surveys, GET),
    ("/themes/surveys/<int:survey_id>", "survey_answers", views.survey_answers, GET),
    ("/themes/answers/<int:answer_id>", "tag_answer", views.tag_answer, POST),
    # add one theme to the ticked answers of the survey
    ("/themes/surveys/<int:survey_id>/tag", "tag_answers", views.tag_answers, POST),
    # -- series: the list (POST starts one); raised, decided and done per event
    ("/series/", "series_index", views.series_index, BOTH),
    ("/series/<int:series_id>", "series", views.series, GET),
    # add an event; take one out; carry the previous event's open statements into one
    ("/series/<int:series_id>/events", "add_event", views.add_event, POST),
    ("/series/<int:series_id>/events/<int:event_id>/remove", "remove_event",
     views.remove_event, POST),
    ("/series/<int:series_id>/events/<int:event_id>/carry", "carry_forward",
     views.carry_forward, POST),
)
