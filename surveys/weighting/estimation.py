"""Weighted means and proportions with Taylor-linearization standard errors.

Reproduces R ``survey`` 4.1 for one-stage designs (``svydesign(ids=~1, strata, weights,
fpc)``), including after ``postStratify``/``rake``/``calibrate``/``trimWeights``:

* estimate: ``svymean(~y, design, na.rm=TRUE)`` = sum w y / sum w over non-missing y;
* variance: z_i = w_i (y_i - ybar) / S on non-missing rows of the domain, 0 elsewhere;
  e = z - h (calibration residual, see :mod:`.residuals`); with-replacement variance
  V = sum_h n_h/(n_h - 1) (1 - n_h/N_h) sum_{i in h} (e_i - ebar_h)^2 over *all* n rows
  (missing values and other groups are domains, not deletions);
* ``deff`` (R ``deff=TRUE``): V / [s2_w (S - m) / (S m)], s2_w = sum w (y-ybar)^2 / S *
  m/(m-1), m the non-missing count; ``deff_replace``: V / (s2_w / m);
* mean CI: estimate +- qnorm((1+level)/2) SE (``confint``); proportion CI:
  ``svyciprop(method="logit")`` = expit(logit p +- qt((1+level)/2, df) SE / (p(1-p))),
  df = ``degf(design)`` = n - H overall; for groups R's ``svyby(..., svyciprop)`` uses the
  domain's ``degf`` = respondents in the group - strata present (units with weight 0
  do not count), and so do we;
* a proportion of exactly 0 or 1 (nobody, or everybody, in the domain has y = 1) has no
  logit interval and a linearization SE of 0: it is reported as exactly 0 or 1 (not
  1e-16) with SE 0 and the exact Clopper-Pearson interval on the domain's Kish effective
  sample size n_eff = (sum w)^2 / sum w^2: [0, B^-1(1 - a/2; 1, n_eff)] for 0 and
  [B^-1(a/2; n_eff, 1), 1] for 1, a = 1 - level (with equal weights, the textbook
  interval on n: 1 - (a/2)^(1/n) at 0).

Everything per respondent is done with a few ``np.bincount`` calls over estimation cells
(respondents with identical stratum, weighting categories and weights), so 1e6 rows cost
a few milliseconds per item.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special, stats

from ._cells import combine_codes, factorize_floats, indicator_matrix, representatives
from .residuals import Apply, Residualizer


@dataclass(frozen=True)
class StrataInfo:
    """Stratification of a one-stage design (one stratum when unstratified)."""

    codes: np.ndarray  # (n,) stratum per respondent
    labels: tuple[object, ...]
    sizes: np.ndarray  # (H,) n_h
    fpc_factor: np.ndarray  # (H,) 1 - n_h/N_h (ones without fpc)
    population: np.ndarray | None  # (H,) N_h when fpc given

    @property
    def n_strata(self) -> int:
        """Number of strata H."""
        return int(self.sizes.shape[0])

    @property
    def degf(self) -> int:
        """Design degrees of freedom n - H (R ``degf`` for ``ids=~1``)."""
        return int(self.sizes.sum()) - self.n_strata


class EstimationCells:
    """Respondents grouped so that weights, stratum and residualization are cell constants."""

    def __init__(
        self, weights: np.ndarray, strata: StrataInfo, residualizers: Sequence[Residualizer]
    ) -> None:
        codes: list[np.ndarray] = [strata.codes]
        cards: list[int] = [strata.n_strata]
        for r in residualizers:
            for c, k in r.key_codes():
                codes.append(c)
                cards.append(k)
        for f in [weights, *[x for r in residualizers for x in r.key_floats()]]:
            c, k = factorize_floats(f)
            codes.append(c)
            cards.append(k)
        row_cell, _ = combine_codes(codes, cards)
        self.row_cell = row_cell
        self.n_cells = int(row_cell.max()) + 1 if row_cell.size else 0
        rep = representatives(row_cell, self.n_cells)
        self.counts = np.bincount(row_cell, minlength=self.n_cells).astype(float)
        self.weights = weights[rep]
        self.stratum = strata.codes[rep]
        self.strata = strata
        self.applies: list[Apply] = [r.prepare(rep, self.counts) for r in residualizers]
        self.strata_sum = indicator_matrix(self.stratum, strata.n_strata)  # (H, C)
        self._group_keys: dict[object, tuple[np.ndarray, int]] = {}
        self._group_df: dict[object, np.ndarray] = {}

    def group_df(self, cache_key: object) -> np.ndarray:
        """Degrees of freedom per group: respondents in the group minus strata present.

        R's ``degf`` counts units with non-zero weight, so for a domain (``svyby`` with
        ``svyciprop``) it is n_g - H_g; without groups it is the design's n - H.
        """
        if cache_key not in self._group_df:
            key, G = self._group_keys[cache_key]
            counts = np.bincount(key[key >= 0], minlength=self.n_cells * G).reshape(self.n_cells, G)
            per_stratum = self.strata_sum @ counts
            self._group_df[cache_key] = per_stratum.sum(axis=0) - (per_stratum > 0).sum(axis=0)
        return self._group_df[cache_key]

    def group_key(
        self, cache_key: object, group_codes: np.ndarray | None, n_groups: int
    ) -> tuple[np.ndarray, int]:
        """Row key cell*G + group (-1 outside every group), cached per grouping."""
        if cache_key in self._group_keys:
            return self._group_keys[cache_key]
        if group_codes is None:
            key = self.row_cell
            n_groups = 1
        elif (group_codes >= 0).all():
            key = self.row_cell * n_groups + group_codes
        else:
            key = np.where(group_codes >= 0, self.row_cell * n_groups + group_codes, -1)
        self._group_keys[cache_key] = (key, n_groups)
        return key, n_groups


@dataclass
class DomainMeans:
    """Per-group results of :func:`domain_means` (arrays of length G)."""

    estimate: np.ndarray
    variance: np.ndarray
    n: np.ndarray  # non-missing respondents in the group
    sum_weights: np.ndarray
    var_within: np.ndarray  # s2_w (svyvar)
    m_nonzero: np.ndarray  # non-missing respondents with non-zero weight
    sum_sq_weights: np.ndarray | None = None  # sum of w^2: Kish's n_eff = S^2 / sum w^2
    n_positive: np.ndarray | None = None  # respondents with y > 0 (when counted)


def domain_means(
    y: np.ndarray,
    row_key: np.ndarray,
    n_groups: int,
    cells: EstimationCells,
    count_positive: bool = False,
) -> DomainMeans:
    """Ratio means and linearization variances of y for G domains at once.

    ``count_positive`` also counts the respondents with y > 0 per domain (one more
    ``bincount``), which proportions need to tell an exact 0 or 1.
    """
    C, G = cells.n_cells, n_groups
    invalid = np.isnan(y)
    if row_key.size and row_key.min() < 0:  # respondents outside every group
        invalid |= row_key < 0
    if invalid.any():
        valid = ~invalid
        key = row_key[valid]
        yv = y[valid]
    else:
        key, yv = row_key, y
    # Centre on the unweighted mean so the sums of squares below do not cancel.
    centre = float(yv.mean()) if yv.size else 0.0
    yc = yv - centre
    size = C * G
    m = np.bincount(key, minlength=size).reshape(C, G).astype(float)
    s1 = np.bincount(key, weights=yc, minlength=size).reshape(C, G)
    s2 = np.bincount(key, weights=yc * yc, minlength=size).reshape(C, G)
    w = cells.weights[:, None]
    S = (w * m).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        delta = (w * s1).sum(axis=0) / S
        S1 = s1 - m * delta
        S2 = s2 - 2.0 * delta * s1 + m * delta * delta
        Z = w * S1 / S
        Q = (w * w) * S2 / (S * S)
    Z = np.nan_to_num(Z)
    Q = np.nan_to_num(Q)
    n_c = cells.counts[:, None]
    H = np.zeros_like(Z)
    for apply in cells.applies:
        H = H + apply(Z - n_c * H)
    E1 = Z - n_c * H
    E2 = Q - 2.0 * H * Z + n_c * H * H
    strata = cells.strata
    sum_e = cells.strata_sum @ E1
    sum_e2 = cells.strata_sum @ E2
    n_h = strata.sizes.astype(float)[:, None]
    ss = np.maximum(sum_e2 - sum_e * sum_e / n_h, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.where(n_h > 1, n_h / (n_h - 1.0), np.nan) * strata.fpc_factor[:, None]
    variance = (scale * ss).sum(axis=0)
    n_obs = m.sum(axis=0)
    variance = np.where(S > 0, variance, np.nan)  # empty domain: no estimate, no SE
    m_nz = (m * (cells.weights != 0)[:, None]).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        var_within = (w * S2).sum(axis=0) / S * m_nz / (m_nz - 1.0)
    positive = None
    if count_positive:
        positive = np.bincount(key, weights=(yv > 0).astype(float), minlength=size)
        positive = positive.reshape(C, G).sum(axis=0)
    return DomainMeans(
        estimate=centre + delta,
        variance=variance,
        n=n_obs,
        sum_weights=S,
        var_within=var_within,
        m_nonzero=m_nz,
        sum_sq_weights=(w * w * m).sum(axis=0),
        n_positive=positive,
    )


def results_frame(
    res: DomainMeans,
    *,
    kind: str,
    level: float,
    degf: np.ndarray,
    index: pd.Index,
) -> pd.DataFrame:
    """Assemble estimate, se, CI, n, deff, deff_replace, sum_weights into a DataFrame."""
    est = res.estimate
    se = np.sqrt(res.variance)
    with np.errstate(invalid="ignore", divide="ignore"):
        m = res.m_nonzero
        S = res.sum_weights
        vsrs = res.var_within * (S - m) / (S * m)
        deff = res.variance / vsrs
        deff_replace = res.variance / (res.var_within / m)
    alpha = (1.0 + level) / 2.0
    if kind == "mean":
        q = stats.norm.ppf(alpha)
        lo, hi = est - q * se, est + q * se
    else:
        lo, hi = logit_interval(est, se, level, degf)
        if res.n_positive is not None:
            est, se, lo, hi = _exact_edges(res, est, se, lo, hi, level)
    columns = {
        "estimate": est,
        "se": se,
        "ci_low": lo,
        "ci_high": hi,
        "n": res.n.astype(np.int64),
        "deff": deff,
        "deff_replace": deff_replace,
        "sum_weights": S,
    }
    if kind != "mean":
        columns["df"] = np.asarray(degf, dtype=np.int64)
    return pd.DataFrame(columns, index=index)


def _exact_edges(
    res: DomainMeans, est: np.ndarray, se: np.ndarray, lo: np.ndarray, hi: np.ndarray,
    level: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Proportions of exactly 0 or 1: the exact value, SE 0, Clopper-Pearson on Kish n_eff."""
    n = res.n
    assert res.n_positive is not None and res.sum_sq_weights is not None
    zero = (n > 0) & (res.n_positive == 0)
    one = (n > 0) & (res.n_positive == n)
    if not (zero.any() or one.any()):
        return est, se, lo, hi
    with np.errstate(invalid="ignore", divide="ignore"):
        n_eff = res.sum_weights**2 / res.sum_sq_weights
    c_lo, c_hi = clopper_pearson(np.where(one, n_eff, 0.0), n_eff, level)
    edge = zero | one
    return (
        np.where(zero, 0.0, np.where(one, 1.0, est)),
        np.where(edge, 0.0, se),
        np.where(edge, c_lo, lo),
        np.where(edge, c_hi, hi),
    )


