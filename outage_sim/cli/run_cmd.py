"""``outage-sim run SCENARIO.yaml``: one scenario through the whole chain."""

from __future__ import annotations

import json
from pathlib import Path

import typer


def _headline(result) -> str:
    from outage_sim.documents import summary_text

    shed, main = result.shed, result.shed.main
    pct = 100 * main["shed_mw"] / main["load_mw"] if main["load_mw"] else 0.0
    cpct = 100 * main["customers_out"] / main["customers"] if main["customers"] else 0.0
    lines = [f"情景 scenario: {result.scenario.name}   (seed {result.seed}, model {result.model_version}, "
             f"{result.scenario.level}, mode {shed.mode})",
             f"减供负荷 load shed: {main['shed_mw']:,.0f} MW of {main['load_mw']:,.0f} MW ({pct:.1f}%)   "
             f"停电用户 customers out: {main['customers_out']:,} of {main['customers']:,} ({cpct:.1f}%)",
             f"故障 failed elements: {len(shed.failed)}   保护跳闸 tripped: {len(shed.tripped)}   "
             f"电气岛 islands: {len(shed.islands)} ({sum(i['status'] == 'black' for i in shed.islands)} black)"]
    worst = shed.districts[shed.districts.shed_mw > 0].assign(
        pct=lambda d: 100 * d.shed_mw / d.load_mw).sort_values("pct", ascending=False).head(5)
    if len(worst):
        lines.append("受影响最重区县 worst districts: " + "; ".join(
            f"{r.name} {r.shed_mw:,.0f} MW ({r.pct:.0f}%), {r.customers_out:,} customers"
            for r in worst.itertuples()))
    for f in shed.flags:
        lines.append(f"注意 note: {f}")
    lines.append("")
    lines.append(summary_text(result.response).rstrip())
    return "\n".join(lines)


def run(
    scenario: Path = typer.Argument(..., help="Scenario YAML file (see scenarios/)."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as one JSON object."),
    out: Path = typer.Option(None, "--out", help="Folder for result.json, response.md, districts.csv."),
    seed: int = typer.Option(None, "--seed", help="Override the scenario's seed (replay a Monte-Carlo draw)."),
    force: bool = typer.Option(False, "--force", help="Overwrite files already in --out."),
    no_ac: bool = typer.Option(False, "--no-ac", help="Skip the AC power-flow check (DC state only)."),
) -> None:
    """Run a scenario: faults and hazards → load shed → event level → response."""
    from outage_sim.run import check_out_dir, run_scenario
    from outage_sim.scenario import load_scenario

    sc = load_scenario(scenario)
    if out is not None:
        check_out_dir(out, force=force)  # before the run: never lose the user's files
    result = run_scenario(sc, seed=seed, ac_check=not no_ac)
    written = result.write(out, force=force) if out is not None else []
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        typer.echo(_headline(result))
        for p in written:
            typer.echo(f"wrote {p}")
