"""Geometry and output helpers of the data build: distances, district outlines, station places,
and the one CSV writer (fixed float format, so the files are reproduced byte for byte)."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "outage_sim" / "data" / "chongqing"
OUTLINES = "district_outlines.geojson"  # written by scripts/build_district_outlines.py


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def read_outlines(out: Path) -> dict[str, list[list[tuple[float, float]]]]:
    """District name → its outline's rings (lon, lat) from ``district_outlines.geojson`` (the
    shipped file, or the one in ``out`` when there is one)."""
    path = out / OUTLINES if (out / OUTLINES).exists() else OUT / OUTLINES
    rings = {}
    for f in json.loads(path.read_text(encoding="utf-8"))["features"]:
        geom = f["geometry"]
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        rings[f["properties"]["name"]] = [[tuple(p) for p in ring] for poly in polys for ring in poly]
    return rings


def inside(rings: list[list[tuple[float, float]]], lat: float, lon: float) -> bool:
    """Even-odd ray casting over every ring (holes included)."""
    hit = False
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
            if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
                hit = not hit
    return hit


def load_sub_position(district: str, lat: float, lon: float, n: int, i: int, radius_km: float,
                       outlines: dict) -> tuple[float, float, float]:
    """Load substation ``i`` of ``n``: on a circle of ``radius_km`` round the centroid, the radius
    halved (up to four times) while the point falls outside the district's outline."""
    if n == 1:
        return lat, lon, 0.0
    ang = 2 * math.pi * i / n + 0.3
    r = radius_km
    for _ in range(5):
        la = lat + r / 111.0 * math.sin(ang)
        lo = lon + r / (111.0 * math.cos(math.radians(lat))) * math.cos(ang)
        if district not in outlines or inside(outlines[district], round(la, 4), round(lo, 4)):
            return la, lo, r
        r /= 2
    raise SystemExit(f"{district}: load substation {i + 1} stays outside the outline")


def circle_text(radius_km: float, r_km: float) -> str:
    """How a station was placed on its circle, for its source text."""
    text = f"on a {radius_km:.0f} km circle round the centroid"
    return text if r_km == radius_km else (text + f" pulled in to {r_km:g} km to stay inside the "
                                           "district (fed as from its place on the full circle)")


def write_csv(out: Path, name: str, header: list[str], rows: list[list]) -> None:
    """One data file; floats to 6 significant digits."""
    path = out / name
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        for row in rows:
            w.writerow([f"{v:.6g}" if isinstance(v, float) else v for v in row])

