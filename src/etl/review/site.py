"""HTML of the review site: dashboard, article index, one page per article. No network, no CDN."""

from __future__ import annotations

import datetime as dt
import json
from html import escape
from typing import Any

from etl.review.data import ArticleRow, Fact
from etl.schema import FACT_TABLES

TABLE_COLOURS = {"metrics": "#ffd54f", "awards": "#a5d6a7", "movements": "#90caf9", "officials": "#f8bbd0",
                 "documents": "#d1c4e9"}

CSS = """
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #212121; background: #fafafa; }
header { background: #263238; color: #fff; padding: 10px 24px; display: flex; gap: 24px; align-items: baseline; }
header a { color: #fff; } header h1 { font-size: 18px; margin: 0; }
main { padding: 16px 24px; max-width: 1400px; }
section { background: #fff; border: 1px solid #e0e0e0; border-radius: 6px; padding: 12px 16px; margin-bottom: 16px; }
h2 { font-size: 16px; margin: 4px 0 8px; }
pre.sql { background: #f5f5f5; padding: 8px; overflow-x: auto; font-size: 12px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border-bottom: 1px solid #eee; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #f5f5f5; position: sticky; top: 0; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.filters { display: flex; gap: 12px; flex-wrap: wrap; margin-bottom: 8px; align-items: center; }
.filters input[type=search] { width: 260px; }
.empty { color: #757575; font-style: italic; }
.badge { display: inline-block; padding: 0 6px; border-radius: 8px; font-size: 11px; background: #eceff1; }
.badge.corrected { background: #fff3e0; color: #e65100; } .badge.orphaned { background: #ffebee; color: #b71c1c; }
.layout { display: grid; grid-template-columns: minmax(0, 3fr) minmax(300px, 2fr); gap: 16px; }
.text { white-space: pre-wrap; line-height: 1.7; font-size: 15px; }
mark { border-radius: 2px; padding: 1px 0; cursor: pointer; }
mark.multi { box-shadow: inset 0 -2px 0 #37474f; }
mark.active { outline: 2px solid #d84315; }
mark.plain { background: none !important; box-shadow: none; }
aside { position: sticky; top: 8px; max-height: calc(100vh - 16px); overflow-y: auto; }
.fact { border-left: 6px solid #ccc; padding: 6px 8px; margin-bottom: 8px; background: #fff; border-radius: 4px; font-size: 13px; }
.fact.active { outline: 2px solid #d84315; }
.fact dl { display: grid; grid-template-columns: max-content 1fr; gap: 0 8px; margin: 4px 0; }
.fact dt { color: #616161; } .fact dd { margin: 0; }
.fact code, .cmd { font-size: 11px; color: #455a64; }
.quote { font-style: italic; }
.legend label { margin-right: 12px; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; vertical-align: middle; }
.hidden { display: none; }
""" + "".join(f"mark.t-{t} {{ background: {c}; }} .fact.t-{t} {{ border-left-color: {c}; }} .swatch.t-{t} {{ background: {c}; }}\n"
              for t, c in TABLE_COLOURS.items())

INDEX_JS = """
(function () {
  const q = document.getElementById('q'), rows = [...document.querySelectorAll('#articles tbody tr')];
  const selects = [...document.querySelectorAll('.filters select')], onlyQ = document.getElementById('only-quarantined');
  const from = document.getElementById('from'), to = document.getElementById('to');
  const shown = document.getElementById('shown');
  function apply() {
    const text = q.value.trim().toLowerCase(); let n = 0;
    for (const r of rows) {
      let ok = !text || r.dataset.search.includes(text);
      for (const s of selects) ok = ok && (!s.value || r.dataset[s.name] === s.value);
      ok = ok && (!onlyQ.checked || Number(r.dataset.quarantined) > 0);
      ok = ok && (!from.value || (r.dataset.date && r.dataset.date >= from.value)) && (!to.value || (r.dataset.date && r.dataset.date <= to.value));
      r.classList.toggle('hidden', !ok); n += ok;
    }
    shown.textContent = n;
  }
  [q, onlyQ, from, to, ...selects].forEach(e => e.addEventListener('input', apply));
  apply();
})();
"""

