"""V15-4 / V19-1 (serious errors, banned content), G-ID-3 (commercial advertising) and G-TXT-1
(the notice's "文不对题": an article whose body is empty, a placeholder, a copy of another
article or unrelated to its title — reported with title and body for a person to judge), read
page by page from the crawl through the text scanners (`govsite.engine.text`).

`ContentObserver` is a crawl observer like the Collector: it sees each page's facts once (no
second parse) and keeps only bounded evidence, so a large crawl stays small in memory."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from govsite.engine.crawl import PageRecord
from govsite.engine.extract.columns import column_type
from govsite.engine.extract.facts import PageFacts
from govsite.engine.scoring import Finding
from govsite.engine.text import DuplicateIndex, analyse_page
from govsite.engine.text.page import TextCache

MAX_EVIDENCE = 50  # per indicator: enough for a reviewer, bounded for a 10,000-page crawl
MISMATCH_ID = "G-TXT-1"
# Pages whose body answers rather than restates its title (messages and replies, interviews,
# surveys, service guides): the title/body check does not apply to them.
_NOT_ARTICLE = ("interaction", "service")
_MISMATCH_LABEL = {"empty_body": "正文为空", "placeholder": "正文为占位内容", "unrelated": "正文与标题无关",
                   "duplicate": "正文与另一篇相同"}


def is_article(facts: PageFacts) -> bool:
    """An article page: a title and a publication date (or an ArticleTitle tag), not a service
    guide, not in an interaction or service column (by its ColumnName/ColumnType tags)."""
    if not facts.title or facts.service_guide_elements is not None or facts.is_hub:
        return False
    if facts.article_pub_date is None and "ArticleTitle" not in facts.meta:
        return False
    col = " ".join(facts.meta.get(k, "") for k in ("ColumnName", "ColumnType"))
    return not (col.strip() and column_type(col) in _NOT_ARTICLE)


@dataclass
class ContentObserver:
    site_whitelist: list[str] = field(default_factory=list)
    serious: list[dict] = field(default_factory=list)
    banned: list[dict] = field(default_factory=list)
    ads: list[dict] = field(default_factory=list)
    serious_count: int = 0
    banned_count: int = 0
    ads_count: int = 0
    mismatch: list[dict] = field(default_factory=list)
    mismatch_count: int = 0
    mismatch_kinds: dict[str, int] = field(default_factory=dict)
    articles: int = 0
    pages: int = 0
    _seen_ads: set[str] = field(default_factory=set)
    _dups: DuplicateIndex = field(default_factory=DuplicateIndex)
    _cache: TextCache = field(default_factory=TextCache)  # the site template scanned once, not per page

    def __call__(self, facts: PageFacts, rec: PageRecord) -> None:
        self.pages += 1
        article = rec.depth > 0 and is_article(facts)
        self.articles += article
        rep = analyse_page(facts, article=article, site_whitelist=self.site_whitelist, duplicates=self._dups,
                           cache=self._cache)
        if rep.mismatch is not None:
            m = rep.mismatch
            self.mismatch_count += 1
            self.mismatch_kinds[m.kind] = self.mismatch_kinds.get(m.kind, 0) + 1
            self._add(self.mismatch, {
                "url": facts.url, "detail": f"《{m.title}》{m.message}；正文摘录：{m.body_excerpt or '（无）'}",
                "kind": m.kind, "title": m.title, "body_excerpt": m.body_excerpt, "overlap": m.overlap,
                "duplicate_of": m.duplicate_of})
        for f in rep.serious:
            self.serious_count += 1
            self._add(self.serious, {"url": facts.url, "detail": f"{f.message}：「{f.wrong}」"
                                     + (f"→「{f.suggestion}」" if f.suggestion else "") + f"；原句：{f.sentence}",
                                     "sentence": f.sentence, "wrong": f.wrong, "suggestion": f.suggestion,
                                     "category": f.category, "where": f.where})
        for f in rep.banned:
            self.banned_count += 1
            self._add(self.banned, {"url": facts.url, "detail": f"{f.message}：「{f.wrong}」；原句：{f.sentence}",
                                    "sentence": f.sentence, "wrong": f.wrong, "category": f.category,
                                    "where": f.where})
        for target, f in rep.banned_links:
            self.banned_count += 1
            self._add(self.banned, {"url": facts.url, "detail": f"链接到有害网站 {target}：「{f.wrong}」（{f.message}）",
                                    "sentence": f.sentence, "wrong": f.wrong, "category": f.category,
                                    "where": "link", "target": target})
        for a in rep.ads:
            key = a.url or a.text
            if key in self._seen_ads:
                continue  # the same banner in a shared page template: report it once
            self._seen_ads.add(key)
            self.ads_count += 1
            self._add(self.ads, {"url": facts.url, "detail": f"{a.message}：{a.url or ''} {a.text}".strip(),
                                 "kind": a.kind, "target": a.url})

    @staticmethod
    def _add(bucket: list[dict], ev: dict) -> None:
        if len(bucket) < MAX_EVIDENCE:
            bucket.append(ev)

    def findings(self, serious_id: str = "V15-4") -> list[Finding]:
        """The V15-4 (or V19-1) and G-ID-3 findings of the crawl."""
        out = []
        n = self.serious_count + self.banned_count
        if n:
            parts = []
            if self.serious_count:
                parts.append(f"严重错误 {self.serious_count} 处")
            if self.banned_count:
                parts.append(f"违法有害内容 {self.banned_count} 处")
            out.append(Finding(serious_id, "veto", 0.0, self.serious + self.banned,
                               "发现" + "、".join(parts) + "（请人工复核原句）"))
        else:
            out.append(Finding(serious_id, "ok", 0.0, [], f"已扫描 {self.pages} 个页面，未发现严重错误或违法有害内容"))
        if self.ads_count:
            out.append(Finding("G-ID-3", "deduct", 0.0, self.ads, f"发现商业广告 {self.ads_count} 处"))
        else:
            out.append(Finding("G-ID-3", "ok", 0.0, [], f"已扫描 {self.pages} 个页面，未发现商业广告"))
        out.append(self.mismatch_finding())
        return out

    def mismatch_finding(self) -> Finding:
        """G-TXT-1: advisory — title and body side by side; a person decides."""
        if not self.mismatch_count:
            return Finding(MISMATCH_ID, "ok", 0.0, [], f"已核对 {self.articles} 篇文章的标题与正文，未发现文不对题")
        parts = "、".join(f"{_MISMATCH_LABEL.get(k, k)} {n}" for k, n in self.mismatch_kinds.items())
        return Finding(MISMATCH_ID, "deduct", 0.0, self.mismatch,
                       f"疑似文不对题 {self.mismatch_count} 篇（{parts}），标题与正文已并列，请人工判断")


def content_findings(pages: Iterable[PageFacts], serious_id: str = "V15-4",
                     site_whitelist: Iterable[str] = ()) -> list[Finding]:
    """The same findings for pages already in hand (tests, single-page checks; first = home)."""
    obs = ContentObserver(site_whitelist=list(site_whitelist))
    for i, f in enumerate(pages):
        obs(f, PageRecord(url=f.url, depth=0 if i == 0 else 1, status=200, error=None, elapsed=0.0))
    return obs.findings(serious_id)
