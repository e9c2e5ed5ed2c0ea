"""Documents a duty officer forwards, written from a :class:`~outage_sim.response.ResponsePlan`.

- :func:`brief_markdown`: a bilingual Markdown brief of the whole response (level, command,
  member units, warning, reporting clock, measures checklist).
- :func:`incident_report_markdown`: a pre-filled 信息报告 (incident report) with the §3.3.2
  fields, filled from the event where known and marked "待补充 / to be completed" where not.
- :func:`warning_notice_markdown`: a 预警信息 (warning notice) draft with the §3.2.2 fields.
- :func:`summary_text`: the short bilingual summary ``outage-sim respond`` prints by default.

Every heading and label keeps the Chinese term with the English one beside it.
"""

from __future__ import annotations

from datetime import datetime

from outage_sim.response.organisation import Organisation, load_organisation
from outage_sim.response.plan import ActivatedUnit, Measure, Report, ResponsePlan, WarningInfo
from outage_sim.severity import MEASURE_EN, MEASURE_ZH, NO_LEVEL_ZH, Criterion

#: Placeholder for a field the event does not tell.
TBD = "待补充 / to be completed"

#: Chinese and English labels of the report kinds.
REPORT_KIND_LABELS = {
    "phone": ("电话报告", "telephone report"),
    "written": ("书面报告", "written report"),
    "ministry": ("报告应急管理部", "report to the Ministry"),
    "followup": ("续报", "follow-up report"),
    "final": ("终报", "final report"),
}

_SCOPE_MAIN = ("重庆市主网", "main grid")


def _when(t: datetime | None) -> str:
    return t.isoformat(timespec="minutes") if t else TBD


def _due(t: datetime | None, kind: str) -> str:
    if t is not None:
        return t.isoformat(timespec="minutes")
    if kind == "final":
        return "处置结束时 / when handling ends"
    return "及时（无固定时限） / promptly (no fixed time)"


