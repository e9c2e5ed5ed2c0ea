"""Batch-engine benchmarks, printed as ratios against baselines run in the same process.

Every section interleaves its cases round-robin (``timing.measure``, BLAS pinned to one thread)
and prints min/median/max wall time, CPU time, the rate and the ratio per contingency against

- the **hardware limit** (baseline): a flows-only numpy kernel on the same outages
  (compensation on the compiled transfer matrix, chunked; ``baselines.flows_kernel``), and
- the **peer**: lightsim2grid's DC ``ContingencyAnalysisCPP`` on the same net and the same
  outages, its converter set-up included (``baselines.ls2g_contingencies``).

1. N-1 of every branch of the Chongqing model: the engine (islands, shed, severity) compiled,
   and with ``compile_batch`` in the call; ``contingency_table(net, k=1)`` end to end on the built
   net (compile, islands, shed, severity and the ranked table), lightsim2grid AC,
   pandapower ``run_contingency`` (AC, on ``--rc-sample`` lines).
2. Agreement with the single engine: all N-1 and a random N-2 sample (``--agreement N``).
3. Full N-2 of all branch pairs: the engine against the kernel and lightsim2grid DC.
4. Monte-Carlo ice storm over north-east Chongqing in cascade mode (``--mc-samples``), against
   one pandapower DC power flow of the net, with the peak memory of the process.

Run: ``python benchmarks/bench_batch.py [--repeat 5] [--agreement 2000] [--json out.json]``
"""

from __future__ import annotations

import argparse
import copy
import json
import logging
import resource
import warnings

import numpy as np
from baselines import (
    branch_sets,
    engine_levels,
    flows_kernel,
    ls2g_branch_ids,
    ls2g_contingencies,
    ls2g_net,
    outage_matrix,
)
from timing import measure, ratio_table

from outage_sim import grid
from outage_sim.engine import batch, compile_batch, shed_load
from outage_sim.hazards import Outage
from outage_sim.severity import classify, classify_batch
from outage_sim.studies import contingency_table, parse_scenario, run_montecarlo

warnings.simplefilter("ignore")
logging.disable(logging.WARNING)

KERNEL = "numpy flows kernel (baseline)"
PEER_DC = "lightsim2grid DC (peer)"


def n1_section(net, level: str, repeat: int, rc_sample: int):
    """Section 1: the cases, their contingency counts and the measurement."""
    import pandapower.contingency as pc

    bm = compile_batch(net)
    sets = branch_sets(bm.n_branch, 1)
    ids = ls2g_branch_ids(net, bm)[sets]
    om = outage_matrix(bm, sets)
    work = ls2g_net(net)
    rc_net = copy.deepcopy(net)
    for table in ("line", "trafo"):  # run_contingency's overload limit (the DC check's 100%)
        rc_net[table]["max_loading_percent"] = 100.0
    rc_lines = rc_net.line.index[:rc_sample].to_numpy()
    n_table = bm.n_branch + int(bm.unit_on0.sum())
    cases = {
        KERNEL: flows_kernel(bm, sets),
        PEER_DC: ls2g_contingencies(work, ids, "dc"),
        "lightsim2grid AC": ls2g_contingencies(work, ids, "ac"),
        "engine run+classify (compiled)": lambda: engine_levels(bm, om),
        "engine compile+run+classify": lambda: engine_levels(compile_batch(net), om),
        "contingency_table(net, k=1)": lambda: contingency_table(net, k=1),
        "pandapower run_contingency (AC)": lambda: pc.run_contingency(
            rc_net, {"line": {"index": rc_lines}}),
    }
    items = {name: float(len(sets)) for name in cases}
    items["contingency_table(net, k=1)"] = n_table
    items["pandapower run_contingency (AC)"] = float(len(rc_lines))
    m = measure(cases, repeat=repeat, warmup=1)
    print(f"N-1 of the Chongqing model ({level}): {len(sets)} branches "
          f"(contingency_table: {n_table} branches and units); {bm.n_bus} buses")
    print(ratio_table(m, KERNEL, items, unit="contingency", also=(PEER_DC,)))
    return bm, m, items


def n2_section(net, bm, repeat: int):
    """Section 3: every pair of branches, the engine against the kernel and the peer."""
    sets = branch_sets(bm.n_branch, 2)
    ids = ls2g_branch_ids(net, bm)[sets]
    om = outage_matrix(bm, sets)
    work = ls2g_net(net)
    cases = {
        KERNEL: flows_kernel(bm, sets),
        PEER_DC: ls2g_contingencies(work, ids, "dc"),
        "engine run+classify (compiled)": lambda: engine_levels(bm, om, chunk=4096),
    }
    items = {name: float(len(sets)) for name in cases}
    m = measure(cases, repeat=repeat, warmup=1)
    ranks = m.cases["engine run+classify (compiled)"].result
    print(f"\nfull N-2 of all {len(sets):,} branch pairs; levels "
          f"{np.bincount(ranks, minlength=5).tolist()} (none..特别重大 particularly major)")
    print(ratio_table(m, KERNEL, items, unit="contingency", also=(PEER_DC,)))
    return m, items


