"""Views of fieldwork: residents enter a code, staff import, draw, follow up and purge.

Names and addresses appear only on views that require the fieldwork role (or admin);
the rates need no name and are open to authors and analysts too. The URL map is
`blueprint.py`.
"""

from __future__ import annotations

import hashlib

import segno
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
    session,
    url_for,
)
from flask_babel import format_percent
from flask_babel import gettext as _
from flask_login import current_user

from surveys.auth.access import own, roles_required
from surveys.core.forms import ConfirmForm, form_status
from surveys.core.i18n import language_name, requested_language
from surveys.core.problems import http_problem
from surveys.core.roles import FIELDWORK, FIELDWORK_RATES
from surveys.core.time import utcnow
from surveys.extensions import limiter
from surveys.fieldwork import export, figures, frame_file, queries, sampling, services
from surveys.fieldwork import jobs as _frame_jobs  # noqa: F401 - registers the import job
from surveys.fieldwork import letter_jobs as _letter_jobs  # noqa: F401 - registers the letters job
from surveys.fieldwork import letters as letters_module
from surveys.fieldwork.aapor import AAPOR_CODE, CODES, Outcome
from surveys.fieldwork.chart import rate_chart
from surveys.fieldwork.codes import format_code
from surveys.fieldwork.forms import (
    CODE_LABELS,
    COLUMN_LABELS,
    MAILING_LABELS,
    OUTCOME_LABELS,
    CodeForm,
    DesignForm,
    FrameForm,
    LettersForm,
    MailingForm,
    OutcomeFileForm,
    OutcomeForm,
    PaperEntryForm,
    error_text,
    letters_error_text,
    parse_date,
    problem_text,
    stratum_inputs,
)
from surveys.fieldwork.models import MailingKind, SampleFrame
from surveys.fieldwork.services import Design, FieldworkError
from surveys.survey import queries as survey_queries
from surveys.survey.models import Survey, SurveyStatus
from surveys.survey.results import CHANNEL_LABELS, format_share
from surveys.survey.services import AuthoringError

#: Frame files up to this size are accepted (25,000 people are about 3 MB).
MAX_FRAME_BYTES = 32 * 1024 * 1024


def helpers() -> dict:
    """Names the fieldwork pages use."""
    return {"format_code": format_code, "OUTCOME_LABELS": OUTCOME_LABELS, "CODES": CODES,
            "CODE_LABELS": CODE_LABELS, "COLUMN_LABELS": COLUMN_LABELS,
            "MAILING_LABELS": MAILING_LABELS, "CHANNEL_LABELS": CHANNEL_LABELS,
            "percent": format_share,
            "AAPOR_CODE": AAPOR_CODE,
            "column_names": lambda cols: ", ".join(str(COLUMN_LABELS[c]) for c in cols) or "–",
            "sees_people": current_user.is_authenticated and current_user.has_role(*FIELDWORK)}


def start_page_helpers() -> dict:
    """For the survey's start page: whether to offer the access-code form."""
    return {"survey_has_sample": queries.has_sample}


def no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def api_limit() -> str:
    return current_app.config.get("API_RATE_LIMIT", "120 per minute")


# == residents ===============================================================================
def _public_survey(slug: str) -> Survey:
    survey = survey_queries.survey_by_slug(slug)
    if survey is None or survey.status is SurveyStatus.draft or not queries.has_sample(survey):
        abort(404)
    g.content_language = requested_language(survey.languages)
    g.interface_locale = survey.interface_locale(g.content_language)
    g.fallback_language = survey.default_language
    return survey


def _remember(response) -> None:
    """This device continues the response: the session key the survey's pages read."""
    tokens = dict(session.get("responses", {}))
    tokens[str(response.survey_id)] = response.token
    session["responses"] = tokens
    session.permanent = True


@limiter.limit("10 per minute", methods=["POST"])
def code(slug: str):
    """The code from the letter (or ?c= from its QR code); POST starts or resumes."""
    survey = _public_survey(slug)
    form = CodeForm(data={"code": request.args.get("c", "")} if request.method == "GET" else None)
    error, status = None, 200
    if form.validate_on_submit():
        member = queries.member_by_code(survey, form.code.data, lock=True)
        if member is None:
            error, status = _("We found no one with that code. Check the code in your letter "
                              "and try again."), 400
        elif not survey.accepts_answers():
            state = "not_yet_open" if survey.not_yet_open() else "closed"
            return render_template("survey/unavailable.html", survey=survey,
                                   state=state), 403 if state == "not_yet_open" else 410
        else:
            try:
                response = services.use_code(survey, member, g.content_language)
            except FieldworkError as refused:
                error, status = error_text(refused.code), 409
            else:
                _remember(response)
                return redirect(url_for("public.page", slug=slug, n=response.current_page + 1))
    elif form.is_submitted():
        status = 400
    return render_template("fieldwork/code.html", survey=survey, form=form, error=error), status


