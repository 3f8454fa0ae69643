"""Register-based indicator values: one value per year from a CSV or JSON-stat 2.0 file.

Two small readers, both returning a :class:`RegisterSeries` (year -> value, with the
file's source, label and unit) or raising :class:`~.errors.RegisterFormatError` listing
every problem with a machine-readable code:

* CSV: a header with a year column (``year``, ``år``, ``ar``, ``tid``) and a value column
  (``value``, ``värde``, ``varde``, or the only other column, or ``value_column=``);
  comma, semicolon or tab separated, decimal comma accepted when the separator is not a
  comma; empty, ``..`` and ``-`` mean "no value" (SCB's notation).
* JSON-stat 2.0 as SCB's statistical database (PxWebApi) serves it: a ``dataset`` with a
  time dimension (``role.time``, or an id like ``Tid``) whose codes are years; every other
  dimension has one category, or ``select={dimension: code}`` picks one (e.g. the region
  and the ContentsCode of one table). ``value`` may be dense or sparse; null is "no value".

:func:`register_waves` turns a series into per-year :class:`~.compute.WaveResult` objects,
so :func:`~.trends.follow_up` treats a register indicator like a survey one (without
sampling error: changes are exact).
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from surveys.core.problems import Problem, load_json_file, too_many_cells

from .compute import Estimate, WaveResult
from .definitions import RegisterIndicator
from .errors import RegisterFormatError

YEAR_NAMES = ("year", "ar", "tid", "time")
VALUE_NAMES = ("value", "varde")
MISSING_MARKS = ("", "..", "-", ".", "…")
_YEAR_RE = re.compile(r"^\d{4}$")
#: How many codes a problem lists before stopping.
LIST_LIMIT = 8


@dataclass(frozen=True)
class RegisterSeries:
    """Values per year from a register file, with where they come from."""

    #: Year -> value, years ascending; years without a value are left out.
    values: Mapping[int, float]
    source: str | None = None
    label: str | None = None
    unit: str | None = None
    #: When the file says the data were updated (JSON-stat ``updated``).
    updated: str | None = None
    #: Years the file lists without a value.
    missing_years: tuple[int, ...] = field(default=())


def _fold(text: str) -> str:
    """Lower case without diacritics: "År" and "ar", "Värde" and "varde" match."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _decode(raw: bytes | str) -> str:
    if isinstance(raw, str):
        return raw
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # SCB's and Excel's CSV exports are often Windows-1252
        return raw.decode("cp1252", errors="replace")


def _number(text: str, decimal_comma: bool) -> float | None:
    """A cell as float, None for SCB's "no value" marks; raises ValueError otherwise."""
    t = text.strip().replace("\u00a0", "").replace(" ", "")
    if t in MISSING_MARKS:
        return None
    if decimal_comma:
        t = t.replace(",", ".")
    v = float(t)
    if not math.isfinite(v):
        raise ValueError(text)
    return v


def _series(
    rows: list[tuple[int, float | None]], problems: list[Problem], **meta: Any
) -> RegisterSeries:
    values: dict[int, float] = {}
    missing: list[int] = []
    for year, value in rows:
        if year in values or year in missing:
            problems.append(Problem("duplicate_year", {"year": year}))
        elif value is None:
            missing.append(year)
        else:
            values[year] = value
    if not values and not problems:
        problems.append(Problem("no_values"))
    if problems:
        raise RegisterFormatError(problems)
    return RegisterSeries(
        values=dict(sorted(values.items())), missing_years=tuple(sorted(missing)), **meta
    )


# --------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------


