"""Text scanners: serious errors (V15-4 / V19-1), banned vocabulary, title/body mismatch and
commercial advertising (G-ID-3). Lexicons are editable data files in `data/` (see SOURCES.md).

    scan_text(text, on_date=..., site_whitelist=...) -> list[TextFinding]
    scan_page(facts) -> list[TextFinding]          # title + body of one page
    analyse_page(facts, article=True, duplicates=idx) -> PageTextReport   # everything, for the indicators
    check_title_body(title, body) -> MismatchFinding | None
    DuplicateIndex().add(url, title, body) -> MismatchFinding | None
    detect_ads(facts) -> list[AdFinding]
"""

from __future__ import annotations

from govsite.engine.text.ads import AdFinding, detect_ads
from govsite.engine.text.lexicon import Lexicons
from govsite.engine.text.lexicon import default as default_lexicons
from govsite.engine.text.lexicon import load as load_lexicons
from govsite.engine.text.mismatch import DuplicateIndex, MismatchFinding, body_fingerprint, check_title_body
from govsite.engine.text.page import PageTextReport, analyse_page, banned_links, scan_page
from govsite.engine.text.scanner import TextFinding, scan_text

__all__ = [
    "AdFinding", "DuplicateIndex", "Lexicons", "MismatchFinding", "PageTextReport", "TextFinding", "analyse_page",
    "banned_links", "body_fingerprint", "check_title_body", "default_lexicons", "detect_ads", "load_lexicons",
    "scan_page", "scan_text",
]
