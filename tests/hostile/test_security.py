"""Hostile users and leaky secrets: `etl query` cannot write, credentials never reach logs,
artifacts or tables, and the `make ui` server listens on loopback only."""

from __future__ import annotations

import logging
import os
import re

import pytest
from typer.testing import CliRunner

from conftest import ROOT, SEEDS, query
from conftest_web import Reply, site  # noqa: F401 (fixture)

SECRETS = {
    "AWS_ACCESS_KEY_ID": "AKIAHOSTILETESTKEY01",
    "AWS_SECRET_ACCESS_KEY": "hostile-secret-access-key-0123456789abcdef",
    "AWS_SESSION_TOKEN": "hostile-session-token-FwoGZXIvYXdzE",
    "ETL_TEST_TOKEN": "hostile-bearer-token-5f1c2d",
}
URL_PASSWORD = "hostile-url-password-77"
URL_TOKEN = "hostile-query-token-88"


def cli(*args: str):
    from etl.cli import app

    return CliRunner().invoke(app, list(args))


# --------------------------------------------------------------------------- #
# one run with secrets in the environment and in a source URL
# --------------------------------------------------------------------------- #

@pytest.fixture(scope="module")
def secret_run(prefect_api, tmp_path_factory):
    """A run over the seeds and a web page whose URL carries a password and a token; logs captured."""
    from flows.nightly import nightly_ingest

    from conftest_web import Site

    web = Site().start()
    web.static("/robots.txt", b"", "text/plain")
    page = (SEEDS / "000_db400617e4ced398.txt").read_text(encoding="utf-8")
    web.static("/tin.html", ("<html><body><article>" + "".join(f"<p>{p}</p>" for p in page.split("\n") if p)
                             + "</article></body></html>").encode())
    web.static("/missing.html", b"", "text/html", status=404)
    base = f"http://reader:{URL_PASSWORD}@127.0.0.1:{web.port}"
    tmp = tmp_path_factory.mktemp("secrets")
    sources = tmp / "sources.yaml"
    sources.write_text(
        "allow_private_hosts: true\nrate_limit: 0\nmax_retries: 0\n"
        f"sources:\n  private:\n    urls:\n      - {base}/tin.html?token={URL_TOKEN}\n"
        f"      - {base}/missing.html?api_key={URL_TOKEN}\n", encoding="utf-8")
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(self.format(record))

    handler = Keep(level=logging.DEBUG)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    saved = {k: os.environ.get(k) for k in SECRETS}
    os.environ.update(SECRETS)
    wh = tmp / "warehouse"
    try:
        summary = nightly_ingest(input_dir=str(SEEDS), warehouse=str(wh), sources=str(sources))
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        root.removeHandler(handler)
        root.setLevel(old_level)
        web.stop()
    return summary, wh, records, web


def leaked(text: str) -> list[str]:
    return [s for s in [*SECRETS.values(), URL_PASSWORD, URL_TOKEN] if s in text]


def test_the_secret_run_did_its_work(secret_run):
    summary, wh, _, _ = secret_run
    assert summary["status"] == "completed"
    assert query(wh, "select count(*) from articles") == [(6,)]
    assert query(wh, "select count(*) from quarantine where table_name = 'inputs' and reason like 'HTTP 404%'") == [(1,)]


@pytest.mark.parametrize("name", [
    "key", "api_key", "apikey", "X-API-Key", "token", "access_token", "access-token", "refresh_token", "jwt",
    "private_token", "sid", "PHPSESSID", "session_id", "signature", "sig", "X-Amz-Signature", "X-Amz-Credential",
    "X-Amz-Security-Token", "password", "passwd", "auth", "auth_token", "client_secret", "secret",
])
def test_secret_query_parameters_are_stripped(name):
    from etl.fetch import canonical_url, strip_credentials

    url = f"https://example.vn/tin.html?page=2&{name}={URL_TOKEN}&id=7"
    assert strip_credentials(url) == "https://example.vn/tin.html?page=2&id=7"
    assert URL_TOKEN not in canonical_url(url)


@pytest.mark.parametrize("name", ["page", "id", "category", "keyword", "monkey", "tokenizer", "q"])
def test_ordinary_query_parameters_stay(name):
    from etl.fetch import strip_credentials

    url = f"https://example.vn/tin.html?{name}=1"
    assert strip_credentials(url) == url


def test_no_credential_in_logs(secret_run):
    _, _, records, _ = secret_run
    assert len(records) > 20
    assert leaked("\n".join(records)) == []


