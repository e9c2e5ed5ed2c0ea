"""The response brief (应急响应简报): the whole response on one page, for the people on duty.

:func:`brief_markdown` writes it from a :class:`~outage_sim.response.ResponsePlan`: the event (time
in Beijing time, the affected districts and the minor impacts, the main grid's figures, key areas,
important users cut off), the criteria with each district's class and the load it came from,
command, working groups, member units, the warning (with the plan's own conflict on who may
issue it, once), the reporting bodies each with its own chain of reports, the measures checklist,
the §5 outputs once the response has ended, and notes. Chinese first, English beside.
"""

from __future__ import annotations

from itertools import groupby

from outage_sim.response.aftermath import aftermath_section
from outage_sim.response.doc_parts import (
    REPORT_KIND_LABELS,
    TBD,
    cell,
    district_class,
    district_figures,
    head,
    important_users_lines,
    joined,
    key_areas_line,
    main_figures,
    minor_lines,
    scope,
    when,
)
from outage_sim.response.organisation import Organisation, load_organisation
from outage_sim.response.plan import ActivatedUnit, Measure, Report, ResponsePlan, WarningInfo
from outage_sim.response.text import clause_zh, pct
from outage_sim.severity import MEASURE_EN, MEASURE_ZH, NO_LEVEL_ZH

__all__ = ["brief_markdown", "channels", "headline", "trigger_label"]


def trigger_label(org: Organisation, key: str) -> str:
    """A unit's activation trigger (a standing one, a cause or a secondary incident), bilingual."""
    for table in (org.triggers, org.causes, org.secondary):
        if key in table:
            return f"{table[key].zh} / {table[key].en}"
    return key


def headline(plan: ResponsePlan) -> list[str]:
    """Event level, response and warning lines (or that the plan is not started)."""
    sev = plan.severity
    if not plan.activated:
        return [(f"- 事件级别 / Event level: {NO_LEVEL_ZH} / not a large-area outage event "
                "(本预案不启动 / the plan is not started)")]
    lines = [
        f"- 事件级别 / Event level: **{sev.level}** {sev.level_en}（{clause_zh(sev.level_clause)}）",
        (f"- 应急响应 / Response: **{plan.response_zh}** / response level {plan.response_level}"
        "（预案4.1条）"),
    ]
    w = plan.warning
    if w:
        lines.append(f"- 预警 / Warning: {w.level_zh}{w.color_zh} / level {w.level} {w.color}"
                     "（预案3.2.1条）")
    return lines


def _event_section(plan: ResponsePlan, org: Organisation) -> list[str]:
    cause = org.causes[plan.cause] if plan.cause else None
    secondary = "；".join(f"{org.secondary[s].zh} / {org.secondary[s].en}"
                         for s in plan.secondary) or "无 / none given"
    out = ["## 事件概况 / The event", "",
           f"- 事件发生时间 / Time of the event: {when(plan, org)}",
           f"- 事发地（受影响区县） / Districts affected: {joined(plan.districts) or TBD}"]
    out += [f"  - {district_figures(d, plan)}" for d in plan.districts]
    out += minor_lines(plan)
    out += [f"- 主网 / Main grid: {main_figures(plan)}", key_areas_line(plan)]
    out += important_users_lines(plan)
    out += [f"- 起因 / Cause: {f'{cause.zh} / {cause.en}' if cause else TBD}",
            f"- 次生衍生事件 / Secondary incidents: {secondary}"]
    return out + headline(plan) + [""]


def _criteria_section(plan: ResponsePlan, org: Organisation) -> list[str]:
    out = ["## 分级依据 / Criteria that fired（预案1.5条）", ""]
    criteria = plan.severity.criteria
    if not criteria:
        return out + ["无 / none", ""]
    out += [("| 范围 / Scope | 指标 / Measure | 比例 / Share | 级别 / Level | 条款 / Clause | "
            "区县类别（事件前负荷） / District class (pre-event load) |"),
            "|---|---|---|---|---|---|"]
    out += [f"| {scope(c.scope)} | {MEASURE_ZH[c.measure]} / {MEASURE_EN[c.measure]} | "
            f"{pct(c.value_pct)} | {c.level} / {c.level_en} | {clause_zh(c.clause)} | "
            f"{cell(district_class(c, plan)) or '—'} |" for c in criteria]
    return out + [""]


