"""Agreement by the participants' languages and the bridging statements, with the small-cell
rules: a language group of fewer than 5 voters is not compared, a share with fewer than 5
votes is withheld, and so is one from which a withheld share could be worked out."""

from __future__ import annotations

import pandas as pd

from dialog.bylanguage import by_language
from dialog.models import Statement
from dialog.queries import StatementFigures


def figures(statement_id: int, votes: pd.DataFrame, paper_agree: int = 0) -> StatementFigures:
    mine = votes[votes["statement"] == statement_id]["value"]
    return StatementFigures(
        Statement(id=statement_id, text=f"S{statement_id}", language="sv"),
        agree=int((mine == 1).sum()) + paper_agree, disagree=int((mine == -1).sum()),
        passed=int((mine == 0).sum()), dots=0, paper_agree=paper_agree, paper_disagree=0,
        paper_pass=0, paper_dots=0)


def room(plan: dict[str, tuple[int, dict[int, list[int]]]]) -> pd.DataFrame:
    """{language: (voters, {statement: values, one per voter in order})} as vote rows."""
    rows, person = [], 0
    for language, (voters, statements) in plan.items():
        for n in range(voters):
            for statement, values in statements.items():
                if n < len(values):
                    rows.append((person + n, statement, language, values[n]))
        person += voters
    return pd.DataFrame(rows, columns=["participant", "statement", "language", "value"])


def test_a_statement_bridges_only_when_every_language_group_agrees():
    votes = room({
        "sv": (8, {1: [1] * 7 + [0], 2: [1] * 8, 3: [1] * 6}),
        "ar": (6, {1: [1, 1, 1, 1, -1, 0], 2: [-1] * 4 + [1, 1], 3: [1] * 4}),
        "so": (5, {1: [1, 1, 1, 1, 0], 2: [1] * 5, 3: [1] * 5}),
        "en": (3, {1: [-1, -1, -1], 2: [1, 1, 1]}),  # too few voters to compare
    })
    result = by_language(["sv", "en", "ar", "so"], [figures(s, votes) for s in (1, 2, 3)], votes)
    assert result.languages == ["sv", "ar", "so"] and result.too_small == ["en"]
    # 1: 7/8, 4/6, 4/5 agree: bridges. 2: Arabic 2/6 disagrees. 3: Arabic only 4 votes.
    assert [item.figures.id for item in result.bridging] == [1]
    first = {s.language: s for s in result.statements[0].shares}
    assert first["sv"].share == 7 / 8 and first["ar"].share == 4 / 6
    third = {s.language: s for s in result.statements[2].shares}
    assert third["ar"].votes == 4 and third["ar"].share is None
    assert third["ar"].withheld in ("small_group", "complement")


def test_a_share_that_would_reveal_a_small_group_is_withheld_too():
    # Statement 1: Swedish 6 votes, Arabic 5, Somali 2 (withheld); the total is published,
    # so with only one other share shown Somali's count could be worked out.
    votes = room({"sv": (6, {1: [1] * 6}), "ar": (5, {1: [1] * 5}),
                  "so": (5, {1: [1, -1], 2: [1] * 5})})
    result = by_language(["sv", "ar", "so"], [figures(1, votes)], votes)
    shares = {s.language: s for s in result.statements[0].shares}
    assert shares["so"].withheld is not None and shares["so"].share is None
    # ... and so is one of the others, or Somali's two votes follow from the total.
    assert [shares["sv"].withheld, shares["ar"].withheld].count("complement") == 1
    assert not result.statements[0].bridging


def test_one_language_only_compares_nothing():
    votes = room({"sv": (9, {1: [1] * 9})})
    result = by_language(["sv", "ar"], [figures(1, votes)], votes)
    assert result.languages == ["sv"] and result.bridging == []
    empty = by_language(["sv"], [], room({}))
    assert empty.languages == [] and empty.statements == []
