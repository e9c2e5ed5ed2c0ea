"""The grid before the event: what is wrong with it, and what it can serve.

A user's net may have problems before anything fails: islands, loads without supply, limits
that cannot hold, overloaded branches, generation that cannot meet the demand. They belong to
the grid, not to the event: :class:`BaseState` reports them, and the event's losses are
measured against what the intact net serves (its *reference*: per load, the demand less what
the intact net cannot serve, and the customers it keeps supplied). The shipped Chongqing model
is secure before every event: its base state is clean and its reference is the whole demand.

*Intact* means the net as given, before a hazard's conditions: a heat wave's higher demand and
derated units are the event's doing, kept apart by :func:`outage_sim.hazards.apply_conditions`
in ``net["pre_conditions"]`` (:func:`intact_net` puts them back).

:func:`check_engine_data` refuses, in one line naming table, column and row, what the engine
cannot compute with at all (a NaN load, a zero-impedance branch, a rating that is not a
positive number, an outage of an element the net does not have); :func:`describe_base`
summarises the pre-event state the engine computed (:func:`outage_sim.engine.start.base_state`).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from outage_sim.engine.state import DC_RATING_MARGIN, build_dc_model
from outage_sim.errors import InputError

if TYPE_CHECKING:  # pandapower only in annotations: array workers never load it
    import pandapower as pp

# Causes the pre-event state gives a load that is not (fully) served (see engine.start)
_OUT_OF_SERVICE = ("load out of service", "substation out of service")
_BLACK = "island without generation (black)"
MAX_LISTED = 5  # elements named in one problem line


@dataclass(frozen=True)
class BaseState:
    """The intact net before the event (its *base state*).

    Attributes
    ----------
    load_mw, customers
        Demand and customers of every load of the intact net.
    served_mw, customers_out
        What the intact net serves, and the customers it leaves without supply.
    islands, black_islands
        Islands of in-service buses, and those of them without a synchronous source.
    overloaded
        Branches above their rating before the event (relieved before it).
    problems
        One line per problem (empty when the base state is clean).
    unserved, customers_out_load
        Per load (net.load order): MW and customers the intact net cannot serve.
    """

    load_mw: float
    served_mw: float
    customers: int
    customers_out: int
    islands: int
    black_islands: int
    overloaded: tuple[str, ...]
    problems: tuple[str, ...]
    unserved: np.ndarray = field(repr=False, compare=False)
    customers_out_load: np.ndarray = field(repr=False, compare=False)

    @property
    def secure(self) -> bool:
        """True when nothing is wrong before the event."""
        return not self.problems

    @property
    def unserved_mw(self) -> float:
        return float(self.unserved.sum())

    def reference(self, demand: np.ndarray, customers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per load, the MW and customers the event can lose: ``demand`` (the pre-event demand,
        a heat wave's included) less what the intact net cannot serve."""
        if len(self.unserved) != len(demand):  # pragma: no cover - loads added after the base
            return demand, customers
        return (np.clip(demand - self.unserved, 0.0, None),
                np.clip(customers - self.customers_out_load, 0, None))

    def flags(self) -> list[str]:
        """The problems as the result's flags (``base state: ...``)."""
        return [f"base state (before the event): {p}" for p in self.problems]

    def to_dict(self) -> dict:
        return {"secure": self.secure, "load_mw": round(self.load_mw, 6),
                "served_mw": round(self.served_mw, 6), "unserved_mw": round(self.unserved_mw, 6),
                "customers": self.customers, "customers_out": self.customers_out,
                "islands": self.islands, "black_islands": self.black_islands,
                "overloaded": list(self.overloaded), "problems": list(self.problems)}