ARTICLE_JS = """
(function () {
  const marks = [...document.querySelectorAll('mark[data-facts]')];
  const cards = [...document.querySelectorAll('.fact[data-fact]')];
  function clear() { document.querySelectorAll('.active').forEach(e => e.classList.remove('active')); }
  function show(ids, scrollCard) {
    clear();
    for (const id of ids) {
      marks.filter(m => m.dataset.facts.split(' ').includes(id)).forEach(m => m.classList.add('active'));
      const card = document.getElementById('f-' + id);
      if (card) { card.classList.add('active'); if (scrollCard) card.scrollIntoView({block: 'nearest'}); }
    }
  }
  marks.forEach(m => m.addEventListener('mouseenter', () => show(m.dataset.facts.split(' '), true)));
  cards.forEach(c => c.addEventListener('mouseenter', () => show([c.dataset.fact], false)));
  cards.forEach(c => c.addEventListener('click', () => {
    const m = marks.find(m => m.dataset.facts.split(' ').includes(c.dataset.fact));
    if (m) m.scrollIntoView({block: 'center'});
  }));
  document.querySelectorAll('.legend input').forEach(box => box.addEventListener('change', () => {
    document.querySelectorAll('mark.t-' + box.value).forEach(m => m.classList.toggle('plain', !box.checked));
    document.querySelectorAll('.fact.t-' + box.value).forEach(c => c.classList.toggle('hidden', !box.checked));
  }));
})();
"""


def page(title: str, body: str, *, head: str = "", script: str = "", root: str = "") -> str:
    """A whole HTML page with the site's inline CSS (and inline scripts)."""
    return (
        "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">"
        f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{escape(title)}</title>"
        f"<style>{CSS}</style>{head}</head><body>"
        f"<header><h1>thidua-etl review</h1><a href=\"{root}dashboard.html\">Dashboard</a> <a href=\"{root}index.html\">Articles</a></header>"
        f"<main>{body}</main>{f'<script>{script}</script>' if script else ''}</body></html>\n"
    )


def _fmt(value: Any) -> str:
    """A field value as the page prints it."""
    if value is None:
        return ""
    if isinstance(value, float):  # 14, not 14.0; 8602.658 in full
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:.12g}"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


def article_file(article_id: str) -> str:
    """An article page's path, relative to the site folder."""
    return f"articles/{article_id}.html"


# --------------------------------------------------------------------------- #
# Dashboard
# --------------------------------------------------------------------------- #

def dashboard_page(rendered: list[tuple[Any, str, list[dict]]], plotly_js: str, orphaned: list[dict]) -> str:
    """Charts with their SQL; plotly.js inlined once in the head."""
    sections = []
    for chart, html, data in rendered:
        sections.append(
            f'<section class="chart" id="{chart.key}"><h2>{escape(chart.title)}</h2>{html}'
            f'<details open><summary>SQL ({len(data)} rows)</summary><pre class="sql">{escape(chart.sql)}</pre></details></section>'
        )
    if orphaned:
        items = "".join(f"<li><code>{escape(c['fact_id'])}</code> {escape(c['action'])} by {escape(c['author'])}: "
                        f"{escape(c['reason'])} — <a href=\"{article_file(c['article_id'])}\">article</a></li>" for c in orphaned)
        sections.insert(0, f'<section><h2>Corrections that no longer apply</h2><p>Their fact is gone (the article text '
                           f'changed); check them again.</p><ul>{items}</ul></section>')
    return page("Dashboard — thidua-etl", "".join(sections), head=f"<script>{plotly_js}</script>")


# --------------------------------------------------------------------------- #
# Article index
# --------------------------------------------------------------------------- #

def _outlet(a: dict) -> str:
    """The outlet as printed, else the site or source name."""
    return a.get("source") or a.get("sitename") or a.get("source_name") or ""


def _options(name: str, label: str, values: list[str]) -> str:
    """A filter <select> over the distinct values."""
    opts = "".join(f'<option value="{escape(v)}">{escape(v)}</option>' for v in sorted(set(filter(None, values))))
    return f'<label>{label} <select name="{name}"><option value="">all</option>{opts}</select></label>'