def api_figures(slug: str):
    """Sample size, cases per AAPOR code and rates, overall and per stratum (no small ones)."""
    survey = survey_queries.survey_by_slug(slug)
    frame = queries.frame_for(survey.id) if survey and survey.status is not SurveyStatus.draft \
        else None
    if frame is None or frame.drawn_at is None:
        response = jsonify(http_problem(404, "not_found", _("This survey has no drawn sample.")))
        response.mimetype = "application/problem+json"
        response.status_code = 404
        return response
    cases = queries.cases(frame)
    overall = figures.group_figures("all", cases)

    def described(f: figures.GroupFigures) -> dict:
        return {"sampled": f.sampled, "counts": f.counts,
                "rates": {k: (None if v is None else round(v, 6))
                          for k, v in f.rates.as_dict().items()}}

    return jsonify({
        "survey": survey.slug,
        "sample_size": overall.sampled,
        "drawn_at": frame.drawn_at.date().isoformat(),
        "strata_columns": frame.strata_columns,
        **described(overall),
        "strata": [{"stratum": f.label, **described(f)}
                   for f in figures.published_strata(cases)],
        "notes": {"min_published": figures.MIN_PUBLISHED,
                  "e": "eligible share among cases of known eligibility"},
    })


# == staff ===================================================================================
def _survey(survey_id: int) -> Survey:
    return own(Survey, survey_id)


def _frame(survey: Survey, drawn: bool = True) -> SampleFrame:
    frame = queries.frame_for(survey.id)
    if frame is None or (drawn and frame.drawn_at is None):
        abort(404)
    return frame


def _sections(frame: SampleFrame) -> list[tuple[str, list[figures.GroupFigures]]]:
    cases = queries.cases(frame)
    return [("overall", [figures.group_figures(_("Everyone sampled"), cases)]),
            ("stratum", figures.by(cases, lambda c: c.stratum)),
            ("language", figures.by(cases, lambda c: c.language)),
            ("channel", figures.by_channel(cases))], cases


def _overview(survey: Survey, frame: SampleFrame | None, forms: dict | None = None,
              problems=(), status: int = 200):
    forms = forms or {}
    context = {"survey": survey, "frame": frame, "problems": problems,
               "outcome_form": forms.get("outcome") or OutcomeForm(),
               "file_form": forms.get("file") or OutcomeFileForm(),
               "mailing_form": forms.get("mailing") or MailingForm()}
    if frame is not None and frame.drawn_at is not None:
        sections, cases = _sections(frame)
        mailings = queries.mailings(frame)
        days = figures.over_time(cases, [(m.sent_on, str(MAILING_LABELS[m.kind]))
                                         for m in mailings])
        context.update(sections=sections, mailings=mailings, days=days,
                       chart=rate_chart(days, format_percent))
    return render_template("fieldwork/overview.html", **context), status


@roles_required(*FIELDWORK_RATES)
def overview(survey_id: int):
    """The frame, the sample and its response rates."""
    survey = _survey(survey_id)
    return _overview(survey, queries.frame_for(survey.id))


@roles_required(*FIELDWORK)
def frame(survey_id: int):
    """Import a frame: check every row; store when clean or when told to skip bad rows."""
    survey = _survey(survey_id)
    request.max_content_length = MAX_FRAME_BYTES
    current = queries.frame_for(survey.id)
    form = FrameForm()
    checked = None
    problems: list[str] = []
    if form.validate_on_submit():
        data = form.file.data.read()
        digest = hashlib.sha256(data).hexdigest()
        checked = frame_file.check(data, reference_year=utcnow().year,
                                   districts=(form.districts.data or "").splitlines())
        skip = bool(form.skip.data) and form.checked.data == digest
        districts = (form.districts.data or "").splitlines()
        name = form.file.data.filename or ""
        try:
            if len(checked.rows) > current_app.config["FRAME_IMPORT_JOB_ROWS"]:
                job = services.queue_frame_import(
                    survey, checked, data, name, districts, skip,
                    current_user.organisation_id, current_user.id)
                return redirect(url_for("jobs.status", job_id=job.id))
            imported = services.import_frame(survey, checked, name, current_user.id,
                                             skip_bad_rows=skip)
        except FieldworkError as refused:
            problems = [error_text(refused.code)]
            form.checked.data = digest
            form.skip.data = False
        else:
            flash(_("The frame was imported: %(num)s people.", num=imported.row_count))
            return redirect(url_for(".design", survey_id=survey.id))
    return render_template("fieldwork/frame.html", survey=survey, frame=current, form=form,
                           checked=checked, problems=problems,
                           problem_text=problem_text), form_status(form)


