"""The result of a restoration run (:class:`Restoration`) and the §4.3 checks it is judged by.

:mod:`outage_sim.restoration.simulation` fills it, :mod:`outage_sim.restoration.log` writes its
event log, :func:`Restoration.to_dict` gives the ``restoration`` key of ``result.json``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from outage_sim.errors import InputError
from outage_sim.response import (
    REPORT_KIND_LABELS,
    ResponsePlan,
    add_minutes,
    build_aftermath,
    cn_time,
)

#: The four §4.3 checks, in the plan's order, with the plan's words.
CHECKS = ("grid", "load", "hazard", "secondary")
CHECK_TEXT = {
    "grid": ("电网主干网架基本恢复正常接线方式，运行参数保持在稳定限额之内，主要发电厂机组运行稳定",
             ("backbone back to normal connection, operating values within limits, "
              "main plants stable")),
    "load": ("减供负荷恢复80%以上，受停电影响的重点地区负荷恢复90%以上",
             ("≥ 80% of the load shed and ≥ 90% of the key areas' load shed restored (each "
             "affected key area and all together, as the plan file's [termination] reads it)")),
    "hazard": ("造成大面积停电事件的隐患基本消除", "the hazard that caused the event basically removed"),
    "secondary": ("重特大次生衍生事故基本处置完成", "serious secondary accidents basically dealt with"),
}

def clock(t0, t_h: float):
    """The clock time ``t_h`` hours after ``t0``, to the minute, in ``t0``'s timezone."""
    return add_minutes(t0, round(60.0 * t_h))


def load_check(rule, shed0: float, shed: float, key_shed0: Mapping[str, float],
               key_shed: Mapping[str, float], key_load: Mapping[str, float]
               ) -> tuple[bool, tuple[str, ...]]:
    """§4.3(2) under the plan file's ``[termination]`` reading, and the key areas holding it back.

    Parameters
    ----------
    rule : TerminationRule
        ``load_restored_pct`` of the event's load shed; ``key_area_restored_pct`` of each
        affected key area's load shed (``key_area_basis = "shed"``) or pre-event load
        (``"load"``), per key area when ``per_key_area`` and for all of them together.
    shed0, shed : float
        The event's load shed (MW) and the load still shed now.
    key_shed0, key_shed, key_load : mapping of str to float
        Per affected key area: its load shed at the event, still shed now, its pre-event load.

    Returns
    -------
    (bool, tuple of str)
        Whether the check holds, and the key areas below the mark now (each on its own).
    """
    ok = _restored_pct(shed0 - shed, shed0) >= rule.load_restored_pct - 1e-9
    mark = rule.key_area_restored_pct - 1e-9

    def back(names) -> float:
        now = sum(key_shed[n] for n in names)
        if rule.key_area_basis == "load":
            load = sum(key_load[n] for n in names)
            return _restored_pct(load - now, load)
        s0 = sum(key_shed0[n] for n in names)
        return _restored_pct(s0 - now, s0)

    lagging = tuple(n for n in key_shed0 if key_shed0[n] > 0 and back([n]) < mark)
    together = back(list(key_shed0)) >= mark
    each = not lagging if rule.per_key_area else True
    return ok and together and each, lagging


def _restored_pct(part: float, whole: float) -> float:
    """``part`` as a % of ``whole``, 100 when nothing was lost."""
    return 100.0 if whole <= 1e-6 else max(0.0, min(100.0, 100.0 * part / whole))



