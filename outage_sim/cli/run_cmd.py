"""``outage-sim run SCENARIO``: one scenario (a YAML file or a built-in name) through the whole
chain."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from outage_sim.builtins import scenario_path
from outage_sim.cli.options import MAX_SEED, Quiet
from outage_sim.errors import InputError


def _headline(result) -> str:
    from outage_sim.response import summary_text

    shed, main = result.shed, result.shed.main
    pct = 100 * main["shed_mw"] / main["load_mw"] if main["load_mw"] else 0.0
    cpct = 100 * main["customers_out"] / main["customers"] if main["customers"] else 0.0
    lines = [
        f"情景 scenario: {result.scenario.name}   (seed {result.seed}, model {result.model_version}, "
        f"{result.scenario.level}, mode {shed.mode})",
        f"减供负荷 load shed: {main['shed_mw']:,.0f} MW of {main['load_mw']:,.0f} MW ({pct:.1f}%)   "
        f"停电用户 customers out: {main['customers_out']:,} of {main['customers']:,} ({cpct:.1f}%)",
        f"故障 failed elements: {len(shed.failed)}   保护跳闸 tripped: {len(shed.tripped)}   "
        f"电气岛 islands: {len(shed.islands)} ({sum(i['status'] == 'black' for i in shed.islands)} black)",
    ]
    worst = (
        shed.districts[shed.districts.shed_mw > 0]
        .assign(pct=lambda d: 100 * d.shed_mw / d.load_mw)
        .sort_values("pct", ascending=False)
        .head(5)
    )
    if len(worst):
        lines.append(
            "受影响最重区县 worst districts: "
            + "; ".join(
                f"{r.name} {r.shed_mw:,.0f} MW ({r.pct:.0f}%), {r.customers_out:,} customers"
                for r in worst.itertuples()
            )
        )
    for f in shed.flags:
        lines.append(f"注意 note: {f}")
    lines.append("")
    # with restoration, the report clock runs to the end of the response
    plan = result.restoration.response if result.restoration is not None else result.response
    lines.append(summary_text(plan).rstrip())
    if result.restoration is not None:
        lines.append("")
        lines.append(_restoration_lines(result.restoration))
    return "\n".join(lines)


def _hours(h) -> str:
    return "not within the run" if h is None else f"{h:.1f} h ({h / 24:.1f} d)"


def _beijing(iso: str) -> str:
    """An ISO time as a document writes it: 2024年7月31日23时40分 (Beijing time)."""
    from datetime import datetime

    from outage_sim.response import cn_time

    return cn_time(datetime.fromisoformat(iso))


def _restoration_lines(rest) -> str:
    from outage_sim.restoration import CHECK_TEXT

    s = rest.to_dict()
    t, hit = s["time_to_h"], s["affected"]
    lines = [f"恢复 Restoration (policy {rest.policy}, {len(rest.jobs)} repair jobs):"]
    if hit["load"]:
        lines.append(
            f"  减供负荷恢复 load shed restored: 80% at {_hours(t['load_80'])}, "
            f"90% at {_hours(t['load_90'])}"
        )
    else:
        lines.append("  no load was shed (未减供负荷)")
    if hit["customers"]:
        lines.append(f"  停电用户恢复 customers back: 90% at {_hours(t['customers_90'])}")
    lines.append(
        "  重点地区 key areas: "
        + (
            f"90% of their load shed back at {_hours(t['key_90'])}"
            if hit["key"]
            else "not affected (未受影响)"
        )
    )
    lines.append(
        f"  少供电量 unserved energy {s['unserved_mwh']:,.0f} MWh   "
        f"停电时户数 customer-hours {s['customer_hours']:,.0f}"
    )
    if s.get("key_area_last"):
        lines.append(f"  最后达标的重点地区 key area that held §4.3(2) back last: {s['key_area_last']}")
    for step in s["step_downs"]:  # recommendations, in Beijing time
        lines.append(f"  {_beijing(step['time'])}  {step['what']}")
    if rest.terminated_h is not None:
        zh, en = CHECK_TEXT[rest.last_check]
        lines.append(
            f"  应急响应终止 response ends: {_beijing(s['termination_time'])} "
            f"(+{_hours(rest.terminated_h)}); last check to hold 最后满足: "
            f"{rest.last_check} — {en} ({zh})"
        )
    elif rest.activated:
        lines.append(f"  应急响应未终止 the response has not ended within {rest.horizon_h:g} h")
    else:
        lines.append("  本预案未启动 the plan was not activated: there is no response to end")
    for f in rest.flags:
        lines.append(f"  注意 note: {f}")
    return "\n".join(lines)


def _comparison_lines(table) -> str:
    head = (
        f"{'policy 策略':<22}{'80% (h)':>9}{'90% (h)':>9}{'cust 90% (h)':>14}{'ends (h)':>10}"
        f"{'unserved MWh':>15}{'customer-h':>14}"
    )
    rows = [head]
    for r in table.itertuples():

        def h(x):
            return "—" if x is None or x != x else f"{x:.1f}"

        rows.append(
            f"{r.policy:<22}{h(r.t80_h):>9}{h(r.t90_h):>9}{h(r.customers_t90_h):>14}"
            f"{h(r.terminated_h):>10}{r.unserved_mwh:>15,.0f}{r.customer_hours:>14,.0f}"
        )
    return "恢复策略比较 restoration policies compared:\n" + "\n".join(rows)


def run(
    scenario: Annotated[Path, typer.Argument(
        metavar="SCENARIO", show_default=False,
        help="Scenario YAML file, or a built-in name (outage-sim scenarios list).")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the result as one JSON object.")
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Folder for result.json, response.md, "
            "districts.csv and, with restoration, timeline.csv, events.csv, "
            "district_timeline.csv, jobs.csv and the figures.",
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option("--seed", min=0, max=MAX_SEED,
                     help="Override the scenario's seed (with --sample: a Monte-Carlo "
                     "sweep's master seed)."),
    ] = None,
    sample: Annotated[
        int | None,
        typer.Option("--sample", min=0, max=10_000_000,
                     help="Replay sample N of a Monte-Carlo sweep of master seed --seed."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite files already in --out.")
    ] = False,
    no_ac: Annotated[
        bool, typer.Option("--no-ac", help="Skip the AC power-flow check (DC state only).")
    ] = False,
    no_restoration: Annotated[
        bool,
        typer.Option(
            "--no-restoration", help="Stop after the response (no restoration over time)."
        ),
    ] = False,
    policy: Annotated[
        str | None,
        typer.Option(
            "--policy",
            help="Restoration policy: priority_first, "
            "largest_load_first or nearest_crew (default: the scenario's).",
        ),
    ] = None,
    compare: Annotated[
        bool,
        typer.Option(
            "--compare",
            help="Also run every restoration policy and "
            "compare them (policies.csv and policies.png with --out).",
        ),
    ] = False,
    quiet: Quiet = False,
) -> None:
    """Run a scenario: faults and hazards → load shed → event level → response → restoration."""
    if compare and no_restoration:
        raise InputError("--compare: needs restoration (drop --no-restoration)")
    path = scenario_path(scenario, argument="SCENARIO")  # a typo answers before any model loads
    from outage_sim.restoration import POLICIES
    from outage_sim.studies import load_scenario

    if policy is not None and policy not in POLICIES:
        raise InputError(f"--policy: {policy!r} unknown; use one of {', '.join(POLICIES)}")
    sc = load_scenario(path)
    # the engine (pandapower) loads only for a scenario that is fine
    from outage_sim.studies import check_out_dir, run_scenario

    if out is not None:
        check_out_dir(out, force=force, extra=COMPARE_FILES if compare else ())
    result = run_scenario(
        sc, seed=seed, ac_check=not no_ac, restore=not no_restoration, policy=policy,
        sample=sample,
    )
    comparison = None
    if compare:
        from outage_sim.restoration import compare_policies

        comparison = compare_policies(result, progress=not quiet)
    # one set of files, written all or nothing: the comparison's with the run's
    extra = _comparison_files(comparison) if comparison is not None else None
    written = result.write(out, force=force, extra=extra) if out is not None else []
    typer.echo(_report(result, comparison, written, as_json))


def _report(result, comparison, written, as_json: bool) -> str:
    """What ``run`` prints: the JSON document, or the headline, comparison and files written."""
    if as_json:
        obj = result.to_dict()
        if comparison is not None:
            obj["policies"] = comparison.table.to_dict("records")
        return json.dumps(obj, ensure_ascii=False, indent=2, default=str)
    parts = [_headline(result)]
    if comparison is not None:
        parts.append("\n" + _comparison_lines(comparison.table))
    parts += [f"wrote {p}" for p in written]
    return "\n".join(parts)


COMPARE_FILES = ("policies.csv", "policies.png")


def _comparison_files(comparison) -> dict:
    """``policies.csv`` and ``policies.png`` as writers for the run's set of files."""
    from matplotlib.figure import Figure

    from outage_sim.outputs import save_figure
    from outage_sim.reports import plot_policies

    def figure(path: Path) -> None:
        fig = Figure(figsize=(8, 4.5), layout="constrained")
        plot_policies({p: r.timeline for p, r in comparison.runs.items()}, ax=fig.add_subplot())
        save_figure(fig, path, dpi=120)

    table, image = COMPARE_FILES
    return {table: comparison.table.to_csv(index=False), image: figure}
