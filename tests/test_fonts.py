"""The shipped CJK font: licence and coverage beside it, registered once, and every figure drawn
with it without glyph warnings or empty boxes."""

from __future__ import annotations

import hashlib
import io
import tomllib
import warnings
from pathlib import Path

from outage_sim.reports.fonts import FONT_DIR, FONT_FILE, register_cjk_font

ROOT = Path(__file__).resolve().parents[1]
FIRE = ROOT / "scenarios" / "core_station_fire.yaml"


def test_font_file_licence_and_coverage():
    meta = tomllib.loads((FONT_DIR / "fonts.toml").read_text(encoding="utf-8"))
    assert hashlib.sha256(FONT_FILE.read_bytes()).hexdigest() == meta["sha256"]
    assert meta["licence"] == "OFL-1.1" and meta["family"] == "Noto Sans SC"
    ofl = (FONT_DIR / meta["licence_file"]).read_text(encoding="utf-8")
    assert "SIL Open Font License" in ofl and "Adobe" in ofl
    assert FONT_FILE.stat().st_size < 2_500_000  # one regular weight, GB 2312, not 85 MB
    from fontTools.ttLib import TTFont

    cmap = TTFont(FONT_FILE).getBestCmap()
    hanzi = []
    for code in range(0xB0A1, 0xF7FF):
        try:
            hanzi += [c for c in bytes([code >> 8, code & 0xFF]).decode("gb2312")]
        except UnicodeDecodeError:
            pass
    hanzi = [c for c in hanzi if "\u4e00" <= c <= "\u9fff"]
    assert len(hanzi) == 6763 and all(ord(c) in cmap for c in hanzi)


def test_font_is_registered_once_and_used():
    from matplotlib import font_manager

    from outage_sim.reports.figures import bilingual, cjk_font

    assert register_cjk_font() == "Noto Sans SC" == cjk_font()
    before = len(font_manager.fontManager.ttflist)
    register_cjk_font()
    assert len(font_manager.fontManager.ttflist) == before
    assert bilingual("load shed", "减供负荷") == "load shed (减供负荷)"


def _figures():
    from matplotlib.figure import Figure

    from outage_sim import grid
    from outage_sim.reports import (
        plot_customers_out,
        plot_district_map,
        plot_district_panels,
        plot_grid,
        plot_levels,
        plot_probability_map,
        plot_recovery,
    )
    from outage_sim.studies import load_scenario, run_scenario

    run = run_scenario(load_scenario(FIRE), ac_check=False, restore=True)
    rest, failed = run.restoration, run.shed.to_dict()["failed"]
    draws = [lambda ax: plot_district_map(rest.districts, ax=ax, failed=failed),
             lambda ax: plot_district_panels(rest.districts, None, ax),
             lambda ax: plot_recovery(rest.timeline, ax, termination_h=rest.terminated_h),
             lambda ax: plot_customers_out(rest.timeline, ax),
             lambda ax: plot_levels(rest.timeline, ax),
             lambda ax: plot_probability_map({"秀山县": 0.3, "渝北区": 0.05}, ax),
             lambda ax: plot_grid(grid.chongqing_net(), ax)]
    for draw in draws:
        fig = Figure(figsize=(8, 6), layout="constrained")
        draw(fig.add_subplot())
        yield fig


def test_figures_draw_chinese_without_glyph_warnings_or_empty_boxes():
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font
    from matplotlib.text import Text

    chain = [FT2Font(str(FONT_FILE)),
             FT2Font(font_manager.findfont("DejaVu Sans", fallback_to_default=True))]
    seen_chinese = 0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for fig in _figures():
            for fmt in ("png", "pdf"):
                fig.savefig(io.BytesIO(), format=fmt)
            for t in fig.findobj(Text):
                text = t.get_text()
                seen_chinese += any("\u4e00" <= c <= "\u9fff" for c in text)
                tofu = [c for c in text if not c.isspace() and not c.isascii()
                        and not any(f.get_char_index(ord(c)) for f in chain)]
                assert not tofu, (text, tofu)
    glyph = [str(w.message) for w in caught if "Glyph" in str(w.message)
             or "missing from" in str(w.message)]
    assert not glyph, glyph[:3]
    assert seen_chinese > 30
