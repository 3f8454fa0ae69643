"""Statistical tables as SCB serves them, read into one shape. Flask-free.

Every table becomes a :class:`Dataset` (dimensions with their category codes and labels,
the cells as a NumPy array with NaN where a cell has no value, and the status symbols
SCB puts on cells). :func:`parse` accepts what SCB's two APIs and other JSON-stat
servers give, as they give it:

* JSON-stat 2.0, one ``dataset`` (PxWebApi 2's default ``json-stat2``, and PxWebApi 1's
  ``json-stat2``): ``id``, ``size``, ``dimension`` and ``role`` at the top level;
* JSON-stat 1.x (PxWebApi 1's ``json-stat``): a *bundle* ``{"dataset": {...}}`` whose
  dataset keeps ``id``, ``size`` and ``role`` inside ``dimension``, or such a dataset alone;
* PxWebApi 1's plain ``json``: ``columns`` (type ``d``, ``t`` or ``c`` for contents) and
  ``data`` rows ``{"key": [codes], "values": ["412", ".."]}``. It has no category labels,
  so codes label themselves; several contents columns become a ``ContentsCode`` dimension.

``value`` may be an array (the last dimension varies fastest) or an object of positions
(sparse); ``null`` and the symbols of the plain format (``..``, ``.``, ``-``) are missing
cells, kept with their status for the reader to judge. Nothing is allocated for a table of
more than :data:`~surveys.core.problems.MAX_CELLS` cells, and JSON nesting and numbers are
bounded (:func:`~surveys.core.problems.load_json_file`). Every problem found is raised at
once as a :class:`JsonStatError` of :class:`~surveys.core.problems.Problem` codes.

:func:`age_range` and :func:`region_level` read SCB's age and region codes.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from surveys.core.problems import Problem, load_json_file, too_many_cells

#: NumPy arrays have at most 64 axes; no real table comes near this.
MAX_DIMENSIONS = 32
#: How many cells or codes a problem lists before stopping.
LIST_LIMIT = 8
#: Cell symbols of PxWeb's plain JSON that mean "no value".
MISSING_SYMBOLS = ("..", ".", "-", "…", "")
#: What a JSON cell may be: a number or null.
NUMBER_TYPES = {int, float, type(None)}
#: The dimension name of the contents columns of PxWeb's plain JSON.
CONTENTS = "ContentsCode"


class JsonStatError(ValueError):
    """The text is not a table this module can read; `problems` says every reason found."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(f"{p.code}: {p.details}" for p in problems))
        self.problems = problems


@dataclass
class Dataset:
    """A table: dimensions with category codes in order, values with shape `sizes`."""

    ids: list[str]
    sizes: list[int]
    #: Per dimension id: category codes in index order.
    codes: dict[str, list[str]]
    #: Per dimension id: code -> label (the code itself when the file gives none).
    labels: dict[str, dict[str, str]]
    dimension_labels: dict[str, str]
    #: Cell values, shape `sizes`; NaN where the cell has no value.
    values: np.ndarray
    #: Flat cell position -> status symbol (e.g. ".." for "not available").
    status: dict[int, str] = field(default_factory=dict)
    #: The symbol of every cell without one in `status` (JSON-stat allows one for all).
    default_status: str | None = None
    #: JSON-stat roles: "time", "geo", "metric" -> dimension ids.
    roles: dict[str, list[str]] = field(default_factory=dict)
    #: Per dimension id: code -> unit label (JSON-stat ``unit`` of the metric dimension).
    units: dict[str, dict[str, str]] = field(default_factory=dict)
    label: str | None = None
    source: str | None = None
    updated: str | None = None

    def cell_name(self, position: int) -> str:
        """E.g. "Region=1480, Alder=16, Kon=2" for a flat position in the cube."""
        index = np.unravel_index(position, tuple(self.sizes))
        return ", ".join(f"{dim}={self.codes[dim][k]}"
                         for dim, k in zip(self.ids, index, strict=True))

    def listing(self, dim: str) -> list[str]:
        """The first codes of a dimension, each with its label when it has one."""
        return [code_with_label(c, self.labels[dim][c]) for c in self.codes[dim][:LIST_LIMIT]]

    def to_dict(self) -> dict[str, Any]:
        """The table as JSON-stat 2.0 (values dense, null for missing), to store or send."""
        flat = self.values.reshape(-1)
        return {
            "version": "2.0", "class": "dataset", "label": self.label, "source": self.source,
            "updated": self.updated, "id": self.ids, "size": self.sizes,
            "role": self.roles,
            "dimension": {dim: {"label": self.dimension_labels[dim], "category": {
                "index": self.codes[dim], "label": self.labels[dim],
                **({"unit": {c: {"label": u} for c, u in self.units[dim].items()}}
                   if dim in self.units else {})}} for dim in self.ids},
            "value": [None if math.isnan(v) else v for v in flat.tolist()],
            "status": self.default_status if self.default_status and not self.status
            else {str(k): v for k, v in self.status.items()},
        }


