"""Clear, machine-readable errors and the opt-in repairs (collapse, impute)."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pandas as pd
import pytest

from surveys.weighting import (
    CollapseError,
    Design,
    DesignError,
    EmptyCategoryError,
    InconsistentTotalsError,
    MarginsFormatError,
    MissingValueError,
    OutcomeError,
    PopulationZeroError,
    UnknownCategoryError,
    WeightingError,
    read_margins,
    validate_margins,
)
from surveys.weighting.impute import MIN_DONORS
from tests.support.reference import DATA

from .conftest import assert_rel

Case = tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]


def test_error_family() -> None:
    """Every error is a WeightingError and a ValueError with a distinct code."""
    classes = [
        CollapseError,
        DesignError,
        EmptyCategoryError,
        InconsistentTotalsError,
        MarginsFormatError,
        MissingValueError,
        OutcomeError,
        PopulationZeroError,
        UnknownCategoryError,
    ]
    codes = {c.code for c in classes}
    assert len(codes) == len(classes)
    for c in classes:
        assert issubclass(c, WeightingError) and issubclass(c, ValueError)
    err = EmptyCategoryError("msg", variable="age", category="16-29")
    assert err.to_dict() == {
        "code": "empty_category",
        "message": "msg",
        "details": {"variable": "age", "category": "16-29"},
    }


# --- empty population category and collapse -------------------------------------------


def test_empty_category_names_variable_and_category(muni: Case) -> None:
    """No respondent aged 16-29: error names age/16-29 and its neighbour."""
    sample, margins, _ = muni
    sample = sample[sample["age"] != "16-29"]
    with pytest.raises(EmptyCategoryError) as info:
        Design(sample, weights="base_w").rake(margins)
    err = info.value
    assert err.code == "empty_category"
    assert (err.variable, err.category) == ("age", "16-29")
    assert err.neighbours == ["30-44"]
    assert err.empty == [("age", "16-29")]
    assert "age='16-29'" in str(err) and "collapse=" in str(err)


def test_collapse_merges_category_in_sample_and_margins(muni: Case) -> None:
    """collapse={"age": {"16-29": "30-44"}} rakes to the merged margin."""
    sample, margins, _ = muni
    sample = sample[sample["age"] != "16-29"]
    raked = Design(sample, weights="base_w").rake(margins, collapse={"age": {"16-29": "30-44"}})
    assert raked.converged
    table = raked.diagnostics.margins.set_index(["variable", "category"])
    assert ("age", "16-29") not in table.index
    assert table.loc[("age", "30-44"), "population_count"] == 10222 + 11674
    assert_rel(
        table.loc[("age", "30-44"), "weighted_count"],
        10222 + 11674,
        1e-9,
        "margins (after repairs)",
    )
    assert raked.weights.sum() == pytest.approx(48000)
    assert raked.diagnostics.collapsed == {"age": {"16-29": "30-44"}}
    assert any(m.code == "collapsed" for m in raked.diagnostics.messages)


def test_collapse_with_respondents_in_both_categories(muni: Case) -> None:
    """Respondents of the merged category are recoded too (weights equal a manual recode)."""
    sample, margins, _ = muni
    merged = Design(sample, weights="base_w").rake(
        margins, collapse={"born": {"utrikes": "inrikes"}}
    )
    manual_sample = sample.assign(born="inrikes")
    manual_margins = margins[margins["variable"] != "born"]
    manual_margins = pd.concat(
        [manual_margins, pd.DataFrame([["born", "inrikes", 48000.0]], columns=margins.columns)]
    )
    manual = Design(manual_sample, weights="base_w").rake(manual_margins)
    np.testing.assert_allclose(merged.weights, manual.weights, rtol=1e-12)


def test_collapse_errors(muni: Case) -> None:
    """Unknown variables/categories and cycles in collapse= are rejected."""
    sample, margins, _ = muni
    design = Design(sample, weights="base_w")
    with pytest.raises(CollapseError) as info:
        design.rake(margins, collapse={"age": {"16-29": "99"}})
    assert info.value.category == "99"
    with pytest.raises(CollapseError):
        design.rake(margins, collapse={"income": {"a": "b"}})
    with pytest.raises(CollapseError, match="cycle"):
        design.rake(margins, collapse={"age": {"16-29": "30-44", "30-44": "16-29"}})


# --- unknown and missing categories ---------------------------------------------------


def test_unknown_category_reports_count_and_values(muni: Case) -> None:
    """Respondents answering 'annat' where the register has two genders."""
    sample, margins, _ = muni
    sample.iloc[:7, sample.columns.get_loc("gender")] = "annat"
    sample.iloc[7:9, sample.columns.get_loc("gender")] = "vet ej"
    with pytest.raises(UnknownCategoryError) as info:
        Design(sample, weights="base_w").rake(margins)
    err = info.value
    assert err.code == "unknown_category"
    assert err.variable == "gender"
    assert err.n_respondents == 9
    assert err.values == {"annat": 7, "vet ej": 2}
    assert "9 respondents" in str(err) and "'annat' (7)" in str(err)


def test_unknown_category_impute(muni: Case) -> None:
    """unknown='impute': each gets the gender of a donor drawn among respondents like them."""
    sample, margins, _ = muni
    original = sample.copy()
    sample.iloc[:7, sample.columns.get_loc("gender")] = "annat"
    raked = Design(sample, weights="base_w").rake(margins, unknown="impute", seed=11)
    report = raked.diagnostics.imputed
    assert len(report) == 7
    assert list(report["row"]) == list(sample.index[:7])
    assert set(report["original"]) == {"annat"}
    for _, r in report.iterrows():
        me, donor = sample.loc[r["row"]], sample.loc[r["donor"]]
        assert donor["gender"] == r["imputed"] and donor["gender"] != "annat"
        matched = r["matched_on"].split(", ")
        assert matched == ["age", "born", "district"][: len(matched)]
        assert all(donor[v] == me[v] for v in matched)
        like = sample.iloc[7:]
        for v in matched:
            like = like[like[v] == me[v]]
        assert r["donors"] == len(like) >= MIN_DONORS
    assert any(m.code == "imputed" for m in raked.diagnostics.messages)
    table = raked.diagnostics.margins.set_index(["variable", "category"])
    assert_rel(
        table.loc[("gender", "man"), "weighted_count"], 23834, 1e-9, "margins (after repairs)"
    )
    # reproducible from the seed
    again = Design(sample, weights="base_w").rake(margins, unknown="impute", seed=11)
    np.testing.assert_array_equal(again.weights, raked.weights)
    pd.testing.assert_frame_equal(again.diagnostics.imputed, report)
    # the sample itself is untouched
    assert (sample["gender"].iloc[:7] == "annat").all()
    assert not original.equals(sample)


def test_missing_weighting_value_reports_count(muni: Case) -> None:
    """Missing age/district: how many respondents, per variable."""
    sample, margins, _ = muni
    sample.iloc[3:8, sample.columns.get_loc("age")] = np.nan
    sample.iloc[5:9, sample.columns.get_loc("district")] = np.nan
    with pytest.raises(MissingValueError) as info:
        Design(sample, weights="base_w").rake(margins)
    err = info.value
    assert err.code == "missing_weighting_value"
    assert err.n_respondents == 6  # rows 3..8
    assert err.by_variable == {"age": 5, "district": 4}
    assert err.variable == "age"
    assert "missing='impute'" in str(err)


def test_missing_impute_takes_every_missing_variable_from_one_matching_donor(
    muni: Case,
) -> None:
    """missing='impute': a donor like the respondent in the other variables gives them all."""
    sample, margins, _ = muni
    sample.iloc[3:8, sample.columns.get_loc("age")] = np.nan
    sample.iloc[5:9, sample.columns.get_loc("district")] = np.nan
    raked = Design(sample, weights="base_w").rake(margins, missing="impute", seed=5)
    report = raked.diagnostics.imputed
    assert len(report) == 5 + 4
    assert raked.converged
    both = report[report["row"] == sample.index[6]]  # age and district missing
    assert list(both["variable"]) == ["age", "district"]
    assert both["donor"].nunique() == 1
    donor, me = sample.loc[both["donor"].iloc[0]], sample.iloc[6]
    assert (donor["age"], donor["district"]) == tuple(both["imputed"])
    assert (donor["gender"], donor["born"]) == (me["gender"], me["born"])
    only_age = report[report["row"] == sample.index[3]].iloc[0]
    assert only_age["matched_on"] == "gender, born, district"
    donor, me = sample.loc[only_age["donor"]], sample.iloc[3]
    assert donor["age"] == only_age["imputed"]
    assert all(donor[v] == me[v] for v in ("gender", "born", "district"))


def test_modal_imputation_is_kept_for_runs_made_with_it(muni: Case) -> None:
    """imputation='modal': the most common category given the other answers, else fewer."""
    sample, margins, _ = muni
    sample.iloc[3:8, sample.columns.get_loc("age")] = np.nan
    sample.iloc[5:9, sample.columns.get_loc("district")] = np.nan
    raked = Design(sample, weights="base_w").rake(margins, missing="impute", imputation="modal")
    report = raked.diagnostics.imputed
    complete = sample.dropna(subset=["age", "gender", "born", "district"])
    both = report[report["row"] == sample.index[6]]
    me = sample.iloc[6]
    like = complete[(complete["gender"] == me["gender"]) & (complete["born"] == me["born"])]
    modal = like.groupby(["age", "district"]).size()
    top = modal[modal == modal.max()].index
    assert (both["imputed"].iloc[0], both["imputed"].iloc[1]) in list(top)
    only_age = report[report["row"] == sample.index[3]].iloc[0]
    me = sample.iloc[3]
    like = complete[
        (complete["gender"] == me["gender"])
        & (complete["born"] == me["born"])
        & (complete["district"] == me["district"])
    ]
    assert only_age["imputed"] == like["age"].value_counts().idxmax()
    assert only_age["matched_on"] == "gender, born, district"
    assert report["donor"].isna().all()


def test_population_zero_category(muni: Case) -> None:
    """Population 0: dropped if nobody is there, an error if respondents are."""
    sample, margins, _ = muni
    margins = pd.concat([margins, pd.DataFrame([["age", "85+", 0]], columns=margins.columns)])
    assert Design(sample, weights="base_w").rake(margins).iterations == 8
    sample.iloc[0, sample.columns.get_loc("age")] = "85+"
    with pytest.raises(PopulationZeroError) as info:
        Design(sample, weights="base_w").rake(margins)
    assert info.value.values == {"85+": 1}


def test_inconsistent_totals_state_each_total(muni: Case) -> None:
    """Margins summing to different N: error listing every variable's total."""
    sample, margins, _ = muni
    margins.loc[margins["category"] == "Norr", "population_count"] += 120
    with pytest.raises(InconsistentTotalsError) as info:
        Design(sample, weights="base_w").rake(margins)
    assert info.value.totals == {"age": 48000, "gender": 48000, "born": 48000, "district": 48120}
    assert "district: 48120" in str(info.value)
    with pytest.raises(InconsistentTotalsError):
        Design(sample, weights="base_w").calibrate(margins, method="raking")


