"""``outage-sim drill SCENARIO``: a drill (应急演练) in the terminal, for a room with a projector.

The event is stepped forward ``--step`` minutes at a time (default: the file's ``drill.step_min``
or 30), or with ``--next-event`` to the next thing that happens; at each point the plan's questions are put with rich prompts and scored against the
engine's answer key (:class:`outage_sim.drill.Drill`). Answers may come from stdin, one a line,
so a drill can be scripted; when stdin ends the drill stops and prints the score. ``--answers``
prints the key at every point instead of asking (the trainer's copy).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from outage_sim.builtins import scenario_path
from outage_sim.cli.options import MAX_SEED, finite
from outage_sim.errors import InputError


def _ask(console, q) -> str | None:
    """One question; None when the input has ended."""
    from rich.prompt import Prompt

    console.print(f"\n[bold]{q.zh}[/bold]\n{q.en}  [dim]({q.clause})[/dim]")
    for i, o in enumerate(q.options, 1):
        console.print(f"  {i}. {o.text}")
    try:
        return Prompt.ask("答案 answer", console=console)
    except EOFError:
        return None


def drill(
    scenario: Annotated[
        Path, typer.Argument(
            metavar="SCENARIO", show_default=False,
            help="Scenario YAML file (optionally with a drill: section) or a built-in name.")
    ],
    answers: Annotated[
        bool,
        typer.Option(
            "--answers",
            help="Print the answer key at every point instead of asking (the trainer's copy).",
        ),
    ] = False,
    step: Annotated[
        float | None,
        typer.Option(
            "--step",
            parser=finite(0, 60 * 24 * 365, lo_open=True, unit="minutes"),
            help="Minutes the clock moves between points "
            "(default: the file's drill.step_min, else 30).",
        ),
    ] = None,
    steps: Annotated[
        int,
        typer.Option(
            "--steps",
            min=0,
            max=10_000,
            help="Points after the first (the drill also stops once the response has ended).",
        ),
    ] = 4,
    seed: Annotated[
        int | None,
        typer.Option("--seed", min=0, max=MAX_SEED, help="Override the scenario's seed."),
    ] = None,
    no_restoration: Annotated[
        bool,
        typer.Option("--no-restoration", help="Keep the event's state (no restoration over time)."),
    ] = False,
    next_event: Annotated[
        bool,
        typer.Option(
            "--next-event",
            help="Step to the next thing that happens (a repair, a level change, a check met, "
            "an inject) instead of --step minutes.",
        ),
    ] = False,
) -> None:
    """Run a drill: step through an event and answer the plan's questions (应急演练)."""
    path = scenario_path(scenario, argument="SCENARIO")  # before any model loads
    from rich.console import Console

    from outage_sim.drill import Drill

    kwargs: dict[str, Any] = {"seed": seed, "restore": not no_restoration}
    if step is not None:
        kwargs["step_min"] = step
    d = Drill.from_scenario(path, **kwargs)
    console = Console(highlight=False, soft_wrap=True)
    console.print(f"[bold]应急演练 Drill[/bold]: {d.scenario.name}")
    state = d.state
    for point in range(steps + 1):
        if point:
            if d.finished or (next_event and d.next_event_min() is None):
                break
            state = d.step_to_next_event() if next_event else d.step()
        console.rule(f"T+{state.t_min:.0f} min")
        console.print(state.summary(), markup=False)
        for q in d.questions():
            if answers:
                console.print(f"\n{q.zh} / {q.en}  ({q.clause})", markup=False)
                console.print(f"  答案 key: {q.key_text}", markup=False)
            elif not _put(console, d, q):
                break  # stdin ended: score what was answered
        else:
            continue
        break
    if not answers:
        _score(console, d)


def _put(console, d, q) -> bool:
    """Ask ``q`` until the answer is understood, then mark it; False when stdin has ended."""
    while True:
        given = _ask(console, q)
        if given is None:
            return False
        try:
            a = d.answer(q.id, given)
            break
        except InputError as exc:
            console.print(f"[red]无法识别 not understood[/red]: {exc}", markup=True)
    if a.correct:
        mark = "[green]✓ 正确 right[/green]"
    elif a.score > 0:
        mark = f"[yellow]部分 partly {a.score:.2f}[/yellow]"
    else:
        mark = "[red]✗ 错误 wrong[/red]"
    console.print(mark)
    console.print(f"  答案 key: {q.key_text}", markup=False)
    return True


def _score(console, d) -> None:
    points, asked = d.score
    console.rule("得分 Score")
    console.print(f"{points:.2f} / {asked} 题 questions answered")
    for a in d.answers:
        console.print(
            f"  T+{a.t_min:g} min  {a.question_id:<15} {a.score:.2f}  given {a.given!r}",
            markup=False,
        )
