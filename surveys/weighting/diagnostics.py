"""Diagnostics attached to every weighted result (shown to analysts before publishing)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Message:
    """A note or warning with a machine-readable code (translatable in the UI)."""

    code: str
    text: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Diagnostics:
    """Convergence, margin fit and weight distribution of a weighting step.

    ``margins`` has one row per variable and category with columns ``variable,
    category, sample_n, sample_share, population_count, population_share,
    weighted_count, weighted_share``. ``kish_deff`` = n sum w^2 / (sum w)^2 (design effect
    due to unequal weights only), ``effective_n`` = (sum w)^2 / sum w^2, ``weight_cv`` uses
    divisor n.
    """

    method: str
    converged: bool
    iterations: int
    n: int
    sum_weights: float
    weight_min: float
    weight_max: float
    weight_ratio: float
    weight_mean: float
    weight_cv: float
    kish_deff: float
    effective_n: float
    margins: pd.DataFrame
    histogram_counts: np.ndarray
    histogram_edges: np.ndarray
    messages: list[Message] = field(default_factory=list)
    warnings: list[Message] = field(default_factory=list)
    imputed: pd.DataFrame | None = None
    collapsed: dict[str, dict[str, str]] = field(default_factory=dict)
    max_change: float | None = None  # last joint-table change (rake) / misfit (calibrate)
    epsilon: float | None = None

    @property
    def ok(self) -> bool:
        """True when converged and nothing was flagged as a warning."""
        return self.converged and not self.warnings

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly representation."""
        return {
            "method": self.method,
            "converged": self.converged,
            "iterations": self.iterations,
            "n": self.n,
            "sum_weights": self.sum_weights,
            "weight_min": self.weight_min,
            "weight_max": self.weight_max,
            "weight_ratio": self.weight_ratio,
            "weight_mean": self.weight_mean,
            "weight_cv": self.weight_cv,
            "kish_deff": self.kish_deff,
            "effective_n": self.effective_n,
            "margins": self.margins.to_dict(orient="records"),
            "histogram": {
                "counts": self.histogram_counts.tolist(),
                "edges": self.histogram_edges.tolist(),
            },
            "messages": [m.__dict__ for m in self.messages],
            "warnings": [m.__dict__ for m in self.warnings],
            "imputed": None if self.imputed is None else self.imputed.to_dict(orient="records"),
            "collapsed": self.collapsed,
            "max_change": self.max_change,
            "epsilon": self.epsilon,
        }


def weight_summary(w: np.ndarray, freq: np.ndarray | None = None, bins: int = 20) -> dict[str, Any]:
    """Summary statistics and histogram of a weight vector.

    With ``freq`` the weights are given as distinct values and their respondent counts
    (e.g. one value per raking cell), which gives the same numbers without touching
    every respondent.
    """
    f = np.ones_like(w) if freq is None else np.asarray(freq, dtype=float)
    present = f > 0
    values = w[present]
    f = f[present]
    n = round(float(f.sum()))
    total = float(np.dot(f, values))
    sq = float(np.dot(f, values * values))
    mean = total / n if n else float("nan")
    wmin = float(values.min()) if n else float("nan")
    wmax = float(values.max()) if n else float("nan")
    var_pop = sq / n - mean * mean if n else float("nan")
    if n:
        counts, edges = np.histogram(
            values, bins=bins, range=(wmin, wmax), weights=None if freq is None else f
        )
        counts = np.rint(counts).astype(np.int64)
    else:
        counts, edges = np.zeros(0, np.int64), np.zeros(0)
    return {
        "n": n,
        "sum_weights": total,
        "weight_min": wmin,
        "weight_max": wmax,
        "weight_ratio": wmax / wmin if wmin > 0 else float("inf"),
        "weight_mean": mean,
        "weight_cv": float(np.sqrt(max(var_pop, 0.0)) / mean) if n and mean else float("nan"),
        "kish_deff": n * sq / (total * total) if total else float("nan"),
        "effective_n": total * total / sq if sq else float("nan"),
        "histogram_counts": counts,
        "histogram_edges": edges,
    }


def margin_table(
    variables: list[str],
    labels: list[tuple[Any, ...]],
    cell_codes: np.ndarray,
    cell_counts: np.ndarray,
    cell_weights: np.ndarray,
    population: list[np.ndarray],
) -> pd.DataFrame:
    """Per variable and category: sample, population and weighted counts and shares.

    Works on the joint cells of the weighting variables: ``cell_codes`` (C, V) category
    codes, ``cell_counts`` respondents and ``cell_weights`` weight sums per cell.
    """
    rows = []
    n = float(cell_counts.sum())
    total_w = float(cell_weights.sum())
    for j, (var, labs, pop) in enumerate(zip(variables, labels, population, strict=True)):
        k = len(labs)
        cnt = np.bincount(cell_codes[:, j], weights=cell_counts, minlength=k)
        wsum = np.bincount(cell_codes[:, j], weights=cell_weights, minlength=k)
        pop_total = float(pop.sum())
        for i in range(k):
            rows.append(
                {
                    "variable": var,
                    "category": labs[i],
                    "sample_n": round(float(cnt[i])),
                    "sample_share": float(cnt[i]) / n if n else float("nan"),
                    "population_count": float(pop[i]),
                    "population_share": float(pop[i]) / pop_total if pop_total else float("nan"),
                    "weighted_count": float(wsum[i]),
                    "weighted_share": float(wsum[i]) / total_w if total_w else float("nan"),
                }
            )
    return pd.DataFrame(rows, columns=MARGIN_TABLE_COLUMNS)


MARGIN_TABLE_COLUMNS = [
    "variable",
    "category",
    "sample_n",
    "sample_share",
    "population_count",
    "population_share",
    "weighted_count",
    "weighted_share",
]


def build_diagnostics(
    *,
    method: str,
    converged: bool,
    iterations: int,
    weights: np.ndarray,
    margins: pd.DataFrame,
    weight_freq: np.ndarray | None = None,
    messages: list[Message] | None = None,
    warnings: list[Message] | None = None,
    imputed: pd.DataFrame | None = None,
    collapsed: dict[str, dict[str, str]] | None = None,
    max_change: float | None = None,
    epsilon: float | None = None,
) -> Diagnostics:
    """Assemble a :class:`Diagnostics`, adding standard weight-distribution warnings.

    ``weights`` are per respondent, or distinct values with counts ``weight_freq``.
    """
    summary = weight_summary(weights, weight_freq)
    warnings = list(warnings or [])
    if summary["weight_min"] <= 0:
        f = np.ones_like(weights) if weight_freq is None else weight_freq
        k = round(float(f[weights <= 0].sum()))
        warnings.append(
            Message(
                "nonpositive_weights",
                f"{k} respondents have zero or negative weight; consider bounds.",
                {"n_respondents": k},
            )
        )
    return Diagnostics(
        method=method,
        converged=converged,
        iterations=iterations,
        margins=margins,
        messages=list(messages or []),
        warnings=warnings,
        imputed=imputed,
        collapsed=dict(collapsed or {}),
        max_change=max_change,
        epsilon=epsilon,
        **summary,
    )
