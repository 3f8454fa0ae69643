"""Speed benchmark for surveys.weighting (a script, not a test).

1,000,000 synthetic respondents, four margins (age 7, gender 2, born 2, district 19
categories), raked to epsilon 1e-10; then means with standard errors for 20 items by a
5-category group. Reports the median wall time over several runs and peak memory
(tracemalloc, in a separate run so tracing does not distort the timings). Peers
(ipfn, weightipy, samplics, balance) are timed only if already importable.

Run:  .venv/bin/python tests/benchmarks/bench_rake.py [--n 1000000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import importlib
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from surveys.weighting import Design

CARDS = {"age": 7, "gender": 2, "born": 2, "district": 19}
N_ITEMS = 20
N_GROUPS = 5


def make_data(n: int, seed: int = 20240611) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Biased synthetic sample (categorical columns) and population margins (N = 10.5M)."""
    rng = np.random.default_rng(seed)
    population = 10_500_000
    pop_shares = {
        "age": np.array([0.12, 0.15, 0.16, 0.17, 0.15, 0.14, 0.11]),
        "gender": np.array([0.503, 0.497]),
        "born": np.array([0.78, 0.22]),
        "district": rng.dirichlet(np.full(19, 8.0)),
    }
    # response propensities: older, women, native-born and some districts answer more
    bias = {
        "age": np.linspace(0.5, 1.6, 7),
        "gender": np.array([1.0, 0.8]),
        "born": np.array([1.0, 0.5]),
        "district": rng.uniform(0.7, 1.3, 19),
    }
    data: dict[str, Any] = {}
    codes_of: dict[str, np.ndarray] = {}
    for var, k in CARDS.items():
        p = pop_shares[var] * bias[var]
        codes_of[var] = rng.choice(k, size=n, p=p / p.sum())
    # Make the sample's joint distribution far from independent (foreign-born younger and
    # concentrated in a few districts), so raking needs several passes as in real data.
    young = codes_of["age"] <= 2
    hot = np.isin(codes_of["district"], [0, 3, 7])
    flip = rng.random(n) < np.where(young & hot, 0.5, np.where(young | hot, 0.2, 0.0))
    codes_of["born"] = np.where(flip, 1, codes_of["born"])
    for var, k in CARDS.items():
        labels = [f"{var}_{i:02d}" for i in range(k)]
        data[var] = pd.Categorical.from_codes(codes_of[var], categories=labels)
    data["group"] = pd.Categorical.from_codes(
        rng.integers(0, N_GROUPS, n), [f"g{i}" for i in range(N_GROUPS)]
    )
    data["base_w"] = np.full(n, population / n)
    trust = rng.integers(0, 11, size=(n, N_ITEMS)).astype(float)
    trust[rng.random((n, N_ITEMS)) < 0.05] = np.nan  # item non-response
    for j in range(N_ITEMS):
        data[f"item{j:02d}"] = trust[:, j]
    sample = pd.DataFrame(data)
    rows = []
    for var, k in CARDS.items():
        counts = np.round(pop_shares[var] * population)
        counts[-1] += population - counts.sum()  # equal totals across variables
        rows += [(var, f"{var}_{i:02d}", float(counts[i])) for i in range(k)]
    margins = pd.DataFrame(rows, columns=["variable", "category", "population_count"])
    return sample, margins


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, list[float], Any]:
    """Median and all wall times of fn() over `repeat` runs, plus the last result."""
    times = []
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times, result


