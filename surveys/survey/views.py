"""Views of surveys: residents answer, staff author, translate, type in paper and read results.

Every view parses its request, calls `services` (changes) or `queries` (reads), then
renders or redirects. Staff views load an object of the user's organisation (another
organisation's ids answer 404); a change that succeeds redirects (the request commits),
a refused one shows the form again with status 400 (the request rolls back). The URL
map is `blueprint.py`.
"""

from __future__ import annotations

import json

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from surveys.auth.access import own, roles_required
from surveys.core.forms import ConfirmForm, choices, field_problems, form_status
from surveys.core.i18n import language_name, requested_language
from surveys.core.roles import ANALYSTS, AUTHORS, STAFF, Role
from surveys.core.time import as_local, as_utc
from surveys.extensions import limiter
from surveys.survey import audio, queries, results, services, translation_files
from surveys.survey import export as answer_export
from surveys.survey.definition import export_definition, template_titles
from surveys.survey.forms import (
    STATUS_LABELS,
    AudioForm,
    ConditionForm,
    EntryForm,
    ImportForm,
    MoveForm,
    NewSurveyForm,
    PageForm,
    QuestionForm,
    TemplateForm,
    settings_form,
    translation_form,
)
from surveys.survey.models import (
    Channel,
    Page,
    Question,
    ResponseRow,
    Survey,
    SurveyRow,
    SurveyStatus,
    format_resume_code,
)
from surveys.survey.questions import QUESTION_TYPES
from surveys.survey.services import AudioRefused, AuthoringError
from surveys.survey.texts import SURVEY_TEXTS, completeness_lines, missing_texts, survey_texts


def staff_helpers() -> dict:
    """Names the staff templates use."""
    return {
        "can_author": current_user.is_authenticated and current_user.has_role(*AUTHORS),
        "is_admin": current_user.is_authenticated and current_user.has_role(Role.admin),
        "language_name": language_name,
        "completeness_lines": completeness_lines,
        "condition_choices": services.condition_choices,
        "STATUS_LABELS": STATUS_LABELS,
        "QUESTION_TYPES": QUESTION_TYPES,
        "ROLE_ANALYST": Role.analyst,
        # the results page
        "share": results.format_share,
        "figure": results.format_figure,
        "language_display_name": results.language_display_name,
        "CHANNEL_LABELS": results.CHANNEL_LABELS,
    }


# == residents: /s/<slug> ====================================================================

def _public_survey(slug: str) -> SurveyRow:
    """The survey at `slug`, in the visitor's language; drafts do not exist publicly."""
    return _public_survey_and_response(slug, with_response=False)[0]


def _public_survey_and_response(slug: str, with_response: bool = True, lock: bool = False
                                ) -> tuple[SurveyRow, ResponseRow | None]:
    """`_public_survey` and this device's response to it (None if it has none); `lock`
    locks the response until the request ends (see `queries.survey_with_response`)."""
    tokens = session.get("responses", {}) if with_response else {}
    survey, response = queries.survey_with_response(slug, tokens, lock=lock)
    if survey is None or survey.status is SurveyStatus.draft:
        abort(404)
    g.content_language = requested_language(survey.languages)
    g.interface_locale = survey.interface_locale(g.content_language)
    g.fallback_language = survey.default_language
    return survey, response


def _remember(response) -> None:
    """This device continues the response (a resident's own, or one staff type in)."""
    tokens = dict(session.get("responses", {}))
    tokens[str(response.survey_id)] = response.token
    session["responses"] = tokens
    session.permanent = True


def _staff_entry(survey: Survey, response) -> bool:
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
        return render_template("survey/unavailable.html", survey=survey,
                               state="not_yet_open"), 403
    return render_template("survey/unavailable.html", survey=survey, state="closed"), 410


def start(slug: str):
    """Start page: intro, consent, continue or resume."""
    survey, response = _public_survey_and_response(slug)
    if response is not None and response.completed_at is not None:
        return redirect(url_for(".thanks", slug=slug))
    if not survey.accepts_answers() and not _staff_entry(survey, response):
        return _unavailable(survey)
    return render_template("survey/start.html", survey=survey, response=response)


