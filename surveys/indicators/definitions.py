"""Indicator definitions: plain frozen dataclasses, one class per kind.

Each survey-based kind turns the answers into one number per respondent (its *score*,
NaN when the respondent does not count), and every estimate is then a weighted mean of
that score over a domain:

* :class:`ShareIndicator`: score 1 if the answer is in ``values``, 0 for any other answer;
  "don't know" is left out (``DontKnow.EXCLUDE``, the denominator is those with an
  opinion) or counts as "not in the set" (``DontKnow.INCLUDE``). The estimate is a
  proportion in [0, 1].
* :class:`MeanIndicator`: score = the numeric answer; "don't know" is left out.
* :class:`IndexIndicator`: each item rescaled to 0-100,
  r_j = 100 (x_j - low_j) / (high_j - low_j) (or 100 (high_j - x_j) / (high_j - low_j) for a
  reversed item), score = mean of the r_j a respondent answered, provided they answered at
  least ``min_answered`` items (default: at least half, ceil(k/2)); otherwise no score.

:class:`RegisterIndicator` has no score: its values come from an imported yearly series
(:mod:`.register`).

Every indicator has a ``direction`` (higher is better or worse), a ``baseline_wave`` and an
optional :class:`Target`. Waves are identified by a label (usually the survey year);
:func:`indicator_to_dict` / :func:`indicator_from_dict` give a JSON-friendly form to store.
"""

from __future__ import annotations

import math
import re
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from .errors import IndicatorError

#: The value the platform stores for a "don't know" answer (surveys.survey.questions.DONT_KNOW).
DONT_KNOW = "dk"

_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


class Direction(StrEnum):
    """Whether a higher value of the indicator is the better one."""

    HIGHER_IS_BETTER = "higher"
    LOWER_IS_BETTER = "lower"

    def better(self, a: float, b: float) -> bool:
        """True when a is strictly better than b."""
        return a > b if self is Direction.HIGHER_IS_BETTER else a < b


class DontKnow(StrEnum):
    """How a share treats "don't know": left out of the denominator, or counted in it."""

    EXCLUDE = "exclude"
    INCLUDE = "include"


@dataclass(frozen=True)
class Target:
    """A target value to reach by (the wave of) a year; see :func:`.trends.target_status`."""

    value: float
    year: int

    def __post_init__(self) -> None:
        if not _finite(self.value):
            raise IndicatorError("invalid_target", value=self.value)
        if isinstance(self.year, bool) or not isinstance(self.year, int | np.integer):
            raise IndicatorError("invalid_target_year", year=self.year)


def normalize_answer(value: Any) -> float | str | None:
    """One answer as a comparable value: numbers (also "7" as text) as float, None if missing.

    Answers arrive as ints from the web form, as text from CSV files and as floats from
    pandas; normalizing makes 7, 7.0 and "7" the same answer.
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, bool | np.bool_):
        return float(value)
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value)
    text = str(value).strip()
    if not text:
        return None
    if _NUMBER_RE.match(text):
        return float(text)
    return text


def _finite(value: Any) -> bool:
    return (
        isinstance(value, int | float | np.integer | np.floating)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def _column(data: pd.DataFrame, name: str, indicator: str) -> pd.Series:
    if name not in data.columns:
        raise IndicatorError("missing_item", indicator=indicator, item=name)
    return data[name]


def _coded(series: pd.Series) -> tuple[np.ndarray, list[float | str | None]]:
    """Factorize once, normalize the (few) distinct values: cheap for any number of rows."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return codes, [normalize_answer(u) for u in uniques]


def _lookup(codes: np.ndarray, table: list[float]) -> np.ndarray:
    """Per-row value from a per-unique table; missing answers (code -1) give NaN."""
    lut = np.array([*table, np.nan], dtype=float)
    return lut[codes]  # code -1 picks the trailing NaN


