"""The static review site (`etl review`) and `etl explain`: every fact shown in its sentence.

`build_site(warehouse, out)` writes, with no server and nothing fetched at view
time (plotly.js is inlined), `out/dashboard.html` (the dashboard views as charts,
each chart's SQL under it), `out/index.html` (the articles, filterable in the
page) and `out/articles/<article_id>.html` (the cleaned text with every fact
highlighted at its char offsets, one colour per table, and a side panel with
each fact's fields and rule).

Example:

    from etl.review import build_site
    build_site("warehouse", Path("review"))   # then open review/dashboard.html
"""

from __future__ import annotations

import logging
from pathlib import Path

from etl.review import charts, site
from etl.review.data import articles, connect, facts, refused_inputs

log = logging.getLogger(__name__)


def _write(path: Path, html: str) -> None:
    """Write a page atomically, so a browser never opens half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(path)


def build_site(warehouse: str | Path, out: Path) -> Path:
    """Write the review site of a published warehouse into `out`; returns the dashboard page."""
    from etl.corrections import orphaned

    out = Path(out)
    con = connect(warehouse)
    try:
        rendered = [(c, *charts.render(con, c)) for c in charts.charts(con)]
        _write(out / "dashboard.html", site.dashboard_page(rendered, charts.plotly_js(), orphaned(con)))
        index = articles(con)
        _write(out / "index.html", site.index_page(index, refused_inputs(con)))
        by_article: dict[str, list] = {}
        for fact in facts(con):
            by_article.setdefault(fact.article_id, []).append(fact)
        for row in index:
            article_id = row.article["article_id"]
            _write(out / site.article_file(article_id), site.article_page(row, by_article.get(article_id, [])))
        current = {out / site.article_file(row.article["article_id"]) for row in index}
        for page in (out / "articles").glob("*.html"):  # an article no longer in the warehouse loses its page
            if page not in current:
                page.unlink()
    finally:
        con.close()
    log.info("review site: %d article pages in %s", len(index), out)
    return out / "dashboard.html"


__all__ = ["build_site"]
