"""Strict configuration: a bad sources.yaml stops the run before any work, with one line naming the key."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from etl.errors import ConfigError
from etl.settings import Settings, load_settings


def sources_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def config_error(tmp_path: Path, text: str) -> str:
    path = sources_file(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_settings({"sources_file": path}, environ={})
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(path))
    return message


# issue 11: each of these was accepted silently before
def test_misspelt_global_key_names_the_closest_valid_key(tmp_path):
    message = config_error(tmp_path, "timout: 5\nsources:\n  s:\n    folders: [x]\n")
    assert "unknown key `timout`" in message and "did you mean `timeout`?" in message


def test_misspelt_source_key_names_its_path(tmp_path):
    message = config_error(tmp_path, "sources:\n  baochinhphu:\n    feds: [https://baochinhphu.vn/rss]\n")
    assert "`sources.baochinhphu.feds`" in message and "did you mean `feeds`?" in message


def test_misspelt_sources_key(tmp_path):
    message = config_error(tmp_path, "source:\n  s:\n    folders: [x]\n")
    assert "did you mean `sources`?" in message


def test_a_number_that_is_not_a_number_is_refused(tmp_path):
    message = config_error(tmp_path, 'max_retries: "three"\n')
    assert "`max_retries`" in message and "valid integer" in message and "'three'" in message


def test_a_single_feed_url_is_a_list_of_one(tmp_path):
    path = sources_file(tmp_path, "sources:\n  tin:\n    feeds: https://baochinhphu.vn/rss/thoi-su.rss\n")
    [source] = load_settings({"sources_file": path}, environ={}).sources
    assert source.feeds == ["https://baochinhphu.vn/rss/thoi-su.rss"]


def test_urls_naming_a_file_still_name_a_file(tmp_path):
    path = sources_file(tmp_path, "sources:\n  tin:\n    urls: urls.txt\n    max_items: 3\n")
    [source] = load_settings({"sources_file": path}, environ={}).sources
    assert (source.urls, source.urls_file, source.max_items) == ([], "urls.txt", 3)


def test_precedence_arguments_then_environment_then_file_then_defaults(tmp_path):
    path = sources_file(tmp_path, "timeout: 7\nmax_retries: 1\nbackoff: 2\nsources:\n  s:\n    folders: [x]\n")
    env = {"ETL_MAX_RETRIES": "4", "ETL_FETCH__BACKOFF": "0.25", "ETL_TEST_TOKEN": "not ours"}
    settings = load_settings({"sources_file": path, "backoff": 0.1}, environ=env)
    assert settings.fetch.timeout == 7.0  # file
    assert settings.fetch.max_retries == 4  # environment over file
    assert settings.backoff == 0.1  # argument over environment
    assert settings.connect_timeout == 5.0  # default
    assert settings.input_dir is None  # a sources file says what to read


def test_nested_sections_in_the_file(tmp_path):
    path = sources_file(tmp_path, "fetch:\n  timeout: 3\nload:\n  batch_size: 7\n")
    settings = load_settings({"sources_file": path}, environ={})
    assert (settings.timeout, settings.batch_size) == (3.0, 7)


def test_bad_environment_value_names_the_key():
    with pytest.raises(ConfigError, match="`workers`.*'many'"):
        load_settings({}, environ={"ETL_WORKERS": "many"})


def test_run_state_is_not_configuration(tmp_path):
    message = config_error(tmp_path, "run_id: 20260101T000000-abcdef\n")
    assert "unknown key `run_id`" in message
    with pytest.raises(ConfigError, match="reprocess"):
        load_settings({"reprocess": True}, environ={})
    settings = Settings(input_dir=None).replace(run_id="r1", timeout=3)
    assert (settings.run_id, settings.fetch.timeout) == ("r1", 3.0)


def test_cli_stops_on_a_bad_sources_file_before_any_work(tmp_path):
    path = sources_file(tmp_path, "timout: 5\nsources:\n  s:\n    folders: [x]\n")
    warehouse = tmp_path / "warehouse"
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "etl.cli", "run", "--sources", str(path), "--warehouse",
                             str(warehouse)], capture_output=True, text=True, timeout=60)
    seconds = time.perf_counter() - start
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [f"error: {path}: unknown key `timout`; did you mean `timeout`?"], result.stderr
    assert not warehouse.exists(), "nothing was written"
    assert seconds < 3, seconds


@pytest.mark.parametrize("name", ["sources.yaml", "sources.example.yaml"])
def test_the_shipped_sources_files_are_valid(name):
    from conftest import ROOT

    settings = load_settings({"sources_file": ROOT / name}, environ={})
    assert settings.sources and all(s.name for s in settings.sources)
