"""Deliberately naive, row-by-row implementations of R survey's formulas.

Used to cross-check the cell-aggregated engine where no R reference numbers exist
(post-stratification, calibration, base weights that vary within cells). Nothing here
is shared with the engine's code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

Residual = Callable[[np.ndarray], np.ndarray]


def rake_rows(
    frame: pd.DataFrame,
    d: np.ndarray,
    margins: dict[str, dict[str, float]],
    eps_abs: float,
    max_iter: int,
) -> tuple[np.ndarray, int, bool]:
    """IPF respondent by respondent, R's convergence rule on the joint table."""
    w = d.astype(float).copy()
    variables = list(margins)
    joint = frame[variables].astype(str).agg("\r".join, axis=1).to_numpy()

    def table(weights: np.ndarray) -> pd.Series:
        return pd.Series(weights).groupby(joint).sum()

    old = table(w)
    for it in range(1, max_iter + 1):
        for v in variables:
            labels = frame[v].astype(str).to_numpy()
            current = pd.Series(w).groupby(labels).sum()
            factor = {k: margins[v][k] / current[k] for k in current.index}
            w = w * np.array([factor[x] for x in labels])
        new = table(w)
        if float(np.max(np.abs(new - old))) < eps_abs:
            return w, it, True
        old = new
    return w, max_iter, False


def z_values(
    y: np.ndarray, w: np.ndarray, domain: np.ndarray | None = None
) -> tuple[float, np.ndarray]:
    """Estimate and influence values z_i = w_i (y_i - ybar)/S (0 outside domain/missing)."""
    use = ~np.isnan(y)
    if domain is not None:
        use &= domain
    S = w[use].sum()
    ybar = float(np.sum(w[use] * y[use]) / S)
    z = np.zeros_like(w)
    z[use] = w[use] * (y[use] - ybar) / S
    return ybar, z


def variance(
    e: np.ndarray, strata: np.ndarray | None = None, pop: dict[object, float] | None = None
) -> float:
    """sum_h n_h/(n_h-1) (1 - n_h/N_h) sum (e - ebar_h)^2, by explicit loop over strata."""
    if strata is None:
        strata = np.zeros(e.shape[0], dtype=int)
    total = 0.0
    for h in np.unique(strata):
        eh = e[strata == h]
        n_h = eh.shape[0]
        f = 0.0 if pop is None else n_h / pop[h]
        total += n_h / (n_h - 1) * (1 - f) * float(np.sum((eh - eh.mean()) ** 2))
    return total


def residual_rake_sweeps(
    frame: pd.DataFrame, variables: Sequence[str], w: np.ndarray, sweeps: int = 10
) -> Residual:
    """z <- z - w * ave(z / w, margin), with the final weights for every margin."""
    labels = [frame[v].astype(str).to_numpy() for v in variables]

    def apply(z: np.ndarray) -> np.ndarray:
        x = z.copy()
        for _ in range(sweeps):
            for lab in labels:
                means = pd.Series(x / w).groupby(lab).transform("mean").to_numpy()
                x = x - w * means
        return x

    return apply


def residual_poststrat(cells: np.ndarray, d: np.ndarray, w: np.ndarray) -> Residual:
    """e_i = z_i - w_i * sum_{cell} z d / w / sum_{cell} d."""

    def apply(z: np.ndarray) -> np.ndarray:
        e = z.copy()
        for c in np.unique(cells):
            idx = cells == c
            e[idx] = z[idx] - w[idx] * np.sum(z[idx] * d[idx] / w[idx]) / np.sum(d[idx])
        return e

    return apply


def residual_calibration(X: np.ndarray, d: np.ndarray, w: np.ndarray) -> Residual:
    """e = [b - A beta] g sqrt(d), b = z/(g sqrt d), A = X sqrt d, beta by least squares."""
    g = w / d
    A = X * np.sqrt(d)[:, None]

    def apply(z: np.ndarray) -> np.ndarray:
        b = z / (g * np.sqrt(d))
        beta = np.linalg.lstsq(A, b, rcond=None)[0]
        return (b - A @ beta) * g * np.sqrt(d)

    return apply


def dummies(frame: pd.DataFrame, margins: dict[str, list[str]]) -> np.ndarray:
    """Intercept plus treatment-coded indicators (first category is the reference)."""
    cols = [np.ones(len(frame))]
    for v, cats in margins.items():
        lab = frame[v].astype(str).to_numpy()
        for c in cats[1:]:
            cols.append((lab == c).astype(float))
    return np.stack(cols, axis=1)


def mean_se(
    y: np.ndarray,
    w: np.ndarray,
    residual: Residual | None = None,
    domain: np.ndarray | None = None,
    strata: np.ndarray | None = None,
    pop: dict[object, float] | None = None,
) -> tuple[float, float]:
    """Ratio mean and linearization SE as README's three steps."""
    est, z = z_values(y, w, domain)
    e = residual(z) if residual is not None else z
    return est, float(np.sqrt(variance(e, strata, pop)))
