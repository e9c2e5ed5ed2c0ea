"""Tests of the hazard models (outage_sim.hazards.sampling).

- Draws are reproducible from the seed, differ between seeds, and equal an independent replay of
  ``rng.random(n_groups) < p`` over the probability table.
- A stronger hazard never lowers any component's failure probability (hypothesis).
- Published anchors: PGA falls with distance; HAZUS curves give 50% at their medians; the micot
  tower curve gives 50% at 45 m/s; a 2008-scale ice storm fails a plausible number of lines.
- Flood, heat wave, external damage and landslide behave as documented; bad input raises
  InputError naming the field.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError
from scipy.stats import norm

from outage_sim.errors import DataFileError, InputError
from outage_sim.grid import chongqing_net
from outage_sim.hazards import (
    DAMAGE_STATES,
    FAULT_KINDS,
    Earthquake,
    HazardSpec,
    IceStorm,
    district_zones,
    draw_hazards,
    failure_probabilities,
    fault_names,
    hazard_context,
    hazard_parameters,
    hazus_exceedance,
    parse_hazard,
    peak_ground_acceleration,
    resolve_fault,
    tower_wind_p,
    yu2013_pga_g,
)
from outage_sim.hazards.sampling import draw
from outage_sim.validation import validation_message

NE_SE_2008 = ["城口县", "巫溪县", "奉节县", "巫山县", "开州区", "石柱县", "彭水县", "酉阳县"]
ICE_2008 = {"type": "ice_storm", "districts": NE_SE_2008, "thickness_mm": 30}


@pytest.fixture(scope="module")
def net():
    return chongqing_net("winter_peak")


@pytest.fixture(scope="module")
def ctx(net):
    return hazard_context(net)


def _p(net, ctx, spec) -> pd.Series:
    """p_fail per (element, index); a component exposed twice keeps its highest probability."""
    t = failure_probabilities(net, spec, context=ctx)
    return t.groupby(["element", "index"])["p_fail"].max()


def _no_lower(weak: pd.Series, strong: pd.Series) -> None:
    keys = weak.index.union(strong.index)
    w = weak.reindex(keys, fill_value=0.0)
    s = strong.reindex(keys, fill_value=0.0)
    assert (s >= w - 1e-12).all(), (w[s < w - 1e-12], s[s < w - 1e-12])


# ---------------------------------------------------------------------------------------------
# Faults by name
# ---------------------------------------------------------------------------------------------
TABLE_OF_KIND = {"line": {"line"}, "corridor": {"line"}, "transformer": {"trafo"},
                 "substation": {"bus"}, "unit": {"gen"}, "plant": {"gen"},
                 "intertie": {"gen", "sgen"}}


@pytest.mark.parametrize("kind", FAULT_KINDS)
def test_every_valid_name_of_every_kind_resolves(net, kind):
    names = fault_names(net, kind)
    assert names
    for name in names:
        outs = resolve_fault(net, kind, name, reason="why", cause="ice")
        assert outs, (kind, name)
        assert {o.element for o in outs} <= TABLE_OF_KIND[kind]
        assert all(o.reason == "why" and o.cause == "ice" for o in outs)
    default = resolve_fault(net, kind, names[0])[0]
    assert default.reason == f"{kind} named in the scenario" and default.cause == "scenario"


def test_faults_name_what_they_take_out(net):
    line = resolve_fault(net, "line", "张家坝-长寿 500kV #1")
    assert [o.name for o in line] == ["长寿-张家坝 500kV #1"]
    corridor = resolve_fault(net, "corridor", "张家坝-长寿 500kV")
    assert len(corridor) >= 2 and {o.name.rsplit(" #", 1)[0] for o in corridor} == {"长寿-张家坝 500kV"}
    assert corridor == resolve_fault(net, "corridor", "长寿-张家坝 500kV")
    plant = resolve_fault(net, "plant", "华能珞璜")
    assert len(plant) > 1 and all(o.name.startswith("华能珞璜 #") for o in plant)
    station = resolve_fault(net, "substation", "板桥")
    assert len(station) > 1 and all(o.name.startswith("板桥 ") for o in station)
    dc = resolve_fault(net, "intertie", "哈密-重庆 ±800kV DC")
    assert [(o.element, o.name) for o in dc] == [("sgen", "哈密-重庆 ±800kV DC")]


@pytest.mark.parametrize("kind, name, match", [
    ("line", "板桥-圣泉 500kV #9", r"^no line named '板桥-圣泉 500kV #9'; did you mean '板桥-圣泉 500kV #\d'\?$"),
    ("line", "张家坝-长寿 500kV #7",
     r"^no line named '张家坝-长寿 500kV #7'; did you mean '张家坝-长寿 500kV #\d'\?$"),
    ("line", "板桥-圣泉 500kV", r"did you mean .*\(quote names with '#' in YAML"),
    ("unit", "华能珞璜", r"^no unit named '华能珞璜'; did you mean '华能珞璜 #\d'\? \(quote names"),
    ("unit", "华能珞璜 #9", r"^no unit named '华能珞璜 #9'; did you mean '华能珞璜 #\d'\?$"),
    ("corridor", "张家坝-长寿 220kV", r"^no corridor named '张家坝-长寿 220kV'; did you mean"),
    ("substation", "Atlantis", r"^no substation named 'Atlantis'$"),
    ("plant", "华能珞璜 #5", r"^no plant named '华能珞璜 #5'; did you mean '华能珞璜'\?$"),
    ("intertie", "哈密-重庆", r"^no intertie named '哈密-重庆'; did you mean '哈密-重庆 ±800kV DC'\?$"),
    ("tunnel", "x", (r"^fault kind 'tunnel' unknown; use one of line, corridor, transformer, "
                     r"substation, unit, plant, intertie$")),
])
def test_unknown_fault_names_are_refused_with_a_suggestion(net, kind, name, match):
    with pytest.raises(InputError, match=match):
        resolve_fault(net, kind, name)


# ---------------------------------------------------------------------------------------------
# Reproducibility
# ---------------------------------------------------------------------------------------------
def test_same_seed_same_draw(net, ctx):
    a = draw(net, ICE_2008, np.random.default_rng(2008), context=ctx)
    b = draw(net, ICE_2008, np.random.default_rng(2008), context=ctx)
    assert a.outages == b.outages and len(a.outages) > 0
    assert a.notes == b.notes


def test_different_seeds_give_different_draws(net, ctx):
    draws = {draw(net, ICE_2008, np.random.default_rng(s), context=ctx).outages for s in range(6)}
    assert len(draws) > 1


def test_draw_equals_replay_of_one_uniform_per_group(net, ctx):
    spec = {"type": "earthquake", "lat": 29.5, "lon": 108.7, "magnitude": 6.5}
    d = draw(net, spec, np.random.default_rng(11), context=ctx)
    t = d.probabilities
    codes, _ = pd.factorize(t["group"])
    u = np.random.default_rng(11).random(codes.max() + 1)[codes]
    assert np.array_equal(t["failed"].to_numpy(), u < t["p_fail"].to_numpy())
    failed = {(o.element, o.index) for o in d.outages}
    assert failed == set(zip(t.loc[t["failed"], "element"], t.loc[t["failed"], "index"]))


def test_station_buses_fail_together(net, ctx):
    spec = {"type": "earthquake", "lat": 29.5, "lon": 108.75, "magnitude": 6.2}
    seen = set()
    for seed in range(8):
        names = {o.name for o in draw(net, spec, seed, context=ctx).outages}
        assert ("黔江 500kV" in names) == ("黔江 220kV" in names)
        seen.add("黔江 500kV" in names)
    assert seen == {True, False}  # both outcomes occur, so the check above is not vacuous


def test_integer_seed_accepted_and_global_rng_rejected(net, ctx):
    a = draw(net, ICE_2008, 5, context=ctx)
    b = draw(net, ICE_2008, np.random.default_rng(5), context=ctx)
    assert a.outages == b.outages
    with pytest.raises(InputError, match="rng"):
        draw(net, ICE_2008, np.random, context=ctx)


# ---------------------------------------------------------------------------------------------
# Monotonicity (hypothesis)
# ---------------------------------------------------------------------------------------------
@settings(max_examples=20, deadline=None)
@given(a=st.floats(0, 80), b=st.floats(0, 80))
def test_thicker_ice_never_lowers_any_probability(net, ctx, a, b):
    lo, hi = sorted((a, b))
    spec = {"type": "ice_storm", "districts": ["城口县", "巫溪县", "石柱县"]}
    _no_lower(_p(net, ctx, {**spec, "thickness_mm": lo}),
              _p(net, ctx, {**spec, "thickness_mm": hi}))


@settings(max_examples=20, deadline=None)
@given(a=st.floats(0, 80), b=st.floats(0, 80))
def test_stronger_wind_never_lowers_any_probability(net, ctx, a, b):
    lo, hi = sorted((a, b))
    spec = {"type": "wind_storm", "districts": ["万州区", "忠县"]}
    _no_lower(_p(net, ctx, {**spec, "gust_ms": lo}), _p(net, ctx, {**spec, "gust_ms": hi}))


@settings(max_examples=20, deadline=None)
@given(a=st.floats(4.0, 8.5), b=st.floats(4.0, 8.5), scale=st.sampled_from(["Ms", "Mw"]))
def test_bigger_magnitude_never_lowers_any_probability(net, ctx, a, b, scale):
    lo, hi = sorted((a, b))
    spec = {"type": "earthquake", "lat": 29.6, "lon": 108.5, "depth_km": 12,
            "magnitude_scale": scale}
    _no_lower(_p(net, ctx, {**spec, "magnitude": lo}), _p(net, ctx, {**spec, "magnitude": hi}))


@settings(max_examples=20, deadline=None)
@given(a=st.floats(0, 60), b=st.floats(0, 60), river=st.sampled_from(["长江", "嘉陵江", "乌江"]))
def test_higher_water_never_lowers_any_probability(net, ctx, a, b, river):
    lo, hi = sorted((a, b))
    spec = {"type": "flood", "river": river}
    _no_lower(_p(net, ctx, {**spec, "water_rise_m": lo}),
              _p(net, ctx, {**spec, "water_rise_m": hi}))


@settings(max_examples=15, deadline=None)
@given(a=st.floats(2, 1000), b=st.floats(2, 1000))
def test_longer_return_period_never_lowers_any_probability(net, ctx, a, b):
    lo, hi = sorted((a, b))
    spec = {"type": "flood", "river": "Yangtze"}
    _no_lower(_p(net, ctx, {**spec, "return_period_yr": lo}),
              _p(net, ctx, {**spec, "return_period_yr": hi}))


@settings(max_examples=20, deadline=None)
@given(a=st.floats(0, 1000), b=st.floats(0, 1000))
def test_more_rain_never_lowers_any_probability(net, ctx, a, b):
    lo, hi = sorted((a, b))
    _no_lower(_p(net, ctx, {"type": "landslide", "rainfall_mm_24h": lo}),
              _p(net, ctx, {"type": "landslide", "rainfall_mm_24h": hi}))


# ---------------------------------------------------------------------------------------------
# Published anchors
# ---------------------------------------------------------------------------------------------
@settings(max_examples=30, deadline=None)
@given(m=st.floats(4.0, 8.5), depth=st.floats(1, 70))
def test_pga_decreases_with_distance(m, depth):
    spec = Earthquake(lat=29.5, lon=107.0, magnitude=m, depth_km=depth)
    km = np.array([0.0, 5, 10, 20, 50, 100, 200, 400])
    lat = 29.5 + km / 111.195  # due north
    pga = peak_ground_acceleration(spec, lat, np.full(len(km), 107.0))
    assert np.all(np.diff(pga) < 0)
    assert 0 < pga[-1] < pga[0] < 2.0


@pytest.mark.parametrize("region", ["active", "tibet", "eastern", "stable"])
def test_pga_never_falls_with_magnitude_across_the_coefficient_switch(region):
    # the M > 6.5 set of the 'stable' region starts ~1% below the M <= 6.5 set
    c = hazard_parameters("earthquake")["coefficients"][region]
    mags = np.arange(4.0, 8.5001, 0.005)
    pga = np.array([yu2013_pga_g(m, [0.0, 30.0, 150.0], 15.0, c)[1] for m in mags])
    assert np.all(np.diff(pga) >= 0)


def test_pga_matches_the_yu_2013_form_at_one_point():
    # independent evaluation of ln Y = A + B·M + C·ln(R + D·exp(E·M)), Ms 6, R = sqrt(20² + 15²)
    c = hazard_parameters("earthquake")["coefficients"]["active"]
    r = np.hypot(20.0, 15.0)
    long_ = c[0] + c[1] * 6 + c[2] * np.log(r + c[3] * np.exp(c[4] * 6))
    short = c[10] + c[11] * 6 + c[12] * np.log(r + c[13] * np.exp(c[14] * 6))
    expected = np.exp((long_ + short) / 2) / 980.665
    spec = Earthquake(lat=30.0, lon=107.0, magnitude=6.0, depth_km=15)
    got = peak_ground_acceleration(spec, [30.0 + 20 / 111.195], [107.0])
    assert got[0] == pytest.approx(expected, rel=1e-3)
    assert 0.05 < got[0] < 0.3  # an M6 at 25 km shakes at roughly 0.1 g


@pytest.mark.parametrize("klass", ["high_voltage_anchored", "high_voltage_unanchored",
                                   "medium_voltage_anchored", "generation_unanchored"])
def test_hazus_fragility_is_half_at_its_median(klass):
    curves = hazard_parameters("earthquake")["fragility"][klass]
    for j, state in enumerate(DAMAGE_STATES):
        median, beta = curves[state]
        assert hazus_exceedance([median], curves)[0, j] == pytest.approx(0.5, abs=1e-9)
        x = 1.7 * median  # anywhere else: the lognormal CDF
        assert hazus_exceedance([x], curves)[0, j] == pytest.approx(
            norm.cdf(np.log(x / median) / beta), abs=1e-9)


def test_hazus_values_are_the_sourced_ones():
    f = hazard_parameters("earthquake")["fragility"]
    assert f["high_voltage_anchored"]["extensive"] == [0.20, 0.35]
    assert f["high_voltage_unanchored"]["complete"] == [0.38, 0.35]
    assert f["generation_unanchored"]["moderate"] == [0.22, 0.55]


def test_wind_at_45_ms_fails_half_the_towers(net, ctx):
    assert tower_wind_p(45.0) == pytest.approx(0.5)
    assert tower_wind_p(45.0 * np.exp(1 / 6.66)) == pytest.approx(norm.cdf(1.0))
    t = failure_probabilities(net, {"type": "wind_storm", "districts": ["万州区"], "gust_ms": 45},
                              context=ctx)
    assert len(t) > 0
    assert np.allclose(t["p_fail"], 1 - 0.5 ** (t["exposure_km"] / 0.4))


def test_2008_ice_storm_fails_a_plausible_number_of_lines(net, ctx):
    table = failure_probabilities(net, ICE_2008, context=ctx)
    assert (table["element"] == "line").all()
    expected = table["p_fail"].sum()
    assert 3 <= expected <= 40, expected
    counts = [len(draw(net, ICE_2008, seed, context=ctx).outages) for seed in range(10)]
    assert all(1 <= c <= 40 for c in counts), counts
    assert max(counts) < len(table) / 2
    assert (net.line.voltage_kv.loc[table["index"]] == 500).any()  # the 500 kV backbone is exposed
    assert table["reason"].str.contains("ice 30 mm vs 10 mm design").any()


def test_route_exposure_covers_both_ends_and_the_length(net, ctx):
    lines, exp = ctx.lines, ctx.exposure_km
    col = {d: j for j, d in enumerate(ctx.districts)}
    inside = lines["district"].isin(col) & lines["district2"].isin(col)
    rows = np.flatnonzero(inside.to_numpy())
    assert len(rows) > 200
    assert np.allclose(exp[rows].sum(axis=1), lines["length_km"].to_numpy()[rows])
    assert (exp[rows, lines["district"].map(col).fillna(-1).to_numpy(int)[rows]] > 0).all()
    assert (exp[rows, lines["district2"].map(col).fillna(-1).to_numpy(int)[rows]] > 0).all()


def test_ice_hits_every_line_with_an_end_in_the_districts(net, ctx):
    t = failure_probabilities(net, {"type": "ice_storm", "districts": ["石柱县"],
                                    "thickness_mm": 30}, context=ctx)
    bus_d = net.bus["district"]
    touching = net.line.index[(bus_d[net.line.from_bus].to_numpy() == "石柱县")
                              | (bus_d[net.line.to_bus].to_numpy() == "石柱县")]
    assert len(touching) > 3 and set(touching) <= set(t["index"])
    assert (t["p_fail"] > 0).all()


def test_ice_spares_lines_outside_the_districts(net, ctx):
    t = failure_probabilities(net, {"type": "ice_storm", "districts": ["城口县"],
                                    "thickness_mm": 40}, context=ctx)
    names = set(t["name"])
    assert names and all("城口" in n or "开州" in n for n in names), names
    zero = failure_probabilities(net, {"type": "ice_storm", "districts": ["城口县"],
                                       "thickness_mm": 0}, context=ctx)
    assert (zero["p_fail"] == 0).all()


# ---------------------------------------------------------------------------------------------
# Flood, landslide, external damage, heat wave
# ---------------------------------------------------------------------------------------------
def test_flood_low_level_fails_nothing(net, ctx):
    spec = {"type": "flood", "river": "长江", "water_rise_m": 3}
    assert (failure_probabilities(net, spec, context=ctx)["p_fail"] == 0).all()
    for seed in range(5):
        assert draw(net, spec, seed, context=ctx).outages == ()


def test_flood_high_level_fails_riverside_substations_in_wanzhou_and_fuling(net, ctx):
    spec = {"type": "flood", "river": "长江", "water_rise_m": 25,
            "districts": ["万州区", "涪陵区"]}
    district = net.bus["district"]
    for seed in range(3):
        d = draw(net, spec, seed, context=ctx)
        hit = {district[o.index] for o in d.outages if o.element == "bus"}
        assert hit == {"万州区", "涪陵区"}
        assert all(o.cause == "flood" and "长江 +25.0 m" in o.reason for o in d.outages)
    far = failure_probabilities(net, {"type": "flood", "river": "乌江", "water_rise_m": 25},
                                context=ctx)
    assert not far["name"].str.startswith("万州").any()  # the Wu does not reach 万州


def test_landslide_defaults_to_mountain_counties(net, ctx):
    t = failure_probabilities(net, {"type": "landslide", "rainfall_mm_24h": 250}, context=ctx)
    mountain = {d for d, z in district_zones().items() if z == "mountain"}
    lines = net.line.loc[t["index"]]
    ends = set(net.bus.district[lines.from_bus]) | set(net.bus.district[lines.to_bus])
    assert ends & mountain
    assert len(t) and (t["p_fail"] > 0).all() and t["p_fail"].sum() < len(t) / 2


def test_external_damage_named_and_random(net, ctx):
    spec = {"type": "external_damage", "agent": "kite",
            "components": [{"line": "张家坝-长寿 500kV #1"}],
            "count": 2, "districts": ["城口县", "开州区"]}
    d = draw(net, spec, 3, context=ctx)
    assert d.outages[0].name == "长寿-张家坝 500kV #1" and "named" in d.outages[0].reason
    rand = [o for o in d.outages if "at random" in o.reason]
    assert len(rand) == 2 and all("异物" in o.reason for o in rand)
    assert all(net.line.voltage_kv[o.index] == 220 for o in rand)
    picks = {tuple(o.index for o in draw(net, spec, s, context=ctx).outages[1:]) for s in range(8)}
    assert len(picks) > 1
    with pytest.raises(InputError, match=r"count: only \d+ 220 kV lines"):
        draw(net, {**spec, "count": 99}, 0, context=ctx)
    with pytest.raises(InputError, match=r"components\[0\]\.line: no line named .*did you mean"):
        draw(net, {**spec, "components": [{"line": "张家坝-长寿 500kV #9"}]}, 0, context=ctx)


def test_heat_wave_raises_load_by_the_stated_share_and_derates(net, ctx):
    work = copy.deepcopy(net)
    total = float(net.load.p_mw.sum())
    spec = {"type": "heat_wave", "demand_uplift_pct": 10, "thermal_derate_pct": 5,
            "hydro_derate_pct": 40, "import_scale": 0.7}
    d = draw(work, spec, 0, context=ctx)
    assert d.outages == ()
    assert work.load.p_mw.sum() == pytest.approx(1.10 * net.load.p_mw.sum())
    assert work.load.q_mvar.sum() == pytest.approx(1.10 * net.load.q_mvar.sum())
    coal = net.gen.type == "coal"
    assert np.allclose(work.gen.max_p_mw[coal], 0.95 * net.gen.max_p_mw[coal])
    hydro = net.gen.type == "hydro"
    assert np.allclose(work.gen.max_p_mw[hydro], 0.60 * net.gen.max_p_mw[hydro])
    assert (work.gen.p_mw <= work.gen.max_p_mw + 1e-9).all()
    imp = net.sgen.role == "import"
    assert np.allclose(work.sgen.p_mw[imp], 0.7 * net.sgen.p_mw[imp])
    assert any("demand +" in n for n in d.notes)
    assert float(net.load.p_mw.sum()) == total  # only the copy handed to draw() changed


def test_heat_wave_per_zone_and_unit_trips(net, ctx):
    work = copy.deepcopy(net)
    spec = {"type": "heat_wave", "demand_uplift_pct": {"core": 20}, "unit_trip_prob": 1.0}
    d = draw(work, spec, 0, context=ctx)
    core = net.load.district.map(district_zones()) == "core"
    assert work.load.p_mw[core].sum() == pytest.approx(1.2 * net.load.p_mw[core].sum())
    assert np.allclose(work.load.p_mw[~core], net.load.p_mw[~core])
    units = net.gen.index[(net.gen.role == "unit") & net.gen.in_service]
    assert {o.index for o in d.outages} == set(units)
    assert all(o.cause == "heat" and o.element == "gen" for o in d.outages)
    temp = copy.deepcopy(net)
    draw(temp, {"type": "heat_wave", "max_temperature_c": 40}, 0, context=ctx)  # 5 °C × 3 %/°C
    assert temp.load.p_mw.sum() == pytest.approx(1.15 * net.load.p_mw.sum())


# ---------------------------------------------------------------------------------------------
# Merging and input errors
# ---------------------------------------------------------------------------------------------
def test_draw_hazards_merges_in_order_without_duplicates(net, ctx):
    specs = [{"type": "external_damage", "components": [{"corridor": "张家坝-长寿 500kV"}]},
             {"type": "ice_storm", "districts": ["石柱县"], "thickness_mm": 60},
             IceStorm(districts=["石柱县"], thickness_mm=60)]
    d = draw_hazards(copy.deepcopy(net), specs, np.random.default_rng(1), context=ctx)
    keys = [(o.element, o.index) for o in d.outages]
    assert len(keys) == len(set(keys))
    assert d.outages[0].cause == "external_damage" and d.outages[1].cause == "external_damage"
    assert set(d.probabilities["hazard"]) == {"0:external_damage", "1:ice_storm", "2:ice_storm"}
    again = draw_hazards(copy.deepcopy(net), specs, np.random.default_rng(1), context=ctx)
    assert again.outages == d.outages


@pytest.mark.parametrize("spec, match", [
    ({"type": "ice_storm", "districts": ["万洲区"], "thickness_mm": 30},
     r"ice_storm\.districts: unknown district '万洲区'; did you mean '万州区'\?"),
    ({"type": "ice_storm", "districts": ["万州区"], "thickness_mm": -5},
     r"ice_storm\.thickness_mm: must be between 0 and 200 mm"),
    ({"type": "earthquake", "lat": 29.5, "lon": 108.7, "magnitude": 9.3},
     r"earthquake\.magnitude: .*8\.5"),
    ({"type": "flood", "river": "汉江", "water_rise_m": 5}, r"flood\.river: unknown river '汉江'"),
    ({"type": "flood", "river": "长江"}, r"give exactly one of water_rise_m and return_period_yr"),
    ({"type": "wind_storm", "gust_ms": 30}, r"wind_storm\.districts: list the districts"),
    ({"type": "ice_storm", "districts": ["万州区", "城口县"], "thickness_mm": {"万州区": 20}},
     r"ice_storm\.thickness_mm: no value for 城口县"),
    ({"type": "heat_wave", "demand_uplift_pct": {"cor": 5}},
     r"unknown zone 'cor'; did you mean 'core'"),
    ({"type": "tornado"}, r"type: unknown hazard type 'tornado'"),
    ({"type": "earthquake", "lat": 29.5, "lon": 108.7, "magnitude": 6, "depht_km": 9},
     r"earthquake\.depht_km: Extra inputs"),
])
def test_bad_input_raises_input_error_naming_the_field(net, ctx, spec, match):
    with pytest.raises(InputError, match=match):
        draw(net, spec, 0, context=ctx)


def test_bad_hazard_in_a_list_is_located(net, ctx):
    with pytest.raises(InputError, match=r"hazards\[1\]\.ice_storm\.thickness_mm"):
        draw_hazards(net, [ICE_2008, {**ICE_2008, "thickness_mm": -1}], 0, context=ctx)


def test_hazard_spec_embeds_in_a_scenario_schema():
    class Scenario(BaseModel):
        hazards: list[HazardSpec] = []

    text = """
