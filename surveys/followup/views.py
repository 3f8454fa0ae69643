"""Views of the yearly follow-up: analysts' pages and tokens, the report, residents' public
indicator pages, and the read API.

Views load the framework of the user's organisation (publicly: by its slug; in the API:
also by a token), read the cached figures with `queries.series_for` (they are computed by
the operations that change their inputs, never by a page view) and hand `present.card` views to the templates (or `api_figures` JSON
to programs). Forms go through `services`; problems come back as codes that `messages`
puts into words. The URL map is `blueprint.py`.
"""

from __future__ import annotations

import hashlib
from itertools import chain

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from surveys.auth.access import own, roles_required
from surveys.core.forms import choices
from surveys.core.i18n import (
    DEFAULT_LOCALE,
    LANGUAGES,
    UI_LOCALES,
    requested_language,
    tr_text,
)
from surveys.core.roles import ADMINS, ANALYSTS
from surveys.core.urls import local_path
from surveys.followup import (
    api_figures,
    comparisons,
    messages,
    present,
    queries,
    report,
    services,
    summary_draft,
)
from surveys.followup import jobs as _report_jobs  # noqa: F401 - registers the PDF job
from surveys.followup.forms import (
    DIRECTION_LABELS,
    AreaSummaryForm,
    KIND_LABELS,
    ComparisonForm,
    IndicatorForm,
    KpiForm,
    LinkIndicatorForm,
    MoveForm,
    NewAreaForm,
    NewFrameworkForm,
    NewGoalForm,
    NewIndicatorForm,
    RegisterForm,
    ReparentForm,
    SettingsForm,
    TitleForm,
    TokenForm,
    WaveForm,
    fill_texts,
    goal_choices,
    place_ref,
    texts_from,
)
from surveys.followup.models import (
    KEY_RE,
    ApiToken,
    FocusArea,
    Framework,
    Goal,
    IndicatorDefinition,
)
from surveys.followup.openapi import PUBLIC_MAX_AGE, openapi_document
from surveys.followup.services import FrameworkError
from surveys.jobs import services as job_services
from surveys.survey import queries as survey_queries
from surveys.survey.questions import CODE_RE

#: `access` in the API's answers: what the caller may see.
PUBLIC, ORGANISATION = "public", "organisation"


def helpers() -> dict:
    """Names the follow-up templates use."""
    return {"rules_in_words": present.rules_in_words, "tr_text": tr_text,
            "framework_url": framework_url, "certainty_note": summary_draft.certainty_note}


def framework_url(framework: Framework, endpoint: str, **values) -> str:
    """The address of one of `framework`'s follow-up pages: the default framework's keep
    the addresses from before there were several (/followup/...), the others' carry the
    framework's slug (/followup/f/<slug>/...)."""
    if not framework.is_default:
        values["slug"] = framework.slug
    return url_for(endpoint, **values)


def staff_fallback() -> None:
    """Staff see a text missing in their language in Swedish, marked as Swedish."""
    g.fallback_language = "sv"


# -- loading --------------------------------------------------------------------------------
def _framework(slug: str | None = None) -> Framework | None:
    """The organisation's default framework, or (with `slug`) the one of its frameworks at
    that address; another organisation's is not found (404)."""
    if slug is None:
        return queries.framework_of(current_user.organisation_id)
    framework = queries.framework_by_slug(slug)
    if framework is None or framework.organisation_id != current_user.organisation_id:
        abort(404)
    return framework


def _framework_or_404(slug: str | None = None) -> Framework:
    framework = _framework(slug)
    if framework is None:
        abort(404)
    return framework


def _indicator(indicator_id: int) -> IndicatorDefinition:
    return own(IndicatorDefinition, indicator_id, via=lambda i: i.framework)


def _focus_area(framework: Framework, key: str):
    focus_area = next((a for a in framework.focus_areas if a.key == key), None)
    if focus_area is None:
        abort(404)
    return focus_area


def _cards(framework: Framework, definitions, detail: bool) -> list[present.Card]:
    return present.cards(framework, queries.series_for(framework, definitions), detail)


def _compared_cards(framework: Framework, definitions
                    ) -> tuple[list[present.Card], dict[str, comparisons.View]]:
    """Detailed cards and, by indicator key, each one beside its comparisons."""
    all_series = queries.series_for(framework, definitions)
    views = comparisons.page_views(framework, all_series,
                                   comparisons.entries_for(framework, all_series))
    return present.cards(framework, all_series, True), views


# == analysts: /followup/... =================================================================

# -- overview and dashboards ------------------------------------------------------------------
@roles_required(*ANALYSTS)
def index(slug: str | None = None):
    """Focus areas, waves, problems (of the default framework, or of the one at `slug`)."""
    framework = _framework(slug)
    if framework is None:
        return render_template("followup/start.html")
    problems = [messages.problem_text(p) for p in queries.figure_problems(framework)]
    cards = {c.key: c for c in _cards(framework, None, detail=False)}
    return render_template("followup/index.html", framework=framework, cards=cards,
                           problems=problems,
                           listed={a.id: queries.area_indicators(a)
                                   for a in framework.focus_areas},
                           surveys=queries.organisation_surveys(current_user.organisation_id),
                           wave_years={w.survey_id: w.year for w in framework.waves})


@roles_required(*ANALYSTS)
def create():
    """The framework from the template."""
    if _framework() is None:
        services.create_from_template(current_user.organisation)
        flash(_("The indicator framework was created from the template. Link the survey "
                "waves to their years to see figures."))
    return redirect(url_for(".index"))


