"""The event log and JSON summary of a restoration run (:mod:`outage_sim.restoration.driver`).

The simulation records what crews and the dispatcher did as it goes; the rest of the log is read
off the finished timeline: milestones of load and customers restored, the moment each §4.3 check
was met, every change of the re-graded event level and of the response level (with who leads
after a step-down), the reports of the rebuilt report clock (due, and made on time as the model
assumes; the prompt follow-ups below 重大 at each change), and the termination. Every entry has
its Chinese term beside the English one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from outage_sim.response import REPORT_KIND_LABELS, build_response
from outage_sim.restoration.result import CHECK_TEXT, CHECKS, Restoration, clock
from outage_sim.severity import NO_LEVEL_ZH

if TYPE_CHECKING:
    from outage_sim.severity import BatchSeverity

KIND_ZH = {
    "crew_sent": "派出抢修队", "repair_done": "抢修完成", "black_start": "黑启动",
    "unit_start": "机组启动并网", "tie": "联络线恢复", "converter": "换流站恢复",
    "renewable": "新能源并网", "reclose": "恢复送电", "milestone": "恢复进度",
    "check_met": "终止条件满足", "level_change": "事件级别调整", "step_down": "响应级别调整",
    "report": "信息报告", "termination": "应急响应终止",
}
MILESTONES = ((50, "load"), (80, "load"), (90, "load"), (90, "key"), (90, "customers"))
_MEASURE = {"load": ("减供负荷恢复", "of the load shed restored"),
            "key": ("重点地区减供负荷恢复", "of the key areas' load shed restored"),
            "customers": ("停电用户恢复", "of the customers out restored")}


def event_log(result: Restoration, raw: list[dict], batch: BatchSeverity) -> pd.DataFrame:
    """The whole event log, in time order (ties keep the order things happened)."""
    tl = result.timeline
    rows = [dict(r, due="", made="") for r in raw]
    for pct, measure in MILESTONES:
        t = result.time_to(pct, measure)
        first = {"load": tl.shed_mw, "key": tl.key_shed_mw, "customers": tl.customers_out}[measure]
        if t is not None and first.iloc[0] > 0:
            zh, en = _MEASURE[measure]
            rows.append(_row(t, "milestone", f"{pct}% {en} ({zh}{pct}%)"))
    for c in CHECKS:
        t = result.check_since_h.get(c)
        if t is not None:
            zh, en = CHECK_TEXT[c]
            rows.append(_row(t, "check_met", f"§4.3 check '{c}' holds: {en} ({zh})"))
    rows += _level_changes(result, batch)
    rows += _reports(result)
    if result.terminated_h is not None:
        zh, en = CHECK_TEXT[result.last_check]
        rows.append(_row(result.terminated_h, "termination",
                         f"response ends (应急响应终止, by the body that started it: "
                         f"由启动响应的单位终止): all four §4.3 checks hold; the last to hold was "
                         f"'{result.last_check}': {en} ({zh})"))
    out = pd.DataFrame(rows, columns=["t_h", "kind", "what", "district", "due", "made"])
    out = out.sort_values("t_h", kind="stable").reset_index(drop=True)
    out.insert(1, "time", [clock(result.time, h).isoformat() for h in out.t_h])
    out.insert(3, "kind_zh", out.kind.map(KIND_ZH).fillna(""))
    out["district"] = out.district.fillna("")
    return out


def _level_name(row) -> str:
    return f"{row.level} {row.level_en}" if row.level_rank else f"{NO_LEVEL_ZH} (none)"


def _row(t: float, kind: str, what: str, district: str = "", due: str = "", made: str = "") -> dict:
    return {"t_h": float(t), "kind": kind, "what": what, "district": district, "due": due,
            "made": made}


def _level_changes(result: Restoration, batch: BatchSeverity) -> list[dict]:
    tl, out = result.timeline, []
    plan = result.response
    for i in range(1, len(tl)):
        prev, cur = tl.iloc[i - 1], tl.iloc[i]
        if cur.level_rank != prev.level_rank:
            out.append(_row(cur.t_h, "level_change",
                            f"event level re-graded (事件级别): {_level_name(prev)} → "
                            f"{_level_name(cur)}"))
        if cur.response_level != prev.response_level and cur.response_level and prev.response_level:
            touched = result.districts[(result.districts.t_h == cur.t_h)
                                       & (result.districts.shed_mw > 0)].district.tolist()
            sev = batch.explain(i)
            text = (f"response level steps down (响应级别调整, §4.1 适时调整响应级别): "
                    f"{prev.response_level} → {cur.response_level}")
            if sev.level_rank > 0:
                new = build_response(sev, clock(result.time, cur.t_h),
                                     districts=touched or plan.districts, cause=plan.cause,
                                     secondary=plan.secondary)
                text += f"; lead: {new.lead_role.en} ({new.lead_role.zh})"
            else:
                text += ("; the event is below every band now, the response stays at Ⅳ级 "
                         "until the §4.3 checks hold")
            out.append(_row(cur.t_h, "step_down", text))
            if not any(r.kind == "followup" and r.due is not None for r in plan.reports):
                out.append(_row(cur.t_h, "report", _report_text(plan, "followup", changed=True),
                                made=_iso(result, cur.t_h)))
    return out


def _reports(result: Restoration) -> list[dict]:
    out = []
    end = result.terminated_h
    end = float(result.timeline.t_h.iloc[-1]) if end is None else end
    for r in result.response.reports:
        if r.due is None:
            continue
        t = (r.due - result.time).total_seconds() / 3600.0
        if t > end + 1e-9:
            continue
        out.append(_row(t, "report", _report_text(result.response, r.kind, report=r),
                        due=r.due.isoformat(), made=r.due.isoformat()))
    return out


def _report_text(plan, kind: str, *, report=None, changed: bool = False) -> str:
    zh, en = REPORT_KIND_LABELS[kind]
    r = report or next((x for x in plan.reports if x.kind == kind), None)
    who = f": {'、'.join(r.by)} → {'、'.join(r.to)}" if r is not None else ""
    why = " (things changed: 事件衍生出新情况、处置工作有新进展)" if changed else ""
    return f"{en} ({zh}){who}{why}"


def _iso(result: Restoration, t_h: float) -> str:
    return clock(result.time, t_h).isoformat()
