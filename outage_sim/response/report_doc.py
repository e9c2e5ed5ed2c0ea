"""信息报告 (incident reports): one draft per reporting body, in 公文 form, with the §3.3.2 fields.

:func:`incident_report_markdown` writes a first report (首报) for every body whose first report the
plan calls for (the grid company at every level; for 重大/特别重大 also each affected district's
government and 市经济信息委 in writing to the city government, and 市应急局 to 应急管理部), each
with a proper title (关于××发生大面积停电事件的报告（首报）), 主送机关, 报告单位, 签发人, 联系人及电话
and 报告时间, and the §3.3.2 contents filled from the event and the run where they are known
(time, place, source, cause and nature with the criteria, course, affected area with the figures,
important users cut off and key areas, trend, handling, measures, next steps). Only what nobody
can know from the event stays 待补充.
"""

from __future__ import annotations

from outage_sim.response.doc_parts import (
    TBD,
    cell,
    criterion_line,
    district_figures,
    head,
    joined,
    main_figures,
    place,
    when,
)
from outage_sim.response.organisation import Organisation, load_organisation
from outage_sim.response.plan import Report, ResponsePlan
from outage_sim.response.text import clause_zh, cn_time
from outage_sim.severity import NO_LEVEL_ZH

__all__ = ["incident_report_markdown", "report_drafts"]

#: Report kinds whose first report gets a draft of its own.
DRAFT_KINDS = ("first", "ministry", "written")


def report_drafts(plan: ResponsePlan) -> tuple[Report, ...]:
    """The first report of each body that makes one of :data:`DRAFT_KINDS`, in time order."""
    seen: set[str] = set()
    out = []
    for r in plan.reports:
        if r.kind in DRAFT_KINDS and r.by[0] not in seen:
            seen.add(r.by[0])
            out.append(r)
    return tuple(out)


def _cause_and_nature(plan: ResponsePlan, org: Organisation) -> str:
    """The 起因和性质 field: cause, provisional level with the criteria, secondary incidents."""
    sev = plan.severity
    cause = org.causes[plan.cause] if plan.cause else None
    nature = [f"{cause.zh} / {cause.en}" if cause else f"起因{TBD}"]
    if plan.activated:
        nature.append(f"按预案1.5条初判为{sev.level}大面积停电事件，应启动{plan.response_zh} / "
                      f"provisionally a {sev.level_en} large-area outage event, response level "
                      f"{plan.response_level}")
        nature += [criterion_line(c, plan) for c in sev.criteria]
    else:
        nature.append(f"{NO_LEVEL_ZH} / not a large-area outage event under §1.5")
    if plan.secondary:
        nature.append("次生衍生事件 / secondary incidents: " + "；".join(
            f"{org.secondary[s].zh} / {org.secondary[s].en}" for s in plan.secondary))
    return "<br>".join(nature)


def _scope(plan: ResponsePlan) -> str:
    """The 影响范围 field: main grid, each affected district, minor impacts, important users,
    key areas."""
    parts = [main_figures(plan)]
    parts += [district_figures(d, plan) for d in plan.districts]
    if plan.minor:
        parts.append("轻微影响区县 / minor impacts: " + "；".join(
            district_figures(d.name, plan) for d in plan.minor))
    users = "；".join(f"{u.text_zh} / {u.text_en}" for u in plan.important_users)
    parts.append(f"重要电力用户停电 / important users cut off: {users or '无报告 / none reported'}")
    keys = joined(plan.key_areas) or "未指定 / none given"
    parts.append(f"重点地区 / key areas: {keys}")
    return "<br>".join(p for p in parts if p)


def _planned_measures(plan: ResponsePlan) -> str:
    """The 拟采取的措施 field: the response and the §4.2 measures, as a draft."""
    if not plan.activated:
        return TBD
    return (f"启动{plan.response_zh}；" + "；".join(m.title.zh for m in plan.measures)
            + "（据预案4.2条拟定，待确认） / start response level "
            f"{plan.response_level}; the §4.2 measures (drafted from the plan, to be confirmed)")


