"""V15-4 / V19-1 (serious errors, banned content) and G-ID-3 (commercial advertising), read
page by page from the crawl through the text scanners (`govsite.engine.text`).

`ContentObserver` is a crawl observer like the Collector: it sees each page's facts once (no
second parse) and keeps only bounded evidence, so a large crawl stays small in memory."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from govsite.engine.crawl import PageRecord
from govsite.engine.extract.facts import PageFacts
from govsite.engine.scoring import Finding
from govsite.engine.text import analyse_page

MAX_EVIDENCE = 50  # per indicator: enough for a reviewer, bounded for a 10,000-page crawl


@dataclass
class ContentObserver:
    site_whitelist: list[str] = field(default_factory=list)
    serious: list[dict] = field(default_factory=list)
    banned: list[dict] = field(default_factory=list)
    ads: list[dict] = field(default_factory=list)
    serious_count: int = 0
    banned_count: int = 0
    ads_count: int = 0
    pages: int = 0
    _seen_ads: set[str] = field(default_factory=set)

    def __call__(self, facts: PageFacts, rec: PageRecord) -> None:
        self.pages += 1
        rep = analyse_page(facts, site_whitelist=self.site_whitelist)
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
        return out


def content_findings(pages: Iterable[PageFacts], serious_id: str = "V15-4") -> list[Finding]:
    """The same findings for pages already in hand (tests, single-page checks)."""
    obs = ContentObserver()
    for i, f in enumerate(pages):
        obs(f, PageRecord(url=f.url, depth=0 if i == 0 else 1, status=200, error=None, elapsed=0.0))
    return obs.findings(serious_id)
