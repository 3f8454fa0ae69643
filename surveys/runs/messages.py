"""Every problem and note of the weighting pages, in the analyst's language.

The engine, the JSON-stat reader and the services report (code, details); this module is
the one place that puts them into words, through Flask-Babel.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import format_decimal, format_number, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from surveys.survey.results import format_share

#: Form fields named in import problems.
FIELD_LABELS = {
    "sex_codes": _l("Codes for sex"),
    "born_codes": _l("Codes for country of birth"),
    "region_codes": _l("Codes for regions"),
}

METHOD_LABELS = {
    "rake": _l("Raking (iterative proportional fitting)"),
    "poststratify": _l("Post-stratification (one variable)"),
    "linear": _l("Linear calibration (GREG)"),
    "raking": _l("Calibration, raking distance"),
    "logit": _l("Calibration, logit distance (bounded)"),
}

#: The microdata files' own labels and notes, in the export's language (the English
#: originals are `surveys.runs.microdata.DEFAULT_LABELS`).
EXPORT_TEXTS = {
    "response_id": _l("Response number"),
    "language": _l("Language of the response"),
    "channel": _l("Channel"),
    "weight_exp": _l("Expansion weight: sums to the population (N)"),
    "weight_norm": _l("Normalised weight: sums to the respondents (n)"),
    "weighting_variable": _l("%(variable)s as weighted (after mapping, merging and imputation)"),
    "imputed": _l("%(variable)s imputed for the weighting"),
    "imputed_no": _l("Answered"),
    "imputed_yes": _l("Imputed"),
    "stratum": _l("Stratum of the drawn sample"),
    "design_weight": _l("Design weight N_h/n_h (step 1)"),
    "nonresponse_weight": _l("Weight after the non-response adjustment (step 2)"),
    "chosen": _l("Chosen"),
    "not_chosen": _l("Not chosen"),
    "note_norm": _l("Use weight_norm with WEIGHT BY and in ordinary procedures: counts and "
                    "tests then refer to the respondents."),
    "note_exp": _l("Use weight_exp for population totals, and with the complex-samples plan "
                   "for standard errors."),
    "note_missing": _l("Don't know and prefer not to say are missing values: 99 (999, 9999 "
                       "where 99 is a real answer) in SPSS, .a in Stata, NA in R, empty in "
                       "CSV."),
    "note_se": _l("SPSS Complex Samples leaves out the calibration to the population margins: "
                  "its standard errors are usually a little larger than the app's. The R "
                  "script reproduces the app's."),
    "note_r": _l("Reproduces the weights, estimates and standard errors of the weighting run "
                 "with the R package survey."),
}

POLICY_LABELS = {
    "error": _l("Stop and tell me how many"),
    "impute": _l("Impute from similar respondents"),
}


def number(value: Any) -> str:
    """A count or number in the page's locale: 25 000, 12,5, 1e-10."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()
                                  and abs(value) < 1e15):
        return format_number(int(value))
    if isinstance(value, float):
        if value != 0 and abs(value) < 1e-3:
            return f"{value:.3g}"
        return format_decimal(value, format="#,##0.####")
    return str(value)


def share(value: Any) -> str:
    """A share as a percentage with one decimal in the page's locale."""
    return format_share(value)


def listing(values: Any) -> str:
    """"a (3), b (2)" from a mapping value -> count, or "a, b" from a list."""
    if isinstance(values, Mapping):
        items = sorted(values.items(), key=lambda kv: -kv[1] if isinstance(kv[1], int | float)
                       else 0)
        return ", ".join(f"{k} ({number(v)})" for k, v in items)
    if isinstance(values, list | tuple):
        return ", ".join(str(v) for v in values)
    return str(values)


def _line_problem(d: Mapping) -> str:
    problem = str(d.get("problem") or "")
    texts = {
        "empty variable name": _("the variable name is empty"),
        "empty category": _("the category is empty"),
        "not a number": _("the population count is not a number"),
        "not a finite number": _("the population count is not a finite number"),
        "negative count": _("the population count is negative"),
        "missing column": _("the column is missing"),
    }
    if problem.startswith("duplicate of line"):
        text = _("the same variable and category as line %(other)s",
                 other=problem.rsplit(" ", 1)[-1])
    else:
        text = texts.get(problem, problem)
    value = d.get("value")
    if value not in (None, ""):
        return _("Line %(line)s, %(column)s “%(value)s”: %(problem)s.", line=d.get("line"),
                 column=d.get("column"), value=value, problem=text)
    return _("Line %(line)s, %(column)s: %(problem)s.", line=d.get("line"),
             column=d.get("column"), problem=text)


