"""Time of dialog.opinion.analyse on a 300 participants x 100 statements dialogue (a script).

Three planted camps, each participant has seen 60 % of the statements. The analysis runs
Pol.is' update four times (now and the three earlier states the k smoother replays); the
budget is 0.5 s for the whole call.

Run:  .venv/bin/python tests/benchmarks/opinion_timing.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from dialog.opinion import analyse

PARTICIPANTS, STATEMENTS, RUNS = 300, 100, 7
BUDGET_S = 0.5


def dialogue(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    camp = rng.integers(0, 3, PARTICIPANTS)
    leaning = rng.uniform(-1, 1, (3, STATEMENTS))
    p_agree = (1 + leaning[camp]) / 2
    votes = np.where(rng.random((PARTICIPANTS, STATEMENTS)) < p_agree, 1.0, -1.0)
    votes[rng.random(votes.shape) < 0.1] = 0.0
    votes[rng.random(votes.shape) > 0.6] = np.nan
    return pd.DataFrame(votes, index=range(1, PARTICIPANTS + 1),
                        columns=range(1, STATEMENTS + 1))


def main() -> None:
    votes = dialogue()
    hidden = list(votes.columns[:5])
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        result = analyse(votes, moderated_out=hidden)
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    print(f"analyse {PARTICIPANTS} x {STATEMENTS}: median {median * 1000:.0f} ms, "
          f"min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms over {RUNS} runs; "
          f"k = {result.k}, best k by update {result.parameters['best_k_by_update']}, "
          f"{result.parameters['base_clusters']} base clusters "
          f"({'within' if median < BUDGET_S else 'OVER'} the {BUDGET_S} s budget)")


if __name__ == "__main__":
    main()
