"""The representation monitor: while a survey is open, which groups are missing, and how many.

For each margin variable and category, with n the completed responses that have a category
of the variable and n_c those in category c, and p_c the category's population share:

* sample share n_c / n, beside the population share p_c;
* expected at the current n: p_c * n, the responses the group would have if the
  respondents mirrored the population;
* more needed: the responses still to get *from this group alone* for its share to reach
  p_c, the others' responses staying as they are: the smallest x with
  (n_c + x) / (n + x) >= p_c, that is x = ceil((p_c * n - n_c) / (1 - p_c)); 0 for a group
  at or above its share.

The same counts are broken down by the language each response was given in, so the
municipality sees through which languages it reaches (or misses) a group.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from surveys.indicators.disclosure import COMPLEMENT, SMALL_GROUP, protect_table

#: Counts below this are shown as "fewer than 10" in anything exported (and others withheld
#: where they would give such a count away).
SMALL = 10


def more_needed(n_c: int, n: int, p: float) -> int:
    """Responses from the group alone that bring its share n_c/n up to p (0 if it is there)."""
    if n_c >= p * n or p >= 1:
        return 0
    return math.ceil((p * n - n_c) / (1 - p) - 1e-9)


@dataclass
class CategoryRow:
    """One population category beside the respondents in it."""

    category: str
    population_count: float
    population_share: float
    n: int
    sample_share: float | None
    expected: float
    more_needed: int
    #: Respondents in the category per response language.
    by_language: dict[str, int] = field(default_factory=dict)

    @property
    def under(self) -> bool:
        """True when the group has fewer responses than its population share gives."""
        return self.more_needed > 0


@dataclass
class VariableMonitor:
    """One margin variable: its categories, and respondents without one of them."""

    variable: str
    rows: list[CategoryRow]
    #: Respondents with a category of this variable (the n of the shares).
    n: int
    #: Respondents with no answer, "don't know" or an answer mapped to missing.
    missing: int
    #: Respondents whose value is not among the margin's categories, by value.
    outside: dict[str, int]
    #: Respondents with a category, per response language.
    n_by_language: dict[str, int] = field(default_factory=dict)


@dataclass
class Monitor:
    """Representation of the completed responses against one margin set."""

    n: int
    languages: list[str]
    n_by_language: dict[str, int]
    variables: list[VariableMonitor]
    #: Margin variables the survey's mapping does not produce.
    unmapped: list[str]


def representation(table: pd.DataFrame, languages: Sequence[str], margins: pd.DataFrame,
                   language_order: Sequence[str] = ()) -> Monitor:
    """The monitor for an input table (one row a response), its responses' languages, margins."""
    languages = list(languages)
    present = Counter(languages)
    order = [code for code in language_order if code in present]
    order += sorted(code for code in present if code not in order)
    variables, unmapped = [], []
    for variable in dict.fromkeys(margins["variable"]):
        if variable not in table.columns:
            unmapped.append(variable)
            continue
        margin = margins[margins["variable"] == variable]
        cats = [str(c) for c in margin["category"]]
        total = float(margin["population_count"].sum())
        values = [None if v is None else str(v) for v in table[variable].tolist()]
        counts = Counter(v for v in values if v is not None)
        by_lang: dict[str, Counter] = {}
        for value, lang in zip(values, languages, strict=True):
            if value is not None:
                by_lang.setdefault(value, Counter())[lang] += 1
        n = sum(counts[c] for c in cats)
        rows = []
        for category, population in zip(cats, margin["population_count"], strict=True):
            p = float(population) / total if total else 0.0
            n_c = counts.get(category, 0)
            rows.append(CategoryRow(
                category=category, population_count=float(population), population_share=p,
                n=n_c, sample_share=n_c / n if n else None, expected=p * n,
                more_needed=more_needed(n_c, n, p),
                by_language={lang: by_lang.get(category, Counter())[lang] for lang in order}))
        n_by_language = {lang: sum(r.by_language[lang] for r in rows) for lang in order}
        variables.append(VariableMonitor(
            variable=variable, rows=rows, n=n, missing=sum(v is None for v in values),
            outside={v: k for v, k in counts.items() if v not in cats},
            n_by_language=n_by_language))
    return Monitor(n=len(table), languages=order, n_by_language={k: present[k] for k in order},
                   variables=variables, unmapped=unmapped)


def export_rows(monitor: Monitor, fewer_than: str, withheld: str) -> list[list[object]]:
    """The monitor as CSV rows. Per variable, the categories × languages counts and each
    category's count are protected together (`protect_table`): counts under 10 become
    `fewer_than`, counts withheld so that those cannot be worked out become `withheld`, and
    a withheld category's share and "more needed" are left empty."""
    rows: list[list[object]] = [["variable", "category", "language", "respondents",
                                 "sample_share", "population_share", "more_needed"]]
    label = {SMALL_GROUP: fewer_than, COMPLEMENT: withheld}
    for v in monitor.variables:
        cells, totals = protect_table(
            [list(r.by_language.values()) for r in v.rows], SMALL)
        for r, by_language, reason in zip(v.rows, cells, totals, strict=True):
            rows.append([v.variable, r.category, "all", label.get(reason, r.n),
                         "" if reason or r.sample_share is None else round(r.sample_share, 4),
                         round(r.population_share, 4), "" if reason else r.more_needed])
            for (lang, k), why in zip(r.by_language.items(), by_language, strict=True):
                rows.append([v.variable, r.category, lang, label.get(why, k), "", "", ""])
    return rows
