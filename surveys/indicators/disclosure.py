"""Disclosure control: suppress small groups and the cells they could be worked out from,
flag uncertain estimates.

Rules (applied to every figure that leaves the analyst's screen, and by default to
everything :func:`.compute.estimate_wave` returns):

* a group with fewer than ``min_n`` respondents counted in the estimate (the unweighted
  n: respondents with a score) is *suppressed*: value, SE, interval, n and design effect
  become None and ``suppressed`` holds the reason code ``"small_group"``; an empty group
  or one without any score gets ``"no_data"``. n is withheld too, so a table cannot be
  differenced back to a handful of people.
* **secondary suppression** (:func:`protect_breakdown`): a breakdown publishes its total
  beside its cells, so one suppressed cell is the total minus the others. Whenever the
  suppressed cells of a breakdown could be worked out that way, further cells are
  suppressed (``"complement"``) until none can; see :func:`protect_breakdown` for the
  rule and what an attacker is assumed to know.
* an estimate is kept but marked ``uncertain`` when its relative standard error is above
  ``max_rse`` (30%). For a share the RSE is taken of the smaller of p and 1 - p, so 0.95
  is as uncertain as 0.05; a share of exactly 0 or 1 is always uncertain (its interval is
  then the exact Clopper-Pearson one, see :mod:`surveys.weighting.estimation`). For means
  and indices RSE = SE / |estimate| (an estimate of exactly 0 has infinite RSE).
* a gap between two groups is suppressed when either group is, and uncertain when either
  estimate is. The RSE of the gap itself is not used: near a zero gap it is unbounded
  and would mark exactly the reassuring results.
* a change between waves is suppressed when either end is (:mod:`.trends`).

``DisclosureRules(min_n=0)`` turns suppression off (an empty group is still "no_data"),
e.g. for the analyst's own checks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .errors import IndicatorError

#: Reason codes for a suppressed figure.
SMALL_GROUP = "small_group"
NO_DATA = "no_data"
#: Suppressed so that no small group of the same breakdown can be worked out.
COMPLEMENT = "complement"
#: Changes whenever the rules give different figures for the same input (stored values
#: computed under an older version are recomputed).
RULES_VERSION = 2


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

    def uncertain(self, value: float | None, se: float | None, *, share: bool = False) -> bool:
        """RSE above ``max_rse``; for a share the RSE of min(p, 1 - p) (0 and 1 always count).

        For means and indices RSE = SE/|value|, and a value of 0 with SE > 0 counts.
        """
        if value is None or se is None or not math.isfinite(se):
            return False
        if share:
            smaller = min(value, 1.0 - value)
            return smaller <= 0 or se / smaller > self.max_rse
        if value == 0:
            return se > 0
        return se / abs(value) > self.max_rse


# --------------------------------------------------------------------------------------
# Secondary suppression
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One cell of a breakdown (or its total) as the suppression rule sees it.

    ``n`` is the unweighted count the figure rests on. ``low`` and ``high`` count the
    respondents at the bottom and at the top of the value range (a share's "no" and
    "yes"; for a mean, those with the lowest and the highest score); leave them None when
    the figure is a count without a value.
    """

    n: int
    low: int | None = None
    high: int | None = None


@dataclass(frozen=True)
class Protection:
    """The outcome of :func:`protect_breakdown`."""

    #: Per cell: None (may be published), ``SMALL_GROUP`` or ``COMPLEMENT``.
    reasons: tuple[str | None, ...]
    #: True when every non-empty cell is suppressed and the small cells' n can still be
    #: worked out by someone who knows m (a single non-empty cell, or cells of one
    #: respondent each). Their values cannot.
    exposed_counts: bool = False

    def suppressed(self, k: int) -> bool:
        """True when cell k must not be published."""
        return self.reasons[k] is not None


