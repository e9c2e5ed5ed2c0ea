"""The time loop of a restoration run (:func:`outage_sim.restoration.driver.restore` is the public face).

Event-driven with sub-steps: the clock jumps to the next crew arrival, repair completion, restart,
hazard end or secondary-incident clearance, and moves in steps of ``step_h`` while load is being
picked up. At each moment: complete what is due, ask the load-shed engine what the network can
carry now (cached by the set of components still out), send free crews out, evaluate the §4.3
checks and record a row; then advance work and pick load up until the next moment.
"""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np
import pandas as pd

from outage_sim.engine import shed_load
from outage_sim.response import build_response
from outage_sim.restoration.crews import RepairWork
from outage_sim.restoration.data import RepairData
from outage_sim.restoration.result import CHECKS, clock
from outage_sim.restoration.topology import Key, Topology
from outage_sim.severity import classify_batch

EPS_MW = 1e-6


class Simulation:
    """The mutable state of one restoration run; :meth:`simulate` returns the result's fields
    and the raw event log (see :class:`outage_sim.restoration.driver.Restoration`)."""

    def __init__(self, run, policy: str, horizon_h: float, step_h: float, data: RepairData,
                 cache: dict):
        self.run, self.policy, self.data = run, policy, data
        self.horizon, self.step = horizon_h, step_h
        self.cache = cache
        sc, net = run.scenario, run.net
        self.t0: datetime = sc.time
        self.cause = run.response.cause or "equipment"
        self.hazard_end = float(sc.end_of_hazard_h if sc.end_of_hazard_h is not None
                                else data.hazard_end_h(self.cause))
        self.secondary_end = self._secondary_end(sc)
        self.nets = [net] + ([r] if (r := relieved_net(sc, net)) is not None else [])
        self.topo = Topology(net)
        self.events: list[dict] = []
        self.flags: list[str] = []
        self._loads(net)
        self.work = RepairWork(run, data, self.cause, self.topo, self._log)
        self.out: set[Key] = self.work.out
        self._full_phase: int | None = None  # phase in which every load could already be served
        self._checks_setup(net)

    # ---------------------------------------------------------------- set-up
    def _secondary_end(self, sc) -> float:
        clear = sc.restoration.secondary_clear_h
        ends = [0.0]
        for kind in sc.secondary:
            if isinstance(clear, (int, float)):
                ends.append(float(clear))
            elif isinstance(clear, dict) and kind in clear:
                ends.append(float(clear[kind]))
            else:
                ends.append(self.data.secondary_clear_h(kind))
        return max(ends)

    def _loads(self, net) -> None:
        loads = self.run.shed.loads
        self.demand = loads.demand_mw.to_numpy(float)
        self.served = loads.served_mw.to_numpy(float).copy()
        self.customers = loads.customers.to_numpy(np.int64)
        dist = net["districts"]
        self.dnames = dist.name.astype(str).tolist()
        self.dcode = pd.Categorical(loads.district.astype(str), categories=self.dnames).codes
        self.key = np.isin(loads.district.astype(str),
                           dist.name[dist.key_area.astype(bool)].astype(str))
        self.important = (loads.important_user.fillna("").astype(str) != "").to_numpy()
        w = self.data.values["priority_weights"]
        self.weight = np.where(self.important, w["important_user"],
                               np.where(self.key, w["key_area"], w["other"])).astype(float)
        prio = loads.shed_priority.to_numpy(np.int64)
        if self.policy == "largest_load_first":
            order = np.argsort(-self.demand, kind="stable")
        else:  # the plan's order: important users, key areas, then the priority table reversed
            order = np.lexsort((-self.demand, -prio, ~self.key, ~self.important))
        self.pick_rank = np.empty(len(order), np.int64)
        self.pick_rank[order] = np.arange(len(order))
        self.shed0 = np.clip(self.demand - self.served, 0.0, None)
        self.co0 = int(customers_out(self.demand, self.served, self.customers).sum())

    def _checks_setup(self, net) -> None:
        """§4.3(1): the backbone groups (a station's bus, a corridor's circuits, a station's
        500/220 kV transformers) and the units of the main plants."""
        bb = self.data.values["backbone"]
        comp = self.work.comp.reset_index()
        high = comp[(comp.vn_kv >= bb["min_kv"]) & comp.element.isin(["line", "trafo", "bus"])]
        groups: dict[str, list[Key]] = {}
        for r in high.itertuples():
            if not bool(net[r.element].at[r.index, "in_service"]):
                continue
            g = {"line": f"corridor {r.name.rsplit(' #', 1)[0]}", "trafo": f"trafos {r.station}",
                 "bus": f"bus {r.name}"}[r.element]
            groups.setdefault(g, []).append((r.element, int(r.index)))
        self.backbone_groups = groups
        gen = net.gen
        units = gen[(gen.get("role", "unit") == "unit") & gen.in_service.astype(bool)]
        size = units.groupby("plant").max_p_mw.sum()
        main = size[size >= bb["main_plant_min_mw"]].index
        self.main_units = {("gen", int(i)) for i in units.index[units.plant.isin(main)]}

    # ---------------------------------------------------------------- the network's state
    def _phase(self, t: float) -> int:
        return 1 if len(self.nets) > 1 and t >= self.hazard_end - 1e-9 else 0

    def _engine(self, t: float, ac: bool) -> tuple[np.ndarray, dict]:
        """Reachable served MW per load (and the AC check) for the components still out.

        A repair never lowers what the network can carry (the dispatcher could leave the
        repaired element open), so once every load could be served the engine is not asked
        again until the AC check needs it."""
        phase = self._phase(t)
        key = (phase, frozenset(self.out), ac)
        if key in self.cache:
            return self.cache[key]
        if not ac and self._full_phase == phase:
            return self.demand, {"converged": None}
        res = shed_load(self.nets[phase], [self.work.outages[k] for k in sorted(self.out)],
                        mode="dispatch", ac_check=ac)
        self.cache[key] = (res.loads.served_mw.to_numpy(float), res.ac)
        if ac:
            self.cache[(phase, frozenset(self.out), False)] = self.cache[key]
        if (self.cache[key][0] >= self.demand - EPS_MW).all():
            self._full_phase = phase
        return self.cache[key]

    def _budget(self, st) -> np.ndarray:
        """Pick-up capacity per island (MW/h) from its online units and grid-forming ties."""
        gen, topo = self.run.net.gen, self.topo
        budget = np.zeros(max(int(st.island.max()) + 1, 1))
        role = gen["role"].astype(str).to_numpy() if "role" in gen else np.full(len(gen), "unit")
        for pos, i in enumerate(gen.index):
            b = topo.gen_bus[pos]
            if ("gen", int(i)) in self.out or not (topo.gen_on0[pos] and st.energised[b]
                                                     and topo.gen_source[pos]):
                continue
            unit = role[pos] == "unit"
            mw = float(gen.at[i, "max_p_mw" if unit else "p_mw"])
            budget[st.island[b]] += mw * self.data.pickup_rate(str(gen.at[i, "type"]) if unit
                                                                else "import")
        for b in topo.ext_bus:
            if st.energised[b]:
                budget[st.island[b]] = np.inf
        return budget

    # ---------------------------------------------------------------- events at one moment
    def _settle(self, t: float) -> None:
        """Complete what is due at ``t``: repairs, then restarts (a black start energises buses
        on which other units may then start)."""
        work = self.work
        for job in work.jobs:
            if job.done_h is None and job.work_left <= 1e-6 and job.crews:
                job.done_h = t
                for cid in job.crews:
                    crew = work.crews[cid]
                    crew.job, crew.lat, crew.lon = None, job.lat, job.lon
                self._log(t, "repair_done", f"repaired: {job.label} ({job.work_h:.0f} crew-hours, "
                          f"{len(job.crews)} crew(s))", job.district)
                for key in job.keys:
                    if key[0] in ("gen", "sgen"):  # a repaired unit or converter still has to start
                        work.restarts.append(work.restart(key))
                    else:
                        self.out.discard(key)
                self._need_dispatch = True
        progress = True
        while progress:
            st = self.topo.state(self.out)
            progress = False
            for r in work.restarts:
                if r.ready_h is None:
                    kind, p = self.topo.position(r.key)
                    bus = {"gen": self.topo.gen_bus, "sgen": self.topo.sgen_bus}.get(kind)
                    bus = None if bus is None else bus[p]
                    if (r.needs is None or bus is None or (r.needs == "bus" and st.bus_on[bus])
                            or (r.needs == "energised" and st.energised[bus])):
                        r.ready_h = t + r.delay_h
                if r.ready_h is not None and r.ready_h <= t + 1e-9 and r.key in self.out:
                    self.out.discard(r.key)
                    progress = True
                    self._log(t, r.what, f"{r.label}: {r.what.replace('_', ' ')}",
                              str(work.row(r.key)["district"]))
            work.restarts = [r for r in work.restarts if r.key in self.out]

    def _grid_check(self, t: float) -> bool:
        """§4.3(1): backbone basically back, main plants' units back, AC state within limits."""
        if any(k in self.out for k in self.main_units):
            return False
        for keys in self.backbone_groups.values():
            if all(k in self.out for k in keys):
                return False
        _, ac = self._engine(t, ac=True)
        lim = self.data.values["operating_limits"]
        if not ac.get("converged"):
            return False
        loading = max(ac.get("max_line_loading_pct") or 0.0, ac.get("max_trafo_loading_pct") or 0.0)
        return (loading <= lim["max_loading_pct"] + 1e-9
                and lim["vm_pu_min"] - 1e-9 <= ac["vm_pu_min"]
                and ac["vm_pu_max"] <= lim["vm_pu_max"] + 1e-9)

    # ---------------------------------------------------------------- the run
    def simulate(self) -> tuple[dict, list[dict], object]:
        """Run to the end; returns the result's fields, the raw event log and the batch
        classification of every step."""
        rows, dist_rows = [], []
        t = 0.0
        shed0, key_shed0 = float(self.shed0.sum()), float(self.shed0[self.key].sum())
        clpu = self.data.values["cold_load_pickup"]
        since: dict[str, float | None] = dict.fromkeys(CHECKS)
        terminated = last = None
        activated = self.run.severity.level_rank > 0
        self._need_dispatch = True
        below = 0.0
        work = self.work
        while True:
            self._settle(t)
            st = self.topo.state(self.out)
            reach, _ = self._engine(t, ac=False)
            below = max(below, float((self.served - reach).max(initial=0.0)))
            hazard = t < self.hazard_end - 1e-9
            if self._need_dispatch:
                work.dispatch(t, self.policy, st, reach, self.demand, self.weight,
                              self.key | self.important, hazard)
                self._need_dispatch = False
            shed = np.clip(self.demand - self.served, 0.0, None)
            checks = {"grid": True if terminated is not None else self._grid_check(t),
                      "load": _pct(shed0 - shed.sum(), shed0) >= 80 - 1e-9
                      and _pct(key_shed0 - shed[self.key].sum(), key_shed0) >= 90 - 1e-9,
                      "hazard": not hazard,
                      "secondary": t >= self.secondary_end - 1e-9}
            for c, ok in checks.items():
                since[c] = (since[c] if since[c] is not None else t) if ok else None
            if activated and terminated is None and all(checks.values()):
                terminated = t
                last = max(CHECKS, key=lambda c: (since[c], -CHECKS.index(c)))
            co = customers_out(self.demand, self.served, self.customers)
            rows.append({"t_h": t, "served_mw": float(self.served.sum()),
                         "shed_mw": float(shed.sum()),
                         "key_shed_mw": float(shed[self.key].sum()),
                         "customers_out": int(co.sum()), "outstanding": len(self.out),
                         "crews_busy": sum(c.job is not None for c in work.crews),
                         **{f"check_{c}": ok for c, ok in checks.items()}})
            dist_rows.append((np.bincount(self.dcode, shed, len(self.dnames)),
                              np.bincount(self.dcode, co, len(self.dnames))))
            # ---- what comes next
            picking = bool((reach > self.served + EPS_MW).any())
            pending = [j for j in work.jobs if j.done_h is None]
            future = [x for x in (self.hazard_end, self.secondary_end) if x > t + 1e-9]
            if (not picking and not pending and not work.restarts and not future) \
                    or t >= self.horizon - 1e-9:
                break
            rates = {j.id: work.rate(j, t, hazard) for j in pending}
            nxt = [self.horizon, *future, *([t + self.step] if picking else [])]
            nxt += [c.arrive_h for c in work.crews if c.job is not None and c.arrive_h > t + 1e-9]
            nxt += [r.ready_h for r in work.restarts if r.ready_h is not None]
            nxt += [t + j.work_left / rates[j.id] for j in pending if rates[j.id] > 0]
            t_next = max(min(nxt), t + 1e-6)
            for j in pending:
                if rates[j.id] > 0:
                    j.start_h = t if j.start_h is None else j.start_h
                    j.work_left = max(0.0, j.work_left - rates[j.id] * (t_next - t))
            if picking:
                self._pick_up(st, reach, self._budget(st) * (t_next - t),
                              float(clpu["factor"]) if t >= float(clpu["after_h"]) else 1.0)
            t = t_next
        if below > 1e-3:
            self.flags.append(f"the dispatch engine could carry up to {below:.1f} MW less than was "
                              "already served at some step (cascade-mode state); that load was "
                              "kept on (no load is cut again during restoration)")
        if activated and terminated is None:
            self.flags.append(f"the response did not end within the {self.horizon:g} h horizon; "
                              f"checks still failing: "
                              f"{', '.join(c for c in CHECKS if since[c] is None) or 'none'}")
        return self._tables(rows, dist_rows, terminated, last, since, activated)

    def _pick_up(self, st, reach: np.ndarray, budget: np.ndarray, factor: float) -> None:
        """Bring loads towards ``reach`` in pick-up order, each island within its budget (MW),
        every restored MW costing ``factor`` MW of it (cold-load pick-up)."""
        need = np.clip(reach - self.served, 0.0, None)
        isl = st.island[self.topo.load_bus]
        for k in np.unique(isl[need > EPS_MW]):
            if k < 0:
                continue
            idx = np.flatnonzero((isl == k) & (need > EPS_MW))
            idx = idx[np.argsort(self.pick_rank[idx])]
            cost = np.cumsum(need[idx] * factor)
            full = cost <= budget[k] + 1e-9
            self.served[idx[full]] += need[idx[full]]
            rest = np.flatnonzero(~full)
            if len(rest):
                left = budget[k] - (cost[rest[0] - 1] if rest[0] > 0 else 0.0)
                self.served[idx[rest[0]]] += max(0.0, left) / factor

    def _log(self, t: float, kind: str, what: str, district: str = "") -> None:
        self.events.append({"t_h": t, "kind": kind, "what": what, "district": district})

    def _tables(self, rows, dist_rows, terminated, last, since, activated):
        tl = pd.DataFrame(rows)
        shed0, key0 = float(self.shed0.sum()), float(self.shed0[self.key].sum())
        d_load = np.bincount(self.dcode, self.demand, len(self.dnames))
        d_cust = np.bincount(self.dcode, self.customers, len(self.dnames)).astype(np.int64)
        d_shed = np.array([r[0] for r in dist_rows]).clip(min=0.0)
        d_co = np.array([r[1] for r in dist_rows]).astype(np.int64)
        batch = classify_batch({"load_mw": d_load, "shed_mw": np.minimum(d_shed, d_load),
                                "customers": d_cust, "customers_out": d_co},
                               district_names=self.dnames, plan=self.run.severity.plan)
        plan, rank = batch.plan, batch.rank.astype(int)
        tl.insert(1, "time", [clock(self.t0, h).isoformat() for h in tl.t_h])
        tl.insert(2, "load_mw", float(self.demand.sum()))
        tl["restored_pct"] = [_pct(shed0 - s, shed0) for s in tl.shed_mw]
        tl["key_restored_pct"] = [_pct(key0 - s, key0) for s in tl.key_shed_mw]
        tl["customers_restored_pct"] = [_pct(self.co0 - c, self.co0) for c in tl.customers_out]
        lv = [plan.level(r) for r in rank]
        tl["level"] = [x.name if x else "none" for x in lv]
        tl["level_en"] = [x.name_en if x else "none" for x in lv]
        tl["level_rank"] = rank
        tl["warning_color"] = [x.warning_color if x else "" for x in lv]
        responding = activated & ((tl.t_h < terminated) if terminated is not None else True)
        # the response lasts until §4.3 holds: never below Ⅳ级 while it does
        resp_rank = np.where(responding, np.maximum(rank, 1), 0)
        tl["response_level"] = [plan.level(r).response_level if r else "" for r in resp_rank]
        tl["all_checks"] = tl[[f"check_{c}" for c in CHECKS]].all(axis=1)
        tl["responding"] = responding
        districts = pd.DataFrame({
            "t_h": np.repeat(tl.t_h.to_numpy(), len(self.dnames)),
            "district": np.tile(self.dnames, len(tl)),
            "load_mw": np.tile(d_load, len(tl)), "shed_mw": d_shed.ravel().round(6),
            "customers": np.tile(d_cust, len(tl)), "customers_out": d_co.ravel()})
        old = response = self.run.response
        if activated:  # the report clock with the end of handling known
            response = build_response(
                self.run.severity, self.t0, districts=old.districts, cause=old.cause,
                secondary=old.secondary, source=old.source,
                end_time=clock(self.t0, terminated) if terminated is not None else None,
                followup_days=max(1, math.ceil(self.horizon / 24)))
        jobs = pd.DataFrame(
            [{"job": j.id + 1, "label": j.label, "kind": j.kind, "cause": j.cause,
              "district": j.district,
              "elements": "; ".join(self.work.outages[k].name for k in j.keys),
              "work_h": round(j.work_h, 1), "max_crews": j.max_crews, "crews": len(j.crews),
              "start_h": j.start_h, "done_h": j.done_h} for j in self.work.jobs],
            columns=["job", "label", "kind", "cause", "district", "elements", "work_h",
                     "max_crews", "crews", "start_h", "done_h"])
        fields = dict(
            scenario=self.run.scenario.name, policy=self.policy, time=self.t0,
            horizon_h=self.horizon, activated=activated, timeline=tl, districts=districts,
            jobs=jobs, terminated_h=terminated, last_check=last, check_since_h=since,
            hazard_end_h=self.hazard_end, secondary_end_h=self.secondary_end, response=response,
            flags=tuple(self.flags))
        return fields, self.events, batch


def _pct(part: float, whole: float) -> float:
    return 100.0 if whole <= EPS_MW else float(np.clip(100.0 * part / whole, 0.0, 100.0))


def customers_out(demand: np.ndarray, served: np.ndarray, customers: np.ndarray) -> np.ndarray:
    """Customers out per load, as the shed engine counts them (a share cut → that share out)."""
    shed = np.clip(demand - served, 0.0, None)
    frac = np.divide(shed, demand, out=np.zeros_like(shed), where=demand > 0)
    frac = np.where(frac < 1e-9, 0.0, frac)
    return np.minimum(customers, np.floor(frac * customers + 0.5).astype(np.int64))


def relieved_net(scenario, net):
    """The grid once the hazard is over: a hazard that changed the net (a heat wave derating
    units and cutting imports) gives its capacity back, while demand stays at the event's level
    (restoration is measured against the pre-event load). None if the hazard changed nothing."""
    if not any(h.type == "heat_wave" for h in scenario.hazards):
        return None
    base = scenario.build_net()
    base.load["p_mw"] = net.load["p_mw"].to_numpy()
    base.load["q_mvar"] = net.load["q_mvar"].to_numpy()
    return base
