"""stories: articles that report one event share a `story_id`.

Two kinds of sameness are found:

- republication: the same body under another title, credit or trailer. A
  MinHash of the body's 5-syllable shingles finds these (datasketch LSH,
  Jaccard >= DUPLICATE_JACCARD), whatever their wording around the body.
- coverage of one event by different writers: a MinHash LSH over each article's
  key terms (its highest TF-IDF syllable uni/bigrams) proposes candidates, and a
  score over TF-IDF cosines (whole text, title + lead, title, names and
  numbers), lowered when the two articles name different districts or
  provinces, decides. An article joins the story whose members it matches on
  average (average linkage, as an incremental single pass).

Grouping is incremental: `assign_stories` reads what earlier nights stored
(each article's features and story), scores only the night's new articles
against candidates from the LSH, and writes new rows. An article's story is
never re-decided; when a new article shows two stories are one, the younger
story is merged into the older one and a `story_merges` row records it, so a
story id once published stays valid (it may only be followed to the older id).

Tables (Parquet, written atomically through `Store`): `tables/story_members`
(article_id -> story_id it was assigned, with score and how), `tables/story_merges`
(merged_id -> story_id), and `stories/features` (what scoring needs, so history
is never re-read or re-tokenised; no view reads it).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
import unicodedata
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from datasketch import MinHash, MinHashLSH

from etl.clock import now_local
from etl.load import duckdb_connect, live_source, retire, retired_files, table_dir
from etl.schema import ARROW_SCHEMAS, StoryMember, StoryMerge, to_table
from etl.storage import Store

log = logging.getLogger(__name__)

FEATURES_TABLE = "story_features"
# Not under tables/: no view reads the features, and tables/ holds only the tables publish exposes.
FEATURES_DIR = "stories/features"
MEMBERS_TABLE = "story_members"
MERGES_TABLE = "story_merges"

NUM_PERM = 64
SHINGLE = 5  # syllables per shingle for near-duplicate detection
DUPLICATE_JACCARD = 0.5  # estimated shingle Jaccard above which two bodies are one text republished
KEY_TERMS = 40  # key terms per article for candidate search
CANDIDATE_JACCARD = 0.05  # LSH threshold on key-term sets: loose, the score decides
# ... but the loose LSH also returns pairs sharing one key term, so candidates are checked on the
# exact sets first: every corpus pair scoring near JOIN_SCORE shares >= 0.05 (issue 13)
KEY_MIN_JACCARD = 0.04
LEAD_WORDS = 60  # the lead: title plus the body's first words (Vietnamese news states the event there)
# Weights of the cosines in the coverage score; the sum normalises it to [0, 1].
# Tuned (issue 13) on three quarters of the VietnameseMDS clusters (k % 4 != 0), checked on the rest.
WEIGHTS = {"body": 1.0, "lead": 0.5, "title": 0.6, "names": 0.6}
JOIN_SCORE = 0.34  # mean score against a story's members needed to join it
PLACE_CONFLICT = 0.8  # factor on the score when the two articles name different districts / provinces
COMPACT_FILES = 24  # a story table with this many files is rewritten as one
# A story speaks through its first members only: they are what the LSH indexes hold and
# what a newcomer's average is taken over, so the cost of placing an article does not
# grow with the size of the story it joins (10 000 near-identical notices made one story
# and took 750 s when every member was compared). Corpus stories have 1-4 members.
STORY_SAMPLE = 16

_WORD = re.compile(r"\w+")
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # grave, acute, tilde, hook, dot below
# sentence and clause breaks: a capitalised word right after one is not a name
_BREAK = re.compile(r"(?<=[.!?…])\s+|\n|[“”\"():;,]|\s[-–]\s")
_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*(?!\w)")
_YEAR = re.compile(r"(?:19|20)\d\d")
_QUANTITY = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*(?:\s*-\s*\d+(?!\w)|\s+[^\W\d]+)")
_QUOTED = re.compile(r"[“\"]([^”\"\n]{3,80})[”\"]")


# --- features ------------------------------------------------------------------


def fold(text: str) -> str:
    """Lower-cased NFC text without tone marks, so a misplaced mark ("mơí" for "mới") still matches."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONES))


