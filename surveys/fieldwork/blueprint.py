"""The URL map of fieldwork: a survey's frame, drawn sample, outcomes and rates.

Three blueprints, because their visitors differ: `public` serves residents entering the
code from their letter (POST rate-limited); `api` serves the aggregate figures as JSON to
anyone (rate-limited like the indicator API, no cookies); `bp` serves logged-in staff,
each view checking its role (names and addresses only to admins and the fieldwork role).
"""

from __future__ import annotations

from flask import Blueprint

from surveys.core.urls import BOTH, GET, POST, add_rules
from surveys.extensions import csrf, limiter
from surveys.fieldwork import views

public = Blueprint("fieldwork_public", __name__, template_folder="templates")
# the survey's start page offers the code form when the survey has a drawn sample
public.app_context_processor(views.start_page_helpers)
public.after_request(views.no_store)  # a resident's code is personal: never cached

api = Blueprint("fieldwork_api", __name__, url_prefix="/api/v1")
csrf.exempt(api)  # read-only GETs
limiter.limit(views.api_limit)(api)

bp = Blueprint("fieldwork", __name__, url_prefix="/manage/surveys/<int:survey_id>/fieldwork",
               template_folder="templates")
bp.context_processor(views.helpers)

add_rules(
    public,
    # the code from the letter (?c= from its QR code); POST starts or resumes the response
    ("/s/<slug>/code", "code", views.code, BOTH),
)

add_rules(
    api,
    # sample size, cases per AAPOR code, rates; per stratum with small strata merged
    ("/surveys/<slug>/fieldwork", "figures", views.api_figures, GET),
)

add_rules(
    bp,
    # the frame, the sample, the rates (overall, per stratum, language, channel, over time)
    ("", "overview", views.overview, GET),
    # import a frame file: every row checked; skip the listed rows on a second step
    ("/frame", "frame", views.frame, BOTH),
    # strata, allocation and margins of error; then the draw
    ("/design", "design", views.design, BOTH),
    # the sampled people with names and addresses; the same for a mail merge (a POST, since
    # the download is written to the audit log); one QR code
    ("/people", "people", views.people, GET),
    ("/people.csv", "people_csv", views.people_csv, POST),
    ("/qr/<access_code>.svg", "qr", views.qr, GET),
    # outcomes one by one, or from a CSV of codes; a dated mailing
    ("/outcome", "outcome", views.outcome, POST),
    ("/outcomes", "outcomes_file", views.outcomes_file, POST),
    ("/mailings", "mailing", views.mailing, POST),
    # the rate tables as files
    ("/rates.csv", "rates_csv", views.rates_csv, GET),
    ("/rates.xlsx", "rates_xlsx", views.rates_xlsx, GET),
    # confirm, then delete names, addresses and the code-to-person link
    ("/purge", "purge", views.purge, BOTH),
)

add_rules(
    bp,
    # letters (PDF, a job) and reminders (also e-mail, SMS); the paper questionnaire, typed
    # in under the code printed on it
    ("/letters", "letters", views.letters, GET),
    ("/letters", "make_letters", views.make_letters, POST),
    ("/letters/retry", "retry_messages", views.retry_messages, POST),
    ("/paper.pdf", "paper_pdf", views.paper_pdf, GET),
    ("/paper-entry", "paper_entry", views.paper_entry, POST),
)
