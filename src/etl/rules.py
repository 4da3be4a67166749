"""One rules version: a fingerprint of every module and data file that can change the cleaned text or a fact.

A stored article carries the version that produced it; when the version
changes, its bytes are cleaned and extracted again (`etl.load.skip_unchanged_bytes`,
`split_versions`). The fingerprint hashes what the code *does*, not how it is
written: each module's syntax tree with docstrings removed (comments and
formatting never reach the tree), so a comment or a reworded docstring changes
nothing, while any change to a rule, a pattern or a data file re-processes.
"""

from __future__ import annotations

import ast
import hashlib
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
# relative to the package: the cleaners, the extractors, the gazetteer and its data
RULE_FILES = ("clean.py", "textclean.py", "gazetteer.py", "text/**/*.py", "extract/**/*.py", "data/*.csv")


def rule_files(package: Path = PACKAGE) -> list[Path]:
    """Every file the rules version covers, in a stable order."""
    found = {p for pattern in RULE_FILES for p in package.glob(pattern) if p.is_file()}
    return sorted(found, key=lambda p: p.relative_to(package).as_posix())


def _strip_docstrings(tree: ast.AST) -> ast.AST:
    """The tree without the docstring of the module, of each class and of each function."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
                    and isinstance(body[0].value.value, str):
                node.body = body[1:] or [ast.Pass()]
    return tree


def code_content(source: str) -> str:
    """What a module does, without comments, docstrings or formatting.

    >>> code_content("x = 1  # why") == code_content("x = (1)")
    True
    """
    return ast.dump(_strip_docstrings(ast.parse(source)), annotate_fields=False)


def fingerprint(package: Path = PACKAGE) -> str:
    """A short hash over the rule files' content (code as syntax, data as normalised lines)."""
    digest = hashlib.sha256()
    for path in rule_files(package):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        if path.suffix == ".py":
            digest.update(code_content(path.read_text(encoding="utf-8")).encode())
        else:  # line endings are not content
            digest.update(path.read_bytes().replace(b"\r\n", b"\n"))
        digest.update(b"\0")
    return digest.hexdigest()[:12]


RULES_VERSION = fingerprint()
