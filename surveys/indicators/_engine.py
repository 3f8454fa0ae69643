"""The one place that works on the weighting engine's estimation cells directly.

Domain estimates are the engine's own (:func:`surveys.weighting.estimation.domain_means`,
``results_frame``), so every figure here equals ``WeightedDesign.mean``/``proportion``
with ``by=``, which the weighting tests check against R ``survey`` 4.1. What the engine's
estimates do not take is (a) domains given by an arbitrary Series instead of a sample
column and (b) the residualized influence values needed for the covariance of two
estimates. Both use the design's :class:`~surveys.weighting.estimation.EstimationCells`
(``design.estimation_cells()``); only this module does.

Influence values (R ``survey``'s linearization, as in ``estimation.py``): for the ratio
mean of y over domain D,

    z_i = w_i (y_i - ybar_D) / S_D   for i in D with y_i observed, else 0,
    S_D = sum_{i in D, y observed} w_i,

then e_i = z_i - h_i with the calibration shift h (constant within an estimation cell,
a linear map of the cell sums of z; applied step by step exactly as ``domain_means``
does), and for K estimates with residuals e_ik the covariance matrix is

    V_kl = sum_h n_h/(n_h - 1) (1 - n_h/N_h) sum_{i in h} (e_ik - ebar_hk)(e_il - ebar_hl),

whose diagonal is the engine's variance.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from surveys.weighting import Design, WeightedDesign
from surveys.weighting.estimation import (
    DomainMeans,
    domain_means,
    logit_interval,
    results_frame,
)

Survey = Design | WeightedDesign

__all__ = [
    "DomainMeans",
    "Survey",
    "domain_covariance",
    "domain_df",
    "domain_estimates",
    "group_codes",
    "influence_values",
    "logit_interval",
    "results_frame",
]


def group_codes(groups: pd.Series) -> tuple[np.ndarray, list[object]]:
    """Integer code per respondent (-1 outside every group) and the group values in order.

    Categorical groups keep their category order (and categories nobody is in, so a
    declared group shows up as empty rather than vanishing); other values are sorted as
    the engine's ``by=`` sorts them.
    """
    if isinstance(groups.dtype, pd.CategoricalDtype):
        return groups.cat.codes.to_numpy(dtype=np.int64), list(groups.cat.categories)
    try:
        codes, uniques = pd.factorize(groups, sort=True)
    except TypeError:  # values of mixed types cannot be sorted: keep order of appearance
        codes, uniques = pd.factorize(groups, sort=False)
    return codes.astype(np.int64), list(uniques)


def domain_estimates(
    design: Survey, y: np.ndarray, codes: np.ndarray | None, n_groups: int,
    count_positive: bool = False,
) -> DomainMeans:
    """The engine's ratio means and variances of y for every group (or overall: codes None).

    ``count_positive`` counts respondents with y > 0 too (shares: exact 0 and 1).
    """
    cells = design.estimation_cells()
    if codes is None:
        return domain_means(y, cells.row_cell, 1, cells, count_positive)
    key = np.where(codes >= 0, cells.row_cell * n_groups + codes, -1)
    return domain_means(y, key, n_groups, cells, count_positive)


def domain_df(design: Survey, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Degrees of freedom per group for the logit interval: n_g - H_g.

    As the engine's ``EstimationCells.group_df`` (R's ``degf`` of the domain design): the
    group's respondents minus the number of strata they fall in.
    """
    strata = design.estimation_cells().strata
    inside = codes >= 0
    H = strata.n_strata
    counts = np.bincount(codes[inside] * H + strata.codes[inside], minlength=n_groups * H).reshape(
        n_groups, H
    )
    return counts.sum(axis=1) - (counts > 0).sum(axis=1)


def influence_values(
    design: Survey, y: np.ndarray, domains: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Estimates (K,) and residualized influence values e (n, K) of y's mean in K domains.

    ``domains`` is an (n, K) boolean matrix; domains may overlap (e.g. a group and the
    whole population). See the module docstring for the formulas.
    """
    cells = design.estimation_cells()
    w = design.weights.to_numpy(dtype=float)
    y = np.asarray(y, dtype=float)
    observed = ~np.isnan(y)
    use = np.asarray(domains, dtype=bool) & observed[:, None]
    y0 = np.where(observed, y, 0.0)
    wu = w[:, None] * use
    S = wu.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        ybar = (wu * y0[:, None]).sum(axis=0) / S
        z = np.where(use, wu * (y0[:, None] - ybar) / S, 0.0)
    Z = np.stack(
        [np.bincount(cells.row_cell, weights=col, minlength=cells.n_cells) for col in z.T], axis=1
    )
    n_c = cells.counts[:, None]
    H = np.zeros_like(Z)
    for apply in cells.applies:  # the same sequence of calibration steps as domain_means
        H = H + apply(Z - n_c * H)
    return ybar, z - H[cells.row_cell]


def domain_covariance(design: Survey, e: np.ndarray) -> np.ndarray:
    """(K, K) linearization covariance of K estimates from their influence values e (n, K)."""
    strata = design.estimation_cells().strata
    e = np.asarray(e, dtype=float)
    V = np.zeros((e.shape[1], e.shape[1]))
    for h in range(strata.n_strata):
        eh = e[strata.codes == h]
        n_h = eh.shape[0]
        centred = eh - eh.mean(axis=0)
        V += n_h / (n_h - 1.0) * strata.fpc_factor[h] * (centred.T @ centred)
    return V


def domain_masks(codes: np.ndarray, wanted: Sequence[int]) -> np.ndarray:
    """(n, K) membership matrix of the groups with the given codes."""
    return np.stack([codes == c for c in wanted], axis=1)
