"""Restoration over time: repair crews, black start, step-by-step load pick-up, §4.3 termination.

:func:`restore` takes a scenario run (:func:`outage_sim.studies.run_scenario`) and simulates from the
event time until the response may end and the load is back, or a horizon:

- **Repairs.** Failed components become repair jobs (both circuits of a corridor, a station's
  buses or a plant's units hit by one fault are one job). Crews from their bases (scenario or
  ``repair.yaml``) travel to jobs and work them; work in crew-hours depends on the component kind
  and the cause (``data/restoration/repair.yaml``, RTS-GMLC where it has a figure, stated
  estimates elsewhere, e.g. tower work per km after ice); several crews can share a long line.
  While the hazard lasts, work and travel are slowed by the cause's factors.
- **Which repair first** is the policy: ``priority_first`` (the plan's 优先恢复重点区域、重要用户:
  repairs that re-energise important users or key areas first, then the most weighted MW per
  crew-hour, then the 500 kV backbone), ``largest_load_first`` (most MW first) or
  ``nearest_crew`` (each free crew takes the closest job).
- **Black start and restarts.** Units tripped in a frequency collapse, and components opened but
  not damaged, need no crew: a black-start hydro unit starts by itself once its station is intact,
  other units need an energised bus and their start-up time, a tie re-closes, renewables and the
  DC infeed wait for an energised bus (:mod:`outage_sim.restoration.topology`).
- **Load pick-up (分时分步).** After every change in the network the load-shed engine
  (:func:`outage_sim.engine.shed_load`, dispatch mode, cached by the set of components still out)
  says how much each load can be served; loads come back towards it at the pick-up rate of their
  island (a share of its online capacity per hour), each restored MW costing the cold-load
  pick-up factor, in the policy's order. A load once picked up is never cut again (no new faults).
- **Load transfer (负荷转供).** Once the switching is done (``load_transfer`` in
  ``repair.yaml``), the load of each de-energised 220 kV station moves over the 110 kV ties to
  energised neighbours (``transfers.csv``), within each tie's limit and the receiving station's
  220/110 kV headroom; the engine is asked about the net with the load moved, so the 220/500 kV
  ratings hold too (:mod:`outage_sim.restoration.transfer`). Switching steps are in the log.
- **Emergency power (应急电源).** Important users carry a share of their load on their own
  standby generators while the fuel lasts, and generator vehicles (应急发电车) are sent to the
  users still out by priority (``backup_power``, ``generator_fleet``;
  :mod:`outage_sim.restoration.emergency`). The timeline counts them beside the grid
  (``backup_mw``, ``mobile_mw``, ``emergency_mw``, ``supplied_pct``), never as restoration.
- **At every step** the load restored, customers out, the event level re-graded from the current
  state (:func:`outage_sim.severity.classify_batch`), the response level (stepped down as the level
  falls; never below Ⅳ级 while the response lasts) and the four §4.3 checks. The response ends at
  the first moment all four hold; the result names the check that held last. The report clock of
  the response plan is rebuilt with that end time (daily follow-ups, final report).

The checks (Notes in :class:`Restoration`) read the plan's text (渝府办发〔2021〕18号 §4.3) as
data: ``backbone`` and ``operating_limits`` in ``repair.yaml``.

Modules: :mod:`outage_sim.restoration.data` (the data file), :mod:`outage_sim.restoration.topology`
(islands for many outage sets), :mod:`outage_sim.restoration.crews` (jobs, restarts, crews and
the policies), :mod:`outage_sim.restoration.simulation` (the time loop),
:mod:`outage_sim.restoration.tables` (the result's tables), :mod:`outage_sim.restoration.log`
(event log and summary); figures in :mod:`outage_sim.reports.recovery`.

Notes
-----
Assumptions a reader should know: no new faults after the event (aftershocks, re-icing of
repaired lines are not drawn); demand follows a typical day of the season per load class
(:mod:`outage_sim.restoration.demand`): the state is kept as the share of each load served, so
``served_mw``/``shed_mw`` are at the event's demand (what the §1.5 re-grading reads) while
``restored_pct``, the §4.3(2) check, pick-up costs and unserved energy are at the hour's demand;
the engine's limits are found at the event's demand (a cautious bound at lighter hours);
reports are made when due. A repair never
lowers what the network can carry, because the dispatcher could leave the repaired element open:
this is why a load once picked up is kept on, and why the engine is not asked again once every
load could be served.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from outage_sim.errors import InputError
from outage_sim.progress import track
from outage_sim.restoration.data import POLICIES, RepairData, repair_data
from outage_sim.restoration.log import event_log
from outage_sim.restoration.result import PolicyComparison, Restoration, with_aftermath
from outage_sim.restoration.simulation import Simulation

__all__ = ["compare_policies", "restore"]


def restore(run, *, policy: str | None = None, horizon_h: float | None = None,
            step_h: float | None = None, data: RepairData | None = None,
            cache: dict | None = None, seed: int | None = None) -> Restoration:
    """Simulate restoration after a scenario run.

    Parameters
    ----------
    run : outage_sim.studies.RunResult
        A run made by :func:`outage_sim.studies.run_scenario` (it carries the event's net).
    policy, horizon_h, step_h
        Override the scenario's ``restoration`` settings.
    data
        Restoration parameters; ``repair.yaml`` by default.
    cache
        A dict shared by calls on the same run (the shed engine's results by outage set), e.g.
        when comparing policies.
    seed
        Draw each repair's time from its lognormal (``repair_spread`` in ``repair.yaml``,
        median the table's value) with this seed; None (the default) takes the medians.
    """
    if run.net is None:
        raise InputError("run: it carries no network; make it with outage_sim.studies.run_scenario")
    spec = run.scenario.restoration
    policy = policy or spec.policy
    if policy not in POLICIES:
        raise InputError(f"policy: {policy!r} unknown; use one of {', '.join(POLICIES)}")
    horizon_h = spec.horizon_h if horizon_h is None else float(horizon_h)
    step_h = spec.step_h if step_h is None else float(step_h)
    if not horizon_h > 0 or not step_h > 0:
        raise InputError("horizon_h and step_h: must be above 0")
    fields, raw, batch = Simulation(run, policy, horizon_h, step_h, data or repair_data(),
                                    cache if cache is not None else {}, seed).simulate()
    result = Restoration(**fields, events=pd.DataFrame())
    return with_aftermath(replace(result, events=event_log(result, raw, batch)))


def compare_policies(run, policies=POLICIES, *, progress: bool = False,
                     **kwargs) -> PolicyComparison:
    """Run :func:`restore` once per policy (sharing the shed engine's cache) and tabulate.

    ``progress``: a bar on stderr, one step per policy, when stderr is a terminal
    (:mod:`outage_sim.progress`).
    """
    cache: dict = {}
    runs = {p: restore(run, policy=p, cache=cache, **kwargs)
            for p in track(tuple(policies), "恢复策略比较 restoration policies", enabled=progress)}
    rows = [{"policy": p, "t80_h": r.time_to(80), "t90_h": r.time_to(90),
             "key_t90_h": r.time_to(90, "key"), "customers_t90_h": r.time_to(90, "customers"),
             "terminated_h": r.terminated_h, "unserved_mwh": round(r.unserved_mwh, 1),
             "customer_hours": round(r.customer_hours)} for p, r in runs.items()]
    return PolicyComparison(table=pd.DataFrame(rows), runs=runs)
