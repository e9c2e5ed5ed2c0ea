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
import tracemalloc
from collections.abc import Callable
from functools import partial

import numpy as np
from timing import measure, ratio_table

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


PYTHON_LOOP = "plain Python loop (baseline)"
CLASSIFY_LOOP = "loop over classify()"


def build_cases(plan, data: dict[str, np.ndarray], args) -> tuple[dict, dict]:
    """The timed callables and the scenario-district evaluations each does."""
    n, d = data["load_mw"].shape
    sample_py = min(args.python_sample, n)
    sample_cl = min(args.classify_sample, n)
    rows = {f: data[f][:max(sample_py, sample_cl)].tolist() for f in FIELDS}
    rows_py = {f: v[:sample_py] for f, v in rows.items()}
    names = [f"district {k}" for k in range(d)]
    # the main grid is the districts' sum, as the batch derives it (more customers than the
    # built-in model's main grid, so the one-event classifier needs it given)
    events = [{"districts": [{"name": names[k], **{f: rows[f][i][k] for f in FIELDS}}
                             for k in range(d)],
               "main": {f: float(np.sum(np.array(rows[f][i]))) for f in FIELDS}}
              for i in range(sample_cl)]
    cases: dict[str, Callable[[], object]] = {
        PYTHON_LOOP: lambda: python_rule(plan, rows_py),
        CLASSIFY_LOOP: lambda: [classify(e, plan).level_rank for e in events]}
    for workers in args.workers:
        cases[f"classify_batch, workers={workers}"] = partial(classify_batch, data, workers=workers)
    items = {PYTHON_LOOP: sample_py * d, CLASSIFY_LOOP: sample_cl * d,
             **{f"classify_batch, workers={w}": n * d for w in args.workers}}
    return cases, items


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

    cases, items = build_cases(plan, data, args)
    python_loop, classify_loop = PYTHON_LOOP, CLASSIFY_LOOP
    sample_py = min(args.python_sample, n)
    sample_cl = min(args.classify_sample, n)
    m = measure(cases, repeat=args.repeats, warmup=1)
    batch = m.cases[f"classify_batch, workers={args.workers[0]}"].result
    if m.cases[python_loop].result != batch.rank[:sample_py].tolist():
        raise SystemExit("plain Python rule disagrees with the batch classifier")
    if m.cases[classify_loop].result != batch.rank[:sample_cl].tolist():
        raise SystemExit("one-event classifier disagrees with the batch classifier")
    rate = {name: items[name] / m.cases[name].median_s for name in cases}
    fastest = max(rate[f"classify_batch, workers={w}"] for w in args.workers)
    for workers in args.workers:
        name = f"classify_batch, workers={workers}"
        figures[f"batch_s_workers_{workers}"] = round(m.cases[name].median_s, 3)
        figures[f"batch_eval_per_s_workers_{workers}"] = round(rate[name])
    figures["python_loop_eval_per_s"] = round(rate[python_loop])
    figures["speedup_vs_python_loop"] = round(fastest / rate[python_loop], 1)
    figures["classify_loop_eval_per_s"] = round(rate[classify_loop])
    figures["speedup_vs_classify_loop"] = round(fastest / rate[classify_loop])
    figures["rank_counts"] = {str(r): int(c) for r, c in
                              zip(*np.unique(batch.rank, return_counts=True), strict=True)}
    figures["timing"] = m.to_dict()

    tracemalloc.start()
    tracemalloc.reset_peak()
    classify_batch(data, workers=max(args.workers))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    figures["batch_peak_extra_mb"] = round(peak / 2**20, 1)
    figures["batch_peak_extra_over_input"] = round(peak / input_bytes, 3)

    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"severity (等级) batch benchmark: {n:,} scenarios x {d} districts = {evaluations:,} "
          f"evaluations; input {figures['input_mb']} MB; numpy {np.__version__}")
    print(ratio_table(m, python_loop, items, unit="evaluation"))
    print(f"  peak memory added by classify_batch: {figures['batch_peak_extra_mb']} MB "
          f"({figures['batch_peak_extra_over_input']:.3f} x the input arrays)")
    print(f"  fastest batch: {figures['speedup_vs_python_loop']}x the plain Python loop, "
          f"{figures['speedup_vs_classify_loop']}x the loop over classify()")
    print(f"  scenarios per level rank: {figures['rank_counts']}")


if __name__ == "__main__":
    main()
