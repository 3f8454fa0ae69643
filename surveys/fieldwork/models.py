"""A survey's sample frame, its drawn sample, the strata and the fieldwork dates.

Personal data is kept apart: names and addresses live only in `FrameRow`, the person id
only as a keyed hash, and a sampled person (`SampleMember`) reaches a row through one
nullable link. The purge deletes the rows and so that link; the members keep their
stratum, access code, outcome and response, and `SampleStratum` keeps N_h and n_h.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Enum,
    ForeignKey,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.ext.mutable import MutableDict
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from surveys.auth.models import User
from surveys.core.time import utcnow
from surveys.extensions import db
from surveys.fieldwork.aapor import Outcome
from surveys.survey.models import Channel, Response, Survey


class SampleFrame(db.Model):
    """The population register extract of one survey, and how its sample was drawn."""

    __tablename__ = "sample_frames"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"),
                                           unique=True)
    #: Random per-frame salt mixed into the keyed hash of person ids.
    salt: Mapped[str] = mapped_column(String(32))
    #: The uploaded file's name, for people.
    file_name: Mapped[str] = mapped_column(String(200))
    #: Rows stored (the file's clean rows); kept after the purge.
    row_count: Mapped[int] = mapped_column(default=0)
    #: Lines the importer chose to skip, with their reasons' codes: [[line, code], ...].
    skipped: Mapped[list] = mapped_column(JSON, default=list)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: Frame columns whose combinations are the strata, e.g. ["district", "age_group"].
    strata_columns: Mapped[list] = mapped_column(JSON, default=list)
    #: The allocation as stated: method, n, minimum, factors per stratum.
    allocation: Mapped[dict] = mapped_column(MutableDict.as_mutable(JSON), default=dict)
    #: The seed of the draw: the same seed, frame and allocation give the same sample.
    seed: Mapped[int | None] = mapped_column(BigInteger)
    drawn_at: Mapped[datetime | None]
    #: When names, addresses and the code-to-person link were deleted.
    purged_at: Mapped[datetime | None]

    survey: Mapped[Survey] = relationship()
    imported_by: Mapped[User | None] = relationship()
    strata: Mapped[list[SampleStratum]] = relationship(
        back_populates="frame", order_by="SampleStratum.key", cascade="all, delete-orphan")


class FrameRow(db.Model):
    """One person of the frame: name, address and what strata are made of."""

    __tablename__ = "sample_frame_rows"
    __table_args__ = (UniqueConstraint("frame_id", "person_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    frame_id: Mapped[int] = mapped_column(ForeignKey("sample_frames.id", ondelete="CASCADE"),
                                          index=True)
    #: Line in the imported file (1 is the header).
    line: Mapped[int]
    #: HMAC-SHA-256 of the person id under the app's secret and the frame's salt, hex.
    person_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    care_of: Mapped[str] = mapped_column(String(200), default="")
    street: Mapped[str] = mapped_column(String(200))
    #: Five digits, no space.
    postal_code: Mapped[str] = mapped_column(String(5))
    town: Mapped[str] = mapped_column(String(100))
    birth_year: Mapped[int]
    gender: Mapped[str] = mapped_column(String(20))
    district: Mapped[str] = mapped_column(String(100))
    #: E.g. "sweden", "europe", "outside_europe", as the register extract codes it.
    birth_country_group: Mapped[str] = mapped_column(String(40))
    #: Preferred language (BCP 47), when the extract has one.
    language: Mapped[str | None] = mapped_column(String(35))
    mobile: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(254))


class FrameUpload(db.Model):
    """A checked frame file waiting for its background import; deleted by the import (and
    by the purge), so the file lives no longer than the work takes."""

    __tablename__ = "sample_frame_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"),
                                           index=True)
    file_name: Mapped[str] = mapped_column(String(200))
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    #: The districts the rows may name (empty: any).
    districts: Mapped[list] = mapped_column(JSON, default=list)
    #: The user chose to skip the rows with problems.
    skip: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    survey: Mapped[Survey] = relationship()


class SampleStratum(db.Model):
    """A stratum of the draw: its population and sample sizes, kept after the purge."""

    __tablename__ = "sample_strata"
    __table_args__ = (
        UniqueConstraint("frame_id", "key"),
        CheckConstraint("sample_size <= population", name="sample_within_population"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    frame_id: Mapped[int] = mapped_column(ForeignKey("sample_frames.id", ondelete="CASCADE"),
                                          index=True)
    #: The stratum's values joined by " × ", e.g. "Centrum × 16–29 × abroad".
    key: Mapped[str] = mapped_column(String(300))
    #: The stratum's value per strata column.
    values: Mapped[dict] = mapped_column(JSON, default=dict)
    #: N_h: people of the frame in the stratum.
    population: Mapped[int]
    #: n_h: people drawn.
    sample_size: Mapped[int]
    #: The oversampling factor the allocation used (1 = none).
    factor: Mapped[float] = mapped_column(default=1.0)

    frame: Mapped[SampleFrame] = relationship(back_populates="strata")


class SampleMember(db.Model):
    """A sampled person: stratum, access code, and what became of them."""

    __tablename__ = "sample_members"
    __table_args__ = (UniqueConstraint("frame_id", "access_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    frame_id: Mapped[int] = mapped_column(ForeignKey("sample_frames.id", ondelete="CASCADE"),
                                          index=True)
    stratum_id: Mapped[int] = mapped_column(ForeignKey("sample_strata.id", ondelete="CASCADE"),
                                            index=True)
    #: The link to the person's name and address; None after the purge.
    frame_row_id: Mapped[int | None] = mapped_column(
        ForeignKey("sample_frame_rows.id", ondelete="SET NULL"), index=True)
    #: What the person types or scans to answer, unformatted (see `codes.py`).
    access_code: Mapped[str] = mapped_column(String(16))
    #: The frame's preferred language, copied so rates per language outlive the purge.
    language: Mapped[str | None] = mapped_column(String(35))
    #: The response the code began; it answers once.
    response_id: Mapped[int | None] = mapped_column(
        ForeignKey("responses.id", ondelete="SET NULL"), unique=True)
    #: An outcome staff registered (returned letter, refusal ...); None: see the response.
    outcome: Mapped[Outcome | None] = mapped_column(
        Enum(Outcome, name="sample_outcome", native_enum=False, length=20))
    #: How the registered outcome came to us, when it was not through a response.
    channel: Mapped[Channel | None] = mapped_column(
        Enum(Channel, name="sample_channel", native_enum=False, length=10))
    outcome_on: Mapped[date | None]
    #: When the code first began a response.
    code_used_at: Mapped[datetime | None]

    frame: Mapped[SampleFrame] = relationship()
    stratum: Mapped[SampleStratum] = relationship()
    row: Mapped[FrameRow | None] = relationship()
    response: Mapped[Response | None] = relationship()


class MailingKind(enum.Enum):
    """What went out to the sample on a day."""

    letter = "letter"  #: the invitation letter
    reminder_1 = "reminder_1"
    reminder_2 = "reminder_2"
    other = "other"


class Mailing(db.Model):
    """A dated send-out, marked on the response-rate chart."""

    __tablename__ = "sample_mailings"

    id: Mapped[int] = mapped_column(primary_key=True)
    frame_id: Mapped[int] = mapped_column(ForeignKey("sample_frames.id", ondelete="CASCADE"),
                                          index=True)
    kind: Mapped[MailingKind] = mapped_column(
        Enum(MailingKind, name="mailing_kind", native_enum=False, length=12))
    sent_on: Mapped[date]
    #: How many went out (letters printed, e-mails sent).
    count: Mapped[int] = mapped_column(default=0)


class DeliveryChannel(enum.Enum):
    """How a letter or reminder reached (or was meant to reach) a sampled person."""

    letter = "letter"
    email = "email"
    sms = "sms"


class Delivery(db.Model):
    """One person's letter, e-mail or SMS of a mailing: what went out, what failed and why.

    Letters are sent when their batch's PDF is made; an e-mail or SMS that the server
    refused keeps its error and can be sent again."""

    __tablename__ = "sample_deliveries"
    __table_args__ = (UniqueConstraint("mailing_id", "member_id", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mailing_id: Mapped[int] = mapped_column(ForeignKey("sample_mailings.id", ondelete="CASCADE"),
                                            index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("sample_members.id", ondelete="CASCADE"),
                                           index=True)
    channel: Mapped[DeliveryChannel] = mapped_column(
        Enum(DeliveryChannel, name="delivery_channel", native_enum=False, length=10))
    sent_at: Mapped[datetime | None]
    #: Why it was not sent (the server's answer), for the list of those to retry.
    error: Mapped[str | None] = mapped_column(String(300))

    member: Mapped[SampleMember] = relationship()


class LetterBatch(db.Model):
    """The background job that lays out a mailing's letters as one PDF."""

    __tablename__ = "sample_letter_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    mailing_id: Mapped[int] = mapped_column(ForeignKey("sample_mailings.id", ondelete="CASCADE"),
                                            unique=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))

    mailing: Mapped[Mailing] = relationship()