@dataclass(frozen=True)
class Restoration:
    """One restoration run.

    Attributes
    ----------
    timeline : DataFrame
        One row per step: ``t_h`` (hours after the event), ``time`` (ISO), ``load_mw``
        (pre-event), ``served_mw``, ``shed_mw``, ``restored_pct`` (share of the event's load shed
        that is back), ``key_shed_mw``, ``key_restored_pct`` (the same for the key areas),
        ``customers_out``, ``customers_restored_pct``, ``level``/``level_en``/``level_rank``/
        ``warning_color`` (re-graded), ``response_level`` (empty once the response has ended or if
        it never started), the checks ``check_grid``, ``check_load``, ``check_hazard``,
        ``check_secondary`` (``check_grid`` is not evaluated again once the response has ended),
        ``all_checks``, ``responding``, ``outstanding`` (components not back) and
        ``crews_busy``.
    districts : DataFrame
        Long table: ``t_h``, ``district``, ``load_mw``, ``shed_mw``, ``customers``,
        ``customers_out`` at every step.
    events : DataFrame
        The event log: ``t_h``, ``time``, ``kind``, ``kind_zh``, ``what``, ``district``, ``due``,
        ``made`` (repairs, black starts, restarts, milestones, checks met, level changes, reports,
        termination).
    jobs : DataFrame
        Repair jobs: ``job``, ``label``, ``kind``, ``cause``, ``district``, ``elements``,
        ``work_h`` (crew-hours), ``max_crews``, ``crews``, ``start_h``, ``done_h``.
    terminated_h : float or None
        Hours after the event when the response ended (all four §4.3 checks held); None if the
        plan was not activated or the horizon came first.
    last_check : str or None
        The check that held last (``grid``, ``load``, ``hazard``, ``secondary``).
    check_since_h : dict
        Per check, the hour from which it held without a break until the end of the run (None if
        it did not hold at the end).
    response : ResponsePlan
        The response plan with the report clock rebuilt for the end time.

    Notes
    -----
    §4.3 read as: (1) every 500 kV+ station in service, every backbone corridor and every 500 kV
    station's transformer set with at least one circuit back ("基本恢复正常接线方式"), every unit of
    the main plants back, and the AC power flow of the state within ``operating_limits``; (2) at
    least 80% of the event's load shed restored and at least 90% of the key areas' load shed
    restored (vacuous when a key area lost nothing); (3) and (4) from the scenario's times or the
    data file's defaults.
    """

    scenario: str
    policy: str
    time: datetime
    horizon_h: float
    activated: bool
    timeline: pd.DataFrame = field(repr=False)
    districts: pd.DataFrame = field(repr=False)
    events: pd.DataFrame = field(repr=False)
    jobs: pd.DataFrame = field(repr=False)
    terminated_h: float | None
    last_check: str | None
    check_since_h: dict[str, float | None]
    hazard_end_h: float
    secondary_end_h: float
    response: ResponsePlan = field(repr=False)
    flags: tuple[str, ...] = ()

    def time_to(self, pct: float, measure: str = "load") -> float | None:
        """Hours until ``pct`` % of the event's load shed (``load``), key-area load shed
        (``key``) or customers out (``customers``) is restored; None if not within the run."""
        col = {"load": "restored_pct", "key": "key_restored_pct",
               "customers": "customers_restored_pct"}.get(measure)
        if col is None:
            raise InputError(f"measure: {measure!r} unknown; use load, key or customers")
        hit = self.timeline.t_h[self.timeline[col] >= pct - 1e-9]
        return float(hit.iloc[0]) if len(hit) else None

    @property
    def unserved_mwh(self) -> float:
        """Energy not served over the run (MWh): the shed MW at each hour's demand integrated
        over time."""
        col = "shed_now_mw" if "shed_now_mw" in self.timeline else "shed_mw"
        return float(np.trapezoid(self.timeline[col], self.timeline.t_h))

    @property
    def customer_hours(self) -> float:
        """Customer-hours lost over the run: customers out integrated over time."""
        return float(np.trapezoid(self.timeline.customers_out, self.timeline.t_h))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (the tables are written separately as CSV)."""
        return _summary(self)


@dataclass(frozen=True)
class PolicyComparison:
    """The same scenario under several policies: ``table`` (one row per policy: ``policy``,
    ``t80_h``, ``t90_h``, ``key_t90_h``, ``customers_t90_h``, ``terminated_h``,
    ``unserved_mwh``, ``customer_hours``) and each :class:`Restoration` in ``runs``."""

    table: pd.DataFrame
    runs: dict[str, Restoration] = field(repr=False)


def key_area_last(result: Restoration) -> str | None:
    """The key area(s) that held §4.3(2) back last: below the mark at the last moment any was."""
    tl = result.timeline
    if "key_lagging" not in tl:
        return None
    end = result.terminated_h if result.terminated_h is not None else float(tl.t_h.iloc[-1])
    lagging = tl[(tl.key_lagging != "") & (tl.t_h <= end + 1e-9)]
    return str(lagging.key_lagging.iloc[-1]) if len(lagging) else None


def _figures(result: Restoration) -> dict[str, Any]:
    """The run's own figures for the §5 assessment (处置评估)."""
    end_h = result.terminated_h
    due = [r for r in result.response.reports
           if r.due is not None and end_h is not None
           and (r.due - result.time).total_seconds() / 3600 <= end_h + 1 / 60]  # to the minute
    zh, en = CHECK_TEXT[result.last_check] if result.last_check else ("", "")
    return {"termination_time": clock(result.response.time, end_h) if end_h is not None else None,
            "terminated_h": end_h, "load_80_h": result.time_to(80), "load_90_h": result.time_to(90),
            "key_90_h": result.time_to(90, "key"), "customers_90_h": result.time_to(90, "customers"),
            "unserved_mwh": round(result.unserved_mwh, 1),
            "customer_hours": round(result.customer_hours), "reports_due": len(due),
            "reports_met": len(due), "last_check": result.last_check, "last_check_zh": zh,
            "last_check_en": en, "key_lagging": key_area_last(result)}


