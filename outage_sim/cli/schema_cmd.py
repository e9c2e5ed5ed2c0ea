"""``outage-sim schema NAME``: the JSON Schema of a document other tools read or write."""

from __future__ import annotations

from typing import Annotated

import typer


def schema(
    name: Annotated[
        str,
        typer.Argument(
            metavar="NAME",
            help="scenario (the YAML file), event (classify input), respond (respond input) or "
            "result (result.json of run).",
            show_default=False,
        ),
    ],
) -> None:
    """Print the JSON Schema of a scenario, an event, a respond input or result.json (JSON 模式)."""
    from outage_sim.studies import schema_text

    typer.echo(schema_text(name), nl=False)
