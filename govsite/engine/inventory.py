"""Content inventory of a site from a crawl, and the migration check against a target site.

An inventory lists the site's articles (title, date, URL: from article pages and from dated list
items) and files (attachment links). When a site is closed or merged, its last inventory is
checked against the target site: every item is

* `redirected` — its old URL now redirects to a page on the target site;
* `moved` — an item with the same (normalised) title and date is on the target, but the old URL
  does not redirect there ("moved without a redirect");
* `missing` — neither.

No Django here; the registry side stores inventories and reports.
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from urllib.parse import urlsplit

from govsite.engine.extract.facts import PageFacts

_PUNCT = re.compile(r"[\s\u3000·•,，.。:：;；!！?？、\"'“”‘’（）()\[\]【】《》<>…\-—_]+")


def norm_title(title: str) -> str:
    """Title key: NFKC, no spaces or punctuation, lower case (a migrated list may re-punctuate)."""
    t = unicodedata.normalize("NFKC", title or "")
    return _PUNCT.sub("", t).lower()


@dataclass
class Item:
    title: str
    date: str | None  # ISO date or None
    url: str
    kind: str = "article"  # article | file

    @property
    def key(self) -> tuple[str, str | None]:
        return norm_title(self.title), self.date


@dataclass
class Inventory:
    start_url: str
    items: list[Item] = field(default_factory=list)
    pages: int = 0

    @property
    def articles(self) -> list[Item]:
        return [i for i in self.items if i.kind == "article"]

    @property
    def files(self) -> list[Item]:
        return [i for i in self.items if i.kind == "file"]

    def keys(self) -> set[tuple[str, str | None]]:
        return {i.key for i in self.items if i.kind == "article"}

    def to_json(self) -> dict:
        return {"start_url": self.start_url, "pages": self.pages, "items": [asdict(i) for i in self.items]}

    @classmethod
    def from_json(cls, data: dict) -> Inventory:
        return cls(start_url=data["start_url"], pages=int(data.get("pages", 0)),
                   items=[Item(**i) for i in data.get("items", [])])


class InventoryBuilder:
    """A crawl observer: `Crawler(..., observers=[builder.observe])`, then `builder.finish(crawler)`."""

    def __init__(self, start_url: str) -> None:
        self.inv = Inventory(start_url=start_url)
        self._by_url: dict[str, Item] = {}

    def _put(self, title: str, d: date | None, url: str, kind: str = "article") -> None:
        title = (title or "").strip()
        if not title or not url:
            return
        iso = d.isoformat() if d else None
        old = self._by_url.get(url)
        if old is None:
            it = Item(title=title, date=iso, url=url, kind=kind)
            self._by_url[url] = it
            self.inv.items.append(it)
        else:
            # The article page itself is the better witness than a list entry.
            if old.date is None and iso:
                old.date = iso

    def observe(self, facts: PageFacts, rec: object = None) -> None:
        self.inv.pages += 1
        if facts.article_pub_date is not None:
            title = facts.meta.get("ArticleTitle") or facts.title or ""
            self._put(title, facts.article_pub_date, facts.url)
        for col in facts.columns:
            for li in col.items:
                if li.url and li.date:
                    self._put(li.title, li.date, li.url)

    def finish(self, crawler: object | None = None) -> Inventory:
        if crawler is not None:
            for rec in getattr(crawler, "links", {}).values():
                if rec.kind == "attachment" and host_of_url(rec.url) in crawler.domains:  # type: ignore[attr-defined]
                    self._put(rec.text or rec.url.rsplit("/", 1)[-1], None, rec.url, kind="file")
        return self.inv


def host_of_url(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


async def crawl_inventory(url: str, fetcher: object, *, domains: list[str] | None = None, max_pages: int = 300,
                          max_depth: int = 4, deadline: float | None = None) -> tuple[Inventory, object]:
    """Crawl a site (links not checked) and return its inventory and the crawler."""
    from govsite.engine.crawl import Crawler

    builder = InventoryBuilder(url)
    crawler = Crawler(url, fetcher, domains=domains, max_pages=max_pages, max_depth=max_depth,  # type: ignore[arg-type]
                      check_links=False, observers=[builder.observe], deadline=deadline)
    await crawler.run()
    return builder.finish(crawler), crawler


@dataclass
class ItemResult:
    title: str
    date: str | None
    url: str
    kind: str
    state: str  # redirected | moved | missing
    target_url: str = ""


@dataclass
class MigrationResult:
    items: list[ItemResult]
    target_pages: int = 0

    def count(self, state: str) -> int:
        return sum(1 for i in self.items if i.state == state)

    @property
    def counts(self) -> dict[str, int]:
        c = {s: self.count(s) for s in ("redirected", "moved", "missing")}
        c["total"] = len(self.items)
        return c

    @property
    def missing(self) -> list[ItemResult]:
        return [i for i in self.items if i.state == "missing"]

    @property
    def complete(self) -> bool:
        return not self.missing


def match(old: Inventory, target: Inventory, redirects: dict[str, str], target_hosts: Iterable[str]) -> MigrationResult:
    """Classify every old item. `redirects`: old URL → final URL after following redirects, for
    old URLs that answered 2xx at the end of the chain (others absent)."""
    hosts = {h.lower() for h in target_hosts}
    by_key: dict[tuple[str, str | None], str] = {}
    by_title: dict[str, str] = {}
    for it in target.items:
        by_key.setdefault(it.key, it.url)
        if it.kind == "file":
            by_title.setdefault(norm_title(it.title), it.url)
    out: list[ItemResult] = []
    for it in old.items:
        final = redirects.get(it.url)
        r = ItemResult(it.title, it.date, it.url, it.kind, "missing")
        if final and final != it.url and host_of_url(final) in hosts:
            r.state, r.target_url = "redirected", final
        else:
            hit = by_key.get(it.key) if it.kind == "article" else by_title.get(norm_title(it.title))
            if hit:
                r.state, r.target_url = "moved", hit
        out.append(r)
    return MigrationResult(out, target_pages=target.pages)


async def follow_old_urls(fetcher: object, urls: list[str], concurrency: int = 16) -> dict[str, str]:
    """old URL → final URL for those that end in 2xx (redirects followed by the fetcher)."""
    sem = asyncio.Semaphore(concurrency)
    out: dict[str, str] = {}

    async def one(u: str) -> None:
        async with sem:
            res = await fetcher.fetch(u, "GET", max_body=64 * 1024, truncate_ok=True)  # type: ignore[attr-defined]
        if res.ok:
            out[u] = res.final_url or u

    await asyncio.gather(*(one(u) for u in urls))
    return out


async def check_migration(old: Inventory, target_url: str, fetcher: object, *, target_domains: list[str] | None = None,
                          max_pages: int = 400, max_depth: int = 5) -> MigrationResult:
    """Crawl the target, follow every old URL, match. Raises `TargetUnreachable` when the target's
    home page cannot be read (nothing would be found, and that says nothing about the content)."""
    target, crawler = await crawl_inventory(target_url, fetcher, domains=target_domains, max_pages=max_pages,
                                            max_depth=max_depth)
    home = getattr(crawler, "home", None)
    if home is None or home.error or not home.html:
        why = (home.error or f"HTTP {home.status}") if home is not None else "无响应"
        raise TargetUnreachable(f"迁移目标网站 {target_url} 无法访问（{why}）")
    redirects = await follow_old_urls(fetcher, [i.url for i in old.items])
    hosts = set(getattr(crawler, "domains", set())) | {host_of_url(target_url)}
    return match(old, target, redirects, hosts)


class TargetUnreachable(RuntimeError):
    pass
