"""Benchmark: the batch severity classifier against plain Python loops, in one process.

Classifies S scenarios x D districts (default 1,000,000 x 38, main grid derived from the
districts) with :func:`outage_sim.severity.rules.classify_batch`, then times on a sample of the same
data (a) a plain Python loop applying the same rule scenario by scenario, and (b) a loop over the
one-event classifier :func:`outage_sim.severity.rules.classify`. Prints scenario-district evaluations
per second, the speed-up ratios and the peak memory the batch call adds on top of its input
arrays (numpy allocations traced with tracemalloc in a separate, untimed run).

Run::

    python benchmarks/bench_severity.py                      # 1,000,000 x 38
    python benchmarks/bench_severity.py --scenarios 100000 --workers 1 2

Nothing here asserts a wall-clock time; the figures are for the README and the issue note.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
import tracemalloc

import numpy as np

from outage_sim.severity import classify, classify_batch, load_plan

FIELDS = ("load_mw", "shed_mw", "customers", "customers_out")


def make_inputs(n_scenarios: int, n_districts: int, seed: int) -> dict[str, np.ndarray]:
    """Random but plausible district figures: pre-event load 20-1,500 MW; in each scenario a
    district is hit with probability 0.1, losing a random share of its load and customers."""
    rng = np.random.default_rng(seed)
    shape = (n_scenarios, n_districts)
    load = np.round(rng.uniform(20, 1500, shape), 1)
    hit = rng.random(shape) < 0.1
    shed = rng.random(shape)
    shed *= hit
    shed *= load
    np.round(shed, 3, out=shed)
    customers = np.round(load * 650)
    out = rng.random(shape)
    out *= hit
    out *= customers
    np.round(out, out=out)
    return {"load_mw": load, "shed_mw": shed, "customers": customers, "customers_out": out}


def python_rule(plan, rows: dict[str, list[list[float]]]) -> list[int]:
    """The same rule in plain Python (one scenario, one district at a time)."""
    main_at_least = plan.main_at_least.tolist()
    dist_at_least = plan.district_at_least.tolist()
    mins = [c.min_load_mw for c in plan.district_classes]
    ranks = []
    for load, shed, cust, out in zip(*(rows[f] for f in FIELDS), strict=True):
        best = 0
        for d in range(len(load)):
            cls = sum(load[d] >= m for m in mins[1:])
            for m, (part, whole) in enumerate(((shed[d], load[d]), (out[d], cust[d]))):
                if whole > 0:
                    npct = round(part / whole * 1e11)
                    best = max(best, sum(npct >= t for t in dist_at_least[cls][m]))
        totals = [float(np.sum(np.array(x))) for x in (load, shed, cust, out)]
        for m, (part, whole) in enumerate(((totals[1], totals[0]), (totals[3], totals[2]))):
            if whole > 0:
                npct = round(part / whole * 1e11)
                best = max(best, sum(npct >= t for t in main_at_least[m]))
        ranks.append(best)
    return ranks


def best_of(repeats: int, fn) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=1_000_000)
    parser.add_argument("--districts", type=int, default=38)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--python-sample", type=int, default=20_000,
                        help="scenarios for the plain Python loop")
    parser.add_argument("--classify-sample", type=int, default=2_000,
                        help="scenarios for the loop over the one-event classifier")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    n, d = args.scenarios, args.districts
    plan = load_plan()
    data = make_inputs(n, d, args.seed)
    input_bytes = sum(a.nbytes for a in data.values())
    evaluations = n * d
    figures: dict[str, object] = {
        "scenarios": n, "districts": d, "evaluations": evaluations,
        "input_mb": round(input_bytes / 2**20, 1), "cpu_count": os.cpu_count(),
        "python": platform.python_version(), "numpy": np.__version__,
    }

    batch = None
    for workers in args.workers:
        seconds, batch = best_of(args.repeats, lambda w=workers: classify_batch(data, workers=w))
        figures[f"batch_s_workers_{workers}"] = round(seconds, 3)
        figures[f"batch_eval_per_s_workers_{workers}"] = round(evaluations / seconds)
    fastest = min(figures[f"batch_s_workers_{w}"] for w in args.workers)

    tracemalloc.start()
    tracemalloc.reset_peak()
    classify_batch(data, workers=max(args.workers))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    figures["batch_peak_extra_mb"] = round(peak / 2**20, 1)
    figures["batch_peak_extra_over_input"] = round(peak / input_bytes, 3)

    sample = min(args.python_sample, n)
    rows = {f: data[f][:sample].tolist() for f in FIELDS}
    seconds, ranks = best_of(1, lambda: python_rule(plan, rows))
    if ranks != batch.rank[:sample].tolist():
        raise SystemExit("plain Python rule disagrees with the batch classifier")
    figures["python_loop_eval_per_s"] = round(sample * d / seconds)
    figures["speedup_vs_python_loop"] = round(evaluations / fastest / (sample * d / seconds), 1)

    sample = min(args.classify_sample, n)
    names = [f"district {k}" for k in range(d)]
    events = [{"districts": [{"name": names[k], **{f: rows[f][i][k] for f in FIELDS}}
                             for k in range(d)]} for i in range(sample)]
    seconds, results = best_of(1, lambda: [classify(e, plan).level_rank for e in events])
    if results != batch.rank[:sample].tolist():
        raise SystemExit("one-event classifier disagrees with the batch classifier")
    figures["classify_loop_eval_per_s"] = round(sample * d / seconds)
    figures["speedup_vs_classify_loop"] = round(evaluations / fastest / (sample * d / seconds))
    figures["rank_counts"] = {str(r): int(c) for r, c in
                              zip(*np.unique(batch.rank, return_counts=True), strict=True)}

    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"severity batch benchmark: {n:,} scenarios x {d} districts = {evaluations:,} "
          f"evaluations; input {figures['input_mb']} MB; {os.cpu_count()} CPUs; "
          f"numpy {np.__version__}")
    for workers in args.workers:
        print(f"  classify_batch, workers={workers}: {figures[f'batch_s_workers_{workers}']} s "
              f"= {figures[f'batch_eval_per_s_workers_{workers}'] / 1e6:.1f} M evaluations/s")
    print(f"  peak memory added by classify_batch: {figures['batch_peak_extra_mb']} MB "
          f"({figures['batch_peak_extra_over_input']:.3f} x the input arrays)")
    print(f"  plain Python loop ({min(args.python_sample, n):,} scenarios): "
          f"{figures['python_loop_eval_per_s'] / 1e6:.3f} M evaluations/s -> batch is "
          f"{figures['speedup_vs_python_loop']}x faster")
    print(f"  loop over classify() ({min(args.classify_sample, n):,} scenarios): "
          f"{figures['classify_loop_eval_per_s'] / 1e6:.3f} M evaluations/s -> batch is "
          f"{figures['speedup_vs_classify_loop']}x faster")
    print(f"  scenarios per level rank: {figures['rank_counts']}")


if __name__ == "__main__":
    main()
