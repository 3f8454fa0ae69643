"""Coding the sample's weighting variables against the margins, before any weighting.

Every weighting method (`Design.rake`, `calibrate`, `poststratify`) first turns each
respondent's categories into integer codes of the margins' categories, adds categories
held at their sample share (``sample_share``), merges categories asked for
(``collapse``), drops population-zero categories, counts missing and unknown values (an
error, or imputation on request), and checks that every population category has
respondents; the joint cells of the codes are what the methods then work on. Errors
name the respondents and categories concerned, so an analyst can fix the input.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from ._cells import JointCells, joint_cells
from .diagnostics import Message, margin_table
from .errors import (
    DesignError,
    EmptyCategoryError,
    MissingValueError,
    PopulationZeroError,
    UnknownCategoryError,
    WeightingError,
)
from .impute import Imputation, impute_codes
from .margins import (
    MISSING_CODE,
    Margin,
    Margins,
    as_margins,
    encode_labels,
    normalize_label,
    resolve_collapse,
)

Policy = Literal["error", "impute"]


@dataclass(frozen=True)
class Options:
    """How missing values are imputed and which categories the margins lack on purpose."""

    imputation: Imputation = "hot_deck"
    seed: int = 0
    #: variable -> categories held at their base-weighted sample share (see ``rake``).
    sample_share: Mapping[str, Sequence[Any]] | None = None


@dataclass
class Coded:
    """Weighting variables coded against (possibly collapsed) margins."""

    margins: Margins
    codes: list[np.ndarray]
    imputed: pd.DataFrame | None
    collapsed: dict[str, dict[str, str]]
    cells: JointCells
    options: Options = Options()
    #: Categories held at their sample share: {"variable", "category", "share", ...}.
    held: tuple[dict[str, Any], ...] = ()

    @property
    def variables(self) -> list[str]:
        return self.margins.variables

    @property
    def cards(self) -> list[int]:
        return [len(self.margins[v].categories) for v in self.variables]


def _remap(codes: np.ndarray, lut: np.ndarray) -> np.ndarray:
    """Apply a position lookup table to non-negative codes, keeping the negative ones."""
    out = codes.copy()
    ok = codes >= 0
    out[ok] = lut[codes[ok]]
    return out


def describe_values(values: Mapping[Any, int], limit: int = 8) -> str:
    """"'a' (3), 'b' (2)": values by how many respondents have them, the first `limit`."""
    items = sorted(values.items(), key=lambda kv: -kv[1])
    text = ", ".join(f"{k!r} ({v})" for k, v in items[:limit])
    return text + (f" and {len(items) - limit} more" if len(items) > limit else "")


def respondents(k: int, verb: str) -> str:
    """'1 respondent has' / '3 respondents have': `verb` is the plural form (are, have)."""
    singular = {"are": "is", "have": "has"}[verb]
    return f"{k} respondent {singular}" if k == 1 else f"{k} respondents {verb}"


def _neighbours(margin: Margin, position: int) -> list[Any]:
    out = []
    if position > 0:
        out.append(margin.labels[position - 1])
    if position + 1 < len(margin.labels):
        out.append(margin.labels[position + 1])
    return out


def _validate_policy(name: str, value: str) -> None:
    if value not in ("error", "impute"):
        raise WeightingError(f"{name} must be 'error' or 'impute', not {value!r}.", parameter=name)


def _require_columns(sample: pd.DataFrame, margins: Margins, what: str) -> None:
    """DesignError naming the margins' variables the sample has no column for."""
    absent = [v for v in margins.variables if v not in sample.columns]
    if absent:
        raise DesignError(
            f"The sample lacks the {what}(s) " + ", ".join(map(repr, absent)) + ".",
            columns=absent,
            column=absent[0],
            reason="missing_column",
        )


def _encoded(sample: pd.DataFrame, margins: Margins
             ) -> tuple[list[pd.Series], list[np.ndarray], dict[str, dict[Any, int]]]:
    """The sample's columns of the margins' variables, their codes, and per variable the
    values that are no category of the margins (with their counts)."""
    raw = [sample[v] for v in margins.variables]
    codes: list[np.ndarray] = []
    unknown_values: dict[str, dict[Any, int]] = {}
    for v, series in zip(margins.variables, raw, strict=True):
        c, unk = encode_labels(series, margins[v].categories)
        codes.append(c)
        if unk:
            unknown_values[v] = unk
    return raw, codes, unknown_values


