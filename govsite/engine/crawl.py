"""Breadth-first crawl of one site within its registered domains.

Stages (as in Scrapy): a **scheduler** (bounded BFS frontier with de-duplication and trap
filtering) feeds a **downloader** (the shared `Fetcher`), whose HTML responses go to a
**parser** (`extract_page` → `PageFacts`), whose links go back to the scheduler or to the
**link checker** (external links, resources and attachments: checked, never crawled), and
whose facts go to **observers** (the indicators' collectors). Pages are dropped after the
observers have read them; only compact records stay, so memory grows with the number of
distinct URLs, not with page sizes.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from govsite.engine.extract import extract_page
from govsite.engine.extract.facts import Link, PageFacts
from govsite.engine.fetch import FetchConfig, Fetcher, FetchResult
from govsite.engine.urls import (
    ATTACHMENT_EXT,
    RESOURCE_EXT,
    RESOURCE_TAGS,
    extension,
    host_of,
    normalize,
    trap_reason,
)

# Errors that mean "the link does not work" for D15-2. refused_private, too_large and bomb are
# our own limits, not the site's fault.
BROKEN_ERRORS = ("dns", "connect", "timeout", "tls", "redirects")


def is_broken(error: str | None) -> bool:
    if error is None:
        return False
    return error in BROKEN_ERRORS or error.startswith("http_")


@dataclass(slots=True)
class PageRecord:
    url: str
    depth: int
    status: int | None
    error: str | None
    elapsed: float
    html: bool = False
    final_url: str = ""
    detail: str = ""
    # The page loaded but the extractor failed on it (only its links were read): not the
    # site's fault, so kept apart from `error`, which indicators read as "the page is broken".
    parse_error: str | None = None


@dataclass(slots=True)
class LinkRecord:
    """One distinct link target, with where it was first seen."""

    url: str
    kind: str  # page | attachment | resource | external
    source: str  # first page that links to it
    text: str
    depth: int  # depth of the source page
    status: int | None = None
    error: str | None = None
    checked: bool = False
    from_home: bool = False
    from_depth1: bool = False
    sources: int = 1
    sources_other: int = 0  # referencing pages other than the home page

    @property
    def broken(self) -> bool:
        return self.checked and is_broken(self.error)


@dataclass
class CrawlStats:
    pages: int = 0
    links: int = 0
    errors: int = 0
    seconds: float = 0.0
    traps: list[tuple[str, str]] = field(default_factory=list)  # (url, reason), first few only
    trap_count: int = 0
    parse_errors: int = 0  # pages the extractor failed on (read for links only)
    parse_error_pages: list[tuple[str, str]] = field(default_factory=list)  # (url, detail), first few only
    frontier_dropped: int = 0
    budget_exhausted: bool = False
    limit_reached: bool = False

    def to_json(self) -> dict:
        # (the SiteReport's crawl keys are fixed; parse failures are counted in `errors`)
        return {"pages": self.pages, "links": self.links, "errors": self.errors, "seconds": round(self.seconds, 2)}


Observer = Callable[[PageFacts, PageRecord], None]


def _digest(url: str) -> bytes:
    return hashlib.blake2b(url.encode("utf-8", "surrogatepass"), digest_size=8).digest()


def _fallback_extract(html: str, url: str, as_of: datetime | None = None) -> PageFacts:
    """Links and title only; used for a page whose markup the extractor could not read."""
    from selectolax.parser import HTMLParser

    tree = HTMLParser(html)
    facts = PageFacts(url=url)
    t = tree.css_first("title")
    facts.title = t.text(strip=True) if t else None
    base = url
    b = tree.css_first("base[href]")
    if b is not None:
        base = normalize(b.attributes.get("href") or "", url) or url
    for node in tree.css("a[href], area[href], img[src], script[src], link[href], iframe[src], frame[src]"):
        attr = "src" if node.tag in ("img", "script", "iframe", "frame") else "href"
        raw = node.attributes.get(attr)
        if not raw:
            continue
        u = normalize(raw, base)
        if u:
            facts.links.append(Link(url=u, text=node.text(strip=True)[:80] if node.tag == "a" else "", tag=node.tag))
    return facts


class Crawler:
    """Crawl one site. `run()` returns stats; pages go to observers, links stay in `self.links`."""

    def __init__(
        self,
        start_url: str,
        fetcher: Fetcher,
        *,
        domains: list[str] | None = None,
        max_pages: int = 300,
        max_depth: int = 5,
        max_frontier: int = 20_000,
        max_link_checks: int = 3000,
        check_links: bool = True,
        check_external: bool = True,
        as_of: datetime | None = None,
        deadline: float | None = None,
        workers: int = 4,
        observers: list[Observer] | None = None,
        progress: Callable[[int, int], None] | None = None,
        extractor: Callable[..., PageFacts] | None = None,
    ) -> None:
        start = normalize(start_url)
        if start is None:
            raise ValueError(f"无效网址: {start_url}")
        self.start_url = start
        self.fetcher = fetcher
        self.domains = {d.lower().rstrip(".") for d in (domains or [])} | {host_of(start)}
        self.max_pages = max_pages
        self.max_depth = max_depth
        self.max_frontier = max_frontier
        self.max_link_checks = max_link_checks
        self.check_links = check_links
        self.check_external = check_external
        self.as_of = as_of
        self.deadline = deadline
        self.workers = workers
        self.observers = observers or []
        self.progress = progress
        self.extract = extractor or extract_page
        self.stats = CrawlStats()
        self.links: dict[str, LinkRecord] = {}
        self.pages: list[PageRecord] = []
        self.home: PageRecord | None = None
        self._seen: set[bytes] = set()
        self._link_cache: dict[str, tuple[str | None, bool, str]] = {}
        # FIFO queues keep the crawl breadth-first; `_pending` counts queued + in-flight work so
        # the workers know when the site is finished (then each gets a None sentinel).
        self._frontier: asyncio.Queue[tuple[str, int] | None] = asyncio.Queue()
        self._check_q: asyncio.Queue[str | None] = asyncio.Queue()
        self._checks_started = 0
        self._pending = 0

    # -- scheduler ---------------------------------------------------------------------------
    def _schedule(self, url: str, depth: int) -> None:
        d = _digest(url)
        if d in self._seen:
            return
        reason = trap_reason(url)
        if reason:
            self._seen.add(d)
            self.stats.trap_count += 1
            if len(self.stats.traps) < 20:
                self.stats.traps.append((url, reason))
            return
        if self._frontier.qsize() >= self.max_frontier:
            self.stats.frontier_dropped += 1
            return
        self._seen.add(d)
        self._pending += 1
        self._frontier.put_nowait((url, depth))

    def _time_left(self) -> float:
        if self.deadline is None:
            return float("inf")
        return self.deadline - asyncio.get_running_loop().time()

    # -- run ---------------------------------------------------------------------------------
    async def run(self) -> CrawlStats:
        t0 = time.monotonic()
        self._schedule(self.start_url, 0)
        if self._pending == 0:  # the start URL itself was refused (a trap): nothing to do
            self._pending = 1
            self._finish_one()
        tasks = [asyncio.create_task(self._page_worker()) for _ in range(self.workers)]
        tasks += [asyncio.create_task(self._check_worker()) for _ in range(self.workers)]
        try:
            await asyncio.gather(*tasks)
        finally:
            for t in tasks:
                t.cancel()
        self.stats.links = len(self.links)
        self.stats.errors = (sum(1 for p in self.pages if p.error) + self.stats.parse_errors
                             + sum(1 for lr in self.links.values() if lr.broken))
        self.stats.seconds = time.monotonic() - t0
        return self.stats

    def _finish_one(self) -> None:
        self._pending -= 1
        if self._pending == 0:
            for _ in range(self.workers):
                self._frontier.put_nowait(None)
                self._check_q.put_nowait(None)

    async def _page_worker(self) -> None:
        while True:
            item = await self._frontier.get()
            if item is None:
                return
            try:
                url, depth = item
                if self._time_left() <= 0:
                    self.stats.budget_exhausted = True
                    continue
                if self.stats.pages >= self.max_pages:
                    self.stats.limit_reached = True
                    continue
                self.stats.pages += 1
                await self._crawl_page(url, depth)
            finally:
                self._finish_one()

    async def _check_worker(self) -> None:
        while True:
            item = await self._check_q.get()
            if item is None:
                return
            try:
                if self._time_left() <= 0:
                    self.stats.budget_exhausted = True
                    continue
                rec = self.links[item]
                r = await self.fetcher.check(rec.url, deadline=self.deadline)
                rec.status, rec.error, rec.checked = r.status, r.error, True
            finally:
                self._finish_one()

    # -- downloader + parser -------------------------------------------------------------------
    async def _crawl_page(self, url: str, depth: int) -> None:
        res = await self.fetcher.get(url, deadline=self.deadline)
        # (the final URL is usually the requested one: keep one string, not two, per page)
        rec = PageRecord(url=url, depth=depth, status=res.status, error=res.error, elapsed=res.elapsed,
                         final_url=url if res.final_url == url else res.final_url, detail=res.detail)
        if depth == 0:
            self.home = rec
        self.pages.append(rec)
        lr = self.links.get(url)
        if lr is not None:
            lr.status, lr.error, lr.checked = res.status, res.error, True
        if self.progress:
            self.progress(self.stats.pages, self._frontier.qsize())
        if not res.ok or not res.body:
            return
        final = normalize(res.final_url) or url
        if final != url:
            if host_of(final) not in self.domains:
                return  # redirected out of the site: recorded, not parsed as the site's page
            self._seen.add(_digest(final))  # reached by redirect: do not fetch it again
        if not res.is_html:
            return
        rec.html = True
        want_nav = depth <= 1  # only the home page and section pages show the menus read from nav
        if len(res.body) > 300_000:
            facts, problem = await asyncio.to_thread(self._parse, res, final, want_nav)
        else:
            facts, problem = self._parse(res, final, want_nav)
        if problem is not None:
            rec.parse_error = problem
            self.stats.parse_errors += 1
            if len(self.stats.parse_error_pages) < 20:
                self.stats.parse_error_pages.append((url, problem))
        if facts is None:
            return
        for obs in self.observers:
            obs(facts, rec)
        self._take_links(facts, final, depth)

    def _parse(self, res: FetchResult, url: str, want_nav: bool = True) -> tuple[PageFacts | None, str | None]:
        """The page's facts, and what went wrong when the extractor failed (links-only facts then)."""
        text = res.text()
        try:
            if self.extract is extract_page:
                return extract_page(text, url, as_of=self.as_of, want_nav=want_nav), None
            return self.extract(text, url, as_of=self.as_of), None
        except Exception as exc:  # noqa: BLE001 - junk markup must not stop the crawl
            problem = f"页面解析失败，仅提取链接: {type(exc).__name__}: {exc}"[:300]
            try:
                return _fallback_extract(text, url), problem
            except Exception:  # noqa: BLE001
                return None, problem

    def _classify(self, raw: str, page_url: str) -> tuple[str | None, bool, str]:
        """(normalised URL, in the site's scope, extension class) of a link target not in
        `_link_cache`. Pages repeat the same menu, footer and column links: absolute targets are
        remembered there (the caller looks them up), not re-parsed."""
        absolute = raw.startswith(("http://", "https://"))
        u = normalize(raw, page_url)
        if u is None:
            out: tuple[str | None, bool, str] = (None, False, "")
        else:
            ext = extension(u)
            out = (u, host_of(u) in self.domains,
                   "attachment" if ext in ATTACHMENT_EXT else "resource" if ext in RESOURCE_EXT else "")
        if absolute:
            if len(self._link_cache) >= 50_000:  # bounded: memory stays flat on huge sites
                self._link_cache.clear()
            self._link_cache[raw] = out
        return out

    def _take_links(self, facts: PageFacts, page_url: str, depth: int) -> None:
        is_home = depth == 0
        seen_here: set[str] = set()
        links = self.links
        cache = self._link_cache  # what `_classify` remembered (absolute targets)
        for link in facts.links:
            hit = cache.get(link.url)
            u, in_site, ext_kind = hit if hit is not None else self._classify(link.url, page_url)
            if u is None or u in seen_here:
                continue
            seen_here.add(u)
            rec = links.get(u)
            if rec is None:
                # as urls.link_kind, from the cached extension class
                if ext_kind == "attachment":
                    kind = "attachment"
                elif not in_site:
                    kind = "external"
                elif ext_kind or link.tag in RESOURCE_TAGS:
                    kind = "resource"
                else:
                    kind = "page"
                rec = LinkRecord(url=u, kind=kind, source=page_url, text=(link.text or "")[:80], depth=depth)
                links[u] = rec
                rec.from_home = is_home
                rec.from_depth1 = depth == 1
                rec.sources_other = 0 if is_home else 1
                if kind == "page":
                    if depth + 1 <= self.max_depth:
                        self._schedule(u, depth + 1)
                    else:
                        self._queue_check(u)
                elif in_site or self.check_external:
                    self._queue_check(u)
            else:
                rec.sources += 1
                if is_home:
                    rec.from_home = True
                else:
                    rec.sources_other += 1
                if depth == 1:
                    rec.from_depth1 = True

    def _queue_check(self, url: str) -> None:
        if not self.check_links or self._checks_started >= self.max_link_checks:
            return
        self._checks_started += 1
        self._pending += 1
        self._check_q.put_nowait(url)


