"""A weighting run's computation: the input table to weights, diagnostics and estimates.

The engine (`surveys.weighting`) is called here exactly as a run calls it, with nothing
read from or written to the database, so a run can be checked, reproduced bit for bit
and tested without it; `services.create_run` stores what comes out.

The input table has one row per completed response (ordered by response id) and one column
per mapped variable, holding the category, a value outside the mapping, or None. Base
weights are equal (``Design(weights=None)``: N/n with N from the margins), unless the
responses come from a drawn sample (``RunSettings.drawn_sample``): then the weights are made
in three steps, design weights N_h/n_h, a non-response adjustment and the chosen method
(`surveys.weighting.sampled`), and standard errors use the strata with their finite
population correction. The engine is
deterministic, so the same table, margins and settings give bit-identical weights; a run
stores the SHA-256 of its table and margins (`input_hash`) to show that.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from surveys.core.data import jsonable
from surveys.runs.mapping import ANOTHER_GENDER
from surveys.runs.microdata import imputed_column, weighting_column
from surveys.runs.models import METHODS, MarginSet
from surveys.runs.syntax import WeightingPlan
from surveys.survey.models import Question, Survey
from surveys.survey.questions import DONT_KNOW
from surveys.weighting import (
    CollapseError,
    Design,
    DrawnSample,
    SampledDesign,
    WeightedDesign,
    WeightingError,
)

#: Questions whose weighted means the run page shows: the trust items of the template.
TRUST_PREFIX = "trust_"


class RunError(ValueError):
    """A request about runs that cannot be carried out; `code` and `details` for translation."""

    def __init__(self, code: str, **details: Any):
        super().__init__(code)
        self.code = code
        self.details = details


@dataclass
class RunSettings:
    """Everything a run passes to the engine besides the data."""

    method: str = "rake"
    #: Margin variables to weight on, in the margin set's order.
    variables: list[str] = field(default_factory=list)
    #: Calibration bounds on g = w/d, or None.
    bounds: list[float] | None = None
    epsilon: float = 1e-10
    max_iter: int = 100
    trim_lower: float | None = None
    trim_upper: float | None = None
    trim_strict: bool = False
    #: "error" or "impute": respondents without a category (no answer, "don't know").
    missing: str = "error"
    #: "error" or "impute": respondents whose value is not among the margin categories.
    unknown: str = "error"
    #: {"age": {"16-29": "30-44"}}: categories merged into another before weighting.
    collapse: dict[str, dict[str, str]] = field(default_factory=dict)
    #: How "impute" fills a category: "hot_deck" (random, from `seed`); "modal" only for runs
    #: stored before hot-deck imputation, so that they reproduce.
    imputation: str = "hot_deck"
    #: The hot-deck's seed, stored with the run; by default taken from its input hash.
    seed: int | None = None
    #: {"gender": ["annat"]}: categories the margins lack, held at their sample share.
    sample_share: dict[str, list[str]] = field(default_factory=dict)
    #: The drawn sample the responses come from (`drawn_json`); None for an open survey.
    drawn_sample: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON for `WeightingRun.settings`."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunSettings:
        """Settings read back from a stored run."""
        known = {f for f in cls.__dataclass_fields__}
        # runs stored without an imputation method imputed the modal category
        return cls(**{"imputation": "modal", **{k: v for k, v in data.items() if k in known}})

    @property
    def trims(self) -> bool:
        return self.trim_lower is not None or self.trim_upper is not None


# -- input ------------------------------------------------------------------------------------
def input_hash(table: pd.DataFrame, margins: pd.DataFrame) -> str:
    """SHA-256 of the table (ids and categories) and the margins, in a canonical JSON form."""
    payload = {
        "columns": [str(c) for c in table.columns],
        "rows": [[int(i), *[None if v is None else str(v) for v in row]]
                 for i, row in zip(table.index, table.itertuples(index=False, name=None),
                                   strict=True)],
        "margins": [[str(v), str(c), float(n).hex()] for v, c, n in
                    margins.itertuples(index=False, name=None)],
    }
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- a drawn sample ------------------------------------------------------------------------------
def drawn_json(drawn: DrawnSample) -> dict[str, Any]:
    """A drawn sample as stored in the run's settings (response ids and labels as text)."""
    def by_response(series: pd.Series | None) -> dict[str, str] | None:
        return None if series is None else {str(r): str(v) for r, v in series.items()}

    return {
        "strata": [{"stratum": str(h), "population": float(drawn.population_per_stratum[h]),
                    "sampled": int(n)} for h, n in drawn.sampled_per_stratum.items()],
        "stratum_of_respondent": by_response(drawn.stratum_of_respondent),
        "rhg_of_respondent": by_response(drawn.rhg_of_respondent),
        "sampled_per_rhg": None if drawn.sampled_per_rhg is None else [
            [str(h), str(g), int(n)] for (h, g), n in drawn.sampled_per_rhg.items()],
    }


