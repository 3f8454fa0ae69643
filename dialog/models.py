"""Dialogue events and everything said and voted at them.

An event belongs to one organisation. Participants join without an account: a participant
is one device at one event, known only by the SHA-256 of a random token kept in the
device's signed session cookie (no IP address, no user agent). Every text a participant
reads from the event (title, description, prompts) is a *localized text*, a JSON object
``{language code: text}`` with codes from `surveys.core.i18n.LANGUAGES`; what participants write
themselves is stored as written, with the language they wrote it in.

The municipality's answer to an event (`EventResponse`, "what we do", and the actions it
promises) is written weeks later, by a facilitator, and is the only part of an event that
links out to the follow-up framework.

Queries other parts build on (visible statements, the vote matrix, counts per statement)
live in `dialog.queries`, not here.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.ext.mutable import MutableDict, MutableList
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveys.auth.models import Organisation, User
from surveys.core.time import utcnow
from surveys.extensions import db

LocalizedText = MutableDict.as_mutable(JSON)

#: Focus areas of the municipal strategies an event can be linked to (keys; labels in views).
FOCUS_AREAS = ("work", "housing", "inclusion_trust", "health", "education_language", "influence")
#: Join codes use these characters only: no 0/O, 1/I/L, easy to read aloud and type.
JOIN_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
JOIN_CODE_LENGTH = 6
DEFAULT_STATEMENT_MAX_LENGTH = 280
DEFAULT_DOT_POINTS = 5
#: The check-in's answer for a language spoken at home that is not in its list.
ANOTHER_LANGUAGE = "other"


def _enum(cls: type[enum.Enum], name: str, length: int = 12) -> Enum:
    """A portable enum column (VARCHAR + CHECK), the same on SQLite and PostgreSQL."""
    return Enum(cls, name=name, native_enum=False, length=length)


class EventStatus(enum.Enum):
    """Life cycle of an event: draft → open → closed → published (closed may reopen)."""

    draft = "draft"  #: being prepared; participants cannot find it
    open = "open"  #: participants join, write and vote
    closed = "closed"  #: the evening is over; nothing more is accepted from participants
    published = "published"  #: what was heard is public


class Moderation(enum.Enum):
    """When a moderator looks at a participant's statement."""

    pre = "pre"  #: pending until a moderator approves it
    post = "post"  #: visible at once; a moderator may hide it afterwards


class StatementStatus(enum.Enum):
    """Whether other participants see a statement."""

    pending = "pending"  #: waiting for approval (pre-moderation)
    visible = "visible"
    hidden = "hidden"  #: hidden by a moderator; its votes stay, for the record


class StatementSource(enum.Enum):
    """How a statement reached us."""

    web = "web"  #: a participant wrote it on their device
    paper = "paper"  #: a facilitator typed in a note written on paper
    facilitator = "facilitator"  #: a facilitator wrote it, e.g. to start the conversation


class TranslationStatus(enum.Enum):
    """Whether a person stands behind a translation."""

    machine = "machine"  #: a draft from the translation service that nobody has approved yet
    approved = "approved"  #: written, corrected or approved by an interpreter or moderator


class ModerationKind(enum.Enum):
    """What a moderator did."""

    approve = "approve"
    hide = "hide"
    restore = "restore"
    mute = "mute"
    unmute = "unmute"