def protect_breakdown(total: Cell, cells: Sequence[Cell], min_n: int) -> Protection:
    """Which cells of one breakdown to suppress so that no small cell can be worked out.

    A breakdown is a total (the whole population, or everyone who answered) and the cells
    of one grouping of it; respondents without a group make the cells sum to less than the
    total (m = total.n - sum of the cells' n). Cells with 0 < n < ``min_n`` are suppressed
    (``SMALL_GROUP``). An empty cell (n = 0) is published as empty.

    **What the attacker is assumed to know**: the total's n and value, every published
    cell's n and value, m (conservatively, as if published), the reason code of every
    suppressed cell and this rule. A ``SMALL_GROUP`` cell then has 1 <= n <= min_n - 1,
    a ``COMPLEMENT`` cell 1 <= n <= total.n. From the total the attacker gets

        sum of the suppressed cells' n = total.n - m - sum of the published cells' n,
        their values together with the m ungrouped respondents' (total minus published,
        with weights or as n * p for a share),

    so a suppressed cell's n is *recoverable* when these bounds and that sum leave it one
    value, and its value when every suppressed respondent (and every ungrouped one) is at
    the same end of the value range (all "yes" or all "no"). With n not recoverable and
    the suppressed values not all at one end, neither a cell's count of "yes" nor its
    share is (the proof is a two-line interval argument: the count of "yes" of cell j
    ranges over [max(0, Y - R + n_j_min), min(n_j_max, Y)] for Y "yes" among R hidden).

    **The rule**: if the small cells are safe on their own, they stay ``SMALL_GROUP``
    (e.g. several small cells whose sum leaves each of them many values). Otherwise every
    suppressed cell of the breakdown is labelled ``COMPLEMENT``, so that small and large
    suppressed cells cannot be told apart, and published cells are added, the smallest one
    that makes the breakdown safe first (else the smallest, and again), until it is safe.
    The total is never the complement (it is shared by every grouping of the estimate,
    and another grouping could give it back). So when every non-empty cell is suppressed
    and a small cell's n is still recoverable (a single non-empty cell, or cells of one
    respondent each), that n stays recoverable for someone who knows m, and
    ``exposed_counts`` says so; the values are protected all the same.

    When the total itself is all "yes" (or all "no"), every cell's value follows from it
    whatever is suppressed; the rule then protects the cells' n only.

    Each breakdown is protected on its own: the same group's n in another indicator (or
    wave) can differ by item non-response and is not linked here. The m respondents
    without a group are not a published group and are not protected as one: when every
    group is published, their combined value follows from the total.
    """
    if min_n <= 1 or not cells:
        return Protection(tuple(None for _ in cells))
    m = total.n - sum(c.n for c in cells)
    if m < 0:
        raise IndicatorError("cells_exceed_total", total=total.n, cells=[c.n for c in cells])
    primary = {k for k, c in enumerate(cells) if 0 < c.n < min_n}
    if not primary:
        return Protection(tuple(None for _ in cells))
    if total.n < min_n:  # the total is suppressed itself: nothing to subtract from
        return Protection(tuple(SMALL_GROUP if k in primary else None
                                for k in range(len(cells))))
    values = total.low is not None and total.high is not None and all(
        c.low is not None and c.high is not None for c in cells)
    extreme = values and (total.low == total.n or total.high == total.n)

    def safe(hidden: set[int], uniform: bool) -> bool:
        lo = {k: 1 for k in hidden}
        hi = {k: (total.n if uniform else min_n - 1) for k in hidden}
        rest = sum(cells[k].n for k in hidden)
        sum_lo, sum_hi = sum(lo.values()), sum(hi.values())
        for k in hidden:
            low = max(lo[k], rest - (sum_hi - hi[k]))
            high = min(hi[k], rest - (sum_lo - lo[k]))
            if high <= low:
                return False
        if values and not extreme:
            together = rest + m
            yes = total.high - sum(c.high for k, c in enumerate(cells) if k not in hidden)
            no = total.low - sum(c.low for k, c in enumerate(cells) if k not in hidden)
            if yes >= together or no >= together:
                return False
        return True

    hidden = set(primary)
    if safe(hidden, uniform=False):
        return Protection(tuple(SMALL_GROUP if k in hidden else None for k in range(len(cells))))
    while not safe(hidden, uniform=True):
        candidates = sorted((k for k, c in enumerate(cells) if k not in hidden and c.n >= min_n),
                            key=lambda k: (cells[k].n, k))
        if not candidates:
            return Protection(tuple(COMPLEMENT if k in hidden or cells[k].n > 0 else None
                                    for k in range(len(cells))), exposed_counts=True)
        hidden.add(next((k for k in candidates if safe(hidden | {k}, uniform=True)),
                        candidates[0]))
    return Protection(tuple(COMPLEMENT if k in hidden else None for k in range(len(cells))))


