"""What must be put back after an event, and which crew does what (:mod:`outage_sim.restoration.driver`).

:class:`RepairWork` turns a run's failures into

- **repair jobs** (:class:`Job`): damaged components, grouped where one fault took several
  together (both circuits of a corridor on shared towers, a station's buses, a plant's units);
  work in crew-hours from ``repair.yaml`` by component kind and cause (or the scenario's
  ``repair_h``), and how many crews can share the job;
- **restarts** (:class:`Restart`): components that need no crew — units tripped in a frequency
  collapse, branches tripped by protection, ties opened by the stability control, the DC infeed
  blocked, and repaired units — each waiting for its condition (its bus intact, or energised) and
  then its start-up time;
- **crews** (:class:`Crew`) at their bases, and :meth:`RepairWork.dispatch`, which sends free
  crews to jobs under the run's policy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from outage_sim.errors import DataFileError
from outage_sim.hazards import Outage, component_table, resolve_fault
from outage_sim.restoration.data import RepairData
from outage_sim.restoration.topology import Key, Topology

_NOUN = {"corridor": "circuits", "station": "buses", "plant": "units"}


@dataclass
class Job:
    """One repair job (mutable while the simulation runs)."""

    id: int
    keys: tuple[Key, ...]
    label: str
    kind: str
    cause: str
    district: str
    lat: float
    lon: float
    work_h: float
    max_crews: int
    backbone: bool
    work_left: float = 0.0
    crews: list[int] = field(default_factory=list)
    start_h: float | None = None
    done_h: float | None = None


@dataclass
class Crew:
    """A repair crew: where it is, and the job it is on (None when free)."""

    id: int
    base: str
    lat: float
    lon: float
    job: int | None = None
    arrive_h: float = 0.0
    ready_h: float = 0.0  # when it is at its base and may be sent (support crews arrive later)


@dataclass
class Restart:
    """A component that comes back without a crew once ``needs`` holds, after ``delay_h``."""

    key: Key
    label: str
    what: str           # black_start, unit_start, tie, converter, renewable, reclose
    needs: str | None   # "bus" (its bus in service), "energised" (its bus energised) or None
    delay_h: float
    ready_h: float | None = None


class RepairWork:
    """The jobs, restarts and crews of one restoration run.

    Parameters
    ----------
    run
        The scenario run (its failures, trips, net and scenario).
    data
        Restoration parameters.
    cause
        The event's cause (a scenario's named faults take it).
    topo
        The net's :class:`~outage_sim.restoration.topology.Topology`.
    log
        ``log(t_h, kind, what, district)`` records an event.
    """

    def __init__(self, run, data: RepairData, cause: str, topo: Topology,
                 log: Callable[..., None], rng: np.random.Generator | None = None):
        self.run, self.data, self.cause, self.topo, self.log = run, data, cause, topo, log
        self.rng = rng  # None: every repair takes its table's (median) time
        self.net = run.net
        self.comp = component_table(self.net).set_index(["element", "index"])
        self.outages: dict[Key, Outage] = {}
        self.out: set[Key] = set()
        self.jobs: list[Job] = []
        self.restarts: list[Restart] = []
        self._build()
        self.crews = self._crews()

    # ---------------------------------------------------------------- components
    def row(self, key: Key) -> pd.Series:
        """The component-table row of an element."""
        return self.comp.loc[key]

    def kind(self, key: Key) -> str:
        """The repair-table kind of an element (see ``repair.yaml``)."""
        row = self.row(key)
        el, kind, typ = key[0], str(row["kind"]), str(row["type"])
        if el == "line":
            return "line_500" if float(row["vn_kv"]) >= 500 else "line_220"
        if el in ("trafo", "bus"):
            return "transformer" if el == "trafo" else "substation"
        if kind == "unit":
            return f"unit_{typ}" if typ in ("coal", "gas", "hydro") else "unit_coal"
        if kind == "import":
            return "intertie_ac" if typ in ("ac_uhv", "ac_tie") else "intertie_converter"
        return "renewable"

    def _build(self) -> None:
        override: dict[Key, tuple[float | None, bool]] = {}
        for f in self.run.scenario.faults:
            for o in resolve_fault(self.net, f.kind, f.name):
                override[(o.element, o.index)] = (f.repair_h, f.damaged)
        damaged: list[Outage] = []
        for o in self.run.shed.failed:
            key = (o.element, o.index)
            self.outages[key] = o
            self.out.add(key)
            repair_h, is_damaged = override.get(key, (None, True))
            if is_damaged:
                damaged.append(o)
            else:
                self.restarts.append(self.restart(key, delay=repair_h))
        for o in self.run.shed.tripped:  # trips in the event's first seconds need a restart
            key = (o.element, o.index)
            if o.cause in ("collapse", "cascade") and key not in self.out:
                self.outages[key] = o
                self.out.add(key)
                self.restarts.append(self.restart(key))
        groups: dict[tuple, list[Outage]] = {}
        for o in damaged:
            groups.setdefault(self._group(o), []).append(o)
        self.jobs = [self._job(i, g, members, override)
                     for i, (g, members) in enumerate(groups.items())]

    def _cause(self, o: Outage) -> str:
        return self.cause if o.cause == "scenario" else o.cause

    def _group(self, o: Outage) -> tuple:
        key = (o.element, o.index)
        cause = self._cause(o)
        if o.element == "line":
            return ("corridor", o.name.rsplit(" #", 1)[0], cause)
        if o.element == "bus":
            return ("station", o.name.rsplit(" ", 1)[0], cause)
        if o.element == "gen" and str(self.row(key)["kind"]) == "unit":
            return ("plant", str(self.net.gen.at[o.index, "plant"]), cause, o.reason)
        return key

    def _job(self, gid: int, group: tuple, members: list[Outage], override) -> Job:
        keys = tuple((o.element, o.index) for o in members)
        rows = [self.row(k) for k in keys]
        kind = self.kind(keys[0])
        cause = self._cause(members[0])

        def work(k, r):
            given = override.get(k, (None, True))[0]
            return given if given is not None else self.data.work_h(self.kind(k), cause,
                                                                     float(r["length_km"]))

        label = group[1] if group[0] in _NOUN else members[0].name
        if len(keys) > 1:
            label = f"{label} ({len(keys)} {_NOUN.get(group[0], 'elements')})"
        backbone = any(float(r["vn_kv"]) >= self.data.values["backbone"]["min_kv"]
                       and k[0] in ("line", "trafo", "bus") for k, r in zip(keys, rows))
        w = max(work(k, r) for k, r in zip(keys, rows))  # shared towers: one job, the longest work
        towers = self.data.values.get("emergency_tower", {}).get(self.data.cause_key(cause))
        if kind.startswith("line_") and towers is not None and all(
                override.get(k, (None,))[0] is None for k in keys):
            w *= float(towers)  # 抢修塔 carry the corridor; the permanent towers come later
            label = f"{label} by 抢修塔 emergency towers"
        w *= self.data.draw_factor(self.rng)
        return Job(gid, keys, label, kind, cause, str(rows[0]["district"]),
                   float(np.mean([(r["lat"] + r["lat2"]) / 2 for r in rows])),
                   float(np.mean([(r["lon"] + r["lon2"]) / 2 for r in rows])), w,
                   self.data.max_crews(kind, max(float(r["length_km"]) for r in rows)), backbone,
                   work_left=w)

    def restart(self, key: Key, delay: float | None = None) -> Restart:
        """How an element that needs no (more) crew work comes back."""
        row = self.row(key)
        el, kind, typ = key[0], str(row["kind"]), str(row["type"])
        d = self.data
        if el == "gen" and kind == "unit":
            spec = (("black_start", "bus", d.values["black_start_h"])
                    if bool(self.net.gen.at[key[1], "black_start"])
                    else ("unit_start", "energised", d.start_h(typ)))
        elif el == "gen":  # grid-forming intertie: energised from the far end once it may close
            spec = ("tie", "bus", d.restart_h(self.kind(key)))
        elif el == "sgen":
            spec = (("converter", "energised", d.restart_h("intertie_converter"))
                    if kind == "import" else ("renewable", "energised", d.restart_h("renewable")))
        else:
            spec = ("reclose", None, d.restart_h("substation" if el == "bus" else "branch"))
        what, needs, default = spec
        return Restart(key, str(row["name"]), what, needs,
                       float(default if delay is None else delay))

    def _crews(self) -> list[Crew]:
        bases = self.run.scenario.restoration.crews or self.data.values["crew_bases"]
        dist = self.net["districts"].set_index("name")
        crews: list[Crew] = []
        for base, count in bases.items():
            if base not in dist.index:
                raise DataFileError(f"repair.yaml: crew_bases: no district named {base!r}")
            crews += [Crew(len(crews) + i, base, float(dist.at[base, "lat"]),
                           float(dist.at[base, "lon"])) for i in range(int(count))]
        return crews + self._support(dist, len(crews))

    def _support(self, dist: pd.DataFrame, first: int) -> list[Crew]:
        """Cross-province support crews (跨省支援) for a 重大/特别重大 event, arriving at their
        base after the stated delay (``support_crews``)."""
        prm = self.data.values.get("support_crews")
        sev = self.run.severity
        level = sev.plan.level(sev.level_rank) if sev.level_rank > 0 else None
        if prm is None or level is None or not int(prm["by_level"].get(level.name, 0)):
            return []
        n = int(prm["by_level"][level.name])
        base = str(prm["base"])
        if base not in dist.index:
            raise DataFileError(f"repair.yaml: support_crews.base: no district named {base!r}")
        lat, lon = float(dist.at[base, "lat"]), float(dist.at[base, "lon"])
        delay = float(prm["delay_h"])
        self.log(delay, "support", f"跨省支援 cross-province support: {n} repair crews arrive at "
                 f"{base} ({level.name} event)", base)
        return [Crew(first + i, f"{base} (跨省支援 support)", lat, lon, ready_h=delay)
                for i in range(n)]

    def support_ready(self, t0: float, t1: float) -> bool:
        """Whether support crews became ready in (t0, t1]."""
        return any(t0 + 1e-9 < c.ready_h <= t1 + 1e-9 for c in self.crews)

    def ready_after(self, t: float) -> list[float]:
        """The next time support crews become ready after ``t``."""
        later = [c.ready_h for c in self.crews if c.ready_h > t + 1e-9]
        return [min(later)] if later else []

    # ---------------------------------------------------------------- crews at work
    def travel_h(self, crew: Crew, job: Job, hazard: bool) -> float:
        """Hours for a crew to reach a job (slower while the hazard lasts)."""
        factor = self.data.travel_factor(self.cause) if hazard else 1.0
        return self.data.road_h(crew.lat, crew.lon, job.lat, job.lon, factor)

    def rate(self, job: Job, t: float, hazard: bool) -> float:
        """Crew-hours of work done per hour on a job now (crews on site × productivity)."""
        onsite = sum(1 for c in job.crews if self.crews[c].arrive_h <= t + 1e-9)
        return onsite * (self.data.work_factor(self.cause) if hazard else 1.0)

    def dispatch(self, t: float, policy: str, st, reach: np.ndarray, demand: np.ndarray,
                 weight: np.ndarray, vip: np.ndarray, hazard: bool) -> None:
        """Send every free crew to a job under ``policy`` (crews on a job are not recalled)."""
        free = [c for c in self.crews if c.job is None and c.ready_h <= t + 1e-9]
        open_jobs = [j for j in self.jobs if j.done_h is None and len(j.crews) < j.max_crews]
        if not free or not open_jobs:
            return
        if policy == "nearest_crew":
            self._nearest_jobs(free, open_jobs, t, hazard)
            return
        w = weight if policy == "priority_first" else np.ones_like(weight)
        self._best_jobs(free, open_jobs, t, hazard, policy,
                        self._values(st, reach, demand, w, vip))

    def _best_jobs(self, free: list[Crew], open_jobs: list[Job], t: float, hazard: bool,
                   policy: str, values: dict[int, tuple]) -> None:
        """The other policies: the best-ranked job (:func:`_rank`) gets the crew that reaches it
        first, until crews or places on jobs run out."""
        while free and open_jobs:
            job = min(open_jobs, key=lambda j: _rank(policy, j, values[j.id]))
            crew = min(free, key=lambda c: (self.travel_h(c, job, hazard), c.id))
            self._assign(crew, job, t, hazard)
            free.remove(crew)
            if len(job.crews) >= job.max_crews:
                open_jobs.remove(job)

    def _nearest_jobs(self, free: list[Crew], open_jobs: list[Job], t: float,
                      hazard: bool) -> None:
        """``nearest_crew``: each free crew in turn takes the job it reaches first."""
        for crew in free:
            open_jobs = [j for j in open_jobs if len(j.crews) < j.max_crews]
            if open_jobs:
                self._assign(crew, min(open_jobs, key=lambda j: (
                    self.travel_h(crew, j, hazard), j.id)), t, hazard)

    def _assign(self, crew: Crew, job: Job, t: float, hazard: bool) -> None:
        crew.job = job.id
        crew.arrive_h = t + self.travel_h(crew, job, hazard)
        job.crews.append(crew.id)
        self.log(t, "crew_sent", f"crew {crew.id + 1} ({crew.base}) sent to {job.label}, "
                 f"arriving at +{crew.arrive_h:.1f} h", job.district)

    def _values(self, st, reach, demand, w, vip) -> dict[int, tuple]:
        """Per open job: ``(now, prio_now, later, prio_later)`` — the (weighted) MW its repair
        would let come back now, the MW that needs it once every other repair is done (a station
        behind a failed 500 kV station), and whether each includes important users or key areas."""
        topo = self.topo
        wd = w * demand
        now = topo.loads_energised(st)
        pending = [j for j in self.jobs if j.done_h is None]
        rest = self.out - {k for j in pending for k in j.keys}
        at_end = topo.loads_energised(topo.state(rest))
        out = {}
        for job in pending:
            st2 = topo.state(self.out - set(job.keys))
            e2 = topo.loads_energised(st2)
            new = e2 & ~now
            value, prio = float(wd[new].sum()), bool((new & vip).any())
            for k in job.keys:  # a repaired unit or tie adds supply to its island's shortage
                if k[0] not in ("gen", "sgen"):
                    continue
                kind, p = topo.position(k)
                isl = st2.island[topo.gen_bus[p] if kind == "gen" else topo.sgen_bus[p]]
                if isl < 0:
                    continue
                short = e2 & (st2.island[topo.load_bus] == isl) & ~new
                gap = np.where(short, demand - reach, 0.0).clip(min=0.0)
                cap = float(self.net[k[0]].at[k[1], "max_p_mw" if k[0] == "gen" else "p_mw"])
                if gap.sum() > 0:
                    value += min(cap, float(gap.sum())) * float((w * gap).sum() / gap.sum())
                    prio |= bool((vip & (gap > 0)).any())
            without = topo.loads_energised(topo.state(rest | set(job.keys)))
            needs = at_end & ~without & ~now
            out[job.id] = (value, prio, float(wd[needs].sum()), bool((needs & vip).any()))
        return out


def _rank(policy: str, job: Job, value: tuple) -> tuple:
    """Sort key of an open job under ``priority_first`` or ``largest_load_first`` (lowest
    first); ``value`` is the job's ``(now, prio_now, later, prio_later)`` from
    :meth:`RepairWork._values`."""
    now, prio, later, prio_later = value
    work = max(job.work_left, 1e-6)
    if policy == "priority_first":  # 优先恢复重点区域、重要用户, then MW per crew-hour
        return (-_tier(now, prio, later, prio_later), -(now or later) / work, not job.backbone,
                work, job.id)
    return (-(now or later), now <= 0, not job.backbone, work, job.id)


def _tier(now: float, prio: bool, later: float, prio_later: bool) -> int:
    """``priority_first``'s tiers: important users or key areas back now (4), any load back now
    (3), important users or key areas once other repairs are done (2), any load then (1)."""
    if now > 0:
        return 4 if prio else 3
    if prio_later:
        return 2
    return 1 if later > 0 else 0
