"""The yearly follow-up report on the web: the document in the browser and as PDF.

# GET  /followup/report?year=&lang=       the report as a page (links to the PDF)
# GET  /followup/report.pdf?year=&lang=   the same report as a PDF download

Analysts and admins see their own organisation's framework only. The page links the
report's style sheet (the app's CSP forbids inline styles); the PDF embeds it.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from surveys.auth.access import roles_required
from surveys.core.i18n import LANGUAGES
from surveys.core.roles import ANALYSTS
from surveys.followup import report, service

bp = Blueprint("followup_report", __name__, url_prefix="/followup")


def _refuse(status: int, message: str) -> tuple[str, int]:
    return render_template("error.html", code=status, message=message), status


def _arguments():
    """(framework, year, lang) from the request, or a refusal with its message."""
    lang = request.args.get("lang") or str(get_locale())
    if lang not in LANGUAGES:
        return None, _refuse(400, _("There is no report language %(lang)s. Choose one of: "
                                    "%(languages)s.", lang=lang,
                                    languages=", ".join(LANGUAGES)))
    raw_year = request.args.get("year", "").strip()
    if raw_year and not (raw_year.isascii() and raw_year.isdigit() and len(raw_year) <= 4):
        return None, _refuse(400, _("Write the year with digits, e.g. 2026."))
    framework = service.framework_of(current_user.organisation_id)
    if framework is None:
        return None, _refuse(404, _("Your organisation has no indicator framework yet."))
    try:
        year = report.report_year(framework, int(raw_year) if raw_year else None)
    except report.ReportError as error:
        if error.code == "no_waves":
            return None, _refuse(404, _("No survey wave is linked to a year yet, so there "
                                        "is no report."))
        return None, _refuse(404, _("There is no wave for %(year)s. Reports exist for: "
                                    "%(years)s.", year=raw_year,
                                    years=", ".join(str(y) for y in error.years)))
    return (framework, year, lang), None


@bp.get("/report")
@roles_required(*ANALYSTS)
def page():
    arguments, refusal = _arguments()
    if refusal:
        return refusal
    framework, year, lang = arguments
    html = report.render_report_html(
        framework, year, lang, css_url=url_for("static", filename="report.css"),
        pdf_url=url_for(".pdf", year=year, lang=lang), back_url=url_for("followup.index"),
        other_years={y: url_for(".page", year=y, lang=lang)
                     for y in report.years_of(framework) if y != year})
    return html, 200, {"Cache-Control": "no-store"}


@bp.get("/report.pdf")
@roles_required(*ANALYSTS)
def pdf():
    arguments, refusal = _arguments()
    if refusal:
        return refusal
    framework, year, lang = arguments
    name = report.file_name(framework, year, lang, "pdf")
    return Response(report.render_report_pdf(framework, year, lang),
                    mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-store"})
