"""Opinion groups on dialogues whose answer we know: planted groups, planted statements."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from dialog.opinion import (
    Z_90,
    OpinionInputError,
    adjusted_rand_index,
    analyse,
    kmeans,
    prop_test,
    two_prop_test,
)

GROUP_SIZES = (30, 20, 14)
BLOCK = 6  # statements planted per group


def planted_dialogue(seed: int = 7, sizes: tuple[int, ...] = GROUP_SIZES, seen: float = 0.85,
                     few_votes: int = 4) -> tuple[pd.DataFrame, pd.Series]:
    """A dialogue with known groups.

    Statements ``BLOCK*g .. BLOCK*g+5`` are group g's own: its members agree (90 %), all
    others disagree (90 %). The last ``BLOCK`` statements everyone agrees with (consensus).
    ``few_votes`` extra participants see only three statements. Returns (votes, planted
    group per participant; NaN for the few-votes ones).
    """
    rng = np.random.default_rng(seed)
    k = len(sizes)
    m = BLOCK * (k + 1)
    agree = np.full((k, m), 0.05)
    for g in range(k):
        agree[g, BLOCK * g: BLOCK * (g + 1)] = 0.9
    agree[:, BLOCK * k:] = 0.9
    rows, truth = [], []
    for g, size in enumerate(sizes):
        for _ in range(size):
            u = rng.random(m)
            # 90 % in the planted direction, 5 % pass, the rest the other way.
            vote = np.where(u < agree[g], 1.0, np.where(u < agree[g] + 0.05, 0.0, -1.0))
            vote[rng.random(m) > seen] = np.nan
            rows.append(vote)
            truth.append(g)
    for _ in range(few_votes):
        vote = np.full(m, np.nan)
        vote[rng.choice(m, 3, replace=False)] = 1.0
        rows.append(vote)
        truth.append(np.nan)
    ids = [f"p{i:03d}" for i in range(len(rows))]
    statements = [f"s{j:02d}" for j in range(m)]
    return (pd.DataFrame(rows, index=ids, columns=statements),
            pd.Series(truth, index=ids, dtype=float))


@pytest.fixture(scope="module")
def dialogue() -> tuple[pd.DataFrame, pd.Series]:
    return planted_dialogue()


def planted_group_of(result, truth: pd.Series) -> dict[int, int]:
    """Our group id -> planted group id (by majority)."""
    ours = pd.Series(result.participant_groups, dtype=object)
    grouped = truth.notna()
    table = pd.crosstab(ours[grouped].astype(int), truth[grouped].astype(int))
    return {int(g): int(table.loc[g].idxmax()) for g in table.index}


def test_three_planted_opinion_groups_are_recovered(dialogue) -> None:
    votes, truth = dialogue
    result = analyse(votes)
    assert result.status == "ok" and result.k == 3
    grouped = truth.notna()
    ours = pd.Series(result.participant_groups, dtype=object)[grouped].astype(int)
    ari = adjusted_rand_index(ours.tolist(), truth[grouped].astype(int).tolist())
    assert ari == pytest.approx(1.0)
    assert result.group_sizes == {0: 30, 1: 20, 2: 14}   # numbered by size
    assert max(result.silhouettes, key=result.silhouettes.get) == 3


def test_participants_with_too_few_votes_have_no_group(dialogue) -> None:
    votes, truth = dialogue
    result = analyse(votes)
    for participant in truth.index[truth.isna()]:
        assert result.group_of(participant) is None
    assert result.n_in_conversation == truth.notna().sum()
    # Lowering the bar to three votes brings them in.
    assert analyse(votes, min_votes=3).n_in_conversation == len(votes)


def test_with_fewer_statements_than_the_bar_all_of_them_are_needed() -> None:
    rng = np.random.default_rng(3)
    full = rng.choice([-1.0, 1.0], size=(16, 3))
    short = np.array([[1.0, -1.0, np.nan], [np.nan, 1.0, 1.0]])
    votes = pd.DataFrame(np.vstack([full, short]), columns=list("abc"),
                         index=[f"p{i}" for i in range(18)])
    result = analyse(votes)
    assert result.parameters["vote_threshold"] == 3
    assert [result.group_of(p) is None for p in votes.index] == [False] * 16 + [True, True]
    # A statement just added, that nobody has seen yet, does not raise the bar.
    votes["d"] = np.nan
    assert analyse(votes).parameters["vote_threshold"] == 3


def test_participants_below_the_bar_stay_ungrouped_even_in_a_small_evening(dialogue) -> None:
    votes, _ = dialogue
    # Pol.is would top 12 up to 15 with the most active voters; we leave them out.
    few = pd.DataFrame(np.nan, index=[f"q{i}" for i in range(3)], columns=votes.columns)
    few.iloc[:, :5] = 1.0
    result = analyse(pd.concat([votes.iloc[:12], few]))
    assert result.n_in_conversation == 12
    assert all(result.group_of(p) is None for p in few.index)


def test_the_same_votes_always_give_the_same_result(dialogue) -> None:
    votes, _ = dialogue
    first, second = analyse(votes), analyse(votes.copy())
    assert json.dumps(first.to_dict(), sort_keys=True) == json.dumps(second.to_dict(),
                                                                     sort_keys=True)


def test_clear_groups_do_not_depend_on_the_order_of_rows_or_columns(dialogue) -> None:
    # k-means starts from the first positions (as in Pol.is), so row order can matter when
    # groups are close; planted camps this far apart come out the same in any order.
    votes, _ = dialogue
    base = analyse(votes)
    rng = np.random.default_rng(1)
    shuffled = votes.iloc[rng.permutation(len(votes)), rng.permutation(votes.shape[1])]
    other = analyse(shuffled)
    ids = list(votes.index)
    a = [base.group_of(p) for p in ids]
    b = [other.group_of(p) for p in ids]
    assert adjusted_rand_index([str(x) for x in a], [str(x) for x in b]) == 1.0
    assert base.group_sizes == other.group_sizes


def test_each_group_is_represented_by_the_statements_planted_for_it(dialogue) -> None:
    votes, truth = dialogue
    result = analyse(votes)
    planted = planted_group_of(result, truth)
    for group in result.groups:
        g = planted[group.id]
        own = {f"s{j:02d}" for j in range(BLOCK * g, BLOCK * (g + 1))}
        reps = group.representative
        assert len(reps) == 5
        assert {r.statement for r in reps} <= own
        assert all(r.direction == "agree" and r.significant for r in reps)
        assert [r.metric for r in reps] == sorted((r.metric for r in reps), reverse=True)


def test_representative_statistics_follow_the_pol_is_formulas(dialogue) -> None:
    votes, _ = dialogue
    result = analyse(votes)
    counts = result.group_votes.set_index(["group", "statement"])
    for group in result.groups:
        for r in group.representative:
            column = "agree" if r.direction == "agree" else "disagree"
            mine = counts.loc[(group.id, r.statement)]
            rest = counts.xs(r.statement, level="statement").drop(index=group.id).sum()
            assert (r.n_success, r.n_trials) == (mine[column], mine["seen"])
            p = (1 + mine[column]) / (2 + mine["seen"])
            p_rest = (1 + rest[column]) / (2 + rest["seen"])
            assert r.probability == pytest.approx(p)
            assert r.probability_rest == pytest.approx(p_rest)
            assert r.repness == pytest.approx(p / p_rest)
            assert r.probability_z == pytest.approx(
                2 * np.sqrt(mine["seen"] + 1) * ((mine[column] + 1) / (mine["seen"] + 1) - 0.5))
            assert r.repness_z > Z_90 and r.probability_z > Z_90


def test_pol_is_z_statistics_on_hand_computed_counts() -> None:
    # 8 of 10 agree in the group, 2 of 10 outside.
    assert prop_test(np.array(8.0), np.array(10.0)) == pytest.approx(
        2 * np.sqrt(11) * (9 / 11 - 0.5))
    q1, q2, q = 9 / 11, 3 / 11, 12 / 22
    expected = (q1 - q2) / np.sqrt(q * (1 - q) * (2 / 11))
    assert two_prop_test(np.array(8.0), np.array(2.0), np.array(10.0), np.array(10.0)) == (
        pytest.approx(expected))
    assert expected == pytest.approx(2.569, abs=1e-3)
    # Everyone agrees everywhere: no difference, z = 0 (Pol.is' convention).
    assert two_prop_test(np.array(5.0), np.array(5.0), np.array(5.0), np.array(5.0)) == 0.0


def test_statements_everyone_agrees_with_top_the_consensus_ranking(dialogue) -> None:
    votes, _ = dialogue
    result = analyse(votes)
    shared = {f"s{j:02d}" for j in range(BLOCK * 3, BLOCK * 4)}
    top = [c.statement for c in result.consensus[:BLOCK]]
    assert set(top) == shared
    assert [c.rank for c in result.consensus] == list(range(1, votes.shape[1] + 1))
    first = result.consensus[0]
    assert first.score == pytest.approx(np.prod(list(first.agree_probability.values())))


def test_group_informed_consensus_equals_an_independent_computation(dialogue) -> None:
    votes, _ = dialogue
    result = analyse(votes)
    groups = pd.Series(result.participant_groups, dtype=object)
    members = groups.notna()
    by = groups[members].astype(int)
    agree = votes[members].eq(1).groupby(by).sum()
    seen = votes[members].notna().groupby(by).sum()
    reference = ((agree + 1) / (seen + 2)).prod(axis=0)
    ours = pd.Series({c.statement: c.score for c in result.consensus})
    pd.testing.assert_series_equal(ours[reference.index], reference, check_names=False)


def test_statements_that_split_the_groups_top_the_divisive_ranking(dialogue) -> None:
    votes, _ = dialogue
    result = analyse(votes)
    planted_own = {f"s{j:02d}" for j in range(BLOCK * 3)}
    top = [d.statement for d in result.divisive[: BLOCK * 3]]
    assert set(top) == planted_own
    for d in result.divisive:
        probs = d.agree_probability
        assert d.spread == pytest.approx(max(probs.values()) - min(probs.values()))
        assert probs[d.most_agreeing_group] == max(probs.values())


def test_a_moderated_out_statement_counts_as_participation_only(dialogue) -> None:
    votes, _ = dialogue
    hidden = ["s00", "s07"]
    result = analyse(votes, moderated_out=hidden)
    assert set(result.excluded_statements) == set(hidden)
    assert not set(hidden) & {c.statement for c in result.consensus}
    assert not set(hidden) & {r.statement for g in result.groups for r in g.representative}
    assert (result.projection["n_votes"] == votes.notna().sum(axis=1)).all()


def test_a_moderated_out_statement_counts_as_passed_by_everyone_in_the_scaling() -> None:
    votes, _ = planted_dialogue(seen=0.5)
    votes["spam"] = np.where(np.arange(len(votes)) % 4 == 0, -1.0, np.nan)
    hidden = analyse(votes, moderated_out=["spam"])
    without = analyse(votes.drop(columns=["spam"]))
    n = without.projection["n_votes"]
    m = votes.shape[1] - 1
    ratio = np.sqrt((m + 1) / (n + 1)) / np.sqrt(m / n)
    # Pol.is zeroes the column: same axes, positions differ by the ratio of the scalings.
    np.testing.assert_allclose(hidden.projection["x"], without.projection["x"] * ratio)
    np.testing.assert_allclose(hidden.projection["y"], without.projection["y"] * ratio)


def test_a_statement_nobody_voted_on_is_left_out() -> None:
    votes, _ = planted_dialogue()
    votes["new"] = np.nan
    result = analyse(votes)
    assert "new" in result.excluded_statements and "new" not in result.statements


def test_an_evening_with_two_people_does_not_fail() -> None:
    votes = pd.DataFrame([[1, 1, -1], [-1, -1, 1]], index=["a", "b"],
                         columns=["x", "y", "z"], dtype=float)
    result = analyse(votes)
    assert result.k == 2 and result.group_sizes == {0: 1, 1: 1}
    alone = analyse(votes.iloc[:1])
    assert alone.status == "too_few_participants" and alone.k == 0
    assert alone.groups == () and alone.divisive == ()
    # Consensus then pools everyone in conversation.
    assert alone.consensus[0].score == pytest.approx(2 / 3)


def test_everyone_voting_alike_gives_no_groups() -> None:
    votes = pd.DataFrame(np.ones((10, 8)), columns=[f"s{j}" for j in range(8)])
    result = analyse(votes)
    assert result.status == "no_differences" and result.k == 0
    assert set(result.participant_groups.values()) == {None}


def test_an_empty_dialogue_gives_an_empty_result() -> None:
    result = analyse(pd.DataFrame(index=pd.Index([], dtype=object)))
    assert result.status == "no_votes" and result.consensus == ()
    assert analyse(pd.DataFrame({"s": [np.nan, np.nan]})).status == "no_votes"


@pytest.mark.parametrize(("cell", "needle"), [(2, "not 1, -1, 0 or missing"),
                                               ("yes", "'yes'"), (0.5, "0.5")])
def test_values_that_are_not_votes_are_refused(cell, needle) -> None:
    votes = pd.DataFrame({"a": [1, -1, 0], "b": [1, 1, 1]}, index=["p", "q", "r"],
                         dtype=object)
    votes.loc["q", "b"] = cell
    with pytest.raises(OpinionInputError) as info:
        analyse(votes)
    assert needle in str(info.value)
    assert info.value.to_dict()["details"]["cells"][0]["participant"] == "q"


def test_other_bad_input_is_refused_clearly() -> None:
    with pytest.raises(OpinionInputError, match="DataFrame"):
        analyse([[1, 0]])  # type: ignore[arg-type]
    with pytest.raises(OpinionInputError, match="duplicate participant"):
        analyse(pd.DataFrame({"a": [1, -1]}, index=["p", "p"]))
    with pytest.raises(OpinionInputError, match="unknown statement"):
        analyse(pd.DataFrame({"a": [1, -1]}), moderated_out=["zzz"])
    with pytest.raises(OpinionInputError, match="max_k"):
        analyse(pd.DataFrame({"a": [1, -1]}), max_k=1)


def test_votes_in_a_nullable_integer_frame_are_accepted(dialogue) -> None:
    votes, _ = dialogue
    as_int = votes.astype("Int64")
    assert analyse(as_int).to_dict() == analyse(votes).to_dict()


def test_the_result_is_plain_json(dialogue) -> None:
    votes, _ = dialogue
    payload = analyse(votes).to_dict()
    text = json.dumps(payload)  # raises on NumPy or pandas objects
    again = json.loads(text)
    assert again["k"] == 3 and again["group_sizes"] == {"0": 30, "1": 20, "2": 14}
    assert {"participant": "p064", "group": None} in again["participant_groups"]
    assert len(again["projection"]) == len(votes)
    assert again["groups"][0]["representative"][0]["direction"] == "agree"


def test_the_statistics_import_without_flask_or_a_database() -> None:
    code = ("import sys, dialog.opinion, dialog.polis_import; "
            "print(sorted(m for m in ('flask', 'sqlalchemy', 'flask_babel') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_pol_is_k_means_drops_a_centre_left_without_points_and_weighs_means() -> None:
    points = np.array([[0.0, 0.0], [0.0, 1.0], [10.0, 0.0], [10.0, 1.0]])
    # The middle start centre loses both its candidates to the outer ones: two groups left.
    labels, centres = kmeans(points, np.array([[0.0, 0.5], [5.0, 0.5], [10.0, 0.5]]))
    assert labels.tolist() == [0, 0, 1, 1]
    np.testing.assert_allclose(centres, [[0.0, 0.5], [10.0, 0.5]])
    _, weighted = kmeans(points, points[[0, 2]], weights=np.array([3.0, 1.0, 1.0, 1.0]))
    np.testing.assert_allclose(weighted, [[0.0, 0.25], [10.0, 0.5]])


def test_the_power_iteration_finds_the_principal_axes(dialogue) -> None:
    votes, _ = dialogue
    result = analyse(votes)
    x = votes.to_numpy()
    means = np.nanmean(x, axis=0)
    centred = np.where(np.isnan(x), 0.0, x - means)
    _, sv, vt = np.linalg.svd(centred, full_matrices=False)
    scale = np.sqrt(x.shape[1] / (~np.isnan(x)).sum(axis=1))
    for axis, column in enumerate(("x", "y")):
        expected = centred @ vt[axis] * scale
        ours = result.projection[column].to_numpy()
        assert min(np.abs(ours - expected).max(), np.abs(ours + expected).max()) < 1e-6
    assert result.explained_variance[0] == pytest.approx(sv[0] ** 2 / (sv**2).sum())


def test_k_changes_from_two_only_when_it_won_the_last_four_updates(dialogue) -> None:
    votes, _ = dialogue
    result = analyse(votes)
    assert result.parameters["best_k_by_update"] == [3, 3, 3, 3] and result.k == 3
    # Two camps and a third that only came at the end: three won now, not before.
    late = planted_dialogue(sizes=(40, 40, 6), few_votes=0)[0]
    result = analyse(late)
    history = result.parameters["best_k_by_update"]
    assert history[-1] == 3 and set(history[:-1]) != {3}
    assert result.k == 2


def test_groups_are_stable_when_a_tenth_of_the_participants_leave(dialogue) -> None:
    votes, _ = dialogue
    rng = np.random.default_rng(5)
    for _ in range(3):
        a, b = (analyse(votes.iloc[np.sort(rng.choice(len(votes), 61, replace=False))])
                for _ in range(2))
        both = [p for p in votes.index if p in a.participant_groups and p in b.participant_groups
                and a.group_of(p) is not None and b.group_of(p) is not None]
        assert adjusted_rand_index([a.group_of(p) for p in both],
                                   [b.group_of(p) for p in both]) == 1.0
