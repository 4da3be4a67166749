"""web discovery: the article URLs named by sources.yaml (URL lists, RSS/Atom feeds, sitemaps).

Feeds and sitemaps are fetched through `etl.web.client.Fetcher`, so the SSRF guard,
robots.txt, timeouts, retries and byte caps apply to them as to articles.
Every URL is canonicalised (courlan) and listed once, under the first source
that named it; `max_items` keeps the first N of a source (feed order, sitemap
entries newest `lastmod` first).
"""

from __future__ import annotations

import gzip
import io
import logging
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from etl.models import Failure, Item
from etl.settings import Settings, SourceConfig
from etl.web.client import FEED_TYPES, Fetcher, FetchRefused
from etl.web.urls import canonical_url

log = logging.getLogger(__name__)

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
MAX_SITEMAP_DEPTH = 3  # index -> index -> urlset is as deep as real news sites go
MAX_SITEMAPS_PER_SOURCE = 50


class Found:
    """Items and failures gathered for one source, deduplicated, up to max_items."""

    def __init__(self, source: SourceConfig, seen: set[str]):
        self.source = source
        self.seen = seen
        self.items: list[Item] = []
        self.failures: list[Failure] = []

    @property
    def full(self) -> bool:
        return self.source.max_items is not None and len(self.items) >= self.source.max_items

    def add(self, url: str, base: str | None = None) -> None:
        """Add one URL (resolved against base), unless seen, unusable or over max_items."""
        if self.full:
            return
        raw = urljoin(base, url.strip()) if base else url.strip()
        if urlsplit(raw).scheme not in ("http", "https") or not urlsplit(raw).netloc:
            self.fail(raw, "not an http(s) URL")
            return
        uri = canonical_url(raw)
        if uri in self.seen:
            return
        self.seen.add(uri)
        self.items.append(Item(uri=uri, source_name=self.source.name))

    def fail(self, uri: str, reason: str) -> None:
        log.warning("discarding %s: %s", uri, reason)
        self.failures.append(Failure(uri, "discover", reason))


def read_url_file(path: Path) -> list[str]:
    """URLs in a text file, one a line; blank lines and `#` comments skipped."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def urls_file_path(source: SourceConfig, settings: Settings) -> Path:
    """A source's URL file, relative to the sources.yaml that names it."""
    path = Path(source.urls_file)
    if not path.is_absolute() and settings.sources_file is not None:
        path = Path(settings.sources_file).parent / path
    return path


def feed_links(content: bytes, feed_url: str) -> list[str]:
    """Article links of an RSS/Atom feed, in feed order.

    >>> feed_links(b"<rss><channel><item><link>/a.htm</link></item></channel></rss>", "https://x.vn/rss")
    ['https://x.vn/a.htm']
    """
    import feedparser

    parsed = feedparser.parse(content, response_headers={"content-location": feed_url})
    if not parsed.entries and parsed.bozo:
        raise ValueError(f"not an RSS/Atom feed ({type(parsed.bozo_exception).__name__}: {parsed.bozo_exception})")
    links = []
    for entry in parsed.entries:
        link = entry.get("link") or next((x.get("href") for x in entry.get("links", []) if x.get("href")), None)
        if link:
            links.append(urljoin(feed_url, link))
    return links


def gunzip_capped(data: bytes, max_bytes: int) -> bytes:
    """Decompress a .gz sitemap, refusing more than max_bytes of output."""
    with gzip.GzipFile(fileobj=io.BytesIO(data)) as f:
        out = f.read(max_bytes + 1)
    if len(out) > max_bytes:
        raise ValueError(f"decompressed sitemap over max_bytes ({max_bytes} bytes)")
    return out


def parse_sitemap(content: bytes) -> tuple[str, list[tuple[str, str]]]:
    """("index" | "urlset" | "text", [(loc, lastmod)]) of a sitemap document.

    >>> parse_sitemap(b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://x.vn/a</loc></url></urlset>')
    ('urlset', [('https://x.vn/a', '')])
    """
    from lxml import etree

    head = content.lstrip()[:1]
    if head != b"<":  # a plain-text sitemap: one URL per line
        lines = content.decode("utf-8", errors="replace").splitlines()
        return "text", [(line.strip(), "") for line in lines if line.strip().startswith(("http://", "https://"))]
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)
    root = etree.fromstring(content, parser)
    if root is None:
        raise ValueError("not a sitemap (empty or unparseable XML)")
    kind = etree.QName(root).localname
    if kind not in ("sitemapindex", "urlset"):
        raise ValueError(f"not a sitemap (root element <{kind}>)")
    child = "sitemap" if kind == "sitemapindex" else "url"
    entries = []
    for node in root.iter(f"{SITEMAP_NS}{child}", child):
        loc = node.findtext(f"{SITEMAP_NS}loc") or node.findtext("loc") or ""
        lastmod = node.findtext(f"{SITEMAP_NS}lastmod") or node.findtext("lastmod") or ""
        if loc.strip():
            entries.append((loc.strip(), lastmod.strip()))
    return ("index" if kind == "sitemapindex" else "urlset"), entries


