"""Views of the action plans: the actions (a unit reporter sees only its units'), one action
with its status history, the units and their printable summaries, and a goal's actions beside
its indicators.

Views parse, call `services` or `queries`, and render; refusals come back as `ActionError`
codes that `messages` puts into words, with the status the error names.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from surveys.actions import messages, queries, services
from surveys.actions.forms import (
    STATUS_LABELS,
    UNIT_KIND_LABELS,
    ActionForm,
    ReportersForm,
    StatusForm,
    UnitForm,
)
from surveys.actions.models import Action, ActionStatus, Unit, UnitKind
from surveys.actions.services import ActionError
from surveys.auth.access import own, roles_required
from surveys.core.forms import choices, field_problems, form_status
from surveys.core.i18n import tr_text
from surveys.core.roles import ACTION_EDITORS, ADMINS, ANALYSTS
from surveys.core.time import utcnow
from surveys.followup import queries as followup_queries
from surveys.followup.forms import fill_texts, texts_from
from surveys.followup.models import Goal


def helpers() -> dict:
    """Names the action templates use."""
    return {"STATUS_LABELS": STATUS_LABELS, "UNIT_KIND_LABELS": UNIT_KIND_LABELS,
            "tr_text": tr_text}


def staff_fallback() -> None:
    """Staff see a text missing in their language in Swedish, marked as Swedish."""
    g.fallback_language = "sv"


# -- loading: a unit reporter reaches only its own units' actions ------------------------------
def _scope() -> set[int] | None:
    return queries.reporter_unit_ids(current_user)


def _action(action_id: int) -> Action:
    action = own(Action, action_id)
    scope = _scope()
    if scope is not None and action.unit_id not in scope:
        abort(404)  # like another organisation's: the id tells nothing
    return action


def _unit(unit_id: int) -> Unit:
    unit = own(Unit, unit_id)
    scope = _scope()
    if scope is not None and unit.id not in scope:
        abort(404)
    return unit


def _my_units() -> list[Unit]:
    scope = _scope()
    return [u for u in queries.units(current_user.organisation_id)
            if scope is None or u.id in scope]


# -- actions ------------------------------------------------------------------------------------
@roles_required(*ACTION_EDITORS)
def index():
    """The actions (a unit reporter's: its units' only), filtered by unit and status."""
    units = _my_units()
    unit_id = request.args.get("unit", type=int)
    status = request.args.get("status", "")
    wanted = ActionStatus(status) if status in ActionStatus.__members__ else None
    unit_ids = [u.id for u in units if unit_id in (None, u.id)]
    listed = queries.actions(current_user.organisation_id, unit_ids=unit_ids, status=wanted)
    return render_template("actions/index.html", actions=listed, units=units,
                           unit_id=unit_id, status=wanted)


def _action_form_page(form: ActionForm, action: Action | None, problems: list[str],
                      status: int):
    return render_template("actions/edit.html", form=form, action=action,
                           problems=problems), status


def _prepared_form(action: Action | None = None) -> ActionForm:
    form = ActionForm()
    organisation_id = current_user.organisation_id
    form.set_choices(_my_units(), followup_queries.organisation_frameworks(organisation_id),
                     followup_queries.organisation_indicators(organisation_id),
                     organisation_id,
                     frozenset(g.id for g in action.goals) if action else frozenset())
    return form


def _fields(form: ActionForm) -> dict:
    """What the service needs, from a validated form (ids looked up in the organisation)."""
    return {
        "title": texts_from(form, "title"), "description": texts_from(form, "description"),
        "unit": next((u for u in _my_units() if u.id == form.unit_id.data), None),
        "contact_name": form.contact_name.data, "contact": form.contact.data,
        "starts_on": form.starts_on.data, "ends_on": form.ends_on.data,
        "goals": [own(Goal, i, via=lambda g: g.focus_area.framework)
                  for i in form.goals.data or []],
        "indicators": [i for i in followup_queries.organisation_indicators(
            current_user.organisation_id) if i.id in set(form.indicators.data or [])],
        "links": form.link_ids(),
    }


@roles_required(*ACTION_EDITORS)
def new():
    """A new action of one of the user's units."""
    form = _prepared_form()
    problems: list[str] = []
    if request.method == "GET":
        form.starts_on.data = utcnow().date()
        goal_id = request.args.get("goal", type=int)
        if goal_id:
            form.goals.data = [goal_id]
    elif form.validate_on_submit():
        try:
            action = services.create_action(current_user.organisation_id, current_user,
                                            **_fields(form))
        except ActionError as error:
            problems = field_problems(form, messages.for_form(error))
        else:
            flash(_("The action was saved."))
            return redirect(url_for(".action", action_id=action.id))
    if not form.unit_id.choices:
        problems.append(_("You report for no unit yet. Ask an administrator to add you to "
                          "your unit."))
    return _action_form_page(form, None, problems, form_status(form))


@roles_required(*ACTION_EDITORS)
def edit(action_id: int):
    """An action's texts, unit, contact, dates, goals, indicators and links."""
    action = _action(action_id)
    form = _prepared_form(action)
    problems: list[str] = []
    if request.method == "GET":
        fill_texts(form, "title", action.title)
        fill_texts(form, "description", action.description)
        form.unit_id.data = action.unit_id
        form.contact_name.data, form.contact.data = action.contact_name, action.contact
        form.starts_on.data, form.ends_on.data = action.starts_on, action.ends_on
        form.goals.data = [g.id for g in action.goals]
        form.indicators.data = [i.id for i in action.indicators]
        form.links.data = [f"{link.kind}:{link.target_id}" for link in action.links]
    elif form.validate_on_submit():
        try:
            services.update_action(action, **_fields(form))
        except ActionError as error:
            problems = field_problems(form, messages.for_form(error))
        else:
            flash(_("The action was saved."))
            return redirect(url_for(".action", action_id=action.id))
    return _action_form_page(form, action, problems, form_status(form))


