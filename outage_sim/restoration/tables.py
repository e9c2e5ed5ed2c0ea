"""What a restoration run writes down as it goes (:class:`Record`), and the result's tables.

:class:`~outage_sim.restoration.simulation.Simulation` appends one :class:`Record` row per moment;
:func:`result_fields` turns the finished record into the fields of
:class:`~outage_sim.restoration.Restoration`: the timeline (with the event re-graded at
every step and the response level), the per-district table, the repair jobs, and the response
plan with its report clock rebuilt for the end of the response.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from outage_sim.response import rebuild_response
from outage_sim.restoration.result import CHECKS, clock
from outage_sim.severity import classify_batch

#: MW below which a shortfall counts as none (float noise of the shed engine).
EPS_MW = 1e-6

_JOB_COLUMNS = ["job", "label", "kind", "cause", "district", "elements", "work_h", "max_crews",
                "crews", "start_h", "done_h"]


def share_pct(part: float, whole: float) -> float:
    """``part`` as a % of ``whole``, within 0–100; 100 when nothing was lost (``whole`` ≈ 0)."""
    return 100.0 if whole <= EPS_MW else float(np.clip(100.0 * part / whole, 0.0, 100.0))


@dataclass
class Record:
    """The rows of a run so far, and the history of the §4.3 checks.

    Attributes
    ----------
    rows
        One timeline row per moment (the columns the loop knows; :func:`result_fields` adds the
        rest).
    districts
        Per moment, ``(shed MW, customers out)`` per district.
    since
        Per check, the hour from which it has held without a break (None while it fails).
    terminated, last
        When all four checks first held in an activated response, and the check that held last.
    below
        The most MW the dispatch engine could carry below what was already served (for a flag).
    """

    rows: list[dict] = field(default_factory=list)
    districts: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    since: dict[str, float | None] = field(default_factory=lambda: dict.fromkeys(CHECKS))
    terminated: float | None = None
    last: str | None = None
    below: float = 0.0

    def hold(self, t: float, checks: dict[str, bool], activated: bool) -> None:
        """Note which checks hold at ``t``; the response ends the first time all four do."""
        for c, ok in checks.items():
            self.since[c] = (self.since[c] if self.since[c] is not None else t) if ok else None
        if activated and self.terminated is None and all(checks.values()):
            self.terminated = t
            # the check that came last; on a tie, the later one in the plan's order
            self.last = max(CHECKS, key=lambda c: (self.since[c], -CHECKS.index(c)))


def result_fields(sim, rec: Record) -> tuple[dict, object]:
    """The :class:`~outage_sim.restoration.Restoration` fields of a finished run (all but
    ``events``), and the batch classification of every step (for the event log).

    ``sim`` is the :class:`~outage_sim.restoration.simulation.Simulation` that filled ``rec``.
    """
    per_district = _district_arrays(sim, rec)
    batch = _regrade(sim, per_district)
    timeline = _timeline(sim, rec, batch)
    fields = {
        "scenario": sim.run.scenario.name, "policy": sim.policy, "time": sim.t0,
        "horizon_h": sim.horizon, "activated": sim.activated, "timeline": timeline,
        "districts": _district_table(sim, timeline, per_district), "jobs": _jobs(sim.work),
        "terminated_h": rec.terminated, "last_check": rec.last, "check_since_h": rec.since,
        "hazard_end_h": sim.hazard_end, "secondary_end_h": sim.secondary_end,
        "response": _response(sim, rec.terminated), "flags": tuple(sim.flags)}
    return fields, batch


def _district_arrays(sim, rec: Record) -> dict[str, np.ndarray]:
    """Per district: load and customers, and (moments × districts) shed MW and customers out."""
    n = len(sim.dnames)
    return {"load_mw": np.bincount(sim.dcode, sim.demand, n),
            "shed_mw": np.array([r[0] for r in rec.districts]).clip(min=0.0),
            "customers": np.bincount(sim.dcode, sim.customers, n).astype(np.int64),
            "customers_out": np.array([r[1] for r in rec.districts]).astype(np.int64)}


def _regrade(sim, d: dict[str, np.ndarray]):
    """The event level at every moment, from the districts' figures."""
    return classify_batch({"load_mw": d["load_mw"],
                           "shed_mw": np.minimum(d["shed_mw"], d["load_mw"]),
                           "customers": d["customers"], "customers_out": d["customers_out"]},
                          district_names=sim.dnames, plan=sim.run.severity.plan)


