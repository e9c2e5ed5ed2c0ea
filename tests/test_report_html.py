"""The self-contained HTML report: content, no outside references, renders in headless Chromium."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from outage_sim.errors import InputError
from outage_sim.reports import html_report, markdown_to_html, write_html_report
from outage_sim.studies import load_scenario, run_scenario

FIRE = Path(__file__).resolve().parents[1] / "scenarios" / "core_station_fire.yaml"


@pytest.fixture(scope="module")
def run():
    return run_scenario(load_scenario(FIRE), ac_check=False, restore=True)


@pytest.fixture(scope="module")
def report(run, tmp_path_factory):
    return write_html_report(run, tmp_path_factory.mktemp("report"))


def test_report_content(run, report):
    text = report.read_text(encoding="utf-8")
    assert report.name == "report.html"
    for heading in ("信息报告时限 / Reporting clock", "负荷恢复 / Load recovery",
                    "应急响应简报 / Response brief", "分区县情况 / Districts"):
        assert heading in text
    assert "较大 large" in text and "渝北区" in text
    # recovery, customers, levels; the district map and its panels
    assert text.count('src="data:image/png;base64,') == 5
    assert "区县停电分布 / Districts on the map" in text
    # self-contained: nothing fetched from elsewhere
    assert not re.search(r'(?:src|href)="(?!data:)', text)
    assert "<script" not in text


def test_report_without_restoration_and_extra_figure(tmp_path):
    bare = run_scenario(load_scenario(FIRE), ac_check=False, restore=False)
    with pytest.raises(InputError, match="figures"):
        write_html_report(bare, tmp_path / "a", figures={"地图 / map": tmp_path / "nope.png"})
    png = tmp_path / "fig.png"
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1])
    fig.savefig(png)
    path = write_html_report(bare, tmp_path / "b", figures={"示例 / example": png})
    text = path.read_text(encoding="utf-8")
    # the example and the district map at T+0
    assert text.count("data:image/png;base64,") == 2 and "负荷恢复 / Load recovery" not in text
    with pytest.raises(InputError, match="exists"):
        write_html_report(bare, tmp_path / "b")
    assert write_html_report(bare, tmp_path / "b", force=True) == path


def test_a_run_draws_each_figure_once_and_embeds_the_files_it_writes(run, tmp_path,
                                                                      monkeypatch):
    """report.html carries the figure files of the run byte for byte, and each of the five
    figures is drawn once (matplotlib's Figure.draw counted, not our code)."""
    import base64

    from matplotlib.figure import Figure

    from outage_sim.reports import FIGURES

    draws = []
    real_draw = Figure.draw

    def counted(fig, renderer):
        draws.append(fig)
        return real_draw(fig, renderer)

    monkeypatch.setattr(Figure, "draw", counted)
    run.write(tmp_path)
    assert len(draws) == len(FIGURES) == len({id(f) for f in draws})
    text = (tmp_path / "report.html").read_text(encoding="utf-8")
    embedded = [base64.b64decode(u) for u in re.findall(r'src="data:image/png;base64,([^"]+)"', text)]
    on_disk = [(tmp_path / f"{name}.png").read_bytes() for name in FIGURES]
    assert sorted(embedded) == sorted(on_disk)
    assert all(b.startswith(b"\x89PNG") for b in on_disk)


def test_markdown_subset():
    out = markdown_to_html("# T / t\n\n- **a** <x>\n- b\n\n| h1 | h2 |\n|---|---|\n| 1<br>2 | a\\|b |\n")
    assert "<h2>T / t</h2>" in out and "<strong>a</strong> &lt;x&gt;" in out
    assert re.search(r"<td>1<br>2</td>\s*<td>a\|b</td>", out) and out.count("<li>") == 2


def test_markdown_keeps_br_and_escapes_other_html():
    out = markdown_to_html("## H\n\n| a |\n|---|\n| <script>alert(1)</script><br>x |\n\n"
                           "<img src=x onerror=alert(1)>\n\n> note <b>b</b>\n")
    assert "<h3>H</h3>" in out
    assert "<td>&lt;script&gt;alert(1)&lt;/script&gt;<br>x</td>" in out
    assert "&lt;img src=x onerror=alert(1)&gt;" in out and "<img" not in out
    assert "<blockquote>" in out and "&lt;b&gt;b&lt;/b&gt;" in out
    assert "<script" not in out and "<b>" not in out


def test_user_text_is_escaped_in_the_report(run):
    evil = "<script>alert(1)</script>"
    sc = run.scenario.model_copy(update={"name": f"{evil} name", "description": f"{evil} & more"})
    text = html_report(dataclasses.replace(run, scenario=sc))
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; name" in text
    assert "<script" not in text


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which(
    "google-chrome")


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (CI installs it)")
def test_renders_in_headless_chromium(report, tmp_path):
    shot = tmp_path / "shot.png"
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--hide-scrollbars",
           "--window-size=1200,1600", f"--screenshot={shot}", report.as_uri()]
    subprocess.run(cmd, check=True, timeout=120, capture_output=True)
    assert shot.exists() and shot.read_bytes().startswith(b"\x89PNG")
    import matplotlib.image as mpimg

    img = mpimg.imread(shot)
    # not blank: many distinct colours (text, the level badge, figures)
    assert img.std() > 0.05
    assert len({tuple(p) for p in (img[::20, ::20, :3] * 255).astype(int).reshape(-1, 3)}) > 20
