"""Opt-in imputation of missing/unknown weighting categories (``missing="impute"``).

Deterministic "most likely category" hot-deck: a respondent lacking variable(s) M gets
the combination of M with the largest base-weighted count among *complete* respondents
who share all of the respondent's other weighting answers. If nobody shares all of
them, the last weighting variable (in margin order) is dropped from the match and so on,
down to the overall most common category. Ties go to the category listed first in the
margins. Only the weighting codes are imputed; the sample data are not modified.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._cells import joint_cells
from .errors import MissingValueError


def impute_codes(
    codes: Sequence[np.ndarray],
    cards: Sequence[int],
    variables: Sequence[str],
    labels: Sequence[Sequence[Any]],
    base: np.ndarray,
    raw: Sequence[pd.Series],
    index: pd.Index,
) -> tuple[list[np.ndarray], pd.DataFrame]:
    """Fill negative codes; return new codes and a report (one row per imputed value)."""
    stacked = np.stack([np.asarray(c) for c in codes], axis=1)
    complete = (stacked >= 0).all(axis=1)
    recipients = np.flatnonzero(~complete)
    out = [np.array(c, copy=True) for c in codes]
    columns = ["row", "variable", "original", "imputed", "matched_on", "donor_weight"]
    if recipients.size == 0:
        return out, pd.DataFrame(columns=columns)
    if not complete.any():
        raise MissingValueError(
            "Cannot impute weighting variables: no respondent answered all of them.",
            variable=variables[0],
            n_respondents=int(recipients.size),
            by_variable={
                v: int((np.asarray(c) < 0).sum()) for v, c in zip(variables, codes, strict=True)
            },
        )
    donors_cells = joint_cells([c[complete] for c in stacked.T], list(cards))
    donor_w = np.bincount(
        donors_cells.row_cell, weights=base[complete], minlength=donors_cells.n_cells
    )
    donors = pd.DataFrame(donors_cells.codes, columns=list(range(len(variables))))
    donors["_w"] = donor_w
    patterns, inverse = np.unique(stacked[recipients], axis=0, return_inverse=True)
    inverse = np.asarray(inverse).reshape(-1)
    rows: list[dict[str, Any]] = []
    for p_idx, pattern in enumerate(patterns):
        missing_vars = [j for j, c in enumerate(pattern) if c < 0]
        observed = [j for j, c in enumerate(pattern) if c >= 0]
        while True:
            sel = donors
            for j in observed:
                sel = sel[sel[j] == pattern[j]]
            if sel["_w"].sum() > 0:
                break
            observed = observed[:-1]
        table = sel.groupby(missing_vars, sort=True)["_w"].sum()
        # stable sort on weight keeps the lexicographically first (margin order) on ties
        best = table.sort_values(ascending=False, kind="stable").index[0]
        best_codes = best if isinstance(best, tuple) else (best,)
        who = recipients[inverse == p_idx]
        for j, code in zip(missing_vars, best_codes, strict=True):
            out[j][who] = int(code)
            matched = ", ".join(variables[k] for k in observed)
            for r in who:
                original = raw[j].iloc[r]
                rows.append(
                    {
                        "_pos": int(r),
                        "row": index[r],
                        "variable": variables[j],
                        "original": None if pd.isna(original) else original,
                        "imputed": labels[j][int(code)],
                        "matched_on": matched,
                        "donor_weight": float(table.loc[best]),
                    }
                )
    report = (
        pd.DataFrame(rows, columns=["_pos", *columns])
        .sort_values("_pos", kind="stable")
        .drop(columns="_pos")
        .reset_index(drop=True)
    )
    return out, report
