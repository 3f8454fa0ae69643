"""The dialogue's breakdowns: group shares on a statement, group sizes and room counts."""

from __future__ import annotations

import pandas as pd

from dialog import disclosure


def votes(rows):
    return pd.DataFrame(rows, columns=["group", "statement", "agree", "disagree", "pass", "seen"])


def test_a_small_groups_share_takes_the_others_share_with_it() -> None:
    """Statement 7: 14 device votes in two groups, 2 on paper; group 1 saw it 4 times."""
    table = votes([(0, 7, 8, 2, 0, 10), (1, 7, 4, 0, 0, 4)])
    withheld = disclosure.group_shares(table, {7: (16, 13, 3)}, 5)
    assert withheld == {(g, 7, d): "complement" for g in (0, 1) for d in ("agree", "disagree")}


def test_paper_votes_do_not_stand_in_for_a_hidden_group() -> None:
    """Paper and ungrouped votes are counted as if known: they protect no group's share."""
    table = votes([(0, 3, 6, 6, 0, 12), (1, 3, 1, 1, 0, 2), (2, 3, 10, 10, 0, 20)])
    withheld = disclosure.group_shares(table, {3: (60, 30, 30)}, 5)
    assert withheld[(1, 3, "agree")] == "complement"
    assert withheld[(0, 3, "agree")] == "complement"  # the smallest other group
    assert (2, 3, "agree") not in withheld


def test_unpublished_statements_and_large_groups_are_left_alone() -> None:
    table = votes([(0, 1, 5, 5, 0, 10), (1, 1, 3, 3, 0, 6), (0, 2, 1, 1, 0, 2)])
    assert disclosure.group_shares(table, {1: (16, 8, 8)}, 5) == {}


def test_counts_of_a_breakdown() -> None:
    assert disclosure.counts(12, [6, 5, 1, 0], 5) == (None, "complement", "complement", None)
    assert disclosure.counts(12, [6, 6], 5) == (None, None)
    assert disclosure.counts(3, [2, 1], 5) == ("small_group", "small_group")
