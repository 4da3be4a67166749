"""fetch: polite, retrying, incremental HTTP for the acquire stage.

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

`fetch_batch` adds conditional GET from the fetch state (ETag / Last-Modified),
encoding detection and bronze recording on top.
"""

from __future__ import annotations

import codecs
import email.utils
import ipaddress
import logging
import random
import re
import socket
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator, Mapping
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

import requests
import urllib3

from etl.acquire import now_local
from etl.errors import InputError
from etl.models import Failure, Item, RawDoc
from etl.settings import Settings

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
ROBOTS_MAX_BYTES = 500 * 1024  # RFC 9309 §2.5: parse at least the first 500 KiB
CHUNK = 64 * 1024
MAX_PARALLEL_HOSTS = 8
# Cloud metadata endpoints are refused even with allow_private_hosts: no crawl needs them.
METADATA_IPS = {ipaddress.ip_address(a) for a in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200")}
METADATA_HOSTNAMES = {"metadata.google.internal", "metadata.goog", "metadata"}
LATIN1_LABELS = {"iso8859-1", "ascii", "cp1252", "latin-1"}  # labels that often hide UTF-8
HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
META_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]{0,100}?encoding\s*=\s*[\"']([\w.:-]+)", re.IGNORECASE)


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


@dataclass
class FetchResult:
    """What happened to one item: a document, an unchanged page, or an error."""

    item: Item
    uri: str  # final canonical URL (after redirects)
    status: int | None
    elapsed: float
    bytes: int = 0
    attempts: int = 1
    doc: RawDoc | None = None
    error: str | None = None
    unchanged: bool = False  # 304, or the same bytes as last time
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: object = None


# -- URLs and addresses -------------------------------------------------------------------


# Query parameters that carry secrets (API keys, tokens, sessions, presigned-URL signatures) are never
# kept in a URI: a name on SECRET_NAMES, or ending in one of SECRET_SUFFIXES after `_`, `-` or `.`
# (`api_key`, `access-token`, `private_token`, `x-amz-signature`, `refresh_token`), separators
# ignored (`session_id`, `api-key`). Case-insensitive. Listed in README ("What it survives").
SECRET_NAMES = frozenset({
    "key", "apikey", "token", "accesstoken", "auth", "authorization", "password", "passwd", "pwd", "pass",
    "secret", "sig", "signature", "sid", "jwt", "session", "sessionid", "phpsessid", "jsessionid",
    "credential", "credentials", "otp", "ticket", "hmac",
})
SECRET_SUFFIXES = frozenset({
    "key", "token", "secret", "password", "passwd", "signature", "sig", "sid", "jwt", "auth", "credential",
    "session", "sessionid", "hmac",
})


def is_secret_param(name: str) -> bool:
    """True for query parameter names that carry credentials.

    >>> [is_secret_param(n) for n in ("token", "X-Amz-Signature", "private_token", "page", "monkey")]
    [True, True, True, False, False]
    """
    lowered = name.strip().lower()
    if re.sub(r"[_.-]", "", lowered) in SECRET_NAMES:  # session_id, api-key, access.token
        return True
    parts = re.split(r"[_.-]", lowered)
    return len(parts) > 1 and parts[-1] in SECRET_SUFFIXES


def strip_credentials(url: str) -> str:
    """The URL without `user:password@` and without secret query parameters.

    A URI ends up in logs, the fetches, articles and quarantine tables and
    bronze, so credentials never stay in one; a page that needs them fails with
    its HTTP status instead.

    >>> strip_credentials("https://me:pw@example.vn/rss?token=abc&page=2")
    'https://example.vn/rss?page=2'
    """
    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]
    params = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in params if not is_secret_param(k)]
    if netloc == parts.netloc and len(kept) == len(params):
        return url
    clean = urlunsplit((parts.scheme, netloc, parts.path, urlencode(kept), parts.fragment))
    log.warning("removed credentials from a URL (%s): they are never sent, logged or stored", clean)
    return clean


