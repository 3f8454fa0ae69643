"""Views of the accessibility statement, residents' barrier reports and admins' list of them.

The URL map is `blueprint.py`.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from surveys.accessibility import queries, services
from surveys.accessibility.forms import BarrierForm
from surveys.accessibility.models import BarrierReport
from surveys.auth.access import own, roles_required
from surveys.core.forms import form_status
from surveys.core.i18n import current_language
from surveys.core.roles import ADMINS
from surveys.core.urls import local_path
from surveys.extensions import limiter


@limiter.limit("5 per minute", methods=["POST"])
def statement():
    """The statement and the report form (?from= the page the resident came from)."""
    came_from = local_path(request.args.get("from")) or ""
    organisation = queries.organisation_of_page(came_from, current_user)
    form = BarrierForm()
    if form.validate_on_submit():
        services.report_barrier(organisation, page=came_from, description=form.description.data,
                                contact=form.contact.data or "",
                                language=current_language().code)
        flash(_("Thank you. Your report has been sent to the people responsible for the service."))
        return redirect(url_for(".statement", **({"from": came_from} if came_from else {})))
    return render_template("accessibility/statement.html", form=form, organisation=organisation,
                           came_from=came_from), form_status(form)


@roles_required(*ADMINS)
def reports():
    """The organisation's reports."""
    return render_template("accessibility/reports.html",
                           reports=queries.organisation_reports(current_user.organisation_id))


@roles_required(*ADMINS)
def handled(report_id: int):
    """Mark a report handled (the app's CSRF protection has checked the form)."""
    services.mark_handled(own(BarrierReport, report_id))
    return redirect(url_for(".reports"))
