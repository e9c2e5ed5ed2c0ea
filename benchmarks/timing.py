"""The benchmarks' one timing harness (run as scripts: this folder is on sys.path).

:func:`measure` runs every case round-robin — baseline, case A, case B, baseline, case A, … —
in one process, so a burst of load from another process on a shared machine falls on all of
them alike; the start of each round moves on by one case so no case always runs right after the
same neighbour. Each call is timed twice: wall time (``time.perf_counter``) and the CPU time of
this process (``time.process_time``, all its threads): CPU well below wall means the case waited
for a core. BLAS is pinned to one thread while timing (threadpoolctl ``threadpool_limits(1)``):
the engine's matrices are small and OpenBLAS's threads only spin on a loaded machine. The
machine's load average before and after and its CPU count go with every measurement.

:func:`ratio_table` prints each case against a named baseline of the same measurement, per item
when the cases do different amounts of work (contingencies, scenarios, evaluations): ratios are
what survives a noisy machine, seconds are not.
"""

from __future__ import annotations

import gc
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy  # noqa: F401  (its BLAS must be loaded to be pinned: threadpoolctl pins loaded ones)
from threadpoolctl import threadpool_info, threadpool_limits

from outage_sim.errors import InputError

BLAS_THREADS = 1


@dataclass(frozen=True)
class CaseTimes:
    """Wall and CPU seconds of every timed call of one case (warm-up calls left out)."""

    wall_s: tuple[float, ...]
    cpu_s: tuple[float, ...]
    result: Any = field(default=None, repr=False, compare=False)  # the last call's return

    def stats(self, which: str = "wall") -> dict[str, float]:
        """``min``/``median``/``max`` seconds of the wall (``"wall"``) or CPU (``"cpu"``) times."""
        values = self.wall_s if which == "wall" else self.cpu_s
        return {"min": min(values), "median": statistics.median(values), "max": max(values)}

    @property
    def median_s(self) -> float:
        return statistics.median(self.wall_s)


@dataclass(frozen=True)
class Measurement:
    """The cases of one :func:`measure` call, in the order given, and the machine around them."""

    cases: dict[str, CaseTimes]
    context: dict

    def to_dict(self) -> dict:
        """JSON-ready: per case wall and CPU min/median/max (seconds), and the context."""
        return {"context": self.context,
                "cases": {name: {"wall_s": ct.stats("wall"), "cpu_s": ct.stats("cpu"),
                                 "calls": len(ct.wall_s)}
                          for name, ct in self.cases.items()}}


def machine_load() -> dict:
    """The 1-, 5- and 15-minute load averages and the CPUs this process may use."""
    one, five, fifteen = os.getloadavg()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"loadavg_1_5_15": [round(one, 2), round(five, 2), round(fifteen, 2)],
            "cpu_count": os.cpu_count(), "cpus_usable": usable}


def _blas_context() -> list[dict]:
    return [{"library": p.get("internal_api"), "threads": p.get("num_threads")}
            for p in threadpool_info() if p.get("user_api") == "blas"]


