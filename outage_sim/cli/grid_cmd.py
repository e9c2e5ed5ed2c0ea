"""``outage-sim grid ...``: summary, catalogue and map of the built-in grid model."""

from __future__ import annotations

import enum
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from outage_sim.cli.options import DataDir
from outage_sim.errors import InputError
from outage_sim.grid import CATALOG_KINDS
from outage_sim.outputs import check_output, save_figure, write_output

app = typer.Typer(no_args_is_help=True,
                  help="The grid model (电网模型): summary, lists of its elements and map.")

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
    n1: Annotated[bool, typer.Option("--n1", help="Also check AC N-1 (N-1 校核, units within their "
                                     "reactive limits) of every line and transformer (1000, 500, 220 kV), "
                                     "unit and intertie (about 30 s).")] = False,
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
        out += ["  N-1 校核 (AC, units within their reactive limits 机组无功限制; insecure: >100%, "
                "outside 0.90–1.10 pu or generation short; alert 告警: outside 0.95–1.05 pu)",
                "  lines at every voltage of the net (the 110 kV layer is not in it: distribution.csv); "
                "a lost unit or intertie taken up by the AGC units, then the interties that can raise"]
        out += [_n1_line(key, entry) for key, entry in s["n1"].items()]
        out += [_largest_loss_line(entry["largest_loss"]) for entry in s["n1"].values()
                if entry.get("largest_loss")]
    else:
        out.append("  N-1 校核: not checked (--n1)")
    for station, dark in s["sole_supply"].items():
        out.append(f"  唯一电源 {station} 500kV is the only path of: {', '.join(dark)}")
    return out


#: The N-1 classes' names, Chinese beside English (the JSON keys are the English).
N1_CLASS_NAMES = {"lines": "线路 lines", "transformers": "主变 transformers", "units": "机组 units",
                  "interties": "联络线 interties"}


def _n1_label(key: str) -> str:
    """``500kV lines`` → ``500kV 线路 lines``; ``units`` → ``机组 units``."""
    kv, _, cls = key.rpartition(" ")
    return f"{kv} {N1_CLASS_NAMES.get(cls, cls)}".strip()


def _largest_loss_line(big: dict) -> str:
    """What the largest loss of generation in a class leaves, and who takes it up."""
    return (f"    largest loss 最大失去电源 {big['element']} {big['lost_mw']:,.0f} MW: units 机组 "
            f"+{big['units_mw']:,.0f} MW, interties 联络线 +{big['interties_mw']:,.0f} MW; "
            f"worst {big['worst_loading_pct']:.1f}%, vm {big['vm_pu_min']:.3f}–{big['vm_pu_max']:.3f} pu")


def _n1_line(key: str, entry: dict) -> str:
    """One voltage level's N-1 verdict: elements, worst loading, voltage range, failures."""
    bad, alerts = entry["insecure"], entry.get("alerts", {})
    verdict = "secure 满足N-1" if not bad else f"{len(bad)} insecure 不满足: " + "; ".join(
        f"{k} ({v})" for k, v in list(bad.items())[:5])
    if alerts:
        verdict += f"; {len(alerts)} alert(s) 告警: " + "; ".join(
            f"{k} ({v})" for k, v in list(alerts.items())[:3])
    worst = ""
    if entry.get("vm_pu_min") is not None:
        worst = (f", worst 最重 {entry['worst_loading_pct']:.1f}%, "
                 f"vm {entry['vm_pu_min']:.3f}–{entry['vm_pu_max']:.3f} pu")
    return f"  N-1 {_n1_label(key):<22} {entry['checked']:>4} checked{worst}, {verdict}"


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


#: ``grid list KIND``: a choice, so a bad kind is a usage error before anything loads.
Kind = enum.Enum("Kind", [(k.replace("-", "_"), k) for k in CATALOG_KINDS],  # type: ignore[misc]
                 type=str)

#: Each kind's title, Chinese beside English.
KIND_TITLES = {"substations": "变电站 substations", "lines": "线路 lines",
               "transformers": "变压器 transformers", "units": "机组 generating units",
               "interties": "外来电通道 interties", "districts": "区县 districts",
               "important-users": "重要电力用户 important power users"}

#: How a scenario file names each kind (the table's names are these).
KIND_HINTS = {"substations": "faults: [{substation: NAME}]",
              "lines": "faults: [{line: 'NAME'}] or [{corridor: CORRIDOR}]",
              "transformers": "faults: [{transformer: 'NAME'}]",
              "units": "faults: [{unit: 'NAME'}] or [{plant: PLANT}]",
              "interties": "faults: [{intertie: NAME}]",
              "districts": "key_areas: [NAME], hazards: [{districts: [NAME]}]",
              "important-users": "faults: [{substation: SUBSTATION}] cuts them off"}

