"""`etl eval`: several gold sets, --explain evidence, and scoring through the production path."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

from typer.testing import CliRunner

from etl.cli import app
from etl.evaluate import EvalReport, evaluate, format_summary, gold_folders

from conftest import query

ROOT = Path(__file__).resolve().parents[1]
SEED_GOLD = ROOT / "tests" / "data" / "gold"
SEEDS = ROOT / "seeds" / "articles"
DEV = ROOT / "tests" / "data" / "dev"


def test_set_folder_names_gold_and_articles():
    assert gold_folders(DEV) == (DEV / "gold", DEV / "articles")
    assert gold_folders(SEED_GOLD, SEEDS) == (SEED_GOLD, SEEDS)


def test_eval_over_several_sets_prints_each_and_overall():
    result = CliRunner().invoke(app, ["eval", "--gold", str(SEED_GOLD), "--input", str(SEEDS), "--gold", str(DEV)])
    assert result.exit_code == 0, result.output
    assert f"== {SEED_GOLD}: 5 articles" in result.output
    assert f"== {DEV / 'gold'}: 28 articles" in result.output
    assert "== all: 33 articles" in result.output
    assert "agreement officials.position" in result.output and "agreement awards.issuer" in result.output


def test_explain_lists_missed_and_invented_facts_with_quotes(tmp_path):
    stem = "000_db400617e4ced398"
    (tmp_path / "gold").mkdir()
    (tmp_path / "articles").mkdir()
    shutil.copy(SEEDS / f"{stem}.txt", tmp_path / "articles")
    gold = json.loads((SEED_GOLD / f"{stem}.json").read_text(encoding="utf-8"))
    dropped = gold["metrics"].pop(0)  # the rules will "invent" it
    gold["metrics"].append({"quote": "999 tỷ đồng", "value": 999, "unit": "vnd_billion", "indicator": "other", "year": None})
    (tmp_path / "gold" / f"{stem}.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "--gold", str(tmp_path), "--explain"])
    assert result.exit_code == 0, result.output
    assert "metrics MISSED   999 vnd_billion [other, None]  «999 tỷ đồng»" in result.output
    assert f"metrics INVENTED {float(dropped['value'])} {dropped['unit']}" in result.output
    assert f"«{dropped['quote']}»" in result.output


def test_nothing_to_score_is_an_error_not_a_perfect_score(tmp_path):
    result = CliRunner().invoke(app, ["eval", "--gold", str(tmp_path)])
    assert result.exit_code == 2
    assert "no gold files" in result.output
    empty = format_summary(EvalReport(name="empty"))
    assert "1.000" not in empty and "n/a" in empty


def test_eval_scores_what_the_warehouse_holds(run_flow, seed_dir):
    """eval and `etl run` share acquire, clean and extract: the same folder gives the same facts."""
    _, warehouse = run_flow(seed_dir)
    report = evaluate(SEED_GOLD, seed_dir)
    assert len(report.articles) == 5 and not report.errors
    from etl.evaluate import run_pipeline

    expected = Counter()
    for path in sorted(seed_dir.glob("*.txt")):
        facts = run_pipeline(path).facts
        expected.update(("metrics", m.unit, round(m.value, 3), m.quote) for m in facts.metrics)
        expected.update(("awards", a.award, a.recipient_count, a.quote) for a in facts.awards)
    loaded = Counter()
    loaded.update(("metrics", u, round(v, 3), q) for u, v, q in query(warehouse, "select unit, value, quote from metrics"))
    loaded.update(("awards", a, c, q) for a, c, q in query(warehouse, "select award, recipient_count, quote from awards"))
    assert sum(expected.values()) > 50
    assert loaded == expected
