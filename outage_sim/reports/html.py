"""A self-contained HTML report of one run, for a duty officer to forward (可转发的事件报告).

:func:`write_html_report` writes ``report.html``: one file with no outside references (no
scripts, fonts or stylesheets fetched; every figure embedded as a base64 PNG), so it opens the
same from an e-mail attachment, a USB stick or an offline machine. Headings carry the Chinese
term beside the English one. Sections: the headline figures, the response brief
(:func:`outage_sim.response.brief_markdown`, converted here by markdown-it-py), the
reporting clock, the recovery curves (when a restoration result is given or carried by the run),
the district maps, extra figures and the district table. The run's figures are the PNG files
``outage-sim run --out`` writes beside the report, embedded byte for byte (``rendered``) rather
than drawn a second time. Text from the user (scenario name and description) is
escaped, and the brief's Markdown may not carry raw HTML (only its ``<br>`` line breaks).
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

from outage_sim.errors import InputError
from outage_sim.outputs import check_output, write_outputs
from outage_sim.response import (
    BEIJING,
    REPORT_KIND_LABELS,
    brief_markdown,
    clause_zh,
    cn_time,
    load_organisation,
)

__all__ = ["REPORT_FILE", "html_report", "markdown_to_html", "write_html_report"]

REPORT_FILE = "report.html"

_CSS = """
body{font-family:"Noto Sans CJK SC","Noto Sans SC","Microsoft YaHei","PingFang SC",sans-serif;
 margin:2em auto;max-width:1100px;color:#222;line-height:1.45;padding:0 1em}
h1{border-bottom:3px solid #d62828;padding-bottom:.3em}
h2{border-bottom:1px solid #ccc;margin-top:1.6em}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em}
th,td{border:1px solid #bbb;padding:.25em .5em;vertical-align:top}
th{background:#f1f1f1}
td.num{text-align:right}
.level{font-size:1.4em;font-weight:bold;padding:.3em .6em;border-radius:4px;display:inline-block}
.red{background:#d62828;color:#fff}.orange{background:#f77f00;color:#fff}
.yellow{background:#fcbf49}.blue{background:#1d6fb8;color:#fff}.none{background:#adb5bd}
img{max-width:100%;border:1px solid #ddd}
.small{color:#666;font-size:.85em}
.exercise{border:2px solid #d62828;color:#d62828;padding:.4em .6em;font-size:1.1em}
"""


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _br_tag(state: StateInline, silent: bool) -> bool:
    """Inline rule: the documents' ``<br>`` (line breaks inside table cells) as a line break.

    Raw HTML is otherwise off, so anything else between angle brackets stays escaped text.
    """
    if not state.src.startswith("<br>", state.pos):
        return False
    if not silent:
        state.push("html_inline", "", 0).content = "<br>"
    state.pos += len("<br>")
    return True


_MARKDOWN = MarkdownIt("commonmark", {"html": False, "xhtmlOut": False}).enable("table")
_MARKDOWN.inline.ruler.before("autolink", "br_tag", _br_tag)


def markdown_to_html(md: str) -> str:
    """The Markdown of :mod:`outage_sim.response.documents` as HTML (CommonMark with tables).

    Headings are shifted down one level (the document's ``#`` becomes ``<h2>`` under the
    report's own ``<h1>``); ``<br>`` breaks lines inside table cells; any other HTML in the text
    is escaped, never passed through.
    """
    tokens = _MARKDOWN.parse(md)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1:]) + 1)}"
    return _MARKDOWN.renderer.render(tokens, _MARKDOWN.options, {})


def _png(source: Any) -> str:
    """A figure (matplotlib Figure), a PNG file or PNG bytes as an ``<img>`` data URI."""
    if isinstance(source, bytes):
        data = source
    elif isinstance(source, (str, Path)):
        path = Path(source)
        try:
            data = path.read_bytes()
        except OSError:
            raise InputError(f"figures: cannot read {path}") from None
        if not data.startswith(b"\x89PNG"):
            raise InputError(f"figures: {path} is not a PNG file")
    else:
        buf = io.BytesIO()
        source.savefig(buf, format="png", dpi=110)
        data = buf.getvalue()
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def _figure_html(title: str, uri: str) -> str:
    return f'<figure><img alt="{_esc(title)}" src="{uri}"><figcaption>{_esc(title)}</figcaption></figure>'


#: The run's figures in the report: file (:data:`outage_sim.reports.FIGURES`) and caption.
_RECOVERY_FIGURES = (
    ("recovery.png", "负荷恢复曲线 / Load recovery"),
    ("customers_out.png", "停电用户 / Customers out"),
    ("levels.png", "当前状态分级（事件级别保持峰值，仅响应级别可调整） / Current state graded over time "
                   "(the event level stays at its peak; only the response level may change)"))
_MAP_FIGURES = (
    ("district_map.png", "区县减供负荷（最严重时刻） / Load shed by district at the worst moment"),
    ("district_panels.png", "区县停电随时间变化 / Districts over time"))


def _run_figures(run_result, rest, rendered: Mapping[str, bytes] | None) -> Mapping[str, bytes]:
    """The PNG bytes of the run's figures: ``rendered`` (the files a run writes) when given,
    else drawn here the same way (:func:`outage_sim.reports.recovery.render_figures`); without
    a restoration run, the district map of the load shed at T+0 alone."""
    if rendered is not None:
        return rendered
    from outage_sim.reports.recovery import render_figures

    options = {"failed": run_result.shed.to_dict().get("failed"),
               "hazards": getattr(run_result.scenario, "hazards", None)}
    if rest is not None:
        return render_figures(rest.timeline, rest.districts, termination_h=rest.terminated_h,
                              map_options=options)
    d = run_result.shed.districts
    snapshot = pd.DataFrame({"t_h": 0.0, "district": d["name"], "load_mw": d["load_mw"],
                             "shed_mw": d["shed_mw"]})
    return render_figures(snapshot, snapshot, map_options=options, names=("district_map",))


def _figures_html(figures: Mapping[str, bytes], which) -> list[str]:
    return [_figure_html(title, _png(figures[name])) for name, title in which if name in figures]


def _clock_table(plan) -> str:
    if not plan.reports:
        return "<p>无信息报告时限（本预案未启动） / no reports on the clock (the plan is not started)</p>"
    rows = []
    for r in plan.reports:
        zh, en = REPORT_KIND_LABELS.get(r.kind, (r.kind, r.kind))
        due = f"{r.due_zh} / {r.due_en}"  # Beijing time; each body reports on its own
        rows.append(f"<tr><td>{_esc(zh)} / {_esc(en)}</td><td>{_esc('、'.join(r.by))}</td>"
                    f"<td>{_esc('、'.join(r.to))}</td><td>{_esc(due)}</td>"
                    f"<td>{_esc(clause_zh(r.clause))}</td></tr>")
    return ("<table><thead><tr><th>报告 / Report</th><th>报告单位 / By</th><th>报送对象 / To</th>"
            "<th>时限 / Due</th><th>依据 / Clause</th></tr></thead><tbody>" + "".join(rows)
            + "</tbody></table>")


def _context_html(plan) -> str:
    """Districts affected and minor impacts, key areas, important users cut off (as in the
    brief), and the 【演练】 mark of a scenario's report."""
    keys = "、".join(plan.key_areas) or "未指定 / none given"
    users = "".join(f"<li>{_esc(u.text_zh)} / {_esc(u.text_en)}</li>"
                    for u in plan.important_users) or "<li>无 / none</li>"
    minor = (f"（另有轻微影响区县{len(plan.minor)}个 / plus {len(plan.minor)} minor impacts: "
             f"{'、'.join(d.name for d in plan.minor)}）" if plan.minor else "")
    return (f"<ul><li>事发地（受影响区县） / Districts affected: "
            f"{_esc('、'.join(plan.districts) or '—')}{_esc(minor)}</li>"
            f"<li>重点地区（预案4.3条） / Key areas (§4.3): {_esc(keys)}</li>"
            f"<li>重要电力用户停电 / Important power users cut off:<ul>{users}</ul></li></ul>")


def _exercise_html(plan) -> list[str]:
    if not plan.exercise:
        return []
    d = load_organisation().documents
    return [f'<p class="exercise"><strong>{_esc(d.exercise_zh)}</strong> / {_esc(d.exercise_en)}</p>']


def _district_table(districts) -> str:
    d = districts.copy()
    d["shed_pct"] = (100 * d.shed_mw / d.load_mw.where(d.load_mw > 0)).fillna(0.0)
    d["out_pct"] = (100 * d.customers_out / d.customers.where(d.customers > 0)).fillna(0.0)
    d = d.sort_values(["shed_mw", "customers_out"], ascending=False)
    head = ("<tr><th>区县 / District</th><th>负荷 / Load (MW)</th><th>减供负荷 / Load shed (MW)</th>"
            "<th>减供比例 / Shed (%)</th><th>供电用户 / Customers</th><th>停电用户 / Customers out</th>"
            "<th>停电比例 / Out (%)</th></tr>")
    rows = []
    for r in d.itertuples():
        name = f"{r.name} / {r.name_en}" if getattr(r, "name_en", "") else r.name
        rows.append(f"<tr><td>{_esc(name)}</td><td class=num>{r.load_mw:,.1f}</td>"
                    f"<td class=num>{r.shed_mw:,.1f}</td><td class=num>{r.shed_pct:.1f}</td>"
                    f"<td class=num>{int(r.customers):,}</td><td class=num>{int(r.customers_out):,}</td>"
                    f"<td class=num>{r.out_pct:.1f}</td></tr>")
    return f"<table><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"


def html_report(run_result, figures: dict[str, Any] | None = None, restoration=None, *,
                rendered: Mapping[str, bytes] | None = None) -> str:
    """The report as one HTML string (see :func:`write_html_report`).

    ``rendered``: the run's figures already drawn, file name (``"recovery.png"``,
    ``"district_map.png"`` …) → PNG bytes, as :func:`outage_sim.reports.render_figures` gives
    them; they are embedded as they are instead of being drawn again (a run writes the same
    bytes beside the report). By default they are drawn here.
    """
    rest = restoration if restoration is not None else getattr(run_result, "restoration", None)
    # with restoration the report clock runs to the end of the response
    plan = rest.response if rest is not None else run_result.response
    sev, main, sc = run_result.severity, run_result.shed.main, run_result.scenario
    pct = 100 * main["shed_mw"] / main["load_mw"] if main["load_mw"] else 0.0
    cpct = 100 * main["customers_out"] / main["customers"] if main["customers"] else 0.0
    colour = sev.warning_color or "none"
    level = (f"{sev.level} {sev.level_en} — {sev.response_level_zh} / response level "
             f"{sev.response_level}" if sev.level_rank else
             "未构成大面积停电事件 / not a large-area outage event")
    parts = [
        "<!DOCTYPE html>", '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>大面积停电事件报告 / Outage event report — {_esc(sc.name)}</title>",
        f"<style>{_CSS}</style></head><body>", *_exercise_html(plan),
        "<h1>大面积停电事件报告 / Large-area outage event report</h1>",
        (f"<p><strong>情景 / Scenario:</strong> {_esc(sc.name)}<br>"
         f"<strong>时间 / Time:</strong> {_esc(cn_time(sc.time))}（北京时间） / "
         f"{_esc(plan.time.isoformat(timespec='minutes'))}<br>"
         f"<span class=small>seed {run_result.seed} · model {_esc(run_result.model_version)} · "
         f"生成于 generated {cn_time(datetime.now(BEIJING))}（北京时间）</span></p>"),
        "<h2>概况 / Summary</h2>",
        f'<p><span class="level {colour}">{_esc(level)}</span></p>',
        (f"<ul><li>减供负荷 / Load shed: {main['shed_mw']:,.0f} MW of {main['load_mw']:,.0f} MW "
         f"({pct:.1f}%)</li><li>停电用户 / Customers out: {main['customers_out']:,} of "
         f"{main['customers']:,} ({cpct:.1f}%)</li></ul>"),
        _context_html(plan),
    ]
    if sc.description:
        parts.append(f"<p>{_esc(sc.description)}</p>")
    parts += ["<h2>信息报告时限 / Reporting clock (§3.3)</h2>", _clock_table(plan)]
    drawn = _run_figures(run_result, rest, rendered)
    if rest is not None:
        parts.append("<h2>负荷恢复 / Load recovery (§4.3)</h2>")
        end = (f"应急响应终止 / response ends at +{rest.terminated_h:.1f} h "
               f"(last check to hold 最后满足: {rest.last_check})" if rest.terminated_h is not None
               else "应急响应未在模拟期内终止 / the response has not ended within the run")
        parts += [f"<p>{_esc(end)}</p>", *_figures_html(drawn, _RECOVERY_FIGURES)]
    parts += ["<h2>区县停电分布 / Districts on the map</h2>", *_figures_html(drawn, _MAP_FIGURES)]
    for title, source in (figures or {}).items():
        parts.append(_figure_html(str(title), _png(source)))
    parts += ["<h2>应急响应简报 / Response brief</h2>", markdown_to_html(brief_markdown(plan)),
              "<h2>分区县情况 / Districts</h2>", _district_table(run_result.shed.districts),
              "</body></html>"]
    return "\n".join(parts)


def write_html_report(run_result, out_dir: str | Path, figures: dict[str, Path] | None = None,
                      restoration=None, *, force: bool = False) -> Path:
    """Write ``report.html`` for a run into ``out_dir`` and return its path.

    Parameters
    ----------
    run_result : outage_sim.studies.RunResult
        The run (:func:`outage_sim.studies.run_scenario`).
    out_dir : str or Path
        Folder to write into (made if missing).
    figures : dict of str to Path, optional
        More figures to embed, caption → PNG file (or a matplotlib Figure).
    restoration : outage_sim.restoration.Restoration, optional
        A restoration result; by default the one the run carries, if any. Its recovery curves
        are drawn and its report clock (with the end of handling) is used.
    force : bool
        Overwrite an existing ``report.html``.

    Raises
    ------
    InputError
        ``out_dir`` is a file, ``report.html`` exists (without ``force``), or a figure is not a
        readable PNG.
    """
    check_output(out_dir, (REPORT_FILE,), force=force, field="out_dir")  # before drawing
    text = html_report(run_result, figures, restoration)
    return write_outputs(out_dir, {REPORT_FILE: text}, force=force, field="out_dir")[0]
