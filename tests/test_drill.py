"""Drills: the answer key equals what `respond`/`run` say for the same state; scoring; the CLI."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from outage_sim.cli import app
from outage_sim.drill import QUESTION_IDS, Drill, load_drill
from outage_sim.drill.questions import Option, build_questions
from outage_sim.errors import InputError
from outage_sim.response import build_response
from outage_sim.restoration import CHECKS
from outage_sim.severity import classify
from outage_sim.studies import load_scenario, run_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
FIRE = SCENARIOS / "core_station_fire.yaml"      # 较大, restoration ends within a day
QUAKE = SCENARIOS / "city_earthquake.yaml"       # 重大: telephone report on the clock
CHENGKOU = SCENARIOS / "chengkou_external_damage.yaml"
runner = CliRunner()


@pytest.fixture(scope="module")
def fire():
    return Drill.from_scenario(FIRE)


def _key_from_respond(obj: dict) -> dict:
    """The answer key read off `outage-sim respond --json` for the same state."""
    res = runner.invoke(app, ["respond", "-", "--json"], input=json.dumps(obj, ensure_ascii=False))
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    r = out["response"]
    phone = [x["due"] for x in r["reports"] if x["kind"] == "phone"]
    return {"level": out["level"], "warning_color": out["warning_color"] or "none",
            "commander": r["lead"], "phone_report": phone[0] if phone else None,
            "member_units": tuple(u["name"] for u in r["member_units"]
                                  if set(u["triggers"]) - {"all_events", "city_led", "major"})}


def test_key_at_start_matches_run():
    sc = load_scenario(QUAKE)
    drill = Drill(sc, restore=False)
    run = run_scenario(sc, ac_check=False, restore=False)
    key = drill.answer_key()
    assert key["level"] == run.severity.level == "重大"
    assert key["warning_color"] == run.severity.warning_color == "orange"
    assert key["warning_issuer"] == "city"
    assert key["commander"] == run.response.lead == "city"
    assert key["phone_report"] == run.response.report("phone")[0].due.isoformat()
    assert "市地震局" in key["member_units"]  # activated by the cause (earthquake)
    assert "may_end" not in key  # no restoration: the §4.3 checks are unknown
    assert key == {k: v for k, v in _key_from_respond(drill.state_event()).items()} | {
        "warning_issuer": "city", "response_level": "II"}


def test_key_after_steps_matches_respond_and_timeline(fire):
    fire.step(13 * 60)  # the load is coming back: the state is re-graded, the event is not
    state = fire.state
    key = fire.answer_key()
    expected = _key_from_respond(state.peak_event)  # the event level stays at its peak
    assert {k: key[k] for k in expected} == expected
    tl = fire._segments[-1].restoration.timeline
    row = tl[tl.t_h <= fire.t_min / 60 + 1e-9].iloc[-1]
    assert key["level"] == tl.level.iloc[: row.name + 1][tl.level_rank.iloc[: row.name + 1]
                                                         .idxmax()]
    assert key["response_level"] == (row.response_level or "none")  # what the state supports
    assert key["may_end"] == ("yes" if row.all_checks else "no")


def test_questions_are_bilingual_and_in_order(fire):
    qs = fire.questions()
    assert [q.id for q in qs] == [i for i in QUESTION_IDS if i in {q.id for q in qs}]
    for q in qs:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in q.zh)
        assert q.en.endswith(("?", ")")) and any(ch.isalpha() and ch.isascii() for ch in q.en)
        assert q.key_text


def _plan(rank_shed_pct: float, **kwargs):
    """A response plan decided by the main grid losing ``rank_shed_pct`` % of its load."""
    event = {"main": {"load_mw": 21000.0, "shed_mw": 210.0 * rank_shed_pct,
                      "customers": 15_000_000, "customers_out": 1000},
             "districts": [{"name": "城口县", "load_mw": 60, "shed_mw": 5, "customers": 110000,
                            "customers_out": 1000}]}
    return build_response(classify(event), datetime.fromisoformat("2024-07-31T23:40:00+08:00"),
                          districts=["城口县"], **kwargs)


LEVELS = [Option("重大", "重大", "major"), Option("none", "无", "none")]
ALL_HOLD = dict.fromkeys(CHECKS, True)


@pytest.mark.parametrize("checks, responding, asked, may_end, text", [
    (None, True, QUESTION_IDS[:-1], None, None),
    (ALL_HOLD, True, QUESTION_IDS, "yes", "是 / yes"),
    (ALL_HOLD, False, QUESTION_IDS, "yes", "already ended"),
    ({**ALL_HOLD, "load": False}, True, QUESTION_IDS, "no", "未满足 not yet: load"),
])
def test_questions_for_each_state_of_the_response(checks, responding, asked, may_end, text):
    plan = _plan(25, cause="earthquake")  # 重大: city-led, a telephone report on the clock
    qs = {q.id: q for q in build_questions(plan, t_min=5, level_options=LEVELS, checks=checks,
                                           responding=responding)}
    assert tuple(qs) == asked
    assert qs["level"].key == "重大" and qs["warning_color"].key == "orange"
    assert qs["warning_issuer"].key == "city" and qs["commander"].key == "city"
    assert qs["phone_report"].key == "2024-08-01T00:10:00+08:00"
    assert qs["member_units"].key == ("市地震局",)
    if may_end:
        assert qs["may_end"].key == may_end and text in qs["may_end"].key_text
    assert all(q.t_min == 5 for q in qs.values())


def test_below_every_band_asks_level_and_colour_only():
    plan = _plan(1)
    qs = build_questions(plan, t_min=0, level_options=LEVELS, checks=ALL_HOLD, responding=False)
    assert [(q.id, q.key) for q in qs] == [("level", "none"), ("warning_color", "none")]
    assert "无预警" in qs[1].key_text


def test_scoring_and_log():
    d = Drill.from_scenario(FIRE)
    assert d.answer("level", "较大").score == 1.0
    assert d.answer("level", "major").score == 0.0
    assert d.answer("warning_color", "黄色").correct
    assert d.answer("commander", "3").parsed == "city_or_designated_district"
    assert d.answer("phone_report", "none").correct
    assert d.answer("phone_report", "15:00").score == 0.0
    assert d.answer("may_end", "否").correct
    assert d.answer("member_units", "市地震局").score == 0.0
    assert d.answer("member_units", "无").score == 1.0
    points, n = d.score
    assert (points, n) == (6.0, 9)
    log = d.log()
    assert list(log.question[:2]) == ["level", "level"] and list(log.score[:2]) == [1.0, 0.0]
    assert (log.t_min == 0).all()
    d.step(30)
    d.answer("level", "较大")
    assert d.log().t_min.iloc[-1] == 30


def test_member_units_partial_credit():
    d = Drill(load_scenario(QUAKE), restore=False)
    key = d.answer_key()["member_units"]
    assert len(key) >= 2
    half = d.answer("member_units", "、".join(key[:1]))
    assert 0 < half.score < 1
    assert d.answer("member_units", ", ".join(key)).correct


def test_phone_report_clock_time():
    d = Drill(load_scenario(QUAKE), restore=False)
    due = d.answer_key()["phone_report"]
    assert d.answer("phone_report", due[11:16]).correct
    assert d.answer("phone_report", due).correct
    assert not d.answer("phone_report", "none").correct


def test_bad_answers_name_the_question(fire):
    with pytest.raises(InputError, match="answer.level"):
        fire.answer("level", "purple")
    with pytest.raises(InputError, match="answer.may_end"):
        fire.answer("may_end", "perhaps")
    with pytest.raises(InputError, match="answer.member_units"):
        fire.answer("member_units", "市不存在局")
    with pytest.raises(InputError, match="question_id"):
        fire.answer("who_are_you", "x")
    with pytest.raises(InputError, match="minutes"):
        fire.step(0)


def test_inject_raises_and_logs():
    d = Drill.from_scenario(CHENGKOU, restore=False, injects=[
        {"at_min": 60, "faults": [{"corridor": "长寿-张家坝 500kV"}], "secondary": ["environmental"],
         "note": "tower collapse"}])
    assert "市生态环境局" not in d.answer_key()["member_units"]
    s = d.step(30)
    assert not any("INJECT" in e for e in s.events)
    s = d.step(30)
    assert any("INJECT" in e and "tower collapse" in e for e in s.events)
    assert "市生态环境局" in d.answer_key()["member_units"]


def test_bad_inject_names_the_field():
    with pytest.raises(InputError, match=r"drill.injects\[0\].faults\[0\].line"):
        Drill.from_scenario(CHENGKOU, restore=False,
                            injects=[{"at_min": 10, "faults": [{"line": "no such line"}]}])
    with pytest.raises(InputError, match=r"drill.injects\[0\].at_min"):
        Drill.from_scenario(CHENGKOU, restore=False, injects=[{"at_min": -5, "faults": []}])


def test_drill_section_in_yaml(tmp_path):
    obj = yaml.safe_load(CHENGKOU.read_text(encoding="utf-8"))
    obj["time"] = str(obj["time"])
    obj["drill"] = {"step_min": 15, "injects": [{"at_min": 20, "secondary": ["environmental"]}]}
    path = tmp_path / "drill.yaml"
    path.write_text(yaml.safe_dump(obj, allow_unicode=True), encoding="utf-8")
    sc, injects, settings = load_drill(path)
    assert sc.name and len(injects) == 1 and settings == {"step_min": 15}
    d = Drill.from_scenario(path, restore=False)
    assert d.step_min == 15 and len(d.injects) == 1
    obj["drill"] = {"stepmin": 15}
    path.write_text(yaml.safe_dump(obj, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError, match="drill.stepmin"):
        load_drill(path)


def test_cli_answers_prints_the_key():
    res = runner.invoke(app, ["drill", str(QUAKE), "--answers", "--steps", "0", "--no-restoration"])
    assert res.exit_code == 0, res.output
    key = Drill(load_scenario(QUAKE), restore=False).answer_key()
    assert "重大 major" in res.output and "二级橙色" in res.output
    assert key["phone_report"][:16] in res.output
    assert "市地震局" in res.output


def test_cli_answers_from_stdin():
    answers = "较大\nIII\nyellow\ndistrict\n3\nnone\nnone\nno\n"
    res = runner.invoke(app, ["drill", str(FIRE), "--steps", "0"], input=answers)
    assert res.exit_code == 0, res.output
    assert "8.00 / 8" in res.output
    wrong = runner.invoke(app, ["drill", str(FIRE), "--steps", "0"], input="重大\n")
    assert wrong.exit_code == 0 and "0.00 / 1" in wrong.output
    # an unreadable answer is asked again, not fatal
    again = runner.invoke(app, ["drill", str(FIRE), "--steps", "0"], input="purple\n较大\n")
    assert "not understood" in again.output and "1.00 / 1" in again.output


@pytest.mark.parametrize("args, field", [(["--step", "0"], "--step"), (["--steps", "-1"], "--steps")])
def test_cli_bad_options_exit_2(args, field):
    res = runner.invoke(app, ["drill", str(FIRE), *args])
    assert res.exit_code == 2
    assert field in res.output and "Traceback" not in res.output


def test_cli_missing_file_exit_2(tmp_path):
    res = runner.invoke(app, ["drill", str(tmp_path / "nope.yaml")])
    assert res.exit_code == 2 and "not found" in res.output