def test_margin_variable_absent_from_sample(muni: Case) -> None:
    """A margin for a column the sample lacks is a DesignError naming it."""
    sample, margins, _ = muni
    with pytest.raises(DesignError) as info:
        Design(sample.drop(columns="district"), weights="base_w").rake(margins)
    assert info.value.columns == ["district"]
    assert info.value.reason == "missing_column"


# --- margins files -------------------------------------------------------------------


def test_read_margins_roundtrip() -> None:
    """The reference margins load with Swedish letters intact, in order."""
    frame = read_margins(DATA / "muni_rake" / "margins.csv")
    assert list(frame.columns) == ["variable", "category", "population_count"]
    assert len(frame) == 4 + 2 + 2 + 5
    assert "Söder" in set(frame["category"])
    assert frame.groupby("variable", sort=False)["population_count"].sum().tolist() == [48000] * 4


def test_read_margins_missing_column() -> None:
    """Missing columns are named."""
    with pytest.raises(MarginsFormatError) as info:
        read_margins(io.StringIO("variable,category,count\nage,16-29,10\n"))
    assert info.value.missing_columns == ["population_count"]


def test_read_margins_bad_rows_have_line_numbers() -> None:
    """Negative, non-numeric, duplicate and empty entries are reported with their lines."""
    text = (
        "variable,category,population_count\n"
        "age,16-29,10\n"
        "age,30-44,-3\n"
        "age,45-64,abc\n"
        "age,16-29,4\n"
        ",x,3\n"
        "gender,kvinna,\n"
    )
    with pytest.raises(MarginsFormatError) as info:
        read_margins(io.StringIO(text))
    problems = {(p["line"], p["problem"]) for p in info.value.problems}
    assert problems == {
        (3, "negative count"),
        (4, "not a number"),
        (5, "duplicate of line 2"),
        (6, "empty variable name"),
        (7, "not a number"),
    }
    assert "line 3" in str(info.value)


