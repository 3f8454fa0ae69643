"""Population margins: loading, validation, label matching and collapsing.

The long format is one row per population category::

    variable,category,population_count
    age,16-29,10222
    age,30-44,11674
    gender,kvinna,24166

Category labels are compared as text (NFC-normalised, surrounding whitespace removed,
integral numbers without ``.0``), so a sample column holding ``1, 2`` matches margins
read from CSV as ``"1", "2"``.
"""

from __future__ import annotations

import io
import math
import numbers
import os
import unicodedata
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .errors import CollapseError, InconsistentTotalsError, MarginsFormatError

MARGIN_COLUMNS: tuple[str, str, str] = ("variable", "category", "population_count")

#: Codes used by :func:`encode_labels` for rows that are not a category.
MISSING_CODE = -1
UNKNOWN_CODE = -2


def normalize_label(value: Any) -> str | None:
    """Return the comparison form of a category label, or None when it is missing."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return None
        if float(value).is_integer():
            return str(int(value))
        return repr(float(value))
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, numbers.Integral):
        return str(int(value))
    text = unicodedata.normalize("NFC", str(value)).strip()
    return text if text else None


@dataclass(frozen=True)
class Margin:
    """Population counts for the categories of one variable, in the order given."""

    variable: str
    categories: tuple[str, ...]
    counts: np.ndarray
    labels: tuple[Any, ...] = field(default=())  # original (display) labels

    def __post_init__(self) -> None:
        if not self.labels:
            object.__setattr__(self, "labels", tuple(self.categories))

    @property
    def total(self) -> float:
        """Sum of the population counts."""
        return float(np.sum(self.counts))

    def position(self) -> dict[str, int]:
        """Map normalised category label -> position."""
        return {c: i for i, c in enumerate(self.categories)}


class Margins(Mapping[str, Margin]):
    """Ordered collection of :class:`Margin` objects (one per weighting variable)."""

    def __init__(self, margins: Iterable[Margin]) -> None:
        self._margins: dict[str, Margin] = {}
        for m in margins:
            self._margins[m.variable] = m

    def __getitem__(self, key: str) -> Margin:
        return self._margins[key]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._margins)

    def __len__(self) -> int:
        return len(self._margins)

    def __repr__(self) -> str:
        inner = ", ".join(f"{v}: {len(m.categories)} categories" for v, m in self.items())
        return f"Margins({inner})"

    @property
    def variables(self) -> list[str]:
        """Variable names in the order given."""
        return list(self._margins)

    def totals(self) -> dict[str, float]:
        """Population total per variable."""
        return {v: m.total for v, m in self.items()}

    def check_totals(self, rtol: float = 1e-9) -> float:
        """Return the common population total; raise InconsistentTotalsError if they differ."""
        totals = self.totals()
        values = np.array(list(totals.values()), dtype=float)
        if values.size == 0:
            raise MarginsFormatError("No margins given.", problems=[])
        top = float(values.max())
        if float(values.max() - values.min()) > rtol * max(top, 1.0):
            listing = ", ".join(f"{v}: {t:g}" for v, t in totals.items())
            raise InconsistentTotalsError(
                f"The margins do not describe the same population; totals per variable: {listing}.",
                totals=totals,
            )
        return float(values[0])

    def to_frame(self) -> pd.DataFrame:
        """Return the long format DataFrame (variable, category, population_count)."""
        rows = [
            (v, lab, float(c))
            for v, m in self.items()
            for lab, c in zip(m.labels, m.counts, strict=True)
        ]
        return pd.DataFrame(rows, columns=list(MARGIN_COLUMNS))

    def collapse(self, mapping: Mapping[str, Mapping[Any, Any]]) -> Margins:
        """Return margins with categories merged (``{"age": {"16-29": "30-44"}}``)."""
        resolved = resolve_collapse(self, mapping)
        out = []
        for v, m in self.items():
            if v not in resolved:
                out.append(m)
                continue
            target_of = resolved[v]
            counts = np.zeros(len(m.categories))
            for i in range(len(m.categories)):
                counts[target_of[i]] += m.counts[i]
            keep = [i for i in range(len(m.categories)) if target_of[i] == i]
            out.append(
                Margin(
                    v,
                    tuple(m.categories[i] for i in keep),
                    counts[keep],
                    tuple(m.labels[i] for i in keep),
                )
            )
        return Margins(out)


def resolve_collapse(
    margins: Margins, mapping: Mapping[str, Mapping[Any, Any]]
) -> dict[str, np.ndarray]:
    """Resolve a collapse mapping to, per variable, an array old position -> new position.

    Chains (a -> b, b -> c) are followed; cycles and unknown labels raise CollapseError.
    The returned positions index the *original* category list; merged categories point
    to the position of the category that absorbs them.
    """
    out: dict[str, np.ndarray] = {}
    for variable, pairs in mapping.items():
        if variable not in margins:
            raise CollapseError(
                f"Cannot collapse categories of {variable!r}: it is not a margin variable.",
                variable=variable,
                category=None,
            )
        pos = margins[variable].position()
        target = np.arange(len(pos))
        for src, dst in pairs.items():
            s, t = normalize_label(src), normalize_label(dst)
            for lab, raw in ((s, src), (t, dst)):
                if lab not in pos:
                    raise CollapseError(
                        f"Cannot collapse {src!r} into {dst!r} for {variable!r}: "
                        f"category {raw!r} is not in the margins.",
                        variable=variable,
                        category=raw,
                    )
            if s == t:
                continue
            target[pos[s]] = pos[t]  # type: ignore[index]
        # follow chains
        for i in range(len(target)):
            seen = {i}
            j = int(target[i])
            while target[j] != j:
                j = int(target[j])
                if j in seen:
                    raise CollapseError(
                        f"Collapse mapping for {variable!r} contains a cycle.",
                        variable=variable,
                        category=margins[variable].labels[i],
                    )
                seen.add(j)
            target[i] = j
        out[variable] = target
    return out


def _problem(line: int | None, column: str | None, value: Any, problem: str) -> dict[str, Any]:
    return {"line": line, "column": column, "value": value, "problem": problem}


def _parse_count(raw: Any) -> float | None:
    """Parse a population count; accept numbers and digit strings with space separators."""
    if isinstance(raw, numbers.Number) and not isinstance(raw, bool):
        value = float(raw)  # type: ignore[arg-type]
    else:
        if raw is None or (isinstance(raw, float) and math.isnan(raw)):
            return None
        text = str(raw).strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
        if not text:
            return None
        try:
            value = float(text)
        except ValueError:
            return None
    return value


def margins_from_frame(frame: pd.DataFrame, *, first_line: int = 2) -> Margins:
    """Validate a long-format margins DataFrame and return :class:`Margins`.

    Problems are reported with ``line`` = row position + ``first_line`` (the CSV line
    number when the frame came from a file with one header line).
    """
    missing = [c for c in MARGIN_COLUMNS if c not in frame.columns]
    if missing:
        raise MarginsFormatError(
            "Margins table lacks column(s) "
            + ", ".join(missing)
            + "; expected variable, category, population_count.",
            missing_columns=missing,
            problems=[_problem(1, c, None, "missing column") for c in missing],
        )
    problems: list[dict[str, Any]] = []
    seen: dict[tuple[str, str], int] = {}
    order: dict[str, list[tuple[str, Any, float]]] = {}
    variables = frame["variable"].tolist()
    categories = frame["category"].tolist()
    counts = frame["population_count"].tolist()
    for i, (var_raw, cat_raw, cnt_raw) in enumerate(
        zip(variables, categories, counts, strict=True)
    ):
        line = i + first_line
        var = normalize_label(var_raw)
        cat = normalize_label(cat_raw)
        ok = True
        if var is None:
            problems.append(_problem(line, "variable", var_raw, "empty variable name"))
            ok = False
        if cat is None:
            problems.append(_problem(line, "category", cat_raw, "empty category"))
            ok = False
        count = _parse_count(cnt_raw)
        if count is None:
            problems.append(_problem(line, "population_count", cnt_raw, "not a number"))
            ok = False
        elif not math.isfinite(count):
            problems.append(_problem(line, "population_count", cnt_raw, "not a finite number"))
            ok = False
        elif count < 0:
            problems.append(_problem(line, "population_count", cnt_raw, "negative count"))
            ok = False
        if not ok:
            continue
        key = (var, cat)  # type: ignore[assignment]
        if key in seen:
            problems.append(
                _problem(line, "category", cat_raw, f"duplicate of line {seen[key]}")  # type: ignore[index]
            )
            continue
        seen[key] = line  # type: ignore[index]
        order.setdefault(var, []).append((cat, cat_raw, float(count)))  # type: ignore[arg-type]
    if problems:
        listing = "; ".join(
            f"line {p['line']}: {p['column']} {p['value']!r}: {p['problem']}" for p in problems[:10]
        )
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        raise MarginsFormatError(f"Invalid margins: {listing}{more}.", problems=problems)
    if not order:
        raise MarginsFormatError("The margins table is empty.", problems=[])
    return Margins(
        Margin(
            v,
            tuple(c for c, _, _ in rows),
            np.array([n for _, _, n in rows], dtype=float),
            tuple(raw.strip() if isinstance(raw, str) else raw for _, raw, _ in rows),
        )
        for v, rows in order.items()
    )


def read_margins(
    source: str | os.PathLike[str] | io.IOBase, *, sep: str | None = None, encoding: str = "utf-8"
) -> pd.DataFrame:
    """Read and validate a long-format margins CSV; return it as a DataFrame.

    ``sep=None`` accepts comma or semicolon (Swedish spreadsheet exports). Counts may use
    spaces as thousands separators. Problems raise MarginsFormatError with line numbers.
    """
    if isinstance(source, str | os.PathLike):
        with open(source, encoding=encoding, newline="") as fh:
            text = fh.read()
    else:
        raw = source.read()
        text = raw.decode(encoding) if isinstance(raw, bytes) else str(raw)
    text = text.lstrip("\ufeff")
    if sep is None:
        header = text.split("\n", 1)[0]
        sep = ";" if header.count(";") > header.count(",") else ","
    try:
        frame = pd.read_csv(
            io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, skip_blank_lines=True
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise MarginsFormatError(f"Margins file could not be parsed: {exc}", problems=[]) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    margins = margins_from_frame(frame)
    return margins.to_frame()


def as_margins(obj: Any) -> Margins:
    """Accept Margins, a long DataFrame, or ``{variable: {category: count}}``."""
    if isinstance(obj, Margins):
        return obj
    if isinstance(obj, pd.DataFrame):
        return margins_from_frame(obj)
    if isinstance(obj, Mapping):
        rows = []
        for var, cats in obj.items():
            items = cats.items() if isinstance(cats, Mapping | pd.Series) else None
            if items is None:
                raise MarginsFormatError(
                    f"Margin for {var!r} must map category -> count.", problems=[]
                )
            rows.extend((var, c, n) for c, n in items)
        return margins_from_frame(pd.DataFrame(rows, columns=list(MARGIN_COLUMNS)))
    raise MarginsFormatError(
        "Margins must be a DataFrame with columns variable, category, population_count.",
        problems=[],
    )


def encode_labels(
    values: pd.Series | np.ndarray | Sequence[Hashable], categories: Sequence[str]
) -> tuple[np.ndarray, dict[Any, int]]:
    """Code sample values by position in ``categories``.

    Returns ``(codes, unknown)``: codes are int64 positions, MISSING_CODE (-1) for missing
    values and UNKNOWN_CODE (-2) for values not among the categories; ``unknown`` maps each
    such raw value to its respondent count. Factorizes first so the label work is done once
    per distinct value, not per respondent.
    """
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    if isinstance(series.dtype, pd.CategoricalDtype):
        # Categorical columns already carry integer codes: no hashing of n values.
        codes_u = series.cat.codes.to_numpy().astype(np.int64)
        uniques = series.cat.categories
    else:
        codes_u, uniques = pd.factorize(series)
    pos = {c: i for i, c in enumerate(categories)}
    lut = np.empty(len(uniques) + 1, dtype=np.int64)
    raw_uniques = list(uniques)
    for i, u in enumerate(raw_uniques):
        lab = normalize_label(u)
        lut[i] = MISSING_CODE if lab is None else pos.get(lab, UNKNOWN_CODE)
    lut[-1] = MISSING_CODE  # factorize's NA sentinel (-1) indexes the last slot
    codes = lut[codes_u]
    unknown: dict[Any, int] = {}
    bad = np.flatnonzero(lut[:-1] == UNKNOWN_CODE)
    if bad.size:
        counts = np.bincount(codes_u[codes_u >= 0], minlength=len(raw_uniques))
        for i in bad:
            if counts[i]:  # unused categories of a Categorical are not respondents
                unknown[raw_uniques[i]] = int(counts[i])
    return codes, unknown


def validate_margins(frame: pd.DataFrame) -> pd.DataFrame:
    """Validate a long margins DataFrame; return a clean copy or raise MarginsFormatError."""
    return margins_from_frame(frame).to_frame()


__all__ = [
    "MARGIN_COLUMNS",
    "Margin",
    "Margins",
    "as_margins",
    "encode_labels",
    "margins_from_frame",
    "normalize_label",
    "read_margins",
    "resolve_collapse",
    "validate_margins",
]
