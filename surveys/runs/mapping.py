"""From a respondent's answers to weighting categories, per survey.

A scheme is plain JSON, stored in `WeightingScheme.mapping`::

    {"reference_year": null,          # age is computed at this year; null: the survey's year
     "variables": [
       {"name": "age", "question": "birth_year", "kind": "age_groups",
        "groups": [[16, 29], [30, 44], [45, 64], [65, 84]]},       # [65, null] is "65+"
       {"name": "gender", "question": "gender", "kind": "codes",
        "codes": {"woman": "kvinna", "man": "man", "other": "annat", "dk": ""}},
       ...]}

An answer code mapped to "" and an unanswered question are *missing*: the engine's missing
policy decides (an error that counts them, or imputation on request). A code the mapping
does not list, and an age outside every group, is passed on as it is, so the engine names
it as a value outside the margins.

The functions here know nothing of Flask; `categorize` works on plain answer mappings.
"""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from surveys.runs.jsonstat import group_label
from surveys.survey.questions import AGE_GROUPS, CODE_RE, CODES, DONT_KNOW

if TYPE_CHECKING:
    from werkzeug.datastructures import MultiDict

#: The kinds of variable, and so of question (`QuestionType.weighting_kind`), a variable is.
KINDS = (AGE_GROUPS, CODES)
DEFAULT_AGE_GROUPS = [[16, 29], [30, 44], [45, 64], [65, 84]]
GROUP_RE = re.compile(r"^\s*(\d{1,3})\s*(?:([-–])\s*(\d{1,3})|(\+))\s*$")
CATEGORY_MAX = 200

#: "Another gender": a category of its own, never a missing value. Population margins from
#: the register know two legal sexes; a run then holds it at its sample share
#: (`surveys.runs.weighing.held_categories`).
ANOTHER_GENDER = "annat"
#: The default for the template "Tillit och delaktighet": question key -> (variable, codes).
TEMPLATE_CODES = {
    "gender": ("gender", {"woman": "kvinna", "man": "man", "other": ANOTHER_GENDER,
                          DONT_KNOW: ""}),
    "born_country": ("born", {"sweden": "inrikes", "nordic": "utrikes", "europe": "utrikes",
                              "outside_europe": "utrikes", DONT_KNOW: ""}),
    "district": ("district", None),  # same codes as the margins' districts
}


class MappingError(ValueError):
    """A scheme that cannot be used; `problems` are (code, details) pairs for translation."""

    def __init__(self, problems: list[tuple[str, dict]]):
        super().__init__("; ".join(code for code, _ in problems))
        self.problems = problems


# -- age groups ---------------------------------------------------------------------------------
def parse_age_groups(text: str) -> list[tuple[int, int | None]]:
    """"16-29, 30-44, 45-64, 65+" -> [(16, 29), (30, 44), (45, 64), (65, None)].

    Groups must be in ascending order without overlaps; gaps are allowed (ages in a gap
    belong to no group).
    """
    groups: list[tuple[int, int | None]] = []
    problems: list[tuple[str, dict]] = []
    parts = [p for p in re.split(r"[,;\n]", text or "") if p.strip()]
    if not parts:
        raise MappingError([("no_age_groups", {})])
    for part in parts:
        match = GROUP_RE.match(part)
        if not match:
            problems.append(("bad_age_group", {"group": part.strip()}))
            continue
        first = int(match.group(1))
        last = None if match.group(4) else int(match.group(3))
        if last is not None and last < first:
            problems.append(("bad_age_group", {"group": part.strip()}))
            continue
        groups.append((first, last))
    if not problems:
        for (a_first, a_last), (b_first, b_last) in itertools.pairwise(groups):
            if a_last is None or b_first <= a_last:
                problems.append(("age_groups_overlap", {
                    "first": group_label(a_first, a_last),
                    "second": group_label(b_first, b_last)}))
    if problems:
        raise MappingError(problems)
    return groups


def format_age_groups(groups: Iterable[Iterable[int | None]]) -> str:
    """The inverse of parse_age_groups: "16-29, 30-44, 45-64, 65+"."""
    return ", ".join(group_label(int(a), None if b is None else int(b)) for a, b in groups)


def age_category(birth_year: Any, reference_year: int,
                 groups: list[tuple[int, int | None]]) -> str | None:
    """The age group label at `reference_year`; None for no answer; the age itself if in no group."""
    if not isinstance(birth_year, int) or isinstance(birth_year, bool):
        return None
    age = reference_year - birth_year
    for first, last in groups:
        if first <= age and (last is None or age <= last):
            return group_label(first, last)
    return str(age)


