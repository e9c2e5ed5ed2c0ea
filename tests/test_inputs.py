"""The input models: the classify event (EventInput), the respond input (RespondInput) and the
plan file (PlanFile): what they accept, the contract their schemas describe, and every problem
named by its path on one line."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import yaml

from outage_sim.errors import DataFileError, InputError
from outage_sim.response import RespondInput, parse_respond_event
from outage_sim.severity import Event, EventInput, load_plan, parse_event

PLAN_FILE = Path(__file__).parents[1] / "outage_sim" / "data" / "plan" / "chongqing-2021.toml"
TIME = "2024-07-31T23:40:00+08:00"


def area(name=None, **changes):
    out = {"load_mw": 60, "shed_mw": 30, "customers": 110000, "customers_out": 40000, **changes}
    return out if name is None else {"name": name, **out}


def problem(parse, obj) -> str:
    with pytest.raises(InputError) as err:
        parse(obj)
    message = str(err.value)
    assert "\n" not in message
    return message


# --- the classify event ------------------------------------------------------------------------


def test_event_schema_describes_the_contract_with_units():
    schema = EventInput.model_json_schema()
    assert set(schema["properties"]) == {"main", "districts", "level"}
    assert "built-in grid model" in schema["properties"]["main"]["description"]
    assert "required" not in schema  # either may be left out (not both: a check, not a type)
    area_schema = schema["$defs"]["AreaInput"]
    assert area_schema["required"] == ["load_mw", "shed_mw", "customers", "customers_out"]
    props = area_schema["properties"]
    assert "MW" in props["load_mw"]["description"] and "MW" in props["shed_mw"]["description"]
    assert "count" in props["customers"]["description"]
    assert "count" in props["customers_out"]["description"]
    assert all(p["type"] == "number" and p["minimum"] == 0 for p in props.values())
    district = schema["$defs"]["DistrictInput"]
    assert "name" in district["required"] and district["properties"]["name"]["description"]


def test_parse_event_is_the_model_and_its_event():
    obj = {"main": area(), "districts": [area("城口县")]}
    assert parse_event(obj) == EventInput.from_raw(obj).to_event()
    derived = parse_event({"districts": [area("城口县"), area("巫溪县", shed_mw=0)]})
    assert isinstance(derived, Event) and derived.main_from_districts
    assert derived.main.shed_mw == 30 and derived.main.load_mw > 20000  # the model's, not 120
    assert parse_event({"main": area(), "districts": None}).districts == ()


def test_every_problem_is_named_on_one_line():
    message = problem(parse_event, {"main": area(load_mw=-1, shed_mw="x"),
                                    "districts": [area("城口县", customers_out=110001)]})
    assert message.split("; ") == [
        "main.load_mw: must not be negative (got -1)",
        "main.shed_mw: must be a number, not the string 'x'",
        "districts[0] (城口县).customers_out: 110001 is above customers 110000",
    ]


@pytest.mark.parametrize(("obj", "message"), [
    ([1, 2], "event: must be a JSON object, not a list"),
    ({"districts": [7]}, "districts[0]: must be an object, not int"),
    ({"main": {"load_mw": 1}}, "main: missing fields 'shed_mw', 'customers', 'customers_out'"),
    ({"main": area(load_mw=float("-inf"))}, "main.load_mw: must be a finite number, not -Infinity"),
    ({"districts": [area(" ")]}, "districts[0].name: missing or not a non-empty string"),
    ({"districts": [area(3)]}, "districts[0].name: missing or not a non-empty string"),
    ({"districts": [area("main")]}, "districts[0].name: 'main' is reserved for the main grid"),
    # a district is labelled by a name it may have, never by the reserved one
    ({"districts": [area("main", shed_mw=61)]},
     ("districts[0].shed_mw: 61 is above load_mw 60; "
      "districts[0].name: 'main' is reserved for the main grid")),
    ({"districts": [area("a"), area("b", shed_mw=-1)]},
     "districts[1] (b).shed_mw: must not be negative (got -1)"),
])
def test_event_problems(obj, message):
    assert problem(parse_event, obj) == message


# --- the respond input -------------------------------------------------------------------------


def respond_event(**changes):
    obj = {"time": TIME, "districts": [area("城口县")], **changes}
    return {k: v for k, v in obj.items() if v is not ...}


def test_respond_input_extends_the_event_and_describes_its_keys():
    assert issubclass(RespondInput, EventInput)
    props = RespondInput.model_json_schema()["properties"]
    assert {"main", "districts", "time", "end_time", "cause", "secondary", "source"} <= set(props)
    assert props["time"]["format"] == "date-time" and "UTC offset" in props["time"]["description"]
    assert "time" in RespondInput.model_json_schema()["required"]


def test_respond_input_reads_its_keys():
    ev = parse_respond_event(respond_event(
        cause="landslide", secondary=["environmental", "environmental"], source="调度",
        end_time="2024-08-01T10:00:00+08:00",
        districts=[area("石柱土家族自治县"), area("城口县", shed_mw=0, customers_out=0)]))
    assert ev.cause == "geological" and ev.secondary == ("environmental",)
    assert ev.source == "调度" and ev.end_time.isoformat() == "2024-08-01T10:00:00+08:00"
    assert ev.time.utcoffset().total_seconds() == 8 * 3600
    assert ev.districts == ("石柱县",)  # the touched districts, canonical names
    assert [d.name for d in ev.event.districts] == ["石柱县", "城口县"]
    # without a validation context the packaged organisation is used
    assert RespondInput.model_validate(respond_event()).to_respond_event().districts == ("城口县",)


@pytest.mark.parametrize(("changes", "message"), [
    ({"time": ...}, ('time: missing; give the event time as ISO 8601 with offset, '
                     'e.g. "2024-05-01T08:00:00+08:00"')),
    ({"end_time": "soon"},
     "end_time: 'soon' is not an ISO 8601 time (write e.g. 2024-05-01T08:00:00+08:00)"),
    ({"end_time": "2024-08-01T10:00:00"},
     "end_time: '2024-08-01T10:00:00' has no UTC offset (write e.g. 2024-05-01T08:00:00+08:00)"),
    ({"cause": 3}, "cause: must be a string, not 3"),
    ({"source": 5}, "source: must be a string, not 5"),
    ({"secondary": {"environmental": True}},
     "secondary: must be a list of strings, not {'environmental': True}"),
    ([1], "event: must be a JSON object, not a list"),
    # the district is labelled by its canonical name, as the output names it
    ({"districts": [area("石柱土家族自治县", shed_mw=61)]},
     "districts[0] (石柱县).shed_mw: 61 is above load_mw 60"),
])
def test_respond_problems(changes, message):
    obj = changes if isinstance(changes, list) else respond_event(**changes)
    assert problem(parse_respond_event, obj) == message


def test_respond_names_every_problem():
    message = problem(parse_respond_event, respond_event(
        time="2024-07-31T23:40:00", secondary=["coal", "wildlife", 5],
        districts=[area("城口", shed_mw=61)]))
    paths = ["districts[0].shed_mw", "districts[0].name", "time", "secondary[0]", "secondary[2]"]
    starts = [message.index(f"{path}: ") for path in paths]
    assert starts[0] == 0 and starts == sorted(starts)
    assert "secondary[1]" not in message
    assert "districts[0].name: unknown district '城口'; did you mean '城口县'?" in message
    assert "secondary[0]: unknown secondary incident 'coal'; did you mean 'coal_mine'?" in message


# --- the plan file -----------------------------------------------------------------------------


def plan_problem(tmp_path, data, suffix=".yaml") -> str:
    path = tmp_path / f"plan{suffix}"
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True),
                    "utf-8")
    with pytest.raises(DataFileError) as err:
        load_plan(path)
    message = str(err.value)
    assert message.startswith(f"plan file {str(path)!r}: ") and "\n" not in message
    return message.removeprefix(f"plan file {str(path)!r}: ")


def plan_data() -> dict:
    return tomllib.loads(PLAN_FILE.read_text("utf-8"))


def test_plan_levels_are_checked_models():
    levels = load_plan().levels
    assert [lv.rank for lv in levels] == [1, 2, 3, 4]
    assert levels[3].warning_color == "red" and levels[3].response_level_zh == "Ⅰ级"


def test_plan_top_level_must_be_a_table(tmp_path):
    assert plan_problem(tmp_path, "- 1\n- 2\n") == "top level: missing or not a table"


def test_plan_names_every_problem(tmp_path):
    data = plan_data()
    del data["levels"][1]["name_en"]
    data["levels"][2]["rank"] = True
    data["main"]["bands"][0]["measure"] = "load"
    data["district"]["classes"][0]["min_load_mw"] = -1
    assert plan_problem(tmp_path, data).split("; ") == [
        "levels[1].name_en: missing or not a non-empty string",
        "levels[2].rank: missing or not an integer",
        "main.bands[0].measure: must be one of load_shed, customers_out",
        "district.classes[0].min_load_mw: must not be negative",
    ]


@pytest.mark.parametrize(("edit", "message"), [
    (lambda d: d["main"]["bands"][2].update(high_pct=None),
     "main.bands[2].high_pct: missing or not a number"),
    (lambda d: d["levels"][0].update(rank=5),
     "levels: ranks must be 1, 2, ... with no gap or repeat"),
    (lambda d: d["district"]["classes"][1]["bands"][0].update(level="一"),
     "district.classes[1].bands[0].level: unknown level '一' (levels: 一般, 较大, 重大, 特别重大)"),
    (lambda d: d["district"]["classes"][0]["bands"][2].update(high_pct=61),
     "district.classes[0].bands[2].high_pct: is 61.0 but the next level's low_pct is 60.0"),
    (lambda d: d["district"].update(classes=[]), "district.classes: missing or not a non-empty list"),
    (lambda d: d["district"]["classes"][1].update(min_load_mw=5),
     "district.classes: one class must have min_load_mw = 0"),
    (lambda d: d["plan"].update(name=""), "plan.name: missing or not a non-empty string"),
])
def test_plan_problems(tmp_path, edit, message):
    data = plan_data()
    edit(data)
    assert plan_problem(tmp_path, data) == message
