"""Per-component failure probabilities of each hazard, and the heat wave's changes to the net.

Every ``*_table`` function takes ``(net, context, spec)`` and returns one row per exposed
component with the columns of :data:`TABLE_COLUMNS`:

``element``, ``index``, ``name``
    The pandapower element.
``p_fail``
    Its probability of failing in this hazard.
``reason``
    Readable, with the driving number (``ice 30 mm vs 10 mm design ...``).
``cause``
    ``ice``, ``wind``, ``earthquake``, ``flood``, ``landslide``, ``external_damage``, ``heat``.
``group``
    Rows with the same group share one uniform draw (the buses and first transformer of one
    substation in an earthquake or flood; the units of one plant). Otherwise rows are independent.
``choose``
    0, or k > 0 on a set of rows of which exactly k fail (a count of random lines).
``intensity``
    The hazard's number at the component (mm, m/s, g, m, mm/24 h; NaN when not meaningful).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from outage_sim.errors import DataFileError, InputError
from outage_sim.hazards.data import by_voltage, district_zones, parameter
from outage_sim.hazards.faults import resolve_fault
from outage_sim.hazards.fragility import (
    DAMAGE_STATES,
    flood_p,
    hazus_exceedance,
    ice_load_ratio,
    ice_p_per_km,
    mw_to_ms,
    rainfall_p_per_km,
    tower_wind_p,
    yu2013_pga_g,
)
from outage_sim.hazards.geo import HazardContext, distance_km, distance_to_polyline_km
from outage_sim.hazards.specs import (
    Earthquake,
    ExternalDamage,
    Flood,
    HeatWave,
    IceStorm,
    Landslide,
    WindStorm,
)

if TYPE_CHECKING:  # pandapower only in annotations: array workers never load it
    import pandapower as pp

TABLE_COLUMNS = ("element", "index", "name", "p_fail", "reason", "cause", "group", "choose",
                 "intensity")


def empty_table() -> pd.DataFrame:
    """A probability table with no rows."""
    return _table([], [], [], [], [], "", [], np.nan)


def _table(element, index, name, p, reason, cause, group, intensity, choose=0,
           **extra) -> pd.DataFrame:
    n = len(index)
    out = pd.DataFrame({
        "element": np.broadcast_to(np.asarray(element, dtype=object), (n,)),
        "index": np.asarray(index, dtype=np.int64), "name": np.asarray(name, dtype=object),
        "p_fail": np.clip(np.asarray(p, dtype=float), 0.0, 1.0), "reason": list(reason),
        "cause": cause, "group": np.asarray(group, dtype=np.int64),
        "choose": np.broadcast_to(np.asarray(choose, dtype=np.int64), (n,)),
        "intensity": np.broadcast_to(np.asarray(intensity, dtype=float), (n,))})
    for key, val in extra.items():
        out[key] = val
    return out


def _pct(p: float) -> str:
    return f"{p:.2f}" if p >= 0.005 or p == 0 else f"{p:.1e}"


# ---------------------------------------------------------------------------------------------
# Line hazards over districts (ice, wind, landslide)
# ---------------------------------------------------------------------------------------------
def _route_columns(ctx: HazardContext, levels: dict[str, float]) -> tuple[list[str], np.ndarray,
                                                                         np.ndarray]:
    names = [d for d in levels if d in ctx.districts]
    cols = [ctx.districts.index(d) for d in names]
    return names, ctx.exposure_km[:, cols], np.array([levels[d] for d in names], dtype=float)


def _route_fail(exposed_km: np.ndarray, p_unit: np.ndarray, unit_km: float) -> np.ndarray:
    """P(line fails) when each ``unit_km`` of route in each district fails with ``p_unit``."""
    p = np.clip(p_unit, 0.0, 1.0 - 1e-15)
    return -np.expm1((exposed_km / unit_km * np.log1p(-p)).sum(axis=1))


def _where(names: list[str], km: np.ndarray) -> str:
    parts = [(km[j], names[j]) for j in np.flatnonzero(km > 0)]
    parts.sort(reverse=True)
    shown = "/".join(n for _, n in parts[:3]) + ("/…" if len(parts) > 3 else "")
    return f"{km.sum():.0f} km in {shown}"


def shared_towers(names: pd.Series) -> np.ndarray:
    """Group codes: circuits of one corridor (``'A-B 220kV #1'``, ``'... #2'``) hang on the same
    towers (同塔多回), so a collapsed tower or a slope failure takes them together."""
    corridor = names.astype(str).str.rsplit(" #", n=1).str[0]
    return pd.factorize(corridor, sort=False)[0]


def ice_table(net: pp.pandapowerNet, ctx: HazardContext, spec: IceStorm) -> pd.DataFrame:
    """Lines with route in the iced districts; P(fail) = 1 − Π(1 − p_km(ice))^km."""
    prm = ctx.params("ice_storm")
    names, km, thick = _route_columns(ctx, spec.levels())
    lines = ctx.lines
    sel = np.flatnonzero(km.sum(axis=1) > 0)
    if not len(sel):
        return empty_table()
    km, vn = km[sel], lines["vn_kv"].to_numpy(float)[sel]
    design = by_voltage(parameter(prm, "design_ice_mm", "ice_storm"), vn, "ice_storm",
                        "design_ice_mm")
    diam = by_voltage(parameter(prm, "conductor_diameter_mm", "ice_storm"), vn, "ice_storm",
                      "conductor_diameter_mm")
    pkm = ice_p_per_km(thick[None, :], design[:, None], diam[:, None],
                       float(prm["median_load_ratio"]), float(prm["beta"]),
                       float(prm["p_per_km_max"]))
    p = _route_fail(km, pkm, 1.0)
    worst = np.where(km > 0, thick[None, :], -1.0).max(axis=1)
    ratio = ice_load_ratio(worst, design, diam)
    reason = [f"ice {w:g} mm vs {d:g} mm design (load ×{r:.1f}) over {_where(names, k)}: "
              f"P(fail)={_pct(q)} (tower collapse or conductor break)"
              for w, d, r, k, q in zip(worst, design, ratio, km, p)]
    rows = lines.iloc[sel]
    return _table("line", rows["index"], rows["name"], p, reason, "ice", shared_towers(rows["name"]),
                  worst, exposure_km=km.sum(axis=1))


def wind_table(net: pp.pandapowerNet, ctx: HazardContext, spec: WindStorm) -> pd.DataFrame:
    """Lines with route in the windy districts; P(fail) = 1 − Π(1 − P_tower(V))^(km / spacing)."""
    prm = ctx.params("wind_storm")
    names, km, gust = _route_columns(ctx, spec.levels())
    sel = np.flatnonzero(km.sum(axis=1) > 0)
    if not len(sel):
        return empty_table()
    km = km[sel]
    spacing = float(parameter(prm, "tower_spacing_km", "wind_storm"))
    ptower = tower_wind_p(gust, float(prm["v50_ms"]), float(prm["slope"]))
    p = _route_fail(km, np.broadcast_to(ptower, km.shape), spacing)
    worst = np.where(km > 0, gust[None, :], -1.0).max(axis=1)
    pw = tower_wind_p(worst, float(prm["v50_ms"]), float(prm["slope"]))
    reason = [f"gust {v:g} m/s: P(tower)={_pct(t)} × {k.sum() / spacing:.0f} towers over "
              f"{_where(names, k)}: P(fail)={_pct(q)}" for v, t, k, q in zip(worst, pw, km, p)]
    rows = ctx.lines.iloc[sel]
    return _table("line", rows["index"], rows["name"], p, reason, "wind", shared_towers(rows["name"]),
                  worst, exposure_km=km.sum(axis=1))


def landslide_districts(ctx: HazardContext, spec: Landslide) -> list[str]:
    """The spec's districts, or the model's mountain counties by default."""
    if spec.districts is not None:
        return list(spec.districts)
    zone = str(parameter(ctx.params("landslide"), "default_zone", "landslide"))
    return [d for d, z in district_zones().items() if z == zone]


def landslide_table(net: pp.pandapowerNet, ctx: HazardContext, spec: Landslide) -> pd.DataFrame:
    """Lines with route in the rain districts; P(fail) = 1 − Π(1 − p_km(rain))^km."""
    prm = ctx.params("landslide")
    names, km, rain = _route_columns(ctx, spec.levels(landslide_districts(ctx, spec)))
    sel = np.flatnonzero(km.sum(axis=1) > 0)
    if not len(sel):
        return empty_table()
    km = km[sel]
    pkm = rainfall_p_per_km(rain, float(prm["rainfall50_mm_24h"]), float(prm["beta"]),
                            float(prm["p_per_km_max"]))
    p = _route_fail(km, np.broadcast_to(pkm, km.shape), 1.0)
    worst = np.where(km > 0, rain[None, :], -1.0).max(axis=1)
    reason = [f"rain {r:g} mm/24h, slope failure under towers over {_where(names, k)}: "
              f"P(fail)={_pct(q)}" for r, k, q in zip(worst, km, p)]
    rows = ctx.lines.iloc[sel]
    return _table("line", rows["index"], rows["name"], p, reason, "landslide",
                  shared_towers(rows["name"]), worst, exposure_km=km.sum(axis=1))


# ---------------------------------------------------------------------------------------------
# Earthquake
# ---------------------------------------------------------------------------------------------
def earthquake_ms(spec: Earthquake, prm: dict) -> float:
    """The spec's magnitude on the Ms scale of the ground-motion relation."""
    if spec.magnitude_scale == "Mw":
        return mw_to_ms(spec.magnitude, prm["mw_to_ms"])
    return float(spec.magnitude)