# ------------------------------------------------------------------------------- the intact net
def intact_net(net: pp.pandapowerNet) -> pp.pandapowerNet | None:
    """A copy of ``net`` as it was before a hazard's conditions, or None when none changed it."""
    pre = net.get("pre_conditions") if hasattr(net, "get") else None
    if not pre:
        return None
    intact = copy.deepcopy(net)
    del intact["pre_conditions"]
    for table, before in pre.items():
        rows = before.index.intersection(intact[table].index)
        for col in before.columns:
            intact[table].loc[rows, col] = before.loc[rows, col].to_numpy()
    return intact


# ------------------------------------------------------------------------------- checks
def check_engine_data(net: pp.pandapowerNet) -> None:
    """Refuse what the engine cannot compute with, in one line naming table, column and row.

    Raises
    ------
    InputError
        A load, unit or infeed power that is not a finite number; an in-service line or
        transformer with no impedance (zero or not a number; a negative reactance, series
        compensation, is accepted) or a rating that is not a positive number.
    """
    for table, cols in (("load", ("p_mw", "scaling")), ("gen", ("p_mw",)), ("sgen", ("p_mw", "scaling"))):
        for col in cols:
            if col in net[table]:
                _finite(net, table, col, net[table][col])
    ln = net.line[net.line.in_service.astype(bool)]
    # a negative reactance is series compensation, and fine; none at all is not
    x = ln.x_ohm_per_km * ln.length_km / ln.parallel
    _nonzero(net, "line", "x_ohm_per_km × length_km", x,
             "zero impedance; the DC model needs a reactance (model a zero-impedance link as a "
             "bus-bus switch, or merge its buses)")
    _positive(net, "line", "max_i_ka × parallel × df", ln.max_i_ka * ln.parallel * ln.df,
              "no rating (must be above 0)")
    tr = net.trafo[net.trafo.in_service.astype(bool)]
    _nonzero(net, "trafo", "vk_percent", tr.vk_percent, "zero impedance")
    _positive(net, "trafo", "sn_mva", tr.sn_mva, "no rating (must be above 0)")


def check_outages(net: pp.pandapowerNet, outages) -> None:
    """Every outage names a row its table has (an unknown row would be added by pandas)."""
    for o in outages:
        table = net.get(o.element)
        if not isinstance(table, pd.DataFrame):
            raise InputError(f"outages: element {o.element!r} unknown; use line, trafo, bus, gen "
                             "or sgen")
        if o.index not in table.index:
            span = f"{table.index.min()}–{table.index.max()}" if len(table) else "none"
            raise InputError(f"outages: {o.element} {o.index!r} is not in net.{o.element} "
                             f"(its rows: {span})")


def _finite(net, table: str, col: str, values: pd.Series) -> None:
    v = pd.to_numeric(values, errors="coerce").to_numpy(float)
    bad = values.index[~np.isfinite(v)]
    if len(bad):
        raise InputError(f"{_label(net, table, bad[0])}: {col} = {v[values.index.get_loc(bad[0])]:g}; "
                         "must be a finite number")


def _positive(net, table: str, what: str, values: pd.Series, why: str) -> None:
    _refuse(net, table, what, values, why, lambda v: v > 0)


def _nonzero(net, table: str, what: str, values: pd.Series, why: str) -> None:
    _refuse(net, table, what, values, why, lambda v: v != 0)


def _refuse(net, table: str, what: str, values: pd.Series, why: str, ok) -> None:
    v = pd.to_numeric(values, errors="coerce").to_numpy(float)
    bad = values.index[~ok(v) | ~np.isfinite(v)]
    if len(bad):
        raise InputError(f"{_label(net, table, bad[0])}: {what} = "
                         f"{v[values.index.get_loc(bad[0])]:g}: {why}")


def _label(net, table: str, idx) -> str:
    name = net[table].at[idx, "name"] if "name" in net[table] else None
    return f"{table} {idx}" + (f" ({name!r})" if isinstance(name, str) and name else "")