def _numeric_values(
    series: pd.Series, dont_know: frozenset[float | str], indicator: str
) -> np.ndarray:
    """Numeric answers as float; "don't know" and missing as NaN; other text is an error."""
    codes, uniques = _coded(series)
    table: list[float] = []
    bad: list[str] = []
    for u in uniques:
        if u is None or u in dont_know:
            table.append(np.nan)
        elif isinstance(u, float):
            table.append(u)
        else:
            table.append(np.nan)
            bad.append(u)
    if bad:
        raise IndicatorError(
            "not_numeric", indicator=indicator, item=str(series.name), values=sorted(bad)[:8]
        )
    if any(math.isinf(t) for t in table):
        raise IndicatorError("not_numeric", indicator=indicator, item=str(series.name))
    return _lookup(codes, table)


def _value_set(values: Iterable[Any]) -> frozenset[float | str]:
    out = set()
    for v in values:
        n = normalize_answer(v)
        if n is not None:
            out.add(n)
    return frozenset(out)


# --------------------------------------------------------------------------------------
# Definitions
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Indicator:
    """What every indicator has: a key, a direction, a baseline wave and maybe a target."""

    kind: ClassVar[str] = "indicator"

    #: Stable identifier (e.g. "tillit_kommun_hog"); labels live in the framework models.
    key: str
    direction: Direction = Direction.HIGHER_IS_BETTER
    #: Label of the wave (usually its year) that changes are measured from.
    baseline_wave: Hashable | None = None
    target: Target | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.key, str) or not self.key.strip():
            raise IndicatorError("invalid_key", key=self.key)
        object.__setattr__(self, "direction", Direction(self.direction))


@dataclass(frozen=True, kw_only=True)
class SurveyIndicator(Indicator):
    """An indicator estimated from survey answers: a weighted mean of a per-respondent score."""

    #: "proportion" gives the logit interval, "mean" the normal one.
    estimator: ClassVar[str] = "mean"

    def score(self, data: pd.DataFrame) -> pd.Series:  # pragma: no cover - abstract
        """Per-respondent score (NaN where the respondent does not count)."""
        raise NotImplementedError

    def columns(self) -> tuple[str, ...]:  # pragma: no cover - abstract
        """The answer columns the score reads."""
        raise NotImplementedError


@dataclass(frozen=True, kw_only=True)
class ShareIndicator(SurveyIndicator):
    """Share of respondents whose answer is in ``values`` (e.g. 7-10 on a 0-10 item).

    ``values`` accepts any iterable (``range(7, 11)``); answers are compared after
    :func:`normalize_answer`, so 7, 7.0 and "7" match. ``dont_know`` says whether "don't
    know" (``dont_know_values``, by default the platform's "dk") is left out of the
    denominator or counted as "not in the set". Missing answers never count.
    """

    kind: ClassVar[str] = "share"
    estimator: ClassVar[str] = "proportion"

    item: str
    values: frozenset[float | str] = field(default_factory=frozenset)
    dont_know: DontKnow = DontKnow.EXCLUDE
    dont_know_values: frozenset[float | str] = frozenset({DONT_KNOW})

    def __post_init__(self) -> None:
        super().__post_init__()
        values = _value_set(self.values)
        dk = _value_set(self.dont_know_values)
        if not values:
            raise IndicatorError("empty_value_set", indicator=self.key)
        if values & dk:
            raise IndicatorError(
                "dont_know_in_value_set", indicator=self.key, values=sorted(map(str, values & dk))
            )
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "dont_know_values", dk)
        object.__setattr__(self, "dont_know", DontKnow(self.dont_know))

    def columns(self) -> tuple[str, ...]:
        """The one item."""
        return (self.item,)

    def score(self, data: pd.DataFrame) -> pd.Series:
        """1 if the answer is in the set, 0 for another answer, NaN if missing (or dk excluded)."""
        series = _column(data, self.item, self.key)
        codes, uniques = _coded(series)
        dk_score = np.nan if self.dont_know is DontKnow.EXCLUDE else 0.0
        table = [
            np.nan
            if u is None
            else dk_score
            if u in self.dont_know_values
            else (1.0 if u in self.values else 0.0)
            for u in uniques
        ]
        return pd.Series(_lookup(codes, table), index=data.index, name=self.key)


