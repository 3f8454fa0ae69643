"""What the live screen shows: joined devices, the most agreed and most divisive statements,
and the dot-voting priorities, web votes and paper tallies added together.

Everything is read from the database on each call, so every app worker (and every
projector) shows the same figures; nothing is kept in process memory.
"""

from __future__ import annotations

from dataclasses import dataclass

from dialog import service
from dialog.service import StatementFigures

#: Statements in each list on the screen.
TOP = 5


def agree_share(f: StatementFigures) -> float | None:
    """Agree votes among all votes (pass included); None without votes."""
    return f.agree / f.votes if f.votes else None


def disagree_share(f: StatementFigures) -> float | None:
    return f.disagree / f.votes if f.votes else None


def division(f: StatementFigures) -> float:
    """How evenly the room splits: twice the smaller of agree and disagree over all votes.

    1 when half agree and half disagree, 0 when nobody is on one of the two sides.
    """
    return 2 * min(f.agree, f.disagree) / f.votes if f.votes else 0.0


def agreement_rank(f: StatementFigures) -> tuple[float, int]:
    # Smoothed like Pol.is' (1 + A) / (2 + S), so one agree vote alone does not top the list.
    return -(1 + f.agree) / (2 + f.votes), -f.votes


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


def live_board(event_id: int, top: int = TOP) -> LiveBoard:
    """The live screen's figures for an event, fresh from the database."""
    figures = service.statement_figures(event_id)
    # Only statements more agree with than disagree with count as agreement.
    agreed = sorted((f for f in figures if f.agree > f.disagree),
                    key=agreement_rank)
    divisive = sorted((f for f in figures if f.agree and f.disagree),
                      key=lambda f: (-division(f), -f.votes))
    priorities = sorted((f for f in figures if f.dots), key=lambda f: -f.dots)
    paper = sum(f.paper_votes for f in figures)
    return LiveBoard(
        joined=service.participant_count(event_id),
        web_votes=sum(f.votes for f in figures) - paper, paper_votes=paper,
        statements=figures, most_agreed=agreed[:top], most_divisive=divisive[:top],
        priorities=priorities[:top])