def read_register_csv(
    raw: bytes | str,
    *,
    value_column: str | None = None,
    source: str | None = None,
    label: str | None = None,
    unit: str | None = None,
) -> RegisterSeries:
    """Read a year/value CSV file (see the module docstring)."""
    text = _decode(raw)
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise RegisterFormatError([Problem("empty_file")])
    header_line = lines[0]
    delimiter = max(";\t,", key=header_line.count) if any(d in header_line for d in ";\t,") else ","
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error:  # e.g. a field longer than the csv module takes (131,072 characters)
        raise RegisterFormatError([Problem("not_csv")]) from None
    reader = iter(rows)
    header = [h.strip() for h in next(reader)]
    folded = [_fold(h) for h in header]
    problems: list[Problem] = []
    year_at = next((k for k, h in enumerate(folded) if h in YEAR_NAMES), None)
    if year_at is None:
        problems.append(Problem("missing_column", {"column": "year", "found": header}))
    if value_column is not None:
        value_at = next((k for k, h in enumerate(folded) if h == _fold(value_column)), None)
    else:
        value_at = next((k for k, h in enumerate(folded) if h in VALUE_NAMES), None)
        if value_at is None and len(header) == 2 and year_at is not None:
            value_at = 1 - year_at
    if value_at is None:
        problems.append(
            Problem("missing_column", {"column": value_column or "value", "found": header})
        )
    if problems:
        raise RegisterFormatError(problems)
    assert year_at is not None and value_at is not None
    decimal_comma = delimiter != ","
    rows: list[tuple[int, float | None]] = []
    for line_no, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append(
                Problem(
                    "wrong_field_count",
                    {"line": line_no, "expected": len(header), "found": len(row)},
                )
            )
            continue
        year_text = row[year_at].strip()
        if not _YEAR_RE.match(year_text):
            problems.append(Problem("bad_year", {"line": line_no, "value": year_text[:40]}))
            continue
        try:
            value = _number(row[value_at], decimal_comma)
        except ValueError:
            problems.append(Problem("bad_value", {"line": line_no, "value": row[value_at][:40]}))
            continue
        rows.append((int(year_text), value))
    if problems:
        raise RegisterFormatError(problems)
    return _series(rows, problems, source=source, label=label, unit=unit)


# --------------------------------------------------------------------------------------
# JSON-stat 2.0
# --------------------------------------------------------------------------------------


def _category_codes(entry: Any, size: int) -> list[str] | None:
    """Category codes of a dimension in index order (index as object or list)."""
    category = entry.get("category") if isinstance(entry, dict) else None
    if not isinstance(category, dict):
        return None
    index = category.get("index")
    if isinstance(index, list):
        codes = [str(c) for c in index]
    elif isinstance(index, dict):
        if sorted(index.values()) != list(range(len(index))):
            return None
        codes = [str(c) for c, _ in sorted(index.items(), key=lambda kv: kv[1])]
    elif size == 1 and isinstance(category.get("label"), dict) and len(category["label"]) == 1:
        codes = [str(next(iter(category["label"])))]  # index may be omitted for one category
    else:
        return None
    return codes if len(codes) == size else None


def _unit(dimensions: dict[str, Any], metric: str | None, code: str | None) -> str | None:
    if metric is None or code is None:
        return None
    unit = dimensions.get(metric, {}).get("category", {}).get("unit", {})
    entry = unit.get(code) if isinstance(unit, dict) else None
    if isinstance(entry, dict) and isinstance(entry.get("label"), str):
        return entry["label"]
    return None


