"""The event log and JSON summary of a restoration run (:mod:`outage_sim.restoration.driver`).

The simulation records what crews and the dispatcher did as it goes; the rest of the log is read
off the finished timeline: milestones of load and customers restored, the moment each §4.3 check
was met, every change of the current state's grading and the recommended change of the response
level it supports (with the figures behind it and who would lead), the reports of the rebuilt
report clock (due, and made on time as the model assumes; the prompt follow-ups at each change),
and the termination. Every entry has its Chinese term beside the English one.

The event level (for reports and the investigation) stays at its peak: a lower grading of the
current state is not a new event level, and a lower response level is a recommendation to the
body that started the response (§4.1 "适时调整响应级别"), not a fact the model decides.
"""

from __future__ import annotations

from itertools import groupby
from typing import TYPE_CHECKING

import pandas as pd

from outage_sim.response import REPORT_KIND_LABELS, clause_zh, hu_zh, mw_zh, rebuild_response
from outage_sim.restoration.result import CHECK_TEXT, CHECKS, Restoration, clock
from outage_sim.severity import MEASURE_EN, MEASURE_ZH, NO_LEVEL_ZH

if TYPE_CHECKING:
    from outage_sim.severity import BatchSeverity

KIND_ZH = {
    "crew_sent": "派出抢修队", "repair_done": "抢修完成", "black_start": "黑启动",
    "unit_start": "机组启动并网", "tie": "联络线恢复", "converter": "换流站恢复",
    "renewable": "新能源并网", "reclose": "恢复送电", "milestone": "恢复进度",
    "check_met": "终止条件满足", "level_change": "当前状态分级", "step_down": "建议调整响应级别",
    "report": "信息报告", "termination": "应急响应终止",
    "transfer": "负荷转供", "transfer_end": "转供恢复", "emergency_power": "应急电源",
    "support": "跨省支援",
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


def _state_figures(sev) -> tuple[str, str]:
    """The current state's main-grid figures and the criterion that grades it."""
    m = sev.event.main
    shed = 100 * m.shed_mw / m.load_mw if m.load_mw else 0.0
    out = 100 * m.customers_out / m.customers if m.customers else 0.0
    zh = (f"主网减供负荷{mw_zh(m.shed_mw)}（占{shed:.1f}%），停电用户{hu_zh(m.customers_out)}"
          f"（占{out:.1f}%）")
    en = f"main grid {m.shed_mw:,.0f} MW shed ({shed:.1f}%), {m.customers_out:,.0f} customers out"
    c = sev.decided_by
    if c is not None:
        scope = "主网" if c.scope == "main" else c.scope
        area = sev.district(c.scope)
        cls = (f"，{c.district_class}，事件前负荷{mw_zh(area.load_mw)}"
               if c.district_class and area is not None else "")
        zh += f"；{scope}{MEASURE_ZH[c.measure]}{c.value_pct:.1f}%（{clause_zh(c.clause)}{cls}）"
        en += (f"; {'main grid' if c.scope == 'main' else c.scope} {MEASURE_EN[c.measure]} "
               f"{c.value_pct:.1f}%")
    return zh, en


def _level_changes(result: Restoration, batch: BatchSeverity) -> list[dict]:
    tl, out = result.timeline, []
    plan = result.response
    peak = plan.severity
    for i in range(1, len(tl)):
        prev, cur = tl.iloc[i - 1], tl.iloc[i]
        if cur.level_rank != prev.level_rank:
            out.append(_row(cur.t_h, "level_change",
                            f"当前状态按预案1.5条折算：{_level_name(prev)} → {_level_name(cur)}"
                            f"（事件级别仍为峰值{peak.level}，用于信息报告和事件调查） / current state "
                            f"graded {_level_name(prev)} → {_level_name(cur)} (the event level stays "
                            f"{peak.level} {peak.level_en}, its peak, for reports and the "
                            "investigation)"))
        if cur.response_level != prev.response_level and cur.response_level and prev.response_level:
            out.append(_row(cur.t_h, "step_down", _step_down_text(
                result, batch.explain(i), prev.response_level, cur.response_level, cur.t_h)))
            if not any(r.kind == "followup" and r.due is not None for r in plan.reports):
                out.append(_row(cur.t_h, "report", _report_text(plan, "followup", changed=True),
                                made=_iso(result, cur.t_h)))
    return out


def _step_down_text(result: Restoration, sev, before: str, after: str, t_h: float) -> str:
    """A recommended change of response level, with the figures behind it and who would lead."""
    zh, en = _state_figures(sev)
    names = {lv.response_level: lv.response_level_zh for lv in sev.plan.levels}
    text = (f"建议调整响应级别（预案4.1条“适时调整响应级别”，由启动响应的单位决定）："
            f"{names.get(before, before)} → {names.get(after, after)}；"
            f"依据：{zh} / recommended change of response level (§4.1; the body that started "
            f"the response decides): {before} → {after}; figures: {en}")
    if sev.level_rank > 0:
        new = rebuild_response(result.response, severity=sev, time=clock(result.time, t_h),
                               districts=sev.affected or result.response.districts)
        return text + f"; 如调整，{new.lead_role.zh} / if changed, {new.lead_role.en}"
    return text + ("；当前状态已低于各级标准，响应至少保持Ⅳ级直至预案4.3条终止条件全部满足 / the state "
                   "is below every band now; the response stays at Ⅳ级 until the §4.3 checks hold")


def _reports(result: Restoration) -> list[dict]:
    """The reports due within the run: one row per kind and due time, naming every body (each
    reports on its own)."""
    out = []
    end = result.terminated_h
    end = float(result.timeline.t_h.iloc[-1]) if end is None else end
    due = [r for r in result.response.reports if r.due is not None]
    for (kind, when, _), group in groupby(due, key=lambda r: (r.kind, r.due, r.to)):
        t = (when - result.time).total_seconds() / 3600.0
        if t > end + 1e-9:
            continue
        rs = list(group)
        out.append(_row(t, "report", _report_text(result.response, kind, reports=rs),
                        due=when.isoformat(), made=when.isoformat()))
    return out


def _report_text(plan, kind: str, *, reports=None, changed: bool = False) -> str:
    zh, en = REPORT_KIND_LABELS[kind]
    rs = reports or [x for x in plan.reports if x.kind == kind]
    who = ""
    if rs:
        each = "（各自报送 / each on its own）" if len(rs) > 1 else ""
        due = f" {rs[0].due_zh}" if rs[0].due is not None else ""
        who = f":{due} {'、'.join(r.by[0] for r in rs)}{each} → {'、'.join(rs[0].to)}"
    why = " (things changed: 事件衍生出新情况、处置工作有新进展)" if changed else ""
    return f"{en} ({zh}){who}{why}"


def _iso(result: Restoration, t_h: float) -> str:
    return clock(result.time, t_h).isoformat()