def mc_section(net, samples: int, repeat: int):
    """Section 4: the Monte-Carlo ice storm against one DC power flow of the same net."""
    import pandapower as pp

    sc = parse_scenario({
        "name": "ice storm over north-east Chongqing (benchmark)", "time": "2027-01-28T06:00:00+08:00",
        "level": "winter_peak", "mode": "cascade", "seed": 1,
        "hazards": [{"type": "ice_storm", "thickness_mm": 35,
                     "districts": ["城口县", "巫溪县", "巫山县", "奉节县", "云阳县", "开州区", "万州区"]}]})
    dc = copy.deepcopy(net)
    name = f"run_montecarlo ({samples:,} samples)"
    cases = {"pandapower rundcpp (baseline)": lambda: pp.rundcpp(dc),
             name: lambda: run_montecarlo(sc, samples, chunk=4000)}
    m = measure(cases, repeat=repeat, warmup=0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    mc = m.cases[name].result
    print("\nMonte-Carlo ice storm (冰灾), cascade mode; ratio per sample against one DC power flow")
    print(ratio_table(m, "pandapower rundcpp (baseline)", {name: samples}, unit="sample"))
    print(f"  {60 * samples / m.cases[name].median_s:,.0f} samples per minute; peak memory of the "
          f"process {peak:,.0f} MB")
    print("  level probability:", {r["level"]: round(r["probability"], 4)
                                   for r in mc.level_probability.to_dict("records")})
    return m, {name: float(samples)}


def agreement(net, bm, n_pairs: int, seed: int = 0) -> None:
    scenarios = [[Outage(str(bm.br_element[k]), int(bm.br_index[k]), str(bm.br_name[k]), "")]
                 for k in range(bm.n_branch)]
    scenarios += [[Outage(ref[0], ref[1], "", "")] for ref, on in zip(bm.unit_ref, bm.unit_on0) if on]
    rng = np.random.default_rng(seed)
    m, u = bm.n_branch, len(bm.unit_ref)
    for a, b in (rng.choice(m + u, 2, replace=False) for _ in range(n_pairs)):
        scenarios.append([Outage(str(bm.br_element[x]), int(bm.br_index[x]), str(bm.br_name[x]), "")
                          if x < m else Outage(bm.unit_ref[x - m][0], bm.unit_ref[x - m][1], "", "") for x in (a, b)])
    res = batch.run_batch(bm, batch.OutageMatrix.from_outages(bm, scenarios))
    ranks = classify_batch(**res.to_events()).rank
    level_bad, shed_bad = [], []
    for s, outs in enumerate(scenarios):
        single = shed_load(net, outs, ac_check=False)
        lv = classify(single.to_event()).level_rank
        if lv != ranks[s]:
            level_bad.append((s, [o.name for o in outs], lv, int(ranks[s])))
        if abs(single.main["shed_mw"] - res.main_shed_mw[s]) > 0.02 * res.main_load_mw:
            shed_bad.append((s, [o.name for o in outs], single.main["shed_mw"], res.main_shed_mw[s]))
    n = len(scenarios)
    print(f"\nagreement: {n} scenarios (N-1 all, N-2 sample {n_pairs}): level equal in "
          f"{100 * (1 - len(level_bad) / n):.2f}%, shed within 2% of load in "
          f"{100 * (1 - len(shed_bad) / n):.2f}%; flagged uncertain {int(res.uncertain.sum())}")
    for row in level_bad[:20] + shed_bad[:20]:
        print("  disagreement:", row)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--level", default="summer_peak")
    ap.add_argument("--repeat", type=int, default=5, help="interleaved timed calls of each N-1 case")
    ap.add_argument("--n2-repeat", type=int, default=3, help="... of each N-2 case (0: skip N-2)")
    ap.add_argument("--agreement", type=int, default=0, help="N-2 pairs to cross-check (0: skip)")
    ap.add_argument("--mc-samples", type=int, default=20000, help="0: skip the Monte-Carlo run")
    ap.add_argument("--mc-repeat", type=int, default=2)
    ap.add_argument("--rc-sample", type=int, default=20, help="lines timed with run_contingency")
    ap.add_argument("--json", help="also write every measurement to this JSON file")
    args = ap.parse_args()
    net = grid.chongqing_net(args.level)
    out = {}
    bm, m, items = n1_section(net, args.level, args.repeat, args.rc_sample)
    out["n1"] = {**m.to_dict(), "items": items}
    if args.agreement:
        agreement(net, bm, args.agreement)
    if args.n2_repeat:
        m, items = n2_section(net, bm, args.n2_repeat)
        out["n2"] = {**m.to_dict(), "items": items}
    if args.mc_samples:
        m, items = mc_section(net, args.mc_samples, args.mc_repeat)
        out["montecarlo"] = {**m.to_dict(), "items": items}
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(out, fh, indent=1, ensure_ascii=False)


if __name__ == "__main__":
    main()