@roles_required(*ANALYSTS)
def area(key: str, slug: str | None = None):
    """The dashboard of one focus area."""
    framework = _framework_or_404(slug)
    focus_area = _focus_area(framework, key)
    problems = [messages.problem_text(p) for p in queries.figure_problems(framework)]
    cards, compared = _compared_cards(framework, queries.area_indicators(focus_area))
    return render_template("followup/area.html", framework=framework, area=focus_area,
                           goal_cards=present.by_goal(focus_area, cards), problems=problems,
                           public=False, comparisons=compared)


@roles_required(*ANALYSTS)
def indicator(indicator_id: int, slug: str | None = None):
    """One indicator, every figure: as the framework at `slug` computes it, else as its
    own framework does."""
    definition = _indicator(indicator_id)
    framework = _framework_or_404(slug) if slug is not None else definition.framework
    if definition not in framework.all_indicators():
        abort(404)
    (card,), compared = _compared_cards(framework, [definition])
    return render_template("followup/indicator.html", framework=framework,
                           definition=definition, card=card, comparisons=compared,
                           kind_label=KIND_LABELS[definition.kind],
                           direction_label=DIRECTION_LABELS[card.direction])


@roles_required(*ANALYSTS)
def values_csv(slug: str | None = None):
    """All indicators, public or not, as the API's long CSV (disclosure rules applied), and
    their comparisons."""
    framework = _framework_or_404(slug)
    all_series, lang = queries.series_for(framework), str(get_locale())
    rows = chain(api_figures.csv_rows(all_series, lang), api_figures.comparison_rows(
        all_series, comparisons.entries_for(framework, all_series), lang))
    body = api_figures.to_csv(rows, semicolon=request.args.get("dialect") == "semicolon")
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{framework.slug}-indicators.csv"',
        "Cache-Control": "no-store"})


# -- frameworks and their goal trees ---------------------------------------------------------
def _own_framework(framework_id: int) -> Framework:
    return own(Framework, framework_id)


def _own_area(area_id: int) -> FocusArea:
    return own(FocusArea, area_id, via=lambda area: area.framework)


def _framework_page(framework: Framework, problems: list[str] = (), status: int = 200):
    """A framework's focus areas and goal tree, with the forms that change them."""
    return render_template(
        "followup/structure.html", framework=framework,
        trees={a.id: queries.goal_tree(a) for a in framework.focus_areas},
        form=NewGoalForm(framework=framework), area_form=NewAreaForm(),
        missing=services.missing_translations, problems=problems), status


def _refused(framework: Framework, error: FrameworkError):
    """The framework page again, the refusal on top, with its status (nothing changed)."""
    return _framework_page(framework, [messages.framework_error(error.code, error.details)],
                           error.status)


def _to_framework(framework: Framework, anchor: str = ""):
    return redirect(url_for(".framework", framework_id=framework.id) + anchor)


@roles_required(*ANALYSTS)
def frameworks():
    """The organisation's frameworks; POST makes a new one (from the template or nothing)."""
    form = NewFrameworkForm()
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            if form.source.data == "template":
                created = services.create_from_template(
                    current_user.organisation, title={"sv": form.title_sv.data.strip()})
            else:
                created = services.create_empty(current_user.organisation, form.title_sv.data)
        except FrameworkError as error:
            problems.append(messages.framework_error(error.code, error.details))
        else:
            flash(_("The framework was created. Translate its title and add its goals."))
            return _to_framework(created)
    everything = queries.organisation_frameworks(current_user.organisation_id, archived=True)
    return render_template("followup/frameworks.html", form=form, problems=problems,
                           frameworks=[f for f in everything if f.archived_at is None],
                           archived=[f for f in everything if f.archived_at is not None],
                           ), 400 if form.is_submitted() else 200


@roles_required(*ANALYSTS)
def framework(framework_id: int):
    """One framework's focus areas and goals, to edit."""
    return _framework_page(_own_framework(framework_id))


@roles_required(*ANALYSTS)
def structure():
    """The default framework's focus areas and goals (the address before there were several)."""
    return _framework_page(_framework_or_404())


@roles_required(*ANALYSTS)
def framework_title(framework_id: int):
    """A framework's title in each language."""
    chosen = _own_framework(framework_id)
    return _edit_title(chosen, chosen, url_for(".framework", framework_id=chosen.id))


@roles_required(*ANALYSTS)
def move_framework(framework_id: int):
    """One step up or down in the list."""
    chosen = _own_framework(framework_id)
    form = MoveForm()
    if form.validate_on_submit():
        services.move_framework(chosen, form.direction.data)
    return redirect(url_for(".frameworks"))


@roles_required(*ANALYSTS)
def archive_framework(framework_id: int):
    """Archive a framework (or restore it: archived=0)."""
    chosen = _own_framework(framework_id)
    archived = request.form.get("archived", "1") != "0"
    try:
        services.archive_framework(chosen, archived)
    except FrameworkError as error:
        return _refused(chosen, error)
    flash(_("The framework was archived. Nothing in it was deleted.") if archived
          else _("The framework was restored."))
    return redirect(url_for(".frameworks"))


@roles_required(*ANALYSTS)
def delete_framework(framework_id: int):
    """Delete a framework nothing hangs on."""
    chosen = _own_framework(framework_id)
    try:
        services.delete_framework(chosen)
    except FrameworkError as error:
        return _refused(chosen, error)
    flash(_("The framework was deleted."))
    return redirect(url_for(".frameworks"))