def _timeline(sim, rec: Record, batch) -> pd.DataFrame:
    """The recorded rows with time, shares restored, the re-graded level and the response."""
    tl = pd.DataFrame(rec.rows)
    shed0, key0 = float(sim.shed0.sum()), float(sim.shed0[sim.key].sum())
    tl.insert(1, "time", [clock(sim.t0, h).isoformat() for h in tl.t_h])
    tl.insert(2, "load_mw", float(sim.demand.sum()))
    # restored: of what the shed customers would draw at that hour (demand over the day)
    tl["restored_pct"] = [share_pct(s0 - s, s0) if shed0 > EPS_MW else 100.0
                          for s, s0 in zip(tl.shed_now_mw, tl.shed0_now_mw)]
    tl["key_restored_pct"] = [share_pct(s0 - s, s0) if key0 > EPS_MW else 100.0
                              for s, s0 in zip(tl.key_shed_now_mw, tl.key_shed0_now_mw)]
    tl["customers_restored_pct"] = [share_pct(sim.co0 - c, sim.co0) for c in tl.customers_out]
    # emergency power (backup and generator vehicles) beside the grid, never counted as it
    tl["emergency_mw"] = tl.backup_mw + tl.mobile_mw
    tl["supplied_pct"] = [min(100.0, r + share_pct(e, s0)) for r, e, s0
                          in zip(tl.restored_pct, tl.emergency_mw, tl.shed0_now_mw)]
    terminated = rec.terminated
    responding = sim.activated & ((tl.t_h < terminated) if terminated is not None else True)
    _levels(tl, batch.plan, batch.rank.astype(int), responding)
    tl["all_checks"] = tl[[f"check_{c}" for c in CHECKS]].all(axis=1)
    tl["responding"] = responding
    return tl


def _levels(tl: pd.DataFrame, plan, rank: np.ndarray, responding) -> None:
    """Add the event level of every row, and the response level while the response lasts."""
    lv = [plan.level(r) for r in rank]
    tl["level"] = [x.name if x else "none" for x in lv]
    tl["level_en"] = [x.name_en if x else "none" for x in lv]
    tl["level_rank"] = rank
    tl["warning_color"] = [x.warning_color if x else "" for x in lv]
    # the response lasts until §4.3 holds: never below Ⅳ级 while it does
    resp_rank = np.where(responding, np.maximum(rank, 1), 0)
    tl["response_level"] = [plan.level(r).response_level if r else "" for r in resp_rank]


def _district_table(sim, tl: pd.DataFrame, d: dict[str, np.ndarray]) -> pd.DataFrame:
    """The long table: one row per moment and district."""
    n, steps = len(sim.dnames), len(tl)
    return pd.DataFrame({
        "t_h": np.repeat(tl.t_h.to_numpy(), n), "district": np.tile(sim.dnames, steps),
        "load_mw": np.tile(d["load_mw"], steps), "shed_mw": d["shed_mw"].ravel().round(6),
        "customers": np.tile(d["customers"], steps),
        "customers_out": d["customers_out"].ravel()})


def _jobs(work) -> pd.DataFrame:
    """One row per repair job."""
    return pd.DataFrame(
        [{"job": j.id + 1, "label": j.label, "kind": j.kind, "cause": j.cause,
          "district": j.district, "elements": "; ".join(work.outages[k].name for k in j.keys),
          "work_h": round(j.work_h, 1), "max_crews": j.max_crews, "crews": len(j.crews),
          "start_h": j.start_h, "done_h": j.done_h} for j in work.jobs],
        columns=_JOB_COLUMNS)


def _response(sim, terminated: float | None):
    """The run's response plan; once activated, with the report clock for the end of handling."""
    old = sim.run.response
    if not sim.activated:
        return old
    return rebuild_response(
        old, end_time=clock(sim.t0, terminated) if terminated is not None else None,
        followup_days=max(1, math.ceil(sim.horizon / 24)))
