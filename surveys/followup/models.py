"""An organisation's indicator framework, its survey waves, cached values and API tokens.

Texts a resident may read (framework, focus area, goal and indicator titles) are stored per
language as {language code: text}, like survey texts. The indicator's computation is the
core's JSON form (`surveys.indicators.indicator_to_dict`), so what the app stores is exactly
what a notebook can rebuild.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime

from sqlalchemy import (
    JSON,
    Column,
    Double,
    ForeignKey,
    String,
    Table,
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
from surveys.survey.models import Survey

#: The focus areas the strategies name, in their usual order.
FOCUS_AREAS = ("work", "housing", "inclusion_trust", "health", "education_language",
               "influence")
#: Groupings a wave is broken down by: weighting variables or single-choice questions.
DEFAULT_GROUPINGS = ["born", "years_in_sweden", "gender", "age", "district"]
#: "Equal conditions" is measured by these gaps: (variable, minuend, subtrahend).
DEFAULT_GAPS = [["born", "utrikes", "inrikes"], ["gender", "kvinna", "man"]]
#: The public page's address part: lower-case letters, digits and hyphens.
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")
#: An indicator's stable key in the API and exports.
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
#: Most characters of an area's plain-language summary (about two pages).
SUMMARY_MAX_LENGTH = 6000
#: What `secrets.token_urlsafe` produces; anything else cannot be one of our tokens.
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,128}$")


#: Goals that follow an indicator besides the goal it was defined under: one indicator
#: (computed once, in its own framework's waves) serves goals of several frameworks.
goal_indicators = Table(
    "goal_indicators", db.metadata,
    Column("goal_id", ForeignKey("goals.id", ondelete="CASCADE"), primary_key=True),
    Column("indicator_id", ForeignKey("indicators.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


class Framework(db.Model):
    """A strategy or programme of an organisation: focus areas, goals, indicators, rules.

    An organisation holds several (the integration strategy, a social sustainability
    programme ...), each with its own goal tree, waves, rules, dashboards, report, public
    page and API address; goals reuse the organisation's indicators through
    `goal_indicators`. Its *default* framework keeps the follow-up's first addresses
    (/followup/, /followup/areas/...); the others' pages are under /followup/f/<slug>/.
    """

    __tablename__ = "indicator_frameworks"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: The organisation's main framework (exactly one per organisation that has any).
    is_default: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: Order in the list of the organisation's frameworks.
    position: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Set when the framework is no longer followed; everything in it is kept.
    archived_at: Mapped[datetime | None]
    #: The public page's address: /indicators/<slug>.
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[dict] = mapped_column(MutableDict.as_mutable(JSON), default=dict)
    #: Groups with fewer respondents than this are suppressed wherever figures leave the app.
    min_group_size: Mapped[int] = mapped_column(default=10)
    #: Estimates with a larger relative standard error are marked uncertain.
    max_rse: Mapped[float] = mapped_column(Double, default=0.30)
    groupings: Mapped[list] = mapped_column(MutableList.as_mutable(JSON),
                                            default=lambda: list(DEFAULT_GROUPINGS))
    gaps: Mapped[list] = mapped_column(MutableList.as_mutable(JSON),
                                       default=lambda: [list(g) for g in DEFAULT_GAPS])
    #: The public page shows the public indicators only when this is set.
    published: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation] = relationship()
    focus_areas: Mapped[list[FocusArea]] = relationship(
        back_populates="framework", order_by="FocusArea.position", cascade="all, delete-orphan")
    indicators: Mapped[list[IndicatorDefinition]] = relationship(
        back_populates="framework", order_by="IndicatorDefinition.position",
        cascade="all, delete-orphan")
    waves: Mapped[list[Wave]] = relationship(
        back_populates="framework", order_by="Wave.year", cascade="all, delete-orphan")

    def all_indicators(self) -> list[IndicatorDefinition]:
        """What the framework follows: its own indicators, then those of the organisation's
        other frameworks that its goals follow, each once, in goal order."""
        found = list(self.indicators)
        seen = {i.id for i in found}
        for area in self.focus_areas:
            for goal in area.goals:
                for linked in goal.linked_indicators:
                    if linked.id not in seen:
                        seen.add(linked.id)
                        found.append(linked)
        return found


class FocusArea(db.Model):
    """A focus area of the strategy, e.g. "inclusion and trust"."""

    __tablename__ = "focus_areas"
    __table_args__ = (UniqueConstraint("framework_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(
        ForeignKey("indicator_frameworks.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[dict] = mapped_column(MutableDict.as_mutable(JSON), default=dict)

    framework: Mapped[Framework] = relationship(back_populates="focus_areas")
    goals: Mapped[list[Goal]] = relationship(
        back_populates="focus_area", order_by="Goal.position", cascade="all, delete-orphan")


class Goal(db.Model):
    """A goal under a focus area; a goal with a parent is a sub-goal."""

    __tablename__ = "goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    focus_area_id: Mapped[int] = mapped_column(
        ForeignKey("focus_areas.id", ondelete="CASCADE"), index=True)
    #: The goal this one is a sub-goal of; sub-goals nest to any depth, never in a circle.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"),
                                                  index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[dict] = mapped_column(MutableDict.as_mutable(JSON), default=dict)
    #: Set when the goal is no longer pursued; its indicators and actions are kept.
    archived_at: Mapped[datetime | None]

    focus_area: Mapped[FocusArea] = relationship(back_populates="goals", lazy="selectin")
    parent: Mapped[Goal | None] = relationship(remote_side=[id])
    #: Indicators defined under this goal.
    indicators: Mapped[list[IndicatorDefinition]] = relationship(
        back_populates="goal", order_by="IndicatorDefinition.position")
    #: Indicators of the organisation (of any of its frameworks) this goal follows too.
    linked_indicators: Mapped[list[IndicatorDefinition]] = relationship(
        secondary=goal_indicators, order_by="IndicatorDefinition.position")

    def all_indicators(self) -> list[IndicatorDefinition]:
        """Its own indicators, then the ones it reuses."""
        return [*self.indicators, *(i for i in self.linked_indicators
                                    if i.goal_id != self.id)]


class IndicatorDefinition(db.Model):
    """One indicator: its titles, where it sits, and how it is computed."""

    __tablename__ = "indicators"
    __table_args__ = (UniqueConstraint("framework_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(
        ForeignKey("indicator_frameworks.id", ondelete="CASCADE"), index=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[dict] = mapped_column(MutableDict.as_mutable(JSON), default=dict)
    #: What the value means, e.g. "share answering 7-10 on a 0-10 scale".
    description: Mapped[dict] = mapped_column(MutableDict.as_mutable(JSON), default=dict)
    #: `surveys.indicators.indicator_to_dict` of the computation.
    definition: Mapped[dict] = mapped_column(MutableDict.as_mutable(JSON))
    #: Register indicators: {"values": {year: value}, "source", "label", "unit", "updated"}.
    register_series: Mapped[dict | None] = mapped_column(MutableDict.as_mutable(JSON))
    #: Shown on the public page and open in the API without a token.
    public: Mapped[bool] = mapped_column(default=False)

    framework: Mapped[Framework] = relationship(back_populates="indicators")
    # every page groups indicators by goal and focus area: load them with the list
    goal: Mapped[Goal] = relationship(back_populates="indicators", lazy="selectin")

    @property
    def kind(self) -> str:
        """"share", "mean", "index" or "register"."""
        return self.definition["kind"]


class Wave(db.Model):
    """A survey counted as the framework's wave of one year.

    Each framework links its own waves (one survey may be a wave of several frameworks),
    so its figures follow its own groupings, gaps and disclosure rules.
    """

    __tablename__ = "indicator_waves"
    __table_args__ = (UniqueConstraint("framework_id", "year"),
                      UniqueConstraint("framework_id", "survey_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(
        ForeignKey("indicator_frameworks.id", ondelete="CASCADE"), index=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"),
                                           index=True)
    year: Mapped[int]

    framework: Mapped[Framework] = relationship(back_populates="waves")
    survey: Mapped[Survey] = relationship()


class IndicatorValue(db.Model):
    """The computed figures of one indicator in one wave, kept until their inputs change.

    `fingerprint` hashes everything the figures depend on (the approved run and its input,
    the definition, the groupings, gaps and disclosure rules): a value whose fingerprint no
    longer matches is recomputed, so every worker sees the same numbers.
    """

    __tablename__ = "indicator_values"
    __table_args__ = (UniqueConstraint("indicator_id", "wave_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"))
    wave_id: Mapped[int] = mapped_column(ForeignKey("indicator_waves.id", ondelete="CASCADE"),
                                         index=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("weighting_runs.id", ondelete="CASCADE"),
                                        index=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    #: `surveys.indicators.WaveResult.to_dict()`; None when the figures could not be computed.
    result: Mapped[dict | None] = mapped_column(JSON)
    #: Why not, as {"code", "details"} (a question the wave lacks, an invalid gap, ...).
    problem: Mapped[dict | None] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)


class AreaSummary(db.Model):
    """An analyst's plain-language summary of a focus area in one year's report, in one
    language: the report opens the area with it."""

    __tablename__ = "area_summaries"
    __table_args__ = (UniqueConstraint("focus_area_id", "year", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    focus_area_id: Mapped[int] = mapped_column(
        ForeignKey("focus_areas.id", ondelete="CASCADE"), index=True)
    year: Mapped[int]
    #: A content language code (`surveys.core.i18n.LANGUAGES`), also "sv-ll".
    language: Mapped[str] = mapped_column(String(10))
    #: Plain text; paragraphs are separated by blank lines.
    text: Mapped[str] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    focus_area: Mapped[FocusArea] = relationship()
    updated_by: Mapped[User | None] = relationship()


class ApiToken(db.Model):
    """A secret that lets a program read an organisation's non-public indicators.

    Only the SHA-256 of the token is stored; the token itself is shown once.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    revoked_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship()

    @staticmethod
    def hash_of(secret: str) -> str:
        """The stored form of a token's secret."""
        return hashlib.sha256(secret.encode("ascii")).hexdigest()