def earthquake_pga(spec: Earthquake, lat, lon, prm: dict) -> np.ndarray:
    """Median PGA (g) at sites ``lat``, ``lon`` for a spec, with ``earthquake.yaml``'s numbers."""
    region = str(parameter(prm, "region", "earthquake"))
    coeffs = parameter(prm, "coefficients", "earthquake")
    if region not in coeffs:
        raise DataFileError(f"earthquake.yaml: region {region!r} has no coefficients "
                            f"(have {', '.join(coeffs)})")
    repi = distance_km(spec.lat, spec.lon, np.asarray(lat, float), np.asarray(lon, float))
    return yu2013_pga_g(earthquake_ms(spec, prm), repi, spec.depth_km, coeffs[region],
                        float(prm["magnitude_switch"]))


def earthquake_table(net: pp.pandapowerNet, ctx: HazardContext, spec: Earthquake) -> pd.DataFrame:
    """Station buses (P(≥ extensive)), first transformers (P(≥ moderate)) and plant units."""
    prm = ctx.params("earthquake")
    curves = parameter(prm, "fragility", "earthquake")
    cls = parameter(prm, "substation_class", "earthquake")
    rule = parameter(prm, "outage_rule", "earthquake")
    extra = float(prm["sigma_ln"]) if prm.get("use_sigma") else 0.0
    ms = earthquake_ms(spec, prm)
    st = ctx.stations
    pga = earthquake_pga(spec, st["lat"], st["lon"], prm)
    hv = st["vn_kv"].to_numpy(float) >= float(cls["high_voltage_kv"])
    klass = np.where(hv, cls["high_voltage"], cls["medium_voltage"])
    exc = np.zeros((len(st), len(DAMAGE_STATES)))
    for name in set(klass):
        if name not in curves:
            raise DataFileError(f"earthquake.yaml: no fragility curves for class {name!r}")
        m = klass == name
        exc[m] = hazus_exceedance(pga[m], curves[name], extra)
    k_out = DAMAGE_STATES.index(rule["substation_out"])
    k_tr = DAMAGE_STATES.index(rule["transformer_out"])
    dist = distance_km(spec.lat, spec.lon, st["lat"].to_numpy(float), st["lon"].to_numpy(float))
    head = [f"PGA {g:.2f} g (Ms {ms:.1f} at {d:.0f} km, depth {spec.depth_km:g} km); HAZUS "
            f"{c.replace('_', ' ')}" for g, d, c in zip(pga, dist, klass)]
    parts = []
    # a station's buses fail from one damage state, its first transformer from a lower one;
    # both share the station's draw (group = station)
    for element, rows, k, outcome, facility in (
            ("bus", ctx.station_buses, k_out, "substation out", "substation"),
            ("trafo", ctx.station_trafo, k_tr, "one transformer out", "transformer")):
        s = rows["station"].to_numpy()
        parts.append(_table(element, rows["index"], rows["name"], exc[s, k],
                            [f"{head[i]}: P(≥{DAMAGE_STATES[k]})={_pct(exc[i, k])} → {outcome}"
                             for i in s], "earthquake", s, pga[s],
                            **{f"p_{n}": exc[s, j] for j, n in enumerate(DAMAGE_STATES)},
                            station=st["key"].to_numpy()[s], facility=facility))
    pl, units = ctx.plants, ctx.plant_units
    if len(units):
        gname = str(parameter(prm, "plant_class", "earthquake"))
        k_pl = DAMAGE_STATES.index(rule["plant_out"])
        gpga = earthquake_pga(spec, pl["lat"], pl["lon"], prm)
        gexc = hazus_exceedance(gpga, curves[gname], extra)
        gd = distance_km(spec.lat, spec.lon, pl["lat"].to_numpy(float), pl["lon"].to_numpy(float))
        q = units["plant"].to_numpy()
        parts.append(_table(
            "gen", units["index"], units["name"], gexc[q, k_pl],
            [f"PGA {gpga[i]:.2f} g at plant {pl['key'].iat[i]} ({gd[i]:.0f} km); HAZUS "
             f"{gname.replace('_', ' ')}: P(≥{DAMAGE_STATES[k_pl]})={_pct(gexc[i, k_pl])} → "
             f"plant down" for i in q], "earthquake", len(st) + q, gpga[q],
            **{f"p_{n}": gexc[q, j] for j, n in enumerate(DAMAGE_STATES)},
            station=pl["key"].to_numpy()[q], facility="plant"))
    return pd.concat(parts, ignore_index=True)