def newest_first(entries: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Sitemap entries by lastmod, newest first; entries without one keep their order, last."""
    dated = sorted((e for e in entries if e[1]), key=lambda e: e[1], reverse=True)
    return dated + [e for e in entries if not e[1]]


def fetch_document(fetcher: Fetcher, url: str, found: Found) -> bytes | None:
    """A feed or sitemap's bytes (gunzipped), or None after recording why not."""
    try:
        resp = fetcher.get(url, allowed_types=FEED_TYPES, source_name=found.source.name)
    except FetchRefused as exc:
        found.fail(url, exc.reason)
        return None
    content = resp.content
    if content[:2] == b"\x1f\x8b":
        try:
            content = gunzip_capped(content, fetcher.settings.max_bytes)
        except (OSError, EOFError, ValueError) as exc:
            found.fail(url, f"bad gzip data: {exc}")
            return None
    return content


def discover_feed(fetcher: Fetcher, url: str, found: Found) -> None:
    """Add the article links of one RSS/Atom feed."""
    content = fetch_document(fetcher, url, found)
    if content is None:
        return
    try:
        links = feed_links(content, url)
    except ValueError as exc:
        found.fail(url, str(exc))
        return
    for link in links:
        found.add(link)


def discover_sitemap(fetcher: Fetcher, url: str, found: Found, depth: int = 0, visited: set[str] | None = None) -> None:
    """Add the page URLs of a sitemap, following sitemap indexes up to MAX_SITEMAP_DEPTH."""
    visited = set() if visited is None else visited
    if url in visited or found.full:
        return
    if len(visited) >= MAX_SITEMAPS_PER_SOURCE:
        found.fail(url, f"sitemap skipped: more than {MAX_SITEMAPS_PER_SOURCE} sitemaps in one source")
        return
    visited.add(url)
    content = fetch_document(fetcher, url, found)
    if content is None:
        return
    try:
        kind, entries = parse_sitemap(content)
    except (ValueError, SyntaxError) as exc:
        found.fail(url, str(exc))
        return
    if kind == "index":
        if depth >= MAX_SITEMAP_DEPTH:
            found.fail(url, f"sitemap index nested deeper than {MAX_SITEMAP_DEPTH} levels; not followed")
            return
        for loc, _ in newest_first(entries):
            discover_sitemap(fetcher, canonical_url(urljoin(url, loc)), found, depth + 1, visited)
        return
    for loc, _ in newest_first(entries):
        found.add(loc, base=url)


def discover_source(fetcher: Fetcher, source: SourceConfig, settings: Settings, seen: set[str]) -> Found:
    """Items of one source: folders, URL list and file, feeds, then sitemaps."""
    found = Found(source, seen)
    for folder in source.folders:
        from etl.discover import discover_folder

        items, failures = discover_folder(Path(folder), source.name)
        for item in items:
            if not found.full and item.uri not in seen:
                seen.add(item.uri)
                found.items.append(item)
        found.failures += failures
    urls = list(source.urls)
    if source.urls_file:
        path = urls_file_path(source, settings)
        try:
            urls += read_url_file(path)
        except OSError as exc:
            found.fail(path.absolute().as_uri(), f"cannot read the URL file: {exc.strerror or exc}")
    for url in urls:
        found.add(url)
    for feed in source.feeds:
        if not found.full:
            discover_feed(fetcher, canonical_url(feed), found)
    for sitemap in source.sitemaps:
        if not found.full:
            discover_sitemap(fetcher, canonical_url(sitemap), found)
    log.info("source %s: %d items (%d refused)", source.name, len(found.items), len(found.failures))
    return found


def discover_sources(settings: Settings, fetcher: Fetcher | None = None) -> tuple[list[Item], list[Failure]]:
    """Items of every source in settings.sources, deduplicated by canonical URL.

    >>> from etl.settings import load_settings
    >>> items, failures = discover_sources(load_settings({"sources_file": "sources.example.yaml"}))  # doctest: +SKIP
    """
    own = fetcher is None
    fetcher = fetcher or Fetcher(settings)
    items: list[Item] = []
    failures: list[Failure] = []
    seen: set[str] = set()
    try:
        for source in settings.sources:
            found = discover_source(fetcher, source, settings, seen)
            items += found.items
            failures += found.failures
    finally:
        if own:
            fetcher.close()
    return items, failures
