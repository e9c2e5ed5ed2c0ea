"""Grid-model timings, printed as ratios against pandapower's own case118 AC power flow run in
the same process (the baseline), never as assertions.

Run: ``python benchmarks/bench_grid.py [--repeat 20]``
"""

from __future__ import annotations

import argparse
import copy

import pandapower as pp
import pandapower.networks as pn
from timing import best_of

from outage_sim.grid import chongqing_net, run_power_flow


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    case118 = pn.case118()
    base = best_of(lambda: pp.runpp(case118, numba=False), args.repeat)
    net = chongqing_net()
    rows = [
        ("pandapower case118 runpp (baseline)", base),
        ("chongqing_net('summer_peak') build", best_of(chongqing_net, args.repeat)),
        ("copy.deepcopy(net)", best_of(lambda: copy.deepcopy(net), args.repeat)),
        ("run_power_flow(net) (AC, distributed slack)", best_of(lambda: run_power_flow(net), args.repeat)),
    ]
    print(f"{'operation':<48}{'best s':>10}{'× baseline':>12}")
    for name, t in rows:
        print(f"{name:<48}{t:>10.4f}{t / base:>12.2f}")


if __name__ == "__main__":
    main()