def code_with_label(code: str, label: str) -> str:
    """"0180 (Stockholm)", or the code alone when it is its own label."""
    return code if label == code else f"{code} ({label})"


# -- reading ------------------------------------------------------------------------------------
def parse(raw: bytes | str | dict) -> Dataset:
    """The table in `raw` (see the module docstring); JsonStatError listing every problem."""
    if isinstance(raw, dict):
        data: Any = raw
    else:
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
    if isinstance(data.get("columns"), list) and isinstance(data.get("data"), list):
        data = _from_plain_json(data)
    else:
        data = _as_version_2(data)
    return _dataset(data)


def _as_version_2(data: dict) -> dict:
    """A JSON-stat 1.x bundle or dataset rewritten in 2.0's layout; 2.0 as it is."""
    version = data.get("version")
    kind = data.get("class")
    if version is not None and not str(version).startswith(("1.", "2.")):
        raise JsonStatError([Problem("wrong_version", {"version": _show(version)})])
    if kind is None and version is None:  # a 1.x bundle: {"name": dataset, ...}
        inner = [v for v in data.values() if isinstance(v, dict) and "dimension" in v]
        if not inner:
            raise JsonStatError([Problem("not_dataset", {"found": "—"})])
        data, kind = inner[0], "dataset"
    if (kind or "dataset") != "dataset":
        raise JsonStatError([Problem("not_dataset", {"found": _show(kind)})])
    dimension = data.get("dimension")
    if isinstance(dimension, dict) and "id" in dimension and "id" not in data:
        rest = {k: v for k, v in dimension.items() if k not in ("id", "size", "role")}
        return {**data, "id": dimension.get("id"), "size": dimension.get("size"),
                "role": dimension.get("role"), "dimension": rest}
    return data


def _from_plain_json(data: dict) -> dict:
    """PxWeb's plain JSON (columns and keyed rows) as a sparse JSON-stat 2.0 dataset."""
    columns = [c for c in data["columns"] if isinstance(c, dict)]
    keyed = [c for c in columns if c.get("type") != "c"]
    contents = [c for c in columns if c.get("type") == "c"]
    if len(columns) != len(data["columns"]) or not contents or len(columns) > MAX_DIMENSIONS:
        raise JsonStatError([Problem("missing_field", {"field": "columns"})])
    names = [str(c.get("code", "")) for c in keyed]
    codes: list[dict[str, int]] = [{} for _ in keyed]
    cells: list[tuple[list[int], list[Any]]] = []
    for row in data["data"]:
        key = row.get("key") if isinstance(row, dict) else None
        values = row.get("values") if isinstance(row, dict) else None
        if not (isinstance(key, list) and len(key) == len(keyed) and isinstance(values, list)
                and len(values) == len(contents)):
            raise JsonStatError([Problem("missing_field", {"field": "data"})])
        cells.append(([found.setdefault(str(code), len(found))
                       for found, code in zip(codes, key, strict=True)], values))
    ids = [*names, CONTENTS]
    sizes = [len(c) for c in codes] + [len(contents)]
    oversized = too_many_cells(sizes)
    if oversized is not None:
        raise JsonStatError([oversized])
    strides = [math.prod(sizes[k + 1:]) for k in range(len(sizes))]
    value: dict[str, Any] = {}
    status: dict[str, str] = {}
    for positions, values in cells:
        base = sum(p * s for p, s in zip(positions, strides, strict=False))
        for k, text in enumerate(values):
            number = _plain_number(text)
            if number is None:
                status[str(base + k)] = str(text)[:10]
            value[str(base + k)] = number
    dimension = {name: {"label": str(col.get("text") or name),
                        "category": {"index": found}}
                 for name, col, found in zip(names, keyed, codes, strict=True)}
    dimension[CONTENTS] = {"label": CONTENTS, "category": {
        "index": [str(c.get("code", "")) for c in contents],
        "label": {str(c.get("code", "")): str(c.get("text") or c.get("code", ""))
                  for c in contents}}}
    return {"version": "2.0", "class": "dataset", "id": ids, "size": sizes,
            "dimension": dimension, "value": value, "status": status,
            "role": {"time": [c["code"] for c in keyed if c.get("type") == "t"],
                     "metric": [CONTENTS]}}


