"""The parts every document shares: its head (the 【演练】 mark and the plan's citation), the event's
figures in 兆瓦 and 万户, the criteria with the district class and the load it came from, the key
areas, the important users cut off and the minor impacts.

Used by :mod:`outage_sim.response.documents` (brief and summary),
:mod:`outage_sim.response.report_doc` (信息报告) and :mod:`outage_sim.response.warning_doc`
(预警信息). Every label keeps the Chinese term with the English one beside it.
"""

from __future__ import annotations

from collections.abc import Sequence

from outage_sim.response.organisation import Organisation
from outage_sim.response.plan import ResponsePlan
from outage_sim.response.text import clause_zh, cn_time, hu_zh, mw_zh, num, pct
from outage_sim.severity import MEASURE_EN, MEASURE_ZH, Criterion, main_source_text

#: Placeholder for a field nobody can know from the event.
TBD = "待补充 / to be completed"

#: Chinese and English labels of the report kinds.
REPORT_KIND_LABELS = {
    "first": ("首报", "first report"),
    "phone": ("电话报告", "telephone report"),
    "written": ("书面报告", "written report"),
    "ministry": ("报告应急管理部", "report to the Ministry"),
    "followup": ("续报", "follow-up report"),
    "final": ("终报", "final report"),
}

SCOPE_MAIN = ("重庆市主网", "main grid")


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def scope(name: str) -> str:
    """``重庆市主网 / main grid`` or the district's name."""
    return f"{SCOPE_MAIN[0]} / {SCOPE_MAIN[1]}" if name == "main" else name


def head(plan: ResponsePlan, org: Organisation, title: str) -> list[str]:
    """A document's first lines: the 【演练】 mark (scenario or drill), the title, the citation."""
    d = org.documents
    out = [f"**{d.exercise_zh}** / {d.exercise_en}", ""] if plan.exercise else []
    return out + [title, "", f"{d.citation_zh} / {d.citation_en}", ""]


def when(plan: ResponsePlan, org: Organisation) -> str:
    """The event time in Beijing time, Chinese and ISO."""
    zone = org.documents.time_zone_zh
    return f"{cn_time(plan.time, org.tz)}（{zone}） / {plan.time.isoformat(timespec='minutes')}"


def place(plan: ResponsePlan, limit: int = 3) -> str:
    """Where it happened, for a title: ``城口县``, ``万州区、巫溪县`` or ``万州区等5个区县``."""
    names = list(plan.districts)
    if not names:
        return "重庆市"
    if len(names) <= limit:
        return "、".join(names)
    return f"{names[0]}等{len(names)}个区县"


def district_class(c: Criterion, plan: ResponsePlan) -> str:
    """A district criterion's class and the pre-event load it came from (§1.5.3(3)/(4))."""
    if c.district_class is None:
        return ""
    area = plan.severity.district(c.scope)
    load = area.load_mw if area is not None else c.whole
    return (f"{c.district_class}（事件前负荷{mw_zh(load)}） / {c.district_class_en} "
            f"(pre-event load {num(load)} MW)")


def criterion_line(c: Criterion, plan: ResponsePlan) -> str:
    """One criterion that fired, with its share, level, clause and district class."""
    cls = district_class(c, plan)
    cls = f"，{cls}" if cls else ""
    return (f"{scope(c.scope)}：{MEASURE_ZH[c.measure]} {pct(c.value_pct)} / "
            f"{MEASURE_EN[c.measure]} {pct(c.value_pct)} → {c.level} {c.level_en}"
            f"（{clause_zh(c.clause)}{cls}）")


def main_figures(plan: ResponsePlan) -> str:
    """The main grid's load shed and customers out, with where its figures came from."""
    ev = plan.severity.event
    m = ev.main
    parts = []
    if m.load_mw > 0:
        parts.append(f"重庆市主网减供负荷{mw_zh(m.shed_mw)}（占{pct(100 * m.shed_mw / m.load_mw)}）"
                     f" / main grid load shed {num(m.shed_mw)} of {num(m.load_mw)} MW")
    if m.customers > 0:
        parts.append(f"停电用户{hu_zh(m.customers_out)}（占{pct(100 * m.customers_out / m.customers)}"
                     f"） / customers out {num(m.customers_out)} of {num(m.customers)}")
    text = "；".join(parts)
    if ev.main_from_districts:
        zh, en = main_source_text(ev)
        text += f"（{zh} / {en}）"
    return text


def district_figures(name: str, plan: ResponsePlan) -> str:
    """``城口县：减供负荷58兆瓦（占100%），停电用户10万户（占100%）`` with the English beside."""
    d = plan.severity.district(name)
    if d is None:
        return name
    shed = 100 * d.shed_mw / d.load_mw if d.load_mw else 0.0
    out = 100 * d.customers_out / d.customers if d.customers else 0.0
    return (f"{d.name}：减供负荷{mw_zh(d.shed_mw)}（占{pct(shed)}），停电用户{hu_zh(d.customers_out)}"
            f"（占{pct(out)}） / {d.name}: {num(d.shed_mw)} of {num(d.load_mw)} MW shed, "
            f"{num(d.customers_out)} of {num(d.customers)} customers out")


def minor_lines(plan: ResponsePlan) -> list[str]:
    """The minor impacts (轻微影响区县) with their figures, and the reading that set them apart."""
    if not plan.minor:
        return []
    rule = plan.severity.plan.affected
    names = "、".join(d.name for d in plan.minor)
    out = [f"- 轻微影响区县 / Minor impacts ({len(plan.minor)}): {names}"]
    out += [f"  - {district_figures(d.name, plan)}" for d in plan.minor]
    out.append(f"  - 认定依据 / Why apart: {rule.reason} / {rule.reason_en}")
    if rule.spread_note:
        out.append(f"  - 为何多处零星减供 / Why traces everywhere: {rule.spread_note} / "
                   f"{rule.spread_note_en}")
    return out


def key_areas_line(plan: ResponsePlan) -> str:
    """The key areas (重点地区) used for §4.3, or that none were given."""
    if plan.key_areas:
        return (f"- 重点地区（用于预案4.3条终止条件） / Key areas (for §4.3): "
                f"{'、'.join(plan.key_areas)}")
    return ("- 重点地区（用于预案4.3条终止条件） / Key areas (for §4.3): 未指定（预案未列明重点地区） / "
            "none given (the plan lists none)")


def important_users_lines(plan: ResponsePlan, bullet: str = "- ") -> list[str]:
    """重要电力用户 cut off, one line each, or that none are reported."""
    label = "重要电力用户停电 / Important power users cut off (预案4.2.2条)"
    if not plan.important_users:
        return [f"{bullet}{label}: 无报告 / none reported"]
    out = [f"{bullet}{label}:"]
    out += [f"  {bullet}{u.text_zh} / {u.text_en}" for u in plan.important_users]
    return out


def joined(names: Sequence[str]) -> str:
    """Names joined with 、."""
    return "、".join(names)
