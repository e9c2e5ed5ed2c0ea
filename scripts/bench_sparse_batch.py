"""CPU-time figures of the batch engine on Chongqing and on pandapower's PEGASE nets.

Chongqing (summer peak): N-1 of every branch with islands, shed and severity (contingencies per
CPU-second) and full N-2 of every branch pair (CPU seconds). A PEGASE net (``--net``), annotated
with :func:`outage_sim.grid.annotate_net` and run in a child process limited to 8 GB of address
space: compile CPU time and peak memory, the base state's highest loading, N-1 with shed per
CPU-second, N-2 on 2,000 random pairs per CPU-second, and a chunk of all pairs (extrapolated to
full N-2). The same script times an older engine when ``PYTHONPATH`` points at its copy.

Run: ``python scripts/bench_sparse_batch.py [--cq [--full-n2]] [--net case1354pegase ...]
[--n1-max N] [--n2-sample N] [--n2-chunk N] [--timeout 900]``
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import warnings
from typing import Any

import numpy as np

warnings.simplefilter("ignore")


def _om(bm, idx: np.ndarray):
    from outage_sim.engine import OutageMatrix

    om = OutageMatrix.empty(bm, len(idx))
    s, j = np.nonzero(idx >= 0)
    om.branch[s, idx[s, j]] = True
    return om


_LP = {"calls": 0, "cpu_s": 0.0}


def _count_lp() -> None:
    """Time the per-scenario LP (the integrator's engine.lp) apart from the rest."""
    from outage_sim.engine import chunk

    inner = chunk._optimal_relief

    def timed(*args, **kwargs):
        t = time.process_time()
        try:
            return inner(*args, **kwargs)
        finally:
            _LP["calls"] += 1
            _LP["cpu_s"] += time.process_time() - t

    chunk._optimal_relief = timed


def _rate(bm, idx: np.ndarray, chunk: int = 1024) -> tuple[float, Any]:
    from outage_sim.engine import run_batch
    from outage_sim.severity import classify_batch

    _LP.update(calls=0, cpu_s=0.0)
    t = time.process_time()
    res = run_batch(bm, _om(bm, idx), chunk=chunk)
    classify_batch(**res.to_events())
    return time.process_time() - t, res


def _pairs(n: int, start: int, count: int) -> np.ndarray:
    i, j = np.triu_indices(n, 1)
    return np.column_stack([i[start:start + count], j[start:start + count]])


def chongqing(full_n2: bool) -> dict:
    from outage_sim import grid
    from outage_sim.engine import compile_batch

    net = grid.chongqing_net("summer_peak")
    t = time.process_time()
    bm = compile_batch(net)
    out: dict = {"compile_cpu_s": time.process_time() - t}
    n1 = np.arange(bm.n_branch)[:, None]
    best = min(_rate(bm, n1)[0] for _ in range(5))
    out["n1_per_cpu_s"] = bm.n_branch / best
    if full_n2:
        n = bm.n_branch
        total, cpu = n * (n - 1) // 2, 0.0
        for start in range(0, total, 65536):
            cpu += _rate(bm, _pairs(n, start, 65536))[0]
        out["n2_full_cpu_s"] = cpu
        out["n2_pairs"] = total
    return out


def pegase(case: str, n1_max: int, n2_sample: int = 2000, n2_chunk: int = 20000,
           pmin0: bool = False, rating_scale: float = 1.0) -> dict:
    import pandapower.networks as pn

    from outage_sim.engine import compile_batch
    from outage_sim.grid import annotate_net

    raw = getattr(pn, case)()
    if pmin0:  # units may go to zero: the pre-event relief LP of case2869/9241 is then feasible
        raw.gen["min_p_mw"] = 0.0
    raw.line["max_i_ka"] *= rating_scale  # > 1: no overload, the engine's path without the LP
    raw.trafo["sn_mva"] *= rating_scale
    net = annotate_net(raw)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t = time.process_time()
    bm = compile_batch(net)
    out: dict = {"net": case, "pmin0": pmin0, "rating_scale": rating_scale, "buses": bm.n_bus, "branches": bm.n_branch,
                 "compile_cpu_s": time.process_time() - t,
                 "peak_rss_mb_before_compile": rss0,
                 "peak_rss_mb_after_compile": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                 "base_max_loading": float(np.max(np.abs(bm.f_base) / np.maximum(bm.br_rating, 1e-9)))}
    print(json.dumps(out), flush=True)
    rng = np.random.default_rng(0)
    k = rng.choice(bm.n_branch, min(n1_max, bm.n_branch), replace=False)
    _count_lp()
    cpu, res = _rate(bm, k[:, None])
    out.update(n1_scenarios=len(k), n1_per_cpu_s=len(k) / cpu, n1_uncertain=int(res.uncertain.sum()),
               n1_with_shed=int((res.main_shed_mw > 1e-6).sum()), n1_lp_calls=_LP["calls"],
               n1_per_cpu_s_without_lp=len(k) / max(cpu - _LP["cpu_s"], 1e-9))
    print(json.dumps(out), flush=True)
    pairs = np.column_stack([rng.integers(0, bm.n_branch, 2 * n2_sample),
                             rng.integers(0, bm.n_branch, 2 * n2_sample)])
    pairs = pairs[pairs[:, 0] != pairs[:, 1]][:n2_sample]
    cpu, _ = _rate(bm, pairs)
    out.update(n2_sample=len(pairs), n2_sample_per_cpu_s=len(pairs) / cpu, n2_lp_calls=_LP["calls"],
               n2_per_cpu_s_without_lp=len(pairs) / max(cpu - _LP["cpu_s"], 1e-9))
    print(json.dumps(out), flush=True)
    n = bm.n_branch
    cpu, _ = _rate(bm, _pairs(n, 0, n2_chunk))
    out["n2_full_pairs"] = n * (n - 1) // 2
    out["n2_full_extrapolated_cpu_min"] = out["n2_full_pairs"] * cpu / n2_chunk / 60
    out["n2_full_extrapolated_cpu_min_without_lp"] = \
        out["n2_full_pairs"] * (cpu - _LP["cpu_s"]) / n2_chunk / 60
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def _child(case: str, n1_max: int, n2_sample: int, n2_chunk: int, timeout: float,
           pmin0: bool = False, rating_scale: float = 1.0) -> dict:
    code = ("import resource, json, sys; sys.path.insert(0, 'scripts');"
            "resource.setrlimit(resource.RLIMIT_AS, (8 << 30, 8 << 30));"
            "import bench_sparse_batch as b;"
            f"print(json.dumps(b.pegase({case!r}, {n1_max}, {n2_sample}, {n2_chunk}, {pmin0}, {rating_scale})))")
    try:
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           timeout=timeout)
        lines = r.stdout
        err = r.stderr.strip().splitlines()[-1] if r.returncode and r.stderr.strip() else None
    except subprocess.TimeoutExpired as e:  # what the child measured before it was stopped
        lines = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        err = f"timeout after {timeout:.0f} s"
    done = [json.loads(x) for x in lines.splitlines() if x.startswith("{")]
    result = done[-1] if done else {"net": case}
    if err:
        result["error"] = err
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cq", action="store_true")
    ap.add_argument("--full-n2", action="store_true")
    ap.add_argument("--net", nargs="*", default=[])
    ap.add_argument("--n1-max", type=int, default=100_000)
    ap.add_argument("--n2-sample", type=int, default=2000)
    ap.add_argument("--n2-chunk", type=int, default=20000)
    ap.add_argument("--timeout", type=float, default=900.0)
    ap.add_argument("--pmin0", action="store_true", help="units' min_p_mw set to 0")
    ap.add_argument("--rating-scale", type=float, default=1.0, help="ratings times this")
    a = ap.parse_args()
    if a.cq:
        print(json.dumps(chongqing(a.full_n2)))
    for case in a.net:
        print(json.dumps(_child(case, a.n1_max, a.n2_sample, a.n2_chunk, a.timeout, a.pmin0, a.rating_scale)), flush=True)


if __name__ == "__main__":
    main()