def index_page(articles: list[ArticleRow], refused: list[dict]) -> str:
    """Every article with its counts; filterable by text, district, outlet, year and quarantined rows."""
    body_rows = []
    for row in articles:
        a = row.article
        year = str(a["published_at"].year) if a.get("published_at") else ""
        day = a["published_at"].date().isoformat() if a.get("published_at") else ""
        reasons = "; ".join(sorted({f"{q['table']}: {q['failed']}" for q in row.quarantined}))
        search = " ".join(filter(None, [a.get("title"), a.get("district"), _outlet(a), a.get("uri")])).lower()
        counts = "".join(f'<td class="n">{row.counts.get(t, 0)}</td>' for t in FACT_TABLES)
        corrected = f' <span class="badge corrected">{len(row.corrections)} corrected</span>' if row.corrections else ""
        body_rows.append(
            f'<tr data-search="{escape(search)}" data-district="{escape(a.get("district") or "")}" '
            f'data-outlet="{escape(_outlet(a))}" data-year="{year}" data-date="{day}" data-quarantined="{len(row.quarantined)}">'
            f'<td>{_fmt(a.get("published_at"))}</td><td><a href="{article_file(a["article_id"])}">{escape(a.get("title") or a["uri"])}</a>{corrected}</td>'
            f'<td>{escape(a.get("district") or "")}</td><td>{escape(_outlet(a))}</td>{counts}'
            f'<td class="n" title="{escape(reasons)}">{len(row.quarantined)}</td><td>{escape(reasons)}</td></tr>'
        )
    filters = (
        '<div class="filters"><input type="search" id="q" placeholder="search title, district, outlet, URL">'
        + _options("district", "District", [r.article.get("district") for r in articles])
        + _options("outlet", "Outlet", [_outlet(r.article) for r in articles])
        + _options("year", "Year", [str(r.article["published_at"].year) for r in articles if r.article.get("published_at")])
        + '<label>From <input type="date" id="from"></label><label>to <input type="date" id="to"></label>'
        + '<label><input type="checkbox" id="only-quarantined"> only with quarantined rows</label>'
        + f'<span><b id="shown">{len(articles)}</b> of {len(articles)} articles</span></div>'
    )
    head = "".join(f"<th>{h}</th>" for h in ["date", "title", "district", "outlet", *FACT_TABLES, "quarantined", "reasons"])
    table = f'<table id="articles"><thead><tr>{head}</tr></thead><tbody>{"".join(body_rows)}</tbody></table>'
    refused_html = ""
    if refused:
        items = "".join(f"<tr><td>{escape(r['uri'] or '')}</td><td>{escape(r['stage'] or '')}</td><td>{escape(r['reason'] or '')}</td></tr>"
                        for r in refused)
        refused_html = (f'<section><h2>Refused inputs ({len(refused)})</h2><table><thead><tr><th>uri</th><th>stage</th>'
                        f'<th>reason</th></tr></thead><tbody>{items}</tbody></table></section>')
    body = f'<section><h2>Articles</h2>{filters}{table}</section>{refused_html}'
    return page("Articles — thidua-etl", body, script=INDEX_JS)


# --------------------------------------------------------------------------- #
# Article page
# --------------------------------------------------------------------------- #

def highlighted_text(text: str, facts: list[Fact]) -> str:
    """The text with every fact's span marked; overlapping spans are cut into segments naming all their facts.

    Each `<mark data-facts="id …">` covers text that every listed fact contains, so
    the marks of one fact, read in order, are exactly its quote.
    """
    bounds = sorted({0, len(text), *(f.char_start for f in facts), *(f.char_end for f in facts)})
    out = []
    for lo, hi in zip(bounds, bounds[1:]):
        covering = [f for f in facts if f.char_start <= lo and f.char_end >= hi]
        segment = escape(text[lo:hi], quote=False)
        if not covering:
            out.append(segment)
            continue
        inner = min(covering, key=lambda f: (f.char_end - f.char_start, list(FACT_TABLES).index(f.table)))
        ids = " ".join(f.fact_id for f in covering)
        tip = " | ".join(f.label() for f in covering)
        multi = " multi" if len(covering) > 1 else ""
        out.append(f'<mark class="t-{inner.table}{multi}" data-facts="{escape(ids)}" title="{escape(tip)}">{segment}</mark>')
    return "".join(out)


