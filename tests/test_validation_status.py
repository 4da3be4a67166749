"""One validation status vocabulary: passed / passed with warnings / failed (issue 14).

Before: Data Docs said "Failed" for a table whose only failed expectations were
warning-severity (its rows loaded), while the CLI said "passed". GE 1.24 keeps
an expectation's `severity` but no page shows it, so our status is added to the
pages, labelled "thidua-etl status".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from etl.validate import (
    FAILED,
    PASSED,
    PASSED_WITH_WARNINGS,
    STATUSES,
    overall_status,
    summary_status,
    validation_status,
)


@pytest.fixture(scope="module")
def validated(tmp_path_factory):
    """The seeds validated once: a metric with an unknown unit (warning), an award without a quote (error)."""
    from etl.clean import clean_batch
    from etl.extract import extract_batch
    from etl.models import RawDoc
    from etl.validate import Validator

    from conftest import SEEDS

    raws = [RawDoc(uri=p.as_uri(), source_name="seeds", content=p.read_bytes(), content_type="text/plain",
                   fetched_at=dt.datetime(2026, 12, 1, 2, 0)) for p in sorted(SEEDS.glob("*.txt"))]
    docs, _ = clean_batch(raws)
    run_id = "20261201T020000-status"
    tables = extract_batch(docs, run_id).tables()
    tables["metrics"][0] = dataclasses.replace(tables["metrics"][0], unit="made_up_unit")
    tables["awards"][0] = dataclasses.replace(tables["awards"][0], quote=None)
    project = tmp_path_factory.mktemp("status") / "gx-project"
    validator = Validator(project)
    out = validator.validate(tables, run_id)
    return out, validator.build_docs(), project


def test_table_results_speak_the_vocabulary(validated):
    out, _, _ = validated
    status = {t: r.status for t, r in out.results.items()}
    assert status["articles"] == PASSED
    assert status["metrics"] == PASSED_WITH_WARNINGS
    assert "unit_is_known" in out.results["metrics"].failed_expectations
    assert out.results["metrics"].quarantined == 0 and out.results["metrics"].warned >= 1
    assert status["awards"] == FAILED
    assert out.results["awards"].quarantined == 1
    # a run summary's `validation` entry (what the CLI and the artifacts print) gives the same word
    for table, result in out.results.items():
        entry = {"success": result.success, "failed": sorted(result.failed_expectations)}
        assert summary_status(entry) == result.status, table
    assert set(status.values()) <= set(STATUSES)
    assert overall_status(status.values()) == FAILED
    assert overall_status(s for t, s in status.items() if t != "awards") == PASSED_WITH_WARNINGS


def test_ge_results_carry_our_severity(validated):
    _, _, project = validated
    [path] = (project / "gx" / "uncommitted" / "validations" / "metrics").rglob("*.json")
    result = json.loads(path.read_text(encoding="utf-8"))
    assert result["success"] is False  # GE's own verdict counts every severity
    failed = {r["expectation_config"]["meta"].get("name", r["expectation_config"]["type"]):
              r["expectation_config"]["severity"] for r in result["results"] if not r["success"]}
    assert failed["unit_is_known"] == "warning"
    assert set(failed.values()) == {"warning"}


def test_status_of_a_ge_result():
    from etl.datadocs import result_status

    def res(success, severity, name):
        return {"success": success, "expectation_config": {"type": "t", "meta": {"name": name}, "severity": severity}}

    assert result_status({"results": [res(True, "critical", "a")]}).status == PASSED
    warned = result_status({"results": [res(True, "critical", "a"), res(False, "warning", "b")]})
    assert (warned.status, warned.warnings, warned.errors) == (PASSED_WITH_WARNINGS, ("b",), ())
    assert result_status({"results": [res(False, "critical", "a"), res(False, "warning", "b")]}).status == FAILED
    # results written before GE severity was set: our meta.severity decides
    old = {"success": False, "expectation_config": {"type": "t", "meta": {"severity": "warning"}}}
    assert result_status({"results": [old]}).status == PASSED_WITH_WARNINGS
    assert validation_status(True, ()) == PASSED


def test_data_docs_show_our_status_next_to_ge_in_chromium(validated, tmp_path):
    from browser import Browser, chromium_binary

    _, index, _ = validated
    binary = chromium_binary()
    if binary is None:
        pytest.skip("chromium is not installed (`make test` installs it with apt-get)")
    browser = Browser(binary, offline=True)
    try:
        browser.open(index.as_uri())
        browser.wait_for("thidua-etl status", "passed with warnings")
        rows = browser.evaluate("""[...document.querySelectorAll('table.table')].find(t => t.innerText.includes('thidua-etl status'))
            .querySelectorAll('tbody tr').length""")
        cells = browser.evaluate("""(() => {
            const table = [...document.querySelectorAll('table.table')].find(t => t.innerText.includes('thidua-etl status'));
            const fields = [...table.querySelectorAll('thead th')].map(th => th.dataset.field);
            const ours = fields.indexOf('etl_status'), asset = fields.indexOf('asset_name');
            return [...table.querySelectorAll('tbody tr')].map(tr =>
                [tr.children[asset].innerText.trim(), tr.children[ours].innerText.trim(),
                 tr.children[0].querySelector('.text-danger') ? 'GE failed' : 'GE succeeded']);
        })()""")
        browser.screenshot(tmp_path / "index.png")
        metrics_page = next(index.parent.glob("validations/metrics/**/*.html"))
        browser.open(metrics_page.as_uri())
        page = browser.wait_for("thidua-etl status")
    finally:
        browser.close()
    seen = {asset: (ours, ge) for asset, ours, ge in cells}
    assert rows == len(seen) == 6
    assert seen["metrics"] == (PASSED_WITH_WARNINGS, "GE failed")  # the contrast the label explains
    assert seen["awards"] == (FAILED, "GE failed")
    assert seen["articles"] == (PASSED, "GE succeeded")
    assert "Status: Failed" in " ".join(page.split())
    assert f"thidua-etl status: {PASSED_WITH_WARNINGS}" in page
    assert "unit_is_known" in page and "warning severity" in page
    assert [u for u in browser.requests if u.startswith(("http://", "https://"))] == []


def test_labels_are_replaced_not_stacked(validated, tmp_path):
    """A second labelling (a rebuild that left a page untouched) keeps one label per page."""
    import shutil

    from etl.datadocs import PAGE_MARK, label_statuses

    _, index, project = validated
    site = tmp_path / "site"
    shutil.copytree(index.parent, site)
    label_statuses(site, project / "gx" / "uncommitted" / "validations")
    page = next(site.glob("validations/metrics/**/*.html")).read_text(encoding="utf-8")
    assert page.count(PAGE_MARK[0]) == 1
    assert (site / "index.html").read_text(encoding="utf-8").count("'field': 'etl_status'") == 1


def test_vocabulary_examples_hold():
    import doctest

    import etl.validate

    assert doctest.testmod(etl.validate).failed == 0
