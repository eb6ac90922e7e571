"""Services (D15-8…10, V19-6): guide elements from small pages through the real extractor, and
attachments/online systems verified against a real local HTTP server through the Fetcher."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from aiohttp import web

from govsite.engine.crawl import PageRecord
from govsite.engine.extract import extract_page
from govsite.engine.fetch import FetchConfig, Fetcher
from govsite.engine.indicators.services import (
    KEY_ELEMENTS,
    ServiceObserver,
    guide_elements,
    type_problem,
)
from govsite.engine.rulesets import load_ruleset

AS_OF = date(2017, 9, 14)
HOST = "www.ceshi.gov.cn"
ALL = (*KEY_ELEMENTS, "办理时限", "收费标准")


@pytest.fixture(scope="module")
def rs():
    return load_ruleset("RS2015")


def guide_html(title: str, missing: tuple[str, ...] = (), links: str = "", labels: dict[str, str] | None = None) -> str:
    labels = labels or {}
    rows = "".join(f"<tr><th>{labels.get(k, k)}</th><td>{k}的内容</td></tr>" for k in ALL if k not in missing)
    return (f'<html><head><title>{title}_测试县人民政府</title><meta name="ArticleTitle" content="{title}">'
            '<meta name="ColumnName" content="办事指南"></head><body><div class="main">'
            f'<h1>{title}</h1><div class="article-info">发布时间：2017-03-01</div>'
            f'<table class="guide-table">{rows}</table>{links}</div></body></html>')


def feed(obs: ServiceObserver, url: str, html: str) -> None:
    facts = extract_page(html, url, as_of=AS_OF)
    obs(facts, PageRecord(url=url, depth=2, status=200, error=None, elapsed=0.0, html=True))


def test_guide_elements_with_synonyms():
    text = "事项名称\n食品经营许可\n申请材料：\n身份证明\n受理地点\n政务中心\n咨询电话：1234\n承诺时限：5个工作日\n说明文字里提到办理流程不算"
    assert guide_elements(text) == ["事项名称", "办理材料", "办理地点", "联系电话", "办理时限"]


def test_missing_elements_are_counted_once_per_category(rs):
    obs = ServiceObserver()
    feed(obs, f"http://{HOST}/bszn/1.html", guide_html("食品经营许可办事指南", missing=("设定依据", "办理地点")))
    feed(obs, f"http://{HOST}/bszn/2.html", guide_html("排污许可办事指南", missing=("设定依据",)))
    feed(obs, f"http://{HOST}/bszn/3.html", guide_html("残疾人证办事指南", labels={"办理材料": "申请材料"}))
    f = obs.d15_8(rs)
    assert f.status == "deduct" and f.points == -4.0  # two distinct categories x 2 points
    assert [e["url"] for e in f.evidence] == [f"http://{HOST}/bszn/1.html", f"http://{HOST}/bszn/2.html"]
    assert "设定依据、办理地点" in f.evidence[0]["detail"]


def test_online_system_links_are_service_systems_only():
    obs = ServiceObserver()
    links = "".join(f'<li><a href="/x/{i}/">{t}</a></li>' for i, t in enumerate(
        ["网上办事大厅", "不动产登记预约系统", "企业信用信息公示系统", "北斗卫星导航系统", "机关办公系统", "政务要闻"]))
    feed(obs, f"http://{HOST}/", f"<html><head><title>首页</title></head><body><ul>{links}</ul></body></html>")
    assert sorted(t.text for t in obs.systems.values()) == ["不动产登记预约系统", "企业信用信息公示系统", "网上办事大厅"]


def test_the_footer_phone_is_not_the_guides(rs):
    obs = ServiceObserver()
    html = guide_html("排污许可办事指南", missing=("联系电话",)).replace(
        "</div></body>", '</div><div class="footer"><p>网站地图 | 联系我们</p><p>联系电话：0431-1234567</p></div></body>')
    feed(obs, f"http://{HOST}/bszn/5.html", html)
    f = obs.d15_8(rs)
    assert f.status == "deduct" and "缺少要素：联系电话" in f.evidence[0]["detail"]


def test_forms_named_but_not_offered(rs):
    obs = ServiceObserver()
    html = guide_html("食品经营许可办事指南").replace(
        "<th>办理材料</th><td>办理材料的内容</td>", "<th>办理材料</th><td>1．《食品经营许可申请书》；2．身份证明</td>")
    feed(obs, f"http://{HOST}/bszn/7.html", html)
    ok = guide_html("排污许可办事指南", links='<a href="/att/good.pdf">排污许可申请表.pdf</a>').replace(
        "<th>办理材料</th><td>办理材料的内容</td>", "<th>办理材料</th><td>《排污许可申请表》</td>")
    feed(obs, f"http://{HOST}/bszn/8.html", ok)
    f = obs.d15_9(rs)
    assert f.status == "deduct" and f.points == -1.0
    assert f.evidence == [{"url": f"http://{HOST}/bszn/7.html", "detail": "办事指南「食品经营许可办事指南」列出的《食品经营许可申请书》未提供下载"}]


def test_a_list_page_is_not_a_guide(rs):
    obs = ServiceObserver()
    lis = "".join(f'<li><a href="/bszn/{i}.html">第{i}项许可办事指南</a><span>2017-0{i}-01</span></li>' for i in range(1, 7))
    feed(obs, f"http://{HOST}/bszn/", '<html><head><title>办事指南_测试县</title></head><body>'
                                       f'<h2>办事指南</h2><ul>{lis}</ul></body></html>')
    assert obs.guides == [] and obs.d15_8(rs).status == "na"


@pytest.mark.parametrize(("ext", "ctype", "head", "bad"), [
    ("pdf", "application/pdf", b"%PDF-1.4", False),
    ("pdf", "application/octet-stream", b"%PDF-1.4", False),
    ("pdf", "text/html; charset=utf-8", b"<!DOCTYPE html><html>", True),  # a soft 404 page
    ("docx", "application/pdf", b"%PDF-1.4", True),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04", False),
    ("doc", "application/msword", b"PK\x03\x04rest", False),  # a .doc saved as OOXML still opens
])
def test_type_matches_extension(ext, ctype, head, bad):
    assert (type_problem(ext, ctype, head) is not None) == bad


def test_v19_6_guides_missing_four_key_categories(rs):
    rs19 = load_ruleset("RS2019")
    obs = ServiceObserver()
    four = ("设定依据", "申请条件", "办理地点", "办理流程")
    for i in range(3):
        feed(obs, f"http://{HOST}/bszn/{i}.html", guide_html(f"第{i}项许可办事指南", missing=four))
    # fewer than 5 guides, all of them missing >= 4 key categories: veto
    assert obs.v19_6(rs19).status == "veto"
    feed(obs, f"http://{HOST}/bszn/9.html", guide_html("完整的许可办事指南"))
    assert obs.v19_6(rs19).status == "ok"  # one complete guide, 3 bad < 5
    assert obs.v19_6(rs19, external_services=False).status == "na"
    assert ServiceObserver().v19_6(rs19).status == "veto"  # no service offering at all


# -- attachments and online systems against a real server ---------------------------------------
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _app(hits: list[str]) -> web.Application:
    async def handle(request: web.Request) -> web.Response:
        hits.append(request.path)
        p = request.path
        if p == "/att/good.pdf":
            return web.Response(body=PDF, content_type="application/pdf")
        if p == "/att/empty.docx":
            return web.Response(body=b"", content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        if p == "/att/page.xlsx":
            return web.Response(text="<html><body>文件不存在</body></html>", content_type="text/html")
        if p == "/sys/ok/":
            return web.Response(text="<html><body>登录</body></html>", content_type="text/html")
        if p == "/sys/down/":
            return web.Response(status=502, text="Bad Gateway")
        if p == "/":
            return web.Response(text='<html><head><title>首页</title></head><body><p>通知附件：'
                                     '<a href="/att/notice-gone.pdf">会议通知.pdf</a></p>'
                                     '<p><a href="/sys/flaky/">网上办事大厅</a></p></body></html>', content_type="text/html")
        if p == "/sys/flaky/":  # fails once, then works: a passing failure is not a finding
            if hits.count(p) == 1:
                return web.Response(status=503, text="busy")
            return web.Response(text="<html><body>登录</body></html>", content_type="text/html")
        return web.Response(status=404, text="not found")
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    return app


async def _verify(obs: ServiceObserver, max_requests: int) -> list[str]:
    hits: list[str] = []
    runner = web.AppRunner(_app(hits))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        cfg = FetchConfig(allow_private=True, resolve={(HOST, 80): ["127.0.0.1"]}, retries=0, total_timeout=5)
        # the links point at port 80; map them onto the test server's port
        for d in (obs.attachments, obs.systems):
            for k in list(d):
                t = d.pop(k)
                t.url = t.url.replace(f"http://{HOST}/", f"http://{HOST}:{port}/")
                d[t.url] = t
        cfg.resolve = {(HOST, port): ["127.0.0.1"]}
        async with Fetcher(cfg) as f:
            loop = asyncio.get_running_loop()
            await obs.verify(f, None, deadline=loop.time() + 20, check_external=True, max_requests=max_requests)
    finally:
        await runner.cleanup()
    return hits


def _observer_with_links() -> ServiceObserver:
    obs = ServiceObserver()
    links = ('<div class="attachments"><a href="/att/good.pdf">申请表.pdf</a><a href="/att/empty.docx">承诺书.docx</a>'
             '<a href="/att/page.xlsx">登记表.xlsx</a><a href="/att/gone.pdf">审批表.pdf</a></div>'
             '<p><a href="/sys/ok/">在线办理</a></p><p><a href="/sys/down/">办件进度查询系统</a></p>')
    feed(obs, f"http://{HOST}/bszn/1.html", guide_html("食品经营许可办事指南", links=links))
    return obs


def test_attachments_and_systems_verified(rs):
    obs = _observer_with_links()
    hits = asyncio.run(_verify(obs, max_requests=20))
    d9 = obs.d15_9(rs)
    assert d9.status == "deduct" and d9.points == -3.0
    detail = {e["url"].rsplit("/", 1)[-1]: e["detail"] for e in d9.evidence}
    assert set(detail) == {"empty.docx", "page.xlsx", "gone.pdf"}
    assert "为空" in detail["empty.docx"] and "网页" in detail["page.xlsx"] and "HTTP 404" in detail["gone.pdf"]
    assert all("bszn/1.html" in d for d in detail.values())  # the guide that links them
    d10 = obs.d15_10(rs)
    assert d10.status == "deduct" and d10.points == -3.0
    assert len(d10.evidence) == 1 and "/sys/down/" in d10.evidence[0]["url"] and "HTTP 502" in d10.evidence[0]["detail"]
    assert "/att/good.pdf" in hits


def test_extra_requests_are_bounded(rs):
    obs = _observer_with_links()
    hits = asyncio.run(_verify(obs, max_requests=2))
    assert len(hits) <= 2 + 1  # a HEAD that the server refuses may be followed by its GET
    assert obs.requests == 2
    assert obs.unchecked["attachment"] + obs.unchecked["system"] == 4
    assert "未检查" in obs.d15_9(rs).summary or "未检查" in obs.d15_10(rs).summary


def test_broken_attachments_elsewhere_come_from_the_crawl(rs):
    from govsite.engine.crawl import Crawler

    async def run() -> ServiceObserver:
        obs = ServiceObserver()
        runner = web.AppRunner(_app([]))
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        try:
            cfg = FetchConfig(allow_private=True, resolve={(HOST, port): ["127.0.0.1"]}, retries=0, total_timeout=5)
            async with Fetcher(cfg) as f:
                c = Crawler(f"http://{HOST}:{port}/", f, max_pages=5, observers=[obs])
                await c.run()
                await obs.verify(f, c, deadline=None, check_external=False, max_requests=1)
        finally:
            await runner.cleanup()
        return obs

    obs = asyncio.run(run())
    f = obs.d15_9(rs)
    assert f.status == "deduct" and f.points == -1.0
    assert f.evidence[0]["url"].endswith("/att/notice-gone.pdf") and "HTTP 404" in f.evidence[0]["detail"]
    # the crawl saw the system answer 503 once; the re-check after the crawl found it working
    assert obs.d15_10(rs).status == "ok" and obs.requests == 1
