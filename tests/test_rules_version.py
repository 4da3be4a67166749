"""One rules version over every rule (issue 11): a cleaning-rule change re-processes; a comment does not."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from etl.rules import fingerprint, rule_files

from conftest import ROOT, SEEDS, query

PACKAGE = ROOT / "src" / "etl"

# A night through etl.pipeline without Prefect or Great Expectations (validation passes every row through),
# run by whichever `etl` package is first on PYTHONPATH.
NIGHT = textwrap.dedent("""
    import json, sys
    import etl
    from etl import pipeline
    from etl.publish import publish
    from etl.settings import load_settings
    from etl.validate import Validated

    stages = pipeline.Stages(
        validate=lambda project, suites, tables, run_id: Validated(tables=tables),
        publish=lambda store, suites, validated_any: {"database": str(publish(store)), "data_docs": ""},
    )
    settings = load_settings({"input_dir": sys.argv[1], "warehouse": sys.argv[2], "compact_min_files": 0}, environ={})
    with pipeline.open_run(settings) as (ctx, run):
        summary = pipeline.run_night(ctx, run, stages)
    print(json.dumps({"inputs": summary["inputs"], "rules_version": ctx.rules_version, "package": etl.__file__}))
""")

# a new cleaning rule: the last line of a plain-text article is dropped (a trailer, say)
NEW_CLEANING_RULE = textwrap.dedent('''

    import dataclasses as _dataclasses

    _clean_plain_before = clean_plain


    def clean_plain(raw: RawDoc) -> CleanDoc:
        doc = _clean_plain_before(raw)
        return _dataclasses.replace(doc, text=doc.text.rstrip().rsplit("\\n", 1)[0])
''')


def copy_package(tmp_path: Path) -> Path:
    """A copy of the checkout's src/etl (suites and views.sql are package data) under tmp_path/src."""
    shutil.copytree(PACKAGE, tmp_path / "src" / "etl", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path / "src"


def night(src: Path, warehouse: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run([sys.executable, "-c", NIGHT, str(SEEDS), str(warehouse)], env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["package"].startswith(str(src)), "the copy, not the checkout, ran"
    return result


def test_a_changed_cleaning_rule_re_cleans_and_re_extracts_stored_articles(tmp_path):
    src = copy_package(tmp_path)
    warehouse = tmp_path / "warehouse-out"
    first = night(src, warehouse)
    assert first["inputs"]["new"] == 5
    assert night(src, warehouse)["inputs"]["unchanged"] == 5  # same bytes, same rules: no work

    clean = src / "etl" / "clean.py"
    clean.write_text(clean.read_text(encoding="utf-8") + NEW_CLEANING_RULE, encoding="utf-8")
    third = night(src, warehouse)

    assert third["rules_version"] != first["rules_version"]
    assert third["inputs"]["changed"] == 5 and third["inputs"]["unchanged"] == 0
    versions = query(warehouse, "select distinct rules_version from articles")
    facts = query(warehouse, "select count(*), count(distinct run_id) from metrics")[0]
    history = query(warehouse, "select count(*) from articles_history")[0][0]
    assert versions == [(third["rules_version"],)], "every stored article was re-cleaned under the new rules"
    assert facts[0] > 0 and facts[1] == 1, "the facts come from the re-extraction only"
    assert history == 10


def test_a_comment_or_docstring_edit_keeps_the_fingerprint(tmp_path):
    src = copy_package(tmp_path) / "etl"
    before = fingerprint(src)
    numbers = src / "extract" / "numbers.py"
    text = numbers.read_text(encoding="utf-8")
    numbers.write_text("# a comment about Vietnamese separators\n" + text.replace('"""', '"""Reworded. ', 1)
                       + "\n\n# trailing note\n", encoding="utf-8")
    assert fingerprint(src) == before

    numbers.write_text(text + "\nEXTRA_RULE = 1\n", encoding="utf-8")
    assert fingerprint(src) != before


def test_the_fingerprint_covers_cleaning_extraction_and_gazetteer_data():
    covered = {p.relative_to(PACKAGE).as_posix() for p in rule_files(PACKAGE)}
    assert "clean.py" in covered and "extract/numbers.py" in covered and "data/districts.csv" in covered
    assert {p.relative_to(PACKAGE).as_posix() for p in (PACKAGE / "text").rglob("*.py")} <= covered
    assert "cli.py" not in covered and "load.py" not in covered  # not rules: changing them re-processes nothing
