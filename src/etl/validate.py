"""validate: Great Expectations suites (expectations/<table>.json) per table per batch.

Every expectation carries `meta.severity`: rows failing an `error` expectation
go to quarantine with the expectation names and the row as JSON; rows failing
only `warning` expectations load with those names in `quality_flags`. Rows are
identified through a `row_id` column (GE's `unexpected_index_column_names`) so
the outcome does not depend on GE's sample caps. Data Docs are rebuilt at the
end of every run in a file-mode GE project under the warehouse.

One status vocabulary for a table's (or a batch's) validation, for every
surface that reports it (`validation_status`; `summary_status` reads a run
summary's entry; Data Docs through `etl.datadocs`): `passed` (no
expectation failed), `passed with warnings` (only warning-severity ones failed:
the rows loaded, flagged in `quality_flags`), `failed` (an error-severity one
failed: those rows are in quarantine). GE itself calls a validation "Failed"
when any expectation fails, so every suite expectation also gets GE's own
`severity` (error -> critical, warning -> warning) and `etl.datadocs` labels
GE's pages with our status.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from etl.schema import QuarantineRow, to_table

log = logging.getLogger(__name__)

ROW_ID = "__row_id"
DEFAULT_EXPECTATIONS = Path(str(resources.files("etl") / "expectations"))  # package data: works from a wheel
TABLE_ORDER = ("articles", "metrics", "awards", "movements", "officials", "documents")

PASSED = "passed"
PASSED_WITH_WARNINGS = "passed with warnings"
FAILED = "failed"
STATUSES = (PASSED, PASSED_WITH_WARNINGS, FAILED)
GE_SEVERITY = {"error": "critical", "warning": "warning"}  # meta.severity -> GE's FailureSeverity


def validation_status(success: bool, failed_expectations) -> str:
    """The validation status of a table or batch: no error-severity failure (`success`), and what failed.

    >>> validation_status(True, []), validation_status(True, ["unit_is_known"]), validation_status(False, ["x"])
    ('passed', 'passed with warnings', 'failed')
    """
    if not success:
        return FAILED
    return PASSED_WITH_WARNINGS if failed_expectations else PASSED


def overall_status(statuses) -> str:
    """The worst of several tables' statuses (a night's validation as one word).

    >>> overall_status([PASSED, PASSED_WITH_WARNINGS]), overall_status([]), overall_status([FAILED, PASSED])
    ('passed with warnings', 'passed', 'failed')
    """
    statuses = set(statuses)
    return next((s for s in (FAILED, PASSED_WITH_WARNINGS) if s in statuses), PASSED)


def summary_status(entry: dict) -> str:
    """The status of one table in a run summary's `validation` (success, failed expectation names)."""
    return validation_status(entry.get("success", True), entry.get("failed") or ())


def with_ge_severity(expectation: dict) -> dict:
    """The expectation with GE's `severity` set from our `meta.severity` (GE's default is critical)."""
    severity = (expectation.get("meta") or {}).get("severity", "error")
    return {**expectation, "severity": GE_SEVERITY.get(severity, "critical")}


def expectation_name(config: dict[str, Any]) -> str:
    """A readable, stable name: meta.name, else type(columns)."""
    meta = config.get("meta") or {}
    if meta.get("name"):
        return meta["name"]
    kw = config.get("kwargs", {})
    cols = kw.get("column") or ",".join(kw.get("column_list", [])) or ",".join(
        c for c in (kw.get("column_A"), kw.get("column_B")) if c
    )
    return f"{config['type']}({cols})" if cols else config["type"]


@dataclass
class TableResult:
    table: str
    rows: int = 0
    success: bool = True
    evaluated: int = 0
    failed_expectations: list[str] = field(default_factory=list)
    quarantined: int = 0
    warned: int = 0

    @property
    def status(self) -> str:
        return validation_status(self.success, self.failed_expectations)


@dataclass
class Validated:
    """Rows that passed (per table), quarantined rows, and a summary per table."""

    tables: dict[str, list] = field(default_factory=dict)
    quarantine: list[QuarantineRow] = field(default_factory=list)
    results: dict[str, TableResult] = field(default_factory=dict)

    @property
    def success(self) -> bool:
        return all(r.success for r in self.results.values())


