"""Text scanners: serious errors (V15-4 / V19-1), banned vocabulary, title/body mismatch and
commercial advertising (G-ID-3). Lexicons are editable data files in `data/` (see SOURCES.md).

    scan_text(text, on_date=..., site_whitelist=...) -> list[TextFinding]
    scan_page(facts) -> list[TextFinding]          # title + body of one page
    check_title_body(title, body) -> MismatchFinding | None
    DuplicateIndex().add(url, title, body) -> MismatchFinding | None
    detect_ads(facts) -> list[AdFinding]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from govsite.engine.extract.facts import PageFacts
from govsite.engine.text.ads import AdFinding, detect_ads
from govsite.engine.text.lexicon import Lexicons
from govsite.engine.text.lexicon import default as default_lexicons
from govsite.engine.text.lexicon import load as load_lexicons
from govsite.engine.text.mismatch import DuplicateIndex, MismatchFinding, body_fingerprint, check_title_body
from govsite.engine.text.scanner import TextFinding, scan_text

__all__ = [
    "AdFinding", "DuplicateIndex", "Lexicons", "MismatchFinding", "TextFinding", "body_fingerprint",
    "check_title_body", "default_lexicons", "detect_ads", "load_lexicons", "scan_page", "scan_text",
]


def scan_page(facts: PageFacts, *, site_whitelist: Iterable[str] = (),
              lexicons: Lexicons | None = None) -> list[TextFinding]:
    """Findings in a page's title and body text, dated by the article's publication date."""
    out = []
    if facts.title:
        out += [replace(f, where="title") for f in scan_text(
            facts.title, on_date=facts.article_pub_date, site_whitelist=site_whitelist, lexicons=lexicons)]
    out += scan_text(facts.text, on_date=facts.article_pub_date, site_whitelist=site_whitelist, lexicons=lexicons)
    return out
