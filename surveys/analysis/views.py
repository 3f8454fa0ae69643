"""Weighting for analysts: /analysis/...

Views load objects of the analyst's organisation (another organisation's ids answer 404),
parse a form, call a service (`margins_import`, `mapping`, `runs`, `monitor`), then
redirect (the request commits) or show the form again with status 400 (it rolls back).
"""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from surveys import microdata
from surveys.analysis import charts, jsonstat, mapping, messages, monitor, runs
from surveys.analysis.forms import (
    EXPORT_FORMATS,
    AddVariableForm,
    CollapseForm,
    CsvMarginsForm,
    ExportForm,
    JsonStatMarginsForm,
    RunForm,
    format_collapse,
    parse_collapse,
)
from surveys.analysis.margins_import import (
    ImportProblems,
    import_csv,
    import_jsonstat,
    parse_code_lines,
)
from surveys.analysis.margins_import import delete as delete_margin_set
from surveys.analysis.models import MarginSet, WeightingRun
from surveys.auth.access import own, roles_required
from surveys.core.forms import ConfirmForm, choices
from surveys.core.i18n import current_language, localized
from surveys.core.roles import ANALYSTS
from surveys.extensions import db
from surveys.survey.models import Response as SurveyResponse
from surveys.survey.models import Survey
from surveys.survey.results import answer_label, language_display_name

bp = Blueprint("analysis", __name__, url_prefix="/analysis")

# -- URL map ------------------------------------------------------------------------------
# GET       /analysis/                                 surveys to weight, margin sets
# GET POST  /analysis/margins/csv                      import margins from a long CSV
# GET POST  /analysis/margins/json-stat                import margins from SCB's JSON-stat
# GET       /analysis/margins/<id>                     a margin set: rows, totals, notes
# GET POST  /analysis/margins/<id>/delete              confirm, then delete (sets no run uses)
# GET POST  /analysis/surveys/<id>                     mapping summary and runs; POST weights
# GET POST  /analysis/surveys/<id>/mapping             edit how answers become categories
# POST      /analysis/surveys/<id>/mapping/add         one more variable from a question
# POST      /analysis/surveys/<id>/mapping/reset       back to the default mapping
# GET       /analysis/surveys/<id>/representation      who is missing, per language (?margins=)
# GET       /analysis/surveys/<id>/representation.csv  the same, counts under 10 suppressed
# GET       /analysis/runs/<id>                        diagnostics, estimates, approval (?by=)
# POST      /analysis/runs/<id>/approve                the survey's official run
# POST      /analysis/runs/<id>/withdraw               no official run
# POST      /analysis/runs/<id>/rerun                  the same settings and inputs again
# POST      /analysis/runs/<id>/collapse               again, merging an empty category
# GET       /analysis/runs/<id>/export                 weighted microdata (?format=&text=&lang=)
# GET       /analysis/runs/<id>/codebook.csv           its codebook (?text=&lang=)

MIMETYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sav": "application/x-spss-sav",
    "parquet": "application/vnd.apache.parquet",
}


@bp.context_processor
def helpers():
    return {
        "problem": messages.problem,
        "error_text": messages.error,
        "note_text": messages.note,
        "number": messages.number,
        "pct": messages.share,
        "METHOD_LABELS": messages.METHOD_LABELS,
        "POLICY_LABELS": messages.POLICY_LABELS,
        "language_name": language_display_name,
        "describe_variable": mapping.describe,
        "age_groups_text": mapping.format_age_groups,
        "answer_label": answer_label,
        "localized": localized,
    }


# -- loading --------------------------------------------------------------------------------
def _run(run_id: int) -> WeightingRun:
    """A run of a survey of the analyst's organisation, or 404."""
    run = db.session.get(WeightingRun, run_id)
    if run is None or run.survey.organisation_id != current_user.organisation_id:
        abort(404)
    return run


def _margin_sets() -> list[MarginSet]:
    return list(db.session.scalars(
        select(MarginSet).where(MarginSet.organisation_id == current_user.organisation_id)
        .order_by(MarginSet.reference_date.desc(), MarginSet.id.desc())))


def _no_store(page, status: int = 200):
    return page, status, {"Cache-Control": "no-store"}


