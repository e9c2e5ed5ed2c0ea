"""The severity engine (plan §1.5, §3.2.1, §4.1): band edges, district classes, decimal inputs,
main grid derived from districts, margins, the plan file and the batch classifier."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from outage_sim.errors import DataFileError, InputError
from outage_sim.severity import (
    Area,
    BatchSeverity,
    Event,
    classify,
    classify_batch,
    load_plan,
    parse_event,
    whole_grid_event,
)

GRID_MW = 21000
GRID_CUSTOMERS = 15_000_000
PLAN_FILE = Path(__file__).parents[1] / "outage_sim" / "data" / "plan" / "chongqing-2021.toml"

# (percent lower bound, rank reached on it) straight from the Chinese text §1.5.1-§1.5.4.
MAIN_LOAD_EDGES = [(5, 1), (10, 2), (20, 3), (50, 4)]
MAIN_CUSTOMER_EDGES = [(10, 1), (15, 2), (30, 3), (60, 4)]
LARGE_LOAD_EDGES = [(40, 1), (60, 2)]
LARGE_CUSTOMER_EDGES = [(50, 1), (70, 2)]
SMALL_LOAD_EDGES = [(40, 1)]
SMALL_CUSTOMER_EDGES = [(50, 1)]


def area(load_mw=GRID_MW, shed_mw=0, customers=GRID_CUSTOMERS, customers_out=0, name=None):
    out = {"load_mw": load_mw, "shed_mw": shed_mw, "customers": customers,
           "customers_out": customers_out}
    return out if name is None else {"name": name, **out}


def district_event(name="万州区", **figures):
    """One district; the main grid given explicitly (covering the district) and far below its
    own bands."""
    district = area(name=name, **figures)
    main = area(shed_mw=district["shed_mw"], customers_out=district["customers_out"])
    return {"main": main, "districts": [district]}


def rank(obj) -> int:
    return classify(obj).level_rank


# --- band edges: just below, on, just above ----------------------------------------------------


@pytest.mark.parametrize(("low", "reached"), MAIN_LOAD_EDGES)
def test_main_load_shed_edges(low, reached):
    on = Decimal(low) * GRID_MW / 100
    eps = Decimal("0.001")  # 1 kW
    assert rank({"main": area(shed_mw=float(on - eps))}) == reached - 1
    assert rank({"main": area(shed_mw=float(on))}) == reached
    assert rank({"main": area(shed_mw=float(on + eps))}) == reached


@pytest.mark.parametrize(("low", "reached"), MAIN_CUSTOMER_EDGES)
def test_main_customers_out_edges(low, reached):
    on = low * GRID_CUSTOMERS // 100
    assert rank({"main": area(customers_out=on - 1)}) == reached - 1
    assert rank({"main": area(customers_out=on)}) == reached
    assert rank({"main": area(customers_out=on + 1)}) == reached


@pytest.mark.parametrize("load_mw", [150, 600, 1150.5])
@pytest.mark.parametrize(("low", "reached"), LARGE_LOAD_EDGES)
def test_large_district_load_shed_edges(load_mw, low, reached):
    on = Decimal(str(load_mw)) * low / 100
    eps = Decimal("0.001")
    assert rank(district_event(load_mw=load_mw, shed_mw=float(on - eps))) == reached - 1
    assert rank(district_event(load_mw=load_mw, shed_mw=float(on))) == reached
    assert rank(district_event(load_mw=load_mw, shed_mw=float(on + eps))) == reached


@pytest.mark.parametrize(("low", "reached"), LARGE_CUSTOMER_EDGES)
def test_large_district_customers_out_edges(low, reached):
    customers = 700_000
    on = customers * low // 100
    for out, expected in ((on - 1, reached - 1), (on, reached), (on + 1, reached)):
        assert rank(district_event(load_mw=600, customers=customers,
                                   customers_out=out)) == expected


@pytest.mark.parametrize("load_mw", [0.5, 60, 149.999])
@pytest.mark.parametrize(("low", "reached"), SMALL_LOAD_EDGES)
def test_small_district_load_shed_edges(load_mw, low, reached):
    on = Decimal(str(load_mw)) * low / 100
    eps = Decimal("0.0001")
    assert rank(district_event(load_mw=load_mw, shed_mw=float(on - eps))) == reached - 1
    assert rank(district_event(load_mw=load_mw, shed_mw=float(on))) == reached
    assert rank(district_event(load_mw=load_mw, shed_mw=float(on + eps))) == reached


@pytest.mark.parametrize(("low", "reached"), SMALL_CUSTOMER_EDGES)
def test_small_district_customers_out_edges(low, reached):
    customers = 110_000
    on = customers * low // 100
    for out, expected in ((on - 1, reached - 1), (on, reached), (on + 1, reached)):
        assert rank(district_event(load_mw=60, customers=customers,
                                   customers_out=out)) == expected


def test_small_district_never_above_general():
    sev = classify(district_event(name="城口县", load_mw=60, shed_mw=60, customers=110000,
                                  customers_out=110000))
    assert (sev.level, sev.level_en, sev.level_rank) == ("一般", "general", 1)
    assert {c.clause for c in sev.criteria} == {"§1.5.4(4)"}


# --- the 150 MW split itself --------------------------------------------------------------------


@pytest.mark.parametrize(("load_mw", "shed_pct", "expected"), [
    (150, 60, 2),            # 150 以上 includes 150: the large class, 较大 at 60 %
    (150, 100, 2),
    (149.999, 100, 1),       # 150 以下 excludes 150: never above 一般
    (149.999, 60, 1),
    (150.001, 60, 2),
    (150, 40, 1),
    (149.999, 40, 1),
])
def test_150_mw_split(load_mw, shed_pct, expected):
    shed = float(Decimal(str(load_mw)) * shed_pct / 100)
    sev = classify(district_event(load_mw=load_mw, shed_mw=shed))
    assert sev.level_rank == expected
    fired = sev.criteria[0]
    large = load_mw >= 150
    assert fired.district_class == ("负荷150兆瓦以上的区县" if large else "负荷150兆瓦以下的区县")
    assert fired.clause == ("§1.5.3(3)" if expected == 2 else
                            "§1.5.4(3)" if large else "§1.5.4(4)")


def test_split_customers_out_class():
    # 70 % of customers out: 较大 for a district of 150 MW, 一般 for one of 149.9 MW
    assert rank(district_event(load_mw=150, customers=1000, customers_out=700)) == 2
    assert rank(district_event(load_mw=149.9, customers=1000, customers_out=700)) == 1


# --- decimal inputs that sit on a bound in decimal ---------------------------------------------


def test_decimal_district_2_8_of_7_is_40_pct():
    assert 2.8 / 7 < 0.4  # binary floating point alone would miss the bound
    sev = classify(district_event(load_mw=7, shed_mw=2.8))
    assert sev.level_rank == 1
    assert sev.criteria[0].value_pct == 40.0


def test_decimal_large_district_on_bound_where_every_naive_formula_misses():
    shed, load = 64.32, 160.8  # exactly 40 % in decimal
    assert shed / load < 0.4 and shed / load * 100 < 40 and shed * 100 / load < 40
    sev = classify(district_event(load_mw=load, shed_mw=shed))
    assert (sev.level_rank, sev.criteria[0].clause, sev.criteria[0].value_pct) == (
        1, "§1.5.4(3)", 40.0)
    assert rank(district_event(load_mw=load, shed_mw=64.319999)) == 0


def test_decimal_main_1050_of_21000_is_5_pct():
    sev = classify({"main": area(shed_mw=1050)})
    assert (sev.level, sev.criteria[0].value_pct, sev.criteria[0].clause) == (
        "一般", 5.0, "§1.5.4(1)")
    assert rank({"main": area(shed_mw=1049.999)}) == 0


@pytest.mark.parametrize("load", ["7", "0.7", "0.3", "1.1", "2.1", "123.45", "150.5", "160.8",
                                  "1150.7", "33.3", "21000", "19876.543"])
@pytest.mark.parametrize("pct", [5, 10, 15, 20, 30, 40, 50, 60, 70])
def test_decimal_bounds_sweep(load, pct):
    """Shed exactly pct % of load in decimal lands on the bound; 1e-6 MW less is below it."""
    shed = Decimal(load) * pct / 100
    main = {"main": area(load_mw=float(load), shed_mw=float(shed))}
    below = {"main": area(load_mw=float(load), shed_mw=float(shed - Decimal("0.000001")))}
    on_rank = dict(MAIN_LOAD_EDGES).get(pct)
    if on_rank is not None:
        assert rank(main) == on_rank
        assert rank(below) == on_rank - 1
    on = classify(main).criteria[0].value_pct
    assert on == pct


def test_decimal_customers_on_bound():
    assert rank({"main": area(customers=7_500_000, customers_out=2_250_000)}) == 3  # 30 %
    assert rank({"main": area(customers=7_500_000, customers_out=2_249_999)}) == 2


# --- main grid derived from districts ------------------------------------------------------------


def test_main_left_out_is_the_built_in_models_main_grid():
    # one dark county is not the whole main grid (design.md): load and customers from the model
    from outage_sim.grid import grid_totals

    districts = [area(name="城口县", load_mw=58, shed_mw=58, customers=100_000,
                      customers_out=100_000)]
    sev = classify({"districts": districts})
    totals = grid_totals("summer_peak")
    assert sev.event.main_from_districts and sev.event.main_source == "model"
    assert (sev.event.main.load_mw, sev.event.main.customers) == (totals.load_mw,
                                                                  totals.customers)
    assert (sev.event.main.shed_mw, sev.event.main.customers_out) == (58, 100_000)
    assert sev.level_rank == 1
    assert {c.scope for c in sev.criteria} == {"城口县"}
    winter = classify({"districts": districts, "level": "winter_peak"})
    assert winter.event.main.load_mw == grid_totals("winter_peak").load_mw
    assert winter.to_dict()["main"]["level"] == "winter_peak"


def test_whole_grid_event_sums_districts_decimal_sum_on_bound():
    # batch runs: the districts are the whole grid. 0.1 + 0.2 + 0.4 is 0.7000000000000001 in
    # binary; 0.28 of it is still exactly 40 %
    districts = [Area(n, lm, sm, 10, 0) for n, lm, sm in (("a", 0.1, 0.1), ("b", 0.2, 0.1),
                                                           ("c", 0.4, 0.08))]
    sev = classify(whole_grid_event(districts))
    main = [c for c in sev.criteria if c.scope == "main"]
    assert main[0].value_pct == 40.0 and main[0].level == "重大"
    assert sev.to_dict()["main"]["source"] == "districts"


def test_explicit_main_is_not_replaced_by_district_sum():
    sev = classify({"main": area(shed_mw=600, customers_out=10),
                    "districts": [area(name="万州区", load_mw=600, shed_mw=600, customers=10,
                                       customers_out=10)]})
    assert not sev.event.main_from_districts
    assert sev.event.main.load_mw == GRID_MW
    assert sev.level_rank == 2


# --- levels, warning, response, criteria ---------------------------------------------------------


@pytest.mark.parametrize(("shed", "expected"), [
    (0, ("none", "none", 0, None, None, None)),
    (1050, ("一般", "general", 1, "IV", "blue", 4)),
    (2100, ("较大", "large", 2, "III", "yellow", 3)),
    (4200, ("重大", "major", 3, "II", "orange", 2)),
    (10500, ("特别重大", "extraordinarily serious", 4, "I", "red", 1)),
])
def test_level_warning_response_mapping(shed, expected):
    sev = classify({"main": area(shed_mw=shed)})
    assert (sev.level, sev.level_en, sev.level_rank, sev.response_level, sev.warning_color,
            sev.warning_level) == expected


def test_chinese_names_of_warning_and_response():
    sev = classify({"main": area(shed_mw=4200)})
    assert (sev.warning_level_zh, sev.warning_color_zh, sev.response_level_zh) == (
        "二级", "橙色", "Ⅱ级")


def test_every_fired_criterion_listed_highest_first():
    sev = classify({"main": area(shed_mw=4200, customers_out=1_600_000),
                    "districts": [area(name="万州区", load_mw=600, shed_mw=400, customers=100,
                                       customers_out=0),
                                  area(name="城口县", load_mw=60, shed_mw=0, customers=100,
                                       customers_out=55)]})
    got = [(c.scope, c.measure, c.level, c.clause) for c in sev.criteria]
    assert got == [("main", "load_shed", "重大", "§1.5.2(1)"),
                   ("万州区", "load_shed", "较大", "§1.5.3(3)"),
                   ("main", "customers_out", "一般", "§1.5.4(2)"),
                   ("城口县", "customers_out", "一般", "§1.5.4(4)")]
    assert sev.decided_by is sev.criteria[0]


def test_tie_break_main_first_then_load():
    obj = {"main": area(shed_mw=2100, customers_out=2_250_000),
           "districts": [area(name="万州区", load_mw=600, shed_mw=360, customers=10,
                              customers_out=0)]}
    sev = classify(obj)
    assert sev.level_rank == 2
    assert (sev.decided_by.scope, sev.decided_by.measure) == ("main", "load_shed")


def test_result_is_frozen():
    sev = classify({"main": area(shed_mw=1050)})
    with pytest.raises(AttributeError):
        sev.level_rank = 4  # type: ignore[misc]


def test_to_dict_contract_keys():
    d = classify({"main": area(shed_mw=4200)}).to_dict()
    assert {"level", "level_en", "level_rank", "response_level", "warning_color",
            "warning_level", "criteria", "margins"} <= set(d)
    assert set(d["criteria"][0]) >= {"scope", "measure", "value_pct", "level", "clause"}
    assert d["main"]["customers"] == 15_000_000 and isinstance(d["main"]["customers"], int)


# --- margins -----------------------------------------------------------------------------------


def test_raise_margin_main_load():
    sev = classify({"main": area(shed_mw=1200)})
    option = sev.raise_options[0]
    assert (option.scope, option.measure, option.level) == ("main", "load_shed", "较大")
    assert option.change == pytest.approx(900)
    assert option.boundary == pytest.approx(2100) and option.clause == "§1.5.3(1)"
    assert rank({"main": area(shed_mw=1200 + option.change)}) == 2
    assert rank({"main": area(shed_mw=1200 + option.change - 0.001)}) == 1


def test_raise_margin_names_the_district():
    sev = classify(district_event(name="万州区", load_mw=600, shed_mw=200))
    assert sev.level_rank == 0
    districts = [m for m in sev.raise_options if m.scope == "万州区"]
    load = next(m for m in districts if m.measure == "load_shed")
    assert load.change == pytest.approx(40) and load.level == "一般"
    assert load.clause == "§1.5.4(3)"
    assert rank(district_event(name="万州区", load_mw=600, shed_mw=200 + load.change)) == 1


def test_raise_margins_from_top_level_are_empty():
    sev = classify({"main": area(shed_mw=21000)})
    assert sev.raise_options == () and sev.to_dict()["margins"]["raise"] is None


def test_raise_skips_districts_that_cannot_reach_the_next_level():
    # at 较大 only the main grid can lift the event to 重大: districts stop at 较大
    sev = classify(district_event(load_mw=600, shed_mw=400))
    assert sev.level_rank == 2
    assert {m.scope for m in sev.raise_options} == {"main"}
    assert {m.level for m in sev.raise_options} == {"重大"}


def test_lower_margin_all_deciding_criteria():
    obj = {"main": area(shed_mw=4830, customers_out=4_800_000),
           "districts": [area(name="万州区", load_mw=1150, shed_mw=820, customers=10,
                              customers_out=0)]}
    sev = classify(obj)
    assert sev.level_rank == 3
    needed = {(m.scope, m.measure): m for m in sev.lower_requirements}
    assert set(needed) == {("main", "load_shed"), ("main", "customers_out")}
    assert needed["main", "load_shed"].change == pytest.approx(-630)
    assert needed["main", "customers_out"].change == pytest.approx(-300_000)
    assert sev.lower_rank == 2  # 万州区 keeps it at 较大
    # cutting exactly the margin leaves the criterion on the bound: still 重大
    obj["main"]["shed_mw"] = 4200
    obj["main"]["customers_out"] = 4_500_000
    assert rank(obj) == 3
    obj["main"]["shed_mw"] = 4199.999
    assert rank(obj) == 3  # customers out still on 30 %
    obj["main"]["customers_out"] = 4_499_999
    assert rank(obj) == sev.lower_rank


def test_lower_margin_of_none_is_none():
    sev = classify({"main": area()})
    assert sev.lower_rank is None and sev.lower_requirements == ()
    assert sev.to_dict()["margins"]["lower"] is None


# --- input checking (library) ------------------------------------------------------------------


@pytest.mark.parametrize(("obj", "message"), [
    ({}, 'needs "main" or at least one district'),
    ({"districts": []}, 'needs "main" or at least one district'),
    ({"main": {"load_mw": 1, "shed_mw": 0, "customers": 1}},
     r"main: missing field 'customers_out'"),
    ({"main": area(shed_mw=-1)}, r"main\.shed_mw: must not be negative"),
    ({"main": area(shed_mw="12")}, r"main\.shed_mw: must be a number"),
    ({"main": area(shed_mw=True)}, r"main\.shed_mw: must be a number"),
    ({"main": area(load_mw=float("nan"))}, r"main\.load_mw: must be a finite number"),
    ({"main": area(load_mw=10**400)}, r"main\.load_mw: must be a finite number"),
    ({"main": area(shed_mw=21001)}, r"main\.shed_mw: 21001 is above load_mw 21000"),
    ({"main": area(customers_out=15_000_001)}, r"main\.customers_out: .* is above customers"),
    ({"districts": [area(name="城口县", shed_mw=-2)]}, r"districts\[0\] \(城口县\)\.shed_mw"),
    ({"districts": [area()]}, r"districts\[0\]\.name: missing"),
    ({"districts": [area(name="a"), area(name="a")]}, r"districts\[1\]\.name: 'a' repeats"),
    ({"districts": {"name": "a"}}, r"districts: must be a list"),
    ({"main": [1, 2]}, r"main: must be an object"),
])
def test_parse_event_rejects(obj, message):
    with pytest.raises(InputError, match=message):
        parse_event(obj)


def test_parse_event_ignores_other_keys():
    ev = parse_event({"time": "2024-07-31T23:40:00+08:00", "cause": "flood",
                      "main": area(), "districts": [{**area(name="a"), "key_area": True}]})
    assert isinstance(ev, Event) and ev.districts[0].name == "a"


# --- the plan file -------------------------------------------------------------------------------


def test_plan_numbers_and_clauses():
    plan = load_plan()
    assert plan is load_plan()  # cached
    assert plan.document == "渝府办发〔2021〕18号"
    assert [lv.name for lv in plan.levels] == ["一般", "较大", "重大", "特别重大"]
    main = {(b.measure, b.rank): (b.low_pct, b.high_pct, b.clause) for b in plan.main_bands}
    assert main["load_shed", 3] == (20, 50, "§1.5.2(1)")
    assert main["customers_out", 4] == (60, None, "§1.5.1(2)")
    assert [c.min_load_mw for c in plan.district_classes] == [0, 150]


def test_other_plan_file_changes_the_numbers(tmp_path):
    text = PLAN_FILE.read_text("utf-8")
    assert text.count("low_pct = 5\nhigh_pct = 10") == 1  # main-grid 一般, load shed
    other = text.replace("low_pct = 5\nhigh_pct = 10", "low_pct = 4\nhigh_pct = 10")
    path = tmp_path / "other.toml"
    path.write_text(other, "utf-8")
    obj = {"main": area(shed_mw=900)}  # 4.29 %
    assert classify(obj).level_rank == 0
    assert classify(obj, plan=path).level_rank == 1
    assert classify(obj, plan=load_plan(path)).criteria[0].low_pct == 4


def test_yaml_plan_file(tmp_path):
    import tomllib

    import yaml

    data = tomllib.loads(PLAN_FILE.read_text("utf-8"))
    data["district"]["classes"][0]["min_load_mw"] = 200  # the split moves to 200 MW
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    obj = district_event(load_mw=180, shed_mw=180)
    assert classify(obj).level_rank == 2
    assert classify(obj, plan=path).level_rank == 1


@pytest.mark.parametrize(("edit", "message"), [
    (lambda t: t.replace('name_en = "major"\n', ""), r"levels\[1\]\.name_en"),
    (lambda t: t.replace("low_pct = 20\nhigh_pct = 50", "low_pct = 20\nhigh_pct = 40"),
     r"high_pct: is 40\.0 but the next level's low_pct is 50\.0"),
    (lambda t: t.replace("low_pct = 20\n", "low_pct = 12\n").replace("low_pct = 10\n",
                                                                     "low_pct = 14\n"),
     r"lower bounds rising with the level"),
    (lambda t: t.replace('level = "重大"\nmeasure = "load_shed"', 'level = "重要"\n'
                         'measure = "load_shed"'), r"unknown level '重要'"),
    (lambda t: t.replace("min_load_mw = 0", "min_load_mw = 10"), r"min_load_mw = 0"),
    (lambda t: t.replace("low_pct = 50\nclause", "low_pct = 50.0000000001\nclause"),
     r"at most 9 decimal places"),
    (lambda t: t + "\n[[[", r"not valid TOML"),
])
def test_bad_plan_file(tmp_path, edit, message):
    path = tmp_path / "bad.toml"
    path.write_text(edit(PLAN_FILE.read_text("utf-8")), "utf-8")
    with pytest.raises(DataFileError, match=message):
        load_plan(path)


def test_missing_plan_file(tmp_path):
    with pytest.raises(DataFileError, match="cannot read it"):
        load_plan(tmp_path / "nope.toml")


# --- batch -------------------------------------------------------------------------------------


def _batch_inputs(rng, n, d):
    load = np.round(rng.uniform(20, 800, (n, d)), 1)
    shed = np.round(load * rng.choice([0, 0.3, 0.4, 0.6, 1.0], (n, d)), 3)
    cust = np.round(load * 600)
    out = np.round(cust * rng.choice([0, 0.5, 0.7, 0.2], (n, d)))
    return {"load_mw": load, "shed_mw": shed, "customers": cust, "customers_out": out}


@pytest.mark.parametrize("with_main", [True, False])
def test_batch_matches_one_event_and_explain(with_main):
    rng = np.random.default_rng(3)
    districts = _batch_inputs(rng, 300, 5)
    names = [f"区{i}" for i in range(5)]
    main = None
    if with_main:
        main = {"load_mw": 21000.0, "shed_mw": districts["shed_mw"].sum(axis=1) * 1.5,
                "customers": 15e6, "customers_out": districts["customers_out"].sum(axis=1) * 4}
    batch = classify_batch(districts, main, district_names=names)
    assert isinstance(batch, BatchSeverity) and len(batch) == 300
    assert batch.rank.dtype == np.int8
    assert len(set(batch.rank.tolist())) >= 3  # a real mix of levels
    for i in range(300):
        obj = {"districts": [{"name": names[d], **{f: float(v[i, d]) for f, v in
                                                    districts.items()}} for d in range(5)]}
        if main is not None:
            obj["main"] = {f: float(np.broadcast_to(v, (300,))[i]) for f, v in main.items()}
        sev = classify(obj if main is not None else whole_grid_event(
            [Area(d["name"], d["load_mw"], d["shed_mw"], d["customers"], d["customers_out"])
             for d in obj["districts"]]))
        assert sev.level_rank == batch.rank[i]
        explained = batch.explain(i)
        assert explained.to_dict() == sev.to_dict()
        scope = batch.decided_scope[i]
        if sev.decided_by is None:
            assert scope == -2 and batch.decided_measure[i] == -1
        else:
            assert sev.decided_by.scope == ("main" if scope == -1 else names[scope])


def test_batch_static_loads_and_explicit_main():
    load = np.array([600.0, 60.0])
    shed = np.array([[0, 0], [360, 0], [0, 24], [0, 23.999]])
    batch = classify_batch(
        {"load_mw": load, "shed_mw": shed, "customers": np.array([100.0, 100.0]),
         "customers_out": np.zeros((4, 2))},
        main={"load_mw": 21000, "shed_mw": shed.sum(axis=1), "customers": GRID_CUSTOMERS,
              "customers_out": 0},
        district_names=["万州区", "城口县"])
    assert batch.rank.tolist() == [0, 2, 1, 0]
    assert batch.decided_scope.tolist() == [-2, 0, 1, -2]
    assert batch.decided_measure.tolist() == [-1, 0, 0, -1]
    assert batch.explain(1).decided_by.scope == "万州区"
    frame = batch.to_frame()
    assert frame["level"].tolist() == ["none", "较大", "一般", "none"]
    assert frame["warning_color"].tolist() == [None, "yellow", "blue", None]
    assert frame["decided_scope"].tolist() == ["", "万州区", "城口县", ""]


def test_batch_main_only():
    batch = classify_batch(main={"load_mw": 21000.0, "shed_mw": np.array([1049.999, 1050, 10500]),
                                 "customers": 100.0, "customers_out": 0.0})
    assert batch.rank.tolist() == [0, 1, 4]
    assert batch.decided_scope.tolist() == [-2, -1, -1]


def test_batch_chunks_and_threads_agree():
    rng = np.random.default_rng(5)
    districts = _batch_inputs(rng, 5000, 7)
    base = classify_batch(districts)
    for chunk, workers in ((1, 1), (333, 2), (4999, 2), (100_000, 1)):
        other = classify_batch(districts, chunk_size=chunk, workers=workers)
        assert np.array_equal(base.rank, other.rank)
        assert np.array_equal(base.decided_scope, other.decided_scope)
        assert np.array_equal(base.decided_measure, other.decided_measure)


def test_batch_leaves_inputs_alone():
    rng = np.random.default_rng(9)
    districts = _batch_inputs(rng, 50, 3)
    before = {f: v.copy() for f, v in districts.items()}
    classify_batch(districts)
    assert all(np.array_equal(before[f], districts[f]) for f in before)


AT = r"\[scenario 7, district 1 \(城口县\)\]: "


@pytest.mark.parametrize(("field", "value", "message"), [
    ("shed_mw", -1.0, r"districts\.shed_mw" + AT + "must not be negative"),
    ("shed_mw", 1e6, r"districts\.shed_mw" + AT + "is above load_mw"),
    ("customers_out", np.nan, r"districts\.customers_out" + AT + "must be a finite number"),
    ("load_mw", np.inf, r"districts\.load_mw" + AT + "must be a finite number"),
])
def test_batch_rejects_bad_figures(field, value, message):
    rng = np.random.default_rng(1)
    districts = _batch_inputs(rng, 20, 2)
    districts[field][7, 1] = value
    with pytest.raises(InputError, match=message):
        classify_batch(districts, district_names=["万州区", "城口县"], chunk_size=4)


def test_batch_rejects_bad_shapes():
    rng = np.random.default_rng(1)
    districts = _batch_inputs(rng, 20, 2)
    districts["shed_mw"] = districts["shed_mw"][:, :1]
    with pytest.raises(InputError, match="number of districts"):
        classify_batch(districts)
    with pytest.raises(InputError, match="needs main-grid or district figures"):
        classify_batch()
    with pytest.raises(InputError, match="district_names: 1 names for 2 districts"):
        classify_batch(_batch_inputs(rng, 20, 2), district_names=["a"])
