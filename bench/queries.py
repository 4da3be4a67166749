"""Query latency over a synthetic warehouse of a given number of metric rows.

The warehouse has the real Arrow schemas (`etl.schema.ARROW_SCHEMAS`) and the
layout `etl.load.load_batch` writes: one file per table per batch of 500
articles per `article_year=` partition, as if every batch had come from a
nightly run. Then `etl.publish.publish` builds warehouse.duckdb, and each
dashboard view and a point query by district are timed on a read-only DuckDB
connection, the way a dashboard would hold one open.

Example:

    python bench/queries.py --metric-rows 1000000 --out /tmp/wh-1m
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import json
import statistics
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

from etl.schema import ARROW_SCHEMAS, AWARDS, INDICATORS, MOVEMENT_KINDS, RECIPIENT_KINDS, UNITS

ROOT = Path(__file__).resolve().parents[1]
BATCH_ARTICLES = 500  # Settings.batch_size default: one file per table per batch per year
PER_ARTICLE = {"metrics": 25, "awards": 4, "movements": 2, "officials": 3, "documents": 3}
YEARS = np.arange(2019, 2026)

# What a dashboard asks. `{district}` is filled with a district that has data.
QUERIES = {
    "district_year_summary": "select * from district_year_summary",
    "awards_by_issuer": "select * from awards_by_issuer",
    "movement_mentions": "select * from movement_mentions",
    "latest_articles (top 50)": "select * from latest_articles limit 50",
    "point: district_year_summary by district": "select * from district_year_summary where district = $district",
    "point: metrics of a district": (
        "select m.indicator, m.year, m.value, m.unit, m.quote from metrics m join articles a using (article_id) "
        "where a.district = $district"
    ),
}


def districts() -> list[tuple[str, str]]:
    """(district, province) pairs of the gazetteer."""
    with open(ROOT / "src" / "etl" / "data" / "districts.csv", encoding="utf-8") as fh:
        return [(r["name"], r["province"]) for r in csv.DictReader(fh)]


def sample_texts() -> list[str]:
    """Real article texts (the seeds) so the articles table has realistic widths."""
    return [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds" / "articles").glob("*.txt"))]


def _pick(rng: np.random.Generator, values, n: int) -> list:
    idx = rng.integers(0, len(values), n)
    return [values[i] for i in idx]


def build_warehouse(out: Path, metric_rows: int, seed: int = 7) -> dict[str, int]:
    """Write a synthetic warehouse with `metric_rows` metric rows; returns rows per table."""
    from etl.storage import Store

    rng = np.random.default_rng(seed)
    store = Store(str(out))
    n_articles = max(1, metric_rows // PER_ARTICLE["metrics"])
    gaz = districts()
    texts = sample_texts()
    counts = {"articles": 0, **{t: 0 for t in PER_ARTICLE}}
    base = dt.datetime(2019, 1, 1)
    for batch_no, start in enumerate(range(0, n_articles, BATCH_ARTICLES)):
        n = min(BATCH_ARTICLES, n_articles - start)
        run_id = f"20250101T000000-{batch_no // 20:06x}"  # 20 batches per synthetic night
        ids = [hashlib.sha256(f"bench-{start + i}".encode()).hexdigest()[:16] for i in range(n)]
        year = rng.choice(YEARS, n)
        published = [base + dt.timedelta(days=int((y - 2019) * 365 + d)) for y, d in zip(year, rng.integers(0, 365, n))]
        place = _pick(rng, gaz, n)
        text = _pick(rng, texts, n)
        hashes = [hashlib.sha256(f"{i}:{t[:64]}".encode()).hexdigest() for i, t in zip(ids, text)]
        loaded = base + dt.timedelta(days=2400, seconds=batch_no)
        articles = {
            "article_id": ids, "uri": [f"https://example.invalid/a/{start + i}" for i in range(n)],
            "source_name": ["bench"] * n, "title": [t.split("\n", 1)[0] for t in text],
            "author": ["Phóng viên"] * n, "published_at": published,
            "district": [d for d, _ in place], "province": [p for _, p in place], "language": ["vi"] * n,
            "text": text, "word_count": [len(t.split()) for t in text], "content_hash": hashes,
            "fetched_at": [loaded] * n, "run_id": [run_id] * n, "source": ["HNM"] * n, "sitename": [None] * n,
            "year": year.tolist(), "quality_flags": [None] * n, "loaded_at": [loaded] * n,
        }
        tables = {"articles": articles}
        for table, per in PER_ARTICLE.items():
            k = rng.poisson(per, n)
            owner = np.repeat(np.arange(n), k)
            m = len(owner)
            seq = np.concatenate([np.arange(1, c + 1) for c in k]) if m else np.array([], dtype=int)
            common = {
                "article_id": [ids[o] for o in owner], "seq": seq.tolist(),
                "quote": [f"trích dẫn {s}" for s in seq], "char_start": (seq * 40).tolist(),
                "char_end": (seq * 40 + 30).tolist(), "content_hash": [hashes[o] for o in owner],
                "run_id": [run_id] * m, "quality_flags": [None] * m,
            }
            if table == "metrics":
                unit = _pick(rng, UNITS, m)
                common |= {"value": rng.uniform(0, 200, m).round(2).tolist(), "unit": unit,
                           "numerator": [14.0 if u == "ratio" else None for u in unit],
                           "denominator": [14.0 if u == "ratio" else None for u in unit],
                           "subject": [None] * m, "indicator": _pick(rng, INDICATORS, m),
                           "year": [int(year[o]) for o in owner]}
            elif table == "awards":
                common |= {"award": _pick(rng, AWARDS, m), "award_detail": [None] * m,
                           "issuer": _pick(rng, ["UBND Thành phố", "Thủ tướng Chính phủ", "Chủ tịch nước", None], m),
                           "recipient_kind": _pick(rng, RECIPIENT_KINDS, m),
                           "recipient_count": rng.integers(1, 60, m).tolist(), "year": [int(year[o]) for o in owner]}
            elif table == "movements":
                common |= {"name": [f"Phong trào thi đua số {int(x)}" for x in rng.integers(0, 300, m)],
                           "kind": _pick(rng, MOVEMENT_KINDS, m)}
            elif table == "officials":
                common |= {"name": [f"Nguyễn Văn {int(x)}" for x in rng.integers(0, 5000, m)],
                           "position": ["Chủ tịch UBND"] * m, "organization": ["UBND quận"] * m}
            elif table == "documents":
                common |= {"doc_type": ["KH"] * m, "number": [f"{int(x)}/KH-UBND" for x in rng.integers(1, 999, m)],
                           "issued_on": [published[o].date() for o in owner], "issuer": ["UBND quận"] * m}
            tables[table] = common
        name = f"{run_id}-b{batch_no:05d}.parquet"
        pos = {a: i for i, a in enumerate(ids)}
        for table, cols in tables.items():
            schema = ARROW_SCHEMAS[table]
            n_rows = len(cols["article_id"])
            # columns added to the schema later (and not modelled here) are left null
            cols = {f.name: cols.get(f.name, [None] * n_rows) for f in schema}
            arrow = pa.Table.from_pydict(cols, schema=schema)
            part_year = year if table == "articles" else np.array([year[pos[a]] for a in cols["article_id"]], dtype=int)
            for y in np.unique(part_year):
                part = arrow.filter(pa.array(part_year == y))
                store.write_parquet(f"tables/{table}/article_year={int(y)}/{name}", part)
            counts[table] += arrow.num_rows
    return counts


def time_queries(db: Path, repeat: int = 20) -> dict[str, dict[str, float]]:
    """p50/p95/first-call milliseconds of each query on one read-only connection."""
    from etl.warehouse import connect

    # the way `etl query` and dashboards connect: views resolve the table root set per connection
    con = connect(db.parent)
    district = con.execute(
        "select district from articles where district is not null group by 1 order by count(*) desc limit 1"
    ).fetchone()[0]
    out = {}
    for name, sql in QUERIES.items():
        params = {"district": district} if "$district" in sql else None
        times = []
        rows = 0
        for _ in range(repeat + 1):
            t0 = time.perf_counter()
            rows = len(con.execute(sql, params).fetchall())
            times.append((time.perf_counter() - t0) * 1000)
        first, warm = times[0], sorted(times[1:])
        out[name] = {"first_ms": first, "p50_ms": statistics.median(warm),
                     "p95_ms": warm[min(len(warm) - 1, int(round(0.95 * (len(warm) - 1))))], "rows": rows}
    con.close()
    return out


def compacted(out: Path) -> tuple[Path, float, int]:
    """Merge the warehouse's small files (what a nightly run does once a partition has
    `compact_min_files` files) and republish; returns the database, seconds, files left."""
    from etl.load import compact
    from etl.publish import publish
    from etl.storage import Store

    store = Store(str(out))
    t0 = time.perf_counter()
    compact(store)
    db = publish(store)
    return db, time.perf_counter() - t0, len(store.list_files("tables", ".parquet"))


def run(out: Path, metric_rows: int, repeat: int = 20) -> dict:
    """Build, publish and time; returns the figures."""
    from etl.publish import publish
    from etl.storage import Store

    t0 = time.perf_counter()
    counts = build_warehouse(out, metric_rows)
    t1 = time.perf_counter()
    db = publish(Store(str(out)))
    t2 = time.perf_counter()
    timings = time_queries(db, repeat)
    files = sum(1 for _ in Path(out, "tables").rglob("*.parquet"))
    compact_db, compact_s, compact_files = compacted(out)
    return {"rows": counts, "files": files, "build_s": t1 - t0, "publish_s": t2 - t1,
            "repeat": repeat, "queries": timings,
            "compact_s": compact_s, "compact_files": compact_files, "compacted": time_queries(compact_db, repeat)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--metric-rows", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    result = run(args.out, args.metric_rows, args.repeat)
    print(json.dumps(result) if args.json else result)


if __name__ == "__main__":
    main()