def test_read_margins_semicolon_and_spaces() -> None:
    """Spreadsheet exports: semicolons, BOM and thousands separators are accepted."""
    text = "\ufeffvariable;category;population_count\nage;16-29;10 222\nage;30-44;11\u00a0674\n"
    frame = read_margins(io.BytesIO(text.encode("utf-8")))
    assert frame["population_count"].tolist() == [10222.0, 11674.0]


def test_validate_margins_dataframe() -> None:
    """validate_margins checks DataFrames the same way (lines as if from CSV)."""
    bad = pd.DataFrame({"variable": ["a", "a"], "category": ["x", "x"], "population_count": [1, 2]})
    with pytest.raises(MarginsFormatError) as info:
        validate_margins(bad)
    assert info.value.problems[0]["line"] == 3
    good = validate_margins(
        pd.DataFrame({"variable": ["a"], "category": [1], "population_count": [5]})
    )
    assert good["category"].tolist() == [1]


def test_numeric_labels_match_text_margins(muni: Case) -> None:
    """Integer-coded sample columns match margins read from CSV as text."""
    sample, margins, _ = muni
    codes = {"16-29": 1, "30-44": 2, "45-64": 3, "65-84": 4}
    sample["age"] = sample["age"].map(codes).astype(float)  # floats like 1.0 from a database
    margins.loc[margins["variable"] == "age", "category"] = ["1", "2", "3", "4"]
    raked = Design(sample, weights="base_w").rake(margins)
    from .conftest import variant

    np.testing.assert_allclose(
        raked.weights, variant("muni_rake", "rake_tight").weights, rtol=1e-12
    )


