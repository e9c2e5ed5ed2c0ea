"""``outage-sim contingency`` and ``outage-sim montecarlo``: the batch engine from the terminal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from outage_sim.builtins import scenario_path
from outage_sim.cli.options import MAX_SEED, Quiet, scheduler_address
from outage_sim.errors import InputError
from outage_sim.outputs import check_output, write_output
from outage_sim.studies import contingency_table


def contingency(
    k: Annotated[int, typer.Option("--k", min=1, max=2,
                                   help="1: every single outage; 2: every pair.")] = 1,
    level: Annotated[str, typer.Option("--level", help="Load level of the model.")] = "summer_peak",
    top: Annotated[int, typer.Option("--top", min=1,
                                     help="Rows to print (the table file has all).")] = 20,
    mode: Annotated[str, typer.Option("--mode", help="dispatch or cascade.")] = "dispatch",
    as_json: Annotated[bool, typer.Option("--json", help="Print the top rows as JSON.")] = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write every row to FILE (.csv or .parquet).")
    ] = None,
    recheck: Annotated[
        bool,
        typer.Option(
            "--recheck", help="Re-run contingencies flagged uncertain through the single engine."
        ),
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite --out if it exists.")] = False,
    seed: Annotated[
        int, typer.Option("--seed", min=0, max=MAX_SEED,
                          help="Seed of the cascade's random trips (cascade mode).")
    ] = 0,
    quiet: Quiet = False,
) -> None:
    """N-1 / N-2 screening of branches and units: which outages make a large-area outage event."""
    if out is not None:
        _check_out(out, force)
    if mode not in ("dispatch", "cascade"):
        raise InputError(f"--mode: {mode!r} unknown; use dispatch or cascade")
    frame = contingency_table(level, k, mode, recheck, progress=not quiet, seed=seed)
    if out is not None:
        to_file = frame.to_parquet if out.suffix.lower() == ".parquet" else frame.to_csv
        write_output(out, lambda path: to_file(path, index=False), force=force)
    if as_json:
        _print_json(frame, level, k, mode, recheck, top)
    else:
        _print_table(frame, level, k, mode, recheck, top)
    if out is not None:
        typer.echo(f"wrote {out}", err=as_json)


def _check_out(out: Path, force: bool) -> None:
    """Refuse an ``--out`` place before anything is computed."""
    if out.suffix.lower() not in (".csv", ".parquet"):
        raise InputError(f"--out: {out.name!r} must end in .csv or .parquet")
    check_output(out, force=force)
    if out.suffix.lower() == ".parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise InputError(
                "--out: writing .parquet needs pyarrow "
                "(pip install 'outage_sim[parquet]'); use .csv"
            ) from None


def _print_json(frame, level: str, k: int, mode: str, recheck: bool, top: int) -> None:
    typer.echo(
        json.dumps(
            {
                "model_version": frame.attrs["model_version"],
                "level": level,
                "k": k,
                "mode": mode,
                "contingencies": len(frame),
                **({"recheck": frame.attrs["recheck"]} if recheck else {}),
                "rows": frame.head(top).to_dict("records"),
            },
            ensure_ascii=False,
            indent=2,
            default=lambda x: x.item() if hasattr(x, "item") else str(x),
        )
    )


def _print_table(frame, level: str, k: int, mode: str, recheck: bool, top: int) -> None:
    counts = frame.level.value_counts()
    typer.echo(
        f"N-{k} 预想事故扫描 contingency screening: {len(frame):,} outages of branches and "
        f"units, {level}, mode {mode}, model {frame.attrs['model_version']}"
    )
    typer.echo(
        "按级别 by level: "
        + "; ".join(
            f"{lv} {counts.get(lv, 0):,}" for lv in ("特别重大", "重大", "较大", "一般", "none")
        )
    )
    if recheck:
        typer.echo(recheck_line(frame.attrs["recheck"]))
    typer.echo(
        f"{'#':>4}  {'级别 level':<22}{'减供 shed MW':>14}{'%':>7}{'停电用户 customers':>20}  "
        f"{'决定 decided by':<22} 停运元件 outage"
    )
    for r in frame.head(top).itertuples():
        by = f"{r.decided_scope} {r.decided_measure}".strip() or "-"
        flag = " (uncertain)" if r.uncertain else ""
        typer.echo(
            f"{r.rank:>4}  {_level_text(r.level, r.level_en):<22}{r.shed_mw:>14,.1f}"
            f"{r.shed_pct:>7.2f}{r.customers_out:>20,}  {by:<22} {r.scenario}{flag}"
        )


def _level_text(level: str, level_en: str) -> str:
    return f"{level} {level_en}" if level != "none" else "none 未构成"


def recheck_line(summary: dict) -> str:
    """``--recheck``'s one line: how many contingencies the single engine re-ran, how many
    changed level and the largest change of MW shed (``contingency_table``'s
    ``attrs["recheck"]``)."""
    big = summary["largest_change"]
    if big is None:
        largest = "最大变化 largest change: 无 none"
    else:
        largest = (f"最大变化 largest change: {big['scenario']} {big['shed_mw_before']:,.1f} → "
                   f"{big['shed_mw_after']:,.1f} MW ("
                   f"{_level_text(big['level_before'], big['level_before_en'])} → "
                   f"{_level_text(big['level_after'], big['level_after_en'])})")
    return (f"复核 {summary['rechecked']:,} rechecked, 级别变化 {summary['changed_level']:,} "
            f"changed level, {largest}")


def montecarlo(
    scenario: Annotated[Path, typer.Argument(
        metavar="SCENARIO", show_default=False,
        help="Scenario YAML file with hazards, or a built-in name.")],
    samples: Annotated[int, typer.Option("--samples", min=1, max=10_000_000,
                                         help="Number of hazard draws.")],
    seed: Annotated[
        int | None, typer.Option("--seed", min=0, max=MAX_SEED,
                                 help="Master seed (default: the scenario's).")
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, max=256,
                                 help="Start a local Dask cluster of W workers.")
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", parser=scheduler_address,
                     help="Address of a Dask scheduler (tcp://HOST:PORT)."),
    ] = None,
    chunk: Annotated[int | None, typer.Option(
        "--chunk", min=1, max=1_000_000,
        help="Samples per chunk (default: 2000 in this process; on Dask, about 4 chunks per "
        "worker, 2000-20000). The results do not depend on it.")] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder for summary.json, samples.csv, districts.csv, figures."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite files in --out.")] = False,
    restoration: Annotated[bool, typer.Option(
        "--restoration", help="Seeded restorations instead: the P10/P50/P90 band of the load "
        "restored over time and the time to the response's end (恢复曲线不确定性).")] = False,
    horizon: Annotated[float | None, typer.Option(
        "--horizon", min=1, max=24 * 90,
        help="With --restoration: hours simulated (default: the scenario's).")] = None,
    quiet: Quiet = False,
) -> None:
    """Monte-Carlo sweep of a scenario's hazards: level probabilities, districts going dark;
    with --restoration, recovery curves with uncertainty."""
    path = scenario_path(scenario, argument="SCENARIO")  # before any model loads
    from outage_sim.studies import load_scenario, run_montecarlo

    sc = load_scenario(path)
    if restoration:
        _restoration_montecarlo(sc, samples, seed, horizon, out, as_json, force, quiet)
        return
    if not sc.hazards:
        raise InputError(
            f"{scenario.name}: has no hazards; a Monte-Carlo sweep needs something random"
        )
    if out is not None:  # checked before the sweep: never lose the user's files
        from outage_sim.studies import MONTECARLO_FILES

        check_output(out, MONTECARLO_FILES, force=force)
    result = run_montecarlo(
        sc,
        samples,
        seed=seed,
        chunk=chunk,
        workers=workers,
        scheduler=scheduler,
        progress=not quiet,
    )
    written = result.write(out, force=force) if out is not None else []
    s = result.summary()
    if as_json:
        typer.echo(json.dumps(s, ensure_ascii=False, indent=2))
        return
    typer.echo(_montecarlo_summary(sc.name, s))
    for p in written:
        typer.echo(f"wrote {p}")


def _restoration_montecarlo(sc, samples: int, seed: int | None, horizon: float | None,
                            out: Path | None, as_json: bool, force: bool, quiet: bool) -> None:
    """``montecarlo --restoration``: the band, the end times, and the files with --out."""
    from outage_sim.studies import RESTORATION_MC_FILES, run_restoration_montecarlo

    if out is not None:
        check_output(out, RESTORATION_MC_FILES, force=force)
    result = run_restoration_montecarlo(sc, samples, seed=seed, horizon_h=horizon,
                                        progress=not quiet)
    written = result.write(out, force=force) if out is not None else []
    s = result.summary()
    if as_json:
        typer.echo(json.dumps(s, ensure_ascii=False, indent=2))
        return
    typer.echo(f"恢复蒙特卡洛 restoration Monte Carlo: {sc.name} — {s['samples']} samples, "
               f"master seed {s['master_seed']}, horizon {s['horizon_h']:g} h")
    for h, q in s["restored_pct_at"].items():
        typer.echo(f"  减供负荷恢复 load shed restored at {h}: P10 {q['p10']:.0f}%, "
                   f"P50 {q['p50']:.0f}%, P90 {q['p90']:.0f}%")
    for key, zh, en in (("t80_h", "恢复80%", "80% of the load shed back"),
                        ("terminated_h", "应急响应终止", "response ends (§4.3)")):
        q = s[key]
        fmt = [f"{q[p]:.1f} h" if q[p] is not None else "—" for p in ("p10", "p50", "p90")]
        typer.echo(f"  {zh} {en}: P10 {fmt[0]}, P50 {fmt[1]}, P90 {fmt[2]} "
                   f"({100 * q['share_within_horizon']:.0f}% of samples within the horizon)")
    for p in written:
        typer.echo(f"wrote {p}")


def _montecarlo_summary(name: str, s: dict) -> str:
    """The console summary of a sweep (its ``summary()`` dict), Chinese beside English."""
    lines: list[str] = []
    lines.append(
        f"蒙特卡洛 Monte-Carlo: {name} — {s['samples']:,} samples, master seed "
        f"{s['master_seed']}, model {s['model_version']}"
    )
    lines.append(
        "级别概率 level probability: "
        + "; ".join(
            f"{r['level']} {r['level_en']} {100 * r['probability']:.2f}%"
            for r in s["level_probability"]
        )
    )
    q = s["shed_mw_quantiles"]
    lines.append(
        f"减供负荷 load shed MW: median {q['p50']:,.0f}, p90 {q['p90']:,.0f}, p99 {q['p99']:,.0f}, "
        f"max {q['p100']:,.0f}"
    )
    dark = [d for d in s["district_dark_probability"] if d["p_dark"] > 0][:8]
    if dark:
        lines.append(
            "全停概率 P(district dark): "
            + "; ".join(f"{d['district']} {100 * d['p_dark']:.1f}%" for d in dark)
        )
    lines.append("最坏抽样 worst draws (replay with `outage-sim run SCENARIO --seed "
                 f"{s['master_seed']} --sample N`):")
    for w in s["worst"][:5]:
        lines.append(
            f"  sample {w['sample']}: {w['level']} {w['level_en']}, {w['shed_mw']:,.0f} MW, "
            f"{w['customers_out']:,} customers, {w['failed']} failed"
        )
    return "\n".join(lines)
