"""Data Docs that work offline: the CDN assets GE pages load, vendored and pinned.

Great Expectations' Data Docs pages load jQuery, Bootstrap, bootstrap-table,
Font Awesome and Vega from public CDNs, so on an offline network (where our
users are) they open unstyled and the index, which bootstrap-table renders,
stays empty. The same files, taken from the npm registry at the pinned versions
in `ASSETS`, ship in `etl/data/datadocs/`; after every build the pages are
rewritten to load them from `static/vendor/` next to the site.

Re-vendor (needs the npm registry): `python -m etl.datadocs --vendor`.

GE calls a validation "Failed" when any expectation failed, whatever its
`severity` (GE 1.24 uses severity only to decide whom checkpoint actions
notify; no page shows it). Our status (`etl.validate.validation_status`:
passed / passed with warnings / failed, the same words as the CLI and the run
artifacts) is therefore added to the pages after every build, labelled
"thidua-etl status": on each validation page under GE's own Status, with the
warning-severity expectations that failed, and as a column of the index.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

VENDOR_DIR = Path(__file__).resolve().parent / "data" / "datadocs"
MANIFEST = VENDOR_DIR / "MANIFEST.json"


@dataclass(frozen=True)
class Asset:
    url: str  # as GE 1.24 writes it into the pages
    package: str  # npm name@version it is taken from
    member: str  # path inside the package tarball
    local: str  # path under static/vendor/


def _a(url: str, package: str, member: str) -> Asset:
    name = package.rsplit("@", 1)[0].lstrip("@").replace("/", "-")
    version = package.rsplit("@", 1)[1]
    return Asset(url, package, member, f"{name}-{version}/{member.split('/', 1)[1]}")


ASSETS = (
    _a("https://code.jquery.com/jquery-3.7.1.min.js", "jquery@3.7.1", "package/dist/jquery.min.js"),
    _a("https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css", "bootstrap@4.3.1", "package/dist/css/bootstrap.min.css"),
    _a("https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js", "bootstrap@4.3.1", "package/dist/js/bootstrap.min.js"),
    _a("https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js", "popper.js@1.12.9", "package/dist/umd/popper.min.js"),
    _a("https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css", "@fortawesome/fontawesome-free@6.6.0", "package/css/all.min.css"),
    *(_a(f"fontawesome:{font}", "@fortawesome/fontawesome-free@6.6.0", f"package/webfonts/{font}")
      for font in ("fa-brands-400.woff2", "fa-regular-400.woff2", "fa-solid-900.woff2", "fa-v4compatibility.woff2")),
    _a("https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js", "bootstrap-datepicker@1.9.0", "package/dist/js/bootstrap-datepicker.min.js"),
    _a("https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css", "bootstrap-datepicker@1.9.0", "package/dist/css/bootstrap-datepicker.min.css"),
    # GE asks for the newest 5.x / 6.x; these are the releases the registry gave when vendored
    _a("https://cdn.jsdelivr.net/npm/vega@5", "vega@5.33.1", "package/build/vega.min.js"),
    _a("https://cdn.jsdelivr.net/npm/vega-lite@5", "vega-lite@5.23.0", "package/build/vega-lite.min.js"),
    _a("https://cdn.jsdelivr.net/npm/vega-embed@6", "vega-embed@6.29.0", "package/build/vega-embed.min.js"),
    _a("https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css", "@forevolve/bootstrap-dark@1.1.0", "package/dist/css/bootstrap-prefers-dark.min.css"),
    _a("https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js", "bootstrap-table@1.19.1", "package/dist/bootstrap-table.min.js"),
    _a("https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css", "bootstrap-table@1.19.1", "package/dist/bootstrap-table.min.css"),
    _a("https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js", "bootstrap-table@1.19.1", "package/dist/extensions/filter-control/bootstrap-table-filter-control.min.js"),
    _a("https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css", "bootstrap-table@1.19.0", "package/dist/extensions/filter-control/bootstrap-table-filter-control.css"),
    _a("https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css", "bootstrap-table@1.19.0", "package/dist/extensions/filter-control/bootstrap-table-filter-control.min.css"),
)
# GE's logo is an image on S3 (with a tracking query string); the site carries its own copy.
LOGO = re.compile(r"https://great-expectations-web-assets\.s3\.[a-z0-9-]+\.amazonaws\.com/([\w-]+\.png)(\?[^\"'\s)]*)?")


def vendor(target: Path = VENDOR_DIR) -> dict:
    """Fetch every asset from the npm registry (`npm pack`) into `target`, with a manifest of checksums."""
    target.mkdir(parents=True, exist_ok=True)
    manifest = {}
    with tempfile.TemporaryDirectory() as tmp:
        tarballs: dict[str, Path] = {}
        for asset in ASSETS:
            if asset.package not in tarballs:
                name = subprocess.run(["npm", "pack", "--silent", asset.package], cwd=tmp, check=True,
                                      capture_output=True, text=True).stdout.strip().splitlines()[-1]
                tarballs[asset.package] = Path(tmp) / name
            with tarfile.open(tarballs[asset.package]) as tar:
                data = tar.extractfile(asset.member).read()
            out = target / asset.local
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)
            manifest[asset.local] = {"package": asset.package, "member": asset.member, "url": asset.url,
                                     "sha256": hashlib.sha256(data).hexdigest()}
    MANIFEST.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return manifest


def _relative_prefix(page: Path, site: Path) -> str:
    depth = len(page.relative_to(site).parts) - 1
    return "../" * depth


def make_offline(site: Path) -> int:
    """Copy the vendored assets into `site/static/vendor/` and point every page at them; returns pages rewritten."""
    site = Path(site)
    if not site.is_dir():
        return 0
    shutil.copytree(VENDOR_DIR, site / "static" / "vendor", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("MANIFEST.json"))
    rewritten = 0
    urls = sorted((a for a in ASSETS if a.url.startswith("http")), key=lambda a: -len(a.url))
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        prefix = _relative_prefix(page, site)
        new = html
        for asset in urls:
            new = new.replace(asset.url, f"{prefix}static/vendor/{asset.local}")
        new = LOGO.sub(lambda m: f"{prefix}static/images/{m.group(1)}", new)
        if new != html:
            page.write_text(new, encoding="utf-8")
            rewritten += 1
    return rewritten


def external_assets(html: str) -> list[str]:
    """http(s) URLs a page would load (scripts, stylesheets, images), links to follow aside."""
    return re.findall(r"<(?:script|img|link)\b[^>]*\b(?:src|href)=[\"'](https?://[^\"']+)", html)


# -- our status on GE's pages ----------------------------------------------------------------------

STATUS_LABEL = "thidua-etl status"
BADGE = {"passed": "badge-success", "passed with warnings": "badge-warning", "failed": "badge-danger"}
PAGE_MARK = ("<!-- etl-status -->", "<!-- /etl-status -->")
GE_STATUS = re.compile(r'<span class="h6" >Status:</span>.*?(?:Succeeded|Failed)', re.S)
INDEX_STATUS_COLUMN = re.compile(r"(columns: \[\{'field': 'validation_success'[^}]*\}, )")
INDEX_ROW_LINK = re.compile(r"'_table_row_link_path': '(validations/[^']+)'")


@dataclass(frozen=True)
class ResultStatus:
    """Our status of one GE validation result, and the expectations that failed by severity."""

    status: str
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


def result_status(result: dict) -> ResultStatus:
    """Our status of a GE validation result (its JSON): only critical (error-severity) failures fail it."""
    from etl.validate import GE_SEVERITY, expectation_name, validation_status

    errors, warnings = [], []
    for res in result.get("results", []):
        if res.get("success"):
            continue
        config = res.get("expectation_config") or {}
        ours = (config.get("meta") or {}).get("severity", "error")
        severity = config.get("severity") or GE_SEVERITY.get(ours, "critical")
        (errors if severity == "critical" else warnings).append(expectation_name(config))
    return ResultStatus(validation_status(not errors, errors + warnings), tuple(errors), tuple(warnings))


def badge(status: str) -> str:
    return (f'<span class="badge {BADGE[status]} etl-status" data-etl-status="{html.escape(status)}">'
            f"{html.escape(status)}</span>")


def page_label(status: ResultStatus) -> str:
    """The block added under GE's Status on a validation page."""
    note = ""
    if status.warnings or status.errors:
        parts = []
        if status.errors:
            parts.append("error severity (those rows are in quarantine): " + ", ".join(status.errors))
        if status.warnings:
            parts.append("warning severity (the rows loaded, flagged in quality_flags): " + ", ".join(status.warnings))
        note = (f'<br><small class="etl-status-note">GE says "Failed" when any expectation fails; '
                f"thidua-etl fails a validation only on error-severity ones. Failed here, "
                f"{html.escape('; '.join(parts))}.</small>")
    return f'{PAGE_MARK[0]}<br><span class="h6">{STATUS_LABEL}:</span> {badge(status.status)}{note}{PAGE_MARK[1]}'