@roles_required(*ANALYSTS)
def new_area(framework_id: int):
    """A focus area at the end of the framework."""
    chosen = _own_framework(framework_id)
    form = NewAreaForm()
    if not form.validate_on_submit():
        return _refused(chosen, FrameworkError("title_required"))
    services.add_area(chosen, form.title_sv.data)
    flash(_("The focus area was added."))
    return _to_framework(chosen)


def _edit_title(framework: Framework, thing, back: str):
    form = TitleForm()
    problems: list[str] = []
    if request.method == "GET":
        fill_texts(form, "title", thing.title)
    elif form.validate_on_submit():
        try:
            services.set_title(thing, texts_from(form, "title"))
        except FrameworkError as error:
            problems.append(messages.framework_error(error.code, error.details))
        else:
            flash(_("The title was saved."))
            return redirect(back)
    status = 400 if request.method == "POST" else 200
    return render_template("followup/title.html", framework=framework, thing=thing, form=form,
                           problems=problems, back=back), status


@roles_required(*ANALYSTS)
def area_title(key: str):
    """A focus area's title in each language (by its key in the default framework)."""
    framework = _framework_or_404()
    return _edit_title(framework, _focus_area(framework, key), url_for(".structure"))


@roles_required(*ANALYSTS)
def area_title_by_id(area_id: int):
    """A focus area's title in each language."""
    area = _own_area(area_id)
    return _edit_title(area.framework, area,
                       url_for(".framework", framework_id=area.framework_id))


@roles_required(*ANALYSTS)
def move_area(area_id: int):
    """One step up or down among the framework's focus areas."""
    area = _own_area(area_id)
    form = MoveForm()
    if form.validate_on_submit():
        services.move_area(area, form.direction.data)
    return _to_framework(area.framework, f"#area-{area.id}")


@roles_required(*ANALYSTS)
def delete_area(area_id: int):
    """Delete a focus area without goals."""
    area = _own_area(area_id)
    chosen = area.framework
    try:
        services.delete_area(area)
    except FrameworkError as error:
        return _refused(chosen, error)
    flash(_("The focus area was deleted."))
    return _to_framework(chosen)


@roles_required(*ANALYSTS)
def goal_title(goal_id: int):
    """A goal's title in each language."""
    goal = _own_goal(goal_id)
    return _edit_title(goal.focus_area.framework, goal,
                       url_for(".framework", framework_id=goal.focus_area.framework_id))


def _own_goal(goal_id: int) -> Goal:
    return own(Goal, goal_id, via=lambda goal: goal.focus_area.framework)


@roles_required(*ANALYSTS)
def new_goal():
    """A goal or sub-goal, in any of the organisation's frameworks."""
    kind, number = place_ref(request.form.get("parent", ""))
    if kind == "goal":
        parent = _own_goal(number)
        area = parent.focus_area
    else:
        parent, area = None, _own_area(number)
    chosen = area.framework
    form = NewGoalForm(framework=chosen)
    if not form.validate_on_submit():
        return _refused(chosen, FrameworkError("title_required"))
    services.add_goal(area, parent, form.title_sv.data)
    flash(_("The goal was added. Translate its title, then add indicators to it."))
    return _to_framework(chosen, f"#area-{area.id}")


@roles_required(*ANALYSTS)
def move_goal(goal_id: int):
    """One step up or down among its sibling goals."""
    goal = _own_goal(goal_id)
    form = MoveForm()
    if form.validate_on_submit():
        services.move_goal(goal, form.direction.data)
    return _to_framework(goal.focus_area.framework, f"#goal-{goal.id}")


@roles_required(*ANALYSTS)
def reparent_goal(goal_id: int):
    """Put a goal, with its sub-goals, under another goal or at the top of a focus area."""
    goal = _own_goal(goal_id)
    chosen = goal.focus_area.framework
    form = ReparentForm(framework=chosen)
    problems: list[str] = []
    status = 200
    if request.method == "GET":
        form.parent.data = (f"goal:{goal.parent_id}" if goal.parent_id
                            else f"area:{goal.focus_area_id}")
    elif form.validate_on_submit():
        kind, number = place_ref(form.parent.data)
        try:
            if kind == "goal":
                services.reparent_goal(goal, _own_goal(number).focus_area, _own_goal(number))
            else:
                services.reparent_goal(goal, _own_area(number), None)
        except FrameworkError as error:
            problems.append(messages.framework_error(error.code, error.details))
            status = error.status
        else:
            flash(_("The goal was moved."))
            return _to_framework(chosen, f"#goal-{goal.id}")
    else:
        status = 400
    return render_template("followup/reparent.html", framework=chosen, goal=goal, form=form,
                           problems=problems), status


@roles_required(*ANALYSTS)
def archive_goal(goal_id: int):
    """Archive a goal and its sub-goals (or restore them: archived=0)."""
    goal = _own_goal(goal_id)
    archived = request.form.get("archived", "1") != "0"
    services.archive_goal(goal, archived)
    flash(_("The goal was archived. Its indicators and actions are kept.") if archived
          else _("The goal was restored."))
    return _to_framework(goal.focus_area.framework, f"#goal-{goal.id}")


@roles_required(*ANALYSTS)
def delete_goal(goal_id: int):
    """A goal nothing hangs on (no indicators, sub-goals or actions)."""
    goal = _own_goal(goal_id)
    chosen = goal.focus_area.framework
    try:
        services.delete_goal(goal)
    except FrameworkError as error:
        return _refused(chosen, error)
    flash(_("The goal was deleted."))
    return _to_framework(chosen)


