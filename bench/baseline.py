"""The floor: a bare loop of `trafilatura.extract` over the corpus files.

Reads every file and extracts it, nothing else: no orchestration, no facts, no
validation, no Parquet. Prints JSON (seconds, pages, pages with text).

Example:

    python bench/baseline.py --input /tmp/corpus-2000            # one process
    python bench/baseline.py --input /tmp/corpus-2000 --workers 2
"""

from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import trafilatura


def extract_files(paths: list[str]) -> int:
    """trafilatura.extract over files; how many gave text."""
    found = 0
    for path in paths:
        if trafilatura.extract(Path(path).read_bytes()):
            found += 1
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    paths = sorted(str(p) for p in args.input.rglob("*") if p.suffix in (".html", ".txt"))
    extract_files(paths[:2])  # trafilatura's lazy set-up, which an ETL run pays once too
    t0 = time.perf_counter()
    if args.workers <= 1:
        found = extract_files(paths)
    else:
        step = max(1, len(paths) // (args.workers * 8))
        with ProcessPoolExecutor(args.workers) as pool:
            found = sum(pool.map(extract_files, [paths[i:i + step] for i in range(0, len(paths), step)]))
    seconds = time.perf_counter() - t0
    print(json.dumps({"pages": len(paths), "with_text": found, "seconds": seconds, "workers": args.workers}))


if __name__ == "__main__":
    main()
