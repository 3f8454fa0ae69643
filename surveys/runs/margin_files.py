"""Reading population margins: a long-format CSV, or a JSON-stat 2.0 file from SCB.

Either the whole file reads as margins, or every problem found is returned as a (code,
details) pair that `surveys.runs.messages` puts into words. Nothing here touches the
database: `services.import_margins` stores what a reader returns.
"""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd

from surveys.runs import jsonstat
from surveys.runs.models import MarginSet
from surveys.weighting import MarginsFormatError, read_margins
from surveys.weighting.margins import margins_from_frame

VARIABLE_MAX, CATEGORY_MAX = 80, 200
CODE_LINE_RE = re.compile(r"^\s*([^=]+?)\s*=\s*(.*?)\s*$")


class ImportProblems(ValueError):
    """The file was not imported; `problems` lists (code, details) for every reason."""

    def __init__(self, problems: list[tuple[str, dict]]):
        super().__init__("; ".join(code for code, _ in problems))
        self.problems = problems


def decode(raw: bytes) -> str:
    """Text of an uploaded CSV: UTF-8 (with or without BOM), else Windows-1252 as Excel saves."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def read_csv(raw: bytes) -> tuple[pd.DataFrame, dict]:
    """Margins and notes from a long CSV (variable,category,population_count); comma or
    semicolon."""
    text = decode(raw)
    if not text.strip():
        raise ImportProblems([("csv_empty", {})])
    try:
        frame = read_margins(io.StringIO(text))
    except MarginsFormatError as error:
        problems = [("csv_line", {k: p.get(k) for k in ("line", "column", "value", "problem")})
                    for p in error.details.get("problems", [])]
        if error.details.get("missing_columns"):
            problems = [("csv_columns", {"missing": error.details["missing_columns"]})]
        if not problems:
            problems = [("csv_empty", {}) if "empty" in error.message
                        else ("csv_unreadable", {})]
        raise ImportProblems(problems) from None
    return checked(frame, {})


def parse_code_lines(text: str, field: str) -> dict[str, str]:
    """"1480 = centrum" lines -> {"1480": "centrum"}; ImportProblems naming each bad line."""
    mapping: dict[str, str] = {}
    problems = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip() or line.strip().startswith("#"):
            continue
        match = CODE_LINE_RE.match(line)
        if not match or not match.group(2):
            problems.append(("bad_code_line", {"field": field, "line": number,
                                               "text": line.strip()[:60]}))
            continue
        code, category = match.group(1), match.group(2)
        if code in mapping:
            problems.append(("duplicate_code", {"field": field, "line": number, "code": code}))
            continue
        if len(category) > CATEGORY_MAX:
            problems.append(("category_too_long", {"field": field, "line": number,
                                                   "max": CATEGORY_MAX}))
            continue
        mapping[code] = category
    if problems:
        raise ImportProblems(problems)
    return mapping


def format_code_lines(mapping: dict[str, str]) -> str:
    """The inverse of parse_code_lines."""
    return "\n".join(f"{code} = {category}" for code, category in mapping.items())


def read_jsonstat(raw: bytes, mapping: jsonstat.CodeMapping) -> tuple[pd.DataFrame, dict]:
    """Margins and notes from a JSON-stat 2.0 dataset (SCB PxWebApi), codes mapped by
    `mapping`."""
    try:
        frame, notes = jsonstat.read_margins(raw, mapping)
    except jsonstat.JsonStatError as error:
        raise ImportProblems([(p.code, p.details) for p in error.problems]) from None
    dataset_notes = {
        "notes": [{"code": n.code, "details": n.details} for n in notes],
        "codes": {"age_groups": [list(g) for g in mapping.age_groups], "sex": mapping.sex,
                  "born": mapping.born, "region": mapping.region},
    }
    return checked(frame, dataset_notes)


def checked(frame: pd.DataFrame, notes: dict) -> tuple[pd.DataFrame, dict]:
    """The margins validated by the engine, lengths checked, unequal totals noted."""
    try:
        margins = margins_from_frame(frame)
    except MarginsFormatError as error:
        raise ImportProblems([("csv_line", p) for p in error.details.get("problems", [])]
                             or [("csv_empty", {})]) from None
    clean = margins.to_frame()
    problems = []
    for variable in clean["variable"].unique():
        if len(str(variable)) > VARIABLE_MAX:
            problems.append(("too_long", {"what": "variable", "value": str(variable)[:40],
                                          "max": VARIABLE_MAX}))
    for category in clean["category"].unique():
        if len(str(category)) > CATEGORY_MAX:
            problems.append(("too_long", {"what": "category", "value": str(category)[:40],
                                          "max": CATEGORY_MAX}))
    if problems:
        raise ImportProblems(problems)
    totals = margins.totals()
    values = np.array(list(totals.values()))
    if values.size > 1 and float(values.max() - values.min()) > 1e-9 * max(values.max(), 1.0):
        notes = {**notes, "inconsistent_totals": totals}
    return clean, notes


def margins_frame(margin_set: MarginSet, variables: list[str] | None = None) -> pd.DataFrame:
    """The set as the engine's long DataFrame, in file order, optionally only some variables."""
    rows = [(r.variable, r.category, r.population_count) for r in margin_set.rows
            if variables is None or r.variable in variables]
    return pd.DataFrame(rows, columns=["variable", "category", "population_count"])