def _plain_number(text: Any) -> Any:
    """A cell of the plain format: a number, None for a "no value" symbol, or `text` as
    it is (which the value check then names)."""
    if not isinstance(text, str):
        return text
    t = text.strip()
    if t in MISSING_SYMBOLS:
        return None
    try:
        number = float(t)
    except ValueError:
        return text
    return int(number) if number.is_integer() and "." not in t else number


def _dataset(data: dict) -> Dataset:
    problems: list[Problem] = []
    ids, sizes, dimensions = data.get("id"), data.get("size"), data.get("dimension")
    if not (isinstance(ids, list) and ids and all(isinstance(i, str) for i in ids)):
        problems.append(Problem("missing_field", {"field": "id"}))
    if not (isinstance(sizes, list) and all(_is_count(s) for s in sizes)):
        problems.append(Problem("missing_field", {"field": "size"}))
    if not isinstance(dimensions, dict):
        problems.append(Problem("missing_field", {"field": "dimension"}))
    if problems:
        raise JsonStatError(problems)
    if len(ids) != len(sizes):
        raise JsonStatError([Problem("id_size_mismatch", {"ids": len(ids), "sizes": len(sizes)})])
    if len(ids) > MAX_DIMENSIONS:
        raise JsonStatError([Problem("too_many_dimensions", {"limit": MAX_DIMENSIONS})])
    oversized = too_many_cells(sizes)
    if oversized is not None:
        raise JsonStatError([oversized])

    codes: dict[str, list[str]] = {}
    labels: dict[str, dict[str, str]] = {}
    units: dict[str, dict[str, str]] = {}
    dimension_labels: dict[str, str] = {}
    for dim, size in zip(ids, sizes, strict=True):
        entry = dimensions.get(dim)
        found = _categories(dim, entry, size, problems)
        if found is None:
            continue
        codes[dim], labels[dim] = found
        dimension_labels[dim] = str(entry.get("label") or dim)
        unit = entry["category"].get("unit")
        if isinstance(unit, dict):
            units[dim] = {str(c): u["label"] for c, u in unit.items()
                          if isinstance(u, dict) and isinstance(u.get("label"), str)}
    if problems:
        raise JsonStatError(problems)

    total = math.prod(sizes)
    values = _values(data.get("value"), total, problems)
    status = _status(data.get("status"), total)
    default_status = str(data["status"])[:10] if isinstance(data.get("status"), str) else None
    if problems:
        raise JsonStatError(problems)
    assert values is not None
    infinite = np.flatnonzero(np.isinf(values))
    roles = data.get("role") if isinstance(data.get("role"), dict) else {}
    dataset = Dataset(
        ids=list(ids), sizes=list(sizes), codes=codes, labels=labels,
        dimension_labels=dimension_labels, values=values.reshape(sizes), status=status,
        default_status=default_status,
        roles={k: [d for d in v if d in codes] for k, v in roles.items() if isinstance(v, list)},
        units=units, label=_text(data.get("label")), source=_text(data.get("source")),
        updated=_text(data.get("updated")))
    if infinite.size:
        raise JsonStatError([Problem("infinite_values", {
            "count": int(infinite.size),
            "cells": [dataset.cell_name(int(i)) for i in infinite[:LIST_LIMIT]]})])
    return dataset


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
        if sorted(index.values()) != list(range(len(index))):
            problems.append(Problem("bad_index", {"dimension": dim}))
            return None
        ordered = [code for code, _ in sorted(index.items(), key=lambda kv: kv[1])]
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
    """The cell values as floats (NaN for null or absent), checked against the sizes."""
    if isinstance(raw, list):
        if len(raw) != total:
            problems.append(Problem("value_count", {"expected": total, "found": len(raw)}))
            return None
        if set(map(type, raw)) <= NUMBER_TYPES:  # the usual case, at C speed (None -> NaN)
            return np.array(raw, dtype=float)
        items: Any = enumerate(raw)
    elif isinstance(raw, dict):
        if not all(isinstance(k, str) and k.isdigit() and int(k) < total for k in raw):
            problems.append(Problem("value_count", {"expected": total, "found": len(raw)}))
            return None
        items = ((int(k), v) for k, v in raw.items())
    else:
        problems.append(Problem("missing_field", {"field": "value"}))
        return None
    out = np.full(total, np.nan)
    not_numbers: list[int] = []
    for i, value in items:
        if isinstance(value, int | float) and not isinstance(value, bool):
            out[i] = float(value)
        elif value is not None:
            not_numbers.append(i)
    if not_numbers:
        problems.append(Problem("not_a_number", {"count": len(not_numbers),
                                                 "positions": not_numbers[:LIST_LIMIT]}))
        return None
    return out


