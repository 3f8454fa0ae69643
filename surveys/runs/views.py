"""Views of weighting: margins, answer mappings, runs, the representation monitor, exports.

Views load objects of the analyst's organisation (another organisation's ids answer 404),
parse a form, call `services` (changes) or `queries` (reads), then redirect (the request
commits) or show the form again with status 400 (it rolls back). Problems come back as
codes that `messages` puts into words. The URL map is `blueprint.py`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from surveys.auth.access import own, roles_required
from surveys.core.data import BOM, jsonable, safe_cell
from surveys.core.forms import ConfirmForm, form_status
from surveys.core.i18n import current_language, localized
from surveys.core.jsonstat import parse
from surveys.core.roles import ANALYSTS
from surveys.fieldwork import queries as fieldwork_queries
from surveys.fieldwork.summary import response_rate_sentence
from surveys.jobs import services as job_services
from surveys.runs import (
    charts,
    exporting,
    jsonstat,
    mapping,
    messages,
    microdata,
    monitor,
    queries,
    services,
    syntax,
)
from surveys.runs import jobs as _run_jobs  # noqa: F401 - registers the weighting job
from surveys.runs.exporting import ExportRequest
from surveys.runs.forms import (
    CSV_DIALECTS,
    EXPORT_FORMATS,
    AddVariableForm,
    CollapseForm,
    CsvMarginsForm,
    ExportForm,
    JsonStatMarginsForm,
    RunForm,
    ScbTableForm,
    TableFileForm,
    TableMappingForm,
    default_dialect,
    format_collapse,
    table_field,
)
from surveys.runs.margin_files import ImportProblems
from surveys.runs.models import MarginSet, PopulationTable, WeightingRun
from surveys.runs.weighing import RunError, RunSettings, check_settings
from surveys.survey import queries as survey_queries
from surveys.survey.models import Survey
from surveys.survey.results import language_display_name


def helpers() -> dict:
    """Names the weighting templates use."""
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
        "answer_label": lambda question, code, lang: question.kind.answer_label(question, code,
                                                                             lang),
        "localized": localized,
    }


# -- loading --------------------------------------------------------------------------------
def _run(run_id: int) -> WeightingRun:
    """A run of a survey of the analyst's organisation, or 404."""
    return own(WeightingRun, run_id, via=lambda run: run.survey)


def _margin_sets() -> list[MarginSet]:
    return queries.margin_sets(current_user.organisation_id)


def _no_store(page, status: int = 200):
    return page, status, {"Cache-Control": "no-store"}


# -- overview and margins ---------------------------------------------------------------------
@roles_required(*ANALYSTS)
def index():
    """Surveys to weight, margin sets."""
    surveys = survey_queries.organisation_surveys(current_user.organisation_id,
                                                  with_questions=False)
    return render_template(
        "runs/index.html", surveys=surveys,
        completed=queries.completed_counts([s.id for s in surveys]),
        approved={s.id: queries.approved_run(s.id) for s in surveys},
        margin_sets=_margin_sets())


def _import_page(template: str, form, problems: list[str]):
    return render_template(template, form=form, problems=problems), form_status(form)


@roles_required(*ANALYSTS)
def import_margins_csv():
    """Margins from a long CSV."""
    form = CsvMarginsForm()
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            margin_set = services.import_csv(
                current_user.organisation_id, current_user.id, form.name.data,
                form.source.data, form.reference_date.data, form.file.data.read())
        except ImportProblems as error:
            problems = messages.problems(error.problems)
        else:
            flash(_("The margins were imported: %(num)s categories.",
                    num=len(margin_set.rows)))
            return redirect(url_for(".margin_set", margin_set_id=margin_set.id))
    return _import_page("runs/import_csv.html", form, problems)


