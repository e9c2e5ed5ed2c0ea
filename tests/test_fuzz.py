"""Fuzzing every input as a hostile or careless user would (issue 19, item 5).

Hypothesis draws classify/respond events (JSON text, from stdin or a file), scenario files (YAML
text, loaded and, a few, run), command-line options of every command, and single-cell changes of
the grid model's data files, with the classes the issue found: duplicate keys, aliases, deep
nesting, huge or non-finite numbers, booleans for numbers, lone surrogates, zero-width and
blank names, years outside 1970–2200, impossible dates, bytes that are not UTF-8. Every input
must end by the contract (tests/_contract.py): exit 0 with valid output, or exit 2 with one line
naming the file, field or option; never a traceback, never another status, and within the
deadline of each example.

The default run draws :data:`DEFAULT` examples per property (about 20 s of CPU in all); the
``slow`` set draws :data:`SLOW`. With ``OUTAGE_SIM_FUZZ_STATS=FILE`` the outcome of every input
(by category and how it ended) is written to FILE as JSON.
"""

from __future__ import annotations

import atexit
import csv
import io
import itertools
import json
import os
import re
import shutil
import string
from collections import Counter
from pathlib import Path

import pytest
import yaml
from _contract import check, error_line
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from outage_sim.cli import app
from outage_sim.errors import DataFileError, InputError, OutageSimError
from outage_sim.grid import DATA_DIR, chongqing_net, read_grid_data
from outage_sim.studies import Scenario, load_scenario

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]
DEFAULT = {"event": 150, "scenario": 80, "run": 3, "options": 150, "data": 12}
SLOW = {"event": 3000, "scenario": 1500, "run": 40, "options": 3000, "data": 300}


def budget(examples: int, deadline: int | None = 5000) -> settings:
    """``examples`` inputs, each within ``deadline`` ms (the issue's bound: 5 s an input)."""
    return settings(max_examples=examples, deadline=deadline,
                    suppress_health_check=[HealthCheck.too_slow])

# --- outcomes, counted by category ----------------------------------------------------------------

OUTCOMES: Counter = Counter()
KINDS = [("size", r"larger than the .* limit"), ("depth", r"nested deeper"),
         ("values", r"more than [\d,]+ values"), ("duplicate key", r"duplicate key|key given twice"),
         ("repeated name", r"repeats|listed twice"), ("encoding", r"not UTF-8"),
         ("syntax", r"not valid (JSON|YAML|TOML)"), ("text", r"surrogate|control character"),
         ("time", r"year \d+ is outside|not a real date|ISO 8601|datetime|time"),
         ("option", r"^error: --"), ("file", r"cannot read|not found"),
         ("usage", (r"No such (option|command)|Missing (argument|option)|extra argument|"
                    r"requires an argument")),
         ("data file", r"\.csv")]


def _kind(line: str) -> str:
    return next((k for k, rx in KINDS if re.search(rx, line)), "field")


def _count(category: str, exit_code: int, line: str = "") -> None:
    OUTCOMES[(category, "exit 0" if exit_code == 0 else f"exit {exit_code}: {_kind(line)}")] += 1


def _write_stats() -> None:
    target = os.environ.get("OUTAGE_SIM_FUZZ_STATS")
    if target and OUTCOMES:
        rows: dict = {}
        for (category, outcome), n in sorted(OUTCOMES.items()):
            rows.setdefault(category, {})[outcome] = n
        Path(target).write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")


atexit.register(_write_stats)


def _run(category: str, args: list[str], stdin: bytes | None = None) -> str:
    result = runner.invoke(app, args, input=stdin)
    out = check(result, args)
    _count(category, result.exit_code, out if result.exit_code else "")
    return out


# --- building blocks ------------------------------------------------------------------------------

DISTRICTS = ["城口县", "巫溪县", "渝北区", "万州区", "渝中区", "石柱土家族自治县"]
ODD = ["", " ", "\u200b", "main", "\ud800", "a\x00b", "渝北区\u200b", "渝北区 ", " 渝北区",
       "\ufeff城口县", "x" * 300, "渝北", "Atlantis"]
