"""Population margins from an SCB table: each of the table's codes mapped to a category.

No Flask here: an analyst can call it from a notebook. Reading the table (JSON-stat 1.x
or 2.0, PxWebApi 1 or 2) is :mod:`surveys.core.jsonstat`; this module decides what each
code becomes. A :class:`DimensionPlan` says it for one dimension (margin variable, and
code -> category or None for "left out"); :func:`plan` makes the plans from a
:class:`CodeMapping` (age groups, SCB's codes for sex and country of birth, region codes
to districts), and the mapping page lets the analyst write them code by code.
:func:`margins_from` sums the cube to one margin per planned dimension. All margins come
from the same cells (those whose every planned code falls in a category), so their
totals agree. Problems are :class:`~surveys.core.problems.Problem` codes, raised together
as a :class:`~surveys.core.jsonstat.JsonStatError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from surveys.core.jsonstat import (
    LIST_LIMIT,
    Dataset,
    JsonStatError,
    age_range,
    code_with_label,
    first_cells,
    fold,
    parse,
)
from surveys.core.problems import Problem

#: Our variable names for SCB's dimensions.
AGE, SEX, BORN, DISTRICT = "age", "gender", "born", "district"

#: Dimension ids (folded: lower case, without diacritics) per role.
DIMENSION_NAMES = {
    AGE: ("alder", "age", "alderfem", "ald", "alder1", "femarsklasser"),
    SEX: ("kon", "sex"),
    BORN: ("fodelseregion", "fodelseland", "fodelselandgrupp", "fodelseregionen", "born",
           "inrikesutrikes", "utlsvbakgrund"),
    DISTRICT: ("region", "regso", "deso", "omrade", "district", "kommun", "lan"),
}
CONTENTS_NAMES = ("contentscode", "tabellinnehall")
TIME_NAMES = ("tid", "ar", "year", "time")

#: SCB's codes for sex.
DEFAULT_SEX_CODES = {"1": "man", "2": "kvinna"}
#: Födelseregion codes -> born in Sweden or abroad ("inrikes"/"utrikes" född).
DEFAULT_BORN_CODES = {
    "010": "inrikes",  # Sverige
    "020": "utrikes",  # Norden utom Sverige
    "030": "utrikes",  # EU utom Norden
    "040": "utrikes",  # Europa utom EU och Norden
    "050": "utrikes",  # Afrika
    "060": "utrikes",  # Asien
    "070": "utrikes",  # Nordamerika
    "080": "utrikes",  # Sydamerika
    "090": "utrikes",  # Oceanien
}


@dataclass
class CodeMapping:
    """How SCB's codes become our categories.

    ``age_groups`` are (first, last) ages with ``last=None`` for an open group ("65+");
    ages or five-year bands outside every group are left out of the population (e.g. 0-15
    for a survey of residents aged 16 and over); a band across two groups is a problem.
    ``region`` may be empty when the file covers one area: then no district margin is made.
    """

    age_groups: list[tuple[int, int | None]]
    sex: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_SEX_CODES))
    born: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_BORN_CODES))
    region: dict[str, str] = field(default_factory=dict)


@dataclass
class DimensionPlan:
    """What one dimension becomes: the margin `variable` and each code's category (None:
    the code's people are left out of the population)."""

    dimension: str
    variable: str
    categories: dict[str, str | None]
    #: The categories in the order the margin lists them; by default as first mapped.
    order: list[str] | None = None

    def ordered(self) -> list[str]:
        return self.order or list(dict.fromkeys(c for c in self.categories.values() if c))


def group_label(first: int, last: int | None) -> str:
    """"16-29", or "65+" for an open group."""
    return f"{first}+" if last is None else f"{first}-{last}"


def role_of(dim: str) -> str | None:
    """Our variable for an SCB dimension id ("Alder" -> "age"), None when unknown."""
    name = fold(dim)
    return next((r for r, names in DIMENSION_NAMES.items() if name in names), None)


def roles(dataset: Dataset) -> dict[str, str]:
    """Our role -> the first dimension id that has it."""
    found: dict[str, str] = {}
    for dim in dataset.ids:
        role = role_of(dim)
        if role and role not in found:
            found[role] = dim
    return found


def age_category(code: str, groups: list[tuple[int, int | None]]) -> tuple[str | None, bool]:
    """(the group an age code falls in, or None; whether the code is an age at all).

    A band across groups gives (None, True) only when it touches no group; ask
    :func:`straddles` first."""
    ages = age_range(code)
    if ages is None:
        return None, False
    low, high = ages
    for first, last in groups:
        if first <= low and (last is None or (high is not None and high <= last)):
            return group_label(first, last), True
    return None, True


def straddles(code: str, groups: list[tuple[int, int | None]]) -> list[str]:
    """The groups a band partly overlaps without lying inside one (empty when it fits)."""
    ages = age_range(code)
    if ages is None or age_category(code, groups)[0] is not None:
        return []
    low, high = ages
    return [group_label(a, b) for a, b in groups
            if (b is None or low <= b) and (high is None or high >= a)]