# --- design and outcome errors ----------------------------------------------------------


def test_design_errors(muni: Case) -> None:
    """Weight column, weight values, strata and fpc problems are DesignErrors."""
    sample, _, _ = muni
    with pytest.raises(DesignError) as info:
        Design(sample, weights="vikt")
    assert info.value.reason == "missing_column"
    bad = sample.astype({"base_w": float})
    bad.iloc[:3, bad.columns.get_loc("base_w")] = [0, -1, np.nan]
    with pytest.raises(DesignError) as info:
        Design(bad, weights="base_w")
    assert info.value.n_respondents == 3
    lonely = sample.assign(st=["a"] + ["b"] * (len(sample) - 1))
    with pytest.raises(DesignError) as info:
        Design(lonely, weights="base_w", strata="st")
    assert info.value.reason == "lonely_psu" and info.value.strata == ["a"]
    two = sample.assign(
        st=["a", "a"] + ["b"] * (len(sample) - 2), f=[10, 11] + [3000] * (len(sample) - 2)
    )
    with pytest.raises(DesignError, match="constant within each stratum"):
        Design(two, weights="base_w", strata="st", fpc="f")
    small = sample.assign(f=1000)
    with pytest.raises(DesignError, match="smaller than the sample"):
        Design(small, weights="base_w", fpc="f")


def test_fpc_as_sampling_fraction(muni: Case) -> None:
    """fpc values <= 1 are sampling fractions (R's convention): same SE as N."""
    sample, margins, _ = muni
    a = Design(sample.assign(f=48000), weights="base_w", fpc="f").rake(margins)
    b = Design(sample.assign(f=2000 / 48000), weights="base_w", fpc="f").rake(margins)
    assert_rel(
        a.mean("trust_kommun")["se"], b.mean("trust_kommun")["se"], 1e-12, "se (fpc fraction)"
    )
    c = Design(sample, weights="base_w").rake(margins)
    assert_rel(
        a.mean("trust_kommun")["se"] ** 2,
        c.mean("trust_kommun")["se"] ** 2 * (1 - 2000 / 48000),
        1e-12,
        "se (fpc fraction)",
    )


def test_outcome_errors(muni: Case) -> None:
    """Non-numeric outcomes, non-0/1 proportions and unknown columns."""
    sample, _, _ = muni
    design = Design(sample, weights="base_w")
    with pytest.raises(OutcomeError, match="not numeric"):
        design.mean("age")
    with pytest.raises(OutcomeError, match="not 0/1"):
        design.proportion("trust_kommun")
    with pytest.raises(OutcomeError) as info:
        design.mean("does_not_exist")
    assert info.value.variable == "does_not_exist"
    with pytest.raises(WeightingError, match="level"):
        design.mean("trust_kommun", level=95)
