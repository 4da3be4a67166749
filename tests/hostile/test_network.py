"""Hostile servers: cut bodies, lying headers, a drip feed, a wrong content type, redirects inward.

A raw socket server misbehaves in ways http.server will not: it can promise
5 000 bytes and send 1 000, or send one byte a second. Each URL must end as a
named failure in `fetch_batch` (and in quarantine after a run), never as a hang
or a half page loaded as an article.
"""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from pathlib import Path
from urllib.parse import unquote

import pytest

from etl.models import Item

from conftest import SEEDS, query
from conftest_web import web_settings

ARTICLE = ("<html><head><title>Nam Từ Liêm thi đua</title></head><body><article><h1>Nam Từ Liêm thi đua</h1>"
           + "".join(f"<p>{line}</p>" for line in (SEEDS / "000_db400617e4ced398.txt").read_text(encoding="utf-8").split("\n") if line)
           + "</article></body></html>").encode()


def head(status: str = "200 OK", content_type: str = "text/html; charset=utf-8", length: int | None = None) -> bytes:
    lines = [f"HTTP/1.1 {status}", f"Content-Type: {content_type}", "Connection: close"]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


REDIRECTS = {"/moved-inside": "http://10.0.0.1/tin", "/moved-to-metadata": "http://169.254.169.254/latest/meta-data/"}