# -- schemes ------------------------------------------------------------------------------------
def reference_year(survey, scheme: Mapping) -> int:
    """The year ages are computed at: the scheme's, else the year the survey opened or began."""
    if scheme.get("reference_year"):
        return int(scheme["reference_year"])
    moment = survey.opens_at or survey.created_at
    return moment.year


def default_scheme(survey) -> dict:
    """A starting mapping: age groups from the first year-of-birth question, and for the
    template's questions gender -> kvinna/man, country of birth -> inrikes/utrikes and
    district -> the same district codes; other choice questions are not mapped."""
    variables = []
    questions = survey.questions()
    birth = next((q for q in questions if q.kind.weighting_kind == AGE_GROUPS), None)
    if birth is not None:
        variables.append({"name": "age", "question": birth.key, "kind": AGE_GROUPS,
                          "groups": copy.deepcopy(DEFAULT_AGE_GROUPS)})
    for question in questions:
        if question.kind.weighting_kind != CODES or question.key not in TEMPLATE_CODES:
            continue
        name, codes = TEMPLATE_CODES[question.key]
        options = option_codes(question)
        if codes is None:
            codes = {code: code for code in options} | {DONT_KNOW: ""}
        variables.append({"name": name, "question": question.key, "kind": CODES,
                          "codes": {c: codes.get(c, c) for c in options + [DONT_KNOW]}})
    return {"reference_year": None, "variables": variables}


def option_codes(question) -> list[str]:
    """A choice question's option codes, without "don't know"."""
    return [o["code"] for o in question.settings.get("options", [])]


def identity_codes(question) -> dict[str, str]:
    """Every option to a category of the same name, "don't know" to missing."""
    return {c: c for c in option_codes(question)} | {DONT_KNOW: ""}


def source_questions(survey) -> list:
    """The survey's questions a weighting variable can come from, in survey order."""
    return [q for q in survey.questions() if q.kind.weighting_kind is not None]


def sources_by_kind(survey) -> dict[str, list]:
    """Kind of variable -> the survey's questions it can come from."""
    return {kind: [q for q in survey.questions() if q.kind.weighting_kind == kind]
            for kind in KINDS}


def problems_with(scheme: Mapping, survey) -> list[tuple[str, dict]]:
    """What keeps a stored scheme from being used with the survey as it is now."""
    by_key = {q.key: q for q in survey.questions()}
    problems = []
    for variable in scheme.get("variables", []):
        question = by_key.get(variable.get("question"))
        if (question is None or question.kind.weighting_kind is None
                or question.kind.weighting_kind != variable.get("kind")):
            problems.append(("question_gone", {"variable": variable.get("name"),
                                               "question": variable.get("question")}))
    return problems


# -- the analyst's form -------------------------------------------------------------------------
@dataclass
class SchemeForm:
    """The mapping form's values as the analyst typed them, and the problems found."""

    scheme: dict
    #: Field name -> messages (code, details) for that field.
    errors: dict[str, list[tuple[str, dict]]]
    #: Variables whose question changed: their codes were reset and should be checked.
    reset: list[str]


def field(index: int, name: str) -> str:
    """Name of a field of the mapping form, e.g. "v0-groups"."""
    return f"v{index}-{name}"


def code_field(index: int, code: str) -> str:
    return f"v{index}-code-{code}"


