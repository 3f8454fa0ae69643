"""Survey definitions and responses.

Every text a resident reads is a *localized text*: a JSON object mapping a language
code to the text in that language, e.g. ``{"sv": "Välkommen", "ar": "أهلاً"}``.
"""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass
from datetime import datetime
from itertools import chain

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Enum,
    ForeignKey,
    String,
    UniqueConstraint,
    event,
    func,
)
from sqlalchemy.ext.mutable import MutableDict, MutableList
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from surveys.auth.models import Organisation
from surveys.core.i18n import LANGUAGES, TAG_MAX, language
from surveys.core.time import utcnow
from surveys.extensions import db
from surveys.survey.questions import QuestionType, question_type

LocalizedText = MutableDict.as_mutable(JSON)

#: Resume codes avoid characters that look alike (0/O, 1/I/L, 2/Z, 5/S, 8/B).
RESUME_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
RESUME_LENGTH = 8


def format_resume_code(code: str) -> str:
    """Show a resume code in two groups, e.g. ``K7MP-2QXD``."""
    return f"{code[:4]}-{code[4:]}"


def normalise_resume_code(text: str) -> str:
    """What the resident typed, without spaces, hyphens or case."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def new_definition_version() -> str:
    """A version name no earlier definition of any survey had (ids may be reused)."""
    return secrets.token_hex(8)


class SurveyStatus(enum.Enum):
    """Life cycle of a survey."""

    draft = "draft"
    open = "open"
    closed = "closed"


class Channel(enum.Enum):
    """How a response reached us."""

    web = "web"  #: the resident answered on a phone or computer
    paper = "paper"  #: staff typed in a paper questionnaire
    interview = "interview"  #: staff recorded an interview


class SurveyRules:
    """What a survey's own columns decide, for the model and for `SurveyRow` alike."""

    def title(self, lang: str) -> str:
        """The title in `lang`, or in the default language when missing."""
        titles = self.texts.get("title", {})
        return titles.get(lang) or titles.get(self.default_language, self.slug)

    def interface_locale(self, lang: str) -> str:
        """The interface locale around content in `lang`: its own if it has one, else the
        author's choice, else the language's usual one (Persian for Dari, else Swedish)."""
        if lang in LANGUAGES:
            return LANGUAGES[lang].ui_locale
        return (self.interface_languages or {}).get(lang) or language(lang).ui_locale

    def accepts_answers(self, now: datetime | None = None) -> bool:
        """True while residents may answer."""
        now = now or utcnow()
        return (
            self.status is SurveyStatus.open
            and (self.opens_at is None or self.opens_at <= now)
            and (self.closes_at is None or now < self.closes_at)
        )

    def not_yet_open(self, now: datetime | None = None) -> bool:
        """True for an open survey whose opening time lies ahead."""
        now = now or utcnow()
        return self.status is SurveyStatus.open and self.opens_at is not None and now < self.opens_at