class Hostile(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False


class Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.request.recv(4096)
            if not chunk:
                return
            data += chunk
        path = data.split(b" ", 2)[1].decode()
        send = self.request.sendall
        try:
            if path == "/robots.txt":
                send(head(content_type="text/plain", length=0))
            elif path == "/ok":
                send(head(length=len(ARTICLE)) + ARTICLE)
            elif path == "/drop":  # promises the whole page, sends a fifth, hangs up
                send(head(length=len(ARTICLE)) + ARTICLE[: len(ARTICLE) // 5])
                self.request.shutdown(socket.SHUT_RDWR)
            elif path == "/drop-chunked":  # chunked body cut in the middle of a chunk
                lines = [b"HTTP/1.1 200 OK", b"Content-Type: text/html", b"Transfer-Encoding: chunked"]
                send(b"\r\n".join(lines) + b"\r\n\r\n" + b"%x\r\n" % len(ARTICLE) + ARTICLE[:500])
                self.request.shutdown(socket.SHUT_RDWR)
            elif path == "/long-length":  # Content-Length larger than the body, connection closed
                send(head(length=len(ARTICLE) + 10_000) + ARTICLE)
            elif path == "/short-length":  # Content-Length smaller than the body: the rest is not the page
                send(head(length=200) + ARTICLE)
            elif path == "/bad-length":
                send(head().replace(b"Connection: close", b"Content-Length: -5\r\nConnection: close") + ARTICLE)
            elif path == "/drip":  # one byte a second: each read is quick, the whole page never comes
                send(head(length=len(ARTICLE)))
                for byte in ARTICLE:
                    send(bytes([byte]))
                    time.sleep(1.0)
            elif path == "/header-drip":  # the status line and headers, one byte every half second
                for byte in head(length=len(ARTICLE)):
                    send(bytes([byte]))
                    time.sleep(0.5)
                send(ARTICLE)
            elif path == "/json":
                send(head(content_type="application/json", length=len(ARTICLE)) + ARTICLE)
            elif path.startswith("/to/") or path in REDIRECTS:  # redirect to whatever follows /to/
                target = REDIRECTS.get(path) or unquote(path[len("/to/"):])
                send(f"HTTP/1.1 302 Found\r\nLocation: {target}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode())
            else:
                send(head("404 Not Found", length=0))
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass


@pytest.fixture(scope="module")
def hostile():
    server = Hostile(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def public_loopback(hostile, monkeypatch):
    """Treat the hostile server as a public host: every other private address stays refused."""
    import etl.web.client

    real = etl.web.client.vet
    port = int(hostile.rsplit(":", 1)[1])

    def guard(url: str, allow_private: bool):
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        if parts.hostname == "127.0.0.1" and parts.port == port:
            return real(url, True)
        return real(url, False)

    monkeypatch.setattr(etl.web.client, "vet", guard)


def fetch(tmp_path: Path, urls: list[str], **settings) -> tuple[dict[str, str], list[str], float]:
    from etl.fetch import fetch_batch

    start = time.perf_counter()
    docs, failures = fetch_batch([Item(u, "hostile") for u in urls],
                                 web_settings(tmp_path, max_retries=1, timeout=2.0, **settings))
    return {f.uri: f.reason for f in failures}, [d.uri for d in docs], time.perf_counter() - start


@pytest.mark.parametrize("path, reason", [
    ("/drop", "error while reading the body"),
    ("/drop-chunked", "error while reading the body"),
    ("/long-length", "error while reading the body"),
    ("/json", "content type application/json not allowed"),
])
def test_broken_or_mislabelled_bodies_are_named_failures(hostile, public_loopback, tmp_path, path, reason):
    failures, docs, _ = fetch(tmp_path, [hostile + path])
    assert docs == []
    assert reason in failures[hostile + path]


def test_a_body_shorter_than_its_content_length_is_not_half_loaded(hostile, public_loopback, tmp_path):
    """/short-length declares 200 bytes of a longer page: the client reads 200, clean names the cut."""
    from etl.clean import clean_batch
    from etl.fetch import fetch_all

    [result] = fetch_all([Item(hostile + "/short-length", "hostile")], web_settings(tmp_path, max_retries=0))
    assert result.error is None and len(result.doc.content) == 200
    cleaned, failures = clean_batch([result.doc])
    assert cleaned == []
    assert [(f.stage, f.reason.split(":")[0]) for f in failures] == [("clean", "HTML page is cut off")]


def test_one_byte_a_second_is_cut_off_by_the_page_deadline(hostile, public_loopback, tmp_path):
    failures, docs, seconds = fetch(tmp_path, [hostile + "/drip"], fetch_deadline=3.0)
    assert docs == []
    assert "deadline" in failures[hostile + "/drip"]
    assert seconds < 10  # not the hour the whole page would take


def test_headers_sent_one_byte_at_a_time_are_cut_off_by_the_deadline(hostile, public_loopback, tmp_path):
    """Each byte comes well within the read timeout; the deadline covers the headers too."""
    failures, docs, seconds = fetch(tmp_path, [hostile + "/header-drip"], fetch_deadline=2.0)
    assert docs == []
    assert "response not complete within the 2 s fetch deadline" in failures[hostile + "/header-drip"]
    assert seconds < 4.5  # cut at the deadline, not retried (the headers alone take about 40 s)


class Rebinding:
    """A DNS stub for one name: the first answer is public, every later one is 127.0.0.1 (DNS rebinding)."""

    def __init__(self, name: str, first: str, then: str = "127.0.0.1"):
        self.name, self.answers, self.asked = name, [first], 0
        self.then = then
        self.real = socket.getaddrinfo

    def __call__(self, host, port, *args, **kwargs):
        if host != self.name:
            return self.real(host, port, *args, **kwargs)
        self.asked += 1
        address = self.answers.pop(0) if self.answers else self.then
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]


def test_dns_rebinding_to_loopback_never_reaches_it(httpserver, monkeypatch, tmp_path):
    """The guard sees a public address; a second lookup would say 127.0.0.1. The connection goes to the first."""
    from etl.fetch import fetch_all

    httpserver.expect_request("/internal").respond_with_data("<html><body><p>internal secret</p></body></html>",
                                                             content_type="text/html")
    stub = Rebinding("rebind.example", first="93.184.215.14")
    monkeypatch.setattr(socket, "getaddrinfo", stub)
    url = f"http://rebind.example:{httpserver.port}/internal"
    [result] = fetch_all([Item(url, "hostile")], web_settings(
        tmp_path, allow_private_hosts=False, respect_robots=False, max_retries=1, connect_timeout=0.5))
    assert result.doc is None and result.error and ("connection failed" in result.error or "timeout" in result.error)
    assert httpserver.log == []  # nothing ever reached the loopback server
    assert stub.asked == 1  # one resolution, by the guard; the connection used its answer


def test_the_connection_keeps_the_host_name_while_using_the_vetted_address(httpserver, monkeypatch, tmp_path):
    from etl.fetch import fetch_all

    httpserver.expect_request("/tin").respond_with_data("<html><body><p>tin</p></body></html>", content_type="text/html")
    # vetted: 127.0.0.1 (private hosts allowed); a second lookup would send the request to an unroutable address
    stub = Rebinding("pinned.example", first="127.0.0.1", then="10.255.255.1")
    monkeypatch.setattr(socket, "getaddrinfo", stub)
    url = f"http://pinned.example:{httpserver.port}/tin"
    [result] = fetch_all([Item(url, "hostile")], web_settings(tmp_path, respect_robots=False, max_retries=0))
    assert result.error is None and b"tin" in result.doc.content
    [(request, _)] = httpserver.log
    assert request.headers["Host"] == f"pinned.example:{httpserver.port}"
    assert stub.asked == 1


@pytest.mark.parametrize("target, why", [
    ("http://10.0.0.1/tin", "private address"),
    ("http://192.168.1.1/admin", "private address"),
    ("http://127.0.0.1:9/", "loopback address"),
    ("http://localhost/", "loopback address"),
    ("http://[::1]/", "loopback address"),
    ("http://169.254.169.254/latest/meta-data/", "cloud metadata address"),
    ("http://0.0.0.0/", "address"),
    ("file:///etc/passwd", "unsupported URL scheme"),
])
def test_redirect_to_a_private_address_is_refused(hostile, public_loopback, tmp_path, target, why):
    url = f"{hostile}/to/{target}"
    failures, docs, _ = fetch(tmp_path, [url])
    assert docs == []
    assert failures[url].startswith("redirect to ") and "refused" in failures[url] and why in failures[url], failures[url]


def test_a_run_over_hostile_urls_loads_the_good_page_and_names_every_bad_one(hostile, public_loopback, run_flow, tmp_path):
    bad = ["/drop", "/long-length", "/json", "/moved-inside", "/moved-to-metadata"]
    sources = tmp_path / "sources.yaml"
    urls = "\n".join(f"      - {hostile}{p}" for p in ["/ok", *bad])
    sources.write_text(f"allow_private_hosts: true\nrate_limit: 0\nmax_retries: 1\ntimeout: 2\n"
                       f"sources:\n  hostile:\n    urls:\n{urls}\n", encoding="utf-8")
    summary, wh = run_flow(None, sources=str(sources))
    assert summary["status"] == "completed"
    assert query(wh, "select uri from articles") == [(f"{hostile}/ok",)]
    assert query(wh, "select count(*) from metrics") != [(0,)]
    refused = dict(query(wh, "select uri, reason from quarantine where table_name = 'inputs'"))
    assert sorted(refused) == sorted(hostile + p for p in bad)
    assert "error while reading the body" in refused[hostile + "/drop"]
    assert "application/json" in refused[hostile + "/json"]
    assert "private address" in refused[hostile + "/moved-inside"]
    assert "cloud metadata address" in refused[hostile + "/moved-to-metadata"]
