"""Themes, their tags on statements and answers, their goals; series of dialogue events.

A theme's name is stored per language as {language code: text}; `key` is the Swedish name
folded to lower case, unique per organisation, so that two requests at once cannot both
create the same theme (the services also compare every language's name).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, String, Table, UniqueConstraint, func
from sqlalchemy.ext.mutable import MutableDict
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dialog.models import Event
from surveys.auth.models import Organisation
from surveys.core.time import utcnow
from surveys.extensions import db
from surveys.followup.models import Goal

NAME_MAX = 100

#: Dialogue statements and the themes they are tagged with.
statement_themes = Table(
    "theme_statements", db.metadata,
    Column("statement_id", ForeignKey("dialog_statements.id", ondelete="CASCADE"),
           primary_key=True),
    Column("theme_id", ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)
#: Free-text survey answers and the themes they are tagged with.
answer_themes = Table(
    "theme_answers", db.metadata,
    Column("answer_id", ForeignKey("answers.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)
#: Goals of the organisation's frameworks a theme speaks to.
theme_goals = Table(
    "theme_goals", db.metadata,
    Column("theme_id", ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
    Column("goal_id", ForeignKey("goals.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)
#: The events of a series (an event belongs to at most one).
series_events = Table(
    "event_series_members", db.metadata,
    Column("series_id", ForeignKey("event_series.id", ondelete="CASCADE"), index=True,
           nullable=False),
    Column("event_id", ForeignKey("dialog_events.id", ondelete="CASCADE"), primary_key=True),
)


class Theme(db.Model):
    """Something residents raise, e.g. "Safety in the evening"."""

    __tablename__ = "themes"
    __table_args__ = (UniqueConstraint("organisation_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: {language code: name}; Swedish is required, the others fall back to it.
    name: Mapped[dict] = mapped_column(MutableDict.as_mutable(JSON), default=dict)
    #: The Swedish name in lower case: the organisation's themes differ in it.
    key: Mapped[str] = mapped_column(String(NAME_MAX))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())

    organisation: Mapped[Organisation] = relationship()
    goals: Mapped[list[Goal]] = relationship(secondary=theme_goals, order_by="Goal.position")


class Series(db.Model):
    """Dialogue events that follow each other, e.g. a development council's meetings."""

    __tablename__ = "event_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: {language code: name}; Swedish is required.
    name: Mapped[dict] = mapped_column(MutableDict.as_mutable(JSON), default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())

    organisation: Mapped[Organisation] = relationship()
    events: Mapped[list[Event]] = relationship(secondary=series_events)
