"""Which of a dialogue's published figures to withhold so that no small group can be worked out.

Flask-free: the "what we heard" page, its PDF and the room panel call these where they put
a breakdown together, and each is one :func:`surveys.indicators.disclosure.protect_breakdown`
(see there for the rule and what an attacker is assumed to know) per breakdown:

* **opinion group sizes** against the number of participants who voted (those not grouped
  are the respondents without a group);
* **group shares on a statement** (a group's share agreeing, or disagreeing, with it)
  against the statement's published counts: the group's votes on it are the cell, the
  paper votes and the votes of people in no group the rest;
* **room counts** of one check-in question against the number who answered it.

A withheld figure gets the reason ``SMALL_GROUP`` (fewer than the threshold) or
``COMPLEMENT`` (withheld so that a small one cannot be worked out).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import pandas as pd

from surveys.indicators.disclosure import COMPLEMENT, SMALL_GROUP, Cell, protect_breakdown

__all__ = ["COMPLEMENT", "SMALL_GROUP", "counts", "group_shares"]


def counts(total: int, cells: Sequence[int], min_n: int) -> tuple[str | None, ...]:
    """Reasons to withhold each count of a breakdown whose total is published."""
    if total < sum(cells):  # cannot happen with consistent data: withhold every small one
        return tuple(SMALL_GROUP if 0 < n < min_n else None for n in cells)
    return protect_breakdown(Cell(total), [Cell(n) for n in cells], min_n).reasons


def group_shares(
    group_votes: pd.DataFrame,
    totals: Mapping[Hashable, tuple[int, int, int]],
    min_n: int,
) -> dict[tuple[int, Hashable, str], str]:
    """(group, statement, direction) -> why that group's share is withheld.

    ``group_votes`` is :attr:`dialog.opinion.OpinionResult.group_votes` (group, statement,
    agree, disagree, seen); ``totals`` gives each statement's published (votes, agree,
    disagree), paper included. Directions are "agree" and "disagree"; statements missing
    from ``totals`` are not published and left out.
    """
    withheld: dict[tuple[int, Hashable, str], str] = {}
    for statement, rows in group_votes.groupby("statement", sort=False):
        if statement not in totals:
            continue
        votes, *published = totals[statement]
        seen = [int(x) for x in rows["seen"]]
        for direction, in_total in zip(("agree", "disagree"), published, strict=True):
            some = [int(x) for x in rows[direction]]
            if votes < sum(seen):  # inconsistent counts: withhold every group's share
                reasons: Sequence[str | None] = [SMALL_GROUP] * len(seen)
            else:
                reasons = protect_breakdown(
                    Cell(votes, votes - in_total, in_total),
                    [Cell(n, n - k, k) for n, k in zip(seen, some, strict=True)],
                    min_n).reasons
            for group, reason in zip(rows["group"], reasons, strict=True):
                if reason is not None:
                    withheld[(int(group), statement, direction)] = reason
    return withheld
