"""The yearly follow-up for analysts (/followup/...) and for residents (/indicators/<slug>).

Views load the framework of the user's organisation (or, publicly, by its slug), let
`service.refresh` bring cached values up to date, and hand `present.card` views to the
templates. Forms go through `framework` services; problems come back as codes that
`messages` puts into words.
"""

from __future__ import annotations

import re

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from surveys.auth.access import roles_required
from surveys.core.forms import choices
from surveys.core.i18n import LANGUAGES, requested_language, tr_text
from surveys.core.roles import ANALYSTS
from surveys.extensions import db
from surveys.followup import api_figures, messages, present, service
from surveys.followup import framework as framework_svc
from surveys.followup.forms import (
    DIRECTION_LABELS,
    KIND_LABELS,
    IndicatorForm,
    NewGoalForm,
    NewIndicatorForm,
    RegisterForm,
    SettingsForm,
    TitleForm,
    WaveForm,
    fill_texts,
    texts_from,
)
from surveys.followup.framework import FrameworkError
from surveys.followup.models import FocusArea, Framework, Goal, IndicatorDefinition
from surveys.indicators import RegisterFormatError, read_register_csv, read_register_jsonstat
from surveys.survey.models import Survey

bp = Blueprint("followup", __name__, url_prefix="/followup")
public_bp = Blueprint("indicators", __name__, url_prefix="/indicators")

# -- URL map ------------------------------------------------------------------------------
# GET       /followup/                               focus areas, waves, problems
# POST      /followup/create                         the framework from the template
# GET       /followup/areas/<key>                    dashboard of one focus area
# GET       /followup/indicators/<id>                one indicator, every figure
# GET POST  /followup/indicators/<id>/edit           texts and computation
# GET POST  /followup/indicators/<id>/register       import register values (CSV, JSON-stat)
# GET POST  /followup/indicators/new                 a new indicator
# GET       /followup/structure                      focus areas and goals, to edit
# GET POST  /followup/areas/<key>/title              a focus area's title in each language
# GET POST  /followup/goals/<id>/title               a goal's title in each language
# POST      /followup/goals/new                      a goal or sub-goal
# POST      /followup/goals/<id>/delete              a goal without indicators or sub-goals
# GET       /followup/values.csv                     every indicator's figures (?dialect=semicolon)
# GET POST  /followup/settings                       disclosure rules, groupings, gaps, public
# POST      /followup/waves                          which survey is which year's wave
# GET       /indicators/<slug>                       public: the focus areas
# GET       /indicators/<slug>/<key>                 public: one focus area's indicators

SELECT_LINE = re.compile(r"^\s*([^=]+?)\s*=\s*(\S.*?)\s*$")


@bp.context_processor
@public_bp.context_processor
def disclosure_rules():
    return {"rules_in_words": present.rules_in_words}


@bp.before_request
def staff_fallback():
    """Staff see a text missing in their language in Swedish, marked as Swedish."""
    g.fallback_language = "sv"


def _framework() -> Framework | None:
    return service.framework_of(current_user.organisation_id)


def _framework_or_404() -> Framework:
    framework = _framework()
    if framework is None:
        abort(404)
    return framework


def _indicator(framework: Framework, indicator_id: int) -> IndicatorDefinition:
    indicator = db.session.get(IndicatorDefinition, indicator_id)
    if indicator is None or indicator.framework_id != framework.id:
        abort(404)
    return indicator


def _cards(framework: Framework, definitions, detail: bool) -> list[present.Card]:
    options = present.option_labels(framework)
    return [present.card(s, framework, options, detail=detail)
            for s in service.series_for(framework, definitions)]


def _area_indicators(area: FocusArea, public_only: bool = False) -> list[IndicatorDefinition]:
    return [i for i in area.framework.indicators
            if i.goal.focus_area_id == area.id and (i.public or not public_only)]


def _goal_choices(framework: Framework) -> list[tuple[int, str]]:
    choices = []
    for area in framework.focus_areas:
        for goal in area.goals:
            prefix = "— " if goal.parent_id else ""
            choices.append((goal.id, f"{tr_text(area.title)}: {prefix}{tr_text(goal.title)}"))
    return choices