class Survey(SurveyRules, db.Model):
    """A questionnaire owned by one organisation, answered at ``/s/<slug>``."""

    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: Public address part: lower-case letters, digits and hyphens.
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    status: Mapped[SurveyStatus] = mapped_column(
        Enum(SurveyStatus, name="survey_status", native_enum=False, length=10),
        default=SurveyStatus.draft,
    )
    #: Answers are accepted from this time (UTC), if set.
    opens_at: Mapped[datetime | None]
    #: Answers are refused from this time (UTC), if set.
    closes_at: Mapped[datetime | None]
    #: BCP 47 tag of the language the survey is written in first.
    default_language: Mapped[str] = mapped_column(String(TAG_MAX))
    #: Every language the survey is offered in (BCP 47 tags), the default language first.
    languages: Mapped[list[str]] = mapped_column(MutableList.as_mutable(JSON))
    #: For content languages without an interface of their own (Finnish, Sorani ...): the
    #: interface locale shown around their texts, e.g. {"fi": "sv", "ckb": "en"}.
    interface_languages: Mapped[dict] = mapped_column(
        MutableDict.as_mutable(JSON), default=dict, server_default="{}")
    #: Localized texts of the survey itself: title, intro, consent, thanks.
    texts: Mapped[dict] = mapped_column(LocalizedText, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    #: Changes with every change of a page or question (texts, translations, recordings
    #: included): answering pages keep the definition per version (`published.py`).
    definition_version: Mapped[str] = mapped_column(
        String(16), default=new_definition_version, server_default="0")

    organisation: Mapped[Organisation] = relationship()
    pages: Mapped[list[Page]] = relationship(
        back_populates="survey", order_by="Page.position", cascade="all, delete-orphan"
    )

    def questions(self) -> list[Question]:
        """All questions in survey order."""
        return [q for page in self.pages for q in page.questions]


@dataclass(frozen=True, eq=False)
class SurveyRow(SurveyRules):
    """A survey's own columns as the answering pages read them: a plain value, no session
    and no lazy loads (its pages and questions: `published.SurveyDefinition`). Field names
    are column names (`queries` selects them by name)."""

    id: int
    organisation_id: int
    slug: str
    status: SurveyStatus
    opens_at: datetime | None
    closes_at: datetime | None
    default_language: str
    languages: list[str]
    interface_languages: dict | None
    texts: dict
    definition_version: str


class Page(db.Model):
    """One screen of questions."""

    __tablename__ = "survey_pages"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    #: 0-based order within the survey.
    position: Mapped[int]
    #: Optional localized page heading.
    title: Mapped[dict] = mapped_column(LocalizedText, default=dict)

    survey: Mapped[Survey] = relationship(back_populates="pages")
    questions: Mapped[list[Question]] = relationship(
        back_populates="page", order_by="Question.position", cascade="all, delete-orphan"
    )


class Question(db.Model):
    """A question; its `type` names a class in `surveys.survey.questions` that owns its
    behaviour."""

    __tablename__ = "survey_questions"
    __table_args__ = (UniqueConstraint("survey_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("survey_pages.id", ondelete="CASCADE"), index=True)
    #: 0-based order within the page.
    position: Mapped[int]
    #: Stable name used in exports, conditions and translations, e.g. "trust_people".
    key: Mapped[str] = mapped_column(String(40))
    #: Question type name, see `surveys.survey.questions.QUESTION_TYPES`.
    type: Mapped[str] = mapped_column(String(30))
    required: Mapped[bool] = mapped_column(default=False)
    text: Mapped[dict] = mapped_column(LocalizedText, default=dict)
    #: Optional localized help text shown under the question.
    help: Mapped[dict] = mapped_column(LocalizedText, default=dict)
    #: Type-specific settings (options, scale ends, limits ...), localized where shown.
    settings: Mapped[dict] = mapped_column(MutableDict.as_mutable(JSON), default=dict)
    #: Show only when an earlier answer is in a set: {"question": key, "values": [...]}.
    condition: Mapped[dict | None] = mapped_column(JSON)
    #: Recorded readings of the question per language: {lang: {"sha256", "type", "size"}};
    #: the files are in AUDIO_DIR, named by their SHA-256 (see `surveys.survey.audio`).
    audio: Mapped[dict] = mapped_column(MutableDict.as_mutable(JSON), default=dict,
                                        server_default="{}")

    page: Mapped[Page] = relationship(back_populates="questions")
    survey: Mapped[Survey] = relationship()

    @property
    def kind(self) -> QuestionType:
        """The question type object that owns this question's behaviour."""
        return question_type(self.type)


@event.listens_for(Session, "before_flush")
def _new_definition_version(session: Session, _context, _instances) -> None:
    """Give a survey a new definition version when one of its pages or questions changes."""
    surveys = set()
    with session.no_autoflush:
        for item in chain(session.new, session.dirty, session.deleted):
            if not isinstance(item, Page | Question):
                continue
            if item in session.dirty and not session.is_modified(item):
                continue
            # A new page knows its survey only by the relationship; a removed one by its id.
            survey = item.__dict__.get("survey")
            if survey is None and item.survey_id is not None:
                survey = session.get(Survey, item.survey_id)
            if survey is not None and survey not in session.new:
                surveys.add(survey)
    for survey in surveys:
        survey.definition_version = new_definition_version()


class Response(db.Model):
    """One resident's (or one paper form's) answers to a survey.

    Deliberately holds no IP address, user agent or account: only the random
    token kept in the resident's cookie and the short resume code shown to them.
    """

    __tablename__ = "responses"
    __table_args__ = (
        UniqueConstraint("survey_id", "resume_code"),
        CheckConstraint("current_page >= 0", name="current_page_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    #: Random secret in the resident's session cookie.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    #: Short code the resident can type on another device to resume.
    resume_code: Mapped[str] = mapped_column(String(12))
    language: Mapped[str] = mapped_column(String(TAG_MAX))
    channel: Mapped[Channel] = mapped_column(
        Enum(Channel, name="response_channel", native_enum=False, length=10), default=Channel.web
    )
    #: Staff member who typed in a paper or interview response.
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: Index of the page the resident is on (0-based, over all pages).
    current_page: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    completed_at: Mapped[datetime | None]

    survey: Mapped[Survey] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )


@dataclass(frozen=True, eq=False)
class ResponseRow:
    """A response's own columns as the answering pages read them (names are column names)."""

    id: int
    survey_id: int
    token: str
    resume_code: str
    language: str
    channel: Channel
    current_page: int
    completed_at: datetime | None


class Answer(db.Model):
    """The answer to one question in one response; at most one per pair."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("response_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("survey_questions.id", ondelete="CASCADE"), index=True
    )
    #: The value in the form its question type defines (code, number, list, mapping, text).
    value: Mapped[object] = mapped_column(JSON)

    response: Mapped[Response] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()