@roles_required(*ANALYSTS)
def goal_indicators(goal_id: int):
    """Let a goal follow one of the organisation's indicators, or stop following it."""
    goal = _own_goal(goal_id)
    form = LinkIndicatorForm()
    form.indicator_id.choices = choices(
        (i.id, i.key) for i in queries.organisation_indicators(current_user.organisation_id))
    back = request.form.get("next") or ""
    if not form.validate_on_submit():
        abort(400)
    try:
        services.link_indicator(goal, own(IndicatorDefinition, form.indicator_id.data,
                                          via=lambda i: i.framework),
                                form.action.data == "link")
    except FrameworkError as error:
        return _refused(goal.focus_area.framework, error)
    flash(_("The goal's indicators were saved."))
    return redirect(local_path(back) or url_for(".framework",
                                                framework_id=goal.focus_area.framework_id))


# -- indicators -------------------------------------------------------------------------------
@roles_required(*ANALYSTS)
def edit_indicator(indicator_id: int):
    """Texts and computation."""
    definition = _indicator(indicator_id)
    framework = definition.framework
    form = IndicatorForm()
    form.goal.choices = goal_choices(framework)
    problems: list[str] = []
    if request.method == "GET":
        form.goal.data = definition.goal_id
        form.public.data = definition.public
        form.fill(definition.definition)
        fill_texts(form, "title", definition.title)
        fill_texts(form, "description", definition.description)
    elif form.validate_on_submit():
        try:
            services.update_indicator(
                definition, title=texts_from(form, "title"),
                description=texts_from(form, "description"), definition=form.definition(),
                goal=queries.goal(form.goal.data), public=form.public.data)
        except FrameworkError as error:
            problems.append(messages.framework_error(error.code, error.details))
        else:
            flash(_("The indicator was saved."))
            return redirect(framework_url(framework, ".indicator", indicator_id=definition.id))
    status = 400 if request.method == "POST" else 200
    return render_template("followup/edit.html", framework=framework, definition=definition,
                           form=form, problems=problems), status


@roles_required(*ANALYSTS)
def new_indicator(slug: str | None = None):
    """A new indicator of the framework."""
    framework = _framework_or_404(slug)
    form = NewIndicatorForm()
    form.goal.choices = goal_choices(framework)
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            created = services.add_indicator(
                framework, form.key.data, goal=queries.goal(form.goal.data),
                title=texts_from(form, "title"), description=texts_from(form, "description"),
                definition=form.definition(), public=form.public.data)
        except FrameworkError as error:
            problems.append(messages.framework_error(error.code, error.details))
        else:
            flash(_("The indicator was saved."))
            return redirect(framework_url(framework, ".indicator", indicator_id=created.id))
    status = 400 if request.method == "POST" else 200
    return render_template("followup/edit.html", framework=framework, definition=None,
                           form=form, problems=problems), status


@roles_required(*ANALYSTS)
def register(indicator_id: int):
    """Register values from a CSV or JSON-stat file."""
    definition = _indicator(indicator_id)
    framework = definition.framework
    if definition.kind != "register":
        abort(404)
    form = RegisterForm()
    problems: list[str] = []
    if form.validate_on_submit():
        series, problems = form.read()
        if series is not None:
            services.store_register_series(definition, series)
            flash(_("%(count)s yearly values were imported.", count=len(series.values)))
            return redirect(framework_url(framework, ".indicator", indicator_id=definition.id))
    status = 400 if request.method == "POST" else 200
    return render_template("followup/register.html", framework=framework,
                           definition=definition, form=form, problems=problems), status


# -- settings and waves -----------------------------------------------------------------------
@roles_required(*ANALYSTS)
def settings(slug: str | None = None):
    """Disclosure rules, groupings, gaps, the public page."""
    framework = _framework_or_404(slug)
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
            services.update_settings(
                framework, slug=form.slug.data, min_group_size=form.min_group_size.data,
                max_rse=form.max_rse.data, published=form.published.data,
                groupings=form.grouping_list(), gaps=form.gap_rows())
        except FrameworkError as error:
            problems.append(messages.framework_error(error.code, error.details))
        else:
            flash(_("The settings were saved."))
            return redirect(framework_url(framework, ".index"))
    status = 400 if request.method == "POST" else 200
    return render_template("followup/settings.html", framework=framework, form=form,
                           problems=problems), status


@roles_required(*ANALYSTS)
def waves(slug: str | None = None):
    """Which survey is which year's wave (in this framework)."""
    framework = _framework_or_404(slug)
    form = WaveForm()
    if not form.validate_on_submit():
        flash(_("Write a year between 1990 and 2100."))
        return redirect(framework_url(framework, ".index")), 303
    survey = survey_queries.survey_by_id(form.survey_id.data)
    try:
        if survey is None:
            raise FrameworkError("unknown_survey")
        services.set_wave(framework, survey, form.year.data)
    except FrameworkError as error:
        flash(messages.framework_error(error.code, error.details))
    else:
        flash(_("The waves were saved."))
    return redirect(framework_url(framework, ".index"))


# -- comparisons ------------------------------------------------------------------------------
def _comparisons_page(framework: Framework, form: ComparisonForm, problems: list[str] = (),
                      status: int = 200):
    links = comparisons.register_links(framework)
    registers = [d for d in framework.indicators if d.kind == "register"]
    kpi_forms = {}
    for definition in registers:
        kpi_form = KpiForm(prefix=f"i{definition.id}", formdata=None)
        link = links.get(definition.id)
        if link is not None:
            kpi_form.kpi.data, kpi_form.gender.data = link.kpi, link.gender
        kpi_forms[definition.id] = kpi_form
    fetch_problems = {i: [messages.comparison_problem(p["code"], p["details"])
                          for p in link.problems] for i, link in links.items()}
    return render_template(
        "followup/comparisons.html", framework=framework, form=form, problems=problems,
        settings=comparisons.settings_of(framework), registers=registers, links=links,
        kpi_forms=kpi_forms, fetch_problems=fetch_problems,
        municipality_code=framework.organisation.municipality_code), status