names = st.one_of(st.sampled_from(DISTRICTS), st.sampled_from(ODD), st.text(max_size=12))
weird = st.one_of(st.none(), st.booleans(), st.text(max_size=8), st.just([]), st.just({}),
                  st.integers(-10**30, 10**30), st.just(10**400),
                  st.floats(allow_nan=True, allow_infinity=True))
figure = st.one_of(st.floats(0, 1e7), st.integers(0, 10**8), weird)


def _time_text(year: int, month: int, day: int, hour: int) -> str:
    return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:30:00+08:00"


times = st.one_of(
    st.builds(_time_text, st.integers(1970, 2200), st.integers(1, 12), st.integers(1, 28),
              st.integers(0, 23)),
    st.builds(_time_text, st.integers(1, 9999), st.integers(0, 13), st.integers(0, 32),
              st.integers(0, 25)),
    st.sampled_from(["2026-02-30", "2026-01-25T25:00:00+08:00", "now", "2026-01-25T06:30:00",
                     "9999-12-31T23:59:59+14:00", "1970-01-01T00:00:00-12:00"]),
    weird)


@st.composite
def areas(draw):
    area = {f: draw(figure) for f in ("load_mw", "shed_mw", "customers", "customers_out")}
    for f in draw(st.sets(st.sampled_from(sorted(area)), max_size=2)):
        del area[f]
    return area


@st.composite
def events(draw):
    event = {}
    if draw(st.booleans()):
        event["main"] = draw(st.one_of(areas(), weird))
    districts = draw(st.lists(st.builds(lambda n, a: {"name": n, **a}, names, areas()),
                              max_size=6))
    if districts or draw(st.booleans()):
        event["districts"] = districts
    for key, value in (("time", times), ("end_time", times),
                       ("cause", st.one_of(st.sampled_from(["flood", "ice", "fire"]), weird)),
                       ("secondary", st.lists(st.sampled_from(["environmental", "x"]),
                                              max_size=2)),
                       ("description", st.text(max_size=30))):
        if draw(st.booleans()):
            event[key] = draw(value)
    return event


def _mutate_bytes(data: bytes, how: str, n: int) -> bytes:
    """A textual accident of the kind the issue lists."""
    cut = n % (len(data) + 1)
    return {
        "none": data,
        "truncate": data[:cut],
        "bad byte": data[:cut] + b"\xff" + data[cut:],
        "bom": b"\xef\xbb\xbf" + data,
        "nul": data[:cut] + b"\x00" + data[cut:],
        "deep": b"[" * (50 + n) + data + b"]" * (50 + n),
        "surrogate escape": data.replace(b'"', b'"\\ud83d', 1),
    }[how]


def _duplicate_key(text: str, key: str) -> str:
    # the key given first in the top object, so that the event's own one repeats it
    return text.replace("{", f'{{"{key}": 1, ', 1) if text.startswith("{") else text


# --- events (classify, respond) -------------------------------------------------------------------


def _event_case(tmp, event, how, n, command, via_stdin, dup):
    text = json.dumps(event, ensure_ascii=n % 2 == 0, allow_nan=True)
    if dup:
        text = _duplicate_key(text, dup)
    data = _mutate_bytes(text.encode("utf-8", "surrogatepass"), how, n)
    args = [command, "-" if via_stdin else str(tmp / "event.json")]
    if not via_stdin:
        (tmp / "event.json").write_bytes(data)
    if n % 3 == 0:
        args.append("--json")
    _run(f"event ({command})", args, data if via_stdin else None)


@st.composite
def valid_events(draw):
    """An event every check accepts: figures within their wholes, names distinct, a real time
    (written with or without zero-width characters and blanks around the names)."""
    def area(draw_):
        load, customers = draw_(st.floats(1, 5e4)), draw_(st.integers(1, 10**7))
        return {"load_mw": load, "shed_mw": draw_(st.floats(0, 1)) * load,
                "customers": customers, "customers_out": draw_(st.integers(0, customers))}
    chosen = draw(st.lists(st.sampled_from(DISTRICTS), unique=True, max_size=4))
    spelled = [draw(st.sampled_from([n, n + "\u200b", f" {n} "])) for n in chosen]
    event = {"districts": [{"name": n, **area(draw)} for n in spelled]}
    if not chosen or draw(st.booleans()):
        whole = area(draw)
        whole["load_mw"] += sum(d["load_mw"] for d in event["districts"])
        whole["shed_mw"] = max(whole["shed_mw"], sum(d["shed_mw"] for d in event["districts"]))
        whole["customers"] += sum(d["customers"] for d in event["districts"])
        whole["customers_out"] = max(whole["customers_out"],
                                     sum(d["customers_out"] for d in event["districts"]))
        event["main"] = whole
    event["time"] = draw(times.filter(lambda t: isinstance(t, str) and t[:2] in ("19", "20")))
    return event