def begin(slug: str):
    """Consent given: a response begins (or the unfinished one continues)."""
    survey, response = _public_survey_and_response(slug)
    if not survey.accepts_answers():
        return _unavailable(survey)
    if response is None or response.completed_at is not None:
        response = services.start_response(survey, g.content_language)
        _remember(response)
    return redirect(url_for(".page", slug=slug, n=response.current_page + 1))


def _answering(slug: str):
    survey, response = _public_survey_and_response(slug, lock=request.method == "POST")
    if response is None:
        abort(redirect(url_for(".start", slug=slug)))
    if response.completed_at is not None:
        abort(redirect(url_for(".thanks", slug=slug)))
    if not survey.accepts_answers() and not _staff_entry(survey, response):
        abort(make_response(_unavailable(survey)))
    return survey, queries.survey_definition(survey), response


def page(slug: str, n: int):
    """Page n (1-based); POST saves it and goes to the next shown page (or back)."""
    survey, definition, response = _answering(slug)
    # read after the response is locked (a POST), so a double tap's first answers are in
    stored = queries.answer_values(response.id)
    answers = services.answers_by_key(stored, definition)
    shown = services.shown_pages(definition, answers)
    if not shown:
        abort(404)
    index = n - 1
    if index not in shown:
        # A page hidden by a condition or out of range: go to where the resident is.
        current = response.current_page if response.current_page in shown else shown[0]
        return redirect(url_for(".page", slug=slug, n=current + 1))
    missing = services.first_incomplete_page(definition, answers)
    if missing is not None and index > missing:
        # Not reached yet: an earlier page still needs an answer.
        return redirect(url_for(".page", slug=slug, n=missing + 1))
    page_def = definition.pages[index]
    values = services.stored_values(page_def, answers)
    errors, status = {}, 200
    if request.method == "POST":
        result = services.save_page(
            response, index, request.form, going_back=request.form.get("action") == "back",
            definition=definition, stored=stored,
            # the language a page was saved in is the response's (a page view writes nothing)
            language=g.content_language,
        )
        if not result.errors:
            if result.completed:
                return redirect(url_for(".thanks", slug=slug))
            return redirect(url_for(".page", slug=slug, n=result.next_page + 1))
        values, errors, status = result.values, result.errors, 400
    return render_template(
        "survey/page.html",
        survey=survey,
        response=response,
        page=page_def,
        questions=services.shown_questions(page_def, answers, definition),
        values=values,
        errors=errors,
        step=shown.index(index) + 1,
        steps=len(shown),
        first=shown[0] == index,
        resume_code=format_resume_code(response.resume_code),
    ), status


@limiter.limit("10 per minute", methods=["POST"])
def resume(slug: str):
    """The form for a resume code; POST continues on this device."""
    survey = _public_survey(slug)
    if not survey.accepts_answers():
        return _unavailable(survey)
    error = None
    if request.method == "POST":
        response = queries.response_by_resume_code(survey, request.form.get("code", ""))
        if response is not None:
            _remember(response)
            return redirect(url_for(".page", slug=slug, n=response.current_page + 1))
        error = _("We found no unfinished answers with that code. Check the code and try again.")
    status = 400 if error else 200
    return render_template("survey/resume.html", survey=survey, error=error), status


def thanks(slug: str):
    """The end."""
    survey, response = _public_survey_and_response(slug)
    if response is None or response.completed_at is None:
        return redirect(url_for(".start", slug=slug))
    return render_template("survey/thanks.html", survey=survey, response=response)


#: How long a recording at an address naming its content may be cached.
YEAR = 365 * 24 * 3600


def _send_recording(question, lang: str, *, public: bool):
    """A question's recording in `lang` (the stored question, or its published definition),
    with byte ranges and ETag (`send_file`)."""
    clip = question.audio.get(lang)
    if clip is None or not audio.path_of(clip["sha256"]).is_file():
        abort(404)
    # ?v= names the content (a replaced recording has another): such an address never goes stale.
    versioned = request.args.get("v") == clip["sha256"][:16]
    sent = send_file(audio.path_of(clip["sha256"]), mimetype=clip["type"], conditional=True,
                     etag=clip["sha256"], max_age=YEAR if versioned and public else 0)
    if versioned and public:
        sent.cache_control.immutable = True
    else:
        sent.cache_control.no_cache = True
        sent.cache_control.private = not public
    return sent