# -- overview and margins ---------------------------------------------------------------------
@bp.get("/")
@roles_required(*ANALYSTS)
def index():
    surveys = db.session.scalars(
        select(Survey).where(Survey.organisation_id == current_user.organisation_id)
        .order_by(Survey.created_at.desc(), Survey.id.desc())).all()
    completed = dict(db.session.execute(
        select(SurveyResponse.survey_id, func.count(SurveyResponse.id))
        .where(SurveyResponse.completed_at.is_not(None),
               SurveyResponse.survey_id.in_([s.id for s in surveys]))
        .group_by(SurveyResponse.survey_id)).all()) if surveys else {}
    approved = {s.id: runs.approved_run(s.id) for s in surveys}
    return render_template("analysis/index.html", surveys=surveys, completed=completed,
                           approved=approved, margin_sets=_margin_sets())


def _import_page(template: str, form, problems: list[str], status: int):
    return render_template(template, form=form, problems=problems), status


@bp.route("/margins/csv", methods=["GET", "POST"])
@roles_required(*ANALYSTS)
def import_margins_csv():
    form = CsvMarginsForm()
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            margin_set = import_csv(current_user.organisation_id, current_user.id,
                                    form.name.data, form.source.data, form.reference_date.data,
                                    form.file.data.read())
        except ImportProblems as error:
            problems = messages.problems(error.problems)
        else:
            flash(_("The margins were imported: %(num)s categories.",
                    num=len(margin_set.rows)))
            return redirect(url_for(".margin_set", margin_set_id=margin_set.id))
    return _import_page("analysis/import_csv.html", form, problems,
                        400 if form.is_submitted() else 200)


@bp.route("/margins/json-stat", methods=["GET", "POST"])
@roles_required(*ANALYSTS)
def import_margins_jsonstat():
    form = JsonStatMarginsForm()
    problems: list[str] = []
    if form.validate_on_submit():
        found: list[tuple[str, dict]] = []
        try:
            groups = mapping.parse_age_groups(form.age_groups.data)
        except mapping.MappingError as error:
            form.age_groups.errors = list(form.age_groups.errors) + messages.problems(
                error.problems)
            groups = []
        codes = {}
        for name in ("sex_codes", "born_codes", "region_codes"):
            try:
                codes[name] = parse_code_lines(form[name].data, name)
            except ImportProblems as error:
                found += error.problems
        if not form.age_groups.errors and not found:
            code_mapping = jsonstat.CodeMapping(
                age_groups=groups, sex=codes["sex_codes"], born=codes["born_codes"],
                region=codes["region_codes"])
            try:
                margin_set = import_jsonstat(
                    current_user.organisation_id, current_user.id, form.name.data,
                    form.source.data, form.reference_date.data, form.file.data.read(),
                    code_mapping)
            except ImportProblems as error:
                found += error.problems
            else:
                flash(_("The margins were imported: %(num)s categories.",
                        num=len(margin_set.rows)))
                return redirect(url_for(".margin_set", margin_set_id=margin_set.id))
        problems = messages.problems(found)
    return _import_page("analysis/import_jsonstat.html", form, problems,
                        400 if form.is_submitted() else 200)


@bp.get("/margins/<int:margin_set_id>")
@roles_required(*ANALYSTS)
def margin_set(margin_set_id: int):
    subject = own(MarginSet, margin_set_id)
    return render_template("analysis/margin_set.html", margin_set=subject,
                           used=_runs_using(subject))


def _runs_using(margin_set: MarginSet) -> int:
    return db.session.scalar(select(func.count(WeightingRun.id))
                             .where(WeightingRun.margin_set_id == margin_set.id))


@bp.route("/margins/<int:margin_set_id>/delete", methods=["GET", "POST"])
@roles_required(*ANALYSTS)
def delete_margins(margin_set_id: int):
    subject = own(MarginSet, margin_set_id)
    used = _runs_using(subject)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit() and not used:
        delete_margin_set(subject)
        flash(_("The margin set “%(name)s” was deleted.", name=subject.name))
        return redirect(url_for(".index"))
    status = 400 if request.method == "POST" else 200
    return render_template("analysis/margin_delete.html", margin_set=subject, used=used,
                           form=form), status


