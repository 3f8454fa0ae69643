"""Our opinion groups and consensus on three real Pol.is conversations, against Pol.is' own.

Measured with the defaults (seed 0; the same for seeds 0-19) and asserted with a margin:

| conversation | grouped (ours = Pol.is) | k ours / Pol.is | ARI | consensus rho |
|---|---|---|---|---|
| 15-per-hour-seattle | 138 = 138 | 2 / 2 | 0.584 (Pol.is mode 0.856) | 0.955 |
| brexit-consensus | 189 of Pol.is' 197 | 3 / 2 | 0.636 | 0.983 |
| london.youth.policing | 24 = 24 | 4 / 3 | 0.178 | 0.922 |

Why the floors are where they are:

* seattle: 23 of 54 statements were moderated out. Pol.is zeroes them, so they count as
  passes in its projection scaling; dropping them (our default) spreads out the
  participants with few votes and moves 16 of 138 people. With
  ``moderated_out_as_pass=True`` ARI is 0.856-0.884 over seeds. Floors 0.5 and 0.8.
* brexit: the export is from a later vote state than Pol.is' clustering (8 grouped
  participants now have fewer than 7 votes), and on today's votes the silhouette prefers
  three groups (0.436 against 0.426 for two); our third group takes 26 members of Pol.is'
  group 1 and 9 of its group 0 (at k = 2 the ARI would be 0.876).
  Floor 0.5.
* london: 24 participants. Pol.is' groups have a silhouette of 0.11 in our plane, and even
  k-means in the full vote space matches them only at ARI 0.24, so no method can be
  expected to reproduce them; the k = 3 / k = 4 silhouettes differ by 0.001. Floor 0.1
  (better than chance). What we do assert everywhere: at Pol.is' k our k-means partition
  is at least as compact as Pol.is' own in the same plane, so the differences are not a
  failure of our optimisation.
* Consensus: the reference is Pol.is' group-aware consensus computed with Pol.is' groups
  from participants-votes.csv; ranks agree at rho >= 0.92 in all three. Floor 0.9.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dialog.opinion import kmeans
from tests.dialog.polis_reference import (
    CONVERSATIONS,
    REPORTED,
    Agreement,
    agreement,
    conversation,
    polis_table,
    within_sum_of_squares,
)

ARI_FLOOR = {"15-per-hour-seattle": 0.5, "brexit-consensus": 0.5, "london.youth.policing": 0.1}
RHO_FLOOR = 0.9


def measured(name: str, mode: str = "default") -> Agreement:
    if (name, mode) not in REPORTED:
        options = {"moderated_out_as_pass": True} if mode == "polis" else {}
        REPORTED[(name, mode)], _ = agreement(name, **options)
    return REPORTED[(name, mode)]


@pytest.mark.parametrize("name", CONVERSATIONS)
def test_our_groups_agree_with_pol_is_groups(name: str) -> None:
    a = measured(name)
    print(a.row())
    assert a.ari >= ARI_FLOOR[name], a.row()


@pytest.mark.parametrize("name", CONVERSATIONS)
def test_our_consensus_ranking_agrees_with_pol_is_group_aware_consensus(name: str) -> None:
    a = measured(name)
    assert a.consensus_rho >= RHO_FLOOR, a.row()


def test_pol_is_compatible_moderation_brings_seattle_close_to_pol_is() -> None:
    default, polis = measured("15-per-hour-seattle"), measured("15-per-hour-seattle", "polis")
    assert polis.ari >= 0.8 > default.ari
    assert polis.our_k == default.our_k == polis.polis_k == 2
    # Conversations without moderated-out votes are unaffected by the option.
    for name in ("brexit-consensus", "london.youth.policing"):
        assert measured(name, "polis").ari == measured(name).ari


@pytest.mark.parametrize("name", ["15-per-hour-seattle", "london.youth.policing"])
def test_we_group_exactly_the_participants_pol_is_grouped(name: str) -> None:
    a = measured(name)
    assert a.ours_grouped == a.polis_grouped == a.both_grouped


def test_in_brexit_we_group_pol_is_participants_except_those_now_below_seven_votes() -> None:
    a = measured("brexit-consensus")
    assert a.both_grouped == a.ours_grouped == a.polis_grouped - 8


def test_the_number_of_groups_matches_pol_is_where_the_silhouette_is_clear() -> None:
    assert measured("15-per-hour-seattle").our_k == 2
    for name in CONVERSATIONS:
        assert abs(measured(name).our_k - measured(name).polis_k) <= 1


@pytest.mark.parametrize("name", CONVERSATIONS)
def test_at_pol_is_k_our_partition_is_at_least_as_compact_as_pol_is(name: str) -> None:
    _, result = agreement(name)
    _, polis = polis_table(name)
    grouped = result.projection["in_conversation"] & polis.reindex(result.projection.index).notna()
    points = result.projection.loc[grouped, ["x", "y"]].to_numpy()
    theirs = polis.reindex(result.projection.index)[grouped].astype(int).to_numpy()
    k = len(np.unique(theirs))
    ours, _, _ = kmeans(points, k, rng=np.random.default_rng(0))
    assert within_sum_of_squares(points, ours) <= within_sum_of_squares(points, theirs) + 1e-9


def test_moderated_out_statements_never_appear_in_the_results() -> None:
    conv = conversation("15-per-hour-seattle")
    _, result = agreement("15-per-hour-seattle")
    hidden = set(conv.moderated_out)
    assert hidden <= set(result.excluded_statements)
    shown = {c.statement for c in result.consensus} | {d.statement for d in result.divisive}
    shown |= {r.statement for g in result.groups for r in g.representative}
    assert not shown & hidden
    assert all(g.representative for g in result.groups)


def test_representative_statements_in_seattle_read_as_two_camps() -> None:
    conv = conversation("15-per-hour-seattle")
    _, result = agreement("15-per-hour-seattle")
    table = pd.DataFrame([{"group": g.id, "statement": r.statement, "direction": r.direction,
                           "significant": r.significant} for g in result.groups
                          for r in g.representative])
    assert table["significant"].all()
    # The two groups' most representative statements differ: distinct camps, not one crowd.
    first = {g.id: g.representative[0].statement for g in result.groups}
    assert first[0] != first[1]
    assert all(conv.statements[s].moderated != -1 for s in table["statement"])
