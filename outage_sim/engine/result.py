"""The result of the single-scenario load-shed engine (:func:`outage_sim.engine.shed_load`).

:class:`ShedResult` holds, per load, per district and for the main grid, what the scenario cost
in MW and customers, why, and the state the engine ended in; :func:`build_result` assembles it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from outage_sim.grid import element_name
from outage_sim.hazards import Outage


@dataclass(frozen=True)
class ShedResult:
    """What a scenario costs in load and customers, and why.

    Attributes
    ----------
    loads
        One row per load: ``name``, ``bus``, ``district``, ``load_class``, ``shed_priority``,
        ``important_user``, ``demand_mw``, ``served_mw``, ``shed_mw``, ``customers``,
        ``customers_out``, ``cause`` (why it lost supply, empty if it did not).
    districts
        One row per district: ``name``, ``name_en``, ``key_area``, ``load_mw``, ``shed_mw``,
        ``customers``, ``customers_out``, ``important_users_out`` (count of important-user
        loads cut in part or in full) and ``important_users_out_categories``.
    main
        Main-grid totals: ``load_mw``, ``shed_mw``, ``customers``, ``customers_out``.
    islands
        One dict per island: ``id``, ``buses``, ``demand_mw``, ``served_mw``, ``generation_mw``,
        ``import_mw``, ``status`` (``energised`` or ``black``).
    failed
        The outages applied (scenario faults and hazard damage), with reasons.
    tripped
        Branches and units tripped by the engine (cascade rounds, island surplus), with reasons;
        ``cascade_rounds`` lists the branches tripped in each round.
    ac
        AC check: ``converged``, ``max_line_loading_pct``, ``max_trafo_loading_pct``,
        ``vm_pu_min``, ``vm_pu_max``, ``overloaded`` (names above 100%), ``open_ends`` (line
        ends switched off); from the shed/check loop (:func:`~outage_sim.engine.ac_secure.
        ac_secure`) also ``method``, ``iterations``, ``ac_shed_mw``, ``secure``, ``alerts``.
    flags
        Things a user must know (AC not converged, overloads left after a cascade, what was
        wrong before the event, ...).
    base
        The intact net before the event (:class:`~outage_sim.engine.base.BaseState`): its
        problems, and what it serves. ``loads``' ``demand_mw`` and ``customers`` (and so every
        total above) are that reference: what the event could lose.
    """

    loads: pd.DataFrame
    districts: pd.DataFrame
    main: dict
    islands: list[dict]
    failed: tuple[Outage, ...]
    tripped: tuple[Outage, ...]
    cascade_rounds: list[list[dict]]
    ac: dict
    flags: tuple[str, ...]
    mode: str
    state: str  # "ac" when the AC check converged, "dc" if not (or not run), "none" if all black
    seed: int | None
    model_version: str
    level: str
    dispatch: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    base: Any = field(repr=False, default=None)

    def to_event(self) -> dict:
        """The classify input of design.md: ``main`` and per-district figures."""
        cols = ["name", "load_mw", "shed_mw", "customers", "customers_out"]
        return {"main": dict(self.main), "districts": self.districts[cols].to_dict("records")}

    def to_dict(self) -> dict:
        """JSON-ready result (tables as lists of records)."""
        return {
            "model_version": self.model_version, "level": self.level, "seed": self.seed,
            "mode": self.mode, "state": self.state, "main": self.main,
            "districts": self.districts.to_dict("records"),
            "islands": self.islands, "failed": [o.to_dict() for o in self.failed],
            "tripped": [o.to_dict() for o in self.tripped], "cascade_rounds": self.cascade_rounds,
            "ac": self.ac, "flags": list(self.flags),
            "loads_shed": self.loads[self.loads.shed_mw > 0].to_dict("records"),
            **({"base_state": self.base.to_dict()} if self.base is not None else {}),
        }


def build_result(net, work, model, st, failed, rounds, ac, flags, mode, state, seed, *,
                 base=None) -> ShedResult:
    """Assemble the :class:`ShedResult` from the engine's final working state ``st``, measured
    against what the intact net serves (``base``, a :class:`~outage_sim.engine.base.BaseState`;
    without it, the whole demand)."""
    load = net.load
    demand, customers = st.demand, load.customers.to_numpy(np.int64)
    if base is not None:
        demand, customers = base.reference(demand, customers)
    shed = np.clip(demand - st.served, 0.0, None)
    frac = np.divide(shed, demand, out=np.zeros_like(shed), where=demand > 0)
    shed = np.where(frac < 1e-9, 0.0, shed)
    frac = np.where(frac < 1e-9, 0.0, frac)
    customers_out = np.minimum(customers, np.floor(frac * customers + 0.5).astype(np.int64))
    loads = pd.DataFrame({
        "name": load.name.astype(str).to_numpy(), "bus": load.bus.to_numpy(),
        "district": load.district.to_numpy(),
        "load_class": load.get("load_class", pd.Series("", index=load.index)).to_numpy(),
        "shed_priority": load.shed_priority.to_numpy(np.int64),
        "important_user": load.important_user.to_numpy(), "demand_mw": demand,
        "served_mw": demand - shed, "shed_mw": shed, "customers": customers,
        "customers_out": customers_out,
        "cause": np.where(shed > 0, st.cause, "").astype(str)}, index=load.index)
    loads.loc[(loads.shed_mw > 0) & (loads.cause == ""), "cause"] = "balance"
    dist, main = _summaries(net["districts"][["name", "name_en", "key_area"]], loads)
    islands = []
    load_isl = model.island[st.load_bus]
    for k in range(model.n_islands):
        members = model.island == k
        ld = load_isl == k
        un = st.unit_on & (model.island[st.unit_bus] == k)
        fx = st.fixed_on & (model.island[st.fixed_bus] == k)
        imp_mw = float(sum(st.fixed_p[j] for j in np.flatnonzero(fx)
                           if _role(work, st.fixed_ref[j]) == "import"))
        served = float(st.served[ld].sum())
        islands.append({"id": k, "buses": int(members.sum()),
                        "demand_mw": round(float(demand[ld].sum()), 3),
                        "served_mw": round(served, 3),
                        "generation_mw": round(float(st.unit_p[un].sum() + st.fixed_p[fx].sum()), 3),
                        "import_mw": round(imp_mw, 3),
                        "status": "energised" if (un.any() or (fx & st.fixed_sync).any()) else "black"})
    disp = pd.DataFrame({"element": [r[0] for r in st.unit_ref + st.fixed_ref],
                         "index": [r[1] for r in st.unit_ref + st.fixed_ref],
                         "name": [element_name(work, r) for r in st.unit_ref + st.fixed_ref],
                         "p_mw": np.concatenate([st.unit_p * st.unit_on, st.fixed_p * st.fixed_on]),
                         "in_service": np.concatenate([st.unit_on, st.fixed_on])})
    meta = net.get("meta", {}) if hasattr(net, "get") else {}
    return ShedResult(loads=loads, districts=dist, main=main, islands=islands, failed=failed,
                      tripped=tuple(st.tripped), cascade_rounds=rounds, ac=ac, flags=tuple(flags),
                      mode=mode, state=state, seed=seed,
                      model_version=str(meta.get("model_version", "")), level=str(meta.get("level", "")),
                      dispatch=disp, base=base)


def _summaries(names: pd.DataFrame, loads: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """The district table and the main-grid totals of a loads table."""
    imp = loads[(loads.important_user != "") & (loads.shed_mw > 0)]
    by = loads.groupby("district").agg(load_mw=("demand_mw", "sum"), shed_mw=("shed_mw", "sum"),
                                       customers=("customers", "sum"),
                                       customers_out=("customers_out", "sum"))
    dist = names.copy()
    for c in ("load_mw", "shed_mw"):
        dist[c] = dist.name.map(by[c]).fillna(0.0).astype(float).round(6)
    for c in ("customers", "customers_out"):
        dist[c] = dist.name.map(by[c]).fillna(0).astype(np.int64)
    dist["important_users_out"] = dist.name.map(imp.groupby("district").size()).fillna(0).astype(int)
    dist["important_users_out_categories"] = dist.name.map(
        imp.groupby("district").important_user.agg(lambda s: ",".join(sorted(set(s))))).fillna("")
    main = {"load_mw": round(float(loads.demand_mw.sum()), 6),
            "shed_mw": round(float(loads.shed_mw.sum()), 6),
            "customers": int(loads.customers.sum()), "customers_out": int(loads.customers_out.sum())}
    return dist, main


def with_distribution(result: ShedResult, frac: np.ndarray, cause: str | np.ndarray) -> ShedResult:
    """The result with the loads cut off beneath the transmission model added (110 kV lines and
    10 kV feeders, no power flow): each load keeps ``1 − frac`` of what the transmission left it
    served, so a load already dark is not counted twice. ``cause`` names why, per load or for
    all (kept where the transmission already gave one)."""
    frac = np.clip(np.asarray(frac, dtype=float), 0.0, 1.0)
    if not (frac > 0).any():
        return result
    loads = result.loads.copy()
    demand = loads.demand_mw.to_numpy(float)
    served = loads.served_mw.to_numpy(float) * (1.0 - frac)
    shed = np.clip(demand - served, 0.0, None)
    share = np.divide(shed, demand, out=np.zeros_like(shed), where=demand > 0)
    share = np.where(share < 1e-9, 0.0, share)
    customers = loads.customers.to_numpy(np.int64)
    loads["served_mw"] = demand - np.where(share > 0, shed, 0.0)
    loads["shed_mw"] = np.where(share > 0, shed, 0.0)
    loads["customers_out"] = np.minimum(customers, np.floor(share * customers + 0.5).astype(np.int64))
    new = np.broadcast_to(np.asarray(cause, dtype=object), frac.shape)
    loads["cause"] = np.where((loads.cause == "") & (frac > 0), new, loads.cause).astype(str)
    dist, main = _summaries(result.districts[["name", "name_en", "key_area"]], loads)
    return replace(result, loads=loads, districts=dist, main=main)


def _role(work, ref) -> str:
    table, idx = ref
    return str(work[table].get("role", pd.Series("", index=work[table].index)).at[idx])
