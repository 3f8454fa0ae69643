"""Indicator values for one survey wave: overall, by group, and gaps between groups.

Every survey indicator is the weighted mean of a per-respondent score s_i
(:meth:`~.definitions.SurveyIndicator.score`) over a domain D (the whole population or
one group), with the engine's linearization variance, calibration residuals included
(R ``svymean``/``svyby`` after ``rake`` etc.; see :mod:`surveys.weighting.estimation`):

* estimate  sbar_D = sum_{i in D} w_i s_i / sum_{i in D} w_i over respondents with a score;
* 95% interval: shares use R's ``svyciprop(method="logit")``,
  expit(logit p +- t_{df} SE / (p (1 - p))), df = n - H overall and n_g - H_g in a group;
  a share of exactly 0 or 1 is reported as such with SE 0 and the exact Clopper-Pearson
  interval on the group's Kish effective n (:mod:`surveys.weighting.estimation`), and
  flagged uncertain; means and indices use sbar +- z_{0.975} SE;
* n: respondents with a score (unweighted).

Disclosure control (:mod:`.disclosure`) suppresses small groups and, per grouping, the
complementary groups :func:`.disclosure.protect_breakdown` picks, judged against the
whole-population estimate as the breakdown's total.

Groups are domains of the one design: every respondent stays in the variance sum, so
group SEs include the uncertainty of the group's own weighted size.

A *gap* between groups a and b of one variable is d = sbar_a - sbar_b with

    Var(d) = V_aa + V_bb - 2 V_ab,

V the covariance matrix of the two domain estimates computed from their residualized
influence values (:mod:`._engine`). The two estimates come from the same weighted sample,
so V_ab is not zero: raking ties the groups' weighted totals together. Interval
d +- z_{0.975} SE, p-value 2 (1 - Phi(|d| / SE)) for "no gap".
"""

from __future__ import annotations

import math
import re
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from surveys.core.data import jsonable

from . import _engine
from .definitions import SurveyIndicator, normalize_answer
from .disclosure import NO_DATA, Cell, DisclosureRules, protect_breakdown
from .errors import IndicatorError
from .multiple import benjamini_hochberg

Grouping = str | pd.Series


def _num(value: Any) -> float | None:
    """A finite float or None (NaN and numpy scalars out, for JSON and comparisons)."""
    if value is None:
        return None
    v = float(value)
    return v if math.isfinite(v) else None


