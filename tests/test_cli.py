"""Every command has help ending in a pasteable example."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from etl.cli import app

COMMANDS = sorted(get_command(app).commands)


def test_top_level_help_lists_run_and_query():
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "run" in result.output and "query" in result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_example(command):
    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output, command
    assert f"etl {command}" in result.output


def test_query_without_warehouse_says_what_to_do(tmp_path):
    result = CliRunner().invoke(app, ["query", "select 1", "--warehouse", str(tmp_path / "none")])
    assert result.exit_code == 2
    assert "etl run" in result.output


def run_cli(*args: str, cwd: Path | None = None) -> tuple[subprocess.CompletedProcess, float]:
    """`python -m etl.cli ARGS` in a fresh process; (result, seconds)."""
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "etl.cli", *args], capture_output=True, text=True, timeout=120,
                            cwd=cwd)
    return result, time.perf_counter() - start


def test_a_wrong_input_path_fails_at_once_with_one_line(tmp_path):
    # issue 14: it took 39-50 s of task retries and 78 lines with two tracebacks
    missing = tmp_path / "no-such-folder"
    result, seconds = run_cli("run", "--input", str(missing), "--warehouse", str(tmp_path / "wh"))
    assert result.returncode == 2
    assert seconds < 3, seconds
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"error: input folder {missing} does not exist; pass --input DIR")
    assert "Traceback" not in result.stderr

