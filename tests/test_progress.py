"""Progress on long work (outage_sim.progress): on a terminal only, off with --quiet, and the
recheck's summary line."""

from __future__ import annotations

import io
import json
import os
import pty
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from rich.console import Console
from typer.testing import CliRunner

from outage_sim.cli import app
from outage_sim.progress import progress_bar, track

runner = CliRunner()


def _console(terminal: bool) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=terminal, width=100), out


def test_track_draws_the_label_on_a_terminal_and_passes_every_item():
    console, out = _console(True)
    assert list(track(range(5), "N-2 预想事故 contingencies", console=console)) == [0, 1, 2, 3, 4]
    assert "N-2 预想事故 contingencies" in out.getvalue()


@pytest.mark.parametrize("terminal, enabled", [(False, True), (True, False)])
def test_nothing_is_drawn_off_a_terminal_or_when_quiet(terminal, enabled):
    console, out = _console(terminal)
    with progress_bar("复核 recheck", 3, enabled=enabled, console=console) as advance:
        for _ in range(3):
            advance(1)
    assert list(track([1, 2], "x", enabled=enabled, console=console)) == [1, 2]
    assert out.getvalue() == ""


def test_when_stderr_is_not_a_terminal_rich_is_not_even_loaded():
    code = ("import sys\n"
            "from outage_sim.progress import track\n"
            "assert list(track([1, 2, 3], 'x')) == [1, 2, 3]\n"
            "assert 'rich' not in sys.modules\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_the_batch_engine_reports_each_chunk():
    from outage_sim.engine import OutageMatrix, compile_batch, run_batch
    from outage_sim.grid import chongqing_net

    bm = compile_batch(chongqing_net())
    om = OutageMatrix.empty(bm, 20)
    om.branch[np.arange(20), np.arange(20)] = True
    done: list[int] = []
    whole = run_batch(bm, om, chunk=7, on_chunk=done.append)
    assert done == [7, 7, 6]
    np.testing.assert_array_equal(run_batch(bm, om).main_shed_mw, whole.main_shed_mw)


def _frame(level, level_en, rank, shed, uncertain):
    return pd.DataFrame({"scenario": ["a", "b", "c"], "level": level, "level_en": level_en,
                         "level_rank": rank, "shed_mw": shed, "uncertain": uncertain})


def test_recheck_summary_counts_level_changes_and_names_the_largest():
    from outage_sim.cli.contingency_cmd import recheck_line
    from outage_sim.studies.contingency import recheck_summary

    before = _frame(["较大", "一般", "none"], ["large", "general", "none"], [2, 1, 0],
                    [900.0, 300.0, 40.0], [True, True, False])
    after = _frame(["一般", "一般", "none"], ["general", "general", "none"], [1, 1, 0],
                   [400.0, 290.0, 40.0], [False, False, False])
    summary = recheck_summary(before, after)
    assert summary["rechecked"] == 2 and summary["changed_level"] == 1
    assert summary["largest_change"]["scenario"] == "a"
    assert recheck_line(summary) == (
        "复核 2 rechecked, 级别变化 1 changed level, 最大变化 largest change: a 900.0 → 400.0 MW "
        "(较大 large → 一般 general)")
    same = recheck_summary(before, before.assign(uncertain=False))
    assert same["largest_change"] is None and same["changed_level"] == 0
    assert recheck_line(same).endswith("最大变化 largest change: 无 none")


def test_no_bar_when_piped():
    res = runner.invoke(app, ["contingency", "--k", "1", "--top", "3"])
    assert res.exit_code == 0, res.output
    assert res.stderr == ""  # CliRunner's stderr is no terminal: no bar
    assert res.stdout.startswith("N-1 预想事故扫描 contingency screening")


@pytest.mark.slow  # six AC re-runs through the single engine
def test_recheck_prints_its_line_and_json_carries_it():
    res = runner.invoke(app, ["contingency", "--k", "1", "--recheck", "--top", "3"])
    assert res.exit_code == 0, res.output
    assert res.stderr == ""
    assert re.search(r"^复核 \d+ rechecked, 级别变化 \d+ changed level, 最大变化 largest change: ",
                     res.stdout, re.MULTILINE)
    res = runner.invoke(app, ["contingency", "--k", "1", "--recheck", "--top", "1", "--json"])
    summary = json.loads(res.stdout)["recheck"]
    assert set(summary) == {"rechecked", "changed_level", "largest_change"}
    # issue 16: the batch solves the single engine's LP, so no N-1 is left uncertain to recheck
    assert summary["rechecked"] == 0 and summary["largest_change"] is None


@pytest.mark.parametrize("command", ["run", "contingency", "montecarlo"])
def test_quiet_is_one_option_of_every_command_with_a_bar(command):
    res = runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"})
    assert res.exit_code == 0
    assert "--quiet" in res.stdout and "No progress bar on stderr" in res.stdout


def _stderr_on_a_terminal(args: list[str]) -> str:
    """Run outage-sim with stderr on a pseudo-terminal (stdout piped); what stderr showed."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "outage_sim", *args], stdout=subprocess.PIPE,
                            stderr=follower, env={**os.environ, "COLUMNS": "120"})
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the process closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    proc.communicate()
    os.close(leader)
    assert proc.returncode == 0
    return seen.decode("utf-8", "replace")


@pytest.mark.slow
def test_a_terminal_sees_the_bar_and_quiet_turns_it_off():
    assert "N-1 预想事故 contingencies" in _stderr_on_a_terminal(["contingency", "--top", "1"])
    assert _stderr_on_a_terminal(["contingency", "--top", "1", "--quiet"]).strip() == ""
