"""Secondary suppression: no suppressed cell of a breakdown can be worked out from the total.

The property test plays the attacker of :func:`protect_breakdown`'s docstring by brute
force: every suppressed cell gets the box its reason code allows (``small_group``
1..min_n-1, ``complement`` 1..total), the respondents without a group their known count,
and every (n, "yes") combination consistent with the published total is enumerated
(2-D boolean convolutions). A cell is recoverable when only one n, or one count of "yes",
or only an all-"yes" / all-"no" share is left for it.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal import fftconvolve

from surveys.indicators import IndicatorError
from surveys.indicators.disclosure import COMPLEMENT, SMALL_GROUP, Cell, protect_breakdown


def _pairs(size: int, low: int, high: int) -> np.ndarray:
    """Boolean (n, yes) table of one unknown cell: low <= n <= high, 0 <= yes <= n."""
    table = np.zeros((size, size), dtype=bool)
    for n in range(max(low, 0), min(high, size - 1) + 1):
        table[n, : n + 1] = True
    return table


def _add(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    size = a.shape[0]
    return fftconvolve(a.astype(float), b.astype(float))[:size, :size] > 0.5


def attack(total: tuple[int, int], cells: list[tuple[int, int]], m: int, reasons, min_n: int,
           know_m: bool = True) -> dict[int, tuple[set[int], set[int], set[str]]]:
    """Per suppressed cell: the n, the counts of "yes" and the kinds of share left possible.

    Kinds of share: "all" (every one said yes), "none", "some".
    """
    hidden = [k for k, r in enumerate(reasons) if r is not None]
    n_left = total[0] - sum(cells[k][0] for k in range(len(cells)) if k not in hidden)
    yes_left = total[1] - sum(cells[k][1] for k in range(len(cells)) if k not in hidden)
    size = n_left + 1
    boxes = {k: _pairs(size, 1, min_n - 1 if reasons[k] == SMALL_GROUP else total[0])
             for k in hidden}
    rest = _pairs(size, m, m) if know_m else _pairs(size, 0, total[0])
    found = {}
    for j in hidden:
        others = rest
        for k in hidden:
            if k != j:
                others = _add(others, boxes[k])
        ns, yeses, kinds = set(), set(), set()
        for n, y in zip(*np.nonzero(boxes[j]), strict=True):
            if 0 <= yes_left - y < size and others[n_left - n, yes_left - y]:
                ns.add(int(n))
                yeses.add(int(y))
                kinds.add("all" if y == n else "none" if y == 0 else "some")
        assert ns, "the truth itself must be possible"
        found[j] = (ns, yeses, kinds)
    return found


@st.composite
def breakdowns(draw):
    min_n = draw(st.sampled_from([3, 5, 10]))
    k = draw(st.integers(1, 5))
    sizes = st.one_of(st.integers(0, min_n + 3), st.integers(0, 25))
    cells = []
    for _ in range(k):
        n = draw(sizes)
        cells.append((n, draw(st.integers(0, n))))
    m = draw(st.one_of(st.just(0), st.integers(0, 20)))
    m_yes = draw(st.integers(0, m))
    total = (sum(n for n, _ in cells) + m, sum(y for _, y in cells) + m_yes)
    return min_n, cells, m, total


@settings(max_examples=400, deadline=None)
@given(breakdowns())
def test_no_suppressed_cell_can_be_worked_out_from_the_total(case) -> None:
    min_n, cells, m, total = case
    result = protect_breakdown(
        Cell(total[0], total[0] - total[1], total[1]),
        [Cell(n, n - y, y) for n, y in cells], min_n)
    reasons = result.reasons
    for (n, _), reason in zip(cells, reasons, strict=True):
        if 0 < n < min_n:
            assert reason is not None  # every small cell is suppressed
        if n == 0:
            assert reason is None  # an empty cell is shown as empty
    if total[0] < min_n or not any(reasons):
        return  # no total to subtract from, or nothing to protect
    assert any(0 < n < min_n for n, _ in cells)  # nothing is suppressed without a small cell
    found = attack(total, cells, m, reasons, min_n)
    some_yes_some_no = 0 < total[1] < total[0]
    for j, (ns, yeses, kinds) in found.items():
        if some_yes_some_no:
            assert len(yeses) > 1, (j, found)
            assert kinds != {"all"} and kinds != {"none"}, (j, found)
        if not result.exposed_counts:
            assert len(ns) > 1, (j, found)
    if result.exposed_counts:
        # every non-empty cell is hidden, and only knowing m pins a count down
        assert all(r is not None for (n, _), r in zip(cells, reasons, strict=True) if n)
        if m > 0:
            blind = attack(total, cells, m, reasons, min_n, know_m=False)
            assert all(len(ns) > 1 for ns, _, _ in blind.values())


@settings(max_examples=200, deadline=None)
@given(breakdowns())
def test_counts_without_values_are_protected_as_well(case) -> None:
    """The room panel's case: counts only (no value to subtract)."""
    min_n, cells, m, total = case
    result = protect_breakdown(Cell(total[0]), [Cell(n) for n, _ in cells], min_n)
    if total[0] < min_n or not any(result.reasons) or result.exposed_counts:
        return
    found = attack((total[0], 0), [(n, 0) for n, _ in cells], m, result.reasons, min_n)
    assert all(len(ns) > 1 for ns, _, _ in found.values())