class ComparisonSettings(db.Model):
    """Whom a framework's indicators are compared with, and whether it shares its own.

    Register indicators are compared with the organisation's county, Sweden and a Kolada
    municipality group (e.g. "similar municipalities"); survey indicators with the same
    public indicators of other organisations' frameworks that share theirs.
    """

    __tablename__ = "comparison_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(
        ForeignKey("indicator_frameworks.id", ondelete="CASCADE"), unique=True)
    #: Kolada's id of the comparison group (G and digits), its title and members as fetched.
    group_id: Mapped[str | None] = mapped_column(String(20))
    group_title: Mapped[str | None] = mapped_column(String(300))
    group_members: Mapped[list] = mapped_column(MutableList.as_mutable(JSON), default=list)
    #: Show each member of the group, not only the group's mean.
    show_members: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: Other organisations on the platform may compare with this framework's public
    #: survey indicators (and only then see theirs).
    share_survey: Mapped[bool] = mapped_column(default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class RegisterComparison(db.Model):
    """A register indicator's Kolada KPI and the values last fetched for it.

    `areas` is what Kolada answered, kept so that pages never fetch:
    [{"code", "name", "role": own|county|country|group|member, "values": {year: value}}].
    """

    __tablename__ = "register_comparisons"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"),
                                              unique=True)
    kpi: Mapped[str] = mapped_column(String(20))
    #: T (everyone), K (women) or M (men).
    gender: Mapped[str] = mapped_column(String(1), default="T", server_default="T")
    kpi_title: Mapped[str | None] = mapped_column(String(500))
    areas: Mapped[list] = mapped_column(MutableList.as_mutable(JSON), default=list)
    #: Why the last fetch failed or what it lacked: [{"code", "details"}].
    problems: Mapped[list] = mapped_column(MutableList.as_mutable(JSON), default=list)
    fetched_at: Mapped[datetime | None]

    indicator: Mapped[IndicatorDefinition] = relationship()
