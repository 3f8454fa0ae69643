"""Many tests read at once: the Benjamini–Hochberg adjustment of their p-values.

When a dashboard tests every group's change, or every gap of a wave, some will pass at
p < 0.05 by chance alone. Adjusting the family's p-values with Benjamini and Hochberg
(1995) keeps the expected share of false discoveries among the flagged ones at the level
chosen, and stays far less strict than Bonferroni for the handful of tests a grouping has.
"""

from __future__ import annotations

from collections.abc import Sequence


def benjamini_hochberg(pvalues: Sequence[float | None]) -> list[float | None]:
    """Benjamini–Hochberg adjusted p-values, as R's ``p.adjust(p, method = "BH")``.

    The i-th smallest of m p-values becomes min over j >= i of p_(j) m / j, at most 1, in
    the input's order. None (an untested figure) stays None and is not one of the m, as R
    leaves NA out.
    """
    tested = sorted((p, i) for i, p in enumerate(pvalues) if p is not None)
    m = len(tested)
    adjusted: list[float | None] = [None] * len(pvalues)
    running = 1.0
    for rank in range(m, 0, -1):
        p, i = tested[rank - 1]
        running = min(running, p * m / rank)
        adjusted[i] = running
    return adjusted
