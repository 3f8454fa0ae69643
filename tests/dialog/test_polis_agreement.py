"""Our opinion groups and consensus on three real Pol.is conversations, against Pol.is' own.

Measured with the defaults (the analysis is deterministic) and asserted with a margin:

| conversation | grouped (ours = Pol.is) | k ours / Pol.is | ARI | consensus rho |
|---|---|---|---|---|
| 15-per-hour-seattle | 138 = 138 | 2 / 2 | 1.000 | 1.000 |
| brexit-consensus | 189 of Pol.is' 197 | 2 / 2 | 0.876 | 0.999 |
| london.youth.policing | 24 = 24 | 2 / 3 | -0.019 | 0.887 |

Median ARI 0.876 (the analysis before Pol.is' base clusters, moderation and k smoother:
0.584 / 0.636 / 0.178). Why the floors are where they are:

* seattle: with Pol.is' handling of its 23 moderated-out statements (passes of everyone)
  and its base-cluster k-means, our groups are Pol.is' own. Floor 0.95.
* brexit: the export is from a later vote state than Pol.is' clustering (8 grouped
  participants now have fewer than 7 votes); three groups win the silhouette today (0.42
  against 0.39 for two) but did not win the earlier updates, so the smoother keeps two, as
  Pol.is did. Floor 0.85.
* london: 24 participants. Pol.is' three groups have a silhouette of 0.11 in our plane and
  k-means in the full vote space matches them only at ARI 0.24: no split of these
  positions reproduces them. Not asserted beyond the median and |k - Pol.is' k| <= 1.
* Stability: two random 90 % subsets of the participants, five seeds. seattle 0.63-1.00
  (median 0.93; before: 0.25-0.28), brexit 0.27-0.97 (median 0.83). Floor: median 0.8.
* Consensus: the reference is Pol.is' group-aware consensus computed with Pol.is' groups
  from participants-votes.csv. Where our groups are Pol.is' the ranks agree at rho >= 0.99
  (floor 0.98); in london, with two groups for Pol.is' three, at 0.887 (floor 0.85).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.dialog.polis_reference import (
    CONVERSATIONS,
    REPORTED,
    Agreement,
    agreement,
    conversation,
    resampled_agreement,
)

ARI_FLOOR = {"15-per-hour-seattle": 0.95, "brexit-consensus": 0.85}
MEDIAN_ARI_FLOOR = 0.85
RHO_FLOOR = {"15-per-hour-seattle": 0.98, "brexit-consensus": 0.98,
             "london.youth.policing": 0.85}
STABILITY_FLOOR = 0.8


def measured(name: str) -> Agreement:
    REPORTED[name] = agreement(name)[0]
    return REPORTED[name]


@pytest.mark.parametrize("name", sorted(ARI_FLOOR))
def test_our_groups_agree_with_pol_is_groups(name: str) -> None:
    a = measured(name)
    assert a.ari >= ARI_FLOOR[name], a.row()


def test_the_median_agreement_over_the_three_conversations() -> None:
    assert np.median([measured(name).ari for name in CONVERSATIONS]) >= MEDIAN_ARI_FLOOR


@pytest.mark.parametrize("name", ["15-per-hour-seattle", "brexit-consensus"])
def test_groups_agree_with_themselves_when_a_tenth_of_the_participants_leave(name) -> None:
    scores = [resampled_agreement(name, seed) for seed in range(5)]
    assert np.median(scores) >= STABILITY_FLOOR, scores


@pytest.mark.parametrize("name", CONVERSATIONS)
def test_our_consensus_ranking_agrees_with_pol_is_group_aware_consensus(name: str) -> None:
    a = measured(name)
    assert a.consensus_rho >= RHO_FLOOR[name], a.row()


@pytest.mark.parametrize("name", ["15-per-hour-seattle", "london.youth.policing"])
def test_we_group_exactly_the_participants_pol_is_grouped(name: str) -> None:
    a = measured(name)
    assert a.ours_grouped == a.polis_grouped == a.both_grouped


def test_in_brexit_we_group_pol_is_participants_except_those_now_below_seven_votes() -> None:
    a = measured("brexit-consensus")
    assert a.both_grouped == a.ours_grouped == a.polis_grouped - 8


def test_the_number_of_groups_matches_pol_is_where_the_silhouette_is_clear() -> None:
    assert measured("15-per-hour-seattle").our_k == measured("brexit-consensus").our_k == 2
    for name in CONVERSATIONS:
        assert abs(measured(name).our_k - measured(name).polis_k) <= 1


def test_brexit_keeps_two_groups_because_three_won_only_the_last_update() -> None:
    _, result = agreement("brexit-consensus")
    history = result.parameters["best_k_by_update"]
    assert history[-1] == 3 and history != [3, 3, 3, 3]
    assert result.k == 2


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
