"""The municipality's answer to a dialogue event: "what we do", and the actions it promises.

Kept apart from `dialog.models` (the evening itself): an answer is written weeks later, by
a facilitator, and is the only part of an event that links out to the follow-up framework.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey
from sqlalchemy.ext.mutable import MutableList
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dialog.models import Event, LocalizedText
from surveys.auth.models import User
from surveys.core.time import utcnow
from surveys.extensions import db


class ActionStatus(enum.Enum):
    """How far a promised action has come."""

    planned = "planned"
    started = "started"
    done = "done"


class EventResponse(db.Model):
    """"What we do": the municipality's answer to what was heard at one event."""

    __tablename__ = "dialog_event_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("dialog_events.id", ondelete="CASCADE"), unique=True)
    #: Localized answer, {language code: text}; plain text, shown escaped.
    text: Mapped[dict] = mapped_column(LocalizedText, default=dict)
    #: Keys of `IndicatorDefinition`s of the organisation's framework that follow this up.
    indicator_keys: Mapped[list[str]] = mapped_column(MutableList.as_mutable(JSON), default=list)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()
    updated_by: Mapped[User | None] = relationship()


class EventAction(db.Model):
    """One thing the municipality does after the event, e.g. "More lamps on the path"."""

    __tablename__ = "dialog_event_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("dialog_events.id", ondelete="CASCADE"), index=True)
    #: 0-based order on the page.
    position: Mapped[int] = mapped_column(default=0)
    #: Localized text of the action.
    text: Mapped[dict] = mapped_column(LocalizedText, default=dict)
    status: Mapped[ActionStatus] = mapped_column(
        Enum(ActionStatus, name="dialog_action_status", native_enum=False, length=10),
        default=ActionStatus.planned)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()
