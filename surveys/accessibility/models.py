"""Barriers that residents report."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from surveys.core.time import utcnow
from surveys.extensions import db


class BarrierReport(db.Model):
    """A resident's report that something on a page could not be used."""

    __tablename__ = "barrier_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The organisation whose page it was; None when it came from a platform page.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: The path of the page the resident came from.
    page: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    #: How to reach the resident, only if they chose to give it.
    contact: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    handled_at: Mapped[datetime | None]