# ------------------------------------------------------------------------------- the summary
def describe_base(work: pp.pandapowerNet, st, overloaded: list[tuple[str, float]],
                  limit_notes: list[str]) -> BaseState:
    """The :class:`BaseState` of an intact net from the engine's pre-event state ``st`` (its
    working arrays after balancing and relieving overloads), the branches that were overloaded
    and the notes on limits the engine had to adjust."""
    model = build_dc_model(work)
    customers = work.load.customers.to_numpy(np.int64) if "customers" in work.load else \
        np.zeros(len(work.load), np.int64)
    unserved = np.clip(st.demand - st.served, 0.0, None)
    unserved = np.where(unserved > 1e-9 * np.maximum(st.demand, 1.0), unserved, 0.0)
    frac = np.divide(unserved, st.demand, out=np.zeros_like(unserved), where=st.demand > 0)
    cust_out = np.minimum(customers, np.floor(frac * customers + 0.5).astype(np.int64))
    sources = np.zeros(model.n_islands, bool)
    sources[model.island[st.unit_bus[st.unit_on]]] = True
    sources[model.island[st.fixed_bus[st.fixed_on & st.fixed_sync]]] = True
    problems = list(limit_notes)
    problems += _load_problems(work, st, unserved, model.n_islands - int(sources.sum()))
    if overloaded:
        worst = max(p for _, p in overloaded)
        problems.append(f"{len(overloaded)} branch(es) above {100 * DC_RATING_MARGIN:.0f}% of "
                        f"their rating, the DC limit (worst {worst:.0f}%: "
                        f"{_names([n for n, _ in overloaded])}); relieved before the event")
    return BaseState(load_mw=float(st.demand.sum()), served_mw=float(st.demand.sum() - unserved.sum()),
                     customers=int(customers.sum()), customers_out=int(cust_out.sum()),
                     islands=model.n_islands, black_islands=int((~sources).sum()),
                     overloaded=tuple(n for n, _ in overloaded), problems=tuple(problems),
                     unserved=unserved, customers_out_load=cust_out)


def _load_problems(work, st, unserved: np.ndarray, black: int) -> list[str]:
    """One line per kind of load the intact net does not (fully) serve."""
    names = work.load["name"].astype(str).to_numpy() if "name" in work.load else \
        np.array([f"load {i}" for i in work.load.index])
    cause = np.asarray(st.cause, dtype=object)
    out = []
    kinds = (("out of service (or on a bus out of service)", np.isin(cause, _OUT_OF_SERVICE)),
             ((f"without supply: {black} island(s) without a synchronous source (no unit, "
               "grid-forming intertie or external grid in service)"), cause == _BLACK))
    for text, sel in kinds:
        sel = sel & (unserved > 0)
        if sel.any():
            out.append(f"{int(sel.sum())} load(s), {unserved[sel].sum():,.1f} MW, {text}: "
                       f"{_names(names[sel])}")
    short = ~np.isin(cause, (*_OUT_OF_SERVICE, _BLACK)) & (unserved > 0)
    if short.any():
        out.append(f"{unserved[short].sum():,.1f} MW of demand cannot be served "
                   f"(generation and imports at their limits, or overloads): cut by the priority "
                   f"table before the event (有序用电){_source_limits(work, st)}")
    return out


def _source_limits(work, st) -> str:
    """``; ext_grid 0 limited to max_p_mw 0 MW`` for sources whose limit leaves demand unmet."""
    tight = [f"{t} {i} limited to max_p_mw {st.unit_pmax[j]:g} MW"
             for j, (t, i) in enumerate(st.unit_ref)
             if t == "ext_grid" and st.unit_on[j] and st.unit_pmax[j] < 1e5]
    return f"; {', '.join(tight[:MAX_LISTED])}" if tight else ""


def _names(names) -> str:
    names = [str(n) for n in names]
    more = len(names) - MAX_LISTED
    return ", ".join(names[:MAX_LISTED]) + (f" and {more} more" if more > 0 else "")
