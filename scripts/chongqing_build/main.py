"""Derive every data file of the Chongqing model from the facts and rules of this package."""

from __future__ import annotations

from pathlib import Path

from . import layer110, layer220, reactive, transfers
from .facts_backbone import (
    CORRIDORS,
    HYDRO_TOTAL_MW,
    INTERTIES,
    LEVELS,
    LINE_TYPES,
    LOSS_FACTOR,
    PLANTS,
    SMALL_HYDRO_COUNTIES,
    SOLAR_COUNTIES,
    SOLAR_TOTAL_MW,
    SRC_TOTALS,
    STATIONS,
    TIE_CONTROL,
    UNIT_VM_PU,
    VM_RULE,
    WIND_COUNTIES,
    WIND_TOTAL_MW,
)
from .facts_districts import (
    DISTRICTS,
    IMPORTANT_BY_DISTRICT,
    IMPORTANT_DEFAULT,
    LOAD_CLASSES,
    PERSONS_PER_HOUSEHOLD,
    RESIDUAL_COUNTIES,
    RESIDUAL_RULE,
    RESIDUAL_WEIGHTS,
    SRC_CENTROID,
    SRC_HH,
    SRC_POP,
    SRC_POP_B,
    SUMMER_PEAK_LOAD_MW,
    ZONE_ACCOUNTS_PER_HOUSEHOLD,
    ZONE_KW_PER_CAPITA,
    ZONE_NAMES,
    ZONE_ORDER,
)
from .geo import OUT, haversine_km, read_outlines, write_csv


def district_figures() -> tuple[dict, dict, dict, list[list]]:
    """Residents, peak load and customers per district, and the rows of ``districts.csv``."""
    residents, src_res = {}, {}
    for name, _, res, mirror, *_ in DISTRICTS:
        if res is None:
            residents[name] = round(RESIDUAL_COUNTIES * RESIDUAL_WEIGHTS[name])
            src_res[name] = RESIDUAL_RULE
        else:
            residents[name] = res
            src_res[name] = SRC_POP_B if mirror else SRC_POP
    raw = {d[0]: residents[d[0]] / 1000 * ZONE_KW_PER_CAPITA[d[6]] * d[7] for d in DISTRICTS}
    scale = SUMMER_PEAK_LOAD_MW / sum(raw.values())
    peak = {k: round(v * scale, 1) for k, v in raw.items()}
    customers = {d[0]: round(residents[d[0]] / PERSONS_PER_HOUSEHOLD * ZONE_ACCOUNTS_PER_HOUSEHOLD[d[6]])
                 for d in DISTRICTS}
    load_rule = (f"estimate: residents × {{core 1.25, new_urban 0.95, regional 0.75, rural 0.45, "
                 f"mountain 0.30}} kW × industry factor, scaled by {scale:.4f} to {SUMMER_PEAK_LOAD_MW:.0f} MW "
                 "(2025 record 30.28 GW less 1.6% losses)")
    cust_rule = ("estimate: residents / 2.45 persons per household (" + SRC_HH + ") × accounts per "
                 "household {core 1.20, new_urban 1.12, regional 1.10, rural 1.06, mountain 1.05}")
    rows = []
    for name, en, _, _, lat, lon, zone, ind in DISTRICTS:
        rows.append([name, en, zone, ZONE_NAMES[zone], residents[name], lat, lon, ind, peak[name],
                     customers[name], zone == "core", src_res[name] + "; centroid: " + SRC_CENTROID,
                     load_rule, cust_rule])
    return residents, peak, customers, rows


def backbone_buses() -> list[list]:
    """Buses of the 500 kV and 1000 kV stations (both sides of a 500 kV station)."""
    subs = []
    for name, kind, district, lat, lon, src in STATIONS:
        if kind in ("ac500", "dc_converter", "ext500"):
            subs.append([f"{name} 500kV", kind, district, 500, lat, lon, name, src])
        if kind in ("ac1000", "ext1000"):
            subs.append([f"{name} 1000kV", kind, district, 1000, lat, lon, name, src])
        if kind == "ac500":
            subs.append([f"{name} 220kV", "ac500_220side", district, 220, lat, lon, name, src])
    return subs


