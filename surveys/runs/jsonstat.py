"""JSON-stat 2.0 population tables, as SCB's PxWebApi serves them, turned into long margins.

No Flask here: an analyst can call it from a notebook. Problems are collected, not raised
one by one, and each is a :class:`Problem` with a machine-readable ``code`` and details,
so the web pages can say every one of them in the analyst's language.

A PxWebApi answer in ``json-stat2`` format is one *dataset*::

    {"version": "2.0", "class": "dataset", "label": "Folkmängd efter region, ålder, ...",
     "id": ["Region", "Alder", "Kon", "Fodelseregion", "ContentsCode", "Tid"],
     "size": [5, 69, 2, 4, 1, 1],
     "dimension": {"Alder": {"label": "ålder",
                             "category": {"index": {"16": 0, "17": 1, ...},
                                          "label": {"16": "16 år", ...}}}, ...},
     "role": {"time": ["Tid"], "metric": ["ContentsCode"]},
     "value": [412, 398, ...]}

``value`` lists the cells in row-major order (the last dimension varies fastest); it may
also be an object {"position": value} for sparse tables. :func:`to_margins` maps SCB's
codes to our categories (single-year ages to age groups, Kon 1/2, födelseregion codes,
region codes to districts) and sums the cube to one margin per variable. All margins come
from the same filtered cube, so their totals agree.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from surveys.core.problems import Problem, load_json_file, too_many_cells

#: Our variable names for SCB's dimensions.
AGE, SEX, BORN, DISTRICT = "age", "gender", "born", "district"

#: Dimension ids (lower case, without diacritics) per role.
DIMENSION_NAMES = {
    AGE: ("alder", "age", "alderfem", "ald"),
    SEX: ("kon", "sex"),
    BORN: ("fodelseregion", "fodelseland", "fodelselandgrupp", "fodelseregionen", "born"),
    DISTRICT: ("region", "regso", "deso", "omrade", "district"),
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
#: The same codes in four groups, matching the survey's country-of-birth question.
FOUR_BORN_GROUPS = {
    "010": "sverige", "020": "norden", "030": "europa", "040": "europa", "050": "utanfor_europa",
    "060": "utanfor_europa", "070": "utanfor_europa", "080": "utanfor_europa",
    "090": "utanfor_europa",
}

AGE_CODE_RE = re.compile(r"^(\d{1,3})(\+?)$")
#: How many cells a problem lists before saying "and N more".
LIST_LIMIT = 8


class JsonStatError(ValueError):
    """The file cannot become margins; `problems` says every reason found."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(f"{p.code}: {p.details}" for p in problems))
        self.problems = problems


@dataclass
class Dataset:
    """A parsed JSON-stat dataset: dimensions with their category codes, values as an array."""

    ids: list[str]
    sizes: list[int]
    #: Per dimension id: category codes in index order.
    codes: dict[str, list[str]]
    #: Per dimension id: code -> label (the code itself when the file gives none).
    labels: dict[str, dict[str, str]]
    dimension_labels: dict[str, str]
    #: Cell values, shape `sizes`.
    values: np.ndarray
    roles: dict[str, list[str]] = field(default_factory=dict)
    label: str | None = None
    source: str | None = None
    updated: str | None = None


