"""Results by language: how the participants of each language voted on each statement, and
the *bridging* statements that every language group agrees with.

A participant's language is the one they chose for the event. A language group takes part
in the comparison when at least `MIN_VOTES` of its participants voted. A statement bridges
when there are two groups or more and in every one at least `MIN_VOTES` voted on it and at
least `BRIDGING_SHARE` of those agreed. Paper votes have no language and are left out.

Small cells: a group's share on a statement is published only when `MIN_VOTES` of it voted
on it, and, like the opinion groups' shares, another is withheld where a small one could be
worked out from the statement's published totals (`dialog.disclosure.group_shares`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dialog import disclosure
from dialog.queries import MIN_VOTES_SHOWN, StatementFigures

MIN_VOTES = MIN_VOTES_SHOWN
BRIDGING_SHARE = 0.6


@dataclass(frozen=True)
class LanguageShare:
    """One language group on one statement."""

    language: str
    #: Votes of the group on the statement (agree, disagree and pass).
    votes: int
    agree: int
    #: Why the share is not published: "small_group" or "complement"; None: published.
    withheld: str | None

    @property
    def share(self) -> float | None:
        return None if self.withheld or not self.votes else self.agree / self.votes


@dataclass(frozen=True)
class StatementByLanguage:
    figures: StatementFigures
    shares: list[LanguageShare]

    @property
    def bridging(self) -> bool:
        """Every language group agrees: at least two groups, each with enough votes."""
        return len(self.shares) >= 2 and all(
            s.votes >= MIN_VOTES and s.agree / s.votes >= BRIDGING_SHARE for s in self.shares)


@dataclass(frozen=True)
class ByLanguage:
    """The comparison for a whole event."""

    #: Language groups compared, in the event's order.
    languages: list[str]
    #: Languages whose groups are too small to compare (fewer than MIN_VOTES voters).
    too_small: list[str]
    statements: list[StatementByLanguage]

    @property
    def bridging(self) -> list[StatementByLanguage]:
        """Bridging statements, the lowest group's agreement highest first."""
        found = [s for s in self.statements if s.bridging]
        return sorted(found, key=lambda s: (-min(x.agree / x.votes for x in s.shares),
                                            s.figures.id))


def by_language(languages: list[str], figures: list[StatementFigures],
                votes: pd.DataFrame) -> ByLanguage:
    """Compare the language groups; `votes` is `dialog.queries.language_votes`."""
    voters = votes.groupby("language")["participant"].nunique()
    present = [c for c in languages if c in voters.index]
    present += sorted(c for c in voters.index if c not in languages)
    compared = [c for c in present if voters[c] >= MIN_VOTES]
    too_small = [c for c in present if c not in compared]
    counts = _counts(votes, compared)
    published = {f.id: (f.votes, f.agree, f.disagree) for f in figures if f.shown}
    withheld = disclosure.group_shares(counts, published, MIN_VOTES) if len(counts) else {}
    rows = counts.set_index(["group", "statement"]) if len(counts) else None
    out = []
    for f in figures:
        shares = []
        for number, code in enumerate(compared):
            key = (number, f.id)
            seen = int(rows.at[key, "seen"]) if rows is not None and key in rows.index else 0
            agree = int(rows.at[key, "agree"]) if seen else 0
            reason = withheld.get((number, f.id, "agree"))
            if reason is None and (seen < MIN_VOTES or not f.shown):
                reason = disclosure.SMALL_GROUP
            shares.append(LanguageShare(code, seen, agree, reason))
        out.append(StatementByLanguage(f, shares))
    return ByLanguage(compared, too_small, out)


def _counts(votes: pd.DataFrame, compared: list[str]) -> pd.DataFrame:
    """group (index in `compared`), statement, agree, disagree, seen."""
    chosen = votes[votes["language"].isin(compared)]
    if not len(chosen):
        return pd.DataFrame(columns=["group", "statement", "agree", "disagree", "seen"])
    table = chosen.assign(
        group=chosen["language"].map({c: n for n, c in enumerate(compared)}),
        agree=(chosen["value"] == 1).astype(int), disagree=(chosen["value"] == -1).astype(int),
        seen=1).groupby(["group", "statement"], as_index=False)[["agree", "disagree", "seen"]]
    return table.sum()