@dataclass(frozen=True, kw_only=True)
class MeanIndicator(SurveyIndicator):
    """Mean of a scale item; "don't know" and missing answers are left out."""

    kind: ClassVar[str] = "mean"

    item: str
    dont_know_values: frozenset[float | str] = frozenset({DONT_KNOW})

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "dont_know_values", _value_set(self.dont_know_values))

    def columns(self) -> tuple[str, ...]:
        """The one item."""
        return (self.item,)

    def score(self, data: pd.DataFrame) -> pd.Series:
        """The numeric answer; NaN for missing and "don't know"."""
        y = _numeric_values(_column(data, self.item, self.key), self.dont_know_values, self.key)
        return pd.Series(y, index=data.index, name=self.key)


@dataclass(frozen=True)
class IndexItem:
    """One item of an index with its scale end points; ``reverse`` when low is the good end."""

    column: str
    low: float
    high: float
    reverse: bool = False

    def __post_init__(self) -> None:
        if not (_finite(self.low) and _finite(self.high)) or not self.low < self.high:
            raise IndicatorError("invalid_scale", item=self.column, low=self.low, high=self.high)

    def rescale(self, x: np.ndarray) -> np.ndarray:
        """100 (x - low) / (high - low), or 100 (high - x) / (high - low) when reversed."""
        span = self.high - self.low
        r = (self.high - x) / span if self.reverse else (x - self.low) / span
        return 100.0 * r


@dataclass(frozen=True, kw_only=True)
class IndexIndicator(SurveyIndicator):
    """Several items rescaled to 0-100 and averaged per respondent.

    A respondent gets a score when they answered at least ``min_answered`` of the k items
    (default ceil(k/2), "at least half"); the score is the mean of the answered items'
    rescaled values, so a missing item neither counts as 0 nor drops the respondent.
    Answers outside an item's [low, high] are an error, not silently clipped.
    """

    kind: ClassVar[str] = "index"

    items: tuple[IndexItem, ...]
    min_answered: int | None = None
    dont_know_values: frozenset[float | str] = frozenset({DONT_KNOW})

    def __post_init__(self) -> None:
        super().__post_init__()
        items = tuple(
            i if isinstance(i, IndexItem) else IndexItem(**i)  # type: ignore[arg-type]
            for i in self.items
        )
        if not items:
            raise IndicatorError("index_without_items", indicator=self.key)
        columns = [i.column for i in items]
        if len(set(columns)) != len(columns):
            raise IndicatorError("duplicate_index_item", indicator=self.key)
        k = len(items)
        m = math.ceil(k / 2) if self.min_answered is None else self.min_answered
        if isinstance(m, bool) or not isinstance(m, int) or not 1 <= m <= k:
            raise IndicatorError(
                "invalid_min_answered", indicator=self.key, min_answered=m, items=k
            )
        object.__setattr__(self, "items", items)
        object.__setattr__(self, "min_answered", m)
        object.__setattr__(self, "dont_know_values", _value_set(self.dont_know_values))

    def columns(self) -> tuple[str, ...]:
        """The items' columns."""
        return tuple(i.column for i in self.items)

    def rescaled(self, data: pd.DataFrame) -> pd.DataFrame:
        """Each item on 0-100 (NaN where not answered), one column per item."""
        out = {}
        for item in self.items:
            x = _numeric_values(
                _column(data, item.column, self.key), self.dont_know_values, self.key
            )
            bad = ~np.isnan(x) & ((x < item.low) | (x > item.high))
            if bad.any():
                raise IndicatorError(
                    "out_of_range",
                    indicator=self.key,
                    item=item.column,
                    low=item.low,
                    high=item.high,
                    values=sorted({float(v) for v in x[bad]})[:8],
                    n_respondents=int(bad.sum()),
                )
            out[item.column] = item.rescale(x)
        return pd.DataFrame(out, index=data.index)

    def score(self, data: pd.DataFrame) -> pd.Series:
        """Mean of the answered rescaled items if at least ``min_answered``, else NaN."""
        r = self.rescaled(data).to_numpy()
        answered = (~np.isnan(r)).sum(axis=1)
        total = np.nansum(r, axis=1)  # nansum of an all-NaN row is 0, masked below
        score = np.full(r.shape[0], np.nan)
        ok = answered >= self.min_answered  # type: ignore[operator]
        score[ok] = total[ok] / answered[ok]
        return pd.Series(score, index=data.index, name=self.key)