def _refuse_missing(codes: list[np.ndarray], variables: list[str], missing: Policy, what: str,
                    hint: str = "") -> None:
    """MissingValueError naming the variables respondents have no value for, unless imputed."""
    if missing != "error":
        return
    # one cheap min() per variable when nothing is missing
    n_missing = {v: int(np.count_nonzero(c == MISSING_CODE)) if c.size and int(c.min()) < 0
                 else 0 for v, c in zip(variables, codes, strict=True)}
    if not any(n_missing.values()):
        return
    any_missing = np.zeros(len(codes[0]), dtype=bool)
    for c in codes:
        any_missing |= c == MISSING_CODE
    listing = ", ".join(f"{v} ({k})" for v, k in n_missing.items() if k)
    raise MissingValueError(
        f"{respondents(int(any_missing.sum()), 'have')} no value for a {what}: {listing}.{hint}",
        variable=next(v for v, k in n_missing.items() if k),
        n_respondents=int(any_missing.sum()),
        by_variable={v: k for v, k in n_missing.items() if k},
    )


def _refuse_unknown(unknown_values: dict[str, dict[Any, int]], unknown: Policy, where: str,
                    name_others: bool = False) -> None:
    """UnknownCategoryError about the first variable with values outside, unless imputed."""
    if unknown != "error" or not unknown_values:
        return
    v = next(iter(unknown_values))
    vals = unknown_values[v]
    total = sum(vals.values())
    others = [w for w in unknown_values if w != v] if name_others else []
    extra = (" Other variables affected: " + ", ".join(others) + ".") if others else ""
    raise UnknownCategoryError(
        f"{respondents(total, 'have')} a {v!r} value that {where}: "
        f"{describe_values(vals)}.{extra}",
        variable=v,
        n_respondents=total,
        values=vals,
        by_variable=unknown_values,
    )


def _imputed(codes: list[np.ndarray], margins: Margins, base: np.ndarray,
             raw: list[pd.Series], index: pd.Index, options: Options
             ) -> tuple[list[np.ndarray], pd.DataFrame | None]:
    """The codes with every value still negative (missing or unknown under an "impute"
    policy) imputed, and what was imputed; the codes as they are when none is."""
    if not any(c.size and int(c.min()) < 0 for c in codes):
        return codes, None
    return impute_codes(
        codes,
        [len(margins[v].categories) for v in margins.variables],
        margins.variables,
        [margins[v].labels for v in margins.variables],
        base,
        raw,
        index,
        options.imputation,
        options.seed,
    )


def hold_sample_shares(
    sample: pd.DataFrame, margins: Margins, sample_share: Mapping[str, Sequence[Any]] | None,
    base: np.ndarray,
) -> tuple[Margins, tuple[dict[str, Any], ...]]:
    """Add the categories the margins lack on purpose, at their base-weighted sample share.

    For variable v and extra category c: s_c = sum of d over respondents in c / sum of d
    over respondents with any category of v (margins' or extra); c gets N s_c persons
    and every margin category of v is scaled by 1 - sum of the s_c, so v still sums to
    N. A category the margins already have keeps its own population figure.
    """
    if not sample_share:
        return margins, ()
    out: list[Margin] = []
    held: list[dict[str, Any]] = []
    for m in margins.values():
        wanted = [c for c in sample_share.get(m.variable, ())
                  if normalize_label(c) is not None and normalize_label(c) not in m.categories]
        wanted = list({normalize_label(c): c for c in wanted}.values())
        if not wanted or m.variable not in sample.columns:
            out.append(m)
            continue
        keys = tuple(str(normalize_label(c)) for c in wanted)
        codes, _ = encode_labels(sample[m.variable], (*m.categories, *keys))
        answered = float(base[codes >= 0].sum())
        shares = [float(base[codes == len(m.categories) + i].sum()) / answered
                  if answered > 0 else 0.0 for i in range(len(keys))]
        share_all = float(sum(shares))
        if share_all >= 1.0:
            raise WeightingError(
                f"Every respondent with a value of {m.variable!r} is in categories the "
                f"margins lack ({', '.join(map(repr, keys))}): nothing to weight them to.",
                parameter="sample_share", variable=m.variable)
        N = m.total
        counts = np.concatenate([m.counts * (1.0 - share_all), [N * x for x in shares]])
        out.append(Margin(m.variable, (*m.categories, *keys), counts,
                          (*m.labels, *wanted)))
        held += [{"variable": m.variable, "category": str(c), "share": x,
                  "population_count": N * x, "share_all": share_all}
                 for c, x in zip(wanted, shares, strict=True)]
    return Margins(out), tuple(held)


