"""Reading the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from surveys.audit.models import AuditEvent
from surveys.core.time import as_utc
from surveys.extensions import db

#: Lines on one page; the CSV has them all.
PAGE_SIZE = 200


@dataclass(frozen=True)
class AuditFilter:
    """What an admin narrows the log to; None means any."""

    user_id: int | None = None
    action: str | None = None
    since: date | None = None
    until: date | None = None


def events(organisation_id: int, chosen: AuditFilter, limit: int | None = PAGE_SIZE
           ) -> list[AuditEvent]:
    """The organisation's events that match, newest first."""
    query = (select(AuditEvent).where(AuditEvent.organisation_id == organisation_id)
             .options(selectinload(AuditEvent.user))
             .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()))
    if chosen.user_id is not None:
        query = query.where(AuditEvent.user_id == chosen.user_id)
    if chosen.action is not None:
        query = query.where(AuditEvent.action == chosen.action)
    if chosen.since is not None:
        # the dates are Swedish calendar days; the log is stored in UTC
        query = query.where(AuditEvent.created_at >= as_utc(
            datetime.combine(chosen.since, time.min)))
    if chosen.until is not None:
        query = query.where(AuditEvent.created_at < as_utc(
            datetime.combine(chosen.until + timedelta(days=1), time.min)))
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))