def peak_memory(fn: Callable[[], Any]) -> float:
    """Peak traced allocation of fn() in MiB."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def peers(sample: pd.DataFrame, margins: pd.DataFrame, repeat: int) -> list[str]:
    """Time installed peer libraries on the same data (skipped when not importable)."""
    lines = []
    for name in ("ipfn", "weightipy", "samplics", "balance"):
        try:
            importlib.import_module(name)
        except ImportError:
            lines.append(f"  {name:<10} not installed (skipped)")
            continue
        if name == "ipfn":
            from ipfn import ipfn as ipfn_mod  # type: ignore[import-not-found]

            df = sample[list(CARDS)].astype(str).assign(total=sample["base_w"])
            aggs = [
                margins[margins.variable == v]
                .set_index("category")["population_count"]
                .rename_axis(v)
                for v in CARDS
            ]

            def run(df: pd.DataFrame = df, aggs: list[pd.Series] = aggs) -> Any:
                return ipfn_mod.ipfn(
                    df.copy(),
                    aggs,
                    [[v] for v in CARDS],
                    weight_col="total",
                    convergence_rate=1e-10,
                    max_iteration=100,
                ).iteration()

            try:  # adapter written against ipfn's documented API, untested here
                med, _, _ = timed(run, max(1, repeat // 3))
                lines.append(f"  {name:<10} {med:8.3f} s")
            except Exception as exc:  # a peer's failure must not hide our figures
                lines.append(f"  {name:<10} adapter failed: {exc!r}")
        else:
            lines.append(f"  {name:<10} importable, but no adapter written (skipped)")
    return lines


def main() -> None:
    """Run the benchmark and print a report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    sample, margins = make_data(args.n)
    print(
        f"n = {args.n:,} respondents; margins "
        + ", ".join(f"{v} {k}" for v, k in CARDS.items())
        + f"; {N_ITEMS} items x {N_GROUPS} groups"
    )

    med_design, _, design = timed(lambda: Design(sample, weights="base_w"), args.repeat)
    med_rake, rake_times, raked = timed(
        lambda: design.rake(margins, epsilon=1e-10, max_iter=100), args.repeat
    )
    items = [f"item{j:02d}" for j in range(N_ITEMS)]

    def ses() -> pd.DataFrame:
        # a fresh weighted result each time, so the one-off estimation-cell setup is timed
        fresh = design.rake(margins, epsilon=1e-10, max_iter=100)
        t0 = time.perf_counter()
        out = fresh.mean(items, by="group")
        ses.last = time.perf_counter() - t0  # type: ignore[attr-defined]
        return out

    se_times = []
    for _ in range(args.repeat):
        ses()
        se_times.append(ses.last)  # type: ignore[attr-defined]
    med_se = statistics.median(se_times)
    med_se_warm, _, table = timed(lambda: raked.mean(items, by="group"), args.repeat)
    med_se_loop, _, _ = timed(lambda: [raked.mean(i, by="group") for i in items], args.repeat)
    med_overall, _, _ = timed(lambda: raked.mean(items), args.repeat)

    mem_rake = peak_memory(lambda: design.rake(margins, epsilon=1e-10, max_iter=100))
    mem_se = peak_memory(
        lambda: design.rake(margins, epsilon=1e-10, max_iter=100).mean(items, by="group")
    )

    diag = raked.diagnostics
    print(
        f"rake: converged={raked.converged} in {raked.iterations} passes, "
        f"weights {diag.weight_min:.2f}-{diag.weight_max:.2f}, Kish deff {diag.kish_deff:.3f}"
    )
    rel = diag.margins.weighted_count / diag.margins.population_count - 1
    print(f"max relative margin error: {float(rel.abs().max()):.1e}")
    print()
    print(f"Design(...) construction        median {med_design * 1e3:8.1f} ms")
    print(
        f"rake (epsilon 1e-10)            median {med_rake * 1e3:8.1f} ms   "
        f"(min {min(rake_times) * 1e3:.1f}, max {max(rake_times) * 1e3:.1f}; goal < 100 ms)"
    )
    print(
        f"SEs 20 items x 5 groups, cold   median {med_se * 1e3:8.1f} ms   "
        "(incl. one-off cell setup; goal < 2 s)"
    )
    print(f"SEs 20 items x 5 groups, warm   median {med_se_warm * 1e3:8.1f} ms")
    print(f"SEs 20 separate mean(by=) calls median {med_se_loop * 1e3:8.1f} ms")
    print(f"SEs 20 items overall            median {med_overall * 1e3:8.1f} ms")
    print(
        f"peak traced memory: rake {mem_rake:.0f} MiB; rake + SEs {mem_se:.0f} MiB "
        f"(sample itself {sample.memory_usage(deep=True).sum() / 2**20:.0f} MiB)"
    )
    print(f"process max RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    se_lo, se_hi = table["se"].min(), table["se"].max()
    print(f"result table: {table.shape[0]} rows, se range {se_lo:.4f}-{se_hi:.4f}")
    print("peers:")
    for line in peers(sample, margins, args.repeat):
        print(line)


if __name__ == "__main__":
    main()