def plan(dataset: Dataset, mapping: CodeMapping) -> tuple[list[DimensionPlan], list[Problem],
                                                          list[Problem]]:
    """The plans a CodeMapping gives for the dimensions we recognise, problems and notes."""
    found = roles(dataset)
    plans: list[DimensionPlan] = []
    problems: list[Problem] = []
    notes: list[Problem] = []
    if AGE in found:
        dim = found[AGE]
        if not mapping.age_groups:
            problems.append(Problem("no_age_groups"))
        categories: dict[str, str | None] = {}
        bad = []
        for code in dataset.codes[dim]:
            group, is_age = age_category(code, mapping.age_groups)
            across = straddles(code, mapping.age_groups)
            if not is_age:
                bad.append(code)
            elif across:
                problems.append(Problem("age_band_straddles", {"code": code, "groups": across}))
            categories[code] = group
        if bad:
            problems.append(Problem("unknown_codes", {"dimension": dim, "codes": bad[:LIST_LIMIT],
                                                      "count": len(bad)}))
        plans.append(DimensionPlan(dim, AGE, categories,
                                   [group_label(a, b) for a, b in mapping.age_groups]))
    for role, codes in ((SEX, mapping.sex), (BORN, mapping.born)):
        if role in found:
            plans.append(_coded(dataset, found[role], role, codes, problems))
    if DISTRICT in found:
        dim = found[DISTRICT]
        if mapping.region:
            plans.append(_coded(dataset, dim, DISTRICT, mapping.region, problems))
        elif len(dataset.codes[dim]) > 1:
            problems.append(Problem("region_mapping_needed", {
                "dimension": dim, "codes": dataset.listing(dim),
                "count": len(dataset.codes[dim])}))
        else:
            notes.append(Problem("one_region", {"code": dataset.listing(dim)[0]}))
    return plans, problems, notes


def _coded(dataset: Dataset, dim: str, variable: str, mapping: Mapping[str, str],
           problems: list[Problem]) -> DimensionPlan:
    """A plan from code -> category lines; codes without a line are a problem."""
    unknown = [code_with_label(c, dataset.labels[dim][c]) for c in dataset.codes[dim]
               if c.strip() not in mapping]
    if unknown:
        problems.append(Problem("unknown_codes", {"dimension": dim, "codes": unknown[:LIST_LIMIT],
                                                  "count": len(unknown)}))
    return DimensionPlan(dim, variable, {c: mapping.get(c.strip()) for c in dataset.codes[dim]},
                         list(dict.fromkeys(mapping.values())))


def suggest(dataset: Dataset, saved: Mapping[str, tuple[str, Mapping[str, str]]],
            age_groups: list[tuple[int, int | None]]) -> list[DimensionPlan]:
    """A plan for every dimension with several codes, for the analyst to check: the
    organisation's saved code list for the dimension (by folded id: variable, code ->
    category) where it has one, else SCB's usual codes (ages into `age_groups`; no
    district is guessed). A code the saved list lacks gets the usual suggestion."""
    plans = []
    for dim, size in zip(dataset.ids, dataset.sizes, strict=True):
        if size == 1:
            continue
        role = role_of(dim)
        usual: dict[str, str | None] = dict.fromkeys(dataset.codes[dim])
        if role == AGE:
            usual = {c: age_category(c, age_groups)[0] for c in dataset.codes[dim]}
        elif role in (SEX, BORN):
            known = DEFAULT_SEX_CODES if role == SEX else DEFAULT_BORN_CODES
            usual = {c: known.get(c.strip()) for c in dataset.codes[dim]}
        variable, categories = saved.get(fold(dim), (role or "", {}))
        plans.append(DimensionPlan(dim, variable, {
            c: (categories[c] or None) if c in categories else usual[c]
            for c in dataset.codes[dim]}))
    return plans


def year_end(dataset: Dataset) -> date | None:
    """31 December of the table's one year (SCB counts the population then), if it has one."""
    for dim, size in zip(dataset.ids, dataset.sizes, strict=True):
        code = dataset.codes[dim][0]
        if size == 1 and (dim in dataset.roles.get("time", []) or fold(dim) in TIME_NAMES) \
                and code.isdigit() and len(code) == 4:
            return date(int(code), 12, 31)
    return None


