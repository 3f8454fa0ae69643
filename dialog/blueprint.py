"""The URL map of dialogue events.

Two blueprints, because their visitors differ: `participate` serves participants' devices
(no account, a device token in the session cookie; writing and voting limited per device,
joining per address; pages never cached), `dialog` serves facilitators (login and role)
and the published "what we heard" page residents reach with the event's code.
"""

from __future__ import annotations

from flask import Blueprint

from dialog import action_links as _action_links  # noqa: F401 - registers events as links
from dialog import report_part as _report_part  # noqa: F401 - what residents said, in reports
from dialog import views
from surveys.core.urls import BOTH, GET, POST, add_rules

participate = Blueprint("participate", __name__, url_prefix="/d", template_folder="templates")
participate.after_request(views.participant_no_store)
participate.context_processor(views.participant_helpers)

dialog = Blueprint("dialog", __name__, template_folder="templates", static_folder="static",
                   static_url_path="/dialog/static")
dialog.context_processor(views.staff_helpers)
dialog.context_processor(views.heard_helpers)
dialog.after_request(views.figures_no_store)

add_rules(
    participate,
    # type the join code (?code= looks it up)
    ("", "join_form", views.join_form, GET),
    # choose a language (?lang=), then the consent text; consent given: this device joins
    ("/<code>", "enter", views.enter, GET),
    ("/<code>/join", "join", views.join, POST),
    # the event: prompts, write a statement, where to go next
    ("/<code>/e", "home", views.home, GET),
    ("/<code>/statements", "write", views.write, POST),
    # agree / disagree / pass, one statement at a time; distribute the event's points
    ("/<code>/vote", "vote", views.vote, BOTH),
    ("/<code>/dots", "dots", views.dots, BOTH),
    # the optional anonymous check-in
    ("/<code>/checkin", "checkin", views.checkin, BOTH),
)

add_rules(
    dialog,
    # -- events
    # the organisation's events; a new draft event
    ("/dialog/", "index", views.index, GET),
    ("/dialog/events/new", "new_event", views.new_event, BOTH),
    # details, state, join code + QR, prompts; edit the details; open / close / publish
    ("/dialog/events/<int:event_id>", "event", views.event, GET),
    ("/dialog/events/<int:event_id>/edit", "edit_event", views.edit_event, BOTH),
    ("/dialog/events/<int:event_id>/status", "change_status", views.change_status, POST),
    # the join QR code (?download=1)
    ("/dialog/events/<int:event_id>/qr.svg", "qr", views.qr, GET),
    # -- prompts: add one; edit one; up / down
    ("/dialog/events/<int:event_id>/prompts", "add_prompt", views.add_prompt, POST),
    ("/dialog/prompts/<int:prompt_id>", "edit_prompt", views.edit_prompt, BOTH),
    ("/dialog/prompts/<int:prompt_id>/move", "move_prompt", views.move_prompt, POST),
    # -- moderation: queue, bursts, devices and log; approve / hide / restore; mute / unmute
    ("/dialog/events/<int:event_id>/moderation", "moderation", views.moderation, GET),
    ("/dialog/statements/<int:statement_id>/moderate", "moderate", views.moderate, POST),
    ("/dialog/participants/<int:participant_id>/mute", "mute", views.mute, POST),
    # a burst of votes: mute its devices at once
    ("/dialog/events/<int:event_id>/mute-devices", "mute_devices", views.mute_devices, POST),
    # -- translations: the queue; write or approve one; the original's language; machine drafts
    ("/dialog/events/<int:event_id>/translations", "translations", views.translations, GET),
    ("/dialog/statements/<int:statement_id>/translations", "translate", views.translate, POST),
    ("/dialog/statements/<int:statement_id>/language", "statement_language",
     views.statement_language, POST),
    ("/dialog/events/<int:event_id>/translations/machine", "machine_drafts",
     views.machine_drafts, POST),
    # -- tables: table groups, add one; a note for a table and prompt
    ("/dialog/events/<int:event_id>/tables", "tables", views.tables, BOTH),
    ("/dialog/tables/<int:table_id>/notes", "add_note", views.add_note, POST),
    # -- paper: statements and tallies; a statement written on paper; paper votes or dots
    ("/dialog/events/<int:event_id>/paper", "paper", views.paper, GET),
    ("/dialog/events/<int:event_id>/paper/statements", "paper_statement",
     views.paper_statement, POST),
    ("/dialog/events/<int:event_id>/paper/tallies", "paper_tally", views.paper_tally, POST),
    # -- screens (never cached)
    # the projector screen (complete without JavaScript) and its figures, polled by live.js
    ("/dialog/events/<int:event_id>/live", "live_screen", views.live_screen, GET),
    ("/dialog/events/<int:event_id>/live.json", "live_json", views.live_json, GET),
    # who is in the room beside the population's margins; opinion groups, consensus
    ("/dialog/events/<int:event_id>/room", "room_panel", views.room_panel, GET),
    ("/dialog/events/<int:event_id>/groups", "groups", views.groups, GET),
    # -- closing the loop
    # what we heard: the public page of a published event
    ("/d/<code>/heard", "heard_page", views.heard_page, GET),
    # the answer, actions, exports, public link; save "what we do"; add an action
    ("/dialog/events/<int:event_id>/feedback", "feedback", views.feedback, GET),
    ("/dialog/events/<int:event_id>/feedback/response", "save_response", views.save_response,
     POST),
    ("/dialog/events/<int:event_id>/feedback/actions", "add_action", views.add_action, POST),
    # change an action's status, or remove it
    ("/dialog/actions/<int:action_id>", "change_action", views.change_action, POST),
    # -- exports
    # statements | votes | groups | notes as CSV; the four as XLSX (POSTs: a download of the
    # votes is written to the audit log); the report (?lang=)
    ("/dialog/events/<int:event_id>/export/<table>.csv", "csv_export", views.csv_export, POST),
    ("/dialog/events/<int:event_id>/export.xlsx", "xlsx_export", views.xlsx_export, POST),
    ("/dialog/events/<int:event_id>/report.pdf", "report", views.report, GET),
)
