"""How the batch engine scales with the size of the net: a Markdown table (and ``--json``).

For each net — pandapower's case39, case118, case1354pegase, case2869pegase, case9241pegase,
each annotated with :func:`outage_sim.grid.annotate_net` as a user's net would be, and the
Chongqing model — it measures buses and branches; ``compile_batch`` time and the growth of the
process's peak resident memory during it; N-1 of every branch with islands, shed and severity
(``run_batch`` + ``classify_batch``), per second; N-2 on a seeded random sample of branch pairs
(``--n2-sample``), per second; and on the same net and outages the flows-only numpy kernel (the
hardware limit) and lightsim2grid's DC and AC ``ContingencyAnalysisCPP`` (the peer, converter
included). N-1 and N-2 cases are interleaved (``timing.measure``, BLAS on one thread).

Each net runs in its own process with a time limit (``--max-seconds``) and an address-space
limit (``--max-gb``, ``resource.RLIMIT_AS``), so a net that is too large for today's dense
compile is reported as "did not finish" (and the columns after it as "skipped") instead of
hanging or taking the machine down.

Run: ``python benchmarks/bench_scaling.py [--nets case39 chongqing] [--max-seconds 300]
[--max-gb 8] [--json out.json]``
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import warnings

NETS = ("case39", "case118", "case1354pegase", "case2869pegase", "case9241pegase", "chongqing")
STAGES = ("load", "compile", "n1", "n2")
COLUMNS = (  # (key, header, stage that produces it)
    ("buses", "buses", "load"), ("branches", "branches", "load"),
    ("compile_s", "compile s", "compile"), ("compile_peak_mb", "compile peak MB", "compile"),
    ("engine_n1_per_s", "N-1/s with shed", "n1"), ("engine_n2_per_s", "N-2/s (sample)", "n2"),
    ("kernel_n1_per_s", "kernel N-1/s", "n1"), ("ls2g_dc_n1_per_s", "ls2g DC N-1/s", "n1"),
    ("ls2g_ac_n1_per_s", "ls2g AC N-1/s", "n1"), ("engine_over_ls2g_dc", "engine ÷ ls2g DC", "n1"),
)


def _emit(record: dict) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _load(name: str):
    if name == "chongqing":
        from outage_sim.grid import chongqing_net

        return chongqing_net("summer_peak")
    import pandapower.networks as pn

    from outage_sim.grid import annotate_net

    return annotate_net(getattr(pn, name)())


def _contingencies(net, bm, sets, stage: str, peers: tuple[str, ...], args) -> None:
    """Rates per second of the engine, the kernel and lightsim2grid on the same branch sets.

    Each case is first called once alone (its warm-up; the rate is printed at once, so a net
    that runs out of time still shows how far it got); the cases that took at most
    ``--case-seconds`` are then timed ``--repeat`` times, interleaved.
    """
    import baselines as b
    from timing import measure

    om = b.outage_matrix(bm, sets)
    ids = b.ls2g_branch_ids(net, bm)[sets]
    work = b.ls2g_net(net)
    # the engine last: on a large net it may not finish, and the others are then measured
    cases = {"kernel": b.flows_kernel(bm, sets)}
    for algorithm in peers:
        cases[f"ls2g_{algorithm}"] = b.ls2g_contingencies(work, ids, algorithm)
    cases["engine"] = lambda: b.engine_levels(bm, om)
    quick = {}
    for name, fn in cases.items():
        _emit({"stage": stage, "running_case": name})
        probe = measure({name: fn}, repeat=1, warmup=0).cases[name]
        record = {f"{name}_{stage}_per_s": len(sets) / probe.median_s, f"{name}_{stage}_calls": 1}
        if name.startswith("ls2g"):
            record[f"{name}_{stage}_converged"] = probe.result[1]
        _emit({"stage": stage, **record})
        if probe.median_s <= args.case_seconds:
            quick[name] = fn
    if quick:
        _emit({"stage": stage, "running_case": None})
        m = measure(quick, repeat=args.repeat, warmup=0)
        _emit({"stage": stage, f"{stage}_timing": m.to_dict(),
               **{f"{name}_{stage}_per_s": len(sets) / ct.median_s for name, ct in m.cases.items()},
               **{f"{name}_{stage}_calls": args.repeat for name in m.cases}})


def child(name: str, args) -> None:
    """Measure one net, printing JSON lines as results come (a stage's start, its figures, its
    end), so the parent keeps what was done when the net runs out of time or memory."""
    warnings.simplefilter("ignore")
    from baselines import branch_sets
    from timing import machine_load, measure

    from outage_sim.engine import compile_batch

    _emit({"stage": "load", "start": True})
    net = _load(name)
    _emit({"stage": "load", "done": True, "buses": len(net.bus),
           "branches": int(net.line.in_service.sum() + net.trafo.in_service.sum()),
           "load_before": machine_load()["loadavg_1_5_15"]})
    _emit({"stage": "compile", "start": True})
    rss0 = _maxrss_mb()
    m = measure({"compile": lambda: compile_batch(net)}, repeat=1, warmup=0)
    bm = m.cases["compile"].result
    _emit({"stage": "compile", "done": True, "compile_s": m.cases["compile"].median_s,
           "compile_cpu_s": m.cases["compile"].stats("cpu")["median"],
           "compile_peak_mb": _maxrss_mb() - rss0, "engine_branches": bm.n_branch})
    _emit({"stage": "n1", "start": True})
    _contingencies(net, bm, branch_sets(bm.n_branch, 1), "n1", ("dc", "ac"), args)
    _emit({"stage": "n1", "done": True})
    _emit({"stage": "n2", "start": True})
    pairs = branch_sets(bm.n_branch, 2, sample=args.n2_sample, seed=0)
    _emit({"stage": "n2", "n2_pairs": len(pairs)})
    _contingencies(net, bm, pairs, "n2", ("dc",), args)
    _emit({"stage": "n2", "done": True, "load_after": machine_load()["loadavg_1_5_15"]})


def run_net(name: str, args) -> dict:
    """One net in a child process under the time and memory limits; partial results kept."""
    limit = int(args.max_gb * 2**30)

    def cap_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    cmd = [sys.executable, os.path.abspath(__file__), "--child", name,
           "--n2-sample", str(args.n2_sample), "--repeat", str(args.repeat),
           "--case-seconds", str(args.case_seconds)]
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=args.max_seconds,
                              preexec_fn=cap_memory, env=env, check=False)
        stdout, failure = proc.stdout, None
        if proc.returncode:
            last = (proc.stderr.strip().splitlines() or ["exit status " + str(proc.returncode)])[-1]
            failure = (f"did not finish (memory > {args.max_gb:g} GB)"
                       if "MemoryError" in proc.stderr or "Unable to allocate" in proc.stderr
                       else f"did not finish ({last[:60]})")
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout or b""
        stdout = out.decode() if isinstance(out, bytes) else out
        failure = f"did not finish (> {args.max_seconds:g} s)"
    row: dict = {"net": name, "wall_s": round(time.perf_counter() - t0, 1)}
    running = None
    for line in stdout.splitlines():
        if not line.startswith("{"):
            continue  # a library's own print
        record = json.loads(line)
        stage = record.pop("stage")
        if record.pop("start", False):
            running = stage
            row["running_case"] = None
        elif record.pop("done", False):
            running = None
        row.update(record)
    if failure:
        row["failed_stage"] = running
        row["failure"] = failure
    return row


def _cell(row: dict, key: str, stage: str) -> str:
    if key == "engine_over_ls2g_dc" and {"engine_n1_per_s", "ls2g_dc_n1_per_s"} <= set(row):
        return f"{row['ls2g_dc_n1_per_s'] / row['engine_n1_per_s']:.2f}×"
    if key in row:
        value = row[key]
        text = f"{value:,.0f}" if value >= 100 or isinstance(value, int) else f"{value:.2f}"
        if key == "ls2g_ac_n1_per_s" and row.get("ls2g_ac_n1_converged", 0) < row.get("engine_branches", 0):
            text += f" ({row['ls2g_ac_n1_converged']} conv.)"
        if row.get(key.replace("_per_s", "_calls")) == 1:
            text += " (1 call)"
        return text
    running = row.get("running_case")
    if row.get("failed_stage") == stage and (running is None or key.startswith(running + "_")):
        return row["failure"]
    return "skipped" if "failure" in row else "—"


def markdown(rows: list[dict]) -> str:
    """The scaling table in Markdown, one net per row."""
    lines = ["| net | " + " | ".join(h for _, h, _ in COLUMNS) + " |",
             "|---|" + "---:|" * len(COLUMNS)]
    for row in rows:
        lines.append(f"| {row['net']} | " + " | ".join(_cell(row, k, s) for k, _, s in COLUMNS) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nets", nargs="+", default=list(NETS), choices=NETS, metavar="NET",
                    help=f"nets to measure, of {', '.join(NETS)}")
    ap.add_argument("--max-seconds", type=float, default=300.0, help="time limit per net")
    ap.add_argument("--max-gb", type=float, default=8.0, help="address-space limit per net")
    ap.add_argument("--n2-sample", type=int, default=2000, help="random branch pairs for N-2")
    ap.add_argument("--repeat", type=int, default=3, help="interleaved timed calls of each case")
    ap.add_argument("--case-seconds", type=float, default=20.0,
                    help="a case whose first call takes longer is reported from that call alone")
    ap.add_argument("--json", help="also write the rows (and every timing) to this JSON file")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args)
        return
    from timing import machine_load

    before = machine_load()
    rows = []
    for name in args.nets:
        rows.append(run_net(name, args))
        print(f"[{name}: {rows[-1]['wall_s']} s{', ' + rows[-1]['failure'] if 'failure' in rows[-1] else ''}]",
              file=sys.stderr, flush=True)
    after = machine_load()
    print(markdown(rows))
    print(f"\nRates per second are medians of {args.repeat} interleaved calls (BLAS on one thread); "
          f"N-2 on {args.n2_sample:,} random branch pairs (all pairs when fewer); limits per net: "
          f"{args.max_seconds:g} s, {args.max_gb:g} GB address space. Machine: "
          f"{before['cpus_usable']} of {before['cpu_count']} CPUs, load average 1/5/15 min "
          f"{before['loadavg_1_5_15']} before, {after['loadavg_1_5_15']} after.")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"machine_before": before, "machine_after": after, "rows": rows}, fh,
                      indent=1, ensure_ascii=False)


if __name__ == "__main__":
    main()