def _comparison_form(framework: Framework) -> ComparisonForm:
    """The comparison settings as saved, to show."""
    form = ComparisonForm(formdata=None)
    settings = comparisons.settings_of(framework)
    if settings is not None:
        form.group_id.data = settings.group_id
        form.show_members.data = settings.show_members
        form.share_survey.data = settings.share_survey
    return form


@roles_required(*ANALYSTS)
def comparisons_page(slug: str | None = None):
    """The comparison group, sharing, each register indicator's Kolada key figure."""
    framework = _framework_or_404(slug)
    form = ComparisonForm() if request.method == "POST" else _comparison_form(framework)
    if request.method == "POST":
        if not form.validate_on_submit():
            return _comparisons_page(framework, form, status=400)
        try:
            comparisons.save_settings(framework, form.group_id.data, form.show_members.data,
                                      form.share_survey.data)
        except comparisons.ComparisonError as error:
            return _comparisons_page(framework, form, [messages.comparison_problem(
                error.code, error.details)], 400)
        flash(_("The comparison settings were saved."))
        return redirect(framework_url(framework, ".comparisons_page"), 303)
    return _comparisons_page(framework, form)


@roles_required(*ANALYSTS)
def comparison_kpi(indicator_id: int, slug: str | None = None):
    """Take a register indicator's values from a Kolada key figure (empty: stop)."""
    framework = _framework_or_404(slug)
    definition = _indicator(indicator_id)
    if definition.framework_id != framework.id or definition.kind != "register":
        abort(404)
    kpi_form = KpiForm(prefix=f"i{definition.id}")
    problems = [str(e) for errors in kpi_form.errors.values() for e in errors] if (
        not kpi_form.validate_on_submit()) else []
    if not problems:
        try:
            comparisons.set_kpi(definition, kpi_form.kpi.data, kpi_form.gender.data)
        except comparisons.ComparisonError as error:
            problems = [messages.comparison_problem(error.code, error.details)]
    if problems:
        return _comparisons_page(framework, _comparison_form(framework), problems, 400)
    flash(_("The key figure was saved. Fetch from Kolada to get its values."))
    return redirect(framework_url(framework, ".comparisons_page"), 303)


@roles_required(*ANALYSTS)
def fetch_comparisons(slug: str | None = None):
    """Fetch every linked key figure from Kolada now (the only way a page fetches)."""
    framework = _framework_or_404(slug)
    problems = comparisons.fetch_kolada(framework, comparisons.client(current_app.config))
    for problem in problems:
        flash(messages.comparison_problem(problem.code, problem.details))
    if not problems:
        flash(_("The comparisons were fetched from Kolada."))
    return redirect(framework_url(framework, ".comparisons_page"), 303)


# -- API tokens (admins) ----------------------------------------------------------------------
def _tokens_page(form: TokenForm, secret: str | None = None, created: ApiToken | None = None,
                 status: int = 200):
    # The page may carry a secret: never keep it in a cache.
    page = render_template("followup/tokens.html",
                           tokens=queries.organisation_tokens(current_user.organisation_id),
                           form=form, secret=secret, created=created)
    return page, status, {"Cache-Control": "no-store"}


@roles_required(*ADMINS)
def tokens():
    """The organisation's tokens; POST creates one and shows its secret this once."""
    form = TokenForm()
    if not form.is_submitted():
        return _tokens_page(form)
    if not form.validate():
        return _tokens_page(form, status=400)
    token, secret = services.create_token(current_user.organisation_id, form.name.data,
                                          current_user.id)
    # Shown in this response only: the next request has nothing left to show.
    return _tokens_page(TokenForm(formdata=None), secret=secret, created=token)


@roles_required(*ADMINS)
def revoke_token(token_id: int):
    """Revoke one of the organisation's tokens."""
    token = own(ApiToken, token_id)  # the app's CSRF protection has checked the form
    services.revoke(token)
    flash(_("The token “%(name)s” was revoked. Programs using it can no longer read the "
            "non-public indicators.", name=token.name))
    return redirect(url_for(".tokens"))


# -- the yearly report ------------------------------------------------------------------------
def _refuse(status: int, message: str) -> tuple[str, int]:
    return render_template("error.html", code=status, message=message), status


def _report_arguments(slug: str | None):
    """(framework, year, lang, audience) from the request, or a refusal with its message."""
    lang = request.args.get("lang") or str(get_locale())
    if lang not in LANGUAGES:
        return None, _refuse(400, _("There is no report language %(lang)s. Choose one of: "
                                    "%(languages)s.", lang=lang,
                                    languages=", ".join(LANGUAGES)))
    audience = request.args.get("audience") or "staff"
    if audience not in report.AUDIENCES:
        return None, _refuse(400, _("The report is made for “staff” or for “residents”."))
    framework = _framework(slug)
    if framework is None:
        return None, _refuse(404, _("Your organisation has no indicator framework yet."))
    year, refusal = _report_year(framework)
    if refusal:
        return None, refusal
    return (framework, year, lang, audience), None


