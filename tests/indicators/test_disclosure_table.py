"""Two-way tables (categories × languages with category totals): no withheld count can be
worked out from a line's sum and its published counts."""

from __future__ import annotations

from itertools import product

from hypothesis import given, settings
from hypothesis import strategies as st

from surveys.indicators.disclosure import (
    COMPLEMENT,
    SMALL_GROUP,
    line_gives_away,
    protect_table,
)

MIN_N = 10


def test_one_small_category_takes_the_smallest_other_with_it():
    cells, totals = protect_table([[11, 0], [2, 1], [30, 4]], MIN_N)
    assert totals == [COMPLEMENT, SMALL_GROUP, None]  # of 11 + 3 + 34, 11 hides the 3
    assert cells[1] == [SMALL_GROUP, SMALL_GROUP]
    # the row of 34 hides its 4 with its 30; the row of 11, withheld, with its 11 (else
    # 11 + 0 would give its total back)
    assert cells[2] == [COMPLEMENT, SMALL_GROUP] and cells[0] == [COMPLEMENT, None]


def test_a_table_without_small_counts_is_published_whole():
    assert protect_table([[12, 15], [40, 0]], MIN_N) == ([[None, None], [None, None]],
                                                         [None, None])


def brute_force_gives_away(values, signs, hidden, labels, grand):
    """Enumerate every value the withheld counts could take: does any have only one?"""
    known = sum(s * v for v, s, h in zip(values, signs, hidden, strict=True) if not h)
    ranges = [range(1, MIN_N) if label == SMALL_GROUP else range(MIN_N, grand + 1)
              for label, h in zip(labels, hidden, strict=True) if h]
    hidden_signs = [s for s, h in zip(signs, hidden, strict=True) if h]
    seen = [set() for _ in ranges]
    for guess in product(*ranges):
        if sum(s * g for s, g in zip(hidden_signs, guess, strict=True)) == -known:
            for k, g in enumerate(guess):
                seen[k].add(g)
    return any(len(s) == 1 for s in seen)


lines = st.lists(st.tuples(st.integers(0, 15), st.sampled_from([None, SMALL_GROUP, COMPLEMENT])),
                 min_size=1, max_size=2)


@settings(max_examples=300, deadline=None)
@given(lines, st.booleans())
def test_a_line_gives_away_exactly_when_enumeration_finds_a_single_value(members, with_total):
    members = [(max(n, 1) if why == SMALL_GROUP else n, why) for n, why in members]
    members = [(min(n, MIN_N - 1) if why == SMALL_GROUP else max(n, MIN_N) if why else n, why)
               for n, why in members]
    keys = [("cell", 0, j) for j in range(len(members))]
    n = {key: count for key, (count, _) in zip(keys, members, strict=True)}
    reasons = {key: why for key, (_, why) in zip(keys, members, strict=True) if why}
    total_key = None
    if with_total:
        total_key = ("row", 0)
        n[total_key] = sum(n.values())
        reasons[total_key] = SMALL_GROUP if n[total_key] < MIN_N else COMPLEMENT
        if n[total_key] == 0:
            return
    grand = max(n.values()) + 5  # the grand total bounds a complement count

    def bounds(key):
        return (1, MIN_N - 1) if reasons[key] == SMALL_GROUP else (MIN_N, grand)

    got = line_gives_away(keys, total_key, n, reasons, bounds)
    order = keys + ([total_key] if total_key else [])
    values = [n[k] for k in order]
    signs = [1] * len(keys) + ([-1] if total_key else [])
    hidden = [k in reasons for k in order]
    labels = [reasons.get(k) for k in order]
    if not any(hidden):
        assert got is False
        return
    if total_key is None:  # the line's sum is known: a published "total" of sign -1
        values, signs, hidden, labels = (values + [sum(values)], signs + [-1], hidden + [False],
                                         labels + [None])
    assert got == brute_force_gives_away(values, signs, hidden, labels, grand)


tables = st.integers(1, 5).flatmap(lambda rows: st.integers(1, 4).flatmap(
    lambda cols: st.lists(st.lists(st.integers(0, 40), min_size=cols, max_size=cols),
                          min_size=rows, max_size=rows)))


@settings(max_examples=300, deadline=None)
@given(tables)
def test_no_withheld_count_follows_from_any_line_of_a_protected_table(table):
    cells, totals = protect_table(table, MIN_N)
    rows, cols = len(table), len(table[0])
    n = {("cell", i, j): table[i][j] for i in range(rows) for j in range(cols)}
    n.update({("row", i): sum(table[i]) for i in range(rows)})
    reasons = {("cell", i, j): cells[i][j] for i in range(rows) for j in range(cols)
               if cells[i][j]}
    reasons.update({("row", i): totals[i] for i in range(rows) if totals[i]})
    # small counts are always withheld, empty ones never
    assert all((why == SMALL_GROUP) == (0 < n[key] < MIN_N) for key, why in reasons.items()
               if why != COMPLEMENT)
    assert all(key in reasons for key, count in n.items() if 0 < count < MIN_N)
    assert all(n[key] > 0 for key in reasons)
    grand = sum(sum(r) for r in table)

    def bounds(key):
        return (1, MIN_N - 1) if reasons[key] == SMALL_GROUP else (MIN_N, grand)

    lines = [([("cell", i, j) for j in range(cols)], ("row", i)) for i in range(rows)]
    lines += [([("cell", i, j) for i in range(rows)], None) for j in range(cols)]
    lines.append(([("row", i) for i in range(rows)], None))
    for members, total_key in lines:
        exposed = all(key in reasons or n[key] == 0 for key in members)
        assert exposed or not line_gives_away(members, total_key, n, reasons, bounds), (
            table, cells, totals)
