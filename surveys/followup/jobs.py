"""The follow-up's background work: the yearly report as PDF (seconds to a minute of layout)
and as a Word document."""

from __future__ import annotations

from flask_babel import gettext as _

from surveys.core.i18n import language_name
from surveys.extensions import db
from surveys.followup import report
from surveys.followup.models import Framework
from surveys.followup.report_docx import render_report_docx
from surveys.jobs.models import Job
from surveys.jobs.services import JobResult, Progress, job_kind


def _title(params: dict) -> str:
    if params.get("audience") == "residents":
        return _("The %(year)s report for residents as PDF (%(language)s)",
                 year=params["year"], language=language_name(params["lang"]))
    return _("The %(year)s report as PDF (%(language)s)", year=params["year"],
             language=language_name(params["lang"]))


@job_kind("followup_report_pdf", title=_title)
def report_pdf(job: Job, progress: Progress) -> JobResult:
    """Figures and text (step 1), then WeasyPrint's layout into PDF pages (step 2)."""
    framework = db.session.get(Framework, job.params["framework_id"])
    year, lang = job.params["year"], job.params["lang"]
    audience = job.params.get("audience", "staff")  # jobs queued before the residents' version
    progress(0, 2)
    html = report.render_report_html(framework, year, lang, audience=audience)
    progress(1, 2)
    data = report.html_to_pdf(html)
    return JobResult(report.file_name(framework, year, lang, "pdf", audience), "application/pdf",
                     data)


def _docx_title(params: dict) -> str:
    if params.get("audience") == "residents":
        return _("The %(year)s report for residents as a Word document (%(language)s)",
                 year=params["year"], language=language_name(params["lang"]))
    return _("The %(year)s report as a Word document (%(language)s)", year=params["year"],
             language=language_name(params["lang"]))


@job_kind("followup_report_docx", title=_docx_title)
def report_docx(job: Job, progress: Progress) -> JobResult:
    """The report's content laid out as DOCX (one step)."""
    framework = db.session.get(Framework, job.params["framework_id"])
    year, lang = job.params["year"], job.params["lang"]
    audience = job.params.get("audience", "staff")
    progress(0, 1)
    data = render_report_docx(framework, year, lang, audience)
    return JobResult(report.file_name(framework, year, lang, "docx", audience),
                     "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                     data)