# -- many sites, several processes --------------------------------------------------------------

@dataclass
class SiteCrawl:
    """A finished crawl without its live parts (queues, fetcher): what `crawl_sites` returns."""

    start_url: str
    stats: CrawlStats
    pages: list[PageRecord]
    links: dict[str, LinkRecord]


async def crawl_group(starts: list[str], config: FetchConfig, **options: Any) -> list[SiteCrawl]:
    """Crawl these sites concurrently in this process, through one shared `Fetcher`."""
    async with Fetcher(config) as f:
        crawlers = [Crawler(u, f, **options) for u in starts]
        await asyncio.gather(*(c.run() for c in crawlers))
    return [SiteCrawl(c.start_url, c.stats, c.pages, c.links) for c in crawlers]


def _crawl_group_sync(starts: list[str], config: FetchConfig, options: dict[str, Any]) -> list[SiteCrawl]:
    return asyncio.run(crawl_group(starts, config, **options))


def crawl_sites(starts: list[str], config: FetchConfig, *, processes: int = 1, **options: Any) -> list[SiteCrawl]:
    """Crawl many sites (pages, extraction, link checks), in order of `starts`, using up to
    `processes` processes: one Python process is bound to one core, and extraction is CPU
    work. Sites are dealt out by host, so each host's politeness budget lives in exactly one
    process. Observers run where the pages are read and cannot cross processes: pass them only
    with `processes=1`. Call it outside an event loop."""
    if processes > 1 and options.get("observers"):
        raise ValueError("observers need processes=1")
    hosts = list(dict.fromkeys(host_of(u) for u in starts))
    n = max(1, min(processes, len(hosts)))
    slot = {h: i % n for i, h in enumerate(hosts)}
    groups: list[list[str]] = [[] for _ in range(n)]
    for u in starts:
        groups[slot[host_of(u)]].append(u)
    if n == 1:
        results = [_crawl_group_sync(groups[0], config, options)]
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # fork: the children inherit the loaded modules instead of importing them again (a
        # spawned interpreter costs ~0.3 s of CPU before its first request).
        ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
        with ProcessPoolExecutor(max_workers=n - 1, mp_context=ctx) as pool:
            futures = [pool.submit(_crawl_group_sync, g, config, options) for g in groups[1:]]
            results = [_crawl_group_sync(groups[0], config, options)] + [fu.result() for fu in futures]
    by_url = {sc.start_url: sc for group in results for sc in group}
    return [by_url[normalize(u) or u] for u in starts]
