"""Data Docs exist after a run and open in headless Chromium with every suite's name visible."""

from __future__ import annotations

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
