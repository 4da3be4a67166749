"""The walking skeleton end to end: seeds through Prefect, trafilatura, GE, Parquet and DuckDB."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from etl.schema import ARROW_SCHEMAS

from conftest import DATA, query, view_snapshot

CONTRACT = {
    "articles": ["article_id", "uri", "source_name", "title", "author", "published_at", "district", "province",
                 "language", "text", "word_count", "content_hash", "fetched_at", "run_id"],
    "metrics": ["article_id", "seq", "quote", "value", "unit", "numerator", "denominator", "subject", "indicator",
                "year", "char_start", "char_end"],
    "awards": ["article_id", "seq", "quote", "award", "award_detail", "issuer", "recipient_kind", "recipient_count", "year"],
    "movements": ["article_id", "name", "kind"],
    "officials": ["article_id", "name", "position", "organization"],
    "documents": ["article_id", "doc_type", "number", "issued_on", "issuer", "quote"],
    "quarantine": ["table_name", "row", "failed_expectations", "run_id"],
    "runs": ["run_id", "started_at", "finished_at", "status", "validation_success"],
}


def test_seeds_load_into_every_contract_view(run_flow, seed_dir):
    summary, wh = run_flow(seed_dir)
    assert summary["status"] == "completed"
    assert summary["inputs"] == {"seen": 5, "new": 5, "changed": 0, "unchanged": 0, "failed": 0}
    assert query(wh, "select count(*) from articles") == [(5,)]
    for view, cols in CONTRACT.items():
        got = [r[0] for r in query(wh, f"select column_name from (describe {view})")]
        assert set(cols) <= set(got), (view, set(cols) - set(got))
    # the 14/14 targets of Nam Từ Liêm come through with numerator and denominator
    ratios = query(wh, "select numerator, denominator from metrics where unit = 'ratio' and quote like '14/14%'")
    assert ratios == [(14.0, 14.0)]
    # offsets point into the stored text
    bad = query(wh, "select count(*) from metrics m join articles a using (article_id) "
                    "where substr(a.text, m.char_start + 1, m.char_end - m.char_start) <> m.quote")
    assert bad == [(0,)]
    assert Path(summary["data_docs"]).is_file()
    assert query(wh, "select status, rows_articles from runs") == [("completed", 5)]


def test_second_run_changes_nothing(run_flow, seed_dir):
    first, wh = run_flow(seed_dir)
    before = view_snapshot(wh)
    second, _ = run_flow(seed_dir, wh)
    assert second["inputs"]["unchanged"] == 5 and second["rows"]["articles"] == 0
    assert view_snapshot(wh) == before
    assert query(wh, "select count(*) from runs") == [(2,)]


@pytest.mark.parametrize("name, content, reason", [
    ("empty.txt", b"", "empty file"),
    ("blank.txt", b"  \n\t \n", "only whitespace"),
    ("image.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "looks like a PNG image"),
    ("latin.txt", "Quận Ba Đình phát động thi đua".encode("utf-16-le"), "not a text article"),
    # windows-1258 Vietnamese is decoded now (tests/hostile); other non-UTF-8 text is still refused
    ("latin1.txt", "Société générale: café crème\nLe 14/14 objectifs".encode("latin-1"), "not valid utf-8"),
])
def test_bad_text_file_is_named_and_the_rest_load(run_flow, seed_dir, name, content, reason):
    (seed_dir / name).write_bytes(content)
    summary, wh = run_flow(seed_dir)
    assert summary["status"] == "completed"
    assert query(wh, "select count(*) from articles") == [(5,)]
    rows = query(wh, "select uri, reason, failed_expectations from quarantine where table_name = 'inputs'")
    assert len(rows) == 1
    uri, message, failed = rows[0]
    assert uri.endswith("/" + name)
    assert reason in message
    assert failed == "clean_failed"


def test_html_page_goes_through_trafilatura(run_flow, tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    shutil.copy(DATA / "html" / "meth04_tracking_news_mcp__baochinhphu_article.html", folder / "page.html")
    summary, wh = run_flow(folder)
    [(title, author, text)] = query(wh, "select title, author, text from articles")
    assert title == "Chính sách mới có hiệu lực từ tháng 3/2026"
    assert author != "Baochinhphu Vn"  # the site name is not a byline
    assert "Nghị định số 357/2025/NĐ-CP" in text
    assert "Tải ứng dụng" not in text


def test_arrow_schemas_cover_contract():
    for table, cols in CONTRACT.items():
        assert set(cols) <= set(ARROW_SCHEMAS[table].names)


def test_terminal_errors_are_not_retried_and_transient_ones_are(prefect_api):
    """The tasks' retry_condition_fn (etl.errors.should_retry): a retry only where it can help."""
    from prefect import flow, task

    from etl.errors import ConfigError, should_retry

    calls: list[str] = []

    @task(retries=2, retry_delay_seconds=0, retry_condition_fn=should_retry)
    def flaky(kind: str) -> str:
        calls.append(kind)
        if kind == "transient" and calls.count(kind) == 1:
            raise TimeoutError("read timeout")
        if kind == "terminal":
            raise ConfigError("sources.yaml: unknown key `timout`")
        return "ok"

    @flow
    def night(kind: str):
        return flaky(kind)

    assert night("transient") == "ok" and calls.count("transient") == 2
    with pytest.raises(ConfigError):
        night("terminal")
    assert calls.count("terminal") == 1