def drawn_sample(data: Mapping[str, Any]) -> DrawnSample:
    """The stored form back as a :class:`DrawnSample` (response ids as integers)."""
    def by_response(values: Mapping[str, str]) -> pd.Series:
        return pd.Series(list(values.values()), index=[int(r) for r in values], dtype=object)

    rhg = data.get("rhg_of_respondent")
    cells = data.get("sampled_per_rhg")
    return DrawnSample(
        stratum_of_respondent=by_response(data["stratum_of_respondent"]),
        population_per_stratum={s["stratum"]: s["population"] for s in data["strata"]},
        sampled_per_stratum={s["stratum"]: s["sampled"] for s in data["strata"]},
        rhg_of_respondent=None if rhg is None else by_response(rhg),
        sampled_per_rhg=None if cells is None else {(h, g): n for h, g, n in cells})


def sampled_design(table: pd.DataFrame, settings: RunSettings) -> SampledDesign | None:
    """Steps 1 and 2 for a run on a drawn sample; None for an open survey."""
    if settings.drawn_sample is None:
        return None
    return SampledDesign(table, drawn_sample(settings.drawn_sample))


def _design(table: pd.DataFrame, settings: RunSettings) -> Design:
    sampled = sampled_design(table, settings)
    return Design(table, weights=None) if sampled is None else sampled.design


def steps_record(sampled: SampledDesign, weighted: WeightedDesign) -> dict[str, Any]:
    """The three steps as stored in the run's diagnostics: weights after each step, and the
    strata and response-homogeneity groups that make steps 1 and 2 (each respondent's
    weight of a step follows from its stratum and group)."""
    records = {"steps": sampled.steps(weighted), "strata": sampled.strata,
               "groups": sampled.groups.assign(group=sampled.groups["group"].astype(str))}
    return {k: jsonable(v.to_dict(orient="records")) for k, v in records.items()}


def step_columns(drawn: Mapping[str, Any], record: Mapping[str, Any], ids: list[int]
                 ) -> dict[str, list[Any]]:
    """Each response's stratum and its weights after steps 1 and 2, from what the run stored
    (the drawn sample in its settings, the strata and groups in its diagnostics)."""
    stratum_of = drawn["stratum_of_respondent"]
    group_of = drawn.get("rhg_of_respondent") or stratum_of
    design = {s["stratum"]: s["design_weight"] for s in record["strata"]}
    factor = {g["group"]: g["adjustment"] for g in record["groups"]}
    strata = [stratum_of[str(r)] for r in ids]
    return {"stratum": strata,
            "design_weight": [design[h] for h in strata],
            "nonresponse_weight": [design[h] * factor[group_of[str(r)]]
                                   for h, r in zip(strata, ids, strict=True)]}


# -- the engine ---------------------------------------------------------------------------------
def weigh(table: pd.DataFrame, margins: pd.DataFrame, settings: RunSettings) -> WeightedDesign:
    """Call the engine on the input table exactly as a run does (no database involved)."""
    design = _design(table, settings)
    margins = margins[margins["variable"].isin(settings.variables)].reset_index(drop=True)
    collapse = settings.collapse or None
    repairs = {"missing": settings.missing, "unknown": settings.unknown,
               "imputation": settings.imputation, "seed": settings.seed or 0,
               "sample_share": settings.sample_share or None}
    if settings.method == "rake":
        weighted = design.rake(margins, epsilon=settings.epsilon, max_iter=settings.max_iter,
                               collapse=collapse, **repairs)
    elif settings.method == "poststratify":
        weighted = _poststratify(table, margins, settings, repairs)
    elif settings.method in METHODS:
        weighted = design.calibrate(
            margins, method=settings.method,
            bounds=tuple(settings.bounds) if settings.bounds else None,
            epsilon=settings.epsilon, max_iter=settings.max_iter, collapse=collapse, **repairs)
    else:
        raise WeightingError(f"Unknown method {settings.method!r}.", parameter="method")
    if settings.trims:
        weighted = weighted.trim(lower=settings.trim_lower, upper=settings.trim_upper,
                                 strict=settings.trim_strict)
    return weighted


