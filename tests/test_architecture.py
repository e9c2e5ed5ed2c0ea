"""The package's shape: stages as subpackages, imports one way, facades as the only way in.

The folder tree is the architecture diagram; these tests keep it true. Every ``import`` of an
``outage_sim`` module counts, at module level, inside functions and under ``TYPE_CHECKING``
alike: a circle through a function-level import is still a circle.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "outage_sim"

# Stages in the order data flows; a stage may import only the stages before it.
STAGES = ("grid", "hazards", "engine", "severity", "response", "restoration", "reports",
          "studies", "drill", "cli")
# Modules every stage may use: the version, the error types and the validation helpers.
BASE = ("outage_sim._version", "outage_sim.errors", "outage_sim.validation",
        "outage_sim.outputs", "outage_sim.inputs", "outage_sim.progress",
        "outage_sim.builtins")
# The top: the lazy public API and ``python -m outage_sim``.
TOP = ("outage_sim", "outage_sim.__main__")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[int, str, tuple[str, ...]]]:
    """(line, imported module, names) for every import of outage_sim in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    me = _module_name(path)
    package = me if path.stem == "__init__" else me.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name, ()) for a in node.names if a.name.startswith("outage_sim")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative (the facades' stubs)
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module == "outage_sim" and path.suffix == ".py":  # `from outage_sim import grid`
                out += [(node.lineno, f"outage_sim.{a.name}", ()) for a in node.names]
            elif module.startswith("outage_sim"):
                out.append((node.lineno, module, tuple(a.name for a in node.names)))
    return out


def _sources() -> list[Path]:
    return sorted([*PACKAGE.rglob("*.py"), *PACKAGE.rglob("*.pyi")])


def _stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in STAGES else None


def _edges() -> dict[str, set[str]]:
    """Module → modules it imports; ``from pkg import sub`` counts as importing ``pkg.sub``."""
    known = {_module_name(p) for p in _sources()}
    graph: dict[str, set[str]] = {}
    for path in _sources():
        if path.suffix == ".pyi":
            continue
        me = _module_name(path)
        for _, module, names in _imports(path):
            targets = {f"{module}.{n}" for n in names if f"{module}.{n}" in known} or {module}
            graph.setdefault(me, set()).update(t for t in targets if t != me)
    return graph


def test_every_module_belongs_to_a_stage_or_the_base():
    loose = [m for m in map(_module_name, _sources())
             if _stage(m) is None and m not in BASE + TOP]
    assert not loose, f"modules outside the stage subpackages: {loose}"


def test_imports_point_from_later_stages_to_earlier_ones():
    bad = []
    for path in _sources():
        me = _module_name(path)
        if me in TOP:
            continue
        mine = _stage(me)
        for line, module, _ in _imports(path):
            theirs = _stage(module)
            if module in BASE or theirs == mine:
                continue
            if me in BASE or theirs is None or STAGES.index(theirs) > STAGES.index(mine):
                bad.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {module}")
    assert not bad, "upward imports:\n" + "\n".join(bad)


def test_other_stages_come_in_through_the_facade():
    """``from outage_sim.severity import classify``, never ``outage_sim.severity.rules``: the
    facade is the stage's contract, its modules are free to change."""
    bad = []
    for path in _sources():
        me = _module_name(path)
        for line, module, _ in _imports(path):
            theirs = _stage(module)
            if theirs and theirs != _stage(me) and module != f"outage_sim.{theirs}" \
                    and me not in TOP:
                bad.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {module}")
            if theirs and theirs == _stage(me) and module == f"outage_sim.{theirs}" \
                    and path.suffix == ".py" and path.stem != "__init__":
                bad.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports its own facade")
    assert not bad, "\n".join(bad)


def test_no_import_circles():
    graph = _edges()
    state: dict[str, int] = {}
    cycles = []

    def visit(node, stack):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    assert not cycles, "import circles:\n" + "\n".join(" → ".join(c) for c in cycles)


@pytest.mark.parametrize("stage", [s for s in STAGES if s != "cli"])
def test_facade_names_exist(stage):
    facade = importlib.import_module(f"outage_sim.{stage}")
    missing = [n for n in facade.__all__ if not hasattr(facade, n)]
    assert not missing, f"outage_sim.{stage} lists names it cannot load: {missing}"


def test_public_api_is_lazy_and_classify_needs_no_pandapower():
    code = ("import sys, outage_sim\n"
            "assert 'pandapower' not in sys.modules and 'outage_sim.grid.model' not in sys.modules\n"
            "from outage_sim import classify\n"
            "from outage_sim.cli import classify_cmd\n"
            "assert 'pandapower' not in sys.modules, 'classify imported pandapower'\n"
            "from outage_sim import run_scenario, Drill, contingency_table\n"
            "print(sorted(outage_sim.__all__))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    for name in ("chongqing_net", "annotate_net", "load_scenario", "run_scenario", "classify",
                 "classify_batch", "build_response", "restore", "contingency_table",
                 "run_montecarlo", "Drill"):
        assert name in out.stdout
