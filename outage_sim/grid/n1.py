"""AC N-1 security (N-1 校核) of the grid by element class: lines and transformers per voltage
level, generating units (机组) and interties (联络线).

Criteria (AC, units within their reactive limits, :func:`~outage_sim.grid.run_power_flow`): an
outage is *insecure* when it leaves a branch above 100%, a voltage outside 0.90–1.10 pu, a power
flow that does not converge, or less generation headroom than the lost MW; outside the normal
0.95–1.05 pu band, or the reference unit beyond its reactive limits, it is an *alert* (越限告警).

Losing a unit or an intertie is a loss of generation. The lost MW is taken up as the engine
takes it (:mod:`outage_sim.engine.balance`): first the AGC units (the net's distributed slack,
``slack_weight``: coal and gas in proportion to their rating); when their headroom is used up, the
healthy interties whose ``control`` can raise the transfer (:data:`RAISING_CONTROLS`), in
proportion to their headroom up to ``max_p_mw``. pandapower's distributed slack does not respect
``max_p_mw``, so a source the power flow puts beyond it is fixed at its limit and the power flow
run again with the others, until none is beyond; what no source can take is the shortfall.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandapower as pp
import pandas as pd

from outage_sim.errors import InputError, ModelError
from outage_sim.grid.catalog import element_name
from outage_sim.grid.data import RAISING_CONTROLS
from outage_sim.grid.model import run_power_flow

# an outage is insecure beyond the emergency band, an alert (越限告警) beyond the normal band
N1_VM_EMERGENCY = (0.90, 1.10)
N1_VM_NORMAL = (0.95, 1.05)
N1_CLASSES = ("lines", "transformers", "units", "interties")
P_LIMIT_TOL_MW = 0.5  # a source this far above its max_p_mw is beyond it (solver tolerance)


def n1_check(net: pp.pandapowerNet, *, min_kv: float = 220.0,
             classes: tuple[str, ...] = N1_CLASSES) -> dict[str, dict]:
    """AC N-1 of the grid's elements by class, with the units held within their reactive limits.

    Parameters
    ----------
    net
        A solvable net (left alone: the check works on copies).
    min_kv
        Lines and transformers at this voltage (transformers: their high-voltage side) and above.
        The Chongqing model's branches are all at 1000, 500 and 220 kV, so the default checks
        lines at every voltage of the net; its 110 kV layer is not in the net (it lies in
        ``distribution.csv``, beneath the transmission model).
    classes
        Which of ``lines``, ``transformers``, ``units`` and ``interties`` to check.

    Returns
    -------
    dict
        One entry per class: ``"500kV lines"``, ``"220kV transformers"`` … per voltage level,
        ``"units"`` (every unit in service; not an ``ext_grid``, which only takes up a loss) and
        ``"interties"`` (every intertie in service, the ±800 kV DC infeed among them). Each has
        ``checked``; ``insecure`` (element → the reason: a branch above 100%, a voltage outside
        0.90–1.10 pu, ``diverged``, or ``generation short by X MW``); ``alerts`` (element → a
        voltage outside 0.95–1.05 pu, or the reference unit beyond its reactive limits);
        ``worst_loading_pct`` and ``vm_pu_min``/``vm_pu_max`` over its outages. The units and
        interties also carry ``largest_loss``: the covered outage losing the most MW, who took it up
        (``units_mw``, ``interties_mw``), with the loading and voltages it leaves.

    Notes
    -----
    An intertie's loss takes out its far-end source only (as the scenario fault ``intertie:``
    does); when that leaves the far-end bus with neither source nor load, its circuits stay
    energised open-ended from the grid, and the reason says how much line charging that leaves
    and what the grid looks like once they are opened. On the shipped model this is what makes
    the losses of the UHV tie (2 × 225 km at 1000 kV) and of the 渝鄂 龙泉 converter (2 × 245 km
    at 500 kV) insecure at all three levels: the model carries no line shunt reactors (高抗),
    which real lines of that length have; opened, the rest stays within 0.95–1.05 pu.

    Raises
    ------
    InputError
        ``classes`` names an unknown class.
    ModelError
        The intact net's power flow does not converge (a generation loss needs its dispatch).
    """
    unknown = sorted(set(classes) - set(N1_CLASSES))
    if unknown:
        raise InputError(f"classes: unknown N-1 class {unknown[0]!r}; choose from {', '.join(N1_CLASSES)}")
    out: dict[str, dict] = {}
    branch_tables = [t for c, t in (("lines", "line"), ("transformers", "trafo")) if c in classes]
    if branch_tables:
        _branch_n1(net, min_kv, branch_tables, out)
    roles = [c for c in ("units", "interties") if c in classes]
    if roles:
        _generation_n1(net, roles, out)
    return out


def _new_entry() -> dict:
    return {"checked": 0, "insecure": {}, "alerts": {}, "worst_loading_pct": 0.0,
            "vm_pu_min": None, "vm_pu_max": None}


def _branch_n1(net: pp.pandapowerNet, min_kv: float, tables: Sequence[str], out: dict[str, dict]) -> None:
    """Every line and transformer of ``tables`` at ``min_kv`` and above, out in turn."""
    work = copy.deepcopy(net)
    kv_bus = work.bus["vn_kv"].astype(float)
    for table, col in (("line", "from_bus"), ("trafo", "hv_bus")):
        if table not in tables:
            continue
        for idx in work[table].index[(kv_bus.loc[work[table][col]] >= min_kv).to_numpy()]:
            key = f"{kv_bus.at[work[table].at[idx, col]]:g}kV {'lines' if table == 'line' else 'transformers'}"
            entry = out.setdefault(key, _new_entry())
            work[table].at[idx, "in_service"] = False
            entry["checked"] += 1
            name = element_name(work, (table, int(idx)))
            if run_power_flow(work):
                _judge(work, name, entry)
            else:
                entry["insecure"][name] = "diverged"
            work[table].at[idx, "in_service"] = True


def _judge(work: pp.pandapowerNet, name: str, entry: dict) -> tuple[float, float, float]:
    """Add the verdict of one converged outage to ``entry``; returns its worst loading (%) and
    voltage range (pu)."""
    worst = float(max(work.res_line.loading_percent.max(), work.res_trafo.loading_percent.max()))
    vm = work.res_bus.vm_pu.dropna()
    lo, hi = float(vm.min()), float(vm.max())
    entry["worst_loading_pct"] = round(max(entry["worst_loading_pct"], worst), 1)
    entry["vm_pu_min"] = round(lo if entry["vm_pu_min"] is None else min(entry["vm_pu_min"], lo), 3)
    entry["vm_pu_max"] = round(hi if entry["vm_pu_max"] is None else max(entry["vm_pu_max"], hi), 3)
    text = f"loading {worst:.0f}%, vm {lo:.3f}-{hi:.3f}" + _where(work, worst, lo, hi)
    if worst > 100 or lo < N1_VM_EMERGENCY[0] or hi > N1_VM_EMERGENCY[1]:
        entry["insecure"][name] = text
    elif lo < N1_VM_NORMAL[0] or hi > N1_VM_NORMAL[1]:
        entry["alerts"][name] = text
    elif (beyond := _slack_beyond_q(work)):
        entry["alerts"][name] = beyond
    return worst, lo, hi


def _where(work: pp.pandapowerNet, worst: float, lo: float, hi: float) -> str:
    """Where an outage leaves a branch above 100% or a voltage outside the normal band."""
    parts = []
    if worst > 100:
        line, trafo = work.res_line.loading_percent, work.res_trafo.loading_percent
        table, idx = (("line", line.idxmax()) if len(line) and line.max() >= worst - 1e-9
                      else ("trafo", trafo.idxmax()))
        parts.append(f"over 100%: {element_name(work, (table, int(idx)))}")
    vm = work.res_bus.vm_pu
    if hi > N1_VM_NORMAL[1]:
        parts.append(f"high: {element_name(work, ('bus', int(vm.idxmax())))}")
    if lo < N1_VM_NORMAL[0]:
        parts.append(f"low: {element_name(work, ('bus', int(vm.idxmin())))}")
    return f" ({'; '.join(parts)})" if parts else ""


def _open_end(work: pp.pandapowerNet, bus: int) -> str:
    """When a lost source leaves its bus with no other source or load, the lines that still reach
    it from the grid run open-ended: their charging (Mvar) is what lifts the voltage."""
    others = [(t, work[t]) for t in ("gen", "sgen", "ext_grid", "load")]
    if any(((tab.bus == bus) & tab.in_service).any() for _, tab in others):
        return ""
    line = work.line
    at_from, at_to = (line.from_bus == bus) & line.in_service, (line.to_bus == bus) & line.in_service
    if not (at_from | at_to).any():
        return ""
    charging = -float(work.res_line.q_to_mvar[at_from].sum() + work.res_line.q_from_mvar[at_to].sum())
    note = (f"; its bus {element_name(work, ('bus', bus))} is left without a source, its "
            f"{int((at_from | at_to).sum())} circuit(s) energised open-ended from the grid "
            f"({charging:.0f} Mvar of line charging)")
    line.loc[at_from | at_to, "in_service"] = False  # as the overvoltage protection would open them
    if run_power_flow(work):
        vm = work.res_bus.vm_pu.dropna()
        worst = float(max(work.res_line.loading_percent.max(), work.res_trafo.loading_percent.max()))
        note += f"; with them opened: loading {worst:.0f}%, vm {vm.min():.3f}-{vm.max():.3f}"
    line.loc[at_from | at_to, "in_service"] = True
    return note


def _slack_beyond_q(work: pp.pandapowerNet) -> str:
    """The reference units beyond their reactive limits (the power flow holds only the others)."""
    gen = work.gen
    if "slack" not in gen or "max_q_mvar" not in gen:
        return ""
    q = work.res_gen.q_mvar
    sel = gen.slack & gen.in_service & ((q > gen.max_q_mvar + 0.5) | (q < gen.min_q_mvar - 0.5))
    return "; ".join(f"{gen.at[i, 'name']} Q {q[i]:.0f} Mvar beyond {gen.at[i, 'min_q_mvar']:.0f}…"
                     f"{gen.at[i, 'max_q_mvar']:.0f}" for i in gen.index[sel])


# ------------------------------------------------------------------ loss of generation
@dataclass(frozen=True)
class GenerationLoss:
    """What losing one unit or intertie leaves, once the others have taken up its MW.

    ``p_mw`` is every generator's output after (``net.gen`` order and index, the lost one 0;
    an ``ext_grid`` of the net becomes a generator appended at the end); ``max_p_mw`` their
    limits; ``short_mw`` what no source could take (0 when the loss is covered); ``units_mw``
    and ``interties_mw`` what each group took up.
    """

    element: str
    lost_mw: float
    converged: bool
    short_mw: float
    units_mw: float
    interties_mw: float
    p_mw: pd.Series
    max_p_mw: pd.Series


@dataclass
class _Sources:
    """A working copy prepared for generation outages: its base state and the pick-up tiers."""

    work: pp.pandapowerNet
    base_gen: pd.DataFrame     # gen p_mw, slack_weight, slack, in_service before any outage
    base_sgen_on: pd.Series
    base_p: pd.Series          # gen output in the intact net's power flow
    agc_weight: pd.Series      # tier 1: the AGC units' share (0: not AGC)
    raising: pd.Series         # tier 2: interties that can raise their transfer


def _prepare(net: pp.pandapowerNet) -> _Sources:
    """A copy of ``net`` solved in its intact state, its ``ext_grid`` made a reference generator
    (so that it too can be held at its ``max_p_mw``), and who takes up a loss."""
    work = copy.deepcopy(net)
    if not run_power_flow(work):
        raise ModelError("N-1 of units and interties: the intact net's power flow does not converge")
    gen = work.gen
    for col, default in (("role", "unit"), ("control", "")):
        if col not in gen:
            gen[col] = default
    agc_given = bool(((gen.slack_weight > 0) & (gen.role == "unit")).any())
    if len(work.ext_grid):
        grids = list(work.ext_grid.index[work.ext_grid.in_service])
        n_before = len(gen)
        pp.toolbox.replace_ext_grid_by_gen(work, ext_grids=grids, slack=True)
        gen = work.gen
        added = gen.index[n_before:]
        gen.loc[added, "role"] = "unit_grid"  # takes up a loss, is not an outage of the class
        gen.loc[added, "control"] = ""
        if not run_power_flow(work):
            raise ModelError("N-1 of units and interties: the net's power flow does not converge "
                             "with its ext_grid as a reference generator")
    units = gen.role.isin(["unit", "unit_grid"]) & gen.in_service
    pmax = gen.max_p_mw.astype(float) if "max_p_mw" in gen else pd.Series(np.nan, index=gen.index)
    # a net without AGC weights of its own: every unit with a rating takes part by its rating
    weight = gen.slack_weight.astype(float) if agc_given else pmax.fillna(0.0)
    raising = (gen.role == "import") & gen.control.isin(RAISING_CONTROLS) & gen.in_service & pmax.notna()
    return _Sources(work=work, base_gen=gen[["p_mw", "slack_weight", "slack", "in_service"]].copy(),
                    base_sgen_on=work.sgen.in_service.copy(),
                    base_p=work.res_gen.p_mw.astype(float).copy(),
                    agc_weight=weight.where(units, 0.0), raising=raising)


def _restore(src: _Sources) -> None:
    for col in src.base_gen:
        src.work.gen[col] = src.base_gen[col].to_numpy()
    src.work.sgen["in_service"] = src.base_sgen_on.to_numpy()


def _pick_up(src: _Sources) -> tuple[bool, float]:
    """Run the power flow with the outage already applied: tier after tier takes up the loss,
    every source held within its ``max_p_mw``. Returns (converged, short MW)."""
    gen, work = src.work.gen, src.work
    pmax = gen.max_p_mw.astype(float).fillna(np.inf)
    tiers = [src.agc_weight.where(gen.in_service, 0.0),
             (pmax - src.base_p).clip(lower=0.0).where(src.raising & gen.in_service, 0.0)]
    if not any((w > 0).any() for w in tiers):  # nobody can raise: the reference unit takes it all
        tiers = [(gen.slack & gen.in_service).astype(float)]
        if not (tiers[0] > 0).any():  # the lost one was the only source with a reference role
            return False, 0.0
    gen["slack_weight"] = 0.0
    excess = 0.0
    for weight in tiers:
        active = weight > 0
        while active.any():
            gen["slack_weight"] = weight.where(active, 0.0)
            if not gen.slack[gen.in_service].any():  # the reference unit was lost: the largest takes over
                gen.loc[gen.slack_weight.idxmax(), "slack"] = True
            if not run_power_flow(work):
                return False, 0.0
            beyond = active & (work.res_gen.p_mw > pmax + P_LIMIT_TOL_MW)
            if not beyond.any():
                return True, 0.0
            excess = float((work.res_gen.p_mw - pmax)[beyond].sum())
            gen.loc[beyond, "p_mw"] = pmax[beyond]
            active &= ~beyond
        gen["slack_weight"] = 0.0
    return True, excess


def _lose(src: _Sources, table: str, idx: int) -> GenerationLoss:
    """Take out one unit (``gen``) or intertie (``gen``/``sgen``) and let the others take up its MW;
    the results stay in ``src.work`` until :func:`_restore`."""
    work = src.work
    lost = float(src.base_p[idx]) if table == "gen" else float(work.sgen.at[idx, "p_mw"])
    work[table].at[idx, "in_service"] = False
    if table == "gen":
        work.gen.at[idx, "slack"] = False
    converged, short = _pick_up(src)
    after = work.res_gen.p_mw.fillna(0.0) if converged else pd.Series(np.nan, index=work.gen.index)
    delta = (after - src.base_p).where(work.gen.in_service, 0.0)
    is_unit = work.gen.role.isin(["unit", "unit_grid"])
    return GenerationLoss(element=element_name(work, (table, idx)), lost_mw=lost, converged=converged,
                          short_mw=short, units_mw=float(delta[is_unit].sum()),
                          interties_mw=float(delta[src.raising].sum()), p_mw=after.copy(),
                          max_p_mw=work.gen.max_p_mw.astype(float).copy())


def generation_loss(net: pp.pandapowerNet, table: str, index: int) -> GenerationLoss:
    """Lose one unit or intertie (``table`` ``gen`` or ``sgen``, its ``index``) and let the AGC
    units and then the raising interties take up its MW within their limits (module docstring).
    Works on a copy of ``net``."""
    if table not in ("gen", "sgen") or index not in net[table].index:
        raise InputError(f"index: no {table} {index!r} in the net")
    return _lose(_prepare(net), table, index)


def _generation_outages(work: pp.pandapowerNet, role: str) -> list[tuple[str, int]]:
    """The in-service units (``gen`` role ``unit``) or interties (role ``import``, gen and sgen)."""
    want = "unit" if role == "units" else "import"
    out = []
    for table in ("gen", "sgen"):
        t = work[table]
        tag = t["role"] if "role" in t else pd.Series("unit" if table == "gen" else "", index=t.index)
        out += [(table, int(i)) for i in t.index[(tag == want) & t.in_service]]
    return out


def _generation_n1(net: pp.pandapowerNet, roles: Sequence[str], out: dict[str, dict]) -> None:
    """Every unit and intertie of ``roles`` out in turn (see the module docstring)."""
    src = _prepare(net)
    for role in roles:
        entry = out.setdefault(role, {**_new_entry(), "largest_loss": None})
        for table, idx in _generation_outages(src.work, role):
            loss = _lose(src, table, idx)
            entry["checked"] += 1
            if not loss.converged:
                entry["insecure"][loss.element] = "diverged"
            elif loss.short_mw > 0:
                entry["insecure"][loss.element] = (f"generation short by {loss.short_mw:.0f} MW (lost "
                                                   f"{loss.lost_mw:.0f} MW; every unit and intertie "
                                                   "that can raise is at its limit)")
            else:
                worst, lo, hi = _judge(src.work, loss.element, entry)
                for verdicts in (entry["insecure"], entry["alerts"]):
                    if loss.element in verdicts and lo > N1_VM_NORMAL[0]:
                        verdicts[loss.element] += _open_end(src.work, int(src.work[table].at[idx, "bus"]))
                largest = entry["largest_loss"]
                if largest is None or loss.lost_mw > largest["lost_mw"]:
                    entry["largest_loss"] = {
                        "element": loss.element, "lost_mw": round(loss.lost_mw, 1),
                        "units_mw": round(loss.units_mw, 1), "interties_mw": round(loss.interties_mw, 1),
                        "worst_loading_pct": round(worst, 1), "vm_pu_min": round(lo, 3),
                        "vm_pu_max": round(hi, 3)}
            _restore(src)
