"""How an answer is coded in a microdata file: the vocabulary the question types speak.

Flask-free and database-free, so the weighted microdata export
(`surveys.runs.microdata`) can use it from a notebook. Each question type says which
`Variable`s its answers become (`QuestionType.codebook_variables`), with the helpers here:

- categorical answers (options) are numbered 1..k in option order for SPSS;
- numeric answers keep their value;
- "don't know" (``dk``) becomes 99, or 999, 9999 ... when 99 could be a real answer,
  and is declared user-missing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: The answer value of the "don't know / prefer not to say" choice.
DONT_KNOW = "dk"


@dataclass
class Variable:
    """One column of the microdata and what its values mean."""

    #: Column name in the frame, CSV, Excel and Parquet (SPSS may need another).
    name: str
    label: str
    #: "numeric", "categorical", "text" or "multi" (a 0/1 column of a multiple choice).
    kind: str
    #: Raw value -> label, e.g. {"yes": "Ja", "dk": "Vet inte"} or {0: "Ingen", 10: "Full"}.
    value_labels: dict[Any, str] = field(default_factory=dict)
    #: "nominal", "ordinal" or "scale".
    measure: str = "nominal"
    #: The question the column belongs to (None for the fixed and extra columns).
    question_key: str | None = None
    #: Raw value -> number in SPSS for values that are no numbers: every value of a
    #: categorical variable, in order, and "dk" where it is offered.
    codes: dict[Any, int] = field(default_factory=dict)
    #: Raw values meaning no substantive answer ("dk"); user-missing in SPSS.
    missing: tuple = ()
    #: Whether a numeric variable holds whole numbers only (integers in Parquet).
    integer: bool = False

    def spss_value(self, value: Any) -> Any:
        """The number standing for a raw value in SPSS."""
        return self.codes.get(value, value)


@dataclass
class Coding:
    """What a question type needs to code one question: its texts and the platform's labels
    already in the codebook's language."""

    question: Any
    #: The question's text, the label of its variables.
    label: str
    #: A localized text in the codebook's language (else the survey's default).
    text: Callable[[Mapping | None], str]
    #: The platform's labels: "agreement", "dont_know", "chosen", "not_chosen" ...
    names: Mapping[str, Any]

    @property
    def settings(self) -> Mapping:
        return self.question.settings

    def dont_know(self) -> str | None:
        """The label of the question's "don't know" choice, None when it offers none."""
        setting = self.settings.get("dont_know")
        return self.names["dont_know"].get(setting, setting) if setting else None

    def options(self) -> dict[str, str]:
        """Option code -> its label."""
        return {o["code"]: self.text(o["label"]) for o in self.settings.get("options", [])}


def missing_code(largest: int) -> int:
    """The code for "don't know": 99, or 999, 9999 ... whichever exceeds every real value."""
    code = 99
    while code <= largest:
        code = code * 10 + 9
    return code


def categorical(name: str, label: str, value_labels: Mapping[str, str],
                dont_know: str | None = None, measure: str = "nominal",
                question_key: str | None = None) -> Variable:
    """A variable whose values are codes, numbered 1..k in order (and "dk" if labelled)."""
    codes = {value: number for number, value in enumerate(value_labels, start=1)}
    labels = dict(value_labels)
    if dont_know is not None:
        codes[DONT_KNOW] = missing_code(len(codes))
        labels[DONT_KNOW] = dont_know
    return Variable(name, label, "categorical", labels, measure, question_key, codes,
                    (DONT_KNOW,) if dont_know is not None else ())


def numeric(coding: Coding, value_labels: Mapping[int, str], largest: int, measure: str,
            integer: bool = True) -> Variable:
    """A question's numeric variable; "dk" coded above `largest` when the question offers it."""
    labels = {value: text for value, text in value_labels.items() if text}
    codes, missing = {}, ()
    if (dont_know := coding.dont_know()) is not None:
        labels[DONT_KNOW], codes[DONT_KNOW] = dont_know, missing_code(largest)
        missing = (DONT_KNOW,)
    key = coding.question.key
    return Variable(key, coding.label, "numeric", labels, measure, key, codes, missing, integer)
