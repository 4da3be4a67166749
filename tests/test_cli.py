"""Every command has help ending in a pasteable example."""

from __future__ import annotations

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