def _report_year(framework: Framework):
    """(year, None) from ?year= (default: the latest wave), or (None, a refusal)."""
    raw_year = request.args.get("year", "").strip()
    if raw_year and not (raw_year.isascii() and raw_year.isdigit() and len(raw_year) <= 4):
        return None, _refuse(400, _("Write the year with digits, e.g. 2026."))
    try:
        return report.report_year(framework, int(raw_year) if raw_year else None), None
    except report.ReportError as error:
        if error.code == "no_waves":
            return None, _refuse(404, _("No survey wave is linked to a year yet, so there "
                                        "is no report."))
        return None, _refuse(404, _("There is no wave for %(year)s. Reports exist for: "
                                    "%(years)s.", year=raw_year,
                                    years=", ".join(str(y) for y in error.years)))


def _version_link(framework: Framework, year: int, lang: str, audience: str):
    if audience == "residents":
        return _("The version for staff"), framework_url(framework, ".report", year=year,
                                                         lang=lang)
    return (_("The version for residents"),
            framework_url(framework, ".report", year=year, lang=lang, audience="residents"))


@roles_required(*ANALYSTS)
def report_page(slug: str | None = None):
    """The report as a page (?year=&lang=&audience=), with buttons that make the PDF and
    the Word document."""
    arguments, refusal = _report_arguments(slug)
    if refusal:
        return refusal
    framework, year, lang, audience = arguments
    extra = {"audience": audience} if audience != "staff" else {}
    links = report.PageLinks(
        back_url=framework_url(framework, ".index"),
        pdf_url=framework_url(framework, ".report_pdf", year=year, lang=lang, **extra),
        docx_url=framework_url(framework, ".report_docx", year=year, lang=lang, **extra),
        other_years={y: framework_url(framework, ".report", year=y, lang=lang, **extra)
                     for y in report.years_of(framework) if y != year},
        other_version=_version_link(framework, year, lang, audience),
        edit_urls={a.key: framework_url(framework, ".area_summary", key=a.key, year=year,
                                        lang=lang) for a in framework.focus_areas})
    html = report.render_report_html(framework, year, lang,
                                     css_url=url_for("static", filename="report.css"),
                                     links=links, audience=audience)
    return html, 200, {"Cache-Control": "no-store"}


@roles_required(*ANALYSTS)
def report_pdf(slug: str | None = None):
    """Make the same report as PDF (?year=&lang=&audience=): a job, whose page shows its
    progress."""
    return _report_job("followup_report_pdf", slug)


@roles_required(*ANALYSTS)
def report_docx(slug: str | None = None):
    """Make the report as a Word document (?year=&lang=&audience=), as a job like the PDF."""
    return _report_job("followup_report_docx", slug)


def _report_job(kind: str, slug: str | None):
    arguments, refusal = _report_arguments(slug)
    if refusal:
        return refusal
    framework, year, lang, audience = arguments
    job = job_services.submit(kind, current_user.organisation_id, current_user.id,
                              {"framework_id": framework.id, "year": year, "lang": lang,
                               "audience": audience})
    return redirect(url_for("jobs.status", job_id=job.id), 303)


@roles_required(*ANALYSTS)
def area_summary(key: str, slug: str | None = None):
    """The plain-language summary of a focus area for one year's report in one language
    (?year=&lang=): the saved text or the draft from the figures to start from; POST saves."""
    framework = _framework_or_404(slug)
    focus_area = _focus_area(framework, key)
    year, refusal = _report_year(framework)
    if refusal:
        return refusal
    lang = request.args.get("lang") or str(get_locale())
    if lang not in LANGUAGES:
        return _refuse(400, _("There is no report language %(lang)s. Choose one of: "
                              "%(languages)s.", lang=lang, languages=", ".join(LANGUAGES)))
    saved = queries.area_summary(focus_area.id, year, lang)
    form = AreaSummaryForm()
    status = 200
    if form.is_submitted():
        if form.validate():
            services.save_area_summary(focus_area, year, lang, form.text.data, current_user.id)
            flash(_("The summary was saved. The report now opens %(area)s with it.",
                    area=tr_text(focus_area.title)))
            return redirect(framework_url(framework, ".area_summary", key=key, year=year,
                                          lang=lang))
        status = 400
    draft = ""
    if saved is not None or status == 200:  # shown beside the saved text, or to start from
        with report.in_language(lang):
            draft = report.area_draft(framework, focus_area, year)
    if status == 200:
        form.text.data = saved.text if saved is not None else draft
    return render_template(
        "followup/area_summary.html", framework=framework, area=focus_area, year=year,
        lang=LANGUAGES[lang], form=form, saved=saved, draft=report.paragraphs(draft),
        years=report.years_of(framework),
        report_url=framework_url(framework, ".report", year=year, lang=lang)
        + f"#summary-{key}"), status, {"Cache-Control": "no-store"}


# == residents: /indicators/<slug> ===========================================================

def _public_framework(slug: str) -> Framework:
    framework = queries.framework_by_slug(slug)
    if framework is None or not framework.published:
        abort(404)
    g.content_language = requested_language(list(LANGUAGES))
    g.fallback_language = "sv"  # area and goal titles an organisation has not translated yet
    return framework


def public_index(slug: str):
    """The focus areas and their public indicators."""
    framework = _public_framework(slug)
    public = [i for i in framework.all_indicators() if i.public]
    cards = {c.key: c for c in _cards(framework, public, detail=False)}
    return render_template("followup/public_index.html", framework=framework, cards=cards,
                           listed={a.id: queries.area_indicators(a, public_only=True)
                                   for a in framework.focus_areas},
                           page_languages=list(LANGUAGES)), 200, {"Cache-Control": "no-cache"}


