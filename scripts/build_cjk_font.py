"""Write the CJK font the figures use: Noto Sans SC Regular cut down to GB 2312 and the symbols the
package writes (``outage_sim/data/fonts/``).

A build step, run by a maintainer when the font should change (the package ships the result, so
figures draw Chinese on any machine with no font installed and nothing downloaded at run time).
The source is ``NotoSansSC-Regular.otf`` of Noto Sans CJK 2.004 (SIL Open Font License 1.1,
https://github.com/notofonts/noto-cjk), as the PyPI package ``pylopdf-fonts-zh-cn`` ships it
(also OFL; only a build requirement)::

    pip install pylopdf-fonts-zh-cn
    python scripts/build_cjk_font.py [SOURCE.otf]

It keeps every character of GB 2312 (6,763 hanzi and its symbols), ASCII and Latin-1, general
punctuation, letter-like symbols, arrows, mathematical operators, enclosed numbers, CJK and
full-width punctuation, and every other character found in the package's text files, with
their layout features; drops vertical metrics and hinting. Beside the font it writes
``OFL.txt`` (the licence with the font's copyright line) and ``fonts.toml`` (source, licence,
coverage, SHA-256; ``tests/test_fonts.py`` checks them). The OFL allows the subset to be
redistributed under the same licence; its name stays "Noto Sans SC" (the reserved font name of
the family is "Source", which it does not use).
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "outage_sim" / "data" / "fonts"
FONT_FILE = "NotoSansSC-Regular-GB2312.otf"
RANGES = [(0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x2100, 0x214F), (0x2190, 0x21FF),
          (0x2200, 0x22FF), (0x2460, 0x24FF), (0x3000, 0x303F), (0xFF00, 0xFFEF)]


def default_source() -> Path:
    import pylopdf_fonts_zh_cn

    return Path(pylopdf_fonts_zh_cn.__file__).parent / "NotoSansSC-Regular.otf"


def wanted_characters() -> set[int]:
    """GB 2312, the ranges above and every non-ASCII character of the package's text files."""
    chars = set()
    for c in range(0xA1A1, 0xF7FF):
        try:
            chars.update(ord(x) for x in bytes([c >> 8, c & 0xFF]).decode("gb2312"))
        except UnicodeDecodeError:
            pass
    for a, b in RANGES:
        chars.update(range(a, b + 1))
    for p in sorted((ROOT / "outage_sim").rglob("*")):
        if p.suffix in (".py", ".pyi", ".toml", ".yaml", ".csv"):
            chars.update(ord(x) for x in p.read_text(encoding="utf-8", errors="ignore")
                         if 0x7F < ord(x) < 0x10000)
    return chars


def build(source: Path, out: Path = OUT) -> None:
    """Subset ``source`` into ``out`` with the licence and notes beside it."""
    from fontTools.ttLib import TTFont

    font = TTFont(source, recalcTimestamp=False)  # the same bytes on every build
    cmap = font.getBestCmap()
    keep = sorted(c for c in wanted_characters() if c in cmap)
    gb2312 = _gb2312_hanzi()
    missing = [chr(c) for c in gb2312 if c not in cmap]
    if missing:
        raise SystemExit(f"{source}: lacks GB 2312 hanzi {''.join(missing[:20])}")
    _subset(font, keep)
    out.mkdir(parents=True, exist_ok=True)
    font.save(out / FONT_FILE)
    _write_notes(out, font, len(keep), len(gb2312))


def _gb2312_hanzi() -> list[int]:
    return [ord(x) for c in range(0xB0A1, 0xF7FF) for x in _gb(c) if "\u4e00" <= x <= "\u9fff"]


def _subset(font, keep: list[int]) -> None:
    from fontTools import subset

    opts = subset.Options()
    opts.layout_features = ["*"]
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.notdef_outline = True
    opts.hinting = False
    opts.drop_tables += ["DSIG", "VORG", "vhea", "vmtx", "BASE"]
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=keep)
    sub.subset(font)


def _write_notes(out: Path, font, n_chars: int, n_hanzi: int) -> None:
    names = {r.nameID: r.toUnicode() for r in font["name"].names if r.platformID == 3}
    digest = hashlib.sha256((out / FONT_FILE).read_bytes()).hexdigest()
    licence = _licence_text()
    (out / "OFL.txt").write_text(f"{names[0]}\n\n{licence}\n", encoding="utf-8")
    (out / "fonts.toml").write_text(
        "# The CJK font the figures use. Written by scripts/build_cjk_font.py; do not edit.\n"
        f'file = "{FONT_FILE}"\n'
        f'family = "{names[1]}"\n'
        f'sha256 = "{digest}"\n'
        f"characters = {n_chars}\n"
        f"gb2312_hanzi = {n_hanzi}\n"
        f'source = "{names[5].split(";")[0]} of {names[6]}.otf, Noto Sans CJK '
        '(https://github.com/notofonts/noto-cjk), as PyPI pylopdf-fonts-zh-cn 0.1.1 ships it; '
        'subset to GB 2312 + the symbols the package writes (fontTools.subset)"\n'
        f'copyright = "{names[0]}"\n'
        'licence = "OFL-1.1"\n'
        'licence_file = "OFL.txt"\n', encoding="utf-8")


def _gb(code: int) -> str:
    try:
        return bytes([code >> 8, code & 0xFF]).decode("gb2312")
    except UnicodeDecodeError:
        return ""


def _licence_text() -> str:
    """The OFL text pylopdf-fonts-zh-cn ships with the font."""
    from importlib import metadata

    dist = metadata.distribution("pylopdf-fonts-zh-cn")
    lic = next(f for f in dist.files or () if f.name.upper().startswith("LICENSE"))
    return Path(dist.locate_file(lic)).read_text(encoding="utf-8").strip()


if __name__ == "__main__":
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else default_source()
    build(src)
    sys.stdout.write(f"wrote {FONT_FILE}, OFL.txt and fonts.toml to {OUT}/\n")
