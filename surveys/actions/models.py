"""Units (nämnder, förvaltningar, bolag), their actions, and each action's status history.

An action's titles and descriptions are stored per language as {language code: text}. Its
current `status` is the status of its latest update (by date); every update is kept.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Enum,
    ForeignKey,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.ext.mutable import MutableDict
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveys.auth.models import Organisation, User
from surveys.core.time import utcnow
from surveys.extensions import db
from surveys.followup.models import Goal, IndicatorDefinition


class UnitKind(enum.Enum):
    """What kind of body a unit is."""

    committee = "committee"  #: nämnd
    administration = "administration"  #: förvaltning
    company = "company"  #: bolag (municipal company)


class ActionStatus(enum.Enum):
    """How far an action has come."""

    planned = "planned"
    started = "started"
    done = "done"
    stopped = "stopped"


#: Unit reporters: the users who see and update a unit's actions.
unit_reporters = Table(
    "unit_reporters", db.metadata,
    Column("unit_id", ForeignKey("org_units.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)
#: The goals an action serves.
action_goals = Table(
    "action_goals", db.metadata,
    Column("action_id", ForeignKey("actions.id", ondelete="CASCADE"), primary_key=True),
    Column("goal_id", ForeignKey("goals.id", ondelete="CASCADE"), primary_key=True, index=True),
)
#: The indicators meant to show an action's effect.
action_indicators = Table(
    "action_indicators", db.metadata,
    Column("action_id", ForeignKey("actions.id", ondelete="CASCADE"), primary_key=True),
    Column("indicator_id", ForeignKey("indicators.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


class Unit(db.Model):
    """A committee, administration or company of the organisation that owns actions."""

    __tablename__ = "org_units"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: Its own name, e.g. "Socialnämnden" (a proper name: not translated).
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[UnitKind] = mapped_column(
        Enum(UnitKind, name="unit_kind", native_enum=False, length=20))

    organisation: Mapped[Organisation] = relationship()
    reporters: Mapped[list[User]] = relationship(secondary=unit_reporters, order_by="User.name")


class Action(db.Model):
    """An action (åtgärd) of the organisation, owned by one unit."""

    __tablename__ = "actions"
    __table_args__ = (
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: The responsible unit; a unit that owns actions cannot be deleted.
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"),
                                         index=True)
    title: Mapped[dict] = mapped_column(MutableDict.as_mutable(JSON), default=dict)
    description: Mapped[dict] = mapped_column(MutableDict.as_mutable(JSON), default=dict)
    #: Who to ask about it: a name, and an e-mail address or phone number.
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact: Mapped[str] = mapped_column(String(254), default="")
    starts_on: Mapped[date]
    #: None while open-ended.
    ends_on: Mapped[date | None]
    #: The status of the latest update.
    status: Mapped[ActionStatus] = mapped_column(
        Enum(ActionStatus, name="action_status", native_enum=False, length=10),
        default=ActionStatus.planned)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    unit: Mapped[Unit] = relationship(lazy="joined")
    goals: Mapped[list[Goal]] = relationship(secondary=action_goals, order_by="Goal.position")
    indicators: Mapped[list[IndicatorDefinition]] = relationship(
        secondary=action_indicators, order_by="IndicatorDefinition.position")
    updates: Mapped[list[ActionUpdate]] = relationship(
        back_populates="action", cascade="all, delete-orphan",
        order_by=lambda: (ActionUpdate.on_date.desc(), ActionUpdate.id.desc()))
    links: Mapped[list[ActionLink]] = relationship(
        back_populates="action", cascade="all, delete-orphan", order_by="ActionLink.id")


class ActionUpdate(db.Model):
    """One dated status report on an action, with a short comment."""

    __tablename__ = "action_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"),
                                           index=True)
    status: Mapped[ActionStatus] = mapped_column(
        Enum(ActionStatus, name="action_update_status", native_enum=False, length=10))
    #: The day the status was reached (may be earlier than the day it was written down).
    on_date: Mapped[date]
    comment: Mapped[str] = mapped_column(String(500), default="")
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    action: Mapped[Action] = relationship(back_populates="updates")
    by: Mapped[User | None] = relationship()


class ActionLink(db.Model):
    """Something an action answers, of a kind another feature registers (`links.py`):
    e.g. kind "dialogue_event" and the event's id."""

    __tablename__ = "action_links"
    __table_args__ = (UniqueConstraint("action_id", "kind", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"),
                                           index=True)
    kind: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[int]

    action: Mapped[Action] = relationship(back_populates="links")
