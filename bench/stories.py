"""Benchmark of the story grouping (etl.stories) at N = 2 000 and 20 000 articles.

The articles are synthetic variations of the 1,760 real texts in tests/data/corpus: each
synthetic event splices the sentences of two real articles, and is then told one to four
times (a republished copy with another title and a credit line, or a rewrite keeping a
shuffled 70 % of the sentences), so stories have the sizes real ones have and the text has
real Vietnamese vocabulary. Timed, separately:

- features: `article_features` of every article (done once per article, at its first publish);
- grouping, one night: `group` of all N articles into an empty warehouse;
- grouping, next night: `group` of 200 new articles against the N already placed
  (what a nightly publish pays once the history is N).

Example:

    .venv/bin/python bench/stories.py --sizes 2000 20000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import time
from collections import Counter
from pathlib import Path

from etl import stories

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "data" / "corpus" / "vi-news-text"
SENTENCE = re.compile(r"(?<=[.!?])\s+")
NIGHT = 200
FIRST_NIGHT = dt.datetime(2026, 1, 1)


def real_texts() -> list[tuple[str, list[str]]]:
    """(title, sentences) of every corpus article."""
    out = []
    for path in sorted(CORPUS.glob("*.txt")):
        title, _, body = path.read_text(encoding="utf-8").partition("\n")
        sentences = [s for s in SENTENCE.split(" ".join(body.split())) if s]
        if len(sentences) >= 4:
            out.append((title.strip(), sentences))
    return out


def synthetic_articles(n: int, seed: int = 1) -> tuple[list[dict], list[int]]:
    """n article rows and the synthetic event of each.

    An event takes half the sentences of each of two real articles (picked at random) and
    replaces a third of their words by words drawn from the whole corpus, so that events built
    from the same real article differ the way two reports of similar events do; its copies then
    share that text.
    """
    rng = random.Random(seed)
    texts = real_texts()
    vocabulary = [w for _, sentences in texts for s in sentences for w in s.split()]

    def varied(words: str) -> str:
        return " ".join(w if rng.random() > 1 / 3 else rng.choice(vocabulary) for w in words.split())

    rows, events = [], []
    event = 0
    while len(rows) < n:
        (title_a, a), (_, b) = rng.sample(texts, 2)
        picked = rng.sample(a, max(2, len(a) // 2)) + rng.sample(b, max(2, len(b) // 2))
        body = [varied(s) for s in picked]
        title_a = varied(title_a)
        for copy in range(rng.choice((1, 1, 2, 2, 3, 4))):
            if copy == 0:
                title, sentences = title_a, body
            elif rng.random() < 0.5:  # republished: same body, another title, a credit
                title, sentences = f"Tin mới: {title_a}", [*body, "Theo Báo Mới."]
            else:  # rewritten: a shuffled subset of the sentences
                keep = rng.sample(body, max(2, int(len(body) * 0.7)))
                title, sentences = " ".join(title_a.split()[::-1]), keep
            aid = f"{len(rows):016x}"
            rows.append({"article_id": aid, "content_hash": aid, "title": title,
                         "text": title + "\n" + " ".join(sentences)})
            events.append(event)
            if len(rows) == n:
                break
        event += 1
    return rows, events


def pairs(counts: Counter) -> int:
    return sum(k * (k - 1) // 2 for k in counts.values())


def pairwise(story: dict[str, str], event: dict[str, int]) -> tuple[float, float]:
    """Pairwise precision and recall of stories against the synthetic events."""
    tp = pairs(Counter((story[a], event[a]) for a in story))
    return tp / max(pairs(Counter(story.values())), 1), tp / max(pairs(Counter(event.values())), 1)


def timed(fn, *args, **kwargs):
    """(result, wall seconds, CPU seconds of this process): CPU time is what other load on the machine inflates least."""
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - w0, time.process_time() - c0


def measure(n: int) -> dict:
    rows, events = synthetic_articles(n + NIGHT)
    feats, t_features, c_features = timed(lambda: [stories.article_features(r) for r in rows])
    history_feats, night = feats[:n], feats[n:]
    first, t_first, c_first = timed(stories.group, history_feats)
    merged = {m.merged_id: m.story_id for m in first.merges}
    ages = {}
    history = []
    for a in first.assignments:
        sid = stories.resolve(a.story_id, merged)
        ages.setdefault(sid, (FIRST_NIGHT, a.arrival))
    for f, a in zip(sorted(history_feats, key=stories.arrival_key), first.assignments):
        sid = stories.resolve(a.story_id, merged)
        history.append((f, sid, ages[sid]))
    _, t_night, c_night = timed(stories.group, night, history, now=FIRST_NIGHT + dt.timedelta(days=1))
    story = {a.article_id: stories.resolve(a.story_id, merged) for a in first.assignments}
    precision, recall = pairwise(story, {r["article_id"]: e for r, e in zip(rows[:n], events[:n])})
    n_stories = len(set(story.values()))
    share = n / (n + NIGHT)
    return {
        "n": n, "features_s": round(t_features * share, 2), "features_cpu_s": round(c_features * share, 2),
        "group_all_s": round(t_first, 2), "group_all_cpu_s": round(c_first, 2),
        "group_cpu_s_per_1000": round(c_first / n * 1000, 3),
        "next_night_s": round(t_night, 2), "next_night_cpu_s": round(c_night, 2),
        "stories": n_stories, "events": len(set(events[:n])), "merges": len(first.merges),
        "precision": round(precision, 3), "recall": round(recall, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    results = []
    print("| N | features s (CPU) | grouping, one night of N: s (CPU) | CPU s per 1000 | "
          "next night, 200 new: s (CPU) | stories (events) | merges | pairwise P / R vs events |")
    print("|---|---|---|---|---|---|---|---|")
    for n in args.sizes:
        r = measure(n)
        results.append(r)
        print(f"| {r['n']} | {r['features_s']} ({r['features_cpu_s']}) | {r['group_all_s']} ({r['group_all_cpu_s']}) | "
              f"{r['group_cpu_s_per_1000']} | {r['next_night_s']} ({r['next_night_cpu_s']}) | "
              f"{r['stories']} ({r['events']}) | {r['merges']} | {r['precision']} / {r['recall']} |", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
