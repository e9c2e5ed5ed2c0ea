"""The response stage: organisation data, ResponsePlan logic, the reporting clock, documents."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from outage_sim.errors import DataFileError, InputError
from outage_sim.grid import district_names
from outage_sim.response import (
    TBD,
    add_minutes,
    brief_markdown,
    build_response,
    incident_report_markdown,
    load_organisation,
    parse_respond_event,
    respond,
    summary_text,
    warning_notice_markdown,
)
from outage_sim.severity import classify

SEED = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "seed"
    / "chongqing-large-area-outage-plan-2021.zh.txt"
)
ORG = load_organisation()
MAIN_LOAD, MAIN_CUSTOMERS = 21000.0, 15_000_000.0
#: Main-grid load shed (%) that lands in each rank's band, well inside it.
SHED_PCT = {4: 55, 3: 25, 2: 12, 1: 6, 0: 1}


def severity(rank: int, touched: list[str] = (), untouched: list[str] = ()):
    """A severity result decided by the main grid at ``rank``; ``touched`` districts lose a
    little load (1%, below every district band), ``untouched`` ones nothing."""
    districts = [
        {"name": d, "load_mw": 1000, "shed_mw": 10, "customers": 500000, "customers_out": 0}
        for d in touched
    ]
    districts += [
        {"name": d, "load_mw": 1000, "shed_mw": 0, "customers": 500000, "customers_out": 0}
        for d in untouched
    ]
    return classify(
        {
            "main": {
                "load_mw": MAIN_LOAD,
                "shed_mw": MAIN_LOAD * SHED_PCT[rank] / 100,
                "customers": MAIN_CUSTOMERS,
                "customers_out": 0,
            },
            "districts": districts,
        }
    )


def raw_event(rank: int = 3, **extra):
    """A raw ``respond`` input at ``rank`` touching 城口县 (plus ``extra`` top-level keys)."""
    obj = {
        "time": "2024-07-31T23:40:00+08:00",
        "main": {
            "load_mw": MAIN_LOAD,
            "shed_mw": MAIN_LOAD * SHED_PCT[rank] / 100,
            "customers": MAIN_CUSTOMERS,
            "customers_out": 1000,
        },
        "districts": [
            {
                "name": "城口县",
                "load_mw": 60,
                "shed_mw": 5,
                "customers": 110000,
                "customers_out": 1000,
            }
        ],
    }
    obj.update(extra)
    return obj


T0 = datetime(2024, 7, 31, 23, 40, tzinfo=timezone(timedelta(hours=8)))


def kinds(plan):
    return [r.kind for r in plan.reports]


# --- organisation data ------------------------------------------------------------------------


def _plan_text() -> str:
    if not SEED.exists():
        pytest.skip("the Chinese plan text (shared/seed) is not beside the repository")
    return re.sub(r"\s+", "", SEED.read_text(encoding="utf-8"))


def test_every_attachment_duty_paragraph_is_a_member_unit():
    text = _plan_text()
    attachment = text[text.index("二、成员单位职责") :]
    body = attachment[attachment.index("等。") + 2 :]
    headings = re.findall(r"(?:^|。)([^：。；，]{2,16})：", body)
    assert len(headings) == 36
    assert [u.name_zh for u in ORG.member_units] == headings


def test_member_unit_texts_are_verbatim():
    text = _plan_text()
    for unit in ORG.member_units:
        assert f"{unit.name_zh}：{unit.duty_zh}" in text, unit.name_zh
        for part in unit.duties:
            assert part.zh in text, (unit.name_zh, part.zh)
    for m in ORG.measures:
        assert m.action_zh in text, m.id
    for a in ORG.warning_actions:
        assert a.action_zh in text, a.party_zh
    for duty in ORG.city_hq["duties_zh"]:
        assert duty in text
    for quoted in (
        ORG.raw["response_adjust"]["zh"],
        ORG.warning["proposer_zh"],
        ORG.warning["adjust_zh"],
        ORG.reports["notify_zh"],
    ):
        assert quoted in text


def test_member_unit_list_membership():
    # 35 of the 36 duty paragraphs are named in the attachment's list; 重要电力用户 is not.
    assert len(ORG.member_units) == 36
    assert [u.name_zh for u in ORG.member_units if not u.listed] == ["重要电力用户"]


def test_duty_parts_reassemble_the_paragraph():
    strip = str.maketrans("", "", "；。")
    for unit in ORG.member_units:
        assert "".join(p.zh for p in unit.duties).translate(strip) == unit.duty_zh.translate(strip)


def test_every_cause_activation_is_reachable():
    tags = {t for u in ORG.member_units for t in u.activation}
    assert tags - {"all_events", "city_led", "major"} == {
        "geological",
        "flood",
        "earthquake",
        "environmental",
        "coal_mine",
        "wildlife",
        "crop_livestock",
        "special_equipment",
        "food_drug",
    }


ORG_FILE = Path(__file__).resolve().parents[1] / "outage_sim" / "data" / "plan" / "organisation.yaml"


def _broken_organisation(tmp_path, old: str, new: str) -> Path:
    """The packaged organisation file with its first ``old`` replaced by ``new``."""
    src = ORG_FILE.read_text(encoding="utf-8")
    assert old in src
    bad = tmp_path / "org.yaml"
    bad.write_text(src.replace(old, new, 1), encoding="utf-8")
    return bad


def test_bad_organisation_file_names_the_entry(tmp_path):
    bad = _broken_organisation(tmp_path, "activation: [coal_mine]", "activation: [coal]")
    with pytest.raises(DataFileError, match=r"重庆煤监局.*activation"):
        load_organisation(bad)


@pytest.mark.parametrize(
    "old, new, message",
    [
        (
            "activation: [coal_mine]",
            "activation: [coal]",
            (r"member_units\[21\]\.activation\[0\]: 重庆煤监局: unknown activation tag 'coal'; "
             r"did you mean 'coal_mine'\? \(a trigger, cause or secondary incident: all_events, "),
        ),
        (
            "{rank: 4, level_zh",
            "{rank: four, level_zh",
            r"response_levels\[0\]\.rank: Input should be a valid integer",
        ),
        (
            "{rank: 4, level_zh",
            "{rank: 3, level_zh",
            r"response_levels: need ranks 1, 2, 3 and 4 once each, got \[1, 2, 3, 3\]$",
        ),
        (
            "  commander: {zh: 市政府分管副市长, en:",
            "  commander: {zh: 市政府分管副市长, eng:",
            r"city_hq\.commander\.en: Field required; city_hq\.commander\.eng: ",
        ),
        (
            "        when: [food_drug]\n",
            "        when: [flood]\n",
            (r"member_units\[16\]\.duties: 市市场监管局: the parts use triggers "
             r"\['flood', 'special_equipment'\], activation says"),
        ),
        ("    orange: *issuers_high\n", "", r"warning\.issuers: .*missing orange$"),
        (
            "by: [市应急局]",
            "by: [市应急]",
            (r"reports\.clock\[3\]\.by\[0\]: '市应急' is not in reports\.bodies; "
             r"did you mean '市应急局'\?$"),
        ),
        (
            "mapped: [重庆燃气集团]",
            "mapped: [燃气集团]",
            (r"measures\[10\]\.mapped\[0\]: 4\.2\.3-gas: no member unit named '燃气集团'; "
             r"did you mean '重庆燃气集团'\?$"),
        ),
        (
            "cause_aliases: {landslide: geological",
            "cause_aliases: {landslide: geologic",
            r"cause_aliases\.landslide: 'geologic' is not a cause; did you mean 'geological'\?$",
        ),
        (
            "response_adjust:\n",
            "response_adjustment:\n",
            r"response_adjust: Field required; response_adjustment: Extra inputs are not permitted$",
        ),
    ],
)
def test_broken_organisation_file_is_one_error_naming_the_path(tmp_path, old, new, message):
    bad = _broken_organisation(tmp_path, old, new)
    with pytest.raises(DataFileError) as err:
        load_organisation(bad)
    text = str(err.value)
    assert text.startswith(f"{bad}: ") and "\n" not in text
    assert re.search(message, text.removeprefix(f"{bad}: ")), text


@pytest.mark.parametrize(
    "text, message", [("[1, 2]\n", "expected a mapping at the top level"), ("a: [\n", "not valid YAML")]
)
def test_organisation_file_that_is_no_mapping(tmp_path, text, message):
    bad = tmp_path / "org.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError, match=f"^{re.escape(str(bad))}: {message}"):
        load_organisation(bad)


# --- levels and leads -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rank, response, lead, hq, commander, groups, color, clock",
    [
        (
            4,
            "I",
            "city",
            "市指挥部即为现场应急处置指挥部",
            "市政府分管副市长",
            6,
            "red",
            ["first", "ministry", "phone", "phone", "written", "written"] + ["followup"] * 8
            + ["final", "final"],
        ),
        (
            3,
            "II",
            "city",
            "市指挥部即为现场应急处置指挥部",
            "市政府分管副市长",
            6,
            "orange",
            ["first", "ministry", "phone", "phone", "written", "written"] + ["followup"] * 8
            + ["final", "final"],
        ),
        (
            2,
            "III",
            "district",
            "由城口县人民政府成立现场应急处置指挥部",
            "城口县人民政府（相应组织指挥机构）",
            0,
            "yellow",
            ["first", "followup", "final"],
        ),
        (
            1,
            "IV",
            "district",
            "由城口县人民政府成立现场应急处置指挥部",
            "城口县人民政府（相应组织指挥机构）",
            0,
            "blue",
            ["first", "followup", "final"],
        ),
    ],
)
def test_each_level_single_district(rank, response, lead, hq, commander, groups, color, clock):
    plan = build_response(severity(rank, ["城口县"]), T0, districts=["城口县"])
    assert plan.activated and plan.level_rank == rank
    assert plan.response_level == response
    assert plan.lead == lead
    assert plan.on_site_hq.zh == hq
    assert plan.commander.zh == commander
    assert len(plan.working_groups) == groups
    assert plan.warning.color == color
    assert kinds(plan) == clock
    assert len(plan.measures) == len(ORG.measures)
    names = {u.name_zh for u in plan.member_units}
    assert ("市应急局" in names) == (rank >= 3)
    assert ("市公安局" in names) == (rank >= 3)
    assert {"国网市电力公司", "事发地区县政府", "市经济信息委"} <= names


def test_no_event_starts_nothing():
    plan = build_response(severity(0, ["城口县"]), T0, districts=["城口县"])
    assert not plan.activated
    assert plan.response_level is None and plan.lead is None and plan.warning is None
    assert plan.reports == () and plan.member_units == () and plan.measures == ()
    assert plan.to_dict()["reports"] == []


@pytest.mark.parametrize(
    "rank, touched, untouched, lead, lead_district",
    [
        (2, ["城口县"], ["巫溪县"], "district", "城口县"),  # an untouched district does not count
        (2, ["城口县", "巫溪县"], [], "city_or_designated_district", None),
        (1, ["城口县", "巫溪县", "万州区"], [], "city_or_designated_district", None),
        (1, [], [], "district", None),
        (3, ["城口县", "巫溪县"], [], "city", None),
        (4, ["城口县"], [], "city", None),
    ],
)
def test_lead_single_and_multi_district(rank, touched, untouched, lead, lead_district):
    ev = parse_respond_event({"time": T0.isoformat(), **_event_dict(rank, touched, untouched)})
    plan = build_response(severity(rank, touched, untouched), T0, districts=ev.districts)
    assert ev.districts == tuple(touched)
    assert plan.lead == lead
    assert plan.lead_district == lead_district


def _event_dict(rank, touched, untouched):
    districts = [
        {"name": d, "load_mw": 1000, "shed_mw": 10, "customers": 500000, "customers_out": 0}
        for d in touched
    ]
    districts += [
        {"name": d, "load_mw": 1000, "shed_mw": 0, "customers": 500000, "customers_out": 0}
        for d in untouched
    ]
    return {
        "main": {
            "load_mw": MAIN_LOAD,
            "shed_mw": MAIN_LOAD * SHED_PCT[rank] / 100,
            "customers": MAIN_CUSTOMERS,
            "customers_out": 0,
        },
        "districts": districts,
    }


def test_multi_district_general_event_marks_city_units_conditional():
    plan = build_response(severity(1, ["城口县", "巫溪县"]), T0, districts=["城口县", "巫溪县"])
    units = {u.name_zh: u for u in plan.member_units}
    assert units["市公安局"].conditional is True
    assert units["国网市电力公司"].conditional is False
    assert plan.commander.zh == "市政府或市政府指定的区县政府"
    assert "市应急局" not in units  # 重大/特别重大 only
    assert units["事发地区县政府"].bodies == ("城口县人民政府", "巫溪县人民政府")


def test_city_led_deputies_name_each_district_government():
    plan = build_response(severity(3, ["石柱县", "城口县"]), T0, districts=["石柱县", "城口县"])
    deputies = [d.zh for d in plan.deputies]
    assert deputies[:4] == [
        "市政府有关副秘书长",
        "市公安局分管负责人",
        "市应急局主要负责人",
        "市经济信息委主要负责人",
    ]
    assert deputies[4:] == ["石柱土家族自治县人民政府主要负责人", "城口县人民政府主要负责人"]


def test_unknown_district_falls_back_to_generic_names():
    plan = build_response(severity(1), T0)
    assert plan.commander.zh == "事发地区县政府（相应组织指挥机构）"
    assert plan.reports[0].by == ("电网企业",)
    assert plan.reports[0].to == ("事发地区县经济信息部门", "华中能源监管局重庆业务办")
    assert plan.reports[1].by == ("事发地区县经济信息部门",)
    assert [r.zh for r in plan.warning.issuers] == ["事发地区县政府", "区县政府授权的部门、单位"]


@pytest.mark.parametrize(
    "rank, issuers",
    [
        (4, ["重庆市人民政府", "城口县人民政府", "市政府授权的部门、单位（如市经济信息委）"]),
        (3, ["重庆市人民政府", "城口县人民政府", "市政府授权的部门、单位（如市经济信息委）"]),
        (2, ["城口县人民政府", "区县政府授权的部门、单位"]),
        (1, ["城口县人民政府", "区县政府授权的部门、单位"]),
    ],
)
def test_warning_issuers_per_colour(rank, issuers):
    w = build_response(severity(rank, ["城口县"]), T0, districts=["城口县"]).warning
    assert [r.zh for r in w.issuers] == issuers
    assert len(w.channels) == 7 and len(w.actions) == 5


# --- causes and secondary incidents -----------------------------------------------------------


@pytest.mark.parametrize(
    "cause, secondary, unit, duty_start",
    [
        ("flood", [], "市水利局", "组织、协调、指导水利工程因洪涝灾害"),
        ("geological", [], "市规划自然资源局", "组织、协调、指导因地质灾害"),
        ("landslide", [], "市规划自然资源局", "组织、协调、指导因地质灾害"),
        ("earthquake", [], "市地震局", "协调、指导因地震灾害"),
        (None, ["environmental"], "市生态环境局", "因大面积停电事件发生突发环境事件时"),
        (None, ["coal_mine"], "重庆煤监局", "指导因大面积停电事件引发煤矿次生事故"),
        (None, ["wildlife"], "市林业局", "负责对野生动植物"),
        (None, ["crop_livestock"], "市农业农村委", "负责农作物、水产养殖"),
        (None, ["special_equipment"], "市市场监管局", "负责指导大面积停电事件涉及的特种设备"),
        (None, ["food_drug"], "市市场监管局", "负责对大面积停电事件可能造成的食品药品"),
    ],
)
def test_cause_activates_its_unit_even_when_district_led(cause, secondary, unit, duty_start):
    sev = severity(1, ["城口县"])
    without = build_response(sev, T0, districts=["城口县"])
    assert unit not in {u.name_zh for u in without.member_units}
    plan = build_response(sev, T0, districts=["城口县"], cause=cause, secondary=secondary)
    active = {u.name_zh: u for u in plan.member_units}[unit]
    assert len(active.duties_zh) == 1 and active.duties_zh[0].startswith(duty_start)
    assert active.triggers == ((plan.cause,) if cause else tuple(secondary))


def test_city_led_event_gives_general_duties_of_cause_units():
    plan = build_response(severity(3, ["城口县"]), T0, districts=["城口县"], cause="ice")
    units = {u.name_zh: u for u in plan.member_units}
    assert "市地震局" not in units and "市生态环境局" not in units
    assert units["市水利局"].duties_zh == (
        "负责指导区县水行政主管部门备用饮用水水源调度",
        "提供大面积停电事件应对工作所需水文水利资料。",
    )
    assert len(units["事发地区县政府"].duties_zh) == 6  # incl. the 重大/特别重大 logistics duty
    general = build_response(severity(1, ["城口县"]), T0, districts=["城口县"])
    assert len({u.name_zh: u for u in general.member_units}["事发地区县政府"].duties_zh) == 5


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"cause": "flod"}, r"cause: unknown cause 'flod'; did you mean 'flood'\?"),
        ({"cause": "environmental"}, r"cause: .*secondary"),
        (
            {"secondary": ["coal"]},
            r"secondary\[0\]: unknown secondary incident 'coal'; did you mean 'coal_mine'",
        ),
        (
            {"districts": ["城口"]},
            r"districts\[0\]: unknown district '城口'; did you mean '城口县'",
        ),
        ({"end_time": T0 - timedelta(hours=1)}, r"end_time: .* is before time"),
    ],
)
def test_build_response_rejects_bad_context(kwargs, message):
    with pytest.raises(InputError, match=message):
        build_response(severity(1, ["城口县"]), T0, **kwargs)


def test_naive_time_is_rejected():
    with pytest.raises(InputError, match="time: .* has no UTC offset"):
        build_response(severity(3), datetime(2024, 7, 31, 23, 40))


# --- the reporting clock ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "time, phone, written, first_followup",
    [
        (
            "2024-07-31T23:40:00+08:00",
            "2024-08-01T00:10:00+08:00",
            "2024-08-01T00:40:00+08:00",
            "2024-08-01T23:40:00+08:00",
        ),
        (
            "2024-01-31T23:45:00+08:00",
            "2024-02-01T00:15:00+08:00",
            "2024-02-01T00:45:00+08:00",
            "2024-02-01T23:45:00+08:00",
        ),
        (
            "2024-02-29T23:59:00+08:00",
            "2024-03-01T00:29:00+08:00",
            "2024-03-01T00:59:00+08:00",
            "2024-03-01T23:59:00+08:00",
        ),
        (
            "2023-02-28T23:40:00+08:00",
            "2023-03-01T00:10:00+08:00",
            "2023-03-01T00:40:00+08:00",
            "2023-03-01T23:40:00+08:00",
        ),
        (
            "2023-12-31T23:30:00+08:00",
            "2024-01-01T00:00:00+08:00",
            "2024-01-01T00:30:00+08:00",
            "2024-01-01T23:30:00+08:00",
        ),
        (  # UTC input: every time in Beijing time (+08:00)
            "2024-04-30T16:10:00Z",
            "2024-05-01T00:40:00+08:00",
            "2024-05-01T01:10:00+08:00",
            "2024-05-02T00:10:00+08:00",
        ),
        (
            "2024-06-15T10:00:00+08:00",
            "2024-06-15T10:30:00+08:00",
            "2024-06-15T11:00:00+08:00",
            "2024-06-16T10:00:00+08:00",
        ),
    ],
)
@pytest.mark.parametrize("rank", [3, 4])
def test_deadlines_across_midnight_and_month_ends(rank, time, phone, written, first_followup):
    t = datetime.fromisoformat(time)
    plan = build_response(severity(rank, ["城口县"]), t, districts=["城口县"])
    d = {r["kind"]: r for r in reversed(plan.to_dict()["reports"])}  # first of each kind
    assert d["phone"]["due"] == phone and d["phone"]["deadline_min"] == 30
    assert d["written"]["due"] == written and d["written"]["deadline_min"] == 60
    assert datetime.fromisoformat(d["ministry"]["due"]) == t and d["ministry"]["immediate"]
    assert d["ministry"]["due_zh"] == "立即（接报后）"
    assert d["followup"]["due"] == first_followup
    assert d["final"]["due"] is None
    phones = [r for r in plan.to_dict()["reports"] if r["kind"] == "phone"]
    assert [r["by"] for r in phones] == ["城口县人民政府", "市经济信息委"]  # each on its own
    assert {r["to"] for r in phones} == {"重庆市人民政府"}
    assert d["ministry"]["by"] == "市应急局" and d["ministry"]["to"] == "应急管理部"


def test_deadline_is_elapsed_time_across_a_daylight_saving_change():
    t = datetime(2024, 3, 31, 1, 50, tzinfo=ZoneInfo("Europe/Berlin"))  # clocks jump 02:00→03:00
    assert add_minutes(t, 30).isoformat() == "2024-03-31T03:20:00+02:00"
    # (same-tzinfo subtraction is wall-clock in Python, so compare on the UTC line)
    assert add_minutes(t, 30).astimezone(UTC) - t.astimezone(UTC) == timedelta(minutes=30)


@pytest.mark.parametrize("rank", [1, 2])
def test_general_and_large_events_get_no_30min_1h_clock(rank):
    plan = build_response(severity(rank, ["城口县"]), T0, districts=["城口县"])
    assert plan.report("phone") == () and plan.report("written") == ()
    assert plan.report("ministry") == ()
    (followup,) = plan.report("followup")
    assert followup.due is None and followup.deadline_min is None
    assert followup.by == ("城口县经济信息部门",)
    assert followup.to == ("城口县人民政府", "市经济信息委")


def test_followups_daily_until_the_end_then_a_final_report():
    end = T0 + timedelta(days=2, hours=5)
    plan = build_response(severity(3, ["城口县"]), T0, districts=["城口县"], end_time=end)
    followups = sorted({r.due for r in plan.report("followup") if r.due is not None})
    assert followups == [T0 + timedelta(days=1), T0 + timedelta(days=2)]
    assert plan.report("final")[0].due == end
    exact = build_response(severity(3), T0, end_time=T0 + timedelta(days=1))
    # the final report falls due at that moment: only the prompt (及时) follow-ups remain
    assert all(r.due is None for r in exact.report("followup"))


@pytest.mark.parametrize("days", [0, 1, 5])
def test_followup_days_without_end(days):
    plan = build_response(severity(4), T0, followup_days=days)
    assert len({r.due for r in plan.report("followup") if r.due is not None}) == days


def test_report_chain_names_each_district():
    plan = build_response(severity(2, ["城口县"]), T0, districts=["城口县"])
    pairs = [(c.by, c.to) for c in plan.report_chain]
    assert pairs == [
        ("电网企业", "城口县经济信息部门"),
        ("电网企业", "华中能源监管局重庆业务办"),
        ("城口县经济信息部门", "城口县人民政府"),
        ("城口县经济信息部门", "市经济信息委"),
        ("华中能源监管局重庆业务办", "华中能源监管局"),
    ]


# --- input ------------------------------------------------------------------------------------


def test_all_38_districts_and_full_autonomous_names_are_accepted():
    names = district_names()
    assert len(names) == 38
    raw = raw_event(
        districts=[
            {"name": n, "load_mw": 100, "shed_mw": 1, "customers": 1000, "customers_out": 0}
            for n in names
        ]
    )
    assert parse_respond_event(raw).districts == tuple(names)
    full = raw_event(
        districts=[
            {
                "name": "彭水苗族土家族自治县",
                "load_mw": 100,
                "shed_mw": 1,
                "customers": 1000,
                "customers_out": 0,
            }
        ]
    )
    assert parse_respond_event(full).districts == ("彭水县",)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"time": None}, r"^time: missing"),
        ({"time": "2024-07-31T23:40:00"}, r"^time: .* has no UTC offset"),
        ({"time": "yesterday"}, r"^time: 'yesterday' is not an ISO 8601 time"),
        ({"time": 1722440400}, r"^time: must be an ISO 8601"),
        ({"cause": "tsunami"}, r"^cause: unknown cause 'tsunami'"),
        ({"secondary": "environmental"}, r"^secondary: must be a list"),
        (
            {
                "districts": [
                    {"name": "城口", "load_mw": 1, "shed_mw": 0, "customers": 1, "customers_out": 0}
                ]
            },
            r"^districts\[0\]\.name: unknown district '城口'; did you mean '城口县'\?",
        ),
        (
            {
                "districts": [
                    {
                        "name": "石柱县",
                        "load_mw": 1,
                        "shed_mw": 0,
                        "customers": 1,
                        "customers_out": 0,
                    },
                    {
                        "name": "石柱土家族自治县",
                        "load_mw": 1,
                        "shed_mw": 0,
                        "customers": 1,
                        "customers_out": 0,
                    },
                ]
            },
            r"^districts\[1\]\.name: '石柱县' repeats",
        ),
        (
            {"main": {"load_mw": 1, "shed_mw": 2, "customers": 1, "customers_out": 0}},
            r"^main\.shed_mw",
        ),
    ],
)
def test_bad_input_is_one_line_naming_the_field(change, message):
    raw = raw_event()
    raw.update(change)
    if change.get("time", "") is None:
        del raw["time"]
    with pytest.raises(InputError, match=message) as err:
        parse_respond_event(raw)
    assert "\n" not in str(err.value)


def test_end_before_time_is_rejected():
    with pytest.raises(InputError, match=r"^end_time: 2024-07-31T20:00:00\+08:00 is before time"):
        respond(raw_event(end_time="2024-07-31T20:00:00+08:00"))


def test_respond_runs_the_chain():
    plan = respond(
        raw_event(
            3,
            cause="flood",
            secondary=["food_drug"],
            end_time="2024-08-02T08:00:00+08:00",
            source="调度",
        )
    )
    assert plan.level == "重大" and plan.districts == ("城口县",)
    assert plan.cause == "flood" and plan.secondary == ("food_drug",) and plan.source == "调度"
    assert plan.report("final")[0].due.isoformat() == "2024-08-02T08:00:00+08:00"


def test_plan_is_frozen():
    plan = build_response(severity(3), T0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.lead = "district"


# --- documents --------------------------------------------------------------------------------


def test_brief_headings_are_bilingual():
    plan = build_response(severity(3, ["城口县"]), T0, districts=["城口县"], cause="flood")
    md = brief_markdown(plan)
    headings = [line for line in md.splitlines() if line.startswith("#")]
    assert len(headings) >= 8
    for h in headings:
        assert re.search(r"[\u4e00-\u9fff]", h) and re.search(r" / [A-Z]", h), h
    assert "- [ ] **先期处置 / first response**" in md
    assert "2024-08-01T00:10+08:00" in md  # the phone deadline


def test_incident_report_fills_what_is_known():
    plan = respond(raw_event(3, cause="flood"))
    md = incident_report_markdown(plan)
    rows = dict(re.findall(r"^\| (\S+) / [^|]+ \| (.+) \|$", md, flags=re.MULTILINE))
    assert set(rows) >= {
        "事件发生时间",
        "地点",
        "信息来源",
        "起因和性质",
        "基本过程",
        "影响范围",
        "发展趋势",
        "处置情况",
        "拟采取的措施",
        "下一步工作建议",
    }
    assert rows["事件发生时间"] == "2024年7月31日23时40分（北京时间） / 2024-07-31T23:40+08:00"
    assert rows["地点"] == "城口县"
    assert rows["起因和性质"].startswith("洪涝灾害 / flood")
    assert "重大" in rows["起因和性质"]
    for field in ("信息来源", "基本过程", "发展趋势", "处置情况"):
        assert rows[field] == TBD
    assert "预案3.3.3条" in rows["下一步工作建议"]  # the plan says what comes next
    assert "5,250兆瓦" in rows["影响范围"] and "5,250 of 21,000 MW" in rows["影响范围"]
    assert "- 主送机关 / To: 重庆市人民政府 / Chongqing municipal government" in md
    assert "- 报告单位 / Reporting body: 城口县人民政府 / the 城口县 government" in md


def test_warning_notice_has_the_322_fields():
    plan = respond(raw_event(2))
    md = warning_notice_markdown(plan)
    for field in ("预警级别", "预警时间", "影响范围", "警示事项", "应采取的措施", "发布单位"):
        assert f"| {field} / " in md
    assert md.startswith("# 重庆市大面积停电黄色预警（三级）")
    assert "黄色预警（三级） / yellow warning (level 3)" in md
    none = warning_notice_markdown(build_response(severity(0), T0))
    assert "无预警" in none and "no warning" in none


@pytest.mark.parametrize(
    "rank, expect", [(0, "本预案不启动"), (1, "Ⅳ级应急响应"), (4, "Ⅰ级应急响应")]
)
def test_summary_text(rank, expect):
    assert expect in summary_text(build_response(severity(rank), T0))
