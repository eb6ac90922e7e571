"""URL schemes of the three site styles: build a URL for a page, and parse a request back
into a route. Everything is arithmetic on ids and dates, so no per-site URL table is kept."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import parse_qs, quote

from govsite.farm.model import Column, Site


@dataclass(frozen=True)
class Route:
    kind: str  # home | column | item | attachment | catalogue | leaders | leader | search | system | static | hostile
    col: Column | None = None
    idx: int = 0  # item index, page number, leader number, system number
    k: int = 0  # attachment number
    ext: str = ""
    arg: str = ""  # search query, hostile parameter, static path


class Urls:
    """Base: the parts common to all styles."""

    style = ""

    def __init__(self, site: Site) -> None:
        self.site = site

    def home(self) -> str:
        return "/"

    def missing_item(self, col: Column, n: int) -> str:
        """A URL shaped like an item of `col` that does not exist (for broken links)."""
        idx = len(col.ages) + 50 + n
        return self.item_url(col, idx, self.site.farm.as_of - timedelta(days=400 + 37 * n))

    def item(self, col: Column, idx: int) -> str:
        return self.item_url(col, idx, self.site.item_date(col, idx))

    def item_url(self, col: Column, idx: int, d: date) -> str:
        raise NotImplementedError

    def column(self, col: Column, page: int = 1) -> str:
        raise NotImplementedError

    def attachment(self, gi: int, k: int, ext: str) -> str:
        raise NotImplementedError

    def parse(self, path: str, query: str) -> Route | None:
        q = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
        # Paths common to every style: static assets and the hostile endpoints.
        if path.startswith(("/css/", "/js/", "/images/")):
            return Route("static", arg=path)
        if path == "/calendar":
            return Route("hostile", arg="calendar_trap:" + q.get("month", ""))
        if path.startswith("/portal/;jsessionid="):
            return Route("hostile", arg="session_trap:" + path.split("=", 1)[1])
        hostile_paths = {"/go/loop1": "redirect_loop:1", "/go/loop2": "redirect_loop:2",
                         "/download/all.html": "huge_page:", "/data/export.html": "gzip_bomb:",
                         "/slow/index.html": "slow_drip:"}
        if path in hostile_paths:
            return Route("hostile", arg=hostile_paths[path])
        return self.parse_style(path, q)

    def parse_style(self, path: str, q: dict[str, str]) -> Route | None:
        raise NotImplementedError

    def _item_route(self, col: Column | None, item_id: int, d: date | None) -> Route | None:
        loc = self.site.locate(item_id)
        if loc is None or (col is not None and loc[0] is not col):
            return None
        col, idx = loc
        if d is not None and self.site.item_date(col, idx) != d:
            return None
        return Route("item", col, idx)


def _ymd(s: str) -> date | None:
    try:
        return date(int(s[:4]), int(s[4:6]), int(s[6:8]))
    except ValueError:
        return None


class TrsUrls(Urls):
    style = "trs"
    ITEM = re.compile(r"^/(.+)/(\d{6})/t(\d{8})_(\d+)\.html$")
    ATT = re.compile(r"^/bsfw/bszn/(\d{6})/P0(\d{8})(\d+)(\d)\.(pdf|docx|xlsx)$")
    PAGE = re.compile(r"^/(.+)/index(?:_(\d+))?\.html$")

    def column(self, col: Column, page: int = 1) -> str:
        return f"/{col.d.path}/" if page == 1 else f"/{col.d.path}/index_{page - 1}.html"

    def item_url(self, col: Column, idx: int, d: date) -> str:
        return f"/{col.d.path}/{d:%Y%m}/t{d:%Y%m%d}_{col.cid * 10000 + idx + 1}.html"

    def attachment(self, gi: int, k: int, ext: str) -> str:
        col = self.site.by_key["bszn"]
        d = self.site.item_date(col, gi)
        return f"/bsfw/bszn/{d:%Y%m}/P0{d:%Y%m%d}{col.cid * 10000 + gi + 1}{k}.{ext}"

    def catalogue(self) -> str:
        return "/xxgk/"

    def leaders(self) -> str:
        return "/zwgk/ldxx/"

    def leader(self, n: int) -> str:
        return f"/zwgk/ldxx/ld_{n}.html"

    def search(self, q: str = "") -> str:
        return "/was5/web/search?searchword=" + quote(q)

    def search_form(self) -> tuple[str, str]:
        return "/was5/web/search", "searchword"

    def system(self, k: int) -> str:
        return f"/wsbs/xt{k}/"

    def parse_style(self, path: str, q: dict[str, str]) -> Route | None:
        site = self.site
        if path in ("/", "/index.html", "/index.htm"):
            return Route("home")
        if path in ("/xxgk/", "/xxgk/index.html"):
            return Route("catalogue")
        if path in ("/zwgk/ldxx/", "/zwgk/ldxx/index.html"):
            return Route("leaders")
        if m := re.fullmatch(r"/zwgk/ldxx/ld_(\d+)\.html", path):
            return Route("leader", idx=int(m.group(1)))
        if path == "/was5/web/search":
            return Route("search", arg=q.get("searchword", ""))
        if m := re.fullmatch(r"/wsbs/xt(\d+)/(?:index\.html)?", path):
            return Route("system", idx=int(m.group(1)))
        if m := self.ATT.match(path):
            col = site.by_key["bszn"]
            loc = site.locate(int(m.group(3)))
            if loc is None or loc[0] is not col or site.item_date(col, loc[1]) != _ymd(m.group(2)):
                return None
            return Route("attachment", col, loc[1], int(m.group(4)), m.group(5))
        if m := self.ITEM.match(path):
            col = self._col_by_path(m.group(1))
            return self._item_route(col, int(m.group(4)), _ymd(m.group(3))) if col else None
        if path.endswith("/"):
            col = self._col_by_path(path.strip("/"))
            return Route("column", col, 1) if col else None
        if m := self.PAGE.match(path):
            col = self._col_by_path(m.group(1))
            return Route("column", col, int(m.group(2) or 0) + 1) if col else None
        return None

    def _col_by_path(self, p: str) -> Column | None:
        for c in self.site.columns:
            if c.d.path == p:
                return c
        return None


class UcapUrls(Urls):
    style = "ucap"
    ITEM = re.compile(r"^/art/(\d{4})/(\d{1,2})/(\d{1,2})/art_(\d+)_(\d+)\.html$")

    def column(self, col: Column, page: int = 1) -> str:
        base = f"/col/col{col.cid}/index.html"
        return base if page == 1 else f"{base}?uid=1&pageNum={page}"

    def item_url(self, col: Column, idx: int, d: date) -> str:
        return f"/art/{d.year}/{d.month}/{d.day}/art_{col.cid}_{col.cid * 10000 + idx + 1}.html"

    def attachment(self, gi: int, k: int, ext: str) -> str:
        col = self.site.by_key["bszn"]
        d = self.site.item_date(col, gi)
        return f"/module/download/{d.year}/{col.cid * 10000 + gi + 1}_{k}.{ext}"

    def catalogue_cid(self) -> int:
        return self.site.columns[0].cid + 90

    def catalogue(self) -> str:
        return f"/col/col{self.catalogue_cid()}/index.html"

    def leaders(self) -> str:
        return "/col/ldxx/index.html"

    def leader(self, n: int) -> str:
        return f"/col/ldxx/ld_{n}.html"

    def search(self, q: str = "") -> str:
        return "/jrobot/search.do?webid=1&q=" + quote(q)

    def search_form(self) -> tuple[str, str]:
        return "/jrobot/search.do", "q"

    def system(self, k: int) -> str:
        return f"/wsbs/xt{k}/index.html"

    def parse_style(self, path: str, q: dict[str, str]) -> Route | None:
        site = self.site
        if path in ("/", "/index.html"):
            return Route("home")
        if path == "/col/ldxx/index.html":
            return Route("leaders")
        if m := re.fullmatch(r"/col/ldxx/ld_(\d+)\.html", path):
            return Route("leader", idx=int(m.group(1)))
        if path == "/jrobot/search.do":
            return Route("search", arg=q.get("q", ""))
        if m := re.fullmatch(r"/wsbs/xt(\d+)/index\.html", path):
            return Route("system", idx=int(m.group(1)))
        if m := re.fullmatch(r"/col/col(\d+)/index\.html", path):
            cid = int(m.group(1))
            if cid == self.catalogue_cid():
                return Route("catalogue")
            col = site.by_cid.get(cid)
            try:
                page = int(q.get("pageNum", "1") or 1)
            except ValueError:
                return None
            return Route("column", col, page) if col else None
        if m := self.ITEM.match(path):
            y, mo, d, cid, iid = (int(x) for x in m.groups())
            try:
                day = date(y, mo, d)
            except ValueError:
                return None
            col = site.by_cid.get(cid)
            return self._item_route(col, iid, day) if col else None
        if m := re.fullmatch(r"/module/download/(\d{4})/(\d+)_(\d)\.(pdf|docx|xlsx)", path):
            col = site.by_key["bszn"]
            loc = site.locate(int(m.group(2)))
            if loc is None or loc[0] is not col or site.item_date(col, loc[1]).year != int(m.group(1)):
                return None
            return Route("attachment", col, loc[1], int(m.group(3)), m.group(4))
        return None


class QueryUrls(Urls):
    style = "query"

    def home(self) -> str:
        return "/"

    def column(self, col: Column, page: int = 1) -> str:
        return f"/index.php?c=list&cid={col.cid}" + (f"&page={page}" if page > 1 else "")

    def item_url(self, col: Column, idx: int, d: date) -> str:
        return f"/index.php?c=article&id={col.cid * 10000 + idx + 1}"

    def missing_item(self, col: Column, n: int) -> str:
        return f"/index.php?c=article&id={col.cid * 10000 + len(col.ages) + 51 + n}"

    def attachment(self, gi: int, k: int, ext: str) -> str:
        col = self.site.by_key["bszn"]
        d = self.site.item_date(col, gi)
        return f"/uploads/file/{d:%Y%m}/{col.cid * 10000 + gi + 1}_{k}.{ext}"

    def catalogue(self) -> str:
        return "/index.php?c=xxgk"

    def leaders(self) -> str:
        return "/index.php?c=leader"

    def leader(self, n: int) -> str:
        return f"/index.php?c=leader&id={n}"

    def search(self, q: str = "") -> str:
        return "/index.php?c=search&q=" + quote(q)

    def search_form(self) -> tuple[str, str]:
        return "/index.php", "q"

    def system(self, k: int) -> str:
        return f"/index.php?c=system&id={k}"

    def parse_style(self, path: str, q: dict[str, str]) -> Route | None:
        site = self.site
        if path == "/" or (path == "/index.php" and not q.get("c")):
            return Route("home")
        if m := re.fullmatch(r"/uploads/file/(\d{6})/(\d+)_(\d)\.(pdf|docx|xlsx)", path):
            col = site.by_key["bszn"]
            loc = site.locate(int(m.group(2)))
            if loc is None or loc[0] is not col or f"{site.item_date(col, loc[1]):%Y%m}" != m.group(1):
                return None
            return Route("attachment", col, loc[1], int(m.group(3)), m.group(4))
        if path != "/index.php":
            return None
        c = q.get("c")
        try:
            if c == "list":
                col = site.by_cid.get(int(q.get("cid", "0")))
                return Route("column", col, int(q.get("page", "1") or 1)) if col else None
            if c == "article":
                return self._item_route(None, int(q.get("id", "0")), None)
            if c == "leader":
                return Route("leader", idx=int(q["id"])) if q.get("id") else Route("leaders")
            if c == "system":
                return Route("system", idx=int(q.get("id", "-1")))
        except ValueError:
            return None
        if c == "xxgk":
            return Route("catalogue")
        if c == "search":
            return Route("search", arg=q.get("q", ""))
        return None


def urls_for(site: Site) -> Urls:
    return {"trs": TrsUrls, "ucap": UcapUrls, "query": QueryUrls}[site.ident.style](site)
