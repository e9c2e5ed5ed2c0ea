"""``outage-sim classify EVENT.json [--json] [--plan FILE]``: the event's level under the plan.

Reads the event input of design.md (a file, or stdin for ``-``), classifies it with
:func:`outage_sim.severity.classify` and prints either the JSON object of the contract
(``--json``) or a short bilingual summary: level, warning, response, the criteria that fired and
how far the event is from the next level up and down.
"""

from __future__ import annotations

import json
import math
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Annotated

import typer

from outage_sim import severity
from outage_sim.builtins import event_path
from outage_sim.cli.options import DataDir
from outage_sim.severity import MEASURE_EN, MEASURE_UNIT, MEASURE_ZH, NO_LEVEL_ZH, Margin

#: District options shown per measure in the summary (all are in the JSON).
SHOWN_DISTRICT_OPTIONS = 3


def classify(
    event: Annotated[
        str,
        typer.Argument(
            metavar="EVENT.json",
            help="Event figures (design.md), a built-in example event's name "
            "(outage-sim scenarios list) or '-' for standard input.",
            show_default=False,
        ),
    ],
    json_output: Annotated[
        bool,
        typer.Option(
            "--json", help="Print the JSON object of the contract instead of the summary."
        ),
    ] = False,
    plan: Annotated[
        Path | None,
        typer.Option(
            "--plan",
            metavar="FILE",
            help="Plan file (TOML or YAML) instead of the Chongqing 2021 plan.",
            show_default=False,
        ),
    ] = None,
    data: DataDir = None,
) -> None:
    """Classify an event: level 事件级别, warning 预警, response 应急响应 (§1.5, §3.2, §4.1)."""
    event_file = event_path(event, argument="EVENT.json")
    result = severity.classify(severity.read_event(event_file, data), severity.load_plan(plan))
    if json_output:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        typer.echo(render_summary(result))


def render_summary(sev: severity.Severity) -> str:
    """The bilingual human summary of a classification (Chinese beside English)."""
    plan = sev.plan
    level = plan.level(sev.level_rank)
    if level is None:
        lines = [
            (
                f"事件级别 Event level: {NO_LEVEL_ZH} / not a large-area outage event "
                "(预案不启动 plan not activated)"
            ),
            "预警 Warning: 无 / none",
            "应急响应 Response: 无 / none",
        ]
    else:
        lines = [
            (
                f"事件级别 Event level: {sev.level} / {sev.level_en} (rank {sev.level_rank}, "
                f"{sev.level_clause})"
            ),
            (
                f"预警 Warning: {sev.warning_level_zh} {sev.warning_color_zh} / level "
                f"{sev.warning_level} {sev.warning_color} ({level.warning_clause})"
            ),
            (
                f"应急响应 Response: {sev.response_level_zh} / {sev.response_level} "
                f"({level.response_clause})"
            ),
        ]
    main = sev.event.main
    lines.append(
        f"{plan.grid} {plan.grid_en}: {MEASURE_ZH['load_shed']} load shed "
        f"{_amount(main.shed_mw)} of {_amount(main.load_mw)} MW, {MEASURE_ZH['customers_out']}"
        f" customers out {_amount(main.customers_out)} of {_amount(main.customers)}"
    )
    if sev.event.main_from_districts:
        zh, en = severity.main_source_text(sev.event)
        lines.append(f"  （{zh} / {en}）")
    lines.append("触发的条件 Criteria fired:" + ("" if sev.criteria else " 无 / none"))
    for c in sev.criteria:
        band = (
            f"≥ {_pct(c.low_pct)}"
            if c.high_pct is None
            else f"in [{_pct(c.low_pct)}, {_pct(c.high_pct)})"
        )
        group = "" if c.district_class is None else (
            f" ({c.district_class} {c.district_class_en}; 事件前负荷 pre-event load "
            f"{_amount(c.whole if c.measure == 'load_shed' else _load(sev, c.scope))} MW)")
        mark = "  ← 决定级别 decides" if c is sev.decided_by else ""
        lines.append(
            f"  {_scope(sev, c.scope)}{group}: {MEASURE_ZH[c.measure]} {MEASURE_EN[c.measure]} "
            f"{_pct(c.value_pct)} {band} → {c.level} / {c.level_en} {c.clause}{mark}"
        )
    if sev.raise_options:
        lines.append("升一级 To raise one level (any one of):")
        shown = [m for m in sev.raise_options if m.scope == "main"]
        for measure in severity.MEASURES:
            shown += [m for m in sev.raise_options if m.scope != "main" and m.measure == measure][
                :SHOWN_DISTRICT_OPTIONS
            ]
        lines += [f"  {_scope(sev, m.scope)}: {_margin(m, up=True)}" for m in shown]
        if len(shown) < len(sev.raise_options):
            lines.append(
                f"  … 另有 {len(sev.raise_options) - len(shown)} 项 and "
                f"{len(sev.raise_options) - len(shown)} more district options (--json)"
            )
    if sev.lower_rank is not None:
        lines.append("降一级 To lower one level (all of):")
        lines += [
            f"  {_scope(sev, m.scope)}: {_margin(m, up=False)}" for m in sev.lower_requirements
        ]
    return "\n".join(lines)


def _load(sev: severity.Severity, scope: str) -> float:
    """The pre-event load of district ``scope`` (what put it in its 150 MW class)."""
    area = sev.district(scope)
    return area.load_mw if area is not None else 0.0


def _scope(sev: severity.Severity, scope: str) -> str:
    return f"{sev.plan.grid} {sev.plan.grid_en}" if scope == "main" else scope


def _margin(m: Margin, up: bool) -> str:
    customers = MEASURE_UNIT[m.measure] == "customers"
    unit = "户 customers" if customers else "MW"
    if up:
        # Whole customers, and MW rounded up to the kW, so that the amount shown does reach.
        amount = (
            math.ceil(round(m.change, 6))
            if customers
            else math.ceil(round(m.change, 6) * 1000) / 1000
        )
        change = (
            f"+{_amount(amount)} {unit} (达到 up to {_amount(m.boundary)} {unit} = "
            f"{_pct(m.boundary_pct)})"
        )
    else:
        change = (
            f"减少超过 more than {_amount(-m.change)} {unit} fewer (低于 below "
            f"{_amount(m.boundary)} {unit} = {_pct(m.boundary_pct)})"
        )
    level = "无 / none" if m.level_rank == 0 else f"{m.level} / {m.level_en}"
    return f"{MEASURE_ZH[m.measure]} {MEASURE_EN[m.measure]} {change} → {level} {m.clause}"


def _pct(value: float) -> str:
    """A percentage truncated (not rounded) to 4 decimals: 39.99999 never prints as 40."""
    text = str(Decimal(repr(value)).quantize(Decimal("0.0001"), rounding=ROUND_FLOOR))
    return text.rstrip("0").rstrip(".") + "%"


def _amount(value: float) -> str:
    """MW or customers with thousands separators and at most 3 decimals."""
    text = f"{round(value, 3):,.3f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