# -- overview and dashboards ------------------------------------------------------------------
@bp.get("/")
@roles_required(*ANALYSTS)
def index():
    framework = _framework()
    if framework is None:
        return render_template("followup/start.html")
    problems = [messages.problem_text(p) for p in service.refresh(framework)]
    cards = {c.key: c for c in _cards(framework, None, detail=False)}
    surveys = db.session.scalars(select(Survey).where(
        Survey.organisation_id == current_user.organisation_id).order_by(Survey.id)).all()
    return render_template("followup/index.html", framework=framework, cards=cards,
                           problems=problems, surveys=surveys,
                           wave_years={w.survey_id: w.year for w in framework.waves})


@bp.post("/create")
@roles_required(*ANALYSTS)
def create():
    if _framework() is None:
        framework_svc.create_from_template(current_user.organisation)
        flash(_("The indicator framework was created from the template. Link the survey "
                "waves to their years to see figures."))
    return redirect(url_for(".index"))


@bp.get("/areas/<key>")
@roles_required(*ANALYSTS)
def area(key: str):
    framework = _framework_or_404()
    focus_area = next((a for a in framework.focus_areas if a.key == key), None)
    if focus_area is None:
        abort(404)
    problems = [messages.problem_text(p) for p in service.refresh(framework)]
    cards = _cards(framework, _area_indicators(focus_area), detail=True)
    return render_template("followup/area.html", framework=framework, area=focus_area,
                           cards=cards, problems=problems, public=False)


@bp.get("/indicators/<int:indicator_id>")
@roles_required(*ANALYSTS)
def indicator(indicator_id: int):
    framework = _framework_or_404()
    definition = _indicator(framework, indicator_id)
    service.refresh(framework)
    (card,) = _cards(framework, [definition], detail=True)
    return render_template("followup/indicator.html", framework=framework,
                           definition=definition, card=card,
                           kind_label=KIND_LABELS[definition.kind],
                           direction_label=DIRECTION_LABELS[card.direction])


@bp.get("/structure")
@roles_required(*ANALYSTS)
def structure():
    framework = _framework_or_404()
    form = NewGoalForm()
    form.parent.choices = choices(_parent_choices(framework))
    return render_template("followup/structure.html", framework=framework, form=form,
                           missing=framework_svc.missing_translations)


def _parent_choices(framework: Framework) -> list[tuple[str, str]]:
    """"area:<id>" for a new goal, "goal:<id>" for a new sub-goal."""
    out = []
    for area in framework.focus_areas:
        out.append((f"area:{area.id}", tr_text(area.title)))
        out += [(f"goal:{g.id}", f"{tr_text(area.title)}: {tr_text(g.title)}")
                for g in area.goals if g.parent_id is None]
    return out


def _goal(framework: Framework, goal_id: int) -> Goal:
    goal = db.session.get(Goal, goal_id)
    if goal is None or goal.focus_area.framework_id != framework.id:
        abort(404)
    return goal


def _edit_title(framework: Framework, thing, back: str):
    form = TitleForm()
    problems: list[str] = []
    if request.method == "GET":
        fill_texts(form, "title", thing.title)
    elif form.validate_on_submit():
        try:
            framework_svc.set_title(thing, texts_from(form, "title"))
        except FrameworkError as error:
            problems.append(messages.framework_error(error.code, error.details))
        else:
            flash(_("The title was saved."))
            return redirect(back)
    status = 400 if request.method == "POST" else 200
    return render_template("followup/title.html", framework=framework, thing=thing, form=form,
                           problems=problems, back=back), status


@bp.route("/areas/<key>/title", methods=["GET", "POST"])
@roles_required(*ANALYSTS)
def area_title(key: str):
    framework = _framework_or_404()
    focus_area = next((a for a in framework.focus_areas if a.key == key), None)
    if focus_area is None:
        abort(404)
    return _edit_title(framework, focus_area, url_for(".structure"))


@bp.route("/goals/<int:goal_id>/title", methods=["GET", "POST"])
@roles_required(*ANALYSTS)
def goal_title(goal_id: int):
    framework = _framework_or_404()
    return _edit_title(framework, _goal(framework, goal_id), url_for(".structure"))