def _next_steps(plan: ResponsePlan) -> str:
    """The 下一步工作建议 field: the reporting the plan requires next (§3.3.3)."""
    if not plan.activated:
        return TBD
    daily = "，重大、特别重大事件处置信息至少每日1报" if plan.level_rank >= 3 else ""
    return (f"首报要素不齐全或事件衍生出新情况、处置工作有新进展的，及时续报{daily}；处置结束后及时终报"
            f"（预案3.3.3条） / follow-up reports promptly when facts are missing or things change"
            f"{', at least daily for 重大/特别重大' if daily else ''}; a final report when "
            "handling ends (§3.3.3)")


def _fact(plan: ResponsePlan, key: str) -> str:
    zh_en = plan.facts.get(key)
    return f"{zh_en[0]} / {zh_en[1]}" if zh_en else TBD


def _values(plan: ResponsePlan, org: Organisation) -> dict[str, str]:
    minor = f"（轻微影响：{joined([d.name for d in plan.minor])}）" if plan.minor else ""
    return {"time": when(plan, org), "place": (joined(plan.districts) or TBD) + minor,
            "source": plan.source or TBD, "cause": _cause_and_nature(plan, org),
            "course": _fact(plan, "course"), "scope": _scope(plan),
            "trend": _fact(plan, "trend"), "handling": _fact(plan, "handling"),
            "measures": _planned_measures(plan), "suggestions": _next_steps(plan)}


def _draft(i: int, r: Report, plan: ResponsePlan) -> list[str]:
    """One body's report head: title, 主送机关, 报告单位, 签发人, 联系人及电话, 报告时间."""
    where = place(plan)
    due = f"{r.due_zh}（{clause_zh(r.clause)}：{r.note.zh}）"
    return [(f"## {i}. 关于{where}发生大面积停电事件的报告（首报） / Report on the large-area outage "
            f"in {where} (first report)"), "",
            f"- 主送机关 / To: {joined(r.to)} / {'; '.join(r.to_en)}",
            f"- 报告单位 / Reporting body: {r.by[0]} / {r.by_en[0]}",
            f"- 签发人 / Signed off by: {TBD}",
            f"- 联系人及电话 / Contact and telephone: {TBD}",
            f"- 报告时间 / Time of this report: {TBD}（时限 / deadline: {due} / {r.due_en}）",
            "- 正文 / Body: 见下文“报告正文” / see the report body below", ""]


def _body(plan: ResponsePlan, org: Organisation) -> list[str]:
    values = _values(plan, org)
    out = [f"| 项目 / Field（{clause_zh(org.reports['contents_clause'])}） | 内容 / Content |",
           "|---|---|"]
    return out + [f"| {zh} / {en} | {cell(values[key])} |" for key, zh, en in org.report_fields]


def incident_report_markdown(plan: ResponsePlan, organisation: Organisation | None = None) -> str:
    """Pre-filled 信息报告 drafts, one per reporting body, with the §3.3.2 fields.

    Each body's report has its own head (title, 主送机关, 报告单位, 签发人, 联系人及电话, 报告时间
    and deadline); the §3.3.2 body is the same for all, written once. Fields the event or the
    run tells are filled; only what nobody can know from it (who signs, the contact, when the
    report actually goes out, and what a real event has not said) reads "待补充 / to be
    completed". An event below every band gets the body alone.
    """
    org = organisation or load_organisation()
    out = head(plan, org, "# 大面积停电事件信息报告（首报） / Large-area outage incident report "
                          "(first report)")
    drafts = report_drafts(plan)
    if drafts:
        out += [(f"共{len(drafts)}份，各报告单位分别报送，正文相同（各单位核实后填报）；时间为"
                f"{org.documents.time_zone_zh}，事件发生于{cn_time(plan.time, org.tz)} / "
                f"{len(drafts)} reports, one per reporting body, with the same body (each body "
                f"checks it); {org.documents.time_zone_en}."), ""]
    for i, r in enumerate(drafts, 1):
        out += _draft(i, r, plan)
    out += ["## 报告正文 / Report body", ""] + _body(plan, org)
    return "\n".join(out) + "\n"
