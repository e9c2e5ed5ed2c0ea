"""Batch against single engine on random double outages: how often they differ by more than 1 MW,
and how well the batch's ``uncertain`` flag finds those cases (precision and recall).

    .venv/bin/python benchmarks/bench_agreement.py --nets case39 case118 chongqing --pairs 2000

Not a timing benchmark: the single engine (DC, no AC check) is the reference for every scenario.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandapower.networks as pn

from outage_sim import grid
from outage_sim.engine import OutageMatrix, compile_batch, run_batch, shed_load
from outage_sim.hazards import Outage


def _net(name: str):
    return grid.chongqing_net("summer_peak") if name == "chongqing" else \
        grid.annotate_net(getattr(pn, name)())


def agreement(name: str, pairs: int, seed: int = 5, mode: str = "dispatch") -> dict:
    """Run ``pairs`` random double branch outages of net ``name`` through both engines."""
    net = _net(name)
    bm = compile_batch(net)
    rng = np.random.default_rng(seed)
    scenarios = [[Outage(str(bm.br_element[k]), int(bm.br_index[k]), str(bm.br_name[k]), "bench")
                  for k in rng.choice(bm.n_branch, 2, replace=False)] for _ in range(pairs)]
    t = time.process_time()
    res = run_batch(bm, OutageMatrix.from_outages(bm, scenarios), mode=mode)
    t_batch = time.process_time() - t
    t = time.process_time()
    single = np.array([shed_load(net, o, mode=mode, ac_check=False).main["shed_mw"] for o in scenarios])
    t_single = time.process_time() - t
    differ = np.abs(single - res.main_shed_mw) > 1.0
    flagged = res.uncertain
    hit = int((differ & flagged).sum())
    return {"net": name, "pairs": pairs, "shedding": int((single > 1e-6).sum()),
            "differ": int(differ.sum()), "flagged": int(flagged.sum()),
            "differ_unflagged": int((differ & ~flagged).sum()),
            "precision": hit / flagged.sum() if flagged.any() else float("nan"),
            "recall": hit / differ.sum() if differ.any() else float("nan"),
            "max_diff_mw": float(np.abs(single - res.main_shed_mw).max()),
            "cpu_batch_s": t_batch, "cpu_single_s": t_single}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nets", nargs="+", default=["case39", "case118", "chongqing"])
    ap.add_argument("--pairs", type=int, default=2000)
    ap.add_argument("--mode", default="dispatch")
    args = ap.parse_args()
    print("| net | pairs | shedding | differ > 1 MW | flagged | differ, unflagged | precision | "
          "recall | max diff MW | CPU batch s | CPU single s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name in args.nets:
        r = agreement(name, args.pairs, mode=args.mode)
        print(f"| {r['net']} | {r['pairs']} | {r['shedding']} | {r['differ']} | {r['flagged']} | "
              f"{r['differ_unflagged']} | {r['precision']:.2f} | {r['recall']:.2f} | "
              f"{r['max_diff_mw']:.3g} | {r['cpu_batch_s']:.1f} | {r['cpu_single_s']:.1f} |", flush=True)


if __name__ == "__main__":
    main()
