"""`etl review` and `etl explain`: the static site opens offline in headless Chromium, its charts render
without a single request leaving the machine, and every highlight on an article page is its fact's quote."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from etl.cli import app

from browser import Browser, chromium_binary
from conftest import query

runner = CliRunner()


def cli(*args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def artifact(tmp_path: Path, name: str) -> Path:
    """Where a screenshot is kept: $ETL_TEST_ARTIFACTS when set (CI), else the test's tmp folder."""
    folder = Path(os.environ.get("ETL_TEST_ARTIFACTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


@pytest.fixture(scope="module")
def browser():
    binary = chromium_binary()
    if binary is None:
        pytest.skip("chromium is not installed (`make test` installs it with apt-get)")
    b = Browser(binary, offline=True)
    yield b
    b.close()


QUARANTINED = "9.999 tỷ đồng"


def quarantine_a_metric(wh: Path) -> None:
    """A metrics row of the Nam Từ Liêm article that validation refused, as the validate stage stores it."""
    from etl.publish import publish
    from etl.schema import QuarantineRow, to_table
    from etl.storage import Store

    [(article_id, content_hash, run_id)] = query(wh, "select article_id, content_hash, run_id from articles where district = 'Nam Từ Liêm'")
    row = {"article_id": article_id, "content_hash": content_hash, "seq": 99, "quote": QUARANTINED, "value": -1.0, "unit": "vnd_billion"}
    store = Store(str(wh))
    store.write_parquet("tables/quarantine/test-quarantined.parquet", to_table("quarantine", [QuarantineRow(
        table_name="metrics", row=json.dumps(row, ensure_ascii=False), failed_expectations="value_not_negative",
        run_id=run_id, row_key="test-quarantined")]))
    publish(store)


@pytest.fixture(scope="module")
def review_site(prefect_api, tmp_path_factory):
    """A seed warehouse with one corrected fact, and its review site (built once for the module)."""
    from flows.nightly import nightly_ingest

    from conftest import SEEDS

    tmp_path = tmp_path_factory.mktemp("review")
    articles = tmp_path / "articles"
    shutil.copytree(SEEDS, articles)
    (articles / "empty.txt").write_bytes(b"")  # refused: the index lists it with its reason
    wh = tmp_path / "warehouse"
    nightly_ingest(input_dir=str(articles), warehouse=str(wh))
    quarantine_a_metric(wh)
    [(award,)] = query(wh, "select fact_id from awards where quote = '8 tập thể nhận được Bằng khen'")
    cli("correct", award, "--set", "recipient_count=9", "--reason", "the list names nine", "--warehouse", str(wh))
    out = tmp_path / "review"
    printed = cli("review", "--warehouse", str(wh), "--out", str(out))
    assert str(out / "dashboard.html") in printed
    return wh, out, award


ASSET_RE = re.compile(r"""<(?:script|link|img|iframe|source|video|audio)\b[^>]*\b(?:src|href)\s*=\s*["']?(https?:)?//""", re.I)


def test_site_is_self_contained(review_site):
    wh, out, _ = review_site
    (out / "articles" / "gone-from-the-warehouse.html").write_text("old", encoding="utf-8")
    cli("review", "--warehouse", str(wh), "--out", str(out))  # rebuilding drops pages of articles no longer there
    pages = [out / "dashboard.html", out / "index.html", *sorted((out / "articles").glob("*.html"))]
    assert len(pages) == 2 + query(wh, "select count(*) from articles")[0][0]
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert not ASSET_RE.search(html), f"{page.name} loads an asset from the network"
        assert "<script src=" not in html and "<link rel=\"stylesheet\"" not in html
    dashboard = (out / "dashboard.html").read_text(encoding="utf-8")
    assert "Plotly.newPlot" in dashboard and len(dashboard) > 1_000_000  # plotly.js is inlined
    for sql in ("from district_year_summary", "from awards", "from articles_history"):
        assert sql in dashboard  # each chart's SQL is printed under it


def test_dashboard_charts_render_offline(review_site, browser, tmp_path):
    _, out, _ = review_site
    browser.requests.clear()
    browser.open((out / "dashboard.html").as_uri())
    charts = browser.js("""new Promise(done => setTimeout(() => done(
        [...document.querySelectorAll('section.chart')].map(s => ({
            id: s.id,
            svg: s.querySelectorAll('svg.main-svg').length,
            bars: s.querySelectorAll('g.point path, g.trace.scatter path.js-line').length,
            sql: s.querySelector('pre.sql').textContent}))), 500))""")
    assert [c["id"] for c in charts] == ["targets", "budget", "awards", "nights"]
    for chart in charts:
        assert chart["svg"] >= 1 and chart["bars"] >= 1, chart
        assert chart["sql"].startswith(("select", "with"))
    labels = browser.js("[...document.querySelectorAll('#chart-targets text.bartext')].map(t => t.textContent)")
    assert "14/14" in labels and "14.0/14.0" not in labels
    browser.screenshot(artifact(tmp_path, "review-dashboard.png"))
    offsite = [u for u in browser.requests if not u.startswith(("file://", "data:", "blob:", "about:"))]
    assert offsite == [], f"requests left the machine: {offsite}"
    assert artifact(tmp_path, "review-dashboard.png").stat().st_size > 20_000


def test_every_highlight_is_its_facts_quote(review_site, browser, tmp_path):
    wh, out, award = review_site
    [(article_id,)] = query(wh, f"select article_id from awards where fact_id = '{award}'")
    expected = {}
    for table in ("metrics", "awards", "movements", "officials", "documents"):
        expected.update(dict(query(wh, f"select fact_id, quote from {table} where article_id = '{article_id}'")))
    browser.requests.clear()
    browser.open((out / "articles" / f"{article_id}.html").as_uri())
    shown = browser.js("""(() => {
        const out = {};
        for (const mark of document.querySelectorAll('#text mark[data-facts]'))
            for (const id of mark.dataset.facts.split(' ')) out[id] = (out[id] || '') + mark.textContent;
        return out; })()""")
    assert shown == expected  # every fact highlighted, and each highlight reads exactly its quote
    panel = browser.js(f"document.getElementById('f-{award}').innerText")
    assert "recipient_count" in panel and "9" in panel and "corrected" in panel and "awards.bang_khen:count" in panel
    colours = browser.js("""Object.fromEntries(['metrics', 'awards', 'movements'].map(t => {
        const m = document.querySelector('mark.t-' + t); return [t, m && getComputedStyle(m).backgroundColor]; }))""")
    assert len(set(colours.values())) == 3, colours  # one colour per table
    source = browser.js("document.querySelector('a[rel~=noreferrer]').href")
    assert source == query(wh, f"select uri from articles where article_id = '{article_id}'")[0][0]
    browser.js(f"document.querySelector('mark[data-facts~=\"{award}\"]').dispatchEvent(new MouseEvent('mouseenter'))")
    assert browser.js(f"document.getElementById('f-{award}').classList.contains('active')")
    quarantined = browser.js("[...document.querySelectorAll('section')].map(s => s.innerText).find(t => t.startsWith('Quarantined')) || ''")
    assert QUARANTINED in quarantined and "value_not_negative" in quarantined
    browser.screenshot(artifact(tmp_path, "review-article.png"))
    assert [u for u in browser.requests if not u.startswith(("file://", "data:", "about:"))] == []


def test_index_filters_in_the_page(review_site, browser):
    wh, out, _ = review_site
    browser.open((out / "index.html").as_uri())
    total = browser.js("document.querySelectorAll('#articles tbody tr').length")
    assert total == query(wh, "select count(*) from articles")[0][0]
    visible = browser.js("""(() => { const s = document.querySelector('select[name=district]');
        s.value = 'Nam Từ Liêm'; s.dispatchEvent(new Event('input'));
        return [...document.querySelectorAll('#articles tbody tr:not(.hidden)')].map(r => r.dataset.district); })()""")
    assert visible == ["Nam Từ Liêm"]
    assert browser.js("document.getElementById('shown').textContent") == "1"
    dated = browser.js("""(() => { document.querySelector('select[name=district]').value = '';
        const f = document.getElementById('from'); f.value = '2022-01-01'; f.dispatchEvent(new Event('input'));
        const t = document.getElementById('to'); t.value = '2022-12-31'; t.dispatchEvent(new Event('input'));
        return [...document.querySelectorAll('#articles tbody tr:not(.hidden)')].map(r => r.dataset.date).sort(); })()""")
    [(in_2022,)] = query(wh, "select count(*) from articles where year(published_at) = 2022")
    assert len(dated) == in_2022 >= 1 and all(d.startswith("2022-") for d in dated)
    row = browser.js("(() => { const r = document.querySelector('#articles tbody tr[data-quarantined=\\'1\\']'); "
                     "return r && [r.dataset.district, r.innerText]; })()")
    assert row and row[0] == "Nam Từ Liêm" and "metrics: value_not_negative" in row[1]
    refused = browser.js("[...document.querySelectorAll('section')].map(s => s.innerText).find(t => t.startsWith('Refused')) || ''")
    [(reason,)] = query(wh, "select reason from quarantine where table_name = 'inputs' and uri like '%empty.txt'")
    assert "empty.txt" in refused and reason in refused


def test_explain_prints_sentence_fields_and_rule(review_site):
    wh, _, award = review_site
    out = cli("explain", award, "--warehouse", str(wh))
    assert "8 tập thể nhận được Bằng khen của Thủ tướng Chính phủ" in out  # the sentence around the span
    assert "awards.bang_khen:count" in out and "recipient_count" in out and "the list names nine" in out
    result = runner.invoke(app, ["explain", "metrics-0000000000000000", "--warehouse", str(wh)])
    assert result.exit_code == 2 and "no fact" in result.output


def test_dashboard_counts_are_integers(review_site):
    wh, _, _ = review_site  # (the dashboard test reads "14/14" off the rendered chart)
    assert query(wh, "select distinct typeof(targets_completed), typeof(targets_total), typeof(collective_awards), "
                     "typeof(individual_awards), typeof(articles) from district_year_summary") == [("BIGINT",) * 5]
    assert query(wh, "select distinct typeof(awards), typeof(recipients) from awards_by_issuer") == [("BIGINT", "BIGINT")]


def test_overlapping_spans_are_cut_into_segments_that_read_back_as_each_quote():
    from html import unescape

    from etl.review.data import Fact
    from etl.review.site import _fmt, highlighted_text

    text = "Tặng Bằng khen cho 3 tập thể <và> 5 cá nhân."
    spans = {"awards-a": (5, 28, "awards"), "metrics-b": (19, 28, "metrics"), "metrics-c": (24, 43, "metrics")}
    facts = [Fact(t, fid, "x", text[s:e], s, e, None, False, {}) for fid, (s, e, t) in spans.items()]
    html = highlighted_text(text, facts)
    read: dict[str, str] = {}
    for ids, segment in re.findall(r'<mark[^>]*data-facts="([^"]+)"[^>]*>(.*?)</mark>', html):
        for fid in ids.split():
            read[fid] = read.get(fid, "") + unescape(segment)
    assert read == {fid: text[s:e] for fid, (s, e, _) in spans.items()}
    assert unescape(re.sub(r"<[^>]+>", "", html)) == text  # nothing added, nothing lost
    assert "&lt;và&gt;" in html
    assert (_fmt(14.0), _fmt(8602.658)) == ("14", "8602.658")
