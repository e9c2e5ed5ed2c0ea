"""The 110 kV layer and the 10 kV feeders beneath the transmission model (issue 17): data,
fragility, counting without double counting, the batch and single engines agreeing, repairs,
and the 2008 ice storm against the record."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from outage_sim import grid
from outage_sim.engine import with_distribution
from outage_sim.hazards import block_probabilities, dark_share, parse_hazard, sample_blocks
from outage_sim.studies import load_scenario, parse_scenario, run_montecarlo, run_scenario
from outage_sim.studies.montecarlo import prepare, run_chunk

ICE = "scenarios/ice_storm_2008.yaml"


@pytest.fixture(scope="module")
def blocks():
    return grid.distribution_blocks()


def test_blocks_carry_every_customer_and_megawatt_with_a_rule(blocks):
    districts = pd.read_csv(grid.DATA_DIR / "districts.csv").set_index("name")
    by = blocks.groupby("district")
    assert (by.customers.sum().reindex(districts.index) == districts.customers).all()
    assert by.peak_mw.sum().reindex(districts.index).to_numpy() == pytest.approx(districts.peak_load_mw, abs=0.5)
    assert blocks.source.str.startswith("estimate:").all()
    zone = blocks.district.map(districts.zone)
    assert (blocks.supply[zone.isin(["core", "new_urban", "regional"])] == "dual").all()
    assert (blocks.supply[zone.isin(["rural", "mountain"])] == "single").all()
    assert blocks.overhead_share[zone == "mountain"].min() > blocks.overhead_share[zone == "core"].max()
    stations = set(pd.read_csv(grid.DATA_DIR / "substations.csv").query("kind == 'load220'").name)
    assert set(blocks.station) == stations


def test_ice_fails_more_the_thicker_it_is_and_dual_supply_holds_better(blocks):
    thin = block_probabilities(blocks, [parse_hazard({"type": "ice_storm", "thickness_mm": {"城口县": 12}})])
    thick = block_probabilities(blocks, [parse_hazard({"type": "ice_storm", "thickness_mm": {"城口县": 35}})])
    here = (blocks.district == "城口县").to_numpy()
    assert (thick.p_feeder[here] > thin.p_feeder[here]).all() and (thin.p_feeder[~here] == 0).all()
    assert set(thick.cause[here]) == {"ice"}
    both = block_probabilities(blocks, [parse_hazard({"type": "ice_storm", "thickness_mm": 30,
                                                     "districts": ["渝北区", "城口县"]})])
    yubei = (blocks.district == "渝北区").to_numpy()  # dual, shorter lines, mostly cable
    assert both.p_110[yubei].max() < both.p_110[here].min()
    none = block_probabilities(blocks, [parse_hazard({"type": "heat_wave", "demand_uplift_pct": 5})])
    assert not none.exposed


def test_sampling_is_per_seed_and_reproducible(blocks):
    probs = block_probabilities(blocks, load_scenario(ICE).hazards)
    feeders = blocks.feeders.to_numpy()
    a = sample_blocks(probs, feeders, [3, 4, 5])
    b = sample_blocks(probs, feeders, [5])
    assert (a[1][2] == b[1][0]).all() and (a[0][2] == b[0][0]).all()
    dark = dark_share(*a, feeders)
    assert ((dark >= 0) & (dark <= 1)).all() and (dark[a[0]] == 1).all()


def test_a_load_already_dark_is_not_counted_twice():
    run = run_scenario(load_scenario("scenarios/chengkou_external_damage.yaml"), ac_check=False,
                       restore=False)
    shed = run.shed
    frac = np.where(shed.loads.district == "城口县", 0.5, 0.0) + np.where(shed.loads.district == "开州区", 0.25, 0.0)
    more = with_distribution(shed, frac, "distribution_ice")
    d, d0 = more.districts.set_index("name"), shed.districts.set_index("name")
    assert d.at["城口县", "customers_out"] == d0.at["城口县", "customers_out"] == d.at["城口县", "customers"]
    assert d.at["开州区", "shed_mw"] == pytest.approx(0.25 * d.at["开州区", "load_mw"], abs=0.05)
    assert more.main["customers_out"] == d.customers_out.sum()
    assert set(more.loads.cause[more.loads.district == "开州区"]) == {"distribution_ice"}
    assert set(more.loads.cause[more.loads.district == "城口县"]) == set(shed.loads.cause[shed.loads.district == "城口县"])


def test_single_run_and_batch_count_the_same_feeders():
    sc = load_scenario(ICE)
    setup = prepare(sc)
    batch = run_chunk(setup, sc.seed, 0, 3)
    for k in range(3):
        run = run_scenario(sc, seed=sc.seed, sample=k, ac_check=False, restore=False)
        assert run.distribution is not None and run.distribution.any
        assert run.shed.main["customers_out"] == pytest.approx(batch["customers_out"][k], rel=0.02)
        assert any(n.startswith("配网 distribution") for n in run.hazard_notes)


def test_feeders_are_repaired_and_the_customers_come_back():
    obj = {"name": "t", "time": "2027-01-28T06:00:00+08:00", "level": "winter_peak", "seed": 1,
           "cause": "ice", "end_of_hazard_h": 48,
           "hazards": [{"type": "ice_storm", "thickness_mm": {"巫溪县": 30, "城口县": 30},
                        "duration_h": 48}]}
    run = run_scenario(parse_scenario(obj), ac_check=False)
    res = run.restoration
    assert run.distribution.summary()["feeders_failed"] > 0
    ev = res.events
    repaired = ev[ev.what.str.contains("配网抢修")]
    assert len(repaired) and (repaired.t_h >= 48).all()  # a tenth of the pace while it ices
    assert res.timeline.customers_out.iloc[-1] == 0


def test_the_2008_ice_storm_darkens_districts_as_on_record():
    # record: 400,000 households out in 21 districts (sohu news 2008-02-14); the scenario ices 12
    res = run_montecarlo(load_scenario(ICE), 200, seed=2008)
    s = res.samples
    assert s.customers_out.median() == pytest.approx(400_000, rel=1.0)  # of the order of the record
    sc = load_scenario(ICE)
    out = run_chunk(prepare(sc), 2008, 0, 200)
    assert np.median(out["districts_shed"]) >= 10


def test_wind_and_landslide_reach_the_feeders_too(blocks):
    slide = block_probabilities(blocks, [parse_hazard({"type": "landslide", "rainfall_mm_24h": 250})])
    mountain = set(pd.read_csv(grid.DATA_DIR / "districts.csv").query("zone == 'mountain'").name)
    assert set(blocks.district[slide.p_feeder > 0]) == mountain  # the default: mountain counties
    assert set(slide.cause[slide.p_feeder > 0]) == {"geological"}
    calm = block_probabilities(blocks, [parse_hazard({"type": "wind_storm", "gust_ms": 20,
                                                      "districts": ["渝北区"]})])
    gale = block_probabilities(blocks, [parse_hazard({"type": "wind_storm", "gust_ms": 40,
                                                      "districts": ["渝北区"]})])
    assert gale.p_feeder.max() > 10 * calm.p_feeder.max() and set(gale.cause[gale.p_feeder > 0]) == {"wind"}
