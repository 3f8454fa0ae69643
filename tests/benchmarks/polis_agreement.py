"""Agreement of dialog.opinion with Pol.is on three real conversations (a script, not a test).

For each conversation in tests/data/polis (CC BY 4.0, The Computational Democracy Project;
see the README there): participants clustered (ours / Pol.is' / both), our k against
Pol.is' k, the adjusted Rand index of our groups against Pol.is' group-id column over the
participants both grouped, and the Spearman rank correlation of our group-informed
consensus with the same consensus formula computed on Pol.is' groups (plus how many of the
five most consensual statements the two rankings share).

Two rows per conversation: our default (moderated-out statements dropped) and Pol.is
compatibility (``moderated_out_as_pass=True``, what Pol.is' zero-out-columns does); they
differ only where a conversation has moderated-out statements with votes (seattle).

Run:  .venv/bin/python tests/benchmarks/polis_agreement.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.dialog.polis_reference import CONVERSATIONS, agreement


def main() -> None:
    header = (f"{'conversation':<24} {'mode':<7} {'clustered ours/polis/both':>26} "
              f"{'k ours':>6} {'k polis':>7} {'ARI':>6} {'cons. rho':>9} {'top5':>4} "
              f"{'ms':>5}  silhouette by k")
    print(header)
    print("-" * len(header))
    for name in CONVERSATIONS:
        for mode, options in (("default", {}), ("polis", {"moderated_out_as_pass": True})):
            start = time.perf_counter()
            a, _ = agreement(name, **options)
            ms = (time.perf_counter() - start) * 1000
            clustered = f"{a.ours_grouped}/{a.polis_grouped}/{a.both_grouped} of {a.participants}"
            sil = " ".join(f"{k}:{s:.3f}" for k, s in a.silhouettes.items())
            print(f"{a.name:<24} {mode:<7} {clustered:>26} {a.our_k:>6} {a.polis_k:>7} "
                  f"{a.ari:>6.3f} {a.consensus_rho:>9.3f} {a.consensus_top5_shared:>4} "
                  f"{ms:>5.0f}  {sil}")


if __name__ == "__main__":
    main()
