"""One Settings model, read once at the edge (CLI, flow parameters) and passed down.

Precedence: explicit arguments (CLI / flow parameters), then `ETL_*` environment
variables, then `sources.yaml`, then the defaults below. Every model forbids
unknown keys, so a misspelt key stops the run before any work with one line
naming the file, the key path and the closest valid key. Run state (the run id,
reprocess flags) is not configuration and lives in `etl.pipeline.RunContext`.

Environment variables: `ETL_<KEY>` for a top-level key or any fetch/load option
(`ETL_TIMEOUT=5`, `ETL_BATCH_SIZE=100`), `ETL_<SECTION>__<KEY>` for a nested one
(`ETL_FETCH__TIMEOUT=5`); `ETL_INPUT` and `ETL_SOURCES` name the input folder and
the sources file. Library code never reads `os.environ`; only `load_settings` does.
"""

from __future__ import annotations

import difflib
import os
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal, Mapping

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from etl.errors import ConfigError

DEFAULT_USER_AGENT = "thidua-etl/0.1 (+https://example.invalid/thidua-etl)"
STRICT = ConfigDict(extra="forbid")


def one_or_many(value: Any) -> Any:
    """A single string where a list is expected is a list of one (`feeds: https://…`)."""
    return [value] if isinstance(value, str) else value


class SourceConfig(BaseModel):
    """One named source in sources.yaml."""

    model_config = STRICT

    name: str
    urls: list[str] = Field(default_factory=list)
    urls_file: str | None = None  # `urls: file.txt`: a file of URLs, one a line, next to sources.yaml
    feeds: list[str] = Field(default_factory=list)
    sitemaps: list[str] = Field(default_factory=list)
    folders: list[str] = Field(default_factory=list)
    max_items: int | None = Field(default=None, ge=0)
    rate_limit: float | None = Field(default=None, ge=0)  # seconds between requests to one host

    @model_validator(mode="before")
    @classmethod
    def urls_may_name_a_file(cls, data: Any) -> Any:
        """`urls: urls.txt` names a file of URLs; `urls: https://…` is one URL."""
        if isinstance(data, dict) and isinstance(data.get("urls"), str) and "://" not in data["urls"]:
            data = {**data, "urls": [], "urls_file": data["urls"]}
        return data

    _lists = field_validator("urls", "feeds", "sitemaps", "folders", mode="before")(one_or_many)


class FetchOptions(BaseModel):
    """HTTP client options (etl.fetch)."""

    model_config = STRICT

    user_agent: str = DEFAULT_USER_AGENT
    timeout: float = Field(default=20.0, gt=0)  # read timeout, seconds
    fetch_deadline: float = Field(default=120.0, gt=0)  # whole-page seconds: a server dripping bytes is cut off
    connect_timeout: float = Field(default=5.0, gt=0)
    max_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    max_retries: int = Field(default=3, ge=0)
    backoff: float = Field(default=0.5, ge=0)  # first retry delay, seconds; doubles each time, with jitter
    rate_limit: float = Field(default=1.0, ge=0)  # default minimum seconds between requests to one host
    allow_private_hosts: bool = False
    respect_robots: bool = True


class LoadOptions(BaseModel):
    """Batching, validation and Parquet load options."""

    model_config = STRICT

    batch_size: int = Field(default=500, gt=0)
    expectations_dir: Path | None = None  # default: the suites shipped with the package
    compact_min_files: int = Field(default=24, ge=0)  # a partition with this many files is merged; 0 = never
    lock_timeout: float = Field(default=0.0, ge=0)  # seconds to wait for another run's lock; 0 = fail at once


SECTIONS: dict[str, type[BaseModel]] = {"fetch": FetchOptions, "load": LoadOptions}
# a flat key (`timeout: 5`, ETL_TIMEOUT, Settings(timeout=5)) is the same as the nested one (fetch.timeout)
FLAT_KEYS = {key: section for section, model in SECTIONS.items() for key in model.model_fields}


def lift_flat_keys(data: Any) -> Any:
    """`{"timeout": 5}` -> `{"fetch": {"timeout": 5}}`; unknown keys stay where they are (and are refused)."""
    if not isinstance(data, dict):
        return data
    out = {k: v for k, v in data.items() if k not in FLAT_KEYS}
    for key, value in data.items():
        if key in FLAT_KEYS:
            section = out.setdefault(FLAT_KEYS[key], {})
            if isinstance(section, BaseModel):
                section = out[FLAT_KEYS[key]] = section.model_dump()
            if isinstance(section, dict):
                out[FLAT_KEYS[key]] = {**section, key: value}
    return out