def fact_card(f: Fact) -> str:
    """The side-panel card of one fact: table, quote, fields, rule, id."""
    fields = "".join(f"<dt>{escape(k)}</dt><dd>{escape(_fmt(v))}</dd>" for k, v in f.fields.items() if v is not None)
    badge = ' <span class="badge corrected">corrected</span>' if f.corrected else ""
    return (
        f'<div class="fact t-{f.table}" id="f-{escape(f.fact_id)}" data-fact="{escape(f.fact_id)}">'
        f'<b>{f.table}</b>{badge} <span class="quote">{escape(f.quote)}</span><dl>{fields}'
        f'<dt>rule</dt><dd>{escape(f.rule or "")}</dd><dt>span</dt><dd>{f.char_start}–{f.char_end}</dd></dl>'
        f'<code>{escape(f.fact_id)}</code><div class="cmd">etl explain {escape(f.fact_id)}</div></div>'
    )


def article_page(row: ArticleRow, facts: list[Fact]) -> str:
    """One article: metadata, the highlighted text, a side panel of facts, quarantined rows and corrections."""
    a = row.article
    meta = [("outlet", _outlet(a)), ("author", a.get("author")), ("published", _fmt(a.get("published_at"))),
            ("district", a.get("district")), ("province", a.get("province")), ("words", a.get("word_count")),
            ("article_id", a["article_id"])]
    meta_html = " · ".join(f"{k}: <b>{escape(str(v))}</b>" for k, v in meta if v not in (None, ""))
    counts = {t: sum(1 for f in facts if f.table == t) for t in FACT_TABLES}
    legend = "".join(f'<label><input type="checkbox" value="{t}" checked> <span class="swatch t-{t}"></span> {t} ({n})</label>'
                     for t, n in counts.items())
    extra = []
    if row.quarantined:
        items = "".join(f"<li><b>{escape(q['table'])}</b> <q>{escape(q.get('quote') or '')}</q>: {escape(q['failed'] or '')}</li>"
                        for q in row.quarantined)
        extra.append(f"<section><h2>Quarantined rows ({len(row.quarantined)})</h2><ul>{items}</ul></section>")
    if row.corrections:
        items = "".join(
            f"<li><span class=\"badge {escape(c['status'])}\">{escape(c['status'])}</span> {escape(c['action'])} "
            f"<code>{escape(c['fact_id'])}</code> <q>{escape(c.get('quote') or '')}</q> {escape(c.get('new_values') or '')} "
            f"— {escape(c['author'])}, {_fmt(c['created_at'])}: {escape(c['reason'])}</li>" for c in row.corrections)
        extra.append(f"<section><h2>Corrections ({len(row.corrections)})</h2><ul>{items}</ul></section>")
    uri = a["uri"]
    body = (
        f'<section><h2>{escape(a.get("title") or uri)}</h2><p>{meta_html}</p>'
        f'<p>Source: <a href="{escape(uri)}" rel="noreferrer noopener">{escape(uri)}</a></p>'
        f'<div class="legend">{legend}</div></section>'
        f'<div class="layout"><section><div class="text" id="text">{highlighted_text(a["text"], facts)}</div></section>'
        f'<aside><section><h2>Facts ({len(facts)})</h2>{"".join(fact_card(f) for f in facts)}</section></aside></div>'
        + "".join(extra)
    )
    data = json.dumps({f.fact_id: f.quote for f in facts}, ensure_ascii=False).replace("</", "<\\/")
    head = f'<script type="application/json" id="fact-quotes">{data}</script>'
    return page(f"{a.get('title') or uri} — thidua-etl", body, head=head, script=ARTICLE_JS, root="../")
