"""The facts extracted from one page. This is the contract between extraction and the
indicators: detectors read these, never raw HTML again."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

# Column types (rules.md §1.2/§1.3 and the addendum's taxonomy).
COLUMN_TYPES = ("news", "notice", "policy", "personnel", "plan", "disclosure", "service", "interaction", "other")
JIUCUO_KINDS = ("script", "link_image", "static_image", "none")


@dataclass
class ListItem:
    title: str
    url: str | None
    date: date | None  # None when the item shows no date, or a date that cannot be read
    raw_date: str | None = None  # the text the date was read from, as evidence


@dataclass
class Column:
    name: str
    url: str | None  # the column's own page ("更多" link or heading link), if any
    type: str  # one of COLUMN_TYPES
    items: list[ListItem] = field(default_factory=list)

    @property
    def latest_date(self) -> date | None:
        dates = [i.date for i in self.items if i.date]
        return max(dates) if dates else None

    @property
    def item_count(self) -> int:
        return len(self.items)


@dataclass(slots=True)  # pages carry hundreds: slots make them cheaper to build and hold
class Link:
    url: str  # absolute, normalised
    text: str
    tag: str = "a"  # a, img, script, iframe, link, area …
    hidden: bool = False  # made invisible by markup/CSS (security detectors use this)


@dataclass
class PageFacts:
    url: str
    title: str | None = None
    site_name: str | None = None
    site_name_source: str | None = None  # meta | header | title
    site_code: str | None = None
    site_code_sources: dict[str, str] = field(default_factory=dict)  # footer/meta/jiucuo → code seen there
    jiucuo_entry: str = "none"  # one of JIUCUO_KINDS
    jiucuo_detail: str | None = None  # the snippet that proves it
    conac_badge: bool = False
    icp: str | None = None
    police_record: str | None = None
    sponsor: str | None = None
    operator: str | None = None  # 承办单位
    contact: str | None = None  # telephone / e-mail shown in the footer
    meta: dict[str, str] = field(default_factory=dict)  # SiteName, SiteIDCode, ColumnName, PubDate …
    columns: list[Column] = field(default_factory=list)
    nav: list[Link] = field(default_factory=list)  # navigation links (header menu)
    links: list[Link] = field(default_factory=list)  # every outgoing reference on the page
    dates_found: list[date] = field(default_factory=list)  # distinct, newest first
    article_pub_date: date | None = None
    is_hub: bool = False  # a navigation-hub home page with no information lists
    pagination: dict[str, int] | None = None  # {"page": n, "pages": m} when the page shows a pager
    service_guide_elements: list[str] | None = None  # present key elements when the page is a guide
    text: str = ""  # visible body text (for text scanners), bounded in size
    # Inline scripts that write markup or decode strings (eval/unescape/document.write …), bounded:
    # the security check (G-SEC-1) reads them, nothing else does.
    inline_scripts: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        """The `govsite extract --json` shape (DESIGN.md keys first, then the rest)."""
        cols = [
            {
                "name": c.name,
                "url": c.url,
                "type": c.type,
                "latest_date": c.latest_date.isoformat() if c.latest_date else None,
                "item_count": c.item_count,
            }
            for c in self.columns
        ]
        return {
            "site_name": self.site_name,
            "site_code": self.site_code,
            "jiucuo_entry": self.jiucuo_entry,
            "conac_badge": self.conac_badge,
            "icp": self.icp,
            "police_record": self.police_record,
            "sponsor": self.sponsor,
            "columns": cols,
            "dates_found": [d.isoformat() for d in self.dates_found],
            "service_guide_elements": self.service_guide_elements,
            "url": self.url,
            "title": self.title,
            "site_code_sources": self.site_code_sources,
            "jiucuo_detail": self.jiucuo_detail,
            "operator": self.operator,
            "contact": self.contact,
            "meta": self.meta,
            "article_pub_date": self.article_pub_date.isoformat() if self.article_pub_date else None,
            "is_hub": self.is_hub,
            "pagination": self.pagination,
            "links": len(self.links),
        }

    def as_dict(self) -> dict:
        return asdict(self)