def _field(d: Mapping) -> str:
    return str(FIELD_LABELS.get(d.get("field"), d.get("field")))


def _cells(d: Mapping) -> str:
    more = d["count"] - len(d.get("cells", []))
    text = "; ".join(d.get("cells", []))
    return text + (" " + _("and %(num)s more", num=number(more)) if more > 0 else "")


def _codes(d: Mapping) -> str:
    more = d.get("count", len(d.get("codes", []))) - len(d.get("codes", []))
    text = ", ".join(d.get("codes", []))
    return text + (" " + _("and %(num)s more", num=number(more)) if more > 0 else "")


def _unknown_category(d: Mapping) -> str:
    by_variable = d.get("by_variable") or {d.get("variable"): d.get("values", {})}
    parts = []
    for variable, values in by_variable.items():
        total = sum(values.values()) if isinstance(values, Mapping) else 0
        parts.append(ngettext(
            "%(num)s respondent has a value of %(variable)s outside the margin's categories: "
            "%(values)s.",
            "%(num)s respondents have a value of %(variable)s outside the margin's categories: "
            "%(values)s.", total, variable=variable, values=listing(values)))
    return " ".join(parts) + " " + _(
        "Check the mapping, or choose to impute values outside the margins.")


def _missing(d: Mapping) -> str:
    return ngettext(
        "%(num)s respondent has no category for a weighting variable (no answer, “don't "
        "know” or an answer mapped to missing): %(listing)s.",
        "%(num)s respondents have no category for a weighting variable (no answer, “don't "
        "know” or an answer mapped to missing): %(listing)s.",
        int(d.get("n_respondents") or 0), listing=listing(d.get("by_variable", {}))) + " " + _(
        "Choose “Impute from similar respondents” for missing answers to weight them anyway.")


def _empty(d: Mapping) -> str:
    empty = d.get("empty") or [[d.get("variable"), d.get("category")]]
    first = _("No respondent is in the population category “%(category)s” of %(variable)s.",
              category=d.get("category"), variable=d.get("variable"))
    others = [f"{v}: {c}" for v, c in empty[1:]]
    more = (" " + _("Also without respondents: %(list)s.", list=", ".join(others))) if others else ""
    return first + more + " " + _(
        "Merge it into a neighbouring category and weight again, or import margins with "
        "broader categories.")


def _inconsistent(d: Mapping) -> str:
    totals = d.get("totals", {})
    return _("The margins do not describe the same population: the totals differ between "
             "variables (%(totals)s). Each variable's categories must add up to the same "
             "number of people.",
             totals="; ".join(f"{v}: {number(t)}" for v, t in totals.items()))


def _calibration(d: Mapping) -> str:
    if not d.get("iterations"):
        return _("Linear calibration has no solution for these margins.")
    return _("Calibration (%(method)s) did not converge in %(iterations)s steps: the largest "
             "relative misfit is %(misfit)s. The bounds may be too tight for these margins: "
             "widen them or use another method.", method=d.get("method"),
             iterations=number(d.get("iterations")), misfit=number(d.get("achieved")))


def _trim(d: Mapping) -> str:
    if "sum_weights" in d:
        return _("The weights cannot be trimmed to between %(lower)s and %(upper)s: they sum to "
                 "%(total)s, which needs an average weight inside the bounds.",
                 lower=number(d.get("lower")), upper=number(d.get("upper")),
                 total=number(d.get("sum_weights")))
    if d.get("lower") is not None and d.get("upper") is not None and d["lower"] > d["upper"]:
        return _("The lower trimming bound is above the upper one.")
    return _("Every weight is outside the trimming bounds; nothing can absorb the excess.")


def _design(d: Mapping, message: str) -> str:
    if d.get("reason") == "too_small":
        return ngettext("Weighting needs at least two completed responses; there is %(num)s.",
                        "Weighting needs at least two completed responses; there are %(num)s.",
                        int(d.get("n") or 0))
    if d.get("reason") == "missing_column":
        return _("The mapping does not produce the weighting variable %(variable)s.",
                 variable=", ".join(map(str, d.get("columns") or [d.get("column")])))
    if d.get("reason") == "missing_strata":
        return _("Completed responses that are not from the drawn sample (they have no "
                 "stratum): %(num)s.", num=number(d.get("n_respondents")))
    if d.get("reason") == "empty_rhg":
        return _("Nobody answered in %(groups)s: merge it with a similar group for the "
                 "non-response adjustment.",
                 groups=", ".join(map(str, d.get("groups") or d.get("strata") or [])))
    if d.get("reason") == "lonely_psu":
        return _("Strata with a single respondent give no standard error: %(strata)s. Merge "
                 "them with similar strata.", strata=", ".join(map(str, d.get("strata") or [])))
    return _("The survey data cannot be weighted: %(reason)s", reason=message)