def _flat(section: str, key: str) -> property:
    """Read access to a nested option by its flat name (`settings.timeout` is `settings.fetch.timeout`)."""
    return property(lambda self: getattr(getattr(self, section), key), doc=f"`{section}.{key}`")


# set by load_settings for one call: the environment and the parsed sources file
_ENVIRON: ContextVar[Mapping[str, str] | None] = ContextVar("etl_environ", default=None)
_FILE_VALUES: ContextVar[dict[str, Any] | None] = ContextVar("etl_file_values", default=None)


class EtlEnvSource(PydanticBaseSettingsSource):
    """`ETL_*` variables: ETL_<KEY>, ETL_<SECTION>__<KEY>, and ETL_INPUT / ETL_SOURCES."""

    ALIASES = {"input": "input_dir", "sources": "sources_file"}

    def get_field_value(self, field, field_name):  # required by the base class; __call__ does the work
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        environ = _ENVIRON.get()
        out: dict[str, Any] = {}
        for var, value in (os.environ if environ is None else environ).items():
            if not var.startswith("ETL_") or value == "":
                continue
            key = var[4:].lower()
            key = self.ALIASES.get(key, key)
            if "__" in key:
                section, sub = key.split("__", 1)
                if section in SECTIONS:
                    out.setdefault(section, {})[sub] = value
            elif key in FLAT_KEYS:
                out.setdefault(FLAT_KEYS[key], {})[key] = value
            elif key in self.settings_cls.model_fields and key != "sources":
                out[key] = value
            # other ETL_* variables belong to other tools (ETL_TEST_TOKEN ...): not ours to refuse
        return out


class SourcesFileSource(PydanticBaseSettingsSource):
    """The global options and sources of sources.yaml, already checked by `read_sources_file`."""

    def get_field_value(self, field, field_name):
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        # nested like the environment's values, so the precedence merge compares like with like
        return lift_flat_keys(dict(_FILE_VALUES.get() or {}))


class Settings(BaseSettings):
    """Configuration of a run: where to read, where to write, and how."""

    model_config = SettingsConfigDict(extra="forbid", validate_default=True)

    input_dir: Path | None = Path("seeds/articles")
    warehouse: str = "warehouse"
    sources_file: Path | None = None
    sources: list[SourceConfig] = Field(default_factory=list)
    fetch: FetchOptions = Field(default_factory=FetchOptions)
    load: LoadOptions = Field(default_factory=LoadOptions)
    workers: int = Field(default=1, ge=1)  # processes for CPU-bound stages
    task_runner: Literal["default", "dask"] = "default"
    dask_address: str | None = None
    quiet: bool = False
    # a night whose quarantined rows exceed this share of all rows ends with a warning (issue 14)
    max_quarantine_share: float = Field(default=0.5, ge=0, le=1)

    _run_id: str | None = PrivateAttr(default=None)

    user_agent = _flat("fetch", "user_agent")
    timeout = _flat("fetch", "timeout")
    fetch_deadline = _flat("fetch", "fetch_deadline")
    connect_timeout = _flat("fetch", "connect_timeout")
    max_bytes = _flat("fetch", "max_bytes")
    max_retries = _flat("fetch", "max_retries")
    backoff = _flat("fetch", "backoff")
    rate_limit = _flat("fetch", "rate_limit")
    allow_private_hosts = _flat("fetch", "allow_private_hosts")
    respect_robots = _flat("fetch", "respect_robots")
    batch_size = _flat("load", "batch_size")
    expectations_dir = _flat("load", "expectations_dir")
    compact_min_files = _flat("load", "compact_min_files")
    lock_timeout = _flat("load", "lock_timeout")

    @model_validator(mode="before")
    @classmethod
    def _lift(cls, data: Any) -> Any:
        return lift_flat_keys(data)

    @field_validator("sources", mode="before")
    @classmethod
    def _named_sources(cls, value: Any) -> Any:
        """`sources:` as a mapping of name -> options (the documented form) or a list of entries."""
        if isinstance(value, dict):
            return [{"name": name, **(opts or {})} if isinstance(opts, dict) or opts is None else opts
                    for name, opts in value.items()]
        return value

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings,
                                   file_secret_settings):
        return (init_settings, EtlEnvSource(settings_cls), SourcesFileSource(settings_cls))

    @property
    def run_id(self) -> str | None:
        """The run these settings serve (set by the pipeline; not configuration)."""
        return self._run_id

    def replace(self, **changes: Any) -> "Settings":
        """A copy with `changes` (flat option names allowed); `run_id=` names the run."""
        run_id = changes.pop("run_id", self._run_id)
        data = self.model_dump(exclude_unset=False)
        for key, value in lift_flat_keys(changes).items():
            data[key] = {**data[key], **value} if key in SECTIONS else value
        new = type(self).model_validate(data)
        new._run_id = run_id
        return new