#: The table's column headings, Chinese beside the JSON key (which carries the unit).
HEADINGS = {"name": "名称 name", "bus": "母线 bus", "kind": "类型 kind", "vn_kv": "电压 vn_kv",
            "district": "区县 district", "station": "所属站 station", "load_mw": "负荷 load_mw",
            "customers": "用户 customers", "corridor": "通道 corridor",
            "from_bus": "起点 from_bus", "to_bus": "终点 to_bus", "length_km": "长度 length_km",
            "rating_mva": "容量 rating_mva", "district_to": "终点区县 district_to",
            "in_service": "在运 in_service", "hv_bus": "高压侧 hv_bus", "lv_bus": "低压侧 lv_bus",
            "vn_hv_kv": "高压 vn_hv_kv", "vn_lv_kv": "低压 vn_lv_kv", "plant": "电厂 plant",
            "type": "类型 type", "p_max_mw": "最大出力 p_max_mw", "p_min_mw": "最小出力 p_min_mw",
            "p_mw": "出力 p_mw", "committed": "开机 committed",
            "black_start": "黑启动 black_start", "capacity_mw": "通道容量 capacity_mw",
            "name_en": "英文名 name_en", "key_area": "重点地区 key_area",
            "important_users": "重要用户 important_users", "category": "类别 category",
            "category_zh": "类别 category_zh", "substation": "变电站 substation",
            "shed_priority": "限电序位 shed_priority"}
_HIDDEN = ("lat", "lon", "category")  # in --json; the table has category_zh beside category


@app.command("list")
def list_elements(
    kind: Annotated[Kind, typer.Argument(metavar="KIND", show_default=False, help=(
        "What to list: 变电站, 线路, 变压器, 机组, 外来电通道, 区县 or 重要电力用户."))],
    district: Annotated[str | None, typer.Option(
        "--district", help="Only what lies in this district (区县), e.g. 渝北区.")] = None,
    level: Annotated[str, typer.Option("--level", help=LEVEL_HELP)] = "summer_peak",
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print a JSON list of records (one per row, the same keys each).")] = False,
    data: DataDir = None,
) -> None:
    """List the model's elements of one kind by the names scenario files use (a table or JSON)."""
    from outage_sim.grid import load_levels
    from outage_sim.hazards import check_district

    # both checked on the data files, before pandapower loads
    if level not in load_levels(data):
        raise InputError(f"--level: unknown load level {level!r}; choose one of "
                         f"{', '.join(load_levels(data))}")
    if district is not None:
        try:
            district = check_district(district, data)  # 渝北 is 渝北区
        except ValueError as exc:
            from outage_sim.response import functional_area_hint  # 两江新区 lies in districts

            raise InputError(f"--district: {functional_area_hint(district) or exc}") from None
    from outage_sim.grid import catalog_table, chongqing_net

    net = chongqing_net(level, data_dir=data)
    table = catalog_table(net, kind.value, district=district)
    if kind.value == "important-users":
        table.insert(2, "category_zh", _category_names(table["category"]))
    if as_json:
        records = table.astype(object).where(table.notna(), None).to_dict("records")
        typer.echo(json.dumps(records, ensure_ascii=False, indent=2,
                              default=lambda x: x.item() if hasattr(x, "item") else str(x)))
        return
    where = f", {district}" if district else ""
    typer.echo(f"{KIND_TITLES[kind.value]}: {len(table):,} "
               f"({net['meta'].get('level_zh', '')} {level}{where})")
    typer.echo(_text_table(table.drop(columns=[c for c in _HIDDEN if c in table])))
    typer.echo(f"情景文件写法 in a scenario file: {KIND_HINTS[kind.value]}")


def _category_names(categories) -> list[str]:
    """The Chinese name of each important-user category (the organisation file's)."""
    from outage_sim.response import load_organisation

    names = load_organisation().categories
    return [names[c].zh if c in names else c for c in categories]


def _column_text(column) -> list[str]:
    """A column's cells as text: yes/no in both languages, numbers with thousands separators
    and as many decimals (up to 2) as the column needs, "-" for nothing."""
    kind = column.dtype.kind
    if kind == "b":
        return ["是 yes" if v else "否 no" for v in column]
    if kind in "iu":
        return [f"{v:,}" for v in column]
    if kind == "f":
        values = column.to_numpy(float)
        places = next((d for d in (0, 1) if np.allclose(values, np.round(values, d))), 2)
        return [f"{v:,.{places}f}" for v in values]
    return [str(v) if str(v) else "-" for v in column]


def _text_table(table) -> str:
    """The rows under their headings, columns padded by display width (a Chinese character
    takes two cells of a terminal)."""
    from rich.cells import cell_len

    heads = [HEADINGS.get(c, c) for c in table.columns]
    rows = list(zip(*(_column_text(table[c]) for c in table.columns))) if len(table) else []
    widths = [max([cell_len(h)] + [cell_len(r[i]) for r in rows]) for i, h in enumerate(heads)]
    numeric = [table[c].dtype.kind in "iuf" for c in table.columns]

    def line(cells: Sequence[str]) -> str:
        out = []
        for text, width, right in zip(cells, widths, numeric):
            pad = " " * (width - cell_len(text))
            out.append(pad + text if right else text + pad)
        return "  ".join(out).rstrip()

    return "\n".join([line(heads)] + [line(r) for r in rows])
