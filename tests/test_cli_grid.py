"""`outage-sim grid summary|plot` through typer's CliRunner and the installed entry point."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from outage_sim.cli import app
from outage_sim.grid import DATA_DIR

runner = CliRunner()


def test_summary_json_contract():
    res = runner.invoke(app, ["grid", "summary", "--json"])
    assert res.exit_code == 0, res.output
    s = json.loads(res.stdout)
    for key in ("buses", "lines", "transformers", "generators", "total_load_mw", "total_customers",
                "import_mw", "converged", "districts", "structure", "model_version"):
        assert key in s
    assert s["converged"] is True
    assert len(s["districts"]) == 38
    d = s["districts"][0]
    assert set(d) >= {"name", "load_mw", "customers"} and d["name"].endswith(("区", "县"))
    assert sum(x["customers"] for x in s["districts"]) == s["total_customers"]


@pytest.mark.parametrize("level", ["winter_peak", "valley"])
def test_summary_levels(level):
    res = runner.invoke(app, ["grid", "summary", "--level", level, "--json"])
    assert res.exit_code == 0
    assert json.loads(res.stdout)["level"] == level


def test_summary_human_is_bilingual_and_prints_distributions():
    res = runner.invoke(app, ["grid", "summary"])
    assert res.exit_code == 0
    for text in ("负荷 load", "供电用户 customers", "mean degree", "line length", "impedance", "城口县"):
        assert text in res.stdout


def test_bad_level_is_one_line_and_exit_2():
    res = runner.invoke(app, ["grid", "summary", "--level", "spring"])
    assert res.exit_code == 2
    assert res.stderr.strip().count("\n") == 0
    assert "level: unknown load level 'spring'" in res.stderr
    assert "Traceback" not in res.output


def test_unreadable_data_folder_is_exit_2(tmp_path):
    bad = tmp_path / "d"
    shutil.copytree(DATA_DIR, bad)
    (bad / "loads.csv").write_text("name,bus\n\"unterminated\n", encoding="utf-8")
    res = runner.invoke(app, ["grid", "summary", "--data", str(bad)])
    assert res.exit_code == 2
    assert res.stderr.startswith("error: loads.csv")


def test_plot_writes_png_and_never_overwrites(tmp_path):
    out = tmp_path / "map.png"
    res = runner.invoke(app, ["grid", "plot", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    size = out.stat().st_size
    res = runner.invoke(app, ["grid", "plot", "--out", str(out)])
    assert res.exit_code == 2 and "exists" in res.stderr
    assert out.stat().st_size == size
    res = runner.invoke(app, ["grid", "plot", "--out", str(tmp_path / "map.txt")])
    assert res.exit_code == 2 and "--out" in res.stderr


def test_installed_entry_point_runs():
    exe = Path(sys.executable).with_name("outage-sim")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "outage_sim"]
    proc = subprocess.run([*cmd, "grid", "summary", "--level", "valley", "--json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["converged"] is True
    proc = subprocess.run([*cmd, "grid", "summary", "--level", "nope"], capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
