"""The crawler against a real local site: scope, de-duplication, limits, traps, link checking."""

from __future__ import annotations

import pytest
from aiohttp import web

from govsite.engine.crawl import Crawler
from govsite.engine.fetch import FetchConfig, Fetcher
from tests.engine.sitekit import Server

SITE, OTHER = "www.crawl.gov.cn", "www.other.gov.cn"


def _html(body: str) -> web.Response:
    return web.Response(text=f"<!DOCTYPE html><html><head><title>t</title></head><body>{body}</body></html>",
                        content_type="text/html")


@pytest.fixture
async def site():
    hits: list[tuple[str, str, str]] = []  # (host, method, path_qs)

    async def handler(req: web.Request) -> web.StreamResponse:
        host = req.host.split(":")[0]
        hits.append((host, req.method, req.path_qs))
        p = req.path
        if host == OTHER:
            return _html('<a href="/deeper">should never be crawled</a>')
        if p == "/":
            return _html(
                '<a href="/a/">A</a> <a href="/a/index.html#x">A again</a> <a href="/b/?y=2&x=1">B</a>'
                '<a href="/b/?x=1&y=2">B reordered</a> <a href="/calendar?month=2017-09">日历</a>'
                '<a href="/s/page.html;jsessionid=ABCDEF">会话</a> <a href="/go/loop1">跳转</a>'
                f'<a href="http://{OTHER}:{req.url.port}/x.html">外链</a> <a href="/files/f.pdf">附件</a>'
                '<a href="/missing.html">坏链</a> <img src="/img/logo.png"> <a href="javascript:void(0)">js</a>'
                '<a href="/d1/">deep</a> <a href="mailto:x@y.cn">mail</a>'
            )
        if p.startswith("/calendar"):
            m = req.query.get("month", "2017-09")
            y, mo = int(m[:4]), int(m[5:7])
            nxt = f"{y + (mo == 12)}-{mo % 12 + 1:02d}"
            return _html(f'<a href="/calendar?month={nxt}">下月</a>')
        if p.startswith("/s/"):
            import uuid

            return _html(f'<a href="/s/page.html;jsessionid={uuid.uuid4().hex}">again</a>'
                         f'<a href="/s/other.html?sid={uuid.uuid4().hex}">again2</a>')
        if p == "/go/loop1":
            raise web.HTTPFound("/go/loop2")
        if p == "/go/loop2":
            raise web.HTTPFound("/go/loop1")
        if p.startswith("/d"):
            n = int(p.strip("/")[1:] or 0)
            return _html(f'<a href="/d{n + 1}/">next</a><a href="../x/y/../../d{n + 1}/">same</a>')
        if p in ("/a/", "/a/index.html", "/b/", "/s/page.html", "/s/other.html"):
            return _html('<a href="/">home</a> <a href="a1.html">a1</a>')
        if p == "/a/a1.html":
            return _html('<a href="/a/">up</a>')
        if p == "/files/f.pdf":
            return web.Response(body=b"%PDF-1.4", content_type="application/pdf")
        if p == "/img/logo.png":
            return web.Response(body=b"\x89PNG", content_type="image/png")
        return web.Response(status=404, text="nope")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    async with Server(app) as srv:
        srv.hits = hits  # type: ignore[attr-defined]
        yield srv


def _fetcher(port: int) -> Fetcher:
    return Fetcher(FetchConfig(allow_private=True, resolve={(SITE, port): ["127.0.0.1"], (OTHER, port): ["127.0.0.1"]},
                               max_redirects=4, retries=0))


async def test_bfs_scope_dedup_and_link_records(site):
    async with _fetcher(site.port) as f:
        c = Crawler(f"http://{SITE}:{site.port}/", f, max_pages=50, max_depth=3)
        stats = await c.run()
    crawled = [p.url for p in c.pages]
    base = f"http://{SITE}:{site.port}"
    # de-duplicated: /a/ once, /b/?x=1&y=2 once (parameter order), the session id stripped
    assert crawled.count(f"{base}/a/") == 1
    assert sum(1 for u in crawled if u.startswith(f"{base}/b/?")) == 1
    assert sum(1 for u in crawled if "/s/page.html" in u) == 1
    # the other host is checked, never crawled: no GET of its links
    assert not any(h == OTHER and path == "/deeper" for h, _m, path in site.hits)
    ext = c.links[f"http://{OTHER}:{site.port}/x.html"]
    assert ext.kind == "external" and ext.checked and not ext.broken
    assert c.links[f"{base}/files/f.pdf"].kind == "attachment"
    assert c.links[f"{base}/img/logo.png"].kind == "resource"
    assert c.links[f"{base}/missing.html"].broken and c.links[f"{base}/missing.html"].from_home
    loop = c.links[f"{base}/go/loop1"]
    assert loop.broken and loop.error == "redirects"
    # depth limit: /d1/ at depth 1 … /d3/ at depth 3, /d4/ only checked
    assert f"{base}/d3/" in crawled and f"{base}/d4/" not in crawled
    assert c.links[f"{base}/d4/"].checked
    assert stats.pages == len(c.pages) and stats.links == len(c.links)
    assert not any("javascript" in u or "mailto" in u for u in c.links)


