"""Agreement of dialog.opinion with Pol.is on the three open-data conversations.

Shared by tests/dialog/test_polis_agreement.py and tests/benchmarks/polis_agreement.py.
The Pol.is side is read straight from participants-votes.csv with pandas (not through the
importer) and its consensus is computed here with a groupby, not with dialog.opinion's
NumPy code, so the comparison does not share code with what it checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from dialog.opinion import OpinionResult, adjusted_rand_index, analyse
from dialog.polis_import import PolisConversation, read_polis_export

DATA = Path(__file__).resolve().parents[1] / "data" / "polis"
CONVERSATIONS = ("15-per-hour-seattle", "brexit-consensus", "london.youth.policing")
SUMMARY_COLUMNS = {"participant", "xid", "group-id", "n-comments", "n-votes", "n-agree",
                   "n-disagree"}
#: Figures measured during a test run, printed by tests/dialog/conftest.py.
REPORTED: dict[str, Agreement] = {}


@cache
def conversation(name: str) -> PolisConversation:
    """The imported conversation (cached: treat as read-only)."""
    return read_polis_export(DATA / name)


def joined(conv: PolisConversation) -> pd.DataFrame:
    """The vote matrix with participants in the order they joined (Pol.is' ids count up),
    as Pol.is' own matrix and Delaktig's have them; participants-votes.csv has another."""
    return conv.votes.sort_index()


@cache
def polis_table(name: str) -> tuple[pd.DataFrame, pd.Series]:
    """(vote matrix, Pol.is group per participant) read directly from participants-votes.csv."""
    table = pd.read_csv(DATA / name / "participants-votes.csv").set_index("participant")
    votes = table[[c for c in table.columns if c not in SUMMARY_COLUMNS]]
    votes.columns = votes.columns.astype(int)
    return votes.astype(float), table["group-id"]


def group_consensus(votes: pd.DataFrame, groups: pd.Series) -> pd.Series:
    """Pol.is' group-aware consensus, prod over groups of (1 + agrees) / (2 + votes).

    ``groups``: group per participant, NaN/None = not grouped (left out).
    """
    grouped = votes.loc[groups.notna()]
    by = groups[groups.notna()].astype(int)
    agrees = grouped.eq(1).groupby(by).sum()
    seen = grouped.notna().groupby(by).sum()
    return ((agrees + 1) / (seen + 2)).prod(axis=0)


@dataclass(frozen=True)
class Agreement:
    """How one analysis compares with Pol.is' own result for a conversation."""

    name: str
    participants: int
    #: Grouped by us, by Pol.is, and by both (the ARI is computed over the latter).
    ours_grouped: int
    polis_grouped: int
    both_grouped: int
    our_k: int
    polis_k: int
    ari: float
    #: Spearman rank correlation of our consensus with Pol.is-group consensus.
    consensus_rho: float
    #: Shared statements among the five most consensual of each ranking.
    consensus_top5_shared: int
    silhouettes: dict[int, float]

    def row(self) -> dict[str, Any]:
        """For printing."""
        return self.__dict__


@cache
def agreement(name: str) -> tuple[Agreement, OpinionResult]:
    """Run analyse() on a conversation and compare with Pol.is' groups and consensus
    (cached: treat as read-only)."""
    conv = conversation(name)
    result = analyse(joined(conv), moderated_out=conv.moderated_out)
    votes, polis = polis_table(name)
    ours = pd.Series(result.participant_groups, dtype=object).reindex(polis.index)
    both = ours.notna() & polis.notna()
    ari = adjusted_rand_index(ours[both].astype(int).tolist(), polis[both].astype(int).tolist())

    statements = list(result.statements)
    reference = group_consensus(votes[statements], polis)
    scores = pd.Series({c.statement: c.score for c in result.consensus})[statements]
    rho = float(spearmanr(scores.to_numpy(), reference.to_numpy()).statistic)
    top_ours = set(scores.sort_values(ascending=False, kind="stable").index[:5])
    top_ref = set(reference.sort_values(ascending=False, kind="stable").index[:5])
    return Agreement(
        name=name,
        participants=len(polis),
        ours_grouped=int(ours.notna().sum()),
        polis_grouped=int(polis.notna().sum()),
        both_grouped=int(both.sum()),
        our_k=result.k,
        polis_k=int(polis.nunique()),
        ari=float(ari),
        consensus_rho=rho,
        consensus_top5_shared=len(top_ours & top_ref),
        silhouettes=dict(result.silhouettes),
    ), result


def resampled_agreement(name: str, seed: int, share: float = 0.9) -> float:
    """ARI between the groups of two random ``share`` subsets of the participants (over the
    participants both subsets hold and group)."""
    conv = conversation(name)
    votes = joined(conv)
    rng = np.random.default_rng(seed)
    n = len(votes)
    runs = []
    for _ in range(2):
        rows = np.sort(rng.choice(n, int(share * n), replace=False))
        result = analyse(votes.iloc[rows], moderated_out=conv.moderated_out)
        runs.append(pd.Series(result.participant_groups, dtype=object))
    both = runs[0].index.intersection(runs[1].index)
    a, b = runs[0][both], runs[1][both]
    grouped = a.notna() & b.notna()
    return adjusted_rand_index(a[grouped].astype(int).tolist(), b[grouped].astype(int).tolist())
