"""`outage-sim respond` through typer's CliRunner and the installed entry point."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from outage_sim.cli import app

runner = CliRunner()
EXAMPLE = Path(__file__).resolve().parents[1] / "scenarios" / "events" / "respond_major.json"
CLASSIFY_KEYS = {
    "level",
    "level_en",
    "level_rank",
    "response_level",
    "warning_color",
    "warning_level",
    "criteria",
}
RESPONSE_KEYS = {
    "response_level",
    "lead",
    "on_site_hq",
    "commander",
    "working_groups",
    "member_units",
    "warning",
    "reports",
}
CJK = re.compile(r"[\u4e00-\u9fff]")


def event(**change) -> dict:
    """A 一般 (general) event in 城口县 with ``change`` applied (None deletes a key)."""
    obj = {
        "time": "2024-02-29T23:50:00+08:00",
        "main": {"load_mw": 21000, "shed_mw": 30, "customers": 15000000, "customers_out": 40000},
        "districts": [
            {
                "name": "城口县",
                "load_mw": 60,
                "shed_mw": 30,
                "customers": 110000,
                "customers_out": 40000,
            }
        ],
    }
    for key, value in change.items():
        if value is None:
            obj.pop(key, None)
        else:
            obj[key] = value
    return obj


def invoke(obj: dict, *flags: str):
    return runner.invoke(app, ["respond", "-", *flags], input=json.dumps(obj, ensure_ascii=False))


def test_json_contract_of_the_example():
    res = runner.invoke(app, ["respond", str(EXAMPLE), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert set(out) >= CLASSIFY_KEYS
    assert out["level"] == "重大" and out["response_level"] == "II"
    resp = out["response"]
    assert set(resp) >= RESPONSE_KEYS
    assert resp["lead"] == "city"
    assert resp["warning"]["level"] == 2 and resp["warning"]["color"] == "orange"
    assert "重庆市人民政府" in resp["warning"]["issuers"]
    assert len(resp["working_groups"]) == 6
    names = [u["name"] for u in resp["member_units"]]
    assert all(CJK.search(n) for n in names) and all(u["duties"] for u in resp["member_units"])
    assert {"市水利局", "市生态环境局"} <= set(names)  # cause flood, secondary environmental
    for r in resp["reports"]:
        assert {"kind", "to", "by", "due"} <= set(r)
        assert r["kind"] in {"first", "phone", "written", "ministry", "followup", "final"}
        assert r["by"] and "、" not in r["by"]  # one report per reporting body
    dues = [r["due"] for r in resp["reports"] if r["due"] is not None]
    assert dues == sorted(dues)  # in time order (the event's own +08:00 throughout)
    phone = next(r for r in resp["reports"] if r["kind"] == "phone")
    assert phone["due"] == "2024-08-01T00:10:00+08:00"
    assert next(r for r in resp["reports"] if r["kind"] == "final")["due"] is None
    assert out["event"]["districts"] == ["万州区", "巫溪县", "石柱县"]  # full 自治县 name mapped


def test_general_event_json_has_no_phone_clock_and_a_district_lead():
    res = invoke(event(), "--json")
    assert res.exit_code == 0, res.output
    resp = json.loads(res.stdout)["response"]
    assert resp["response_level"] == "IV" and resp["lead"] == "district"
    assert [r["kind"] for r in resp["reports"]] == ["first", "followup", "final"]
    first = resp["reports"][0]
    assert first["immediate"] and first["due_zh"] == "立即（接报后）"
    assert first["by"] == "电网企业" and first["to"] == "城口县经济信息部门、华中能源监管局重庆业务办"
    assert all(r["due"] is None for r in resp["reports"][1:])


def test_markdown_headings_are_chinese_with_english_beside():
    res = runner.invoke(app, ["respond", str(EXAMPLE), "--markdown"])
    assert res.exit_code == 0, res.output
    headings = [line for line in res.stdout.splitlines() if line.startswith("#")]
    assert {
        "# 大面积停电事件应急响应简报 / Large-area outage response brief",
        "# 大面积停电事件信息报告（首报） / Large-area outage incident report (first report)",
        ("# 重庆市大面积停电橙色预警（二级）（草稿） / Chongqing large-area outage orange warning "
         "(level 2) (draft)"),
        "## 信息报告 / Reporting（预案3.3条）",
    } <= set(headings)
    for h in headings:
        zh, _, en = h.lstrip("# ").partition(" / ")
        assert CJK.search(zh) and en and not CJK.search(en[:1]), h


def test_default_output_is_a_short_bilingual_summary():
    res = runner.invoke(app, ["respond", str(EXAMPLE)])
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0] == "事件级别 / Level: 重大 major — Ⅱ级应急响应 / response level II"
    assert any(line.startswith("牵头 / Lead:") for line in lines)
    assert any("电话报告 / telephone report: 2024年8月1日0时10分" in line for line in lines)
    assert len(lines) < 25


def test_below_every_band_says_the_plan_is_not_started():
    quiet = [
        {"name": "城口县", "load_mw": 60, "shed_mw": 1, "customers": 110000, "customers_out": 10}
    ]
    res = invoke(event(districts=quiet))
    assert res.exit_code == 0
    assert "本预案不启动" in res.stdout and "not started" in res.stdout
    out = json.loads(invoke(event(districts=quiet), "--json").stdout)
    assert out["level"] == "none" and out["response"]["reports"] == []


@pytest.mark.parametrize(
    "obj, flags, needle",
    [
        (event(time=None), [], "time: missing"),
        (
            event(time="2024-02-29T23:50:00"),
            ["--json"],
            "time: '2024-02-29T23:50:00' has no UTC offset",
        ),
        (event(cause="meteor"), [], "cause: unknown cause 'meteor'"),
        (
            event(secondary=["oil_spill"]),
            [],
            "secondary[0]: unknown secondary incident 'oil_spill'",
        ),
        (
            event(
                districts=[
                    {
                        "name": "城口区",
                        "load_mw": 60,
                        "shed_mw": 30,
                        "customers": 110000,
                        "customers_out": 40000,
                    }
                ]
            ),
            ["--markdown"],
            "districts[0].name: unknown district '城口区'; did you mean '城口县'?",
        ),
        (
            event(
                districts=[
                    {
                        "name": "城口县",
                        "load_mw": 60,
                        "shed_mw": 90,
                        "customers": 110000,
                        "customers_out": 40000,
                    }
                ]
            ),
            [],
            "shed_mw",
        ),
        (event(), ["--json", "--markdown"], "--json / --markdown: choose one"),
    ],
)
def test_bad_input_exits_2_with_one_line(obj, flags, needle):
    res = invoke(obj, *flags)
    assert res.exit_code == 2, res.output
    assert res.stdout == ""
    err = res.stderr.strip()
    assert "\n" not in err and err.startswith("error: ") and needle in err, err
    assert "Traceback" not in res.output


def test_unreadable_file_exits_2(tmp_path):
    bad = tmp_path / "e.json"
    bad.write_text("{not json", encoding="utf-8")
    res = runner.invoke(app, ["respond", str(bad)])
    assert res.exit_code == 2 and "not valid JSON" in res.stderr


def test_installed_entry_point():
    res = subprocess.run(
        [sys.executable, "-m", "outage_sim", "respond", str(EXAMPLE), "--json"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["response"]["response_level"] == "II"