event_args = (st.one_of(valid_events(), events()), st.sampled_from(["none"] * 6 + ["truncate", "bad byte", "bom", "nul",
                                                         "deep", "surrogate escape"]),
              st.integers(0, 10_000), st.sampled_from(["classify", "respond"]), st.booleans(),
              st.sampled_from([None, None, None, "main", "districts", "time"]))


@pytest.fixture(scope="module")
def tmp(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@budget(DEFAULT["event"])
@given(*event_args)
def test_events(tmp, event, how, n, command, via_stdin, dup):
    _event_case(tmp, event, how, n, command, via_stdin, dup)


@pytest.mark.slow
@budget(SLOW["event"])
@given(*event_args)
def test_events_long(tmp, event, how, n, command, via_stdin, dup):
    _event_case(tmp, event, how, n, command, via_stdin, dup)


# --- scenario files -------------------------------------------------------------------------------

BASE = {"name": "fuzz", "time": "2026-07-15T10:20:00+08:00", "level": "summer_peak"}
FIELDS = {
    "name": st.one_of(st.sampled_from(ODD), st.text(max_size=20)),
    "description": st.text(max_size=40),
    "time": times,
    "level": st.one_of(st.sampled_from(["summer_peak", "winter_peak", "valley", "spring"]),
                       weird),
    "mode": st.one_of(st.sampled_from(["dispatch", "cascade", "panic"]), weird),
    "seed": st.one_of(st.integers(-5, 2**70), weird),
    "cascade_threshold": figure,
    "cause": st.one_of(st.sampled_from(["ice", "flood", "bogus"]), weird),
    "secondary": st.one_of(st.lists(st.sampled_from(["environmental", "food_drug", "bogus"]),
                                    max_size=3), weird),
    "key_areas": st.one_of(st.lists(names, max_size=4), weird),
    "end_of_hazard_h": figure,
    "hazards": st.lists(st.fixed_dictionaries(
        {"type": st.sampled_from(["ice_storm", "wind_storm", "volcano"]),
         "districts": st.one_of(st.lists(names, max_size=3), weird),
         "thickness_mm": figure}), max_size=2),
    "restoration": st.one_of(st.fixed_dictionaries(
        {"horizon_h": figure, "step_h": figure,
         "crews": st.one_of(st.dictionaries(names, st.one_of(st.integers(-2, 5), weird),
                                            max_size=2), weird)}), weird),
    "drill": st.one_of(st.fixed_dictionaries({"step_min": figure}), weird),
    "bogus_field": weird,
}


@st.composite
def scenarios(draw):
    scenario = dict(BASE)
    for key in draw(st.sets(st.sampled_from(sorted(FIELDS)), max_size=4)):
        scenario[key] = draw(FIELDS[key])
    for key in draw(st.sets(st.sampled_from(sorted(BASE)), max_size=1)):
        del scenario[key]
    return scenario


def _yaml_text(scenario: dict, how: str, n: int) -> bytes:
    try:
        text = yaml.safe_dump(scenario, allow_unicode=n % 2 == 0, sort_keys=False)
    except yaml.YAMLError:
        text = json.dumps(scenario, ensure_ascii=False)  # JSON is YAML too
    if how == "unquoted time":
        text = re.sub(r"^time: '(.*)'$", r"time: \1", text, flags=re.MULTILINE)
    elif how == "duplicate key":
        text += text.splitlines()[n % len(text.splitlines())] + "\n"
    elif how == "alias":
        text = "x: &x [" + ", ".join(["lol"] * 9) + "]\n" + text + "y: [" + \
            ", ".join(["*x"] * (1 + n % 20)) + "]\n"
    elif how == "tab":
        text = text.replace("\n", "\n\t", 1)
    elif how == "flow deep":
        text += "drill: " + "[" * (n % 3000) + "]" * (n % 3000) + "\n"
    elif how == "block deep":
        text += "drill:\n" + "".join(" " * (2 + i) + f"k{i}:\n" for i in range(n % 60)) + \
            " " * 70 + "v: 1\n"
    data = text.encode("utf-8", "surrogatepass")
    return _mutate_bytes(data, how, n) if how in ("bad byte", "bom", "nul", "truncate") else data


HOW = ["none"] * 4 + ["unquoted time", "duplicate key", "alias", "tab", "flow deep",
                      "block deep", "bad byte", "bom", "nul", "truncate"]


def _scenario_case(tmp, scenario, how, n):
    path = tmp / "scenario.yaml"
    path.write_bytes(_yaml_text(scenario, how, n))
    try:
        checked = load_scenario(path)
    except InputError as exc:
        line = error_line(f"error: {exc}")
        assert "scenario.yaml" in line, line
        _count("scenario file", 2, line)
        return
    assert isinstance(checked, Scenario)
    assert checked.name.strip() and not isinstance(checked.seed, bool)
    assert 1970 <= checked.time.year <= 2200
    assert len(set(checked.key_areas or ())) == len(checked.key_areas or ())
    _count("scenario file", 0)


scenario_args = (scenarios(), st.sampled_from(HOW), st.integers(0, 10_000))


@budget(DEFAULT["scenario"])
@given(*scenario_args)
def test_scenario_files(tmp, scenario, how, n):
    _scenario_case(tmp, scenario, how, n)


@pytest.mark.slow
@budget(SLOW["scenario"])
@given(*scenario_args)
def test_scenario_files_long(tmp, scenario, how, n):
    _scenario_case(tmp, scenario, how, n)


def _run_case(tmp, scenario, seed):
    path = tmp / "run.yaml"
    path.write_text(yaml.safe_dump(scenario, allow_unicode=True), encoding="utf-8")
    args = ["run", str(path), "--no-restoration", "--no-ac", "--json", "--seed", seed]
    out = _run("run", args)
    if not out.startswith("error: "):
        assert json.loads(out)["scenario"]["name"] == scenario.get("name", "").strip()


run_args = (st.fixed_dictionaries({k: st.just(v) for k, v in BASE.items()}, optional={
    "key_areas": st.lists(st.sampled_from(DISTRICTS + ["渝北区\u200b", "渝北区 "]), max_size=3),
    "seed": st.one_of(st.integers(-2, 10**6), st.booleans()),
    "hazards": st.just([{"type": "ice_storm", "districts": ["城口县"], "thickness_mm": 30}])}),
    st.sampled_from(["0", "7", "-1", "1e3", "x", "18446744073709551616"]))


@budget(DEFAULT["run"], deadline=None)
@given(*run_args)
def test_scenarios_run(tmp, scenario, seed):
    _run_case(tmp, scenario, seed)


@pytest.mark.slow
@budget(SLOW["run"], deadline=None)
@given(*run_args)
def test_scenarios_run_long(tmp, scenario, seed):
    _run_case(tmp, scenario, seed)


# --- command-line options -------------------------------------------------------------------------

INTS = st.one_of(st.integers(-3, 12).map(str), st.integers(-2**70, 2**70).map(str),
                 st.sampled_from(["", "1e3", "1.5", "x", "inf", "nan", "0x10", "１"]))
FLOATS = st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(str), INTS)
ADDRESSES = st.one_of(st.sampled_from(["not a url", "tcp://", "tcp://h:99999", "ftp://h:1",
                                       "tcp://10.0.0.5:8786", "h:1/x", "[::1]:8786", ""]),
                      st.text(string.printable, max_size=15))