# ---------------------------------------------------------------------------------------------
# Flood
# ---------------------------------------------------------------------------------------------
def flood_rise_m(spec: Flood, prm: dict) -> float:
    """Water rise above normal (m): the spec's, or its return period's from ``flood.yaml``.

    Interpolated linearly in log(return period) through (1 yr, 0 m) and the tabulated points,
    extrapolated with the last slope beyond the table.
    """
    if spec.water_rise_m is not None:
        return float(spec.water_rise_m)
    table = parameter(prm, "return_period_rise_m", "flood").get(spec.river)
    if not table:
        raise DataFileError(f"flood.yaml: no return_period_rise_m for river {spec.river!r}")
    t = np.log(np.array([1.0] + sorted(float(k) for k in table)))
    h = np.array([0.0] + [float(table[k]) for k in sorted(table, key=float)])
    x = np.log(float(spec.return_period_yr))
    if x > t[-1]:
        return float(h[-1] + (h[-1] - h[-2]) / (t[-1] - t[-2]) * (x - t[-1]))
    return float(np.interp(x, t, h))


def flood_table(net: pp.pandapowerNet, ctx: HazardContext, spec: Flood) -> pd.DataFrame:
    """Buses of stations within reach of the river; P(fail) from water rise vs estimated margin."""
    prm = ctx.params("flood")
    river = parameter(prm, "rivers", "flood")[spec.river]
    rise = flood_rise_m(spec, prm)
    st = ctx.stations
    dist = distance_to_polyline_km(st["lat"].to_numpy(float), st["lon"].to_numpy(float),
                                   np.array([pt[:2] for pt in river["points"]], dtype=float))
    near = dist <= float(prm["max_distance_km"])
    if spec.districts is not None:
        near &= st["district"].isin(spec.districts).to_numpy()
    overrides = prm.get("margin_overrides_m") or {}
    margin = float(prm["base_margin_m"]) + float(prm["margin_per_km_m"]) * dist
    margin = np.array([float(overrides.get(k, m)) for k, m in zip(st["key"], margin)])
    p_station = flood_p(rise, margin, float(prm["margin_band_m"]))
    b = ctx.station_buses
    s = b["station"].to_numpy()
    keep = near[s]
    b, s = b[keep], s[keep]
    how = f"{spec.river} +{rise:.1f} m above normal" + (
        f" ({spec.return_period_yr:g}-yr flood)" if spec.return_period_yr is not None else "")
    reason = [f"{how} vs estimated margin {margin[i]:.1f} m ({dist[i]:.1f} km from the river): "
              f"P(flooded)={_pct(p_station[i])} → substation out" for i in s]
    return _table("bus", b["index"], b["name"], p_station[s], reason, "flood", s, rise,
                  station=st["key"].to_numpy()[s], margin_m=margin[s], river_km=dist[s])


