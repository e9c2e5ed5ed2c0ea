"""The time loop of a restoration run (:func:`outage_sim.restoration.restore` is the public face).

Event-driven with sub-steps: the clock jumps to the next crew arrival, repair completion, restart,
hazard end or secondary-incident clearance, and moves in steps of ``step_h`` while load is being
picked up. At each moment (:meth:`Simulation._moment`): complete the repairs that are done, put
back what may restart, ask the load-shed engine what the network can carry now (cached by the set
of components still out), send free crews out, evaluate the §4.3 checks and record a row. Between
moments (:meth:`Simulation._advance`) crews work their jobs and islands pick load up.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

import numpy as np
import pandas as pd

from outage_sim.engine import shed_load
from outage_sim.restoration.crews import Job, RepairWork, Restart
from outage_sim.restoration.data import RepairData
from outage_sim.restoration.demand import DayProfile, load_profiles
from outage_sim.restoration.distribution import DistributionRepairs
from outage_sim.restoration.emergency import EmergencyPower
from outage_sim.restoration.result import load_check
from outage_sim.restoration.tables import EPS_MW, Record, result_fields
from outage_sim.restoration.topology import Key, Topology, TopoState
from outage_sim.restoration.transfer import LoadTransfer, Move

_BUS_OF = {"gen": "gen_bus", "sgen": "sgen_bus"}  # Topology's bus array per kind of source


class Moment(NamedTuple):
    """The state at one moment of the loop, as the step to the next moment needs it."""

    t: float
    st: TopoState           # islands with the components still out
    reach: np.ndarray       # MW per load the network can carry now
    hazard: bool            # the hazard still lasts
    picking: bool           # some load can still be picked up
    pending: list[Job]      # repair jobs not done


class Simulation:
    """The mutable state of one restoration run; :meth:`simulate` returns the result's fields
    and the raw event log (see :class:`outage_sim.restoration.Restoration`)."""

    def __init__(self, run, policy: str, horizon_h: float, step_h: float, data: RepairData,
                 cache: dict, seed: int | None = None):
        self.run, self.policy, self.data = run, policy, data
        self.horizon, self.step = horizon_h, step_h
        self.cache = cache
        sc, net = run.scenario, run.net
        self.t0: datetime = sc.time
        self.activated = run.severity.level_rank > 0
        self.cause = run.response.cause or "equipment"
        self.hazard_end = float(sc.end_of_hazard_h if sc.end_of_hazard_h is not None
                                else data.hazard_end_h(self.cause))
        self.secondary_end = self._secondary_end(sc)
        self.nets = [net] + ([r] if (r := relieved_net(sc, net)) is not None else [])
        self.topo = Topology(net)
        self.events: list[dict] = []
        self.flags: list[str] = []
        self._loads(net)
        # demand over the day: each load's factor at a moment against the event's hour
        self.day = DayProfile(run.shed.loads.load_class, sc.time, load_profiles())
        rng = np.random.default_rng(seed) if seed is not None else None
        self.work = RepairWork(run, data, self.cause, self.topo, self._log, rng)
        self._last_t = -1.0
        self.out: set[Key] = self.work.out
        self._full_phase: int | None = None  # phase in which every load could already be served
        self._need_dispatch = True  # free crews wait for a change (the start, a repair done)
        self._checks_setup(net)
        # failed 110 kV lines and feeders: repaired by the districts' own crews on a schedule
        self.dist = DistributionRepairs(run, data, self.hazard_end, data.work_factor(self.cause),
                                        np.random.default_rng([seed, 1]) if seed is not None
                                        else None)
        self._dist_logged = 0.0
        # 负荷转供: dark stations' load onto energised neighbours once switching is done
        self.transfer = LoadTransfer(net, self.topo, data.values.get("load_transfer"))
        self.moves: tuple[Move, ...] = ()
        self.pick_bus = self.topo.load_bus.copy()  # the bus each load is supplied from now
        # important users' own standby generators and the generator vehicles (应急发电车)
        self.emerg = EmergencyPower(net, run.shed.loads, data, data.travel_factor(self.cause))

    # ---------------------------------------------------------------- set-up
    def _secondary_end(self, sc) -> float:
        """§4.3(4): when the last secondary incident is dealt with (scenario, else data file)."""
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
        """Per load: demand, served, customers, district, weight and pick-up order."""
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
        # §4.3(2) "受停电影响的重点地区": the key areas among the event's affected districts
        self.key_areas = set(dist.name[dist.key_area.astype(bool)].astype(str)) & set(
            self.run.severity.affected)
        self.key_lagging: tuple[str, ...] = ()

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
        """Which net holds at ``t``: the event's (0), or the one relieved after the hazard (1)."""
        return 1 if len(self.nets) > 1 and t >= self.hazard_end - 1e-9 else 0

    def _engine(self, t: float, ac: bool) -> tuple[np.ndarray, dict]:
        """Reachable served MW per load (and the AC check) for the components still out.

        A repair never lowers what the network can carry (the dispatcher could leave the
        repaired element open), so once every load could be served the engine is not asked
        again until the AC check needs it."""
        phase = self._phase(t)
        key = (phase, frozenset(self.out), self.moves, ac)
        if key in self.cache:
            return self.cache[key]
        if not ac and self._full_phase == phase:
            return self.demand, {"converged": None}
        net = self.nets[phase]
        if self.moves:
            net = self.transfer.moved_net(net, self.moves)
        res = shed_load(net, [self.work.outages[k] for k in sorted(self.out)],
                        mode="dispatch", ac_check=ac)
        self.cache[key] = (res.loads.served_mw.to_numpy(float), res.ac)
        if ac:
            self.cache[(phase, frozenset(self.out), self.moves, False)] = self.cache[key]
        if (self.cache[key][0] >= self.demand - EPS_MW).all():
            self._full_phase = phase
        return self.cache[key]

    def _budget(self, st: TopoState) -> np.ndarray:
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

    # ---------------------------------------------------------------- the run
    def simulate(self) -> tuple[dict, list[dict], object]:
        """Run to the end; returns the result's fields, the raw event log and the batch
        classification of every step."""
        rec = Record()
        now = self._moment(0.0, rec)
        while not self._finished(now):
            now = self._moment(self._advance(now), rec)
        self._closing_flags(rec)
        fields, batch = result_fields(self, rec)
        return fields, self.events, batch

    def _moment(self, t: float, rec: Record) -> Moment:
        """Everything that happens at ``t``, in order, and its row in ``rec``."""
        # a repaired bus may let units restart; crews are sent and the checks made on the
        # network as it is after both
        self._repairs_done(t)
        self._restarts(t)
        st = self.topo.state(self.out)
        self._switch(t, st)
        reach, _ = self._engine(t, ac=False)
        if not self.dist.empty:
            reach = reach * (1.0 - self.dist.share(t))
            self._log_distribution(t)
        rec.below = max(rec.below, float((self.served - reach).max(initial=0.0)))
        hazard = t < self.hazard_end - 1e-9
        self._need_dispatch |= self.work.support_ready(self._last_t, t)
        self._last_t = t
        self._send_crews(t, st, reach, hazard)
        shed = np.clip(self.demand - self.served, 0.0, None)
        self._send_generators(t, shed, hazard)
        checks = self._checks(t, shed, hazard, ended=rec.terminated is not None)
        rec.hold(t, checks, self.activated)
        self._record(t, shed, checks, rec)
        return Moment(t, st, reach, hazard, picking=bool((reach > self.served + EPS_MW).any()),
                      pending=[j for j in self.work.jobs if j.done_h is None])

    def _finished(self, now: Moment) -> bool:
        """Nothing left to happen (no load to pick up, no repair, restart or deadline ahead),
        or the horizon is reached."""
        idle = not (now.picking or now.pending or self.work.restarts or self._ahead(now.t))
        return idle or now.t >= self.horizon - 1e-9

    def _ahead(self, t: float) -> list[float]:
        """The end of the hazard and of the secondary incidents, where still to come."""
        return [x for x in (self.hazard_end, self.secondary_end, self.transfer.switch_h,
                            *self.dist.next_after(t), *self.emerg.next_after(t),
                            *self.work.ready_after(t))
                if x > t + 1e-9]

    def _log_distribution(self, t: float) -> None:
        """Log the distribution repairs finished since the last moment."""
        for (district, kind), row in self.dist.done_between(self._dist_logged, t).iterrows():
            what = ("110 kV supply line(s)" if kind == "110kV" else "10 kV feeder(s)")
            self._log(t, "repair", f"配网抢修 distribution repair: {row.n} {what} back "
                      f"({int(row.customers):,} customers)", district)
        self._dist_logged = t

    def _advance(self, now: Moment) -> float:
        """Crews work and islands pick load up until the next moment; returns its time."""
        rates = {j.id: self.work.rate(j, now.t, now.hazard) for j in now.pending}
        t_next = self._next_moment(now, rates)
        self._work(now, rates, t_next)
        if now.picking:
            self._pick_up_step(now, t_next)
        return t_next

    def _next_moment(self, now: Moment, rates: dict[int, float]) -> float:
        """The first of: the horizon, the hazard's or secondary incidents' end, the next pick-up
        step, a crew's arrival, a restart falling due, a repair's end at its current rate."""
        t, work = now.t, self.work
        nxt = [self.horizon, *self._ahead(t), *([t + self.step] if now.picking else [])]
        nxt += [c.arrive_h for c in work.crews if c.job is not None and c.arrive_h > t + 1e-9]
        nxt += [r.ready_h for r in work.restarts if r.ready_h is not None]
        nxt += [t + j.work_left / rates[j.id] for j in now.pending if rates[j.id] > 0]
        if self.day.varies and (self.served < self.demand - EPS_MW).any():
            nxt.append(self.day.next_hour(t))  # a row every clock hour while load is out
        return max(min(nxt), t + 1e-6)

    def _closing_flags(self, rec: Record) -> None:
        """Flag what a reader of the result should know: load the engine could not carry was
        kept on; the response did not end within the horizon."""
        if rec.below > 1e-3:
            self.flags.append(f"the dispatch engine could carry up to {rec.below:.1f} MW less "
                              "than was already served at some step (cascade-mode state); that "
                              "load was kept on (no load is cut again during restoration)")
        if self.activated and rec.terminated is None:
            failing = ", ".join(c for c, t in rec.since.items() if t is None) or "none"
            self.flags.append(f"the response did not end within the {self.horizon:g} h horizon; "
                              f"checks still failing: {failing}")

    # ---------------------------------------------------------------- events at one moment
    def _repairs_done(self, t: float) -> None:
        """Complete the repairs whose work is done by ``t``."""
        for job in self.work.jobs:
            if job.done_h is None and job.work_left <= 1e-6 and job.crews:
                self._repair_done(job, t)

    def _repair_done(self, job: Job, t: float) -> None:
        """A repair is done: its crews are free where they stand and wait for orders, repaired
        branches and buses are back, repaired units and converters still have to start."""
        work = self.work
        job.done_h = t
        for cid in job.crews:
            crew = work.crews[cid]
            crew.job, crew.lat, crew.lon = None, job.lat, job.lon
        self._log(t, "repair_done", f"repaired: {job.label} ({job.work_h:.0f} crew-hours, "
                  f"{len(job.crews)} crew(s))", job.district)
        for key in job.keys:
            if key[0] in ("gen", "sgen"):
                work.restarts.append(work.restart(key))
            else:
                self.out.discard(key)
        self._need_dispatch = True

    def _restarts(self, t: float) -> None:
        """Put back what may restart at ``t``, again after each pass that put something back (a
        black start energises buses on which other units may then start)."""
        work = self.work
        progress = True
        while progress:
            st = self.topo.state(self.out)
            progress = False
            for r in work.restarts:
                if r.ready_h is None and self._may_start(r, st):
                    r.ready_h = t + r.delay_h
                if r.ready_h is not None and r.ready_h <= t + 1e-9 and r.key in self.out:
                    self.out.discard(r.key)
                    progress = True
                    what, note = r.what, r.what.replace("_", " ")
                    if what == "black_start" and self._live(r, st):
                        what, note = "unit_start", ("unit start (its bus already energised from "
                                                    "the main island: no black start needed)")
                    self._log(t, what, f"{r.label}: {note}", str(work.row(r.key)["district"]))
            work.restarts = [r for r in work.restarts if r.key in self.out]

    def _live(self, r: Restart, st: TopoState) -> bool:
        """Whether a unit's bus is energised by another source already."""
        kind, p = self.topo.position(r.key)
        return kind == "gen" and bool(st.energised[self.topo.gen_bus[p]])

    def _may_start(self, r: Restart, st: TopoState) -> bool:
        """Whether the condition of a restart holds (its bus in service, or energised)."""
        kind, p = self.topo.position(r.key)
        if r.needs is None or kind not in _BUS_OF:
            return True
        bus = getattr(self.topo, _BUS_OF[kind])[p]
        return bool((r.needs == "bus" and st.bus_on[bus])
                    or (r.needs == "energised" and st.energised[bus]))

    def _send_crews(self, t: float, st: TopoState, reach: np.ndarray, hazard: bool) -> None:
        """Send the free crews out, at the start and after every repair."""
        if self._need_dispatch:
            self.work.dispatch(t, self.policy, st, reach, self.demand, self.weight,
                               self.key | self.important, hazard)
            self._need_dispatch = False

    def _checks(self, t: float, shed: np.ndarray, hazard: bool, ended: bool) -> dict[str, bool]:
        """The four §4.3 checks at ``t`` (once the response has ended the grid check, an AC power
        flow, is not run again)."""
        return {"grid": True if ended else self._grid_check(t),
                "load": self._load_check(shed, self.day.factor(t)),
                "hazard": not hazard,
                "secondary": t >= self.secondary_end - 1e-9}

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

    def _load_check(self, shed: np.ndarray, f: np.ndarray) -> bool:
        """§4.3(2) as the plan file's ``[termination]`` reads it (each affected key area and all
        together, :func:`~outage_sim.restoration.result.load_check`); the key areas below the
        mark are kept in :attr:`key_lagging` for the timeline."""
        n = len(self.dnames)
        by0, now, load = (np.bincount(self.dcode, x * f, n)
                          for x in (self.shed0, shed, self.demand))  # at the hour's demand
        keys = [i for i, d in enumerate(self.dnames) if d in self.key_areas]
        ok, self.key_lagging = load_check(
            self.run.severity.plan.termination, float(by0.sum()), float(now.sum()),
            *({self.dnames[i]: float(a[i]) for i in keys} for a in (by0, now, load)))
        return ok

    def _record(self, t: float, shed: np.ndarray, checks: dict[str, bool], rec: Record) -> None:
        """The timeline row of ``t``, and the districts' shed MW and customers out."""
        co = customers_out(self.demand, self.served, self.customers)
        f = self.day.factor(t)
        rec.rows.append({"t_h": t, "served_mw": float(self.served.sum()),
                         "demand_now_mw": float(self.demand @ f),
                         "shed_now_mw": float(shed @ f), "shed0_now_mw": float(self.shed0 @ f),
                         "key_shed_now_mw": float(shed[self.key] @ f[self.key]),
                         "key_shed0_now_mw": float(self.shed0[self.key] @ f[self.key]),
                         "shed_mw": float(shed.sum()), "key_shed_mw": float(shed[self.key].sum()),
                         "customers_out": int(co.sum()), "outstanding": len(self.out),
                         "transferred_mw": float(sum(self.served[m.load] for m in self.moves)),
                         "backup_mw": float(self.emerg.backup_mw(t, shed).sum()),
                         "mobile_mw": float(self.emerg.mobile_mw(t, shed).sum()),
                         "crews_busy": sum(c.job is not None for c in self.work.crews),
                         "key_lagging": "、".join(self.key_lagging),
                         **{f"check_{c}": ok for c, ok in checks.items()}})
        n = len(self.dnames)
        rec.districts.append((np.bincount(self.dcode, shed, n), np.bincount(self.dcode, co, n)))

    # ---------------------------------------------------------------- between moments
    def _work(self, now: Moment, rates: dict[int, float], t_next: float) -> None:
        """Crews on site work their jobs from ``now`` to ``t_next`` at the jobs' ``rates``."""
        for j in now.pending:
            if rates[j.id] > 0:
                j.start_h = now.t if j.start_h is None else j.start_h
                j.work_left = max(0.0, j.work_left - rates[j.id] * (t_next - now.t))

    def _pick_up_step(self, now: Moment, t_next: float) -> None:
        """Pick load up from ``now`` to ``t_next`` within each island's pick-up capacity; load
        out for a while comes back cold (each MW costs the cold-load pick-up factor)."""
        clpu = self.data.values["cold_load_pickup"]
        factor = float(clpu["factor"]) if now.t >= float(clpu["after_h"]) else 1.0
        self._pick_up(now.st, now.reach, self._budget(now.st) * (t_next - now.t),
                      factor * self.day.factor(now.t))

    def _pick_up(self, st: TopoState, reach: np.ndarray, budget: np.ndarray,
                 factor: np.ndarray) -> None:
        """Bring loads towards ``reach`` in pick-up order, each island within its budget (MW),
        every restored MW costing ``factor`` MW of it (cold-load pick-up)."""
        need = np.clip(reach - self.served, 0.0, None)
        isl = st.island[self.pick_bus]
        for k in np.unique(isl[need > EPS_MW]):
            if k < 0:
                continue
            idx = np.flatnonzero((isl == k) & (need > EPS_MW))
            idx = idx[np.argsort(self.pick_rank[idx])]
            cost = np.cumsum(need[idx] * factor[idx])
            full = cost <= budget[k] + 1e-9
            self.served[idx[full]] += need[idx[full]]
            rest = np.flatnonzero(~full)
            if len(rest):
                left = budget[k] - (cost[rest[0] - 1] if rest[0] > 0 else 0.0)
                self.served[idx[rest[0]]] += max(0.0, left) / factor[idx[rest[0]]]

    def _switch(self, t: float, st: TopoState) -> None:
        """负荷转供: the moves of dark stations' load onto neighbours at ``t``; each change of a
        pair (a transfer made, or ended as the station comes back) goes into the log."""
        moves = self.transfer.plan(t, st, self.demand, self.pick_rank)
        if moves == self.moves:
            return
        before = self.transfer.summary(self.moves, self.demand)
        after = self.transfer.summary(moves, self.demand)
        names = self.transfer.names
        for (a, b), mw in after.items():
            if (a, b) not in before:
                self._log(t, "transfer", f"负荷转供 load transfer: {mw:,.1f} MW of {names[a]}'s "
                          f"load switched to {names[b]} over the 110 kV ties (its 220/110 kV "
                          f"transformers {self.transfer.rating_of(b):,.0f} MW)",
                          self._district_of_bus(a))
        for (a, b) in before.keys() - after.keys():
            self._log(t, "transfer_end", f"转供恢复 transfer ended: {names[a]} re-energised, its "
                      f"load switched back from {names[b]}", self._district_of_bus(a))
        self.moves = moves
        self.pick_bus = self.topo.load_bus.copy()
        for m in moves:
            self.pick_bus[m.load] = m.to_bus

    def _send_generators(self, t: float, shed: np.ndarray, hazard: bool) -> None:
        """应急发电车: send free generator vehicles to important users still out; one log line
        per user served."""
        loads = self.run.shed.loads
        by_user: dict[int, list] = {}
        for v, i in self.emerg.dispatch(t, shed, hazard):
            by_user.setdefault(i, []).append(v)
        for i, vs in by_user.items():
            bases = "、".join(dict.fromkeys(v.base for v in vs))
            self._log(t, "emergency_power", f"应急发电车 {len(vs)} generator vehicle(s) "
                      f"({len(vs) * self.emerg.mw:g} MW, from {bases}) sent to "
                      f"{loads.name.iloc[i]} ({self.emerg.category[i]}), arriving by "
                      f"+{max(v.arrive_h for v in vs):.1f} h", str(loads.district.iloc[i]))

    def _district_of_bus(self, pos: int) -> str:
        return str(self.run.net.bus["district"].iloc[pos]) if "district" in self.run.net.bus else ""

    def _log(self, t: float, kind: str, what: str, district: str = "") -> None:
        self.events.append({"t_h": t, "kind": kind, "what": what, "district": district})


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
