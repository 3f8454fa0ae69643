"""Weighted microdata with a codebook: the answers as CSV, Excel, SPSS, Stata or Parquet files.

Flask-free: nothing here imports Flask, Flask-Babel or the database when the module
is imported, so the writers work from a notebook. `codebook_for` reads a survey
(a model object, or anything with the same attributes) and the question types, and
imports those when called: each type codes its own answers
(`QuestionType.codebook_variables`, in the vocabulary of `surveys.survey.codebook`).

**The frame** has one row per response and these columns:

- ``response_id``, ``language``, ``channel`` as in the raw export
  (`surveys.survey.export`), ``weight_exp``, the expansion weight (it sums to the
  population, N: for totals, and for standard errors with the design) and ``weight_norm``,
  the same weight scaled to sum to the number of respondents, n (`normalised`: for
  ``WEIGHT BY`` and other procedures that take a weight as a frequency);
- every question's export columns (`QuestionType.columns`) with the values that
  `QuestionType.export` gives: option codes, numbers, 0/1 for the options of a
  multiple-choice question, ``"dk"`` for "don't know / prefer not to say", text;
- with ``weighting`` given to `codebook_for`, each weighting variable as the run used it
  (``wvar_age``: the category after mapping, merging and imputation) and a 0/1 flag
  (``wvar_age_imputed``), so R ``survey`` can weight again (`surveys.runs.syntax`);
- any other columns the caller adds (``started_at``, a weighting cell ...). They are
  written after the codebook's variables and described in the codebook with their
  column name as label (see `Codebook.with_frame`): numbers and booleans as numeric,
  pandas categoricals as categorical, everything else (dates too) as text.

The columns of free-text questions that the codebook left out (``Codebook.omitted``)
are never written, even when the frame holds them.

**Values by format.** CSV and Excel hold the values as the raw export does (codes,
numbers); the codebook gives their labels. "Don't know" stays out of numeric columns:
an empty cell in CSV and Excel, null in Parquet, user-missing 99 (999 ...) in SPSS and
``.a`` in Stata, so a mean never counts it; a categorical column keeps its ``dk`` code.
CSV comes in two dialects (`DIALECTS`): comma-separated with a decimal point, and
semicolon-separated with a decimal comma, which Swedish Excel opens with a double click;
both UTF-8 with a byte-order mark. Text that a spreadsheet would run as a formula gets
a leading apostrophe in CSV (as in the raw export) and is stored as a text cell, never
a formula, in Excel. Parquet stores categorical variables as pandas categoricals of
their codes (ordered for ordinal ones without "dk"), whole numbers and 0/1 indicators
as nullable integers (``Int64``), other numbers (the weights) as floats, and puts the
codebook as JSON in the file's schema metadata under ``delaktig.codebook``. Use SPSS or
Stata to tell "don't know" from no answer in a numeric question.

**SPSS coding.** SPSS holds numbers and text only, so:

- the options of single-choice and matrix questions are numbered 1..k in the order
  of the options (never from the code's own digits), and ``language`` and
  ``channel`` likewise in the order of their codebook values;
- scale, agreement, number and year-of-birth answers keep their own value;
- multiple-choice columns are 0 (not chosen) / 1 (chosen);
- ``dk`` becomes 99, or 999, 9999 ... when 99 could be a real answer (a scale
  reaching 99, a year of birth), and is declared user-missing;
- every code carries its value label; variable labels are the question texts
  (truncated to SPSS's 255 bytes, value labels to 120);
- variable names are made valid (see `spss_name`); a renamed variable's label ends
  with its original column name in brackets, and the codebook lists both names.

**Stata coding** is the SPSS coding with Stata's limits: names of at most 32 characters
(`stata_names`, made unique; a few fewer, so that the value-label sets named after them
fit too), variable labels of 80, "don't know" as the extended
missing value ``.a`` carrying its value label, text of at most 2045 bytes.

All labels and notes are in the codebook's language (`codebook_for`'s `lang`).
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import tempfile
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import pandas as pd

from surveys.core.data import BOM, safe_cell
from surveys.survey.codebook import Coding, Variable, categorical

#: The kinds of variable and their measurement levels (the SPSS names).
KINDS = ("numeric", "categorical", "text", "multi")
MEASURES = ("nominal", "ordinal", "scale")
#: File formats `write_microdata` writes.
FORMATS = ("csv", "xlsx", "sav", "dta", "parquet")
#: CSV dialects: (separator, decimal mark).
DIALECTS = {"comma": (",", "."), "semicolon": (";", ",")}
#: Columns before the questions' own, in this order.
FIXED_COLUMNS = ("response_id", "language", "channel", "weight_exp", "weight_norm")
CHANNELS = ("web", "paper", "interview")


#: The English labels and notes, for a caller that passes its own answer labels; otherwise
#: they come translated from `platform_labels`.
DEFAULT_LABELS: dict[str, Any] = {
    "response_id": "Response number",
    "language": "Language of the response",
    "channel": "Channel",
    "weight_exp": "Expansion weight: sums to the population (N)",
    "weight_norm": "Normalised weight: sums to the respondents (n)",
    "weighting_variable": "%(variable)s as weighted (after mapping, merging and imputation)",
    "imputed": "%(variable)s imputed for the weighting",
    "imputed_no": "Answered",
    "imputed_yes": "Imputed",
    "stratum": "Stratum of the drawn sample",
    "design_weight": "Design weight N_h/n_h (step 1)",
    "nonresponse_weight": "Weight after the non-response adjustment (step 2)",
    "chosen": "Chosen",
    "not_chosen": "Not chosen",
    "note_norm": "Use weight_norm with WEIGHT BY and in ordinary procedures: counts and tests "
                 "then refer to the respondents.",
    "note_exp": "Use weight_exp for population totals, and with the complex-samples plan for "
                "standard errors.",
    "note_missing": "Don't know and prefer not to say are missing values: 99 (999, 9999 where "
                    "99 is a real answer) in SPSS, .a in Stata, NA in R, empty in CSV.",
    "note_se": "SPSS Complex Samples leaves out the calibration to the population margins: "
               "its standard errors are usually a little larger than the app's. The R script "
               "reproduces the app's.",
    "note_r": "Reproduces the weights, estimates and standard errors of the weighting run with "
              "the R package survey.",
}
#: The notes the files carry (`Codebook.notes`), and those of the SPSS files, in order.
NOTES = ("note_norm", "note_exp", "note_missing", "note_se", "note_r")
SPSS_NOTES = ("note_norm", "note_exp", "note_missing", "note_se")
#: Prefix and suffix of the weighting variables' columns.
WEIGHTING_PREFIX, IMPUTED_SUFFIX = "wvar_", "_imputed"

SPSS_NAME_BYTES = 64
SPSS_LABEL_BYTES = 255
SPSS_VALUE_LABEL_BYTES = 120
SPSS_FILE_LABEL_BYTES = 64
SPSS_STRING_BYTES = 32767
#: Bytes in a line of the SPSS file's document (its notes).
SPSS_NOTE_BYTES = 80
STATA_NAME_CHARS = 32
STATA_LABEL_CHARS = 80
STATA_STRING_BYTES = 2045
#: Words Stata refuses as variable names (besides str1 ... str2045).
STATA_RESERVED = frozenset(
    {"BYTE", "DOUBLE", "FLOAT", "IF", "IN", "INT", "LONG", "STRL", "USING", "WITH"}
)
#: Excel's limit on the characters in a cell.
EXCEL_CELL_CHARS = 32767
#: Keywords SPSS refuses as variable names.
SPSS_RESERVED = frozenset(
    {"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH"}
)
#: Columns of `codebook_csv` and of the Excel codebook sheet: one row per value label.
CODEBOOK_COLUMNS = ["name", "spss_name", "stata_name", "label", "kind", "measure",
                    "question_key", "value", "spss_value", "value_label", "missing", "note"]
#: The note the codebook gives a variable.
VARIABLE_NOTES = {"weight_exp": "note_exp", "weight_norm": "note_norm"}


@dataclass
class Codebook:
    """The variables of a microdata file, in column order."""

    variables: list[Variable]
    #: Language of the labels.
    language: str = ""
    #: Survey title, the SPSS file label.
    title: str = ""
    #: Columns of free-text questions left out; `write_microdata` never writes them.
    omitted: list[str] = field(default_factory=list)
    #: What the files say about the weights and missing values, by `NOTES` key.
    notes: dict[str, str] = field(default_factory=dict)

    def names(self) -> list[str]:
        """Column names in order."""
        return [v.name for v in self.variables]

    def __getitem__(self, name: str) -> Variable:
        for variable in self.variables:
            if variable.name == name:
                return variable
        raise KeyError(name)

    def spss_names(self) -> dict[str, str]:
        """Column name -> valid, unique SPSS variable name (unchanged names keep priority)."""
        return spss_names(self.names())

    def stata_names(self) -> dict[str, str]:
        """Column name -> valid, unique Stata variable name. The file's value-label sets are
        named by the variable's name and its number among them, which must fit 32
        characters too: names are kept short enough for the largest number."""
        return stata_names(self.names(), STATA_NAME_CHARS - len(str(len(self.variables))))

    def with_frame(self, frame: pd.DataFrame) -> Codebook:
        """This codebook plus a variable for each frame column it does not describe."""
        known = set(self.names()) | set(self.omitted)
        extra = [_inferred(str(c), frame[c]) for c in frame.columns if c not in known]
        return replace(self, variables=self.variables + extra)


# -- the codebook of a survey -----------------------------------------------------------------
def platform_labels(lang: str) -> dict[str, Any]:
    """The platform's answer labels (agreement scale, don't know, channels) in `lang`.

    Also the labels of the fixed and weighting columns and the notes (the keys of
    `DEFAULT_LABELS`). Imports Flask-Babel. Inside an application context the labels are
    translated to the interface locale of `lang`; outside one they are the English originals.
    """
    from flask_babel import force_locale

    from surveys.core.i18n import language
    from surveys.runs.messages import EXPORT_TEXTS
    from surveys.survey.questions import AGREEMENT_LABELS, DONT_KNOW_LABELS
    from surveys.survey.results import CHANNEL_LABELS

    with force_locale(language(lang).ui_locale):
        return {
            "agreement": {point: str(text) for point, text in AGREEMENT_LABELS.items()},
            "dont_know": {key: str(text) for key, text in DONT_KNOW_LABELS.items()},
            "channels": {key: str(text) for key, text in CHANNEL_LABELS.items()},
            **{key: str(text) for key, text in EXPORT_TEXTS.items()},
        }


def codebook_for(survey, lang: str, include_text: bool = False,
                 labels: Mapping | None = None, weighting: pd.DataFrame | None = None,
                 strata: list[str] | None = None) -> Codebook:
    """The codebook of a survey's microdata: fixed columns, each question's columns, then
    the weighting variables.

    Survey texts are taken in `lang`, else in the survey's default language.
    `labels` overrides any of the platform-supplied labels, already translated:
    "agreement" {1..5: text}, "dont_know" {"dont_know"|"prefer_not": text},
    "channels" {"web"|"paper"|"interview": text}, and the plain texts of
    `DEFAULT_LABELS` (column labels and notes). Without them the labels come from
    `platform_labels`. Free-text questions are left out (and listed in ``omitted``)
    unless `include_text`. `weighting`, the margins a run met (variable, category,
    population_count, as `WeightedDesign.weighting_margins` gives them), adds a
    categorical ``wvar_<variable>`` and a 0/1 ``wvar_<variable>_imputed`` per variable.
    `strata`, those of a drawn sample, adds ``stratum``, ``design_weight`` and
    ``nonresponse_weight`` (the weights after steps 1 and 2) before them.
    """
    from surveys.core.i18n import LANGUAGES, language
    from surveys.survey.questions import question_type

    given = dict(labels or {})
    missing_platform = {"agreement", "dont_know", "channels"} - set(given)
    names = DEFAULT_LABELS | (platform_labels(lang) if missing_platform else {}) | given
    fallback = survey.default_language

    def text(localized: Mapping | None) -> str:
        localized = localized or {}
        return localized.get(lang) or localized.get(fallback) or ""

    languages = list(survey.languages) + [c for c in LANGUAGES if c not in survey.languages]
    variables = [
        Variable("response_id", names["response_id"], "numeric", integer=True),
        categorical("language", names["language"],
                    {c: language(c).native_name for c in languages}),
        categorical("channel", names["channel"],
                    {c: names["channels"].get(c, c) for c in CHANNELS}),
        Variable("weight_exp", names["weight_exp"], "numeric", measure="scale"),
        Variable("weight_norm", names["weight_norm"], "numeric", measure="scale"),
    ]
    omitted = []
    for question in survey.questions():
        kind = question_type(question.type)
        if kind.free_text and not include_text:
            omitted += kind.columns(question)
            continue
        variables += kind.codebook_variables(Coding(question, text(question.text), text, names))
    if strata is not None:
        variables += [categorical("stratum", names["stratum"], {h: h for h in strata}),
                      Variable("design_weight", names["design_weight"], "numeric",
                               measure="scale"),
                      Variable("nonresponse_weight", names["nonresponse_weight"], "numeric",
                               measure="scale")]
    if weighting is not None:
        variables += weighting_variables(weighting, names)
    return Codebook(variables=variables, language=lang, title=text(survey.texts.get("title")),
                    omitted=omitted, notes={key: names[key] for key in NOTES})


def weighting_column(variable: str) -> str:
    """The column of a weighting variable as used, e.g. ``wvar_age``."""
    return f"{WEIGHTING_PREFIX}{variable}"


def imputed_column(variable: str) -> str:
    """Its imputation flag, e.g. ``wvar_age_imputed``."""
    return f"{WEIGHTING_PREFIX}{variable}{IMPUTED_SUFFIX}"


def weighting_variables(margins: pd.DataFrame, names: Mapping[str, Any]) -> list[Variable]:
    """A categorical variable (the margins' categories in order) and a 0/1 flag per
    weighting variable of `margins`."""
    variables = []
    for variable, rows in margins.groupby("variable", sort=False):
        categories = [str(c) for c in rows["category"]]
        variables.append(categorical(weighting_column(variable),
                                     names["weighting_variable"] % {"variable": variable},
                                     {c: c for c in categories}))
        variables.append(Variable(imputed_column(variable),
                                  names["imputed"] % {"variable": variable}, "multi",
                                  {0: names["imputed_no"], 1: names["imputed_yes"]}))
    return variables


def normalised(weights: pd.Series) -> pd.Series:
    """The weights scaled to sum to their number: the normalised weight ``weight_norm``."""
    return weights * (len(weights) / weights.sum()) if len(weights) else weights.copy()


def _inferred(name: str, column: pd.Series) -> Variable:
    """A variable for a frame column that no question explains."""
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return categorical(name, name, {c: str(c) for c in dtype.categories})
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_integer_dtype(dtype):
        return Variable(name, name, "numeric", measure="scale", integer=True)
    if pd.api.types.is_float_dtype(dtype):
        return Variable(name, name, "numeric", measure="scale")
    return Variable(name, name, "text")


# -- variable names ---------------------------------------------------------------------------
def spss_name(name: str, limit: int = SPSS_NAME_BYTES,
              reserved: frozenset[str] = SPSS_RESERVED) -> str:
    """A valid SPSS variable name for a column, e.g. ``grid__a`` -> ``grid_a``, ``2x`` -> ``v2x``.

    ASCII letters, digits and single underscores; starts with a letter; no trailing
    underscore or dot; at most `limit` bytes (64); never a reserved keyword. Not unique by
    itself. With Stata's limit and keywords it is a valid Stata name too.
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    cleaned = re.sub(r"_+", "_", re.sub(r"[^A-Za-z0-9_]", "_", ascii_name)).strip("_")
    if not cleaned or not cleaned[0].isalpha() or _reserved(cleaned, reserved):
        cleaned = f"v_{cleaned}" if cleaned and not cleaned[0].isdigit() else f"v{cleaned}"
    return cleaned[:limit].rstrip("_")


def _reserved(name: str, reserved: frozenset[str]) -> bool:
    upper = name.upper()
    return upper in reserved or (reserved is STATA_RESERVED
                                 and re.fullmatch(r"STR\d+", upper) is not None)


def spss_names(names: list[str], limit: int = SPSS_NAME_BYTES,
               reserved: frozenset[str] = SPSS_RESERVED) -> dict[str, str]:
    """Column name -> unique SPSS name; names already valid are kept, others get ``_2`` ...."""
    result: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:  # SPSS compares names without regard to case
        if spss_name(name, limit, reserved) == name and name.upper() not in taken:
            result[name] = name
            taken.add(name.upper())
    for name in names:
        if name in result:
            continue
        base = candidate = spss_name(name, limit, reserved)
        number = 1
        while candidate.upper() in taken:
            number += 1
            suffix = f"_{number}"
            candidate = base[:limit - len(suffix)].rstrip("_") + suffix
        result[name] = candidate
        taken.add(candidate.upper())
    return {name: result[name] for name in names}


def stata_names(names: list[str], limit: int = STATA_NAME_CHARS) -> dict[str, str]:
    """Column name -> unique Stata name: as `spss_names`, at most `limit` (32) characters and
    none of Stata's keywords; unique regardless of case, so the file also reads where case
    is lost."""
    return spss_names(names, limit, STATA_RESERVED)


# -- writing ----------------------------------------------------------------------------------
def write_microdata(frame: pd.DataFrame, codebook: Codebook, fmt: str,
                    dialect: str = "comma") -> bytes:
    """The frame as a file in `fmt` (one of `FORMATS`), columns as coded; CSV in `dialect`.

    Writes the codebook's variables in order, then the frame's other columns (see
    `Codebook.with_frame`), never the omitted ones. Raises ValueError for an unknown
    format or dialect, a codebook column the frame lacks, or a value the codebook does
    not allow.
    """
    writers = {"csv": lambda columns, book: _write_csv(columns, book, dialect),
               "xlsx": _write_xlsx, "sav": _write_sav, "dta": _write_dta,
               "parquet": _write_parquet}
    if fmt not in writers:
        raise ValueError(f"unknown microdata format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if dialect not in DIALECTS:
        raise ValueError(f"unknown CSV dialect {dialect!r}; choose one of {', '.join(DIALECTS)}")
    full = codebook.with_frame(frame)
    absent = [name for name in full.names() if name not in frame.columns]
    if absent:
        raise ValueError(f"the frame lacks codebook columns: {', '.join(absent)}")
    columns = {v.name: _cells(frame[v.name], v) for v in full.variables}
    return writers[fmt](columns, full)


def codebook_csv(codebook: Codebook) -> bytes:
    """The codebook as UTF-8 CSV with a byte-order mark: one row per variable and value."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CODEBOOK_COLUMNS)
    for row in _codebook_rows(codebook):
        writer.writerow([_csv_cell(cell) for cell in row])
    return buffer.getvalue().encode("utf-8")


def _codebook_rows(codebook: Codebook) -> list[list[Any]]:
    spss, stata = codebook.spss_names(), codebook.stata_names()
    rows = []
    for v in codebook.variables:
        head = [v.name, spss[v.name], stata[v.name], v.label, v.kind, v.measure, v.question_key]
        note = codebook.notes.get(VARIABLE_NOTES.get(v.name, ""))
        values = list(v.codes) + [value for value in v.value_labels if value not in v.codes]
        if not values:
            rows.append(head + [None, None, None, None, note])
        for value in values:
            rows.append(head + [value, v.spss_value(value), v.value_labels.get(value),
                                int(value in v.missing), note])
    return rows


def _is_missing(value: Any) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (
        isinstance(value, float) and math.isnan(value))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _cells(column: pd.Series, v: Variable) -> list[Any]:
    """The column's values checked against the variable, missing ones as None."""
    cells = []
    for value in column.tolist():
        if _is_missing(value):
            cells.append(None)
        elif v.kind == "categorical":
            if value not in v.codes:
                raise ValueError(f"column {v.name}: value {value!r} is not in the codebook")
            cells.append(value)
        elif v.kind == "multi":
            if value not in (0, 1):  # True and 1.0 pass, and become 1
                raise ValueError(f"column {v.name}: {value!r} is neither 0 nor 1")
            cells.append(int(value))
        elif v.kind == "numeric":
            if isinstance(value, bool):
                value = int(value)
            if value in v.missing:
                cells.append(value)
                continue
            if not _is_number(value) or (v.integer and not float(value).is_integer()):
                whole = "a whole number" if v.integer else "a number"
                raise ValueError(f"column {v.name}: {value!r} is not {whole}")
            cells.append(int(value) if v.integer else value)
        elif hasattr(value, "isoformat"):
            cells.append(value.isoformat())
        else:
            cells.append(str(value))
    return cells


def _plain(value: Any) -> Any:
    """A whole float as an int (1.0 -> 1), so codes never read as 1.0."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _csv_cell(value: Any, decimal: str = ".") -> Any:
    value = _plain(value)
    if isinstance(value, float) and decimal != ".":
        return repr(value).replace(".", decimal)
    return safe_cell(value)


def _numbers_only(columns: dict[str, list], codebook: Codebook) -> dict[str, list]:
    """The columns with "don't know" left out of numeric variables (an empty cell)."""
    return {v.name: [None if c in v.missing else c for c in columns[v.name]]
            if v.kind == "numeric" and v.missing else columns[v.name]
            for v in codebook.variables}


def _write_csv(columns: dict[str, list], codebook: Codebook, dialect: str) -> bytes:
    separator, decimal = DIALECTS[dialect]
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
    writer.writerow(list(columns))
    for row in zip(*_numbers_only(columns, codebook).values(), strict=True):
        writer.writerow(["" if cell is None else _csv_cell(cell, decimal) for cell in row])
    return buffer.getvalue().encode("utf-8")


def _write_xlsx(columns: dict[str, list], codebook: Codebook) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)

    def sheet(title: str, header: list[str], rows) -> None:
        ws = workbook.create_sheet(title)
        ws.freeze_panes = "A2"
        for row in [header, *rows]:
            cells = []
            for value in row:
                value = _plain(value)
                if isinstance(value, str):
                    # A text cell, so "=..." stays text; XML cannot carry control characters.
                    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)[:EXCEL_CELL_CHARS]
                    value = WriteOnlyCell(ws, value=text)
                    value.data_type = "s"
                cells.append(value)
            ws.append(cells)

    sheet("data", list(columns), zip(*_numbers_only(columns, codebook).values(), strict=True))
    sheet("codebook", CODEBOOK_COLUMNS, _codebook_rows(codebook))
    sheet("notes", ["note"], [[note] for note in codebook.notes.values()])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _truncate(text: str, limit: int) -> str:
    """At most `limit` UTF-8 bytes, cut between characters."""
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


def _write_sav(columns: dict[str, list], codebook: Codebook) -> bytes:
    import pyreadstat

    names = codebook.spss_names()
    data, labels, value_labels, missing, measures, formats = {}, {}, {}, {}, {}, {}
    for v in codebook.variables:
        name, cells = names[v.name], columns[v.name]
        suffix = f" [{v.name}]" if name != v.name else ""
        labels[name] = _truncate(v.label, SPSS_LABEL_BYTES - len(suffix.encode())) + suffix
        measures[name] = v.measure
        if v.kind == "text":
            data[name] = pd.Series(
                ["" if c is None else _truncate(c, SPSS_STRING_BYTES) for c in cells], dtype=object
            )
            continue
        numbers = [None if c is None else v.spss_value(c) for c in cells]
        data[name] = pd.Series(numbers, dtype="float64")
        value_labels[name] = {
            float(v.spss_value(value)): _truncate(text, SPSS_VALUE_LABEL_BYTES)
            for value, text in v.value_labels.items()
        }
        if v.missing:
            missing[name] = [float(v.codes[value]) for value in v.missing]
        if v.kind != "numeric" or v.integer:
            shown = [n for n in numbers if n is not None] + list(v.codes.values())
            formats[name] = f"F{max([len(str(int(n))) for n in shown] + [1])}.0"
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "microdata.sav")
        pyreadstat.write_sav(
            pd.DataFrame(data), path, file_label=_truncate(codebook.title, SPSS_FILE_LABEL_BYTES),
            column_labels=labels, note=_note_lines(codebook),
            variable_value_labels={k: v for k, v in value_labels.items() if v},
            missing_ranges=missing, variable_measure=measures, variable_format=formats,
        )
        with open(path, "rb") as handle:
            return handle.read()


def _note_lines(codebook: Codebook) -> list[str]:
    """The notes as SPSS document lines of at most 80 bytes, broken between words."""
    lines = []
    for key in SPSS_NOTES:
        line = ""
        for word in codebook.notes.get(key, "").split():
            joined = f"{line} {word}" if line else word
            if len(joined.encode()) <= SPSS_NOTE_BYTES:
                line = joined
                continue
            if line:
                lines.append(line)
            line = _truncate(word, SPSS_NOTE_BYTES)
        if line:
            lines.append(line)
    return lines


def _write_dta(columns: dict[str, list], codebook: Codebook) -> bytes:
    import pyreadstat

    names = codebook.stata_names()
    data, labels, value_labels, missing = {}, {}, {}, {}
    for v in codebook.variables:
        name, cells = names[v.name], columns[v.name]
        suffix = f" [{v.name}]" if name != v.name else ""
        labels[name] = v.label[:STATA_LABEL_CHARS - len(suffix)] + suffix
        if v.kind == "text":
            data[name] = pd.Series(
                ["" if c is None else _truncate(c, STATA_STRING_BYTES) for c in cells],
                dtype=object)
            continue
        # Stata's extended missing values .a, .b ... stand for "don't know" and its kin
        letters = {value: chr(ord("a") + i) for i, value in enumerate(v.missing)}
        numbers = [None if c is None else letters.get(c, v.spss_value(c)) for c in cells]
        data[name] = pd.Series(numbers, dtype=object if letters else "float64")
        value_labels[name] = {letters.get(value, v.spss_value(value)): text
                              for value, text in v.value_labels.items()}
        if letters:
            missing[name] = list(letters.values())
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "microdata.dta")
        pyreadstat.write_dta(
            pd.DataFrame(data), path, file_label=codebook.title[:STATA_LABEL_CHARS],
            column_labels=labels, variable_value_labels={k: v for k, v in value_labels.items()
                                                         if v},
            missing_user_values=missing)
        with open(path, "rb") as handle:
            return handle.read()


def _write_parquet(columns: dict[str, list], codebook: Codebook) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    data = {}
    for v in codebook.variables:
        cells = columns[v.name]
        if v.kind == "categorical":
            ordered = v.measure == "ordinal" and not v.missing
            data[v.name] = pd.Categorical(cells, categories=list(v.codes), ordered=ordered)
        elif v.kind == "text":
            data[v.name] = pd.array(cells, dtype="string")
        elif v.kind == "multi" or v.integer:
            data[v.name] = pd.array([None if c in v.missing else c for c in cells], dtype="Int64")
        else:
            numbers = [math.nan if c is None or c in v.missing else c for c in cells]
            data[v.name] = pd.Series(numbers, dtype="float64")
    table = pa.Table.from_pandas(pd.DataFrame(data), preserve_index=False)
    book = json.dumps(asdict(codebook), ensure_ascii=False, default=str)
    table = table.replace_schema_metadata(
        {**(table.schema.metadata or {}), b"delaktig.codebook": book.encode("utf-8")}
    )
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()
