"""MkDocs hook: the parts of the documentation that are generated from the code and the data.

A page asks for a generated part with a marker on a line of its own, ``<!-- gen:NAME -->`` (or
``<!-- gen:NAME ARG -->``); :func:`on_page_markdown` replaces it at build time, so the site cannot
drift from what ships:

- ``scenario-schema`` — the scenario file reference, from the pydantic model through
  ``outage_sim.studies.json_schema("scenario")`` (what ``outage-sim schema scenario`` prints);
- ``scenario-example NAME`` — a built-in scenario file, verbatim;
- ``builtin-scenarios`` — the built-in scenarios (name, title, load level, mode, seed);
- ``plan-*`` — the plan's rules as the data files state them (``outage_sim/data/plan/``);
- ``data-*`` — the model's data files with their ``source`` columns and sidecars;
- ``include FILE [SECTION]`` — a file of the checkout, or one ``## SECTION`` of it.

A marker nobody knows, or a generator that fails, stops the build (``mkdocs build --strict``).
:func:`on_page_content` renders the reST roles of the docstrings (``:func:`x```) as code.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "outage_sim" / "data"
MARKER = re.compile(r"^<!-- gen:(?P<name>[a-z-]+)(?: (?P<arg>[^>]*?))? -->$", re.MULTILINE)
ROLE = re.compile(r":(?:py:)?(?:func|class|meth|mod|attr|data|exc|obj|const):<code>~?([^<]*)</code>")
LEVEL_EN = {"特别重大": "extraordinarily serious", "重大": "major", "较大": "large", "一般": "general"}


# --- helpers ---------------------------------------------------------------------------------

def _cell(text: Any) -> str:
    """A value as one Markdown table cell."""
    s = "" if text is None else str(text)
    return s.replace("|", "\\|").replace("\n", " ").strip()


def _table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _rst(text: str) -> str:
    """A docstring-like description as Markdown: ``x`` stays code, ``::`` blocks become YAML."""
    head, sep, block = text.partition("::\n\n")
    if not sep:
        return text
    return head.rstrip() + ":\n\n```yaml\n" + block.rstrip() + "\n```\n"


def _scenario_dir() -> Path:
    for d in (DATA / "scenarios", ROOT / "scenarios"):
        if d.is_dir():
            return d
    raise FileNotFoundError("no built-in scenarios (outage_sim/data/scenarios/)")


def _plan() -> dict[str, Any]:
    with open(DATA / "plan" / "chongqing-2021.toml", "rb") as f:
        return tomllib.load(f)


def _organisation() -> dict[str, Any]:
    return yaml.safe_load((DATA / "plan" / "organisation.yaml").read_text(encoding="utf-8"))


# --- the scenario file reference -------------------------------------------------------------

def _type(prop: dict[str, Any]) -> str:
    """A JSON Schema property's type in a few words, with links to the sections of $defs."""
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{name.lower()})"
    if "const" in prop:
        return f"`{json.dumps(prop['const'], ensure_ascii=False)}`"
    if "enum" in prop:
        return ", ".join(f"`{v}`" for v in prop["enum"])
    for key in ("anyOf", "oneOf"):
        if key in prop:
            parts = [_type(p) for p in prop[key] if p.get("type") != "null"]
            nullable = any(p.get("type") == "null" for p in prop[key])
            return " or ".join(parts) + (" or null" if nullable else "")
    kind = prop.get("type", "any")
    if kind == "array":
        return f"list of {_type(prop.get('items', {}))}"
    if kind == "object":
        extra = prop.get("additionalProperties")
        if isinstance(extra, dict):
            return f"mapping of name → {_type(extra)}"
        return "mapping"
    if prop.get("format"):
        return f"{kind} ({prop['format']})"
    return kind


def _limits(prop: dict[str, Any]) -> str:
    words = {"minimum": "≥", "maximum": "≤", "exclusiveMinimum": ">", "exclusiveMaximum": "<",
             "minLength": "length ≥", "maxItems": "at most items:", "minItems": "at least items:"}
    found = [f"{w} {prop[k]}" for k, w in words.items() if k in prop]
    for sub in prop.get("anyOf", []):
        found += [f"{w} {sub[k]}" for k, w in words.items() if k in sub]
    return ", ".join(found)


def _fields(schema: dict[str, Any]) -> str:
    required = set(schema.get("required", []))
    rows = []
    for name, prop in schema.get("properties", {}).items():
        default = "" if name in required or "default" not in prop else \
            f"`{json.dumps(prop['default'], ensure_ascii=False)}`"
        rows.append([f"`{name}`", _type(prop), "yes" if name in required else "", default,
                     _limits(prop), prop.get("description", "")])
    return _table(["field", "type", "required", "default", "limits", "description"], rows)


