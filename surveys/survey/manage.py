"""Authoring for admins and authors, read-only views for other staff, user admin: /manage/...

Views load an object of the user's organisation (another organisation's ids
answer 404), parse a form, call `surveys.survey.authoring` or
`surveys.auth.users`, then redirect (the request commits) or show the form again
with status 400 (the request rolls back).
"""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from surveys.auth import users as user_svc
from surveys.auth.access import own, roles_required
from surveys.auth.forms import ActiveForm, NewUserForm, RoleForm
from surveys.auth.models import User
from surveys.auth.users import ROLE_LABELS, UserError
from surveys.core.forms import ConfirmForm, choices
from surveys.core.i18n import language_name
from surveys.core.roles import ADMINS, AUTHORS, STAFF, Role
from surveys.core.time import as_local, as_utc
from surveys.extensions import db
from surveys.questions import QUESTION_TYPES
from surveys.survey import authoring, translation_files
from surveys.survey.authoring import AuthoringError
from surveys.survey.definition import TEMPLATES, export_definition, load_template
from surveys.survey.forms import (
    SETTING_FIELDS,
    ConditionForm,
    EntryForm,
    ImportForm,
    MoveForm,
    NewSurveyForm,
    PageForm,
    QuestionForm,
    SettingsForm,
    TemplateForm,
    translation_form,
)
from surveys.survey.models import Channel, Page, Question, Survey
from surveys.survey.texts import SURVEY_TEXTS, missing_texts, survey_texts

bp = Blueprint("manage", __name__, url_prefix="/manage")


# -- URL map ------------------------------------------------------------------------------
# surveys
# GET       /manage/                                   surveys, responses, translation state
# GET POST  /manage/surveys/new                        a new empty survey; offers the templates
# POST      /manage/surveys/from-template              a copy of a ready template
# GET POST  /manage/surveys/import                     a survey from a JSON definition file
# GET       /manage/surveys/<id>                       pages, questions and actions
# GET POST  /manage/surveys/<id>/settings              address, languages, times, texts
# POST      /manage/surveys/<id>/open                  open (refused while incomplete)
# POST      /manage/surveys/<id>/close                 close
# GET       /manage/surveys/<id>/export                the JSON definition as a download
# GET       /manage/surveys/<id>/preview[/<n>]         as a resident sees it (?lang=), read-only
# GET POST  /manage/surveys/<id>/translations/<lang>   every text beside its translation
# GET       /manage/surveys/<id>/translations/<lang>.po   the texts as a PO file for translators
# POST      /manage/surveys/<id>/translations/<lang>/po    upload a translated PO file
# POST      /manage/surveys/<id>/entry                 staff type in paper / interview answers
# pages
# POST      /manage/surveys/<id>/pages                 add a page
# GET POST  /manage/pages/<id>                         page heading
# POST      /manage/pages/<id>/move                    up / down
# GET POST  /manage/pages/<id>/delete                  confirm, then delete
# GET POST  /manage/pages/<id>/questions/new           add a question (?type= chosen first)
# questions
# GET POST  /manage/questions/<id>                     edit a question
# POST      /manage/questions/<id>/move                up / down / previous / next page
# GET POST  /manage/questions/<id>/condition           display condition (?source=)
# GET POST  /manage/questions/<id>/delete              confirm, then delete
# users (admins)
# GET       /manage/users                              the organisation's users
# GET POST  /manage/users/new                          add a user
# POST      /manage/users/<id>/role                    change role
# POST      /manage/users/<id>/active                  deactivate / reactivate


@bp.context_processor
def helpers():
    return {
        "can_author": current_user.is_authenticated and current_user.has_role(*AUTHORS),
        "is_admin": current_user.is_authenticated and current_user.has_role(Role.admin),
        "language_name": language_name,
        "completeness_lines": authoring.completeness_lines,
        "condition_choices": authoring.condition_choices,
        "STATUS_LABELS": authoring.STATUS_LABELS,
        "QUESTION_TYPES": QUESTION_TYPES,
        "ROLE_LABELS": ROLE_LABELS,
        "ROLE_ANALYST": Role.analyst,
    }


# -- loading and small helpers ------------------------------------------------------------

def _survey(survey_id: int) -> Survey:
    return own(Survey, survey_id)