def _action_page(action: Action, form: StatusForm, problems: list[str], status: int = 200):
    return render_template(
        "actions/action.html", action=action, form=form, problems=problems,
        links=queries.links_of(action), cards=queries.effect_cards(action.indicators)), status


@roles_required(*ACTION_EDITORS)
def action(action_id: int):
    """One action: what, who, when, goals, effect indicators, links and status history."""
    chosen = _action(action_id)
    form = StatusForm(formdata=None, status=chosen.status.value)
    return _action_page(chosen, form, [])


@roles_required(*ACTION_EDITORS)
def report_status(action_id: int):
    """A dated status update with a short comment."""
    chosen = _action(action_id)
    form = StatusForm()
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            services.report_status(chosen, ActionStatus(form.status.data), form.on_date.data,
                                   form.comment.data, current_user)
        except ActionError as error:
            problems = field_problems(form, messages.for_form(error))
        else:
            flash(_("The status was saved."))
            return redirect(url_for(".action", action_id=chosen.id) + "#history")
    return _action_page(chosen, form, problems, 400)


# -- units --------------------------------------------------------------------------------------
def _units_page(form: UnitForm, problems: list[str], status: int = 200):
    units = queries.units(current_user.organisation_id)
    return render_template("actions/units.html", units=units, form=form, problems=problems,
                           counts={u.id: queries.action_count(u) for u in units}), status


@roles_required(*ANALYSTS)
def units():
    """The organisation's units; POST adds one."""
    form = UnitForm()
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            services.create_unit(current_user.organisation_id, form.name.data,
                                 UnitKind(form.kind.data))
        except ActionError as error:
            problems = field_problems(form, messages.for_form(error))
        else:
            flash(_("The unit was added."))
            return redirect(url_for(".units"))
    return _units_page(form, problems, form_status(form))


@roles_required(*ANALYSTS)
def edit_unit(unit_id: int):
    """A unit's name and kind, and (admins) who reports for it."""
    unit = _unit(unit_id)
    form = UnitForm(name=unit.name, kind=unit.kind.value)
    problems: list[str] = []
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.update_unit(unit, form.name.data, UnitKind(form.kind.data))
        except ActionError as error:
            problems = field_problems(form, messages.for_form(error))
        else:
            flash(_("The unit was saved."))
            return redirect(url_for(".units"))
    return _unit_edit_page(unit, form, problems, form_status(form))


def _unit_edit_page(unit: Unit, form: UnitForm, problems: list[str], status: int):
    reporters = ReportersForm(formdata=None, reporters=[u.id for u in unit.reporters])
    reporters.reporters.choices = choices(
        (u.id, f"{u.name} ({u.email})") for u in queries.possible_reporters(unit.organisation_id))
    return render_template("actions/unit_edit.html", unit=unit, form=form,
                           reporters=reporters, problems=problems), status


@roles_required(*ANALYSTS)
def delete_unit(unit_id: int):
    """Delete a unit that owns no actions (409 with the reason otherwise)."""
    unit = _unit(unit_id)
    try:
        services.delete_unit(unit)
    except ActionError as error:
        return _units_page(UnitForm(formdata=None),
                           [messages.action_error(error.code, error.details)], error.status)
    flash(_("The unit was deleted."))
    return redirect(url_for(".units"))


@roles_required(*ADMINS)
def unit_reporters(unit_id: int):
    """Who reports for the unit (admins)."""
    unit = _unit(unit_id)
    candidates = queries.possible_reporters(unit.organisation_id)
    form = ReportersForm()
    form.reporters.choices = choices((u.id, u.name) for u in candidates)
    if not form.validate_on_submit():
        abort(400)
    services.set_reporters(unit, [u for u in candidates if u.id in set(form.reporters.data)])
    flash(_("The unit's reporters were saved."))
    return redirect(url_for(".edit_unit", unit_id=unit.id))


@roles_required(*ACTION_EDITORS)
def unit_summary(unit_id: int):
    """A unit's actions for its committee and the executive board: printable, no script."""
    unit = _unit(unit_id)
    listed = queries.actions(unit.organisation_id, unit_ids=[unit.id])
    indicators = [i for a in listed for i in a.indicators]
    counts = {status: sum(a.status is status for a in listed) for status in ActionStatus}
    return render_template("actions/unit_summary.html", unit=unit, actions=listed,
                           counts=counts, cards=queries.effect_cards(indicators),
                           today=utcnow().date())


# -- a goal's actions beside its indicators ------------------------------------------------------
@roles_required(*ANALYSTS)
def goal(goal_id: int):
    """The goal's actions with their status, beside the effect indicators and the goal's own."""
    chosen = own(Goal, goal_id, via=lambda g: g.focus_area.framework)
    listed = queries.actions(current_user.organisation_id, goal_id=chosen.id)
    own_indicators = chosen.all_indicators()
    cards = queries.effect_cards([*own_indicators, *(i for a in listed for i in a.indicators)])
    return render_template(
        "actions/goal.html", goal=chosen, path=followup_queries.goal_path(chosen),
        subgoals=[g for g, depth in followup_queries.goal_tree(chosen.focus_area)
                  if g.parent_id == chosen.id],
        actions=listed, indicators=own_indicators, cards=cards,
        reusable=[i for i in followup_queries.organisation_indicators(
            current_user.organisation_id) if i not in own_indicators])
