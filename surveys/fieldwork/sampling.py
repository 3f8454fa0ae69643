"""Allocating a stratified sample, drawing it, and the margin of error it should give.

Flask-free (NumPy only), so an analyst can check a draw in a notebook.

Allocation spreads a total n over strata h with population sizes N_h:

- *proportional*: n_h ∝ N_h · f_h, where f_h is the stratum's oversampling factor (1 when
  not stated), so a factor 2 asks twice the share its size would give;
- *equal*: n_h ∝ f_h, the same number in every stratum unless a factor says otherwise.

Every stratum gets at least min(minimum, N_h) and never more than N_h. The continuous
shares are found by fixing strata at a bound and sharing out the rest again until none
crosses one; they are then rounded by largest remainders, so Σ n_h = n exactly.

The draw is simple random sampling without replacement within each stratum, from
NumPy's PCG64 generator seeded with the stated seed: the same frame (ids in the same
order), allocation and seed give the same sample.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

METHODS = ("proportional", "equal")
#: Age groups for strata: (label, lowest age, highest age or None).
AGE_GROUPS = (("16–29", 16, 29), ("30–44", 30, 44), ("45–64", 45, 64), ("65–79", 65, 79),
              ("80+", 80, None))
#: Frame columns a stratum may be made of (age_group comes from the birth year).
STRATA_COLUMNS = ("district", "age_group", "gender", "birth_country_group", "language")


class AllocationError(ValueError):
    """An allocation that cannot be met; `code` names why, `detail` gives the numbers."""

    def __init__(self, code: str, **detail) -> None:
        super().__init__(code, detail)
        self.code = code
        self.detail = detail


def age_group(birth_year: int, reference_year: int) -> str:
    """The age group of someone born in `birth_year`, at the end of `reference_year`."""
    age = reference_year - birth_year
    for label, low, high in AGE_GROUPS:
        if age >= low and (high is None or age <= high):
            return label
    return f"<{AGE_GROUPS[0][1]}"


def allocate(population: Mapping[str, int], n: int, method: str = "proportional",
             minimum: int = 0, factors: Mapping[str, float] | None = None) -> dict[str, int]:
    """Sample size per stratum, summing to `n`; see the module text for the rules."""
    if method not in METHODS:
        raise AllocationError("unknown_method", method=method)
    factors = factors or {}
    if any(not (0 < f < math.inf) for f in factors.values()):
        raise AllocationError("bad_factor")
    total = sum(population.values())
    if n < 0 or n > total:
        raise AllocationError("n_beyond_population", n=n, population=total)
    keys = sorted(population)
    cap = {h: population[h] for h in keys}
    low = {h: min(minimum, cap[h]) for h in keys}
    if sum(low.values()) > n:
        raise AllocationError("minimum_beyond_n", n=n, needed=sum(low.values()))
    size = {h: float(cap[h]) if method == "proportional" else (1.0 if cap[h] else 0.0)
            for h in keys}
    weight = {h: size[h] * factors.get(h, 1.0) for h in keys}

    share = _bounded_shares(keys, n, weight, low, cap)
    counts = {h: math.floor(share[h] + 1e-9) for h in keys}
    left = n - sum(counts.values())
    # Largest remainders first; ties by key so the result never depends on dict order.
    order = sorted(keys, key=lambda h: (-(share[h] - counts[h]), h))
    while left > 0:
        for h in order:
            if left and counts[h] < cap[h]:
                counts[h] += 1
                left -= 1
    return counts


def _bounded_shares(keys: list[str], n: int, weight: dict[str, float], low: dict[str, int],
                    cap: dict[str, int]) -> dict[str, float]:
    """Continuous shares s_h = clip(λ·w_h, low_h, cap_h) with Σ s_h = n.

    The sum grows with λ, so bisection finds it; the lower end is kept, so Σ s_h ≤ n and
    rounding only ever adds.
    """

    def shares(lam: float) -> dict[str, float]:
        return {h: min(max(lam * weight[h], low[h]), cap[h]) for h in keys}

    lo, hi = 0.0, max((cap[h] / weight[h] for h in keys if weight[h] > 0), default=0.0)
    for _ in range(80):  # far past float precision
        mid = (lo + hi) / 2
        if sum(shares(mid).values()) <= n:
            lo = mid
        else:
            hi = mid
    return shares(lo)


def draw(ids_by_stratum: Mapping[str, Sequence[int]], sizes: Mapping[str, int],
         seed: int) -> dict[str, list[int]]:
    """A simple random sample of `sizes[h]` ids from each stratum, reproducible from `seed`.

    Ids are sorted within a stratum first, so only the frame's content matters, not the
    order rows came in.
    """
    rng = np.random.default_rng(seed)
    drawn: dict[str, list[int]] = {}
    for h in sorted(ids_by_stratum):
        ids = np.sort(np.asarray(ids_by_stratum[h], dtype=np.int64))
        size = sizes.get(h, 0)
        if size > len(ids):
            raise AllocationError("n_beyond_population", n=size, population=len(ids))
        drawn[h] = rng.choice(ids, size=size, replace=False).tolist() if size else []
    return drawn


def margin_of_error(population: int, sample: int, response_rate: float, p: float = 0.5,
                    z: float = 1.959964) -> float | None:
    """Half the width of a 95 % interval for a share p from the expected respondents
    m = n·r of a stratum of N, with the finite population correction (1 − m/N):
    z · √(p(1 − p)/m · (1 − m/N)). None with fewer than two expected respondents."""
    respondents = sample * response_rate
    if respondents < 2 or population <= 0:
        return None
    fpc = max(0.0, 1.0 - respondents / population)
    return z * math.sqrt(p * (1 - p) / respondents * fpc)