def line_rows(sub_pos: dict, chains: list) -> list[list]:
    """Every circuit: the 500/1000 kV corridors, then the 220 kV chains."""
    types = {t[0]: t for t in LINE_TYPES}
    lines: list[list] = []

    def add_line(a_bus: str, b_bus: str, label: str, kv: int, circuits: int, ltype: str,
                 route: float, src: str) -> None:
        (la, lo), (lb, lob) = sub_pos[a_bus], sub_pos[b_bus]
        km = round(haversine_km(la, lo, lb, lob) * route, 1)
        for c in range(circuits):
            lines.append([f"{label} {kv}kV #{c + 1}", a_bus, b_bus, ltype, km, route,
                          src + f"; length = haversine × {route}"])

    for a, b, n, lt, route, src in CORRIDORS:
        kv = types[lt][1]
        add_line(f"{a} {kv}kV", f"{b} {kv}kV", f"{a}-{b}", kv, n, lt, route, src)
    for label, a_bus, b_bus, src in layer220.chain_lines(chains):
        add_line(a_bus, b_bus, label, 220, 2, "220_2xLGJ400", layer220.CHAIN_ROUTE, src)
    return lines


def unit_rows(first_sub: dict[str, str]) -> list[list]:
    """Units of ``units.csv``; a plant at ``@district`` joins that district's first station."""
    units: list[list] = []
    for plant, district, station, kv, gtype, sizes, bs, pmin, src in PLANTS:
        bus = first_sub[station[1:]] if station.startswith("@") else f"{station} {kv}kV"
        for mw in sizes:
            # unit numbers continue across the 220 kV and 500 kV halves of one plant
            k = sum(1 for u in units if u[1] == plant) + 1
            q_min, q_max = reactive.unit_q_limits(gtype, float(mw))
            units.append([f"{plant} #{k}", plant, district, bus, gtype, float(mw), round(mw * pmin, 1),
                          bs, q_min, q_max, src + "; " + reactive.UNIT_Q_RULE])
    return units


def renewable_rows(units: list[list], residents: dict, first_sub: dict[str, str]) -> list[list]:
    """Small hydro, wind and solar aggregated per county."""
    big_hydro = sum(u[5] for u in units if u[4] == "hydro")
    agg: list[list] = []

    def spread(total: float, counties: list[str], gtype: str, rule: str) -> None:
        wsum = sum(residents[c] for c in counties)
        for c in counties:
            agg.append([f"{c[:-1] if len(c) > 2 else c} {gtype}(合计)", c, first_sub[c], gtype,
                        round(total * residents[c] / wsum, 1), SRC_TOTALS + "; " + rule])

    spread(HYDRO_TOTAL_MW - big_hydro, SMALL_HYDRO_COUNTIES, "small_hydro",
           "estimate: hydro total less the listed plants, spread over mountain counties by residents")
    spread(WIND_TOTAL_MW, WIND_COUNTIES, "wind", "estimate: spread over upland counties by residents")
    spread(SOLAR_TOTAL_MW, SOLAR_COUNTIES, "solar", "estimate: spread over hill counties by residents")
    return agg


def load_rows(stations: list[layer220.Station220], peak: dict, customers: dict) -> list[list]:
    """Four customer classes per station: load in proportion to the station's transformer
    capacity within its district, customers split evenly (the last station takes the rest)."""
    loads = []
    zone_of = {d[0]: d[6] for d in DISTRICTS}
    for name in (d[0] for d in DISTRICTS):
        zi = ZONE_ORDER.index(zone_of[name])
        lst = [s for s in stations if s.district == name]
        cats = IMPORTANT_BY_DISTRICT.get(name, IMPORTANT_DEFAULT)
        mva = sum(s.mva for s in lst)
        for si, s in enumerate(lst):
            sub_mw = peak[name] * s.mva / mva
            sub_cust = customers[name] // len(lst)
            if si == len(lst) - 1:
                sub_cust = customers[name] - sub_cust * (len(lst) - 1)
            other = {c[0]: round(sub_cust * c[4]) for c in LOAD_CLASSES if c[0] != "residential"}
            for cls, zh, prio, shares, _acc in LOAD_CLASSES:
                n_cust = other.get(cls, sub_cust - sum(other.values()))
                important = cats[si % len(cats)] if cls == "important" else ""
                loads.append([f"{s.short} {zh}", s.name, name, cls, prio, important,
                              round(sub_mw * shares[zi], 2), n_cust,
                              "estimate: district load split by station transformer capacity × class "
                              "share by zone; customers × account share by class"])
    return loads