def scheme_from_form(form: MultiDict, survey, current: Mapping) -> SchemeForm:
    """Read the mapping form: every variable's name, question and categories.

    A variable whose question was changed gets the new question's codes mapped to
    themselves, and is listed in `reset` so the page can ask the analyst to check them.
    """
    by_key = {q.key: q for q in survey.questions()}
    errors: dict[str, list[tuple[str, dict]]] = {}
    reset: list[str] = []
    variables = []
    old = list(current.get("variables", []))
    try:
        count = int(form.get("count", "0"))
    except ValueError:
        count = 0
    seen: set[str] = set()
    for i in range(min(count, 50)):
        if form.get(field(i, "remove")):
            continue
        kind = form.get(field(i, "kind"), "")
        name = form.get(field(i, "name"), "").strip()
        key = form.get(field(i, "question"), "")
        question = by_key.get(key)
        if not CODE_RE.match(name):
            errors.setdefault(field(i, "name"), []).append(("bad_variable_name", {"name": name}))
        elif name in seen:
            errors.setdefault(field(i, "name"), []).append(("duplicate_variable", {"name": name}))
        seen.add(name)
        if kind not in KINDS or question is None or question.kind.weighting_kind != kind:
            errors.setdefault(field(i, "question"), []).append(("bad_question", {"question": key}))
            continue
        variable: dict[str, Any] = {"name": name, "question": key, "kind": kind}
        if kind == AGE_GROUPS:
            text = form.get(field(i, "groups"), "")
            try:
                variable["groups"] = [list(g) for g in parse_age_groups(text)]
            except MappingError as error:
                errors.setdefault(field(i, "groups"), []).extend(error.problems)
                variable["groups_text"] = text
        else:
            previous = old[i] if i < len(old) else {}
            if previous.get("question") != key:
                variable["codes"] = identity_codes(question)
                reset.append(name)
            else:
                codes = {}
                for code in option_codes(question) + [DONT_KNOW]:
                    value = form.get(code_field(i, code), "").strip()
                    if len(value) > CATEGORY_MAX:
                        errors.setdefault(code_field(i, code), []).append(
                            ("category_too_long", {"max": CATEGORY_MAX}))
                    codes[code] = value[:CATEGORY_MAX]
                variable["codes"] = codes
        variables.append(variable)
    year_text = form.get("reference_year", "").strip()
    year = None
    if year_text:
        if re.fullmatch(r"\d{4}", year_text) and 1900 <= int(year_text) <= 2200:
            year = int(year_text)
        else:
            errors.setdefault("reference_year", []).append(("bad_year", {"year": year_text}))
    scheme = {"reference_year": year, "variables": variables}
    return SchemeForm(scheme=scheme, errors=errors, reset=reset)


def add_variable(scheme: Mapping, question, name: str) -> dict:
    """The scheme with one more variable from `question` (defaults: age groups or same codes)."""
    new = copy.deepcopy(dict(scheme))
    if question.kind.weighting_kind == AGE_GROUPS:
        variable = {"name": name, "question": question.key, "kind": AGE_GROUPS,
                    "groups": copy.deepcopy(DEFAULT_AGE_GROUPS)}
    else:
        variable = {"name": name, "question": question.key, "kind": CODES,
                    "codes": identity_codes(question)}
    new.setdefault("variables", []).append(variable)
    return new


# -- applying a scheme --------------------------------------------------------------------------
def categorize(scheme: Mapping, answers: Mapping[int, Mapping[str, Any]], year: int,
               order: Iterable[int]) -> pd.DataFrame:
    """One row per response id in `order`, one column per variable: category, raw code or None.

    `answers` maps response id -> question key -> answer value.
    """
    ids = list(order)
    columns: dict[str, list[Any]] = {}
    for variable in scheme.get("variables", []):
        key = variable["question"]
        if variable["kind"] == AGE_GROUPS:
            groups = [(int(a), None if b is None else int(b)) for a, b in variable["groups"]]
            columns[variable["name"]] = [
                age_category(answers.get(r, {}).get(key), year, groups) for r in ids]
        else:
            codes = variable["codes"]
            values = []
            for r in ids:
                value = answers.get(r, {}).get(key)
                if value is None:
                    values.append(None)
                elif value in codes:
                    values.append(codes[value] or None)
                else:
                    values.append(str(value))
            columns[variable["name"]] = values
    frame = pd.DataFrame(columns, index=pd.Index(ids, name="response_id"), dtype=object)
    return frame


def scheme_categories(schemes: Iterable[Mapping]) -> dict[str, list[str]]:
    """Variable -> the categories the schemes map answers to, in first-seen order: what a
    population table's codes must become."""
    found: dict[str, dict[str, None]] = {}
    for scheme in schemes:
        for variable in scheme.get("variables", []):
            if variable.get("kind") == AGE_GROUPS:
                names = [group_label(*g) for g in variable.get("groups", [])]
            else:
                names = [c for c in (variable.get("codes") or {}).values() if c]
            found.setdefault(variable["name"], {}).update(dict.fromkeys(names))
    return {name: list(cats) for name, cats in found.items()}


def describe(variable: Mapping) -> list[tuple[str, list[str]]]:
    """Category -> the answer codes that give it ("" collects those that count as missing)."""
    if variable["kind"] == AGE_GROUPS:
        return [(group_label(a, b), []) for a, b in variable["groups"]]
    grouped: dict[str, list[str]] = {}
    for code, category in variable["codes"].items():
        grouped.setdefault(category, []).append(code)
    return list(grouped.items())