@roles_required(*FIELDWORK)
def design(survey_id: int):
    """Strata, allocation, margins of error per stratum; then the draw."""
    survey = _survey(survey_id)
    frame = _frame(survey, drawn=False)
    if frame.drawn_at is not None:
        return redirect(url_for(".overview", survey_id=survey.id))
    form = DesignForm(data=None if request.method == "POST" else {
        "columns": frame.strata_columns or ["district", "age_group"],
        "seed": services.new_seed(), "n": min(frame.row_count, 1000)})
    problems: list[str] = []
    rows, status = [], 200
    columns = [c for c in (form.columns.data or []) if c in sampling.STRATA_COLUMNS]
    strata = queries.frame_strata(frame, columns)
    keys = sorted(strata)
    # The table's inputs belong to the strata it was shown for: after a change of strata
    # they are ignored, and the page is calculated again before anything is drawn.
    same_strata = request.form.get("shown_columns") == ",".join(columns)
    if request.method == "POST":
        status = 400
        factors, rates, input_problems = stratum_inputs(
            request.form if same_strata else {}, keys, form.rate.data or 40)
        problems += input_problems
        if form.validate_on_submit() and not problems:
            design_ = Design(columns=columns, n=form.n.data, method=form.method.data,
                             minimum=form.minimum.data or 0, factors=factors,
                             seed=form.seed.data)
            try:
                sizes = sampling.allocate({k: len(ids) for k, (_v, ids) in strata.items()},
                                          design_.n, design_.method, design_.minimum,
                                          design_.factors)
                if request.form.get("action") == "draw" and same_strata:
                    drawn = services.draw_sample(frame, design_)
                    flash(_("The sample was drawn: %(num)s people.", num=drawn))
                    return redirect(url_for(".overview", survey_id=survey.id))
            except (sampling.AllocationError, FieldworkError) as refused:
                problems.append(error_text(refused.code))
            else:
                status = 200
                rows = [{"key": k, "population": len(strata[k][1]), "sample": sizes[k],
                         "rate": rates[k],
                         "moe": sampling.margin_of_error(len(strata[k][1]), sizes[k], rates[k])}
                        for k in keys]
    return render_template("fieldwork/design.html", survey=survey, frame=frame, form=form,
                           keys=keys, population={k: len(strata[k][1]) for k in keys},
                           rate_inputs=[request.form.get(f"rate-{i}", "") if same_strata else ""
                                        for i in range(len(keys))],
                           factor_inputs=[request.form.get(f"factor-{i}", "") if same_strata
                                          else "" for i in range(len(keys))],
                           shown_columns=",".join(columns),
                           rows=rows, problems=problems), status


@roles_required(*FIELDWORK)
def people(survey_id: int):
    """The sampled people: name, address, code (a page at a time)."""
    survey = _survey(survey_id)
    frame = _frame(survey)
    page = request.args.get("page", 1, type=int)
    if page < 1:
        abort(404)
    found = queries.people(frame, page)
    return render_template("fieldwork/people.html", survey=survey, frame=frame, people=found,
                           page=page, more=len(found) == queries.PEOPLE_PAGE), 200, {
        "Cache-Control": "no-store"}