def _page(page_id: int) -> Page:
    page = db.session.get(Page, page_id)
    if page is None or page.survey.organisation_id != current_user.organisation_id:
        abort(404)
    return page


def _question(question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.survey.organisation_id != current_user.organisation_id:
        abort(404)
    return question


def _problems(form, error: AuthoringError | UserError) -> list[str]:
    """Put a service error beside its form field, or return it for the error summary."""
    messages = getattr(error, "problems", None) or [error.message]
    if error.field and form is not None and error.field in form:
        form[error.field].errors = [*form[error.field].errors, *messages]
        return []
    return messages


def _status(form) -> int:
    return 400 if form.is_submitted() else 200


def _to_survey(survey: Survey, anchor: str | None = None):
    return redirect(url_for(".survey", survey_id=survey.id, _anchor=anchor))


# -- surveys ------------------------------------------------------------------------------

@bp.get("/")
@roles_required(*STAFF)
def index():
    organisation = current_user.organisation_id
    return render_template(
        "manage/index.html",
        surveys=authoring.organisation_surveys(organisation),
        counts=authoring.response_counts(organisation),
    )


def _template_titles() -> dict[str, str]:
    titles = {}
    for name in TEMPLATES:
        title = load_template(name)["texts"]["title"]
        titles[name] = title.get(str(get_locale())) or title.get("sv") or name
    return titles


def _new_page(form: NewSurveyForm, template_form: TemplateForm, problems=(), status=200):
    return render_template("manage/new.html", form=form, template_form=template_form,
                           problems=problems), status


@bp.route("/surveys/new", methods=["GET", "POST"])
@roles_required(*AUTHORS)
def new_survey():
    form = NewSurveyForm()
    problems = []
    if form.validate_on_submit():
        try:
            survey = authoring.create_survey(
                current_user.organisation_id, slug=form.slug.data, title=form.title.data,
                default_language=form.default_language.data, languages=form.languages.data or [])
        except AuthoringError as error:
            problems = _problems(form, error)
        else:
            flash(_("The survey was created. Add questions to its first page."))
            return _to_survey(survey)
    template_form = TemplateForm(formdata=None, prefix="template", titles=_template_titles())
    return _new_page(form, template_form, problems, _status(form))


@bp.post("/surveys/from-template")
@roles_required(*AUTHORS)
def from_template():
    template_form = TemplateForm(prefix="template", titles=_template_titles())
    problems = []
    if template_form.validate_on_submit():
        try:
            survey = authoring.create_from_template(
                current_user.organisation_id, template_form.template.data, template_form.slug.data)
        except AuthoringError as error:
            problems = _problems(template_form, error)
        else:
            flash(_("The survey was created from the template. Check the texts, then open it."))
            return _to_survey(survey)
    return _new_page(NewSurveyForm(formdata=None), template_form, problems, 400)


@bp.route("/surveys/import", methods=["GET", "POST"])
@roles_required(*AUTHORS)
def import_survey():
    form = ImportForm()
    problems = []
    if form.validate_on_submit():
        try:
            data = authoring.read_definition_file(
                form.file.data.read(authoring.MAX_DEFINITION_BYTES + 1))
            survey = authoring.import_survey(data, current_user.organisation_id,
                                             slug=form.slug.data or None)
        except AuthoringError as error:
            problems = _problems(form, error)
        else:
            flash(_("The survey was imported as a draft."))
            return _to_survey(survey)
    return render_template("manage/import.html", form=form, problems=problems), _status(form)


def _overview(survey: Survey, problems=(), status: int = 200, problem_title: str | None = None):
    return render_template(
        "manage/survey.html",
        current_survey=survey,
        problems=problems,
        problem_title=problem_title,
        answered=authoring.has_responses(survey),
        counts=authoring.response_counts(survey.organisation_id).get(survey.id, (0, 0)),
        entry_form=EntryForm(formdata=None, languages=survey.languages),
        page_form=PageForm(formdata=None),
    ), status


@bp.get("/surveys/<int:survey_id>")
@roles_required(*STAFF)
def survey(survey_id: int):
    return _overview(_survey(survey_id))


@bp.route("/surveys/<int:survey_id>/settings", methods=["GET", "POST"])
@roles_required(*AUTHORS)
def settings(survey_id: int):
    survey = _survey(survey_id)
    lang = survey.default_language
    if request.method == "GET":
        form = SettingsForm(data={
            "slug": survey.slug,
            "languages": list(survey.languages),
            "opens_at": as_local(survey.opens_at),
            "closes_at": as_local(survey.closes_at),
            **{name: survey.texts.get(name, {}).get(lang, "") for name in SURVEY_TEXTS},
        })
    else:
        form = SettingsForm()
    problems = []
    if form.validate_on_submit():
        try:
            authoring.update_settings(
                survey, slug=form.slug.data, languages=form.languages.data or [],
                opens_at=as_utc(form.opens_at.data), closes_at=as_utc(form.closes_at.data),
                texts={name: form[name].data for name in SURVEY_TEXTS})
        except AuthoringError as error:
            problems = _problems(form, error)
        else:
            flash(_("The settings were saved."))
            return _to_survey(survey)
    return render_template("manage/settings.html", current_survey=survey, form=form,
                           problems=problems), _status(form)


@bp.post("/surveys/<int:survey_id>/open")
@roles_required(*AUTHORS)
def open_survey(survey_id: int):
    survey = _survey(survey_id)
    try:
        authoring.open_survey(survey)
    except AuthoringError as error:
        return _overview(survey, error.problems, 400, _("The survey cannot open yet"))
    flash(_("The survey is open. Residents answer at %(url)s",
            url=url_for("public.start", slug=survey.slug, _external=True)))
    return _to_survey(survey)


@bp.post("/surveys/<int:survey_id>/close")
@roles_required(*AUTHORS)
def close_survey(survey_id: int):
    survey = _survey(survey_id)
    try:
        authoring.close_survey(survey)
    except AuthoringError as error:
        return _overview(survey, error.problems, 400)
    flash(_("The survey is closed. Residents can no longer answer."))
    return _to_survey(survey)


@bp.get("/surveys/<int:survey_id>/export")
@roles_required(*AUTHORS)
def export(survey_id: int):
    survey = _survey(survey_id)
    body = json.dumps(export_definition(survey), ensure_ascii=False, indent=2) + "\n"
    response = current_app.response_class(body, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="{survey.slug}.json"'
    return response


@bp.get("/surveys/<int:survey_id>/preview", defaults={"n": 0})
@bp.get("/surveys/<int:survey_id>/preview/<int:n>")
@roles_required(*STAFF)
def preview(survey_id: int, n: int):
    """Start page (0), pages (1..N) and thank-you page (N+1), as a resident would see them."""
    survey = _survey(survey_id)
    if n > len(survey.pages) + 1:
        abort(404)
    lang = request.args.get("lang", "")
    if lang not in survey.languages:
        lang = survey.default_language
    # The question templates read these through tr(); <html lang dir> follows too.
    g.content_language = lang
    g.fallback_language = survey.default_language
    return render_template(
        "manage/preview.html",
        survey=survey,
        n=n,
        page=survey.pages[n - 1] if 1 <= n <= len(survey.pages) else None,
        values={},
        errors={},
        missing=missing_texts(survey, lang),
        preview_lang=lang,  # not `lang`: base.html sets that name for itself
    )


@bp.route("/surveys/<int:survey_id>/translations/<lang>", methods=["GET", "POST"])
@roles_required(*AUTHORS)
def translations(survey_id: int, lang: str):
    survey = _survey(survey_id)
    if lang not in survey.languages or lang == survey.default_language:
        abort(404)
    refs = survey_texts(survey)
    form = translation_form(refs, lang, survey.default_language)
    if form.validate_on_submit():
        values = {text_id: form[name].data or "" for text_id, name in form.field_names.items()}
        authoring.save_translations(survey, lang, values)
        flash(_("The %(language)s texts were saved.", language=language_name(lang)))
        return redirect(url_for(".translations", survey_id=survey.id, lang=lang))
    return render_template("manage/translations.html", current_survey=survey, target_lang=lang,
                           refs=refs, form=form), _status(form)


@bp.get("/surveys/<int:survey_id>/translations/<lang>.po")
@roles_required(*AUTHORS)
def translation_file(survey_id: int, lang: str):
    survey = _survey(survey_id)
    if lang not in survey.languages or lang == survey.default_language:
        abort(404)
    return Response(
        translation_files.export_po(survey, lang),
        mimetype="text/x-gettext-translation",
        headers={"Content-Disposition": f'attachment; filename="{survey.slug}-{lang}.po"'},
    )


@bp.post("/surveys/<int:survey_id>/translations/<lang>/po")
@roles_required(*AUTHORS)
def upload_translation_file(survey_id: int, lang: str):
    survey = _survey(survey_id)
    if lang not in survey.languages or lang == survey.default_language:
        abort(404)
    upload = request.files.get("file")
    report = translation_files.import_po(survey, lang, upload.read() if upload else b"")
    if report.ok:
        flash(_("%(num)s texts were updated from the file.", num=report.changed))
        return redirect(url_for(".translations", survey_id=survey.id, lang=lang))
    refs = survey_texts(survey)
    return render_template(
        "manage/translations.html", current_survey=survey, target_lang=lang, refs=refs,
        form=translation_form(refs, lang, survey.default_language), file_problems=report.problems,
    ), 400


@bp.post("/surveys/<int:survey_id>/entry")
@roles_required(*STAFF)
def entry(survey_id: int):
    survey = _survey(survey_id)
    form = EntryForm(languages=survey.languages)
    if not form.validate_on_submit():
        problems = [error for errors in form.errors.values() for error in errors]
        return _overview(survey, problems, 400)
    try:
        response = authoring.start_staff_entry(survey, form.language.data,
                                               Channel(form.channel.data), current_user)
    except AuthoringError as error:
        return _overview(survey, error.problems, 400)
    # Remembered exactly as the public pages remember a resident's own response.
    tokens = dict(session.get("responses", {}))
    tokens[str(survey.id)] = response.token
    session["responses"] = tokens
    session.permanent = True
    # ?lang= keeps the questionnaire's language rather than the staff member's browser's.
    return redirect(url_for("public.page", slug=survey.slug, n=1, lang=response.language))


# -- pages --------------------------------------------------------------------------------

@bp.post("/surveys/<int:survey_id>/pages")
@roles_required(*AUTHORS)
def add_page(survey_id: int):
    survey = _survey(survey_id)
    form = PageForm()
    if not form.validate_on_submit():
        return _overview(survey, [e for errors in form.errors.values() for e in errors], 400)
    try:
        page = authoring.add_page(survey, form.title.data or "")
    except AuthoringError as error:
        return _overview(survey, error.problems, 400)
    flash(_("Page %(n)s was added.", n=page.position + 1))
    return _to_survey(survey, f"page-{page.id}")


@bp.route("/pages/<int:page_id>", methods=["GET", "POST"])
@roles_required(*AUTHORS)
def edit_page(page_id: int):
    page = _page(page_id)
    survey = page.survey
    if request.method == "GET":
        form = PageForm(data={"title": page.title.get(survey.default_language, "")})
    else:
        form = PageForm()
    if form.validate_on_submit():
        authoring.rename_page(page, form.title.data or "")
        flash(_("The page heading was saved."))
        return _to_survey(survey, f"page-{page.id}")
    return render_template("manage/page.html", current_survey=survey, page=page,
                           form=form), _status(form)


@bp.post("/pages/<int:page_id>/move")
@roles_required(*AUTHORS)
def move_page(page_id: int):
    page = _page(page_id)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        authoring.move_page(page, form.direction.data)
    except AuthoringError as error:
        return _overview(page.survey, error.problems, 400)
    return _to_survey(page.survey, f"page-{page.id}")


@bp.route("/pages/<int:page_id>/delete", methods=["GET", "POST"])
@roles_required(*AUTHORS)
def delete_page(page_id: int):
    page = _page(page_id)
    survey = page.survey
    form = ConfirmForm()
    problems = []
    if form.validate_on_submit():
        try:
            authoring.delete_page(page)
        except AuthoringError as error:
            problems = error.problems
        else:
            flash(_("The page was deleted."))
            return _to_survey(survey)
    return render_template("manage/delete.html", current_survey=survey, form=form,
                           page=page, question=None, problems=problems), _status(form)


# -- questions ----------------------------------------------------------------------------

def _question_form_page(survey, form, *, page, question=None, problems=(), notice=None,
                        status=200):
    type_name = form.shown_type.data
    return render_template(
        "manage/question.html", current_survey=survey, page=page, question=question,
        form=form, settings_fields=QuestionForm.settings_fields(type_name),
        kind=QUESTION_TYPES[type_name], problems=problems, notice=notice,
    ), status


def _type_changed(form: QuestionForm, lang: str) -> str | None:
    """After a change of type, show the new type's settings before saving anything."""
    type_name, shown = form.type.data, form.shown_type.data
    if type_name == shown or type_name not in QUESTION_TYPES:
        return None
    # Keep what the author typed in fields both types share; the others start from defaults.
    kept = set(QuestionForm.settings_fields(shown))
    defaults = QUESTION_TYPES[type_name].default_settings()
    form.fill_settings({key: value for key, value in defaults.items()
                        if SETTING_FIELDS.get(key) not in kept}, lang)
    form.shown_type.data = type_name
    return _("The question type is now %(type)s. Check its settings below, then save.",
             type=QUESTION_TYPES[type_name].label)


@bp.route("/pages/<int:page_id>/questions/new", methods=["GET", "POST"])
@roles_required(*AUTHORS)
def new_question(page_id: int):
    page = _page(page_id)
    survey = page.survey
    lang = survey.default_language
    if request.method == "GET":
        type_name = request.args.get("type", "")
        if type_name not in QUESTION_TYPES:
            return render_template("manage/question_type.html", current_survey=survey, page=page)
        form = QuestionForm(data={"type": type_name, "shown_type": type_name, "required": False})
        form.fill_settings(QUESTION_TYPES[type_name].default_settings(), lang)
        return _question_form_page(survey, form, page=page)
    form = QuestionForm()
    if form.shown_type.data not in QUESTION_TYPES:
        abort(400)
    notice = _type_changed(form, lang)
    if notice:
        return _question_form_page(survey, form, page=page, notice=notice)
    problems = []
    if form.validate_on_submit():
        try:
            question = authoring.add_question(
                page, type_name=form.type.data, key=form.key.data, required=form.required.data,
                text=form.text.data, help=form.help.data,
                raw_settings=form.raw_settings(form.type.data))
        except AuthoringError as error:
            problems = _problems(form, error)
        else:
            flash(_("The question %(key)s was added.", key=question.key))
            return _to_survey(survey, f"question-{question.id}")
    return _question_form_page(survey, form, page=page, problems=problems, status=400)


@bp.route("/questions/<int:question_id>", methods=["GET", "POST"])
@roles_required(*AUTHORS)
def edit_question(question_id: int):
    question = _question(question_id)
    page, survey = question.page, question.page.survey
    lang = survey.default_language
    if request.method == "GET":
        form = QuestionForm(data={
            "type": question.type, "shown_type": question.type, "key": question.key,
            "required": question.required, "text": question.text.get(lang, ""),
            "help": question.help.get(lang, ""),
        })
        form.fill_settings(question.settings, lang)
        return _question_form_page(survey, form, page=page, question=question)
    form = QuestionForm()
    if form.shown_type.data not in QUESTION_TYPES:
        abort(400)
    notice = _type_changed(form, lang)
    if notice:
        return _question_form_page(survey, form, page=page, question=question, notice=notice)
    problems = []
    if form.validate_on_submit():
        try:
            authoring.update_question(
                question, type_name=form.type.data, key=form.key.data,
                required=form.required.data, text=form.text.data, help=form.help.data,
                raw_settings=form.raw_settings(form.type.data))
        except AuthoringError as error:
            problems = _problems(form, error)
        else:
            flash(_("The question %(key)s was saved.", key=question.key))
            return _to_survey(survey, f"question-{question.id}")
    return _question_form_page(survey, form, page=page, question=question, problems=problems,
                               status=400)


@bp.post("/questions/<int:question_id>/move")
@roles_required(*AUTHORS)
def move_question(question_id: int):
    question = _question(question_id)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        authoring.move_question(question, form.direction.data)
    except AuthoringError as error:
        return _overview(question.survey, error.problems, 400)
    return _to_survey(question.survey, f"question-{question.id}")


@bp.route("/questions/<int:question_id>/condition", methods=["GET", "POST"])
@roles_required(*AUTHORS)
def condition(question_id: int):
    question = _question(question_id)
    survey = question.page.survey
    problems = []
    if request.method == "POST" and request.form.get("action") == "remove":
        if ConfirmForm().validate_on_submit():
            try:
                authoring.clear_condition(question)
            except AuthoringError as error:
                problems = error.problems
            else:
                flash(_("%(key)s is now shown to everyone.", key=question.key))
                return _to_survey(survey, f"question-{question.id}")
    sources = [q for q in authoring.earlier_questions(question) if authoring.condition_choices(q)]
    current = question.condition or {}
    form = ConditionForm()
    if request.method == "GET":
        form.source.data = request.args.get("source") or current.get("question")
    source = next((q for q in sources if q.key == form.source.data), None)
    form.values.choices = choices(authoring.condition_choices(source)) if source else []
    if source:
        form.values.description = _("Answers to %(key)s: %(text)s", key=source.key,
                                    text=source.text.get(survey.default_language, ""))
    if request.method == "GET" and source and source.key == current.get("question"):
        form.values.data = [str(v) for v in current.get("values", [])]
    if not problems and request.form.get("action") != "remove" and form.validate_on_submit():
        try:
            authoring.set_condition(question, form.source.data, form.values.data or [])
        except AuthoringError as error:
            problems = _problems(form, error)
        else:
            flash(_("The display condition of %(key)s was saved.", key=question.key))
            return _to_survey(survey, f"question-{question.id}")
    return render_template("manage/condition.html", current_survey=survey, question=question,
                           sources=sources, source=source, form=form, problems=problems,
                           remove_form=ConfirmForm(formdata=None)), _status(form)


@bp.route("/questions/<int:question_id>/delete", methods=["GET", "POST"])
@roles_required(*AUTHORS)
def delete_question(question_id: int):
    question = _question(question_id)
    survey = question.page.survey
    form = ConfirmForm()
    problems = []
    if form.validate_on_submit():
        try:
            authoring.delete_question(question)
        except AuthoringError as error:
            problems = error.problems
        else:
            flash(_("The question %(key)s was deleted.", key=question.key))
            return _to_survey(survey)
    return render_template("manage/delete.html", current_survey=survey, form=form,
                           page=None, question=question, problems=problems), _status(form)


# -- users --------------------------------------------------------------------------------

def _users_page(problems=(), status: int = 200):
    return render_template(
        "users/index.html", users=user_svc.organisation_users(current_user.organisation_id),
        problems=problems, role_form=RoleForm(formdata=None),
    ), status


@bp.get("/users")
@roles_required(*ADMINS)
def users():
    return _users_page()


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required(*ADMINS)
def new_user():
    form = NewUserForm()
    problems = []
    if form.validate_on_submit():
        try:
            user = user_svc.create_user(
                current_user.organisation_id, name=form.name.data, email=form.email.data,
                role=Role(form.role.data), password=form.password.data)
        except UserError as error:
            problems = _problems(form, error)
        else:
            flash(_("%(name)s can now log in as %(email)s.", name=user.name, email=user.email))
            return redirect(url_for(".users"))
    return render_template("users/new.html", form=form, problems=problems), _status(form)


@bp.post("/users/<int:user_id>/role")
@roles_required(*ADMINS)
def user_role(user_id: int):
    user = own(User, user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        user_svc.change_role(current_user, user, Role(form.role.data))
    except UserError as error:
        return _users_page([error.message], 400)
    flash(_("%(name)s is now %(role)s.", name=user.name, role=ROLE_LABELS[user.role]))
    return redirect(url_for(".users"))


@bp.post("/users/<int:user_id>/active")
@roles_required(*ADMINS)
def user_active(user_id: int):
    user = own(User, user_id)
    form = ActiveForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        user_svc.set_active(current_user, user, form.active.data == "1")
    except UserError as error:
        return _users_page([error.message], 400)
    if user.active:
        flash(_("%(name)s can log in again.", name=user.name))
    else:
        flash(_("%(name)s can no longer log in.", name=user.name))
    return redirect(url_for(".users"))