def syllables(text: str) -> list[str]:
    """Folded syllables of a text, digits left out (numbers are compared on their own)."""
    return [w for w in _WORD.findall(fold(text)) if not w.isdigit()]


def term_id(term: str) -> int:
    """A stable 32-bit id of a term (zlib's CRC-32: fast, same in every process)."""
    return zlib.crc32(term.encode("utf-8"))


def term_counts(words: list[str]) -> dict[int, int]:
    """Unigram and bigram term ids of a syllable list, with their counts."""
    counts: dict[int, int] = defaultdict(int)
    for w in words:
        counts[term_id(w)] += 1
    for a, b in zip(words, words[1:]):
        counts[term_id(f"{a} {b}")] += 1
    return counts


def name_terms(text: str) -> dict[int, int]:
    """Names, numbers and quoted names of a text, as term ids with counts.

    Names are runs of capitalised syllables not opening a sentence, as
    syllable bigrams ("Tân Lập 1" gives "tân lập"); numbers keep their printed
    form ("054.53") and leave out years and one-digit numbers, which every
    article has; a number with its unit or a score ("50 km", "37,28 triệu",
    "3-1") is a term of its own, one-digit or not: reports of one event repeat
    its quantities, reports of one topic seldom do.
    """
    counts: dict[int, int] = defaultdict(int)
    for clause in _BREAK.split(text):
        words = _WORD.findall(clause)
        run: list[str] = []
        start = 0
        for i, w in enumerate([*words, "x"]):
            if w[0].isupper() and not w.isdigit():
                if not run:
                    start = i
                run.append(fold(w))
                continue
            if run and start == 0:
                run = run[1:]  # the clause's first word is capitalised anyway
            if len(run) == 1:
                counts[term_id("@" + run[0])] += 1
            for a, b in zip(run, run[1:]):
                counts[term_id(f"@{a} {b}")] += 1
            run = []
    for m in _NUMBER.finditer(text):
        digits = re.sub(r"[.,]", "", m.group(0))
        if len(digits) >= 2 and not _YEAR.fullmatch(m.group(0)):
            counts[term_id("#" + m.group(0))] += 1
    for m in _QUANTITY.finditer(text):  # a number with its unit ("50 km", "3-1"): what one event's reports repeat
        if not _YEAR.fullmatch(m.group(0).split()[0]):
            counts[term_id("#" + re.sub(r"\s+", " ", fold(m.group(0))))] += 1
    for m in _QUOTED.finditer(text):
        counts[term_id("'" + fold(m.group(1)).strip())] += 1
    return counts


_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=7, scheme="affine32")


def _identity(value: int) -> int:
    return value


def minhash(values: Iterable[int]) -> MinHash:
    """A MinHash of already-hashed 32-bit values (shared permutations, so any two compare)."""
    mh = MinHash(num_perm=NUM_PERM, seed=7, hashfunc=_identity, permutations=_TEMPLATE.permutations, scheme="affine32")
    mh.update_batch(list(values))
    return mh


def stored_minhash(hashvalues: list[int]) -> MinHash:
    """The MinHash of stored hash values."""
    return MinHash(seed=7, hashfunc=_identity, hashvalues=np.asarray(hashvalues, dtype=np.uint64),
                   permutations=_TEMPLATE.permutations, scheme="affine32")


