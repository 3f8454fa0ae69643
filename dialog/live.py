"""What the live screen shows: joined devices, the most agreed and most divisive statements,
and the dot-voting priorities, web votes and paper tallies added together.

Everything is read from the database on each call, so every app worker (and every
projector) shows the same figures; nothing is kept in process memory.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from dialog import service
from dialog.models import Statement, StatementStatus
from surveys.extensions import db

#: Statements in each list on the screen.
TOP = 5


@dataclass(frozen=True)
class StatementFigures:
    """One visible statement's counts: web and paper together, paper also on its own."""

    id: int
    text: str
    #: The language the statement was written in.
    language: str
    agree: int
    disagree: int
    passed: int
    dots: int
    #: Of the counts above, how many came from paper tallies.
    paper_agree: int
    paper_disagree: int
    paper_pass: int
    paper_dots: int

    @property
    def votes(self) -> int:
        """Agree, disagree and pass, web and paper."""
        return self.agree + self.disagree + self.passed

    @property
    def paper_votes(self) -> int:
        return self.paper_agree + self.paper_disagree + self.paper_pass

    @property
    def agree_share(self) -> float | None:
        """Agree votes among all votes (pass included); None without votes."""
        return self.agree / self.votes if self.votes else None

    @property
    def disagree_share(self) -> float | None:
        return self.disagree / self.votes if self.votes else None

    @property
    def division(self) -> float:
        """How evenly the room splits: twice the smaller of agree and disagree over all votes.

        1 when half agree and half disagree, 0 when nobody is on one of the two sides.
        """
        return 2 * min(self.agree, self.disagree) / self.votes if self.votes else 0.0

    def agreement_rank(self) -> tuple[float, int]:
        # Smoothed like Pol.is' (1 + A) / (2 + S), so one agree vote alone does not top the list.
        return -(1 + self.agree) / (2 + self.votes), -self.votes


@dataclass(frozen=True)
class LiveBoard:
    """Everything on the live screen at one moment."""

    joined: int
    #: Web votes and paper votes over all visible statements.
    web_votes: int
    paper_votes: int
    statements: list[StatementFigures]
    most_agreed: list[StatementFigures]
    most_divisive: list[StatementFigures]
    priorities: list[StatementFigures]

    @property
    def votes(self) -> int:
        return self.web_votes + self.paper_votes


def statement_figures(event_id: int) -> list[StatementFigures]:
    """Every visible statement of the event with its combined counts, oldest first."""
    visible = db.session.execute(
        select(Statement.id, Statement.text, Statement.language)
        .where(Statement.event_id == event_id, Statement.status == StatementStatus.visible)
        .order_by(Statement.id)).all()
    # counted after listing, so a statement approved in between has its row
    counts = service.statement_counts(event_id)
    figures = []
    for statement_id, text, language in visible:
        c = counts.loc[statement_id]
        figures.append(StatementFigures(
            id=statement_id, text=text, language=language,
            agree=int(c["agree"] + c["paper_agree"]),
            disagree=int(c["disagree"] + c["paper_disagree"]),
            passed=int(c["pass"] + c["paper_pass"]), dots=int(c["dots"] + c["paper_dots"]),
            paper_agree=int(c["paper_agree"]), paper_disagree=int(c["paper_disagree"]),
            paper_pass=int(c["paper_pass"]), paper_dots=int(c["paper_dots"])))
    return figures


def live_board(event_id: int, top: int = TOP) -> LiveBoard:
    """The live screen's figures for an event, fresh from the database."""
    figures = statement_figures(event_id)
    # Only statements more agree with than disagree with count as agreement.
    agreed = sorted((f for f in figures if f.agree > f.disagree),
                    key=StatementFigures.agreement_rank)
    divisive = sorted((f for f in figures if f.agree and f.disagree),
                      key=lambda f: (-f.division, -f.votes))
    priorities = sorted((f for f in figures if f.dots), key=lambda f: -f.dots)
    paper = sum(f.paper_votes for f in figures)
    return LiveBoard(
        joined=service.participant_count(event_id),
        web_votes=sum(f.votes for f in figures) - paper, paper_votes=paper,
        statements=figures, most_agreed=agreed[:top], most_divisive=divisive[:top],
        priorities=priorities[:top])
