"""预警信息 (the warning notice): public-facing, with the §3.2.2 fields.

:func:`warning_notice_markdown` writes the notice the public reads (§3.2.2: level, time, affected
area, warnings, measures to take, issuing body): a title such as 重庆市大面积停电橙色预警（二级）,
what has happened (an event already under way is not written as one that 可能发生), and public
measures (prepare for the outage, important users ready their backup power, follow the official
information, do not believe or pass on rumours), each from the plan's words. The internal task
list of §3.2.3 stays in the brief.
"""

from __future__ import annotations

from outage_sim.response.brief import channels
from outage_sim.response.doc_parts import TBD, cell, head, joined
from outage_sim.response.organisation import Organisation, load_organisation
from outage_sim.response.plan import ResponsePlan
from outage_sim.response.text import clause_zh, cn_time
from outage_sim.severity import NO_LEVEL_ZH

__all__ = ["warning_notice_markdown"]


def warning_notice_markdown(plan: ResponsePlan, organisation: Organisation | None = None) -> str:
    """A 预警信息 (warning notice) draft for the public, with the §3.2.2 fields.

    For an event below every band there is no warning; the draft says so.
    """
    org = organisation or load_organisation()
    w = plan.warning
    pw = org.public_warning
    if w is None:
        title = "# 大面积停电预警信息（草稿） / Large-area outage warning notice (draft)"
        return "\n".join(head(plan, org, title)) + (
            f"无预警：{NO_LEVEL_ZH} / no warning: not a large-area outage event\n")
    values = {"color_zh": w.color_zh, "level_zh": w.level_zh, "color": w.color,
              "level": w.level}
    title = f"# {pw.title_zh.format(**values)}（草稿） / {pw.title_en.format(**values)} (draft)"
    area = joined(plan.districts) or "重庆市"
    issuers = "、".join(r.zh for r in w.issuers)
    fields = {
        "level": f"{w.color_zh}预警（{w.level_zh}） / {w.color} warning (level {w.level})",
        "time": f"{TBD}（事件已于{cn_time(plan.time, org.tz)}发生 / the outage began "
                f"{plan.time.isoformat(timespec='minutes')}）",
        "scope": area,
        "alerts": f"{pw.under_way_zh.format(area=area)} / {pw.under_way_en.format(area=area)}",
        "measures": "<br>".join(f"{i}. {m.zh}。 / {m.en}." for i, m in enumerate(pw.measures, 1)),
        "issuer": f"{TBD}（可由 / may be issued by: {issuers}）",
    }
    out = head(plan, org, title)
    out += [f"| 项目 / Field（{clause_zh(org.warning['content_clause'])}） | 内容 / Content |",
            "|---|---|"]
    out += [f"| {f['zh']} / {f['en']} | {cell(fields[f['key']])} |"
            for f in org.warning["content_fields"]]
    basis = "；".join(f"{m.zh}（{clause_zh(m.clause)}）" for m in pw.measures)
    keys = joined(plan.key_areas) or "未指定 / none given"
    out += ["", "发布渠道 / Channels: " + channels(w), "",
            (f"> 内部掌握，不对外发布 / internal, not for the public: 重点地区（预案4.3条） / key areas "
            f"(§4.3): {keys}"), "",
            f"> 措施依据 / Where the measures come from: {basis}", "",
            (f"> {org.warning['adjust_zh']} / {org.warning['adjust_en']}"
            f"（{clause_zh(org.warning['adjust_clause'])}）")]
    return "\n".join(out) + "\n"
