"""The 220 kV layer as planned in China: stations sized from district load and a 容载比, supply
areas (分区) round each 500 kV station, every 220 kV station on a double-circuit chain fed from
two 500 kV stations (双电源链式), and the 500/220 kV transformers sized for N-1.

Rules (each is written into the ``source`` of the rows it makes):

* **Station count and size.** A district gets ``n = ceil(peak × 2.0 / (units × 240 MVA))`` 220 kV
  stations of ``units`` transformers (3 in core, new-urban and regional districts, 2 in rural and
  mountain counties); the unit size is the smallest of the standard 120/180/240 MVA series that
  keeps the district's 容载比 (220 kV transformer capacity over peak load) at 1.8 or more. 2.0 is
  the middle of the 1.8–2.2 range for 220 kV cited in issue 17 from the planning guidelines
  (Q/GDW 1738-2012 配电网规划设计技术导则; DL/T 5729-2016; GB/T 50293-2014 城市电力规划规范); the
  standards' text was not at hand to check the range. The rule reproduces the one sourced figure:
  垫江 720 MVA of 220 kV transformation with 垫江东 (龙安) 2×180 MVA (chongqing-facts.md).
* **Supply areas and chains.** A station belongs to the area of the nearest 500 kV station. In
  each area the stations are taken in order of bearing round the 500 kV station and paired; each
  pair (or a last single one) is a double-circuit chain from the area's 500 kV station to a
  neighbouring 500 kV station: the nearest one within 100 km (straight line; 130 km of route)
  that keeps the chain fed when any single 500 kV station is lost, or, where none is in reach
  (the two 500 kV radials to the north-east and south-east, the 两射 of the 双环两射 layout on
  record), all the area's stations in one chain to the nearest other 500 kV station (a ring back
  to its own where none is in reach). The far segment
  is the tie between two areas, normally closed, so every 220 kV station is fed from two
  directions (the N-1 principle of Q/GDW 1738-2012 and GB/T 50293-2014).
* **500/220 kV transformers.** ``n = max(2, ceil(served / unit) + 1)`` units of 1000 MVA (1200
  MVA where more than 2500 MW is served), with ``served`` = half the load of every chain ending
  at the station (each chain is fed from both ends) times 1.25 for unequal sharing between the
  ends; 海棠 keeps its sourced 2×1000 MVA.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import networkx as nx

from .facts_backbone import CORRIDORS, STATIONS
from .geo import circle_text, haversine_km, load_sub_position

UNITS_PER_STATION = {"core": 3, "new_urban": 3, "regional": 3, "rural": 2, "mountain": 2}
UNIT_SERIES_MVA = (120, 180, 240)
RATIO_TARGET = 2.0  # 容载比 aimed at when counting stations
RATIO_MIN = 1.8  # lower end of the range: the smallest unit size that keeps it
RATIO_RULE = ("容载比 range 1.8–2.2 for 220 kV as cited in issue 17 (Q/GDW 1738-2012; DL/T 5729-2016; "
              "GB/T 50293-2014), standards' text not checked")
CHAIN_STATIONS = 2  # stations per chain
CHAIN_ROUTE = 1.3  # route factor of 220 kV lines
TIE_MAX_KM = 100.0  # straight-line reach of a 220 kV tie between areas (130 km of route)
SRC_DIANJIANG = "垫江东 (龙安) 2×180 MVA; 垫江 220 kV transformation 720 MVA (chongqing-facts.md)"


@dataclass
class Station220:
    """One 220 kV load station."""

    short: str
    district: str
    lat: float
    lon: float
    home: str
    units: int
    unit_mva: int
    load_mw: float
    source: str
    chain: int = -1

    @property
    def name(self) -> str:
        return f"{self.short} 220kV"

    @property
    def mva(self) -> float:
        return float(self.units * self.unit_mva)


def district_sizing(peak_mw: float, zone: str) -> tuple[int, int, int]:
    """Stations, transformers per station and unit size (MVA) for a district's peak."""
    units = UNITS_PER_STATION[zone]
    n = max(1, math.ceil(peak_mw * RATIO_TARGET / (units * UNIT_SERIES_MVA[-1])))
    unit = next(s for s in UNIT_SERIES_MVA if n * units * s >= RATIO_MIN * peak_mw or s == UNIT_SERIES_MVA[-1])
    return n, units, unit


