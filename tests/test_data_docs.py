"""Data Docs exist after a run and open in headless Chromium with every suite's name visible."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from etl.validate import TABLE_ORDER

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"]


def rendered_text(page: Path) -> str:
    """The visible text of a local page as headless Chromium renders it (scripts and styles removed)."""
    binary = shutil.which("chromium")
    if binary is None:
        pytest.skip("chromium is not installed (`make test` installs it with apt-get)")
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        dom = subprocess.run(
            [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=3000",
             "--dump-dom", page.as_uri()],
            capture_output=True, text=True, timeout=90, check=True,
        ).stdout
    dom = re.sub(r"<(script|style)\b.*?</\1>", " ", dom, flags=re.S | re.I)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", dom))


def test_data_docs_show_every_suite(run_flow, seed_dir):
    summary, wh = run_flow(seed_dir)
    index = Path(summary["data_docs"])
    assert index.is_file() and index.is_relative_to(wh)
    assert "Validation Results" in rendered_text(index)
    for suite in TABLE_ORDER:
        text = rendered_text(index.parent / "expectations" / f"{suite}.html")
        assert f"Expectation Suite Name {suite}" in text
    results = sorted(index.parent.glob("validations/metrics/**/*.html"))
    assert results, "the metrics validation result page"
    text = rendered_text(results[-1])
    assert "metrics" in text and "Expectation Suite" in text


def test_data_docs_work_offline_with_the_run_id_as_run_name(seed_dir, tmp_path):
    """No CDN reachable: the index is styled, lists every validation, and nothing leaves the machine."""
    from etl.datadocs import external_assets

    from browser import Browser, chromium_binary

    binary = chromium_binary()
    if binary is None:
        pytest.skip("chromium is not installed (`make test` installs it with apt-get)")
    from etl.clean import clean_batch
    from etl.extract import extract_batch
    from etl.models import RawDoc
    from etl.validate import Validator

    raws = [RawDoc(uri=p.as_uri(), source_name="seeds", content=p.read_bytes(), content_type="text/plain",
                   fetched_at=dt.datetime(2026, 12, 1, 2, 0)) for p in sorted(seed_dir.glob("*.txt"))]
    docs, _ = clean_batch(raws)
    run_id = "20261201T020000-offline"
    validator = Validator(tmp_path / "gx-project")
    validator.validate(extract_batch(docs, run_id).tables(), run_id)
    index = validator.build_docs()
    summary = {"run_id": run_id}
    for page in index.parent.rglob("*.html"):
        assert external_assets(page.read_text(encoding="utf-8")) == [], page
    browser = Browser(binary, offline=True)
    try:
        browser.open(index.as_uri())
        text = browser.wait_for("Validation Results", summary["run_id"])
        rows = browser.evaluate("document.querySelectorAll('table.table tbody tr').length")
        # bootstrap-table (vendored JS) rendered the results table; bootstrap (vendored CSS) styled it
        styled = browser.evaluate("getComputedStyle(document.querySelector('table.table')).borderCollapse")
        browser.screenshot(tmp_path / "data-docs-index.png")
    finally:
        browser.close()
    assert "__none__" not in text
    for suite in TABLE_ORDER:
        assert suite in text
    assert rows >= len(TABLE_ORDER)
    assert styled == "collapse"
    assert [u for u in browser.requests if u.startswith(("http://", "https://"))] == []
    assert (tmp_path / "data-docs-index.png").stat().st_size > 10_000