def held_cells(
    sample: pd.DataFrame, cells: pd.DataFrame, variables: list[str],
    sample_share: Mapping[str, Sequence[Any]],
    base_for_weighting: Callable[[float], np.ndarray],
) -> tuple[pd.DataFrame, tuple[dict[str, Any], ...]]:
    """A one-variable cell table with the sample-share categories added (see rake)."""
    if len(variables) != 1:
        raise WeightingError("sample_share needs a cell table of one variable.",
                             parameter="sample_share")
    margin = as_margins(cells.rename(columns={variables[0]: "category"})
                        .assign(variable=variables[0]))[variables[0]]
    # the base depends on the population total (a design without weights scales to it)
    base = base_for_weighting(margin.total)
    held_margins, held = hold_sample_shares(sample, Margins([margin]), sample_share, base)
    frame = held_margins.to_frame()
    return (frame.drop(columns="variable").rename(columns={"category": variables[0]}),
            held)


def code_margins(
    sample: pd.DataFrame,
    margins: Margins,
    collapse: Mapping[str, Mapping[Any, Any]] | None,
    missing: Policy,
    unknown: Policy,
    base: np.ndarray,
    options: Options = Options(),
) -> Coded:
    """Code the sample's weighting variables against the margins; hold sample shares,
    collapse, check, optionally impute. Raises the engine's errors for every problem the
    analyst must fix first."""
    _validate_policy("missing", missing)
    _validate_policy("unknown", unknown)
    _require_columns(sample, margins, "weighting variable")
    margins, held = hold_sample_shares(sample, margins, options.sample_share, base)
    raw, codes, unknown_values = _encoded(sample, margins)

    collapsed: dict[str, dict[str, str]] = {}
    if collapse:
        resolved = resolve_collapse(margins, collapse)
        for j, v in enumerate(margins.variables):
            if v not in resolved:
                continue
            target = resolved[v]
            keep = [i for i in range(len(target)) if target[i] == i]
            new_pos = np.full(len(target), -1, dtype=np.int64)
            new_pos[keep] = np.arange(len(keep))
            codes[j] = _remap(codes[j], new_pos[target])
            m = margins[v]
            collapsed[v] = {
                str(m.labels[i]): str(m.labels[int(target[i])])
                for i in range(len(target))
                if target[i] != i
            }
        margins = margins.collapse(collapse)

    # Categories with population zero: drop when nobody is in them (as R's
    # postStratify does); respondents there are an error.
    kept: list[Margin] = []
    for j, v in enumerate(margins.variables):
        m = margins[v]
        zero = m.counts == 0
        if not zero.any():
            kept.append(m)
            continue
        counts = np.bincount(codes[j][codes[j] >= 0], minlength=len(m.categories))
        bad = np.flatnonzero(zero & (counts > 0))
        if bad.size:
            cats = {m.labels[i]: int(counts[i]) for i in bad}
            raise PopulationZeroError(
                f"{respondents(int(counts[bad].sum()), 'are')} in categories of {v!r} whose "
                f"population count is zero: {describe_values(cats)}.",
                variable=v,
                values=cats,
                n_respondents=int(counts[bad].sum()),
            )
        keep = np.flatnonzero(~zero)
        new_pos = np.full(len(m.categories), -1, dtype=np.int64)
        new_pos[keep] = np.arange(keep.size)
        codes[j] = _remap(codes[j], new_pos)
        kept.append(
            Margin(
                v,
                tuple(m.categories[i] for i in keep),
                m.counts[keep],
                tuple(m.labels[i] for i in keep),
            )
        )
    margins = Margins(kept)

    _refuse_missing(codes, margins.variables, missing, "weighting variable",
                    " Use missing='impute' to impute them from similar respondents.")
    _refuse_unknown(unknown_values, unknown, "is not in the margins", name_others=True)
    codes, imputed = _imputed(codes, margins, base, raw, sample.index, options)

    # Every population category needs respondents (R: "Some strata absent from
    # sample: use partial=TRUE"); point at neighbours that could absorb it.
    cells = joint_cells(codes, [len(margins[v].categories) for v in margins.variables])
    empty: list[tuple[str, Any]] = []
    first_pos: tuple[Margin, int] | None = None
    for j, v in enumerate(margins.variables):
        m = margins[v]
        counts = np.bincount(
            cells.codes[:, j], weights=cells.counts, minlength=len(m.categories)
        )
        for i in np.flatnonzero(counts == 0):
            empty.append((v, m.labels[i]))
            if first_pos is None:
                first_pos = (m, int(i))
    if empty:
        assert first_pos is not None
        m, i = first_pos
        neighbours = _neighbours(m, i)
        listing = ", ".join(f"{v}={c!r}" for v, c in empty)
        hint = (
            f" Merge {'it' if len(empty) == 1 else 'them'} into a neighbouring category, "
            f"e.g. collapse={{{m.variable!r}: {{{m.labels[i]!r}: {neighbours[0]!r}}}}}."
            if neighbours
            else ""
        )
        raise EmptyCategoryError(
            f"No respondents in population categor{'y' if len(empty) == 1 else 'ies'} "
            f"{listing}.{hint}",
            variable=m.variable,
            category=m.labels[i],
            empty=empty,
            neighbours=neighbours,
        )
    return Coded(margins, codes, imputed, collapsed, cells, options, held)


