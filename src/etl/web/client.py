"""client: polite, retrying HTTP for the acquire stage (etl.web.fetch turns items into documents).

Every request — article pages, robots.txt, feeds, sitemaps — goes through
`Fetcher.get`, which

- refuses hosts that resolve to loopback, private, link-local or reserved
  addresses (unless `allow_private_hosts`) and cloud metadata endpoints
  (always), and checks again on every redirect hop: redirects are followed here,
  not by requests, so each hop is vetted and loops are caught;
- connects to the very address the guard vetted (`PinnedAdapter`), with the
  Host header and TLS SNI/certificate check still naming the host, so a DNS
  answer that changes after the check (rebinding) cannot reach 127.0.0.1;
- cuts the whole exchange, response headers included, at `fetch_deadline`;
- obeys robots.txt (cached per origin, Crawl-delay honoured) and waits its turn
  per host: one request at a time, at least `rate_limit` seconds apart;
- retries connection errors, timeouts, 429 and 5xx with exponential backoff and
  jitter, honouring Retry-After;
- checks the content type against an allow-list before reading, then streams
  the body with a cap on wire bytes and on decompressed bytes (gzip bombs).

`etl.web.fetch.fetch_batch` adds conditional GET from the fetch state (ETag / Last-Modified),
encoding detection and bronze recording on top.
"""

from __future__ import annotations

import email.utils
import logging
import random
import re
import threading
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator, Mapping
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import requests
import urllib3

from etl.errors import InputError
from etl.settings import Settings
from etl.web.encoding import mime_of
from etl.web.robots import ROBOTS_MAX_BYTES, parse_robots
from etl.web.ssrf import PinnedAdapter, exchange_deadline, vet
from etl.web.urls import canonical_url, origin_of

log = logging.getLogger(__name__)

PAGE_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
FEED_TYPES = (
    "application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml", "text/xml",
    "application/x-gzip", "application/gzip", "text/plain",
    "text/html",  # some CMSs serve their RSS as text/html; feedparser copes
)
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
MAX_REDIRECTS = 5
MAX_RETRY_AFTER = 120.0  # seconds; a server asking for more is skipped tonight, not waited for
MAX_BACKOFF = 60.0
CHUNK = 64 * 1024


class FetchRefused(InputError):
    """A URL that cannot be fetched tonight; `status` is the HTTP status when there was one."""

    def __init__(self, uri: str, reason: str, status: int | None = None, attempts: int = 1):
        super().__init__(uri, reason)
        self.status = status
        self.attempts = attempts


class _Transient(Exception):
    """One attempt failed in a way worth retrying."""

    def __init__(self, reason: str, status: int | None = None, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after


@dataclass
class Response:
    """A finished GET: final URL, status, headers and the (decoded) body."""

    url: str
    status: int
    headers: Mapping[str, str]
    content: bytes = b""
    wire_bytes: int = 0
    attempts: int = 1

    @property
    def mime(self) -> str | None:
        return mime_of(self.headers.get("Content-Type"))


# -- retries ------------------------------------------------------------------------------


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date).

    >>> parse_retry_after("3"), parse_retry_after(None), parse_retry_after("soon")
    (3.0, None, None)
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def backoff_delay(attempt: int, base: float, retry_after: float | None = None) -> float:
    """Exponential backoff with jitter (base·2^attempt·[0.5, 1)), never shorter than Retry-After."""
    delay = min(MAX_BACKOFF, base * (2 ** attempt) * random.uniform(0.5, 1.0))
    return max(delay, retry_after or 0.0)


# -- politeness ---------------------------------------------------------------------------


class HostGate:
    """One request at a time per host, at least `interval` seconds apart."""

    def __init__(self) -> None:
        self._locks: dict[str, threading.Lock] = defaultdict(threading.Lock)
        self._last: dict[str, float] = {}
        self._guard = threading.Lock()

    @contextmanager
    def turn(self, host: str, interval: float) -> Iterator[None]:
        with self._guard:
            lock = self._locks[host]
        with lock:
            wait = self._last.get(host, float("-inf")) + interval - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                yield
            finally:
                self._last[host] = time.monotonic()


