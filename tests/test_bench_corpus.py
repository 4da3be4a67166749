"""The benchmark corpus builder writes N distinct articles (the benchmarks themselves live in bench/)."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_corpus_module():
    spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "bench" / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_corpus_builds_ten_distinct_articles(tmp_path: Path):
    corpus = load_corpus_module()
    paths = corpus.build_corpus(tmp_path, 10)
    assert len(paths) == 10 == len(corpus.corpus_files(tmp_path))
    assert len({p.name for p in paths}) == 10
    html = [p for p in paths if p.suffix == ".html"]
    assert html and len({hashlib.sha256(p.read_bytes()).hexdigest() for p in html}) == len(html)