def code_cells(
    sample: pd.DataFrame, margins: Margins, missing: Policy, unknown: Policy, base: np.ndarray,
    options: Options = Options(),
) -> Coded:
    """Like `code_margins` but without the empty-category check (done per cell)."""
    _validate_policy("missing", missing)
    _validate_policy("unknown", unknown)
    _require_columns(sample, margins, "cell variable")
    raw, codes, unknown_values = _encoded(sample, margins)
    _refuse_missing(codes, margins.variables, missing, "cell variable")
    _refuse_unknown(unknown_values, unknown, "is in no population cell")
    codes, imputed = _imputed(codes, margins, base, raw, sample.index, options)
    cells = joint_cells(codes, [len(margins[v].categories) for v in margins.variables])
    return Coded(margins, codes, imputed, {}, cells, options)


def coding_messages(coded: Coded) -> list[Message]:
    """What coding did that the diagnostics report: held, imputed and merged categories."""
    messages: list[Message] = []
    for held in coded.held:
        messages.append(
            Message(
                "sample_share",
                f"{held['variable']} {held['category']!r} is not in the margins: held at its "
                f"share among the respondents, {held['share']:.4g} ({held['population_count']:.6g} "
                f"persons); the other categories of {held['variable']} were scaled by "
                f"{1 - held['share_all']:.6g}.",
                dict(held),
            )
        )
    if coded.imputed is not None and len(coded.imputed):
        counts = coded.imputed.groupby("variable", sort=False).size().to_dict()
        who = len(coded.imputed["row"].unique())
        listing = ", ".join(f"{v} ({k})" for v, k in counts.items())
        options = coded.options
        details = {"by_variable": {str(k): int(v) for k, v in counts.items()},
                   "method": options.imputation, "uncertainty_counted": False}
        if options.imputation == "hot_deck":
            details["seed"] = options.seed
            text = (f"Imputed {listing} for {who} respondents by random hot-deck within "
                    f"cells of the other weighting variables (seed {options.seed}); the "
                    "standard errors do not include the uncertainty of imputation.")
        else:
            text = f"Imputed the most likely category for {who} respondents: {listing}."
        messages.append(Message("imputed", text, details))
    for v, mapping in coded.collapsed.items():
        messages.append(
            Message(
                "collapsed",
                f"Merged categories of {v}: "
                + ", ".join(f"{a} -> {b}" for a, b in mapping.items())
                + ".",
                {"variable": v, "mapping": mapping},
            )
        )
    return messages


def margin_frame(
    coded: Coded, w: np.ndarray | None = None, cell_weights: np.ndarray | None = None
) -> pd.DataFrame:
    """Weighted counts beside the population counts, per variable and category."""
    cells = coded.cells
    if cell_weights is None:
        assert w is not None
        cell_weights = np.bincount(cells.row_cell, weights=w, minlength=cells.n_cells)
    return margin_table(
        coded.variables,
        [coded.margins[v].labels for v in coded.variables],
        cells.codes,
        cells.counts,
        cell_weights,
        [coded.margins[v].counts for v in coded.variables],
    )