def place_stations(districts: list[tuple], peak: dict[str, float], outlines: dict) -> list[Station220]:
    """Every district's 220 kV stations, placed round its centroid, each in the supply area of
    the 500 kV station nearest its place on the full circle."""
    ac500 = [s for s in STATIONS if s[1] == "ac500"]
    out = []
    for name, _, _, _, lat, lon, zone, _ in districts:
        n, units, unit = district_sizing(peak[name], zone)
        radius_km = 5.0 if zone == "core" else 10.0
        short = name[:-1] if len(name) > 2 else name
        ratio = n * units * unit / peak[name]
        size = (f"{n} station(s) of {units}×{unit} MVA for {peak[name]:.0f} MW, 容载比 {ratio:.2f} "
                f"(n = ceil(peak × {RATIO_TARGET} / ({units}×240)), smallest unit of 120/180/240 MVA "
                f"giving ≥ {RATIO_MIN}; {RATIO_RULE})")
        if name == "垫江县":
            size += "; reproduces " + SRC_DIANJIANG
        for i in range(n):
            la, lo, r_km = load_sub_position(name, lat, lon, n, i, radius_km, outlines)
            la0, lo0, _ = load_sub_position(name, lat, lon, n, i, radius_km, {})
            home = min(ac500, key=lambda s: haversine_km(la0, lo0, s[3], s[4]))[0]
            where = "at the centroid" if n == 1 else circle_text(radius_km, r_km)
            out.append(Station220(f"{short}{i + 1}号", name, round(la, 4), round(lo, 4), home, units,
                                  unit, peak[name] / n, f"estimate: {size}; {where}; supply area of "
                                  f"the nearest 500 kV station ({home})"))
    return out


def _backbone() -> nx.Graph:
    g = nx.Graph()
    kinds = {s[0]: s[1] for s in STATIONS}
    for a, b, *_ in CORRIDORS:
        g.add_edge(a, b)
    g.add_edge("铜梁", "铜梁特高压")
    return g.subgraph([n for n in g if kinds.get(n) != "ext500" and kinds.get(n) != "ext1000"]).copy()


def _survives(g: nx.Graph, ends: tuple[str, str]) -> bool:
    """True when, after losing any single 500 kV station, one of the chain's ends still lies in
    the largest remaining part of the 500 kV grid."""
    for lost in list(g):
        h = g.subgraph([n for n in g if n != lost])
        reach = max(nx.connected_components(h), key=len)
        if not any(e in reach for e in ends if e != lost):
            return False
    return True


def _far_end(g: nx.Graph, home: str, last: Station220) -> str | None:
    """The 500 kV station a chain ending at ``last`` ties to, or None where none is in reach."""
    pos = {s[0]: (s[3], s[4]) for s in STATIONS}
    near = sorted((n for n in g if n != home and STATIONS_KIND[n] == "ac500"
                   and haversine_km(last.lat, last.lon, *pos[n]) <= TIE_MAX_KM),
                  key=lambda n: haversine_km(last.lat, last.lon, *pos[n]))
    return next((n for n in near if _survives(g, (home, n))), None)


def _radial_chain(home: str, area: list[Station220]) -> tuple[list[Station220], str]:
    """An area on a 500 kV radial: one chain through all its stations in bearing order, run in
    the direction that ends nearer another 500 kV station, tied to it when it is in reach;
    otherwise a ring back to the area's own station."""
    pos = {s[0]: (s[3], s[4]) for s in STATIONS}
    others = [n for n, k in STATIONS_KIND.items() if k == "ac500" and n != home]

    def nearest(st: Station220) -> tuple[float, str]:
        return min((haversine_km(st.lat, st.lon, *pos[n]), n) for n in others)

    order = min((area, area[::-1]), key=lambda a: nearest(a[-1])[0])
    km, far = nearest(order[-1])
    return list(order), far if km <= TIE_MAX_KM else home