def public_area(slug: str, key: str):
    """One focus area's public indicators."""
    framework = _public_framework(slug)
    focus_area = _focus_area(framework, key)
    cards, compared = _compared_cards(framework,
                                      queries.area_indicators(focus_area, public_only=True))
    return render_template("followup/area.html", framework=framework, area=focus_area,
                           goal_cards=present.by_goal(focus_area, cards), problems=[],
                           public=True, comparisons=compared,
                           page_languages=list(LANGUAGES)), 200, {"Cache-Control": "no-cache"}


def public_report(slug: str):
    """The yearly report's version for residents (?year=&lang=): public indicators only."""
    framework = _public_framework(slug)
    lang = request.args.get("lang") or g.content_language
    if lang not in LANGUAGES:
        return _refuse(400, _("There is no report language %(lang)s. Choose one of: "
                              "%(languages)s.", lang=lang, languages=", ".join(LANGUAGES)))
    year, refusal = _report_year(framework)
    if refusal:
        return refusal
    links = report.PageLinks(
        back_url=url_for(".public_index", slug=slug),
        other_years={y: url_for(".public_report", slug=slug, year=y, lang=lang)
                     for y in report.years_of(framework) if y != year})
    html = report.render_report_html(framework, year, lang,
                                     css_url=url_for("static", filename="report.css"),
                                     links=links, audience="residents")
    return html, 200, {"Cache-Control": "no-cache"}


# == programs: /api/v1/... ===================================================================

class ApiError(Exception):
    """An error answer: HTTP status, a code for programs and a message for people."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(code)
        self.status, self.code, self.message = status, code, message


#: CORS: any site may read the API from a browser; a token travels in a header, never a
#: cookie, so no credentials are involved.
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Content-Language, Retry-After, X-RateLimit-Limit, "
                                     "X-RateLimit-Remaining, X-RateLimit-Reset",
}
PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, Accept-Language, If-None-Match",
    "Access-Control-Max-Age": "86400",
}
#: Years a `year` filter may name.
YEARS = range(1900, 2101)


def api_limit_key() -> str:
    """Count requests per token (its hash, never the token) or per address without one."""
    header = request.headers.get("Authorization", "")
    if header:
        return "api-token:" + hashlib.sha256(header.encode("utf-8", "replace")).hexdigest()
    return "api-ip:" + get_remote_address()


def api_limit() -> str:
    return current_app.config.get("API_RATE_LIMIT", "120 per minute")


def api_language() -> None:
    """Error messages in ?lang= or Accept-Language, without a session cookie."""
    asked = request.args.get("lang", "")
    g.content_language = asked if asked in LANGUAGES else (
        request.accept_languages.best_match(UI_LOCALES) or DEFAULT_LOCALE)


def api_cache_headers(response: Response) -> Response:
    """Anonymous answers may be cached briefly, token answers and errors never; answers
    carry an ETag (a matching If-None-Match gets 304) and CORS headers."""
    if response.status_code >= 400 or "Authorization" in request.headers:
        response.headers["Cache-Control"] = "no-store"
    else:
        response.headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    response.vary.add("Authorization")
    response.vary.add("Accept-Language")
    response.headers.update(CORS_HEADERS)
    if request.method == "OPTIONS":
        response.headers.update(PREFLIGHT_HEADERS)
    elif response.status_code == 200 and request.method in ("GET", "HEAD"):
        response.add_etag()
        response.make_conditional(request)
    return response


def api_error(error: ApiError):
    """An error as RFC 9457 problem details (application/problem+json)."""
    response = jsonify(api_figures.problem(error.status, error.code, error.message))
    response.mimetype = "application/problem+json"
    response.status_code = error.status
    response.headers["Content-Language"] = g.get("content_language", DEFAULT_LOCALE)
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="delaktig", error="invalid_token"'
    elif error.status == 405:
        response.headers["Allow"] = "GET, HEAD"
    return response


def api_http_error(error: HTTPException):
    """Werkzeug's errors (rate limit, ...) as problem details too (the request rolls back:
    status >= 400)."""
    if "content_language" not in g:  # e.g. the rate limit, checked before our hooks ran
        api_language()
    found = {
        404: ("not_found", lambda: _("The page could not be found. Check the address.")),
        405: ("method_not_allowed", lambda: _("This page cannot be used that way.")),
        429: ("rate_limited", lambda: _("Too many attempts. Wait a minute and try again.")),
    }
    code, message = found.get(error.code, ("bad_request", lambda: _(
        "The request could not be understood. Go back and try again.")))
    response = api_error(ApiError(error.code or 400, code, message()))
    retry = error.get_response().headers.get("Retry-After") if error.code == 429 else None
    if retry:
        response.headers["Retry-After"] = retry
    return response


def _token_secret() -> str | None:
    """The bearer token sent, None without an Authorization header; 401 if malformed."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _sep, secret = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise _invalid_token()
    return secret.strip()


def _invalid_token() -> ApiError:
    return ApiError(401, "invalid_token", _(
        "The access token is not valid: it may be mistyped or revoked. "
        "Ask an administrator of the organisation for a new token."))


def _not_found() -> ApiError:
    return ApiError(404, "framework_not_found", _(
        "There is no published indicator framework at this address. "
        "An unpublished framework needs its organisation's access token."))


