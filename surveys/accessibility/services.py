"""Every change of barrier reports: a resident sends one, an admin marks it handled."""

from __future__ import annotations

from surveys.accessibility.models import BarrierReport
from surveys.auth.models import Organisation
from surveys.core.time import utcnow
from surveys.extensions import db


def report_barrier(organisation: Organisation | None, *, page: str, description: str,
                   contact: str, language: str) -> BarrierReport:
    """A resident's report about `page` (the organisation's, or a platform page's: None)."""
    report = BarrierReport(
        organisation_id=organisation.id if organisation else None,
        page=page[:300] or "/accessibility",
        description=description.strip(),
        contact=contact.strip(),
        language=language,
    )
    db.session.add(report)
    db.session.flush()
    return report


def mark_handled(report: BarrierReport) -> None:
    """The report was dealt with (the first time counts)."""
    report.handled_at = report.handled_at or utcnow()
    db.session.flush()
