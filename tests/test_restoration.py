"""Restoration over time: repairs, black start, pick-up, the §4.3 checks, step-downs, reports,
policies, the data file, the scenario schema, the figures and the CLI (run --out, plot)."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest
import yaml
from test_restoration_properties import assert_invariants
from typer.testing import CliRunner

from outage_sim.cli import app
from outage_sim.errors import DataFileError, InputError
from outage_sim.hazards import distance_km
from outage_sim.reports import (
    FIGURES,
    RESTORATION_FILES,
    plot_customers_out,
    plot_district_snapshot,
    plot_levels,
    plot_policies,
    plot_recovery,
)
from outage_sim.restoration import CHECKS, compare_policies, repair_data, restore
from outage_sim.studies import load_scenario, parse_scenario, run_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
runner = CliRunner()
BASE = {"name": "t", "time": "2026-07-15T10:00:00+08:00", "level": "summer_peak",
        "cause": "equipment"}
# 城口1号, the county's one 220 kV station, on the 开州 chain: both of its double-circuit sides
CHENGKOU = ["开州2号-城口1号 220kV #1", "开州2号-城口1号 220kV #2", "城口1号-开州1号 220kV #1",
            "城口1号-开州1号 220kV #2"]


@pytest.fixture(scope="module")
def runs():
    """Shipped scenarios run once, with their restoration (cached per name)."""
    cache = {}

    def get(name):
        if name not in cache:
            run = run_scenario(load_scenario(SCENARIOS / name), restore=False)
            cache[name] = (run, restore(run))
        return cache[name]
    return get


def _run(obj, **kw):
    run = run_scenario(parse_scenario(obj), ac_check=False, restore=False)
    return run, restore(run, **kw)


# ------------------------------------------------------------------ known answers
def test_opened_lines_reclose_and_the_response_ends_at_the_first_moment_all_checks_hold():
    faults = [{"line": n, "damaged": False, "repair_h": 5} for n in CHENGKOU]
    run, res = _run({**BASE, "faults": faults})
    assert run.severity.level == "一般"
    ev = res.events
    assert ev[ev.kind == "reclose"].t_h.tolist() == [5.0, 5.0, 5.0, 5.0]
    assert res.jobs.empty and res.timeline.crews_busy.max() == 0
    # the county is picked up within one step after the lines close (the main grid is stiff)
    assert res.time_to(100) == pytest.approx(5.25)
    assert res.terminated_h == pytest.approx(5.25) and res.last_check == "load"
    assert res.timeline.level.iloc[0] == "一般" and res.timeline.level.iloc[-1] == "none"
    assert_invariants(res)


def test_a_crew_travels_from_its_base_and_works_the_stated_hours():
    obj = {**BASE, "faults": [{"line": n, "repair_h": 10} for n in CHENGKOU],
           "restoration": {"crews": {"城口县": 1}}}
    run, res = _run(obj)
    net = run.net
    jobs = res.jobs.set_index("label")
    assert set(jobs.index) == {"开州2号-城口1号 220kV (2 circuits)", "城口1号-开州1号 220kV (2 circuits)"}
    # one crew: it goes where most load comes back per crew-hour, then to the other job
    first = jobs.sort_values("done_h").iloc[0]
    bus = net.bus.set_index("name")
    a, b = first.elements.split(" #")[0].split(" ")[0].split("-")
    lat = (bus.at[f"{a} 220kV", "lat"] + bus.at[f"{b} 220kV", "lat"]) / 2
    lon = (bus.at[f"{a} 220kV", "lon"] + bus.at[f"{b} 220kV", "lon"]) / 2
    base = net["districts"].set_index("name").loc["城口县"]
    travel = distance_km(base.lat, base.lon, lat, lon) * 1.4 / 40.0
    assert first.done_h == pytest.approx(travel + 10.0, abs=1e-6)
    # picked up within the next step (0.25 h, or sooner if another event comes first)
    assert first.done_h < res.time_to(90, "customers") <= first.done_h + 0.25 + 1e-9


def test_black_start_then_units_then_load(runs):
    run, res = runs("compound_blackout.yaml")
    ev = res.events
    assert run.shed.main["shed_mw"] == run.shed.main["load_mw"]  # the whole grid black
    bs = ev[ev.kind == "black_start"]
    assert len(bs) > 0 and (bs.t_h == repair_data().values["black_start_h"]).all()
    assert ev[ev.kind == "unit_start"].t_h.min() > bs.t_h.max()  # coal needs an energised bus
    tl = res.timeline
    assert tl.served_mw.iloc[0] == 0 and tl[tl.t_h > bs.t_h.max()].served_mw.iloc[0] > 0
    # stepped down I → II → III → IV as the load comes back, each with its time
    steps = ev[ev.kind == "step_down"]
    changes = [w.split(": ")[1].split(";")[0] for w in steps.what]
    assert changes == ["I → II", "II → III", "III → IV"]
    assert steps.t_h.is_monotonic_increasing
    assert_invariants(res)


def test_reports_follow_the_clock_to_the_end(runs):
    _, res = runs("compound_blackout.yaml")
    end = res.terminated_h
    reports = res.response.reports
    final = [r for r in reports if r.kind == "final"]
    assert len({r.by for r in final}) == len(final)  # one final report per reporting body
    assert len({r.due for r in final}) == 1
    assert abs((final[0].due - res.time).total_seconds() / 3600 - end) < 1 / 60
    daily = sorted({(r.due - res.time).total_seconds() / 3600 for r in reports
                    if r.kind == "followup" and r.due is not None})
    assert daily == [24.0 * k for k in range(1, 100) if 24 * k < end]  # 至少每日1报, until the end
    logged = res.events[res.events.kind == "report"]
    for kind in ("telephone report", "written report", "report to the Ministry",
                 "follow-up report", "final report"):
        assert logged.what.str.startswith(kind).any(), kind
    assert (logged.due != "").all() and (logged.made == logged.due).all()
    assert logged.t_h.max() == pytest.approx(end, abs=1 / 60)


def test_level_at_the_event_is_the_runs_level(runs):
    for name in ("compound_blackout.yaml", "ice_storm_2008.yaml", "heat_wave_2022.yaml"):
        run, res = runs(name)
        first = res.timeline.iloc[0]
        assert first.level == run.severity.level
        assert first.customers_out == run.shed.main["customers_out"]
        assert first.shed_mw == pytest.approx(run.shed.main["shed_mw"], abs=1e-6)
        assert_invariants(res)


# ------------------------------------------------------------------ the record
def test_ice_storm_restores_90_percent_of_customers_in_about_two_weeks(runs):
    run, res = runs("ice_storm_2008.yaml")
    t90 = res.time_to(90, "customers")
    # chongqing-facts.md: 90% restored by 14 Feb 2008, about two weeks after the worst ice
    assert 7 * 24 <= t90 <= 21 * 24
    assert res.hazard_end_h == 240 and t90 > res.hazard_end_h  # little gets done in freezing rain
    ice = res.jobs[res.jobs.cause == "ice"]
    assert len(ice) == len(res.jobs) > 0
    assert (ice.work_h > repair_data().work_h("line_220", "equipment")).all()  # towers down
    assert res.terminated_h is not None and res.terminated_h >= t90


def test_heat_wave_capacity_returns_when_the_hazard_ends(runs):
    run, res = runs("heat_wave_2022.yaml")
    tl = res.timeline
    before = tl[tl.t_h < res.hazard_end_h].restored_pct.max()
    assert before < 80 and res.time_to(80) >= res.hazard_end_h
    assert res.last_check in ("load", "hazard")


def test_no_event_means_no_response_to_end(runs):
    run, res = runs("zhangchang_corridor.yaml")
    assert not res.activated and res.terminated_h is None
    assert (res.timeline.response_level == "").all()
    assert res.check_since_h["grid"] > 0  # the 500 kV corridor had to be repaired
    assert res.to_dict()["time_to_h"]["load_90"] is None


# ------------------------------------------------------------------ policies
def test_policy_comparison_table_and_priority_first_serves_key_areas_first():
    # the 2008-like ice storm with the county it cuts off made a key area
    obj = yaml.safe_load((SCENARIOS / "ice_storm_2008.yaml").read_text("utf-8"))
    obj["time"] = obj["time"].isoformat()
    run = run_scenario(parse_scenario({**obj, "key_areas": ["秀山县"]}), ac_check=False, restore=False)
    comp = compare_policies(run)
    t = comp.table.set_index("policy")
    assert list(t.index) == ["priority_first", "largest_load_first", "nearest_crew"]
    for col in ("t80_h", "t90_h", "key_t90_h", "customers_t90_h", "terminated_h",
                "unserved_mwh", "customer_hours"):
        assert col in t
    assert t.at["priority_first", "key_t90_h"] < t.at["nearest_crew", "key_t90_h"]
    assert t.at["priority_first", "unserved_mwh"] < t.at["nearest_crew", "unserved_mwh"]
    assert (t.unserved_mwh > 0).all() and (t.customer_hours > 0).all()
    for res in comp.runs.values():
        assert_invariants(res)
    ax = plot_policies({p: r.timeline for p, r in comp.runs.items()})
    assert len(ax.get_lines()) >= 3
    plt.close("all")


def test_unknown_policy_is_an_input_error(runs):
    run, _ = runs("core_station_fire.yaml")
    with pytest.raises(InputError, match="policy: 'fastest' unknown"):
        restore(run, policy="fastest")


# ------------------------------------------------------------------ data and schema
def _repair_yaml() -> dict:
    return yaml.safe_load((ROOT / "outage_sim/data/restoration/repair.yaml").read_text("utf-8"))


def _refused(tmp_path, raw) -> str:
    """The message of the one DataFileError a repair file ``raw`` in ``tmp_path`` gives."""
    (tmp_path / "repair.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
    with pytest.raises(DataFileError) as exc:
        repair_data(tmp_path)
    text = str(exc.value)
    assert "\n" not in text and "Traceback" not in text
    return text


def test_every_data_parameter_says_where_it_comes_from():
    raw = _repair_yaml()
    for key, entry in raw.items():
        assert ("source" in entry) != ("estimate" in entry), key
    d = repair_data()
    assert d.work_h("line_220", "equipment") == 11  # RTS-GMLC 230 kV
    assert d.work_h("transformer", "scenario") == 768
    assert d.work_h("line_220", "ice", 100) == pytest.approx(24 + 2.4 * 100)
    assert d.max_crews("line_500", 60) == 3 and d.max_crews("transformer") == 1


def test_a_data_file_without_provenance_is_refused(tmp_path):
    raw = _repair_yaml()
    raw["travel"].pop("estimate")
    (tmp_path / "repair.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
    # the provenance rule is the hazard files' (outage_sim.hazards.hazard_parameters)
    with pytest.raises(DataFileError,
                       match=r"^repair\.yaml: .*\btravel\b.* one of 'source' or 'estimate'"):
        repair_data(tmp_path)
    raw["travel"]["estimate"] = "x"
    raw["repair_ice"]["value"]["pylon"] = 3
    (tmp_path / "repair.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
    with pytest.raises(DataFileError, match="repair_ice.pylon: unknown component kind"):
        repair_data(tmp_path)


@pytest.mark.parametrize(("change", "message"), [
    (lambda raw: raw["repair_ice"]["value"].update(line_220=-3),
     "repair_ice.line_220: Input should be greater than or equal to 0"),
    (lambda raw: raw["repair_ice"]["value"].update(transformer="72 h"),
     "repair_ice.transformer: Input should be a valid number"),
    (lambda raw: raw["repair_wind"]["value"]["line_500"].pop("per_km_h"),
     "repair_wind.line_500.per_km_h: Field required"),
    (lambda raw: raw["repair_ice"]["value"].update(line220=30),
     "repair_ice.line220: unknown component kind (use one of line_500, line_220, "),
    (lambda raw: raw["travel"]["value"].update(speed=40),
     "travel.speed: Extra inputs are not permitted"),
    (lambda raw: raw.update(pylons={"value": 3, "estimate": "x"}),
     "pylons: Extra inputs are not permitted"),
    (lambda raw: raw.pop("backbone"), "backbone: Field required"),
    (lambda raw: raw["repair_default"]["value"].pop("line_500"),
     "repair_default: no entry for 'line_500' (nor in repair_rts_gmlc)"),
    (lambda raw: raw["hazard_travel_factor"]["value"].update(ice=0),
     "hazard_travel_factor.ice: Input should be greater than 0"),
    (lambda raw: raw["crew_bases"]["value"].update({"万州区": 1.5}),
     "crew_bases.万州区: Input should be a valid integer"),
    (lambda raw: raw["operating_limits"]["value"].update(vm_pu_max=0.9),
     "operating_limits.vm_pu_max: must be above vm_pu_min (0.95), got 0.9"),
])
def test_a_broken_repair_file_is_one_error_naming_the_path(tmp_path, change, message):
    raw = _repair_yaml()
    change(raw)
    assert _refused(tmp_path, raw).startswith(f"repair.yaml: {message}")


def test_every_problem_of_a_repair_file_is_listed_with_its_path(tmp_path):
    raw = _repair_yaml()
    raw["repair_ice"]["value"]["line_220"]["base_h"] = -1
    raw["cold_load_pickup"]["value"]["factor"] = 0.5
    raw.pop("black_start_h")
    assert _refused(tmp_path, raw) == (
        "repair.yaml: repair_ice.line_220.base_h: Input should be greater than or equal to 0; "
        "black_start_h: Field required; "
        "cold_load_pickup.factor: Input should be greater than or equal to 1")
    assert repair_data().values["black_start_h"] == 0.5  # the shipped file is untouched


def test_restoration_block_errors_name_their_paths():
    bad = {**BASE, "secondary": ["environmental"],
           "faults": [{"line": CHENGKOU[0], "repair_h": -1}],
           "restoration": {"policy": "fastest", "horizon_h": 0, "crews": {"Atlantis": 2},
                           "secondary_clear_h": {"coal_mine": 5}}}
    with pytest.raises(InputError) as exc:
        parse_scenario(bad)
    text = str(exc.value)
    for part in ("faults[0].repair_h", "restoration.policy", "restoration.horizon_h",
                 "restoration.crews", "unknown district 'Atlantis'"):
        assert part in text, (part, text)
    with pytest.raises(InputError, match=r"restoration.secondary_clear_h.coal_mine: not among"):
        parse_scenario({**BASE, "secondary": ["environmental"],
                        "restoration": {"secondary_clear_h": {"coal_mine": 5}}})
    ok = parse_scenario({**BASE, "restoration": {"crews": {"万州": 3}, "secondary_clear_h": 12}})
    assert ok.restoration.crews == {"万州区": 3}


def test_secondary_incidents_hold_the_response_open():
    faults = [{"line": n, "damaged": False, "repair_h": 1} for n in CHENGKOU]
    _, res = _run({**BASE, "faults": faults, "secondary": ["environmental"],
                   "restoration": {"secondary_clear_h": 30}})
    assert res.secondary_end_h == 30 and res.terminated_h == 30 and res.last_check == "secondary"
    assert_invariants(res)


# ------------------------------------------------------------------ figures
def test_plots_return_axes_with_labels_and_units(runs):
    _, res = runs("compound_blackout.yaml")
    for draw in (lambda: plot_recovery(res.timeline, termination_h=res.terminated_h),
                 lambda: plot_customers_out(res.timeline), lambda: plot_levels(res.timeline),
                 lambda: plot_district_snapshot(res.districts, 6.0)):
        ax = draw()
        assert ax.get_xlabel() and ax.get_ylabel()
        assert "(" in ax.get_xlabel()  # units
    fig, ax = plt.subplots()
    assert plot_recovery(res.timeline, ax=ax) is ax
    plt.close("all")
    with pytest.raises(InputError, match="timeline: missing column"):
        plot_recovery(res.timeline.drop(columns="restored_pct"))


# ------------------------------------------------------------------ CLI
def test_run_out_writes_restoration_and_plot_redraws(tmp_path):
    out = tmp_path / "run"
    res = runner.invoke(app, ["run", str(SCENARIOS / "core_station_fire.yaml"), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "应急响应终止 response ends" in res.stdout
    for name in (*RESTORATION_FILES, *(f"{f}.png" for f in FIGURES)):
        assert (out / name).stat().st_size > 0, name
    summary = json.loads((out / "result.json").read_text("utf-8"))["restoration"]
    assert summary["terminated_h"] > 0 and summary["last_check"] in CHECKS
    events = (out / "events.csv").read_text("utf-8")
    assert "应急响应终止" in events and "kind_zh" in events
    # plot refuses to draw over the figures, redraws with --force, or elsewhere
    res = runner.invoke(app, ["plot", str(out)])
    assert res.exit_code == 2 and "--force" in res.stderr
    res = runner.invoke(app, ["plot", str(out), "--force", "--at", "6"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["plot", str(out), "--out", str(tmp_path / "figs"), "--format", "svg"])
    assert res.exit_code == 0 and (tmp_path / "figs" / "recovery.svg").exists()
    res = runner.invoke(app, ["plot", str(tmp_path / "nowhere")])
    assert res.exit_code == 2 and "Traceback" not in res.output
    (out / "timeline.csv").write_text("t_h\n0\n", "utf-8")
    res = runner.invoke(app, ["plot", str(out), "--force"])
    assert res.exit_code == 2 and "timeline: missing column" in res.stderr


def test_run_cli_no_restoration_compare_and_bad_policy(tmp_path):
    out = tmp_path / "a"
    res = runner.invoke(app, ["run", str(SCENARIOS / "uhv_and_dc_trip.yaml"), "--out", str(out),
                              "--no-restoration"])
    assert res.exit_code == 0, res.output
    assert not (out / "timeline.csv").exists() and (out / "result.json").exists()
    res = runner.invoke(app, ["run", str(SCENARIOS / "uhv_and_dc_trip.yaml"), "--policy", "x"])
    assert res.exit_code == 2 and "--policy: 'x' unknown" in res.stderr
    res = runner.invoke(app, ["run", str(SCENARIOS / "uhv_and_dc_trip.yaml"), "--compare",
                              "--out", str(tmp_path / "b"), "--json"])
    assert res.exit_code == 0, res.output
    obj = json.loads(res.stdout)
    assert [p["policy"] for p in obj["policies"]] == ["priority_first", "largest_load_first",
                                                      "nearest_crew"]
    assert (tmp_path / "b" / "policies.png").exists() and (tmp_path / "b" / "policies.csv").exists()
