"""A whole 7-day restoration run (horizon 168 h, cold cache) of the largest shipped scenarios,
printed as a ratio against pandapower's AC power flow of the same Chongqing net, interleaved with
them in the same process (the baseline), and in seconds. The issue's bound: under 60 s on 2 cores.

The largest scenarios: ``compound_blackout.yaml`` (特别重大, the whole main grid black, 89 elements
failed or tripped, black start) and ``city_earthquake.yaml`` (重大, the most repair jobs, runs the
full 7 days). The scenario run before restoration (hazards, load shed, response) is done once,
untimed.

Run: ``python benchmarks/bench_restoration.py [--repeat 3]``
"""

from __future__ import annotations

import argparse
import copy
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pandapower as pp
from timing import measure, ratio_table

from outage_sim.grid import chongqing_net
from outage_sim.restoration import restore
from outage_sim.studies import load_scenario, run_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
LARGEST = ("compound_blackout.yaml", "city_earthquake.yaml")
HORIZON_H = 168.0
LIMIT_S = 60.0
BASELINE = "pandapower runpp, Chongqing net (baseline)"


def restore_cold(run):
    """The whole restoration with a fresh cache: not a replay of cached engine results."""
    return restore(run, horizon_h=HORIZON_H, cache={})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    net = chongqing_net()
    cases: dict[str, Callable[[], object]] = {
        BASELINE: lambda: pp.runpp(copy.deepcopy(net), numba=False)}
    for name in LARGEST:
        run = run_scenario(load_scenario(SCENARIOS / name), restore=False)
        cases[f"restore {name}"] = partial(restore_cold, run)
    m = measure(cases, repeat=args.repeat, warmup=1)
    print(ratio_table(m, BASELINE))
    print(f"{'scenario':<26}{'rows':>6}{'jobs':>6}{'ends (h)':>10}{'90% (h)':>9}")
    for name in LARGEST:
        res = m.cases[f"restore {name}"].result
        end = "—" if res.terminated_h is None else f"{res.terminated_h:.1f}"
        t90 = res.time_to(90)
        print(f"{name:<26}{len(res.timeline):>6}{len(res.jobs):>6}{end:>10}"
              f"{'—' if t90 is None else f'{t90:.1f}':>9}")
    worst = max(m.cases[f"restore {n}"].stats()["max"] for n in LARGEST)
    print(f"slowest 7-day restoration (恢复): {worst:.2f} s ({'within' if worst < LIMIT_S else 'OVER'} "
          f"the {LIMIT_S:.0f} s bound)")


if __name__ == "__main__":
    main()