def measure(cases: dict[str, Callable[[], object]], repeat: int = 5,
            warmup: int = 1) -> Measurement:
    """Time every case ``warmup + repeat`` times, round-robin, BLAS pinned to one thread.

    Parameters
    ----------
    cases
        Name → callable without arguments; the first is usually the baseline.
    repeat
        Timed calls of each case (at least 1).
    warmup
        Untimed rounds first (caches, lazy imports, JIT), interleaved the same way.

    Returns
    -------
    Measurement
        Per case every timed wall and CPU time and the last call's result; the context holds
        the load average before and after, the CPU count, the BLAS libraries and their threads
        while timing, and ``repeat``/``warmup``.
    """
    if repeat < 1:
        raise InputError(f"repeat: {repeat} must be at least 1")
    if warmup < 0:
        raise InputError(f"warmup: {warmup} must be at least 0")
    if not cases:
        raise InputError("cases: nothing to measure")
    names = list(cases)
    wall: dict[str, list[float]] = {n: [] for n in names}
    cpu: dict[str, list[float]] = {n: [] for n in names}
    last: dict[str, Any] = {}
    before = machine_load()
    with threadpool_limits(limits=BLAS_THREADS, user_api="blas"):
        blas = _blas_context()
        for round_no in range(warmup + repeat):
            shift = round_no % len(names)
            for name in names[shift:] + names[:shift]:
                gc.collect()
                c0, w0 = time.process_time(), time.perf_counter()
                last[name] = cases[name]()
                w1, c1 = time.perf_counter(), time.process_time()
                if round_no >= warmup:
                    wall[name].append(w1 - w0)
                    cpu[name].append(c1 - c0)
    after = machine_load()
    context = {"load_before": before["loadavg_1_5_15"], "load_after": after["loadavg_1_5_15"],
               "cpu_count": before["cpu_count"], "cpus_usable": before["cpus_usable"],
               "blas_pinned": blas, "repeat": repeat, "warmup": warmup}
    return Measurement({n: CaseTimes(tuple(wall[n]), tuple(cpu[n]), last.get(n)) for n in names},
                       context)


def _ratio(x: float) -> str:
    """Two decimals from 1 up, three significant digits below (a batch is often 0.00x)."""
    return f"{x:,.2f}" if x >= 1 else f"{x:.3g}"


def ratio_table(m: Measurement, baseline: str, items: dict[str, float] | None = None,
                unit: str = "item", also: tuple[str, ...] = ()) -> str:
    """The measurement as text: per case wall min/median/max, CPU median, and the ratio of its
    median time (per ``unit`` when ``items`` gives each case's count of them) to the baseline's.

    ``also`` names further reference cases, each with its own ratio column. A ratio above 1
    means slower than the reference. The last lines give the machine's load and BLAS threads.
    """
    refs = (baseline, *also)
    missing = [r for r in refs if r not in m.cases]
    if missing:
        raise InputError(f"baseline: {missing[0]!r} is not one of the measured cases")
    count = {n: float((items or {}).get(n, 1.0)) for n in m.cases}
    per = {n: ct.median_s / count[n] for n, ct in m.cases.items()}
    width = max(len(n) for n in m.cases) + 2
    head = f"{'case':<{width}}{'wall min':>10}{'median':>10}{'max':>10}{'CPU median':>12}"
    if items:
        head += f"{'per s':>12}"
    head += "".join(f"{'÷ ' + ('baseline' if r == baseline else r.split(' (')[0][:20]):>24}"
                    for r in refs)
    lines = [head]
    for name, ct in m.cases.items():
        w, c = ct.stats("wall"), ct.stats("cpu")
        row = (f"{name:<{width}}{w['min']:>10.4f}{w['median']:>10.4f}{w['max']:>10.4f}"
               f"{c['median']:>12.4f}")
        if items:
            row += f"{count[name] / ct.median_s:>12,.0f}"
        row += "".join(f"{_ratio(per[name] / per[r]):>23}×" for r in refs)
        lines.append(row)
    ctx = m.context
    libs = sorted({f"{b['library']} {b['threads']} thread(s)" for b in ctx["blas_pinned"]})
    lines.append(f"(seconds, wall and CPU of this process; {ctx['repeat']} interleaved calls of "
                 f"each case after {ctx['warmup']} warm-up round(s); ratios of median times"
                 f"{' per ' + unit if items else ''}; baseline: {baseline})")
    lines.append(f"(machine: {ctx['cpus_usable']} of {ctx['cpu_count']} CPUs, load average "
                 f"1/5/15 min {ctx['load_before']} before, {ctx['load_after']} after; BLAS: "
                 f"{', '.join(libs) or 'none found'} in {len(ctx['blas_pinned'])} librar"
                 f"{'y' if len(ctx['blas_pinned']) == 1 else 'ies'})")
    return "\n".join(lines)