# -- a survey: mapping and runs -----------------------------------------------------------------
def _run_form(survey: Survey, scheme: dict, margin_sets: list[MarginSet], formdata=None):
    """The run form with the organisation's margin sets and the mapping's variables."""
    form = RunForm(formdata=formdata) if formdata is not None else RunForm()
    form.margin_set.choices = choices(
        (m.id, f"{m.name} ({m.reference_date.isoformat()})") for m in margin_sets)
    names = [v["name"] for v in scheme.get("variables", [])]
    form.variables.choices = choices((n, n) for n in names)
    if not form.is_submitted():
        newest = margin_sets[0] if margin_sets else None
        in_margins = newest.variables() if newest else names
        form.variables.data = [n for n in names if n in in_margins]
    return form


def _survey_page(survey: Survey, form, problems: list[str], status: int = 200):
    scheme = runs.scheme_for(survey)
    return _no_store(render_template(
        "analysis/survey.html", subject=survey, scheme=scheme, form=form, problems=problems,
        scheme_problems=messages.problems(mapping.problems_with(scheme, survey)),
        runs=runs.survey_runs(survey.id), margin_sets=_margin_sets(),
        completed=len(runs.completed_ids(survey.id))), status)


@bp.route("/surveys/<int:survey_id>", methods=["GET", "POST"])
@roles_required(*ANALYSTS)
def survey(survey_id: int):
    subject = own(Survey, survey_id)
    scheme = runs.scheme_for(subject)
    margin_sets = _margin_sets()
    form = _run_form(subject, scheme, margin_sets)
    if not form.is_submitted():
        return _survey_page(subject, form, [])
    problems: list[str] = []
    if form.validate():
        collapse, bad_lines = parse_collapse(form.collapse.data)
        if bad_lines:
            form.collapse.errors = [_("Line %(line)s is not of the form variable: category -> "
                                      "category.", line=n) for n in bad_lines]
        lower, upper = form.bounds_lower.data, form.bounds_upper.data
        if (lower is None) != (upper is None):
            form.bounds_upper.errors = [_("Give both bounds, or neither.")]
        if not form.errors:
            settings = runs.RunSettings(
                method=form.method.data, variables=list(form.variables.data),
                bounds=[lower, upper] if lower is not None else None,
                epsilon=float(form.epsilon.data), max_iter=int(form.max_iter.data),
                trim_lower=form.trim_lower.data, trim_upper=form.trim_upper.data,
                trim_strict=bool(form.trim_strict.data), missing=form.missing.data,
                unknown=form.unknown.data, collapse=collapse)
            margin_set = own(MarginSet, form.margin_set.data)
            found = runs.check_settings(settings, scheme, margin_set)
            found += mapping.problems_with(scheme, subject)
            if not found:
                run = runs.create_run(subject, margin_set, settings, current_user.id, scheme)
                if run.failed:
                    flash(_("The weighting could not be done: see why below."))
                else:
                    flash(_("The weighting is done. Check the diagnostics before approving it."))
                return redirect(url_for(".run", run_id=run.id))
            problems = messages.problems(found)
    return _survey_page(subject, form, problems, 400)


@bp.route("/surveys/<int:survey_id>/mapping", methods=["GET", "POST"])
@roles_required(*ANALYSTS)
def edit_mapping(survey_id: int):
    subject = own(Survey, survey_id)
    current = runs.scheme_for(subject)
    confirm = ConfirmForm()
    if request.method == "POST" and confirm.validate_on_submit():
        read = mapping.scheme_from_form(request.form, subject, current)
        if not read.errors:
            runs.save_scheme(subject, read.scheme, current_user.id)
            if read.reset:
                flash(_("The mapping was saved. The question of %(names)s changed: check its "
                        "categories.", names=", ".join(read.reset)))
                return redirect(url_for(".edit_mapping", survey_id=subject.id))
            flash(_("The mapping was saved."))
            return redirect(url_for(".survey", survey_id=subject.id))
        return _mapping_page(subject, read.scheme, confirm, read.errors, 400)
    status = 400 if request.method == "POST" else 200
    return _mapping_page(subject, current, confirm, {}, status)


def _mapping_page(survey: Survey, scheme: dict, form, errors: dict, status: int,
                  add_form: AddVariableForm | None = None):
    questions = survey.questions()
    sources = {kind: [q for q in questions if q.type in types]
               for kind, types in mapping.SOURCE_TYPES.items()}
    add_form = add_form or AddVariableForm(formdata=None)
    add_form.question.choices = choices(
        (q.key, q.key) for q in questions if q.type in ("year_of_birth", "single_choice"))
    field_errors = {name: messages.problems(found) for name, found in errors.items()}
    return _no_store(render_template(
        "analysis/mapping.html", subject=survey, scheme=scheme, form=form, add_form=add_form,
        sources=sources, by_key={q.key: q for q in questions}, errors=field_errors,
        year=mapping.reference_year(survey, scheme), field=mapping.field,
        code_field=mapping.code_field, option_codes=mapping.option_codes), status)