# -- parsing ----------------------------------------------------------------------------------
def parse(raw: bytes | str) -> Dataset:
    """Parse and check a JSON-stat 2.0 dataset; raise JsonStatError listing every problem."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise JsonStatError([Problem("not_utf8")]) from None
    data, problem = load_json_file(raw)
    if problem is not None:
        raise JsonStatError([problem])
    if not isinstance(data, dict):
        raise JsonStatError([Problem("not_dataset", {"found": type(data).__name__})])
    problems: list[Problem] = []
    version = data.get("version")
    if version != "2.0":
        problems.append(Problem("wrong_version", {"version": _show(version)}))
    kind = data.get("class")
    if kind != "dataset":
        problems.append(Problem("not_dataset", {"found": _show(kind)}))
    if problems:
        raise JsonStatError(problems)

    ids, sizes = data.get("id"), data.get("size")
    if not (isinstance(ids, list) and ids and all(isinstance(i, str) for i in ids)):
        problems.append(Problem("missing_field", {"field": "id"}))
    if not (isinstance(sizes, list) and all(_is_count(s) for s in sizes)):
        problems.append(Problem("missing_field", {"field": "size"}))
    dimensions = data.get("dimension")
    if not isinstance(dimensions, dict):
        problems.append(Problem("missing_field", {"field": "dimension"}))
    if problems:
        raise JsonStatError(problems)
    if len(ids) != len(sizes):
        raise JsonStatError([Problem("id_size_mismatch", {"ids": len(ids), "sizes": len(sizes)})])
    oversized = too_many_cells(sizes)
    if oversized is not None:
        raise JsonStatError([oversized])

    codes: dict[str, list[str]] = {}
    labels: dict[str, dict[str, str]] = {}
    dimension_labels: dict[str, str] = {}
    for dim, size in zip(ids, sizes, strict=True):
        found = _categories(dim, dimensions.get(dim), int(size), problems)
        if found is None:
            continue
        codes[dim], labels[dim] = found
        entry = dimensions[dim]
        dimension_labels[dim] = str(entry.get("label") or dim)
    if problems:
        raise JsonStatError(problems)

    sizes = [int(s) for s in sizes]
    total = math.prod(sizes)
    values = _values(data.get("value"), total, problems)
    if problems:
        raise JsonStatError(problems)
    assert values is not None
    cube = values.reshape(sizes)
    _check_cells(cube, ids, codes, problems)
    if problems:
        raise JsonStatError(problems)
    roles = data.get("role") if isinstance(data.get("role"), dict) else {}
    return Dataset(
        ids=list(ids), sizes=sizes, codes=codes, labels=labels,
        dimension_labels=dimension_labels, values=cube,
        roles={k: list(v) for k, v in roles.items() if isinstance(v, list)},
        label=_text(data.get("label")), source=_text(data.get("source")),
        updated=_text(data.get("updated")),
    )


def _show(value: Any) -> str:
    return "—" if value is None else str(value)[:40]


def _text(value: Any) -> str | None:
    return str(value)[:500] if isinstance(value, str | int | float) else None


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _categories(dim: str, entry: Any, size: int, problems: list[Problem]):
    """(codes in index order, code -> label) of one dimension, or None after a problem."""
    category = entry.get("category") if isinstance(entry, dict) else None
    if not isinstance(category, dict):
        problems.append(Problem("missing_dimension", {"dimension": dim}))
        return None
    index = category.get("index")
    label = category.get("label") if isinstance(category.get("label"), dict) else {}
    if index is None and len(label) == 1:  # JSON-stat allows a lone category without index
        index = list(label)
    if isinstance(index, list) and all(isinstance(c, str) for c in index):
        ordered = list(index)
    elif isinstance(index, dict) and all(_is_count(p) for p in index.values()):
        ordered = [code for code, _ in sorted(index.items(), key=lambda kv: kv[1])]
        if sorted(index.values()) != list(range(len(index))):
            problems.append(Problem("bad_index", {"dimension": dim}))
            return None
    else:
        problems.append(Problem("bad_index", {"dimension": dim}))
        return None
    if len(set(ordered)) != len(ordered):
        problems.append(Problem("bad_index", {"dimension": dim}))
        return None
    if len(ordered) != size:
        problems.append(Problem("dimension_size", {"dimension": dim, "size": size,
                                                   "categories": len(ordered)}))
        return None
    return ordered, {c: str(label.get(c, c)) for c in ordered}


def _values(raw: Any, total: int, problems: list[Problem]) -> np.ndarray | None:
    """The cell values as floats (NaN for null), checked against the product of the sizes."""
    if isinstance(raw, list):
        if len(raw) != total:
            problems.append(Problem("value_count", {"expected": total, "found": len(raw)}))
            return None
        items = enumerate(raw)
    elif isinstance(raw, dict):
        positions = {}
        for key, value in raw.items():
            if not (isinstance(key, str) and key.isdigit() and int(key) < total):
                problems.append(Problem("value_count", {"expected": total, "found": len(raw)}))
                return None
            positions[int(key)] = value
        items = ((i, positions.get(i)) for i in range(total))
    else:
        problems.append(Problem("missing_field", {"field": "value"}))
        return None
    out = np.empty(total)
    not_numbers: list[int] = []
    for i, value in items:
        if value is None:
            out[i] = np.nan
        elif isinstance(value, int | float) and not isinstance(value, bool):
            out[i] = float(value)
        else:
            out[i] = np.nan
            not_numbers.append(i)
    if not_numbers:
        problems.append(Problem("not_a_number", {"count": len(not_numbers),
                                                 "positions": not_numbers[:LIST_LIMIT]}))
        return None
    return out


def _check_cells(cube: np.ndarray, ids: list[str], codes: dict[str, list[str]],
                 problems: list[Problem]) -> None:
    """Missing (null), infinite and negative counts, each with the first cells named."""
    flat = cube.reshape(-1)
    for code, bad in (("missing_values", np.isnan(flat)),
                      ("infinite_values", np.isinf(flat)),
                      ("negative_counts", flat < 0)):
        where = np.flatnonzero(bad)
        if where.size:
            problems.append(Problem(code, {
                "count": int(where.size),
                "cells": [_cell_name(int(i), cube.shape, ids, codes) for i in where[:LIST_LIMIT]],
            }))


def _cell_name(position: int, shape: Sequence[int], ids: list[str],
               codes: dict[str, list[str]]) -> str:
    """E.g. "Region=1480, Alder=16, Kon=2" for a flat position in the cube."""
    index = np.unravel_index(position, tuple(shape))
    return ", ".join(f"{dim}={codes[dim][k]}" for dim, k in zip(ids, index, strict=True))


# -- codes to categories ------------------------------------------------------------------------
@dataclass
class CodeMapping:
    """How SCB's codes become our categories.

    ``age_groups`` are (first, last) ages with ``last=None`` for an open group ("65+");
    single-year ages outside every group are left out of the population (e.g. 0-15 for a
    survey of residents aged 16 and over). ``region`` may be empty when the file covers
    one area: then no district margin is made.
    """

    age_groups: list[tuple[int, int | None]]
    sex: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_SEX_CODES))
    born: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_BORN_CODES))
    region: dict[str, str] = field(default_factory=dict)


def group_label(first: int, last: int | None) -> str:
    """"16-29", or "65+" for an open group."""
    return f"{first}+" if last is None else f"{first}-{last}"


def find_roles(dataset: Dataset) -> tuple[dict[str, str], list[Problem]]:
    """Our role -> the dataset's dimension id; problems for dimensions we cannot place."""
    found: dict[str, str] = {}
    problems: list[Problem] = []
    metric = set(dataset.roles.get("metric", []))
    time = set(dataset.roles.get("time", []))
    for dim, size in zip(dataset.ids, dataset.sizes, strict=True):
        name = _fold(dim)
        role = next((r for r, names in DIMENSION_NAMES.items() if name in names), None)
        if role and role not in found:
            found[role] = dim
            continue
        if dim in metric or name in CONTENTS_NAMES:
            if size != 1:
                problems.append(Problem("several_contents", {
                    "dimension": dim, "codes": _listing(dataset, dim)}))
            continue
        if dim in time or name in TIME_NAMES:
            if size != 1:
                problems.append(Problem("several_periods", {
                    "dimension": dim, "codes": _listing(dataset, dim)}))
            continue
        if size != 1:  # one category of an unknown dimension (a filter) is harmless
            problems.append(Problem("unknown_dimension", {"dimension": dim, "size": size}))
    if AGE not in found and SEX not in found and BORN not in found:
        problems.append(Problem("no_known_dimension", {"dimensions": list(dataset.ids)}))
    return found, problems