def test_a_missing_input_folder_fails_the_flow_before_any_task(run_flow, tmp_path):
    import time

    from etl.errors import MissingInputError

    start = time.perf_counter()
    with pytest.raises(MissingInputError, match="does not exist; pass --input DIR"):
        run_flow(tmp_path / "nowhere")
    assert time.perf_counter() - start < 10  # no discover retries (5 s + 30 s before)
    assert not (tmp_path / "warehouse").exists()


def test_library_modules_never_import_flows():
    import ast

    from conftest import ROOT

    offenders = []
    for path in (ROOT / "src" / "etl").rglob("*.py"):
        if path.name == "cli.py":  # the CLI is the edge: it calls the flow
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            offenders += [f"{path.name}: {n}" for n in names if n == "flows" or n.startswith("flows.")]
    assert offenders == []


# --- the outcome of a night (issue 14) -----------------------------------------------------------


def web_sources(tmp_path: Path, httpserver, failing: dict[str, int], folders: dict[str, Path] | None = None) -> Path:
    """A sources.yaml: each `failing` source lists that many URLs answering 404; `folders` read local files."""
    lines = ["allow_private_hosts: true", "rate_limit: 0", "max_retries: 0", "timeout: 2", "respect_robots: false",
             "sources:"]
    for name, n in failing.items():
        for i in range(n):
            httpserver.expect_request(f"/{name}/{i}").respond_with_data("gone", status=404)
        lines += [f"  {name}:", "    urls:"] + [f"      - {httpserver.url_for(f'/{name}/{i}')}" for i in range(n)]
    for name, folder in (folders or {}).items():
        lines += [f"  {name}:", f"    folders: [{folder}]"]
    path = tmp_path / "sources.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def night_record(wh: Path) -> dict:
    [row] = query(wh, "select status, error, run_name, flow_run_id, sources from runs")
    return dict(zip(["status", "error", "run_name", "flow_run_id", "sources"], row))


def flow_run_and_artifacts(flow_run_id: str):
    """(flow run, {artifact key: data}) from the Prefect API."""
    from uuid import UUID

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        run = client.read_flow_run(UUID(flow_run_id))
        artifacts = client.read_artifacts(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[UUID(flow_run_id)])))
    return run, {a.key: a.data for a in artifacts}


def test_a_night_where_every_source_fails_ends_failed_and_names_them(prefect_api, httpserver, tmp_path):
    from typer.testing import CliRunner

    from etl.cli import app
    from etl.clock import today_local

    sources = web_sources(tmp_path, httpserver, {"tin-a": 2, "tin-b": 1})
    wh = tmp_path / "warehouse"
    result = CliRunner().invoke(app, ["run", "--sources", str(sources), "--warehouse", str(wh), "-q"])
    assert result.exit_code == 1, result.output
    assert "the night failed: no source could be read" in result.output
    record = night_record(wh)
    assert record["status"] == "failed"
    assert "tin-a (2 failed" in record["error"] and "tin-b (1 failed" in record["error"]
    assert "HTTP 404" in record["error"]
    assert record["run_name"] == f"nightly-{today_local():%Y-%m-%d}-sources"
    run, artifacts = flow_run_and_artifacts(record["flow_run_id"])
    assert run.state.type.value == "FAILED" and "no source could be read" in run.state.message
    assert run.name == record["run_name"]
    markdown = artifacts["nightly-validation"]
    assert "— failed" in markdown and "| tin-a (failed) | 2 | 0 | 0 | 2 |" in markdown
    assert "| tin-b (failed) | 1 | 0 | 0 | 1 |" in markdown and "HTTP 404" in markdown
    assert "| inputs: acquire_failed | 3 |" in markdown  # quarantined rows by reason


