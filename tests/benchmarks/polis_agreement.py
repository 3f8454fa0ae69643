"""Agreement of dialog.opinion with Pol.is on three real conversations (a script, not a test).

For each conversation in tests/data/polis (CC BY 4.0, The Computational Democracy Project;
see the README there): participants clustered (ours / Pol.is' / both), our k against
Pol.is' k, the adjusted Rand index of our groups against Pol.is' group-id column over the
participants both grouped, the Spearman rank correlation of our group-informed consensus
with the same consensus formula computed on Pol.is' groups (plus how many of the five most
consensual statements the two rankings share), and stability: the ARI between the groups
of two random 90 % subsets of the participants, for five seeds.

Run:  .venv/bin/python tests/benchmarks/polis_agreement.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.dialog.polis_reference import CONVERSATIONS, agreement, resampled_agreement


def main() -> None:
    header = (f"{'conversation':<24} {'clustered ours/polis/both':>26} {'k ours':>6} "
              f"{'k polis':>7} {'ARI':>6} {'cons. rho':>9} {'top5':>4} {'ms':>5}  "
              f"{'90 % subsets ARI (5 seeds)':<28} silhouette by k")
    print(header)
    print("-" * len(header))
    aris = []
    for name in CONVERSATIONS:
        start = time.perf_counter()
        a, _ = agreement(name)
        ms = (time.perf_counter() - start) * 1000
        aris.append(a.ari)
        stability = [resampled_agreement(name, seed) for seed in range(5)]
        clustered = f"{a.ours_grouped}/{a.polis_grouped}/{a.both_grouped} of {a.participants}"
        sil = " ".join(f"{k}:{s:.3f}" for k, s in a.silhouettes.items())
        stab = f"{min(stability):.2f}-{max(stability):.2f} (median {np.median(stability):.2f})"
        print(f"{a.name:<24} {clustered:>26} {a.our_k:>6} {a.polis_k:>7} {a.ari:>6.3f} "
              f"{a.consensus_rho:>9.3f} {a.consensus_top5_shared:>4} {ms:>5.0f}  "
              f"{stab:<28} {sil}")
    print(f"median ARI {np.median(aris):.3f}")


if __name__ == "__main__":
    main()
