"""Scenario files: validation with every problem listed, seeding, and the shipped scenarios."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from outage_sim.cli import app
from outage_sim.errors import InputError
from outage_sim.studies import load_scenario, parse_scenario, run_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
runner = CliRunner()

# The level each shipped scenario reaches with its own seed (stated in its description and the
# README); together they cover every level from none to 特别重大.
EXPECTED = {
    "zhangchang_corridor.yaml": "none",
    "chengkou_external_damage.yaml": "一般",
    "core_station_fire.yaml": "较大",
    "uhv_and_dc_trip.yaml": "none",
    "yangtze_flood.yaml": "一般",
    "heat_wave_2022.yaml": "较大",
    "ice_storm_2008.yaml": "较大",
    "wuxi_landslide.yaml": "一般",
    "qianjiang_earthquake.yaml": "较大",
    "compound_blackout.yaml": "特别重大",
    "city_earthquake.yaml": "重大",
}

BASE = {"name": "t", "time": "2026-08-05T21:00:00+08:00", "level": "summer_peak"}


def test_every_shipped_scenario_is_listed_and_valid():
    files = sorted(p.name for p in SCENARIOS.glob("*.yaml"))
    assert len(files) >= 8
    assert set(files) == set(EXPECTED)
    for name in files:
        load_scenario(SCENARIOS / name)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_shipped_scenario_reaches_its_stated_level(name):
    result = run_scenario(load_scenario(SCENARIOS / name), restore=False)
    assert result.severity.level == EXPECTED[name], result.severity.to_dict()["criteria"]
    main = result.shed.main
    assert 0 <= main["shed_mw"] <= main["load_mw"]
    assert result.to_dict()["seed"] == result.scenario.seed


def test_levels_cover_none_to_extraordinary():
    assert set(EXPECTED.values()) == {"none", "一般", "较大", "重大", "特别重大"}


def test_bad_file_lists_every_problem_with_its_path(tmp_path):
    bad = {**BASE, "level": "spring", "mode": "panic", "seed": -1,
           "key_areas": ["渝中区", "渝北"],
           "faults": [{"line": "板桥-圣泉 500kV #9"}, {"unit": "x", "line": "y"}, {"bogus": 1}],
           "hazards": [{"type": "ice_storm", "districts": ["城口"], "thickness_mm": -3}]}
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_scenario(path)
    text = str(exc.value)
    assert text.startswith("bad.yaml: ")
    for fragment in ("mode:", "seed:", "faults[1]", "faults[2]", "hazards[0]",
                     "level: unknown load level 'spring'", "key_areas[1]: no district named '渝北'",
                     "did you mean '渝北区'?"):
        assert fragment in text, (fragment, text)


def test_unknown_fault_name_is_named_with_a_suggestion():
    with pytest.raises(InputError, match=r"faults\[0\]\.line: no line named '板桥-圣泉 500kV #3'; "
                                         r"did you mean '板桥-圣泉 500kV #2'\?"):
        parse_scenario({**BASE, "faults": [{"line": "板桥-圣泉 500kV #3"}]})


def test_fault_names_are_listed_with_the_other_problems():
    with pytest.raises(InputError) as exc:
        parse_scenario({**BASE, "seed": -1, "cause": "bogus",
                        "faults": [{"line": "板桥-圣泉 500kV #3"}, {"substation": "Atlantis"},
                                   {"unit": "华能珞璜 #5"}]}, source="s.yaml")
    lines = str(exc.value).splitlines()
    assert lines[0] == "s.yaml: 4 problems"
    assert lines[1] == "  seed: Input should be greater than or equal to 0"
    assert lines[2].startswith("  cause: unknown cause 'bogus'; did you mean")
    assert lines[3:] == [
        "  faults[0].line: no line named '板桥-圣泉 500kV #3'; did you mean '板桥-圣泉 500kV #2'?",
        "  faults[1].substation: no substation named 'Atlantis'"]


def test_data_checks_name_each_item_once():
    with pytest.raises(InputError) as exc:
        parse_scenario({**BASE, "secondary": ["bogus", "environmental", 3],
                        "key_areas": ["渝北", 5, "城口县"], "cause": 5}, source="s.yaml")
    text = str(exc.value)
    assert text.startswith("s.yaml: 5 problems\n")
    for line in ("  cause: Input should be a valid string",
                 "  secondary[0]: unknown secondary incident 'bogus'; did you mean 'food_drug'?",
                 "  secondary[2]: Input should be a valid string",
                 "  key_areas[0]: no district named '渝北'; did you mean '渝北区'?",
                 "  key_areas[1]: Input should be a valid string"):
        assert line in text, (line, text)
    with pytest.raises(InputError, match=r"^s\.yaml: key_areas: Input should be a "
                                         r"valid list$"):
        parse_scenario({**BASE, "key_areas": "渝北"}, source="s.yaml")


def test_secondary_clearing_times_name_their_incident():
    with pytest.raises(InputError, match=r"^s\.yaml: restoration\.secondary_clear_h"
                                         r"\.traffic: unknown secondary incident 'traffic'"):
        parse_scenario({**BASE, "secondary": ["environmental"],
                        "restoration": {"secondary_clear_h": {"environmental": 3, "traffic": 2}}},
                       source="s.yaml")
    # an unknown incident is reported once, under the scenario's header
    with pytest.raises(InputError, match=r"^s\.yaml: secondary\[0\]: unknown secondary "
                                         r"incident 'bogus'"):
        parse_scenario({**BASE, "secondary": ["bogus"],
                        "restoration": {"secondary_clear_h": {"environmental": 3}}}, source="s.yaml")
    with pytest.raises(InputError, match=r"restoration\.secondary_clear_h\.environmental: not among "
                                         r"the scenario's secondary incidents \(none\)"):
        parse_scenario({**BASE, "restoration": {"secondary_clear_h": {"environmental": 3}}})


def test_level_defaults_and_valid_faults_pass():
    sc = parse_scenario({"name": "t", "time": BASE["time"], "faults": [{"line": "长寿-张家坝 500kV #1"}],
                         "secondary": ["environmental"], "cause": "ice"}, source="s.yaml")
    assert sc.level == "summer_peak" and sc.source_file == "s.yaml"
    assert sc.faults[0].name == "长寿-张家坝 500kV #1"  # kept as written; resolved when drawn
    assert sc.secondary == ["environmental"] and sc.cause == "ice"


def test_time_needs_an_offset_and_yaml_errors_are_one_line(tmp_path):
    with pytest.raises(InputError, match="time"):
        parse_scenario({**BASE, "time": "2026-08-05T21:00:00"})
    path = tmp_path / "broken.yaml"
    path.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"broken.yaml: not valid YAML at line \d+"):
        load_scenario(path)
    with pytest.raises(InputError, match="scenario file not found"):
        load_scenario(tmp_path / "missing.yaml")


def test_same_seed_same_result_and_seeds_differ():
    sc = load_scenario(SCENARIOS / "ice_storm_2008.yaml")
    a, b = run_scenario(sc, ac_check=False, restore=False), run_scenario(sc, ac_check=False, restore=False)
    assert [o.name for o in a.shed.failed] == [o.name for o in b.shed.failed]
    assert a.shed.main == b.shed.main
    draws = {tuple(sorted(o.name for o in run_scenario(sc, seed=s, ac_check=False, restore=False).shed.failed))
             for s in range(6)}
    assert len(draws) > 1


def test_key_areas_override():
    sc = parse_scenario({**BASE, "key_areas": ["城口县"]})
    keys = sc.build_net()["districts"].query("key_area").name.tolist()
    assert keys == ["城口县"]


# ------------------------------------------------------------------ outage-sim run
def test_run_cli_json_carries_classify_and_respond_keys(tmp_path):
    res = runner.invoke(app, ["run", str(SCENARIOS / "core_station_fire.yaml"), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    for key in ("level", "level_en", "level_rank", "response_level", "warning_color",
                "warning_level", "criteria", "response", "shed", "seed", "model_version"):
        assert key in out
    for key in ("response_level", "lead", "on_site_hq", "commander", "working_groups",
                "member_units", "warning", "reports"):
        assert key in out["response"]
    assert out["level"] == "较大" and out["shed"]["main"]["shed_mw"] > 0


def test_run_cli_writes_files_and_never_overwrites(tmp_path):
    out = tmp_path / "run1"
    res = runner.invoke(app, ["run", str(SCENARIOS / "chengkou_external_damage.yaml"), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "一般" in res.stdout and "城口县" in res.stdout
    for name in ("result.json", "response.md", "districts.csv"):
        assert (out / name).stat().st_size > 0
    before = (out / "result.json").read_bytes()
    res = runner.invoke(app, ["run", str(SCENARIOS / "core_station_fire.yaml"), "--out", str(out)])
    assert res.exit_code == 2 and "exists" in res.stderr
    assert (out / "result.json").read_bytes() == before


def test_run_cli_bad_file_exit_2(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({**BASE, "faults": [{"substation": "Atlantis"}]}), encoding="utf-8")
    res = runner.invoke(app, ["run", str(path)])
    assert res.exit_code == 2
    assert "faults[0].substation: no substation named 'Atlantis'" in res.stderr
    assert "Traceback" not in res.output