def _sparse(counts: dict[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """(sorted term ids, counts) arrays of a count dict."""
    ids = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
    order = np.argsort(ids)
    return ids[order], np.fromiter(counts.values(), dtype=np.int64, count=len(counts))[order]


@dataclass
class Features:
    """What scoring needs of one article, computed once from its text and stored."""

    article_id: str
    content_hash: str
    body_terms: np.ndarray
    body_counts: np.ndarray
    lead_terms: np.ndarray
    lead_counts: np.ndarray
    title_terms: np.ndarray
    title_counts: np.ndarray
    name_terms: np.ndarray
    name_counts: np.ndarray
    shingles: np.ndarray  # MinHash hash values of the body's shingles
    keys: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # key term ids, once placed
    title: str = ""
    district: str | None = None
    province: str | None = None
    seen_at: dt.datetime | None = None  # published_at, else fetched_at: orders articles within a story


def body_without_title(text: str, title: str | None) -> str:
    """The text after its first line when that line is the title (plain-text articles repeat it)."""
    first, _, rest = text.partition("\n")
    return rest if title and first.strip() == title.strip() else text


def article_features(article: dict) -> Features:
    """Features of an article row (article_id, content_hash, title, text, district, province, published_at).

    >>> f = article_features({"article_id": "a", "content_hash": "h", "title": "Mưa đá ở Biên Hòa",
    ...                       "text": "Mưa đá ở Biên Hòa\\nChiều 23/10, tại TP Biên Hòa (Đồng Nai) có mưa đá lớn."})
    >>> len(f.title_terms), len(f.shingles)  # "mưa đá ở biên hòa": 5 syllables and 4 bigrams
    (9, 64)
    """
    title = article.get("title") or ""
    text = article.get("text") or ""
    body = body_without_title(text, title)
    body_words = syllables(body)
    title_words = syllables(title)
    shingles = {term_id(" ".join(body_words[i:i + SHINGLE])) for i in range(max(len(body_words) - SHINGLE + 1, 1))}
    seen = article.get("published_at") or article.get("fetched_at")
    arrays = {}
    for name, counts in (
        ("body", term_counts(title_words + body_words)),
        ("lead", term_counts(title_words + body_words[:LEAD_WORDS])),
        ("title", term_counts(title_words)),
        ("name", name_terms(f"{title}\n{body}")),
    ):
        arrays[f"{name}_terms"], arrays[f"{name}_counts"] = _sparse(counts)
    return Features(
        article_id=article["article_id"], content_hash=article.get("content_hash") or "",
        shingles=minhash(shingles).hashvalues.astype(np.int64), title=title,
        district=article.get("district"), province=article.get("province"),
        seen_at=seen, **arrays,
    )


# --- scoring -------------------------------------------------------------------


class DocumentFrequencies:
    """How many articles hold each term, over every article with features (history and the night)."""

    def __init__(self, features: Iterable[Features]):
        chunks = [f.body_terms for f in features] + [f.name_terms for f in features]
        self.docs = max(len(chunks) // 2, 1)
        if chunks and any(len(c) for c in chunks):
            self.terms, self.counts = np.unique(np.concatenate(chunks), return_counts=True)
        else:
            self.terms, self.counts = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)

    def idf(self, terms: np.ndarray) -> np.ndarray:
        """Inverse document frequency of each term; terms of a single article weigh nothing."""
        if not len(self.terms):
            return np.zeros(len(terms))
        pos = np.minimum(np.searchsorted(self.terms, terms), len(self.terms) - 1)
        df = np.where(self.terms[pos] == terms, self.counts[pos], 1)
        # a term only one article has says nothing about which articles go together
        return np.where(df >= 2, np.log((self.docs + 1) / (df + 0.5)), 0.0)


@dataclass
class Vector:
    """A unit TF-IDF vector: sorted term ids and weights."""

    terms: np.ndarray
    weights: np.ndarray

    def dot(self, other: "Vector") -> float:
        _, i, j = np.intersect1d(self.terms, other.terms, assume_unique=True, return_indices=True)
        return float(np.dot(self.weights[i], other.weights[j]))


def tfidf(terms: np.ndarray, counts: np.ndarray, df: DocumentFrequencies) -> Vector:
    """Sublinear TF-IDF of term counts, L2-normalised."""
    w = (1.0 + np.log(np.maximum(counts, 1))) * df.idf(terms)
    norm = float(np.sqrt(np.dot(w, w)))
    keep = w > 0
    return Vector(terms[keep], w[keep] / norm if norm else w[keep])


@dataclass
class Scored:
    """An article's features with its vectors under the current frequencies."""

    features: Features
    vectors: dict[str, Vector]
    shingles: MinHash


def vectors_of(f: Features, df: DocumentFrequencies) -> Scored:
    vecs = {
        "body": tfidf(f.body_terms, f.body_counts, df),
        "lead": tfidf(f.lead_terms, f.lead_counts, df),
        "title": tfidf(f.title_terms, f.title_counts, df),
        "names": tfidf(f.name_terms, f.name_counts, df),
    }
    return Scored(f, vecs, stored_minhash(f.shingles.tolist()))


def key_terms(s: Scored, n: int = KEY_TERMS) -> np.ndarray:
    """The article's n heaviest body terms: what a report of the same event most likely shares."""
    v = s.vectors["body"]
    if len(v.terms) <= n:
        return v.terms
    return v.terms[np.argsort(-v.weights, kind="stable")[:n]]


def places_conflict(a: Features, b: Features) -> bool:
    """Both articles are about a named place, and not the same one."""
    if a.district and b.district and a.district != b.district:
        return True
    return bool(a.province and b.province and a.province != b.province)


def is_republication(a: Scored, b: Scored) -> bool:
    """The two bodies are one text (estimated shingle Jaccard)."""
    return a.shingles.jaccard(b.shingles) >= DUPLICATE_JACCARD


def score(a: Scored, b: Scored) -> float:
    """How surely two articles report one event, in [0, 1] (1 for a republished text)."""
    if is_republication(a, b):
        return 1.0
    total = sum(WEIGHTS[k] * a.vectors[k].dot(b.vectors[k]) for k in WEIGHTS) / sum(WEIGHTS.values())
    if places_conflict(a.features, b.features):
        total *= PLACE_CONFLICT
    return total



# --- grouping ------------------------------------------------------------------


@dataclass
class Assignment:
    article_id: str
    story_id: str
    how: str  # "new" (founds a story), "republication", "coverage"
    score: float | None
    matched: str | None  # the member it matched best
    arrival: int = 0  # position in the night's order


@dataclass
class Merge:
    story_id: str  # the older story, kept
    merged_id: str  # the younger story, folded into it
    score: float
    article_id: str  # the article that showed both were one


@dataclass
class Grouping:
    assignments: list[Assignment] = field(default_factory=list)
    merges: list[Merge] = field(default_factory=list)


def story_id_for(article_id: str) -> str:
    """A story is named after the article that founded it."""
    return f"s{article_id}"


class StoryIndex:
    """Stories so far and LSH indexes over their members; new articles are added one at a time."""

    def __init__(self, df: DocumentFrequencies):
        self.df = df
        self.items: dict[str, Features] = {}
        self._scored: dict[str, Scored] = {}  # vectors are built only for articles that get compared
        self.story_of: dict[str, str] = {}  # article -> current story (merges applied)
        self.members: dict[str, list[str]] = defaultdict(list)
        self.founded: dict[str, tuple] = {}  # story -> sort key of its age (older first)
        self.keys = MinHashLSH(threshold=CANDIDATE_JACCARD, num_perm=NUM_PERM)
        self.dups = MinHashLSH(threshold=DUPLICATE_JACCARD, num_perm=NUM_PERM)

    def scored(self, aid: str) -> Scored:
        s = self._scored.get(aid)
        if s is None:
            s = self._scored[aid] = vectors_of(self.items[aid], self.df)
        return s

    def key_set(self, f: Features) -> np.ndarray:
        """An article's key terms (sorted ids), chosen once, at its first placing, and stored."""
        if not len(f.keys):
            f.keys = np.sort(key_terms(self.scored(f.article_id)))
        return f.keys

    def key_signature(self, f: Features) -> MinHash:
        return minhash(self.key_set(f).tolist())

    def close_enough(self, f: Features, other: str) -> bool:
        """Whether two articles share enough key terms to be worth scoring (exact Jaccard of the sets)."""
        a, b = self.key_set(f), self.key_set(self.items[other])
        shared = len(np.intersect1d(a, b, assume_unique=True))
        return shared / max(len(a) + len(b) - shared, 1) >= KEY_MIN_JACCARD

    def add(self, f: Features, story_id: str, age: tuple) -> None:
        aid = f.article_id
        self.items[aid] = f
        self.story_of[aid] = story_id
        self.members[story_id].append(aid)
        self.founded.setdefault(story_id, age)
        if len(self.members[story_id]) <= STORY_SAMPLE:
            self.keys.insert(aid, self.key_signature(f), check_duplication=False)
            self.dups.insert(aid, stored_minhash(f.shingles.tolist()), check_duplication=False)

    def sample(self, story: str) -> list[str]:
        """The members a story is compared through (its first STORY_SAMPLE)."""
        return self.members[story][:STORY_SAMPLE]

    def candidates(self, f: Features) -> set[str]:
        """Articles worth scoring: near-duplicates of the body, and those sharing enough key terms."""
        found = {c for c in self.keys.query(self.key_signature(f)) if self.close_enough(f, c)}
        return found | set(self.dups.query(stored_minhash(f.shingles.tolist())))

    def link(self, s: Scored, story: str) -> tuple[float, str]:
        """Average score of an article against a story's members, and the best-matching member."""
        scores = [(score(s, self.scored(m)), m) for m in self.sample(story)]
        best = max(scores)
        if best[0] >= 1.0:  # a republished copy of a member belongs with it whatever the others say
            return 1.0, best[1]
        return sum(x for x, _ in scores) / len(scores), best[1]

    def cross_link(self, a: str, b: str) -> float:
        """Average score between the members of two stories."""
        pairs = [score(self.scored(x), self.scored(y)) for x in self.sample(a) for y in self.sample(b)]
        return sum(pairs) / len(pairs)

    def merge(self, keep: str, drop: str) -> None:
        for aid in self.members.pop(drop):
            self.story_of[aid] = keep
            self.members[keep].append(aid)

    def place(self, f: Features, age: tuple) -> tuple[Assignment, list[Merge]]:
        """Put one new article into a story (joining, founding, or merging two); returns what happened."""
        aid = f.article_id
        self.items[aid] = f
        s = self.scored(aid)
        stories = {self.story_of[c] for c in self.candidates(f)}
        links = sorted(((*self.link(s, st), st) for st in stories), key=lambda t: (-t[0], self.founded[t[2]]))
        joined = [(sc, m, st) for sc, m, st in links if sc >= JOIN_SCORE]
        if not joined:
            sid = story_id_for(aid)
            self.add(f, sid, age)
            return Assignment(aid, sid, "new", None, None), []
        sc, matched, sid = joined[0]
        how = "republication" if sc >= 1.0 else "coverage"
        self.add(f, sid, age)
        merges = []
        for other_sc, _, other in joined[1:]:
            current = self.story_of[matched]
            if other == current or other not in self.members:
                continue
            joint = self.cross_link(current, other)
            if joint >= JOIN_SCORE:
                keep, drop = sorted((current, other), key=lambda st: self.founded[st])
                self.merge(keep, drop)
                merges.append(Merge(keep, drop, round(joint, 4), aid))
        return Assignment(aid, self.story_of[aid], how, round(sc, 4), matched), merges


def arrival_key(f: Features) -> tuple:
    """Order of a night's articles: as published (then by id), so a re-run decides the same way."""
    seen = f.seen_at or dt.datetime.max
    return (seen, f.article_id)


def group(new: list[Features], history: list[tuple[Features, str, tuple]] = (),
          now: dt.datetime | None = None) -> Grouping:
    """Assign each new article to a story of `history` (features, story_id, age) or to a new one.

    A story's age is `(assigned_at, arrival)` of its founder: the older of two
    merged stories keeps its id.

    Pure: no storage. `assign_stories` feeds it from the warehouse.

    >>> a = {"article_id": "a1", "title": "Mưa đá ở Biên Hòa", "text": "Chiều 23/10 mưa đá lớn kèm lốc xoáy ở TP Biên Hòa."}
    >>> b = dict(a, article_id="a2", title="Biên Hòa: mưa đá bất ngờ")
    >>> [x.story_id for x in group([article_features(a), article_features(b)]).assignments]
    ['sa1', 'sa1']
    """
    df = DocumentFrequencies([f for f, _, _ in history] + list(new))
    index = StoryIndex(df)
    for f, sid, age in history:
        index.add(f, sid, age)
    out = Grouping()
    now = now or dt.datetime.max
    for n, f in enumerate(sorted(new, key=arrival_key)):
        assignment, merges = index.place(f, (now, n))
        assignment.arrival = n
        out.assignments.append(assignment)
        out.merges.extend(merges)
    return out


# --- storage -------------------------------------------------------------------


def folder_of(table: str) -> str:
    return FEATURES_DIR if table == FEATURES_TABLE else table_dir(table)


def live(store: Store, table: str) -> list[str]:
    """A story table's files that count: every one not retired by a compaction."""
    retired = retired_files(store)
    return [rel for rel in store.list_files(folder_of(table), ".parquet") if rel not in retired]


def source_of(store: Store, table: str) -> str | None:
    """A `read_parquet([...])` over a story table's live files, or None when it has none."""
    if table != FEATURES_TABLE:
        return live_source(store, table)
    files = live(store, table)
    if not files:
        return None
    uris = ", ".join("'" + store.uri(rel).replace("'", "''") + "'" for rel in files)
    return f"read_parquet([{uris}], union_by_name = true)"


def _read(store: Store, table: str, sql: str) -> list[dict]:
    """Rows of `sql` over a story table's live files (`{t}` stands for them); [] when it has none."""
    source = source_of(store, table)
    if source is None:
        return []
    con = duckdb_connect(store)
    try:
        cur = con.execute(sql.format(t=source))
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row)) for row in cur.fetchall()]
    finally:
        con.close()


