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


def test_summary_shows_layers_sole_supplies_and_the_capacity_ratio():
    res = runner.invoke(app, ["grid", "summary", "--json"])
    s = json.loads(res.stdout)
    kv = {row["kv"]: row for row in s["layers"]}
    assert set(kv) == {1000.0, 500.0, 220.0} and kv[220.0]["supply_areas"] == 24
    assert kv[220.0]["stations"] == kv[220.0]["buses"] and kv[500.0]["transformers"] >= 48
    assert s["topology"]["all"]["clustering"] <= 0.1
    assert set(s["sole_supply"]) == {"万县", "彭水"}
    dianjiang = next(d for d in s["districts"] if d["name"] == "垫江县")
    assert dianjiang["transformer_mva"] == 720 and dianjiang["stations_220kv"] == 2
    assert all(d["capacity_ratio"] >= 1.8 for d in s["districts"])
    human = runner.invoke(app, ["grid", "summary"]).stdout
    for text in ("分层 layers", "supply areas 分区 24", "聚类系数", "唯一电源 万县", "容载比", "N-1 校核"):
        assert text in human


@pytest.mark.slow
def test_summary_n1_per_layer():
    res = runner.invoke(app, ["grid", "summary", "--n1", "--level", "valley", "--json"])
    n1 = json.loads(res.stdout)["n1"]
    assert n1["220kV lines"]["checked"] == 322 and n1["500kV transformers"]["checked"] == 72
    assert n1["1000kV lines"]["checked"] == 2 and n1["interties"]["checked"] == 7
    assert n1["units"]["checked"] == 39  # the units committed in the valley
    branches = {k: e for k, e in n1.items() if k.endswith(("lines", "transformers"))}
    assert all(not entry["insecure"] for entry in branches.values()) and not n1["units"]["insecure"]
    # the two intertie losses that leave long circuits open-ended (tests/test_n1.py)
    assert set(n1["interties"]["insecure"]) == {"川渝特高压 天府南-铜梁", "渝鄂背靠背 龙泉"}
    # the valley's branches within the normal band too (no 0.95–1.05 pu alert), worst loading reported
    assert all(not entry["alerts"] for entry in branches.values())
    assert 0 < n1["220kV lines"]["worst_loading_pct"] <= 100
    assert 0.95 <= n1["220kV lines"]["vm_pu_min"] <= n1["220kV lines"]["vm_pu_max"] <= 1.05


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