def _command_section(plan: ResponsePlan, org: Organisation) -> list[str]:
    lead, commander, hq = plan.lead_role, plan.commander, plan.on_site_hq
    out = ["## 指挥体系 / Command（预案2条、4.1条）", "",
           f"- 牵头 / Lead: {lead.zh} / {lead.en}（{clause_zh(lead.clause)}）",
           f"- 指挥长 / Commander: {commander.zh} / {commander.en}（{clause_zh(commander.clause)}）"]
    if plan.deputies:
        # the attachment's list ends with 等: it is not closed
        out.append("- 副指挥长 / Deputy commanders: " + "；".join(
            f"{d.zh} / {d.en}" for d in plan.deputies) + " 等 / and others（"
            + clause_zh("附件“一、市指挥部职责”") + "）")
    return out + [(f"- 现场应急处置指挥部 / On-site headquarters: {hq.zh} / {hq.en}"
                  f"（{clause_zh(hq.clause)}）"), ""]


def _groups_section(plan: ResponsePlan, org: Organisation) -> list[str]:
    # only the city headquarters has working groups (§2.1)
    if not plan.working_groups:
        return []
    out = ["## 工作组 / Working groups（预案2.1条）", ""]
    out += [f"- {g.zh} / {g.en}" for g in plan.working_groups]
    out.append("- 等 / and others")
    note = f"> {org.raw['working_groups_note_zh']} / {org.raw['working_groups_note_en']}"
    return out + ["", note, ""]


def _unit_row(unit: ActivatedUnit, org: Organisation) -> str:
    name = f"{unit.name_zh}<br>{unit.name_en}"
    if unit.bodies:
        name += "<br>（" + "、".join(unit.bodies) + "）"
    duties = "；".join(unit.duties_zh) + "<br>" + "; ".join(unit.duties_en)
    why = "；".join(trigger_label(org, t) for t in unit.triggers)
    if unit.conditional:
        why += "（若市政府牵头 / if the city government leads）"
    return f"| {cell(name)} | {cell(duties)} | {cell(why)} |"


def _units_section(plan: ResponsePlan, org: Organisation) -> list[str]:
    out = [(f"## 启动的成员单位及职责 / Member units activated and their duties"
           f"（{clause_zh(org.raw['member_units_clause'])}，{len(plan.member_units)}个）"), "",
           ("> 预案列举成员单位后以“等”作结，名单不封闭 / the plan's list of member units ends with 等 "
           "(and others): it is not closed"), "",
           "| 单位 / Unit | 职责 / Duties | 启动依据 / Activated by |", "|---|---|---|"]
    return out + [_unit_row(u, org) for u in plan.member_units] + [""]


def channels(w: WarningInfo) -> str:
    """The warning's channels, Chinese then English."""
    return "、".join(c.zh for c in w.channels) + " / " + ", ".join(c.en for c in w.channels)


def _warning_section(plan: ResponsePlan, org: Organisation) -> list[str]:
    w = plan.warning
    if w is None:
        return []
    out = ["## 预警 / Warning（预案3.2条）", "",
           f"- 级别 / Level: {w.level_zh}（{w.color_zh}） / level {w.level} ({w.color})",
           "- 可发布单位 / May be issued by: " + "；".join(f"{r.zh} / {r.en}" for r in w.issuers),
           "- 发布渠道 / Channels: " + channels(w)]
    if any("{government}" in r.zh for r in org.issuers[w.color]) and w.color in ("red", "orange"):
        out.append(f"- 为何列出区县政府 / Why district governments are listed: "
                   f"{org.warning['issuers_note_zh']} / {org.warning['issuers_note_en']}")
    out += ["", ("预警行动（内部任务，不对外发布） / Actions once the warning is out (internal, not for "
            "the public)（预案3.2.3条）:"), ""]
    out += [f"- **{a.party_zh}** / {a.party_en}: {a.action_zh} / {a.action_en}" for a in w.actions]
    return out + [""]