def margins_from(dataset: Dataset, plans: list[DimensionPlan]) -> tuple[pd.DataFrame,
                                                                       list[Problem]]:
    """Long margins (variable, category, population_count) and notes; JsonStatError if the
    plans leave several periods or measures, or a counted cell is missing or negative.
    Other dimensions without a plan are added up over all their codes."""
    problems = _unplanned(dataset, {p.dimension for p in plans}, strict=False)
    if not plans:
        problems.append(Problem("no_known_dimension", {"dimensions": list(dataset.ids)}))
    if problems:
        raise JsonStatError(problems)
    cube = dataset.values
    keep = np.ones(cube.shape, dtype=bool)
    index_of: dict[str, np.ndarray] = {}
    for p in plans:
        position = {c: i for i, c in enumerate(p.ordered())}
        index = np.array([position.get(p.categories.get(code) or "", -1)
                          for code in dataset.codes[p.dimension]], dtype=int)
        index_of[p.dimension] = index
        shape = [1] * cube.ndim
        shape[dataset.ids.index(p.dimension)] = -1
        keep &= (index >= 0).reshape(shape)
    # a missing cell matters only if it is counted; a negative count anywhere is a broken file
    for code, bad in (("missing_values", np.isnan(cube) & keep),
                      ("negative_counts", cube < 0)):
        count, cells = first_cells(dataset, bad)
        if count:
            problems.append(Problem(code, {"count": count, "cells": cells}))
    if problems:
        raise JsonStatError(problems)

    notes = [_left_out(dataset, p, index_of[p.dimension]) for p in plans
             if (index_of[p.dimension] < 0).any()]
    kept = np.where(keep, cube, 0.0)
    rows = []
    for p in plans:
        axis = dataset.ids.index(p.dimension)
        per_code = kept.sum(axis=tuple(a for a in range(cube.ndim) if a != axis))
        index = index_of[p.dimension]
        sums = np.bincount(index[index >= 0], weights=per_code[index >= 0],
                           minlength=len(p.ordered()))
        rows += [(p.variable, cat, float(n)) for cat, n in zip(p.ordered(), sums, strict=True)]
    return pd.DataFrame(rows, columns=["variable", "category", "population_count"]), notes


def _unplanned(dataset: Dataset, planned: set[str], strict: bool = True) -> list[Problem]:
    """Dimensions with several categories that no plan places (one category is a filter):
    periods and measures always, others only when `strict`."""
    problems = []
    metric = set(dataset.roles.get("metric", []))
    time = set(dataset.roles.get("time", []))
    for dim, size in zip(dataset.ids, dataset.sizes, strict=True):
        if dim in planned or size == 1:
            continue
        name = fold(dim)
        if dim in metric or name in CONTENTS_NAMES:
            problems.append(Problem("several_contents", {"dimension": dim,
                                                         "codes": dataset.listing(dim)}))
        elif dim in time or name in TIME_NAMES:
            problems.append(Problem("several_periods", {"dimension": dim,
                                                        "codes": dataset.listing(dim)}))
        elif strict:
            problems.append(Problem("unknown_dimension", {"dimension": dim, "size": size}))
    return problems


def _left_out(dataset: Dataset, p: DimensionPlan, index: np.ndarray) -> Problem:
    """A note naming the codes a plan leaves out and how many people they hold."""
    left_out = np.flatnonzero(index < 0)
    persons = float(np.nansum(np.take(dataset.values, left_out,
                                      axis=dataset.ids.index(p.dimension))))
    codes = [dataset.codes[p.dimension][k] for k in left_out]
    if p.variable == AGE:
        return Problem("ages_left_out", {"codes": _ranges(codes), "persons": persons})
    return Problem("codes_left_out", {"dimension": p.dimension, "persons": persons,
                                      "codes": ", ".join(codes[:LIST_LIMIT])})


def _ranges(codes: list[str]) -> str:
    """Age codes as compact ranges: ["0", "1", ..., "15", "85", "100+"] -> "0-15, 85, 100+"."""
    numbers, other = [], []
    for code in codes:
        (numbers if code.isdigit() else other).append(code)
    values = sorted(int(c) for c in numbers)
    parts: list[str] = []
    start = prev = None
    for v in values:
        if start is None:
            start = prev = v
        elif v == prev + 1:
            prev = v
        else:
            parts.append(f"{start}-{prev}" if prev != start else str(start))
            start = prev = v
    if start is not None:
        parts.append(f"{start}-{prev}" if prev != start else str(start))
    return ", ".join(parts + other)


def to_margins(dataset: Dataset, mapping: CodeMapping) -> tuple[pd.DataFrame, list[Problem]]:
    """Margins and notes of a table whose codes `mapping` places; JsonStatError if it cannot."""
    plans, problems, notes = plan(dataset, mapping)
    problems += _unplanned(dataset, {p.dimension for p in plans} | set(roles(dataset).values()))
    if not plans and not problems:
        problems.append(Problem("no_known_dimension", {"dimensions": list(dataset.ids)}))
    if problems:
        raise JsonStatError(problems)
    frame, more = margins_from(dataset, plans)
    return frame, notes + more


def read_margins(raw: bytes | str, mapping: CodeMapping) -> tuple[pd.DataFrame, list[Problem]]:
    """Parse a table and return its margins and notes (JsonStatError on problems)."""
    return to_margins(parse(raw), mapping)
