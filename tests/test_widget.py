"""The Jupyter drill, driven headlessly through its widgets; the CLI drill's --next-event."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("ipywidgets")

from outage_sim.drill import Drill, DrillWidget

ROOT = Path(__file__).resolve().parents[1]
FIRE = ROOT / "scenarios" / "core_station_fire.yaml"


@pytest.fixture
def widget():
    return DrillWidget(Drill.from_scenario(FIRE))


def test_widget_answers_steps_and_scores_by_its_buttons(widget, tmp_path):
    d = widget.drill
    key = d.answer_key()
    assert set(widget.inputs) == set(key) and bytes(widget.image.value).startswith(b"\x89PNG")
    # a right choice, a wrong one, through the widgets
    widget.inputs["level"].value = key["level"]
    widget.submit_buttons["level"].click()
    assert "✓" in widget.feedback.value and "1.00 / 1" in widget.score_label.value
    wrong = next(v for _t, v in widget.inputs["warning_color"].options if v != key["warning_color"])
    widget.inputs["warning_color"].value = wrong
    widget.submit_buttons["warning_color"].click()
    assert "✗" in widget.feedback.value and "1.00 / 2" in widget.score_label.value
    # an answer it cannot read is refused, not scored
    widget.inputs["phone_report"].value = "half past never"
    widget.submit_buttons["phone_report"].click()
    assert "not understood" in widget.feedback.value and d.score[1] == 2
    # step by the box's minutes, then to the next event
    first = bytes(widget.image.value)
    widget.minutes.value = 60
    widget.step_button.click()
    assert d.t_min == 60 and "T+60 min" in widget.clock.value
    nxt = d.next_event_min()
    widget.next_button.click()
    assert d.t_min == pytest.approx(nxt, abs=1e-3) and d.t_min > 300  # quiet hours skipped
    assert "<li>" in widget.feedback.value  # what happened is listed
    assert bytes(widget.image.value) != first
    # the log a trainer exports
    path = widget.export_log(tmp_path / "log.csv")
    log = pd.read_csv(path, encoding="utf-8-sig")
    assert list(log.question) == ["level", "warning_color"] and list(log.score) == [1.0, 0.0]


def test_widget_runs_out_of_events_gracefully():
    w = DrillWidget(Drill.from_scenario(FIRE), figures=False)
    for _ in range(50):
        if w.drill.next_event_min() is None:
            break
        w.next_event()
    assert w.next_event() is None and "nothing is left" in w.feedback.value
    assert w.drill.finished


def test_cli_next_event_skips_quiet_hours():
    from typer.testing import CliRunner

    from outage_sim.cli import app

    res = CliRunner().invoke(app, ["drill", str(FIRE), "--answers", "--next-event", "--steps", "3"])
    assert res.exit_code == 0, res.output
    points = [line for line in res.output.splitlines() if line.startswith("T+")]
    times = [float(p.split()[0][2:]) for p in points]
    assert times[0] == 0 and times[1] > 300 and len(set(times)) == len(times)