def test_a_night_with_one_failing_source_completes_with_a_warning(prefect_api, httpserver, tmp_path, seed_dir):
    from typer.testing import CliRunner

    from etl.cli import app

    sources = web_sources(tmp_path, httpserver, {"tin-hong": 2}, folders={"seeds": seed_dir})
    wh = tmp_path / "warehouse"
    result = CliRunner().invoke(app, ["run", "--sources", str(sources), "--warehouse", str(wh), "-q", "--strict"])
    assert result.exit_code == 3, result.output  # --strict: a warning is not a clean night
    assert "warning: source tin-hong (2 failed" in result.output
    record = night_record(wh)
    assert record["status"] == "warning" and record["error"].startswith("source tin-hong (2 failed")
    assert query(wh, "select count(*) from articles") == [(5,)]
    run, artifacts = flow_run_and_artifacts(record["flow_run_id"])
    assert (run.state.type.value, run.state.name, run.state.message) == ("COMPLETED", "Warning", record["error"])
    markdown = artifacts["nightly-validation"]
    assert f"**warning:** {record['error']}" in markdown
    assert "| tin-hong (failed) | 2 | 0 | 0 | 2 |" in markdown and "| seeds | 5 | 5 | 5 | 0 | - |" in markdown
    # seconds per stage are real numbers in the table artifact (the stage rows were blank before)
    table = artifacts["nightly-run-summary"]
    table = json.loads(table) if isinstance(table, str) else table
    stages = {r["table"]: r["seconds"] for r in table if r["table"].startswith("stage:")}
    assert {"stage:discover", "stage:acquire", "stage:clean", "stage:load", "stage:publish"} <= set(stages)
    assert all(isinstance(s, (int, float)) and s >= 0 for s in stages.values())
    # the alert example (flows/automations.yaml) fires on this night's Warning event
    warning, completed = warning_event(record["flow_run_id"])
    assert [a.trigger.covers(warning) for a in example_automations()] == [True]
    assert [a.trigger.covers(completed) for a in example_automations()] == [False]
    # without --strict the same night exits 0
    again = CliRunner().invoke(app, ["run", "--sources", str(sources), "--warehouse", str(wh), "-q"])
    assert again.exit_code == 0, again.output


def example_automations():
    """The automations of flows/automations.yaml, parsed by Prefect's server schema."""
    import yaml
    from prefect.server.events.schemas.automations import AutomationCore

    from conftest import ROOT

    data = yaml.safe_load((ROOT / "flows" / "automations.yaml").read_text(encoding="utf-8"))
    return [AutomationCore.model_validate(a) for a in data["automations"]]


def warning_event(flow_run_id: str):
    """The flow run's `prefect.flow-run.Warning` event from the API, and the same event renamed Completed."""
    import time

    from prefect.client.orchestration import get_client
    from prefect.server.events.schemas.events import ReceivedEvent

    deadline = time.monotonic() + 20  # the server stores events a moment after the state change
    with get_client(sync_client=True) as client:
        while True:
            found = client.request("POST", "/events/filter", json={
                "filter": {"any_resource": {"id": [f"prefect.flow-run.{flow_run_id}"]}}}).json()["events"]
            events = [e for e in found if e["event"] == "prefect.flow-run.Warning"]
            if events or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    [event] = events
    warning = ReceivedEvent.model_validate(event)
    return warning, warning.model_copy(update={"event": "prefect.flow-run.Completed"})


def test_quarantine_beyond_the_configured_share_is_a_warning(run_flow, seed_dir):
    for n in range(6):
        (seed_dir / f"empty-{n}.txt").write_bytes(b"")
    summary, wh = run_flow(seed_dir, options={"max_quarantine_share": 0.01})
    assert summary["status"] == "warning"
    assert "rows quarantined (over max_quarantine_share 1%)" in summary["message"]
    assert summary["quarantine_reasons"] == {"inputs: clean_failed": 6}
    assert query(wh, "select status, error from runs") == [("warning", summary["message"])]


def test_an_empty_input_folder_fails_the_night(run_flow, tmp_path):
    from etl.errors import NightFailed

    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(NightFailed, match="no source yielded anything"):
        run_flow(empty)


