"""§5 后期处置: what a duty officer must start once the response has ended.

:func:`build_aftermath` turns the organisation's ``aftermath`` data and a run's own figures into
an :class:`Aftermath`: the 善后处置 and 恢复重建 tasks by the owner the plan names (the
government of each affected district for 善后), the 处置评估 (assessment) with the run's figures
(time to 80 % and 90 % of the load shed back, unserved energy, customer-hours, reports due and
made, the §4.3 check that held last and the key area that held it back), and the 事件调查 trigger:
who investigates at the event's level under 《电力安全事故应急处置和调查处理条例》 (Decree 599).
The restoration stage attaches it to the response plan when the response ends
(``ResponsePlan.aftermath``); :func:`aftermath_section` writes it into the brief.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from outage_sim.response.organisation import Organisation, load_organisation
from outage_sim.response.plan import ResponsePlan
from outage_sim.response.text import clause_zh, cn_time, hu_zh, mw_zh, num

__all__ = ["Aftermath", "aftermath_section", "build_aftermath"]


@dataclass(frozen=True)
class Aftermath:
    """The §5 outputs of one ended response.

    Attributes
    ----------
    tasks : tuple of dict
        ``section``, ``title_zh``/``title_en``, ``owner_zh``/``owner_en``, ``task_zh``/``task_en``
        (the 善后 task once per affected district government).
    investigation : dict
        ``zh``, ``en``, ``clause``: who investigates at the event's level.
    assessment : tuple of (str, str, str)
        (Chinese label, English label, value) lines of the 处置评估 with the run's figures.
    figures : mapping
        The same figures as numbers (for JSON).
    """

    tasks: tuple[Mapping[str, str], ...]
    investigation: Mapping[str, str]
    assessment: tuple[tuple[str, str, str], ...]
    figures: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form."""
        return {"tasks": [dict(t) for t in self.tasks], "investigation": dict(self.investigation),
                "assessment": [{"zh": zh, "en": en, "value": v} for zh, en, v in self.assessment],
                "figures": dict(self.figures)}


def _hours(h: float | None) -> str:
    return "未在模拟期内达到 / not within the run" if h is None else f"{h:.1f}小时 / {h:.1f} h"


def _assessment(plan: ResponsePlan, f: Mapping[str, Any]) -> tuple[tuple[str, str, str], ...]:
    end = f.get("termination_time")
    lines = [
        ("应急响应终止时间", "response ended",
         f"{cn_time(end)}（事件后{f['terminated_h']:.1f}小时） / +{f['terminated_h']:.1f} h"
         if end is not None else "未终止 / not ended"),
        ("减供负荷恢复80%用时", "80% of the load shed back after", _hours(f.get("load_80_h"))),
        ("减供负荷恢复90%用时", "90% of the load shed back after", _hours(f.get("load_90_h"))),
        ("重点地区恢复90%用时", "key areas at 90% after", _hours(f.get("key_90_h"))),
        ("停电用户恢复90%用时", "90% of customers back after", _hours(f.get("customers_90_h"))),
        ("少供电量", "unserved energy",
         f"{num(f['unserved_mwh'])}兆瓦时 / {num(f['unserved_mwh'])} MWh"),
        ("停电时户数", "customer-hours lost",
         f"{hu_zh(f['customer_hours'])}·小时 / {num(f['customer_hours'])} customer-hours"),
        ("信息报告", "reports due before the end",
         (f"应报{f['reports_due']}份，按时{f['reports_met']}份（模型假定按时报送） / {f['reports_due']} "
         f"due, {f['reports_met']} on time (the model assumes reports are made when due)")),
    ]
    if f.get("last_check"):
        lines.append(("最后满足的终止条件", "last §4.3 check to hold",
                      f"{f['last_check_zh']} / {f['last_check_en']}"))
    if f.get("key_lagging"):
        lines.append(("最后达标的重点地区", "key area that held the check back",
                      f"{f['key_lagging']}"))
    lines.append(("峰值减供负荷", "peak load shed",
                  (f"{mw_zh(plan.severity.event.main.shed_mw)} / "
                  f"{num(plan.severity.event.main.shed_mw)} MW")))
    return tuple(lines)


def build_aftermath(plan: ResponsePlan, figures: Mapping[str, Any],
                    organisation: Organisation | None = None) -> Aftermath:
    """The §5 outputs of ``plan``'s ended response, with a run's ``figures``.

    ``figures`` holds ``termination_time`` (datetime or None), ``terminated_h``, ``load_80_h``,
    ``load_90_h``, ``key_90_h``, ``customers_90_h`` (hours or None), ``unserved_mwh``,
    ``customer_hours``, ``reports_due``, ``reports_met`` and optionally ``last_check``,
    ``last_check_zh``, ``last_check_en`` and ``key_lagging``.
    """
    org = organisation or load_organisation()
    spec = org.aftermath
    tasks = []
    for t in spec.tasks:
        owners = ([(org.government(d), f"the {org.full_name(d)} government") for d in
                   plan.districts] if t.per_district and plan.districts else
                  [(t.owner_zh, t.owner_en)])
        for zh, en in owners:
            tasks.append({"section": t.section, "title_zh": t.title_zh, "title_en": t.title_en,
                          "owner_zh": zh, "owner_en": en, "task_zh": t.task_zh,
                          "task_en": t.task_en})
    rank = int(plan.severity.level_rank)
    who = spec.investigation.get(rank)
    investigation = ({"zh": who.zh, "en": who.en, "clause": spec.investigation_clause}
                     if who is not None else {})
    plain = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in figures.items()}
    return Aftermath(tuple(tasks), investigation, _assessment(plan, figures), plain)


def aftermath_section(plan: ResponsePlan, org: Organisation) -> list[str]:
    """The brief's §5 section, once the response has ended (nothing before)."""
    a = plan.aftermath
    if a is None:
        return []
    out = [f"## 后期处置 / After the response（{clause_zh(org.aftermath.clause)}）", "",
           "| 事项 / Task | 负责 / Owner | 内容 / What | 依据 / Clause |", "|---|---|---|---|"]
    out += [f"| {t['title_zh']} / {t['title_en']} | {t['owner_zh']} / {t['owner_en']} | "
            f"{t['task_zh']} / {t['task_en']} | {clause_zh(t['section'])} |" for t in a.tasks]
    if a.investigation:
        out += ["", (f"事件调查 / Investigation（{plan.severity.level}，"
                    f"{clause_zh(a.investigation['clause'])}）: {a.investigation['zh']} / "
                    f"{a.investigation['en']}")]
    out += ["", "处置评估（本次推演数据） / Assessment (this run's figures)（预案5.2条）:", ""]
    out += [f"- {zh} / {en}: {v}" for zh, en, v in a.assessment]
    return out + [""]
