"""Residents answer a survey: /s/<slug>. Plain HTML forms; no JavaScript needed."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from surveys.extensions import db, limiter
from surveys.core.i18n import requested_language
from surveys.survey import responses as svc
from surveys.survey.models import Channel, Response, Survey, SurveyStatus

bp = Blueprint("public", __name__, url_prefix="/s")

# -- URL map ------------------------------------------------------------------------------
# GET  /s/<slug>                  start page: intro, consent, continue or resume
# POST /s/<slug>/start            consent given: a response begins
# GET  /s/<slug>/p/<n>            page n (1-based) of the survey
# POST /s/<slug>/p/<n>            save page n, go to the next shown page (or back)
# GET  /s/<slug>/resume           form for a resume code
# POST /s/<slug>/resume           resume on this device with a code
# GET  /s/<slug>/thanks           the end


def _survey(slug: str) -> Survey:
    """The survey at `slug`, in the visitor's language; drafts do not exist publicly."""
    survey = db.session.scalar(select(Survey).where(Survey.slug == slug))
    if survey is None or survey.status is SurveyStatus.draft:
        abort(404)
    g.content_language = requested_language(survey.languages)
    g.fallback_language = survey.default_language
    return survey


def _current_response(survey: Survey) -> Response | None:
    return svc.response_by_token(survey, session.get("responses", {}).get(str(survey.id)))


def _remember(response: Response) -> None:
    tokens = dict(session.get("responses", {}))
    tokens[str(response.survey_id)] = response.token
    session["responses"] = tokens
    session.permanent = True


def _staff_entry(survey: Survey, response: Response | None) -> bool:
    """Staff typing in a paper or interview response may continue after closing."""
    return (
        response is not None
        and response.channel is not Channel.web
        and current_user.is_authenticated
        and current_user.organisation_id == survey.organisation_id
    )


def _unavailable(survey: Survey):
    """Explain why the survey cannot be answered now."""
    if survey.not_yet_open():
        return render_template("survey/unavailable.html", survey=survey, state="not_yet_open"), 403
    return render_template("survey/unavailable.html", survey=survey, state="closed"), 410


@bp.get("/<slug>")
def start(slug: str):
    survey = _survey(slug)
    response = _current_response(survey)
    if response is not None and response.completed_at is not None:
        return redirect(url_for(".thanks", slug=slug))
    if not survey.accepts_answers() and not _staff_entry(survey, response):
        return _unavailable(survey)
    return render_template("survey/start.html", survey=survey, response=response)


@bp.post("/<slug>/start")
def begin(slug: str):
    survey = _survey(slug)
    if not survey.accepts_answers():
        return _unavailable(survey)
    response = _current_response(survey)
    if response is None or response.completed_at is not None:
        response = svc.start_response(survey, g.content_language)
        _remember(response)
    return redirect(url_for(".page", slug=slug, n=response.current_page + 1))


def _answering(slug: str) -> tuple[Survey, Response]:
    survey = _survey(slug)
    response = _current_response(survey)
    if response is None:
        abort(redirect(url_for(".start", slug=slug)))
    if response.completed_at is not None:
        abort(redirect(url_for(".thanks", slug=slug)))
    if not survey.accepts_answers() and not _staff_entry(survey, response):
        abort(make_response(_unavailable(survey)))
    if response.language != g.content_language:
        response.language = g.content_language
    return survey, response


@bp.route("/<slug>/p/<int:n>", methods=["GET", "POST"])
def page(slug: str, n: int):
    survey, response = _answering(slug)
    answers = svc.answers_by_key(response)
    shown = svc.shown_pages(survey, answers)
    if not shown:
        abort(404)
    index = n - 1
    if index not in shown:
        # A page hidden by a condition or out of range: go to where the resident is.
        current = response.current_page if response.current_page in shown else shown[0]
        return redirect(url_for(".page", slug=slug, n=current + 1))
    values, errors, status = _stored_values(survey.pages[index], answers), {}, 200
    if request.method == "POST":
        result = svc.save_page(
            response, index, request.form, going_back=request.form.get("action") == "back"
        )
        if not result.errors:
            if result.completed:
                return redirect(url_for(".thanks", slug=slug))
            return redirect(url_for(".page", slug=slug, n=result.next_page + 1))
        values, errors, status = result.values, result.errors, 400
    page_obj = survey.pages[index]
    return render_template(
        "survey/page.html",
        survey=survey,
        response=response,
        page=page_obj,
        questions=svc.shown_questions(page_obj, answers),
        values=values,
        errors=errors,
        step=shown.index(index) + 1,
        steps=len(shown),
        first=shown[0] == index,
        resume_code=svc.format_resume_code(response.resume_code),
    ), status


def _stored_values(page, answers: dict) -> dict:
    values = {}
    for question in page.questions:
        if question.key in answers:
            values.update(question.kind.form_values(question, answers[question.key]))
    return values


@bp.route("/<slug>/resume", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def resume(slug: str):
    survey = _survey(slug)
    if not survey.accepts_answers():
        return _unavailable(survey)
    error = None
    if request.method == "POST":
        response = svc.response_by_resume_code(survey, request.form.get("code", ""))
        if response is not None:
            _remember(response)
            return redirect(url_for(".page", slug=slug, n=response.current_page + 1))
        error = _("We found no unfinished answers with that code. Check the code and try again.")
    status = 400 if error else 200
    return render_template("survey/resume.html", survey=survey, error=error), status


@bp.get("/<slug>/thanks")
def thanks(slug: str):
    survey = _survey(slug)
    response = _current_response(survey)
    if response is None or response.completed_at is None:
        return redirect(url_for(".start", slug=slug))
    return render_template("survey/thanks.html", survey=survey, response=response)
