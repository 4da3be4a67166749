"""Benchmark corpus: N articles made from the real pages in the repository.

The pages are the HTML fixtures (tests/data/html/*.html) and the seed articles
(seeds/articles/*.txt), taken round-robin. Each copy gets its own file name, so
its own `file://` URI and article id (nothing dedups), and its own bytes: HTML
copies carry an HTML comment naming the copy, which changes the raw hash but not
what trafilatura extracts. The same folder can be served over loopback HTTP
(`serve`) for the fetch path.

Example:

    python bench/corpus.py --n 2000 --out /tmp/corpus-2000
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
HTML_DIR = ROOT / "tests" / "data" / "html"
SEED_DIR = ROOT / "seeds" / "articles"


@dataclass(frozen=True)
class Page:
    """One real page: its stem, suffix and bytes."""

    stem: str
    suffix: str
    content: bytes


def real_pages(html_dir: Path = HTML_DIR, seed_dir: Path = SEED_DIR) -> list[Page]:
    """Every real page in the repository, HTML fixtures first, in a stable order."""
    pages = [Page(p.stem, ".html", p.read_bytes()) for p in sorted(html_dir.glob("*.html"))]
    pages += [Page(p.stem, ".txt", p.read_bytes()) for p in sorted(seed_dir.glob("*.txt"))]
    if not pages:
        raise FileNotFoundError(f"no pages under {html_dir} or {seed_dir}")
    return pages


def copy_bytes(page: Page, i: int) -> bytes:
    """The bytes of copy `i` of a page: distinct per copy, same extracted text."""
    if page.suffix == ".html":
        return page.content + f"\n<!-- bench copy {i:07d} -->\n".encode("ascii")
    # a last line of spaces and tabs spelling i in binary: normalisation drops it, the raw hash differs
    # (the same bytes at two paths are one article since the identity change, and would be skipped)
    return page.content + b"\n" + format(i, "b").replace("0", " ").replace("1", "\t").encode("ascii") + b"\n"


def build_corpus(out: Path, n: int, pages: list[Page] | None = None) -> list[Path]:
    """Write N article files under `out` (sharded 1000 per folder); returns their paths.

    >>> import tempfile; paths = build_corpus(Path(tempfile.mkdtemp()), 3)
    >>> [p.name.split("_", 1)[0] for p in paths]
    ['0000000', '0000001', '0000002']
    """
    pages = pages or real_pages()
    out = Path(out)
    paths = []
    for i in range(n):
        page = pages[i % len(pages)]
        shard = out / f"{i // 1000:04d}"
        if i % 1000 == 0:
            shard.mkdir(parents=True, exist_ok=True)
        path = shard / f"{i:07d}_{page.stem}{page.suffix}"
        path.write_bytes(copy_bytes(page, i))
        paths.append(path)
    return paths


def corpus_files(out: Path) -> list[Path]:
    """The article files of a built corpus, in build order."""
    return sorted(p for p in Path(out).rglob("*") if p.suffix in (".html", ".txt"))


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with correct content types and no access log."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".html": "text/html; charset=utf-8", ".txt": "text/plain; charset=utf-8"}

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve a folder on 127.0.0.1 (an ephemeral port) in a thread; yields the base URL."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def url_list(folder: Path, base_url: str) -> list[str]:
    """URLs of every article file of a corpus under a served base URL."""
    folder = Path(folder)
    return [f"{base_url}/{p.relative_to(folder).as_posix()}" for p in corpus_files(folder)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, required=True, help="number of articles")
    parser.add_argument("--out", type=Path, required=True, help="folder to write them to")
    args = parser.parse_args()
    paths = build_corpus(args.out, args.n)
    print(f"wrote {len(paths)} articles under {args.out}")


if __name__ == "__main__":
    main()
