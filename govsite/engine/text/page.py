"""Everything the text scanners say about one page, in the shape the indicators need:
V15-4 / V19-1 (serious errors, banned wording, links to banned sites), G-ID-3 (advertising) and
the notice's "文不对题" (title/body mismatch, duplicates)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from govsite.engine.extract.facts import PageFacts
from govsite.engine.text import lexicon as lx
from govsite.engine.text.ads import AdFinding, detect_ads
from govsite.engine.text.mismatch import (
    DuplicateIndex,
    MismatchFinding,
    article_body,
    check_title_body,
    content_chars,
    core_title,
    is_placeholder,
)
from govsite.engine.text.scanner import TextFinding, scan_text

MAX_LINKS = 3000


def scan_page(facts: PageFacts, *, site_whitelist: Iterable[str] = (),
              lexicons: lx.Lexicons | None = None) -> list[TextFinding]:
    """Findings in a page's title and body text, dated by the article's publication date (no
    date: only posts a leader never held are reported; a date is never guessed)."""
    white = list(site_whitelist)
    out = []
    if facts.title:
        out += [replace(f, where="title") for f in scan_text(
            facts.title, on_date=facts.article_pub_date, site_whitelist=white, lexicons=lexicons)]
    out += scan_text(facts.text, on_date=facts.article_pub_date, site_whitelist=white, lexicons=lexicons)
    return out


def banned_links(facts: PageFacts, *, lexicons: lx.Lexicons | None = None) -> list[tuple[str, TextFinding]]:
    """Links whose text carries banned wording (gambling, porn … sites), hidden ones included."""
    out = []
    for link in facts.links[:MAX_LINKS]:
        if link.text and len(link.text) >= 2:
            for f in scan_text(link.text[:500], lexicons=lexicons):
                if f.category == "banned":
                    out.append((link.url, replace(f, where="link")))
    return out


@dataclass
class PageTextReport:
    serious: list[TextFinding] = field(default_factory=list)  # V15-4 / V19-1 serious errors
    banned: list[TextFinding] = field(default_factory=list)  # banned wording in title/body
    banned_links: list[tuple[str, TextFinding]] = field(default_factory=list)
    ads: list[AdFinding] = field(default_factory=list)  # G-ID-3
    mismatch: MismatchFinding | None = None  # 文不对题 (articles only)

    @property
    def empty(self) -> bool:
        return not (self.serious or self.banned or self.banned_links or self.ads or self.mismatch)


def analyse_page(facts: PageFacts, *, article: bool = False, site_whitelist: Iterable[str] = (),
                 duplicates: DuplicateIndex | None = None, lexicons: lx.Lexicons | None = None) -> PageTextReport:
    """All text checks of one page. `article`: the page is an article (title/body checks apply);
    `duplicates`: one index per site crawl, to find bodies copied under other titles."""
    rep = PageTextReport()
    for f in scan_page(facts, site_whitelist=site_whitelist, lexicons=lexicons):
        (rep.serious if f.serious else rep.banned).append(f)
    rep.banned_links = banned_links(facts, lexicons=lexicons)
    rep.ads = detect_ads(facts, lexicons)
    if article and facts.title:
        body = article_body(facts.text, facts.title)
        if not content_chars(body):
            # Short lines are dropped as page chrome; a placeholder body is one of them.
            body = next((ln for ln in facts.text.splitlines()[:2000] if is_placeholder(ln, lexicons)), body)
        rep.mismatch = check_title_body(facts.title, body, lexicons=lexicons)
        if rep.mismatch is None and duplicates is not None:
            rep.mismatch = duplicates.add(facts.url, core_title(facts.title), body)
    return rep
