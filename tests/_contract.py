"""The contract of every command on any input (issue 19), shared by tests/test_corpus.py and
tests/test_fuzz.py: exit 0 with output, or exit 2 with one error line that names the culprit;
never a traceback, never another status."""

from __future__ import annotations

import json
import re

HEAD = re.compile(r"^error: .+: \d+ problems$")


def error_line(stderr: str) -> str:
    """The one error of a refused input (``error: ...``); a scenario with several problems may
    list them under a head line (``error: s.yaml: 3 problems``), one an indented line."""
    lines = stderr.splitlines()
    assert lines and lines[0].startswith("error: "), stderr[:2000]
    if len(lines) > 1:
        assert HEAD.match(lines[0]) and all(line.startswith("  ") for line in lines[1:]), \
            stderr[:2000]
    assert "Traceback" not in stderr
    return lines[0]


def check(result, args: list[str]) -> str:
    """Check a CliRunner result against the contract; returns the error line or stdout."""
    exc = result.exception
    assert exc is None or isinstance(exc, SystemExit), (args, repr(exc))
    assert "Traceback" not in result.output, result.output[:2000]
    assert result.exit_code in (0, 2), (args, result.exit_code, result.output[:2000])
    if result.exit_code == 2:
        assert result.stdout == "", (args, result.stdout[:500])
        return error_line(result.stderr)
    assert result.stdout.strip(), args
    if "--json" in args:
        json.loads(result.stdout)
    return result.stdout