# ---------------------------------------------------------------------------------------------
# External damage
# ---------------------------------------------------------------------------------------------
def external_table(net: pp.pandapowerNet, ctx: HazardContext, spec: ExternalDamage
                   ) -> pd.DataFrame:
    """Named components with P = 1, and/or a set of candidate lines of which ``count`` fail."""
    prm = ctx.params("external_damage")
    what = parameter(prm, "agents", "external_damage").get(spec.agent, spec.agent)
    parts = []
    for i, ref in enumerate(spec.components):
        try:
            outs = resolve_fault(net, ref.kind, ref.name, reason=f"{what}: named in the scenario",
                                 cause="external_damage")
        except InputError as exc:
            raise InputError(f"external_damage.components[{i}].{ref.kind}: {exc}") from None
        parts.append(_table([o.element for o in outs], [o.index for o in outs],
                            [o.name for o in outs], np.ones(len(outs)), [o.reason for o in outs],
                            "external_damage", np.zeros(len(outs)), np.nan))
    if spec.count:
        kv = float(spec.voltage_kv if spec.voltage_kv is not None else prm["default_voltage_kv"])
        ln = ctx.lines
        cand = np.isclose(ln["vn_kv"].to_numpy(float), kv)
        where = "the model"
        if spec.districts is not None:
            cand &= (ln["district"].isin(spec.districts) | ln["district2"].isin(spec.districts)
                     ).to_numpy()
            where = "/".join(spec.districts)
        rows = ln[cand]
        if spec.count > len(rows):
            raise InputError(f"external_damage.count: only {len(rows)} {kv:g} kV lines touch "
                             f"{where}, asked for {spec.count}")
        p = spec.count / len(rows)
        reason = [f"{what}: {spec.count} of {len(rows)} {kv:g} kV lines in {where} hit at random "
                  f"(P={_pct(p)} each)"] * len(rows)
        parts.append(_table("line", rows["index"], rows["name"], np.full(len(rows), p), reason,
                            "external_damage", np.zeros(len(rows)), np.nan, choose=spec.count))
    table = pd.concat(parts, ignore_index=True) if parts else empty_table()
    table["group"] = np.arange(len(table))
    return table