@bp.post("/surveys/<int:survey_id>/mapping/add")
@roles_required(*ANALYSTS)
def add_variable(survey_id: int):
    subject = own(Survey, survey_id)
    current = runs.scheme_for(subject)
    form = AddVariableForm()
    by_key = {q.key: q for q in subject.questions()
              if q.type in ("year_of_birth", "single_choice")}
    form.question.choices = choices((k, k) for k in by_key)
    if form.validate_on_submit():
        name = form.name.data
        taken = {v["name"] for v in current.get("variables", [])}
        if not mapping.CODE_RE.match(name):
            form.name.errors = [messages.problem("bad_variable_name")]
        elif name in taken:
            form.name.errors = [messages.problem("duplicate_variable", {"name": name})]
        else:
            question = by_key[form.question.data]
            runs.save_scheme(subject, mapping.add_variable(current, question, name),
                             current_user.id)
            flash(_("The variable %(name)s was added: check its categories.", name=name))
            return redirect(url_for(".edit_mapping", survey_id=subject.id))
    return _mapping_page(subject, current, ConfirmForm(formdata=None), {}, 400, add_form=form)


@bp.post("/surveys/<int:survey_id>/mapping/reset")
@roles_required(*ANALYSTS)
def reset_mapping(survey_id: int):
    subject = own(Survey, survey_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    runs.save_scheme(subject, mapping.default_scheme(subject), current_user.id)
    flash(_("The mapping is back to the default."))
    return redirect(url_for(".edit_mapping", survey_id=subject.id))


# -- the representation monitor -----------------------------------------------------------------
def _monitor_margins(survey: Survey, margin_sets: list[MarginSet]) -> MarginSet | None:
    """The margin set asked for (?margins=), else the approved run's, else the newest."""
    asked = request.args.get("margins", type=int)
    if asked is not None:
        return own(MarginSet, asked)
    approved = runs.approved_run(survey.id)
    if approved is not None:
        return approved.margin_set
    return margin_sets[0] if margin_sets else None


@bp.get("/surveys/<int:survey_id>/representation")
@roles_required(*ANALYSTS)
def representation(survey_id: int):
    subject = own(Survey, survey_id)
    margin_sets = _margin_sets()
    chosen = _monitor_margins(subject, margin_sets)
    scheme = runs.scheme_for(subject)
    result = monitor.survey_monitor(subject, scheme, chosen) if chosen else None
    return _no_store(render_template(
        "analysis/representation.html", subject=subject, margin_sets=margin_sets,
        chosen=chosen, monitor=result, small=monitor.SMALL,
        scheme_problems=messages.problems(mapping.problems_with(scheme, subject))))


@bp.get("/surveys/<int:survey_id>/representation.csv")
@roles_required(*ANALYSTS)
def representation_csv(survey_id: int):
    subject = own(Survey, survey_id)
    chosen = _monitor_margins(subject, _margin_sets())
    if chosen is None:
        abort(404)
    result = monitor.survey_monitor(subject, runs.scheme_for(subject), chosen)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    csv.writer(buffer, lineterminator="\r\n").writerows(
        monitor.export_rows(result, _("fewer than 10")))
    return Response(buffer.getvalue().encode("utf-8"), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{subject.slug}-representation.csv"',
        "Cache-Control": "no-store"})


