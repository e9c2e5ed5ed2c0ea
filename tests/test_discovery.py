"""`outage-sim grid list KIND`: the model's catalogue, by the names scenario files accept."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest
from typer.testing import CliRunner

from outage_sim.cli import app
from outage_sim.grid import CATALOG_KINDS, DATA_DIR

runner = CliRunner()

KEYS = {
    "substations": ["name", "bus", "kind", "vn_kv", "district", "station", "load_mw", "customers",
                    "lat", "lon"],
    "lines": ["name", "corridor", "from_bus", "to_bus", "vn_kv", "length_km", "rating_mva",
              "district", "district_to", "in_service"],
    "transformers": ["name", "hv_bus", "lv_bus", "vn_hv_kv", "vn_lv_kv", "rating_mva", "district",
                     "in_service"],
    "units": ["name", "plant", "type", "district", "bus", "p_max_mw", "p_min_mw", "p_mw",
              "committed", "black_start"],
    "interties": ["name", "kind", "bus", "district", "capacity_mw", "p_mw", "in_service"],
    "districts": ["name", "name_en", "load_mw", "customers", "key_area", "important_users", "lat",
                  "lon"],
    "important-users": ["name", "category", "category_zh", "district", "bus", "substation",
                        "load_mw", "customers", "shed_priority"],
}


def _rows(file: str) -> pd.DataFrame:
    return pd.read_csv(DATA_DIR / file, keep_default_na=False)


EXPECTED_ROWS = {
    "substations": lambda: len(_rows("substations.csv")),
    "lines": lambda: len(_rows("lines.csv")),
    "transformers": lambda: len(_rows("transformers.csv")),
    "units": lambda: len(_rows("units.csv")),
    "interties": lambda: len(_rows("interties.csv")),
    "districts": lambda: len(_rows("districts.csv")),
    "important-users": lambda: int((_rows("loads.csv")["important_user"] != "").sum()),
}


def _list(*args: str) -> list[dict]:
    res = runner.invoke(app, ["grid", "list", *args, "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


@pytest.fixture(scope="module")
def listed() -> dict[str, list[dict]]:
    """Every kind's `grid list KIND --json`, run once for the module."""
    return {kind: _list(kind) for kind in CATALOG_KINDS}


def test_the_kinds_are_the_ones_documented():
    assert set(CATALOG_KINDS) == set(KEYS)


@pytest.mark.parametrize("kind", list(KEYS))
def test_json_is_a_list_of_records_with_stable_keys_one_per_data_row(listed, kind):
    records = listed[kind]
    assert isinstance(records, list)
    assert len(records) == EXPECTED_ROWS[kind]()
    assert all(list(r) == KEYS[kind] for r in records)


def test_figures_carry_their_units_and_add_up(listed):
    lines = pd.DataFrame(listed["lines"])
    assert set(lines["vn_kv"]) == {1000.0, 500.0, 220.0}
    assert (lines["rating_mva"] > 0).all() and (lines["length_km"] > 0).all()
    districts = pd.DataFrame(listed["districts"])
    subs = pd.DataFrame(listed["substations"])
    assert districts["customers"].sum() == subs["customers"].sum()
    assert districts["load_mw"].sum() == pytest.approx(subs["load_mw"].sum(), rel=1e-6)
    assert districts["important_users"].sum() == len(listed["important-users"])
    assert {"医院", "机场"} <= {r["category_zh"] for r in listed["important-users"]}


def test_every_listed_name_is_accepted_by_the_scenario_validator(listed):
    """`name` is what the fault kind of the same name takes; corridor and plant too."""
    from outage_sim.studies import parse_scenario

    faults = {
        "line": [r["name"] for r in listed["lines"]],
        "corridor": sorted({r["corridor"] for r in listed["lines"]}),
        "transformer": [r["name"] for r in listed["transformers"]],
        "unit": [r["name"] for r in listed["units"]],
        "plant": sorted({r["plant"] for r in listed["units"]}),
        "intertie": [r["name"] for r in listed["interties"]],
        "substation": sorted({r["name"] for r in listed["substations"]}
                             | {r["substation"] for r in listed["important-users"]}),
    }
    # three files (each builds the grid once), within the 500 faults a file may list (the
    # meshed 220 kV layer has more lines than one file may name with their corridors)
    for kinds in (("line",), ("corridor",),
                  ("transformer", "unit", "plant", "intertie", "substation")):
        given = [(kind, name) for kind in kinds for name in faults[kind]]
        scenario = parse_scenario({
            "name": "every " + " and ".join(kinds), "time": "2026-01-25T06:30:00+08:00",
            "faults": [{kind: name} for kind, name in given],
            "key_areas": [r["name"] for r in listed["districts"]]})
        assert [(f.kind, f.name) for f in scenario.faults] == given


def test_district_filter_keeps_rows_at_either_end_and_takes_the_short_form(listed):
    lines = _list("lines", "--district", "渝北")
    assert lines and all("渝北区" in (r["district"], r["district_to"]) for r in lines)
    assert len(lines) == sum("渝北区" in (r["district"], r["district_to"])
                             for r in listed["lines"])
    subs = _list("substations", "--district", "渝北区")
    assert {r["district"] for r in subs} == {"渝北区"}
    assert [r["name"] for r in _list("districts", "--district", "渝北区")] == ["渝北区"]


def test_table_is_bilingual_and_says_how_a_scenario_names_them():
    res = runner.invoke(app, ["grid", "list", "interties"])
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0].startswith("外来电通道 interties: 7 (夏季高峰 summer_peak)")
    assert "名称 name" in lines[1] and "通道容量 capacity_mw" in lines[1]
    assert "哈密-重庆 ±800kV DC" in res.stdout
    assert lines[-1].startswith("情景文件写法 in a scenario file:")


@pytest.mark.parametrize("args, message", [
    (["lines", "--district", "渝北县"],
     "error: --district: unknown district '渝北县'; did you mean '渝北区'?"),
    (["lines", "--district", "两江新区"], "error: --district: '两江新区' is a functional area"),
    (["line"], "error: KIND: 'line' is not one of 'substations', 'lines'"),
    (["units", "--level", "spring"], "error: --level: unknown load level 'spring'"),
])
def test_bad_kind_district_or_level_is_one_line_and_exit_2(args, message):
    res = runner.invoke(app, ["grid", "list", *args])
    assert res.exit_code == 2
    assert res.stderr.startswith(message)
    assert res.stderr.strip().count("\n") == 0 and "Traceback" not in res.output


def test_a_bad_option_answers_before_pandapower_loads():
    code = ("import sys\n"
            "from typer.testing import CliRunner\n"
            "from outage_sim.cli import app\n"
            "for args in (['lines', '--district', '渝北县'], ['line']):\n"
            "    res = CliRunner().invoke(app, ['grid', 'list', *args])\n"
            "    assert res.exit_code == 2, res.output\n"
            "assert 'pandapower' not in sys.modules\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
