"""Codes from the framework services and the indicator core, put into words."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _

from surveys.runs import messages as runs_messages


def _codes(values: Any) -> str:
    return ", ".join(str(v) for v in values or [])


def framework_error(code: str, details: Mapping[str, Any]) -> str:
    """A `FrameworkError` or a problem from `services.refresh`."""
    messages = {
        "unknown_goal": lambda: _("Choose one of the framework's goals."),
        "goal_in_use": lambda: _(
            "Only a goal without indicators, sub-goals or actions can be deleted. Archive it "
            "instead: nothing hanging on it is lost."),
        "goal_cycle": lambda: _(
            "A goal cannot be put under itself or under one of its own sub-goals."),
        "framework_in_use": lambda: _(
            "Only a framework without indicators of its own, waves or goals with actions can "
            "be deleted. It stays archived: nothing in it is lost."),
        "default_framework": lambda: _(
            "The default framework carries the survey waves, the dashboards and the yearly "
            "report, so it cannot be archived or deleted."),
        "area_in_use": lambda: _(
            "Only a focus area without goals can be deleted. Move or archive its goals "
            "first."),
        "area_has_summaries": lambda: _(
            "This focus area has written report summaries, so it is kept. Rename it instead."),
        "unknown_indicator": lambda: _("Choose one of the organisation's indicators."),
        "title_required": lambda: _("Write the title in Swedish."),
        "public_needs_translations": lambda: _(
            "A public indicator needs its title in every language. Missing: %(languages)s.",
            languages=_codes(details.get("languages"))),
        "invalid_key": lambda: _(
            "Lower-case letters, digits and _ only, starting with a letter."),
        "key_taken": lambda: _("Another indicator already has the key %(key)s.",
                               key=details.get("key")),
        "unknown_survey": lambda: _("Choose one of the organisation's surveys."),
        "invalid_year": lambda: _("Write a year between 1990 and 2100."),
        "year_taken": lambda: _("Another survey already is the wave of %(year)s.",
                                year=details.get("year")),
        "slug_taken": lambda: _("Another organisation already uses that address."),
        "gap_same_group": lambda: _(
            "Line %(line)s of the gaps compares a group with itself.", line=details.get("line")),
        "gap_not_grouped": lambda: _(
            "Line %(line)s of the gaps uses %(variable)s, which is not among the groupings.",
            line=details.get("line"), variable=details.get("variable")),
        "bad_gap_line": lambda: _(
            "Line %(line)s of the gaps must be: variable, group, minus group.",
            line=details.get("line")),
        "no_approved_run": lambda: _(
            "The wave of %(year)s has no approved weighting run, so it has no figures yet.",
            year=details.get("wave")),
        "run_outdated": lambda: _(
            "The answers of the wave of %(year)s have changed since its weighting run was "
            "approved. Run the weighting again and approve the new run.",
            year=details.get("wave")),
        "missing_question": lambda: _(
            "The wave of %(year)s has no question %(questions)s for the indicator "
            "%(indicator)s.", year=details.get("wave"),
            questions=_codes(details.get("questions")), indicator=details.get("indicator")),
    }
    if code in messages:
        return messages[code]()
    if code == "invalid_definition":
        return _("The indicator's computation is not valid (%(reason)s).",
                 reason=details.get("reason") or code)
    return _("The figures could not be computed (%(reason)s).", reason=code)


def problem_text(problem) -> str:
    """A `values.FigureProblem` in words."""
    return framework_error(problem.code, {**problem.details, "wave": problem.wave,
                                          "indicator": problem.indicator})


def register_problem(code: str, details: Mapping[str, Any]) -> str:
    """A problem with a register file (`surveys.core.problems.Problem`)."""
    messages = {
        "empty_file": lambda: _("The file is empty."),
        "not_json": lambda: _("The file is not JSON (line %(line)s).", line=details.get("line")),
        "not_dataset": lambda: _("The file is not a JSON-stat dataset."),
        "too_many_cells": lambda: _("The table has more than %(limit)s cells. Choose fewer "
                                    "categories in SCB's table before downloading it.",
                                    limit=format_decimal(details.get("limit"))),
        "not_csv": lambda: _("The file could not be read as CSV: a field is far too long or "
                             "a quotation mark is not closed."),
        "no_time_dimension": lambda: _("The file has no year dimension (it has "
                                       "%(dimensions)s).",
                                       dimensions=_codes(details.get("dimensions"))),
        "several_categories": lambda: _(
            "The dimension %(dimension)s has several categories (%(codes)s): choose one, "
            "e.g. %(dimension)s = %(first)s.", dimension=details.get("dimension"),
            codes=_codes(details.get("codes")), first=(details.get("codes") or ["?"])[0]),
        "unknown_code": lambda: _("The dimension %(dimension)s has no code %(code)s "
                                  "(it has %(codes)s).", dimension=details.get("dimension"),
                                  code=details.get("code"),
                                  codes=_codes(details.get("codes"))),
        "unknown_dimension": lambda: _("The file has no dimension %(dimension)s.",
                                       dimension=details.get("dimension")),
        "bad_year": lambda: _("These are not years: %(codes)s.",
                              codes=_codes(details.get("codes") or [details.get("value")])),
        "bad_value": lambda: _("This value is not a number: %(value)s.",
                               value=details.get("value")),
        "duplicate_year": lambda: _("The year %(year)s comes twice.", year=details.get("year")),
        "missing_column": lambda: _("The file has no %(column)s column (it has %(found)s).",
                                    column=details.get("column"),
                                    found=_codes(details.get("found"))),
        "missing_field": lambda: _("The file lacks %(field)s.", field=details.get("field")),
        "missing_dimension": lambda: _("The dimension %(dimension)s is not described.",
                                       dimension=details.get("dimension")),
        "value_count": lambda: _("The file should have %(expected)s values but has "
                                 "%(found)s.", expected=details.get("expected"),
                                 found=details.get("found")),
        "no_values": lambda: _("The file has no values."),
        "bad_select_line": lambda: _("Line %(line)s must be: dimension = code.",
                                     line=details.get("line")),
    }
    if code in messages:
        return messages[code]()
    return runs_messages.problem(code, details, _("The file could not be read (%(reason)s).",
                                                  reason=code))


def comparison_problem(code: str, details: Mapping[str, Any]) -> str:
    """A problem of fetching from Kolada or of the comparison settings, in words."""
    messages = {
        "kolada_unreachable": lambda: _(
            "Kolada (%(host)s) could not be reached. Nothing was changed; try again later.",
            host=details.get("host")),
        "kolada_timeout": lambda: _(
            "Kolada (%(host)s) did not answer within %(seconds)s seconds. Nothing was "
            "changed; try again later.", host=details.get("host"),
            seconds=format_decimal(details.get("seconds") or 0)),
        "kolada_refused": lambda: _(
            "Kolada refused the request (HTTP %(status)s). Nothing was changed.",
            status=details.get("status")),
        "kolada_garbage": lambda: _(
            "Kolada's answer was not in the format its API documents. Nothing was changed."),
        "kolada_unknown_kpi": lambda: _(
            "Kolada has no key figure %(kpi)s. Check the id on kolada.se.",
            kpi=details.get("kpi")),
        "kolada_unknown_group": lambda: _(
            "Kolada has no municipality group %(group)s. Check the id on kolada.se.",
            group=details.get("group")),
        "kolada_bad_id": lambda: _("“%(id)s” is not a Kolada id.", id=details.get("id")),
        "kolada_bad_kpi": lambda: _(
            "Write a Kolada KPI id: a letter and five digits, e.g. N00945."),
        "kolada_bad_group": lambda: _(
            "Write a Kolada group id: G and digits, e.g. G124026."),
        "kolada_bad_gender": lambda: _("Choose everyone, women or men."),
        "not_register": lambda: _("Only a register indicator can take its values from "
                                  "Kolada."),
        "kolada_no_values": lambda: _(
            "Kolada has no values of %(kpi)s for %(area)s in the last years: the indicator "
            "keeps the values it had.", kpi=details.get("kpi"), area=details.get("area")),
        "kolada_missing_years": lambda: _(
            "Kolada has no value of %(kpi)s for the organisation in %(years)s, though it has "
            "for the comparisons.", kpi=details.get("kpi"),
            years=_codes(details.get("years"))),
        "kolada_area_no_values": lambda: _(
            "Kolada has no values of %(kpi)s for %(area)s: it is left out of the comparison.",
            kpi=details.get("kpi"), area=details.get("area")),
        "kolada_no_links": lambda: _(
            "No register indicator takes its values from Kolada yet: give one a key figure "
            "first."),
        "kolada_no_municipality_code": lambda: _(
            "The organisation has no municipality code (kommunkod), so Kolada cannot be asked "
            "for its values."),
    }
    if code in messages:
        return messages[code]()
    return _("Kolada could not be used (%(reason)s).", reason=code)