@dataclass(frozen=True)
class Estimate:
    """One indicator value for the whole population (``variable`` None) or one group.

    ``value`` is a proportion in [0, 1] for shares, the scale's unit for means, 0-100 for
    indices. Suppressed estimates (see :mod:`.disclosure`) have ``value`` and everything
    derived from the respondents set to None and the reason in ``suppressed``.
    """

    value: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    #: Respondents with a score (unweighted).
    n: int | None
    #: Grouping variable and group value; None for the whole population.
    variable: str | None = None
    group: Any = None
    #: Degrees of freedom of the logit interval (shares only).
    df: int | None = None
    #: Design effect of the estimate (R ``deff=TRUE``).
    deff: float | None = None
    #: Sum of the weights of the respondents counted: the estimated population size.
    sum_weights: float | None = None
    suppressed: str | None = None
    uncertain: bool = False

    @property
    def rse(self) -> float | None:
        """Relative standard error SE / |value| (None when unknown, inf at value 0)."""
        if self.value is None or self.se is None:
            return None
        return math.inf if self.value == 0 else self.se / abs(self.value)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dict including ``rse``."""
        return jsonable({**asdict(self), "rse": self.rse})

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Estimate:
        """The estimate back from :meth:`to_dict` (derived keys such as ``rse`` are ignored)."""
        return cls(**{f.name: data.get(f.name, f.default) for f in fields(cls)})


@dataclass(frozen=True)
class GapSpec:
    """A gap to compute: ``minuend`` minus ``subtrahend``, two groups of ``variable``."""

    variable: str
    minuend: Any
    subtrahend: Any


@dataclass(frozen=True)
class Gap:
    """Difference between two groups' estimates with its SE from the joint design."""

    variable: str
    minuend: Any
    subtrahend: Any
    value: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    #: Covariance of the two group estimates (part of the SE, shown for transparency).
    covariance: float | None = None
    #: Two-sided p-value of "no gap" (normal reference).
    p_value: float | None = None
    suppressed: str | None = None
    uncertain: bool = False
    #: p adjusted for the wave's other gaps (Benjamini–Hochberg; see :func:`with_adjusted_gaps`).
    p_adjusted: float | None = None

    @property
    def significant(self) -> bool | None:
        """Gap different from 0 at the 5% level, by the adjusted p when there is one (None
        when suppressed)."""
        p = self.p_value if self.p_adjusted is None else self.p_adjusted
        return None if p is None else p < 0.05

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dict including ``significant``."""
        return jsonable({**asdict(self), "significant": self.significant})

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Gap:
        """The gap back from :meth:`to_dict`."""
        return cls(**{f.name: data.get(f.name, f.default) for f in fields(cls)})


@dataclass(frozen=True)
class WaveResult:
    """All figures of one indicator in one wave."""

    indicator: str
    #: Wave label (matched against ``Indicator.baseline_wave``) and its year.
    wave: Hashable
    year: int
    #: "proportion", "mean" or "register".
    estimator: str
    overall: Estimate
    groups: Mapping[str, tuple[Estimate, ...]] = field(default_factory=dict)
    gaps: tuple[Gap, ...] = ()
    #: Source of register values; None for survey waves.
    source: str | None = None

    def group(self, variable: str, value: Any) -> Estimate | None:
        """The estimate of one group, or None if the wave has no such group."""
        for est in self.groups.get(variable, ()):
            if _same(est.group, value):
                return est
        return None

    def gap(self, variable: str, minuend: Any, subtrahend: Any) -> Gap | None:
        """One of the wave's gaps, or None."""
        for g in self.gaps:
            if (
                g.variable == variable
                and _same(g.minuend, minuend)
                and _same(g.subtrahend, subtrahend)
            ):
                return g
        return None

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dict (groups as lists per variable)."""
        return jsonable(
            {
                "indicator": self.indicator,
                "wave": self.wave,
                "year": self.year,
                "estimator": self.estimator,
                "source": self.source,
                "overall": self.overall.to_dict(),
                "groups": {v: [e.to_dict() for e in es] for v, es in self.groups.items()},
                "gaps": [g.to_dict() for g in self.gaps],
            }
        )

    def in_order(self, orders: Mapping[str, Sequence[Any]]) -> WaveResult:
        """The same figures, each grouping's groups in their natural order
        (:func:`category_order`; ``orders``: the declared order per variable)."""
        groups = {}
        for variable, estimates in self.groups.items():
            rank = {_key(v): i for i, v in enumerate(category_order(
                [e.group for e in estimates], orders.get(variable, ())))}
            groups[variable] = tuple(sorted(estimates, key=lambda e: rank[_key(e.group)]))
        return replace(self, groups=groups)

    def with_adjusted_gaps(self) -> WaveResult:
        """The gaps' p-values adjusted as one family (Benjamini–Hochberg): a wave's gaps
        are read together, so "significant" follows the adjusted p."""
        adjusted = benjamini_hochberg([g.p_value for g in self.gaps])
        return replace(self, gaps=tuple(replace(g, p_adjusted=p)
                                        for g, p in zip(self.gaps, adjusted, strict=True)))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WaveResult:
        """The result back from :meth:`to_dict`, e.g. as the app stores it."""
        return cls(
            indicator=data["indicator"],
            wave=data["wave"],
            year=int(data["year"]),
            estimator=data["estimator"],
            overall=Estimate.from_dict(data["overall"]),
            groups={v: tuple(Estimate.from_dict(e) for e in es)
                    for v, es in data.get("groups", {}).items()},
            gaps=tuple(Gap.from_dict(g) for g in data.get("gaps", [])),
            source=data.get("source"),
        )


def natural_key(value: Any) -> tuple:
    """Sort key of a group code in its natural order: by its first number ("0_4" < "5_9" <
    "10_19" < "20_plus"; "16-29" < "65+"), codes without a number after them by text."""
    text = str(value)
    number = re.search(r"\d+", text)
    return (0, int(number.group()), text) if number else (1, 0, text.casefold())


def category_order(values: Sequence[Any], declared: Sequence[Any] = ()) -> list[Any]:
    """``values`` in their natural order: those in ``declared`` (the order a question's
    options or a population table give) first, in that order; the others by
    :func:`natural_key`. Never alphabetical by label, never by size."""
    position = {_key(v): i for i, v in enumerate(declared)}
    known = sorted((v for v in values if _key(v) in position), key=lambda v: position[_key(v)])
    rest = sorted((v for v in values if _key(v) not in position), key=natural_key)
    return known + rest


def _key(value: Any) -> str:
    """Group codes compare as text (a stored 2 and a declared "2" are one group)."""
    return str(value)


def _same(a: Any, b: Any) -> bool:
    """Group values compare as answers do: "1", 1 and 1.0 are the same group."""
    if a == b:
        return True
    na, nb = normalize_answer(a), normalize_answer(b)
    return na is not None and na == nb


# --------------------------------------------------------------------------------------
# Computation
# --------------------------------------------------------------------------------------


def _aligned(frame_or_series: Any, index: pd.Index, what: str) -> Any:
    if frame_or_series.index.equals(index):
        return frame_or_series
    if not (frame_or_series.index.is_unique and index.is_unique):
        raise IndicatorError("index_mismatch", what=what)
    return frame_or_series.reindex(index)


def _grouping(spec: Grouping, data: pd.DataFrame, sample: pd.DataFrame) -> tuple[str, pd.Series]:
    if isinstance(spec, pd.Series):
        if spec.name is None:
            raise IndicatorError("unnamed_grouping")
        return str(spec.name), _aligned(spec, sample.index, "grouping")
    if spec in data.columns:
        return spec, data[spec]
    if spec in sample.columns:
        return spec, sample[spec]
    raise IndicatorError("missing_grouping", variable=spec)


def _frame_rows(
    res: _engine.DomainMeans, estimator: str, level: float, df: np.ndarray
) -> pd.DataFrame:
    kind = "proportion" if estimator == "proportion" else "mean"
    return _engine.results_frame(
        res, kind=kind, level=level, degf=df, index=pd.RangeIndex(len(res.estimate))
    )


def _estimate_from_row(
    row: pd.Series, estimator: str, variable: str | None, group: Any, rules: DisclosureRules
) -> Estimate:
    n = int(row["n"])
    value = _num(row["estimate"])
    reason = rules.reason(n, value)
    if reason is not None:
        return Estimate(None, None, None, None, None, variable, group, suppressed=reason)
    se = _num(row["se"])
    share = estimator == "proportion"
    return Estimate(
        value=value,
        se=se,
        ci_low=_num(row["ci_low"]),
        ci_high=_num(row["ci_high"]),
        n=n,
        variable=variable,
        group=group,
        df=int(row["df"]) if share else None,
        deff=_num(row["deff"]),
        sum_weights=_num(row["sum_weights"]),
        uncertain=rules.uncertain(value, se, share=share),
    )


def _ends(score: np.ndarray, estimator: str) -> tuple[np.ndarray, np.ndarray]:
    """Respondents at the bottom and at the top of the value range (0 and 1 for a share;
    the lowest and highest score given otherwise): what secondary suppression counts."""
    valid = ~np.isnan(score)
    if estimator == "proportion":
        bottom, top = 0.0, 1.0
    elif valid.any():
        bottom, top = float(np.min(score[valid])), float(np.max(score[valid]))
    else:
        bottom = top = math.nan
    return valid & (score == bottom), valid & (score == top)


def _protected(
    estimates: Sequence[Estimate],
    n: np.ndarray,
    total: Cell,
    codes: np.ndarray,
    ends: tuple[np.ndarray, np.ndarray],
    rules: DisclosureRules,
) -> tuple[Estimate, ...]:
    """The groups of one grouping after secondary suppression against the overall total.

    ``n`` are the groups' respondents with a score (suppressed estimates no longer carry it).
    """
    inside = codes >= 0
    low, high = (np.bincount(codes[inside], weights=end[inside], minlength=len(estimates))
                 for end in ends)
    cells = [Cell(int(n[k]), int(low[k]), int(high[k])) for k in range(len(estimates))]
    reasons = protect_breakdown(total, cells, rules.min_n).reasons
    return tuple(
        est if reason is None or est.suppressed == reason
        else Estimate(None, None, None, None, None, est.variable, est.group, suppressed=reason)
        for est, reason in zip(estimates, reasons, strict=True)
    )


def gap_between(
    design: _engine.Survey,
    score: np.ndarray,
    codes: np.ndarray,
    a: int,
    b: int,
) -> tuple[float, float, float]:
    """(difference, SE, covariance) of the mean of ``score`` in group a minus group b.

    Var = V_aa + V_bb - 2 V_ab from the residualized influence values of both domains.
    """
    est, e = _engine.influence_values(design, score, _engine.domain_masks(codes, [a, b]))
    V = _engine.domain_covariance(design, e)
    var = V[0, 0] + V[1, 1] - 2.0 * V[0, 1]
    return float(est[0] - est[1]), math.sqrt(max(var, 0.0)), float(V[0, 1])


def _gap(
    spec: GapSpec,
    design: _engine.Survey,
    score: np.ndarray,
    codes: np.ndarray,
    values: list[Any],
    estimates: Sequence[Estimate],
    level: float,
) -> Gap:
    def position(value: Any) -> int | None:
        return next((k for k, v in enumerate(values) if _same(v, value)), None)

    a, b = position(spec.minuend), position(spec.subtrahend)
    empty = Gap(spec.variable, spec.minuend, spec.subtrahend, None, None, None, None)
    if a is None or b is None:  # a group nobody in this wave belongs to
        return replace(empty, suppressed=NO_DATA)
    if a == b:
        raise IndicatorError("gap_of_group_with_itself", variable=spec.variable, group=spec.minuend)
    ea, eb = estimates[a], estimates[b]
    reason = ea.suppressed or eb.suppressed
    if reason is not None:
        return replace(empty, suppressed=reason)
    d, se, cov = gap_between(design, score, codes, a, b)
    q = float(stats.norm.ppf((1.0 + level) / 2.0))
    p = float(2.0 * stats.norm.sf(abs(d) / se)) if se > 0 else None
    return Gap(
        spec.variable,
        spec.minuend,
        spec.subtrahend,
        d,
        se,
        d - q * se,
        d + q * se,
        covariance=cov,
        p_value=p,
        uncertain=ea.uncertain or eb.uncertain,
    )


def estimate_wave(
    indicator: SurveyIndicator,
    design: _engine.Survey,
    data: pd.DataFrame | None = None,
    *,
    year: int,
    wave: Hashable | None = None,
    groups: Sequence[Grouping] = (),
    gaps: Sequence[GapSpec] = (),
    rules: DisclosureRules | None = None,
    level: float = 0.95,
) -> WaveResult:
    """Estimate an indicator in one wave: overall, by each grouping, and the requested gaps.

    ``design`` is the wave's approved weighting (a :class:`~surveys.weighting.WeightedDesign`
    carries the raking/calibration information the SEs need; a plain ``Design`` gives
    unweighted-design figures). ``data`` holds the answers and grouping columns, indexed
    like ``design.sample`` (respondents missing from it have no score); by default
    ``design.sample``. ``groups`` are column names (looked up in ``data``, then in the
    design's sample) or named Series, e.g. years in Sweden already cut into bands. Gaps
    need their variable in ``groups``. ``rules`` default to :class:`DisclosureRules()`.
    """
    rules = DisclosureRules() if rules is None else rules
    if not 0 < level < 1:
        raise IndicatorError("invalid_level", level=level)
    sample = design.sample
    data = sample if data is None else _aligned(data, sample.index, "data")
    score = indicator.score(data).to_numpy(dtype=float)
    estimator = indicator.estimator

    share = estimator == "proportion"
    overall_res = _engine.domain_estimates(design, score, None, 1, count_positive=share)
    overall_row = _frame_rows(overall_res, estimator, level, np.array([design.degf])).iloc[0]
    overall = _estimate_from_row(overall_row, estimator, None, None, rules)
    ends = _ends(score, estimator)
    total = Cell(int(overall_row["n"]), int(ends[0].sum()), int(ends[1].sum()))

    by: dict[str, tuple[Estimate, ...]] = {}
    coded: dict[str, tuple[np.ndarray, list[Any]]] = {}
    for spec in groups:
        name, series = _grouping(spec, data, sample)
        if name in by:
            raise IndicatorError("duplicate_grouping", variable=name)
        codes, values = _engine.group_codes(series)
        G = len(values)
        if G == 0:
            by[name] = ()
            coded[name] = (codes, values)
            continue
        res = _engine.domain_estimates(design, score, codes, G, count_positive=share)
        frame = _frame_rows(res, estimator, level, _engine.domain_df(design, codes, G))
        by[name] = _protected(
            [_estimate_from_row(frame.iloc[k], estimator, name, values[k], rules)
             for k in range(G)],
            frame["n"].to_numpy(), total, codes, ends, rules)
        coded[name] = (codes, values)

    gap_results = []
    for spec in gaps:
        if spec.variable not in coded:
            raise IndicatorError("gap_variable_not_grouped", variable=spec.variable)
        codes, values = coded[spec.variable]
        gap_results.append(_gap(spec, design, score, codes, values, by[spec.variable], level))
    return WaveResult(
        indicator=indicator.key,
        wave=year if wave is None else wave,
        year=year,
        estimator=estimator,
        overall=overall,
        groups=by,
        gaps=tuple(gap_results),
    ).with_adjusted_gaps()
