"""Weights for a drawn sample (stratified simple random sampling) in three stated steps.

>>> drawn = DrawnSample(stratum, population_per_stratum, sampled_per_stratum)  # doctest: +SKIP
>>> sampled = SampledDesign(respondents, drawn)                                  # doctest: +SKIP
>>> weighted = sampled.design.rake(margins)                                      # doctest: +SKIP
>>> sampled.steps(weighted)                                                      # doctest: +SKIP

1. **Design weights** d_i = N_h / n_h: the population of the respondent's stratum over the
   number of people sampled from it (respondents or not).
2. **Non-response adjustment** within response-homogeneity groups g (the strata unless
   stated): w_i = d_i * (sum of d over everyone sampled in g) / (sum of d over the
   respondents in g). The non-respondents are known from the sample, so the people the
   respondents stand in for are those of their own group.
3. **Calibration** to population margins: ``sampled.design`` is a :class:`Design` with the
   non-response-adjusted weights, the strata and their population sizes, on which the
   usual ``rake``/``calibrate``/``poststratify`` run.

Standard errors then account for the sampling design: R's
``svydesign(ids=~1, strata=~stratum, fpc=~N_h, weights=~w_nr, data=respondents)``
followed by ``rake``/``calibrate``. As in R the design holds the respondents only, so the
finite population correction of stratum h is 1 - r_h/N_h with r_h its respondents, and the
non-response-adjusted weights are taken as given (the adjustment's own variability is not
added; the calibration's is, through its residuals). ``tests/data/weighting/sampled``
holds the R script and its output that the tests reproduce.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .coding import respondents
from .design import Design, WeightedDesign
from .diagnostics import weight_summary
from .errors import DesignError

#: Columns the design adds to a copy of the respondents' table.
STRATUM_COLUMN = "__stratum__"
POPULATION_COLUMN = "__stratum_population__"
WEIGHT_COLUMN = "__nonresponse_weight__"

#: The steps of :meth:`SampledDesign.steps`, in order.
STEPS = ("design", "nonresponse", "calibration")


@dataclass(frozen=True, eq=False)  # Series fields: compare by identity
class DrawnSample:
    """How the respondents were drawn: what the three weighting steps need.

    ``stratum_of_respondent`` is indexed like the respondents' table.
    ``population_per_stratum`` (N_h) and ``sampled_per_stratum`` (n_h, everyone drawn who
    belongs to the population: leave out people found not eligible, e.g. deceased or
    moved away) cover every stratum drawn from. Response-homogeneity groups are the
    strata unless ``rhg_of_respondent`` gives each respondent a group; a group may be a
    union of strata, or cut across them (e.g. age group from the register), in which case
    ``sampled_per_rhg`` gives the number sampled per (stratum, group).
    """

    stratum_of_respondent: pd.Series
    population_per_stratum: Mapping[Any, float]
    sampled_per_stratum: Mapping[Any, int]
    rhg_of_respondent: pd.Series | None = None
    sampled_per_rhg: Mapping[tuple[Any, Any], int] | None = None


class SampledDesign:
    """Steps 1 and 2 computed for the respondents; ``design`` is ready for step 3.

    Attributes: ``design_weights`` and ``nonresponse_weights`` (Series aligned with the
    table), ``design`` (:class:`Design` with strata, fpc and the step-2 weights),
    ``strata`` (per stratum: population, sampled, respondents, response rate, design
    weight, fpc factor) and ``groups`` (per response-homogeneity group: sampled,
    respondents, design-weighted response rate and the adjustment factor).
    """

    def __init__(self, sample: pd.DataFrame, drawn: DrawnSample) -> None:
        if not isinstance(sample, pd.DataFrame):
            raise DesignError("The sample must be a pandas DataFrame.", reason="not_a_dataframe")
        index = sample.index
        stratum = _aligned(drawn.stratum_of_respondent, index, "stratum")
        population = _counts(drawn.population_per_stratum, "population_per_stratum")
        sampled = _counts(drawn.sampled_per_stratum, "sampled_per_stratum")
        unknown = sorted({str(h) for h in stratum if h not in population or h not in sampled})
        if unknown:
            raise DesignError(
                "Respondents are in strata without a population or sample size: "
                + ", ".join(unknown) + ".",
                reason="unknown_stratum", strata=unknown)
        invalid = sorted(str(h) for h, n in sampled.items()
                         if h not in population or not 0 < n <= population[h])
        if invalid:
            raise DesignError(
                "Every stratum drawn from needs a population at least as large as its "
                "sample, and a sample of at least one: " + ", ".join(invalid) + ".",
                reason="invalid_sample_sizes", strata=invalid)
        answered = stratum.value_counts()
        over = sorted(str(h) for h, r in answered.items() if r > sampled[h])
        if over:
            raise DesignError(
                "More respondents than people sampled in stratum " + ", ".join(over) + ".",
                reason="more_respondents_than_sampled", strata=over)

        # step 1: design weights
        weight_of = {h: population[h] / sampled[h] for h in sampled}
        d = stratum.map(weight_of).to_numpy(dtype=float)

        # step 2: non-response adjustment within response-homogeneity groups
        group, cells = self._groups(drawn, stratum, sampled)
        resp_sum = pd.Series(d, index=index).groupby(group.to_numpy()).sum().to_dict()
        resp_n = group.value_counts().to_dict()
        sampled_sum: dict[Any, float] = {}
        sampled_n: dict[Any, int] = {}
        for (h, g), n in cells.items():
            sampled_sum[g] = sampled_sum.get(g, 0.0) + n * weight_of[h]
            sampled_n[g] = sampled_n.get(g, 0) + int(n)
        empty = sorted(str(g) for g in sampled_sum if g not in resp_sum)
        if empty:
            raise DesignError(
                "No respondents in response-homogeneity group " + ", ".join(empty)
                + ": merge it with a similar group.",
                reason="empty_rhg", groups=empty)
        factor = {g: sampled_sum[g] / resp_sum[g] for g in sampled_sum}
        w = d * group.map(factor).to_numpy(dtype=float)

        self.drawn = drawn
        self.design_weights = pd.Series(d, index=index, name="design_weight")
        self.nonresponse_weights = pd.Series(w, index=index, name="nonresponse_weight")
        table = sample.assign(**{
            STRATUM_COLUMN: stratum.to_numpy(),
            POPULATION_COLUMN: stratum.map(population).to_numpy(dtype=float),
            WEIGHT_COLUMN: w,
        })
        self.design = Design(table, weights=WEIGHT_COLUMN, strata=STRATUM_COLUMN,
                             fpc=POPULATION_COLUMN)
        strata = sorted(sampled, key=str)
        r = np.array([int(answered.get(h, 0)) for h in strata])
        n = np.array([sampled[h] for h in strata], dtype=float)
        N = np.array([population[h] for h in strata], dtype=float)
        self.strata = pd.DataFrame({
            "stratum": strata, "population": N, "sampled": n.astype(int), "respondents": r,
            "response_rate": r / n, "design_weight": N / n, "fpc_factor": 1.0 - r / N})
        groups = sorted(sampled_sum, key=str)
        self.groups = pd.DataFrame({
            "group": groups,
            "sampled": [sampled_n[g] for g in groups],
            "respondents": [int(resp_n.get(g, 0)) for g in groups],
            "weighted_response_rate": [resp_sum[g] / sampled_sum[g] for g in groups],
            "adjustment": [factor[g] for g in groups]})

    @staticmethod
    def _groups(drawn: DrawnSample, stratum: pd.Series, sampled: Mapping[Any, int]
                ) -> tuple[pd.Series, dict[tuple[Any, Any], int]]:
        """Each respondent's group, and the number sampled per (stratum, group)."""
        if drawn.rhg_of_respondent is None:
            return stratum, {(h, h): n for h, n in sampled.items()}
        group = _aligned(drawn.rhg_of_respondent, stratum.index, "response-homogeneity group")
        if drawn.sampled_per_rhg is not None:
            cells = dict(_counts(drawn.sampled_per_rhg, "sampled_per_rhg"))
            totals: dict[Any, int] = {}
            for (h, _), n in cells.items():
                totals[h] = totals.get(h, 0) + n
            if totals != dict(sampled):
                raise DesignError(
                    "The numbers sampled per stratum and group do not add up to the numbers "
                    "sampled per stratum.", reason="invalid_sample_sizes")
            seen = pd.crosstab(stratum, group)
            over = [(h, g) for h in seen.index for g in seen.columns
                    if seen.at[h, g] > cells.get((h, g), 0)]
            if over:
                raise DesignError(
                    "More respondents than people sampled in (stratum, group) "
                    + ", ".join(f"({h}, {g})" for h, g in over) + ".",
                    reason="more_respondents_than_sampled", cells=over)
            return group, cells
        # groups are unions of strata: each stratum's sample belongs to one group
        of_stratum = pd.DataFrame({"h": stratum, "g": group}).drop_duplicates()
        split = of_stratum["h"][of_stratum["h"].duplicated()].astype(str).unique().tolist()
        if split:
            raise DesignError(
                "Strata " + ", ".join(split) + " are split between response-homogeneity "
                "groups: give the numbers sampled per stratum and group.",
                reason="rhg_splits_stratum", strata=split)
        mapping = dict(zip(of_stratum["h"], of_stratum["g"], strict=True))
        silent = sorted(str(h) for h in sampled if h not in mapping)
        if silent:
            raise DesignError(
                "No respondents in stratum " + ", ".join(silent) + ", so its "
                "response-homogeneity group is unknown: give the numbers sampled per "
                "stratum and group.", reason="empty_rhg", strata=silent)
        return group, {(h, mapping[h]): n for h, n in sampled.items()}

    def steps(self, weighted: WeightedDesign | None = None) -> pd.DataFrame:
        """Summary of the weights after each step (the last only with ``weighted``).

        Columns: step, n, sum_weights, weight_min, weight_max, weight_mean, weight_cv
        (divisor n), kish_deff (design effect due to weighting, n sum w^2 / (sum w)^2)
        and effective_n.
        """
        series = [self.design_weights.to_numpy(), self.nonresponse_weights.to_numpy()]
        if weighted is not None:
            series.append(weighted.weights.to_numpy())
        keys = ("n", "sum_weights", "weight_min", "weight_max", "weight_mean", "weight_cv",
                "kish_deff", "effective_n")
        rows = []
        for step, w in zip(STEPS, series, strict=False):
            summary = weight_summary(w)
            rows.append({"step": step, **{k: summary[k] for k in keys}})
        return pd.DataFrame(rows)


def _aligned(values: pd.Series, index: pd.Index, what: str) -> pd.Series:
    if not isinstance(values, pd.Series):
        raise DesignError(f"The {what} of each respondent must be a pandas Series.",
                          reason="not_a_series")
    if not values.index.equals(index):
        if not (values.index.is_unique and index.is_unique):
            raise DesignError(f"The {what} Series must share the sample's index.",
                              reason="index_mismatch")
        values = values.reindex(index)
    missing = int(values.isna().sum())
    if missing:
        raise DesignError(f"{respondents(missing, 'have')} no {what}.",
                          reason="missing_strata", n_respondents=missing)
    return values


def _counts(values: Mapping[Any, float], what: str) -> dict[Any, float]:
    out = {}
    for key, value in dict(values).items():
        number = float(value)
        if not np.isfinite(number) or number < 0:
            raise DesignError(f"{what}: {key} has an invalid count {value!r}.",
                              reason="invalid_sample_sizes")
        out[key] = number
    return out


__all__ = ["STEPS", "DrawnSample", "SampledDesign"]
