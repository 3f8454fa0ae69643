"""Register-based indicator values: one value per year from a CSV or JSON-stat file.

Two small readers, both returning a :class:`RegisterSeries` (year -> value, with the
file's source, label and unit) or raising :class:`~.errors.RegisterFormatError` listing
every problem with a machine-readable code:

* CSV: a header with a year column (``year``, ``år``, ``ar``, ``tid``) and a value column
  (``value``, ``värde``, ``varde``, or the only other column, or ``value_column=``);
  comma, semicolon or tab separated, decimal comma accepted when the separator is not a
  comma; empty, ``..`` and ``-`` mean "no value" (SCB's notation).
* JSON-stat as SCB's statistical database serves it (1.x or 2.0, PxWebApi 1 or 2; read
  by :mod:`surveys.core.jsonstat`): a table with a time dimension (``role.time``, or an
  id like ``Tid``) whose codes are years; every other dimension has one category, or
  ``select={dimension: code}`` picks one (e.g. the region and the ContentsCode of one
  table). ``value`` may be dense or sparse; null is "no value".

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

from surveys.core import jsonstat
from surveys.core.problems import Problem

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
# JSON-stat (read by surveys.core.jsonstat)
# --------------------------------------------------------------------------------------


def read_register_jsonstat(
    raw: bytes | str,
    *,
    select: Mapping[str, str] | None = None,
    source: str | None = None,
) -> RegisterSeries:
    """Read a yearly series from a JSON-stat table (see the module docstring).

    ``source`` is used when the file has no ``source`` of its own.
    """
    try:
        dataset = jsonstat.parse(raw)
    except jsonstat.JsonStatError as error:
        raise RegisterFormatError(error.problems) from None
    ids, codes = dataset.ids, dataset.codes
    time_role = dataset.roles.get("time", [])
    time_dim = time_role[0] if time_role else next((d for d in ids if _fold(d) in YEAR_NAMES), None)
    if time_dim is None:
        raise RegisterFormatError([Problem("no_time_dimension", {"dimensions": list(ids)})])

    problems: list[Problem] = []
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
    if problems:
        raise RegisterFormatError(problems)

    where = tuple(slice(None) if d == time_dim else fixed[d] for d in ids)
    rows = [(int(code), None if math.isnan(v) else float(v))
            for code, v in zip(codes[time_dim], dataset.values[where].tolist(), strict=True)]
    metric_dims = dataset.roles.get("metric", [])
    metric = metric_dims[0] if metric_dims else None
    unit = None
    if metric in fixed:
        unit = dataset.units.get(metric, {}).get(codes[metric][fixed[metric]])
    return _series(
        rows,
        problems,
        source=dataset.source or source,
        label=dataset.label,
        unit=unit,
        updated=dataset.updated,
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
