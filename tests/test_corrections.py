"""Corrections: a person's set/reject/add, applied by publish and kept across `etl run` and `etl reprocess`."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from etl.cli import app
from etl.corrections import CorrectionError, parse_assignments, table_of

from conftest import SEEDS, query
from conftest_web import site  # noqa: F401 (fixture)

runner = CliRunner()
NAM_TU_LIEM = "000_db400617e4ced398"  # 14/14 targets, budget revenue 15 % over plan (2022)


def cli(*args: str) -> str:
    """Run an `etl` command in-process; its output, failing the test on a non-zero exit."""
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def summary_row(wh, district: str, year: int) -> tuple:
    [row] = query(wh, f"select targets_completed, targets_total, budget_revenue_pct_of_plan from district_year_summary "
                      f"where district = '{district}' and year = {year}")
    return row


def fact_id(wh, sql_where: str, table: str = "metrics") -> str:
    [(fid,)] = query(wh, f"select fact_id from {table} join articles using (article_id) where {sql_where}")
    return fid


def test_fact_ids_are_stable_across_re_extraction_and_unique_per_article():
    from etl.extract import extract_facts
    from etl.textclean import normalize

    for path in sorted(SEEDS.glob("*.txt")):
        text = normalize(path.read_text(encoding="utf-8"))
        first, again = extract_facts(text, path.stem), extract_facts(text, path.stem)
        ids = [r.fact_id for t in ("metrics", "awards", "movements", "officials", "documents") for r in getattr(first, t)]
        assert ids == [r.fact_id for t in ("metrics", "awards", "movements", "officials", "documents") for r in getattr(again, t)]
        assert len(ids) == len(set(ids)), f"{path.name}: two facts share an id"
        assert all(r.rule for r in first.metrics + first.awards)
    # one span giving two rows ("1 tập thể, 5 cá nhân") gets two ids
    rows = extract_facts("Quận tặng Bằng khen cho 1 tập thể, 5 cá nhân.", "x").awards
    assert len({r.fact_id for r in rows}) == len(rows) == 2


def test_values_are_typed_and_checked():
    assert parse_assignments("metrics", ["numerator=13", "value=8.602,658", "denominator=111,8", "subject=null"]) == {
        "numerator": 13.0, "value": 8602.658, "denominator": 111.8, "subject": None}
    assert parse_assignments("awards", ["recipient_count=9", "issuer=UBND Thành phố"]) == {
        "recipient_count": 9, "issuer": "UBND Thành phố"}
    with pytest.raises(CorrectionError, match="vocabulary"):
        parse_assignments("metrics", ["indicator=targets_done"])
    with pytest.raises(CorrectionError, match="no field 'seq'"):
        parse_assignments("metrics", ["seq=3"])
    with pytest.raises(CorrectionError, match="not a valid int64"):
        parse_assignments("awards", ["recipient_count=many"])
    assert table_of("awards-2d25ec39ec297ed3") == "awards"
    with pytest.raises(CorrectionError, match="not a fact id"):
        table_of("2d25ec39ec297ed3")


@pytest.fixture
def seed_site(site):  # noqa: F811 (pytest fixture)
    """The five seed articles served as plain text pages, so bronze keeps them for `etl reprocess`."""
    for path in sorted(SEEDS.glob("*.txt")):
        site.page(f"/tin/{path.stem}.txt", path.read_bytes(), "text/plain; charset=utf-8")
    return site


def test_corrections_survive_reprocess_with_new_rules(prefect_api, seed_site, tmp_path, monkeypatch):
    import etl.extract

    urls = "".join(f"\n      - {seed_site.url(f'/tin/{p.stem}.txt')}" for p in sorted(SEEDS.glob("*.txt")))
    sources = tmp_path / "sources.yaml"
    sources.write_text(f"allow_private_hosts: true\nrate_limit: 0\nsources:\n  seeds:\n    urls:{urls}\n", encoding="utf-8")
    wh = tmp_path / "warehouse"
    cli("run", "--sources", str(sources), "--warehouse", str(wh), "--quiet")
    assert summary_row(wh, "Nam Từ Liêm", 2022) == (14, 14, 115.0)  # integers, not 14.0/14.0
    assert summary_row(wh, "Ba Đình", 2021) == (30, 31, 111.8)

    targets = fact_id(wh, "district = 'Nam Từ Liêm' and indicator = 'targets_completed' and quote like '14/14%'")
    budget = fact_id(wh, "district = 'Ba Đình' and indicator = 'budget_revenue' and value = 111.8")
    out = cli("correct", targets, "--set", "numerator=13", "--set", "value=13", "--reason", "one target was missed",
              "--by", "lan", "--warehouse", str(wh))
    assert f"set {targets} by lan" in out
    cli("correct", budget, "--reject", "--reason", "the caption repeats last year's figure", "--by", "minh",
        "--warehouse", str(wh))
    assert summary_row(wh, "Nam Từ Liêm", 2022)[:2] == (13, 14)
    assert summary_row(wh, "Ba Đình", 2021)[2] != 111.8
    assert query(wh, f"select numerator, corrected from metrics where fact_id = '{targets}'") == [(13.0, True)]
    assert query(wh, f"select count(*) from metrics where fact_id = '{budget}'") == [(0,)]

    # new rules: every budget percentage read one point higher, and a new rules version
    extract_metrics = etl.extract.EXTRACTORS["metrics"]

    def changed_rule(text):
        rows = extract_metrics(text)
        for row in rows:
            if row.indicator == "budget_revenue" and row.unit == "percent":
                row.value += 1.0
        return rows

    monkeypatch.setitem(etl.extract.EXTRACTORS, "metrics", changed_rule)
    monkeypatch.setattr(etl.extract, "RULES_VERSION", "rules-with-corrections")
    seed_site.stop()  # reprocess reads bronze, not the site
    cli("reprocess", "--warehouse", str(wh), "--quiet")

    assert query(wh, "select distinct rules_version from articles") == [("rules-with-corrections",)]
    assert summary_row(wh, "Nam Từ Liêm", 2022) == (13, 14, 116.0)  # the correction holds; the new rule shows
    assert summary_row(wh, "Ba Đình", 2021)[2] not in (111.8, 112.8)  # still rejected under the new rule
    assert query(wh, f"select numerator, value, corrected from metrics where fact_id = '{targets}'") == [(13.0, 13.0, True)]
    assert query(wh, f"select count(*) from metrics where fact_id = '{budget}'") == [(0,)]
    statuses = query(wh, "select action, author, reason, status from corrections order by created_at")
    assert statuses == [("set", "lan", "one target was missed", "applied"),
                        ("reject", "minh", "the caption repeats last year's figure", "applied")]


def test_added_fact_appears_and_a_changed_text_orphans_corrections(run_flow, seed_dir, caplog, tmp_path):
    summary, wh = run_flow(seed_dir)
    [(article_id,)] = query(wh, f"select article_id from articles where uri like '%{NAM_TU_LIEM}%'")
    award = fact_id(wh, f"article_id = '{article_id}' and quote = '8 tập thể nhận được Bằng khen'", "awards")
    cli("correct", award, "--set", "issuer=Thủ tướng Chính phủ nước CHXHCN Việt Nam", "--reason", "full title",
        "--warehouse", str(wh))
    cli("correct", award, "--set", "recipient_count=9", "--reason", "the list names nine", "--warehouse", str(wh))
    cli("correct", "--add", article_id, "--table", "movements", "--quote", "Lời kêu gọi thi đua ái quốc",
        "--set", "name=Lời kêu gọi thi đua ái quốc", "--set", "kind=movement", "--reason", "missed: unquoted",
        "--warehouse", str(wh))
    # the second set keeps the first one's field
    assert query(wh, f"select issuer, recipient_count, corrected from awards where fact_id = '{award}'") == [
        ("Thủ tướng Chính phủ nước CHXHCN Việt Nam", 9, True)]
    [added] = query(wh, "select article_id, name, kind, rule, corrected, quote, char_start, char_end from movements "
                        "where rule = 'correction:add'")
    assert added[:5] == (article_id, "Lời kêu gọi thi đua ái quốc", "movement", "correction:add", True)
    [(text,)] = query(wh, f"select text from articles where article_id = '{article_id}'")
    assert text[added[6]:added[7]] == added[5]
    assert query(wh, "select m.story_id = a.story_id from movements m join articles a using (article_id) "
                     "where m.rule = 'correction:add'") == [(True,)]  # an added fact belongs to its article's story
    assert [s for (s,) in query(wh, "select status from corrections order by created_at")] == ["superseded", "applied", "applied"]

    # corrections as gold: the corrected article's facts, corrected values included
    from etl.corrections import gold_from_corrections
    from etl.review.data import connect

    con = connect(wh)
    gold = gold_from_corrections(con)
    con.close()
    assert list(gold) == [article_id]
    assert {"award": "bang_khen", "recipient_count": 9} in [{k: a[k] for k in ("award", "recipient_count")} for a in gold[article_id]["awards"]]
    assert "Lời kêu gọi thi đua ái quốc" in [m["name"] for m in gold[article_id]["movements"]]
    from etl.corrections import write_gold_set
    from etl.evaluate import evaluate

    con = connect(wh)
    gold_dir, articles_dir = write_gold_set(con, tmp_path / "corrections-gold")
    con.close()
    report = evaluate(gold_dir, articles_dir)  # today's rules against what people corrected
    assert report.tables["movements"].tp == report.tables["movements"].n_gold - 1  # the added one is missed
    assert report.tables["awards"].n_gold - report.tables["awards"].tp == 1  # 9 recipients, the rules read 8
    assert report.tables["metrics"].f1 == 1.0 and not report.errors

    # the text changes: a new first line shifts every offset, so the corrected facts no longer exist
    page = seed_dir / f"{NAM_TU_LIEM}.txt"
    page.write_text("Tin mới cập nhật sáng nay về hội nghị của quận.\n" + page.read_text(encoding="utf-8"), encoding="utf-8")
    with caplog.at_level("WARNING", logger="etl.corrections"):
        run_flow(seed_dir, wh)
    assert [s for (s,) in query(wh, "select status from corrections order by created_at")] == ["superseded", "orphaned", "orphaned"]
    assert query(wh, "select count(*) from awards where corrected") == [(0,)]
    assert query(wh, "select count(*) from movements where rule = 'correction:add'") == [(0,)]
    assert any("no longer applies" in r.message for r in caplog.records)
    out = cli("explain", award, "--warehouse", str(wh))
    assert "not in the views now" in out and "orphaned" in out
    # `etl eval --corrections` scores against them (last: its logging set-up replaces caplog's handler)
    assert f"corrections in {wh}" in cli("eval", "--corrections", "--warehouse", str(wh))

    # fact files as an older release wrote them (no fact_id, rule): publish still builds every view
    import pyarrow.parquet as pq

    from etl.publish import publish
    from etl.storage import Store

    [(facts,)] = query(wh, "select count(*) from metrics")
    store = Store(str(wh))
    for rel in store.list_files("tables/metrics", ".parquet"):
        table = pq.read_table(store.path(rel))
        pq.write_table(table.drop_columns(["fact_id", "rule", "subject"]), store.path(rel))
    publish(store)
    assert query(wh, "select count(*), count(fact_id), count(subject), bool_or(corrected) from metrics") == [(facts, 0, 0, False)]