def test_no_credential_in_any_warehouse_file_or_table(secret_run):
    _, wh, _, _ = secret_run
    for path in wh.rglob("*"):
        if path.is_file():
            assert leaked(path.read_bytes().decode("latin-1")) == [], path
    for table in ("articles", "quarantine", "runs", "fetches"):
        rows = query(wh, f"select * from {table}")
        assert rows and leaked(repr(rows)) == [], table


def test_no_credential_in_prefect_artifacts_logs_or_flow_run_parameters(secret_run):
    import httpx
    from prefect.settings import PREFECT_API_URL

    summary, _, _, _ = secret_run
    api, run_id = PREFECT_API_URL.value(), summary["flow_run_id"]
    # plain HTTP: this prefect client sends null filters the server rejects (422)
    artifacts = httpx.post(f"{api}/artifacts/filter", json={
        "artifacts": {"flow_run_id": {"any_": [run_id]}}, "limit": 100, "sort": "CREATED_DESC"}).raise_for_status().json()
    logs = httpx.post(f"{api}/logs/filter", json={
        "logs": {"flow_run_id": {"any_": [run_id]}}, "limit": 200, "sort": "TIMESTAMP_ASC"}).raise_for_status().json()
    flow_run = httpx.get(f"{api}/flow_runs/{run_id}").raise_for_status().json()
    assert {a["key"] for a in artifacts} >= {"nightly-run-summary"}
    assert leaked(repr(artifacts)) == [] and leaked(repr(logs)) == [] and leaked(repr(flow_run)) == []


# --------------------------------------------------------------------------- #
# etl query is read-only
# --------------------------------------------------------------------------- #

@pytest.mark.parametrize("sql, kind", [
    ("create table stolen as select * from articles", "CREATE"),
    ("insert into quarantine select * from quarantine", "INSERT"),
    ("drop view articles", "DROP"),
    ("update runs set status = 'completed'", "UPDATE"),
    ("delete from runs", "DELETE"),
    ("copy (select * from articles) to '{wh}/tables/articles/article_year=2023/injected.parquet'", "COPY"),
    ("export database '{wh}/exported'", "EXPORT"),
    ("attach '{wh}/other.duckdb' as other", "ATTACH"),
    ("install httpfs", "LOAD"),
    ("select 1; create view v as select 1", "CREATE"),
])
def test_etl_query_refuses_every_write_with_a_clear_message(secret_run, sql, kind):
    _, wh, _, _ = secret_run
    before = {p.relative_to(wh) for p in wh.rglob("*")}
    result = cli("query", sql.format(wh=wh), "--warehouse", str(wh))
    assert result.exit_code == 1
    message = " ".join(result.output.split())
    assert "read-only" in message and kind in message, message
    assert {p.relative_to(wh) for p in wh.rglob("*")} == before
    assert query(wh, "select count(*) from articles") == [(6,)]


def test_etl_query_still_reads(secret_run):
    _, wh, _, _ = secret_run
    for sql in ("select count(*) as n from articles", "describe metrics", "show tables", "summarize runs",
                "with a as (select 1 as n) select n from a", "from awards limit 1"):
        result = cli("query", sql, "--warehouse", str(wh), "--json")
        assert result.exit_code == 0, (sql, result.output)


@pytest.mark.parametrize("sql, kind", [
    ("call enable_logging(storage = 'file', storage_path = '{tmp}/log')", "CALL"),
    ("pragma table_info('runs')", "PRAGMA"),
    ("set enable_external_access = true", "SET"),
    ("set variable etl_root = '/'", "SET"),
    ("explain analyze select * from articles", "EXPLAIN"),
])
def test_etl_query_accepts_only_select_with_describe_show(secret_run, tmp_path, sql, kind):
    _, wh, _, _ = secret_run
    result = cli("query", sql.format(tmp=tmp_path), "--warehouse", str(wh))
    assert result.exit_code == 1
    message = " ".join(result.output.split())
    assert f"read-only: {kind} statements are refused" in message, message
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("sql", [
    "select * from read_csv('/etc/passwd', sep = ':')",
    "select * from glob('/**')",
    "select * from read_text('/proc/self/environ')",
    "select * from read_blob('/etc/hostname')",
    "select * from read_text('{wh}/tables/../gx/great_expectations.yml')",
    "select * from read_parquet('{wh}/../*/tables/**/*.parquet')",
])
def test_etl_query_reads_no_file_outside_the_warehouse_tables(secret_run, sql):
    _, wh, _, _ = secret_run
    result = cli("query", sql.format(wh=wh), "--warehouse", str(wh), "--json")
    assert result.exit_code == 1
    message = " ".join(result.output.split())
    assert "Permission Error" in message and "disabled by configuration" in message, message
    assert leaked(message) == [] and "root:" not in message


