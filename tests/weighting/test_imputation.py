"""Hot-deck imputation and categories held at their sample share (another gender)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from surveys.weighting import Design, WeightingError
from surveys.weighting.impute import MIN_DONORS

N = 50_000.0


def population_like(n: int, rng: np.random.Generator, missing_born: int) -> pd.DataFrame:
    """Respondents where 12% (more among the young) are born abroad; some skip that question."""
    age = rng.choice(["16-29", "30-64", "65+"], n, p=[0.2, 0.5, 0.3])
    gender = rng.choice(["kvinna", "man"], n)
    abroad = rng.random(n) < np.select([age == "16-29", age == "30-64"], [0.2, 0.13], 0.06)
    frame = pd.DataFrame({"age": age, "gender": gender,
                          "born": np.where(abroad, "utrikes", "inrikes").astype(object)})
    frame.loc[rng.choice(n, missing_born, replace=False), "born"] = None
    return frame


MARGINS = {"age": {"16-29": 0.25 * N, "30-64": 0.5 * N, "65+": 0.25 * N},
           "gender": {"kvinna": 0.5 * N, "man": 0.5 * N},
           "born": {"inrikes": 0.85 * N, "utrikes": 0.15 * N}}


def test_hot_deck_spreads_the_missing_over_the_categories_like_the_donors() -> None:
    """The issue's case: 90 missing countries of birth must not all become "Sweden"."""
    rng = np.random.default_rng(7)
    sample = population_like(2000, rng, missing_born=90)
    design = Design(sample, weights=None)
    modal = design.rake(MARGINS, missing="impute", imputation="modal").diagnostics.imputed
    assert (modal["imputed"] == "inrikes").all()  # the old rule: the majority takes all
    complete = sample.dropna()
    share = complete.groupby(["age", "gender"])["born"].apply(lambda b: (b == "utrikes").mean())
    recipients = sample[sample["born"].isna()]
    p = np.array([share[(a, g)] for a, g in zip(recipients["age"], recipients["gender"],
                                                 strict=True)])
    counts = []
    for seed in range(20):
        report = design.rake(MARGINS, missing="impute", seed=seed).diagnostics.imputed
        assert len(report) == 90 and (report["matched_on"] == "age, gender").all()
        counts.append(int((report["imputed"] == "utrikes").sum()))
    # each seed: within 4 SD of the donors' expectation; over 20 seeds: close to it
    sd = np.sqrt((p * (1 - p)).sum())
    assert all(abs(c - p.sum()) < 4 * sd for c in counts)
    assert abs(np.mean(counts) - p.sum()) < 4 * sd / np.sqrt(20)
    assert min(counts) > 0


def test_donors_are_drawn_in_proportion_to_their_base_weight() -> None:
    """One cell: 50 donors of A with weight 1, 50 of B with weight 3, so P(B) = 3/4."""
    n_missing = 800
    sample = pd.DataFrame({
        "g": ["x"] * (100 + n_missing),
        "c": ["A"] * 50 + ["B"] * 50 + [None] * n_missing,
        "w": [1.0] * 50 + [3.0] * 50 + [2.0] * n_missing,
    })
    margins = {"g": {"x": 2000.0}, "c": {"A": 1000.0, "B": 1000.0}}
    report = Design(sample, "w").rake(margins, missing="impute", seed=1).diagnostics.imputed
    got_b = int((report["imputed"] == "B").sum())
    sd = np.sqrt(n_missing * 0.75 * 0.25)
    assert abs(got_b - 0.75 * n_missing) < 4 * sd
    assert set(report["donors"]) == {100}


def test_the_draws_are_reproducible_from_the_seed_and_differ_between_seeds() -> None:
    sample = population_like(1500, np.random.default_rng(3), missing_born=60)
    design = Design(sample, weights=None)
    first = design.rake(MARGINS, missing="impute", seed=2026)
    again = Design(sample.copy(), weights=None).rake(MARGINS, missing="impute", seed=2026)
    assert np.array_equal(first.weights.to_numpy(), again.weights.to_numpy())
    pd.testing.assert_frame_equal(first.diagnostics.imputed, again.diagnostics.imputed)
    other = design.rake(MARGINS, missing="impute", seed=2027).diagnostics.imputed
    assert list(other["donor"]) != list(first.diagnostics.imputed["donor"])
    message = next(m for m in first.diagnostics.messages if m.code == "imputed")
    assert message.details["seed"] == 2026 and message.details["method"] == "hot_deck"
    assert message.details["uncertainty_counted"] is False
    assert "do not include the uncertainty of imputation" in message.text