def _body_row(body: str, reports: list[Report]) -> str:
    parts_zh, parts_en = [], []
    for kind, group in groupby(reports, key=lambda r: r.kind):
        rs = list(group)
        zh, en = REPORT_KIND_LABELS[kind]
        parts_zh.append(f"{zh}：{'、'.join(dict.fromkeys(r.due_zh for r in rs))}")
        parts_en.append(f"{en}: {', '.join(dict.fromkeys(r.due_en for r in rs))}")
    to = "、".join(dict.fromkeys(t for r in reports for t in r.to))
    basis = "；".join(dict.fromkeys(clause_zh(r.clause) for r in reports))
    return (f"| {cell(body)} | {cell(to)} | {cell('；'.join(parts_zh))}<br>"
            f"{cell('; '.join(parts_en))} | {cell(basis)} |")


def _clock_section(plan: ResponsePlan, org: Organisation) -> list[str]:
    out = ["## 信息报告 / Reporting（预案3.3条）", "",
           (f"各报告单位分别报送，时间为{org.documents.time_zone_zh} / each body reports on its own; "
           f"times are {org.documents.time_zone_en}."), "",
           "| 报告单位 / Body | 报送对象 / To | 报告及时限 / Reports and deadlines | 依据 / Basis |",
           "|---|---|---|---|"]
    by_body: dict[str, list[Report]] = {}
    for r in plan.reports:  # already in time order; bodies in the order of their first report
        by_body.setdefault(r.by[0], []).append(r)
    out += [_body_row(body, rs) for body, rs in by_body.items()]
    out += ["", "首报链条 / First-report chain（预案3.3.1条，立即 / at once）:", ""]
    out += [f"- {c.by} → {c.to}（{c.when.zh}） / {c.by_en} → {c.to_en} ({c.when.en})"
            for c in plan.report_chain]
    rep = org.reports
    return out + ["", (f"信息通报 / Notification（{clause_zh(rep['notify_clause'])}）: "
                      f"{rep['notify_zh']} / {rep['notify_en']}"), ""]


def _measure_line(m: Measure) -> str:
    owners = "；".join(f"{o.zh} / {o.en}" for o in m.owners) or "原文未指定 / not named"
    line = (f"- [ ] **{m.title.zh} / {m.title.en}**（{clause_zh(m.clause)}） — 责任 / Owners: "
            f"{owners}")
    if m.mapped_units:
        line += f"（对应成员单位 / matching member units, our mapping: {'、'.join(m.mapped_units)}）"
    return line


def _measures_section(plan: ResponsePlan, org: Organisation) -> list[str]:
    out = ["## 响应措施清单 / Measures checklist（预案4.2条）", ""]
    return out + [_measure_line(m) for m in plan.measures] + [""]


def _notes_section(plan: ResponsePlan, org: Organisation) -> list[str]:
    return ["## 说明 / Notes", ""] + [f"- {n.zh} / {n.en}（{clause_zh(n.clause)}）"
                                      for n in plan.notes] + [""]


#: The brief's sections after the criteria, in order: for a started response, and for an event
#: below every band (the plan is not started: only the notes say so).
_STARTED_SECTIONS = (_command_section, _groups_section, _units_section, _warning_section,
                     _clock_section, _measures_section, aftermath_section, _notes_section)
_NOT_STARTED_SECTIONS = (_notes_section,)


def brief_markdown(plan: ResponsePlan, organisation: Organisation | None = None) -> str:
    """A bilingual Markdown brief of the response plan.

    Parameters
    ----------
    plan : ResponsePlan
        The plan to describe (:func:`outage_sim.response.build_response`).
    organisation : Organisation, optional
        The organisation the plan was built from (for labels); the packaged one by default.

    Returns
    -------
    str
        Markdown with Chinese headings and English beside them: the 【演练】 mark for a scenario or
        drill, the event, the criteria that fired, then (once the plan is started) command,
        working groups, member units, warning, reporting bodies and their deadlines, the
        measures checklist, the §5 outputs once the response has ended, and notes.
    """
    org = organisation or load_organisation()
    out = head(plan, org, "# 大面积停电事件应急响应简报 / Large-area outage response brief")
    out += _event_section(plan, org) + _criteria_section(plan, org)
    for section in _STARTED_SECTIONS if plan.activated else _NOT_STARTED_SECTIONS:
        out += section(plan, org)
    return "\n".join(out).rstrip("\n") + "\n"