# ---------------------------------------------------------------------------------------------
# Heat wave
# ---------------------------------------------------------------------------------------------
def heat_uplift_pct(spec: HeatWave, prm: dict) -> float | dict[str, float]:
    """Demand uplift (%): the spec's, or derived from its temperature by ``heat_wave.yaml``."""
    if spec.demand_uplift_pct is not None:
        return spec.demand_uplift_pct
    if spec.max_temperature_c is None:
        return 0.0
    above = max(0.0, spec.max_temperature_c - float(prm["temperature_threshold_c"]))
    return above * float(prm["demand_pct_per_degc"])


def apply_heat_wave(net: pp.pandapowerNet, spec: HeatWave, ctx: HazardContext) -> tuple[str, ...]:
    """Change ``net`` in place for a heat wave (call it on the working copy).

    Loads ``p_mw``/``q_mvar`` × (1 + uplift of their district's zone); coal/gas and hydro units'
    ``max_p_mw`` × (1 − derating) with ``p_mw`` capped at it (small hydro ``sgen`` too); every
    intertie's scheduled ``p_mw`` × ``import_scale``, capped at its ``max_p_mw``; with a scale of 1
    or less the neighbours are short too, so the interties' ``max_p_mw`` (the emergency support
    the engine may draw, :data:`outage_sim.grid.RAISING_CONTROLS`) falls to that schedule.

    Returns
    -------
    tuple of str
        One note per change with the MW involved.
    """
    prm = ctx.params("heat_wave")
    notes = []
    uplift = heat_uplift_pct(spec, prm)
    zone = net.load["district"].astype(str).map(district_zones()) if "district" in net.load \
        else pd.Series(np.nan, index=net.load.index)
    pct = (zone.map(uplift).fillna(0.0).to_numpy(float) if isinstance(uplift, dict)
           else np.full(len(net.load), float(uplift)))
    before = float(net.load["p_mw"].sum())
    net.load["p_mw"] = net.load["p_mw"].to_numpy(float) * (1 + pct / 100.0)
    net.load["q_mvar"] = net.load["q_mvar"].to_numpy(float) * (1 + pct / 100.0)
    after = float(net.load["p_mw"].sum())
    if after != before:
        src = ("" if spec.demand_uplift_pct is not None
               else f" from {spec.max_temperature_c:g} °C")
        notes.append(f"heat wave: demand +{after - before:.0f} MW ({before:.0f} → {after:.0f} MW, "
                     f"+{(after / before - 1) * 100:.1f}%{src})")
    for label, types, pct_d in (("thermal", prm["thermal_types"], spec.thermal_derate_pct),
                                ("hydro", prm["hydro_types"], spec.hydro_derate_pct)):
        if not pct_d:
            continue
        lost = 0.0
        for table in ("gen", "sgen"):
            t = net[table]
            if not len(t) or "type" not in t:
                continue
            role = t["role"].astype(str) if "role" in t else pd.Series("unit", index=t.index)
            m = t["type"].astype(str).isin(types) & (role != "import")
            if not m.any():
                continue
            old = t.loc[m, "max_p_mw"].to_numpy(float)
            new = old * (1 - pct_d / 100.0)
            lost += float((old - new)[t.loc[m, "in_service"].to_numpy(bool)].sum())
            t.loc[m, "max_p_mw"] = new
            t.loc[m, "p_mw"] = np.minimum(t.loc[m, "p_mw"].to_numpy(float), new)
        notes.append(f"heat wave: {label} capacity derated {pct_d:g}% (−{lost:.0f} MW in service)")
    if spec.import_scale != 1.0:
        before = after = 0.0
        for table in ("gen", "sgen"):
            t = net[table]
            if "role" not in t:
                continue
            m = (t["role"].astype(str) == "import") & t["in_service"].astype(bool)
            old = t.loc[m, "p_mw"].to_numpy(float)
            new = np.minimum(old * spec.import_scale, t.loc[m, "max_p_mw"].to_numpy(float))
            t.loc[m, "p_mw"] = new
            if spec.import_scale <= 1.0:  # the neighbours are short too: nothing to spare
                t.loc[m, "max_p_mw"] = new
            before, after = before + float(old.sum()), after + float(new.sum())
        notes.append(f"heat wave: imports × {spec.import_scale:g} ({before:.0f} → {after:.0f} MW)")
    return tuple(notes)


def heat_table(net: pp.pandapowerNet, ctx: HazardContext, spec: HeatWave) -> pd.DataFrame:
    """In-service units, each tripping with ``unit_trip_prob``."""
    if spec.unit_trip_prob <= 0:
        return empty_table()
    g = net.gen
    role = g["role"].astype(str) if "role" in g else pd.Series("unit", index=g.index)
    units = g[(role == "unit") & g["in_service"].astype(bool)]
    p = float(spec.unit_trip_prob)
    why = f"heat wave: unit trip (cooling water/air too hot; P={_pct(p)} per unit)"
    reason = [why] * len(units)
    return _table("gen", units.index, units["name"].astype(str), np.full(len(units), p), reason,
                  "heat", np.arange(len(units)), np.nan)


TABLES = {"ice_storm": ice_table, "wind_storm": wind_table, "landslide": landslide_table,
          "earthquake": earthquake_table, "flood": flood_table, "external_damage": external_table,
          "heat_wave": heat_table}
