"""The 110 kV layer and the 10 kV feeders, aggregated (``distribution.csv``).

The power flow stays on the 220 kV and higher model; beneath every 220 kV station the load is
carried by synthetic 110 kV stations, each a block of 10 kV feeders, so that hazards can fail
110 kV lines and feeders by their own fragility and the engine can count the customers they cut
off. One row per 110 kV station. Rules (each row's ``source`` repeats them):

* **110 kV stations.** Under a 220 kV station carrying ``P`` MW at summer peak:
  ``n = ceil(P × 2.0 / size)`` stations (容载比 2.0, the 1.8–2.2 range cited in issue 17 from
  Q/GDW 1738-2012 for 110 kV; standards' text not checked) of 3×63 MVA in core and new-urban
  districts, 2×63 MVA in regional centres, 2×50 MVA in rural and mountain counties. Load and
  customers are split evenly over them.
* **Supply.** Dual (two 110 kV lines on separate routes, either one carries the station: the
  N-1 of Q/GDW 1738-2012 for A+/A/B supply areas) in core, new-urban and regional districts;
  single radial in rural and mountain counties (allowed for C/D areas).
* **110 kV line length.** ``0.7 × √(district area / 110 kV stations in it) × 1.3``: a station's
  supply line runs about 0.7 of the mean spacing between stations, with the route factor of the
  220 kV lines; area from the 区县 outlines.
* **Feeders.** ``ceil(station load / feeder load)`` 10 kV feeders, the feeder peak 5 MW in core
  and new-urban districts, 4 MW in regional centres, 3 MW rural, 2.5 MW mountain (estimate:
  feeders of ~8–9 MW rating loaded ≤ 60% so that neighbours can take them over); route km per
  feeder (trunk and branches) 4 / 8 / 10 / 15 / 25 km by the same zones (estimate, of the order of
  1.5× the 10 kV supply radii of Q/GDW 1738-2012); overhead share 0.1 / 0.5 / 0.6 / 0.9 / 0.95
  (cables in the core, bare overhead lines in the mountains; estimate).
"""

from __future__ import annotations

import math

from .layer220 import Station220

RATIO_110 = 2.0
STATION_MVA = {"core": (3, 63), "new_urban": (3, 63), "regional": (2, 63), "rural": (2, 50),
               "mountain": (2, 50)}
DUAL = {"core": True, "new_urban": True, "regional": True, "rural": False, "mountain": False}
FEEDER_MW = {"core": 5.0, "new_urban": 5.0, "regional": 4.0, "rural": 3.0, "mountain": 2.5}
FEEDER_KM = {"core": 4.0, "new_urban": 8.0, "regional": 10.0, "rural": 15.0, "mountain": 25.0}
OVERHEAD = {"core": 0.1, "new_urban": 0.5, "regional": 0.6, "rural": 0.9, "mountain": 0.95}
ROUTE = 1.3
RULE = ("estimate: n = ceil(220 kV station load × 2.0 / station MVA) 110 kV stations of 3×63 MVA "
        "(core, new urban), 2×63 (regional), 2×50 (rural, mountain); dual supply in core/new urban/"
        "regional, single radial in rural/mountain (Q/GDW 1738-2012 supply-area classes, as cited in "
        "issue 17); 110 kV line = 0.7 × √(district area / its 110 kV stations) × 1.3; feeders = "
        "ceil(load / feeder MW {5, 5, 4, 3, 2.5}), route km per feeder {4, 8, 10, 15, 25}, overhead "
        "share {0.1, 0.5, 0.6, 0.9, 0.95} by zone (core, new urban, regional, rural, mountain)")


def district_area_km2(rings: list[list[tuple[float, float]]]) -> float:
    """Area inside a district's outline rings (even-odd: holes subtract), local flat projection."""
    total = 0.0
    for ring in rings:
        lat0 = sum(p[1] for p in ring) / len(ring)
        kx = 111.32 * math.cos(math.radians(lat0))
        pts = [(lon * kx, lat * 110.57) for lon, lat in ring]
        total += 0.5 * sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(pts, pts[1:] + pts[:1]))
    return abs(total)


def _count(st: Station220, zone: str) -> int:
    units, mva = STATION_MVA[zone]
    return max(1, math.ceil(st.load_mw * RATIO_110 / (units * mva)))


def distribution_rows(stations: list[Station220], zone_of: dict[str, str], customers: dict[str, int],
                      outlines: dict) -> list[list]:
    """One row per 110 kV station (block of feeders) under every 220 kV station."""
    per_district: dict[str, int] = {}
    for st in stations:
        per_district[st.district] = per_district.get(st.district, 0) + _count(st, zone_of[st.district])
    rows = []
    for name in dict.fromkeys(st.district for st in stations):
        zone = zone_of[name]
        lst = [st for st in stations if st.district == name]
        area = district_area_km2(outlines[name]) if name in outlines else 1000.0
        line_km = round(0.7 * math.sqrt(area / per_district[name]) * ROUTE, 1)
        cust_sub = _split(customers[name], [st.load_mw for st in lst])
        for st, c_sub in zip(lst, cust_sub):
            n = _count(st, zone)
            units, mva = STATION_MVA[zone]
            for k, cust in enumerate(_split(c_sub, [1.0] * n)):
                mw = st.load_mw / n
                feeders = max(1, math.ceil(mw / FEEDER_MW[zone]))
                rows.append([f"{st.short}-{k + 1} 110kV", name, st.name, f"{units}×{mva}",
                             float(units * mva), "dual" if DUAL[zone] else "single", round(mw, 2), cust,
                             line_km, feeders, FEEDER_KM[zone], OVERHEAD[zone], RULE])
    return rows


def _split(total: int, weights: list[float]) -> list[int]:
    """``total`` split in proportion to ``weights``; the last part takes the rounding."""
    wsum = sum(weights)
    parts = [int(total * w / wsum) for w in weights[:-1]]
    return parts + [total - sum(parts)]

