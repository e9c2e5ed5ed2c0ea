"""The grid model: a pandapower net of the Chongqing main grid, and the AC power flow.

:func:`chongqing_net` builds a **fresh** pandapower network of the Chongqing main grid (1000, 500
and 220 kV) at a chosen load level from the CSV files shipped in ``outage_sim/data/chongqing/``.
Every later stage reads only the annotations this module puts on the net, so a user's own net
works too once :func:`~outage_sim.grid.annotate_net` has annotated it
(:mod:`outage_sim.grid.annotate`).

Annotations (checked by :func:`~outage_sim.grid.check_annotations`):

``net.load``
    ``district`` (Chinese name), ``customers`` (supply accounts), ``shed_priority`` (place in the
    紧急限电序位表, emergency load-shedding priority table; 1 is cut first), ``important_user``
    (重要电力用户 category such as ``hospital`` or ``metro_rail``; empty if none), ``load_class``.
``net.bus``
    ``district``, ``lat``, ``lon`` (and pandapower's ``geo``).
``net.gen`` / ``net.sgen``
    ``role`` (``unit``, ``import`` or ``renewable``), ``plant``, ``district``, ``black_start``,
    ``intertie`` (the intertie's name for imports), ``control`` (imports: how the intertie answers
    a loss of supply — ``synchronous`` AC ties, ``emergency_support`` converters, ``fixed``
    infeeds; see ``interties.csv``).
``net["districts"]``
    one row per district: ``name``, ``name_en``, ``key_area`` (重点地区 default), ``lat``, ``lon``.
``net["meta"]``
    ``model``, ``model_version``, ``level``.

Notes
-----
Imports are not an infinite slack. Each intertie's scheduled transfer is an injection at its far
end (a PV generator at the Sichuan or Hubei equivalent bus; the ±800 kV DC infeed a static
injection at the 渝北 converter), so losing an intertie loses its import. The stability-control
system (安控) is assumed to cut a tripped channel's transfer rather than reroute it. The healthy
interties answer a loss elsewhere by their ``control``: the AC ties to Sichuan carry the
synchronous area's response and emergency support up to their rating, the 渝鄂 converters raise
their transfer up to their rating, the LCC infeed holds its schedule (the engine,
:mod:`outage_sim.engine.balance`, reads ``control`` and ``max_p_mw``). The angle
reference is one 珞璜 unit, and the units' AGC share of the losses is pandapower's distributed
slack over coal and gas units.

Every unit has a reactive capability (``units.csv`` ``min_q_mvar``/``max_q_mvar``: rated power
factor by type and size, 0.95 leading) and :func:`run_power_flow` enforces it. The AC ties' far
ends keep wide limits (± their capacity: the Sichuan system behind them), the VSC converters
± 0.4 × rating; aggregated small hydro, wind and solar are PQ injections at unity power factor.
Capacitor banks and shunt reactors (``shunts.csv``, optional) are switched in at the load levels
the file names.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandapower as pp
import pandas as pd

from outage_sim._version import __version__
from outage_sim.errors import DataFileError, InputError, ModelError
from outage_sim.grid.data import (
    GridData,
    level_load_mw,
    read_grid_data,
    shunt_banks,
)

MODEL_NAME = "chongqing-main-grid"
MODEL_VERSION = f"cq-2026.2+outage_sim-{__version__}"
LOAD_POWER_FACTOR = 0.97  # at 220 kV, after reactive compensation at lower voltages
UNIT_VM_PU = 1.03  # 500 kV units' voltage set point when load_levels.csv gives none
LOW_SIDE_VM_STEP = 0.01  # 220 kV units and interties hold their set point this much lower
REFERENCE_UNIT = "华能珞璜 #5"


def _level_row(data: GridData, level: str) -> pd.Series:
    levels = data["load_levels"].set_index("level")
    if level not in levels.index:
        raise InputError(f"level: unknown load level {level!r}; choose one of "
                         f"{', '.join(levels.index)}")
    return levels.loc[level]


def chongqing_net(level: str = "summer_peak", data_dir: str | Path | None = None) -> pp.pandapowerNet:
    """Build a fresh pandapower net of the Chongqing main grid at a load level.

    Parameters
    ----------
    level
        ``summer_peak`` (the 2025 record, ≈30 GW), ``winter_peak`` or ``valley``.
    data_dir
        Another folder of data files with the same layout (default: the shipped model).

    Returns
    -------
    pandapowerNet
        A new net on every call, annotated (see the module docstring) and dispatched: imports at
        their schedule, hydro and renewables at the level's availability, coal and gas sharing
        the rest in proportion to their headroom above minimum output.
    """
    data = read_grid_data(data_dir)
    lv = _level_row(data, level)
    net = pp.create_empty_network(name=f"Chongqing main grid ({level})", f_hz=50.0, sn_mva=100.0)
    bus = _add_buses(net, data["substations"])
    _add_lines(net, data, bus)
    _add_transformers(net, data["transformers"], bus)
    _add_loads(net, data, lv, bus)
    _add_generation(net, data, lv, level, bus)
    _add_shunts(net, shunt_banks(data.directory), level, bus)
    districts = data["districts"]
    net["districts"] = pd.DataFrame({
        "name": districts["name"], "name_en": districts["name_en"],
        "key_area": districts["key_area_default"].astype(bool),
        "lat": districts["lat"].astype(float), "lon": districts["lon"].astype(float)})
    net["meta"] = {"model": MODEL_NAME, "model_version": MODEL_VERSION, "level": level,
                   "level_zh": str(lv["name_zh"]), "data_dir": data.directory.name,
                   "loss_factor": float(lv["loss_factor"])}
    return net


BusLookup = Callable[[str, str], int]  # (bus name, data file naming it) → bus index


def _add_buses(net: pp.pandapowerNet, subs: pd.DataFrame) -> BusLookup:
    """One bus per row of ``substations.csv``; returns the lookup of buses by name."""
    if subs["name"].duplicated().any():
        dup = subs.loc[subs["name"].duplicated(), "name"].iloc[0]
        raise DataFileError(f"substations.csv: bus name {dup!r} appears twice")
    idx = pp.create_buses(net, len(subs), vn_kv=subs["vn_kv"].astype(float).to_numpy(),
                          name=subs["name"].tolist(), type="b",
                          geodata=list(zip(subs["lon"].astype(float), subs["lat"].astype(float))),
                          min_vm_pu=0.95, max_vm_pu=1.05)
    bus_of: dict[str, int] = dict(zip(subs["name"], (int(i) for i in idx)))
    net.bus["district"] = subs["district"].fillna("").to_numpy()
    net.bus["kind"] = subs["kind"].to_numpy()
    net.bus["station"] = subs["station"].to_numpy()
    net.bus["lat"] = subs["lat"].astype(float).to_numpy()
    net.bus["lon"] = subs["lon"].astype(float).to_numpy()
    if "transformer_mva" in subs:  # a load station's own transformation (220/110 kV), for the 容载比
        net.bus["transformer_mva"] = pd.to_numeric(subs["transformer_mva"], errors="coerce").to_numpy(float)

    def bus(name: str, file: str) -> int:
        try:
            return bus_of[name]
        except KeyError:
            raise DataFileError(f"{file}: no substation bus named {name!r}") from None

    return bus


def _add_lines(net: pp.pandapowerNet, data: GridData, bus: BusLookup) -> None:
    """The line types of ``line_types.csv`` and the circuits of ``lines.csv``."""
    for t in data["line_types"].itertuples(index=False):
        pp.create_std_type(net, {"r_ohm_per_km": t.r_ohm_per_km, "x_ohm_per_km": t.x_ohm_per_km,
                                 "c_nf_per_km": t.c_nf_per_km, "max_i_ka": t.max_i_ka, "type": "ol"},
                           name=t.name, element="line")
    lines = data["lines"]
    unknown = set(lines["std_type"]) - set(net.std_types["line"])
    if unknown:
        raise DataFileError(f"lines.csv: unknown std_type {min(unknown)!r}")
    pp.create_lines(net, [bus(b, "lines.csv") for b in lines["from_bus"]],
                    [bus(b, "lines.csv") for b in lines["to_bus"]],
                    length_km=lines["length_km"].astype(float).to_numpy(),
                    std_type=lines["std_type"].tolist(), name=lines["name"].tolist())
    net.line["voltage_kv"] = [float(net.bus.at[b, "vn_kv"]) for b in net.line.from_bus]


def _add_transformers(net: pp.pandapowerNet, tr: pd.DataFrame, bus: BusLookup) -> None:
    """The transformers of ``transformers.csv``."""
    pp.create_transformers_from_parameters(
        net, [bus(b, "transformers.csv") for b in tr["hv_bus"]],
        [bus(b, "transformers.csv") for b in tr["lv_bus"]],
        **{c: tr[c].astype(float).to_numpy() for c in ("sn_mva", "vn_hv_kv", "vn_lv_kv",
                                                       "vk_percent", "vkr_percent", "pfe_kw",
                                                       "i0_percent")},
        name=tr["name"].tolist())


def _add_loads(net: pp.pandapowerNet, data: GridData, lv: pd.Series, bus: BusLookup) -> None:
    """The loads of ``loads.csv`` at the level, with their annotations."""
    loads = data["loads"]
    # a level scales each load's peak by its district zone's factor for that level
    p = level_load_mw(data, str(lv.name))
    q = p * np.tan(np.arccos(LOAD_POWER_FACTOR))
    pp.create_loads(net, [bus(b, "loads.csv") for b in loads["bus"]], p_mw=p, q_mvar=q,
                    name=loads["name"].tolist())
    for col in ("district", "load_class", "shed_priority", "important_user", "customers"):
        net.load[col] = loads[col].to_numpy()
    net.load["customers"] = net.load["customers"].astype(np.int64)
    net.load["shed_priority"] = net.load["shed_priority"].astype(np.int64)


def _add_generation(net: pp.pandapowerNet, data: GridData, lv: pd.Series, level: str,
                    bus: BusLookup) -> None:
    """Create units, aggregated renewables and interties, and dispatch them for the level."""
    avail = {"hydro": float(lv["hydro_availability"]), "small_hydro": float(lv["hydro_availability"]),
             "wind": float(lv["wind_availability"]), "solar": float(lv["solar_availability"])}
    total_load = float(net.load.p_mw.sum())
    target = total_load * (1.0 + float(lv["loss_factor"]))

    # 逆调压: the level's set point (lower in the valley, when the long 220 kV lines' charging
    # lifts the voltage); levels.csv without the column keep the former 1.03 pu
    vm_hv = float(lv["unit_vm_pu"]) if "unit_vm_pu" in lv and pd.notna(lv["unit_vm_pu"]) else UNIT_VM_PU
    imports = data["interties"]
    _add_interties(net, imports, level, vm_hv, bus)
    import_mw = float(imports[f"{level}_mw"].sum())

    ren = data["renewables"]
    unknown = set(ren["type"]) - set(avail)
    if unknown:
        raise DataFileError(f"renewables.csv: unknown type {min(unknown)!r}")
    ren_p = (ren["p_max_mw"] * ren["type"].map(avail)).to_numpy(float)
    pp.create_sgens(net, [bus(b, "renewables.csv") for b in ren["bus"]], p_mw=ren_p, q_mvar=0.0,
                    name=ren["name"].tolist(), type=ren["type"].tolist(),
                    max_p_mw=ren["p_max_mw"].astype(float).to_numpy(), min_p_mw=0.0)
    ren_mw = float(ren_p.sum())

    units = data["units"].copy()
    hydro = units["type"] == "hydro"
    p = np.where(hydro, np.maximum(units["p_max_mw"] * avail["hydro"], units["p_min_mw"]), 0.0)
    thermal = ~hydro.to_numpy()
    need = target - import_mw - ren_mw - float(p[hydro.to_numpy()].sum())
    committed = _commit(units, thermal, need)
    pmin = units["p_min_mw"].to_numpy(float)
    pmax = units["p_max_mw"].to_numpy(float)
    head = np.where(committed, pmax - pmin, 0.0)
    if need > float(pmax[committed].sum()):
        raise ModelError(f"level {level!r}: demand {target:.0f} MW exceeds generation and import "
                         f"({need - pmax[committed].sum():.0f} MW short)")
    share = (need - pmin[committed].sum()) / head.sum()
    p = np.where(committed, pmin + share * head, p)
    on = hydro.to_numpy() | committed
    ubus = [bus(b, "units.csv") for b in units["bus"]]
    pp.create_gens(net, ubus, p_mw=np.where(on, p, 0.0),
                   vm_pu=np.where(net.bus.loc[ubus, "vn_kv"].to_numpy() >= 500, vm_hv,
                                  vm_hv - LOW_SIDE_VM_STEP),
                   name=units["name"].tolist(), type=units["type"].tolist(), max_p_mw=pmax,
                   min_p_mw=pmin, in_service=on, slack=(units["name"] == REFERENCE_UNIT).to_numpy(),
                   slack_weight=np.where(thermal & on, pmax, 0.0), controllable=True,
                   **_q_limits(units))
    n_imp = len(imports) - int((imports["kind"] == "dc_infeed").sum())
    gen_role = ["import"] * n_imp + ["unit"] * len(units)
    net.gen["role"] = gen_role
    net.gen["plant"] = [""] * n_imp + units["plant"].tolist()
    net.gen["district"] = [""] * n_imp + units["district"].tolist()
    net.gen["black_start"] = [False] * n_imp + units["black_start"].astype(bool).tolist()
    net.gen["intertie"] = imports.loc[imports["kind"] != "dc_infeed", "name"].tolist() + [""] * len(units)
    control = imports["control"] if "control" in imports else pd.Series("fixed", index=imports.index)
    net.gen["control"] = control[imports["kind"] != "dc_infeed"].tolist() + [""] * len(units)
    n_dc = len(net.sgen) - len(ren)
    net.sgen["role"] = ["import"] * n_dc + ["renewable"] * len(ren)
    net.sgen["plant"] = [""] * n_dc + ren["name"].tolist()
    net.sgen["district"] = [""] * n_dc + ren["district"].tolist()
    net.sgen["black_start"] = False
    net.sgen["intertie"] = imports.loc[imports["kind"] == "dc_infeed", "name"].tolist() + [""] * len(ren)
    net.sgen["control"] = control[imports["kind"] == "dc_infeed"].tolist() + [""] * len(ren)
    if not (net.gen.slack & net.gen.in_service).any():
        raise DataFileError(f"units.csv: reference unit {REFERENCE_UNIT!r} missing or not committed")


def _q_limits(table: pd.DataFrame) -> dict[str, np.ndarray]:
    """``min_q_mvar``/``max_q_mvar`` of a units or interties table when it carries them (a row
    left empty has none: NaN, unlimited)."""
    return {c: pd.to_numeric(table[c], errors="coerce").to_numpy(float)
            for c in ("min_q_mvar", "max_q_mvar") if c in table}


def _add_interties(net: pp.pandapowerNet, imports: pd.DataFrame, level: str, vm_hv: float,
                   bus: BusLookup) -> None:
    """Each intertie's scheduled transfer at its far end: the DC infeed a static injection, the
    AC ties and VSC converters PV generators within their reactive limits (wide for the AC ties:
    the Sichuan system behind them)."""
    col = f"{level}_mw"
    if col not in imports:
        raise DataFileError(f"interties.csv: missing column {col} for load level {level!r}")
    q_lims = _q_limits(imports)
    for i, row in enumerate(imports.itertuples(index=False)):
        p_mw = float(getattr(row, col))
        b = bus(row.bus, "interties.csv")
        if row.kind == "dc_infeed":
            # LCC converter: fixed power, reactive power balanced by its own filters
            pp.create_sgen(net, b, p_mw=p_mw, q_mvar=0.0, name=row.name, type=row.kind,
                           max_p_mw=float(row.capacity_mw), min_p_mw=0.0)
        else:
            q = {c: float(v[i]) for c, v in q_lims.items() if not np.isnan(v[i])}
            pp.create_gen(net, b, p_mw=p_mw, vm_pu=vm_hv - LOW_SIDE_VM_STEP, name=row.name, type=row.kind,
                          max_p_mw=float(row.capacity_mw), min_p_mw=-float(row.capacity_mw), **q)


def _add_shunts(net: pp.pandapowerNet, shunts: pd.DataFrame, level: str, bus: BusLookup) -> None:
    """The capacitor banks and shunt reactors of ``shunts.csv``, in service at their levels."""
    for row in shunts.itertuples(index=False):
        on = level in {s.strip() for s in str(row.levels).split(";")}
        sign = -1.0 if row.kind == "capacitor" else 1.0  # pandapower: q_mvar > 0 absorbs
        pp.create_shunt(net, bus(row.bus, "shunts.csv"), q_mvar=sign * float(row.mvar), p_mw=0.0,
                        name=row.name, in_service=on)


DOWN_RESERVE = 0.05  # share of the thermal need kept above the units' minimum output for AGC


def _commit(units: pd.DataFrame, thermal: np.ndarray, need: float) -> np.ndarray:
    """Thermal units on line: all of them, unless their minimum output leaves less than
    ``DOWN_RESERVE`` of the need for regulation downwards; then gas first and then the smallest
    coal units go off until the rest fits."""
    committed = thermal.copy()
    pmin = units["p_min_mw"].to_numpy(float)
    order = sorted(np.flatnonzero(thermal),
                   key=lambda i: (units["type"].iat[i] != "gas", units["p_max_mw"].iat[i], -i))
    for i in order:
        if pmin[committed].sum() <= need * (1.0 - DOWN_RESERVE):
            break
        if units["name"].iat[i] != REFERENCE_UNIT:
            committed[i] = False
    return committed


def run_power_flow(net: pp.pandapowerNet) -> bool:
    """Run an AC power flow (Newton-Raphson, distributed slack over the AGC units) in place,
    holding every generator within its reactive limits (``min_q_mvar``/``max_q_mvar``; a unit at
    a limit leaves its voltage set point, as a PQ unit).

    Returns ``True`` when it converged; on divergence the result tables are left empty and
    ``False`` is returned (the caller decides what that means; nothing is hidden).
    """
    distributed = bool((net.gen.slack_weight > 0).any()) if "slack_weight" in net.gen else False
    try:
        # lightsim2grid's Newton solver (pandapower's default when installed) does not take a
        # distributed slack over PV units; pandapower's own does
        pp.runpp(net, distributed_slack=distributed, init="dc", max_iteration=30,
                 numba=False, lightsim2grid=False if distributed else "auto", enforce_q_lims=True)
    except pp.LoadflowNotConverged:
        return False
    return bool(net.converged)


def import_mw(net: pp.pandapowerNet) -> float:
    """Scheduled import over all in-service interties (MW)."""
    total = 0.0
    for table in (net.gen, net.sgen):
        if "role" in table:
            sel = (table["role"] == "import") & table["in_service"]
            total += float(table.loc[sel, "p_mw"].sum())
    return total
