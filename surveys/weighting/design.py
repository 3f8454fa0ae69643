"""Survey designs and weighted results: the public face of the weighting engine.

>>> design = Design(sample, weights="base_w")              # doctest: +SKIP
>>> raked = design.rake(margins)                           # doctest: +SKIP
>>> raked.mean("trust_kommun", by="born")                  # doctest: +SKIP

A :class:`Design` is R's ``svydesign(ids=~1, strata=, weights=, fpc=)`` (one-stage,
respondents are the sampling units). ``rake``, ``poststratify``, ``calibrate`` and
``trim`` return a :class:`WeightedDesign`, which can be weighted or trimmed further and
estimates means and proportions with standard errors that account for the weighting,
exactly as R ``survey`` 4.1 does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from ._cells import combine_codes
from .coding import (
    Coded,
    Options,
    Policy,
    code_cells,
    code_margins,
    coding_messages,
    describe_values,
    held_cells,
    margin_frame,
    respondents,
)
from .diagnostics import Diagnostics, Message, build_diagnostics, margin_table
from .errors import (
    DesignError,
    EmptyCategoryError,
    MarginsFormatError,
    OutcomeError,
    UnknownCategoryError,
    WeightingError,
)
from .estimation import EstimationCells, StrataInfo, domain_means, results_frame
from .impute import Imputation
from .margins import Margin, Margins, as_margins, normalize_label
from .methods import calibrate_cells, rake_cells, trim_weights
from .residuals import (
    CalibrationResidualizer,
    PostStratResidualizer,
    RakingResidualizer,
    Residualizer,
)

Variable = str | pd.Series


# --------------------------------------------------------------------------------------
# Base class
# --------------------------------------------------------------------------------------


class _Survey:
    """Data, weights and variance structure shared by designs and weighted results."""

    _sample: pd.DataFrame
    _w: np.ndarray
    _strata: StrataInfo
    _residualizers: tuple[Residualizer, ...]
    _root: Design

    def _init_survey(
        self,
        root: Design,
        w: np.ndarray,
        residualizers: tuple[Residualizer, ...],
    ) -> None:
        self._root = root
        self._sample = root._sample
        self._strata = root._strata
        self._w = w
        self._residualizers = residualizers
        self._cells: EstimationCells | None = None

    # -- basic properties ----------------------------------------------------------

    @property
    def sample(self) -> pd.DataFrame:
        """The respondent data (not copied; do not modify)."""
        return self._sample

    @property
    def weights(self) -> pd.Series:
        """Weights aligned with ``sample.index``."""
        return pd.Series(self._w, index=self._sample.index, name="weight", copy=True)

    @property
    def degf(self) -> int:
        """Design degrees of freedom (n - number of strata), R's ``degf``."""
        return self._strata.degf

    @property
    def n(self) -> int:
        """Number of respondents."""
        return int(self._w.shape[0])

    def _base_for_weighting(self, population_total: float) -> np.ndarray:
        return self._w

    # -- columns -------------------------------------------------------------------

    def _column(self, name: str) -> pd.Series:
        if name not in self._sample.columns:
            raise DesignError(
                f"The sample has no column {name!r}.", column=name, reason="missing_column"
            )
        return self._sample[name]

    # -- weighting methods ------------------------------------------------------------

    def rake(
        self,
        margins: pd.DataFrame | Margins | Mapping[str, Mapping[Any, float]],
        epsilon: float = 1e-10,
        max_iter: int = 100,
        *,
        collapse: Mapping[str, Mapping[Any, Any]] | None = None,
        missing: Policy = "error",
        unknown: Policy = "error",
        total_rtol: float = 1e-9,
        imputation: Imputation = "hot_deck",
        seed: int = 0,
        sample_share: Mapping[str, Sequence[Any]] | None = None,
    ) -> WeightedDesign:
        """Rake (iterative proportional fitting) to population margins, as R ``rake()``.

        Each pass post-stratifies on every margin in order; after each pass the weighted
        joint table of all raking variables is compared with the previous pass's.
        Converged when no cell changed by ``epsilon`` or more; ``epsilon < 1`` is taken
        relative to the sum of the initial weights (R: ``epsilon * sum(weights)``).
        R's default is ``epsilon=1, max_iter=10``. When ``max_iter`` passes are reached
        the last weights are returned with ``converged=False`` and a warning in the
        diagnostics. Standard errors use R's raking residualization.

        ``collapse={"age": {"16-29": "30-44"}}`` merges a category into another in both
        sample and margins; ``missing``/``unknown="impute"`` impute a category for
        respondents with a missing / non-margin value by random hot-deck within cells of the
        other weighting variables, reproducible from ``seed`` (``imputation="modal"``: the
        earlier most-common-category rule; see :mod:`surveys.weighting.impute`).

        ``sample_share={"gender": ["annat"]}`` names categories the margins lack on purpose
        (a register that knows two legal sexes has no count for another gender): each is
        added to its margin at its base-weighted share among the respondents who have a
        category of that variable, and the variable's other categories are scaled down in
        proportion, so its total is unchanged. The added count is an estimate treated as
        known: its sampling error is not in the standard errors. R gets the same weights
        from ``rake()`` with the adjusted margins (reported in the diagnostics).
        """
        if max_iter < 1:
            raise WeightingError("max_iter must be at least 1.", parameter="max_iter")
        if not epsilon > 0:
            raise WeightingError("epsilon must be positive.", parameter="epsilon")
        m = as_margins(margins)
        N = m.check_totals(total_rtol)
        d = self._base_for_weighting(N)
        coded = code_margins(self._sample, m, collapse, missing, unknown, d,
                             Options(imputation, seed, sample_share))
        cells = coded.cells
        d_const = float(d[0]) if d.min() == d.max() else None
        if d_const is not None:  # common case: skip a pass over the respondents
            base_sums = cells.counts * d_const
        else:
            base_sums = np.bincount(cells.row_cell, weights=d, minlength=cells.n_cells)
        eps_abs = epsilon if epsilon >= 1 else epsilon * float(d.sum())
        targets = [coded.margins[v].counts for v in coded.variables]
        out = rake_cells(cells.codes, base_sums, targets, eps_abs, max_iter)
        w = d * out.factor[cells.row_cell]
        residualizer = RakingResidualizer(
            row_cell=cells.row_cell,
            cell_codes=cells.codes,
            cards=tuple(coded.cards),
            base=d,
            stage_factors=out.stage_factors,
        )
        messages = coding_messages(coded)
        warnings: list[Message] = []
        if not out.converged:
            warnings.append(
                Message(
                    "not_converged",
                    f"Raking did not converge after {out.iterations} iterations: the joint "
                    f"table still changed by {out.deltas[-1]:.3g} (required < {eps_abs:.3g}). "
                    "The weights of the last iteration are used.",
                    {
                        "iterations": out.iterations,
                        "max_change": out.deltas[-1],
                        "epsilon": eps_abs,
                    },
                )
            )
        cell_weights = base_sums * out.factor
        diag = build_diagnostics(
            method="rake",
            converged=out.converged,
            iterations=out.iterations,
            weights=w if d_const is None else d_const * out.factor,
            weight_freq=None if d_const is None else cells.counts,
            margins=margin_frame(coded, cell_weights=cell_weights),
            messages=messages,
            warnings=warnings,
            imputed=coded.imputed,
            collapsed=coded.collapsed,
            max_change=out.deltas[-1],
            epsilon=eps_abs,
        )
        return WeightedDesign._make(
            self,
            w,
            (*self._residualizers, residualizer),
            "rake",
            out.converged,
            out.iterations,
            diag,
            coded,
        )

    def calibrate(
        self,
        margins: pd.DataFrame | Margins | Mapping[str, Mapping[Any, float]],
        method: Literal["linear", "raking", "logit"] = "linear",
        bounds: tuple[float, float] | None = None,
        epsilon: float = 1e-10,
        max_iter: int = 100,
        *,
        collapse: Mapping[str, Mapping[Any, Any]] | None = None,
        missing: Policy = "error",
        unknown: Policy = "error",
        total_rtol: float = 1e-9,
        imputation: Imputation = "hot_deck",
        seed: int = 0,
        sample_share: Mapping[str, Sequence[Any]] | None = None,
    ) -> WeightedDesign:
        """Calibrate to margins (R ``calibrate(design, ~a+b, pop, calfun=method, bounds)``).

        Model: intercept plus treatment-coded indicators of every margin variable;
        totals: N and the counts of every non-first category. ``linear`` without bounds
        is the closed-form GREG estimator (weights may be negative: reported as a
        warning); ``raking``, ``logit`` and bounded ``linear`` use Newton iterations
        until max |T - T_hat| / (1 + |T|) < ``epsilon``. ``bounds=(L, U)`` bound g = w/d
        (``logit`` requires finite bounds, L < 1 < U). Raises ConvergenceError when the
        equations cannot be met (e.g. bounds too tight). Standard errors use the
        GREG residual e = [b - A beta] g sqrt(d) (R ``svyrecvar``). ``missing``,
        ``unknown``, ``imputation``, ``seed`` and ``sample_share`` work as in :meth:`rake`.
        """
        if method not in ("linear", "raking", "logit"):
            raise WeightingError(
                f"Unknown calibration method {method!r}; use 'linear', 'raking' or 'logit'.",
                parameter="method",
            )
        lo, hi = (-np.inf, np.inf) if bounds is None else (float(bounds[0]), float(bounds[1]))
        if not lo < hi:
            raise WeightingError(f"Invalid bounds {bounds}.", parameter="bounds")
        if method == "logit" and not (np.isfinite(lo) and np.isfinite(hi) and lo < 1 < hi):
            raise WeightingError(
                "Logit calibration requires finite bounds with lower < 1 < upper.",
                parameter="bounds",
            )
        if bounds is not None and not (lo <= 1 <= hi):
            raise WeightingError(
                "Bounds on g = w/d must include 1.", parameter="bounds", bounds=bounds
            )
        m = as_margins(margins)
        N = m.check_totals(total_rtol)
        d = self._base_for_weighting(N)
        coded = code_margins(self._sample, m, collapse, missing, unknown, d,
                             Options(imputation, seed, sample_share))
        cells = coded.cells
        base_sums = np.bincount(cells.row_cell, weights=d, minlength=cells.n_cells)
        cols = [np.ones(cells.n_cells)]
        totals = [N]
        for j, v in enumerate(coded.variables):
            mg = coded.margins[v]
            for k in range(1, len(mg.categories)):
                cols.append((cells.codes[:, j] == k).astype(float))
                totals.append(float(mg.counts[k]))
        X = np.stack(cols, axis=1)
        out = calibrate_cells(X, base_sums, np.array(totals), method, (lo, hi), epsilon, max_iter)
        w = d * out.g[cells.row_cell]
        residualizer = CalibrationResidualizer(row_cell=cells.row_cell, X=X, g=out.g, base=d)
        messages = coding_messages(coded)
        messages.append(
            Message(
                "g_range",
                f"g = w/d ranges from {out.g.min():.4g} to {out.g.max():.4g}.",
                {"g_min": float(out.g.min()), "g_max": float(out.g.max())},
            )
        )
        if abs(float(d.sum()) - N) > 0.05 * N and bounds is not None:
            messages.append(
                Message(
                    "base_weights_scale",
                    f"The base weights sum to {float(d.sum()):.6g} but the population is "
                    f"{N:.6g}; the bounds apply to g = w/d, not to the weights.",
                    {"sum_base_weights": float(d.sum()), "population": N},
                )
            )
        diag = build_diagnostics(
            method=f"calibrate:{method}",
            converged=True,
            iterations=out.iterations,
            weights=w,
            margins=margin_frame(coded, cell_weights=base_sums * out.g),
            messages=messages,
            imputed=coded.imputed,
            collapsed=coded.collapsed,
            max_change=out.achieved,
            epsilon=epsilon,
        )
        result = WeightedDesign._make(
            self,
            w,
            (*self._residualizers, residualizer),
            f"calibrate:{method}",
            True,
            out.iterations,
            diag,
            coded,
        )
        result.g = pd.Series(out.g[cells.row_cell], index=self._sample.index, name="g")
        return result

    def poststratify(
        self,
        cells: pd.DataFrame,
        *,
        partial: bool = False,
        missing: Policy = "error",
        unknown: Policy = "error",
        imputation: Imputation = "hot_deck",
        seed: int = 0,
        sample_share: Mapping[str, Sequence[Any]] | None = None,
    ) -> WeightedDesign:
        """Post-stratify to population cell counts (R ``postStratify``).

        ``cells`` has one column per cell variable plus ``population_count``; each
        respondent's weight becomes d * N_c / sum_{j in c} d_j. Cells with neither
        respondents nor population are ignored; a populated cell without respondents is
        an EmptyCategoryError unless ``partial=True`` (then it is left out, and the
        weights sum to N minus its count, as in R). ``imputation`` and ``seed`` work as in
        :meth:`rake`; ``sample_share`` too, for a cell table of one variable.
        """
        if not isinstance(cells, pd.DataFrame) or "population_count" not in cells.columns:
            raise MarginsFormatError(
                "Post-stratification cells need a population_count column.",
                missing_columns=["population_count"],
                problems=[],
            )
        variables = [c for c in cells.columns if c != "population_count"]
        if not variables:
            raise MarginsFormatError("Post-stratification cells name no variables.", problems=[])
        held: tuple[dict[str, Any], ...] = ()
        if sample_share:
            cells, held = held_cells(self._sample, cells, variables, sample_share,
                                     self._base_for_weighting)
        # Per-variable category lists from the cell table (order of first appearance).
        pseudo: list[Margin] = []
        cell_codes: list[np.ndarray] = []
        for v in variables:
            labs: list[str] = []
            disp: list[Any] = []
            seen: dict[str, int] = {}
            col_codes = np.empty(len(cells), dtype=np.int64)
            for i, raw in enumerate(cells[v].tolist()):
                lab = normalize_label(raw)
                if lab is None:
                    raise MarginsFormatError(
                        f"Cell table line {i + 2}: empty {v!r}.",
                        problems=[{"line": i + 2, "column": v, "value": raw, "problem": "empty"}],
                    )
                if lab not in seen:
                    seen[lab] = len(labs)
                    labs.append(lab)
                    disp.append(raw)
                col_codes[i] = seen[lab]
            cell_codes.append(col_codes)
            pseudo.append(Margin(v, tuple(labs), np.ones(len(labs)), tuple(disp)))
        pop = pd.to_numeric(cells["population_count"], errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(~np.isfinite(pop) | (pop < 0))
        if bad.size:
            raise MarginsFormatError(
                "Invalid population counts in cell table line(s) "
                + ", ".join(str(i + 2) for i in bad[:10])
                + ".",
                problems=[
                    {
                        "line": int(i) + 2,
                        "column": "population_count",
                        "value": cells["population_count"].iloc[i],
                        "problem": "not a non-negative number",
                    }
                    for i in bad
                ],
            )
        cards = [len(p.categories) for p in pseudo]
        # Duplicate cells
        flat = (
            np.ravel_multi_index(tuple(cell_codes), tuple(cards))
            if len(cells)
            else np.zeros(0, np.int64)
        )
        uniq, first_idx, counts = np.unique(flat, return_index=True, return_counts=True)
        if (counts > 1).any():
            dup_lines = [int(i) + 2 for i in np.flatnonzero(np.isin(flat, uniq[counts > 1]))]
            raise MarginsFormatError(
                "Duplicate cells in the cell table at lines "
                + ", ".join(map(str, dup_lines))
                + ".",
                problems=[
                    {"line": ln, "column": None, "value": None, "problem": "duplicate cell"}
                    for ln in dup_lines
                ],
            )
        N = float(pop.sum())
        d = self._base_for_weighting(N)
        margins_ps = Margins(pseudo)
        options = Options(imputation, seed)
        coded = code_cells(self._sample, margins_ps, missing, unknown, d, options)
        scells = coded.cells
        s_uniq = np.ravel_multi_index(tuple(scells.codes.T), tuple(cards))
        s_inv = scells.row_cell
        s_counts = scells.counts
        pop_by_flat = dict(zip(flat.tolist(), pop.tolist(), strict=True))
        s_pop = np.array([pop_by_flat.get(int(f), np.nan) for f in s_uniq])
        not_in_pop = np.flatnonzero(~(s_pop > 0))
        if not_in_pop.size:
            values = {
                tuple(
                    pseudo[j].labels[k]
                    for j, k in enumerate(np.unravel_index(int(s_uniq[i]), tuple(cards)))
                ): int(s_counts[i])
                for i in not_in_pop
            }
            n_resp = int(s_counts[not_in_pop].sum())
            raise UnknownCategoryError(
                f"{respondents(n_resp, 'are')} in cells absent from the population table (or with "
                f"population 0): {describe_values(values)}.",
                variable=tuple(variables),
                n_respondents=n_resp,
                values=values,
            )
        sample_set = set(s_uniq.tolist())
        empty_cells = [
            (i, f)
            for i, f in zip(first_idx.tolist(), uniq.tolist(), strict=True)
            if pop[i] > 0 and f not in sample_set
        ]
        messages = []
        if empty_cells and not partial:
            cats = [tuple(cells[v].iloc[i] for v in variables) for i, _ in empty_cells]
            raise EmptyCategoryError(
                f"No respondents in {len(cats)} populated cell(s): "
                + ", ".join(map(str, cats[:10]))
                + ". Merge categories or use partial=True to leave them out.",
                variable=tuple(variables),
                category=cats[0],
                empty=[(tuple(variables), c) for c in cats],
                neighbours=[],
            )
        if empty_cells:
            lost = float(sum(pop[i] for i, _ in empty_cells))
            messages.append(
                Message(
                    "partial",
                    f"{len(empty_cells)} populated cells have no respondents and were left out "
                    f"({lost:g} persons); the weights sum to {N - lost:g}.",
                    {"n_cells": len(empty_cells), "population_left_out": lost},
                )
            )
        d_sums = np.bincount(s_inv, weights=d, minlength=s_uniq.size)
        ratio = s_pop / d_sums
        w = d * ratio[s_inv]
        residualizer = PostStratResidualizer(
            row_cell=s_inv,
            n_cells=int(s_uniq.size),
            base=d,
            ratio=ratio,
        )
        # Diagnostics: per-variable population marginals implied by the cells.
        marg_counts = [
            np.bincount(cell_codes[j], weights=pop, minlength=cards[j])
            for j in range(len(variables))
        ]
        coded_marg = Coded(
            Margins(
                Margin(v, p.categories, marg_counts[j], p.labels)
                for j, (v, p) in enumerate(zip(variables, pseudo, strict=True))
            ),
            coded.codes,
            coded.imputed,
            {},
            scells,
            options,
            held,
        )
        table = margin_frame(coded_marg, cell_weights=d_sums * ratio)
        messages = coding_messages(coded_marg) + messages
        diag = build_diagnostics(
            method="poststratify",
            converged=True,
            iterations=1,
            weights=w,
            margins=table,
            messages=messages,
            imputed=coded.imputed,
        )
        return WeightedDesign._make(
            self,
            w,
            (*self._residualizers, residualizer),
            "poststratify",
            True,
            1,
            diag,
            coded_marg,
        )

    def trim(
        self, lower: float | None = None, upper: float | None = None, strict: bool = False
    ) -> WeightedDesign:
        """Trim weights to [lower, upper] (R ``trimWeights``), keeping the total.

        Weights outside are set to the bound and the net amount removed is spread
        equally (same absolute amount) over the respondents that were inside;
        ``strict=True`` repeats until none is outside. Margins are then no longer met
        exactly (see diagnostics). Standard errors keep the residualization of the
        weighting step that produced the weights, as R does.
        """
        lo = -np.inf if lower is None else float(lower)
        hi = np.inf if upper is None else float(upper)
        out = trim_weights(self._w, lo, hi, strict)
        w = out.weights
        base_method = getattr(self, "method", "design")
        messages = [
            Message(
                "trimmed",
                f"Trimmed weights to [{lo:g}, {hi:g}]: {out.n_below} below and {out.n_above} above "
                f"the bounds before trimming, {out.n_outside_after} outside after "
                f"{out.rounds} round(s).",
                {
                    "lower": lo,
                    "upper": hi,
                    "strict": strict,
                    "n_below_before": out.n_below,
                    "n_above_before": out.n_above,
                    "n_outside_after": out.n_outside_after,
                    "rounds": out.rounds,
                },
            )
        ]
        warnings: list[Message] = []
        coded: Coded | None = getattr(self, "_coded", None)
        if coded is not None:
            table = margin_frame(coded, w)
            dev = np.abs(table["weighted_count"] - table["population_count"]) / table[
                "population_count"
            ].where(table["population_count"] > 0)
            if out.rounds and float(dev.max()) > 1e-6:
                warnings.append(
                    Message(
                        "margins_not_matched",
                        f"After trimming the weighted counts differ from the population margins "
                        f"by up to {100 * float(dev.max()):.2f}%.",
                        {"max_relative_deviation": float(dev.max())},
                    )
                )
        else:
            table = margin_table(
                [],
                [],
                np.zeros((1, 0), np.int64),
                np.array([float(self.n)]),
                np.array([float(w.sum())]),
                [],
            )
        parent_diag: Diagnostics | None = getattr(self, "diagnostics", None)
        if parent_diag is not None:
            messages = list(parent_diag.messages) + messages
            warnings = [
                x for x in parent_diag.warnings if x.code != "margins_not_matched"
            ] + warnings
        if strict and out.n_outside_after:
            warnings.append(
                Message(
                    "trim_not_converged",
                    f"{out.n_outside_after} weights still outside the bounds after "
                    f"{out.rounds} rounds.",
                    {"n_outside_after": out.n_outside_after},
                )
            )
        diag = build_diagnostics(
            method=f"{base_method} + trim",
            converged=bool(getattr(self, "converged", True)),
            iterations=int(getattr(self, "iterations", 0)),
            weights=w,
            margins=table,
            messages=messages,
            warnings=warnings,
            imputed=parent_diag.imputed if parent_diag else None,
            collapsed=parent_diag.collapsed if parent_diag else None,
        )
        return WeightedDesign._make(
            self,
            w,
            self._residualizers,
            f"{base_method} + trim",
            bool(getattr(self, "converged", True)),
            int(getattr(self, "iterations", 0)),
            diag,
            coded,
        )

    # -- estimation ---------------------------------------------------------------

    def estimation_cells(self) -> EstimationCells:
        """The cells estimation works on: weights, strata and the weighting steps'
        residualizers, cached. Standard errors and influence values of any estimate
        (`surveys.indicators` builds gaps and changes on them) come from these."""
        if self._cells is None:
            self._cells = EstimationCells(self._w, self._strata, self._residualizers)
        return self._cells

    def _outcome(self, variable: Variable) -> tuple[str, np.ndarray, pd.Series]:
        if isinstance(variable, pd.Series):
            series = variable
            if not series.index.equals(self._sample.index):
                if not (series.index.is_unique and self._sample.index.is_unique):
                    raise OutcomeError(
                        "An outcome Series must share the sample's index.",
                        variable=series.name,
                    )
                series = series.reindex(self._sample.index)
            name = str(series.name) if series.name is not None else "outcome"
        else:
            if variable not in self._sample.columns:
                raise OutcomeError(f"The sample has no column {variable!r}.", variable=variable)
            series = self._sample[variable]
            name = str(variable)
        if isinstance(series.dtype, pd.CategoricalDtype):
            raise OutcomeError(
                f"Outcome {name!r} is categorical; estimate a proportion with value=.",
                variable=name,
            )
        if pd.api.types.is_bool_dtype(series.dtype):
            y = series.astype(float).to_numpy(dtype=float, na_value=np.nan)
        else:
            try:
                numeric = pd.to_numeric(series, errors="raise")
            except (ValueError, TypeError) as exc:
                raise OutcomeError(f"Outcome {name!r} is not numeric.", variable=name) from exc
            y = numeric.to_numpy(dtype=float, na_value=np.nan)
        if np.isinf(y).any():
            raise OutcomeError(f"Outcome {name!r} has infinite values.", variable=name)
        return name, y, series

    def _groups(
        self, by: str | Sequence[str] | None
    ) -> tuple[np.ndarray | None, int, pd.Index | None, object]:
        if by is None:
            return None, 1, None, None
        names = [by] if isinstance(by, str) else list(by)
        if not names:
            return None, 1, None, None
        cache = self.__dict__.setdefault("_group_cache", {})
        key = tuple(names)
        if key not in cache:
            cache[key] = self._make_groups(names)
        return cache[key]

    def _make_groups(
        self, names: list[str]
    ) -> tuple[np.ndarray | None, int, pd.Index | None, object]:
        codes_list = []
        uniques_list = []
        for name in names:
            col = self._column(name)
            codes, uniques = pd.factorize(col, sort=True)
            codes_list.append(codes.astype(np.int64))
            uniques_list.append(list(uniques))
        if len(names) == 1:
            return (
                codes_list[0],
                len(uniques_list[0]),
                pd.Index(uniques_list[0], name=names[0]),
                tuple(names),
            )
        valid = np.all([c >= 0 for c in codes_list], axis=0)
        safe = [np.where(valid, c, 0) for c in codes_list]
        row_cell, cell_codes = combine_codes(safe, [len(u) for u in uniques_list])
        if not valid.all():
            # recompute on valid rows only so absent combinations do not appear
            row_cell_v, cell_codes = combine_codes(
                [c[valid] for c in codes_list], [len(u) for u in uniques_list]
            )
            row_cell = np.full(valid.shape[0], -1, dtype=np.int64)
            row_cell[valid] = row_cell_v
        index = pd.MultiIndex.from_arrays(
            [[uniques_list[j][k] for k in cell_codes[:, j]] for j in range(len(names))], names=names
        )
        return row_cell, int(cell_codes.shape[0]), index, tuple(names)

    def _estimate(
        self,
        variables: Variable | Sequence[Variable],
        by: str | Sequence[str] | None,
        level: float,
        kind: str,
        value: Any = None,
    ) -> pd.DataFrame:
        if not 0 < level < 1:
            raise WeightingError("level must be between 0 and 1.", parameter="level")
        many = isinstance(variables, list | tuple)
        items: list[Variable] = list(variables) if many else [variables]  # type: ignore[arg-type]
        cells = self.estimation_cells()
        group_codes, G, index, cache_key = self._groups(by)
        key, G = cells.group_key(cache_key, group_codes, G)
        frames = []
        names = []
        for item in items:
            if kind == "proportion" and value is not None:
                name, y = self._indicator(item, value)
            else:
                name, y, _ = self._outcome(item)
                if kind == "proportion":
                    vals = np.unique(y[~np.isnan(y)])
                    other = vals[~np.isin(vals, [0.0, 1.0])]
                    if other.size:
                        raise OutcomeError(
                            f"Outcome {name!r} is not 0/1 (values include "
                            f"{', '.join(f'{v:g}' for v in other[:5])}); "
                            "pass value= to estimate the share of one value.",
                            variable=name,
                        )
            res = domain_means(y, key, G, cells, count_positive=kind == "proportion")
            idx = index if index is not None else pd.Index([name], name="variable")
            df = np.array([self.degf]) if by is None else cells.group_df(cache_key)
            frames.append(results_frame(res, kind=kind, level=level, degf=df, index=idx))
            names.append(name)
        if len(frames) == 1 and not (many and by is not None):
            return frames[0]
        if by is None:
            return pd.concat(frames)
        return pd.concat(frames, keys=names, names=["variable"])

    def _indicator(self, item: Variable, value: Any) -> tuple[str, np.ndarray]:
        if isinstance(item, pd.Series):
            series = (
                item.reindex(self._sample.index)
                if not item.index.equals(self._sample.index)
                else item
            )
            name = str(item.name) if item.name is not None else "outcome"
        else:
            series = self._column(item) if item in self._sample.columns else None
            if series is None:
                raise OutcomeError(f"The sample has no column {item!r}.", variable=item)
            name = str(item)
        target = normalize_label(value)
        codes, uniques = pd.factorize(series)
        lut = np.array([normalize_label(u) == target for u in uniques] + [False], dtype=float)
        y = lut[codes]
        y[codes < 0] = np.nan
        return f"{name}={value}", y

    def mean(
        self,
        variable: Variable | Sequence[Variable],
        by: str | Sequence[str] | None = None,
        level: float = 0.95,
    ) -> pd.DataFrame:
        """Weighted mean with linearization SE and normal CI (R ``svymean``/``svyby``).

        Returns columns estimate, se, ci_low, ci_high, n (non-missing respondents), deff
        (R ``deff=TRUE``), deff_replace, sum_weights. Index: the variable name, or the
        group values when ``by`` is given (groups are domains of the full design); a
        list of variables gives a ("variable", group) MultiIndex. Missing outcome values
        are left out of the estimate but stay in the design (domain estimation).
        """
        return self._estimate(variable, by, level, "mean")

    def proportion(
        self,
        variable: Variable | Sequence[Variable],
        by: str | Sequence[str] | None = None,
        level: float = 0.95,
        value: Any = None,
    ) -> pd.DataFrame:
        """Weighted proportion of a 0/1 item (or of ``value``) with a logit CI.

        Same columns as :meth:`mean` plus ``df``; the interval is R's
        ``svyciprop(method="logit")``, expit(logit p +- t_df SE / (p(1-p))), so it stays
        inside (0, 1). df = ``degf`` (n - H) overall; per group the domain's n_g - H_g,
        as R's ``svyby(~y, ~g, design, svyciprop, method="logit")`` gives.
        """
        return self._estimate(variable, by, level, "proportion", value)


# --------------------------------------------------------------------------------------
# Public classes
# --------------------------------------------------------------------------------------


class Design(_Survey):
    """A one-stage survey design: respondents, base weights, optional strata and fpc.

    R equivalent: ``svydesign(ids=~1, strata=~strata, weights=~weights, fpc=~fpc)``.
    ``weights=None`` means equal weights; the weighting methods then start from
    N/n with N the population total of the margins. ``fpc`` names a column with the
    population size of the respondent's stratum (or, if every value is <= 1, the
    sampling fraction), giving the finite population correction 1 - n_h/N_h.
    """

    method = "design"
    converged = True
    iterations = 0

    def __init__(
        self,
        sample: pd.DataFrame,
        weights: str | None = "base_w",
        strata: str | None = None,
        fpc: str | None = None,
    ) -> None:
        if not isinstance(sample, pd.DataFrame):
            raise DesignError("The sample must be a pandas DataFrame.", reason="not_a_dataframe")
        n = len(sample)
        if n < 2:
            raise DesignError("The sample needs at least two respondents.", reason="too_small", n=n)
        # A shallow copy is a snapshot under pandas copy-on-write: later changes to the
        # caller's frame cannot desynchronise the cached codes and cells.
        self._sample = sample.copy(deep=False)
        self.weights_column = weights
        self.strata_column = strata
        self.fpc_column = fpc
        if weights is None:
            w = np.ones(n)
            self._equal = True
        else:
            col = self._col(sample, weights)
            try:
                w = pd.to_numeric(col, errors="raise").to_numpy(dtype=float, na_value=np.nan)
            except (ValueError, TypeError) as exc:
                raise DesignError(
                    f"Weight column {weights!r} is not numeric.",
                    column=weights,
                    reason="weights_not_numeric",
                ) from exc
            bad = ~np.isfinite(w) | (w <= 0)
            if bad.any():
                raise DesignError(
                    f"{respondents(int(bad.sum()), 'have')} a missing, zero or negative base "
                    f"weight in {weights!r}.",
                    column=weights,
                    reason="invalid_weights",
                    n_respondents=int(bad.sum()),
                )
            self._equal = False
        self._strata = self._make_strata(sample, strata, fpc)
        self._init_survey(self, w, ())

    @staticmethod
    def _col(sample: pd.DataFrame, name: str) -> pd.Series:
        if name not in sample.columns:
            raise DesignError(
                f"The sample has no column {name!r}.", column=name, reason="missing_column"
            )
        return sample[name]

    def _make_strata(self, sample: pd.DataFrame, strata: str | None, fpc: str | None) -> StrataInfo:
        n = len(sample)
        if strata is None:
            codes = np.zeros(n, dtype=np.int64)
            labels: tuple[object, ...] = (None,)
        else:
            col = self._col(sample, strata)
            c, uniques = pd.factorize(col, sort=True)
            if (c < 0).any():
                raise DesignError(
                    f"{respondents(int((c < 0).sum()), 'have')} no stratum in {strata!r}.",
                    column=strata,
                    reason="missing_strata",
                    n_respondents=int((c < 0).sum()),
                )
            codes = c.astype(np.int64)
            labels = tuple(uniques)
        H = len(labels)
        sizes = np.bincount(codes, minlength=H)
        lonely = np.flatnonzero(sizes < 2)
        if lonely.size:
            raise DesignError(
                "Strata with a single respondent cannot give a variance: "
                + ", ".join(str(labels[i]) for i in lonely)
                + ".",
                column=strata,
                reason="lonely_psu",
                strata=[labels[i] for i in lonely],
            )
        factor = np.ones(H)
        population = None
        if fpc is not None:
            col = self._col(sample, fpc)
            try:
                f = pd.to_numeric(col, errors="raise").to_numpy(dtype=float, na_value=np.nan)
            except (ValueError, TypeError) as exc:
                raise DesignError(
                    f"fpc column {fpc!r} is not numeric.", column=fpc, reason="invalid_fpc"
                ) from exc
            if not np.isfinite(f).all() or (f <= 0).any():
                raise DesignError(
                    f"fpc column {fpc!r} has missing or non-positive values.",
                    column=fpc,
                    reason="invalid_fpc",
                )
            lo = np.full(H, np.inf)
            hi = np.full(H, -np.inf)
            np.minimum.at(lo, codes, f)
            np.maximum.at(hi, codes, f)
            if (lo != hi).any():
                raise DesignError(
                    f"fpc column {fpc!r} must be constant within each stratum.",
                    column=fpc,
                    reason="invalid_fpc",
                )
            # values <= 1 are sampling fractions, as R's svydesign accepts
            population = sizes / lo if (lo <= 1).all() else lo
            if (population < sizes - 1e-9).any():
                raise DesignError(
                    f"fpc column {fpc!r}: population size smaller than the sample in a stratum.",
                    column=fpc,
                    reason="invalid_fpc",
                )
            factor = 1.0 - sizes / population
        return StrataInfo(
            codes=codes, labels=labels, sizes=sizes, fpc_factor=factor, population=population
        )

    def _base_for_weighting(self, population_total: float) -> np.ndarray:
        if self._equal:
            return np.full(self.n, population_total / self.n)
        return self._w


class WeightedDesign(_Survey):
    """A design with adjusted weights: result of rake, poststratify, calibrate or trim.

    Attributes: ``weights`` (Series aligned with the sample), ``method``, ``converged``,
    ``iterations`` (raking passes / Newton steps), ``diagnostics`` (:class:`Diagnostics`),
    ``design`` (the original :class:`Design`) and, after calibrate, ``g`` (w/d).
    """

    method: str
    converged: bool
    iterations: int
    diagnostics: Diagnostics
    g: pd.Series | None

    @classmethod
    def _make(
        cls,
        parent: _Survey,
        w: np.ndarray,
        residualizers: tuple[Residualizer, ...],
        method: str,
        converged: bool,
        iterations: int,
        diagnostics: Diagnostics,
        coded: Coded | None,
    ) -> WeightedDesign:
        obj = cls.__new__(cls)
        obj._init_survey(parent._root, w, residualizers)
        obj.method = method
        obj.converged = converged
        obj.iterations = iterations
        obj.diagnostics = diagnostics
        obj._coded = coded
        obj.g = None
        return obj

    @property
    def design(self) -> Design:
        """The original design."""
        return self._root

    def weighting_categories(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Each respondent's category of every weighting variable as the weighting used it
        (held, merged and imputed categories included), and a same-shaped frame of booleans,
        True where the category was imputed. Both are indexed like the sample.

        With `weighting_margins` this is what R ``survey`` needs to weight again.
        """
        coded = self._coded
        if coded is None:
            raise WeightingError("These weights come from no weighting step.", parameter="method")
        index = self._sample.index
        used = {v: pd.Series([coded.margins[v].labels[k] for k in codes], index=index,
                             dtype=object)
                for v, codes in zip(coded.variables, coded.codes, strict=True)}
        imputed = pd.DataFrame(False, index=index, columns=coded.variables)
        if coded.imputed is not None:
            for row, variable in coded.imputed[["row", "variable"]].itertuples(index=False):
                imputed.loc[row, variable] = True
        return pd.DataFrame(used, index=index), imputed

    def weighting_margins(self) -> pd.DataFrame:
        """The population counts the weighting met (variable, category, population_count),
        after held categories were added, categories merged and empty zero ones dropped."""
        if self._coded is None:
            raise WeightingError("These weights come from no weighting step.", parameter="method")
        return self._coded.margins.to_frame()

    def __repr__(self) -> str:
        return (
            f"WeightedDesign(method={self.method!r}, n={self.n}, converged={self.converged}, "
            f"iterations={self.iterations}, sum_weights={float(self._w.sum()):.6g})"
        )


__all__ = ["Design", "WeightedDesign"]
