"""fetch: the HTTP side of acquire — now the `etl.web` package; this module keeps the old imports working.

See `etl.web` for the parts: `urls` (canonical URLs, secret parameters), `ssrf` (the guard and
connections pinned to the vetted address), `robots`, `encoding`, `client` (`Fetcher`) and
`fetch` (`fetch_batch`).
"""

from __future__ import annotations

from etl.web.client import (  # noqa: F401
    CHUNK,
    FEED_TYPES,
    MAX_BACKOFF,
    MAX_REDIRECTS,
    MAX_RETRY_AFTER,
    PAGE_TYPES,
    REDIRECT_STATUSES,
    Fetcher,
    FetchRefused,
    Response,
    _Transient,
    backoff_delay,
    http_reason,
    parse_retry_after,
    read_capped,
    short_error,
)
from etl.web.encoding import LATIN1_LABELS, codec_name, decodes, detect_encoding, mime_of  # noqa: F401
from etl.web.fetch import (  # noqa: F401
    MAX_PARALLEL_HOSTS,
    FetchResult,
    conditional_headers,
    fetch_all,
    fetch_batch,
    fetch_item,
)
from etl.web.robots import ROBOTS_MAX_BYTES, parse_robots  # noqa: F401
from etl.web.ssrf import (  # noqa: F401
    METADATA_HOSTNAMES,
    METADATA_IPS,
    PinnedAdapter,
    Vetted,
    address_kind,
    exchange_deadline,
    resolve,
    ssrf_reason,
    vet,
)
from etl.web.urls import (  # noqa: F401
    SECRET_NAMES,
    SECRET_SUFFIXES,
    canonical_url,
    is_secret_param,
    origin_of,
    strip_credentials,
)