def test_the_dashboard_connection_is_locked_down(secret_run, tmp_path):
    """etl.warehouse.connect: views read, no other file, no extension, no setting changes, no logging to files."""
    import duckdb

    from etl.warehouse import connect

    _, wh, _, _ = secret_run
    con = connect(wh)
    try:
        assert con.execute("select count(*) from articles").fetchall() == [(6,)]
        with pytest.raises(duckdb.PermissionException):
            con.execute("select * from read_text('/proc/self/environ')")
        with pytest.raises(duckdb.PermissionException):
            con.execute("select * from glob('/**')")
        for sql in ("set enable_external_access = true", "set allowed_directories = ['/']",
                    "set autoload_known_extensions = true",
                    f"call enable_logging(storage = 'file', storage_path = '{tmp_path}/log')"):
            with pytest.raises(duckdb.Error, match="configuration has been locked"):
                con.execute(sql)
        with pytest.raises(duckdb.Error, match="(?i)disabled|permission"):
            con.execute("load httpfs")
        assert con.execute("select current_setting('autoinstall_known_extensions'), "
                           "current_setting('enable_external_access')").fetchall() == [(False, False)]
    finally:
        con.close()
    assert list(tmp_path.iterdir()) == []


def test_a_copied_or_moved_warehouse_reads_its_own_files(run_flow, tmp_path):
    """warehouse.duckdb names no absolute path: a copy works after the original is gone."""
    import shutil

    from etl.warehouse import connect

    _, wh = run_flow(SEEDS, tmp_path / "original")
    assert str(wh).encode() not in (wh / "warehouse.duckdb").read_bytes()
    copy = shutil.copytree(wh, tmp_path / "copy")
    moved = tmp_path / "elsewhere" / "moved"
    moved.parent.mkdir()
    wh.rename(moved)  # the original's files are gone from where they were published
    for target in (copy, moved, copy / "warehouse.duckdb"):
        con = connect(target)
        try:
            assert con.execute("select count(*) from articles").fetchall() == [(5,)]
            assert con.execute("select count(*) > 0 from metrics").fetchall() == [(True,)]
        finally:
            con.close()
    result = cli("query", "select count(*) as n from articles", "--warehouse", str(copy), "--json")
    assert result.exit_code == 0 and '"n": 5' in result.output, result.output


def test_the_database_file_is_opened_read_only(secret_run):
    import duckdb

    from etl.cli import open_warehouse

    _, wh, _, _ = secret_run
    con = open_warehouse(str(wh))
    try:
        with pytest.raises(duckdb.Error, match="read-only"):
            con.execute("create table x as select 1")
    finally:
        con.close()


# --------------------------------------------------------------------------- #
# make ui: the Prefect server binds to loopback
# --------------------------------------------------------------------------- #

def test_make_ui_starts_the_prefect_server_on_loopback_only(monkeypatch, tmp_path):
    ui = pytest.importorskip("etl.ui")
    recipe = re.search(r"^ui:.*\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert recipe, "Makefile has no ui target"
    command = recipe.group(1).strip()
    assert "-m etl.ui" in command and "--host" not in command  # the default host is used

    started: list[list[str]] = []
    monkeypatch.setattr(ui.Stack, "spawn", lambda self, name, args: started.append(args))
    monkeypatch.setattr(ui, "wait_healthy", lambda *a, **k: None)
    monkeypatch.setattr(ui.Stack, "create_pools", lambda self, *a: [])
    monkeypatch.setattr(ui.Stack, "deploy", lambda self, *a: "")
    monkeypatch.setattr(ui.Stack, "stop", lambda self, *a: None)
    monkeypatch.setenv("PREFECT_SERVER_API_HOST", "0.0.0.0")  # a hostile profile must not widen it
    with ui.running_stack(port=4999, home=tmp_path, log_dir=tmp_path, worker=False) as stack:
        assert stack.ui_url == "http://127.0.0.1:4999"
        assert stack.env["PREFECT_API_URL"] == "http://127.0.0.1:4999/api"
    [server] = [a for a in started if a[:2] == ["server", "start"]]
    assert server[server.index("--host") + 1] == "127.0.0.1"

    # `python -m etl.ui` without --host (what `make ui` runs) asks for 127.0.0.1
    import contextlib

    asked = {}

    @contextlib.contextmanager
    def fake_stack(host, port, home=None, worker=True):
        asked["host"] = host
        raise KeyboardInterrupt
        yield

    monkeypatch.setattr(ui, "running_stack", fake_stack)
    monkeypatch.setattr(ui.signal, "signal", lambda *a: None)
    assert ui.main(["--port", "4999"]) == 0
    assert asked == {"host": "127.0.0.1"}
