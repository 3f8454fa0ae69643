"""What the live screen shows: joined devices, the most agreed and most divisive statements,
and the dot-voting priorities, web votes and paper tallies added together; `live_payload`
words it in the page's language for the screen and its JSON.

Everything is read from the database on each call, so every app worker (and every
projector) shows the same figures; nothing is kept in process memory.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext

from dialog import queries, translated
from dialog.models import Event
from dialog.queries import StatementFigures
from surveys.survey.results import format_share

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
    figures = queries.statement_figures(event_id)
    # Only statements more agree with than disagree with count as agreement.
    agreed = sorted((f for f in figures if f.agree > f.disagree),
                    key=agreement_rank)
    divisive = sorted((f for f in figures if f.agree and f.disagree),
                      key=lambda f: (-division(f), -f.votes))
    priorities = sorted((f for f in figures if f.dots), key=lambda f: -f.dots)
    paper = sum(f.paper_votes for f in figures)
    return LiveBoard(
        joined=queries.participant_count(event_id),
        web_votes=sum(f.votes for f in figures) - paper, paper_votes=paper,
        statements=figures, most_agreed=agreed[:top], most_divisive=divisive[:top],
        priorities=priorities[:top])


# -- in words ------------------------------------------------------------------------------
def _votes_text(f: StatementFigures) -> str:
    """"12 agree · 3 disagree · 1 pass", with how many came from paper."""
    text = _("%(agree)s agree · %(disagree)s disagree · %(passed)s pass",
             agree=f.agree, disagree=f.disagree, passed=f.passed)
    if f.paper_votes:
        text += " " + ngettext("(%(num)s of them on paper)", "(%(num)s of them on paper)",
                               f.paper_votes)
    return text


def _dots_text(f: StatementFigures) -> str:
    text = ngettext("%(num)s point", "%(num)s points", f.dots)
    if f.paper_dots:
        text += " " + ngettext("(%(num)s of them on paper)", "(%(num)s of them on paper)",
                               f.paper_dots)
    return text


def _item(f: StatementFigures, kind: str, room_language: str) -> dict:
    """One statement of a list, its figures already worded in the page's language.

    `kind`: "agreed" and "all" lead with the agree share, "divisive" with agree and
    disagree shares, "dots" with the points. The text is in the room's main language once a
    translation is approved, with the original (`original`) beneath; else as written.
    """
    view = translated.shown(f.statement, room_language)
    written = view.main.language
    original = None
    if view.original is not None:
        first = view.original.language
        original = {"text": view.original.text, "lang": first.tag, "dir": first.direction}
    if kind == "dots":
        headline, detail = _dots_text(f), ""
    elif kind == "divisive":
        headline = _("%(agree)s agree, %(disagree)s disagree",
                     agree=format_share(agree_share(f)), disagree=format_share(disagree_share(f)))
        detail = _votes_text(f)
    else:
        headline, detail = _("%(share)s agree", share=format_share(agree_share(f))), _votes_text(f)
    return {"id": f.id, "text": view.main.text, "lang": written.tag, "dir": written.direction,
            "original": original,
            "headline": headline, "detail": detail, "agree": f.agree, "disagree": f.disagree,
            "pass": f.passed, "dots": f.dots, "paper_agree": f.paper_agree,
            "paper_disagree": f.paper_disagree, "paper_pass": f.paper_pass,
            "paper_dots": f.paper_dots, "from_paper": bool(f.paper_votes or f.paper_dots)}


def live_payload(event: Event) -> dict:
    """Everything the live screen shows, as JSON-ready data."""
    board = live_board(event.id)
    room = event.default_language
    return {
        "event": event.id, "join_code": event.join_code, "status": event.status.value,
        "joined": board.joined,
        "joined_text": ngettext("%(num)s has joined", "%(num)s have joined", board.joined),
        "votes": board.votes, "web_votes": board.web_votes, "paper_votes": board.paper_votes,
        "votes_text": ngettext("%(num)s vote", "%(num)s votes", board.votes) + (
            " " + ngettext("(%(num)s of them on paper)", "(%(num)s of them on paper)",
                           board.paper_votes) if board.paper_votes else ""),
        "most_agreed": [_item(f, "agreed", room) for f in board.most_agreed],
        "most_divisive": [_item(f, "divisive", room) for f in board.most_divisive],
        "priorities": [_item(f, "dots", room) for f in board.priorities],
        "statements": [_item(f, "all", room) for f in board.statements],
    }