@bp.post("/goals/new")
@roles_required(*ANALYSTS)
def new_goal():
    framework = _framework_or_404()
    form = NewGoalForm()
    form.parent.choices = choices(_parent_choices(framework))
    if not form.validate_on_submit():
        flash(_("Choose where the goal goes and write its title in Swedish."))
        return redirect(url_for(".structure"))
    kind, _sep, number = form.parent.data.partition(":")
    if kind == "area":
        area = next(a for a in framework.focus_areas if str(a.id) == number)
        parent = None
    else:
        parent = _goal(framework, int(number))
        area = parent.focus_area
    try:
        framework_svc.add_goal(area, parent, form.title_sv.data)
    except FrameworkError as error:
        flash(messages.framework_error(error.code, error.details))
    else:
        flash(_("The goal was added. Translate its title, then add indicators to it."))
    return redirect(url_for(".structure"))


@bp.post("/goals/<int:goal_id>/delete")
@roles_required(*ANALYSTS)
def delete_goal(goal_id: int):
    framework = _framework_or_404()
    try:
        framework_svc.delete_goal(_goal(framework, goal_id))
    except FrameworkError as error:
        flash(messages.framework_error(error.code, error.details))
    else:
        flash(_("The goal was deleted."))
    return redirect(url_for(".structure"))


@bp.get("/values.csv")
@roles_required(*ANALYSTS)
def values_csv():
    """All indicators, public or not, as the API's long CSV (disclosure rules applied)."""
    framework = _framework_or_404()
    service.refresh(framework)
    rows = api_figures.csv_rows(service.series_for(framework), str(get_locale()))
    body = api_figures.to_csv(rows, semicolon=request.args.get("dialect") == "semicolon")
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{framework.slug}-indicators.csv"',
        "Cache-Control": "no-store"})


# -- editing ----------------------------------------------------------------------------------
@bp.route("/indicators/<int:indicator_id>/edit", methods=["GET", "POST"])
@roles_required(*ANALYSTS)
def edit_indicator(indicator_id: int):
    framework = _framework_or_404()
    definition = _indicator(framework, indicator_id)
    form = IndicatorForm()
    form.goal.choices = choices(_goal_choices(framework))
    problems: list[str] = []
    if request.method == "GET":
        form.goal.data = definition.goal_id
        form.public.data = definition.public
        form.fill(definition.definition)
        fill_texts(form, "title", definition.title)
        fill_texts(form, "description", definition.description)
    elif form.validate_on_submit():
        try:
            framework_svc.update_indicator(
                definition, title=texts_from(form, "title"),
                description=texts_from(form, "description"), definition=form.definition(),
                goal=db.session.get(Goal, form.goal.data), public=form.public.data)
        except FrameworkError as error:
            problems.append(messages.framework_error(error.code, error.details))
        else:
            flash(_("The indicator was saved."))
            return redirect(url_for(".indicator", indicator_id=definition.id))
    status = 400 if request.method == "POST" else 200
    return render_template("followup/edit.html", framework=framework, definition=definition,
                           form=form, problems=problems), status


@bp.route("/indicators/new", methods=["GET", "POST"])
@roles_required(*ANALYSTS)
def new_indicator():
    framework = _framework_or_404()
    form = NewIndicatorForm()
    form.goal.choices = choices(_goal_choices(framework))
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            created = framework_svc.add_indicator(
                framework, form.key.data, goal=db.session.get(Goal, form.goal.data),
                title=texts_from(form, "title"), description=texts_from(form, "description"),
                definition=form.definition(), public=form.public.data)
        except FrameworkError as error:
            problems.append(messages.framework_error(error.code, error.details))
        else:
            flash(_("The indicator was saved."))
            return redirect(url_for(".indicator", indicator_id=created.id))
    status = 400 if request.method == "POST" else 200
    return render_template("followup/edit.html", framework=framework, definition=None,
                           form=form, problems=problems), status


def _select_lines(text: str) -> tuple[dict[str, str], list[str]]:
    """"Fodelseregion = 020" lines -> ({"Fodelseregion": "020"}, problems)."""
    selected, problems = {}, []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        match = SELECT_LINE.match(line)
        if match:
            selected[match.group(1)] = match.group(2)
        else:
            problems.append(messages.register_problem("bad_select_line", {"line": number}))
    return selected, problems


def _read_register(raw: bytes, select_text: str, source: str | None):
    """(series, []) from a JSON-stat or CSV file, or (None, problems in words)."""
    selected, problems = _select_lines(select_text)
    if problems:
        return None, problems
    try:
        if raw.lstrip()[:1] == b"{":
            return read_register_jsonstat(raw, select=selected, source=source), []
        return read_register_csv(raw, source=source), []
    except RegisterFormatError as error:
        return None, [messages.register_problem(p.code, p.details) for p in error.problems]