def test_a_cell_with_too_few_donors_is_widened() -> None:
    """Only 3 donors share the recipient's age and gender: the match drops gender."""
    rows = [("old", "man", "inrikes")] * 3 + [("old", "kvinna", "utrikes")] * 10 \
        + [("young", "man", "inrikes")] * 10 + [("young", "kvinna", "inrikes")] * 10 \
        + [("old", "man", None)]
    sample = pd.DataFrame(rows, columns=["age", "gender", "born"])
    margins = {"age": {"old": 50.0, "young": 50.0}, "gender": {"man": 50.0, "kvinna": 50.0},
               "born": {"inrikes": 80.0, "utrikes": 20.0}}
    report = Design(sample, None).rake(margins, missing="impute").diagnostics.imputed
    (row,) = report.itertuples()
    assert 3 < MIN_DONORS
    assert row.matched_on == "age" and row.donors == 13
    assert sample.loc[row.donor, "age"] == "old"


def another_gender_sample() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = 1200
    gender = rng.choice(["kvinna", "man", "annat", None], n, p=[0.52, 0.42, 0.02, 0.04])
    return pd.DataFrame({"gender": gender.astype(object),
                         "age": rng.choice(["young", "old"], n, p=[0.35, 0.65]),
                         "w": rng.choice([1.0, 2.0], n)})


AGE_GENDER = {"age": {"young": 0.45 * N, "old": 0.55 * N},
              "gender": {"kvinna": 0.5 * N, "man": 0.5 * N}}


def test_another_gender_is_held_at_its_sample_share_and_legal_sexes_scaled() -> None:
    sample = another_gender_sample()
    raked = Design(sample, "w").rake(AGE_GENDER, missing="impute",
                                     sample_share={"gender": ["annat"]})
    d = sample["w"]
    known = sample["gender"].notna()
    share = d[sample["gender"] == "annat"].sum() / d[known].sum()
    table = raked.diagnostics.margins.set_index(["variable", "category"])
    assert table.loc[("gender", "annat"), "weighted_count"] == pytest.approx(N * share, rel=1e-9)
    for sex in ("kvinna", "man"):
        assert table.loc[("gender", sex), "weighted_count"] == pytest.approx(
            0.5 * N * (1 - share), rel=1e-9)
    assert raked.weights.sum() == pytest.approx(N, rel=1e-12)
    # R gets the same weights from rake() with the adjusted margins the diagnostics report
    adjusted = {"age": AGE_GENDER["age"],
                "gender": {"kvinna": 0.5 * N * (1 - share), "man": 0.5 * N * (1 - share),
                           "annat": N * share}}
    plain = Design(sample, "w").rake(adjusted, missing="impute")
    np.testing.assert_allclose(raked.weights, plain.weights, rtol=1e-12)
    held = next(m for m in raked.diagnostics.messages if m.code == "sample_share")
    assert held.details["category"] == "annat"
    assert held.details["share"] == pytest.approx(share, rel=1e-12)
    # the missing genders are imputed from donors, "annat" being a category like the others
    imputed = raked.diagnostics.imputed
    assert len(imputed) == sample["gender"].isna().sum()
    assert set(imputed["imputed"]) <= {"kvinna", "man", "annat"}


def test_a_population_figure_for_another_gender_is_used_when_the_margins_have_one() -> None:
    sample = another_gender_sample()
    own = {"age": AGE_GENDER["age"],
           "gender": {"kvinna": 0.49 * N, "man": 0.49 * N, "annat": 0.02 * N}}
    raked = Design(sample, "w").rake(own, missing="impute", sample_share={"gender": ["annat"]})
    assert not any(m.code == "sample_share" for m in raked.diagnostics.messages)
    table = raked.diagnostics.margins.set_index(["variable", "category"])
    assert table.loc[("gender", "annat"), "weighted_count"] == pytest.approx(0.02 * N)


def test_without_the_rule_another_gender_is_outside_the_margins() -> None:
    from surveys.weighting import UnknownCategoryError

    with pytest.raises(UnknownCategoryError):
        Design(another_gender_sample(), "w").rake(AGE_GENDER, missing="impute")


def test_calibration_and_post_stratification_hold_the_share_as_well() -> None:
    sample = another_gender_sample().dropna()
    d = sample["w"]
    share = d[sample["gender"] == "annat"].sum() / d.sum()
    cal = Design(sample, "w").calibrate(AGE_GENDER, method="raking",
                                        sample_share={"gender": ["annat"]})
    assert cal.weights[sample["gender"] == "annat"].sum() == pytest.approx(N * share, rel=1e-8)
    cells = pd.DataFrame({"gender": ["kvinna", "man"], "population_count": [0.5 * N] * 2})
    post = Design(sample, "w").poststratify(cells, sample_share={"gender": ["annat"]})
    assert post.weights[sample["gender"] == "annat"].sum() == pytest.approx(N * share, rel=1e-9)
    assert post.weights[sample["gender"] == "man"].sum() == pytest.approx(
        0.5 * N * (1 - share), rel=1e-9)
    with pytest.raises(WeightingError):
        Design(sample.assign(gender="annat"), "w").rake(AGE_GENDER,
                                                        sample_share={"gender": ["annat"]})
