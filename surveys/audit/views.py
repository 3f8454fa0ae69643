"""The audit log for admins: parse the filter, read, render (or write CSV)."""

from __future__ import annotations

import csv
import io

from flask import Response, render_template, request
from flask_babel import format_datetime
from flask_login import current_user

from surveys.audit import queries
from surveys.audit.forms import AuditFilterForm
from surveys.audit.services import ACTIONS
from surveys.auth.access import roles_required
from surveys.auth.queries import organisation_users
from surveys.core.data import BOM, safe_cell
from surveys.core.roles import ADMINS


def _filter() -> tuple[AuditFilterForm, bool]:
    form = AuditFilterForm(organisation_users(current_user.organisation_id),
                           formdata=request.args)
    return form, form.validate() if request.args else True


@roles_required(*ADMINS)
def index():
    """The newest matching events; a malformed filter is explained (400), nothing shown."""
    form, valid = _filter()
    events = queries.events(current_user.organisation_id, form.chosen()) if valid else []
    return render_template("audit/index.html", form=form, events=events, ACTIONS=ACTIONS,
                           page_size=queries.PAGE_SIZE), 200 if valid else 400


@roles_required(*ADMINS)
def download():
    """Every matching event as CSV (UTF-8 with BOM, cells safe from formulas)."""
    form, valid = _filter()
    if not valid:
        return index()
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerow(["time", "person", "email", "action", "subject", "detail"])
    for event in queries.events(current_user.organisation_id, form.chosen(), limit=None):
        writer.writerow([safe_cell(value) for value in (
            format_datetime(event.created_at, "yyyy-MM-dd HH:mm:ss"),
            event.user.name if event.user else "", event.user.email if event.user else "",
            event.action, event.subject,
            "; ".join(f"{k}={v}" for k, v in sorted(event.detail.items())))])
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="audit-log.csv"'})
