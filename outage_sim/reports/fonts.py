"""The CJK font the figures draw Chinese with: Noto Sans SC Regular, cut down to GB 2312 and the
symbols the package writes, shipped in ``outage_sim/data/fonts/`` under the SIL Open Font License
1.1 (``OFL.txt`` and ``fonts.toml`` beside it; built by ``scripts/build_cjk_font.py``).

:func:`register_cjk_font` adds it to matplotlib's font manager once per process; the figures call
it through :func:`outage_sim.reports.figures.use_cjk_font`, so Chinese draws on any machine with no
font installed and nothing is downloaded.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

FONT_DIR = Path(__file__).resolve().parents[1] / "data" / "fonts"
FONT_FILE = FONT_DIR / "NotoSansSC-Regular-GB2312.otf"


@lru_cache(maxsize=1)
def register_cjk_font() -> str | None:
    """Register the shipped font with matplotlib (once) and return its family name
    (``"Noto Sans SC"``); ``None`` when the file is missing (a trimmed install)."""
    if not FONT_FILE.is_file():
        return None
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(FONT_FILE))
    return font_manager.FontProperties(fname=str(FONT_FILE)).get_name()