def _hours(h: float | None) -> tuple[str, str]:
    return ("未在模拟期内" if h is None else f"约需{h:.1f}小时", "not within the run" if h is None
            else f"about {h:.1f} h")


def _forecast(result: Restoration) -> dict[str, tuple[str, str]]:
    """发展趋势 and 处置情况 of the 信息报告 from the run (a forecast, marked as simulated)."""
    f80, f90 = _hours(result.time_to(80)), _hours(result.time_to(90))
    end = (f"，应急响应预计于{cn_time(clock(result.response.time, result.terminated_h))}终止"
           if result.terminated_h is not None else "，应急响应在模拟期内未终止")
    end_en = (f"; the response is expected to end at "
              f"{clock(result.response.time, result.terminated_h).isoformat(timespec='minutes')}"
              if result.terminated_h is not None else "; the response does not end within the run")
    trend = (f"据模拟推演，减供负荷恢复80%{f80[0]}、恢复90%{f90[0]}{end}",
             f"simulated: 80% of the load shed back after {f80[1]}, 90% after {f90[1]}{end_en}")
    plan = result.response
    handling = ((f"已启动{plan.response_zh}；抢修任务{len(result.jobs)}项，按“{result.policy}”策略派出"
                "抢修队伍（模拟）"),
                (f"response level {plan.response_level} started; {len(result.jobs)} repair jobs, "
                f"crews sent by the {result.policy} policy (simulated)"))
    return {"trend": trend, "handling": handling}


def with_aftermath(result: Restoration) -> Restoration:
    """``result`` with its response plan carrying what the run knows: the forecast for the
    信息报告 and, once the response has ended, the §5 outputs (:func:`build_aftermath`)."""
    if not result.activated:
        return result
    plan = replace(result.response, facts={**result.response.facts, **_forecast(result)})
    if result.terminated_h is not None:
        plan = replace(plan, aftermath=build_aftermath(plan, _figures(result)))
    return replace(result, response=plan)


def _summary(result: Restoration) -> dict[str, Any]:
    """The run's headline figures as a JSON-ready dict (the ``restoration`` key of result.json)."""
    ev, first = result.events, result.timeline.iloc[0]
    steps = ev[ev.kind == "step_down"]
    affected = {"load": bool(first.shed_mw > 0), "key": bool(first.key_shed_mw > 0),
                "customers": bool(first.customers_out > 0)}
    end = (clock(result.time, result.terminated_h).isoformat()
           if result.terminated_h is not None else None)
    return {
        "policy": result.policy, "horizon_h": result.horizon_h, "activated": result.activated,
        "terminated_h": result.terminated_h, "termination_time": end,
        "last_check": result.last_check,
        "last_check_text": dict(zip(("zh", "en"), CHECK_TEXT[result.last_check]))
        if result.last_check else None,
        "check_since_h": dict(result.check_since_h),
        "hazard_end_h": result.hazard_end_h, "secondary_end_h": result.secondary_end_h,
        "affected": affected,
        "time_to_h": {f"{m}_{p}": result.time_to(p, m) if affected[m] else None
                      for m in ("load", "key", "customers") for p in (50, 80, 90)},
        "unserved_mwh": round(result.unserved_mwh, 1),
        "customer_hours": round(result.customer_hours),
        "step_downs": [{"t_h": r.t_h, "time": r.time, "what": r.what} for r in steps.itertuples()],
        "reports": [{"kind": r.kind, "kind_zh": REPORT_KIND_LABELS[r.kind][0],
                     "due": r.due.isoformat() if r.due else None, "clause": r.clause}
                    for r in result.response.reports],
        "jobs": len(result.jobs), "end_h": float(result.timeline.t_h.iloc[-1]),
        "flags": list(result.flags),
        "key_area_last": key_area_last(result),
        "aftermath": (result.response.aftermath.to_dict()
                      if result.response.aftermath is not None else None),
        "termination_rule": result.response.severity.plan.termination.model_dump(),
        "first_hours": _first_hours(result.timeline),
    }


def _first_hours(tl: pd.DataFrame) -> dict[str, Any]:
    """负荷转供 and emergency power (应急电源): their peaks, and the shares of the load shed back at
    6 and 24 h by the grid and with emergency power beside it."""
    def at(col: str, h: float) -> float | None:
        rows = tl[tl.t_h <= h + 1e-9]
        return round(float(rows[col].iloc[-1]), 2) if col in tl and len(rows) else None

    return {f"{c}_peak": round(float(tl[c].max()), 2) if c in tl else None
            for c in ("transferred_mw", "backup_mw", "mobile_mw")} | {
        f"{c}_{h}h": at(c, h) for c in ("restored_pct", "supplied_pct") for h in (6, 24)}