def build(out: Path = OUT) -> None:
    """Derive and write every data file into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    residents, peak, customers, district_rows = district_figures()
    write_csv(out, "districts.csv", ["name", "name_en", "zone", "zone_desc", "residents", "lat", "lon",
                                     "industry_factor", "peak_load_mw", "customers", "key_area_default",
                                     "source", "load_source", "customers_source"], district_rows)
    outlines = read_outlines(out)
    stations = layer220.place_stations(DISTRICTS, peak, outlines)
    chains = layer220.build_chains(stations)
    subs = [[*row[:7], "", row[7]] for row in backbone_buses()]
    subs += [[s.name, "load220", s.district, 220, s.lat, s.lon, s.home, s.mva, s.source] for s in stations]
    write_csv(out, "substations.csv", ["name", "kind", "district", "vn_kv", "lat", "lon", "station",
                                       "transformer_mva", "source"], subs)
    write_csv(out, "lines.csv", ["name", "from_bus", "to_bus", "std_type", "length_km", "route_factor",
                                 "source"], line_rows({row[0]: (row[4], row[5]) for row in subs}, chains))
    write_csv(out, "line_types.csv", ["name", "vn_kv", "r_ohm_per_km", "x_ohm_per_km", "c_nf_per_km",
                                      "max_i_ka", "conductor", "source"], [list(t) for t in LINE_TYPES])
    write_csv(out, "transformers.csv", ["name", "hv_bus", "lv_bus", "sn_mva", "vn_hv_kv", "vn_lv_kv",
                                        "vk_percent", "vkr_percent", "pfe_kw", "i0_percent", "source"],
              layer220.transformer_rows(layer220.served_mw(chains)))
    first_sub = {}
    for s in stations:
        first_sub.setdefault(s.district, s.name)
    units = unit_rows(first_sub)
    write_csv(out, "units.csv", ["name", "plant", "district", "bus", "type", "p_max_mw", "p_min_mw",
                                 "black_start", "min_q_mvar", "max_q_mvar", "source"], units)
    write_csv(out, "renewables.csv", ["name", "district", "bus", "type", "p_max_mw", "source"],
              renewable_rows(units, residents, first_sub))
    it_rows = []
    for name, kind, station, cap, su, wi, va, src in INTERTIES:
        kv = 1000 if kind == "ac_uhv" else 500
        q_min, q_max = reactive.tie_q_limits(kind, float(cap))
        control, why = TIE_CONTROL[kind]
        it_rows.append([name, kind, f"{station} {kv}kV", float(cap), float(su), float(wi), float(va),
                        q_min, q_max, control, src + "; " + reactive.TIE_Q_RULE[kind] + "; " + why])
    write_csv(out, "interties.csv", ["name", "kind", "bus", "capacity_mw", "summer_peak_mw",
                                     "winter_peak_mw", "valley_mw", "min_q_mvar", "max_q_mvar", "control",
                                     "source"], it_rows)
    lv_rows = [[level, zh, *factors, hyd, wind, solar, LOSS_FACTOR, UNIT_VM_PU[level], src + VM_RULE]
               for level, zh, factors, hyd, wind, solar, src in LEVELS]
    write_csv(out, "load_levels.csv", ["level", "name_zh", *[f"factor_{z}" for z in ZONE_ORDER],
                                       "hydro_availability", "wind_availability", "solar_availability",
                                       "loss_factor", "unit_vm_pu", "source"], lv_rows)
    write_csv(out, "shunts.csv", ["name", "bus", "district", "kind", "mvar", "levels", "source"],
              reactive.shunt_rows(stations, {d[0]: d[6] for d in DISTRICTS}))
    write_csv(out, "transfers.csv", ["from_station", "to_station", "from_district", "to_district",
                                     "transfer_mw", "tie_km", "source"],
              transfers.transfer_rows(stations, chains))
    write_csv(out, "distribution.csv", ["name", "district", "station", "transformers", "sn_mva",
                                        "supply", "peak_mw", "customers", "line_km_110", "feeders",
                                        "feeder_km", "overhead_share", "source"],
              layer110.distribution_rows(stations, {d[0]: d[6] for d in DISTRICTS}, customers,
                                         outlines))
    write_csv(out, "loads.csv", ["name", "bus", "district", "load_class", "shed_priority",
                                 "important_user", "peak_p_mw", "customers", "source"],
              load_rows(stations, peak, customers))
