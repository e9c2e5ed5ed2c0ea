"""The ``outage-sim`` command line (typer).

Command functions are thin: they parse arguments, call the library and print. Every
:class:`~outage_sim.errors.OutageSimError` raised below a command becomes one line on stderr and
its exit status (2 for input errors), never a traceback; that translation happens in one place,
:class:`_Group`. So do click's usage errors (an option out of its range, a missing argument):
one line naming the option (:func:`outage_sim.cli.options.one_line`), exit status 2, before any
model loads.
"""

from __future__ import annotations

import os
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
    scenarios_cmd,
    schema_cmd,
)
from outage_sim.cli.options import NoArgsIsHelpError, UsageError, one_line
from outage_sim.errors import OutageSimError


def _usage_error(exc: UsageError) -> typer.Exit:
    """A usage error as one line on stderr; help asked for by no arguments is shown as such."""
    if isinstance(exc, NoArgsIsHelpError):
        raise exc
    typer.echo(f"error: {one_line(exc)}", err=True)
    return typer.Exit(code=exc.exit_code)


class _Group(TyperGroup):
    """Root command group that turns our errors into a one-line message and an exit status."""

    def parse_args(self, ctx, args):  # noqa: D102 - click API
        try:
            return super().parse_args(ctx, args)
        except UsageError as exc:  # an option of the root command
            raise _usage_error(exc) from None

    def invoke(self, ctx):  # noqa: D102 - click API
        try:
            return super().invoke(ctx)
        except UsageError as exc:  # a command's options, parsed as it is invoked
            raise _usage_error(exc) from None
        except OutageSimError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(code=exc.exit_code) from None
        except KeyboardInterrupt:  # before any file was written (writing says more itself)
            typer.echo("error: interrupted (SIGINT)", err=True)
            raise typer.Exit(code=130) from None
        except (MemoryError, ImportError) as exc:  # e.g. under `ulimit -v`: no traceback either
            typer.echo(f"error: {_resource_error(exc)}", err=True)
            raise typer.Exit(code=1) from None


def _resource_error(exc: MemoryError | ImportError) -> str:
    """One line for a run that ran out of memory (a library that cannot be loaded, under a
    memory limit, raises ImportError)."""
    what = f"cannot load {exc.name or 'a module'}" if isinstance(exc, ImportError) else \
        "out of memory"
    detail = str(exc).splitlines()[0] if str(exc).strip() else "no detail"
    return (f"{what} ({type(exc).__name__}: {detail}); is the memory this process may use "
            "limited (ulimit -v)?")


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
app.add_typer(scenarios_cmd.app, name="scenarios")
app.command("hazards")(scenarios_cmd.hazards)


def main() -> None:
    """Console-script entry point.

    Figures are files here, never windows: matplotlib is told to use its Agg backend (unless
    ``MPLBACKEND`` says otherwise) before anything imports it, so pyplot, which pandapower
    imports, does not look for a GUI toolkit first.
    """
    os.environ.setdefault("MPLBACKEND", "Agg")
    app()
