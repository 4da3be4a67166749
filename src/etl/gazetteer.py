"""The gazetteer: districts, provinces and surnames, loaded once from the packaged data.

`etl/data/districts.csv` holds every district-level unit of Hà Nội and Thành
phố Hồ Chí Minh, `provinces.csv` the provinces (with the 2025 mergers) and
`surnames.csv` Vietnamese surnames. The article rules match places with
`load_gazetteer().pattern`; the header readers use the casefolded name sets to
keep places out of bylines and outlets.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass, field
from importlib import resources


@dataclass(frozen=True)
class Place:
    """One gazetteer entry: canonical name, its province, and every spelling."""

    name: str
    kind: str  # quận, huyện, thị xã, thành phố, tỉnh
    province: str  # itself for provinces
    aliases: tuple[str, ...] = ()
    is_district: bool = True


@dataclass
class Gazetteer:
    """Districts and provinces, and one compiled pattern for all their spellings."""

    districts: list[Place] = field(default_factory=list)
    provinces: list[Place] = field(default_factory=list)
    # spelling -> places (several when districts of different provinces share a
    # name, "Châu Thành"); an empty tuple marks a phrase that is not a place
    by_name: dict[str, tuple[Place, ...]] = field(default_factory=dict)
    numbered: dict[int, Place] = field(default_factory=dict)  # 1 -> Quận 1
    pattern: re.Pattern | None = None


def _read_csv(name: str) -> list[dict[str, str]]:
    """Rows of a packaged data file (src/etl/data/<name>)."""
    with resources.files("etl").joinpath("data", name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


# Administrative prefixes in front of a district name: "quận", "huyện", "thị
# xã", "TP", the party committee ("Huyện ủy"), and the abbreviations of
# tuoitre-style copy ("H.Bình Chánh", "TX.Kỳ Anh", "Q.Bình Thạnh").
_DISTRICT_PREFIX = (
    r"(?:(?:[Qq]uận|QUẬN|[Hh]uyện|HUYỆN|[Tt]hị xã|THỊ XÃ|[Tt]hành phố|THÀNH PHỐ|TP|[Tt]hị|[Tt]hành)"
    r"\s+(?:[ủu][ỷy]|[ỦU][ỶY])\s+"
    r"|[Qq]uận|QUẬN|[Hh]uyện|HUYỆN|[Tt]hị xã|THỊ XÃ|[Tt]hành phố|THÀNH PHỐ|TP\.?|TX\.?|Q\.|H\.)\s*"
)
# Phrases that contain a place name but are not places: the Pacific Ocean,
# President Hồ Chí Minh (the city is always written with "TP"/"Thành phố").
_NOT_PLACES = ("Thái Bình Dương", "Hồ Chí Minh")


def _trie_regex(words: list[str]) -> str:
    """One regex matching any of `words`, longest first, built as a prefix trie (fast)."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        end = "" in node
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        # an optional continuation is greedy, so the longest spelling wins
        return f"(?:{body})?" if end else body

    return emit(trie)


@functools.lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The packaged gazetteer, compiled once.

    >>> g = load_gazetteer()
    >>> sorted(p.name for p in g.districts if p.name.startswith("Quận 1"))
    ['Quận 1', 'Quận 10', 'Quận 11', 'Quận 12']
    >>> sorted(p.province for p in g.by_name["Châu Thành"])[:2]
    ['An Giang', 'Bến Tre']
    """
    gaz = Gazetteer()
    for row in _read_csv("districts.csv"):
        aliases = tuple(a for a in row["aliases"].split("|") if a)
        gaz.districts.append(Place(row["name"], row["kind"], row["province"], aliases, True))
    for row in _read_csv("provinces.csv"):
        aliases = tuple(a for a in row["aliases"].split("|") if a)
        gaz.provinces.append(Place(row["name"], row["kind"], row["name"], aliases, False))

    spellings: dict[str, dict[Place, None]] = {}
    for place in gaz.provinces:
        for spelling in (place.name, *place.aliases):
            for variant in (spelling, spelling.upper()):
                spellings.setdefault(variant, {})[place] = None
    for place in gaz.districts:
        m = re.fullmatch(r"Quận (\d+)", place.name)
        if m:
            gaz.numbered[int(m.group(1))] = place
            continue
        for spelling in (place.name, *place.aliases):
            for variant in (spelling, spelling.upper()):
                found = spellings.setdefault(variant, {})
                if any(not p.is_district for p in found):
                    continue  # a province's own spelling stays the province's
                found[place] = None
    gaz.by_name = {k: tuple(v) for k, v in spellings.items()}
    for phrase in _NOT_PLACES:
        gaz.by_name[phrase] = ()
        gaz.by_name[phrase.upper()] = ()
    names = _trie_regex(sorted(gaz.by_name))
    gaz.pattern = re.compile(rf"(?<![\w.])(?P<prefix>{_DISTRICT_PREFIX})?(?P<name>{names})(?!\w)")
    return gaz


@functools.lru_cache(maxsize=1)
def surnames() -> frozenset[str]:
    """Vietnamese surnames (etl/data/surnames.csv): a place name right after one is a person's name."""
    return frozenset(row["surname"] for row in _read_csv("surnames.csv"))



@functools.lru_cache(maxsize=1)
def province_names() -> frozenset[str]:
    """Casefolded province names and aliases: a closing line naming a province is no byline."""
    return frozenset(_casefolded_names("provinces.csv"))


@functools.lru_cache(maxsize=1)
def place_names() -> frozenset[str]:
    """Casefolded province and district names and aliases (places are not outlets or bylines)."""
    return frozenset(_casefolded_names("provinces.csv") | _casefolded_names("districts.csv"))


def _casefolded_names(resource: str) -> set[str]:
    """Every name and alias of a packaged place file, casefolded."""
    names: set[str] = set()
    for row in _read_csv(resource):
        names.add(row["name"].casefold())
        names.update(a.casefold() for a in row["aliases"].split("|") if a)
    return names
