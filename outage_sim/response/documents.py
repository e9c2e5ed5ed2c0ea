"""Documents a duty officer forwards, written from a :class:`~outage_sim.response.ResponsePlan`.

- :func:`brief_markdown` (:mod:`outage_sim.response.brief`): a bilingual brief of the whole
  response.
- :func:`incident_report_markdown` (:mod:`outage_sim.response.report_doc`): 信息报告 drafts, one
  per reporting body, in 公文 form with the §3.3.2 fields.
- :func:`warning_notice_markdown` (:mod:`outage_sim.response.warning_doc`): the public 预警信息.
- :func:`markdown`: the three, one after another (``response.md`` of a run).
- :func:`summary_text`: the short bilingual summary ``outage-sim respond`` prints by default.

Every heading and label keeps the Chinese term with the English one beside it; clock times are
Beijing time, written 2024年7月31日23时40分 in Chinese text; a scenario's or a drill's documents
carry 【演练】 at their head.
"""

from __future__ import annotations

from itertools import groupby

from outage_sim.response.brief import brief_markdown
from outage_sim.response.doc_parts import REPORT_KIND_LABELS, TBD, joined
from outage_sim.response.organisation import Organisation, load_organisation
from outage_sim.response.plan import ResponsePlan
from outage_sim.response.report_doc import incident_report_markdown
from outage_sim.response.warning_doc import warning_notice_markdown
from outage_sim.severity import NO_LEVEL_ZH

__all__ = ["REPORT_KIND_LABELS", "TBD", "brief_markdown", "incident_report_markdown", "markdown",
           "summary_text", "warning_notice_markdown"]


def markdown(plan: ResponsePlan, organisation: Organisation | None = None) -> str:
    """The brief, the incident reports and the warning notice, one after another."""
    org = organisation or load_organisation()
    return "\n---\n\n".join([brief_markdown(plan, org), incident_report_markdown(plan, org),
                              warning_notice_markdown(plan, org)])


def _short(names, limit: int = 6) -> str:
    """``'A、B、C'``, or the first few and ``等 N 个 / N in all`` for a long list (the Markdown
    documents keep every name; this is for a terminal summary)."""
    names = list(names)
    if len(names) <= limit:
        return "、".join(names)
    return "、".join(names[:limit - 2]) + f" 等{len(names)}个 / {len(names)} in all"


def _report_lines(plan: ResponsePlan) -> list[str]:
    """Reports in time order; bodies due at the same time to the same bodies share a line."""
    lines = []
    for (kind, due, to), group in groupby(plan.reports, key=lambda r: (r.kind, r.due_zh, r.to)):
        rs = list(group)
        zh, en = REPORT_KIND_LABELS[kind]
        each = "（各自报送 / each on its own）" if len(rs) > 1 else ""
        lines.append(f"  {zh} / {en}: {due}  {_short(r.by[0] for r in rs)}{each} → {_short(to)}")
    return lines


def _context_lines(plan: ResponsePlan) -> list[str]:
    """Districts affected, minor impacts, key areas and important users cut off."""
    minor = (f"（另有轻微影响{len(plan.minor)}个 / plus {len(plan.minor)} minor impacts: "
             f"{_short(d.name for d in plan.minor)}）" if plan.minor else "")
    keys = joined(plan.key_areas) or "未指定 / none given"
    users = "；".join(u.text_zh for u in plan.important_users) or "无报告 / none reported"
    return [f"事发地 / Districts affected: {_short(plan.districts) or TBD}{minor}",
            f"重点地区 / Key areas (§4.3): {keys}",
            f"重要电力用户停电 / Important users cut off: {users}"]


def summary_text(plan: ResponsePlan) -> str:
    """A short bilingual summary: level, response, lead, commander, warning, reports due."""
    org = load_organisation()
    mark = [f"{org.documents.exercise_zh} / {org.documents.exercise_en}"] if plan.exercise else []
    sev = plan.severity
    if not plan.activated:
        return "\n".join(mark + [(f"{NO_LEVEL_ZH} / not a large-area outage event — 本预案不启动 / "
                                 "the plan is not started")]) + "\n"
    lines = mark + [(f"事件级别 / Level: {sev.level} {sev.level_en} — {plan.response_zh} / "
                    f"response level {plan.response_level}")]
    if plan.warning:
        w = plan.warning
        lines.append(f"预警 / Warning: {w.level_zh}{w.color_zh} / level {w.level} {w.color}; "
                     f"可发布 / issued by: {_short(r.zh for r in w.issuers)}")
    lines += _context_lines(plan)
    lines += [
        f"牵头 / Lead: {plan.lead_role.zh} / {plan.lead_role.en}",
        f"指挥长 / Commander: {plan.commander.zh} / {plan.commander.en}",
        f"现场指挥部 / On-site HQ: {plan.on_site_hq.zh} / {plan.on_site_hq.en}",
        f"成员单位 / Member units activated: {len(plan.member_units)}",
    ]
    by_cause = [u for u in plan.member_units
                if any(t not in ("all_events", "city_led", "major") for t in u.triggers)]
    if by_cause:
        lines.append("  含起因或次生事件职责 / with duties for the cause or secondary incidents: "
                     + "、".join(u.name_zh for u in by_cause))
    lines.append(f"报告 / Reports（{org.documents.time_zone_zh} / {org.documents.time_zone_en}）:")
    lines += _report_lines(plan)
    return "\n".join(lines) + "\n"
