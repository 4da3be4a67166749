"""No fact counted twice: an article is its source, its place inside the configured folder and its bytes.

A folder moved (`mv inbox archive`), the same folder at another absolute path,
or a second copy of a file must not double a dashboard figure.
"""

from __future__ import annotations

import shutil

from conftest import SEEDS, query

NAM_TU_LIEM = "000_db400617e4ced398.txt"


def counts(wh) -> tuple:
    return query(wh, "select (select count(*) from articles), (select count(distinct article_id) from articles), "
                     "(select count(*) from metrics), (select count(*) from awards)")[0]


def test_moving_the_input_folder_gives_the_same_articles(run_flow, tmp_path):
    inbox = shutil.copytree(SEEDS, tmp_path / "inbox")
    _, wh = run_flow(inbox, tmp_path / "warehouse")
    before = counts(wh)
    ids = sorted(query(wh, "select article_id from articles"))
    dashboard = query(wh, "select * from district_year_summary order by all")
    archive = tmp_path / "archive"
    inbox.rename(archive)  # `mv inbox archive`: other absolute paths, another default source name

    summary, _ = run_flow(archive, wh)

    assert summary["inputs"]["new"] == 0 and summary["inputs"]["unchanged"] == 5
    assert counts(wh) == before == (5, 5, before[2], before[3])
    assert sorted(query(wh, "select article_id from articles")) == ids
    assert query(wh, "select * from district_year_summary order by all") == dashboard


def test_a_second_copy_of_a_file_is_the_same_article(run_flow, tmp_path):
    folder = shutil.copytree(SEEDS, tmp_path / "in")
    _, wh = run_flow(folder, tmp_path / "warehouse")
    before = counts(wh)
    (folder / "copies").mkdir()
    shutil.copy(folder / NAM_TU_LIEM, folder / "copies" / "ban-sao.txt")
    shutil.copy(folder / NAM_TU_LIEM, folder / "zz-ban-sao-2.txt")

    summary, _ = run_flow(folder, wh)

    assert summary["inputs"]["new"] == 0 and summary["inputs"]["unchanged"] == 7
    assert counts(wh) == before


def test_copies_in_one_first_run_are_one_article(run_flow, tmp_path):
    folder = shutil.copytree(SEEDS, tmp_path / "in")
    shutil.copy(folder / NAM_TU_LIEM, folder / "copy-of-000.txt")
    _, wh = run_flow(folder, tmp_path / "warehouse")
    assert counts(wh)[:2] == (5, 5)
    [(n,)] = query(wh, "select count(*) from metrics m join articles a using (article_id) "
                       f"where a.uri like '%{NAM_TU_LIEM}'")
    [(all_metrics,)] = query(wh, "select count(*) from metrics")
    assert 0 < n < all_metrics


def test_the_same_folder_at_another_path_gives_the_same_article_ids(run_flow, tmp_path):
    one = shutil.copytree(SEEDS, tmp_path / "a" / "articles")
    two = shutil.copytree(SEEDS, tmp_path / "b" / "deep" / "articles")
    _, wh1 = run_flow(one, tmp_path / "wh1")
    _, wh2 = run_flow(two, tmp_path / "wh2")
    ids = sorted(query(wh1, "select article_id from articles"))
    assert len(ids) == 5 and ids == sorted(query(wh2, "select article_id from articles"))
    assert sorted(query(wh1, "select fact_id from metrics")) == sorted(query(wh2, "select fact_id from metrics"))


def test_an_edited_file_at_the_same_place_is_a_new_version_of_the_same_article(run_flow, tmp_path):
    folder = shutil.copytree(SEEDS, tmp_path / "in")
    _, wh = run_flow(folder, tmp_path / "warehouse")
    [(old_id,)] = query(wh, f"select article_id from articles where uri like '%{NAM_TU_LIEM}'")
    path = folder / NAM_TU_LIEM
    path.write_text(path.read_text(encoding="utf-8") + "\nQuận có thêm 12 doanh nghiệp mới.", encoding="utf-8")
    summary, _ = run_flow(folder, wh)
    assert summary["inputs"]["changed"] == 1 and summary["inputs"]["new"] == 0
    assert query(wh, f"select article_id from articles where uri like '%{NAM_TU_LIEM}'") == [(old_id,)]
    assert counts(wh)[:2] == (5, 5)
