"""The benchmarks' timing harness (benchmarks/timing.py) and the scaling table's cells: cases run
round-robin, each reports wall and CPU min ≤ median ≤ max, the machine's load goes with them.
Trivial callables only; nothing here asserts a wall-clock time."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import bench_scaling
import timing

from outage_sim.errors import InputError


def _busy(n: int = 20_000) -> int:
    return sum(i * i for i in range(n))


def _logged(log: list[str], name: str):
    def call() -> str:
        log.append(name)
        _busy(2_000)
        return name
    return call


def test_cases_are_interleaved_round_robin_and_warmup_is_not_timed():
    log: list[str] = []
    names = ["baseline", "a", "b"]
    m = timing.measure({n: _logged(log, n) for n in names}, repeat=4, warmup=2)
    assert len(log) == 3 * (4 + 2)
    rounds = [log[i:i + 3] for i in range(0, len(log), 3)]
    assert all(sorted(r) == sorted(names) for r in rounds)  # every case once in every round
    assert len({r[0] for r in rounds}) == 3  # and not always the same one first
    for name in names:
        times = m.cases[name]
        assert len(times.wall_s) == len(times.cpu_s) == 4
        assert times.result == name


def test_each_case_reports_min_median_max_of_wall_and_cpu_time():
    m = timing.measure({"busy": _busy, "idle": lambda: None}, repeat=5, warmup=1)
    for times in m.cases.values():
        for which in ("wall", "cpu"):
            s = times.stats(which)
            assert 0.0 <= s["min"] <= s["median"] <= s["max"]
    assert m.cases["busy"].stats("cpu")["min"] > 0.0  # CPU time is measured, not left out
    d = m.to_dict()
    assert set(d["cases"]["busy"]) == {"wall_s", "cpu_s", "calls"}
    assert d["cases"]["busy"]["calls"] == 5


def test_the_context_holds_the_load_cpus_and_pinned_blas_threads():
    ctx = timing.measure({"x": _busy}, repeat=1, warmup=0).context
    assert len(ctx["load_before"]) == len(ctx["load_after"]) == 3
    assert ctx["cpu_count"] >= 1 and 1 <= ctx["cpus_usable"] <= ctx["cpu_count"]
    assert ctx["blas_pinned"], "numpy's BLAS is loaded, so it is listed"
    assert all(b["threads"] == timing.BLAS_THREADS for b in ctx["blas_pinned"])


def test_the_table_gives_ratios_against_the_named_baseline_per_item():
    m = timing.measure({"base": _busy, "other": lambda: _busy(40_000)}, repeat=2, warmup=0)
    table = timing.ratio_table(m, "base", {"base": 10, "other": 20}, unit="thing", also=("other",))
    base_row = next(line for line in table.splitlines() if line.startswith("base "))
    assert base_row.count("1.00×") == 1  # against itself; the "÷ other" column differs
    assert "per thing" in table and "load average" in table and "BLAS" in table
    ratio = m.cases["other"].median_s / 20 / (m.cases["base"].median_s / 10)
    assert timing._ratio(ratio) + "×" in table


@pytest.mark.parametrize("call, field", [
    (lambda: timing.measure({"x": _busy}, repeat=0), "repeat"),
    (lambda: timing.measure({"x": _busy}, warmup=-1), "warmup"),
    (lambda: timing.measure({}), "cases"),
    (lambda: timing.ratio_table(timing.measure({"x": _busy}, repeat=1), "nope"), "baseline"),
])
def test_bad_input_is_one_line_naming_the_field(call, field):
    with pytest.raises(InputError, match=f"^{field}: "):
        call()


def test_a_net_that_does_not_finish_shows_where_it_stopped_and_what_was_skipped():
    rows = [{"net": "small", "buses": 39, "branches": 46, "compile_s": 0.05,
             "compile_peak_mb": 3.0, "engine_branches": 46, "engine_n1_per_s": 300.0,
             "engine_n2_per_s": 250.0, "kernel_n1_per_s": 70_000.0, "ls2g_dc_n1_per_s": 7_000.0,
             "ls2g_ac_n1_per_s": 6_000.0, "ls2g_ac_n1_converged": 40},
            {"net": "mid", "buses": 1354, "branches": 1991, "compile_s": 8.7,
             "compile_peak_mb": 553.0, "kernel_n1_per_s": 9_000.0, "kernel_n1_calls": 1,
             "ls2g_dc_n1_per_s": 900.0, "ls2g_dc_n1_calls": 1, "running_case": "ls2g_ac",
             "failed_stage": "n1", "failure": "did not finish (> 300 s)"},
            {"net": "big", "buses": 9241, "branches": 16049, "failed_stage": "compile",
             "failure": "did not finish (> 300 s)"}]
    table = bench_scaling.markdown(rows).splitlines()
    assert table[2].startswith("| small | 39 | 46 | 0.05 | 3.00 | 300 | 250 | 70,000 | 7,000 |")
    assert "6,000 (40 conv.)" in table[2] and table[2].endswith("| 23.33× |")
    mid = table[3].split(" | ")
    assert mid[9] == "did not finish (> 300 s)"  # the case running when the time ran out
    assert mid[5] == mid[6] == "skipped"  # the engine's N-1 and N-2, not reached
    assert mid[7] == "9,000 (1 call)" and mid[8] == "900 (1 call)"  # done before
    big = table[4].split(" | ")
    assert big[3] == "did not finish (> 300 s)" and big[-1] == "skipped |"
