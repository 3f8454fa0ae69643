"""Views of themes and series: the theme list and a theme's counts, tagging statements and
free-text answers, and the series pages.

Views parse, call `services` or `queries`, and render; refusals come back as `ThemeError`
codes that `messages` puts into words, with the status the error names. Every object is
loaded through `own` (another organisation's ids answer 404).
"""

from __future__ import annotations

from flask import abort, flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from dialog import translated
from dialog.forms import ACTION_STATUS_LABELS
from dialog.models import Event, Statement, StatementStatus
from surveys.actions.forms import STATUS_LABELS
from surveys.auth.access import own, roles_required
from surveys.core.forms import choices
from surveys.core.i18n import LANGUAGES, tr_text
from surveys.core.roles import FACILITATORS, THEME_EDITORS
from surveys.followup import queries as followup_queries
from surveys.survey.models import Answer, Survey
from surveys.themes import queries, services
from surveys.themes.forms import (
    CATEGORY_LABELS,
    GROUPING_LABELS,
    SeriesForm,
    TagForm,
    ThemeForm,
    chosen_ids,
    fill_names,
    names_from,
)
from surveys.themes.messages import theme_error
from surveys.themes.models import Series, Theme
from surveys.themes.services import ThemeError


def helpers() -> dict:
    """Names the theme templates use."""
    return {"GROUPING_LABELS": GROUPING_LABELS, "CATEGORY_LABELS": CATEGORY_LABELS,
            "shown_count": queries.shown, "LANGUAGES": LANGUAGES, "shown": translated.shown,
            "event_date": queries.event_date, "STATUS_LABELS": STATUS_LABELS,
            "PROMISE_LABELS": ACTION_STATUS_LABELS, "StatementStatus": StatementStatus,
            "tr_text": tr_text, "FACILITATORS": FACILITATORS}


def staff_fallback() -> None:
    """Staff see a name missing in their language in Swedish, marked as Swedish."""
    g.fallback_language = "sv"


def _problem(form, error: ThemeError) -> list[str]:
    """The refusal beside its field when the form has it, else for the summary."""
    message = theme_error(error.code, error.details)
    if form is not None and error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, message]
        return []
    return [message]


def _theme_choices() -> list[tuple[int, str]]:
    return [(t.id, tr_text(t.name)) for t in queries.themes(current_user.organisation_id)]


def _goal_choices() -> list[tuple[int, str]]:
    out = []
    for framework in followup_queries.organisation_frameworks(current_user.organisation_id):
        for area in framework.focus_areas:
            for goal, depth in followup_queries.goal_tree(area, archived=False):
                out.append((goal.id, (f"{tr_text(framework.title)}: {'– ' * depth}"
                                     f"{tr_text(goal.title)}")))
    return out


# -- themes -------------------------------------------------------------------------------------
def _index_page(form: ThemeForm, problems: list[str], status: int):
    organisation_id = current_user.organisation_id
    return render_template("themes/index.html", form=form, problems=problems,
                           themes=queries.themes(organisation_id),
                           totals=queries.theme_totals(organisation_id),
                           surveys=queries.organisation_surveys(organisation_id)), status


@roles_required(*THEME_EDITORS)
def index():
    """The organisation's themes with their counts; POST adds one."""
    form = ThemeForm()
    if request.method == "GET":
        return _index_page(form, [], 200)
    if not form.validate_on_submit():
        return _index_page(form, [], 400)
    try:
        theme = services.create_theme(current_user.organisation_id, names_from(form))
    except ThemeError as error:
        return _index_page(form, _problem(form, error), error.status)
    flash(_("The theme %(name)s was added.", name=theme.name["sv"]))
    return redirect(url_for(".index"))


def _theme(theme_id: int) -> Theme:
    return own(Theme, theme_id)