#: code -> function(details) for problems of imports, mappings, settings and the engine.
PROBLEMS: dict[str, Callable[[Mapping], str]] = {
    # JSON-stat files
    "not_utf8": lambda d: _("The file is not UTF-8 text. Download it again as JSON-stat 2.0."),
    "not_json": lambda d: _("The file is not JSON (the error is at line %(line)s, column "
                            "%(column)s). Download the table from SCB as JSON-stat 2.0.",
                            line=d.get("line"), column=d.get("column")),
    "not_dataset": lambda d: _("The file is not a JSON-stat dataset (its class is "
                               "“%(found)s”). Download one table as JSON-stat 2.0.",
                               found=d.get("found")),
    "wrong_version": lambda d: _("The file is JSON-stat version “%(version)s”; only version "
                                 "2.0 can be read. In SCB's API choose the format "
                                 "json-stat2.", version=d.get("version")),
    "missing_field": lambda d: _("The file lacks the JSON-stat field “%(field)s”.",
                                 field=d.get("field")),
    "too_many_cells": lambda d: _("The table has more than %(limit)s cells. Choose fewer "
                                  "categories in SCB's table before downloading it.",
                                  limit=format_decimal(d.get("limit"))),
    "id_size_mismatch": lambda d: _("The file names %(ids)s dimensions in “id” but gives "
                                    "%(sizes)s sizes.", ids=d.get("ids"), sizes=d.get("sizes")),
    "missing_dimension": lambda d: _("The dimension %(dimension)s has no categories in the "
                                     "file.", dimension=d.get("dimension")),
    "bad_index": lambda d: _("The categories of the dimension %(dimension)s are not numbered "
                             "0, 1, 2 ... without gaps.", dimension=d.get("dimension")),
    "dimension_size": lambda d: _("The dimension %(dimension)s has size %(size)s but "
                                  "%(categories)s categories.", dimension=d.get("dimension"),
                                  size=d.get("size"), categories=d.get("categories")),
    "value_count": lambda d: _("The sizes of the dimensions give %(expected)s cells, but the "
                               "file has %(found)s values.", expected=number(d.get("expected")),
                               found=number(d.get("found"))),
    "not_a_number": lambda d: ngettext("%(num)s value is not a number.",
                                       "%(num)s values are not numbers.",
                                       int(d.get("count") or 0)),
    "missing_values": lambda d: ngettext(
        "%(num)s cell has no value: %(cells)s.", "%(num)s cells have no value: %(cells)s.",
        int(d.get("count") or 0), cells=_cells(d)),
    "infinite_values": lambda d: ngettext(
        "%(num)s cell is infinite: %(cells)s.", "%(num)s cells are infinite: %(cells)s.",
        int(d.get("count") or 0), cells=_cells(d)),
    "negative_counts": lambda d: ngettext(
        "%(num)s cell has a negative population count: %(cells)s.",
        "%(num)s cells have a negative population count: %(cells)s.",
        int(d.get("count") or 0), cells=_cells(d)),
    "several_contents": lambda d: _("The file holds several measures (%(codes)s); download the "
                                    "population count only.", codes=", ".join(d.get("codes", []))),
    "several_periods": lambda d: _("The file holds several years (%(codes)s); download one "
                                   "year only.", codes=", ".join(d.get("codes", []))),
    "unknown_dimension": lambda d: _("The dimension %(dimension)s (%(size)s categories) is not "
                                     "one of region, age, sex and country of birth; download "
                                     "the table without it or with one category.",
                                     dimension=d.get("dimension"), size=d.get("size")),
    "no_known_dimension": lambda d: _("None of the dimensions (%(dimensions)s) is age, sex or "
                                      "country of birth.",
                                      dimensions=", ".join(d.get("dimensions", []))),
    "no_age_groups": lambda d: _("Give at least one age group, e.g. 16-29."),
    "unknown_codes": lambda d: _("The dimension %(dimension)s has codes without a category: "
                                 "%(codes)s. Add them to the codes below.",
                                 dimension=d.get("dimension"), codes=_codes(d)),
    "region_mapping_needed": lambda d: _("The file covers %(count)s regions (%(codes)s). Say "
                                         "which district each region code belongs to.",
                                         count=d.get("count"), codes=_codes(d)),
    # CSV files
    "csv_empty": lambda d: _("The file has no margins: it needs a header line "
                             "variable,category,population_count and one line per category."),
    "csv_unreadable": lambda d: _("The file could not be read as CSV. Save it as CSV (comma or "
                                  "semicolon separated) and try again."),
    "csv_columns": lambda d: _("The file lacks the column(s) %(columns)s; the header must be "
                               "variable,category,population_count.",
                               columns=", ".join(d.get("missing", []))),
    "csv_line": _line_problem,
    "too_long": lambda d: _("The %(what)s “%(value)s” is longer than %(max)s characters.",
                            what=d.get("what"), value=d.get("value"), max=d.get("max")),
    # code lines of the JSON-stat form
    "bad_code_line": lambda d: _("%(field)s, line %(line)s: “%(text)s” is not of the form "
                                 "code = category.", field=_field(d), line=d.get("line"),
                                 text=d.get("text")),
    "duplicate_code": lambda d: _("%(field)s, line %(line)s: the code %(code)s is already "
                                  "given.", field=_field(d), line=d.get("line"),
                                  code=d.get("code")),
    "category_too_long": lambda d: _("A category may have at most %(max)s characters.",
                                     max=d.get("max")),
    # mappings
    "bad_age_group": lambda d: _("“%(group)s” is not an age group such as 16-29 or 65+.",
                                 group=d.get("group")),
    "age_groups_overlap": lambda d: _("The age groups %(first)s and %(second)s overlap or are "
                                      "out of order.", first=d.get("first"),
                                      second=d.get("second")),
    "bad_variable_name": lambda d: _("A variable name uses lower-case letters a-z, digits and "
                                     "underscores (at most 40)."),
    "duplicate_variable": lambda d: _("The variable name %(name)s is used twice.",
                                      name=d.get("name")),
    "bad_question": lambda d: _("Choose a question of the right type."),
    "bad_year": lambda d: _("Write a year such as 2026."),
    "question_gone": lambda d: _("The variable %(variable)s comes from the question "
                                 "%(question)s, which the survey no longer has (or of another "
                                 "type). Edit the mapping.", variable=d.get("variable"),
                                 question=d.get("question")),
    # run settings
    "no_variables": lambda d: _("Choose at least one weighting variable."),
    "not_in_margins": lambda d: _("The margin set “%(margins)s” has no margin for "
                                  "%(variable)s.", margins=d.get("margins"),
                                  variable=d.get("variable")),
    "not_mapped": lambda d: _("The survey's mapping has no variable %(variable)s. Add it to the "
                              "mapping first.", variable=d.get("variable")),
    "poststratify_one_variable": lambda d: _("Post-stratification uses one variable's "
                                             "categories as its cells: choose one variable, or "
                                             "rake or calibrate on several."),
    "logit_needs_bounds": lambda d: _("Logit calibration needs bounds, e.g. 0.3 and 3."),
    "bad_bounds": lambda d: _("The bounds must have the lower below 1 and the upper above 1."),
    "not_approvable": lambda d: _("Only a run whose weights converged and meet the margins can "
                                  "be approved."),
    "run_outdated": lambda d: _("The answers have changed since this run was made: weight the "
                                "survey again to export its microdata."),
    # the engine
    "empty_category": _empty,
    "unknown_category": _unknown_category,
    "missing_weighting_value": _missing,
    "inconsistent_totals": _inconsistent,
    "population_zero": lambda d: ngettext(
        "%(num)s respondent is in a category of %(variable)s whose population count is zero: "
        "%(values)s.",
        "%(num)s respondents are in categories of %(variable)s whose population count is "
        "zero: %(values)s.", int(d.get("n_respondents") or 0), variable=d.get("variable"),
        values=listing(d.get("values", {}))),
    "invalid_collapse": lambda d: _("Categories of %(variable)s cannot be merged: “%(category)s” "
                                    "is not among its categories.", variable=d.get("variable"),
                                    category=d.get("category")),
    "calibration_failed": _calibration,
    "invalid_trim": _trim,
    "margins_format": lambda d: _("The margin set cannot be used as it is; import it again."),
    "invalid_outcome": lambda d: _("The item %(variable)s cannot be estimated: it is not "
                                   "numeric.", variable=d.get("variable")),
    "weighting_error": lambda d: _("The setting %(parameter)s is not valid.",
                                   parameter=d.get("parameter")),
}

