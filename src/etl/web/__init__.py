"""etl.web: everything the acquire stage needs to read the web, one concern per module.

- `urls`: canonical URLs, credentials and secret query parameters stripped;
- `ssrf`: the SSRF guard (`vet`), connections pinned to the vetted address, the exchange deadline;
- `robots`: robots.txt parsing (RFC 9309 size limit);
- `encoding`: MIME types and the page's character encoding;
- `client`: `Fetcher`, one requests.Session with the guard, politeness, retries and caps;
- `fetch`: items into RawDocs (conditional GET, fetch state, bronze recording).

`etl.fetch` re-exports these names for older imports.
"""