def _num(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"


def _pct(x: float) -> str:
    return f"{round(x, 2):g}%"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _scope(name: str) -> str:
    return f"{_SCOPE_MAIN[0]} / {_SCOPE_MAIN[1]}" if name == "main" else name


def _criterion_line(c: Criterion) -> str:
    return (
        f"{_scope(c.scope)}：{MEASURE_ZH[c.measure]} {_pct(c.value_pct)} "
        f"/ {MEASURE_EN[c.measure]} {_pct(c.value_pct)} → {c.level} {c.level_en} ({c.clause})"
    )


def _trigger_label(org: Organisation, key: str) -> str:
    for table in (org.triggers, org.causes, org.secondary):
        if key in table:
            return f"{table[key].zh} / {table[key].en}"
    return key


def _headline(plan: ResponsePlan) -> list[str]:
    sev = plan.severity
    if not plan.activated:
        return [
            (
                f"- 事件级别 / Event level: {NO_LEVEL_ZH} / not a large-area outage event "
                "(本预案不启动 / the plan is not started)"
            )
        ]
    w = plan.warning
    lines = [
        f"- 事件级别 / Event level: **{sev.level}** {sev.level_en} ({sev.level_clause})",
        (
            f"- 应急响应 / Response: **{plan.response_zh}** / response level "
            f"{plan.response_level} (§4.1)"
        ),
    ]
    if w:
        lines.append(
            f"- 预警 / Warning: {w.level_zh}{w.color_zh} / level {w.level} {w.color} (§3.2.1)"
        )
    return lines


def _event_lines(plan: ResponsePlan, org: Organisation) -> list[str]:
    cause = org.causes[plan.cause] if plan.cause else None
    return [
        f"- 事件发生时间 / Time of the event: {_when(plan.time)}",
        f"- 涉及区县 / Districts affected: {'、'.join(plan.districts) or TBD}",
        f"- 起因 / Cause: {f'{cause.zh} / {cause.en}' if cause else TBD}",
        "- 次生衍生事件 / Secondary incidents: "
        + (
            "；".join(f"{org.secondary[s].zh} / {org.secondary[s].en}" for s in plan.secondary)
            or "无 / none given"
        ),
    ]


def _title(org: Organisation) -> list[str]:
    return [
        "# 大面积停电事件应急响应简报 / Large-area outage response brief",
        "",
        f"依据 / Under: {org.title_zh}（{org.document}） / {org.title_en}",
        "",
    ]


def _event_section(plan: ResponsePlan, org: Organisation) -> list[str]:
    return ["## 事件概况 / The event", ""] + _event_lines(plan, org) + _headline(plan) + [""]


def _criteria_section(plan: ResponsePlan, org: Organisation) -> list[str]:
    out = ["## 分级依据 / Criteria that fired (§1.5)", ""]
    criteria = plan.severity.criteria
    if not criteria:
        return out + ["无 / none", ""]
    out += [
        "| 范围 / Scope | 指标 / Measure | 比例 / Share | 级别 / Level | 条款 / Clause |",
        "|---|---|---|---|---|",
    ]
    out += [
        f"| {_scope(c.scope)} | {MEASURE_ZH[c.measure]} / {MEASURE_EN[c.measure]} | "
        f"{_pct(c.value_pct)} | {c.level} / {c.level_en} | {c.clause} |"
        for c in criteria
    ]
    return out + [""]


def _command_section(plan: ResponsePlan, org: Organisation) -> list[str]:
    lead, commander, hq = plan.lead_role, plan.commander, plan.on_site_hq
    out = [
        "## 指挥体系 / Command (§2, §4.1)",
        "",
        f"- 牵头 / Lead: {lead.zh} / {lead.en} ({lead.clause})",
        f"- 指挥长 / Commander: {commander.zh} / {commander.en} ({commander.clause})",
    ]
    if plan.deputies:
        out.append(
            "- 副指挥长 / Deputy commanders: "
            + "；".join(f"{d.zh} / {d.en}" for d in plan.deputies)
        )
    return out + [f"- 现场应急处置指挥部 / On-site headquarters: {hq.zh} / {hq.en} ({hq.clause})", ""]


def _groups_section(plan: ResponsePlan, org: Organisation) -> list[str]:
    # only the city headquarters has working groups (§2.1)
    if not plan.working_groups:
        return []
    out = ["## 工作组 / Working groups (§2.1)", ""]
    out += [f"- {g.zh} / {g.en}" for g in plan.working_groups]
    note = f"> {org.raw['working_groups_note_zh']} / {org.raw['working_groups_note_en']}"
    return out + ["", note, ""]


def _unit_row(unit: ActivatedUnit, org: Organisation) -> str:
    name = f"{unit.name_zh}<br>{unit.name_en}"
    if unit.bodies:
        name += "<br>（" + "、".join(unit.bodies) + "）"
    duties = "；".join(unit.duties_zh) + "<br>" + "; ".join(unit.duties_en)
    why = "；".join(_trigger_label(org, t) for t in unit.triggers)
    if unit.conditional:
        why += "（若市政府牵头 / if the city government leads）"
    return f"| {_cell(name)} | {_cell(duties)} | {_cell(why)} |"


def _units_section(plan: ResponsePlan, org: Organisation) -> list[str]:
    out = [
        (
            f"## 启动的成员单位及职责 / Member units activated and their duties (附件二, "
            f"{len(plan.member_units)})"
        ),
        "",
        "| 单位 / Unit | 职责 / Duties | 启动依据 / Activated by |",
        "|---|---|---|",
    ]
    return out + [_unit_row(u, org) for u in plan.member_units] + [""]


def _channels(w: WarningInfo) -> str:
    return "、".join(c.zh for c in w.channels) + " / " + ", ".join(c.en for c in w.channels)


def _warning_section(plan: ResponsePlan, org: Organisation) -> list[str]:
    w = plan.warning
    if w is None:
        return []
    out = [
        "## 预警 / Warning (§3.2)",
        "",
        f"- 级别 / Level: {w.level_zh}（{w.color_zh}） / level {w.level} ({w.color})",
        "- 可发布单位 / May be issued by: " + "；".join(f"{r.zh} / {r.en}" for r in w.issuers),
        "- 发布渠道 / Channels: " + _channels(w),
        "",
        "预警行动 / Actions once the warning is out (§3.2.3):",
        "",
    ]
    out += [f"- **{a.party_zh}** / {a.party_en}: {a.action_zh} / {a.action_en}" for a in w.actions]
    return out + [""]


def _clock_row(r: Report) -> str:
    zh, en = REPORT_KIND_LABELS[r.kind]
    return (
        f"| {zh} / {en} | {_cell('、'.join(r.by))} | {_cell('、'.join(r.to))} | "
        f"{_due(r.due, r.kind)} | {_cell(r.note.zh)} / {_cell(r.note.en)} ({r.clause}) |"
    )


def _clock_section(plan: ResponsePlan, org: Organisation) -> list[str]:
    out = [
        "## 信息报告时限 / Reporting clock (§3.3)",
        "",
        "| 报告 / Report | 报告单位 / By | 报送对象 / To | 时限 / Due | 依据 / Basis |",
        "|---|---|---|---|---|",
    ]
    out += [_clock_row(r) for r in plan.reports]
    out += ["", "首报链条 / First-report chain (§3.3.1, 立即 / at once):", ""]
    out += [
        f"- {c.by} → {c.to}（{c.when.zh}） / {c.by_en} → {c.to_en} ({c.when.en})"
        for c in plan.report_chain
    ]
    rep = org.reports
    notify = (
        f"信息通报 / Notification ({rep['notify_clause']}): {rep['notify_zh']} / "
        f"{rep['notify_en']}"
    )
    return out + ["", notify, ""]


def _measure_line(m: Measure) -> str:
    owners = "；".join(f"{o.zh} / {o.en}" for o in m.owners) or "原文未指定 / not named"
    line = f"- [ ] **{m.title.zh} / {m.title.en}** ({m.clause}) — 责任 / Owners: {owners}"
    if m.mapped_units:
        mapped = "、".join(m.mapped_units)
        line += f"（对应成员单位 / matching member units, our mapping: {mapped}）"
    return line


def _measures_section(plan: ResponsePlan, org: Organisation) -> list[str]:
    out = ["## 响应措施清单 / Measures checklist (§4.2)", ""]
    return out + [_measure_line(m) for m in plan.measures] + [""]


def _notes_section(plan: ResponsePlan, org: Organisation) -> list[str]:
    return ["## 说明 / Notes", ""] + [f"- {n.zh} / {n.en} ({n.clause})" for n in plan.notes]


#: The brief's sections after the criteria, in order: for a started response, and for an event
#: below every band (the plan is not started: only the notes say so).
_STARTED_SECTIONS = (
    _command_section,
    _groups_section,
    _units_section,
    _warning_section,
    _clock_section,
    _measures_section,
    _notes_section,
)
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
        Markdown with Chinese headings and English beside them: the event, the criteria that
        fired, then (once the plan is started) command, working groups, member units, warning,
        reporting clock and the measures checklist, and notes.
    """
    org = organisation or load_organisation()
    out = _title(org) + _event_section(plan, org) + _criteria_section(plan, org)
    for section in _STARTED_SECTIONS if plan.activated else _NOT_STARTED_SECTIONS:
        out += section(plan, org)
    return "\n".join(out) + "\n"


def _scope_text(plan: ResponsePlan) -> str:
    ev = plan.severity.event
    main = ev.main
    parts = []
    if main.load_mw > 0:
        parts.append(
            f"重庆市主网减供负荷 {_num(main.shed_mw)} MW（{main.shed_mw / main.load_mw:.2%}）"
            f" / main grid load shed {_num(main.shed_mw)} of {_num(main.load_mw)} MW"
        )
    if main.customers > 0:
        parts.append(
            f"停电用户 {_num(main.customers_out)} 户（{main.customers_out / main.customers:.2%}）"
            f" / customers out {_num(main.customers_out)} of {_num(main.customers)}"
        )
    for d in ev.districts:
        if d.shed_mw > 0 or d.customers_out > 0:
            parts.append(
                f"{d.name}：减供负荷 {_num(d.shed_mw)}/{_num(d.load_mw)} MW，停电用户 "
                f"{_num(d.customers_out)}/{_num(d.customers)} 户 / {d.name}: shed "
                f"{_num(d.shed_mw)} of {_num(d.load_mw)} MW, {_num(d.customers_out)} of "
                f"{_num(d.customers)} customers out"
            )
    return "<br>".join(parts) or TBD


def _cause_and_nature(plan: ResponsePlan, org: Organisation) -> str:
    """The 起因和性质 field: the cause, the provisional level and the criteria behind it, and
    any secondary incidents."""
    sev = plan.severity
    cause = org.causes[plan.cause] if plan.cause else None
    nature = [f"{cause.zh} / {cause.en}" if cause else f"起因{TBD}"]
    if plan.activated:
        nature.append(
            f"按预案§1.5初判为{sev.level}大面积停电事件，对应{plan.response_zh} / "
            f"provisionally a {sev.level_en} large-area outage event, "
            f"response level {plan.response_level}"
        )
        nature += [_criterion_line(c) for c in sev.criteria]
    else:
        nature.append(f"{NO_LEVEL_ZH} / not a large-area outage event under §1.5")
    if plan.secondary:
        nature.append(
            "次生衍生事件 / secondary incidents: "
            + "；".join(f"{org.secondary[s].zh} / {org.secondary[s].en}" for s in plan.secondary)
        )
    return "<br>".join(nature)


def _planned_measures(plan: ResponsePlan) -> str:
    """The 拟采取的措施 field: the response and the §4.2 measures, as a draft."""
    if not plan.activated:
        return TBD
    return (
        f"启动{plan.response_zh}；"
        + "；".join(m.title.zh for m in plan.measures)
        + "（据预案§4.2拟定，待确认） / start response level "
        f"{plan.response_level}; the §4.2 measures (drafted from the plan, to be confirmed)"
    )


def _report_head(first: Report | None) -> list[str]:
    """Who sends the first report to whom, and its deadline when it has one."""
    out = [
        "# 大面积停电事件信息报告（首报） / Large-area outage incident report (first report)",
        "",
        f"- 报送 / To: {'、'.join(first.to) if first else TBD}",
        f"- 报告单位 / Reporting body: {'、'.join(first.by) if first else TBD}",
        f"- 报告时间 / Time of this report: {TBD}",
        "",
    ]
    if first and first.due:
        out += [
            (
                f"> 时限 / Deadline: {first.note.zh}，{_due(first.due, first.kind)} / "
                f"{first.note.en} ({first.clause})"
            ),
            "",
        ]
    return out


def incident_report_markdown(plan: ResponsePlan, organisation: Organisation | None = None) -> str:
    """A pre-filled 信息报告 (incident report) with the §3.3.2 fields.

    Fields the event tells (time, place, source if given, cause and nature, scope, measures from
    the plan) are filled; the rest read "待补充 / to be completed".
    """
    org = organisation or load_organisation()
    first = next((r for r in plan.reports if r.kind in ("phone", "followup")), None)
    values = {
        "time": _when(plan.time),
        "place": "、".join(plan.districts) or TBD,
        "source": plan.source or TBD,
        "cause": _cause_and_nature(plan, org),
        "course": TBD,
        "scope": _scope_text(plan),
        "trend": TBD,
        "handling": TBD,
        "measures": _planned_measures(plan),
        "suggestions": TBD,
    }
    out = _report_head(first)
    out += [f"| 项目 / Field ({org.reports['contents_clause']}) | 内容 / Content |", "|---|---|"]
    out += [f"| {zh} / {en} | {_cell(values[key])} |" for key, zh, en in org.report_fields]
    return "\n".join(out) + "\n"


def warning_notice_markdown(plan: ResponsePlan, organisation: Organisation | None = None) -> str:
    """A 预警信息 (warning notice) draft with the §3.2.2 fields.

    For an event below every band there is no warning; the draft says so.
    """
    org = organisation or load_organisation()
    w = plan.warning
    title = "# 大面积停电预警信息（草稿） / Large-area outage warning notice (draft)"
    if w is None:
        return f"{title}\n\n无预警：{NO_LEVEL_ZH} / no warning: not a large-area outage event\n"
    sev = plan.severity
    w_spec = org.warning
    area = "、".join(plan.districts) or TBD
    alerts = (
        f"{area}可能发生{sev.level}大面积停电事件，请做好防范准备 / a {sev.level_en} "
        f"large-area outage event may occur in {area}; prepare accordingly"
    )
    actions = "<br>".join(
        f"{a.party_zh}：{a.action_zh} / {a.party_en}: {a.action_en}" for a in w.actions
    )
    issuers = "、".join(r.zh for r in w.issuers)
    values = {
        "level": f"{w.level_zh}（{w.color_zh}）预警 / level {w.level} ({w.color}) warning",
        "time": TBD,
        "scope": area,
        "alerts": alerts,
        "measures": actions,
        "issuer": f"{TBD}（可由 / may be issued by: {issuers}）",
    }
    out = [
        title,
        "",
        f"| 项目 / Field ({w_spec['content_clause']}) | 内容 / Content |",
        "|---|---|",
    ]
    out += [
        f"| {f['zh']} / {f['en']} | {_cell(values[f['key']])} |" for f in w_spec["content_fields"]
    ]
    out += [
        "",
        "发布渠道 / Channels: " + _channels(w),
        "",
        f"> {w_spec['adjust_zh']} / {w_spec['adjust_en']} ({w_spec['adjust_clause']})",
    ]
    return "\n".join(out) + "\n"


def markdown(plan: ResponsePlan, organisation: Organisation | None = None) -> str:
    """The brief, the incident report and the warning notice, one after another."""
    org = organisation or load_organisation()
    return "\n---\n\n".join(
        [
            brief_markdown(plan, org),
            incident_report_markdown(plan, org),
            warning_notice_markdown(plan, org),
        ]
    )


def _short(names, limit: int = 6) -> str:
    """``'A、B、C'``, or the first few and ``等 N 个 / N in all`` for a long list (the Markdown
    documents keep every name; this is for a terminal summary)."""
    names = list(names)
    if len(names) <= limit:
        return "、".join(names)
    return "、".join(names[:limit - 2]) + f" 等{len(names)}个 / {len(names)} in all"


def summary_text(plan: ResponsePlan) -> str:
    """A short bilingual summary: level, response, lead, commander, warning, reports due."""
    sev = plan.severity
    if not plan.activated:
        return (
            f"{NO_LEVEL_ZH} / not a large-area outage event — 本预案不启动 / "
            "the plan is not started\n"
        )
    lines = [
        (
            f"事件级别 / Level: {sev.level} {sev.level_en} — {plan.response_zh} / "
            f"response level {plan.response_level}"
        )
    ]
    if plan.warning:
        w = plan.warning
        lines.append(
            f"预警 / Warning: {w.level_zh}{w.color_zh} / level {w.level} {w.color}; "
            f"可发布 / issued by: {_short(r.zh for r in w.issuers)}"
        )
    lines += [
        f"牵头 / Lead: {plan.lead_role.zh} / {plan.lead_role.en}",
        f"指挥长 / Commander: {plan.commander.zh} / {plan.commander.en}",
        f"现场指挥部 / On-site HQ: {plan.on_site_hq.zh} / {plan.on_site_hq.en}",
        f"成员单位 / Member units activated: {len(plan.member_units)}",
    ]
    by_cause = [
        u
        for u in plan.member_units
        if any(t not in ("all_events", "city_led", "major") for t in u.triggers)
    ]
    if by_cause:
        lines.append(
            "  含起因或次生事件职责 / with duties for the cause or secondary incidents: "
            + "、".join(u.name_zh for u in by_cause)
        )
    lines.append("报告 / Reports:")
    for r in plan.reports:
        zh, en = REPORT_KIND_LABELS[r.kind]
        lines.append(f"  {zh} / {en}: {_due(r.due, r.kind)}  {_short(r.by)} → {_short(r.to)}")
    return "\n".join(lines) + "\n"
