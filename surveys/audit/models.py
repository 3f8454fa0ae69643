"""One line of the audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveys.auth.models import User
from surveys.core.time import utcnow
from surveys.extensions import db


class AuditEvent(db.Model):
    """Something a member of staff did (or tried) that an admin may need to account for."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: Who did it; None when the account has since been removed.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: One of surveys.audit.services.ACTIONS, e.g. "run_approved".
    action: Mapped[str] = mapped_column(String(40), index=True)
    #: What it was done to, for people: "survey 12", "user 7", "event 3".
    subject: Mapped[str] = mapped_column(String(200), default="")
    #: Further facts (a new role, a file's format), as JSON.
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    user: Mapped[User | None] = relationship()