@roles_required(*THEME_EDITORS)
def theme(theme_id: int):
    """A theme: counts by group and over time, its statements, goals and actions."""
    item = _theme(theme_id)
    groups = queries.group_table(item)
    return render_template(
        "themes/theme.html", theme=item, groups=groups,
        district_names=queries.district_names(item, groups),
        by_event=queries.statements_by_event(item), by_year=queries.answers_by_year(item),
        statements=queries.theme_statements(item), actions=queries.theme_actions(item),
        min_count=queries.MIN_COUNT)


@roles_required(*THEME_EDITORS)
def edit(theme_id: int):
    """A theme's names and goals."""
    item = _theme(theme_id)
    form = ThemeForm()
    form.set_goals(_goal_choices())
    problems: list[str] = []
    if request.method == "GET":
        fill_names(form, item.name)
        form.goals.data = [goal.id for goal in item.goals]
    elif form.validate_on_submit():
        goals = queries.goals(current_user.organisation_id, form.goals.data or [])
        try:
            services.rename_theme(item, names_from(form))
            services.set_goals(item, goals)
        except ThemeError as error:
            problems = _problem(form, error)
            return render_template("themes/edit.html", form=form, theme=item,
                                   problems=problems), error.status
        flash(_("The theme was saved."))
        return redirect(url_for(".theme", theme_id=item.id))
    return render_template("themes/edit.html", form=form, theme=item, problems=problems), (
        400 if form.is_submitted() else 200)


def _theme_still_there(theme_id: int) -> Theme:
    """The organisation's theme; a deleted one (or another organisation's: ids reveal
    nothing) answers 404 with a message, e.g. when a deletion is sent twice."""
    item = queries.organisation_theme(current_user.organisation_id, theme_id)
    if item is None:
        abort(make_response(render_template(
            "error.html", code=404, message=_("There is no such theme. It may have been "
                                              "deleted already.")), 404))
    return item


@roles_required(*FACILITATORS)
def delete(theme_id: int):
    """What deleting the theme takes away, to confirm; POST deletes it."""
    item = _theme_still_there(theme_id)
    if request.method == "GET":
        return render_template("themes/delete.html", theme=item, use=queries.theme_use(item))
    name = tr_text(item.name)
    services.delete_theme(item)
    flash(_("The theme %(name)s was deleted. The statements, answers, goals and actions it "
            "was linked to are kept.", name=name))
    return redirect(url_for(".index"))


# -- tagging ------------------------------------------------------------------------------------
def _ticked(name: str) -> dict:
    """What a bulk form sent, to show it again as sent when it is refused."""
    return {"theme": request.form.get("theme", ""), "ids": set(request.form.getlist(name))}


def _event_page(event: Event, problems=(), status: int = 200, ticked: dict | None = None):
    statements = [s for s in queries.statements_of(event.id)
                  if s.status is not StatementStatus.pending]
    return render_template(
        "themes/event.html", event=event, statements=statements, problems=list(problems),
        tags=queries.statement_theme_ids([s.id for s in statements]),
        themes=queries.themes(current_user.organisation_id),
        series=queries.series_of(event), ticked=ticked or {"theme": "", "ids": set()}), status


@roles_required(*THEME_EDITORS)
def event_statements(event_id: int):
    """An event's statements, each with the themes it is tagged with and a form to change
    them."""
    return _event_page(own(Event, event_id))


def _bulk_choice(name: str) -> tuple[Theme | None, list[int] | None]:
    """The theme (None: unknown or another organisation's) and the ticked ids (None when one
    is not an id) a bulk form sent."""
    theme_ids = chosen_ids(request.form.getlist("theme"))
    theme = queries.organisation_theme(current_user.organisation_id, theme_ids[0]) \
        if theme_ids and len(theme_ids) == 1 else None
    return theme, chosen_ids(request.form.getlist(name))


