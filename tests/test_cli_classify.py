"""`outage-sim classify` through typer's CliRunner and the installed entry point."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from outage_sim.cli import app

runner = CliRunner()
EVENTS = Path(__file__).parents[1] / "scenarios" / "events"
PLAN_FILE = Path(__file__).parents[1] / "outage_sim" / "data" / "plan" / "chongqing-2021.toml"

MAJOR = {"main": {"load_mw": 21000, "shed_mw": 4830, "customers": 15000000,
                  "customers_out": 2100000},
         "districts": [{"name": "城口县", "load_mw": 60, "shed_mw": 30, "customers": 110000,
                        "customers_out": 40000}]}


def write(tmp_path: Path, obj) -> str:
    path = tmp_path / "event.json"
    path.write_text(obj if isinstance(obj, str) else json.dumps(obj, ensure_ascii=False),
                    "utf-8")
    return str(path)


def test_json_output_contract(tmp_path):
    res = runner.invoke(app, ["classify", write(tmp_path, MAJOR), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert (out["level"], out["level_en"], out["level_rank"]) == ("重大", "major", 3)
    assert (out["response_level"], out["warning_color"], out["warning_level"]) == (
        "II", "orange", 2)
    assert {"criteria", "margins", "main"} <= set(out)
    assert out["criteria"][0] == {
        "scope": "main", "measure": "load_shed", "measure_zh": "减供负荷", "value_pct": 23.0,
        "level": "重大", "level_en": "major", "level_rank": 3, "clause": "§1.5.2(1)",
        "band_pct": [20.0, 50.0], "part": 4830, "whole": 21000, "district_class": None,
        "district_class_en": None}
    district = next(c for c in out["criteria"] if c["scope"] == "城口县")
    assert (district["measure"], district["value_pct"], district["level"], district["clause"]) \
        == ("load_shed", 50.0, "一般", "§1.5.4(4)")
    raise_ = out["margins"]["raise"]["any_of"][0]
    assert (raise_["scope"], raise_["measure"], raise_["more"], raise_["level"]) == (
        "main", "load_shed", 5670, "特别重大")
    lower = out["margins"]["lower"]
    assert lower["level"] == "较大"
    assert lower["all_of"] == [{
        "scope": "main", "measure": "load_shed", "unit": "MW", "reduce_by_more_than": 630,
        "current": 4830, "boundary": 4200, "boundary_pct": 20.0, "level": "较大",
        "level_en": "large", "level_rank": 2, "clause": "§1.5.2(1)"}]


def test_json_output_of_no_event(tmp_path):
    obj = {"main": {"load_mw": 21000, "shed_mw": 1049.999, "customers": 1, "customers_out": 0}}
    out = json.loads(runner.invoke(app, ["classify", write(tmp_path, obj), "--json"]).stdout)
    assert (out["level"], out["level_en"], out["level_rank"]) == ("none", "none", 0)
    assert out["response_level"] is None and out["warning_color"] is None
    assert out["warning_level"] is None and out["criteria"] == []
    assert out["margins"]["raise"]["any_of"][0]["more"] == 0.001


def test_human_summary_is_bilingual(tmp_path):
    res = runner.invoke(app, ["classify", write(tmp_path, MAJOR)])
    assert res.exit_code == 0, res.output
    text = res.stdout
    for chinese_beside_english in ("重大 / major", "二级 橙色 / level 2 orange", "Ⅱ级 / II",
                                   "减供负荷 load shed", "重庆市主网 Chongqing main grid",
                                   "升一级 To raise", "降一级 To lower", "→ 较大 / large"):
        assert chinese_beside_english in text
    assert "23% in [20%, 50%)" in text and "§1.5.2(1)" in text
    assert ("城口县 (负荷150兆瓦以下的区县 district with load below 150 MW; 事件前负荷 pre-event "
            "load 60 MW)") in text
    assert "+5,670 MW" in text and "more than 630 MW fewer" in text


def test_human_summary_of_no_event(tmp_path):
    obj = {"main": {"load_mw": 100, "shed_mw": 0, "customers": 1, "customers_out": 0}}
    res = runner.invoke(app, ["classify", write(tmp_path, obj)])
    assert res.exit_code == 0
    assert "未构成大面积停电事件 / not a large-area outage event" in res.stdout
    assert "无 / none" in res.stdout


def test_stdin_dash():
    res = runner.invoke(app, ["classify", "-", "--json"], input=json.dumps(MAJOR))
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["level"] == "重大"


@pytest.mark.parametrize("name", ["classify_major.json", "classify_district_large.json"])
def test_example_events(name):
    res = runner.invoke(app, ["classify", str(EVENTS / name), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    expected = {"classify_major.json": ("重大", "main"),
                "classify_district_large.json": ("较大", "万州区")}[name]
    assert (out["level"], out["decided_by"]["scope"]) == expected


def test_other_plan_file(tmp_path):
    plan = tmp_path / "plan.toml"
    plan.write_text(PLAN_FILE.read_text("utf-8").replace(
        "low_pct = 20\nhigh_pct = 50", "low_pct = 25\nhigh_pct = 50").replace(
        "low_pct = 10\nhigh_pct = 20", "low_pct = 10\nhigh_pct = 25"), "utf-8")
    event = write(tmp_path, MAJOR)
    res = runner.invoke(app, ["classify", event, "--json", "--plan", str(plan)])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["level"] == "较大" and out["plan"]["source"] == str(plan)


def _area(**changes):
    base = {"load_mw": 60, "shed_mw": 30, "customers": 110000, "customers_out": 40000}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not ...}


BAD = [
    ("missing field", {"districts": [{"name": "城口县", **_area(shed_mw=...)}]},
     "districts[0] (城口县): missing field 'shed_mw'"),
    ("negative", {"districts": [{"name": "城口县", **_area(customers=-1)}]},
     "districts[0] (城口县).customers: must not be negative (got -1)"),
    ("shed above load", {"districts": [{"name": "巫溪县", **_area(shed_mw=61)}]},
     "districts[0] (巫溪县).shed_mw: 61 is above load_mw 60"),
    ("customers out above customers",
     {"districts": [{"name": "城口县", **_area()}, {"name": "巫溪县",
                                                  **_area(customers_out=110001)}]},
     "districts[1] (巫溪县).customers_out: 110001 is above customers 110000"),
    ("non-numeric", {"districts": [{"name": "城口县", **_area(load_mw="60 MW")}]},
     "districts[0] (城口县).load_mw: must be a number, not the string '60 MW'"),
    ("null", {"main": {**_area(customers_out=None)}},
     "main.customers_out: must be a number, not null"),
    ("NaN", ('{"districts": [{"name": "城口县", "load_mw": NaN, "shed_mw": 0, '
             '"customers": 1, "customers_out": 0}]}'),
     "districts[0] (城口县).load_mw: must be a finite number, not NaN"),
    ("Infinity", ('{"main": {"load_mw": Infinity, "shed_mw": 0, "customers": 1, '
                  '"customers_out": 0}}'),
     "main.load_mw: must be a finite number, not Infinity"),
    ("unreadable JSON", '{"main": {"load_mw": 1,', "not valid JSON"),
    ("empty file", "", "not valid JSON"),
    ("not an object", "[1, 2]", "must hold a JSON object, not a list"),
    ("no main and no districts", {"districts": []},
     'event: needs "main" or at least one district in "districts"'),
    ("nothing at all", {}, 'event: needs "main" or at least one district in "districts"'),
]


@pytest.mark.parametrize(("case", "obj", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_exits_2_with_one_line(tmp_path, case, obj, message):
    res = runner.invoke(app, ["classify", write(tmp_path, obj), "--json"])
    assert res.exit_code == 2, res.output
    assert res.stdout == ""
    lines = res.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert message in lines[0]
    assert "Traceback" not in res.stderr


def test_missing_event_file(tmp_path):
    res = runner.invoke(app, ["classify", str(tmp_path / "nope.json")])
    assert res.exit_code == 2
    path = str(tmp_path / "nope.json")
    assert res.stderr.splitlines() == [
        f"error: EVENT.json {path!r}: event file not found, nor a built-in event of that name "
        "(`outage-sim scenarios list` names the built-in ones)"]


def test_not_utf8_event_file(tmp_path):
    path = tmp_path / "event.json"
    path.write_bytes("{\"districts\": [{\"name\": \"城口县\"}]}".encode("gbk"))
    res = runner.invoke(app, ["classify", str(path)])
    assert res.exit_code == 2 and "not UTF-8 text" in res.stderr
    assert len(res.stderr.splitlines()) == 1


def test_bad_plan_file(tmp_path):
    event = write(tmp_path, MAJOR)
    res = runner.invoke(app, ["classify", event, "--plan", str(tmp_path / "nope.toml")])
    assert res.exit_code == 2
    assert len(res.stderr.splitlines()) == 1 and "plan file" in res.stderr
    broken = tmp_path / "broken.toml"
    broken.write_text("schema = 1\n", "utf-8")
    res = runner.invoke(app, ["classify", event, "--plan", str(broken)])
    assert res.exit_code == 2
    # every missing table named, each by its path (the first used to be the only one)
    assert res.stderr.splitlines() == [
        f"error: plan file {str(broken)!r}: plan: missing or not a table; "
        + "levels: missing or not a non-empty list; main: missing or not a table; "
        + "district: missing or not a table"]


def _entry_point() -> str:
    found = shutil.which("outage-sim") or str(Path(sys.executable).parent / "outage-sim")
    assert Path(found).exists(), "the outage-sim entry point is not installed (pip install -e .)"
    return found


def test_installed_entry_point(tmp_path):
    event = write(tmp_path, MAJOR)
    done = subprocess.run([_entry_point(), "classify", event, "--json"], capture_output=True,
                          text=True, encoding="utf-8", timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["warning_color"] == "orange"
    bad = subprocess.run([_entry_point(), "classify", "-"], input='{"main": {"load_mw": 1}}',
                         capture_output=True, text=True, encoding="utf-8", timeout=120,
                         check=False)
    assert bad.returncode == 2
    assert bad.stderr == "error: main: missing fields 'shed_mw', 'customers', 'customers_out'\n"
