"""``outage-sim scenarios list|show|new`` and ``outage-sim hazards``: what there is to run.

``scenarios list`` names the built-in scenarios (``outage-sim run NAME``) and example events
(``outage-sim classify|respond NAME``); ``show NAME`` prints one as shipped; ``new NAME --hazard
TYPE`` prints a commented scenario file to start from (:func:`outage_sim.studies.scenario_template`).
``hazards`` lists each hazard type with its parameters, units, ranges and where the outcomes
spread (:func:`outage_sim.hazards.hazard_guide`), and the causes and secondary incidents a
scenario or an event may name (the plan's organisation file, :mod:`outage_sim.response`).
Person-facing text keeps the Chinese term beside the English one; ``--json`` is for machines.
"""

from __future__ import annotations

import json
import textwrap
from typing import Annotated, Any

import typer

from outage_sim.builtins import (
    builtin_path,
    event_names,
    events_dir,
    scenario_names,
    scenarios_dir,
)
from outage_sim.inputs import parse_json, parse_yaml, read_text

app = typer.Typer(no_args_is_help=True,
                  help="Built-in scenarios (内置情景): list, show, or start a new one.")

JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


# --- scenarios list / show / new -----------------------------------------------------------------


def _scenario_entry(name: str) -> dict[str, Any]:
    path = scenarios_dir() / f"{name}.yaml"
    raw = parse_yaml(read_text(path, name=path.name), path.name)
    raw = raw if isinstance(raw, dict) else {}
    return {"name": name, "title": str(raw.get("name", "")), "level": raw.get("level"),
            "mode": raw.get("mode"), "hazards": [h.get("type") for h in raw.get("hazards") or []
                                                  if isinstance(h, dict)],
            "faults": len(raw.get("faults") or []),
            "description": " ".join(str(raw.get("description", "")).split())}


def _event_entry(name: str) -> dict[str, Any]:
    path = events_dir() / f"{name}.json"
    raw = parse_json(read_text(path, name=path.name), path.name)
    raw = raw if isinstance(raw, dict) else {}
    commands = ["classify", "respond"] if "time" in raw else ["classify"]
    return {"name": name, "title": str(raw.get("source", "")), "commands": commands}


@app.command("list")
def list_builtins(as_json: JsonOption = False) -> None:
    """The built-in scenarios and example events, by name (内置情景与示例事件)."""
    scenarios = [_scenario_entry(n) for n in scenario_names()]
    events = [_event_entry(n) for n in event_names()]
    if as_json:
        typer.echo(json.dumps({"scenarios": scenarios, "events": events}, ensure_ascii=False,
                              indent=2))
        return
    width = max(len(e["name"]) for e in scenarios + events) + 2
    lines = ["内置情景 built-in scenarios (outage-sim run NAME; outage-sim scenarios show NAME): "
             "name, load level 负荷水平, title, hazards or faults"]
    for s in scenarios:
        what = ", ".join(s["hazards"]) or f"faults: {s['faults']}"
        lines.append(f"  {s['name']:<{width}}{s['level'] or '':<13}{s['title']}  [{what}]")
    lines.append("示例事件 example events (outage-sim classify NAME; those with a time also "
                 "outage-sim respond NAME):")
    for e in events:
        lines.append(f"  {e['name']:<{width}}{'/'.join(e['commands']):<19}{e['title']}")
    typer.echo("\n".join(lines))


@app.command("show")
def show(
    name: Annotated[str, typer.Argument(metavar="NAME", show_default=False,
                                        help="A built-in scenario or example event.")],
) -> None:
    """Print a built-in scenario's YAML (or an example event's JSON) as shipped."""
    path = builtin_path(name, argument="NAME")
    typer.echo(read_text(path, name=path.name), nl=False)


@app.command("new")
def new(
    name: Annotated[str, typer.Argument(metavar="NAME", show_default=False,
                                        help="The new scenario's name (its name: field).")],
    hazard: Annotated[str | None, typer.Option(
        "--hazard", metavar="TYPE", show_default=False,
        help="Add a hazard of this type: ice_storm, wind_storm, earthquake, flood, landslide, "
             "external_damage or heat_wave (outage-sim hazards).")] = None,
) -> None:
    """Print a commented scenario file to start from: every field, its unit and range."""
    from outage_sim.studies import scenario_template

    typer.echo(scenario_template(name, hazard), nl=False)


# --- hazards --------------------------------------------------------------------------------------


def hazards(as_json: JsonOption = False) -> None:
    """Hazard types (灾害类型): parameters, units, ranges; causes and secondary incidents."""
    from outage_sim.hazards import hazard_guide
    from outage_sim.response import load_organisation
    from outage_sim.studies import HAZARD_CAUSE

    guide, org = hazard_guide(), load_organisation()
    causes = [{"key": k, "zh": r.zh, "en": r.en} for k, r in org.causes.items()]
    secondary = [{"key": k, "zh": r.zh, "en": r.en} for k, r in org.secondary.items()]
    if as_json:
        obj = {"hazards": [{**g.to_dict(), "cause": HAZARD_CAUSE.get(g.type)} for g in guide],
               "causes": causes, "cause_aliases": dict(org.cause_aliases),
               "secondary": secondary}
        typer.echo(json.dumps(obj, ensure_ascii=False, indent=2))
        return
    lines = ["灾害类型 hazard types (a scenario's hazards: list; outage-sim scenarios new NAME "
             "--hazard TYPE writes one)"]
    for g in guide:
        cause = HAZARD_CAUSE.get(g.type, "")
        zh = org.causes[cause].zh if cause in org.causes else ""
        lines += ["", f"{g.zh} / {g.en} — type: {g.type}   (起因 cause: {cause} {zh})",
                  *_wrapped(g.summary, "  ")]
        lines += [line for p in g.parameters for line in _parameter_lines(p)]
        lines += [line for note in g.notes for line in _wrapped(f"· {note}", "  ", "    ")]
    lines += ["", "起因 causes (a scenario's cause:, an event's \"cause\"):"]
    lines += [f"  {c['key']:<17}{c['zh']} / {c['en']}" for c in causes]
    aliases = ", ".join(f"{a} → {k}" for a, k in org.cause_aliases.items())
    if aliases:
        lines.append(f"  (also accepted: {aliases})")
    lines += ["", "次生事件 secondary incidents (a scenario's secondary:, an event's "
                  "\"secondary\"):"]
    lines += [f"  {s['key']:<19}{s['zh']} / {s['en']}" for s in secondary]
    typer.echo("\n".join(lines))


def _parameter_lines(p) -> list[str]:
    """One parameter: name, range (with unit) or choices, whether required; its description and
    where outcomes spread below."""
    from outage_sim.hazards import range_text

    bounds = range_text(p.facts) or ", ".join(map(str, p.facts.choices)) or p.facts.unit
    flag = "required 必填" if p.required else (
        f"default {p.facts.default}" if p.facts.has_default and p.facts.default is not None
        else "optional")
    lines = [f"  {p.name:<19}{bounds:<27}{flag}"]
    lines += _wrapped(p.facts.description, " " * 6)
    if p.spread_text:
        lines += _wrapped(f"outcomes spread over 结果分散区间: {p.spread_text}", " " * 6)
    return lines


def _wrapped(text: str, indent: str, rest: str | None = None) -> list[str]:
    return textwrap.wrap(text, 100, initial_indent=indent, subsequent_indent=rest or indent,
                         break_long_words=False, break_on_hyphens=False)
