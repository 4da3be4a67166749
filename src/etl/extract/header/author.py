"""Authors from HTML metadata, without the site names that pages put there."""

from __future__ import annotations

import re

from etl.extract.header.byline import BYLINE_PREFIX
from etl.text.normalise import normalize
from etl.text.words import fold

# Author strings from HTML metadata that are really the site ("Baochinhphu Vn",
# "NLD COM VN", "VCCorp vn", "TUOI TRE ONLINE") rather than a person.
_SITE_AUTHOR = re.compile(
    r"\b(?:vn|com|net|org|online|news|vccorp|báo|bao|tạp chí|cổng thông tin|tuoi tre|người lao động"
    r"|pháp luật|dân trí|vietnamnet|vnexpress|thanh niên|tiền phong|hà nội mới|nhân dân)\b|\.(?:vn|com|net)\b",
    re.IGNORECASE,
)


# One token glued from "báo" + outlet ("Baotuoitre", "Baodautu").
_GLUED_SITE = re.compile(r"^b[aá]o[^\W\d_]{3,}$", re.IGNORECASE)


def clean_author(author: str | None, sitename: str | None = None, hostname: str | None = None) -> str | None:
    """Author from HTML metadata without site names; None when only the site was given.

    >>> clean_author("Baochinhphu Vn", sitename="baochinhphu.vn") is None
    True
    >>> clean_author("VietNamNet News; Duy Anh")
    'Duy Anh'
    """
    if not author:
        return None
    site_keys = {fold(s.split(".")[0]) for s in (sitename, hostname) if s}
    site_keys |= {fold(s) for s in (sitename, hostname) if s}
    site_keys.discard("")
    def is_site(part: str) -> bool:
        folded = fold(part)
        if folded in site_keys or any(k and (k in folded or folded in k) for k in site_keys if len(k) >= 4):
            return True
        return bool(_SITE_AUTHOR.search(part) or _GLUED_SITE.match(part))

    kept = []
    for group in re.split(r"[;,|]", author):
        group = BYLINE_PREFIX.sub("", normalize(group)).strip()
        names = [p.strip() for p in re.split(r"\s+[-–]\s+", group) if p.strip()]
        names = [BYLINE_PREFIX.sub("", p).strip() for p in names if not is_site(p)]
        if not names:
            continue
        # co-authors printed "A - B" stay as printed; a site name among them is dropped
        kept.append(group if len(names) == len(re.split(r"\s+[-–]\s+", group)) else "; ".join(names))
    return "; ".join(dict.fromkeys(kept)) or None