COMMANDS = {  # command → its options (value strategy) and the trailing args that make it end
    "run": ({"--seed": INTS, "--sample": INTS}, ["{missing}"]),
    "montecarlo": ({"--samples": INTS, "--seed": INTS, "--workers": INTS, "--chunk": INTS,
                    "--scheduler": ADDRESSES}, ["{missing}"]),
    "drill": ({"--step": FLOATS, "--steps": INTS, "--seed": INTS}, ["{missing}"]),
    "contingency": ({"--k": INTS, "--top": INTS, "--mode": st.text(max_size=8)},
                    ["--out", "{tmp}/n1.txt"]),
    "plot": ({"--at": FLOATS, "--format": st.sampled_from(["png", "svg", "gif", ""])},
             ["{tmp}/no-run-folder"]),
    "schema": ({}, []),
}


@st.composite
def command_lines(draw):
    command = draw(st.sampled_from(sorted(COMMANDS)))
    options, tail = COMMANDS[command]
    args = [command]
    if command == "schema":
        args.append(draw(st.one_of(st.sampled_from(["scenario", "event", "respond", "result"]),
                                   st.text(max_size=8))))
    for opt in draw(st.sets(st.sampled_from(sorted(options)), max_size=3)) if options else ():
        args += [opt, draw(options[opt])]
    if draw(st.booleans()):
        args.append(draw(st.sampled_from(["--bogus", "--seed", "-x"])))
    return args + tail