def test_the_issues_example_hides_the_swedish_born_too() -> None:
    """14 respondents: overall 9/14 yes, Swedish-born 6/11, so the 3 foreign-born said yes."""
    result = protect_breakdown(Cell(14, 5, 9), [Cell(11, 5, 6), Cell(3, 0, 3)], min_n=10)
    assert result.reasons == (COMPLEMENT, COMPLEMENT)
    assert not result.exposed_counts


def test_the_smallest_published_cell_that_protects_is_the_complement() -> None:
    cells = [Cell(40, 20, 20), Cell(12, 6, 6), Cell(25, 10, 15), Cell(4, 2, 2)]
    total = Cell(81, 38, 43)
    assert protect_breakdown(total, cells, 10).reasons == (None, COMPLEMENT, None, COMPLEMENT)
    # a complement whose answers are as one-sided as the small group's does not protect it
    one_sided = [Cell(40, 20, 20), Cell(12, 0, 12), Cell(25, 10, 15), Cell(4, 0, 4)]
    reasons = protect_breakdown(Cell(81, 30, 51), one_sided, 10).reasons
    assert reasons == (None, None, COMPLEMENT, COMPLEMENT)


def test_small_cells_that_cover_each_other_keep_their_reason() -> None:
    """Two small cells and a large remainder: the sum 7 leaves each of them 1..6."""
    reasons = protect_breakdown(Cell(60, 30, 30), [Cell(3, 1, 2), Cell(4, 2, 2),
                                                    Cell(20, 10, 10)], 10).reasons
    assert reasons == (SMALL_GROUP, SMALL_GROUP, None)
    # 9 + 9 pins both at the most a small cell can have: they need the complement label
    pinned = protect_breakdown(Cell(60), [Cell(9), Cell(9), Cell(42)], 10).reasons
    assert pinned[:2] == (COMPLEMENT, COMPLEMENT)


def test_a_lone_small_cell_among_empty_ones_is_flagged() -> None:
    result = protect_breakdown(Cell(503, 200, 303), [Cell(3, 1, 2), Cell(0, 0, 0)], 10)
    assert result.reasons == (COMPLEMENT, None) and result.exposed_counts


def test_nothing_is_suppressed_without_a_small_cell_or_rules() -> None:
    cells = [Cell(30), Cell(12), Cell(0)]
    assert protect_breakdown(Cell(50), cells, 10).reasons == (None, None, None)
    assert protect_breakdown(Cell(50), [Cell(3), Cell(47)], 0).reasons == (None, None)
    with pytest.raises(IndicatorError) as info:
        protect_breakdown(Cell(10), [Cell(8), Cell(3)], 5)
    assert info.value.code == "cells_exceed_total"