FEATURE_SCHEMA = ARROW_SCHEMAS[FEATURES_TABLE]
_ARRAYS = ("body_terms", "body_counts", "lead_terms", "lead_counts", "title_terms", "title_counts",
           "name_terms", "name_counts", "shingles", "keys")


def features_table(rows: list[Features], computed_at: dt.datetime) -> pa.Table:
    data = {name: [] for name in FEATURE_SCHEMA.names}
    for f in rows:
        for name in FEATURE_SCHEMA.names:
            if name == "computed_at":
                data[name].append(computed_at)
            elif name in _ARRAYS:
                data[name].append(getattr(f, name).tolist())
            else:
                data[name].append(getattr(f, name))
    return pa.table(data, schema=FEATURE_SCHEMA)


def set_aside_unreadable_features(store: Store) -> list[str]:
    """Move feature files whose footer cannot be read to `corrupt/`; their articles' features are recomputed.

    (etl.publish does the same for tables/; features can always be rebuilt from the articles.)
    """
    moved = []
    for rel in live(store, FEATURES_TABLE):
        try:
            with store.fs.open_input_file(store.path(rel)) as handle:
                pq.read_metadata(handle)
        except (pa.ArrowException, OSError) as exc:
            target = f"corrupt/{now_local():%Y%m%dT%H%M%S}/{rel}"
            store.move(rel, target)
            log.error("set aside %s (%s): its articles' story features are recomputed", store.uri(rel), exc)
            moved.append(rel)
    return moved


