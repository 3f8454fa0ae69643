"""Times: stored as naive UTC; shown and typed as the staff member's wall-clock time."""

from __future__ import annotations

from datetime import datetime, timezone

from flask_babel import to_user_timezone, to_utc


def utcnow() -> datetime:
    """Current time in UTC, naive (stored as UTC on both SQLite and PostgreSQL)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def as_local(moment: datetime | None) -> datetime | None:
    """A stored UTC time as Swedish wall-clock time for a datetime-local input."""
    return to_user_timezone(moment).replace(tzinfo=None) if moment else None


def as_utc(moment: datetime | None) -> datetime | None:
    """A wall-clock time typed into a datetime-local input, as stored UTC."""
    return to_utc(moment) if moment else None
