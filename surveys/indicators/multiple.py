"""Many tests at once: the Benjamini–Hochberg adjustment of p-values."""

from __future__ import annotations

from collections.abc import Sequence


def benjamini_hochberg(pvalues: Sequence[float]) -> list[float]:
    """Benjamini–Hochberg adjusted p-values, in the order given (as R's
    ``p.adjust(p, "BH")``): p_(i) * m / i, made monotone from the largest p down, at most 1.

    Comparing an adjusted p-value with alpha keeps the expected share of false
    discoveries among the significant results at most alpha.
    """
    m = len(pvalues)
    order = sorted(range(m), key=lambda i: pvalues[i], reverse=True)
    adjusted = [0.0] * m
    smallest = 1.0
    for rank_from_top, i in enumerate(order):
        rank = m - rank_from_top
        smallest = min(smallest, pvalues[i] * m / rank)
        adjusted[i] = smallest
    return adjusted
