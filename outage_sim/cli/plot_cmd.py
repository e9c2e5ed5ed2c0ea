"""``outage-sim plot DIR``: redraw a run folder's figures from its saved files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from outage_sim.cli.options import finite
from outage_sim.errors import InputError
from outage_sim.outputs import check_output

FORMATS = ("png", "svg", "pdf")


def plot(
    folder: Annotated[
        Path, typer.Argument(help="Folder written by `outage-sim run SCENARIO --out DIR`.")
    ],
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder for the figures (default: the run folder).")
    ] = None,
    at: Annotated[
        float | None,
        typer.Option(
            "--at",
            parser=finite(0, 24 * 365, unit="hours"),
            help="Hours after the event for the district map, within the run "
            "(default: the worst moment).",
        ),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="Figure format: png, svg or pdf.")] = "png",
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite figures already there.")
    ] = False,
) -> None:
    """Redraw the load-recovery curve, customers out, event level over time, the district map and
    the district panels (负荷恢复曲线、停电用户、事件级别、区县停电分布) from timeline.csv and
    district_timeline.csv."""
    from outage_sim.reports import FIGURES, draw_figures, read_run_folder

    if fmt not in FORMATS:
        raise InputError(f"--format: {fmt!r} unknown; use one of {', '.join(FORMATS)}")
    saved = read_run_folder(folder)
    end = float(saved["timeline"]["t_h"].max())
    if at is not None and at > end + 1e-9:
        raise InputError(f"--at: {at:g} h is beyond the end of the run ({end:g} h)")
    target = out if out is not None else folder
    check_output(target, [f"{n}.{fmt}" for n in FIGURES], force=force)
    for path in draw_figures(
        target,
        saved["timeline"],
        saved["district_timeline"],
        termination_h=saved["summary"].get("terminated_h"),
        at_h=at,
        fmt=fmt,
        force=force,
        map_options={"failed": saved.get("failed")},
    ):
        typer.echo(f"wrote {path}")
