"""Opinion groups of an event, ready to show: `dialog.opinion.analyse` on its votes.

The analysis itself is `dialog.opinion` (Flask-free, the Pol.is method); this module feeds
it the event's vote matrix and turns its result into rows for tables and the opinion map,
with each group's *actual* agree shares (agree votes over votes seen in the group) beside
the statements.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dialog import opinion, queries
from dialog.charts import OpinionMap, opinion_map, shape_of
from dialog.models import Statement

#: Consensus and divisive statements listed.
TOP = 5


@dataclass(frozen=True)
class Share:
    """Agree votes among the votes a group cast on a statement."""

    agree: int
    seen: int

    @property
    def value(self) -> float | None:
        return self.agree / self.seen if self.seen else None


@dataclass
class RepresentativeRow:
    statement: Statement
    #: "agree" or "disagree": how the group stands apart.
    direction: str
    share: Share
    #: Agree share of everyone outside the group.
    others: Share


@dataclass
class GroupRow:
    id: int
    size: int
    shape: str
    representative: list[RepresentativeRow]

    @property
    def number(self) -> int:
        """1-based, for people: group 1 is the largest."""
        return self.id + 1


@dataclass
class RankedRow:
    """A consensus or divisive statement with each group's agree share."""

    statement: Statement
    rank: int
    shares: list[Share]


@dataclass
class GroupsReport:
    #: "ok", or why there are no groups: "no_votes", "too_few_participants", "no_differences".
    status: str
    voters: int
    in_conversation: int
    min_votes: int
    groups: list[GroupRow]
    consensus: list[RankedRow]
    divisive: list[RankedRow]
    map: OpinionMap | None
    #: Participants on the map per group id, for the chart's description.
    explained_variance: tuple[float, float]


def _shares(group_votes: pd.DataFrame) -> dict[tuple[int, object], Share]:
    return {(int(r.group), r.statement): Share(int(r.agree), int(r.seen))
            for r in group_votes.itertuples(index=False)}


def _others(shares: dict[tuple[int, object], Share], group: int, statement, k: int) -> Share:
    rest = [shares[(g, statement)] for g in range(k) if g != group]
    return Share(sum(s.agree for s in rest), sum(s.seen for s in rest))


def groups_report(event_id: int, min_votes: int = opinion.MIN_VOTES, top: int = TOP
                  ) -> GroupsReport:
    """Run the analysis on the event's votes (hidden statements moderated out)."""
    matrix = queries.vote_matrix(event_id)
    if matrix.empty or matrix.notna().sum().sum() == 0:
        return GroupsReport("no_votes", len(matrix), 0, min_votes, [], [], [], None, (0.0, 0.0))
    result = queries.opinion_result(event_id, min_votes, votes=matrix)
    texts = {s.id: s for s in queries.event_statements(event_id)}
    shares = _shares(result.group_votes)
    k = result.k
    groups = [GroupRow(
        id=g.id, size=g.size, shape=shape_of(g.id),
        representative=[RepresentativeRow(texts[r.statement], r.direction,
                                          shares[(g.id, r.statement)],
                                          _others(shares, g.id, r.statement, k))
                        for r in g.representative])
        for g in result.groups]

    def ranked(items) -> list[RankedRow]:
        return [RankedRow(texts[c.statement], c.rank,
                          [shares[(g, c.statement)] for g in range(k)])
                for c in items[:top]]

    grouped = result.projection[result.projection["in_conversation"]]
    points = [(float(r.x), float(r.y), int(r.group)) for r in grouped.itertuples()
              if not pd.isna(r.group)]
    return GroupsReport(
        status=result.status, voters=len(result.participant_groups),
        in_conversation=result.n_in_conversation, min_votes=min_votes, groups=groups,
        consensus=ranked(result.consensus) if k else [], divisive=ranked(result.divisive),
        map=opinion_map(points) if k else None, explained_variance=result.explained_variance)