#: The bulk forms' services, by what is ticked.
BULK_SERVICES = {"statements": services.tag_statements, "answers": services.tag_answers}
#: What a bulk change did, in words, by what is ticked and the button pressed ("change").
BULK_DONE = {
    ("statements", "add"): lambda num, name: ngettext(
        "The theme %(name)s was added to %(num)s statement.",
        "The theme %(name)s was added to %(num)s statements.", num, name=name),
    ("statements", "remove"): lambda num, name: ngettext(
        "The theme %(name)s was removed from %(num)s statement.",
        "The theme %(name)s was removed from %(num)s statements.", num, name=name),
    ("answers", "add"): lambda num, name: ngettext(
        "The theme %(name)s was added to %(num)s answer.",
        "The theme %(name)s was added to %(num)s answers.", num, name=name),
    ("answers", "remove"): lambda num, name: ngettext(
        "The theme %(name)s was removed from %(num)s answer.",
        "The theme %(name)s was removed from %(num)s answers.", num, name=name),
}


def _bulk_change(what: str, owner) -> str:
    """Add the chosen theme to the ticked `what` of `owner` (an event's statements, a
    survey's answers) or take it off them, as the button pressed says (a form sent without
    one, e.g. by Enter in the theme list, adds); all or nothing. Returns what was done, in
    words; raises ThemeError."""
    theme, ids = _bulk_choice(what)
    change = request.form.get("change", "add")
    if change not in ("add", "remove"):
        raise ThemeError("unknown_change", "change")
    if ids is None:
        raise ThemeError(f"unknown_{what}", what)
    count = BULK_SERVICES[what](owner, ids, theme, remove=change == "remove")
    return BULK_DONE[what, change](count, tr_text(theme.name))


@roles_required(*THEME_EDITORS)
def tag_statements(event_id: int):
    """A theme added to the ticked statements of the event, or taken off them."""
    event = own(Event, event_id)
    try:
        flash(_bulk_change("statements", event))
    except ThemeError as error:
        return _event_page(event, _problem(None, error), error.status, _ticked("statements"))
    return redirect(url_for(".event_statements", event_id=event.id))


def _tag_form() -> TagForm:
    form = TagForm()
    form.themes.choices = choices(_theme_choices())
    return form


def _chosen(form: TagForm) -> list[Theme]:
    wanted = set(form.themes.data or [])
    return [t for t in queries.themes(current_user.organisation_id) if t.id in wanted]


@roles_required(*THEME_EDITORS)
def tag_statement(statement_id: int):
    """Set a statement's themes."""
    statement = own(Statement, statement_id, via=lambda s: s.event)
    form = _tag_form()
    if not form.validate_on_submit():
        return _event_page(statement.event, [_("Choose among the organisation's themes.")],
                           400)
    try:
        services.tag_statement(statement, _chosen(form))
    except ThemeError as error:
        return _event_page(statement.event, _problem(None, error), error.status)
    flash(_("The statement's themes were saved."))
    return redirect(url_for(".event_statements", event_id=statement.event_id,
                            _anchor=f"statement-{statement.id}"))


@roles_required(*THEME_EDITORS)
def surveys():
    """The organisation's surveys that ask free-text questions."""
    return render_template("themes/surveys.html",
                           surveys=queries.organisation_surveys(current_user.organisation_id))


def _survey_page(survey: Survey, problems=(), status: int = 200, ticked: dict | None = None):
    g.fallback_language = survey.default_language
    asked = queries.free_text_answers(survey)
    return render_template(
        "themes/answers.html", survey=survey, asked=asked, problems=list(problems),
        tags=queries.answer_theme_ids([a.id for item in asked for a in item.answers]),
        themes=queries.themes(current_user.organisation_id),
        ticked=ticked or {"theme": "", "ids": set()}), status


@roles_required(*THEME_EDITORS)
def survey_answers(survey_id: int):
    """A survey's free-text answers, without anything that tells who wrote them, each with
    its themes and a form to change them."""
    return _survey_page(own(Survey, survey_id))