@roles_required(*FIELDWORK)
def people_csv(survey_id: int):
    """Names, addresses, codes and answer links for a letter mail-merge (logged)."""
    survey = _survey(survey_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    frame = _frame(survey)
    header = ["code", "link", "name", "care_of", "street", "postal_code", "town", "language",
              "stratum"]
    rows = [[format_code(m.access_code),
             url_for("public.start", slug=survey.slug, c=m.access_code, _external=True),
             *((r.name, r.care_of, r.street, r.postal_code, r.town) if r else ("",) * 5),
             m.language or "", m.stratum.key] for m, r in queries.people(frame, page=0)]
    services.note_addresses_download(frame, len(rows))
    return _download(export.to_csv(header, rows), f"{survey.slug}-sample.csv", "text/csv")


@roles_required(*FIELDWORK)
def qr(survey_id: int, access_code: str):
    """A sampled person's QR code (SVG) for their letter: /s/<slug>?c=CODE."""
    survey = _survey(survey_id)
    member = queries.member_by_code(survey, access_code)
    if member is None:
        abort(404)
    link = url_for("public.start", slug=survey.slug, c=member.access_code, _external=True)
    svg = segno.make(link, error="m").svg_inline(scale=4, title=link)
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})


@roles_required(*FIELDWORK)
def outcome(survey_id: int):
    """Register one person's outcome by their code."""
    survey = _survey(survey_id)
    frame = _frame(survey)
    form = OutcomeForm()
    if form.validate_on_submit():
        member = queries.member_by_code(survey, form.code.data)
        on = parse_date(form.on)
        if member is None:
            form.code.errors = [_("No one in the sample has that code.")]
        elif on is not False:
            chosen = Outcome(form.outcome.data) if form.outcome.data else None
            services.register_outcome(member, chosen, on=on)
            flash(_("Outcome registered for %(code)s.", code=format_code(member.access_code)))
            return redirect(url_for(".overview", survey_id=survey.id, _anchor="outcomes"))
    return _overview(survey, frame, {"outcome": form}, status=400)


@roles_required(*FIELDWORK)
def outcomes_file(survey_id: int):
    """Register many outcomes from a CSV of codes; all or nothing."""
    survey = _survey(survey_id)
    frame = _frame(survey)
    form = OutcomeFileForm()
    if form.validate_on_submit():
        result = services.register_outcome_file(frame, form.file.data.read())
        if not result.problems:
            flash(_("Outcomes registered: %(num)s.", num=result.registered))
            return redirect(url_for(".overview", survey_id=survey.id, _anchor="outcomes"))
        return _overview(survey, frame, {"file": form},
                         [_("Nothing was registered.")] +
                         [problem_text(p) for p in result.problems], 400)
    return _overview(survey, frame, {"file": form}, status=400)


@roles_required(*FIELDWORK)
def mailing(survey_id: int):
    """Record a dated send-out, for the chart."""
    survey = _survey(survey_id)
    frame = _frame(survey)
    form = MailingForm()
    if form.validate_on_submit():
        sent_on = parse_date(form.sent_on)
        if sent_on:
            services.record_mailing(frame, MailingKind(form.kind.data), sent_on, form.count.data)
            flash(_("The mailing was recorded."))
            return redirect(url_for(".overview", survey_id=survey.id, _anchor="over-time"))
    return _overview(survey, frame, {"mailing": form}, status=400)


