"""Disclosure control: suppress small groups, flag estimates with a large relative SE.

Rules (applied to every figure that leaves the analyst's screen, and by default to
everything :func:`.compute.estimate_wave` returns):

* a group with fewer than ``min_n`` respondents counted in the estimate (the unweighted
  n: respondents with a score) is *suppressed*: value, SE, interval, n and design effect
  become None and ``suppressed`` holds the reason code ``"small_group"``; an empty group
  or one without any score gets ``"no_data"``. n is withheld too, so a table cannot be
  differenced back to a handful of people.
* an estimate with relative standard error RSE = SE / |estimate| above ``max_rse`` (30%)
  is kept but marked ``uncertain`` (an estimate of exactly 0 has infinite RSE).
* a gap between two groups is suppressed when either group is, and uncertain when either
  estimate is. The RSE of the gap itself is not used: near a zero gap it is unbounded
  and would mark exactly the reassuring results.
* a change between waves is suppressed when either end is (:mod:`.trends`).

``DisclosureRules(min_n=0)`` turns suppression off (an empty group is still "no_data"),
e.g. for the analyst's own checks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .errors import IndicatorError

#: Reason codes for a suppressed figure.
SMALL_GROUP = "small_group"
NO_DATA = "no_data"


@dataclass(frozen=True)
class DisclosureRules:
    """Thresholds of the disclosure rules (defaults: n >= 10, RSE <= 30%)."""

    min_n: int = 10
    max_rse: float = 0.30

    def __post_init__(self) -> None:
        if isinstance(self.min_n, bool) or not isinstance(self.min_n, int) or self.min_n < 0:
            raise IndicatorError("invalid_min_n", min_n=self.min_n)
        if not (isinstance(self.max_rse, int | float) and self.max_rse > 0):
            raise IndicatorError("invalid_max_rse", max_rse=self.max_rse)

    def reason(self, n: int | None, value: float | None) -> str | None:
        """Why an estimate with unweighted n and this value is suppressed, or None."""
        if not n or value is None or not math.isfinite(value):
            return NO_DATA
        if n < self.min_n:
            return SMALL_GROUP
        return None

    def uncertain(self, value: float | None, se: float | None) -> bool:
        """RSE = SE/|value| above ``max_rse`` (value 0 with SE > 0 counts as uncertain)."""
        if value is None or se is None or not math.isfinite(se):
            return False
        if value == 0:
            return se > 0
        return se / abs(value) > self.max_rse