def protect_table(counts: Sequence[Sequence[int]], min_n: int
                  ) -> tuple[list[list[str | None]], list[str | None]]:
    """Which counts of a two-way table (rows × columns) and of its row totals to suppress.

    The table is, e.g., the representation monitor's categories × response languages: each
    cell a count, each row's total published beside it, and the column totals and the grand
    total taken as known (conservatively: they may be shown elsewhere). Counts with
    0 < n < ``min_n`` are ``SMALL_GROUP``. Then, line by line until nothing changes (every
    row with its total, every column, and the row totals against the grand total): if a
    suppressed count of the line, or a suppressed row total, could be worked out from the
    line's sum and its published counts, the line's smallest published non-empty count is
    suppressed as well (``COMPLEMENT``). The attacker is assumed to know the labels: a
    ``SMALL_GROUP`` count lies in 1..min_n-1, a ``COMPLEMENT`` count in min_n..grand total.

    This protects every line on its own, as statistical offices' line rule does; it does
    not solve the linear system across lines. Returns (reasons per cell, reasons per row
    total), each None where the count may be published.
    """
    rows = [list(map(int, row)) for row in counts]
    width = len(rows[0]) if rows else 0
    n = {("cell", i, j): rows[i][j] for i in range(len(rows)) for j in range(width)}
    n.update({("row", i): sum(rows[i]) for i in range(len(rows))})
    grand = sum(n[("row", i)] for i in range(len(rows)))
    reasons: dict[tuple, str] = {key: SMALL_GROUP for key, count in n.items()
                                 if 0 < count < min_n}
    # each line: the counts that add up, and the row total they add up to (None: known)
    lines = [([("cell", i, j) for j in range(width)], ("row", i)) for i in range(len(rows))]
    lines += [([("cell", i, j) for i in range(len(rows))], None) for j in range(width)]
    lines.append(([("row", i) for i in range(len(rows))], None))

    def bounds(key) -> tuple[int, int]:
        return (1, min_n - 1) if reasons[key] == SMALL_GROUP else (min_n, grand)

    changed = True
    while changed:
        changed = False
        for members, total_key in lines:
            if line_gives_away(members, total_key, n, reasons, bounds):
                candidates = sorted((n[key], key) for key in members
                                    if key not in reasons and n[key] > 0)
                if candidates:  # none left: every non-empty count of the line is withheld
                    reasons[candidates[0][1]] = COMPLEMENT
                    changed = True
    return ([[reasons.get(("cell", i, j)) for j in range(width)] for i in range(len(rows))],
            [reasons.get(("row", i)) for i in range(len(rows))])


def line_gives_away(members, total_key, n, reasons, bounds) -> bool:
    """True when one withheld count of a line follows from the others: the line says
    sum(members) = total, the total known unless it is `total_key` and withheld."""
    terms = [(key, 1) for key in members]
    if total_key is not None:
        terms.append((total_key, -1))
    hidden = [(key, sign) for key, sign in terms if key in reasons]
    if not hidden:
        return False
    known = sum(sign * n[key] for key, sign in terms if key not in reasons)
    if total_key is None:
        known -= sum(n[key] for key in members)  # the known sum of the line
    # the hidden terms satisfy sum(sign * x) = -known
    for key, sign in hidden:
        low_rest = sum(sign_o * (bounds(o)[0] if sign_o > 0 else bounds(o)[1])
                       for o, sign_o in hidden if o != key)
        high_rest = sum(sign_o * (bounds(o)[1] if sign_o > 0 else bounds(o)[0])
                        for o, sign_o in hidden if o != key)
        # sign * x = -known - rest
        ends = sorted((sign * (-known - low_rest), sign * (-known - high_rest)))
        low, high = max(bounds(key)[0], ends[0]), min(bounds(key)[1], ends[1])
        if high <= low:
            return True
    return False
