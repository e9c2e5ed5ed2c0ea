"""Summary and structural statistics of an annotated grid model.

The structural figures follow the validation criteria for synthetic grids of Birchfield et al.,
"Grid structural characteristics as validation criteria for synthetic networks", IEEE Trans.
Power Systems 32(4), 2017: node degree, line lengths and branch impedances by voltage level. The
degree is counted on the bus graph with parallel circuits merged (one connection per bus pair),
as in that paper; the count with every circuit is given beside it.
"""

from __future__ import annotations

import copy

import networkx as nx
import numpy as np
import pandapower as pp
import pandas as pd

from outage_sim.grid.layers import bus_graph as _merged_graph
from outage_sim.grid.layers import capacity_ratio, layer_table, sole_supply, topology
from outage_sim.grid.annotate import check_annotations
from outage_sim.grid.model import import_mw, run_power_flow

# Birchfield et al. 2017, Table I: mean node degree of real grids lies in this band.
MEAN_DEGREE_RANGE = (2.3, 3.3)


def _quantiles(values: np.ndarray) -> dict[str, float]:
    if len(values) == 0:
        return {}
    q = np.quantile(values, [0.0, 0.1, 0.5, 0.9, 1.0])
    out = dict(zip(("min", "p10", "median", "p90", "max"), q.tolist()))
    out["mean"] = float(np.mean(values))
    return {k: float(f"{v:.4g}") for k, v in out.items()}


def bus_graph(net: pp.pandapowerNet, *, multi: bool = False) -> nx.Graph:
    """The in-service bus graph (lines and transformers), parallel circuits merged unless ``multi``."""
    if not multi:
        return _merged_graph(net)
    return pp.topology.create_nxgraph(net, respect_switches=True, include_out_of_service=False)


def structure(net: pp.pandapowerNet) -> dict:
    """Degree, line-length and impedance distributions of the net (in-service branches).

    Returns
    -------
    dict
        ``degree`` (mean, mean with every circuit, max, histogram, within Birchfield's band),
        ``line_length_km`` and ``impedance`` (x/r ratio and x in per unit on 100 MVA) per voltage
        level, ``connected_components``.
    """
    g = bus_graph(net)
    gm = bus_graph(net, multi=True)
    deg = np.array([d for _, d in g.degree()])
    hist = np.bincount(deg) if len(deg) else np.array([], dtype=int)
    lines = net.line[net.line.in_service]
    vn = net.bus.loc[lines.from_bus, "vn_kv"].to_numpy()
    length: dict[str, dict] = {}
    imped: dict[str, dict] = {}
    for kv in sorted(set(vn), reverse=True):
        sel = lines[vn == kv]
        z_base = kv**2 / net.sn_mva
        x = (sel.x_ohm_per_km * sel.length_km / sel.parallel).to_numpy()
        r = (sel.r_ohm_per_km * sel.length_km / sel.parallel).to_numpy()
        key = f"{kv:g}kV"
        length[key] = {"count": len(sel), "total_km": round(float(sel.length_km.sum()), 1),
                       **_quantiles(sel.length_km.to_numpy())}
        imped[key] = {"x_over_r": _quantiles(x / np.where(r > 0, r, np.nan)),
                      "x_pu": _quantiles(x / z_base)}
    tr = net.trafo[net.trafo.in_service]
    if len(tr):
        imped["transformers"] = {"x_pu_on_100MVA": _quantiles(
            (tr.vk_percent / 100 * net.sn_mva / tr.sn_mva).to_numpy())}
    mean_deg = float(deg.mean()) if len(deg) else 0.0
    return {
        "degree": {"mean": round(mean_deg, 3),
                   "mean_all_circuits": round(float(np.mean([d for _, d in gm.degree()])), 3)
                   if len(gm) else 0.0,
                   "max": int(deg.max()) if len(deg) else 0,
                   "histogram": {int(k): int(v) for k, v in enumerate(hist) if v},
                   "birchfield_range": list(MEAN_DEGREE_RANGE),
                   "within_range": MEAN_DEGREE_RANGE[0] <= mean_deg <= MEAN_DEGREE_RANGE[1]},
        "line_length_km": length,
        "impedance": imped,
        "connected_components": nx.number_connected_components(g),
    }