@roles_required(*THEME_EDITORS)
def tag_answer(answer_id: int):
    """Set a free-text answer's themes."""
    answer = own(Answer, answer_id, via=lambda a: a.question.survey)
    survey = answer.question.survey
    form = _tag_form()
    if not form.validate_on_submit():
        return _survey_page(survey, [_("Choose among the organisation's themes.")], 400)
    try:
        services.tag_answer(answer, _chosen(form))
    except ThemeError as error:
        return _survey_page(survey, _problem(None, error), error.status)
    flash(_("The answer's themes were saved."))
    return redirect(url_for(".survey_answers", survey_id=survey.id,
                            _anchor=f"answer-{answer.id}"))


@roles_required(*THEME_EDITORS)
def tag_answers(survey_id: int):
    """A theme added to the ticked free-text answers of the survey, or taken off them."""
    survey = own(Survey, survey_id)
    try:
        flash(_bulk_change("answers", survey))
    except ThemeError as error:
        return _survey_page(survey, _problem(None, error), error.status, _ticked("answers"))
    return redirect(url_for(".survey_answers", survey_id=survey.id))


# -- series -------------------------------------------------------------------------------------
def _series_index_page(form: SeriesForm, problems: list[str], status: int):
    return render_template("themes/series_index.html", form=form, problems=problems,
                           series=queries.all_series(current_user.organisation_id)), status


@roles_required(*THEME_EDITORS)
def series_index():
    """The organisation's series; POST (facilitators) starts one."""
    form = SeriesForm()
    if request.method == "GET":
        return _series_index_page(form, [], 200)
    if not current_user.has_role(*FACILITATORS):
        abort(403)
    if not form.validate_on_submit():
        return _series_index_page(form, [], 400)
    try:
        series = services.create_series(current_user.organisation_id, names_from(form))
    except ThemeError as error:
        return _series_index_page(form, _problem(form, error), error.status)
    flash(_("The series was created. Add its events."))
    return redirect(url_for(".series", series_id=series.id))


def _series_page(series: Series, problems=(), status: int = 200):
    return render_template(
        "themes/series.html", series=series, course=queries.series_course(series),
        problems=list(problems),
        outside=queries.events_outside_series(current_user.organisation_id)), status


@roles_required(*THEME_EDITORS)
def series(series_id: int):
    """Per event of the series: what was raised, decided and done."""
    return _series_page(own(Series, series_id))


def _series_change(series_id: int, change, done: str):
    item = own(Series, series_id)
    try:
        change(item)
    except ThemeError as error:
        return _series_page(item, _problem(None, error), error.status)
    flash(done)
    return redirect(url_for(".series", series_id=item.id))


@roles_required(*FACILITATORS)
def add_event(series_id: int):
    """Put one of the organisation's events into the series."""
    item = own(Series, series_id)
    number = request.form.get("event_id", "")
    event = queries.organisation_event(current_user.organisation_id, int(number)) \
        if number.isascii() and number.isdigit() and len(number) < 10 else None
    try:
        services.add_event(item, event)
    except ThemeError as error:
        return _series_page(item, _problem(None, error), error.status)
    flash(_("The event was added to the series."))
    return redirect(url_for(".series", series_id=item.id))


@roles_required(*FACILITATORS)
def remove_event(series_id: int, event_id: int):
    """Take an event out of the series (its statements and themes stay)."""
    return _series_change(series_id, lambda s: services.remove_event(s, own(Event, event_id)),
                          _("The event was taken out of the series."))


@roles_required(*FACILITATORS)
def carry_forward(series_id: int, event_id: int):
    """Copy the open statements of the event before into this one, with their themes."""
    item, event = own(Series, series_id), own(Event, event_id)
    try:
        copied = services.carry_forward(item, event)
    except ThemeError as error:
        return _series_page(item, _problem(None, error), error.status)
    flash(_("Statements carried over: %(count)s.", count=copied))
    return redirect(url_for(".series", series_id=item.id, _anchor=f"event-{event.id}"))