hazards:
  - type: ice_storm
    districts: [城口, 巫溪县]
    thickness_mm: 30
  - type: flood
    river: Yangtze
    return_period_yr: 50
"""
    sc = Scenario.model_validate(yaml.safe_load(text))
    assert isinstance(sc.hazards[0], IceStorm) and sc.hazards[0].districts == ["城口县", "巫溪县"]
    assert sc.hazards[1].river == "长江"
    with pytest.raises(ValidationError) as err:
        Scenario.model_validate(yaml.safe_load(text.replace("mm: 30", "mm: -1")))
    assert validation_message(err.value).startswith(
        "hazards[0].ice_storm.thickness_mm: must be between 0 and 200 mm")


def test_short_district_names_and_river_aliases_are_accepted():
    spec = parse_hazard({"type": "ice_storm", "districts": ["万州", "忠县"], "thickness_mm": 20})
    assert spec.districts == ["万州区", "忠县"]
    assert parse_hazard({"type": "flood", "river": "Jialing", "water_rise_m": 1}).river == "嘉陵江"


def test_data_file_without_provenance_is_refused(tmp_path):
    (tmp_path / "ice_storm.yaml").write_text("beta:\n  value: 0.4\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"ice_storm\.yaml: beta: needs exactly one of 'source' "
                                            r"or 'estimate' \(found neither\)"):
        hazard_parameters("ice_storm", tmp_path)


def test_data_file_problems_are_listed_together_naming_file_and_parameter(tmp_path):
    (tmp_path / "ice_storm.yaml").write_text(
        "beta:\n  value: 0.4\n  source: a paper\n  estimate: a guess\n"
        "gamma: 3\n"
        "delta:\n  source: a paper\n"
        "eps:\n  value: 1\n  source: ''\n  estimate: derived\n", encoding="utf-8")
    with pytest.raises(DataFileError) as err:
        hazard_parameters("ice_storm", tmp_path)
    assert str(err.value) == (
        "ice_storm.yaml: beta: needs exactly one of 'source' or 'estimate' (found source, "
        "estimate); gamma: has no 'value'; delta: has no 'value'")
    (tmp_path / "flood.yaml").write_text("- value: 1\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"^flood\.yaml: expected a mapping of parameters$"):
        hazard_parameters("flood", tmp_path)
    (tmp_path / "landslide.yaml").write_text("a: [unclosed\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"^landslide\.yaml: not valid YAML at line 2, column 1"):
        hazard_parameters("landslide", tmp_path)
    with pytest.raises(DataFileError, match=r"^wind_storm\.yaml: hazard data file not found"):
        hazard_parameters("wind_storm", tmp_path)


def test_every_shipped_parameter_states_its_provenance():
    from outage_sim.hazards import HAZARD_FILES
    for name in HAZARD_FILES:
        assert hazard_parameters(name)  # raises DataFileError if any parameter lacks provenance