def _download(data: bytes, name: str, mimetype: str) -> Response:
    return Response(data, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@roles_required(*FIELDWORK_RATES)
def rates_csv(survey_id: int):
    """The rate tables as CSV."""
    survey = _survey(survey_id)
    sections, _cases = _sections(_frame(survey))
    return _download(export.to_csv(export.RATE_HEADER, export.rate_rows(sections)),
                     f"{survey.slug}-response-rates.csv", "text/csv")


@roles_required(*FIELDWORK_RATES)
def rates_xlsx(survey_id: int):
    """The rate tables as XLSX."""
    survey = _survey(survey_id)
    sections, _cases = _sections(_frame(survey))
    return _download(export.to_xlsx(export.RATE_HEADER, export.rate_rows(sections),
                                    "response rates"),
                     f"{survey.slug}-response-rates.xlsx",
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@roles_required(*FIELDWORK)
def purge(survey_id: int):
    """Confirm, then delete names, addresses and the code-to-person link."""
    survey = _survey(survey_id)
    frame = _frame(survey, drawn=False)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            deleted = services.purge(frame)
        except FieldworkError as refused:
            return render_template("fieldwork/purge.html", survey=survey, frame=frame,
                                   form=form, problems=[error_text(refused.code)],
                                   sampled=queries.sample_size(frame)), 409
        flash(_("Names and addresses were deleted: %(num)s people.", num=deleted))
        return redirect(url_for(".overview", survey_id=survey.id))
    return render_template("fieldwork/purge.html", survey=survey, frame=frame, form=form,
                           problems=[], sampled=queries.sample_size(frame)), form_status(form)


# == letters, reminders and paper ==============================================================
def _letters_page(survey: Survey, frame: SampleFrame, letters_form=None, paper_form=None,
                  problems=(), status: int = 200):
    return render_template(
        "fieldwork/letters/index.html", survey=survey, frame=frame, problems=problems,
        letters_form=letters_form or LettersForm(),
        paper_form=paper_form or PaperEntryForm(languages=survey.languages),
        batches=queries.letter_batches(frame), counts=queries.delivery_counts(frame),
        failed=queries.failed_messages(frame), smtp=bool(current_app.config.get("SMTP_URL")),
        language_name=language_name), \
        status, {"Cache-Control": "no-store"}


def _base_url(survey: Survey) -> str:
    return url_for("public.start", slug=survey.slug, _external=True)


@roles_required(*FIELDWORK)
def letters(survey_id: int):
    """Letters, reminders (letter, e-mail, SMS), the paper questionnaire and its entry."""
    survey = _survey(survey_id)
    return _letters_page(survey, _frame(survey))


@roles_required(*FIELDWORK)
def make_letters(survey_id: int):
    """Record the mailing and make its letters (a job whose page shows the progress)."""
    survey = _survey(survey_id)
    frame = _frame(survey)
    form = LettersForm()
    if form.validate_on_submit():
        sent_on = parse_date(form.sent_on)
        if sent_on:
            try:
                mailing = services.start_mailing(frame, MailingKind(form.kind.data), sent_on,
                                                 _base_url(survey), current_user.id)
            except FieldworkError as refused:
                return _letters_page(survey, frame, letters_form=form,
                                     problems=[letters_error_text(refused.code)], status=409)
            job = queries.batch_of_kind(frame, mailing.kind).job_id
            return redirect(url_for("jobs.status", job_id=job))
    return _letters_page(survey, frame, letters_form=form, status=400)


@roles_required(*FIELDWORK)
def retry_messages(survey_id: int):
    """Send again the e-mails and SMS that were not sent, of every mailing."""
    survey = _survey(survey_id)
    frame = _frame(survey)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    sent, failed, errors = 0, 0, []
    for mailing in queries.mailings(frame):
        result = services.send_messages(mailing, _base_url(survey))
        sent, failed, errors = sent + result.sent, failed + result.failed, errors + result.errors
    if failed:
        return _letters_page(survey, frame, problems=[
            _("Sent: %(sent)s. Not sent: %(failed)s.", sent=sent, failed=failed),
            *dict.fromkeys(errors[:5])], status=502)
    flash(_("Sent: %(sent)s. Not sent: %(failed)s.", sent=sent, failed=0))
    return redirect(url_for(".letters", survey_id=survey.id))


@roles_required(*FIELDWORK)
def paper_pdf(survey_id: int):
    """The paper questionnaire (?language=, the default's otherwise); ?code= prints a
    person's code on it."""
    survey = _survey(survey_id)
    _frame(survey)
    lang = request.args.get("language") or survey.default_language
    if lang not in survey.languages:
        abort(404)
    member = None
    if request.args.get("code"):
        member = queries.member_by_code(survey, request.args["code"])
        if member is None:
            return _letters_page(survey, _frame(survey), problems=[
                _("No one in the sample has that code.")], status=404)
    data = letters_module.questionnaire_pdf(survey, lang, member.access_code if member else None)
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{survey.slug}-{lang}.pdf"',
        "Cache-Control": "no-store"})


@roles_required(*FIELDWORK)
def paper_entry(survey_id: int):
    """Type in a returned paper questionnaire under the code printed on it."""
    survey = _survey(survey_id)
    frame = _frame(survey)
    form = PaperEntryForm(languages=survey.languages)
    if form.validate_on_submit():
        member = queries.member_by_code(survey, form.code.data)
        if member is None:
            form.code.errors = [_("No one in the sample has that code.")]
        else:
            try:
                response = services.start_paper_entry(survey, member, form.language.data,
                                                      current_user)
            except FieldworkError as refused:
                return _letters_page(survey, frame, paper_form=form,
                                     problems=[letters_error_text(refused.code)], status=409)
            except AuthoringError as refused:
                return _letters_page(survey, frame, paper_form=form,
                                     problems=refused.problems, status=409)
            _remember(response)
            return redirect(url_for("public.page", slug=survey.slug, n=1,
                                    lang=response.language))
    return _letters_page(survey, frame, paper_form=form, status=400)