@dataclass(frozen=True, kw_only=True)
class RegisterIndicator(Indicator):
    """A value imported from a register file per year (e.g. employment among foreign-born).

    ``source`` is the default source text when the file does not name one; the values
    themselves come from :class:`.register.RegisterSeries`.
    """

    kind: ClassVar[str] = "register"

    source: str | None = None
    unit: str | None = None


KINDS: dict[str, type[Indicator]] = {
    cls.kind: cls for cls in (ShareIndicator, MeanIndicator, IndexIndicator, RegisterIndicator)
}


# --------------------------------------------------------------------------------------
# JSON-friendly form
# --------------------------------------------------------------------------------------


def _plain(value: float | str) -> float | int | str:
    """Floats that are whole numbers back to int, so stored definitions read naturally."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _sorted_values(values: frozenset[float | str]) -> list[float | int | str]:
    # numbers first in numeric order, then text: a stable order for mixed sets
    numbers = sorted(v for v in values if not isinstance(v, str))
    texts = sorted(v for v in values if isinstance(v, str))
    return [_plain(v) for v in numbers] + texts


def indicator_to_dict(indicator: Indicator) -> dict[str, Any]:
    """A JSON-friendly dict that :func:`indicator_from_dict` turns back into the indicator."""
    out: dict[str, Any] = {
        "kind": indicator.kind,
        "key": indicator.key,
        "direction": str(indicator.direction),
        "baseline_wave": indicator.baseline_wave,
        "target": None
        if indicator.target is None
        else {"value": indicator.target.value, "year": int(indicator.target.year)},
    }
    if isinstance(indicator, ShareIndicator):
        out.update(
            item=indicator.item,
            values=_sorted_values(indicator.values),
            dont_know=str(indicator.dont_know),
            dont_know_values=_sorted_values(indicator.dont_know_values),
        )
    elif isinstance(indicator, MeanIndicator):
        out.update(item=indicator.item, dont_know_values=_sorted_values(indicator.dont_know_values))
    elif isinstance(indicator, IndexIndicator):
        out.update(
            items=[
                {"column": i.column, "low": i.low, "high": i.high, "reverse": i.reverse}
                for i in indicator.items
            ],
            min_answered=indicator.min_answered,
            dont_know_values=_sorted_values(indicator.dont_know_values),
        )
    elif isinstance(indicator, RegisterIndicator):
        out.update(source=indicator.source, unit=indicator.unit)
    return out


def indicator_from_dict(data: Mapping[str, Any]) -> Indicator:
    """Build an indicator from :func:`indicator_to_dict` output; IndicatorError if invalid."""
    if not isinstance(data, Mapping):
        raise IndicatorError("invalid_definition", found=type(data).__name__)
    kind = data.get("kind")
    if kind not in KINDS:
        raise IndicatorError("unknown_kind", kind=kind)
    fields = {k: v for k, v in data.items() if k != "kind"}
    target = fields.get("target")
    if isinstance(target, Mapping):
        try:
            fields["target"] = Target(value=target["value"], year=target["year"])
        except KeyError as exc:
            raise IndicatorError("invalid_target", missing=str(exc.args[0])) from None
    elif target is not None:
        raise IndicatorError("invalid_target", found=type(target).__name__)
    if "direction" in fields:
        try:
            fields["direction"] = Direction(fields["direction"])
        except ValueError:
            raise IndicatorError("invalid_direction", direction=fields["direction"]) from None
    if "dont_know" in fields:
        try:
            fields["dont_know"] = DontKnow(fields["dont_know"])
        except ValueError:
            raise IndicatorError("invalid_dont_know", dont_know=fields["dont_know"]) from None
    for name in ("values", "dont_know_values"):
        if name in fields:
            fields[name] = frozenset(fields[name])
    if "items" in fields:
        try:
            fields["items"] = tuple(IndexItem(**i) for i in fields["items"])
        except TypeError as exc:
            raise IndicatorError("invalid_index_item", reason=str(exc)) from None
    try:
        return KINDS[kind](**fields)
    except TypeError as exc:
        raise IndicatorError("invalid_definition", kind=kind, reason=str(exc)) from None
