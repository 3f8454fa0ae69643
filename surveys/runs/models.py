"""Population margins, weighting schemes, weighting runs and their weights.

A margin set is imported once and never edited, so a run that names it names its exact
margins; a run also keeps a snapshot of the mapping and the settings it used, and the
SHA-256 of its input table, so it can be reproduced bit for bit.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Double,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.ext.mutable import MutableDict
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveys.auth.models import Organisation, User
from surveys.core.time import utcnow
from surveys.extensions import db
from surveys.survey.models import Survey

#: Weighting methods a run may use: the engine's rake and poststratify, and calibrate's three.
METHODS = ("rake", "poststratify", "linear", "raking", "logit")


class MarginSet(db.Model):
    """Population counts per variable and category, e.g. SCB's population by age and sex."""

    __tablename__ = "margin_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: What the analyst calls it, e.g. "Befolkning 31 dec 2025".
    name: Mapped[str] = mapped_column(String(200))
    #: Where the numbers come from, e.g. "SCB, Statistikdatabasen, tabell BE0101N1".
    source: Mapped[str] = mapped_column(String(500))
    #: The day the population was counted (SCB: 31 December of the year).
    reference_date: Mapped[date]
    #: "csv" or "json-stat": the format of the imported file.
    file_format: Mapped[str] = mapped_column(String(20))
    #: What the import did beyond copying numbers (codes mapped, ages left out), as JSON.
    notes: Mapped[dict] = mapped_column(MutableDict.as_mutable(JSON), default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())

    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship()
    rows: Mapped[list[MarginRow]] = relationship(
        back_populates="margin_set", order_by="MarginRow.position", cascade="all, delete-orphan"
    )

    def variables(self) -> list[str]:
        """Variable names in the order of the file."""
        return list(dict.fromkeys(row.variable for row in self.rows))

    def totals(self) -> dict[str, float]:
        """Population total per variable (they should all be equal)."""
        totals: dict[str, float] = {}
        for row in self.rows:
            totals[row.variable] = totals.get(row.variable, 0.0) + row.population_count
        return totals


class MarginRow(db.Model):
    """One population category: how many people of the variable's category live there."""

    __tablename__ = "margin_rows"
    __table_args__ = (
        UniqueConstraint("margin_set_id", "variable", "category"),
        CheckConstraint("population_count >= 0", name="population_count_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    margin_set_id: Mapped[int] = mapped_column(
        ForeignKey("margin_sets.id", ondelete="CASCADE"), index=True
    )
    #: 0-based order within the set: variables and categories as in the file.
    position: Mapped[int]
    #: Weighting variable, e.g. "age"; the survey's mapping produces the same names.
    variable: Mapped[str] = mapped_column(String(80))
    #: Category label, e.g. "16-29" or "kvinna".
    category: Mapped[str] = mapped_column(String(200))
    population_count: Mapped[float] = mapped_column(Double)

    margin_set: Mapped[MarginSet] = relationship(back_populates="rows")


class PopulationTable(db.Model):
    """A table read from a file or fetched from SCB, kept while the analyst maps its codes."""

    __tablename__ = "population_tables"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: Where it came from: the file's name, or SCB's table id and query.
    origin: Mapped[str] = mapped_column(String(500))
    #: The table as JSON-stat 2.0 (`surveys.core.jsonstat.Dataset.to_dict`).
    data: Mapped[dict] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())


class CodeList(db.Model):
    """How an organisation maps one dimension's codes (e.g. Region -> districts), saved when
    a table is mapped and offered for the next table with that dimension."""

    __tablename__ = "code_lists"
    __table_args__ = (UniqueConstraint("organisation_id", "dimension"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    #: The dimension id folded to a-z and digits, e.g. "alder", "region".
    dimension: Mapped[str] = mapped_column(String(100))
    #: The margin variable it becomes, e.g. "district"; empty when not used.
    variable: Mapped[str] = mapped_column(String(80))
    #: code -> category ("" for left out), every code mapped so far.
    categories: Mapped[dict] = mapped_column(MutableDict.as_mutable(JSON), default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class WeightingScheme(db.Model):
    """How one survey's answers become weighting categories (see `surveys.runs.mapping`)."""

    __tablename__ = "weighting_schemes"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        ForeignKey("surveys.id", ondelete="CASCADE"), unique=True
    )
    #: {"reference_year": int | null, "variables": [{name, question, kind, ...}, ...]}.
    mapping: Mapped[dict] = mapped_column(MutableDict.as_mutable(JSON))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    survey: Mapped[Survey] = relationship()


class WeightingRun(db.Model):
    """One weighting of a survey wave: its inputs, settings, outcome and, if it worked, weights."""

    __tablename__ = "weighting_runs"
    __table_args__ = (Index("ix_weighting_runs_survey_approved", "survey_id", "approved_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    margin_set_id: Mapped[int] = mapped_column(ForeignKey("margin_sets.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    #: method, variables, bounds, epsilon, max_iter, trim_lower/upper/strict, missing, unknown,
    #: collapse: everything the engine was called with (see `surveys.runs.weighing.RunSettings`).
    settings: Mapped[dict] = mapped_column(JSON)
    #: The survey's mapping as it was when the run was made.
    mapping: Mapped[dict] = mapped_column(JSON)
    #: SHA-256 (hex) of the exact input: respondents' categories and the margins.
    input_hash: Mapped[str] = mapped_column(String(64))
    #: Completed responses weighted.
    n_respondents: Mapped[int] = mapped_column(default=0)
    converged: Mapped[bool] = mapped_column(default=False)
    iterations: Mapped[int] = mapped_column(default=0)
    #: The engine's Diagnostics.to_dict(), null when the run failed.
    diagnostics: Mapped[dict | None] = mapped_column(JSON)
    #: Weighted estimates of the trust items, overall and by each mapped variable.
    estimates: Mapped[dict | None] = mapped_column(JSON)
    #: The WeightingError as {"code", "message", "details"}, null when the run worked.
    error: Mapped[dict | None] = mapped_column(JSON)
    #: Set on the one run per survey that indicators and exports use.
    approved_at: Mapped[datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    survey: Mapped[Survey] = relationship()
    margin_set: Mapped[MarginSet] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])

    @property
    def failed(self) -> bool:
        """True when the engine refused the input (see `error`)."""
        return self.error is not None

    @property
    def margins_met(self) -> bool:
        """False when the weights miss a margin they should meet (see `weighing.unmet_margins`)."""
        warnings = (self.diagnostics or {}).get("warnings", [])
        return not any(w.get("code") == "margins_not_met" for w in warnings)

    @property
    def approvable(self) -> bool:
        """Only a run whose weights converged and meet the margins may become the official one."""
        return not self.failed and self.converged and self.margins_met


class RunWeight(db.Model):
    """The weight of one completed response in one run."""

    __tablename__ = "run_weights"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("weighting_runs.id", ondelete="CASCADE"), primary_key=True
    )
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    weight: Mapped[float] = mapped_column(Double)