def _poststratify(table: pd.DataFrame, margins: pd.DataFrame, settings: RunSettings,
                  repairs: dict[str, Any]) -> WeightedDesign:
    """Post-stratify on one variable: its margin is the cell table. Merges per `collapse`."""
    (variable,) = settings.variables
    cells = margins[margins["variable"] == variable][["category", "population_count"]]
    cells = cells.rename(columns={"category": variable}).reset_index(drop=True)
    sample = table
    merge = settings.collapse.get(variable)
    if merge:
        known = set(cells[variable])
        target = {}
        for source, into in merge.items():
            for category in (source, into):
                if category not in known:
                    raise CollapseError(
                        f"Cannot collapse {source!r} into {into!r} for {variable!r}: "
                        f"category {category!r} is not in the margins.",
                        variable=variable, category=category)
            target[source] = into
        for _ in range(len(target)):  # follow chains a -> b -> c
            target = {s: target.get(t, t) for s, t in target.items()}
        cells = cells.assign(**{variable: cells[variable].map(lambda c: target.get(c, c))})
        cells = cells.groupby(variable, sort=False, as_index=False)["population_count"].sum()
        sample = table.assign(**{variable: table[variable].map(
            lambda c: target.get(c, c) if c is not None else None)})
        sample[variable] = sample[variable].astype(object).where(sample[variable].notna(), None)
    return _design(sample, settings).poststratify(cells, **repairs)


#: A category whose weighted count is off its population count by more than this share of it.
MARGIN_TOLERANCE = 1e-6


def unmet_margins(rows: list[dict]) -> list[dict]:
    """Categories whose weighted count misses the population count.

    Raking that cannot meet every margin (e.g. two variables the respondents confound
    completely) can still stop "converged": its joint table no longer changes. R's
    ``rake`` behaves the same; the run checks the margins themselves before anyone
    approves it.
    """
    return [
        {"variable": r["variable"], "category": r["category"],
         "weighted_share": r["weighted_share"], "population_share": r["population_share"]}
        for r in rows
        if r.get("population_count") is not None and r.get("weighted_count") is not None
        and abs(r["weighted_count"] - r["population_count"])
        > MARGIN_TOLERANCE * max(r["population_count"], 1.0)
    ]


def error_dict(error: WeightingError, margins: pd.DataFrame) -> dict[str, Any]:
    """The error as stored JSON; an empty category gets its neighbours in the margins' order."""
    data = jsonable(error.to_dict())
    details = data["details"]
    if error.code == "empty_category":
        variable = details.get("variable")
        if isinstance(variable, list) and len(variable) == 1:  # post-stratification cells
            variable = details["variable"] = variable[0]
            details["category"] = _first(details.get("category"))
            details["empty"] = [[variable, _first(c)] for _, c in details.get("empty", [])]
        if not details.get("neighbours") and isinstance(variable, str):
            empty = {str(c) for v, c in details.get("empty", []) if v == variable}
            order = [c for c in margins.loc[margins["variable"] == variable, "category"]
                     if c not in empty or c == str(details.get("category"))]
            if str(details.get("category")) in order:
                i = order.index(str(details["category"]))
                details["neighbours"] = [order[j] for j in (i - 1, i + 1) if 0 <= j < len(order)]
    return data


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list | tuple) and len(value) == 1 else value


# -- estimates ----------------------------------------------------------------------------------
def estimate_items(survey: Survey) -> list[Question]:
    """The trust items (scale questions named trust_*); all scale questions if there are none."""
    numeric = [q for q in survey.questions() if q.kind.numeric]
    trust = [q for q in numeric if q.key.startswith(TRUST_PREFIX)]
    return trust or numeric


def _numeric(values: list[Any]) -> np.ndarray:
    return np.array([float(v) if isinstance(v, int | float) and not isinstance(v, bool)
                     and v != DONT_KNOW else np.nan for v in values])