def public_audio(slug: str, question_id: int, lang: str):
    """A question read aloud, for the player beside it (only in the survey's languages)."""
    survey = _public_survey(slug)
    question = queries.survey_definition(survey).by_id.get(question_id)
    if question is None or lang not in survey.languages:
        abort(404)
    return _send_recording(question, lang, public=True)


# == staff: /manage/... ======================================================================

def _survey(survey_id: int) -> Survey:
    return own(Survey, survey_id)


def _page(page_id: int) -> Page:
    return own(Page, page_id, via=lambda page: page.survey)


def _question(question_id: int) -> Question:
    return own(Question, question_id, via=lambda question: question.survey)


def _to_survey(survey: Survey, anchor: str | None = None):
    return redirect(url_for(".survey", survey_id=survey.id, _anchor=anchor))


# -- surveys ---------------------------------------------------------------------------------

@roles_required(*STAFF)
def index():
    """Surveys, responses, translation state."""
    organisation = current_user.organisation_id
    return render_template(
        "survey/manage/index.html",
        surveys=queries.organisation_surveys(organisation),
        counts=queries.response_counts(organisation),
    )


def _new_page(form: NewSurveyForm, template_form: TemplateForm, problems=(), status=200):
    return render_template("survey/manage/new.html", form=form, template_form=template_form,
                           problems=problems), status


def _template_form(**kwargs) -> TemplateForm:
    return TemplateForm(prefix="template", titles=template_titles(str(get_locale())), **kwargs)


@roles_required(*AUTHORS)
def new_survey():
    """A new empty survey; the page offers the templates too."""
    form = NewSurveyForm()
    problems = []
    if form.validate_on_submit():
        try:
            survey = services.create_survey(
                current_user.organisation_id, slug=form.slug.data, title=form.title.data,
                default_language=form.default_language.data, languages=form.chosen_languages())
        except AuthoringError as error:
            problems = field_problems(form, error)
        else:
            flash(_("The survey was created. Add questions to its first page."))
            return _to_survey(survey)
    return _new_page(form, _template_form(formdata=None), problems, form_status(form))


@roles_required(*AUTHORS)
def from_template():
    """A copy of a ready template."""
    template_form = _template_form()
    problems = []
    if template_form.validate_on_submit():
        try:
            survey = services.create_from_template(
                current_user.organisation_id, template_form.template.data, template_form.slug.data)
        except AuthoringError as error:
            problems = field_problems(template_form, error)
        else:
            flash(_("The survey was created from the template. Check the texts, then open it."))
            return _to_survey(survey)
    return _new_page(NewSurveyForm(formdata=None), template_form, problems, 400)


@roles_required(*AUTHORS)
def import_survey():
    """A survey from a JSON definition file."""
    form = ImportForm()
    problems = []
    if form.validate_on_submit():
        try:
            data = services.read_definition_file(
                form.file.data.read(services.MAX_DEFINITION_BYTES + 1))
            survey = services.import_survey(data, current_user.organisation_id,
                                            slug=form.slug.data or None)
        except AuthoringError as error:
            problems = field_problems(form, error)
        else:
            flash(_("The survey was imported as a draft."))
            return _to_survey(survey)
    return render_template("survey/manage/import.html", form=form,
                           problems=problems), form_status(form)


def _overview(survey: Survey, problems=(), status: int = 200, problem_title: str | None = None):
    return render_template(
        "survey/manage/survey.html",
        current_survey=survey,
        problems=problems,
        problem_title=problem_title,
        answered=queries.has_responses(survey),
        counts=queries.response_counts(survey.organisation_id).get(survey.id, (0, 0)),
        entry_form=EntryForm(formdata=None, languages=survey.languages),
        page_form=PageForm(formdata=None),
    ), status


@roles_required(*STAFF)
def survey(survey_id: int):
    """Pages, questions and actions."""
    return _overview(_survey(survey_id))


