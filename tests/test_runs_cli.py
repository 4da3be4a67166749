"""`etl runs` and `etl query` in an 80-column terminal, and their csv/json output (issue 14).

Before: `etl runs` in 80 columns cut every column, the run id included
("20261201T145435…"), and even piped output (200 columns) lost the validation column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from etl.cli import app
from etl.output import MIN_WRAPPED, cell_text, fit_widths, render_table

from conftest import ROOT, query

WIDTH = 80
# a warning night names its failed source with a long first error: the summary column must wrap it
LONG_ERROR = ("source bao-quan-1 (3 failed: https://quan1.hochiminhcity.gov.vn/tin-tuc/thi-dua-khen-thuong/"
              "phong-trao-thi-dua-yeu-nuoc-nam-2026.html: HTTP 503 Service Unavailable after 3 attempts)")


def night(wh: Path, input_dir: Path = ROOT / "seeds" / "articles") -> dict:
    """A real night through etl.pipeline (no Prefect; every row passes validation, no Data Docs): quick."""
    from etl import pipeline
    from etl.publish import publish
    from etl.settings import load_settings
    from etl.validate import Validated

    stages = pipeline.Stages(
        validate=lambda project, suites, tables, run_id: Validated(tables=tables),
        publish=lambda store, suites, validated_any: {"database": str(publish(store)), "data_docs": ""},
    )
    settings = load_settings({"input_dir": str(input_dir), "warehouse": str(wh), "compact_min_files": 0, "workers": 1},
                             environ={})
    with pipeline.open_run(settings) as (ctx, run):
        return pipeline.run_night(ctx, run, stages)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    """A real night over the seeds, plus a warning night and a failed night in the run record."""
    from etl.load import record_run
    from etl.publish import publish
    from etl.schema import Run
    from etl.storage import Store

    wh = tmp_path_factory.mktemp("runs-cli") / "warehouse"
    night(wh)
    store = Store(str(wh))
    started = dt.datetime(2026, 11, 30, 2, 0)
    record_run(store, Run(run_id="20261130T020000-b7c8d9", flow_run_id=None, started_at=started,
                          finished_at=started + dt.timedelta(seconds=42), status="warning", inputs_seen=40,
                          inputs_new=12, inputs_failed=3, rows_articles=12, rows_metrics=140, quarantined=2,
                          validation_success=True, seconds=42.25, error=LONG_ERROR))
    started = dt.datetime(2026, 11, 29, 2, 0)
    record_run(store, Run(run_id="20261129T020000-e1f2a3", flow_run_id=None, started_at=started,
                          finished_at=started, status="failed", validation_success=None, seconds=1.5,
                          error="no source could be read: bao-quan-1 (1 failed: DNS lookup failed)"))
    publish(store)
    return wh


def run_ids(wh: Path) -> list[str]:
    return [r[0] for r in query(wh, "select run_id from runs order by started_at desc")]


def invoke(*args: str) -> str:
    """The output of `etl ARGS` through CliRunner in an 80-column terminal."""
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": str(WIDTH)}, terminal_width=WIDTH)
    assert result.exit_code == 0, result.output
    return result.stdout


def subprocess_output(*args: str) -> str:
    """The output of `python -m etl.cli ARGS` in a fresh process with COLUMNS=80."""
    env = {**os.environ, "COLUMNS": str(WIDTH)}
    done = subprocess.run([sys.executable, "-m", "etl.cli", *args], capture_output=True, text=True, env=env,
                          timeout=120, check=True)
    return done.stdout


def assert_fits(output: str) -> None:
    too_long = [line for line in output.splitlines() if len(line) > WIDTH]
    assert too_long == [], too_long


@pytest.mark.parametrize("through", [invoke, subprocess_output], ids=["clirunner", "subprocess"])
def test_runs_table_fits_80_columns_with_whole_run_ids(warehouse, through):
    output = through("runs", "--warehouse", str(warehouse))
    assert_fits(output)
    ids = run_ids(warehouse)
    assert len(ids) == 3
    lines = output.splitlines()
    assert lines[0].split() == ["run_id", "status", "seconds", "summary"]  # a table, not row blocks
    for run_id in ids:
        assert sum(line.split()[:1] == [run_id] for line in lines) == 1, run_id
    assert "…" not in output
    at = next(i for i, line in enumerate(lines) if line.startswith(" 20261130T020000-b7c8d9"))
    assert lines[at].split()[1:3] == ["warning", "42.2"]
    column = lines[0].index("summary")
    end = next(i for i in range(at + 1, len(lines)) if lines[i][:column].strip())
    summary = " ".join(" ".join(line[column:] for line in lines[at:end]).split())
    assert summary.startswith("read 40 (new 12, changed 0, failed 3); loaded 12 articles, 140 facts; "
                                        "quarantined 2; validation passed. source bao-quan-1 (3 failed:")
    assert summary.endswith("HTTP 503 Service Unavailable after 3 attempts)")
    assert "validation not run. no source could be read" in " ".join(output.split())


@pytest.mark.parametrize("through", [invoke, subprocess_output], ids=["clirunner", "subprocess"])
def test_query_of_every_article_column_fits_80_columns(warehouse, through):
    output = through("query", "--warehouse", str(warehouse), "select * from articles order by article_id")
    assert_fits(output)
    rows = query(warehouse, "select article_id, run_id, title from articles order by article_id")
    # too many columns for 80: one block per row, every id whole on its own line
    blocks = output.split("row ")[1:]
    assert len(blocks) == len(rows) == 5
    for block, (article_id, run_id, title) in zip(blocks, rows):
        lines = [line.split() for line in block.splitlines()]
        assert ["article_id", article_id] in lines
        assert ["run_id", run_id] in lines
        assert " ".join(block.split()).find(" ".join(title.split())) > 0


def test_query_with_few_columns_is_a_table_that_wraps(warehouse):
    output = invoke("query", "--warehouse", str(warehouse),
                    "select run_id, article_id, quote, indicator, unit from metrics order by article_id, seq limit 20")
    assert_fits(output)
    lines = output.splitlines()
    assert lines[0].split() == ["run_id", "article_id", "quote", "indicator", "unit"]
    rows = query(warehouse, "select run_id, article_id from metrics order by article_id, seq limit 20")
    starts = [line.split()[:2] for line in lines[2:] if line[:2].strip()]
    assert starts == [list(r) for r in rows]


def test_fit_widths_keeps_identifiers_whole_and_gives_up_when_nothing_fits():
    run_id = "20261201T020000-a1b2c3"
    names = ["run_id", "note"]
    cells = [[run_id, "a long note " * 20]]
    widths = fit_widths(names, cells, 40)
    assert widths[0] == len(run_id) and widths[1] >= MIN_WRAPPED
    assert run_id in render_table(names, cells, 40)
    assert fit_widths([f"column_{i}" for i in range(12)], [["x" * 12] * 12], 80) is None


@pytest.mark.parametrize("command", [
    ("runs",),
    ("query", "select * from runs order by started_at desc"),
    ("query", "select * from metrics order by article_id, seq"),
], ids=["runs", "query-runs", "query-metrics"])
def test_csv_and_json_parse_back_to_the_same_rows(warehouse, command):
    sql = command[1] if len(command) > 1 else "select * from runs order by started_at desc"
    from etl.warehouse import connect

    con = connect(warehouse)
    try:
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    finally:
        con.close()
    args = [command[0], "--warehouse", str(warehouse), *command[1:]]

    parsed = list(csv.reader(io.StringIO(invoke(*args, "--format", "csv"))))
    assert parsed[0] == names
    assert parsed[1:] == [[cell_text(v) for v in row] for row in rows]

    records = json.loads(invoke(*args, "--format", "json"))
    expected = json.loads(json.dumps([dict(zip(names, row)) for row in rows], default=str))
    assert records == expected
    assert len(records) == len(rows) > 0
    # numbers and booleans keep their JSON types
    first = records[0]
    assert all(isinstance(first[n], (int, float)) for n in names if n in ("seconds", "value", "seq"))


def test_query_json_flag_is_format_json(warehouse):
    sql = "select run_id, status from runs order by started_at desc"
    assert json.loads(invoke("query", "--warehouse", str(warehouse), "--json", sql)) == \
        json.loads(invoke("query", "--warehouse", str(warehouse), "--format", "json", sql))


def test_unknown_format_is_refused(warehouse):
    result = CliRunner().invoke(app, ["runs", "--warehouse", str(warehouse), "--format", "xml"])
    assert result.exit_code == 2
    assert "xml" in result.output


def test_output_examples_hold():
    import doctest

    import etl.output

    assert doctest.testmod(etl.output).failed == 0


def test_a_run_id_inside_a_text_column_stays_whole_when_it_can():
    # giving the two path columns their whole width first left the note 12 columns: the run id was folded
    run_id = "20261201T020000-a1b2c3"
    names = ["source", "note", "target"]
    cells = [["file:///srv/inbox/quan-1/a.txt", f"rerun {run_id} after fixing the feed address " * 2,
              "file:///srv/inbox/quan-3/b.txt"]]
    output = render_table(names, cells, WIDTH)
    assert_fits(output)
    assert output.count(run_id) == 2


def test_run_records_written_before_validation_status_still_publish(tmp_path):
    """Every run file older than the column: the view gets a typed null, `etl runs` falls back to validation_success."""
    import pyarrow.parquet as pq

    from etl.publish import publish
    from etl.storage import Store

    wh = tmp_path / "warehouse"
    night(wh)
    assert query(wh, "select validation_status from runs") == [("passed",)]
    store = Store(str(wh))
    for rel in store.list_files("tables/runs", ".parquet"):
        pq.write_table(pq.read_table(store.path(rel)).drop_columns(["validation_status"]), store.path(rel))
    publish(store)
    assert query(wh, "select validation_status, typeof(validation_status), validation_success from runs") == [
        (None, "VARCHAR", True)]
    assert "; validation passed" in " ".join(invoke("runs", "--warehouse", str(wh)).split())


def test_runs_summary_speaks_the_validation_vocabulary():
    from etl.cli import VALIDATION_STYLE, run_summary
    from etl.validate import PASSED_WITH_WARNINGS, STATUSES

    assert set(VALIDATION_STYLE) == set(STATUSES)
    warned = run_summary({"validation_success": True, "validation_status": PASSED_WITH_WARNINGS})
    assert warned.endswith(f"validation {PASSED_WITH_WARNINGS}")
    assert run_summary({"validation_success": None}).endswith("validation not run")