def _fold(text: str) -> str:
    """Lower case without diacritics: "Ålder" -> "alder", "Födelseregion" -> "fodelseregion"."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", plain.lower())


def _listing(dataset: Dataset, dim: str) -> list[str]:
    return [f"{c} ({dataset.labels[dim][c]})" if dataset.labels[dim][c] != c else c
            for c in dataset.codes[dim][:LIST_LIMIT]]


def to_margins(dataset: Dataset, mapping: CodeMapping) -> tuple[pd.DataFrame, list[Problem]]:
    """Long margins (variable, category, population_count) and notes; JsonStatError if it cannot.

    Categories come in the order of the age groups and of the mapping's values.
    """
    roles, problems = find_roles(dataset)
    notes: list[Problem] = []
    group_of: dict[str, np.ndarray] = {}
    categories: dict[str, list[str]] = {}

    if AGE in roles:
        dim = roles[AGE]
        labels = [group_label(a, b) for a, b in mapping.age_groups]
        if not labels:
            problems.append(Problem("no_age_groups"))
        index = np.full(len(dataset.codes[dim]), -1)
        bad = []
        for k, code in enumerate(dataset.codes[dim]):
            match = AGE_CODE_RE.match(code.strip())
            if not match:
                bad.append(code)
                continue
            age, open_end = int(match.group(1)), bool(match.group(2))
            for g, (first, last) in enumerate(mapping.age_groups):
                inside = (first <= age and last is None) if open_end else (
                    first <= age and (last is None or age <= last))
                if inside:
                    index[k] = g
                    break
        if bad:
            problems.append(Problem("unknown_codes", {"dimension": dim, "codes": bad[:LIST_LIMIT],
                                                      "count": len(bad)}))
        group_of[AGE], categories[AGE] = index, labels
    for role, codes in ((SEX, mapping.sex), (BORN, mapping.born)):
        if role in roles:
            group_of[role], categories[role] = _coded(dataset, roles[role], codes, problems)
    if DISTRICT in roles:
        dim = roles[DISTRICT]
        if mapping.region:
            group_of[DISTRICT], categories[DISTRICT] = _coded(
                dataset, dim, mapping.region, problems)
        elif len(dataset.codes[dim]) > 1:
            problems.append(Problem("region_mapping_needed", {
                "dimension": dim, "codes": _listing(dataset, dim),
                "count": len(dataset.codes[dim])}))
        else:
            notes.append(Problem("one_region", {"code": _listing(dataset, dim)[0]}))
    if problems:
        raise JsonStatError(problems)

    # Keep the cells whose every mapped code falls in a category, then sum per variable.
    cube = dataset.values
    keep = np.ones(cube.shape, dtype=bool)
    axis_of = {role: dataset.ids.index(dim) for role, dim in roles.items()}
    for role, index in group_of.items():
        shape = [1] * cube.ndim
        shape[axis_of[role]] = -1
        keep &= (index >= 0).reshape(shape)
    if AGE in group_of:
        left_out = group_of[AGE] < 0
        if left_out.any():
            axis = axis_of[AGE]
            persons = float(np.take(cube, np.flatnonzero(left_out), axis=axis).sum())
            codes = [c for c, out in zip(dataset.codes[roles[AGE]], left_out, strict=True) if out]
            notes.append(Problem("ages_left_out", {"codes": _ranges(codes), "persons": persons}))
    kept = np.where(keep, cube, 0.0)
    rows = []
    for role in (AGE, SEX, BORN, DISTRICT):
        if role not in group_of:
            continue
        axis = axis_of[role]
        per_code = kept.sum(axis=tuple(a for a in range(cube.ndim) if a != axis))
        index = group_of[role]
        sums = np.bincount(index[index >= 0], weights=per_code[index >= 0],
                           minlength=len(categories[role]))
        rows += [(role, cat, float(n)) for cat, n in zip(categories[role], sums, strict=True)]
    return pd.DataFrame(rows, columns=["variable", "category", "population_count"]), notes


def _coded(dataset: Dataset, dim: str, mapping: Mapping[str, str], problems: list[Problem]):
    """Category index per code of `dim` (by the mapping) and the categories in mapping order."""
    cats = list(dict.fromkeys(v for v in mapping.values()))
    position = {c: i for i, c in enumerate(cats)}
    index = np.full(len(dataset.codes[dim]), -1)
    unknown = []
    for k, code in enumerate(dataset.codes[dim]):
        target = mapping.get(code.strip())
        if target is None:
            unknown.append(f"{code} ({dataset.labels[dim][code]})"
                           if dataset.labels[dim][code] != code else code)
        else:
            index[k] = position[target]
    if unknown:
        problems.append(Problem("unknown_codes", {"dimension": dim, "codes": unknown[:LIST_LIMIT],
                                                  "count": len(unknown)}))
    return index, cats


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


def read_margins(raw: bytes | str, mapping: CodeMapping) -> tuple[pd.DataFrame, list[Problem]]:
    """Parse a JSON-stat file and return its margins and notes (JsonStatError on problems)."""
    return to_margins(parse(raw), mapping)
