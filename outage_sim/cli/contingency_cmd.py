"""``outage-sim contingency`` and ``outage-sim montecarlo``: the batch engine from the terminal."""

from __future__ import annotations

import json
from itertools import combinations
from pathlib import Path

import numpy as np
import typer

from outage_sim.errors import InputError, check_output


def contingency_table(level: str = "summer_peak", k: int = 1, mode: str = "dispatch",
                      recheck: bool = False):
    """All single (k=1) or double (k=2) outages of branches and units, ranked.

    Returns a DataFrame (one row per contingency) with the level keys of ``outage-sim classify``,
    MW and customers lost and the deciding criterion, worst first.
    """
    from outage_sim.batch import OutageMatrix, compile_batch, run_batch
    from outage_sim.batch_tables import to_frame
    from outage_sim.grid import chongqing_net

    if k not in (1, 2):
        raise InputError(f"--k: {k} not supported; use 1 or 2")
    net = chongqing_net(level)
    bm = compile_batch(net)
    names = list(bm.br_name) + [net.gen.at[idx, "name"] for _, idx in bm.unit_ref]
    kinds = ["branch"] * bm.n_branch + ["unit"] * len(bm.unit_ref)
    pos = list(range(bm.n_branch)) + list(range(len(bm.unit_ref)))
    live = [i for i in range(len(names)) if kinds[i] == "branch" or bm.unit_on0[pos[i]]]
    sets = [(i,) for i in live] if k == 1 else list(combinations(live, 2))
    om = OutageMatrix.empty(bm, len(sets))
    rows = np.repeat(np.arange(len(sets)), k)
    cols = np.array(sets).ravel()
    is_branch = np.array([kinds[c] == "branch" for c in cols])
    p = np.array([pos[c] for c in cols])
    om.branch[rows[is_branch], p[is_branch]] = True
    om.unit[rows[~is_branch], p[~is_branch]] = True
    res = run_batch(bm, om, mode=mode)
    frame = to_frame(res, [" + ".join(names[c] for c in s) for s in sets])
    frame.insert(1, "k", k)
    if recheck and frame.uncertain.any():
        frame = _recheck(net, frame, sets, kinds, pos, bm, names, mode)
    frame = frame.sort_values(["level_rank", "shed_mw", "customers_out"], ascending=False,
                              kind="stable").reset_index(drop=True)
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    frame.attrs.update(model_version=bm.model_version, level=bm.level, mode=mode,
                       load_mw=float(bm.demand.sum()))
    return frame


def _recheck(net, frame, sets, kinds, pos, bm, names, mode):
    """Re-run the uncertain contingencies through the single engine (AC-checked)."""
    from outage_sim.batch_tables import level_columns
    from outage_sim.faults import Outage
    from outage_sim.severity import classify
    from outage_sim.shed import shed_load

    for i in np.flatnonzero(frame.uncertain.to_numpy()):
        outs = []
        for c in sets[i]:
            el, idx = ((str(bm.br_element[pos[c]]), int(bm.br_index[pos[c]])) if kinds[c] == "branch"
                       else bm.unit_ref[pos[c]])
            outs.append(Outage(el, idx, names[c], "contingency"))
        r = shed_load(net, outs, mode=mode)
        sev = classify(r.to_event())
        scope = -1 if sev.decided_by and sev.decided_by.scope == "main" else (
            list(bm.district_names).index(sev.decided_by.scope) if sev.decided_by else -2)
        measure = -1 if not sev.decided_by else (0 if sev.decided_by.measure == "load_shed" else 1)
        cols = level_columns(sev.plan, np.array([sev.level_rank]), np.array([scope]),
                             np.array([measure]), bm.district_names).iloc[0]
        for key, value in cols.items():
            frame.at[frame.index[i], key] = value
        frame.at[frame.index[i], "shed_mw"] = round(r.main["shed_mw"], 3)
        frame.at[frame.index[i], "shed_pct"] = round(100 * r.main["shed_mw"] / r.main["load_mw"], 3)
        frame.at[frame.index[i], "customers_out"] = r.main["customers_out"]
        frame.at[frame.index[i], "uncertain"] = False
    return frame


