"""One scenario end to end (validate, hazards, load shed with AC check, severity, response), for
every shipped scenario, printed as a ratio against pandapower's AC power flow of the same
Chongqing net, interleaved with them in the same process (the baseline). Nothing here asserts a
time.

Run: ``python benchmarks/bench_run.py [--repeat 3]``
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
from outage_sim.studies import load_scenario, run_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
BASELINE = "pandapower runpp, Chongqing net (baseline)"


def run_file(path: Path):
    """Validate, hazards, shed with AC check, severity and response of one scenario file."""
    return run_scenario(load_scenario(path), restore=False)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    net = chongqing_net()
    paths = sorted(SCENARIOS.glob("*.yaml"))
    cases: dict[str, Callable[[], object]] = {
        BASELINE: lambda: pp.runpp(copy.deepcopy(net), numba=False)}
    for path in paths:
        cases[path.name] = partial(run_file, path)
    m = measure(cases, repeat=args.repeat, warmup=1)
    print(ratio_table(m, BASELINE))
    print("levels (等级):", {p.name: m.cases[p.name].result.severity.level for p in paths})
    worst = max(paths, key=lambda p: m.cases[p.name].median_s)
    print(f"slowest scenario: {worst.name}, median {m.cases[worst.name].median_s:.2f} s")


if __name__ == "__main__":
    main()