CONFIG_KEYS = sorted({*Settings.model_fields, *FLAT_KEYS} - {"sources_file"})
SOURCE_KEYS = sorted(set(SourceConfig.model_fields) - {"name"})


def closest(word: str, candidates: list[str]) -> str | None:
    """The candidate most like `word` (difflib), if any is close.

    >>> closest("timout", ["timeout", "max_bytes"])
    'timeout'
    """
    match = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return match[0] if match else None


def describe(error: dict, raw: Mapping[str, Any], where: str) -> str:
    """One line for one pydantic error: where, the key path as the user wrote it, what is wrong, a hint."""
    loc = list(error["loc"])
    if loc and loc[0] in SECTIONS and loc[0] not in raw:
        loc = loc[1:]  # the user wrote the flat key (`timeout: 5`), not `fetch: {timeout: 5}`
    if len(loc) > 1 and loc[0] == "sources" and isinstance(loc[1], int):
        names = list(raw["sources"]) if isinstance(raw.get("sources"), dict) else None
        if names and loc[1] < len(names):
            loc[1] = names[loc[1]]
    path = ".".join(str(p) for p in loc) or "(top level)"
    if error["type"] == "extra_forbidden":
        options = SOURCE_KEYS if loc[:1] == ["sources"] else CONFIG_KEYS
        if len(loc) > 1 and loc[-2] in SECTIONS:
            options = sorted(SECTIONS[str(loc[-2])].model_fields)
        guess = closest(str(loc[-1]), options)
        hint = f"did you mean `{guess}`?" if guess else f"valid keys: {', '.join(options)}"
        return f"{where}: unknown key `{path}`; {hint}"
    given = error.get("input")
    shown = f" (got {given!r})" if not isinstance(given, (dict, list)) else ""
    return f"{where}: `{path}`: {error['msg'].lower()}{shown}"


def read_sources_file(path: Path) -> dict[str, Any]:
    """The options of a sources.yaml, checked against the Settings model; ConfigError names the key."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the sources file ({exc.strerror or exc}); pass --sources FILE") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}: not valid YAML{at}: {getattr(exc, 'problem', exc)}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of options and `sources:` at the top level")
    if "sources_file" in raw:
        raise ConfigError(f"{path}: unknown key `sources_file`; a sources file cannot name another")
    try:
        Settings.model_validate(raw)  # the file alone, so an error names the file's own keys
    except ValidationError as exc:
        raise ConfigError(describe(exc.errors()[0], raw, str(path))) from None
    return raw


def read_sources(path: Path) -> tuple[dict[str, Any], list[SourceConfig]]:
    """Global options and named sources from a sources.yaml file."""
    raw = read_sources_file(path)
    options = {k: v for k, v in raw.items() if k != "sources"}
    return options, Settings.model_validate({"sources": raw.get("sources") or []}).sources


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Build Settings: overrides > ETL_* environment > sources.yaml > defaults; ConfigError names a bad key.

    >>> load_settings({"warehouse": "/tmp/w", "timeout": 5}, environ={}).fetch.timeout
    5.0
    """
    overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
    env_token = _ENVIRON.set(dict(os.environ if environ is None else environ))
    try:
        sources_file = overrides.get("sources_file") or EtlEnvSource(Settings)().get("sources_file")
        file_values = read_sources_file(Path(sources_file)) if sources_file else {}
        if sources_file and "input_dir" not in overrides:
            # a sources file says what to read: no default seeds folder on top of it
            overrides["input_dir"] = None
        file_token = _FILE_VALUES.set(file_values)
        try:
            return Settings(**overrides)
        except ValidationError as exc:
            raise ConfigError(describe(exc.errors()[0], overrides, "option or ETL_* variable")) from None
        finally:
            _FILE_VALUES.reset(file_token)
    finally:
        _ENVIRON.reset(env_token)