@roles_required(*AUTHORS)
def settings(survey_id: int):
    """Address, languages, times, texts."""
    survey = _survey(survey_id)
    lang = survey.default_language
    if request.method == "GET":
        form = settings_form(survey, data={
            "slug": survey.slug,
            "languages": list(survey.languages),
            "opens_at": as_local(survey.opens_at),
            "closes_at": as_local(survey.closes_at),
            **{name: survey.texts.get(name, {}).get(lang, "") for name in SURVEY_TEXTS},
        })
    else:
        form = settings_form(survey)
    problems = []
    if form.validate_on_submit():
        try:
            services.update_settings(
                survey, slug=form.slug.data, languages=form.chosen_languages(),
                opens_at=as_utc(form.opens_at.data), closes_at=as_utc(form.closes_at.data),
                texts={name: form[name].data for name in SURVEY_TEXTS},
                interfaces=form.chosen_interfaces())
        except AuthoringError as error:
            problems = field_problems(form, error)
        else:
            flash(_("The settings were saved."))
            return _to_survey(survey)
    return render_template("survey/manage/settings.html", current_survey=survey, form=form,
                           problems=problems), form_status(form)


@roles_required(*AUTHORS)
def open_survey(survey_id: int):
    """Open (refused while incomplete)."""
    survey = _survey(survey_id)
    try:
        services.open_survey(survey)
    except AuthoringError as error:
        return _overview(survey, error.problems, 400, _("The survey cannot open yet"))
    flash(_("The survey is open. Residents answer at %(url)s",
            url=url_for("public.start", slug=survey.slug, _external=True)))
    return _to_survey(survey)


@roles_required(*AUTHORS)
def close_survey(survey_id: int):
    """Close."""
    survey = _survey(survey_id)
    try:
        services.close_survey(survey)
    except AuthoringError as error:
        return _overview(survey, error.problems, 400)
    flash(_("The survey is closed. Residents can no longer answer."))
    return _to_survey(survey)