def read_features(store: Store) -> dict[str, Features]:
    """Latest stored features of every article."""
    source = source_of(store, FEATURES_TABLE)
    if source is None:
        return {}
    con = duckdb_connect(store)
    try:
        table = con.sql(
            f"select * from {source} "
            "qualify row_number() over (partition by article_id order by computed_at desc) = 1"
        ).to_arrow_table()
    finally:
        con.close()
    cols = {name: table.column(name).to_pylist() for name in FEATURE_SCHEMA.names if name not in _ARRAYS}
    arrays = {name: table.column(name).combine_chunks() for name in _ARRAYS}
    out = {}
    for i, aid in enumerate(cols["article_id"]):
        kw = {name: np.asarray(arrays[name][i].values, dtype=np.int64) for name in _ARRAYS}
        out[aid] = Features(**{k: cols[k][i] for k in cols if k != "computed_at"}, **kw)
    return out


def read_feature_versions(store: Store) -> dict[str, str]:
    """article_id -> content_hash of the latest stored features (without reading the term lists)."""
    rows = _read(store, FEATURES_TABLE, "select article_id, arg_max(content_hash, computed_at) as content_hash "
                                        "from {t} group by article_id")
    return {r["article_id"]: r["content_hash"] for r in rows}


def current_articles(store: Store, skip: dict[str, str]) -> list[dict]:
    """Current article versions whose (article_id, content_hash) is not in `skip`, with their text."""
    source = live_source(store, "articles", hive=True)
    if source is None:
        return []
    con = duckdb_connect(store)
    try:
        con.register("known", pa.table({"article_id": list(skip), "content_hash": list(skip.values())},
                                        schema=pa.schema([("article_id", pa.string()), ("content_hash", pa.string())])))
        cur = con.execute(
            f"""
            with cur as (
                select article_id, content_hash, title, text, published_at, fetched_at, district, province
                from {source}
                qualify row_number() over (partition by article_id order by loaded_at desc, run_id desc) = 1
            )
            select * from cur anti join known using (article_id, content_hash)
            """
        )
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row)) for row in cur.fetchall()]
    finally:
        con.close()


