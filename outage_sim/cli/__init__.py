"""The ``outage-sim`` command line (typer).

Command functions are thin: they parse arguments, call the library and print. Every
:class:`~outage_sim.errors.OutageSimError` raised below a command becomes one line on stderr and
its exit status (2 for input errors), never a traceback; that translation happens in one place,
:class:`_Group`.
"""

from __future__ import annotations

import typer
from typer.core import TyperGroup

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

from outage_sim.cli import grid_cmd  # noqa: E402  (registers the `grid` sub-app)

app.add_typer(grid_cmd.app, name="grid")
from outage_sim.cli import classify_cmd  # noqa: E402

app.command("classify")(classify_cmd.classify)
from outage_sim.cli import respond_cmd  # noqa: E402

app.command("respond")(respond_cmd.respond)
from outage_sim.cli import run_cmd  # noqa: E402

app.command("run")(run_cmd.run)
from outage_sim.cli import plot_cmd  # noqa: E402

app.command("plot")(plot_cmd.plot)
from outage_sim.cli import contingency_cmd  # noqa: E402

app.command("contingency")(contingency_cmd.contingency)
app.command("montecarlo")(contingency_cmd.montecarlo)
from outage_sim.cli import drill_cmd  # noqa: E402

app.command("drill")(drill_cmd.drill)


def main() -> None:
    """Console-script entry point."""
    app()
