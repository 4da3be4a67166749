"""etl.web_discover: URL lists, RSS/Atom feeds and sitemaps served on 127.0.0.1."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from etl.settings import SourceConfig, load_settings, read_sources
from etl.web_discover import discover_sources, feed_links, parse_sitemap

from conftest_web import site, web_settings  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parents[1]


def rss(*links: str) -> bytes:
    items = "".join(f"<item><title>t{i}</title><link>{link}</link></item>" for i, link in enumerate(links))
    return f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Tin</title>{items}</channel></rss>'.encode()


def atom(*links: str) -> bytes:
    entries = "".join(f'<entry><title>t{i}</title><id>urn:{i}</id><link rel="alternate" href="{link}"/></entry>'
                      for i, link in enumerate(links))
    return f'<feed xmlns="http://www.w3.org/2005/Atom"><title>Tin</title>{entries}</feed>'.encode()


def urlset(*entries: tuple[str, str]) -> bytes:
    body = "".join(f"<url><loc>{loc}</loc>{f'<lastmod>{mod}</lastmod>' if mod else ''}</url>" for loc, mod in entries)
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>'.encode()


def index(*locs: str) -> bytes:
    body = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locs)
    return f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</sitemapindex>'.encode()


def run(tmp_path, *sources: SourceConfig, **changes):
    return discover_sources(web_settings(tmp_path, sources=list(sources), **changes))


def test_url_list_and_url_file_are_canonical_and_deduplicated(tmp_path):
    (tmp_path / "urls.txt").write_text(
        "# district news\nhttps://Example.vn/tin/a.htm?utm_source=zalo\n\nhttps://example.vn/tin/c.htm\n", encoding="utf-8")
    yaml_path = tmp_path / "sources.yaml"
    yaml_path.write_text(
        "allow_private_hosts: true\n"
        "sources:\n"
        "  quan1:\n    urls: [https://example.vn/tin/a.htm, 'https://example.vn/tin/b.htm#comments', 'mailto:x@y.vn']\n"
        "  quan2:\n    urls: urls.txt\n", encoding="utf-8")
    settings = load_settings({"sources_file": yaml_path}, environ={})
    items, failures = discover_sources(settings)
    assert [(i.uri, i.source_name) for i in items] == [
        ("https://example.vn/tin/a.htm", "quan1"),
        ("https://example.vn/tin/b.htm", "quan1"),
        ("https://example.vn/tin/c.htm", "quan2"),
    ]
    assert [(f.uri, f.reason) for f in failures] == [("mailto:x@y.vn", "not an http(s) URL")]


def test_missing_url_file_is_a_named_failure(tmp_path):
    items, failures = run(tmp_path, SourceConfig(name="q", urls_file=str(tmp_path / "nope.txt")))
    assert items == [] and failures[0].reason.startswith("cannot read the URL file")


def test_rss_and_atom_feeds(site, tmp_path):
    site.static("/rss", rss("/tin/1.htm", site.url("/tin/2.htm?utm_medium=rss")), "application/rss+xml")
    site.static("/atom", atom(site.url("/tin/3.htm"), site.url("/tin/1.htm")), "application/atom+xml")
    items, failures = run(tmp_path, SourceConfig(name="feeds", feeds=[site.url("/rss"), site.url("/atom")]))
    assert failures == []
    assert [i.uri for i in items] == [site.url("/tin/1.htm"), site.url("/tin/2.htm"), site.url("/tin/3.htm")]


def test_sitemap_index_with_gzipped_child_newest_first_and_max_items(site, tmp_path):
    site.static("/sitemap.xml", index(site.url("/sm/news.xml"), site.url("/sm/old.xml.gz")), "application/xml")
    site.static("/sm/news.xml", urlset((site.url("/a.htm"), "2026-03-01"), (site.url("/b.htm"), "2026-03-05")), "text/xml")
    site.static("/sm/old.xml.gz", gzip.compress(urlset((site.url("/c.htm"), "2025-01-01"))), "application/x-gzip")
    source = SourceConfig(name="sm", sitemaps=[site.url("/sitemap.xml")])
    items, failures = run(tmp_path, source)
    assert failures == []
    assert [i.uri for i in items] == [site.url("/b.htm"), site.url("/a.htm"), site.url("/c.htm")]
    site.hits.clear()
    items, _ = run(tmp_path, SourceConfig(name="sm", sitemaps=[site.url("/sitemap.xml")], max_items=2))
    assert [i.uri for i in items] == [site.url("/b.htm"), site.url("/a.htm")]
    assert site.count("/sm/old.xml.gz") == 0, "no more sitemaps are fetched once max_items is reached"


def test_plain_text_sitemap(site, tmp_path):
    site.static("/sitemap.txt", f"{site.url('/x.htm')}\n{site.url('/y.htm')}\n".encode(), "text/plain")
    items, failures = run(tmp_path, SourceConfig(name="t", sitemaps=[site.url("/sitemap.txt")]))
    assert [i.uri for i in items] == [site.url("/x.htm"), site.url("/y.htm")] and failures == []


def test_broken_feeds_are_named_and_other_sources_go_on(site, tmp_path):
    site.static("/rss", rss(site.url("/ok.htm")), "application/rss+xml")
    site.static("/private/rss", rss(site.url("/secret.htm")), "application/rss+xml")
    site.static("/page.htm", b"<html><body><p>Not a feed</p></body></html>", "text/html")
    site.static("/feed.pdf", b"%PDF", "application/pdf")
    items, failures = run(
        tmp_path,
        SourceConfig(name="bad", feeds=[site.url("/gone"), site.url("/private/rss"), site.url("/page.htm"),
                                        site.url("/feed.pdf")]),
        SourceConfig(name="good", feeds=[site.url("/rss")]),
    )
    assert [i.uri for i in items] == [site.url("/ok.htm")]
    reasons = {f.uri: f.reason for f in failures}
    assert reasons[site.url("/gone")] == "HTTP 404 Not Found"
    assert reasons[site.url("/private/rss")] == f"disallowed by robots.txt ({site.url('')}/robots.txt)"
    assert reasons[site.url("/page.htm")].startswith("not an RSS/Atom feed")
    assert reasons[site.url("/feed.pdf")].startswith("content type application/pdf not allowed")
    assert all(f.stage == "discover" for f in failures)


def test_feed_redirect_to_metadata_is_refused(site, tmp_path):
    site.static("/rss", b"", "text/html", status=302, headers={"Location": "http://169.254.169.254/latest/"})
    items, failures = run(tmp_path, SourceConfig(name="x", feeds=[site.url("/rss")]))
    assert items == [] and "169.254.169.254 is a cloud metadata address" in failures[0].reason


def test_feeds_on_loopback_refused_by_default(site, tmp_path):
    site.static("/rss", rss(site.url("/ok.htm")), "application/rss+xml")
    items, failures = run(tmp_path, SourceConfig(name="x", feeds=[site.url("/rss")]), allow_private_hosts=False)
    assert items == [] and "loopback address" in failures[0].reason and site.hits == []


def test_sitemap_parser_refuses_other_xml():
    with pytest.raises(ValueError, match="root element <rss>"):
        parse_sitemap(rss("https://x.vn/a"))


def test_feed_links_resolve_relative_links():
    assert feed_links(rss("/a.htm"), "https://x.vn/rss/home.rss") == ["https://x.vn/a.htm"]


def test_example_sources_file_parses():
    glob, sources = read_sources(ROOT / "sources.example.yaml")
    assert glob["allow_private_hosts"] is False
    assert {"feeds", "sitemaps", "urls"} <= {k for s in sources for k in ("feeds", "sitemaps", "urls") if getattr(s, k)}
    assert all(s.max_items for s in sources)