def _options_case(tmp, args):
    args = [str(tmp / "missing.yaml") if a == "{missing}" else a.replace("{tmp}", str(tmp))
            for a in args]
    out = _run("options", args)
    if out.startswith("error: "):
        assert "Traceback" not in out


@budget(DEFAULT["options"])
@given(command_lines())
def test_command_line_options(tmp, args):
    _options_case(tmp, args)


@pytest.mark.slow
@budget(SLOW["options"])
@given(command_lines())
def test_command_line_options_long(tmp, args):
    _options_case(tmp, args)


# --- the grid model's data files ------------------------------------------------------------------

FOLDERS = itertools.count()
CELLS = st.one_of(st.sampled_from(["", "0", "-1", "nan", "inf", "-inf", "1e308", "True", "x",
                                   "万州区", "万州区\u200b", " 万州区 ", "陈家桥 500kV", "\ud800",
                                   "1.5", "99999999", "coal", "general"]),
                  st.text(max_size=6), st.floats(allow_nan=True, allow_infinity=True).map(str))


def _data_case(tmp, fname, row, column, value, level):
    # a new folder each time: the data of a folder is read once (cached by its path)
    for old in tmp.glob("data-*"):
        shutil.rmtree(old)
    data = tmp / f"data-{next(FOLDERS)}"
    shutil.copytree(DATA_DIR, data)
    path = data / fname
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    col = rows[0].index(column) if column in rows[0] else \
        (column if isinstance(column, int) else 0) % len(rows[0])
    rows[1 + row % (len(rows) - 1)][col] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_bytes(out.getvalue().encode("utf-8", "surrogatepass"))
    try:
        read_grid_data(data)
        net = chongqing_net(level, data_dir=data)
    except DataFileError as exc:
        line = error_line(f"error: {exc}")
        assert re.match(r"^error: [a-z_]+\.csv[ :]", line), line
        _count("data files", 2, line)
        return
    except OutageSimError as exc:  # e.g. more demand than generation: the model, not the file
        error_line(f"error: {exc}")
        _count("data files", exc.exit_code, str(exc))
        return
    assert len(net.bus) > 0
    _count("data files", 0)


data_args = (st.sampled_from(["districts.csv", "substations.csv", "line_types.csv", "lines.csv",
                              "transformers.csv", "units.csv", "renewables.csv", "interties.csv",
                              "load_levels.csv", "loads.csv"]),
             st.integers(0, 400), st.one_of(st.integers(0, 20), st.sampled_from(
                 ["name", "district", "length_km", "peak_p_mw", "p_min_mw", "load_class",
                  "bus", "zone", "vn_kv", "customers"])),
             CELLS, st.sampled_from(["summer_peak", "valley"]))


@budget(DEFAULT["data"], deadline=20_000)
@given(*data_args)
def test_data_files(tmp, fname, row, column, value, level):
    _data_case(tmp, fname, row, column, value, level)


@pytest.mark.slow
@budget(SLOW["data"], deadline=20_000)
@given(*data_args)
def test_data_files_long(tmp, fname, row, column, value, level):
    _data_case(tmp, fname, row, column, value, level)
