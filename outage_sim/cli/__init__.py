"""The ``outage-sim`` command line (typer).

Command functions are thin: they parse arguments, call the library and print. Every
:class:`~outage_sim.errors.OutageSimError` raised below a command becomes one line on stderr and
its exit status (2 for input errors), never a traceback; that translation happens in one place,
:class:`_Group`.
"""

from __future__ import annotations

from typing import Annotated

import typer
from typer.core import TyperGroup

from outage_sim._version import __version__
from outage_sim.cli import (
    classify_cmd,
    contingency_cmd,
    drill_cmd,
    grid_cmd,
    plot_cmd,
    respond_cmd,
    run_cmd,
    schema_cmd,
)
from outage_sim.errors import OutageSimError


class _Group(TyperGroup):
    """Root command group that turns our errors into a one-line message and an exit status."""

    def invoke(self, ctx):  # noqa: D102 - click API
        try:
            return super().invoke(ctx)
        except OutageSimError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(code=exc.exit_code) from None


app = typer.Typer(
    cls=_Group,
    no_args_is_help=True,
    add_completion=False,
    help="Grid-outage emergency decision support for the Chongqing main grid "
    "(重庆市大面积停电事件应急预案, 渝府办发〔2021〕18号).",
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"outage-sim {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True,
                     help="Print the version and exit."),
    ] = False,
) -> None:
    """Grid-outage emergency decision support for the Chongqing main grid
    (重庆市大面积停电事件应急预案, 渝府办发〔2021〕18号)."""


app.add_typer(grid_cmd.app, name="grid")
app.command("classify")(classify_cmd.classify)
app.command("respond")(respond_cmd.respond)
app.command("run")(run_cmd.run)
app.command("plot")(plot_cmd.plot)
app.command("contingency")(contingency_cmd.contingency)
app.command("montecarlo")(contingency_cmd.montecarlo)
app.command("drill")(drill_cmd.drill)
app.command("schema")(schema_cmd.schema)


def main() -> None:
    """Console-script entry point."""
    app()
