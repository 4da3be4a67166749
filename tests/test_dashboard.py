"""Dashboard views on the seeds give what a reader gets from the articles."""

from __future__ import annotations

import pytest

from conftest import query


@pytest.fixture
def seeded(run_flow, seed_dir):
    _, wh = run_flow(seed_dir)
    return wh


def test_district_year_summary_matches_the_articles(seeded):
    rows = query(seeded, "select targets_completed, targets_total, budget_revenue_pct_of_plan, articles "
                         "from district_year_summary where district = 'Nam Từ Liêm' and year = 2022")
    assert rows == [(14.0, 14.0, 115.0, 1)]  # "hoàn thành 14/14 chỉ tiêu", "thu ngân sách ... vượt 15% dự toán"
    [(done, total)] = query(seeded, "select targets_completed, targets_total from district_year_summary "
                                    "where district = 'Quận 1' and year = 2023")
    assert (done, total) == (35.0, 38.0)  # "hoàn thành 35/38 chỉ tiêu năm 2023"
    [(pct,)] = query(seeded, "select budget_revenue_pct_of_plan from district_year_summary "
                             "where district = 'Quận 1' and year = 2023")
    assert pct == 105.0  # "tổng thu ngân sách đạt 16.728 tỷ đồng, đạt 105% dự toán năm"


def test_awards_and_movements_views(seeded):
    [(collective,)] = query(seeded, "select collective_awards from district_year_summary "
                                    "where district = 'Nam Từ Liêm' and year = 2022")
    assert collective >= 8 + 16  # 8 tập thể Bằng khen, 16 tập thể Cờ thi đua xuất sắc
    names = {n for (n,) in query(seeded, "select lower(name) from movement_mentions")}
    assert "người tốt, việc tốt" in names
    [(districts,)] = query(seeded, "select districts from movement_mentions where lower(name) = 'người tốt, việc tốt'")
    assert "Nam Từ Liêm" in districts and "Hai Bà Trưng" in districts
    assert query(seeded, "select count(*) from latest_articles") == [(5,)]
    assert query(seeded, "select count(*) > 0 from awards_by_issuer") == [(True,)]
