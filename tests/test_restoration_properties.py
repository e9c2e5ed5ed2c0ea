"""Property tests (hypothesis) of restoration over random scenarios: with no new faults served
load never falls, and the response never ends while a §4.3 check fails."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outage_sim.grid import chongqing_net
from outage_sim.hazards import fault_names
from outage_sim.restoration import CHECKS, POLICIES, restore
from outage_sim.studies import parse_scenario, run_scenario

CAUSES = ("equipment", "ice", "flood", "earthquake", "lightning", "external_damage", "heat_wave")
SECONDARY = ("environmental", "special_equipment", "food_drug")


def assert_invariants(res) -> None:
    """Served never falls (in total, per district, customers out never rise), and the response
    ends exactly at the first row where all four checks hold — never while one fails."""
    tl = res.timeline
    assert (np.diff(tl.served_mw) >= -1e-6).all()
    assert (np.diff(tl.customers_out) <= 0).all()
    per_district = res.districts.pivot(index="t_h", columns="district", values="shed_mw")
    assert (np.diff(per_district.to_numpy(), axis=0) <= 1e-6).all()
    assert (tl.shed_mw >= -1e-6).all() and (tl.served_mw <= tl.load_mw + 1e-6).all()
    assert tl.t_h.is_monotonic_increasing
    held = tl.all_checks.to_numpy()
    if res.terminated_h is None:
        assert not (res.activated and held.any())
    else:
        assert res.activated
        first = tl.t_h[held].iloc[0]
        assert res.terminated_h == first
        assert tl.loc[tl.t_h == first, [f"check_{c}" for c in CHECKS]].all(axis=None)
        assert not tl.responding[tl.t_h >= first].any()
        assert (tl.response_level[tl.t_h < first] != "").all()
        assert res.last_check in CHECKS
        assert res.check_since_h[res.last_check] == max(res.check_since_h.values())


@lru_cache(maxsize=1)
def _names() -> dict[str, list[str]]:
    net = chongqing_net()
    return {k: fault_names(net, k) for k in ("line", "substation", "unit", "intertie")}


@st.composite
def scenarios(draw):
    names = _names()
    faults = []
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(("line", "line", "line", "substation", "unit", "intertie")))
        fault = {kind: draw(st.sampled_from(names[kind]))}
        if draw(st.booleans()):
            fault["repair_h"] = draw(st.floats(0, 80))
        if draw(st.integers(0, 3)) == 0:
            fault["damaged"] = False
        faults.append(fault)
    obj = {"name": "random", "time": "2026-08-05T21:00:00+08:00",
           "level": draw(st.sampled_from(("summer_peak", "winter_peak", "valley"))),
           "mode": draw(st.sampled_from(("dispatch", "cascade"))),
           "cause": draw(st.sampled_from(CAUSES)), "faults": faults,
           "secondary": draw(st.lists(st.sampled_from(SECONDARY), max_size=2, unique=True)),
           "restoration": {"policy": draw(st.sampled_from(POLICIES)), "step_h": 0.5}}
    if draw(st.booleans()):
        obj["end_of_hazard_h"] = draw(st.floats(0, 60))
    if draw(st.booleans()):
        obj["restoration"]["crews"] = {draw(st.sampled_from(("万州区", "黔江区", "渝北区"))):
                                       draw(st.integers(1, 3))}
    return obj


@given(scenarios())
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_served_never_falls_and_the_response_never_ends_while_a_check_fails(obj):
    run = run_scenario(parse_scenario(obj), ac_check=False, restore=False)
    res = restore(run, horizon_h=96.0)
    assert_invariants(res)
    assert abs(res.timeline.shed_mw.iloc[0] - run.shed.main["shed_mw"]) < 1e-6
