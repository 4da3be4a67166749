"""The SSRF guard: which addresses may be fetched, and connections pinned to the vetted one.

A name is resolved once, by `vet`; `PinnedAdapter` connects to that very
address (Host header and TLS SNI keep the name), so a DNS answer that changes
after the check (rebinding) cannot reach 127.0.0.1. `exchange_deadline` cuts a
whole exchange, headers included.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator, Mapping
from urllib.parse import urlsplit

import requests
import urllib3

# Cloud metadata endpoints are refused even with allow_private_hosts: no crawl needs them.
METADATA_IPS = {ipaddress.ip_address(a) for a in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200")}
METADATA_HOSTNAMES = {"metadata.google.internal", "metadata.goog", "metadata"}


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
