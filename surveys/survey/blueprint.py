"""The URL map of surveys: residents answering, staff authoring and reading results.

Two blueprints, because their visitors differ: `public` serves residents without an
account (never cached, the resume form rate-limited, pages in the survey's languages);
`manage` serves logged-in staff, each view checking the role it needs.
"""

from __future__ import annotations

from flask import Blueprint

from surveys.core.urls import BOTH, GET, POST, add_rules
from surveys.extensions import csrf
from surveys.survey import fragments, views

public = Blueprint("public", __name__, template_folder="templates")
manage = Blueprint("manage", __name__, template_folder="templates")
manage.context_processor(views.staff_helpers)
# answering pages render each question through it (kept per language while unanswered)
public.add_app_template_global(fragments.question_html)
# A recording may be larger than other requests: its view raises the size limit first, then
# its form checks the CSRF token (the app-wide check would read the body before that).
csrf.exempt(views.upload_audio)


add_rules(
    public,
    # start page: intro, consent, continue or resume
    ("/s/<slug>", "start", views.start, GET),
    # consent given: a response begins
    ("/s/<slug>/start", "begin", views.begin, POST),
    # page n (1-based); POST saves it and goes to the next shown page (or back)
    ("/s/<slug>/p/<int:n>", "page", views.page, BOTH),
    # a resume code continues the response on this device
    ("/s/<slug>/resume", "resume", views.resume, BOTH),
    # the end
    ("/s/<slug>/thanks", "thanks", views.thanks, GET),
    # a question read aloud in a language (byte ranges, cacheable: ?v= names the content)
    ("/s/<slug>/audio/<int:question_id>/<lang>", "audio", views.public_audio, GET),
)

add_rules(
    manage,
    # -- surveys
    # the organisation's surveys, responses, translation state
    ("/manage/", "index", views.index, GET),
    # a new empty survey; the page offers the templates too
    ("/manage/surveys/new", "new_survey", views.new_survey, BOTH),
    # a copy of a ready template
    ("/manage/surveys/from-template", "from_template", views.from_template, POST),
    # a survey from a JSON definition file
    ("/manage/surveys/import", "import_survey", views.import_survey, BOTH),
    # pages, questions and actions
    ("/manage/surveys/<int:survey_id>", "survey", views.survey, GET),
    # address, languages, times, texts
    ("/manage/surveys/<int:survey_id>/settings", "settings", views.settings, BOTH),
    # open (refused while incomplete), close
    ("/manage/surveys/<int:survey_id>/open", "open_survey", views.open_survey, POST),
    ("/manage/surveys/<int:survey_id>/close", "close_survey", views.close_survey, POST),
    # the JSON definition as a download
    ("/manage/surveys/<int:survey_id>/export", "export", views.export, GET),
    # as a resident sees it (?lang=), read-only: start page, pages 1..N, thank-you page
    ("/manage/surveys/<int:survey_id>/preview/<int:n>", "preview", views.preview, GET),
    ("/manage/surveys/<int:survey_id>/preview", "preview", views.preview, GET, {"n": 0}),
    # -- translations and paper entry
    # every text beside its translation
    ("/manage/surveys/<int:survey_id>/translations/<lang>", "translations", views.translations,
     BOTH),
    # the texts as a PO file for translators, and a translated one uploaded
    ("/manage/surveys/<int:survey_id>/translations/<lang>.po", "translation_file",
     views.translation_file, GET),
    ("/manage/surveys/<int:survey_id>/translations/<lang>/po", "upload_translation_file",
     views.upload_translation_file, POST),
    # staff type in a paper questionnaire or an interview
    ("/manage/surveys/<int:survey_id>/entry", "entry", views.entry, POST),
    # -- pages
    # a new last page
    ("/manage/surveys/<int:survey_id>/pages", "add_page", views.add_page, POST),
    # the page heading; up / down; confirm, then delete
    ("/manage/pages/<int:page_id>", "edit_page", views.edit_page, BOTH),
    ("/manage/pages/<int:page_id>/move", "move_page", views.move_page, POST),
    ("/manage/pages/<int:page_id>/delete", "delete_page", views.delete_page, BOTH),
    # add a question (?type= chosen first)
    ("/manage/pages/<int:page_id>/questions/new", "new_question", views.new_question, BOTH),
    # -- questions
    # edit; up / down / previous / next page; display condition (?source=); delete
    ("/manage/questions/<int:question_id>", "edit_question", views.edit_question, BOTH),
    ("/manage/questions/<int:question_id>/move", "move_question", views.move_question, POST),
    ("/manage/questions/<int:question_id>/condition", "condition", views.condition, BOTH),
    ("/manage/questions/<int:question_id>/delete", "delete_question", views.delete_question,
     BOTH),
    # recordings of the question per language: upload (replaces), listen, remove
    ("/manage/questions/<int:question_id>/audio", "upload_audio", views.upload_audio, POST),
    ("/manage/questions/<int:question_id>/audio/<lang>", "audio_file", views.audio_file, GET),
    ("/manage/questions/<int:question_id>/audio/<lang>/delete", "delete_audio",
     views.delete_audio, POST),
    # -- unweighted results (analysts)
    # responses, times and every question (?completed=1: completed responses only)
    ("/results/<int:survey_id>", "results", views.results_page, GET),
    # the raw answers, one row per response (?completed=1 likewise)
    ("/results/<int:survey_id>/answers.csv", "answers_csv", views.answers_csv, GET),
)
