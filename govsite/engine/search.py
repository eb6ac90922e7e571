"""Site search (G-FUN-6, 《政府网站发展指引》 "搜索"; RS2019 功能设计/搜索功能): find the search form on
the home page, query the title of an item the crawl saw, and check that results come back and
link into the site (the first result is opened).

The crawl keeps no raw HTML, so the home page is fetched once more here (one request, within
the check's politeness budget). A search that errors, finds nothing for a title the site itself
shows, or returns links that do not open is a finding with the query, the search URL, the
result count and the first result as evidence."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from govsite.engine.extract import extract_page
from govsite.engine.fetch import Fetcher, FetchResult
from govsite.engine.scoring import Finding
from govsite.engine.urls import host_of

FINDING_ID = "G-FUN-6"
MAX_HOME = 3 * 1024 * 1024
MAX_RESULTS_PAGE = 3 * 1024 * 1024
MAX_FORMS = 50
QUERY_MAX = 20  # characters of a title sent as the query (search engines match on substrings)
TRIES = 2  # titles tried before calling the search empty (an index may lag behind one item)
NET_RETRIES = 2  # a request that got no answer at all is asked again after RETRY_PAUSE
RETRY_PAUSE = 1.0
_SEARCHY = re.compile(r"search|sousuo|souso|jrobot|was5|trssearch|fulltext|query|检索|搜索|查询", re.I)
_SUBMIT_WORDS = re.compile(r"搜索|检索|搜\s*索|查询|search|go", re.I)
_COUNT = re.compile(r"(?:共|找到|检索到|搜索到|相关结果)\s*(?:约)?\s*(\d{1,9})\s*(?:条|个|篇|项)")
_TEXT_TYPES = ("", "text", "search")


@dataclass
class SearchForm:
    action: str  # absolute URL
    method: str  # GET | POST
    param: str  # name of the query input
    hidden: dict[str, str] = field(default_factory=dict)
    snippet: str = ""  # the form's opening tag, as evidence

    def url_for(self, query: str) -> str:
        """The GET URL of a query (hidden fields kept in the form's order, the query last)."""
        parts = urlsplit(self.action)
        params = list(self.hidden.items()) + [(self.param, query)]
        q = (parts.query + "&" if parts.query else "") + urlencode(params)
        return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", q, ""))


def _attrs(node: LexborNode) -> str:
    a = node.attributes
    return " ".join(f"{k}={v or ''}" for k, v in a.items())


def find_search_form(html: str, base_url: str) -> SearchForm | None:
    """The site-search form of a page: a form with one free-text input whose action, id, class,
    placeholder or submit button speaks of searching. None when there is none."""
    tree = LexborHTMLParser(html)
    best: tuple[int, SearchForm] | None = None
    for form in tree.css("form")[:MAX_FORMS]:
        inputs = form.css("input")
        texts = [i for i in inputs if (i.attributes.get("type") or "").lower() in _TEXT_TYPES and i.attributes.get("name")]
        if len(texts) != 1:
            continue  # login forms have two, forms without a named text box cannot be queried
        box = texts[0]
        if (box.attributes.get("type") or "").lower() == "password":
            continue
        score = 0
        if _SEARCHY.search(_attrs(form)):
            score += 2
        if _SEARCHY.search(_attrs(box)):
            score += 1
        for b in form.css("input[type=submit], input[type=image], input[type=button], button"):
            label = (b.attributes.get("value") or "") + " " + (b.attributes.get("alt") or "") + " " + (b.text() or "")
            if _SUBMIT_WORDS.search(label):
                score += 1
                break
        if score == 0:
            continue
        hidden = {}
        for i in inputs:
            if (i.attributes.get("type") or "").lower() == "hidden" and i.attributes.get("name"):
                hidden[i.attributes["name"] or ""] = i.attributes.get("value") or ""
        action = urljoin(base_url, (form.attributes.get("action") or "").strip() or base_url)
        if not action.startswith(("http://", "https://")):
            continue  # javascript: actions need a browser
        html_open = form.html or ""
        sf = SearchForm(action=action, method=(form.attributes.get("method") or "GET").upper(),
                        param=box.attributes["name"] or "", hidden=hidden, snippet=html_open[:html_open.find(">") + 1][:300])
        if best is None or score > best[0]:
            best = (score, sf)
    return best[1] if best else None


_HINT_INPUT = re.compile(r"search|sousuo|keyword|搜索|检索|关键字|关键词", re.I)


def search_hint(html: str) -> str | None:
    """Evidence of a search the static page cannot drive (a script-only box or a link to a
    search page): such a site is not reported as having no search."""
    tree = LexborHTMLParser(html)
    for i in tree.css("input")[:500]:
        if (i.attributes.get("type") or "").lower() in _TEXT_TYPES and _HINT_INPUT.search(_attrs(i)):
            return (i.html or "")[:200]
    for a in tree.css("a")[:5000]:
        t = (a.text() or "").strip()
        if t and len(t) <= 8 and ("搜索" in t or "检索" in t):
            return (a.html or "")[:200]
    return None


def pick_queries(titles: list[str], n: int = TRIES) -> list[str]:
    """Queries from titles the crawl saw: distinct, long enough to be specific, cut to
    QUERY_MAX characters (a prefix of a title still matches it)."""
    out: list[str] = []
    for t in titles:
        t = " ".join((t or "").split())
        if len(t) < 6:
            continue
        q = t[:QUERY_MAX].rstrip(" .…")
        if q not in out:
            out.append(q)
        if len(out) >= n:
            break
    return out


@dataclass
class SearchResult:
    query: str
    url: str
    status: int | None
    error: str | None
    count: int  # result links into the site naming the query
    shown_count: int | None  # "共找到 N 条" as printed by the page
    first: str | None  # first result link


def own_host(url: str, host: str, domains: list[str]) -> bool:
    h = host_of(url)
    site = host.removeprefix("www.")
    return h == host or h.endswith("." + site) or h == site or any(h == d or h.endswith("." + d) for d in domains)


async def _get(f: Fetcher, url: str, max_body: int, deadline: float | None) -> FetchResult:
    """GET, asked again when the server gave no answer at all (a flaky site is not a broken
    search); an HTTP error status is an answer and is returned at once."""
    loop = asyncio.get_running_loop()
    res = await f.get(url, max_body=max_body, deadline=deadline)
    for _ in range(NET_RETRIES):
        if res.status is not None or (deadline is not None and loop.time() + RETRY_PAUSE >= deadline):
            break
        await asyncio.sleep(RETRY_PAUSE)
        res = await f.get(url, max_body=max_body, deadline=deadline)
    return res


async def run_query(f: Fetcher, form: SearchForm, query: str, host: str, domains: list[str],
                    deadline: float | None = None) -> SearchResult:
    url = form.url_for(query)
    res = await _get(f, url, MAX_RESULTS_PAGE, deadline)
    out = SearchResult(query, url, res.status, res.error, 0, None, None)
    if not res.ok or not res.body:
        return out
    facts = extract_page(res.body, res.final_url or url, encoding=None, want_nav=False)
    m = _COUNT.search(facts.text)
    out.shown_count = int(m.group(1)) if m else None
    # Results are the in-site links whose text carries the query (page chrome does not).
    hits = [ln.url for ln in facts.links if ln.tag == "a" and query in " ".join((ln.text or "").split())
            and own_host(ln.url, host, domains)]
    out.count = len(dict.fromkeys(hits))
    out.first = hits[0] if hits else None
    return out


def _ev(url: str, detail: str, **extra: object) -> dict:
    return {"url": url, "detail": detail, **extra}


async def search_check(f: Fetcher, home_url: str, titles: list[str], *, domains: list[str] | None = None,
                       deadline: float | None = None) -> Finding:
    """The G-FUN-6 finding of a site: `titles` are item titles the crawl saw (home page first)."""
    domains = [d.lower() for d in (domains or [])]
    home = await _get(f, home_url, MAX_HOME, deadline)
    if not home.ok or not home.body:
        why = f"首页无法打开（{home.error or home.status}），未检查站内搜索"
        return Finding(FINDING_ID, "error", 0.0, [_ev(home_url, why)], why)
    base = home.final_url or home_url
    form = find_search_form(home.text(), base)
    if form is None:
        hint = search_hint(home.text())
        if hint:
            why = "首页的搜索框由脚本驱动或链接到单独的搜索页，无法自动检索，需人工核查"
            return Finding(FINDING_ID, "na", 0.0, [_ev(base, why, form=hint)], why)
        why = "首页未找到站内搜索框"
        return Finding(FINDING_ID, "deduct", 0.0, [_ev(base, why)], why)
    host = host_of(base)
    queries = pick_queries(titles)
    if not queries:
        why = f"找到站内搜索（{form.action}），但抓取中没有可用于检索的信息标题，未验证搜索结果"
        return Finding(FINDING_ID, "na", 0.0, [_ev(base, why, form=form.snippet)], why)
    tried: list[SearchResult] = []
    for q in queries:
        r = await run_query(f, form, q, host, domains, deadline)
        tried.append(r)
        if r.status == 405 and form.method == "POST":
            why = f"站内搜索表单只接受 POST（{form.action}），未自动检索，需人工核查"
            return Finding(FINDING_ID, "na", 0.0, [_ev(r.url, why, query=q, form=form.snippet)], why)
        if r.status is None:
            why = f"站内搜索无响应：检索「{q}」{r.error or ''}，无法判断"
            return Finding(FINDING_ID, "error", 0.0, [_ev(r.url, why, query=q, result_url=None, count=0,
                                                         status=None, form=form.snippet)], why)
        if r.error is not None or not 200 <= r.status < 400:
            why = f"站内搜索出错：检索「{q}」返回 {r.status or r.error}"
            return Finding(FINDING_ID, "deduct", 0.0, [_ev(r.url, why, query=q, result_url=None, count=0,
                                                           status=r.status, form=form.snippet)], why)
        if r.count and r.first:
            opened = await _get(f, r.first, 64 * 1024, deadline)
            if not opened.ok:
                why = f"站内搜索结果链接无法打开：检索「{q}」的第一条结果 {r.first} 返回 {opened.status or opened.error}"
                return Finding(FINDING_ID, "deduct", 0.0, [_ev(r.url, why, query=q, result_url=r.first,
                                                               count=r.count)], why)
            why = f"站内搜索可用：检索「{q}」得到 {r.count} 条站内结果，第一条 {r.first} 可以打开"
            return Finding(FINDING_ID, "ok", 0.0, [_ev(r.url, why, query=q, result_url=r.first, count=r.count,
                                                      shown_count=r.shown_count)], why)
    ev = [_ev(r.url, f"检索「{r.query}」：" + (f"页面显示共 {r.shown_count} 条，" if r.shown_count is not None else "")
              + "没有指向本站的结果", query=r.query, result_url=None, count=0, shown_count=r.shown_count) for r in tried]
    why = f"站内搜索检索本站已有信息的标题（{len(tried)} 个）均无结果"
    return Finding(FINDING_ID, "deduct", 0.0, ev, why)


def crawl_titles(items: list, limit: int = 20) -> list[str]:
    """Titles of items the crawl saw, newest first (what a visitor would look for)."""
    ordered = sorted(items, key=lambda i: i.date, reverse=True)
    return [i.title for i in ordered[:limit] if getattr(i, "title", None)]


__all__ = ["SearchForm", "SearchResult", "crawl_titles", "find_search_form", "pick_queries", "run_query",
           "search_check"]
