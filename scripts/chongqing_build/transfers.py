"""Switching and transfer data for restoration (转供): which 220 kV stations can pick up which
others' load, and how much.

Rule (written into every row): two 220 kV stations are partners when they serve the same
district, or sit next to each other on a chain, and lie within ``PARTNER_KM`` of each other;
their 110 kV networks are then tied (手拉手 links between the 110 kV stations of the two supply
areas, normally open). Station B can take over from station A up to
``min(B's transformer headroom, tie capacity)``: the headroom is B's 220/110 kV capacity at
power factor 0.97 less B's own summer peak; the tie is two 110 kV circuits of LGJ-240 (about
2 × 110 MW at the conductor's 70 °C rating). Both are estimates; the restoration issue's transfer
step reads this file.
"""

from __future__ import annotations

from .geo import haversine_km
from .layer220 import CHAIN_ROUTE, Station220

PARTNER_KM = 40.0
TIE_MW = 220.0  # two 110 kV LGJ-240 circuits, ≈ 110 MW each
POWER_FACTOR = 0.97
RULE = (f"estimate: partners serve the same district or are neighbours on a 220 kV chain, within "
        f"{PARTNER_KM:.0f} km; transfer = min(receiving station's 220/110 kV capacity × {POWER_FACTOR} "
        f"− its own summer peak, 110 kV tie of 2 × LGJ-240 ≈ {TIE_MW:.0f} MW)")


def transfer_rows(stations: list[Station220], chains: list) -> list[list]:
    """Directed rows: from station (whose load is moved), to station, transfer MW, km, rule."""
    neighbours = set()
    for _, group, _ in chains:
        for a, b in zip(group, group[1:]):
            neighbours |= {(a.short, b.short), (b.short, a.short)}
    rows = []
    for a in stations:
        for b in stations:
            if a is b:
                continue
            km = haversine_km(a.lat, a.lon, b.lat, b.lon)
            if km > PARTNER_KM or (a.district != b.district and (a.short, b.short) not in neighbours):
                continue
            headroom = b.mva * POWER_FACTOR - b.load_mw
            mw = round(max(0.0, min(headroom, TIE_MW)), 1)
            rows.append([a.name, b.name, a.district, b.district, mw, round(km * CHAIN_ROUTE, 1), RULE])
    return rows