def read_members(store: Store) -> list[dict]:
    """Each article's first story assignment (an assignment is never re-decided)."""
    return _read(store, MEMBERS_TABLE, "select * from {t} qualify row_number() over "
                                       "(partition by article_id order by assigned_at, story_id) = 1")


def read_merges(store: Store) -> list[dict]:
    return _read(store, MERGES_TABLE, "select distinct merged_id, story_id, merged_at from {t} order by merged_at")


def resolve(story: str, merged_into: dict[str, str]) -> str:
    """Follow merges to the story an old id now belongs to."""
    seen = set()
    while story in merged_into and story not in seen:
        seen.add(story)
        story = merged_into[story]
    return story


def compact_table(store: Store, table: str, min_files: int = COMPACT_FILES) -> None:
    """Rewrite a story table's live files as one when there are many; rows are deduplicated when read.

    The old files are retired, not deleted (etl.load.retire): a published
    warehouse.duckdb may still name them, and a crash between the write and
    the retire only leaves duplicate rows, which every reader drops.
    """
    files = live(store, table)
    if len(files) < min_files:
        return
    con = duckdb_connect(store)
    try:
        merged = con.sql(f"select * from {source_of(store, table)}").to_arrow_table()
    finally:
        con.close()
    target = f"{folder_of(table)}/compact-{now_local():%Y%m%dT%H%M%S%f}.parquet"
    store.write_parquet(target, merged.select(ARROW_SCHEMAS[table].names).cast(ARROW_SCHEMAS[table]))
    retire(store, files)


