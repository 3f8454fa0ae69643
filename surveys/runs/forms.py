"""Forms of the weighting pages. Labels are lazy, so they follow the analyst's language."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from surveys.core.forms import MultiCheckboxField, NumberField, choices, strip
from surveys.core.jsonstat import Dataset
from surveys.runs import jsonstat, mapping, messages, scb
from surveys.runs.mapping import DEFAULT_AGE_GROUPS, format_age_groups
from surveys.runs.margin_files import (
    CATEGORY_MAX,
    ImportProblems,
    format_code_lines,
    parse_code_lines,
)
from surveys.runs.messages import METHOD_LABELS, POLICY_LABELS
from surveys.runs.models import METHODS, MarginSet
from surveys.runs.weighing import RunSettings
from surveys.survey.questions import CODE_RE


class IsoDateField(StringField):
    """A date written 2025-12-31 (a text box: large, and the same in every browser)."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "numeric", "autocomplete": "off",
                                        "placeholder": "2025-12-31"})
        super().__init__(label, validators, **kwargs)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return self.data.isoformat() if isinstance(self.data, date) else ""

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0].strip():
            try:
                self.data = date.fromisoformat(valuelist[0].strip())
            except ValueError:
                raise ValueError(_l("Write the date as year-month-day, e.g. 2025-12-31.")) \
                    from None


class _MarginsFields(FlaskForm):
    """What every imported margin set needs: a name, its source and its reference date."""

    name = StringField(_l("Name"), filters=[strip], validators=[DataRequired(), Length(max=200)],
                       description=_l("E.g. Population 31 December 2025."))
    source = StringField(_l("Source"), filters=[strip],
                         validators=[DataRequired(), Length(max=500)],
                         description=_l("Where the numbers come from, e.g. the SCB table."))
    reference_date = IsoDateField(
        _l("Reference date"), validators=[InputRequired(message=_l("Give the reference date."))],
        description=_l("The day the population was counted, e.g. 2025-12-31."))


class CsvMarginsForm(_MarginsFields):
    """A long-format CSV: variable,category,population_count."""

    file = FileField(_l("CSV file"), validators=[FileRequired(message=_l("Choose a file."))],
                     description=_l("One line per category, with the header "
                                    "variable,category,population_count. Comma or semicolon "
                                    "separated; spaces in numbers are fine."))