class Validator:
    """A file-mode GE project under `project_dir`, loaded with our suites."""

    def __init__(self, project_dir: Path, expectations_dir: Path | None = None):
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        import great_expectations as gx
        from great_expectations.core.expectation_suite import ExpectationSuite
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.gx = gx
        self.project_dir = Path(project_dir)
        self.project_dir.mkdir(parents=True, exist_ok=True)
        self.context = gx.get_context(mode="file", project_root_dir=str(self.project_dir))
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self.datasource = self.context.data_sources.add_or_update_pandas("etl")
        self.configs: dict[str, list[dict]] = {}
        self.checkpoints = {}
        expectations_dir = Path(expectations_dir or DEFAULT_EXPECTATIONS)
        for table in TABLE_ORDER:
            path = expectations_dir / f"{table}.json"
            spec = json.loads(path.read_text(encoding="utf-8"))
            self.configs[table] = spec["expectations"]
            expectations = [with_ge_severity(e) for e in spec["expectations"]]
            suite = self.context.suites.add_or_update(ExpectationSuite(name=spec["name"], expectations=expectations, meta=spec.get("meta", {})))
            asset = next((a for a in self.datasource.assets if a.name == table), None) or self.datasource.add_dataframe_asset(table)
            batch = next((b for b in asset.batch_definitions if b.name == "batch"), None) or asset.add_batch_definition_whole_dataframe("batch")
            definition = self.context.validation_definitions.add_or_update(
                gx.ValidationDefinition(name=table, data=batch, suite=suite)
            )
            self.checkpoints[table] = self.context.checkpoints.add_or_update(
                gx.Checkpoint(
                    name=f"etl_{table}",
                    validation_definitions=[definition],
                    actions=[],
                    result_format={"result_format": "COMPLETE", "unexpected_index_column_names": [ROW_ID]},
                )
            )

    def validate_table(self, table: str, rows: list, params: dict[str, Any]) -> tuple[list, list[QuarantineRow], TableResult]:
        """Split one table's rows into passing rows and quarantined rows."""
        result = TableResult(table=table, rows=len(rows))
        if not rows:
            return [], [], result
        frame = to_table(table, rows).to_pandas()
        frame[ROW_ID] = range(len(frame))
        from great_expectations.core.run_identifier import RunIdentifier
        from great_expectations.exceptions.resource_freshness import CheckpointRelatedResourcesFreshnessError

        # the etl run id names GE's run too, so Data Docs and `etl runs` speak of the same night
        run_id = RunIdentifier(run_name=params.get("run_id") or None)
        try:
            run = self.checkpoints[table].run(batch_parameters={"dataframe": frame}, expectation_parameters=params,
                                              run_id=run_id)
        except CheckpointRelatedResourcesFreshnessError:
            # another process (a second Dask worker) saved the same suites since this one
            # loaded them: the stored checkpoint is current, run that one
            self.checkpoints[table] = self.context.checkpoints.get(f"etl_{table}")
            run = self.checkpoints[table].run(batch_parameters={"dataframe": frame}, expectation_parameters=params,
                                              run_id=run_id)
        errors: dict[int, list[str]] = {}
        warnings: dict[int, list[str]] = {}
        for suite_result in run.run_results.values():
            for res in suite_result.results:
                config = res.expectation_config.to_json_dict()
                result.evaluated += 1
                if res.success:
                    continue
                name = expectation_name(config)
                severity = (config.get("meta") or {}).get("severity", "error")
                result.failed_expectations.append(name)
                indexes = (res.result or {}).get("unexpected_index_list") or []
                target = errors if severity == "error" else warnings
                if not indexes and severity == "error":
                    # A batch-level failure (no rows to blame): fail the table's validation, load nothing wrong.
                    log.warning("%s: expectation %s failed without row indexes: %s", table, name, res.result)
                    result.success = False
                for index in indexes:
                    target.setdefault(int(index[ROW_ID]), []).append(name)
        passed: list = []
        quarantined: list[QuarantineRow] = []
        for i, row in enumerate(rows):
            if i in errors:
                record = dataclasses.asdict(row) if dataclasses.is_dataclass(row) else dict(row)
                quarantined.append(QuarantineRow(
                    table_name=table,
                    row=json.dumps(record, ensure_ascii=False, default=str, sort_keys=True),
                    failed_expectations=",".join(sorted(set(errors[i]))),
                    run_id=params.get("run_id", ""),
                    uri=None,
                    stage="validate",
                    reason="failed error-severity expectations",
                ))
                continue
            if i in warnings and dataclasses.is_dataclass(row):
                row.quality_flags = ",".join(sorted(set(warnings[i])))
                result.warned += 1
            passed.append(row)
        result.quarantined = len(quarantined)
        if errors:
            result.success = False
        return passed, quarantined, result

    def validate(self, tables: dict[str, list], run_id: str, known_article_ids: set[str] | None = None) -> Validated:
        """Validate every table of a batch; facts must belong to an article that passed."""
        out = Validated()
        articles, quarantined, result = self.validate_table("articles", tables.get("articles", []), {"run_id": run_id})
        out.tables["articles"] = articles
        out.quarantine += quarantined
        out.results["articles"] = result
        known = sorted({a.article_id for a in articles} | set(known_article_ids or ()))
        params = {"known_article_ids": known, "run_id": run_id}
        for table in TABLE_ORDER[1:]:
            passed, quarantined, result = self.validate_table(table, tables.get(table, []), params)
            out.tables[table] = passed
            out.quarantine += quarantined
            out.results[table] = result
        return out

    def build_docs(self) -> Path:
        """Rebuild Data Docs; returns the index.html path.

        GE writes its JSON stores in place, so a full disk can leave a truncated
        file that breaks every later build: such files are moved to
        `<project>/corrupt/` and the build is retried once. The pages are then
        rewritten to load their CSS/JS from the vendored copies (`etl.datadocs`),
        so they open styled on a network without the CDNs, and labelled with our
        validation status next to GE's (`etl.datadocs.label_statuses`).
        """
        from etl.datadocs import label_statuses, make_offline

        try:
            self.context.build_data_docs()
        except ValueError as exc:  # json.JSONDecodeError is a ValueError
            if not self.set_aside_broken_json():
                raise
            log.warning("Data Docs: set aside truncated GE store files after %s", exc)
            self.context.build_data_docs()
        make_offline(self.docs_index.parent)
        label_statuses(self.docs_index.parent, self.project_dir / "gx" / "uncommitted" / "validations")
        return self.docs_index

    def set_aside_broken_json(self) -> list[Path]:
        """Move GE store files that are not valid JSON to `<project>/corrupt/`; returns their new paths."""
        moved = []
        for path in sorted((self.project_dir / "gx").rglob("*.json")):
            try:
                json.loads(path.read_bytes())
            except ValueError:
                target = self.project_dir / "corrupt" / path.relative_to(self.project_dir)
                target.parent.mkdir(parents=True, exist_ok=True)
                path.replace(target)
                moved.append(target)
        return moved

    @property
    def docs_index(self) -> Path:
        return docs_index(self.project_dir)


def docs_index(project_dir: Path) -> Path:
    """Where the Data Docs of a GE project under `project_dir` open."""
    return Path(project_dir) / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