def label_page(page: Path, status: ResultStatus) -> bool:
    """Put our status under GE's on one validation page (replacing an earlier label); False if GE's is not found."""
    text = page.read_text(encoding="utf-8")
    text = re.sub(re.escape(PAGE_MARK[0]) + ".*?" + re.escape(PAGE_MARK[1]), "", text, flags=re.S)
    found = GE_STATUS.search(text)
    if found is None:
        log.warning("Data Docs: no GE status on %s; thidua-etl status not added", page)
        return False
    page.write_text(text[:found.end()] + page_label(status) + text[found.end():], encoding="utf-8")
    return True


def label_index(index: Path, statuses: dict[str, ResultStatus]) -> int:
    """Add a `thidua-etl status` column to the index's validation table; returns rows labelled."""
    text = index.read_text(encoding="utf-8")
    if "'field': 'etl_status'" in text or not INDEX_STATUS_COLUMN.search(text):
        return 0
    column = f"{{'field': 'etl_status', 'title': '{STATUS_LABEL}', 'sortable': 'true', 'align': 'center'}}, "
    text = INDEX_STATUS_COLUMN.sub(lambda m: m.group(1) + column, text, count=1)
    labelled = 0

    def add(match: re.Match) -> str:
        nonlocal labelled
        status = statuses.get(match.group(1))
        if status is None:
            return match.group(0)
        labelled += 1
        return f"{match.group(0)}, 'etl_status': '{badge(status.status)}'"

    index.write_text(INDEX_ROW_LINK.sub(add, text), encoding="utf-8")
    return labelled


def label_statuses(site: Path, validations: Path) -> dict[str, ResultStatus]:
    """Our status on every validation page of `site` and in its index, from GE's result store `validations`.

    Returns page (relative to the site) -> status.
    """
    statuses: dict[str, ResultStatus] = {}
    for path in sorted(Path(validations).rglob("*.json")):
        try:
            result = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:  # a truncated result (full disk) is set aside by the next build
            continue
        rel = "validations/" + path.relative_to(validations).with_suffix(".html").as_posix()
        statuses[rel] = status = result_status(result)
        page = Path(site) / rel
        if page.is_file():
            label_page(page, status)
    index = Path(site) / "index.html"
    if index.is_file():
        label_index(index, statuses)
    return statuses


if __name__ == "__main__":
    if sys.argv[1:] == ["--vendor"]:
        print(f"{len(vendor())} assets in {VENDOR_DIR}")
    else:
        print("usage: python -m etl.datadocs --vendor")
