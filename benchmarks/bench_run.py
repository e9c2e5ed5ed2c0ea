"""One scenario end to end (validate, hazards, load shed with AC check, severity, response), for
every shipped scenario, printed as a ratio against pandapower's AC power flow of the same
Chongqing net run in the same process (the baseline). Nothing here asserts a time.

Run: ``python benchmarks/bench_run.py [--repeat 3]``
"""

from __future__ import annotations

import argparse
import copy
from pathlib import Path

import pandapower as pp
from timing import best_of

from outage_sim.grid import chongqing_net
from outage_sim.studies import load_scenario, run_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"




def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    net = chongqing_net()
    base = best_of(lambda: pp.runpp(copy.deepcopy(net), numba=False), 5 * args.repeat)
    print(f"baseline: pandapower runpp on the Chongqing net {base:.3f} s")
    print(f"{'scenario':<34}{'level':<8}{'best s':>8}{'× baseline':>12}")
    worst = 0.0
    for path in sorted(SCENARIOS.glob("*.yaml")):
        level = run_scenario(load_scenario(path), restore=False).severity.level
        t = best_of(lambda: run_scenario(load_scenario(path), restore=False), args.repeat)
        worst = max(worst, t)
        print(f"{path.name:<34}{level:<8}{t:>8.2f}{t / base:>12.1f}")
    print(f"slowest scenario: {worst:.2f} s")


if __name__ == "__main__":
    main()