def _api_framework(slug: str) -> tuple[Framework, str]:
    """The framework at `slug` and the caller's access to it, or an error.

    A bad token is refused before anything is looked up, so a 401 says nothing about
    which frameworks exist.
    """
    secret = _token_secret()
    token = None
    if secret is not None:
        token = queries.valid_token(secret)
        if token is None:
            raise _invalid_token()
        g.api_token_id = token.id  # the request log names the token (the read writes nothing)
    framework = queries.framework_by_slug(slug)
    if framework is None:
        raise _not_found()
    if token is not None and token.organisation_id == framework.organisation_id:
        return framework, ORGANISATION
    if not framework.published:
        raise _not_found()
    return framework, PUBLIC


def _visible(framework: Framework, access: str) -> list[IndicatorDefinition]:
    """The indicators the caller may see: all for the organisation, else the public ones."""
    return [d for d in framework.all_indicators() if access == ORGANISATION or d.public]


def _series(framework: Framework, definitions: list[IndicatorDefinition]):
    """Stored figures of `definitions`, brought up to date first."""
    return queries.series_for(framework, definitions) if definitions else []


def _bad_parameter(message: str) -> ApiError:
    """A malformed filter value; a well-formed one that names nothing is a 404."""
    return ApiError(400, "invalid_parameter", message)


def _view(framework: Framework) -> api_figures.ApiView:
    """The filters the query asks for (`year`, `group`), checked; groups named in the
    caller's language."""
    years = set()
    for text in request.args.getlist("year"):
        if not (text.isascii() and text.isdigit() and int(text) in YEARS):
            raise _bad_parameter(_("Write year as a year such as 2025 (1900-2100)."))
        years.add(int(text))
    group = request.args.get("group")
    if group is not None and group not in framework.groupings:
        message = _("The framework has no grouping “%(group)s”; it has: %(groupings)s.",
                    group=group[:40], groupings=", ".join(framework.groupings))
        if not CODE_RE.match(group):
            raise _bad_parameter(message)
        raise ApiError(404, "grouping_not_found", message)
    options = present.option_labels(framework)
    return api_figures.ApiView(
        label=lambda variable, value: present.group_label(variable, value, options),
        organisation=framework.organisation, framework=framework,
        years=frozenset(years) if years else None,
        group=group)


def _chosen(visible: list[IndicatorDefinition]) -> list[IndicatorDefinition]:
    """The indicators the `indicator` filter names (every visible one without it)."""
    keys = request.args.getlist("indicator")
    if not keys:
        return visible
    known = {d.key for d in visible}
    unknown = [k for k in keys if k not in known]
    if unknown:
        message = _("The framework has no indicator “%(key)s” that you may see.",
                    key=unknown[0][:60])
        if not all(KEY_RE.match(k) for k in unknown):
            raise _bad_parameter(message)
        raise ApiError(404, "indicator_not_found", message)
    return [d for d in visible if d.key in keys]


def openapi():
    """This API described in OpenAPI 3.1."""
    return jsonify(openapi_document())


def framework_detail(slug: str):
    """Focus areas, goals with the visible indicators' keys, disclosure rules, waves."""
    framework, access = _api_framework(slug)
    return jsonify(api_figures.framework_json(framework, _visible(framework, access), access))


def indicator_list(slug: str):
    """Every visible indicator (or those asked for) with each wave's overall figures and its
    follow-up; ?year= and ?group= filter."""
    wanted = request.args.get("format", "json")
    if wanted not in ("json", "csv"):
        raise ApiError(400, "unknown_format", _("Ask for format=json or format=csv."))
    if wanted == "csv":
        return indicator_csv(slug)
    framework, access = _api_framework(slug)
    view = _view(framework)
    all_series = _series(framework, _chosen(_visible(framework, access)))
    compared = comparisons.entries_for(framework, all_series)
    return jsonify({**api_figures.framework_head(framework, access), "indicators": [
        api_figures.indicator_json(s, view, comparisons=compared.get(s.definition.key, ()))
        for s in all_series]})


def indicator_csv(slug: str):
    """The long CSV: indicator x wave x (whole population | group | gap), filtered alike."""
    dialect = request.args.get("dialect", "comma")
    if dialect not in ("comma", "semicolon"):
        raise ApiError(400, "unknown_dialect", _("Ask for dialect=comma or dialect=semicolon."))
    framework, access = _api_framework(slug)
    view = _view(framework)
    all_series = _series(framework, _chosen(_visible(framework, access)))
    rows = api_figures.csv_rows(all_series, g.content_language, view)
    body = api_figures.to_csv(rows, semicolon=dialect == "semicolon")
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{framework.slug}-indicators.csv"'})


def indicator_detail(slug: str, key: str):
    """One indicator, every wave with its groups and gaps, and the full follow-up; ?year=
    and ?group= filter."""
    framework, access = _api_framework(slug)
    definition = next((d for d in _visible(framework, access) if d.key == key), None)
    if definition is None:
        raise ApiError(404, "indicator_not_found", _(
            "The framework has no indicator with this key that you may see."))
    view = _view(framework)
    (series,) = _series(framework, [definition])
    compared = comparisons.entries_for(framework, [series]).get(definition.key, ())
    return jsonify({**api_figures.framework_head(framework, access),
                    "indicator": api_figures.indicator_json(series, view, detail=True,
                                                            comparisons=compared)})


def api_unknown(anything: str):
    """Unknown addresses and methods under the API answer in JSON like the rest of it."""
    if request.method != "GET":  # the API only reads
        raise ApiError(405, "method_not_allowed", _("This page cannot be used that way."))
    raise ApiError(404, "not_found", _("The page could not be found. Check the address."))
