"""Batch-engine benchmarks, printed as ratios against peers run in the same process.

1. Full N-1 of the Chongqing model (every branch and unit) with islands, shed and severity,
   against ``pandapower.contingency.run_contingency`` (AC flows only, timed on a sample) and
   lightsim2grid's ``ContingencyAnalysisCPP`` in DC mode (flows only) on the same net.
2. Agreement with the single engine: all N-1 and a random N-2 sample (``--agreement N``);
   disagreements are printed.
3. Full N-2 of all branch pairs with islands, shed and severity.
4. Monte-Carlo ice storm over north-east Chongqing in cascade mode (``--mc-samples``), with the
   peak memory of the process.

Run: ``python benchmarks/bench_batch.py [--agreement 2000] [--mc-samples 100000]``
"""

from __future__ import annotations

import argparse
import copy
import logging
import resource
import warnings
from itertools import combinations

import numpy as np
from timing import timed

from outage_sim import grid
from outage_sim.engine import batch, shed_load
from outage_sim.hazards import Outage
from outage_sim.severity import classify, classify_batch
from outage_sim.studies import parse_scenario, run_montecarlo

warnings.simplefilter("ignore")
logging.disable(logging.WARNING)


def n1_matrix(bm):
    n = bm.n_branch + int(bm.unit_on0.sum())
    om = batch.OutageMatrix.empty(bm, n)
    om.branch[np.arange(bm.n_branch), np.arange(bm.n_branch)] = True
    units = np.flatnonzero(bm.unit_on0)
    om.unit[bm.n_branch + np.arange(len(units)), units] = True
    return om


def peers(net, n_sample: int) -> dict:
    out = {}
    import pandapower as pp
    import pandapower.contingency as pc

    work = copy.deepcopy(net)
    lines = work.line.index[:n_sample]
    t, _ = timed(lambda: pc.run_contingency(work, {"line": {"index": lines.to_numpy()}}))
    out["run_contingency"] = len(lines) / t
    try:
        import lightsim2grid.lightsim2grid_cpp as _c
        from lightsim2grid.network.from_pandapower import init as init_ls2g

        ls = copy.deepcopy(net)
        ls.gen["slack_weight"] = 0.0
        pp.rundcpp(ls)

        def run_ls2g(algorithm):
            g = init_ls2g(ls)
            s = _c.ContingencyAnalysisCPP(g)
            s.change_algorithm(algorithm)
            s.add_multiple_n1(np.arange(len(ls.line), dtype=np.int64))
            s.compute(np.ones(len(ls.bus), dtype=complex), 10, 1e-8)
            s.compute_power_flows()
            return s.get_power_flows()

        for label, algorithm in (("lightsim2grid_ac", _c.AlgorithmType.NR_KLU),
                                 ("lightsim2grid_dc", _c.AlgorithmType.DC_KLU)):
            run_ls2g(algorithm)
            t, _ = min((timed(lambda: run_ls2g(algorithm)) for _ in range(3)), key=lambda x: x[0])
            out[label] = len(ls.line) / t
    except Exception as exc:  # lightsim2grid is optional
        out["lightsim2grid_error"] = f"{exc!r} (pip install 'outage_sim[bench]')"
    return out


