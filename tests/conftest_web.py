"""A scripted HTTP site on 127.0.0.1 for the fetch, discovery and web-ingest tests.

Import the `site` fixture into a test module (`from conftest_web import site`).
Every route answers from Python, so a test can serve real pages with ETags,
fail on purpose (404, 500 then 200, 429 with Retry-After, stalls, loops,
bombs) and count on the server side what the client asked for.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

import pytest

HTML_DIR = Path(__file__).resolve().parent / "data" / "html"
TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


@dataclass
class Hit:
    """One request the site received."""

    path: str
    headers: dict[str, str]
    at: float


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str | None] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0  # seconds to stall before answering


Handler = Callable[[Hit, int], Reply]  # (request, how many times this path was hit before) -> reply


class Site:
    """Routes by path (query included) to handlers; records every request."""

    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.hits: list[Hit] = []
        self._lock = threading.Lock()
        site = self

        class RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (http.server naming)
                hit = Hit(self.path, {k.lower(): v for k, v in self.headers.items()}, time.monotonic())
                with site._lock:
                    before = sum(1 for h in site.hits if h.path == hit.path)
                    site.hits.append(hit)
                handler = site.routes.get(hit.path) or site.routes.get(urlsplit(hit.path).path)
                reply = handler(hit, before) if handler else Reply(404, {"Content-Type": "text/plain"}, b"not here")
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    headers = {"Content-Length": str(len(reply.body)), **reply.headers}
                    for k, v in headers.items():
                        if v is not None:  # None drops a header (e.g. Content-Length)
                            self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, path: str, handler: Handler) -> str:
        self.routes[path] = handler
        return self.url(path)

    def static(self, path: str, body: bytes, content_type: str = "text/html; charset=utf-8", status: int = 200,
               headers: dict[str, str] | None = None) -> str:
        """A fixed reply, whatever the request."""
        return self.route(path, lambda hit, n: Reply(status, {"Content-Type": content_type, **(headers or {})}, body))

    def page(self, path: str, body: bytes, content_type: str = "text/html; charset=utf-8") -> str:
        """A page with an ETag and Last-Modified that answers 304 to a matching conditional GET."""
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        modified = "Tue, 03 Mar 2026 08:00:00 GMT"

        def handler(hit: Hit, n: int) -> Reply:
            if hit.headers.get("if-none-match") == etag:
                return Reply(304, {"ETag": etag})
            return Reply(200, {"Content-Type": content_type, "ETag": etag, "Last-Modified": modified}, body)

        return self.route(path, handler)

    def count(self, path: str, status_of: Callable[[Hit], bool] | None = None) -> int:
        """How many requests a path received."""
        return sum(1 for h in self.hits if h.path == path and (status_of is None or status_of(h)))

    def start(self) -> "Site":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site():
    """A fresh site on 127.0.0.1 with an allow-all robots.txt; stopped after the test."""
    s = Site().start()
    s.static("/robots.txt", b"User-agent: *\nDisallow: /private/\n", "text/plain")
    yield s
    s.stop()


def web_settings(tmp_path: Path, **changes):
    """Settings for tests: loopback allowed, tiny backoff and timeouts, no politeness delay."""
    from etl.settings import Settings

    base = dict(input_dir=None, warehouse=str(tmp_path / "warehouse"), allow_private_hosts=True, backoff=0.01,
                rate_limit=0.0, timeout=2.0, connect_timeout=1.0, max_retries=2)
    return Settings(**{**base, **changes})


def to_cp1258(text: str) -> bytes:
    """Vietnamese text as windows-1258 encodes it: precomposed vowels, combining tone marks."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONE_MARKS))
        tones = "".join(c for c in decomposed if c in TONE_MARKS)
        out += (base + tones).encode("cp1258")
    return bytes(out)


VIETNAMESE = "Quận Ba Đình hoàn thành 14/14 chỉ tiêu kinh tế - xã hội, thu ngân sách đạt 111,8% dự toán"
CP1258_TITLE = "Phong trào thi đua yêu nước năm 2023"


def cp1258_page() -> str:
    """An article page that declares windows-1258 only in <meta> (encode it with to_cp1258)."""
    paragraphs = "".join(
        f"<p>{VIETNAMESE}. Đoạn thứ {i}: Ủy ban nhân dân quận tặng Giấy khen cho 25 tập thể, "
        f"đóng góp tích cực vào phong trào thi đua.</p>" for i in range(1, 6))
    return ("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1258\">"
            f"<title>{CP1258_TITLE}</title></head><body><article><h1>{CP1258_TITLE}</h1>{paragraphs}"
            "</article></body></html>")


def gzip_bomb(size: int) -> bytes:
    """`size` zero bytes, gzip-compressed (about 1000:1)."""
    return gzip.compress(b"\0" * size, compresslevel=9)