class Event(db.Model):
    """A dialogue event (medborgardialog or brukardialog), joined at ``/d/<join_code>``."""

    __tablename__ = "dialog_events"
    __table_args__ = (
        CheckConstraint("statement_max_length > 0", name="statement_max_length_positive"),
        CheckConstraint("dot_points >= 0", name="dot_points_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: Localized title, e.g. {"sv": "Trygg i parken", "ar": "..."}.
    title: Mapped[dict] = mapped_column(LocalizedText, default=dict)
    #: Localized description shown before joining.
    description: Mapped[dict] = mapped_column(LocalizedText, default=dict)
    #: When the event begins and ends (UTC), if set.
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    #: Where it takes place, e.g. "Biblioteket, Storgatan 1" (free text, any language).
    place: Mapped[str] = mapped_column(String(300), default="")
    #: Link for an online event.
    online_url: Mapped[str] = mapped_column(String(500), default="")
    #: Language codes offered; the first is the event's default language.
    languages: Mapped[list[str]] = mapped_column(MutableList.as_mutable(JSON))
    #: Who the event wants to hear, free-text labels, e.g. ["unga 16-25", "föräldrar"].
    target_groups: Mapped[list[str]] = mapped_column(MutableList.as_mutable(JSON), default=list)
    #: Keys from FOCUS_AREAS.
    focus_areas: Mapped[list[str]] = mapped_column(MutableList.as_mutable(JSON), default=list)
    status: Mapped[EventStatus] = mapped_column(
        _enum(EventStatus, "dialog_event_status"), default=EventStatus.draft)
    moderation: Mapped[Moderation] = mapped_column(
        _enum(Moderation, "dialog_moderation", 4), default=Moderation.post)
    #: Short code participants type or scan (JOIN_CODE_LENGTH characters of JOIN_CODE_ALPHABET).
    join_code: Mapped[str] = mapped_column(String(JOIN_CODE_LENGTH), unique=True)
    #: Most characters in one statement.
    statement_max_length: Mapped[int] = mapped_column(default=DEFAULT_STATEMENT_MAX_LENGTH)
    #: Points each participant distributes in dot voting.
    dot_points: Mapped[int] = mapped_column(default=DEFAULT_DOT_POINTS)
    #: Under pre-moderation: a statement is approved only once it is translated (approved
    #: translations) into every other language of the event.
    require_translations: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: An event for children and young people: what a participant under 13 (or of unstated
    #: age) writes waits for a moderator, the consent text is the simpler one, and the
    #: participants' pages use easy-to-read texts (`dialog.ages`, `surveys.core.i18n`).
    for_young_people: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())

    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship()
    prompts: Mapped[list[Prompt]] = relationship(
        back_populates="event", order_by="Prompt.position", cascade="all, delete-orphan")
    table_groups: Mapped[list[TableGroup]] = relationship(
        back_populates="event", order_by="TableGroup.id", cascade="all, delete-orphan")

    @property
    def default_language(self) -> str:
        """The first of the event's languages."""
        return self.languages[0]

    @property
    def text_languages(self) -> list[str]:
        """The languages its prompts are written in: its own, and at an event for young
        people with Swedish also easy-to-read Swedish (optional, shown where written)."""
        easy = self.for_young_people and "sv" in self.languages and "sv-ll" not in self.languages
        return [*self.languages, "sv-ll"] if easy else list(self.languages)

    def text(self, field: str, lang: str) -> str:
        """`title` or `description` in `lang`, else in the default language."""
        texts = getattr(self, field) or {}
        return texts.get(lang) or texts.get(self.default_language, "")


class Prompt(db.Model):
    """A question the event discusses, e.g. "What would make you feel safer in the park?"."""

    __tablename__ = "dialog_prompts"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("dialog_events.id", ondelete="CASCADE"), index=True)
    #: 0-based order within the event.
    position: Mapped[int] = mapped_column(default=0)
    #: Localized text of the prompt.
    text: Mapped[dict] = mapped_column(LocalizedText, default=dict)

    event: Mapped[Event] = relationship(back_populates="prompts")


class Participant(db.Model):
    """One device at one event. Nothing here identifies a person."""

    __tablename__ = "dialog_participants"
    __table_args__ = (UniqueConstraint("event_id", "device_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("dialog_events.id", ondelete="CASCADE"), index=True)
    #: SHA-256 (hex) of the device's random token; the token itself stays in its cookie.
    device_hash: Mapped[str] = mapped_column(String(64))
    #: The language the participant chose (one of the event's).
    language: Mapped[str] = mapped_column(String(10))
    #: When the participant accepted the consent text.
    consent_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set while a moderator has muted this device: it can neither write nor vote.
    muted_at: Mapped[datetime | None]
    #: Optional anonymous check-in, in the weighting's categories
    #: (`surveys.runs.mapping`): age band label such as "16-19" (`dialog.ages`).
    age_group: Mapped[str | None] = mapped_column(String(20))
    #: "kvinna", "man" or "annat" (the weighting's gender categories).
    gender: Mapped[str | None] = mapped_column(String(20))
    #: "inrikes" or "utrikes": born in or outside Sweden.
    born: Mapped[str | None] = mapped_column(String(20))
    #: A district category of the organisation's population margins.
    district: Mapped[str | None] = mapped_column(String(200))
    #: Languages spoken at home: language codes, or "other"; null when not answered.
    home_languages: Mapped[list[str] | None] = mapped_column(
        MutableList.as_mutable(JSON(none_as_null=True)))
    checked_in_at: Mapped[datetime | None]

    event: Mapped[Event] = relationship()

    @property
    def muted(self) -> bool:
        return self.muted_at is not None


class Statement(db.Model):
    """Something a participant (or a paper note) says in answer to a prompt."""

    __tablename__ = "dialog_statements"
    __table_args__ = (Index("ix_dialog_statements_event_status", "event_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("dialog_events.id", ondelete="CASCADE"), index=True)
    prompt_id: Mapped[int] = mapped_column(
        ForeignKey("dialog_prompts.id", ondelete="CASCADE"), index=True)
    #: Who wrote it; null for paper and facilitator statements.
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("dialog_participants.id", ondelete="SET NULL"), index=True)
    #: As written; always shown escaped.
    text: Mapped[str] = mapped_column(Text)
    #: The language it was written in (the writer's chosen language; a moderator may correct
    #: it). Its translations into the event's other languages are `translations`.
    language: Mapped[str] = mapped_column(String(10))
    status: Mapped[StatementStatus] = mapped_column(
        _enum(StatementStatus, "dialog_statement_status"), default=StatementStatus.visible)
    source: Mapped[StatementSource] = mapped_column(
        _enum(StatementSource, "dialog_statement_source"), default=StatementSource.web)
    #: The statement of an earlier event of the same series this one carries over, if any
    #: (its copy keeps its own votes: the room votes on it again).
    carried_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("dialog_statements.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())

    event: Mapped[Event] = relationship()
    prompt: Mapped[Prompt] = relationship()
    participant: Mapped[Participant | None] = relationship()
    translations: Mapped[list[StatementTranslation]] = relationship(
        back_populates="statement", order_by="StatementTranslation.language",
        cascade="all, delete-orphan", passive_deletes=True)

    def translation(self, language: str) -> StatementTranslation | None:
        """The translation into `language`, approved or not, if there is one."""
        return next((t for t in self.translations if t.language == language), None)


class StatementTranslation(db.Model):
    """A statement in another of its event's languages (one per statement and language)."""

    __tablename__ = "dialog_statement_translations"
    __table_args__ = (UniqueConstraint("statement_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(
        ForeignKey("dialog_statements.id", ondelete="CASCADE"), index=True)
    #: One of the event's languages, never the statement's own.
    language: Mapped[str] = mapped_column(String(10))
    #: Plain text; always shown escaped.
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[TranslationStatus] = mapped_column(
        _enum(TranslationStatus, "dialog_translation_status", 10),
        default=TranslationStatus.machine)
    #: Who wrote, corrected or approved it last; null for a machine draft.
    translator_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    statement: Mapped[Statement] = relationship(back_populates="translations")
    translator: Mapped[User | None] = relationship()

    @property
    def approved(self) -> bool:
        return self.status is TranslationStatus.approved


class Vote(db.Model):
    """A participant's agree (1), disagree (-1) or pass (0) on a statement; the latest counts."""

    __tablename__ = "dialog_votes"
    __table_args__ = (
        UniqueConstraint("participant_id", "statement_id"),
        CheckConstraint("value IN (-1, 0, 1)", name="value_is_vote"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("dialog_participants.id", ondelete="CASCADE"))
    statement_id: Mapped[int] = mapped_column(
        ForeignKey("dialog_statements.id", ondelete="CASCADE"), index=True)
    value: Mapped[int]
    #: When the vote was last cast or changed.
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class DotAllocation(db.Model):
    """Points a participant gives a statement in dot voting (their total ≤ event.dot_points)."""

    __tablename__ = "dialog_dot_allocations"
    __table_args__ = (
        UniqueConstraint("participant_id", "statement_id"),
        CheckConstraint("points > 0", name="points_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("dialog_participants.id", ondelete="CASCADE"))
    statement_id: Mapped[int] = mapped_column(
        ForeignKey("dialog_statements.id", ondelete="CASCADE"), index=True)
    points: Mapped[int]


class TableGroup(db.Model):
    """A table at an in-person evening, e.g. "Bord 3"."""

    __tablename__ = "dialog_table_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("dialog_events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))

    event: Mapped[Event] = relationship(back_populates="table_groups")
    notes: Mapped[list[TableNote]] = relationship(
        back_populates="table_group", order_by="TableNote.id", cascade="all, delete-orphan")


class TableNote(db.Model):
    """What a table said about a prompt, as a facilitator wrote it down."""

    __tablename__ = "dialog_table_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    table_group_id: Mapped[int] = mapped_column(
        ForeignKey("dialog_table_groups.id", ondelete="CASCADE"), index=True)
    prompt_id: Mapped[int] = mapped_column(
        ForeignKey("dialog_prompts.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())

    table_group: Mapped[TableGroup] = relationship(back_populates="notes")
    prompt: Mapped[Prompt] = relationship()
    created_by: Mapped[User | None] = relationship()


class PaperTally(db.Model):
    """Votes or dots counted on paper for a statement, entered after the evening.

    One row per statement and table group (or per statement for the whole room when the
    table group is null); entering it again replaces the counts.
    """

    __tablename__ = "dialog_paper_tallies"
    __table_args__ = (
        CheckConstraint("agree >= 0 AND disagree >= 0 AND pass_count >= 0 AND dots >= 0",
                        name="counts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(
        ForeignKey("dialog_statements.id", ondelete="CASCADE"), index=True)
    table_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("dialog_table_groups.id", ondelete="CASCADE"))
    agree: Mapped[int] = mapped_column(default=0)
    disagree: Mapped[int] = mapped_column(default=0)
    pass_count: Mapped[int] = mapped_column(default=0)
    dots: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    statement: Mapped[Statement] = relationship()
    table_group: Mapped[TableGroup | None] = relationship()

    #: Always true: these counts came from paper, not from devices.
    from_paper = True


class ModerationAction(db.Model):
    """One moderation step, kept for the record: who did what to which statement or device."""

    __tablename__ = "dialog_moderation_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("dialog_events.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[ModerationKind] = mapped_column(_enum(ModerationKind, "dialog_moderation_kind"))
    statement_id: Mapped[int | None] = mapped_column(
        ForeignKey("dialog_statements.id", ondelete="CASCADE"))
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("dialog_participants.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())

    user: Mapped[User | None] = relationship()
    statement: Mapped[Statement | None] = relationship()
    participant: Mapped[Participant | None] = relationship()


# -- the answer: what we do --------------------------------------------------------------

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