def _status(raw: Any, total: int) -> dict[int, str]:
    """JSON-stat ``status`` as an array or as positions -> symbol (one string for all cells
    is `Dataset.default_status`)."""
    if isinstance(raw, list):
        return {i: str(s)[:10] for i, s in enumerate(raw[:total]) if s is not None}
    if isinstance(raw, dict):
        return {int(k): str(s)[:10] for k, s in raw.items()
                if isinstance(k, str) and k.isdigit() and int(k) < total and s is not None}
    return {}


# -- SCB's codes ----------------------------------------------------------------------------------
_AGE_RE = re.compile(r"^(\d{1,3})?\s*(?:(-)\s*(\d{1,3})?|(\+))?$")


def age_range(code: str) -> tuple[int, int | None] | None:
    """The ages an SCB age code covers: "16" -> (16, 16), "5-9" -> (5, 9), "-4" -> (0, 4),
    "100+" (or "100-") -> (100, None); None for anything else (e.g. "tot")."""
    match = _AGE_RE.match(code.strip())
    if not match or not any(match.groups()):
        return None
    first, dash, last, plus = match.groups()
    low = int(first) if first is not None else 0
    if plus or (dash and last is None):
        return (low, None) if first is not None else None
    if dash:
        high = int(last)
        return (low, high) if high >= low else None
    return low, low


def region_level(code: str) -> str | None:
    """Which kind of area an SCB region code names: "country" (00, Riket), "county" (two
    digits, e.g. 14), "municipality" (four digits, e.g. 1480), "regso" (e.g. 1480R001),
    "deso" (e.g. 1480C1010); None for other codes."""
    code = code.strip()
    if code == "00":
        return "country"
    if re.fullmatch(r"\d{2}", code):
        return "county"
    if re.fullmatch(r"\d{4}", code):
        return "municipality"
    if re.fullmatch(r"\d{4}R\d{3}", code):
        return "regso"
    if re.fullmatch(r"\d{4}[ABC]\d{4}", code):
        return "deso"
    return None


def fold(text: str) -> str:
    """Lower case a-z and digits only: "Ålder" -> "alder", "Födelseregion" -> "fodelseregion"."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", plain.lower())


def first_cells(dataset: Dataset, mask: np.ndarray) -> tuple[int, list[str]]:
    """How many cells `mask` marks and the names of the first few, with their status."""
    where = np.flatnonzero(mask.reshape(-1))
    names = []
    for i in where[:LIST_LIMIT]:
        symbol = dataset.status.get(int(i), dataset.default_status)
        names.append(dataset.cell_name(int(i)) + (f" ({symbol})" if symbol else ""))
    return int(where.size), names

