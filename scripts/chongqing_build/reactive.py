"""Reactive capability (无功出力范围) of the units and interties: ``min_q_mvar``/``max_q_mvar``.

A unit's lagging limit is its rated MW at the rated power factor, ``Q_max = P_max · tan(acos
pf)``; its leading (进相) limit is the same at power factor 0.95 leading, ``Q_min = −P_max ·
tan(acos 0.95) ≈ −0.33 P_max``. Limits are constant (the capability curve's corner at rated MW),
as is usual for a planning power flow.

The AC ties' far ends stand for the Sichuan system, not for one plant: they keep wide limits
(± the channel's capacity in Mvar), the strength of the system behind them. The back-to-back VSC
converters (渝鄂) control their reactive power within a share of their rating; the LCC DC infeed
balances its own reactive power with its filters (0). Aggregated small hydro, wind and solar stay
PQ at unity power factor (``renewables.csv``, no columns).
"""

from __future__ import annotations

import math

# Rated power factor (lagging) by unit type and size: turbo-generators GB/T 7064-2017
# (隐极同步发电机技术要求; 0.85, and 0.9 for the 600 MW class and above, as on Chinese
# nameplates), hydro-generators GB/T 7894 (水轮发电机基本技术条件; 0.85–0.9, 0.9 for the large
# units); the standards' text was not at hand, the values are the common rated ones.
RATED_PF = {"coal": ((600.0, 0.90), (0.0, 0.85)), "gas": ((600.0, 0.90), (0.0, 0.85)),
            "hydro": ((300.0, 0.90), (0.0, 0.85))}
# Leading capability at rated MW required of new units: power factor 0.95 leading (进相) in the
# grid code, GB/T 31464 电网运行准则 (formerly DL/T 1040-2007); text not at hand.
LEADING_PF = 0.95
# Back-to-back VSC: reactive power within ± this share of the converter's rating (estimate).
VSC_Q_SHARE = 0.4
UNIT_Q_RULE = ("Q limits: estimate, Q_max = P_max·tan(acos pf), rated pf 0.85 lagging (0.9 for coal/gas "
               "≥ 600 MW and hydro ≥ 300 MW; GB/T 7064-2017, GB/T 7894), Q_min = −P_max·tan(acos 0.95) "
               "(0.95 leading, 进相, GB/T 31464 / DL/T 1040 电网运行准则)")
TIE_Q_RULE = {
    "ac_uhv": "Q limits: ± capacity, the Sichuan system behind the far end (a strong external system, "
              "not one plant)",
    "ac_tie": "Q limits: ± capacity, the Sichuan system behind the far end (a strong external system, "
              "not one plant)",
    "vsc_b2b": f"Q limits: estimate, ± {VSC_Q_SHARE:g} × rating (VSC converter reactive control)",
    "dc_infeed": "Q: 0, the LCC converter's own filters balance its reactive power",
}


def rated_pf(gtype: str, p_max_mw: float) -> float:
    """The rated (lagging) power factor of a unit of this type and size."""
    return next(pf for size, pf in RATED_PF[gtype] if p_max_mw >= size)


def unit_q_limits(gtype: str, p_max_mw: float) -> tuple[float, float]:
    """``(min_q_mvar, max_q_mvar)`` of a unit, rounded to 0.1 Mvar."""
    q_max = p_max_mw * math.tan(math.acos(rated_pf(gtype, p_max_mw)))
    q_min = -p_max_mw * math.tan(math.acos(LEADING_PF))
    return round(q_min, 1), round(q_max, 1)


def tie_q_limits(kind: str, capacity_mw: float) -> tuple[float, float]:
    """``(min_q_mvar, max_q_mvar)`` of an intertie's injection (see the module docstring)."""
    if kind == "dc_infeed":
        return 0.0, 0.0
    share = VSC_Q_SHARE if kind == "vsc_b2b" else 1.0
    return -round(capacity_mw * share, 1), round(capacity_mw * share, 1)


# Capacitor banks (并联电容器) at the 220 kV load stations where the base case needs them: with the
# units held within their limits, the reference unit at 珞璜 500 kV would run beyond its lagging
# limit at the summer peak (449 Mvar against 291), feeding the core districts' reactive demand
# through 如意. Rule: every 220 kV load station of a core district carries capacitors of 10% of its
# transformer capacity, switched in at the two peaks and out in the valley (the lower end of the
# 10–25% that Q/GDW 1212 电力系统无功补偿配置技术导则 gives for 220 kV stations; text not at hand).
CAPACITOR_SHARE = 0.10
CAPACITOR_ZONES = ("core",)
CAPACITOR_LEVELS = "summer_peak;winter_peak"
SHUNT_RULE = ("estimate: capacitor banks of 10% of the station's transformer capacity at every 220 kV load "
              "station of a core district, in service at the peaks (the lower end of the 10–25% of "
              "Q/GDW 1212 电力系统无功补偿配置技术导则); the base case needs them at the summer peak, where "
              "the reference unit would otherwise exceed its lagging limit")


def shunt_rows(stations: list, zone_of: dict[str, str]) -> list[list]:
    """``shunts.csv``: name, bus, district, kind, mvar, levels (in service), source."""
    return [[f"{s.short} 电容器", s.name, s.district, "capacitor", round(CAPACITOR_SHARE * s.mva, 1),
             CAPACITOR_LEVELS, SHUNT_RULE]
            for s in stations if zone_of[s.district] in CAPACITOR_ZONES]