def clopper_pearson(
    x: np.ndarray, n: np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Clopper-Pearson) interval for x successes in n trials; n may be fractional.

    [B^-1(a/2; x, n - x + 1), B^-1(1 - a/2; x + 1, n - x)], a = 1 - level, with 0 as the
    lower end at x = 0 and 1 as the upper end at x = n.
    """
    x, n = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(n, dtype=float))
    a = 1.0 - level
    some, short = x > 0, x < n
    lo = np.where(some, stats.beta.ppf(a / 2, np.where(some, x, 1.0), n - x + 1), 0.0)
    hi = np.where(short, stats.beta.ppf(1 - a / 2, x + 1, np.where(short, n - x, 1.0)), 1.0)
    return lo, hi


def logit_interval(
    p: np.ndarray, se: np.ndarray, level: float, degf: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """R ``svyciprop(method="logit")``: expit(logit p +- t_{degf} SE/(p(1-p))).

    At p = 0 or 1 the logit scale has no interval; the degenerate (p, p) is returned.
    """
    q = stats.t.ppf((1.0 + level) / 2.0, degf)
    p = np.asarray(p, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = q * se / (p * (1.0 - p))
        eta = special.logit(p)
        lo = special.expit(eta - half)
        hi = special.expit(eta + half)
    edge = (p <= 0.0) | (p >= 1.0)
    lo = np.where(edge, p, lo)
    hi = np.where(edge, p, hi)
    return lo, hi
