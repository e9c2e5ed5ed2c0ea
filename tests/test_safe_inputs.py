"""outage_sim.inputs, the grid data schema and the command-line boundary (issue 19): what is
read, what is refused, and how the refusal is worded."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError
from typer.testing import CliRunner

from outage_sim.cli import app
from outage_sim.errors import DataFileError, InputError
from outage_sim.grid import DATA_DIR, read_grid_data
from outage_sim.grid.schema import IMPORTANT_USERS
from outage_sim.inputs import (
    MAX_BYTES,
    MAX_DEPTH,
    Seed,
    Timestamp,
    clean,
    normalise_text,
    parse_json,
    parse_toml,
    parse_yaml,
    read_text,
)

runner = CliRunner()


def refused(parse, text: str) -> str:
    with pytest.raises(InputError) as err:
        parse(text, "f.yaml")
    message = str(err.value)
    assert "\n" not in message and message.startswith("f.yaml: ")
    return message.removeprefix("f.yaml: ")


# --- YAML -----------------------------------------------------------------------------------------


def test_yaml_reads_what_safe_load_reads_and_times_as_text():
    text = "a: 1\nb: [x, 2.5, true, null]\nt: 2026-01-25T06:30:00+08:00\nd: 2026-01-25\n"
    assert parse_yaml(text, "f.yaml") == {"a": 1, "b": ["x", 2.5, True, None],
                                          "t": "2026-01-25T06:30:00+08:00", "d": "2026-01-25"}


def test_small_aliases_are_read_and_a_bomb_is_refused_before_expanding():
    assert parse_yaml("a: &x [1, 2]\nb: *x\nc: {<<: {k: 1}, j: 2}\n", "f.yaml") == {
        "a": [1, 2], "b": [1, 2], "c": {"k": 1, "j": 2}}
    bomb = "a: &a [" + ",".join(["x"] * 10) + "]\n"
    for i, name in enumerate("bcdefgh"):
        prev = "abcdefgh"[i]
        bomb += f"{name}: &{name} [" + ",".join([f"*{prev}"] * 10) + "]\n"
    assert "more than 100,000 values in one input" in refused(parse_yaml, bomb)


@pytest.mark.parametrize(("text", "message"), [
    ("seed: 1\nseed: 2\n", "line 2, column 1: duplicate key 'seed' (first at line 1)"),
    ("a: {k: 1, \"k\\u200b\": 2}\n", "line 1, column 11: duplicate key 'k\\u200b' (first at line 1)"),
    ("t: 2026-02-30\n", "line 1, column 4: 2026-02-30 is not a real date or time"),
    ("t: 2026-01-25T25:00:00+08:00\n", "is not a real date or time"),
    ("t: 9999-01-01T00:00:00Z\n", "line 1, column 4: year 9999 is outside 1970–2200"),
    ("t: '9999-01-01T00:00:00Z'\n", "t: year 9999 is outside 1970–2200"),
    ("a: !!binary aGVsbG8=\n", "could not determine a constructor for the tag"),
    ("a: !!python/object:os.system {}\n", "could not determine a constructor"),
    ("a: [1\n", "not valid YAML at line 2, column 1: did not find expected ',' or ']'"),
    ("a: 1\n\tb: 2\n", "not valid YAML at line 2"),
    ("a: " + "[" * 100 + "]" * 100, f"nested deeper than {MAX_DEPTH} levels"),
    ("a: \"\\ud800\"\n", "found invalid Unicode character escape code"),
    ("a: \"x\\x07\"\n", "a: holds the control character U+0007"),
    ("a: " + "9" * 5000 + "\n", "line 1, column 4: '9999999999"),
    ("a: " + "9" * 30 + "\n", "a: must be a finite number, not a whole number of 30 digits"),
    ("--- 1\n--- 2\n", "expected a single document in the stream but found another"),
])
def test_yaml_refusals_name_the_line_or_the_field(text, message):
    assert message in refused(parse_yaml, text)


def test_yaml_deep_block_nesting_is_refused_without_recursion():
    text = "".join(" " * i + f"k{i}:\n" for i in range(2000)) + " " * 2000 + "v: 1\n"
    assert "nested deeper than 32 levels" in refused(parse_yaml, text)


# --- JSON and TOML --------------------------------------------------------------------------------


def test_json_duplicates_depth_and_numbers():
    assert parse_json('{"a": NaN, "b": [1, "x"]}', "e.json")["b"] == [1, "x"]
    assert "duplicate key 'main' at line 2; give each key once" in refused(
        parse_json, '{"main": 1,\n "main": 2}')
    assert "nested deeper" in refused(parse_json, "[" * 5000 + "]" * 5000)
    assert "nested deeper than 32 levels" in refused(parse_json, "[" * 40 + "]" * 40)
    assert "not valid JSON (Exceeds the limit" in refused(parse_json, "1" * 5000)
    assert "[0]: holds a lone surrogate" in refused(parse_json, '["\\ud800"]')
    assert "a: key given twice" in refused(parse_json, '{"a": 1, "a\\u200b": 2}')


def test_toml_depth():
    assert parse_toml("a = 1\n", "p.toml") == {"a": 1}
    assert "nested deeper" in refused(parse_toml, "a = " + "[" * 3000 + "]" * 3000)


# --- reading ---------------------------------------------------------------------------------------


def test_size_limit_holds_for_files_devices_and_stdin(tmp_path, monkeypatch):
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (MAX_BYTES + 1))
    with pytest.raises(InputError, match=r"big.json: larger than the 4 MB limit"):
        read_text(big)
    with pytest.raises(InputError, match=r"larger than the 4 MB limit"):
        read_text("/dev/zero")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"x" * (MAX_BYTES + 1))))
    with pytest.raises(InputError, match=r"^<stdin>: larger than the 4 MB limit"):
        read_text("-")


def test_utf8_is_refused_alike_from_a_file_and_from_stdin(tmp_path, monkeypatch):
    path = tmp_path / "e.json"
    path.write_bytes(b'{"a": "\xff"}')
    with pytest.raises(InputError) as from_file:
        read_text(path, name="E")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b'{"a": "\xff"}')))
    with pytest.raises(InputError) as from_stdin:
        read_text("-", name="E")
    assert str(from_file.value) == str(from_stdin.value) == (
        "E: not UTF-8 text (byte 0xff at line 1, column 8); save it as UTF-8")
    path.write_bytes(b"\xef\xbb\xbf{}")
    assert read_text(path) == "{}"  # a byte-order mark is dropped


def test_missing_and_unreadable(tmp_path):
    with pytest.raises(InputError, match=r"cannot read it \(No such file or directory\)"):
        read_text(tmp_path / "nope")
    with pytest.raises(DataFileError, match=r"x: gone$"):
        read_text(tmp_path / "nope", name="x", error=DataFileError, not_found="gone")
    with pytest.raises(InputError, match=r"cannot read it \(Is a directory\)"):
        read_text(tmp_path)


# --- text, times, seeds ---------------------------------------------------------------------------


def test_names_are_matched_normalised():
    assert normalise_text(" 渝北区\u200b ") == normalise_text("\ufeff渝北区") == "渝北区"
    assert normalise_text("e\u0301") == "\u00e9"  # NFC
    assert clean({" a ": ["\u200bx", 1]}) == {"a": ["x", 1]}


class _Model(BaseModel):
    time: Timestamp
    seed: Seed = 0


@pytest.mark.parametrize(("data", "message"), [
    ({"time": "9999-12-31T23:00:00+08:00"}, "year 9999 is outside 1970–2200"),
    ({"time": dt.datetime(1900, 1, 1, tzinfo=dt.UTC)}, "year 1900 is outside"),
    ({"time": 0}, "must be an ISO 8601 time with a UTC offset"),
    ({"time": "2026-01-25T06:30:00"}, "timezone"),
    ({"time": "2026-01-25T06:30:00Z", "seed": True}, "not the boolean True"),
    ({"time": "2026-01-25T06:30:00Z", "seed": -1}, "greater than or equal to 0"),
    ({"time": "2026-01-25T06:30:00Z", "seed": 2**63}, "less than or equal to"),
    ({"time": "2026-01-25T06:30:00Z", "seed": 1.5}, "fractional part"),
])
def test_timestamps_and_seeds(data, message):
    with pytest.raises(ValidationError, match=message):
        _Model.model_validate(data)
    assert _Model.model_validate({"time": "2026-01-25T06:30:00Z", "seed": 7}).seed == 7


# --- the grid's data files ------------------------------------------------------------------------


def _data(tmp_path, fname, old, new):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    path = data / fname
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return data


@pytest.mark.parametrize(("fname", "old", "new", "message"), [
    ("units.csv", "华能珞璜 #1,华能珞璜,江津区,珞璜 220kV,coal,360,162",
     "华能珞璜 #1,华能珞璜,江津区,珞璜 220kV,coal,360,400",
     r"^units\.csv row 2 \(华能珞璜 #1\), p_min_mw: 400 MW is above p_max_mw 360 MW$"),
    ("units.csv", ",珞璜 220kV,coal,360,162", ",珞璜 220kV,nuclear,360,162",
     r"type: must be 'coal', 'gas' or 'hydro' \(got 'nuclear'\)"),
    ("loads.csv", "万州1号 220kV,万州区", "万州1号 220kV,万州",
     (r"loads\.csv row 2 .*, district: no district named '万州' in districts\.csv; did you "
     r"mean '万州区'\?")),
    ("transformers.csv", "陈家桥 500kV,陈家桥 220kV", "陈家桥 500kV,陈家桥 500kV",
     r"lv_bus: the transformer ends where it starts"),
    ("load_levels.csv", "\nvalley,", "\nnight,",
     r"interties\.csv: no column 'night_mw' for the load level 'night'"),
    ("lines.csv", "name,from_bus", "name,name", r"lines\.csv: column 'name' appears twice"),
])
def test_data_file_problems_name_file_row_and_column(tmp_path, fname, old, new, message):
    with pytest.raises(DataFileError, match=message):
        read_grid_data(_data(tmp_path, fname, old, new))


def test_many_data_problems_are_counted_after_five(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    path = data / "lines.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    head = lines[0].split(",")
    k = head.index("length_km")
    rows = [line.split(",") for line in lines[1:9]]
    for row in rows:
        row[k] = "-1"
    path.write_text("\n".join([lines[0], *(",".join(r) for r in rows), *lines[9:]]) + "\n",
                    encoding="utf-8")
    with pytest.raises(DataFileError, match=r"\(and 3 more problems\)$"):
        read_grid_data(data)


def test_important_users_agree_with_annotate():
    from outage_sim.grid.annotate import IMPORTANT_USER_CATEGORIES
    assert set(IMPORTANT_USERS) == set(IMPORTANT_USER_CATEGORIES)


# --- the command line -----------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "line"), [
    (["frobnicate"], "error: No such command 'frobnicate'."),
    (["run"], "error: Missing argument 'SCENARIO'."),
    (["--bogus"], "error: No such option: --bogus"),
    (["run", "x.yaml", "--seed", "-1"], "error: --seed: must be greater than or equal to 0"),
    (["montecarlo", "x.yaml", "--samples", "0"], ("error: --samples: must be greater than or "
                                                 "equal to 1")),
    (["montecarlo", "x.yaml", "--samples", "5", "--scheduler", "ftp://h:1"],
     ("error: --scheduler: 'ftp://h:1': unknown scheme 'ftp'; use one of tcp, tls, inproc, ucx, "
     "ws, wss")),
    (["drill", "x.yaml", "--step", "-inf"], "error: --step: must be a finite number, not -inf"),
    (["contingency", "--top", "0"], "error: --top: must be greater than or equal to 1"),
    (["plot", "d", "--at", "1e9"], "error: --at: 1e+09 is not in the range 0 <= x <= 8760 hours"),
    (["grid", "summary", "--data", "/nonexistent"], ("error: --data: dir '/nonexistent' does not "
                                                    "exist.")),
])
def test_usage_errors_are_one_line_and_exit_2(args, line):
    res = runner.invoke(app, args)
    assert res.exit_code == 2 and res.stdout == ""
    assert res.stderr.splitlines() == [line]


def test_good_scheduler_addresses_pass_the_boundary(tmp_path):
    for address in ("tcp://10.0.0.5:8786", "10.0.0.5:8786", "[::1]:8786", "tls://host.example"):
        res = runner.invoke(app, ["montecarlo", str(tmp_path / "none.yaml"), "--samples", "5",
                                  "--scheduler", address])
        assert res.exit_code == 2 and "scenario file not found" in res.stderr, res.stderr


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "r"
    root = Path(__file__).resolve().parents[1]
    res = CliRunner().invoke(app, ["run", str(root / "scenarios" / "chengkou_external_damage.yaml"),
                                   "--no-ac", "--out", str(out)])
    assert res.exit_code == 0, res.output
    return out


@pytest.mark.parametrize("doc", ["[1, 2]", '{"shed": 3}', '{"shed": {"failed": 7}}', "{oops"])
def test_plot_refuses_a_result_json_that_is_not_a_runs(tmp_path, run_folder, doc):
    """`outage-sim plot DIR` reads result.json through the safe reader: a list, a wrong shape or
    broken JSON is one line and exit 2 (it was an AttributeError traceback)."""
    out = tmp_path / "r"
    shutil.copytree(run_folder, out)
    (out / "result.json").write_text(doc, encoding="utf-8")
    res = CliRunner().invoke(app, ["plot", str(out), "--force"])
    assert res.exit_code == 2
    assert "result.json" in res.output and "Traceback" not in res.output
    assert len(res.output.strip().splitlines()) == 1


def test_messages_stay_one_line_whatever_the_names_hold(tmp_path):
    """Regressions found by the long fuzz profile: a district named with a line break, and a zone
    holding a record separator (which str.splitlines breaks on), were echoed raw into messages."""
    event = tmp_path / "e.json"
    event.write_text('{"districts": [{"name": "0\\n0", "load_mw": 0, "shed_mw": 0, '
                     '"customers_out": 0}]}', encoding="utf-8")
    res = CliRunner().invoke(app, ["classify", str(event)])
    assert res.exit_code == 2
    assert len(res.output.splitlines()) == 1 and "'0\\n0'" in res.output
    data = _data(tmp_path, "districts.csv", "万州区,Wanzhou,regional,", "万州区,Wanzhou,re\x1egional,")
    with pytest.raises(DataFileError) as err:
        read_grid_data(data)
    assert len(str(err.value).splitlines()) == 1