def summarize(net: pp.pandapowerNet, *, run_ac: bool = True) -> dict:
    """The grid summary of ``outage-sim grid summary --json``.

    Runs an AC power flow on a copy unless ``run_ac`` is false; the caller's net is not changed.
    Keys: ``model``, ``model_version``, ``level``, ``buses``, ``lines``, ``transformers``,
    ``generators``, ``total_load_mw``, ``total_customers``, ``import_mw``, ``generation_mw``,
    ``converged``, ``max_line_loading_pct``, ``max_trafo_loading_pct``, ``vm_pu_min``,
    ``vm_pu_max``, ``districts`` (list of ``{name, name_en, load_mw, customers, key_area}``) and
    ``structure`` (see :func:`structure`).
    """
    check_annotations(net)
    work = copy.deepcopy(net)
    converged = run_power_flow(work) if run_ac else None
    loads = net.load[net.load.in_service]
    districts = district_table(net).to_dict("records")
    units = net.gen[(net.gen.get("role", "unit") == "unit")] if len(net.gen) else net.gen
    out = {
        "model": net["meta"]["model"], "model_version": net["meta"]["model_version"],
        "level": net["meta"]["level"],
        "buses": len(net.bus), "lines": len(net.line), "transformers": len(net.trafo),
        "generators": len(units), "static_generators": len(net.sgen),
        "total_load_mw": round(float(loads.p_mw.sum()), 3),
        "total_customers": int(loads.customers.sum()),
        "import_mw": round(import_mw(net), 3),
        "converged": converged,
    }
    if converged:
        out.update({
            "generation_mw": round(float(work.res_gen.p_mw.sum() + work.res_sgen.p_mw.sum()
                                         + work.res_ext_grid.p_mw.sum()), 3),
            "losses_mw": round(float(work.res_line.pl_mw.sum() + work.res_trafo.pl_mw.sum()), 3),
            "max_line_loading_pct": round(float(work.res_line.loading_percent.max()), 2),
            "max_trafo_loading_pct": round(float(work.res_trafo.loading_percent.max()), 2)
            if len(work.trafo) else None,
            "vm_pu_min": round(float(work.res_bus.vm_pu.min()), 4),
            "vm_pu_max": round(float(work.res_bus.vm_pu.max()), 4),
        })
    out["districts"] = districts
    out["structure"] = structure(net)
    _add_layers(net, out)
    return out


def _add_layers(net: pp.pandapowerNet, out: dict) -> None:
    """The summary's per-layer figures: stations, lines and transformers per voltage, topology,
    the 500 kV stations that whole districts hang on, the 容载比 per district."""
    out["layers"] = layer_table(net)
    out["topology"] = topology(net)
    out["sole_supply"] = sole_supply(net)
    ratio = capacity_ratio(net).set_index("district")
    for row in out["districts"]:
        r = ratio.loc[row["name"]] if row["name"] in ratio.index else None
        ok = r is not None and pd.notna(r["transformer_mva"])
        row["stations_220kv"] = int(r["stations"]) if ok else None
        row["transformer_mva"] = float(r["transformer_mva"]) if ok else None
        row["capacity_ratio"] = round(float(r["ratio"]), 3) if ok else None


def district_table(net: pp.pandapowerNet) -> pd.DataFrame:
    """In-service load and customers per district: name, name_en, load_mw, customers, key_area."""
    loads = net.load[net.load.in_service]
    by = loads.groupby("district").agg(load_mw=("p_mw", "sum"), customers=("customers", "sum"))
    d = net["districts"][["name", "name_en", "key_area"]].copy()
    d["load_mw"] = d["name"].map(by["load_mw"]).fillna(0.0).round(3).astype(float)
    d["customers"] = d["name"].map(by["customers"]).fillna(0).astype(int)
    d["key_area"] = d["key_area"].astype(bool)
    return d[["name", "name_en", "load_mw", "customers", "key_area"]].reset_index(drop=True)
