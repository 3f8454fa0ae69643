"""/accessibility: the statement, the barrier report form, and admins' list of reports."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from surveys.accessibility.models import BarrierReport
from surveys.auth.access import roles_required
from surveys.auth.models import Organisation
from surveys.core.i18n import current_language
from surveys.core.roles import ADMINS
from surveys.core.time import utcnow
from surveys.core.urls import local_path
from surveys.extensions import db, limiter
from surveys.survey.models import Survey

bp = Blueprint("accessibility", __name__, url_prefix="/accessibility")

# GET       /accessibility?from=<path>     the statement and the report form
# POST      /accessibility?from=<path>     send a barrier report
# GET       /accessibility/reports         admins: the organisation's reports
# POST      /accessibility/reports/<id>    admins: mark a report handled


class BarrierForm(FlaskForm):
    """What did not work, and optionally how to reach the resident."""

    description = TextAreaField(
        _l("What did not work? Describe the page and the problem."),
        validators=[DataRequired(_l("Describe the problem.")), Length(max=5000)],
    )
    contact = StringField(
        _l("Email or phone, if you want an answer (optional)"), validators=[Length(max=200)]
    )


def _organisation_of(path: str) -> Organisation | None:
    """The organisation behind the page a resident came from."""
    parts = path.split("/")
    if len(parts) > 2 and parts[1] == "s":
        survey = db.session.scalar(select(Survey).where(Survey.slug == parts[2]))
        return survey.organisation if survey else None
    if current_user.is_authenticated:
        return current_user.organisation
    return None


@bp.route("", methods=["GET", "POST"])
@limiter.limit("5 per minute", methods=["POST"])
def statement():
    came_from = local_path(request.args.get("from")) or ""
    organisation = _organisation_of(came_from)
    form = BarrierForm()
    if form.validate_on_submit():
        db.session.add(BarrierReport(
            organisation_id=organisation.id if organisation else None,
            page=came_from[:300] or "/accessibility",
            description=form.description.data.strip(),
            contact=(form.contact.data or "").strip(),
            language=current_language().code,
        ))
        flash(_("Thank you. Your report has been sent to the people responsible for the service."))
        return redirect(url_for(".statement", **({"from": came_from} if came_from else {})))
    status = 400 if form.is_submitted() else 200
    return render_template("accessibility/statement.html", form=form, organisation=organisation,
                           came_from=came_from), status


@bp.get("/reports")
@roles_required(*ADMINS)
def reports():
    rows = db.session.scalars(
        select(BarrierReport)
        .where(BarrierReport.organisation_id == current_user.organisation_id)
        .order_by(BarrierReport.handled_at.is_not(None), BarrierReport.created_at.desc())
    ).all()
    return render_template("accessibility/reports.html", reports=rows)


@bp.post("/reports/<int:report_id>")
@roles_required(*ADMINS)
def handled(report_id: int):
    report = db.session.get(BarrierReport, report_id)
    if report is None or report.organisation_id != current_user.organisation_id:
        abort(404)
    report.handled_at = report.handled_at or utcnow()
    return redirect(url_for(".reports"))
