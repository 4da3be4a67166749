"""The built wheel runs outside the checkout (issue 11): suites, views.sql and Data Docs assets are package data."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from conftest import ROOT, SEEDS, query

pytestmark = pytest.mark.slow


def build_wheel(tmp_path: Path) -> Path:
    """The wheel of a clean copy of the project (the shared checkout gets no build/ folder)."""
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for folder in ("src", "flows"):
        shutil.copytree(ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(source)],
                   check=True, capture_output=True, timeout=300)
    [wheel] = dist.glob("thidua_etl-*.whl")
    return wheel


def fresh_venv(tmp_path: Path) -> Path:
    """A new venv whose only extra path is this venv's site-packages (the dependencies, not `etl`)."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    # a plain path line: this venv's .pth files (the editable `etl` finder among them) are not run there
    (Path(purelib) / "_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return venv


def test_the_wheel_installed_in_a_fresh_venv_runs_from_another_folder(tmp_path):
    wheel = build_wheel(tmp_path)
    venv = fresh_venv(tmp_path)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q",
                    "--no-deps", str(wheel)], check=True, capture_output=True, timeout=300)
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(SEEDS, elsewhere / "in")

    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import etl, flows; print(etl.__file__, flows.__file__)"],
                           cwd=elsewhere, check=True, capture_output=True, text=True).stdout.split()
    assert all(p.startswith(str(venv)) for p in where), where  # the wheel, not the checkout

    result = subprocess.run([str(venv / "bin" / "etl"), "run", "--input", "in", "--warehouse", "wh", "-q", "--json"],
                            cwd=elsewhere, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    summary = json.loads(result.stdout)
    assert summary["status"] == "completed" and summary["rows"]["articles"] == 5
    assert summary["validation"]["metrics"]["rows"] > 0  # the suites shipped in the wheel ran
    assert query(elsewhere / "wh", "select count(*) from articles") == [(5,)]
    assert query(elsewhere / "wh", "select count(*) from district_year_summary")[0][0] > 0  # views.sql from the wheel
    assert Path(summary["data_docs"]).is_file()