def test_a_configured_source_that_yields_nothing_is_named(run_flow, seed_dir, tmp_path):
    empty = tmp_path / "tin-trong"
    empty.mkdir()
    sources = web_sources(tmp_path, None, {}, folders={"seeds": seed_dir, "tin-trong": empty})
    summary, wh = run_flow(None, sources=str(sources))
    assert summary["status"] == "warning" and summary["message"] == "source tin-trong yielded nothing"
    assert query(wh, "select count(*) from articles") == [(5,)]


def data_docs_statuses(index: Path) -> dict[str, set[str]]:
    """Table -> the `thidua-etl status` words of its rows in the Data Docs index (etl.datadocs' labelled column)."""
    import re

    found: dict[str, set[str]] = {}
    for table, status in re.findall(r"'_table_row_link_path': 'validations/([^/']+)/[^']*', "
                                    r"'etl_status': '<span [^>]*data-etl-status=\"([^\"]+)\"",
                                    index.read_text(encoding="utf-8")):
        found.setdefault(table, set()).add(status)
    return found


def test_a_warning_only_failure_is_passed_with_warnings_on_every_surface(prefect_api, seed_dir, tmp_path, monkeypatch):
    """Before: the CLI, the artifacts and `etl runs` said "passed" (from a boolean) where Data Docs said "Failed"."""
    from typer.testing import CliRunner

    from etl.cli import app
    from etl.validate import PASSED, PASSED_WITH_WARNINGS, docs_index

    from conftest import ROOT

    # the seeds' counts become a unit the suite does not know: a warning-severity failure, the rows still load
    suites = tmp_path / "expectations"
    shutil.copytree(ROOT / "expectations", suites)
    spec = json.loads((suites / "metrics.json").read_text(encoding="utf-8"))
    [known] = [e for e in spec["expectations"] if e.get("meta", {}).get("name") == "unit_is_known"]
    known["kwargs"]["value_set"].remove("count")
    (suites / "metrics.json").write_text(json.dumps(spec), encoding="utf-8")
    monkeypatch.setenv("ETL_EXPECTATIONS_DIR", str(suites))
    wh = tmp_path / "warehouse"

    result = CliRunner().invoke(app, ["run", "--input", str(seed_dir), "--warehouse", str(wh), "-q", "--strict"])

    assert result.exit_code == 0, result.output  # warnings of validation are no warning night
    cli = {line.split("│")[1].strip(): line.split("│")[5].strip() for line in result.output.splitlines()
           if line.startswith("│") and len(line.split("│")) == 7}
    assert cli["metrics"] == PASSED_WITH_WARNINGS and cli["articles"] == PASSED
    [night] = [line for line in result.output.splitlines() if line.startswith("validation: ")]
    assert night.startswith(f"validation: {PASSED_WITH_WARNINGS} — metrics: ") and "unit_is_known" in night
    [(status, success, word, flow_run_id)] = query(
        wh, "select status, validation_success, validation_status, flow_run_id from runs")
    assert (status, success, word) == ("completed", True, PASSED_WITH_WARNINGS)
    assert query(wh, "select count(*) from metrics where unit = 'count'")[0][0] > 0  # flagged, not quarantined
    _, artifacts = flow_run_and_artifacts(flow_run_id)
    table = artifacts["nightly-run-summary"]
    table = json.loads(table) if isinstance(table, str) else table
    artifact = {r["table"]: r["validation"] for r in table if ":" not in r["table"]}
    assert artifact == cli
    markdown = artifacts["nightly-validation"].split("## Validation")[1]
    assert f"Validation: **{PASSED_WITH_WARNINGS}**" in markdown
    cells = [[c.strip() for c in line.split("|")[1:-1]] for line in markdown.splitlines() if line.startswith("| ")]
    assert {c[0]: c[3] for c in cells[1:]} == cli  # cells[0] is the header
    assert "unit_is_known" in {c[0]: c[4] for c in cells[1:]}["metrics"]
    docs = data_docs_statuses(docs_index(wh))
    assert docs["metrics"] == {PASSED_WITH_WARNINGS} and docs["articles"] == {PASSED}
    assert {t: s for t, [s] in docs.items()} == cli
    runs = CliRunner().invoke(app, ["runs", "--warehouse", str(wh)])
    assert f"validation {PASSED_WITH_WARNINGS}" in " ".join(runs.output.split())
