"""The regression corpus of issue 19 (tests/corpus/cases.yaml): every hang, traceback, silently
accepted input and wrong exit status the issue lists, as a command line that must now exit 2
with one line naming the file, field or option (or exit 0 with the right output where the input
is valid), within 5 s of CPU and 500 MB.

The default run invokes each case in this process (typer's CliRunner), measuring its CPU time
and the growth of the peak resident memory; the ``slow`` set runs each as its own
``python -m outage_sim`` process under an address-space limit and measures that process alone
(``os.wait4``).
"""

from __future__ import annotations

import csv
import io
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from _contract import check, error_line
from typer.testing import CliRunner

from outage_sim.cli import app
from outage_sim.grid import DATA_DIR

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).parent / "corpus"
CASES = yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))
CPU_S = 5.0
MEMORY_MB = 500
runner = CliRunner()

AREA = '"load_mw": 60, "shed_mw": 30, "customers": 110000, "customers_out": 40000'
MB = 2**20


def _big_description_json(path: Path) -> None:
    with path.open("w", encoding="utf-8") as f:
        f.write('{"time": "2024-07-31T23:40:00+08:00", "description": "')
        f.write("停电" * (50 * MB))  # 100 M characters (300 MB of UTF-8)
        f.write(f'", "main": {{{AREA}}}}}')


def _million_districts_json(path: Path) -> None:
    one = f'{{"name": "城口县", {AREA}}}'
    path.write_text('{"districts": [' + ", ".join([one] * 1_100_000) + "]}", encoding="utf-8")


def _many_districts_json(path: Path) -> None:
    rows = ", ".join(f'{{"name": "d{i}", {AREA}}}' for i in range(30_000))
    path.write_text('{"time": "2024-07-31T23:40:00+08:00", "districts": [' + rows + "]}",
                    encoding="utf-8")


def _big_description_yaml(path: Path) -> None:
    with path.open("w", encoding="utf-8") as f:
        f.write("name: big\ntime: 2026-07-15T10:20:00+08:00\ndescription: ")
        f.write("x" * (100 * MB))
        f.write("\n")


MAKERS = {"big_description.json": _big_description_json,
          "million_districts.json": _million_districts_json,
          "many_districts.json": _many_districts_json,
          "big_description.yaml": _big_description_yaml}


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    """The generated inputs, written once for the module."""
    folder = tmp_path_factory.mktemp("made")
    for name, make in MAKERS.items():
        make(folder / name)
    return folder


def _patched(tmp: Path, patch: dict) -> Path:
    data = tmp / "data"
    shutil.copytree(DATA_DIR, data)
    path = data / patch["file"]
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    rows[patch["row"] - 1][rows[0].index(patch["column"])] = patch["value"]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return data


def _prepare(case: dict, tmp: Path, made: Path) -> tuple[list[str], bytes | None]:
    """The case's command line and standard input, its files in place."""
    if "make" in case:
        os.symlink(made / case["make"], tmp / case["make"])
    data = _patched(tmp, case["patch"]) if "patch" in case else tmp / "no-data"
    places = {"corpus": str(CORPUS), "events": str(ROOT / "scenarios" / "events"),
              "tmp": str(tmp), "data": str(data)}
    args = [str(a).format(**places) for a in case["args"]]
    stdin = Path(case["stdin"].format(**places)).read_bytes() if "stdin" in case else None
    return args, stdin


def _expect(case: dict, stdout: str, stderr: str, exit_code: int) -> None:
    want = case.get("exit", 2)
    assert exit_code == want, (case["id"], exit_code, stderr[:2000])
    if want == 2:
        line = error_line(stderr)
        assert case["expect"] in line, (case["expect"], line)
        assert len(line) < 400, line
    else:
        assert case["expect"] in stdout, stdout[:2000]
        for text, n in case.get("count", {}).items():
            assert stdout.count(text) == n, (text, stdout.count(text))


class _Alarm(Exception):
    pass


def _alarm(*_):
    raise _Alarm("the case did not end within 60 s")


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / MB


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case_in_process(case, tmp_path, made):
    args, stdin = _prepare(case, tmp_path, made)
    before_rss, before_cpu = _rss_mb(), time.process_time()
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(60)
    try:
        result = runner.invoke(app, args, input=stdin)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    cpu = time.process_time() - before_cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before_rss
    check(result, args)
    _expect(case, result.stdout, result.stderr, result.exit_code)
    assert cpu < CPU_S, f"{case['id']}: {cpu:.1f} s of CPU"
    assert peak < MEMORY_MB, f"{case['id']}: peak memory grew by {peak:.0f} MB"


# The case runs in a fresh interpreter that caps its own address space (a runaway input cannot
# take the machine with it), runs the CLI and, at exit, writes its peak resident memory (VmHWM
# of its own address space: ru_maxrss would count the pages of this large test process it was
# started from) to the file named by OUTAGE_SIM_HWM.
_LAUNCHER = (
    "import atexit, os, re, resource, runpy, sys\n"
    "resource.setrlimit(resource.RLIMIT_AS, (4 * 2**30, 4 * 2**30))\n"
    "def _hwm():\n"
    "    text = open('/proc/self/status').read()\n"
    "    kb = re.search(r'VmHWM:\\s+(\\d+) kB', text).group(1)\n"
    "    open(os.environ['OUTAGE_SIM_HWM'], 'w').write(kb)\n"
    "atexit.register(_hwm)\n"
    "sys.argv = ['outage-sim', *sys.argv[1:]]\n"
    "runpy.run_module('outage_sim', run_name='__main__')\n"
)


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case_as_a_process(case, tmp_path, made):
    """The case as ``python -m outage_sim`` on its own, its CPU time and peak memory measured
    for that process alone (``os.wait4``)."""
    args, stdin = _prepare(case, tmp_path, made)
    files = {name: tmp_path / name for name in ("stdin", "stdout", "stderr")}
    files["stdin"].write_bytes(stdin or b"")
    hwm = tmp_path / "hwm"
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "200", "OUTAGE_SIM_HWM": str(hwm)}
    with files["stdin"].open("rb") as fin, files["stdout"].open("wb") as fout, \
            files["stderr"].open("wb") as ferr:
        proc = subprocess.Popen([sys.executable, "-c", _LAUNCHER, *args], cwd=ROOT, env=env,
                                stdin=fin, stdout=fout, stderr=ferr)
        deadline = time.monotonic() + 60
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                proc.wait()
                pytest.fail(f"{case['id']}: still running after 60 s")
            time.sleep(0.02)
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    out, err = (files[n].read_text(encoding="utf-8") for n in ("stdout", "stderr"))
    assert "Traceback" not in err, err[-2000:]
    _expect(case, out, err, proc.returncode)
    cpu = usage.ru_utime + usage.ru_stime
    assert cpu < CPU_S, f"{case['id']}: {cpu:.1f} s of CPU"
    peak_mb = int(hwm.read_text()) / 1024
    assert peak_mb < MEMORY_MB, f"{case['id']}: {peak_mb:.0f} MB"


def test_every_bullet_of_the_issue_has_cases():
    counts = {}
    for case in CASES:
        counts[case["issue"]] = counts.get(case["issue"], 0) + 1
    assert set(counts) == {"hang", "traceback", "nonsense", "status", "valid"}
    assert len({c["id"] for c in CASES}) == len(CASES)
    json.dumps(counts)