def read_capped(resp: requests.Response, url: str, max_bytes: int,
                deadline_seconds: float | None = None) -> tuple[bytes, int]:
    """The body of a streamed response, refusing more than max_bytes on the wire or decoded.

    The read timeout bounds each wait for a byte; `deadline_seconds` bounds the
    whole body, so a server sending one byte a second cannot hold a worker for hours.
    """
    deadline = time.monotonic() + deadline_seconds if deadline_seconds else None
    length = resp.headers.get("Content-Length", "")
    if length.isdigit() and int(length) > max_bytes:
        raise FetchRefused(url, f"body over max_bytes: Content-Length {length} > {max_bytes}", resp.status_code)
    encoded = resp.headers.get("Content-Encoding", "").strip().lower()
    body = bytearray()
    try:
        # read1: at most one socket read per call, so the deadline is checked between drips
        while chunk := resp.raw.read1(CHUNK, decode_content=True):
            body += chunk
            if deadline is not None and time.monotonic() > deadline:
                raise FetchRefused(url, f"page not complete within the {deadline_seconds:g} s fetch deadline "
                                        f"({len(body)} bytes so far; server too slow)", resp.status_code)
            if resp.raw.tell() > max_bytes:
                raise FetchRefused(url, f"body over max_bytes ({max_bytes} bytes); download aborted", resp.status_code)
            if len(body) > max_bytes:
                what = f"decompressed body over max_bytes ({max_bytes} bytes; Content-Encoding {encoded}): compression bomb?"
                raise FetchRefused(url, what if encoded else f"body over max_bytes ({max_bytes} bytes); download aborted",
                                   resp.status_code)
    except (urllib3.exceptions.HTTPError, requests.RequestException, OSError) as exc:
        raise FetchRefused(url, f"error while reading the body: {short_error(exc)}", resp.status_code) from exc
    return bytes(body), resp.raw.tell()


def short_error(exc: BaseException) -> str:
    """The last, most specific line of a requests/urllib3 error."""
    text = str(exc)
    match = re.search(r"\((?:Caused by )?\w+\('?<?[^:>]*>?:? ?([^)]*)\)", text)
    return (match.group(1) if match else text)[:200] or type(exc).__name__


# -- the client ---------------------------------------------------------------------------


