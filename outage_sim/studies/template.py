"""A scenario file to start from: what ``outage-sim scenarios new NAME --hazard TYPE`` prints.

Every field of the scenario file comes with its description, unit, range and default, read from
the JSON Schemas of the models that check the file (:class:`~outage_sim.studies.Scenario` and the
hazard models, through :func:`outage_sim.hazards.field_facts`), with the choices the data offer
(load levels, causes, secondary incidents, rivers) and, for the hazard's parameters, where its
outcomes spread (:func:`outage_sim.hazards.hazard_guide`). Nothing here repeats a description or
a bound: change the model and the template follows.

Values: the field's default; for a required field, or the hazard block, the model's example.
A field without a default worth writing is commented out with an example. The text validates
and runs as printed (``tests/test_builtins.py`` checks every hazard type).
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from outage_sim.errors import InputError, did_you_mean
from outage_sim.hazards import HAZARD_TYPES, FieldFacts, field_facts, hazard_guide, range_text
from outage_sim.studies.scenario import HAZARD_CAUSE, Scenario

__all__ = ["scenario_template"]

WIDTH = 100  #: longest comment line


def scenario_template(name: str, hazard: str | None = None) -> str:
    """The YAML text of a new scenario named ``name``, with one hazard of type ``hazard``.

    Raises
    ------
    InputError
        ``hazard`` is not a hazard type (the closest one suggested), or ``name`` is blank.
    """
    if not str(name).strip():
        raise InputError("NAME: give the scenario a name")
    if hazard is not None and hazard not in HAZARD_TYPES:
        raise InputError(f"--hazard: unknown hazard type {hazard!r}"
                         f"{did_you_mean(hazard, HAZARD_TYPES)}; use one of "
                         f"{', '.join(HAZARD_TYPES)} (outage-sim hazards describes them)")
    schema = Scenario.model_json_schema()
    page = _Page(defs=schema["$defs"], choices=_data_choices(), hazard=hazard)
    intro = (f"情景 scenario {name}: every field of a scenario file with its unit and range "
             f"(outage-sim schema scenario: the JSON Schema; outage-sim hazards: the hazards). "
             f"Save it as {name}.yaml, then: outage-sim run {name}.yaml")
    page.comment(intro, "")
    top = {"name": name}
    if hazard is not None:
        top["cause"] = HAZARD_CAUSE[hazard]
    hidden = {key for key, info in Scenario.model_fields.items() if info.exclude}
    page.fields(schema, top, indent="", skip=hidden)
    return "\n".join(page.lines) + "\n"


def _data_choices() -> dict[str, list[str]]:
    """The names a field takes from the data, shown beside it (the validators check them)."""
    from outage_sim.grid import load_levels
    from outage_sim.hazards import hazard_parameters
    from outage_sim.response import load_organisation

    org = load_organisation()
    return {"level": list(load_levels()), "cause": list(org.causes),
            "secondary": list(org.secondary), "river": list(hazard_parameters("flood")["rivers"])}


def _yaml(value: Any) -> str:
    """One value as YAML on one line (flow style for lists and mappings)."""
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, sort_keys=False,
                          width=1_000_000)
    return text.removesuffix("\n...\n").strip()


@dataclass
class _Page:
    """The lines being written, and what every field's comment may draw on."""

    defs: Mapping[str, Any]
    choices: Mapping[str, list[str]]
    hazard: str | None
    lines: list[str] = field(default_factory=list)
    prefix: str = ""  # "# " inside a commented-out example

    def comment(self, text: str, indent: str) -> None:
        width = max(40, WIDTH - len(indent) - len(self.prefix) - 2)
        for line in textwrap.wrap(text, width, break_long_words=False,
                                  break_on_hyphens=False) or [""]:
            self.lines.append(f"{self.prefix}{indent}# {line}".rstrip())

    def line(self, indent: str, text: str, *, off: bool = False) -> None:
        self.lines.append(f"{self.prefix}{indent}{'# ' if off else ''}{text}")

    def fields(self, schema: Mapping[str, Any], values: Mapping[str, Any], indent: str,
               skip: frozenset[str] | set[str] = frozenset(), spreads: Mapping[str, str] | None = None,
               item: bool = False) -> None:
        """Every property of ``schema``: those in ``values`` first, a constant (a hazard's
        ``type``) first of all; ``item``: the first line starts a list item (``- ``)."""
        required = set(schema.get("required", ()))
        props = schema["properties"]
        order = [k for k in props if k not in skip]
        if item:  # a list item leads with its type, then the example's fields
            order.sort(key=lambda k: ("const" not in props[k], k not in values))
        for key in order:
            facts = field_facts(props[key])
            if "const" not in props[key]:
                self.comment(_note(facts, key in required, self.choices.get(key),
                                   (spreads or {}).get(key, "")), indent)
            self._field(key, props[key], facts, values, indent, "- " if item else "",
                        key in required)
            if item:
                item, indent = False, indent + "  "

    def _field(self, key: str, prop: Mapping[str, Any], facts: FieldFacts,
               values: Mapping[str, Any], indent: str, head: str, required: bool) -> None:
        ref, item = _ref(prop), _item_ref(prop)
        if key == "hazards":
            self._hazards(indent)
        elif ref is not None and key not in values:
            self.line(indent, f"{head}{key}:")
            self.fields(self.defs[ref], {}, indent + "  ")
        elif item is not None and key not in values:
            self.line(indent, f"{head}{key}: []")
            self._example_item(self.defs[item], indent)
        elif key in values or required:
            value = values[key] if key in values else facts.examples[0]
            self.line(indent, f"{head}{key}: {_yaml(value)}")
        elif facts.has_default and facts.default is not None:
            self.line(indent, f"{head}{key}: {_yaml(facts.default)}")
        elif "array" in facts.types and not facts.examples:
            self.line(indent, f"{head}{key}: []")
        else:
            shown = facts.examples[0] if facts.examples else facts.default
            self.line(indent, f"{head}{key}: {_yaml(shown)}", off=True)

    def _hazards(self, indent: str) -> None:
        if self.hazard is None:
            self.line(indent, "hazards: []")
            self.comment(f"add one with outage-sim scenarios new NAME --hazard TYPE; types: "
                         f"{', '.join(HAZARD_TYPES)}", indent)
            return
        guide = next(g for g in hazard_guide() if g.type == self.hazard)
        model = self.defs[next(k for k, d in self.defs.items()
                               if d.get("properties", {}).get("type", {}).get("const")
                               == self.hazard)]
        self.line(indent, "hazards:")
        self.comment(f"{guide.zh} / {guide.en}: {guide.summary}", indent + "  ")
        spreads = {p.name: p.spread_text for p in guide.parameters if p.spread_text}
        self.fields(model, guide.example, indent + "  ", spreads=spreads, item=True)
        for note in guide.notes:
            self.comment(note, indent + "    ")

    def _example_item(self, schema: Mapping[str, Any], indent: str) -> None:
        """A list's item model: each field on one comment line, then the model's example
        commented out."""
        required = set(schema.get("required", ()))
        for key, prop in schema["properties"].items():
            facts = field_facts(prop)
            shown = f"; e.g. {_yaml(facts.examples[0])}" if facts.examples else ""
            self.comment(f"{key}: {_note(facts, key in required, None, '')}{shown}", indent)
        example = dict((schema.get("examples") or [{}])[0])
        self.comment("for example (remove the '# ' to use it):", indent)
        for n, (key, value) in enumerate(example.items()):
            self.line(indent, f"{'- ' if n == 0 else '  '}{key}: {_yaml(value)}", off=True)


def _note(facts: FieldFacts, required: bool, choices: list[str] | None, spread: str) -> str:
    """The comment above a field: description, then unit and range, choices and spread."""
    parts = [facts.description.rstrip(".") or "(no description)"]
    if required:
        parts.append("required")
    bounds = range_text(facts)
    if bounds:
        parts.append(f"range {bounds}")
    elif facts.unit:
        parts.append(f"unit {facts.unit}")
    names = choices or [str(c) for c in facts.choices]
    if names:
        parts.append(f"one of {', '.join(map(str, names))}")
    if spread:
        parts.append(f"outcomes spread over {spread}")
    return "; ".join(parts)


def _ref(prop: Mapping[str, Any]) -> str | None:
    """The definition a property refers to (``{"$ref": "#/$defs/X"}``), or None."""
    ref = prop.get("$ref")
    return str(ref).rpartition("/")[2] if ref else None


def _item_ref(prop: Mapping[str, Any]) -> str | None:
    """The definition of a list's items, or None."""
    items = prop.get("items")
    return _ref(items) if isinstance(items, Mapping) else None
