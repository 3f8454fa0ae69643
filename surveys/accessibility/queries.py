"""Reads of barrier reports, and whose page a report is about."""

from __future__ import annotations

from sqlalchemy import select

from surveys.accessibility.models import BarrierReport
from surveys.auth.models import Organisation
from surveys.extensions import db
from surveys.followup.queries import framework_by_slug
from surveys.survey.queries import survey_by_slug


def organisation_of_page(path: str, user) -> Organisation | None:
    """The organisation behind the page a resident came from: a survey's (/s/<slug>/...),
    a dialogue event's (/d/<code>/...), a public indicator page's (/indicators/<slug>/...),
    else the logged-in user's (a staff page), else none (a platform page)."""
    parts = path.split("?")[0].split("/")
    key = parts[2] if len(parts) > 2 else ""
    if parts[1:2] == ["s"]:
        survey = survey_by_slug(key)
        return survey.organisation if survey else None
    if parts[1:2] == ["d"]:
        from dialog.queries import event_by_code  # the dialogue package builds on this one

        event = event_by_code(key)
        return db.session.get(Organisation, event.organisation_id) if event else None
    if parts[1:2] == ["indicators"]:
        framework = framework_by_slug(key)
        return db.session.get(Organisation, framework.organisation_id) if framework else None
    if user.is_authenticated:
        return user.organisation
    return None


def organisation_reports(organisation_id: int) -> list[BarrierReport]:
    """The organisation's reports: unhandled first, newest first."""
    return list(db.session.scalars(
        select(BarrierReport)
        .where(BarrierReport.organisation_id == organisation_id)
        .order_by(BarrierReport.handled_at.is_not(None), BarrierReport.created_at.desc())))
