"""The demo's indicator values against an independent computation, and the change tests.

The stored figures come from `services.refresh` (the run reproduced, then the indicator
core). Here the same numbers are worked out another way: point estimates with NumPy from
the weights the run stored, standard errors from the weighting engine's own `mean` (the
engine agrees with R's survey package, see tests/weighting), changes by the textbook
formula for independent samples.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sqlalchemy import select

from surveys.followup import queries, services
from surveys.followup.models import Framework
from surveys.followup.values import IndicatorSeries
from surveys.runs.models import RunWeight
from surveys.runs.queries import approved_run, reproduce
from surveys.survey.models import Answer, Question
from surveys.survey.questions import DONT_KNOW

from tests.support.analysis import demo_framework
from .conftest import demo_database


@pytest.fixture(scope="module")
def demo(demo_snapshots):
    with demo_database(demo_snapshots, "values") as app, app.app_context():
        yield demo_framework()


def answers_of(survey_id: int, key: str) -> dict[int, object]:
    from surveys.extensions import db

    rows = db.session.execute(select(Answer.response_id, Answer.value).join(Question).where(
        Question.survey_id == survey_id, Question.key == key))
    return dict(rows.all())


def stored_weights(run_id: int) -> dict[int, float]:
    from surveys.extensions import db

    return dict(db.session.execute(select(RunWeight.response_id, RunWeight.weight).where(
        RunWeight.run_id == run_id)).all())


def series(framework: Framework, key: str) -> IndicatorSeries:
    return next(s for s in queries.series_for(framework) if s.definition.key == key)


def high_trust(value) -> float:
    """tillit_manniskor by hand: 7-10 counts, "don't know" and no answer are left out."""
    if value is None or value == DONT_KNOW:
        return math.nan
    return 1.0 if 7 <= value <= 10 else 0.0


def test_the_demo_has_two_weighted_waves_and_every_indicator_a_value(demo):
    assert [w.year for w in demo.waves] == [demo.waves[0].year, demo.waves[0].year + 1]
    assert all(approved_run(w.survey_id) is not None for w in demo.waves)
    assert services.refresh(demo) == []
    everything = queries.series_for(demo)
    assert len(everything) == 14
    for s in everything:
        assert s.latest is not None and s.latest.overall.value is not None, s.definition.key
        if s.definition.kind != "register":
            assert [w.year for w in s.waves] == [w.year for w in demo.waves]
            assert s.latest.overall.n > 1000


def test_shares_equal_the_weighted_share_of_the_stored_weights(demo):
    trust = series(demo, "tillit_manniskor")
    for wave, result in zip(demo.waves, trust.waves, strict=True):
        run = approved_run(wave.survey_id)
        weights = stored_weights(run.id)
        answers = answers_of(wave.survey_id, "trust_people")
        ids = sorted(weights)
        w = np.array([weights[r] for r in ids])
        y = np.array([high_trust(answers.get(r)) for r in ids])
        use = ~np.isnan(y)
        assert result.overall.value == pytest.approx((w[use] * y[use]).sum() / w[use].sum(),
                                                     rel=1e-12)
        assert result.overall.n == int(use.sum())
        assert result.overall.sum_weights == pytest.approx(w[use].sum(), rel=1e-12)

        # by country of birth, from the run's own categories
        design, _ = reproduce(run)
        born = design.sample["born"].reindex(ids).to_numpy()
        for group in ("inrikes", "utrikes"):
            mask = use & (born == group)
            estimate = result.group("born", group)
            assert estimate.value == pytest.approx((w[mask] * y[mask]).sum() / w[mask].sum(),
                                                   rel=1e-12)
            assert estimate.n == int(mask.sum())
        gap = result.gap("born", "utrikes", "inrikes")
        assert gap.value == pytest.approx(result.group("born", "utrikes").value
                                          - result.group("born", "inrikes").value, rel=1e-12)


def test_standard_errors_are_the_weighting_engines(demo):
    """The engine's `mean` of the 0/1 score has the SE R's svymean gives for the share."""
    trust = series(demo, "tillit_manniskor")
    for wave, result in zip(demo.waves, trust.waves, strict=True):
        run = approved_run(wave.survey_id)
        design, answers = reproduce(run, extra_keys=["trust_people"])
        y = pd.Series([high_trust(answers.get(r, {}).get("trust_people"))
                       for r in design.sample.index], index=design.sample.index, dtype=float)
        expected = design.mean(y).iloc[0]
        assert result.overall.se == pytest.approx(expected["se"], rel=1e-10)
        assert result.overall.deff == pytest.approx(expected["deff"], rel=1e-10)
        # the logit interval lies inside (0, 1) around the estimate
        assert 0 < result.overall.ci_low < result.overall.value < result.overall.ci_high < 1


def test_the_change_test_is_the_two_sample_z_test(demo):
    for key in ("tillit_manniskor", "paverka", "tillit_institutioner"):
        s = series(demo, key)
        earlier, latest = s.waves[-2].overall, s.waves[-1].overall
        d = latest.value - earlier.value
        se = math.hypot(latest.se, earlier.se)
        change = s.follow_up.overall.since_previous
        assert change.value == pytest.approx(d, rel=1e-12)
        assert change.se == pytest.approx(se, rel=1e-12)
        assert change.p_value == pytest.approx(2 * stats.norm.sf(abs(d / se)), rel=1e-9)


def test_the_gap_change_is_tested_without_a_direction(demo):
    s = series(demo, "tillit_manniskor")
    (gap_follow_up,) = [g for g in s.follow_up.gaps if g.variable == "born"]
    now = s.waves[-1].gap("born", "utrikes", "inrikes")
    before = s.waves[-2].gap("born", "utrikes", "inrikes")
    change = gap_follow_up.comparison.since_previous
    assert change.value == pytest.approx(now.value - before.value, rel=1e-12)
    assert change.assessment is None


def test_the_register_indicator_has_its_years_and_no_sampling_error(demo):
    s = series(demo, "forvarvsfrekvens_utrikes")
    assert [w.year for w in s.waves] == list(range(2019, 2026))
    assert s.latest.overall.value == pytest.approx(66.3)
    assert s.latest.overall.se is None
    assert s.follow_up.overall.since_previous.value == pytest.approx(66.3 - 65.2)
    assert s.latest.source.startswith("Syntetiska data")
