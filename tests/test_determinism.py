"""Determinism and faults (issue 19, item 7): the same scenario and seed give the same bytes;
two runs writing into different folders at once do not interfere; a Monte-Carlo sweep on Dask
equals the serial one, also when its workers are killed mid-run, with nothing on stderr."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
# report.html says when it was made (to the minute); nothing else may differ between two runs
_GENERATED = re.compile(rb"generated \xe7\x94\x9f\xe6\x88\x90\xe4\xba\x8e [^<]*")


def _run(args: list[str], hash_seed: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    return subprocess.Popen([sys.executable, "-m", "outage_sim", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow  # two full runs in parallel processes (~11 s); test_scenarios checks same seed, same result
def test_same_scenario_and_seed_give_the_same_bytes_even_when_run_at_once(tmp_path):
    """Two runs at the same time, into different folders, with different hash seeds: the same
    files with the same bytes (report.html apart from its time stamp)."""
    scenario = str(SCENARIOS / "core_station_fire.yaml")
    procs = [_run(["run", scenario, "--seed", "5", "--out", str(tmp_path / name)], seed)
             for name, seed in (("a", "1"), ("b", "2"))]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    a, b = tmp_path / "a", tmp_path / "b"
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir()) and "result.json" in names
    assert not [n for n in names if n.startswith(".")]  # no temporaries left
    for name in names:
        x, y = (a / name).read_bytes(), (b / name).read_bytes()
        if name == "report.html":
            x, y = _GENERATED.sub(b"", x), _GENERATED.sub(b"", y)
        assert x == y, f"{name} differs between two runs of the same scenario and seed"
    result = json.loads((a / "result.json").read_text("utf-8"))
    assert result["seed"] == 5 and str(tmp_path) not in (a / "result.json").read_text("utf-8")


def _worker_processes(pid: int) -> list:
    """The Dask workers under ``pid``: spawned ones, or those forked by the fork server (the
    local cluster's way, :func:`outage_sim.studies.montecarlo._forkserver_with_engine`)."""
    import psutil

    try:
        kids = psutil.Process(pid).children(recursive=True)
        return [k for k in kids if "spawn_main" in " ".join(k.cmdline())
                or (k.ppid() != pid and "forkserver" in " ".join(k.cmdline()))]
    except psutil.Error:
        return []


def _kill_workers_midway(proc: subprocess.Popen, how_many: int, timeout: float = 120) -> int:
    """Kill ``how_many`` Dask worker processes of ``proc`` once both have started working."""
    import psutil

    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        workers = _worker_processes(proc.pid)
        try:
            busy = len(workers) >= 2 and min(w.cpu_times().user for w in workers) > 2.5
        except psutil.Error:
            busy = False
        if busy:
            for w in workers[:how_many]:
                w.kill()
            return how_many
        time.sleep(0.05)
    return 0


@pytest.mark.slow
@pytest.mark.parametrize("killed", [1, 2])
def test_montecarlo_on_dask_survives_killed_workers_and_equals_serial(tmp_path, killed):
    """``montecarlo --workers 2`` with one or both workers killed mid-sweep: exit 0, nothing on
    stderr (no traceback, no resource_tracker or nanny warning), the serial sweep's result.

    About a minute each on two cores (a sweep above the cluster cross-over, and the serial one)."""
    pytest.importorskip("dask.distributed")
    pytest.importorskip("psutil")
    from outage_sim.studies import load_scenario, run_montecarlo
    from outage_sim.studies.montecarlo import LOCAL_CLUSTER_MIN_SAMPLES

    scenario = SCENARIOS / "ice_storm_2008.yaml"
    n = max(30000, LOCAL_CLUSTER_MIN_SAMPLES)  # smaller sweeps run in the process
    args = ["montecarlo", str(scenario), "--samples", str(n), "--chunk", "1000", "--seed", "7",
            "--workers", "2", "--json", "--out", str(tmp_path / "mc")]
    proc = _run(args, "0")
    assert _kill_workers_midway(proc, killed) == killed, "the sweep ended before a worker was killed"
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert err == "", err
    serial = run_montecarlo(load_scenario(scenario), n, seed=7, chunk=4000).summary()
    assert json.loads(out) == json.loads(json.dumps(serial, default=lambda x: x.item()))
    written = json.loads((tmp_path / "mc" / "summary.json").read_text("utf-8"))
    assert written == json.loads(out)