@roles_required(*ANALYSTS)
def import_margins_jsonstat():
    """Margins from SCB's JSON-stat, its codes mapped as the form says."""
    form = JsonStatMarginsForm()
    problems: list[str] = []
    if form.validate_on_submit():
        code_mapping, found = form.code_mapping()
        if code_mapping is not None:
            try:
                margin_set = services.import_jsonstat(
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
    return _import_page("runs/import_jsonstat.html", form, problems)


# -- a table, its codes mapped by the analyst ---------------------------------------------------
@roles_required(*ANALYSTS)
def tables():
    """Keep a table from a file (POST) or from SCB by its id (POST ?from=scb); the kept ones."""
    upload, fetch = TableFileForm(), ScbTableForm()
    if not fetch.is_submitted():
        code = current_user.organisation.municipality_code
        fetch.query.data = f"Region = {code or '*'}\nAlder = *\nKon = *\nTid = top(1)"
    problems: list[str] = []
    chosen = fetch if request.args.get("from") == "scb" else upload
    if request.method == "POST" and chosen.validate_on_submit():
        try:
            if chosen is fetch:
                query, found = fetch.selection()
                if query is None:
                    raise ImportProblems(found)
                table = services.fetch_table(current_user.organisation_id, current_user.id,
                                             fetch.table_id.data, query, current_app.config)
            else:
                table = services.store_table(current_user.organisation_id, current_user.id,
                                             upload.file.data.filename or "", upload.file.data.read())
        except ImportProblems as error:
            problems = messages.problems(error.problems)
        else:
            return redirect(url_for(".map_table", table_id=table.id))
    status = 400 if request.method == "POST" else 200
    return render_template("runs/tables.html", upload=upload, fetch=fetch, problems=problems,
                           chosen=chosen, kept=queries.population_tables(
                               current_user.organisation_id)), status


@roles_required(*ANALYSTS)
def map_table(table_id: int):
    """Each code of a kept table to a category; POST makes the margin set."""
    table = own(PopulationTable, table_id)
    dataset = parse(table.data)
    form = TableMappingForm()
    problems: list[str] = []
    errors: dict[str, list[str]] = {}
    saved = {key: (c.variable, c.categories)
             for key, c in queries.code_lists(current_user.organisation_id).items()}
    plans = jsonstat.suggest(dataset, saved, [tuple(g) for g in mapping.DEFAULT_AGE_GROUPS])
    if not form.is_submitted():
        form.name.data = (dataset.label or "")[:200]
        form.source.data = f"{dataset.source or table.origin}: {dataset.label or table.origin}"[
            :500]
        form.reference_date.data = jsonstat.year_end(dataset)
    else:
        plans, errors = form.plans(dataset, request.form)
        if form.validate_on_submit() and not errors:
            try:
                margin_set = services.import_table(table, current_user.id, form.name.data,
                                                   form.source.data, form.reference_date.data,
                                                   [p for p in plans if p.variable])
            except ImportProblems as error:
                problems = messages.problems(error.problems)
            else:
                flash(_("The margins were imported: %(num)s categories.",
                        num=len(margin_set.rows)))
                return redirect(url_for(".margin_set", margin_set_id=margin_set.id))
    surveys = survey_queries.organisation_surveys(current_user.organisation_id,
                                                  with_questions=True)
    categories = mapping.scheme_categories(queries.scheme_for(s) for s in surveys)
    fixed = [f"{dim} = {dataset.labels[dim][dataset.codes[dim][0]]}"
             for dim, size in zip(dataset.ids, dataset.sizes, strict=True) if size == 1]
    status = 400 if form.is_submitted() else 200
    return _no_store(render_template(
        "runs/map_table.html", table=table, dataset=dataset, form=form, problems=problems,
        errors=errors, plans={p.dimension: p for p in plans}, fixed=fixed,
        categories=categories, field_name=table_field), status)


@roles_required(*ANALYSTS)
def margin_set(margin_set_id: int):
    """A margin set: rows, totals, notes."""
    subject = own(MarginSet, margin_set_id)
    return render_template("runs/margin_set.html", margin_set=subject,
                           used=queries.runs_using(subject))


@roles_required(*ANALYSTS)
def delete_margins(margin_set_id: int):
    """Confirm, then delete (sets no run uses)."""
    subject = own(MarginSet, margin_set_id)
    used = queries.runs_using(subject)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit() and not used:
        services.delete_margin_set(subject)
        flash(_("The margin set “%(name)s” was deleted.", name=subject.name))
        return redirect(url_for(".index"))
    status = 400 if request.method == "POST" else 200
    return render_template("runs/margin_delete.html", margin_set=subject, used=used,
                           form=form), status


# -- a survey: mapping and runs -----------------------------------------------------------------
def _survey_page(survey: Survey, form, problems: list[str], status: int = 200):
    scheme = queries.scheme_for(survey)
    return _no_store(render_template(
        "runs/survey.html", subject=survey, scheme=scheme, form=form, problems=problems,
        scheme_problems=messages.problems(mapping.problems_with(scheme, survey)),
        runs=queries.survey_runs(survey.id), margin_sets=_margin_sets(),
        completed=len(queries.completed_ids(survey.id)),
        has_sample=fieldwork_queries.has_sample(survey)), status)


@roles_required(*ANALYSTS)
def survey(survey_id: int):
    """The mapping summary and the runs; POST weights."""
    subject = own(Survey, survey_id)
    scheme = queries.scheme_for(subject)
    form = RunForm.for_survey(scheme, _margin_sets())
    if not form.is_submitted():
        return _survey_page(subject, form, [])
    problems: list[str] = []
    if form.validate():
        settings = form.settings()
        margin_set = own(MarginSet, form.margin_set.data)
        found = check_settings(settings, scheme, margin_set)
        found += mapping.problems_with(scheme, subject)
        if not found and len(queries.completed_ids(subject.id)) >= current_app.config[
                "RUN_JOB_MIN_RESPONDENTS"]:
            job = job_services.submit("weighting_run", subject.organisation_id, current_user.id, {
                "survey_id": subject.id, "survey_title": subject.slug,
                "margin_set_id": margin_set.id, "settings": jsonable(settings.to_dict()),
                "scheme": jsonable(dict(scheme))})
            return redirect(url_for("jobs.status", job_id=job.id), 303)
        if not found:
            drawn = fieldwork_queries.drawn_sample_of(subject) if form.drawn.data else None
            run = services.create_run(subject, margin_set, settings, current_user.id, scheme,
                                      drawn=drawn)
            if run.failed:
                flash(_("The weighting could not be done: see why below."))
            else:
                flash(_("The weighting is done. Check the diagnostics before approving it."))
            return redirect(url_for(".run", run_id=run.id))
        problems = messages.problems(found)
    return _survey_page(subject, form, problems, 400)


@roles_required(*ANALYSTS)
def edit_mapping(survey_id: int):
    """How answers become categories."""
    subject = own(Survey, survey_id)
    current = queries.scheme_for(subject)
    confirm = ConfirmForm()
    if request.method == "POST" and confirm.validate_on_submit():
        read = mapping.scheme_from_form(request.form, subject, current)
        if not read.errors:
            services.save_scheme(subject, read.scheme, current_user.id)
            if read.reset:
                flash(_("The mapping was saved. The question of %(names)s changed: check its "
                        "categories.", names=", ".join(read.reset)))
                return redirect(url_for(".edit_mapping", survey_id=subject.id))
            flash(_("The mapping was saved."))
            return redirect(url_for(".survey", survey_id=subject.id))
        return _mapping_page(subject, read.scheme, confirm, read.errors, 400)
    status = 400 if request.method == "POST" else 200
    return _mapping_page(subject, current, confirm, {}, status)


def _add_variable_form(survey: Survey, scheme: dict, **kwargs) -> AddVariableForm:
    return AddVariableForm(questions=mapping.source_questions(survey),
                           taken={v["name"] for v in scheme.get("variables", [])}, **kwargs)


def _mapping_page(survey: Survey, scheme: dict, form, errors: dict, status: int,
                  add_form: AddVariableForm | None = None):
    questions = survey.questions()
    add_form = add_form or _add_variable_form(survey, scheme, formdata=None)
    field_errors = {name: messages.problems(found) for name, found in errors.items()}
    return _no_store(render_template(
        "runs/mapping.html", subject=survey, scheme=scheme, form=form, add_form=add_form,
        sources=mapping.sources_by_kind(survey), by_key={q.key: q for q in questions},
        errors=field_errors, year=mapping.reference_year(survey, scheme), field=mapping.field,
        code_field=mapping.code_field, option_codes=mapping.option_codes), status)


@roles_required(*ANALYSTS)
def add_variable(survey_id: int):
    """One more variable from a question."""
    subject = own(Survey, survey_id)
    current = queries.scheme_for(subject)
    form = _add_variable_form(subject, current)
    if form.validate_on_submit():
        question = next(q for q in subject.questions() if q.key == form.question.data)
        services.save_scheme(subject, mapping.add_variable(current, question, form.name.data),
                             current_user.id)
        flash(_("The variable %(name)s was added: check its categories.", name=form.name.data))
        return redirect(url_for(".edit_mapping", survey_id=subject.id))
    return _mapping_page(subject, current, ConfirmForm(formdata=None), {}, 400, add_form=form)


@roles_required(*ANALYSTS)
def reset_mapping(survey_id: int):
    """Back to the default mapping."""
    subject = own(Survey, survey_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.save_scheme(subject, mapping.default_scheme(subject), current_user.id)
    flash(_("The mapping is back to the default."))
    return redirect(url_for(".edit_mapping", survey_id=subject.id))


# -- the representation monitor -----------------------------------------------------------------
def _monitor_margins(survey: Survey, margin_sets: list[MarginSet]) -> MarginSet | None:
    """The margin set asked for (?margins=), else the approved run's, else the newest."""
    asked = request.args.get("margins", type=int)
    if asked is not None:
        return own(MarginSet, asked)
    approved = queries.approved_run(survey.id)
    if approved is not None:
        return approved.margin_set
    return margin_sets[0] if margin_sets else None


@roles_required(*ANALYSTS)
def representation(survey_id: int):
    """Who is missing, per language (?margins=)."""
    subject = own(Survey, survey_id)
    margin_sets = _margin_sets()
    chosen = _monitor_margins(subject, margin_sets)
    scheme = queries.scheme_for(subject)
    result = queries.survey_monitor(subject, scheme, chosen) if chosen else None
    return _no_store(render_template(
        "runs/representation.html", subject=subject, margin_sets=margin_sets,
        chosen=chosen, monitor=result, small=monitor.SMALL,
        response_rate=response_rate_sentence(subject),
        scheme_problems=messages.problems(mapping.problems_with(scheme, subject))))


@roles_required(*ANALYSTS)
def representation_csv(survey_id: int):
    """The same as CSV, counts under 10 suppressed and others withheld to protect them."""
    subject = own(Survey, survey_id)
    chosen = _monitor_margins(subject, _margin_sets())
    if chosen is None:
        abort(404)
    result = queries.survey_monitor(subject, queries.scheme_for(subject), chosen)
    buffer = io.StringIO()
    buffer.write(BOM)
    csv.writer(buffer, lineterminator="\r\n").writerows(
        [safe_cell(cell) for cell in row]
        for row in monitor.export_rows(result, _("fewer than 10"), _("withheld")))
    return Response(buffer.getvalue().encode("utf-8"), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{subject.slug}-representation.csv"',
        "Cache-Control": "no-store"})


# -- runs ---------------------------------------------------------------------------------------
@roles_required(*ANALYSTS)
def run(run_id: int):
    """Diagnostics, estimates and approval (?by= the grouping shown)."""
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
    export_form = ExportForm(formdata=None, dialect=default_dialect(lang))
    return _no_store(render_template(
        "runs/run.html", run=subject, subject=subject.survey, diagnostics=diagnostics,
        histogram=histogram, estimates=estimates, by=by, by_options=by_options, items=items,
        lang=lang, settings=RunSettings.from_dict(subject.settings),
        changed=queries.current_hash(subject) != subject.input_hash,
        confirm=ConfirmForm(formdata=None), export_form=export_form,
        export_languages=_export_languages(subject.survey),
        collapse_text=format_collapse(subject.settings.get("collapse") or {})))


def _export_languages(survey: Survey) -> list[str]:
    """The survey's languages, the analyst's own first when the survey has it."""
    own_code = current_language().code
    codes = list(survey.languages)
    return ([own_code] if own_code in codes else []) + [c for c in codes if c != own_code]


@roles_required(*ANALYSTS)
def approve(run_id: int):
    """The survey's official run."""
    subject = _run(run_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.approve(subject, current_user.id)
    except RunError as error:
        flash(messages.problem(error.code, error.details))
        return redirect(url_for(".run", run_id=subject.id))
    flash(_("Run %(id)s is now the survey's approved weighting.", id=subject.id))
    return redirect(url_for(".run", run_id=subject.id))


@roles_required(*ANALYSTS)
def withdraw(run_id: int):
    """No official run."""
    subject = _run(run_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.withdraw(subject)
    flash(_("The approval was withdrawn: the survey has no approved weighting."))
    return redirect(url_for(".run", run_id=subject.id))


@roles_required(*ANALYSTS)
def rerun(run_id: int):
    """The same settings and inputs again."""
    subject = _run(run_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    again = services.rerun(subject, current_user.id)
    flash(_("Weighted again with the same settings, margins and mapping."))
    return redirect(url_for(".run", run_id=again.id))


@roles_required(*ANALYSTS)
def collapse(run_id: int):
    """Again, merging an empty category into a neighbour."""
    subject = _run(run_id)
    form = CollapseForm()
    if not form.validate_on_submit():
        abort(400)
    again = services.rerun(subject, current_user.id,
                           collapse=(form.variable.data, form.category.data, form.into.data))
    flash(_("Weighted again with “%(category)s” merged into “%(into)s”.",
            category=form.category.data, into=form.into.data))
    return redirect(url_for(".run", run_id=again.id))


def _export_request(subject: WeightingRun):
    """The export form's choices (posted, or in the query), or a redirect."""
    if subject.approved_at is None:
        flash(_("Approve the run before exporting its weighted microdata."))
        return redirect(url_for(".run", run_id=subject.id, _anchor="export"))
    fmt = request.values.get("format", "sav")
    dialect = request.values.get("dialect", "comma")
    if fmt not in EXPORT_FORMATS or dialect not in CSV_DIALECTS:
        abort(404)
    lang = request.values.get("lang")
    languages = _export_languages(subject.survey)
    if lang not in languages:
        lang = languages[0]
    return ExportRequest(fmt, request.values.get("text") in ("1", "y", "on", "true"), lang,
                         dialect)


def _export_parts(subject: WeightingRun, asked: ExportRequest):
    """The run weighted again and the codebook, or a redirect when its input has changed."""
    try:
        return exporting.export_parts(subject, asked)
    except RunError as error:
        flash(messages.problem(error.code, error.details))
        return redirect(url_for(".run", run_id=subject.id, _anchor="export"))


def _download(data: bytes | str, name: str, mimetype: str) -> Response:
    return Response(data, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@roles_required(*ANALYSTS)
def export(run_id: int):
    """Weighted microdata (format=&dialect=&text=&lang=), recorded in the audit log; a run of
    at least `EXPORT_JOB_MIN_RESPONDENTS` respondents is written by a background job."""
    subject = _run(run_id)
    asked = _export_request(subject)
    if not isinstance(asked, ExportRequest):
        return asked
    if subject.n_respondents >= current_app.config["EXPORT_JOB_MIN_RESPONDENTS"]:
        services.note_download(subject, asked.fmt, asked.include_text)
        job = job_services.submit("microdata_export", subject.survey.organisation_id,
                                  current_user.id, {"run_id": subject.id,
                                                    "asked": asdict(asked)})
        return redirect(url_for("jobs.status", job_id=job.id), 303)
    parts = _export_parts(subject, asked)
    if not isinstance(parts, tuple):
        return parts
    data, name, mimetype = exporting.export_file(subject, asked, parts)
    services.note_download(subject, asked.fmt, asked.include_text)
    return _download(data, name, mimetype)


def _companion_file(run_id: int, make):
    """A file that goes with the microdata, made with the export form's choices from the
    run weighted again: `make(subject, asked, weighted, plan, codebook)` gives (data, file
    name, MIME type). A redirect when the form's choices or the run's inputs do not allow it."""
    subject = _run(run_id)
    asked = _export_request(subject)
    if not isinstance(asked, ExportRequest):
        return asked
    parts = _export_parts(subject, asked)
    if not isinstance(parts, tuple):
        return parts
    return _download(*make(subject, asked, *parts))


@roles_required(*ANALYSTS)
def spss_syntax(run_id: int):
    """SPSS syntax for the .sav (?text=&lang=): WEIGHT BY and the complex-samples plan."""
    return _companion_file(run_id, lambda subject, asked, _weighted, plan, codebook: (
        syntax.spss_syntax(codebook, plan, asked.file_name(subject, "sav")),
        asked.file_name(subject, "sps"), "text/plain"))


@roles_required(*ANALYSTS)
def r_script(run_id: int):
    """An R script for the CSV (?dialect=&text=&lang=) that weights it again with survey."""
    return _companion_file(run_id, lambda subject, asked, _weighted, plan, codebook: (
        syntax.r_script(codebook, plan, asked.file_name(subject, "csv"), asked.dialect),
        asked.file_name(subject, "R"), "text/plain"))


@roles_required(*ANALYSTS)
def codebook(run_id: int):
    """Its codebook (?text=&lang=)."""
    return _companion_file(run_id, lambda subject, asked, _weighted, _plan, codebook: (
        microdata.codebook_csv(codebook), f"{subject.survey.slug}-run{subject.id}-codebook.csv",
        "text/csv"))