async def test_traps_are_detected_not_followed(site):
    async with _fetcher(site.port) as f:
        c = Crawler(f"http://{SITE}:{site.port}/", f, max_pages=200, max_depth=50)
        await c.run()
    cal = [p for p in c.pages if "calendar" in p.url]
    assert not cal
    assert c.stats.trap_count >= 1 and any("日历" in r for _u, r in c.stats.traps)
    sess = [p for p in c.pages if "/s/" in p.url]
    assert len(sess) <= 2  # the session-id loop collapses to the two real pages


async def test_page_limit_and_time_budget(site):
    async with _fetcher(site.port) as f:
        c = Crawler(f"http://{SITE}:{site.port}/", f, max_pages=3, max_depth=50)
        stats = await c.run()
    assert stats.pages == 3 and stats.limit_reached
    async with _fetcher(site.port) as f:
        import asyncio

        c2 = Crawler(f"http://{SITE}:{site.port}/", f, max_pages=500, max_depth=50,
                     deadline=asyncio.get_running_loop().time() - 1)
        s2 = await c2.run()
    assert s2.budget_exhausted and s2.pages == 0


async def test_extractor_failure_is_recorded_and_links_still_followed(site):
    """A page the extractor fails on is read for links only, and the failure shows in the page
    record and the crawl's stats (not as a broken page: the site served it)."""
    from govsite.engine.extract import extract_page

    def fragile(html: str, url: str, as_of: object = None):  # noqa: ANN202
        if url.endswith(("/a/", "/a/index.html")):  # the only pages that link to /a/a1.html
            raise RecursionError("markup nested too deeply")
        return extract_page(html, url, as_of=as_of)

    async with _fetcher(site.port) as f:
        c = Crawler(f"http://{SITE}:{site.port}/", f, max_pages=50, max_depth=3, extractor=fragile)
        stats = await c.run()
    base = f"http://{SITE}:{site.port}"
    bad = next(p for p in c.pages if p.url == f"{base}/a/")
    assert bad.error is None and bad.status == 200
    assert bad.parse_error and "RecursionError" in bad.parse_error
    assert stats.parse_errors == 2 and {u for u, _d in stats.parse_error_pages} == {f"{base}/a/", f"{base}/a/index.html"}
    assert stats.to_json()["errors"] == stats.errors
    assert stats.errors == 2 + sum(1 for p in c.pages if p.error) + sum(1 for lr in c.links.values() if lr.broken)
    # the fallback still read their links: /a/a1.html is linked only from them
    assert f"{base}/a/a1.html" in [p.url for p in c.pages]
    assert sum(1 for p in c.pages if p.parse_error) == 2


def test_crawl_sites_in_two_processes_matches_one(tmp_path):
    """Sites dealt out to two processes give the same crawls as one process, in input order."""
    import threading
    from functools import partial
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    from govsite.engine.crawl import crawl_sites

    pages = {"index.html": '<a href="a.html">甲</a><a href="b.html">乙</a><img src="/logo.png">',
             "a.html": '<a href="c.html">丙</a><a href="/missing.html">坏链</a>', "b.html": '<a href="/">首页</a>',
             "c.html": "<p>end</p>"}
    for name, body in pages.items():
        (tmp_path / name).write_text(f"<html><head><title>t</title></head><body>{body}</body></html>", encoding="utf-8")
    (tmp_path / "logo.png").write_bytes(b"\x89PNG")

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(tmp_path)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        port = srv.server_address[1]
        hosts = ["www.a.gov.cn", "www.b.gov.cn", "www.c.gov.cn"]
        cfg = FetchConfig(allow_private=True, resolve={(h, port): ["127.0.0.1"] for h in hosts}, retries=0)
        starts = [f"http://{h}:{port}/" for h in hosts]
        one = crawl_sites(starts, cfg, processes=1, max_pages=20)
        two = crawl_sites(starts, cfg, processes=2, max_pages=20)
    finally:
        srv.shutdown()
    assert [c.start_url for c in two] == starts
    for a, b in zip(one, two, strict=True):
        assert sorted(p.url for p in a.pages) == sorted(p.url for p in b.pages)
        assert len([p for p in b.pages if p.html]) == 4  # /, a, b and c
        assert b.links[a.start_url + "missing.html"].broken
        assert {u: lr.kind for u, lr in a.links.items()} == {u: lr.kind for u, lr in b.links.items()}
    with pytest.raises(ValueError):
        crawl_sites(starts, cfg, processes=2, observers=[lambda facts, rec: None])
