"""Numerical kernels of the weighting methods, working on aggregated cells.

Raking, post-stratification and calibration to categorical margins only ever multiply
all respondents of a joint cell (one combination of the weighting variables) by the same
factor, so they are run on the cell table of base-weight sums and mapped back to the
respondents once at the end. The arithmetic follows R's ``survey`` 4.1 (``rake``,
``postStratify``, ``calibrate``/``grake``, ``trimWeights``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .errors import ConvergenceError, TrimError, WeightingError


@dataclass
class RakeOutcome:
    """Result of :func:`rake_cells`."""

    factor: np.ndarray  # (C,) final cumulative factor g = w/d per cell
    stage_factors: list[np.ndarray]  # (C,) factor after each margin step of the last pass
    iterations: int
    converged: bool
    deltas: list[float] = field(default_factory=list)  # max |joint-table change| per pass


def rake_cells(
    cell_codes: np.ndarray,
    base_sums: np.ndarray,
    targets: Sequence[np.ndarray],
    epsilon_abs: float,
    max_iter: int,
) -> RakeOutcome:
    """Iterative proportional fitting on the joint cell table (R ``survey::rake``).

    Each pass post-stratifies on every margin in turn: every cell in category k of margin
    m is scaled by ``target_k / current weighted count_k``. After each full pass the
    joint table (the cell sums) is compared with the previous pass's (before pass 1:
    the base-weight table); converged when ``max |change| < epsilon_abs``. ``iterations``
    counts passes, so a run that converges in pass k matches R with ``maxit=k``.
    """
    n_cells, n_vars = cell_codes.shape
    factor = np.ones(n_cells)
    table = base_sums.astype(float).copy()
    old = table.copy()
    stages: list[np.ndarray] = []
    deltas: list[float] = []
    converged = False
    iterations = 0
    for _ in range(max_iter):
        iterations += 1
        stages = []
        for m in range(n_vars):
            codes = cell_codes[:, m]
            current = np.bincount(codes, weights=table, minlength=len(targets[m]))
            with np.errstate(divide="ignore", invalid="ignore"):
                step = targets[m] / current
            factor = factor * step[codes]
            table = base_sums * factor
            stages.append(factor.copy())
        if not np.all(np.isfinite(factor)) or np.any(factor <= 0):
            # Cannot happen after validation (every category has respondents with
            # positive weight), but never hand on NaN or non-positive weights.
            raise WeightingError(
                "Raking produced invalid weights (empty category or zero base weights).",
                method="rake",
            )
        delta = float(np.max(np.abs(table - old))) if n_cells else 0.0
        deltas.append(delta)
        if delta < epsilon_abs:
            converged = True
            break
        old = table
    return RakeOutcome(factor, stages, iterations, converged, deltas)


# --- calibration functions (R's cal.linear, cal.raking, cal.logit) -------------------


@dataclass(frozen=True)
class CalFun:
    """Calibration distance: g = F(u) with derivative dF, u = x'lambda."""

    name: str
    F: Callable[[np.ndarray, float, float], np.ndarray]
    dF: Callable[[np.ndarray, float, float], np.ndarray]


def _lin_F(u: np.ndarray, lo: float, hi: float) -> np.ndarray:
    return np.clip(1.0 + u, lo, hi)


def _lin_dF(u: np.ndarray, lo: float, hi: float) -> np.ndarray:
    g = 1.0 + u
    return ((g > lo) & (g < hi)).astype(float)


def _rak_F(u: np.ndarray, lo: float, hi: float) -> np.ndarray:
    with np.errstate(over="ignore"):
        return np.clip(np.exp(u), lo, hi)


def _rak_dF(u: np.ndarray, lo: float, hi: float) -> np.ndarray:
    with np.errstate(over="ignore"):
        g = np.exp(u)
    # R's cal.raking tests u against the *linear* bounds (u < U-1); the root found is the
    # same, and this is the true derivative of the clipped exponential.
    return np.where((g > lo) & (g < hi), g, 0.0)


def _logit_parts(u: np.ndarray, lo: float, hi: float) -> tuple[np.ndarray, float]:
    a = (hi - lo) / ((hi - 1.0) * (1.0 - lo))
    with np.errstate(over="ignore"):
        e = np.exp(a * u)
    return e, a


def _logit_F(u: np.ndarray, lo: float, hi: float) -> np.ndarray:
    e, _ = _logit_parts(u, lo, hi)
    with np.errstate(over="ignore", invalid="ignore"):
        g = (lo * (hi - 1.0) + hi * (1.0 - lo) * e) / (hi - 1.0 + (1.0 - lo) * e)
    # exp overflow: the limit is the upper bound
    return np.where(np.isinf(e), hi, g)


def _logit_dF(u: np.ndarray, lo: float, hi: float) -> np.ndarray:
    e, a = _logit_parts(u, lo, hi)
    with np.errstate(over="ignore", invalid="ignore"):
        den = hi - 1.0 + (1.0 - lo) * e
        d = (
            hi * (1.0 - lo) * e * a / den
            - (lo * (hi - 1.0) + hi * (1.0 - lo) * e) * ((1.0 - lo) * e * a) / den**2
        )
    return np.where(np.isfinite(d), d, 0.0)


CALFUNS: dict[str, CalFun] = {
    "linear": CalFun("linear", _lin_F, _lin_dF),
    "raking": CalFun("raking", _rak_F, _rak_dF),
    "logit": CalFun("logit", _logit_F, _logit_dF),
}