def build_chains(stations: list[Station220]) -> list[tuple[str, list[Station220], str]]:
    """Double-circuit chains (home 500 kV station, stations in order, far 500 kV station); on a
    500 kV radial, one ring through the area's stations back to its own station (far == home)."""
    pos = {s[0]: (s[3], s[4]) for s in STATIONS}
    g = _backbone()
    chains: list[tuple[str, list[Station220], str]] = []
    for home in sorted({s.home for s in stations}):
        hl, hn = pos[home]
        area = sorted((s for s in stations if s.home == home),
                      key=lambda s: (math.atan2(s.lat - hl, s.lon - hn), s.short))
        groups = []
        for k in range(0, len(area), CHAIN_STATIONS):
            group = sorted(area[k:k + CHAIN_STATIONS], key=lambda s: haversine_km(hl, hn, s.lat, s.lon))
            groups.append((group, _far_end(g, home, group[-1])))
        if any(far is None for _, far in groups):
            groups = [_radial_chain(home, area)]
        for group, far in groups:
            for s in group:
                s.chain = len(chains)
            chains.append((home, group, far))
    return chains


STATIONS_KIND = {s[0]: s[1] for s in STATIONS}


def chain_lines(chains: list[tuple[str, list[Station220], str]]) -> list[tuple[str, str, str, str]]:
    """(label, from bus, to bus, source) per double-circuit segment of every chain."""
    segs = []
    for home, group, far in chains:
        tie_rule = ("the nearest station within 100 km that keeps the chain fed when any single 500 kV "
                    "station is lost" if far != home else
                    "no station within 100 km keeps the area fed when a 500 kV station of its radial is "
                    "lost (the 两射 of the 双环两射 layout on record): the area's stations in one chain to the "
                    "nearest other 500 kV station, or a ring back to its own")
        names = [s.name for s in group]
        shorts = [s.short for s in group]
        segs.append((f"{shorts[0]}-{home}", names[0], f"{home} 220kV",
                     f"estimate: 220 kV double circuit, first segment of the chain {home}→"
                     f"{'→'.join(shorts)}→{far} (双电源链式: each station fed from two 500 kV stations)"))
        for a, b, na, nb in zip(shorts, shorts[1:], names, names[1:]):
            segs.append((f"{a}-{b}", na, nb, "estimate: 220 kV double circuit inside a chain "
                         f"{home}→{'→'.join(shorts)}→{far}"))
        segs.append((f"{shorts[-1]}-{far}", names[-1], f"{far} 220kV",
                     f"estimate: 220 kV double circuit, tie of the chain to the neighbouring area's "
                     f"500 kV station {far} (normally closed; {tie_rule})"))
    return segs


def served_mw(chains: list[tuple[str, list[Station220], str]]) -> dict[str, float]:
    """Peak load each 500 kV station serves: half of every chain ending there."""
    served: dict[str, float] = {}
    for home, group, far in chains:
        load = sum(s.load_mw for s in group)
        served[home] = served.get(home, 0.0) + load / 2
        served[far] = served.get(far, 0.0) + load / 2
    return served


TRAFO_MARGIN = 1.25  # unequal sharing of a chain's load between its two ends


def transformer_rows(served: dict[str, float]) -> list[list]:
    """500/220 kV and 1000/500 kV transformers."""
    rows = []
    for name, kind, *_ in STATIONS:
        if kind == "ac500":
            load = served.get(name, 0.0) * TRAFO_MARGIN
            unit = 1000 if load < 2500 else 1200
            n = max(2, math.ceil(load / unit) + 1)  # N-1: the others carry the peak
            if name == "海棠":
                n, unit = 2, 1000
            src = ("海棠 2×1000 MVA (2023), chongqing-facts.md" if name == "海棠" else
                   f"estimate: N-1 sizing, {n}×{unit} MVA for {load:.0f} MW (half of every chain "
                   f"ending here × {TRAFO_MARGIN}); vk 14%, typical 500/220 kV autotransformer")
            for i in range(n):
                rows.append([f"{name} 500/220kV #{i + 1}", f"{name} 500kV", f"{name} 220kV",
                             unit, 525, 230, 14.0, 0.18, 120.0, 0.04, src])
        if kind == "ac1000":
            for i in range(2):
                rows.append([f"铜梁 1000/500kV #{i + 1}", "铜梁特高压 1000kV", "铜梁 500kV",
                             3000, 1050, 525, 18.0, 0.10, 200.0, 0.03,
                             "estimate: 2×3000 MVA 1000/500 kV, typical for Chinese UHV AC substations"])
    return rows
