"""Built-in scenarios and events by name, ``scenarios list|show|new``, ``hazards``, and the error
paths that answer before the grid model (pandapower) loads."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from outage_sim.builtins import (
    builtin_path,
    event_names,
    event_path,
    events_dir,
    scenario_names,
    scenario_path,
    scenarios_dir,
)
from outage_sim.cli import app
from outage_sim.errors import InputError
from outage_sim.hazards import HAZARD_TYPES
from outage_sim.studies import FaultSpec, load_scenario, parse_scenario, scenario_template

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


# --- the lookup ---------------------------------------------------------------------------------


def test_the_builtins_ship_in_the_package_and_the_clone_link_points_there():
    assert scenarios_dir() == ROOT / "outage_sim" / "data" / "scenarios"
    assert "ice_storm_2008" in scenario_names() and "wuxi_landslide" in scenario_names()
    assert set(event_names()) >= {"classify_major", "respond_major"}
    assert (ROOT / "scenarios").resolve() == scenarios_dir()


@pytest.mark.parametrize("given", ["ice_storm_2008", "ice_storm_2008.yaml"])
def test_a_name_with_or_without_its_suffix_is_the_builtin(given, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # nothing of that name here
    assert scenario_path(given) == scenarios_dir() / "ice_storm_2008.yaml"
    assert load_scenario(given).name.startswith("2008-like ice storm")


def test_an_existing_path_wins_over_a_builtin_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = scenario_template("mine").replace("name: mine", "name: my own ice storm")
    Path("ice_storm_2008.yaml").write_text(text, encoding="utf-8")
    assert scenario_path("ice_storm_2008.yaml") == Path("ice_storm_2008.yaml")
    assert load_scenario("ice_storm_2008.yaml").name == "my own ice storm"
    assert load_scenario("ice_storm_2008").name.startswith("2008-like")  # no such file: built-in


def test_events_by_name_and_stdin_as_it_is():
    assert event_path("classify_major") == events_dir() / "classify_major.json"
    assert event_path("respond_major.json") == events_dir() / "respond_major.json"
    assert event_path("-") == "-"
    with pytest.raises(InputError, match=r"^EVENT.json 'clasify_major': event file not found.*"
                                         r"did you mean 'classify_major'\?"):
        event_path("clasify_major")


@pytest.mark.parametrize("given, guess", [("ice_strom", "ice_storm_2008"),
                                          ("uhv", "uhv_and_dc_trip"),
                                          ("scenarios/wuxi_landslide.yml", "wuxi_landslide")])
def test_an_unknown_name_is_one_line_with_a_suggestion_and_exit_2(given, guess):
    res = runner.invoke(app, ["run", given])
    assert res.exit_code == 2 and res.stdout == ""
    lines = res.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"error: SCENARIO {given!r}: scenario file not found")
    assert f"did you mean {guess!r}?" in lines[0] and "outage-sim scenarios list" in lines[0]


def test_a_name_nothing_resembles_gets_no_suggestion_but_the_hint():
    with pytest.raises(InputError) as exc:
        load_scenario("missing.yaml")
    assert "did you mean" not in str(exc.value) and "scenarios list" in str(exc.value)
    assert str(exc.value).startswith("scenario 'missing.yaml': scenario file not found")


def test_classify_and_respond_take_builtin_event_names():
    res = runner.invoke(app, ["classify", "classify_major", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["level"] == "重大"
    res = runner.invoke(app, ["respond", "respond_major"])
    assert res.exit_code == 0 and "重大" in res.stdout


# --- scenarios list / show / new ------------------------------------------------------------------


def test_scenarios_list_json_names_every_builtin_with_its_level_and_title():
    res = runner.invoke(app, ["scenarios", "list", "--json"])
    assert res.exit_code == 0, res.output
    obj = json.loads(res.stdout)
    files = sorted(p.stem for p in scenarios_dir().glob("*.yaml"))
    assert [s["name"] for s in obj["scenarios"]] == files
    by_name = {s["name"]: s for s in obj["scenarios"]}
    assert by_name["wuxi_landslide"]["hazards"] == ["landslide"]
    assert by_name["ice_storm_2008"]["level"] == "winter_peak"
    assert by_name["core_station_fire"]["title"].startswith("Fire at the 金山")
    assert all(s["description"] for s in obj["scenarios"])
    events = {e["name"]: e for e in obj["events"]}
    assert events["respond_major"]["commands"] == ["classify", "respond"]
    assert events["classify_major"]["commands"] == ["classify"]
    res = runner.invoke(app, ["scenarios", "list"])
    assert res.exit_code == 0 and "内置情景 built-in scenarios" in res.stdout
    assert all(name in res.stdout for name in files)


def test_scenarios_show_prints_the_file_as_shipped():
    res = runner.invoke(app, ["scenarios", "show", "wuxi_landslide"])
    assert res.exit_code == 0
    assert res.stdout == (scenarios_dir() / "wuxi_landslide.yaml").read_text(encoding="utf-8")
    res = runner.invoke(app, ["scenarios", "show", "respond_major.json"])
    assert res.exit_code == 0 and json.loads(res.stdout)["cause"] == "flood"
    res = runner.invoke(app, ["scenarios", "show", "ice_storm"])
    assert res.exit_code == 2 and len(res.stderr.splitlines()) == 1
    assert "did you mean 'ice_storm_2008'?" in res.stderr
    with pytest.raises(InputError, match="no built-in scenario or event"):
        builtin_path(str(scenarios_dir() / "ice_storm_2008.yaml"))  # a path is not a name


@pytest.mark.parametrize("hazard", [*HAZARD_TYPES, None])
def test_every_template_validates_as_printed(hazard, tmp_path):
    args = ["scenarios", "new", "my_event"] + (["--hazard", hazard] if hazard else [])
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    path = tmp_path / "my_event.yaml"
    path.write_text(res.stdout, encoding="utf-8")
    scenario = load_scenario(path)
    assert scenario.name == "my_event"
    assert [h.type for h in scenario.hazards] == ([hazard] if hazard else [])
    text = res.stdout
    for field in ("name:", "time:", "level:", "mode:", "cascade_threshold:", "seed:", "cause:",
                  "secondary:", "key_areas:", "faults:", "hazards:", "end_of_hazard_h:",
                  "restoration:", "policy:", "horizon_h:", "step_h:", "crews:",
                  "secondary_clear_h:", "drill:", "repair_h:", "damaged:"):
        assert field in text, field
    assert "range 0–8760 h" in text and "one of summer_peak, winter_peak, valley" in text


def test_the_ice_template_comments_carry_unit_range_and_spread():
    text = scenario_template("x", "ice_storm")
    assert "覆冰 / ice storm" in text
    head = text[:text.index("thickness_mm: ")]
    comment = head[head.rindex("\n    # radial ice"):]
    assert "range 0–200 mm" in comment and "outcomes spread over" in comment


def test_the_commented_out_examples_are_valid_when_put_back():
    """Each example the template shows commented out names a real component or district."""
    kinds = ("line", "corridor", "transformer", "substation", "unit", "plant", "intertie")
    faults = [{k: FaultSpec.model_fields[k].examples[0]} for k in kinds]
    uncommented = yaml.safe_load(scenario_template("x").replace("# key_areas:", "key_areas:")
                                 .replace("# end_of_hazard_h:", "end_of_hazard_h:")
                                 .replace("  # crews:", "  crews:")
                                 .replace("  # secondary_clear_h:", "  secondary_clear_h:")
                                 .replace("# secondary:", "secondary:")
                                 .replace("# drill:", "drill:"))
    scenario = parse_scenario({**uncommented, "faults": faults})  # names checked on the grid
    assert len(scenario.faults) == len(kinds) and scenario.key_areas


def test_new_with_an_unknown_hazard_is_one_line():
    res = runner.invoke(app, ["scenarios", "new", "x", "--hazard", "icestorm"])
    assert res.exit_code == 2 and len(res.stderr.splitlines()) == 1
    assert res.stderr.startswith("error: --hazard: unknown hazard type 'icestorm'; did you mean "
                                 "'ice_storm'?")


def test_a_template_runs_end_to_end(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(scenario_template("t", "external_damage"), encoding="utf-8")
    res = runner.invoke(app, ["run", str(path), "--no-ac", "--no-restoration", "--json"])
    assert res.exit_code == 0, res.output
    obj = json.loads(res.stdout)
    assert obj["scenario"]["name"] == "t" and obj["shed"]["main"]["load_mw"] > 0


# --- hazards -----------------------------------------------------------------------------------


def test_hazards_json_lists_each_type_its_parameters_units_ranges_and_the_causes():
    res = runner.invoke(app, ["hazards", "--json"])
    assert res.exit_code == 0, res.output
    obj = json.loads(res.stdout)
    hazards = {h["type"]: h for h in obj["hazards"]}
    assert list(hazards) == list(HAZARD_TYPES)
    assert (hazards["ice_storm"]["zh"], hazards["ice_storm"]["en"]) == ("覆冰", "ice storm")
    assert hazards["landslide"]["cause"] == "geological"
    ice = {p["name"]: p for p in hazards["ice_storm"]["parameters"]}["thickness_mm"]
    assert (ice["unit"], ice["minimum"], ice["maximum"], ice["required"]) == ("mm", 0, 200, True)
    for h in obj["hazards"]:
        for p in h["parameters"]:
            if p["spread"]:
                assert p["minimum"] <= p["spread"][0] < p["spread"][1] <= p["maximum"], p
    gust = {p["name"]: p for p in hazards["wind_storm"]["parameters"]}["gust_ms"]
    assert gust["unit"] == "m/s" and "阵风" in gust["spread_text"]
    quake = {p["name"]: p for p in hazards["earthquake"]["parameters"]}
    assert quake["magnitude"]["spread"] and "烈度" in " ".join(hazards["earthquake"]["notes"])
    assert {c["key"] for c in obj["causes"]} >= {"ice", "wind", "earthquake", "flood",
                                                  "geological", "heat_wave", "external_damage"}
    assert obj["cause_aliases"]["landslide"] == "geological"
    assert "environmental" in {s["key"] for s in obj["secondary"]}
    res = runner.invoke(app, ["hazards"])
    assert res.exit_code == 0
    assert "覆冰 / ice storm" in res.stdout and "起因 causes" in res.stdout
    assert "次生事件 secondary incidents" in res.stdout


# --- fast answers: no pandapower on the error paths ---------------------------------------------


def test_error_paths_answer_before_pandapower_loads(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ntime: 2026-01-01T00:00:00+08:00\nseed: -1\nlevel: spring\n",
                   encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [unclosed\n", encoding="utf-8")
    cases = [["run", str(tmp_path / "missing.yaml")], ["run", str(bad)], ["run", str(broken)],
             ["run", "ice_strom"], ["run", "ice_storm_2008", "--policy", "bogus"],
             ["run", "ice_storm_2008", "--seed", "-1"], ["drill", "nope"],
             ["montecarlo", "nope", "--samples", "5"], ["classify", "nope"],
             ["respond", "nope"], ["scenarios", "new", "x", "--hazard", "nope"]]
    code = (
        "import json, sys\n"
        "from typer.testing import CliRunner\n"
        "from outage_sim.cli import app\n"
        f"cases = {cases!r}\n"
        "out = [(r.exit_code, r.stderr) for r in (CliRunner().invoke(app, c) for c in cases)]\n"
        "print(json.dumps({'pandapower': 'pandapower' in sys.modules, 'out': out}))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    obj = json.loads(done.stdout)
    for case, (status, stderr) in zip(cases, obj["out"]):
        assert status == 2 and len(stderr.splitlines()) >= 1, (case, stderr)
        assert stderr.startswith("error: ") and "Traceback" not in stderr, (case, stderr)
    assert not obj["pandapower"], "an error path imported pandapower"