def read_register_jsonstat(
    raw: bytes | str,
    *,
    select: Mapping[str, str] | None = None,
    source: str | None = None,
) -> RegisterSeries:
    """Read a yearly series from a JSON-stat 2.0 dataset (see the module docstring).

    ``source`` is used when the file has no ``source`` of its own.
    """
    data, problem = load_json_file(_decode(raw))
    if problem is not None:
        raise RegisterFormatError([problem])
    if not isinstance(data, dict) or data.get("class") != "dataset":
        raise RegisterFormatError([Problem("not_dataset")])
    if data.get("version") != "2.0":
        raise RegisterFormatError([Problem("wrong_version", {"version": str(data.get("version"))})])
    ids, sizes, dimensions = data.get("id"), data.get("size"), data.get("dimension")
    if not (
        isinstance(ids, list)
        and isinstance(sizes, list)
        and isinstance(dimensions, dict)
        and len(ids) == len(sizes)
        and all(isinstance(s, int) and s >= 0 for s in sizes)
    ):
        raise RegisterFormatError([Problem("missing_field", {"field": "id/size/dimension"})])
    oversized = too_many_cells(sizes)
    if oversized is not None:
        raise RegisterFormatError([oversized])
    problems: list[Problem] = []
    codes: dict[str, list[str]] = {}
    for dim, size in zip(ids, sizes, strict=True):
        found = _category_codes(dimensions.get(dim), size)
        if found is None:
            problems.append(Problem("missing_dimension", {"dimension": dim}))
        else:
            codes[dim] = found
    if problems:
        raise RegisterFormatError(problems)

    roles = data.get("role") if isinstance(data.get("role"), dict) else {}
    time_role = [d for d in roles.get("time", []) if d in codes]
    time_dim = time_role[0] if time_role else next((d for d in ids if _fold(d) in YEAR_NAMES), None)
    if time_dim is None:
        raise RegisterFormatError([Problem("no_time_dimension", {"dimensions": list(ids)})])

    select = dict(select or {})
    fixed: dict[str, int] = {}
    for dim in ids:
        if dim == time_dim:
            continue
        if dim in select:
            wanted = str(select.pop(dim))
            if wanted not in codes[dim]:
                problems.append(
                    Problem(
                        "unknown_code",
                        {"dimension": dim, "code": wanted, "codes": codes[dim][:LIST_LIMIT]},
                    )
                )
            else:
                fixed[dim] = codes[dim].index(wanted)
        elif len(codes[dim]) == 1:
            fixed[dim] = 0
        else:
            problems.append(
                Problem("several_categories", {"dimension": dim, "codes": codes[dim][:LIST_LIMIT]})
            )
    for dim in select:
        problems.append(Problem("unknown_dimension", {"dimension": dim}))
    bad_years = [c for c in codes[time_dim] if not _YEAR_RE.match(c)]
    if bad_years:
        problems.append(Problem("bad_year", {"codes": bad_years[:LIST_LIMIT]}))
    total = math.prod(sizes)
    raw_values = data.get("value")
    if isinstance(raw_values, list):
        if len(raw_values) != total:
            problems.append(Problem("value_count", {"expected": total, "found": len(raw_values)}))
        value_at = dict(enumerate(raw_values))
    elif isinstance(raw_values, dict):
        try:
            value_at = {int(k): v for k, v in raw_values.items()}
        except ValueError:
            value_at = {}
            problems.append(Problem("missing_field", {"field": "value"}))
    else:
        value_at = {}
        problems.append(Problem("missing_field", {"field": "value"}))
    if problems:
        raise RegisterFormatError(problems)

    # row-major strides: the last dimension varies fastest
    strides = [math.prod(sizes[k + 1 :]) for k in range(len(sizes))]
    base = sum(strides[ids.index(d)] * pos for d, pos in fixed.items())
    step = strides[ids.index(time_dim)]
    rows: list[tuple[int, float | None]] = []
    for pos, code in enumerate(codes[time_dim]):
        v = value_at.get(base + step * pos)
        if v is not None and (
            isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v)
        ):
            problems.append(Problem("bad_value", {"year": code, "value": str(v)[:40]}))
            continue
        rows.append((int(code), None if v is None else float(v)))

    metric_dims = [d for d in roles.get("metric", []) if d in codes]
    metric = metric_dims[0] if metric_dims else None
    metric_code = codes[metric][fixed[metric]] if metric in fixed else None
    file_source = data.get("source")
    return _series(
        rows,
        problems,
        source=file_source if isinstance(file_source, str) else source,
        label=data.get("label") if isinstance(data.get("label"), str) else None,
        unit=_unit(dimensions, metric, metric_code),
        updated=data.get("updated") if isinstance(data.get("updated"), str) else None,
    )


def register_waves(indicator: RegisterIndicator, series: RegisterSeries) -> list[WaveResult]:
    """One :class:`WaveResult` per year with a value (no SE, n or groups)."""
    source = series.source or indicator.source
    return [
        WaveResult(
            indicator=indicator.key,
            wave=year,
            year=year,
            estimator="register",
            overall=Estimate(value, None, None, None, None),
            source=source,
        )
        for year, value in series.values.items()
    ]
