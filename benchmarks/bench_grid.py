"""Grid-model timings, printed as ratios against pandapower's own case118 AC power flow run in
the same process, interleaved with them (the baseline), never as assertions.

Run: ``python benchmarks/bench_grid.py [--repeat 20]``
"""

from __future__ import annotations

import argparse
import copy

import pandapower as pp
import pandapower.networks as pn
from timing import measure, ratio_table

from outage_sim.grid import chongqing_net, run_power_flow

BASELINE = "pandapower case118 runpp (baseline)"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    case118 = pn.case118()
    net = chongqing_net()
    m = measure({
        BASELINE: lambda: pp.runpp(case118, numba=False),
        "chongqing_net('summer_peak') build": chongqing_net,
        "copy.deepcopy(net)": lambda: copy.deepcopy(net),
        "run_power_flow(net) (AC, distributed slack)": lambda: run_power_flow(net),
    }, repeat=args.repeat, warmup=2)
    print(ratio_table(m, BASELINE))


if __name__ == "__main__":
    main()
