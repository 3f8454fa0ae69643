"""The reading behind the plain-language summary: what improved or worsened, for whom, and
how sure (Benjamini–Hochberg over the area's tests)."""

from __future__ import annotations

from surveys.indicators import Estimate, Gap, ShareIndicator, WaveResult, follow_up
from surveys.indicators.definitions import Direction
from surveys.indicators.plain_summary import Certainty, Movement, area_findings

LOWER = Direction.LOWER_IS_BETTER


def share(value: float, se: float, group=None) -> Estimate:
    return Estimate(value, se, value - 1.96 * se, value + 1.96 * se, 800,
                    variable="born" if group else None, group=group)


def wave(year: int, value: float, se: float, groups=(), gaps=()) -> WaveResult:
    return WaveResult("trust", year, year, "proportion", share(value, se),
                      {"born": tuple(groups)} if groups else {}, tuple(gaps))


def followed(previous: WaveResult, latest: WaveResult, key="trust", direction=None):
    indicator = ShareIndicator(key=key, item="q", values=[1],
                               direction=direction or Direction.HIGHER_IS_BETTER)
    return follow_up(indicator, [previous, latest]), indicator.direction


def test_a_large_rise_is_clearly_an_improvement():
    (finding,) = area_findings([followed(wave(2025, 0.40, 0.01), wave(2026, 0.48, 0.01))])
    assert finding.overall.movement is Movement.IMPROVED
    assert finding.overall.certainty is Certainty.CLEAR
    assert finding.overall.change == 0.48 - 0.40 and finding.overall.since == 2025


def test_a_rise_of_what_lower_is_better_is_a_worsening():
    (finding,) = area_findings([followed(wave(2025, 0.10, 0.005), wave(2026, 0.14, 0.005),
                                         direction=LOWER)])
    assert finding.overall.movement is Movement.WORSENED
    assert finding.overall.certainty is Certainty.CLEAR


def test_a_small_change_within_chance_is_unclear():
    (finding,) = area_findings([followed(wave(2025, 0.40, 0.02), wave(2026, 0.41, 0.02))])
    assert finding.overall.certainty is Certainty.UNCLEAR
    assert finding.overall.p_value > 0.5
    # a share of none or all in both waves has no test: not sure either
    (finding,) = area_findings([followed(wave(2025, 1.0, 0.0), wave(2026, 1.0, 0.0))])
    assert finding.overall.certainty is Certainty.UNCLEAR


def test_weak_evidence_is_probable():
    # z = 0.0495 / (0.02 * sqrt 2) = 1.75, p = 0.08: between alpha and 2 alpha
    (finding,) = area_findings([followed(wave(2025, 0.40, 0.02), wave(2026, 0.4495, 0.02))])
    assert 0.05 < finding.overall.p_value < 0.10
    assert finding.overall.certainty is Certainty.PROBABLE


def test_significant_alone_but_not_among_many_follows_the_adjusted_p_value():
    # p about 0.03 alone is "clear"; beside nine changes of nothing, BH makes it q = 0.3
    alone = followed(wave(2025, 0.40, 0.02), wave(2026, 0.4615, 0.02))
    (finding,) = area_findings([alone])
    assert finding.overall.p_value < 0.05 and finding.overall.certainty is Certainty.CLEAR
    nothing = [followed(wave(2025, 0.40, 0.02), wave(2026, 0.40, 0.02), key=f"n{i}")
               for i in range(9)]
    first, *_ = area_findings([alone, *nothing])
    assert first.overall.p_value < 0.05
    assert first.overall.p_adjusted > 0.10
    assert first.overall.certainty is Certainty.UNCLEAR


def test_for_whom_names_the_groups_that_changed_most_and_the_largest_clear_gap():
    before = wave(2025, 0.40, 0.01, groups=[share(0.30, 0.01, "utrikes"),
                                            share(0.45, 0.01, "inrikes")])
    gap = Gap("born", "utrikes", "inrikes", -0.05, 0.01, -0.07, -0.03, p_value=1e-6)
    small = Gap("born", "inrikes", "utrikes", 0.01, 0.01, -0.01, 0.03, p_value=0.3)
    after = wave(2026, 0.44, 0.01, groups=[share(0.42, 0.01, "utrikes"),
                                           share(0.46, 0.01, "inrikes")], gaps=[gap, small])
    (finding,) = area_findings([followed(before, after)])
    (group,) = finding.groups  # "inrikes" moved by 0.01 only: within chance
    assert (group.variable, group.group) == ("born", "utrikes")
    assert group.read.movement is Movement.IMPROVED and group.read.certainty is Certainty.CLEAR
    assert finding.gap is gap


def test_the_first_wave_and_a_suppressed_change_have_nothing_to_read():
    indicator = ShareIndicator(key="trust", item="q", values=[1])
    first = follow_up(indicator, [wave(2026, 0.4, 0.01)])
    hidden = WaveResult("trust", 2026, 2026, "proportion",
                        Estimate(None, None, None, None, None, suppressed="small_group"))
    suppressed = follow_up(indicator, [wave(2025, 0.4, 0.01), hidden])
    found = area_findings([(first, indicator.direction), (suppressed, indicator.direction)])
    assert [f.overall for f in found] == [None, None]


def test_an_exact_register_change_is_clear():
    def register(year, value):
        return WaveResult("jobs", year, year, "register",
                          Estimate(value, None, None, None, None))
    indicator = ShareIndicator(key="jobs", item="q", values=[1])
    (finding,) = area_findings([(follow_up(indicator, [register(2024, 65.0),
                                                       register(2025, 66.1)]),
                                 indicator.direction)])
    assert finding.overall.movement is Movement.IMPROVED
    assert finding.overall.certainty is Certainty.CLEAR and finding.overall.p_value is None