@dataclass
class CalibrationOutcome:
    """Result of :func:`calibrate_cells`."""

    g: np.ndarray  # (C,) g-weights w/d per cell
    iterations: int  # Newton steps (0 for closed-form linear)
    achieved: float  # max |T - That| / (1 + |T|)


def calibrate_cells(
    X: np.ndarray,
    base_sums: np.ndarray,
    totals: np.ndarray,
    method: str,
    bounds: tuple[float, float],
    epsilon: float,
    max_iter: int,
) -> CalibrationOutcome:
    """Solve the calibration equations sum_c D_c g_c x_c = T on the cell table.

    Unbounded linear: closed-form GREG (R ``regcalibrate``), g = 1 + x'lambda with
    lambda = (sum D x x')^-1 (T - sum D x). Otherwise Newton-Raphson as R's ``grake``:
    eta += ginv(sum D F'(x'eta) x x') (T - sum D F(x'eta) x), halving a step that gives
    non-finite g, until max_k |T_k - That_k| / (1 + |T_k|) < epsilon.
    """
    lo, hi = bounds
    if method == "linear" and np.isneginf(lo) and np.isposinf(hi):
        M = X.T @ (X * base_sums[:, None])
        lam = np.linalg.lstsq(M, totals - X.T @ base_sums, rcond=None)[0]
        g = 1.0 + X @ lam
        achieved = float(np.max(np.abs(totals - X.T @ (base_sums * g)) / (1.0 + np.abs(totals))))
        if not np.all(np.isfinite(g)) or achieved > max(epsilon, 1e-9):
            raise ConvergenceError(
                "Linear calibration has no solution for these margins.",
                achieved=achieved,
                iterations=0,
                method=method,
            )
        return CalibrationOutcome(g, 0, achieved)
    fun = CALFUNS[method]
    eta = np.zeros(X.shape[1])
    u = X @ eta
    g = fun.F(u, lo, hi)
    deriv = fun.dF(u, lo, hi)
    iterations = 0
    achieved = np.inf
    while True:
        iterations += 1
        T_mat = X.T @ (X * (base_sums * deriv)[:, None])
        misfit = totals - X.T @ (base_sums * g)
        step = np.linalg.pinv(T_mat, rcond=256 * np.finfo(float).eps) @ misfit
        eta = eta + step
        u = X @ eta
        g = fun.F(u, lo, hi)
        deriv = fun.dF(u, lo, hi)
        halvings = 0
        while not (np.all(np.isfinite(g)) and np.all(np.isfinite(deriv))) and halvings < 60:
            step = step / 2.0
            eta = eta - step
            u = X @ eta
            g = fun.F(u, lo, hi)
            deriv = fun.dF(u, lo, hi)
            halvings += 1
        misfit = totals - X.T @ (base_sums * g)
        achieved = float(np.max(np.abs(misfit) / (1.0 + np.abs(totals))))
        if achieved < epsilon and np.all(np.isfinite(g)):
            return CalibrationOutcome(g, iterations, achieved)
        if iterations >= max_iter:
            raise ConvergenceError(
                f"Calibration ({method}) did not converge in {max_iter} Newton steps "
                f"(largest relative misfit {achieved:.3g}, required < {epsilon:g}); "
                "the bounds may be too tight for these margins.",
                achieved=achieved,
                iterations=iterations,
                method=method,
                bounds=bounds,
            )


@dataclass
class TrimOutcome:
    """Result of :func:`trim_weights`."""

    weights: np.ndarray
    rounds: int
    n_below: int  # outside before trimming
    n_above: int
    n_outside_after: int


def trim_weights(
    w: np.ndarray, lower: float, upper: float, strict: bool, max_rounds: int = 100
) -> TrimOutcome:
    """R ``trimWeights``: clip to [lower, upper], spread the excess equally over the rest.

    The amount removed above ``upper`` minus the amount added below ``lower`` is shared
    out as the same absolute amount per respondent that was inside the bounds, so the
    total is kept. ``strict=True`` repeats until nothing is outside; respondents set to a
    bound in one round count as inside in the next (as in R), so they may end slightly
    off the bound.
    """
    if not lower <= upper:
        raise TrimError(
            f"Lower bound {lower} exceeds upper bound {upper}.", lower=lower, upper=upper
        )
    n = w.shape[0]
    total = float(w.sum())
    if n * lower > total * (1 + 1e-12) or n * upper < total * (1 - 1e-12):
        raise TrimError(
            f"Cannot trim to [{lower:g}, {upper:g}]: the weights sum to {total:g}, which "
            f"needs an average weight of {total / n:g}.",
            lower=lower,
            upper=upper,
            sum_weights=total,
        )
    n_below = int(np.count_nonzero(w < lower))
    n_above = int(np.count_nonzero(w > upper))
    rounds = 0
    current = w
    while True:
        outside = (current < lower) | (current > upper)
        if not outside.any():
            break
        inside = ~outside
        n_inside = int(inside.sum())
        if n_inside == 0:
            raise TrimError(
                "Every weight is outside the trimming bounds; nothing can absorb the excess.",
                lower=lower,
                upper=upper,
            )
        new = np.clip(current, lower, upper)
        excess = float(np.sum(current - new))
        new[inside] += excess / n_inside
        current = new
        rounds += 1
        if not strict or rounds >= max_rounds:
            break
    n_after = int(np.count_nonzero((current < lower) | (current > upper)))
    return TrimOutcome(current, rounds, n_below, n_above, n_after)