class JsonStatMarginsForm(_MarginsFields):
    """A JSON-stat 2.0 file from SCB's statistical database and how its codes map."""

    file = FileField(_l("JSON-stat file"), validators=[FileRequired(message=_l("Choose a file."))],
                     description=_l("From SCB's statistical database: choose the table of "
                                    "population by region, age, sex and country of birth, one "
                                    "year, and save it as JSON-stat 2.0."))
    age_groups = StringField(
        _l("Age groups"), filters=[strip], default=format_age_groups(DEFAULT_AGE_GROUPS),
        validators=[DataRequired()],
        description=_l("Single-year ages are added up into these groups, e.g. 16-29, 30-44, "
                       "45-64, 65+. Ages in no group are left out of the population."))
    sex_codes = TextAreaField(
        _l("Codes for sex"), default=format_code_lines(jsonstat.DEFAULT_SEX_CODES),
        description=_l("One line per SCB code: code = category."))
    born_codes = TextAreaField(
        _l("Codes for country of birth"), default=format_code_lines(jsonstat.DEFAULT_BORN_CODES),
        description=_l("Födelseregion codes: 010 Sweden, 020 Nordic countries, 030 EU, 040 rest "
                       "of Europe, 050-090 other continents. For four groups write e.g. "
                       "020 = norden."))
    region_codes = TextAreaField(
        _l("Codes for regions"),
        description=_l("Which district each region code belongs to, e.g. 1480R001 = centrum. "
                       "Leave empty when the file covers one area."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.born_codes.data:
            self.born_codes.data = format_code_lines(jsonstat.DEFAULT_BORN_CODES)

    def code_mapping(self) -> tuple[jsonstat.CodeMapping | None, list[tuple[str, dict]]]:
        """How the file's codes become categories, as the analyst wrote it; None and the
        problems with the code lines when it is not right (age groups: on their field)."""
        found: list[tuple[str, dict]] = []
        try:
            groups = mapping.parse_age_groups(self.age_groups.data)
        except mapping.MappingError as error:
            self.age_groups.errors = list(self.age_groups.errors) + messages.problems(
                error.problems)
            groups = []
        codes = {}
        for name in ("sex_codes", "born_codes", "region_codes"):
            try:
                codes[name] = parse_code_lines(self[name].data, name)
            except ImportProblems as error:
                found += error.problems
        if self.age_groups.errors or found:
            return None, found
        return jsonstat.CodeMapping(age_groups=groups, sex=codes["sex_codes"],
                                    born=codes["born_codes"], region=codes["region_codes"]), []


class TableFileForm(FlaskForm):
    """A population table as a file, in any of the formats SCB's APIs give."""

    file = FileField(_l("Table file"), validators=[FileRequired(message=_l("Choose a file."))],
                     description=_l("JSON-stat 1.x or 2.0, or PxWeb's JSON, as SCB's statistical "
                                    "database saves it."))


class ScbTableForm(FlaskForm):
    """A table in SCB's statistical database by its id, and which codes to ask for."""

    table_id = StringField(_l("Table id"), filters=[strip],
                           validators=[DataRequired(), Length(max=40)],
                           description=_l("As SCB's statistical database shows it, e.g. TAB638."))
    query = TextAreaField(
        _l("Codes to fetch"),
        description=_l("One dimension a line: dimension = codes, separated by commas, e.g. "
                       "Region = 1480. * takes every code, top(1) the latest period."))

    def selection(self) -> tuple[dict[str, list[str]] | None, list[tuple[str, dict]]]:
        """The query as {dimension: codes}, or None and the problems of its lines."""
        try:
            return scb.parse_query(self.query.data), []
        except scb.ScbError as error:
            return None, [(p.code, p.details) for p in error.problems]


class TableMappingForm(_MarginsFields):
    """The margin set's name, source and date; each code's category is read by `plans`."""

    def plans(self, dataset: Dataset, formdata) -> tuple[list[jsonstat.DimensionPlan],
                                                        dict[str, list[str]]]:
        """What the analyst wrote per dimension (`d{i}-variable`) and code (`d{i}-c{j}`),
        and the errors by field name. A dimension without a variable gets a plan with the
        variable "" (the caller leaves it out, and the margins add it up)."""
        plans, errors = [], {}
        seen: set[str] = set()
        for i, dim in enumerate(dataset.ids):
            if dataset.sizes[i] == 1:
                continue
            variable = (formdata.get(table_field(i), "") or "").strip()
            if variable and not CODE_RE.match(variable):
                errors[table_field(i)] = [messages.problem("bad_variable_name")]
            elif variable and variable in seen:
                errors[table_field(i)] = [messages.problem("duplicate_variable",
                                                           {"name": variable})]
            seen.add(variable)
            categories: dict[str, str | None] = {}
            for j, code in enumerate(dataset.codes[dim]):
                category = (formdata.get(table_field(i, j), "") or "").strip()
                if len(category) > CATEGORY_MAX:
                    errors[table_field(i, j)] = [messages.problem(
                        "category_too_long", {"max": CATEGORY_MAX})]
                categories[code] = category or None
            plans.append(jsonstat.DimensionPlan(dim, variable, categories))
        return plans, errors


def table_field(dimension: int, code: int | None = None) -> str:
    """Name of a field of the table mapping form: "d0-variable", "d0-c12"."""
    return f"d{dimension}-variable" if code is None else f"d{dimension}-c{code}"


class RunForm(FlaskForm):
    """How to weight: margins, variables, method, bounds, trimming, missing answers."""

    margin_set = SelectField(_l("Margin set"), coerce=int)
    variables = MultiCheckboxField(_l("Weighting variables"))
    method = RadioField(_l("Method"), default="rake",
                        choices=choices((m, METHOD_LABELS[m]) for m in METHODS))
    bounds_lower = NumberField(_l("Lower bound on g = w/d"),
                               description=_l("Calibration only, e.g. 0.3. Empty: no bounds."))
    bounds_upper = NumberField(_l("Upper bound on g = w/d"),
                               description=_l("Calibration only, e.g. 3."))
    epsilon = NumberField(_l("Convergence tolerance"), default=1e-10,
                          validators=[InputRequired(), NumberRange(min=1e-15, max=1)],
                          description=_l("Raking stops when no cell of the weighted table "
                                         "changes by this share of the total or more."))
    max_iter = NumberField(_l("Maximum number of iterations"), default=100,
                           validators=[InputRequired(), NumberRange(min=1, max=10000)])
    trim_lower = NumberField(_l("Trim weights below"),
                             description=_l("Optional. Weights are persons per respondent; the "
                                            "average weight is the population divided by the "
                                            "number of respondents."))
    trim_upper = NumberField(_l("Trim weights above"), description=_l("Optional."))
    trim_strict = BooleanField(_l("Repeat trimming until no weight is outside the bounds"))
    missing = RadioField(_l("Respondents without a category (no answer, “don't know”)"),
                         default="error", choices=choices(POLICY_LABELS.items()))
    unknown = RadioField(_l("Respondents whose answer is outside the margins' categories"),
                         default="error", choices=choices(POLICY_LABELS.items()))
    collapse = TextAreaField(
        _l("Merge categories"), validators=[Length(max=2000)],
        description=_l("Optional, one per line: variable: category -> category it merges into, "
                       "e.g. age: 16-29 -> 30-44."))
    drawn = BooleanField(_l("Weight as the drawn sample"), default=True,
                         description=_l("Design weights from the strata (N_h / n_h), then the "
                                        "non-response adjustment per stratum, then "
                                        "calibration to the margins."))

    @classmethod
    def for_survey(cls, scheme: dict, margin_sets: list[MarginSet], formdata=None) -> RunForm:
        """The form with the organisation's margin sets and the mapping's variables; unsent,
        it ticks the variables the newest margin set has."""
        form = cls(formdata=formdata) if formdata is not None else cls()
        form.margin_set.choices = choices(
            (m.id, f"{m.name} ({m.reference_date.isoformat()})") for m in margin_sets)
        names = [v["name"] for v in scheme.get("variables", [])]
        form.variables.choices = choices((n, n) for n in names)
        if not form.is_submitted():
            newest = margin_sets[0] if margin_sets else None
            in_margins = newest.variables() if newest else names
            form.variables.data = [n for n in names if n in in_margins]
        return form

    def validate_max_iter(self, field):
        if field.data is not None and not float(field.data).is_integer():
            raise ValidationError(_l("Write a whole number."))

    def validate(self, extra_validators=None) -> bool:
        """The fields, then the merge lines and the bounds (both or neither)."""
        if not super().validate(extra_validators):
            return False
        _collapse, bad_lines = parse_collapse(self.collapse.data)
        if bad_lines:
            self.collapse.errors = [_("Line %(line)s is not of the form variable: category -> "
                                      "category.", line=n) for n in bad_lines]
        if (self.bounds_lower.data is None) != (self.bounds_upper.data is None):
            self.bounds_upper.errors = [_("Give both bounds, or neither.")]
        return not self.errors

    def settings(self) -> RunSettings:
        """What a validated form asks the engine for."""
        collapse, _bad_lines = parse_collapse(self.collapse.data)
        lower, upper = self.bounds_lower.data, self.bounds_upper.data
        return RunSettings(
            method=self.method.data, variables=list(self.variables.data),
            bounds=[lower, upper] if lower is not None else None,
            epsilon=float(self.epsilon.data), max_iter=int(self.max_iter.data),
            trim_lower=self.trim_lower.data, trim_upper=self.trim_upper.data,
            trim_strict=bool(self.trim_strict.data), missing=self.missing.data,
            unknown=self.unknown.data, collapse=collapse)


COLLAPSE_RE = re.compile(r"^\s*([^:]+?)\s*:\s*(.+?)\s*(?:->|→)\s*(.+?)\s*$")


def parse_collapse(text: str) -> tuple[dict[str, dict[str, str]], list[int]]:
    """"age: 16-29 -> 30-44" lines -> {"age": {"16-29": "30-44"}}; and the bad line numbers."""
    merged: dict[str, dict[str, str]] = {}
    bad = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        match = COLLAPSE_RE.match(line)
        if not match:
            bad.append(number)
            continue
        merged.setdefault(match.group(1), {})[match.group(2)] = match.group(3)
    return merged, bad


def format_collapse(collapse: dict[str, dict[str, str]]) -> str:
    """The inverse of parse_collapse."""
    return "\n".join(f"{v}: {a} -> {b}" for v, pairs in collapse.items() for a, b in pairs.items())


class CollapseForm(FlaskForm):
    """Weight again, merging one empty category into a neighbour."""

    variable = StringField(validators=[DataRequired(), Length(max=80)])
    category = StringField(validators=[DataRequired(), Length(max=200)])
    into = StringField(validators=[DataRequired(), Length(max=200)])


class AddVariableForm(FlaskForm):
    """Another weighting variable from a question that can be one (year of birth, single
    choice); its name must be new and fit the margins' names."""

    question = SelectField(_l("Question"))
    name = StringField(_l("Variable name"), filters=[strip],
                       validators=[DataRequired(), Length(max=40)],
                       description=_l("As in the margins, e.g. education."))

    def __init__(self, *args, questions: list, taken: set[str] = frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.question.choices = choices((q.key, q.key) for q in questions)
        self.taken = taken

    def validate(self, extra_validators=None) -> bool:
        """The fields, then the name: a code, and not a variable's already."""
        if not super().validate(extra_validators):
            return False
        if not mapping.CODE_RE.match(self.name.data):
            self.name.errors = [messages.problem("bad_variable_name")]
        elif self.name.data in self.taken:
            self.name.errors = [messages.problem("duplicate_variable", {"name": self.name.data})]
        return not self.errors


EXPORT_FORMATS = {
    "csv": _l("CSV (UTF-8)"),
    "xlsx": _l("Excel (.xlsx)"),
    "sav": _l("SPSS (.sav) with variable and value labels"),
    "dta": _l("Stata (.dta) with variable and value labels"),
    "parquet": _l("Parquet (for R, Python and DuckDB)"),
}

CSV_DIALECTS = {
    "comma": _l("Comma-separated, decimal point"),
    "semicolon": _l("Semicolon-separated, decimal comma (Swedish Excel)"),
}


def default_dialect(locale: str) -> str:
    """The CSV dialect a spreadsheet in the analyst's language expects."""
    return "semicolon" if locale == "sv" else "comma"


class ExportForm(FlaskForm):
    """The weighted microdata file: a download, so a GET form without a token."""

    class Meta:
        csrf = False

    format = RadioField(_l("File format"), default="sav",
                        choices=choices(EXPORT_FORMATS.items()))
    dialect = RadioField(_l("CSV dialect"), default="comma",
                         choices=choices(CSV_DIALECTS.items()))
    text = BooleanField(_l("Include free-text answers"),
                        description=_l("Free text may contain names and other personal data: "
                                       "include it only when the analysis needs it."))