class Fetcher:
    """One requests.Session with the guards, politeness and retries of this module."""

    def __init__(self, settings: Settings, session: requests.Session | None = None):
        self.settings = settings
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = settings.user_agent
        self.session.trust_env = False  # no proxies from the environment: they would bypass the SSRF guard
        self.pins: dict[tuple[str, int], str] = {}  # (host, port) -> the address the guard vetted
        adapter = PinnedAdapter(self.pins)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.gate = HostGate()
        self.robots: dict[str, tuple[RobotFileParser | None, str | None]] = {}
        self._robots_locks: dict[str, threading.Lock] = defaultdict(threading.Lock)
        self.intervals = {s.name: s.rate_limit for s in settings.sources if s.rate_limit is not None}

    def close(self) -> None:
        self.session.close()

    @property
    def agent(self) -> str:
        return self.settings.user_agent.split("/")[0].strip() or "*"

    def interval(self, url: str, source_name: str | None = None) -> float:
        """Minimum seconds between two requests to this URL's host."""
        rate = self.intervals.get(source_name or "", self.settings.rate_limit)
        parser, _ = self.robots.get(origin_of(url), (None, None))
        delay = parser.crawl_delay(self.agent) if parser is not None else None
        return max(rate, float(delay or 0))

    def get(self, url: str, *, allowed_types: tuple[str, ...] | None = PAGE_TYPES,
            headers: Mapping[str, str] | None = None, check_robots: bool = True,
            source_name: str | None = None, max_bytes: int | None = None) -> Response:
        """GET a URL, following redirects ourselves; raises FetchRefused with the reason."""
        chain = [url]
        current = url
        attempts = 0
        while True:
            vetted = vet(current, self.settings.allow_private_hosts)
            if vetted.reason:
                prefix = f"redirect to {current} refused: " if len(chain) > 1 else "refused: "
                raise FetchRefused(url, prefix + vetted.reason, attempts=attempts)
            self.pins[(vetted.host, vetted.port)] = vetted.address  # the connection goes here, nowhere else
            if check_robots and self.settings.respect_robots:
                refusal = self.robots_refusal(current)
                if refusal:
                    raise FetchRefused(url, refusal, attempts=attempts)
            resp = self.retrying(current, headers, allowed_types, source_name, max_bytes)
            attempts += resp.attempts
            if resp.status in REDIRECT_STATUSES and resp.headers.get("Location"):
                target = canonical_url(urljoin(current, resp.headers["Location"]))
                if target in chain:
                    raise FetchRefused(url, "redirect loop: " + " -> ".join(chain + [target]), resp.status, attempts)
                if len(chain) > MAX_REDIRECTS:
                    raise FetchRefused(url, f"too many redirects (more than {MAX_REDIRECTS})", resp.status, attempts)
                chain.append(target)
                current = target
                continue
            resp.attempts = attempts
            if resp.status >= 400:
                raise FetchRefused(url, f"HTTP {resp.status} {http_reason(resp.status)}", resp.status, attempts)
            return resp

    def retrying(self, url: str, headers: Mapping[str, str] | None, allowed_types: tuple[str, ...] | None,
                 source_name: str | None, max_bytes: int | None) -> Response:
        """One hop, retried on connection errors, timeouts, 429 and 5xx."""
        tries = self.settings.max_retries + 1
        for attempt in range(tries):
            try:
                resp = self.attempt(url, headers, allowed_types, source_name, max_bytes)
                resp.attempts = attempt + 1
                return resp
            except _Transient as exc:
                last = exc
            if attempt + 1 == tries:
                break
            if last.retry_after is not None and last.retry_after > MAX_RETRY_AFTER:
                raise FetchRefused(url, f"{last.reason}; Retry-After {last.retry_after:.0f} s is over "
                                        f"{MAX_RETRY_AFTER:.0f} s, skipped tonight", last.status, attempt + 1)
            delay = backoff_delay(attempt, self.settings.backoff, last.retry_after)
            log.info("retrying %s in %.2f s (attempt %d of %d): %s", url, delay, attempt + 2, tries, last.reason)
            time.sleep(delay)
        raise FetchRefused(url, f"{last.reason} (gave up after {tries} attempts)", last.status, tries)

    def attempt(self, url: str, headers: Mapping[str, str] | None, allowed_types: tuple[str, ...] | None,
                source_name: str | None, max_bytes: int | None) -> Response:
        """One request to one URL, inside the host's politeness slot."""
        host = urlsplit(url).netloc
        timeouts = (self.settings.connect_timeout, self.settings.timeout)
        deadline = self.settings.fetch_deadline
        with self.gate.turn(host, self.interval(url, source_name)), exchange_deadline(deadline) as cut:
            try:
                resp = self.session.get(url, headers=dict(headers or {}), stream=True, allow_redirects=False,
                                        timeout=timeouts)
            except requests.RequestException as exc:
                if cut.is_set():  # not retried: the same server would drip again
                    raise FetchRefused(url, f"response not complete within the {deadline:g} s fetch deadline "
                                            "(headers still coming; server too slow)") from exc
                if isinstance(exc, requests.ConnectTimeout):
                    raise _Transient(f"connect timeout: no connection within {self.settings.connect_timeout:g} s") from exc
                if isinstance(exc, requests.ReadTimeout):
                    raise _Transient(f"read timeout: no response within {self.settings.timeout:g} s") from exc
                if isinstance(exc, requests.ConnectionError):
                    raise _Transient(f"connection failed: {short_error(exc)}") from exc
                raise FetchRefused(url, f"request failed: {short_error(exc)}") from exc
            with resp:
                status = resp.status_code
                if status == 429 or 500 <= status < 600:
                    raise _Transient(f"HTTP {status} {http_reason(status)}", status,
                                     parse_retry_after(resp.headers.get("Retry-After")))
                out = Response(url=url, status=status, headers=resp.headers)
                if status in REDIRECT_STATUSES or status == 304 or status >= 400 or status == 204:
                    return out
                mime = mime_of(resp.headers.get("Content-Type"))
                if allowed_types is not None and mime is not None and mime not in allowed_types:
                    raise FetchRefused(url, f"content type {mime} not allowed (accepting {', '.join(allowed_types)})",
                                       status)
                try:
                    out.content, out.wire_bytes = read_capped(resp, url, max_bytes or self.settings.max_bytes, deadline)
                except FetchRefused as exc:
                    if cut.is_set():
                        raise FetchRefused(url, f"page not complete within the {deadline:g} s fetch deadline "
                                                "(server too slow)", status) from exc
                    raise
                return out

    def robots_refusal(self, url: str) -> str | None:
        """Why robots.txt forbids this URL, or None when it is allowed."""
        origin = origin_of(url)
        with self._robots_locks[origin]:
            if origin not in self.robots:
                self.robots[origin] = self.load_robots(origin)
        parser, unavailable = self.robots[origin]
        if unavailable:
            return unavailable
        if parser is not None and not parser.can_fetch(self.agent, url):
            return f"disallowed by robots.txt ({origin}/robots.txt)"
        return None

    def load_robots(self, origin: str) -> tuple[RobotFileParser | None, str | None]:
        """An origin's robots.txt: a parser, or None (allow all) — or a reason to skip the host."""
        robots_url = f"{origin}/robots.txt"
        try:
            resp = self.get(robots_url, allowed_types=None, check_robots=False, max_bytes=ROBOTS_MAX_BYTES)
        except FetchRefused as exc:
            if exc.status is not None and 400 <= exc.status < 500:
                return None, None  # RFC 9309 §2.3.1.3: unavailable robots.txt allows everything
            # RFC 9309 §2.3.1.4: unreachable (5xx, network) means assume complete disallow
            log.warning("robots.txt of %s unreachable (%s): skipping the host tonight", origin, exc.reason)
            return None, f"robots.txt unreachable ({exc.reason}); host skipped (RFC 9309)"
        return parse_robots(robots_url, resp.content), None


def http_reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
