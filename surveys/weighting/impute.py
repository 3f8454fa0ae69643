"""Opt-in imputation of missing/unknown weighting categories (``missing="impute"``).

**Random hot-deck within cells** (``imputation="hot_deck"``, the default). A respondent
lacking weighting variable(s) M (the *recipient*) gets the values of M of one *donor*:
a respondent who answered every weighting variable and shares all of the recipient's
other weighting answers (the recipient's *cell*). The donor is drawn at random with
probability proportional to its base weight, so within a cell the imputed categories
follow the donors' weighted distribution instead of all going to its most common
category. When a cell has fewer than :data:`MIN_DONORS` donors, the last weighting variable
(in margin order) is dropped from the match and so on, down to every complete
respondent. The variables of M come from the same donor, so their combinations stay
ones that occur.

The draws are reproducible bit for bit from ``seed``: recipients are taken pattern by
pattern (sorted missing/observed codes) and in row order within a pattern, and each draw
uses one 64-bit output of NumPy's PCG64 bit generator seeded with ``seed`` (the
bit generator's stream is fixed by its definition; no distribution method is involved).
The report has one row per imputed value, with the donor's row label, the variables
matched on and the number of donors in the cell.

The extra variance from imputing is **not** part of the standard errors: the imputed
categories are treated as if observed. They only move a respondent between weighting
cells; the sample data are not modified, so group estimates use the answers as given.

``imputation="modal"`` is the earlier deterministic rule (every recipient gets its cell's
most common category, ties to the first in margin order); it is kept only so that runs
made with it can be reproduced.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from .errors import MissingValueError, WeightingError

Imputation = Literal["hot_deck", "modal"]
#: Fewest donors a cell needs before the match is widened.
MIN_DONORS = 5
COLUMNS = ["row", "variable", "original", "imputed", "matched_on", "donors", "donor",
           "donor_weight"]


def _uniforms(k: int, state: np.random.PCG64) -> np.ndarray:
    """k uniforms in [0, 1) from the bit generator's raw 64-bit outputs (53 bits each)."""
    raw = np.asarray(state.random_raw(k), dtype=np.uint64)
    return (raw >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)


def impute_codes(
    codes: Sequence[np.ndarray],
    cards: Sequence[int],
    variables: Sequence[str],
    labels: Sequence[Sequence[Any]],
    base: np.ndarray,
    raw: Sequence[pd.Series],
    index: pd.Index,
    imputation: Imputation = "hot_deck",
    seed: int = 0,
) -> tuple[list[np.ndarray], pd.DataFrame]:
    """Fill negative codes; return new codes and a report (one row per imputed value)."""
    if imputation not in ("hot_deck", "modal"):
        raise WeightingError(f"Unknown imputation {imputation!r}; use 'hot_deck' or 'modal'.",
                             parameter="imputation")
    stacked = np.stack([np.asarray(c) for c in codes], axis=1)
    complete = (stacked >= 0).all(axis=1)
    recipients = np.flatnonzero(~complete)
    out = [np.array(c, copy=True) for c in codes]
    if recipients.size == 0:
        return out, pd.DataFrame(columns=COLUMNS)
    if not complete.any():
        raise MissingValueError(
            "Cannot impute weighting variables: no respondent answered all of them.",
            variable=variables[0],
            n_respondents=int(recipients.size),
            by_variable={
                v: int((np.asarray(c) < 0).sum()) for v, c in zip(variables, codes, strict=True)
            },
        )
    patterns, inverse = np.unique(stacked[recipients], axis=0, return_inverse=True)
    inverse = np.asarray(inverse).reshape(-1)
    draw = _modal if imputation == "modal" else _hot_deck(seed)
    donors = np.flatnonzero(complete)
    donor_codes = stacked[donors]
    rows: list[dict[str, Any]] = []
    for p_idx, pattern in enumerate(patterns):
        missing_vars = [j for j, c in enumerate(pattern) if c < 0]
        observed = [j for j, c in enumerate(pattern) if c >= 0]
        who = recipients[inverse == p_idx]
        while True:
            pool = donors[np.all(donor_codes[:, observed] == pattern[observed], axis=1)]
            enough = MIN_DONORS if imputation == "hot_deck" else 1
            if (pool.size >= enough and base[pool].sum() > 0) or not observed:
                break
            observed = observed[:-1]
        chosen, weight = draw(pool, who, stacked, missing_vars, base)
        matched = ", ".join(variables[k] for k in observed)
        for r, donor in zip(who, chosen, strict=True):
            for j in missing_vars:
                code = int(stacked[donor, j])
                out[j][r] = code
                original = raw[j].iloc[r]
                rows.append({
                    "_pos": int(r),
                    "row": index[r],
                    "variable": variables[j],
                    "original": None if pd.isna(original) else original,
                    "imputed": labels[j][code],
                    "matched_on": matched,
                    "donors": int(pool.size),
                    "donor": index[donor] if imputation == "hot_deck" else None,
                    "donor_weight": weight,
                })
    report = (
        pd.DataFrame(rows, columns=["_pos", *COLUMNS])
        .sort_values("_pos", kind="stable")
        .drop(columns="_pos")
        .reset_index(drop=True)
    )
    return out, report


def _hot_deck(seed: int):
    """A draw: one donor per recipient, with probability proportional to base weight."""
    state = np.random.PCG64(seed)

    def draw(pool, who, stacked, missing_vars, base):
        cumulative = np.cumsum(base[pool])
        u = _uniforms(len(who), state) * cumulative[-1]
        chosen = pool[np.minimum(np.searchsorted(cumulative, u, side="right"), pool.size - 1)]
        return chosen, float(cumulative[-1])

    return draw


def _modal(pool, who, stacked, missing_vars, base):
    """The earlier rule: every recipient gets the cell's most common combination of M."""
    frame = pd.DataFrame(stacked[pool][:, missing_vars], columns=missing_vars)
    frame["_w"] = base[pool]
    frame["_row"] = pool
    table = frame.groupby(missing_vars, sort=True)["_w"].sum()
    best = table.sort_values(ascending=False, kind="stable").index[0]
    best = best if isinstance(best, tuple) else (best,)
    match = np.all(frame[missing_vars].to_numpy() == np.array(best), axis=1)
    donor = int(frame["_row"].to_numpy()[match][0])
    return np.full(len(who), donor), float(table.loc[best if len(best) > 1 else best[0]])