@dataclass
class StoryResult:
    assigned: int = 0
    new_stories: int = 0
    merges: int = 0
    refreshed: int = 0  # changed article versions whose features were recomputed
    seconds: float = 0.0
    grouping_seconds: float = 0.0


def assign_stories(store: Store, run_id: str | None = None, now: dt.datetime | None = None) -> StoryResult:
    """Give every current article without a story one; call it after a night's load, before the views.

    Reads the stored features and stories, computes features only for articles
    that are new or whose text changed, groups the new ones (`group`), and
    appends `story_features`, `story_members` and `story_merges` files. Running
    it again with nothing new writes nothing.
    """
    started = time.perf_counter()
    now = now or now_local()
    result = StoryResult()
    set_aside_unreadable_features(store)
    members = read_members(store)
    placed = {m["article_id"] for m in members}
    # an article needs work when its text has no features yet or it has no story (a crash between
    # the two writes leaves features without a member row: it is placed again)
    done = {aid: h for aid, h in read_feature_versions(store).items() if aid in placed}
    fresh = current_articles(store, done)
    if not fresh:  # the usual second publish of a night: nothing to read beyond the keys
        result.seconds = time.perf_counter() - started
        return result
    features = read_features(store)
    merged_into = {m["merged_id"]: m["story_id"] for m in read_merges(store)}
    computed = [article_features(a) for a in fresh]
    for f in computed:
        features[f.article_id] = f
    assigned = {m["article_id"]: m for m in members}
    history = []
    for m in sorted(members, key=lambda m: (m["assigned_at"], m["arrival"])):
        f = features.get(m["article_id"])
        if f is not None:
            history.append((f, resolve(m["story_id"], merged_into), (m["assigned_at"], m["arrival"])))
    # a story's age is its founder's: the earliest assignment under it
    ages: dict[str, tuple] = {}
    for f, sid, age in history:
        ages[sid] = min(ages.get(sid, age), age)
    history = [(f, sid, ages[sid]) for f, sid, _ in history]
    new = [f for f in computed if f.article_id not in assigned]
    result.refreshed = len(computed) - len(new)
    t0 = time.perf_counter()
    grouping = group(new, history, now)
    result.grouping_seconds = time.perf_counter() - t0
    stamp = f"{now:%Y%m%dT%H%M%S%f}-{run_id or 'publish'}"
    store.write_parquet(f"{FEATURES_DIR}/{stamp}.parquet", features_table(computed, now))
    if grouping.merges:
        rows = [StoryMerge(story_id=m.story_id, merged_id=m.merged_id, merged_at=now, score=m.score,
                           article_id=m.article_id, run_id=run_id) for m in grouping.merges]
        store.write_parquet(f"{table_dir(MERGES_TABLE)}/{stamp}.parquet", to_table(MERGES_TABLE, rows))
    if grouping.assignments:
        rows = [StoryMember(article_id=a.article_id, story_id=a.story_id, assigned_at=now, arrival=a.arrival, how=a.how,
                            score=a.score, matched_article_id=a.matched, run_id=run_id)
                for a in grouping.assignments]
        # members last: an article counts as placed only once its row exists, so a crash re-places it
        store.write_parquet(f"{table_dir(MEMBERS_TABLE)}/{stamp}.parquet", to_table(MEMBERS_TABLE, rows))
    for table in (FEATURES_TABLE, MEMBERS_TABLE, MERGES_TABLE):
        compact_table(store, table)
    result.assigned = len(grouping.assignments)
    result.new_stories = sum(a.how == "new" for a in grouping.assignments)
    result.merges = len(grouping.merges)
    result.seconds = time.perf_counter() - started
    log.info("stories: %d articles placed (%d new stories, %d merges) in %.2f s",
             result.assigned, result.new_stories, result.merges, result.seconds)
    return result