def contingency(
    k: int = typer.Option(1, "--k", help="1: every single outage; 2: every pair."),
    level: str = typer.Option("summer_peak", "--level", help="Load level of the model."),
    top: int = typer.Option(20, "--top", help="Rows to print (the table file has all)."),
    mode: str = typer.Option("dispatch", "--mode", help="dispatch or cascade."),
    as_json: bool = typer.Option(False, "--json", help="Print the top rows as JSON."),
    out: Path = typer.Option(None, "--out", help="Write every row to FILE (.csv or .parquet)."),
    recheck: bool = typer.Option(False, "--recheck",
                                 help="Re-run contingencies flagged uncertain through the single engine."),
    force: bool = typer.Option(False, "--force", help="Overwrite --out if it exists."),
) -> None:
    """N-1 / N-2 screening of branches and units: which outages make a large-area outage event."""
    if top < 0:
        raise InputError("--top: must be 0 or more")
    if out is not None:
        if out.suffix.lower() not in (".csv", ".parquet"):
            raise InputError(f"--out: {out.name!r} must end in .csv or .parquet")
        check_output(out, force=force)
        if out.suffix.lower() == ".parquet":
            try:
                import pyarrow  # noqa: F401
            except ImportError:
                raise InputError("--out: writing .parquet needs pyarrow (pip install pyarrow); "
                                 "use .csv") from None
    if mode not in ("dispatch", "cascade"):
        raise InputError(f"--mode: {mode!r} unknown; use dispatch or cascade")
    frame = contingency_table(level, k, mode, recheck)
    if out is not None:
        (frame.to_parquet if out.suffix.lower() == ".parquet" else frame.to_csv)(out, index=False)
    head = frame.head(top)
    if as_json:
        typer.echo(json.dumps({"model_version": frame.attrs["model_version"], "level": level,
                               "k": k, "mode": mode, "contingencies": len(frame),
                               "rows": head.to_dict("records")}, ensure_ascii=False, indent=2,
                              default=lambda x: x.item() if hasattr(x, "item") else str(x)))
    else:
        counts = frame.level.value_counts()
        typer.echo(f"N-{k} 预想事故扫描 contingency screening: {len(frame):,} outages of branches and "
                   f"units, {level}, mode {mode}, model {frame.attrs['model_version']}")
        typer.echo("按级别 by level: " + "; ".join(f"{lv} {counts.get(lv, 0):,}" for lv in
                                                 ("特别重大", "重大", "较大", "一般", "none")))
        typer.echo(f"{'#':>4}  {'级别 level':<22}{'减供 shed MW':>14}{'%':>7}{'停电用户 customers':>20}  "
                   f"{'决定 decided by':<22} 停运元件 outage")
        for r in head.itertuples():
            lvl = f"{r.level} {r.level_en}" if r.level != "none" else "none 未构成"
            by = f"{r.decided_scope} {r.decided_measure}".strip() or "-"
            flag = " (uncertain)" if r.uncertain else ""
            typer.echo(f"{r.rank:>4}  {lvl:<22}{r.shed_mw:>14,.1f}{r.shed_pct:>7.2f}{r.customers_out:>20,}  "
                       f"{by:<22} {r.scenario}{flag}")
    if out is not None:
        typer.echo(f"wrote {out}", err=as_json)


def montecarlo(
    scenario: Path = typer.Argument(..., help="Scenario YAML with hazards."),
    samples: int = typer.Option(..., "--samples", help="Number of hazard draws."),
    seed: int = typer.Option(None, "--seed", help="Master seed (default: the scenario's)."),
    workers: int = typer.Option(None, "--workers", help="Start a local Dask cluster of W workers."),
    scheduler: str = typer.Option(None, "--scheduler", help="Address of a Dask scheduler (tcp://HOST:PORT)."),
    chunk: int = typer.Option(2000, "--chunk", help="Samples per chunk."),
    out: Path = typer.Option(None, "--out", help="Folder for summary.json, samples.csv, districts.csv, figures."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    force: bool = typer.Option(False, "--force", help="Overwrite files in --out."),
) -> None:
    """Monte-Carlo sweep of a scenario's hazards: level probabilities, districts going dark."""
    from outage_sim.montecarlo import run_montecarlo, write
    from outage_sim.scenario import load_scenario

    sc = load_scenario(scenario)
    if not sc.hazards:
        raise InputError(f"{scenario.name}: has no hazards; a Monte-Carlo sweep needs something random")
    if out is not None:  # checked before the sweep: never lose the user's files
        from outage_sim.montecarlo import OUTPUT_FILES

        check_output(out, OUTPUT_FILES, force=force)
    result = run_montecarlo(sc, samples, seed=seed, chunk=chunk, workers=workers,
                            scheduler=scheduler, progress=not as_json)
    written = write(result, out, force=force) if out is not None else []
    s = result.summary()
    if as_json:
        typer.echo(json.dumps(s, ensure_ascii=False, indent=2))
        return
    typer.echo(f"蒙特卡洛 Monte-Carlo: {sc.name} — {s['samples']:,} samples, master seed "
               f"{s['master_seed']}, model {s['model_version']}")
    typer.echo("级别概率 level probability: " + "; ".join(
        f"{r['level']} {r['level_en']} {100 * r['probability']:.2f}%" for r in s["level_probability"]))
    q = s["shed_mw_quantiles"]
    typer.echo(f"减供负荷 load shed MW: median {q['p50']:,.0f}, p90 {q['p90']:,.0f}, p99 {q['p99']:,.0f}, "
               f"max {q['p100']:,.0f}")
    dark = [d for d in s["district_dark_probability"] if d["p_dark"] > 0][:8]
    if dark:
        typer.echo("全停概率 P(district dark): " + "; ".join(f"{d['district']} {100 * d['p_dark']:.1f}%"
                                                       for d in dark))
    typer.echo("最坏抽样 worst draws (replay with `outage-sim run SCENARIO --seed N`):")
    for w in s["worst"][:5]:
        typer.echo(f"  seed {w['seed']}: {w['level']} {w['level_en']}, {w['shed_mw']:,.0f} MW, "
                   f"{w['customers_out']:,} customers, {w['failed']} failed")
    for p in written:
        typer.echo(f"wrote {p}")
