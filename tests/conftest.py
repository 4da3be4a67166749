"""Shared fixtures: one Prefect ephemeral API for the whole session, seed folders, a flow runner."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds" / "articles"
DATA = ROOT / "tests" / "data"
CORPUS = DATA / "corpus" / "vi-news-text"  # 1,760 real Vietnamese articles (see its README)


@pytest.fixture(scope="session")
def prefect_api():
    """A single Prefect test harness (temporary server + database) for every test that runs a flow."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def seed_dir(tmp_path: Path) -> Path:
    """A private copy of the five seed articles."""
    target = tmp_path / "articles"
    shutil.copytree(SEEDS, target)
    return target


@pytest.fixture
def run_flow(prefect_api, tmp_path: Path):
    """Run the real nightly flow; returns (summary, warehouse path)."""
    from flows.nightly import nightly_ingest

    def run(input_dir: Path | None, warehouse: Path | None = None, **kwargs):
        warehouse = warehouse or tmp_path / "warehouse"
        summary = nightly_ingest(input_dir=str(input_dir) if input_dir else None, warehouse=str(warehouse), **kwargs)
        return summary, warehouse

    return run


def query(warehouse: Path, sql: str) -> list[tuple]:
    """Rows of a read-only query against a published warehouse (views resolve under its own folder)."""
    from etl.warehouse import connect

    con = connect(warehouse)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def view_snapshot(warehouse: Path, views=("articles", "metrics", "awards", "movements", "officials", "documents", "quarantine")) -> dict:
    """Every row of the contract views, minus load bookkeeping, for before/after comparisons."""
    out = {}
    for view in views:
        rows = query(warehouse, f"select * exclude (run_id{', loaded_at' if view == 'articles' else ''}"
                                f"{', quarantined_at' if view == 'quarantine' else ''}) from {view}")
        out[view] = sorted(map(repr, rows))
    return out