def gen_scenario_schema(_arg: str | None) -> str:
    from outage_sim.studies import json_schema

    schema = json_schema("scenario")
    closed = " Unknown keys are refused." if schema.get("additionalProperties") is False else ""
    out = ["## The scenario (top level)\n\n", _rst(schema.get("description", "")) + closed,
           "\n\n", _fields(schema)]
    for name, sub in sorted(schema.get("$defs", {}).items()):
        out += [f"\n### {name}\n\n", _rst(sub.get("description", "")) + "\n\n", _fields(sub)]
        if "oneOf" in sub or "anyOf" in sub:
            out.append(f"\nOne of: {_type(sub)}\n")
    out += ["\n## The whole JSON Schema\n\n",
            '??? note "scenario.schema.json (as `outage-sim schema scenario` prints it)"\n\n',
            "    ```json\n"]
    out += [f"    {line}\n" for line in json.dumps(schema, ensure_ascii=False, indent=2).splitlines()]
    out.append("    ```\n")
    return "".join(out)


def gen_scenario_example(arg: str | None) -> str:
    path = _scenario_dir() / f"{arg}.yaml"
    return f"```yaml title=\"{arg}.yaml\"\n{path.read_text(encoding='utf-8').rstrip()}\n```\n"


def gen_builtin_scenarios(_arg: str | None) -> str:
    rows = []
    for path in sorted(_scenario_dir().glob("*.yaml")):
        sc = yaml.safe_load(path.read_text(encoding="utf-8"))
        rows.append([f"`{path.stem}`", sc.get("name", ""), sc.get("level", "summer_peak"),
                     sc.get("mode", "dispatch"), sc.get("seed", 0)])
    return _table(["name (for `outage-sim run NAME`)", "title", "load level", "mode", "seed"], rows)


# --- the plan's rules --------------------------------------------------------------------------

def gen_plan_head(_arg: str | None) -> str:
    p = _plan()["plan"]
    return _table(["what", "value"], [["plan", f"{p['name']} ({p['name_en']})"],
                             ["document", p["document"]], ["issued", p["issued"]],
                             ["grid", f"{p['grid']} ({p['grid_en']})"],
                             [f"boundary rule ({p['boundary_clause']})",
                              f"{p['boundary_rule']} — {p['boundary_rule_en']}"]])


def gen_plan_levels(_arg: str | None) -> str:
    rows = [[f"{lv['name']} ({lv['name_en']})", lv["clause"],
             f"{lv['response_level_zh']} / {lv['response_level']} ({lv['response_clause']})",
             f"{lv['warning_level_zh']} {lv['warning_color_zh']} / {lv['warning_level']} "
             f"{lv['warning_color']} ({lv['warning_clause']})"]
            for lv in sorted(_plan()["levels"], key=lambda x: -x["rank"])]
    return _table(["event level 事件分级", "clause", "response 响应级别", "warning 预警"], rows)


def _bands(bands: list[dict[str, Any]]) -> list[list[str]]:
    rows = []
    for b in bands:
        high = f", < {b['high_pct']}%" if "high_pct" in b else ""
        what = "load shed 减供负荷" if b["measure"] == "load_shed" else "customers out 停电用户"
        rows.append([f"{b['level']} ({LEVEL_EN.get(b['level'], '')})", what,
                     f"≥ {b['low_pct']}%{high}", b["clause"]])
    return rows


def gen_plan_main(_arg: str | None) -> str:
    return _table(["level", "measure (share of the main grid)", "band", "clause"],
                  _bands(_plan()["main"]["bands"]))


def gen_plan_district(_arg: str | None) -> str:
    out = []
    for c in _plan()["district"]["classes"]:
        out.append(f"**{c['name']}** ({c['name_en']}; pre-event load ≥ {c['min_load_mw']} MW; "
                   f"{c['clause']})\n\n")
        out.append(_table(["level", "measure (share of the district)", "band", "clause"],
                          _bands(c["bands"])) + "\n")
    return "".join(out)


def gen_plan_reading(arg: str | None) -> str:
    section = _plan()[arg or ""]
    rows = [[f"`{k}`", f"`{v}`"] for k, v in section.items()
            if k not in ("reason", "reason_en", "spread_note", "spread_note_en", "clause")]
    return (f"Clause: {section['clause']}\n\n" + _table(["setting", "value"], rows) +
            f"\n> {section['reason']}\n>\n> {section['reason_en']}\n")


def gen_plan_command(_arg: str | None) -> str:
    org = _organisation()
    leads = org["leads"]
    rows = [[lv["level_zh"], f"{lv['response_zh']} ({lv['response_level']})",
             f"{leads[lv['lead']]['zh']} — {leads[lv['lead']]['en']}", lv["clause"]]
            for lv in org["response_levels"]]
    multi = leads[org["multi_district_lead"]]
    return (_table(["level", "response", "who commands 指挥", "clause"], rows) +
            f"\nAn event of 一般/较大 touching {org['multi_district_min']} or more districts: "
            f"{multi['zh']} — {multi['en']} ({multi['clause']}).\n")


def gen_plan_warning(_arg: str | None) -> str:
    w = _organisation()["warning"]
    rows = [[colour, "; ".join(f"{i['zh']} ({i['en']})" for i in issuers)]
            for colour, issuers in w["issuers"].items()]
    return (f"Clause: {w['issuers_clause']}\n\n" + _table(["colour", "who may issue 发布单位"], rows) +
            f"\n> {w['issuers_note_zh']}\n>\n> {w['issuers_note_en']}\n")