def canonical_url(url: str) -> str:
    """courlan's normalised URL (lower-case host, tracking parameters dropped), without fragment or credentials.

    >>> canonical_url("HTTPS://VnExpress.net:443/a.html?utm_source=x#top")
    'https://vnexpress.net/a.html'
    """
    import courlan

    url = strip_credentials(url)
    try:
        url = courlan.normalize_url(url.strip())
    except (ValueError, AttributeError):
        url = url.strip()
    parts = urlsplit(url)
    netloc = parts.netloc
    default_port = {"http": ":80", "https": ":443"}.get(parts.scheme)
    if default_port and netloc.endswith(default_port):
        netloc = netloc[: -len(default_port)]
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def address_kind(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why an address is not a public internet host, or None if it is."""
    for attr, kind in (("is_loopback", "loopback"), ("is_link_local", "link-local"), ("is_private", "private"),
                       ("is_multicast", "multicast"), ("is_unspecified", "unspecified"), ("is_reserved", "reserved")):
        if getattr(ip, attr):
            return kind
    return None if ip.is_global else "non-public"


def resolve(host: str, port: int) -> set[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """Every address a host name resolves to (IPv4-mapped IPv6 unwrapped)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    out = set()
    for info in infos:
        ip = ipaddress.ip_address(info[4][0].split("%")[0])
        out.add(getattr(ip, "ipv4_mapped", None) or ip)
    return out


@dataclass(frozen=True)
class Vetted:
    """The guard's verdict on a URL: a refusal reason, or the address to connect to."""

    reason: str | None
    host: str = ""
    port: int = 0
    address: str | None = None


def vet(url: str, allow_private: bool) -> Vetted:
    """Check a URL against the SSRF guard and pick the address the connection must use.

    The name is resolved once, here; every address it resolves to must pass,
    and the connection then goes to the first of them (see PinnedAdapter), so a
    second DNS answer can never be the one connected to.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return Vetted(f"unsupported URL scheme {parts.scheme!r} (http and https only)")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        return Vetted("URL has no host")
    if host in METADATA_HOSTNAMES:
        return Vetted(f"{host} is a cloud metadata host (SSRF guard)")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = resolve(host, port)
    except ValueError as exc:  # a malformed port ("[::1%5d"): refuse it rather than crash the batch
        return Vetted(f"malformed host or port in URL ({exc})")
    except (socket.gaierror, UnicodeError) as exc:
        return Vetted(f"cannot resolve host {host}: {getattr(exc, 'strerror', None) or exc}")
    if not addresses:
        return Vetted(f"cannot resolve host {host}: no address")
    for ip in sorted(addresses, key=str):
        if ip in METADATA_IPS:
            return Vetted(f"{host} is a cloud metadata address (SSRF guard)")
        kind = address_kind(ip)
        if kind and not allow_private:
            return Vetted(f"{host} resolves to {ip}, a {kind} address (SSRF guard; set allow_private_hosts: true to allow)")
    return Vetted(None, host, port, str(sorted(addresses, key=lambda a: (a.version, str(a)))[0]))


def ssrf_reason(url: str, allow_private: bool) -> str | None:
    """Why the SSRF guard refuses a URL, or None when it may be fetched."""
    return vet(url, allow_private).reason


# -- connecting to the vetted address -----------------------------------------------------

_exchange = threading.local()  # the connections the current thread's request uses (for the deadline)


class _PinnedConnection:
    """Connects to the address pinned for (host, port); Host header, SNI and certificate check keep the name."""

    pins: Mapping[tuple[str, int], str] = {}

    def _new_conn(self):  # noqa: ANN202 - urllib3's own signature
        key = (self._dns_host.rstrip(".").lower(), self.port)
        pinned = self.pins.get(key)
        if pinned is None:  # never vetted: refuse rather than resolve the name again
            raise urllib3.exceptions.NewConnectionError(self, f"{key[0]}:{key[1]} was not vetted by the SSRF guard")
        name = self._dns_host
        self._dns_host = pinned
        try:
            return super()._new_conn()
        finally:
            self._dns_host = name

    def request(self, *args, **kwargs):  # noqa: ANN202
        box = getattr(_exchange, "box", None)
        if box is not None:
            box.append(self)
        return super().request(*args, **kwargs)


class PinnedAdapter(requests.adapters.HTTPAdapter):
    """A requests adapter whose connections go to the addresses in `pins` ((host, port) -> IP)."""

    def __init__(self, pins: Mapping[tuple[str, int], str], **kwargs):
        self.pins = pins
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        http = type("PinnedHTTPConnection", (_PinnedConnection, urllib3.connection.HTTPConnection), {"pins": self.pins})
        https = type("PinnedHTTPSConnection", (_PinnedConnection, urllib3.connection.HTTPSConnection), {"pins": self.pins})
        self.poolmanager.pool_classes_by_scheme = {
            "http": type("PinnedHTTPPool", (urllib3.HTTPConnectionPool,), {"ConnectionCls": http}),
            "https": type("PinnedHTTPSPool", (urllib3.HTTPSConnectionPool,), {"ConnectionCls": https}),
        }


@contextmanager
def exchange_deadline(seconds: float | None) -> Iterator[threading.Event]:
    """Shut the request's socket when the whole exchange (headers, then body) overruns `seconds`.

    A read timeout bounds each wait for a byte; a server sending its headers
    one byte every 2 s never trips it. The event tells the caller the cut came
    from the deadline.
    """
    fired = threading.Event()
    box: list = []
    _exchange.box = box

    def expire() -> None:
        fired.set()
        for conn in box:
            sock = getattr(conn, "sock", None)
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    timer = threading.Timer(seconds, expire) if seconds else None
    if timer is not None:
        timer.daemon = True
        timer.start()
    try:
        yield fired
    finally:
        if timer is not None:
            timer.cancel()
        _exchange.box = None


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


# -- bodies and encodings -----------------------------------------------------------------


def mime_of(content_type: str | None) -> str | None:
    """`text/html` from `text/html; charset=UTF-8`; None when absent."""
    if not content_type:
        return None
    return content_type.split(";")[0].strip().lower() or None


def codec_name(label: str | bytes | None) -> str | None:
    """Python's codec name for a charset label, or None when unknown."""
    if not label:
        return None
    if isinstance(label, bytes):
        label = label.decode("ascii", "ignore")
    try:
        return codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None


def decodes(content: bytes, encoding: str) -> bool:
    try:
        content.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def detect_encoding(content: bytes, content_type: str | None = None) -> str:
    """The page's encoding: HTTP charset, else <meta charset>, else charset-normalizer.

    A declared charset is trusted only if the bytes decode with it; a Latin-1 or
    ASCII label on bytes that are valid UTF-8 is taken as the usual mislabelling.

    >>> detect_encoding('<meta charset="windows-1258"><p>Qua\u0309n'.encode("cp1258"))
    'cp1258'
    """
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if content.startswith(bom):
            return name
    head = content[:8192]
    header = HEADER_CHARSET.search(content_type or "")
    meta = META_CHARSET.search(head) or XML_ENCODING.search(head)
    for label in (header.group(1) if header else None, meta.group(1) if meta else None):
        name = codec_name(label)
        if name is None:
            continue
        if name in LATIN1_LABELS and not content.isascii() and decodes(content, "utf-8"):
            return "utf-8"
        if decodes(content, name):
            return name
        log.info("declared charset %s does not decode the page; detecting", label)
    if content.isascii() or decodes(content, "utf-8"):
        return "utf-8"
    from charset_normalizer import from_bytes

    best = from_bytes(content).best()
    return codec_name(best.encoding) if best is not None else "utf-8"


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
        parser = RobotFileParser(robots_url)
        parser.parse(resp.content.decode("utf-8", errors="replace").splitlines())
        return parser, None


def http_reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


# -- items into documents -----------------------------------------------------------------


def conditional_headers(state) -> dict[str, str]:
    """If-None-Match / If-Modified-Since from a fetch-state row (or nothing)."""
    headers = {}
    if state is not None and getattr(state, "raw_hash", None):
        if state.etag:
            headers["If-None-Match"] = state.etag
        if state.last_modified:
            headers["If-Modified-Since"] = state.last_modified
    return headers


def fetch_item(fetcher: Fetcher, item: Item, state=None) -> FetchResult:
    """Fetch one item: a RawDoc when the page is new or changed, else unchanged or an error."""
    started = time.monotonic()
    try:
        resp = fetcher.get(item.uri, headers=conditional_headers(state), source_name=item.source_name)
    except FetchRefused as exc:
        log.warning("discarding %s: %s", item.uri, exc.reason)
        return FetchResult(item, item.uri, exc.status, time.monotonic() - started, attempts=exc.attempts,
                           error=exc.reason, fetched_at=now_local())
    except Exception as exc:  # one hostile URL must not end the fetch of every other item
        log.exception("discarding %s: unexpected error while fetching", item.uri)
        return FetchResult(item, item.uri, None, time.monotonic() - started,
                           error=f"unexpected error: {type(exc).__name__}: {exc}", fetched_at=now_local())
    elapsed = time.monotonic() - started
    final = canonical_url(resp.url)
    result = FetchResult(item, final, resp.status, elapsed, resp.wire_bytes, resp.attempts,
                         etag=resp.headers.get("ETag"), last_modified=resp.headers.get("Last-Modified"),
                         fetched_at=now_local())
    if resp.status == 304:
        log.info("unchanged %s: 304 Not Modified", item.uri)
        result.unchanged = True
        result.etag = result.etag or state.etag
        result.last_modified = result.last_modified or state.last_modified
        return result
    if resp.status == 204 or not resp.content:
        result.error = f"HTTP {resp.status}: empty body"
        log.warning("discarding %s: %s", item.uri, result.error)
        return result
    mime = resp.mime
    encoding = detect_encoding(resp.content, resp.headers.get("Content-Type"))
    result.doc = RawDoc(uri=final, source_name=item.source_name, content=resp.content, content_type=mime,
                        fetched_at=result.fetched_at, encoding=encoding)
    if state is not None and state.raw_hash == result.doc.raw_hash:
        log.info("unchanged %s: same bytes as the last fetch", item.uri)
        result.unchanged = True
    return result


def fetch_all(items: list[Item], settings: Settings, state: Mapping[str, object] | None = None,
              fetcher: Fetcher | None = None) -> list[FetchResult]:
    """Fetch items, hosts in parallel, each host's items one after another; results in item order."""
    state = state or {}
    own = fetcher is None
    fetcher = fetcher or Fetcher(settings)
    by_host: dict[str, list[int]] = defaultdict(list)
    for i, item in enumerate(items):
        by_host[urlsplit(item.uri).netloc].append(i)
    results: list[FetchResult | None] = [None] * len(items)

    def run_host(indexes: list[int]) -> None:
        for i in indexes:
            results[i] = fetch_item(fetcher, items[i], state.get(items[i].uri))

    try:
        workers = max(1, min(MAX_PARALLEL_HOSTS, len(by_host)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fetch") as pool:
            for future in [pool.submit(run_host, idx) for idx in by_host.values()]:
                future.result()
    finally:
        if own:
            fetcher.close()
    return [r for r in results if r is not None]


def fetch_batch(items: list[Item], settings: Settings) -> tuple[list[RawDoc], list[Failure]]:
    """Documents for http(s) items; conditional GET from the fetch state, bytes kept in bronze.

    A page that answers 304 Not Modified (or returns the same bytes as last time)
    yields neither a document nor a failure: it is unchanged, nothing to
    re-extract. Every attempt is recorded in the `fetches` table and new bytes
    in bronze; the fetch state is staged for the run and committed by the flow
    after the batch is loaded (`etl.bronze.commit_state`), so a run that dies
    before loading does not leave pages marked as already seen.
    """
    from etl import bronze
    from etl.storage import Store

    store = Store(settings.warehouse)
    state = bronze.load_state(store)
    results = fetch_all(items, settings, state)
    bronze.record(store, results, settings.run_id or "")
    docs: list[RawDoc] = []
    failures: list[Failure] = []
    seen: set[str] = set()
    for result in results:
        if result.error:
            failures.append(Failure(result.item.uri, "acquire", result.error))
        elif result.doc is None or result.unchanged:
            continue
        elif result.doc.uri in seen:
            log.info("skipping %s: same page as another item (redirects to %s)", result.item.uri, result.doc.uri)
        else:
            seen.add(result.doc.uri)
            docs.append(result.doc)
    return docs, failures