def agreement(net, bm, n_pairs: int, seed: int = 0) -> None:
    scenarios = [[Outage(str(bm.br_element[k]), int(bm.br_index[k]), str(bm.br_name[k]), "")]
                 for k in range(bm.n_branch)]
    scenarios += [[Outage(*ref, "", "")] for ref, on in zip(bm.unit_ref, bm.unit_on0) if on]
    rng = np.random.default_rng(seed)
    m, u = bm.n_branch, len(bm.unit_ref)
    for a, b in (rng.choice(m + u, 2, replace=False) for _ in range(n_pairs)):
        scenarios.append([Outage(str(bm.br_element[x]), int(bm.br_index[x]), str(bm.br_name[x]), "")
                          if x < m else Outage(*bm.unit_ref[x - m], "", "") for x in (a, b)])
    res = batch.run_batch(bm, batch.OutageMatrix.from_outages(bm, scenarios))
    level_bad, shed_bad = [], []
    for s, outs in enumerate(scenarios):
        single = shed_load(net, outs, ac_check=False)
        lv = classify(single.to_event()).level_rank
        if lv != classify_batch(**res.to_events()).rank[s]:
            level_bad.append((s, [o.name for o in outs], lv, int(classify_batch(**res.to_events()).rank[s])))
        if abs(single.main["shed_mw"] - res.main_shed_mw[s]) > 0.02 * res.main_load_mw:
            shed_bad.append((s, [o.name for o in outs], single.main["shed_mw"], res.main_shed_mw[s]))
    n = len(scenarios)
    print(f"agreement: {n} scenarios (N-1 all, N-2 sample {n_pairs}): level equal in "
          f"{100 * (1 - len(level_bad) / n):.2f}%, shed within 2% of load in "
          f"{100 * (1 - len(shed_bad) / n):.2f}%; flagged uncertain {int(res.uncertain.sum())}")
    for row in level_bad[:20] + shed_bad[:20]:
        print("  disagreement:", row)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agreement", type=int, default=0, help="N-2 pairs to cross-check (0: skip)")
    ap.add_argument("--mc-samples", type=int, default=20000)
    ap.add_argument("--rc-sample", type=int, default=20, help="lines timed with run_contingency")
    args = ap.parse_args()
    net = grid.chongqing_net("summer_peak")
    t_compile, bm = timed(lambda: batch.compile_batch(net))
    om = n1_matrix(bm)
    batch.run_batch(bm, om)  # warm-up
    reps = 20
    big = batch.OutageMatrix(*(np.tile(a, (reps, 1)) for a in (om.branch, om.bus, om.unit, om.fixed)))
    t, _ = timed(lambda: batch.run_batch(bm, big))
    rate = big.n / t
    print(f"compile: {t_compile:.3f} s; N-1 contingencies: {om.n} (branches and units)")
    print(f"outage_sim batch N-1 with islands, shed, severity: {rate:,.0f} contingencies/s")
    for name, r in peers(net, args.rc_sample).items():
        if isinstance(r, str):
            print(f"  {name}: {r}")
        else:
            print(f"  vs {name} (flows only): {r:,.1f}/s  → outage_sim is {rate / r:,.1f}×")
    if args.agreement:
        agreement(net, bm, args.agreement)
    pairs = np.array(list(combinations(range(bm.n_branch), 2)))
    om2 = batch.OutageMatrix.empty(bm, len(pairs))
    om2.branch[np.arange(len(pairs)), pairs[:, 0]] = True
    om2.branch[np.arange(len(pairs)), pairs[:, 1]] = True
    t, res = timed(lambda: batch.run_batch(bm, om2, chunk=4096))
    print(f"full N-2 of all branch pairs: {len(pairs):,} in {t:.1f} s ({len(pairs) / t:,.0f}/s); "
          f"levels: {np.bincount(classify_batch(**res.to_events()).rank, minlength=5).tolist()} (none..特别重大)")
    sc = parse_scenario({
        "name": "ice storm over north-east Chongqing (benchmark)", "time": "2027-01-28T06:00:00+08:00",
        "level": "winter_peak", "mode": "cascade", "seed": 1,
        "hazards": [{"type": "ice_storm", "thickness_mm": 35,
                     "districts": ["城口县", "巫溪县", "巫山县", "奉节县", "云阳县", "开州区", "万州区"]}]})
    t, mc = timed(lambda: run_montecarlo(sc, args.mc_samples, chunk=4000))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Monte-Carlo ice storm, cascade mode: {args.mc_samples:,} samples in {t:.1f} s "
          f"({60 * args.mc_samples / t:,.0f} per minute); peak memory of the process {peak:,.0f} MB")
    print("  level probability:", {r["level"]: round(r["probability"], 4)
                                   for r in mc.level_probability.to_dict("records")})


if __name__ == "__main__":
    main()
