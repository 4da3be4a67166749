"""The rules are written for the language: no rule holds a sentence of a gold article literally.

Every string constant in the rule modules (docstrings aside) is compared with
the sentences of every gold article (seeds, development and held-out sets): a
constant that contains one of their sentences, or a run of eight or more of
their words, is a rule written for one sentence.
"""

from __future__ import annotations

import ast
import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RULE_MODULES = sorted([*(ROOT / "src" / "etl" / "extract").rglob("*.py"), *(ROOT / "src" / "etl").glob("textclean.py"),
                       *(ROOT / "src" / "etl" / "text").rglob("*.py")])
GOLD_TEXTS = sorted([*(ROOT / "seeds" / "articles").glob("*.txt"), *(ROOT / "tests" / "data" / "dev" / "articles").glob("*.txt"),
                     *(ROOT / "tests" / "data" / "heldout" / "articles").glob("*.txt")])
RUN = 8  # words in a row that no general rule needs to spell out
WORD = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    return WORD.findall(unicodedata.normalize("NFC", text).casefold())


def _constants(path: Path) -> list[str]:
    """String constants of a module, without docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
            body = getattr(node, "body", [])
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    return [n.value for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings]


@pytest.fixture(scope="module")
def gold_runs() -> set[tuple[str, ...]]:
    runs = set()
    for path in GOLD_TEXTS:
        words = _words(path.read_text(encoding="utf-8"))
        runs.update(tuple(words[i:i + RUN]) for i in range(len(words) - RUN + 1))
    return runs


def test_gold_texts_found():
    assert len(GOLD_TEXTS) >= 40 and len(RULE_MODULES) >= 7


@pytest.mark.parametrize("module", RULE_MODULES, ids=lambda p: p.name)
def test_no_rule_spells_out_a_gold_sentence(module, gold_runs):
    for constant in _constants(module):
        words = _words(constant)
        for i in range(len(words) - RUN + 1):
            assert tuple(words[i:i + RUN]) not in gold_runs, (module.name, constant[:120])
