"""The Benjamini–Hochberg adjustment against values worked out with R's p.adjust."""

from __future__ import annotations

import pytest

from surveys.indicators.multiple import benjamini_hochberg


def test_the_adjustment_agrees_with_r():
    # p.adjust(c(0.01, 0.04, 0.03, 0.005, 0.5), "BH")
    assert benjamini_hochberg([0.01, 0.04, 0.03, 0.005, 0.5]) == pytest.approx(
        [0.025, 0.05, 0.05, 0.025, 0.5])


def test_one_test_is_left_as_it_is_and_nothing_exceeds_one():
    assert benjamini_hochberg([0.2]) == [0.2]
    assert benjamini_hochberg([]) == []
    assert max(benjamini_hochberg([0.9, 0.95, 0.99])) <= 1.0
