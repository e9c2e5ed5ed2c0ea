"""`outage-sim respond EVENT.json [--json | --markdown]`: what the plan requires for an event.

The input is the classify event (design.md) plus ``time`` (ISO 8601 with offset) and optional
``cause``, ``secondary``, ``end_time`` and ``source``; ``-`` reads it from stdin. Output: a short
bilingual summary, the JSON contract of design.md (``--json``), or the Markdown documents — brief,
信息报告 and 预警信息 draft (``--markdown``).
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from outage_sim.builtins import event_path
from outage_sim.cli.options import DataDir
from outage_sim.errors import InputError
from outage_sim.response import markdown, respond_output, summary_text
from outage_sim.response import respond as build_plan
from outage_sim.severity import read_event_json


def respond(
    event: Annotated[
        str,
        typer.Argument(
            metavar="EVENT.json",
            help="Event JSON file (classify input plus time, cause, secondary), a built-in "
            "example event's name, or - for stdin.",
        ),
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the JSON contract of design.md.")
    ] = False,
    as_markdown: Annotated[
        bool,
        typer.Option("--markdown", help="Print the Markdown brief, 信息报告 and 预警信息 draft."),
    ] = False,
    data: DataDir = None,
) -> None:
    """Command, warning, reporting clock and member units for an event (应急响应)."""
    if as_json and as_markdown:
        raise InputError("--json / --markdown: choose one of them")
    plan = build_plan(read_event_json(event_path(event, argument="EVENT.json")), data_dir=data)
    if as_json:
        typer.echo(json.dumps(respond_output(plan), ensure_ascii=False, indent=2))
    elif as_markdown:
        typer.echo(markdown(plan), nl=False)
    else:
        typer.echo(summary_text(plan), nl=False)
