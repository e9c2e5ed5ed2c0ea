"""``outage-sim grid ...``: summary and map of the built-in grid model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from outage_sim.cli.options import DataDir
from outage_sim.errors import InputError
from outage_sim.outputs import check_output, save_figure, write_output

app = typer.Typer(no_args_is_help=True, help="The grid model (电网模型): summary and map.")

LEVEL_HELP = "Load level: summer_peak (夏季高峰), winter_peak (冬季高峰) or valley (夜间低谷)."


def _dist(label: str, q: dict) -> str:
    return (
        f"{label:<22} min {q['min']:<8g} p10 {q['p10']:<8g} median {q['median']:<8g} "
        f"p90 {q['p90']:<8g} max {q['max']:<8g}"
    )


@app.command("summary")
def summary(
    level: Annotated[str, typer.Option("--level", help=LEVEL_HELP)] = "summer_peak",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    n1: Annotated[bool, typer.Option("--n1", help="Also check AC N-1 of every 220 kV and higher "
                                     "line and transformer (N-1 校核; about 15 s).")] = False,
    data: DataDir = None,
) -> None:
    """Size, load, customers, import, AC power-flow state, structure and layers of the model."""
    from outage_sim.grid import chongqing_net, n1_check, summarize

    net = chongqing_net(level, data_dir=data)
    s = summarize(net)
    if n1:
        s["n1"] = n1_check(net)
    if as_json:
        typer.echo(json.dumps(s, ensure_ascii=False, indent=2))
        return
    st = s["structure"]
    lines = [
        f"重庆主网模型 Chongqing main-grid model  {s['model_version']}",
        f"负荷水平 load level        {s['level']}",
        f"母线 buses {s['buses']}   线路 lines {s['lines']}   变压器 transformers {s['transformers']}   "
        f"机组 units {s['generators']}   静态电源 static generators {s['static_generators']}",
        f"负荷 load                  {s['total_load_mw']:,.0f} MW",
        f"供电用户 customers         {s['total_customers']:,}",
        f"外来电 import              {s['import_mw']:,.0f} MW "
        f"({100 * s['import_mw'] / s['total_load_mw']:.0f}% of load)",
        f"潮流 AC power flow         {'converged 收敛' if s['converged'] else 'NOT converged 不收敛'}",
    ]
    if s["converged"]:
        lines += [
            f"网损 losses                {s['losses_mw']:,.0f} MW",
            f"最重线路 max line loading  {s['max_line_loading_pct']:.1f}%   "
            f"最重主变 max transformer {s['max_trafo_loading_pct']:.1f}%",
            f"电压 voltage               {s['vm_pu_min']:.3f}–{s['vm_pu_max']:.3f} pu",
        ]
    d = st["degree"]
    lines += [
        "",
        "结构 structure (Birchfield et al. 2017 criteria)",
        f"  mean degree 平均度       {d['mean']:.2f} (band {d['birchfield_range'][0]}–"
        f"{d['birchfield_range'][1]}: {'within' if d['within_range'] else 'OUTSIDE'}); "
        f"with every circuit {d['mean_all_circuits']:.2f}; max {d['max']}",
        "  degree histogram         " + "  ".join(f"{k}:{v}" for k, v in d["histogram"].items()),
        "  line length 线路长度 (km)",
    ]
    lines += [
        "    " + _dist(f"{kv} ({q['count']}, {q['total_km']:,.0f} km)", q)
        for kv, q in st["line_length_km"].items()
    ]
    lines.append("  impedance 阻抗 (x/r; x in pu on 100 MVA)")
    for kv, q in st["impedance"].items():
        for name, dist in q.items():
            lines.append("    " + _dist(f"{kv} {name}", dist))
    lines += _layer_lines(s) + _district_lines(s)
    typer.echo("\n".join(lines))


def _layer_lines(s: dict) -> list[str]:
    """Per voltage level: stations, lines, transformers, N-1 when checked; topology; the 500 kV
    stations whole districts hang on."""
    out = ["", "分层 layers (电压等级)   buses   stations 厂站   lines 线路   transformers 主变"]
    for row in s["layers"]:
        areas = f"   supply areas 分区 {row['supply_areas']}" if "supply_areas" in row else ""
        out.append(f"  {row['kv']:>6g} kV{row['buses']:>10}{row['stations']:>13}{row['lines']:>13}"
                   f"{row['transformers']:>17}{areas}")
    topo = s["topology"]
    out.append(f"  topology 拓扑: mean degree {topo['all']['mean_degree']:.2f}, clustering 聚类系数 "
               f"{topo['all']['clustering']:.3f} (220 kV layer: {topo['220kV']['mean_degree']:.2f}, "
               f"{topo['220kV']['clustering']:.3f}; real grids 0.03–0.06)")
    if "n1" in s:
        for key, entry in s["n1"].items():
            bad = entry["insecure"]
            verdict = "secure 满足N-1" if not bad else f"{len(bad)} insecure 不满足: " + "; ".join(
                f"{k} ({v})" for k, v in list(bad.items())[:5])
            out.append(f"  N-1 {key:<22} {entry['checked']:>4} checked, {verdict}")
    else:
        out.append("  N-1 校核: not checked (--n1)")
    for station, dark in s["sole_supply"].items():
        out.append(f"  唯一电源 {station} 500kV is the only path of: {', '.join(dark)}")
    return out


def _district_lines(s: dict) -> list[str]:
    out = ["", f"区县 districts ({len(s['districts'])})   load MW   customers   220kV stations   "
               "MVA   容载比 ratio   重点地区 key area"]
    for row in s["districts"]:
        ratio = (f"{row['stations_220kv']:>6}{row['transformer_mva']:>9,.0f}{row['capacity_ratio']:>8.2f}"
                 if row.get("capacity_ratio") is not None else f"{'':>23}")
        out.append(
            f"  {row['name']:<6}{row['name_en']:<26}{row['load_mw']:>9,.1f}{row['customers']:>12,}"
            f"{ratio}   {'yes 是' if row['key_area'] else ''}"
        )
    return out


@app.command("plot")
def plot(
    out: Annotated[Path, typer.Option("--out", help="PNG (or PDF/SVG) file to write.")],
    level: Annotated[str, typer.Option("--level", help=LEVEL_HELP)] = "summer_peak",
    force: Annotated[bool, typer.Option("--force", help="Overwrite OUT if it exists.")] = False,
    data: DataDir = None,
) -> None:
    """Draw a map of the grid: buses, lines by voltage, district names, plants."""
    import matplotlib.pyplot as plt

    from outage_sim.grid import chongqing_net
    from outage_sim.reports import plot_grid

    if out.suffix.lower() not in (".png", ".pdf", ".svg"):
        raise InputError(f"--out: {out.name!r} must end in .png, .pdf or .svg")
    check_output(out, force=force)  # also: its folder exists and can be written
    ax = plot_grid(chongqing_net(level, data_dir=data))
    try:
        write_output(out, lambda path: save_figure(ax.figure, path, dpi=150, bbox_inches="tight"),
                     force=force)
    finally:
        plt.close(ax.figure)
    typer.echo(f"wrote {out}")
