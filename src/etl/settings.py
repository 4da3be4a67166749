"""One Settings object, read once at the edge (CLI, flow parameters) and passed down.

Precedence: explicit arguments (CLI / flow parameters), then `ETL_*` environment
variables, then `sources.yaml`, then the defaults below. Library code never
reads `os.environ` itself.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

DEFAULT_USER_AGENT = "thidua-etl/0.1 (+https://example.invalid/thidua-etl)"


@dataclass
class SourceConfig:
    """One named source in sources.yaml."""

    name: str
    urls: list[str] = field(default_factory=list)
    urls_file: str | None = None
    feeds: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)
    max_items: int | None = None
    rate_limit: float | None = None  # seconds between requests to one host


@dataclass
class Settings:
    input_dir: Path | None = Path("seeds/articles")
    warehouse: str = "warehouse"
    sources_file: Path | None = None
    sources: list[SourceConfig] = field(default_factory=list)
    user_agent: str = DEFAULT_USER_AGENT
    timeout: float = 20.0  # read timeout, seconds
    fetch_deadline: float = 120.0  # whole-page seconds: a server dripping bytes is cut off
    connect_timeout: float = 5.0
    max_bytes: int = 10 * 1024 * 1024
    max_retries: int = 3
    backoff: float = 0.5  # first retry delay, seconds; doubles each time, with jitter
    rate_limit: float = 1.0  # default minimum seconds between requests to one host
    allow_private_hosts: bool = False
    respect_robots: bool = True
    batch_size: int = 500
    workers: int = 1  # processes for CPU-bound stages
    task_runner: str = "default"  # or "dask"
    dask_address: str | None = None
    expectations_dir: Path | None = None  # default: the project's expectations/
    compact_min_files: int = 24  # a partition with this many files is merged at the end of a run; 0 = never
    lock_timeout: float = 0.0  # seconds to wait for another run's lock; 0 = fail at once
    quiet: bool = False
    run_id: str | None = None  # set by the flow: fetches and bronze records name their run
    reprocess: bool = False  # `etl reprocess`: re-extract from bronze instead of fetching
    reprocess_run: str | None = None  # with reprocess: only what this run fetched (default: latest of every URI)
    reprocess_sources: list[str] | None = None  # with reprocess: only these source names (the backfill flow)

    def replace(self, **changes: Any) -> "Settings":
        return dataclasses.replace(self, **changes)


_ENV_FIELDS = {
    "ETL_WAREHOUSE": ("warehouse", str),
    "ETL_INPUT": ("input_dir", Path),
    "ETL_SOURCES": ("sources_file", Path),
    "ETL_USER_AGENT": ("user_agent", str),
    "ETL_TIMEOUT": ("timeout", float),
    "ETL_MAX_BYTES": ("max_bytes", int),
    "ETL_ALLOW_PRIVATE_HOSTS": ("allow_private_hosts", lambda v: v.lower() in {"1", "true", "yes"}),
    "ETL_BATCH_SIZE": ("batch_size", int),
    "ETL_WORKERS": ("workers", int),
    "ETL_DASK_ADDRESS": ("dask_address", str),
}


def read_sources(path: Path) -> tuple[dict[str, Any], list[SourceConfig]]:
    """Global options and named sources from a sources.yaml file."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping at the top level")
    sources = []
    raw_sources = data.pop("sources", {}) or {}
    if isinstance(raw_sources, dict):
        raw_sources = [{"name": k, **(v or {})} for k, v in raw_sources.items()]
    known = {f.name for f in dataclasses.fields(SourceConfig)}
    for entry in raw_sources:
        unknown = set(entry) - known
        if unknown:
            raise ValueError(f"{path}: source {entry.get('name')!r} has unknown keys {sorted(unknown)}")
        urls = entry.get("urls")
        if isinstance(urls, str):  # `urls: file.txt` names a file of URLs
            entry = {**entry, "urls": [], "urls_file": urls}
        sources.append(SourceConfig(**entry))
    return data, sources


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Build Settings: overrides > ETL_* environment > sources.yaml > defaults."""
    overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
    environ = os.environ if environ is None else environ
    from_env: dict[str, Any] = {}
    for var, (name, conv) in _ENV_FIELDS.items():
        if var in environ and environ[var] != "":
            from_env[name] = conv(environ[var])
    sources_file = overrides.get("sources_file") or from_env.get("sources_file")
    from_file: dict[str, Any] = {}
    sources: list[SourceConfig] = []
    if sources_file:
        glob, sources = read_sources(Path(sources_file))
        fields = {f.name for f in dataclasses.fields(Settings)}
        from_file = {k: v for k, v in glob.items() if k in fields}
    merged = {**from_file, **from_env, **overrides}
    if "input_dir" in merged and merged["input_dir"] is not None:
        merged["input_dir"] = Path(merged["input_dir"])
    if sources_file and "input_dir" not in overrides:
        merged["input_dir"] = None
    settings = Settings(**merged)
    settings.sources = sources
    return settings
