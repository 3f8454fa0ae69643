"""Calibration residualization for linearization variances (R ``survey:::svyrecvar``).

After post-stratification, raking or calibration the influence values z_i of an estimate
are replaced by residuals e_i = z_i - h_i before the design variance is computed. For
every method here h_i is constant within an *estimation cell* (respondents sharing the
weighting categories, stratum, base weight and final weight) and depends on z only
through the cell sums Z_c = sum_{i in c} z_i. Each residualizer therefore maps a (C, G)
matrix of cell sums (G estimates at once) to the (C, G) matrix of shifts h.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._cells import group_sum, indicator_matrix

Apply = Callable[[np.ndarray], np.ndarray]


class Residualizer(ABC):
    """One weighting step's contribution to the variance (an entry of R's postStrata)."""

    name: str = "residualizer"

    @abstractmethod
    def key_codes(self) -> list[tuple[np.ndarray, int]]:
        """Row-level integer codes (with cardinality) its cell quantities depend on."""

    @abstractmethod
    def key_floats(self) -> list[np.ndarray]:
        """Row-level float arrays its cell quantities depend on (e.g. base weights)."""

    @abstractmethod
    def prepare(self, rep: np.ndarray, n_c: np.ndarray) -> Apply:
        """Return the map cell sums -> shifts for the given estimation cells.

        ``rep`` holds one respondent per estimation cell and ``n_c`` the cell sizes.
        """


@dataclass
class RakingResidualizer(Residualizer):
    """R's raking branch: 10 sweeps of ``z <- z - w_m * ave(z / w_m, margin m)``.

    ``w_m`` is the weight right after margin m was post-stratified in the last raking pass
    (``attr(margin, "weights")``), ``ave`` the unweighted category mean over all n
    respondents. The sweeps converge to the residual of an OLS fit of z/w on the margin
    indicators; R stops after 10, and so do we (the difference is ~1e-11 on the cases).
    """

    row_cell: np.ndarray  # (n,) joint raking cell per respondent
    cell_codes: np.ndarray  # (Cj, V) category codes per joint cell
    cards: tuple[int, ...]
    base: np.ndarray  # (n,) weights before raking
    stage_factors: list[np.ndarray]  # (Cj,) factor after each margin, last pass
    sweeps: int = 10
    name: str = "raking"

    def key_codes(self) -> list[tuple[np.ndarray, int]]:
        """Joint raking cell."""
        return [(self.row_cell, int(self.cell_codes.shape[0]))]

    def key_floats(self) -> list[np.ndarray]:
        """Base weights."""
        return [self.base]

    def prepare(self, rep: np.ndarray, n_c: np.ndarray) -> Apply:
        """Precompute per-cell stage weights and category sizes."""
        jc = self.row_cell[rep]
        d = self.base[rep]
        psw = [d * f[jc] for f in self.stage_factors]
        cats = [self.cell_codes[jc, m] for m in range(len(self.cards))]
        sizes = [
            np.bincount(c, weights=n_c, minlength=k) for c, k in zip(cats, self.cards, strict=True)
        ]
        # (K_m, C) averaging operators: category mean of x/w_m over all respondents
        averages = [
            indicator_matrix(c, k) / s[:, None]
            for c, k, s in zip(cats, self.cards, sizes, strict=True)
        ]
        psw_col = [w[:, None] for w in psw]
        sweeps = self.sweeps
        n_col = n_c[:, None]

        def apply(Z: np.ndarray) -> np.ndarray:
            h = np.zeros_like(Z)
            for _ in range(sweeps):
                for w_m, cat, avg in zip(psw_col, cats, averages, strict=True):
                    mean = avg @ ((Z - n_col * h) / w_m)
                    h = h + w_m * mean[cat]
            return h

        return apply


@dataclass
class PostStratResidualizer(Residualizer):
    """R's ordinary post-stratification branch.

    e_i = z_i - w_i * [sum_{j in cell} z_j d_j / w_j] / [sum_{j in cell} d_j], with d the
    weights before and w the weights right after post-stratifying.
    """

    row_cell: np.ndarray  # (n,) post-stratum per respondent
    n_cells: int
    base: np.ndarray  # (n,) weights before post-stratification
    ratio: np.ndarray  # (P,) w/d per post-stratum
    name: str = "poststratify"

    def key_codes(self) -> list[tuple[np.ndarray, int]]:
        """Post-stratum."""
        return [(self.row_cell, self.n_cells)]

    def key_floats(self) -> list[np.ndarray]:
        """Base weights."""
        return [self.base]

    def prepare(self, rep: np.ndarray, n_c: np.ndarray) -> Apply:
        """Precompute per-cell post-stratum, weights and denominators."""
        pc = self.row_cell[rep]
        d = self.base[rep]
        w = d * self.ratio[pc]
        den = np.bincount(pc, weights=n_c * d, minlength=self.n_cells)
        p = self.n_cells

        def apply(Z: np.ndarray) -> np.ndarray:
            num = group_sum(pc, Z * (d / w)[:, None], p)
            with np.errstate(invalid="ignore", divide="ignore"):
                coef = num / den[:, None]
            return w[:, None] * coef[pc]

        return apply


@dataclass
class CalibrationResidualizer(Residualizer):
    """R's ``greg_calibration`` branch (stage 0), used for every calfun and bounds.

    e = [b - A beta] g sqrt(d), b = z / (g sqrt(d)), A = X sqrt(d), beta the least-squares
    fit of b on A; equivalently h = g d x' beta with (sum d x x') beta = sum x z / g.
    """

    row_cell: np.ndarray  # (n,) joint calibration cell
    X: np.ndarray  # (Cj, p) model matrix rows per joint cell
    g: np.ndarray  # (Cj,) g-weights per joint cell
    base: np.ndarray  # (n,) weights before calibration
    name: str = "calibration"

    def key_codes(self) -> list[tuple[np.ndarray, int]]:
        """Joint calibration cell."""
        return [(self.row_cell, int(self.X.shape[0]))]

    def key_floats(self) -> list[np.ndarray]:
        """Base weights."""
        return [self.base]

    def prepare(self, rep: np.ndarray, n_c: np.ndarray) -> Apply:
        """Precompute the cross-product matrix pseudo-inverse."""
        jc = self.row_cell[rep]
        d = self.base[rep]
        x = self.X[jc]
        g = self.g[jc]
        M = x.T @ (x * (n_c * d)[:, None])
        M_inv = np.linalg.pinv(M, rcond=1e-12)
        gd = g * d

        def apply(Z: np.ndarray) -> np.ndarray:
            beta = M_inv @ (x.T @ (Z / g[:, None]))
            return gd[:, None] * (x @ beta)

        return apply
