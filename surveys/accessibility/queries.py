"""Reads of barrier reports, and whose page a report is about."""

from __future__ import annotations

from sqlalchemy import select

from surveys.accessibility.models import BarrierReport
from surveys.auth.models import Organisation
from surveys.extensions import db
from surveys.survey.queries import survey_by_slug


def organisation_of_page(path: str, user) -> Organisation | None:
    """The organisation behind the page a resident came from: a survey's (/s/<slug>/...),
    else the logged-in user's (a staff page), else none (a platform page)."""
    parts = path.split("/")
    if len(parts) > 2 and parts[1] == "s":
        survey = survey_by_slug(parts[2])
        return survey.organisation if survey else None
    if user.is_authenticated:
        return user.organisation
    return None


def organisation_reports(organisation_id: int) -> list[BarrierReport]:
    """The organisation's reports: unhandled first, newest first."""
    return list(db.session.scalars(
        select(BarrierReport)
        .where(BarrierReport.organisation_id == organisation_id)
        .order_by(BarrierReport.handled_at.is_not(None), BarrierReport.created_at.desc())))
