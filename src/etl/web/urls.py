"""URLs: canonical form, credentials and secret query parameters stripped."""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

log = logging.getLogger(__name__)

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
