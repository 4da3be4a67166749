"""Generalisation check: the extractors on held-out articles they were not tuned on.

tests/data/heldout/ holds ten corpus articles (eight thi đua / khen thưởng
reports, two general local news for false positives) whose gold was written
by hand before the extractors were run on them (commit 11b6a85). The floors
are what the rules honestly reach; a floor is lowered only on purpose, with
the reason in the commit message.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.evaluate import evaluate

HELDOUT = Path(__file__).parent / "data" / "heldout"

# per-table F1 floors (measured 1.000 on every table once the dev-set rules landed;
# before them: metrics 0.989, awards 0.902, movements 0.833, officials 0.970,
# documents 1.000); documents has only three gold facts
F1_FLOORS = {"metrics": 0.97, "awards": 0.95, "movements": 0.95, "officials": 0.97, "documents": 0.95}
INDICATOR_FLOOR = 0.9
# article fields (measured 1.000 once bylines, outlets after a slash and
# districts of every province were read; published_at has no gold here)
ARTICLE_FIELD_FLOOR = 0.95


@pytest.fixture(scope="module")
def report():
    return evaluate(HELDOUT / "gold", HELDOUT / "articles")


def test_heldout_has_all_inputs(report):
    assert len(report.articles) == 10
    assert not report.errors


@pytest.mark.parametrize("table", list(F1_FLOORS))
def test_heldout_f1_floor(report, table):
    score = report.tables[table]
    assert score.f1 >= F1_FLOORS[table], (table, score.precision, score.recall)


def test_heldout_indicator_agreement(report):
    assert report.agreements["metrics.indicator"].rate >= INDICATOR_FLOOR


def test_general_news_has_no_awards_or_movements(report):
    """The two general local-news articles must not grow thi đua facts."""
    for art in report.articles:
        if art.stem.startswith("baomoi2013_cluster_10"):
            for table in ("awards", "movements", "officials", "documents"):
                assert art.tables[table].n_pred == 0, (art.stem, table)


def test_heldout_article_fields(report):
    assert report.article_field_rate >= ARTICLE_FIELD_FLOOR, report.field_agreement
