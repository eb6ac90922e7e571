"""What the indicators need from a crawl, gathered page by page in compact form.

The collector is a crawl observer: it reads each page's facts once and keeps only small
summaries (column newest dates and counts, footer items of a few sampled pages, the codes
seen), so a 10,000-page crawl does not keep 10,000 pages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from govsite.engine.crawl import PageRecord
from govsite.engine.extract.facts import PageFacts
from govsite.engine.urls import normalize

_LATER_PAGE = re.compile(r"index_\d+\.html?$|[?&](pagenum|page|pageno|p)=([2-9]|\d\d+)(&|$)", re.I)
FOOTER_ITEMS = ("conac", "site_code", "icp", "police", "sponsor", "contact")
FOOTER_LABELS = {
    "conac": "党政机关网站标识",
    "site_code": "政府网站标识码",
    "icp": "ICP备案编号",
    "police": "公安机关备案标识",
    "sponsor": "网站主办单位",
    "contact": "联系方式",
}


def footer_items(f: PageFacts) -> dict[str, str | None]:
    """The six 指引 footer items as shown on one page (value or None)."""
    code = f.site_code_sources.get("footer")
    return {
        "conac": "党政机关网站标识" if f.conac_badge else None,
        "site_code": code,
        "icp": f.icp,
        "police": f.police_record,
        "sponsor": f.sponsor,
        "contact": f.contact,
    }


_META_TYPES = (("信息公开", "disclosure"), ("公开目录", "disclosure"), ("通知公告", "notice"), ("公告", "notice"),
               ("政策", "policy"), ("文件", "policy"), ("人事", "personnel"), ("规划", "plan"), ("计划", "plan"),
               ("办事", "service"), ("服务", "service"), ("互动", "interaction"), ("咨询", "interaction"),
               ("调查", "interaction"), ("访谈", "interaction"), ("要闻", "news"), ("动态", "news"), ("新闻", "news"))


def _meta_type(label: str | None) -> str | None:
    """Column type from a page's `ColumnType` meta tag (a Chinese label such as 信息公开目录)."""
    if not label:
        return None
    label = label.strip()
    if label in ("news", "notice", "policy", "personnel", "plan", "disclosure", "service", "interaction", "other"):
        return label
    for key, typ in _META_TYPES:
        if key in label:
            return typ
    return None


@dataclass
class ColumnObs:
    name: str
    type: str
    url: str | None
    latest: date | None = None
    block_items: int = 0  # most items seen in a block of another page (home page lists)
    page_items: int | None = None  # items on the column's own page, once crawled: the better source
    seen_on: str = ""  # page where it was read (evidence)
    raw_latest: str | None = None
    from_page: bool = False  # read on the column's own page (more reliable than a home block)
    explained_empty: bool = False  # "依法不予公开" style note: empty on purpose

    @property
    def items(self) -> int:
        return self.page_items if self.page_items is not None else self.block_items


@dataclass
class HomeItem:
    title: str
    url: str | None
    date: date
    raw: str | None
    column: str
    page: str


@dataclass
class Collector:
    sample_inner: int = 5
    home: PageFacts | None = None
    home_url: str | None = None
    columns: dict[str, ColumnObs] = field(default_factory=dict)
    home_items: list[HomeItem] = field(default_factory=list)  # dated items on the home page
    depth1_items: list[HomeItem] = field(default_factory=list)  # for hub home pages
    inner_footers: list[tuple[str, dict[str, str | None]]] = field(default_factory=list)
    codes: list[tuple[str, str, str]] = field(default_factory=list)  # (page, source, code)
    pages_seen: int = 0

    def __call__(self, facts: PageFacts, rec: PageRecord) -> None:
        self.pages_seen += 1
        if rec.depth == 0 and self.home is None:
            self.home = facts
            self.home_url = facts.url
            # The home page's text and link list are not needed later; drop them to stay small.
            facts.text = facts.text[:2000]
        elif len(self.inner_footers) < self.sample_inner:
            self.inner_footers.append((facts.url, footer_items(facts)))
            for src, code in facts.site_code_sources.items():
                self.codes.append((facts.url, src, code))
        if rec.depth == 0:
            for src, code in facts.site_code_sources.items():
                self.codes.append((facts.url, src, code))
        self._columns(facts, rec)

    def _columns(self, facts: PageFacts, rec: PageRecord) -> None:
        page_url = normalize(facts.url) or facts.url
        if (facts.pagination and facts.pagination.get("page", 1) > 1) or _LATER_PAGE.search(page_url):
            return  # page 2+ of a column list holds older items by design; the column is judged on page 1
        own_page_cols = [c for c in facts.columns if c.url and normalize(c.url, facts.url) == page_url]
        if not own_page_cols and rec.depth > 0:
            # A column page's own list usually has no link to itself: take the list named like the
            # page (ColumnName meta), else the only typed list on it.
            colname = facts.meta.get("ColumnName")
            own_page_cols = [c for c in facts.columns if not c.url and colname and c.name == colname]
            if not own_page_cols:
                typed = [c for c in facts.columns if not c.url and c.type != "other"]
                own_page_cols = typed if len(typed) == 1 else []
        for col in facts.columns:
            curl = normalize(col.url, facts.url) if col.url else None
            on_own_page = any(col is c for c in own_page_cols)
            if on_own_page:
                curl = page_url
            key = curl or f"{page_url}#{col.name}"
            obs = self.columns.get(key)
            if obs is None:
                obs = self.columns[key] = ColumnObs(name=col.name, type=col.type, url=curl, seen_on=facts.url)
            latest = col.latest_date
            if on_own_page:
                meta_type = _meta_type(facts.meta.get("ColumnType"))
                if meta_type:
                    obs.type = meta_type  # the page's own ColumnType tag beats a guess from the name
                obs.from_page = True
                obs.seen_on = facts.url
                obs.page_items = max(obs.page_items or 0, col.item_count)
            else:
                obs.block_items = max(obs.block_items, col.item_count)
            if latest and (obs.latest is None or latest > obs.latest):
                obs.latest = latest
                obs.seen_on = facts.url
                for it in col.items:
                    if it.date == latest:
                        obs.raw_latest = it.raw_date
                        break
            if rec.depth in (0, 1):
                target = self.home_items if rec.depth == 0 else self.depth1_items
                for it in col.items:
                    if it.date is not None:
                        target.append(HomeItem(it.title, it.url, it.date, it.raw_date, col.name, facts.url))
            if "不予公开" in facts.text or "无需要公开" in facts.text:
                obs.explained_empty = obs.explained_empty or (on_own_page and col.item_count == 0)