@bp.route("/indicators/<int:indicator_id>/register", methods=["GET", "POST"])
@roles_required(*ANALYSTS)
def register(indicator_id: int):
    framework = _framework_or_404()
    definition = _indicator(framework, indicator_id)
    if definition.kind != "register":
        abort(404)
    form = RegisterForm()
    problems: list[str] = []
    if form.validate_on_submit():
        series, problems = _read_register(form.file.data.read(), form.select.data,
                                          (form.source.data or "").strip() or None)
        if series is not None:
            service.store_register_series(definition, series)
            flash(_("%(count)s yearly values were imported.", count=len(series.values)))
            return redirect(url_for(".indicator", indicator_id=definition.id))
    status = 400 if request.method == "POST" else 200
    return render_template("followup/register.html", framework=framework,
                           definition=definition, form=form, problems=problems), status


def _gap_lines(text: str) -> list[list[str]]:
    gaps = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        parts = [p for p in re.split(r"[,;\s]+", line.strip()) if p]
        if not parts:
            continue
        if len(parts) != 3:
            raise FrameworkError("bad_gap_line", line=number)
        gaps.append(parts)
    return gaps


@bp.route("/settings", methods=["GET", "POST"])
@roles_required(*ANALYSTS)
def settings():
    framework = _framework_or_404()
    form = SettingsForm()
    problems: list[str] = []
    if request.method == "GET":
        form.slug.data = framework.slug
        form.min_group_size.data = framework.min_group_size
        form.max_rse.data = framework.max_rse
        form.groupings.data = ", ".join(framework.groupings)
        form.gaps.data = "\n".join(" ".join(g) for g in framework.gaps)
        form.published.data = framework.published
    elif form.validate_on_submit():
        try:
            framework_svc.update_settings(
                framework, slug=form.slug.data, min_group_size=form.min_group_size.data,
                max_rse=form.max_rse.data, published=form.published.data,
                groupings=[p for p in re.split(r"[,;\s]+", form.groupings.data) if p],
                gaps=_gap_lines(form.gaps.data))
        except FrameworkError as error:
            problems.append(messages.framework_error(error.code, error.details))
        else:
            flash(_("The settings were saved."))
            return redirect(url_for(".index"))
    status = 400 if request.method == "POST" else 200
    return render_template("followup/settings.html", framework=framework, form=form,
                           problems=problems), status


@bp.post("/waves")
@roles_required(*ANALYSTS)
def waves():
    framework = _framework_or_404()
    form = WaveForm()
    if not form.validate_on_submit():
        flash(_("Write a year between 1990 and 2100."))
        return redirect(url_for(".index")), 303
    survey = db.session.get(Survey, form.survey_id.data)
    try:
        if survey is None:
            raise FrameworkError("unknown_survey")
        framework_svc.set_wave(framework, survey, form.year.data)
    except FrameworkError as error:
        flash(messages.framework_error(error.code, error.details))
    else:
        flash(_("The waves were saved."))
    return redirect(url_for(".index"))


# -- public -------------------------------------------------------------------------------------
def _public_framework(slug: str) -> Framework:
    framework = db.session.scalar(select(Framework).where(Framework.slug == slug))
    if framework is None or not framework.published:
        abort(404)
    g.content_language = requested_language(list(LANGUAGES))
    g.fallback_language = "sv"  # area and goal titles an organisation has not translated yet
    return framework


@public_bp.get("/<slug>")
def public_index(slug: str):
    framework = _public_framework(slug)
    service.refresh(framework)
    public = [i for i in framework.indicators if i.public]
    cards = {c.key: c for c in _cards(framework, public, detail=False)}
    return render_template("followup/public_index.html", framework=framework, cards=cards,
                           page_languages=list(LANGUAGES)), 200, {"Cache-Control": "no-cache"}


@public_bp.get("/<slug>/<key>")
def public_area(slug: str, key: str):
    framework = _public_framework(slug)
    focus_area = next((a for a in framework.focus_areas if a.key == key), None)
    if focus_area is None:
        abort(404)
    service.refresh(framework)
    cards = _cards(framework, _area_indicators(focus_area, public_only=True), detail=True)
    return render_template("followup/area.html", framework=framework, area=focus_area,
                           cards=cards, problems=[], public=True,
                           page_languages=list(LANGUAGES)), 200, {"Cache-Control": "no-cache"}