# -- runs ---------------------------------------------------------------------------------------
@bp.get("/runs/<int:run_id>")
@roles_required(*ANALYSTS)
def run(run_id: int):
    subject = _run(run_id)
    diagnostics = subject.diagnostics or {}
    histogram = charts.histogram(diagnostics.get("histogram", {}).get("counts", []),
                                 diagnostics.get("histogram", {}).get("edges", []))
    estimates = subject.estimates or {}
    by_options = list((estimates.get("by") or {}).keys())
    by = request.args.get("by")
    if by not in by_options:
        by = "born" if "born" in by_options else (by_options[0] if by_options else None)
    items = {q.key: q for q in subject.survey.questions()}
    lang = current_language().code
    export_form = ExportForm(formdata=None)
    return _no_store(render_template(
        "analysis/run.html", run=subject, subject=subject.survey, diagnostics=diagnostics,
        histogram=histogram, estimates=estimates, by=by, by_options=by_options, items=items,
        lang=lang, settings=runs.RunSettings.from_dict(subject.settings),
        changed=runs.current_hash(subject) != subject.input_hash,
        confirm=ConfirmForm(formdata=None), export_form=export_form,
        export_languages=_export_languages(subject.survey),
        collapse_text=format_collapse(subject.settings.get("collapse") or {})))


def _export_languages(survey: Survey) -> list[str]:
    """The survey's languages, the analyst's own first when the survey has it."""
    own_code = current_language().code
    codes = list(survey.languages)
    return ([own_code] if own_code in codes else []) + [c for c in codes if c != own_code]


@bp.post("/runs/<int:run_id>/approve")
@roles_required(*ANALYSTS)
def approve(run_id: int):
    subject = _run(run_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        runs.approve(subject, current_user.id)
    except runs.RunError as error:
        flash(messages.problem(error.code, error.details))
        return redirect(url_for(".run", run_id=subject.id))
    flash(_("Run %(id)s is now the survey's approved weighting.", id=subject.id))
    return redirect(url_for(".run", run_id=subject.id))


@bp.post("/runs/<int:run_id>/withdraw")
@roles_required(*ANALYSTS)
def withdraw(run_id: int):
    subject = _run(run_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    runs.withdraw(subject)
    flash(_("The approval was withdrawn: the survey has no approved weighting."))
    return redirect(url_for(".run", run_id=subject.id))


@bp.post("/runs/<int:run_id>/rerun")
@roles_required(*ANALYSTS)
def rerun(run_id: int):
    subject = _run(run_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    again = runs.rerun(subject, current_user.id)
    flash(_("Weighted again with the same settings, margins and mapping."))
    return redirect(url_for(".run", run_id=again.id))


@bp.post("/runs/<int:run_id>/collapse")
@roles_required(*ANALYSTS)
def collapse(run_id: int):
    subject = _run(run_id)
    form = CollapseForm()
    if not form.validate_on_submit():
        abort(400)
    again = runs.rerun(subject, current_user.id,
                       collapse=(form.variable.data, form.category.data, form.into.data))
    flash(_("Weighted again with “%(category)s” merged into “%(into)s”.",
            category=form.category.data, into=form.into.data))
    return redirect(url_for(".run", run_id=again.id))


def _export_request(subject: WeightingRun):
    """(format, include free text, label language) from the query, or a redirect."""
    if subject.approved_at is None:
        flash(_("Approve the run before exporting its weighted microdata."))
        return redirect(url_for(".run", run_id=subject.id, _anchor="export"))
    fmt = request.args.get("format", "sav")
    if fmt not in EXPORT_FORMATS:
        abort(404)
    lang = request.args.get("lang")
    languages = _export_languages(subject.survey)
    if lang not in languages:
        lang = languages[0]
    return fmt, request.args.get("text") in ("1", "y", "on", "true"), lang


@bp.get("/runs/<int:run_id>/export")
@roles_required(*ANALYSTS)
def export(run_id: int):
    subject = _run(run_id)
    asked = _export_request(subject)
    if not isinstance(asked, tuple):
        return asked
    fmt, include_text, lang = asked
    codebook = microdata.codebook_for(subject.survey, lang, include_text=include_text)
    frame = runs.microdata_frame(subject, include_text=include_text)
    data = microdata.write_microdata(frame, codebook, fmt)
    name = f"{subject.survey.slug}-run{subject.id}-weighted{'-text' if include_text else ''}.{fmt}"
    return Response(data, mimetype=MIMETYPES[fmt], headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@bp.get("/runs/<int:run_id>/codebook.csv")
@roles_required(*ANALYSTS)
def codebook(run_id: int):
    subject = _run(run_id)
    asked = _export_request(subject)
    if not isinstance(asked, tuple):
        return asked
    _fmt, include_text, lang = asked
    book = microdata.codebook_for(subject.survey, lang, include_text=include_text)
    name = f"{subject.survey.slug}-run{subject.id}-codebook.csv"
    return Response(microdata.codebook_csv(book), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