def gen_plan_reports(_arg: str | None) -> str:
    r = _organisation()["reports"]
    names = {4: "特别重大", 3: "重大", 2: "较大", 1: "一般"}
    rows = []
    for c in r["clock"]:
        levels = "–".join(dict.fromkeys((names[c["min_rank"]], names[c["max_rank"]])))
        due = (f"{c['deadline_min']} min" if c.get("deadline_min") else "at once 立即") \
            if "deadline_min" in c else (f"every {c['interval_min'] // 60} h"
                                         if "interval_min" in c else "when due 及时")
        rows.append([c["kind"], levels, ", ".join(c["by"]), ", ".join(c["to"]), due,
                     f"{c['note_zh']} ({c['note_en']})", c["clause"]])
    return _table(["report", "levels", "by", "to", "due", "the plan's words", "clause"], rows)


def gen_plan_units(_arg: str | None) -> str:
    org = _organisation()
    rows = [[u["name_zh"], u["name_en"], ", ".join(u.get("activation", []))]
            for u in org["member_units"]]
    return (f"{len(rows)} member units ({org['member_units_clause']}); activation triggers are "
            "defined under `triggers` in `organisation.yaml`.\n\n" +
            _table(["member unit 成员单位", "English", "activated when"], rows))


def gen_plan_termination_checks(_arg: str | None) -> str:
    from outage_sim.restoration import CHECK_TEXT, CHECKS

    rows = [[f"§4.3({i})", f"`{name}`", CHECK_TEXT[name][0], CHECK_TEXT[name][1]]
            for i, name in enumerate(CHECKS, 1)]
    return _table(["clause", "check", "the plan's words", "as the model checks it"], rows)


# --- the model's data and their sources ------------------------------------------------------

def gen_data_tables(_arg: str | None) -> str:
    import pandas as pd

    out = []
    for path in sorted((DATA / "chongqing").glob("*.csv")):
        df = pd.read_csv(path, keep_default_na=False)
        cols = [c for c in df.columns if c.endswith("source")]
        out.append(f"### `{path.name}`\n\n{len(df)} rows; columns: "
                   + ", ".join(f"`{c}`" for c in df.columns) + "\n\n")
        for col in cols:
            counts = Counter(df[col])
            estimated = sum(n for s, n in counts.items() if s.startswith("estimate"))
            out.append(f"`{col}`: {len(df) - estimated} rows sourced, {estimated} estimated "
                       f"by a stated rule.\n\n")
            out.append(_table(["rows", "source"], [[n, s] for s, n in counts.most_common()]))
            out.append("\n")
    return "".join(out)


def gen_data_sidecars(_arg: str | None) -> str:
    rows = []
    for path in sorted(DATA.rglob("*.toml")):
        if path.parent.name == "plan":
            continue
        with open(path, "rb") as f:
            meta = tomllib.load(f)
        rows.append([f"`{path.relative_to(ROOT).as_posix()}`", f"`{meta.get('file', '')}`",
                     meta.get("source", ""), meta.get("processing", ""), meta.get("licence", "")])
    return _table(["sidecar", "file", "source", "processing", "licence"], rows)


def gen_data_parameters(arg: str | None) -> str:
    folder = DATA / (arg or "hazards")
    out = []
    for path in sorted(folder.glob("*.yaml")):
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        rows = []
        for key, entry in entries.items():
            if not isinstance(entry, dict) or "value" not in entry:
                continue
            kind = "source" if "source" in entry else "estimate"
            rows.append([f"`{key}`", f"`{json.dumps(entry['value'], ensure_ascii=False)}`",
                         kind, entry.get(kind, "")])
        if rows:
            out.append(f"### `{path.relative_to(ROOT).as_posix()}`\n\n")
            out.append(_table(["parameter", "value", "kind", "source or estimate"], rows) + "\n")
    return "".join(out)


# --- files of the checkout -----------------------------------------------------------------

def gen_include(arg: str | None) -> str:
    name, _, section = (arg or "").partition(" ")
    text = (ROOT / name).read_text(encoding="utf-8")
    if not section:
        return text
    m = re.search(rf"^## {re.escape(section)}\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    if m is None:
        raise ValueError(f"{name} has no section '## {section}'")
    return m.group(1).strip() + "\n"


GENERATORS = {name[4:].replace("_", "-"): fn for name, fn in dict(globals()).items()
              if name.startswith("gen_")}


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    def replace(m: re.Match[str]) -> str:
        name = m.group("name")
        if name not in GENERATORS:
            raise ValueError(f"{page.file.src_uri}: unknown marker gen:{name}")
        return GENERATORS[name](m.group("arg"))

    return MARKER.sub(replace, markdown)


def on_page_content(html: str, **_: Any) -> str:
    # reST in docstrings: a role becomes code, "text::" before a literal block becomes "text:"
    return ROLE.sub(r"<code>\1</code>", html).replace("::</p>", ":</p>")