ESTIMATE_COLUMNS = ("estimate", "se", "ci_low", "ci_high", "n", "deff")


def estimates(weighted: WeightedDesign, table: pd.DataFrame,
              answers: Mapping[int, Mapping[str, Any]], keys: list[str],
              by: list[str]) -> dict[str, Any]:
    """Weighted means with SE and 95% CI, overall and by each variable in `by`."""
    out: dict[str, Any] = {"items": [], "overall": [], "by": {}}
    series = {}
    for key in keys:
        y = _numeric([answers.get(r, {}).get(key) for r in table.index])
        if np.count_nonzero(~np.isnan(y)) >= 2:
            series[key] = pd.Series(y, index=table.index, name=key)
            out["items"].append(key)
    for key, y in series.items():
        row = weighted.mean(y).iloc[0]
        out["overall"].append({"item": key, **{c: jsonable(row[c]) for c in ESTIMATE_COLUMNS}})
    for variable in by:
        rows = []
        for key, y in series.items():
            frame = weighted.mean(y, by=variable)
            for group, row in frame.iterrows():
                rows.append({"item": key, "group": str(group),
                             **{c: jsonable(row[c]) for c in ESTIMATE_COLUMNS}})
        out["by"][variable] = rows
    return out


# -- exports ----------------------------------------------------------------------------------
def weighting_frame(weighted: WeightedDesign) -> pd.DataFrame:
    """The weighting variables as the run used them (``wvar_age``: category after mapping,
    merging and imputation) and their imputation flags (``wvar_age_imputed``: 0/1),
    indexed like the run's input table."""
    used, imputed = weighted.weighting_categories()
    columns = {}
    for variable in used.columns:
        columns[weighting_column(variable)] = used[variable].astype(str)
        columns[imputed_column(variable)] = imputed[variable].astype(int)
    return pd.DataFrame(columns, index=used.index)


def weighting_plan(weighted: WeightedDesign, settings: RunSettings, items: list[str],
                   run: int | None = None) -> WeightingPlan:
    """What R needs to weight the export as the run did (see `surveys.runs.syntax`)."""
    return WeightingPlan(
        method=settings.method, margins=weighted.weighting_margins(),
        epsilon=settings.epsilon, max_iter=settings.max_iter,
        bounds=tuple(settings.bounds) if settings.bounds else None,
        trim_lower=settings.trim_lower, trim_upper=settings.trim_upper,
        trim_strict=settings.trim_strict, items=list(items), run=run,
        strata=None if settings.drawn_sample is None else {
            s["stratum"]: s["population"] for s in settings.drawn_sample["strata"]})


# -- settings ------------------------------------------------------------------------------------
def check_settings(settings: RunSettings, scheme: Mapping, margin_set: MarginSet
                   ) -> list[tuple[str, dict]]:
    """Problems that keep a run from starting (shown on the form, nothing stored)."""
    problems: list[tuple[str, dict]] = []
    mapped = {v["name"] for v in scheme.get("variables", [])}
    in_margins = margin_set.variables()
    if not settings.variables:
        problems.append(("no_variables", {}))
    for variable in settings.variables:
        if variable not in in_margins:
            problems.append(("not_in_margins", {"variable": variable, "margins": margin_set.name}))
        if variable not in mapped:
            problems.append(("not_mapped", {"variable": variable}))
    if settings.method == "poststratify" and len(settings.variables) > 1:
        problems.append(("poststratify_one_variable", {}))
    if settings.method == "logit" and not settings.bounds:
        problems.append(("logit_needs_bounds", {}))
    if settings.bounds and not (settings.bounds[0] <= 1 <= settings.bounds[1]
                                and settings.bounds[0] < settings.bounds[1]):
        problems.append(("bad_bounds", {"lower": settings.bounds[0], "upper": settings.bounds[1]}))
    return problems


def held_categories(table: pd.DataFrame, margins: pd.DataFrame, variables: list[str]
                     ) -> dict[str, list[str]]:
    """"Another gender" where the margins have no population figure for it: held at its
    sample share (`Design.rake(sample_share=)`), not imputed as a legal sex."""
    return {v: [ANOTHER_GENDER] for v in variables
            if v in table.columns and (table[v] == ANOTHER_GENDER).any()
            and ANOTHER_GENDER not in set(margins.loc[margins["variable"] == v, "category"])}