#: code -> function(details) for the notes and warnings in a run's diagnostics and imports.
NOTES: dict[str, Callable[[Mapping], str]] = {
    "imputed": lambda d: _(
        "Missing categories were imputed by random hot-deck: each from a respondent drawn "
        "among those with the same other weighting categories (seed %(seed)s): %(listing)s. "
        "The standard errors do not include the uncertainty this adds.",
        seed=d.get("seed"), listing=listing(d.get("by_variable", {})))
    if d.get("method") == "hot_deck" else _(
        "The most likely category was imputed for respondents without one: %(listing)s.",
        listing=listing(d.get("by_variable", {}))),
    "sample_share": lambda d: _(
        "%(variable)s “%(category)s” has no population figure in the margins: it is held at "
        "its share among the respondents, %(share)s, and the other categories of %(variable)s "
        "are scaled down in proportion. The uncertainty of that share is not in the standard "
        "errors.", variable=d.get("variable"), category=d.get("category"),
        share=share(d.get("share"))),
    "collapsed": lambda d: _("Merged categories of %(variable)s: %(pairs)s.",
                             variable=d.get("variable"), pairs=", ".join(
                                 f"{a} → {b}" for a, b in d.get("mapping", {}).items())),
    "trimmed": lambda d: _("Weights were trimmed to between %(lower)s and %(upper)s: "
                           "%(below)s were below and %(above)s above the bounds; %(after)s are "
                           "outside after %(rounds)s round(s).", lower=number(d.get("lower")),
                           upper=number(d.get("upper")), below=number(d.get("n_below_before")),
                           above=number(d.get("n_above_before")),
                           after=number(d.get("n_outside_after")), rounds=d.get("rounds")),
    "margins_not_matched": lambda d: _("After trimming, the weighted counts differ from the "
                                       "population margins by up to %(deviation)s.",
                                       deviation=share(d.get("max_relative_deviation"))),
    "g_range": lambda d: _("The calibration factors g = w/d range from %(low)s to %(high)s.",
                           low=number(d.get("g_min")), high=number(d.get("g_max"))),
    "base_weights_scale": lambda d: _("The base weights sum to %(base)s but the population is "
                                      "%(population)s; the bounds apply to g = w/d.",
                                      base=number(d.get("sum_base_weights")),
                                      population=number(d.get("population"))),
    "partial": lambda d: _("%(cells)s populated cells have no respondents and were left out "
                           "(%(persons)s persons).", cells=number(d.get("n_cells")),
                           persons=number(d.get("population_left_out"))),
    "not_converged": lambda d: _("Raking did not converge in %(iterations)s iterations: the "
                                 "weighted table still changed by %(change)s (required: below "
                                 "%(epsilon)s). Allow more iterations, or merge sparse "
                                 "categories.", iterations=number(d.get("iterations")),
                                 change=number(d.get("max_change")),
                                 epsilon=number(d.get("epsilon"))),
    "margins_not_met": lambda d: _("The weights do not meet every margin, although the "
                                   "weighting stopped: %(rows)s. The respondents cannot match "
                                   "these margins together (e.g. two variables they confound "
                                   "completely): merge categories or weight on fewer variables.",
                                   rows="; ".join(
                                       _("%(variable)s %(category)s %(weighted)s against "
                                         "%(population)s", variable=r.get("variable"),
                                         category=r.get("category"),
                                         weighted=share(r.get("weighted_share")),
                                         population=share(r.get("population_share")))
                                       for r in d.get("rows", []))),
    "trim_not_converged": lambda d: _("%(num)s weights are still outside the trimming bounds.",
                                      num=number(d.get("n_outside_after"))),
    "nonpositive_weights": lambda d: _("%(num)s respondents have a zero or negative weight; "
                                       "use bounds.", num=number(d.get("n_respondents"))),
    "ages_left_out": lambda d: _("Ages %(codes)s (%(persons)s persons) are in no age group and "
                                 "were left out.", codes=d.get("codes"),
                                 persons=number(d.get("persons"))),
    "one_region": lambda d: _("The file covers one region (%(code)s): no district margin was "
                              "made.", code=d.get("code")),
}


def problem(code: str, details: Mapping | None = None, fallback: str | None = None) -> str:
    """One problem in words; an unknown code shows the fallback (the engine's English text)."""
    details = details or {}
    if code == "invalid_design":
        return _design(details, fallback or code)
    if code in PROBLEMS:
        return PROBLEMS[code](details)
    return fallback or code


def problems(pairs) -> list[str]:
    """A list of (code, details) in words."""
    return [problem(code, details) for code, details in pairs]


def error(data: Mapping) -> str:
    """A stored WeightingError ({"code", "message", "details"}) in words."""
    return problem(data.get("code", ""), data.get("details", {}), data.get("message"))


def note(data: Mapping) -> str:
    """A diagnostics message or import note ({"code", "details"[, "text"]}) in words."""
    code = data.get("code", "")
    if code in NOTES:
        return NOTES[code](data.get("details", {}))
    return data.get("text") or code
