"""The public face: ``--version``, ``python -m outage_sim``, the JSON Schemas, library = CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import outage_sim
from outage_sim.cli import app
from outage_sim.studies import SCHEMAS, RunResultDocument, schema_text

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def test_version_is_the_package_version():
    res = runner.invoke(app, ["--version"])
    assert res.exit_code == 0 and res.stdout.strip() == f"outage-sim {outage_sim.__version__}"


def test_python_dash_m_runs_the_cli():
    out = subprocess.run([sys.executable, "-m", "outage_sim", "--version"], capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == f"outage-sim {outage_sim.__version__}"


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_published_schemas_are_current(name):
    """docs/schemas/ is what readers see; it must be what the code checks against."""
    res = runner.invoke(app, ["schema", name])
    assert res.exit_code == 0
    published = ROOT / "docs" / "schemas" / f"{name}.schema.json"
    assert published.read_text(encoding="utf-8") == res.stdout == schema_text(name), (
        f"regenerate: outage-sim schema {name} > docs/schemas/{name}.schema.json")
    assert json.loads(res.stdout)["type"] == "object"


def test_unknown_schema_is_a_usage_error():
    res = runner.invoke(app, ["schema", "resutl"])
    assert res.exit_code == 2
    assert "schema: 'resutl' unknown; did you mean 'result'?" in res.output


def test_event_schema_documents_units():
    schema = json.loads(schema_text("event"))
    text = json.dumps(schema, ensure_ascii=False)
    for field in ("load_mw", "shed_mw", "customers", "customers_out"):
        assert field in text
    assert "MW" in text


def test_run_json_carries_schema_version_and_matches_the_result_schema(tmp_path):
    res = runner.invoke(app, ["run", str(ROOT / "scenarios" / "chengkou_external_damage.yaml"),
                              "--no-ac", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["schema_version"] == outage_sim.studies.RESULT_SCHEMA_VERSION
    assert list(doc)[0] == "schema_version"
    RunResultDocument.model_validate(doc)  # raises on a broken contract
    # the library's defaults are the CLI's: the same call gives the same document, restored
    lib = outage_sim.run_scenario(outage_sim.load_scenario(
        ROOT / "scenarios" / "chengkou_external_damage.yaml"), ac_check=False)
    assert lib.restoration is not None and doc["restoration"] is not None
    assert json.loads(json.dumps(lib.to_dict(), ensure_ascii=False, default=str)) == doc
    # ... and a broken document is caught: the schema is not a rubber stamp
    bad = {**doc, "level_rank": 7}
    with pytest.raises(ValueError, match="level_rank"):
        RunResultDocument.model_validate(bad)


@pytest.mark.slow  # the wheel gate (.ci/gates wheel) installs and runs the wheel in every CI run
def test_the_wheel_carries_every_facade(tmp_path):
    """The facades load their names from ``__init__.pyi``: a wheel without them is broken. Build
    the wheel, unpack it into an empty folder and use every facade from there."""
    wheel_dir = tmp_path / "wheel"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    str(ROOT), "-w", str(wheel_dir)], check=True, capture_output=True, cwd=tmp_path)
    (wheel,) = wheel_dir.glob("outage_sim-*.whl")
    site = tmp_path / "site"
    import zipfile

    zipfile.ZipFile(wheel).extractall(site)
    stubs = {p.relative_to(ROOT).as_posix() for p in (ROOT / "outage_sim").rglob("*.pyi")}
    assert stubs <= {p.relative_to(site).as_posix() for p in site.rglob("*.pyi")}
    code = ("import importlib, outage_sim\n"
            "assert outage_sim.__file__.startswith(%r)\n"
            "for stage in ('grid', 'hazards', 'engine', 'severity', 'response', 'restoration',\n"
            "              'reports', 'studies', 'drill'):\n"
            "    facade = importlib.import_module('outage_sim.' + stage)\n"
            "    [getattr(facade, n) for n in facade.__all__]\n"
            "print(outage_sim.classify, outage_sim.run_scenario)\n") % str(site)
    empty = tmp_path / "empty"
    empty.mkdir()
    out = subprocess.run([sys.executable, "-c", code], cwd=empty, capture_output=True, text=True,
                         env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr


def test_without_dask_the_parallel_sweep_names_the_extra(monkeypatch):
    """Dask is an extra (`outage_sim[parallel]`): without it, --workers says what to install."""
    import builtins

    from outage_sim.errors import InputError
    from outage_sim.studies.montecarlo import _run_dask

    real_import = builtins.__import__

    def no_dask(name, *args, **kwargs):
        if name == "dask" or name.startswith("dask."):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_dask)
    with pytest.raises(InputError, match=r"pip install 'outage_sim\[parallel\]'"):
        _run_dask(None, 0, [], 2, None, False)


def test_no_progress_bar_when_piped():
    """The progress bar goes to stderr and only to a terminal: piped output is the result alone."""
    res = runner.invoke(app, ["montecarlo", str(ROOT / "scenarios" / "ice_storm_2008.yaml"),
                              "--samples", "20"])
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines()[0].startswith("蒙特卡洛 Monte-Carlo:")