@roles_required(*AUTHORS)
def export(survey_id: int):
    """The JSON definition as a download."""
    survey = _survey(survey_id)
    body = json.dumps(export_definition(survey), ensure_ascii=False, indent=2) + "\n"
    response = current_app.response_class(body, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="{survey.slug}.json"'
    return response


@roles_required(*STAFF)
def preview(survey_id: int, n: int):
    """Start page (0), pages (1..N) and thank-you page (N+1), as a resident would see them."""
    survey = _survey(survey_id)
    if n > len(survey.pages) + 1:
        abort(404)
    lang = request.args.get("lang", "")
    if lang not in survey.languages:
        lang = survey.default_language
    # The question templates read these through tr(); the interface is the residents' one.
    g.content_language = lang
    g.interface_locale = survey.interface_locale(lang)
    g.fallback_language = survey.default_language
    return render_template(
        "survey/manage/preview.html",
        survey=survey,
        n=n,
        page=survey.pages[n - 1] if 1 <= n <= len(survey.pages) else None,
        values={},
        errors={},
        missing=missing_texts(survey, lang),
        preview_lang=lang,  # not `lang`: base.html sets that name for itself
    )


def _translated_survey(survey_id: int, lang: str) -> Survey:
    """The survey, if `lang` is one of its languages other than the default."""
    survey = _survey(survey_id)
    if lang not in survey.languages or lang == survey.default_language:
        abort(404)
    return survey


@roles_required(*AUTHORS)
def translations(survey_id: int, lang: str):
    """Every text beside its translation."""
    survey = _translated_survey(survey_id, lang)
    refs = survey_texts(survey)
    form = translation_form(refs, lang, survey.default_language)
    if form.validate_on_submit():
        values = {text_id: form[name].data or "" for text_id, name in form.field_names.items()}
        services.save_translations(survey, lang, values)
        flash(_("The %(language)s texts were saved.", language=language_name(lang)))
        return redirect(url_for(".translations", survey_id=survey.id, lang=lang))
    return render_template("survey/manage/translations.html", current_survey=survey,
                           target_lang=lang, refs=refs, form=form), form_status(form)


@roles_required(*AUTHORS)
def translation_file(survey_id: int, lang: str):
    """The texts as a PO file for translators."""
    survey = _translated_survey(survey_id, lang)
    return Response(
        translation_files.export_po(survey, lang),
        mimetype="text/x-gettext-translation",
        headers={"Content-Disposition": f'attachment; filename="{survey.slug}-{lang}.po"'},
    )


@roles_required(*AUTHORS)
def upload_translation_file(survey_id: int, lang: str):
    """A translated PO file: stored only when every line is right."""
    survey = _translated_survey(survey_id, lang)
    upload = request.files.get("file")
    report = services.import_translations(survey, lang, upload.read() if upload else b"")
    if report.ok:
        flash(_("%(num)s texts were updated from the file.", num=report.changed))
        return redirect(url_for(".translations", survey_id=survey.id, lang=lang))
    refs = survey_texts(survey)
    return render_template(
        "survey/manage/translations.html", current_survey=survey, target_lang=lang, refs=refs,
        form=translation_form(refs, lang, survey.default_language), file_problems=report.problems,
    ), 400


@roles_required(*STAFF)
def entry(survey_id: int):
    """Staff type in a paper questionnaire or an interview."""
    survey = _survey(survey_id)
    form = EntryForm(languages=survey.languages)
    if not form.validate_on_submit():
        problems = [error for errors in form.errors.values() for error in errors]
        return _overview(survey, problems, 400)
    try:
        response = services.start_staff_entry(survey, form.language.data,
                                               Channel(form.channel.data), current_user)
    except AuthoringError as error:
        return _overview(survey, error.problems, 400)
    # Remembered exactly as the public pages remember a resident's own response.
    _remember(response)
    # ?lang= keeps the questionnaire's language rather than the staff member's browser's.
    return redirect(url_for("public.page", slug=survey.slug, n=1, lang=response.language))


# -- pages -----------------------------------------------------------------------------------

@roles_required(*AUTHORS)
def add_page(survey_id: int):
    """A new last page."""
    survey = _survey(survey_id)
    form = PageForm()
    if not form.validate_on_submit():
        return _overview(survey, [e for errors in form.errors.values() for e in errors], 400)
    try:
        page = services.add_page(survey, form.title.data or "")
    except AuthoringError as error:
        return _overview(survey, error.problems, 400)
    flash(_("Page %(n)s was added.", n=page.position + 1))
    return _to_survey(survey, f"page-{page.id}")


@roles_required(*AUTHORS)
def edit_page(page_id: int):
    """The page heading."""
    page = _page(page_id)
    survey = page.survey
    if request.method == "GET":
        form = PageForm(data={"title": page.title.get(survey.default_language, "")})
    else:
        form = PageForm()
    if form.validate_on_submit():
        services.rename_page(page, form.title.data or "")
        flash(_("The page heading was saved."))
        return _to_survey(survey, f"page-{page.id}")
    return render_template("survey/manage/page.html", current_survey=survey, page=page,
                           form=form), form_status(form)


@roles_required(*AUTHORS)
def move_page(page_id: int):
    """Up or down."""
    page = _page(page_id)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.move_page(page, form.direction.data)
    except AuthoringError as error:
        return _overview(page.survey, error.problems, 400)
    return _to_survey(page.survey, f"page-{page.id}")


@roles_required(*AUTHORS)
def delete_page(page_id: int):
    """Confirm, then delete."""
    page = _page(page_id)
    survey = page.survey
    form = ConfirmForm()
    problems = []
    if form.validate_on_submit():
        try:
            services.delete_page(page)
        except AuthoringError as error:
            problems = error.problems
        else:
            flash(_("The page was deleted."))
            return _to_survey(survey)
    return render_template("survey/manage/delete.html", current_survey=survey, form=form,
                           page=page, question=None, problems=problems), form_status(form)


# -- questions -------------------------------------------------------------------------------

def _question_form_page(survey, form, *, page, question=None, problems=(), notice=None,
                        status=200, audio_form=None):
    type_name = form.shown_type.data
    if question is not None and audio_form is None:
        audio_form = AudioForm(formdata=None, languages=survey.languages)
    return render_template(
        "survey/manage/question.html", current_survey=survey, page=page, question=question,
        form=form, settings_fields=QuestionForm.settings_fields(type_name),
        kind=QUESTION_TYPES[type_name], problems=problems, notice=notice,
        audio_form=audio_form,
        remove_form=ConfirmForm(formdata=None),
    ), status


def _saved_question_form(question: Question) -> QuestionForm:
    """The question form filled from the stored question."""
    lang = question.survey.default_language
    form = QuestionForm(formdata=None, data={
        "type": question.type, "shown_type": question.type, "key": question.key,
        "required": question.required, "text": question.text.get(lang, ""),
        "help": question.help.get(lang, ""),
    })
    form.fill_settings(question.settings, lang)
    return form


@roles_required(*AUTHORS)
def new_question(page_id: int):
    """Add a question (?type= chosen first)."""
    page = _page(page_id)
    survey = page.survey
    lang = survey.default_language
    if request.method == "GET":
        type_name = request.args.get("type", "")
        if type_name not in QUESTION_TYPES:
            return render_template("survey/manage/question_type.html", current_survey=survey,
                                   page=page)
        form = QuestionForm(data={"type": type_name, "shown_type": type_name, "required": False})
        form.fill_settings(QUESTION_TYPES[type_name].default_settings(), lang)
        return _question_form_page(survey, form, page=page)
    form = QuestionForm()
    if form.shown_type.data not in QUESTION_TYPES:
        abort(400)
    notice = form.switch_type(lang)
    if notice:
        return _question_form_page(survey, form, page=page, notice=notice)
    problems = []
    if form.validate_on_submit():
        try:
            question = services.add_question(
                page, type_name=form.type.data, key=form.key.data, required=form.required.data,
                text=form.text.data, help=form.help.data,
                raw_settings=form.raw_settings(form.type.data))
        except AuthoringError as error:
            problems = field_problems(form, error)
        else:
            flash(_("The question %(key)s was added.", key=question.key))
            return _to_survey(survey, f"question-{question.id}")
    return _question_form_page(survey, form, page=page, problems=problems, status=400)


@roles_required(*AUTHORS)
def edit_question(question_id: int):
    """Edit a question."""
    question = _question(question_id)
    page, survey = question.page, question.page.survey
    lang = survey.default_language
    if request.method == "GET":
        return _question_form_page(survey, _saved_question_form(question), page=page,
                                   question=question)
    form = QuestionForm()
    if form.shown_type.data not in QUESTION_TYPES:
        abort(400)
    notice = form.switch_type(lang)
    if notice:
        return _question_form_page(survey, form, page=page, question=question, notice=notice)
    problems = []
    if form.validate_on_submit():
        try:
            services.update_question(
                question, type_name=form.type.data, key=form.key.data,
                required=form.required.data, text=form.text.data, help=form.help.data,
                raw_settings=form.raw_settings(form.type.data))
        except AuthoringError as error:
            problems = field_problems(form, error)
        else:
            flash(_("The question %(key)s was saved.", key=question.key))
            return _to_survey(survey, f"question-{question.id}")
    return _question_form_page(survey, form, page=page, question=question, problems=problems,
                               status=400)


@roles_required(*AUTHORS)
def upload_audio(question_id: int):
    """A recording of the question in one language (replaces the one it had)."""
    question = _question(question_id)
    survey = question.survey
    # Room for the largest recording and the form around it; larger bodies get the app's 413.
    request.max_content_length = audio.MAX_AUDIO_BYTES + 64 * 1024
    form = AudioForm(languages=survey.languages)
    status = 400
    if form.validate_on_submit():
        try:
            services.set_audio(question, form.language.data,
                               form.file.data.read(audio.MAX_AUDIO_BYTES + 1))
        except AudioRefused as error:
            form.file.errors = list(error.problems)
            status = error.status
        else:
            flash(_("The %(language)s recording of %(key)s was saved.",
                    language=language_name(form.language.data), key=question.key))
            return redirect(url_for(".edit_question", question_id=question.id,
                                    _anchor="recordings"))
    return _question_form_page(survey, _saved_question_form(question), page=question.page,
                               question=question, audio_form=form, status=status)


@roles_required(*STAFF)
def audio_file(question_id: int, lang: str):
    """Listen to a recording (the preview and the question page play it from here)."""
    return _send_recording(_question(question_id), lang, public=False)


@roles_required(*AUTHORS)
def delete_audio(question_id: int, lang: str):
    """Remove the recording in one language."""
    question = _question(question_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if lang not in question.audio:
        abort(404)
    services.remove_audio(question, lang)
    flash(_("The %(language)s recording of %(key)s was removed.",
            language=language_name(lang), key=question.key))
    return redirect(url_for(".edit_question", question_id=question.id, _anchor="recordings"))


@roles_required(*AUTHORS)
def move_question(question_id: int):
    """Up / down / previous / next page."""
    question = _question(question_id)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.move_question(question, form.direction.data)
    except AuthoringError as error:
        return _overview(question.survey, error.problems, 400)
    return _to_survey(question.survey, f"question-{question.id}")


@roles_required(*AUTHORS)
def condition(question_id: int):
    """The display condition (?source= picks the earlier question)."""
    question = _question(question_id)
    survey = question.page.survey
    problems = []
    if request.method == "POST" and request.form.get("action") == "remove":
        if ConfirmForm().validate_on_submit():
            try:
                services.clear_condition(question)
            except AuthoringError as error:
                problems = error.problems
            else:
                flash(_("%(key)s is now shown to everyone.", key=question.key))
                return _to_survey(survey, f"question-{question.id}")
    sources = [q for q in services.earlier_questions(question) if services.condition_choices(q)]
    current = question.condition or {}
    form = ConditionForm()
    if request.method == "GET":
        form.source.data = request.args.get("source") or current.get("question")
    source = next((q for q in sources if q.key == form.source.data), None)
    form.values.choices = choices(services.condition_choices(source)) if source else []
    if source:
        form.values.description = _("Answers to %(key)s: %(text)s", key=source.key,
                                    text=source.text.get(survey.default_language, ""))
    if request.method == "GET" and source and source.key == current.get("question"):
        form.values.data = [str(v) for v in current.get("values", [])]
    if not problems and request.form.get("action") != "remove" and form.validate_on_submit():
        try:
            services.set_condition(question, form.source.data, form.values.data or [])
        except AuthoringError as error:
            problems = field_problems(form, error)
        else:
            flash(_("The display condition of %(key)s was saved.", key=question.key))
            return _to_survey(survey, f"question-{question.id}")
    return render_template("survey/manage/condition.html", current_survey=survey,
                           question=question, sources=sources, source=source, form=form,
                           problems=problems,
                           remove_form=ConfirmForm(formdata=None)), form_status(form)


@roles_required(*AUTHORS)
def delete_question(question_id: int):
    """Confirm, then delete."""
    question = _question(question_id)
    survey = question.page.survey
    form = ConfirmForm()
    problems = []
    if form.validate_on_submit():
        try:
            services.delete_question(question)
        except AuthoringError as error:
            problems = error.problems
        else:
            flash(_("The question %(key)s was deleted.", key=question.key))
            return _to_survey(survey)
    return render_template("survey/manage/delete.html", current_survey=survey, form=form,
                           page=None, question=question, problems=problems), form_status(form)


# -- results (unweighted) --------------------------------------------------------------------

def _completed_only() -> bool:
    return request.args.get("completed") == "1"


@roles_required(*ANALYSTS)
def results_page(survey_id: int):
    """Responses, times and every question (?completed=1: completed responses only)."""
    subject = _survey(survey_id)
    summary = results.survey_results(subject, completed_only=_completed_only())
    page = render_template("survey/results.html", subject=subject, results=summary)
    return page, 200, {"Cache-Control": "no-store"}


@roles_required(*ANALYSTS)
def answers_csv(survey_id: int):
    """The raw answers, one row per response (?completed=1 likewise)."""
    subject = _survey(survey_id)
    completed_only = _completed_only()
    table = answer_export.answer_table(subject, completed_only=completed_only)
    filename = f"{subject.slug}-answers{'-completed' if completed_only else ''}.csv"
    return Response(
        answer_export.csv_chunks(table),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            # Free-text answers may hold personal data: keep them out of caches.
            "Cache-Control": "no-store",
        },
    )
