"""A tiny government site served by a real aiohttp server, in the farm's `trs` markup, with
switchable defects. Tests crawl it through `--resolve HOST:PORT:127.0.0.1` like the farm."""

from __future__ import annotations

import asyncio
import gzip
from dataclasses import dataclass, field
from datetime import date, timedelta

from aiohttp import web

HOST = "www.ceshi.gov.cn"


@dataclass
class Col:
    path: str
    name: str
    dates: list[date]


@dataclass
class Site:
    as_of: date = date(2017, 9, 14)
    name: str = "测试县人民政府"
    code: str = "2204210001"
    footer_code: str | None = None  # what the footer shows (None = the right code)
    missing_footer: set[str] = field(default_factory=set)  # conac, site_code, icp, police, sponsor, contact
    jiucuo: str = "script"  # script | static_image | none
    broken_home_link: bool = False
    broken_inner_link: bool = False
    cols: list[Col] = field(default_factory=list)
    extra_home_html: str = ""
    search: str = "ok"  # ok | error | empty | none (no search form)
    interaction: bool = True  # consultation, survey and interview columns (D15-5…D15-7), all in order
    port: int = 0

    def __post_init__(self) -> None:
        if not self.cols:
            d = self.as_of
            self.cols = [
                Col("xwzx/zwyw", "政务要闻", [d - timedelta(days=i) for i in range(0, 12)]),
                Col("xwzx/bmdt", "部门动态", [d - timedelta(days=i) for i in range(1, 9)]),
                Col("xwzx/tzgg", "通知公告", [d - timedelta(days=5 * i + 2) for i in range(6)]),
                Col("zwgk/zcwj", "政策文件", [d - timedelta(days=20 * i + 3) for i in range(5)]),
                Col("zwgk/rsxx", "人事信息", [d - timedelta(days=60 * i + 10) for i in range(4)]),
            ]

    def hdjl(self) -> list[tuple[str, str, list[date]]]:
        """(path, name, dates) of the interaction columns: answered messages, 6 surveys and
        6 interviews within the year."""
        if not self.interaction:
            return []
        d = self.as_of
        return [("hdjl/zxzx", "咨询投诉", [d - timedelta(days=n) for n in (3, 20, 60, 150, 200)]),
                ("hdjl/zjdc", "意见征集", [d - timedelta(days=30 * i + 10) for i in range(6)]),
                ("hdjl/zxft", "在线访谈", [d - timedelta(days=30 * i + 15) for i in range(6)])]

    def hdjl_title(self, path: str, i: int) -> str:
        return {"hdjl/zxzx": f"关于第{i}段乡村道路维修的咨询", "hdjl/zjdc": f"第{i}期公共服务满意度问卷调查",
                "hdjl/zxft": f"第{i}期县长在线访谈"}[path]

    def hdjl_list(self, path: str, name: str, dates: list[date]) -> str:
        status = '<span class="status">状态：已答复</span>' if path == "hdjl/zxzx" else ""
        lis = "".join(f'<li><a href="/{path}/{i}.html">{self.hdjl_title(path, i)}</a>{status}'
                      f'<span class="date">{dd:%Y-%m-%d}</span></li>' for i, dd in enumerate(dates))
        body = (f'<div class="position">当前位置：<a href="/">首页</a> &gt; <a>{name}</a></div>'
                f'<h2 class="column-title">{name}</h2><ul class="list">{lis}</ul>')
        return self.page(name, body, f'<meta name="ColumnName" content="{name}">')

    def hdjl_item(self, path: str, name: str, i: int, dd: date) -> str:
        t = self.hdjl_title(path, i)
        if path == "hdjl/zxzx":
            body = (f'<div class="letter"><h1>{t}</h1><p>来信时间：{dd:%Y-%m-%d}</p><p>{t}，请问何时安排？</p></div>'
                    f'<div class="reply"><p>答复单位：测试县交通运输局</p><p>答复时间：{dd + timedelta(days=2):%Y-%m-%d}</p>'
                    f'<p>您反映的{t}已列入计划。</p></div>')
        else:
            body = (f'<div class="article"><h1 class="article-title">{t}</h1><div class="article-info">发布时间：'
                    f'{dd:%Y-%m-%d} 09:30</div><div class="article-content"><p>{t}，欢迎参与。</p></div></div>')
        return self.page(t, body, f'<meta name="ColumnName" content="{name}"><meta name="ArticleTitle" content="{t}">')

    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def footer(self) -> str:
        code = self.footer_code or self.code
        parts = []
        if "sponsor" not in self.missing_footer:
            parts.append("<p>主办单位：测试县人民政府　承办：测试县人民政府办公室")
        else:
            parts.append("<p>")
        if "contact" not in self.missing_footer:
            parts.append("　联系电话：0437-6221234")
        parts.append("</p><p>")
        if "icp" not in self.missing_footer:
            parts.append('<a href="https://beian.miit.gov.cn/" target="_blank">吉ICP备05001234号</a>')
        if "site_code" not in self.missing_footer:
            parts.append(f"　网站标识码：{code}　")
        if "police" not in self.missing_footer:
            parts.append('<a target="_blank" href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode='
                         '22042102000123">吉公网安备 22042102000123号</a>')
        parts.append('</p><div class="footer-wzbs">')
        if "conac" not in self.missing_footer:
            parts.append("""<script type="text/javascript">document.write(unescape("%3Cspan id='_ideConac' %3E%3C/span%3E%3Cscript src='http://dcs.conac.cn/js/22/000/0000/60429971/CA220000000604299710001.js' type='text/javascript'%3E%3C/script%3E"));</script>""")
        if self.jiucuo == "script":
            parts.append(f"<script id=\"_jiucuo_\" sitecode='{self.code}' src='https://zfwzgl.www.gov.cn/exposure/jiucuo.js'></script>")
        elif self.jiucuo == "static_image":
            parts.append('<img src="/images/jiucuo.png" alt="我为政府网站找错">')
        parts.append("</div>")
        return '<div class="footer"><p class="links"><a href="/wzdt/">网站地图</a></p>' + "".join(parts) + "</div>"

    def page(self, title: str, body: str, extra_meta: str = "") -> str:
        nav = "".join(f'<li><a href="/{c.path}/">{c.name}</a></li>' for c in self.cols)
        nav += "".join(f'<li><a href="/{p}/">{n}</a></li>' for p, n, _ in self.hdjl())
        return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>'
                f'<meta name="SiteName" content="{self.name}"><meta name="SiteDomain" content="{HOST}">'
                f'<meta name="SiteIDCode" content="{self.code}">{extra_meta}</head><body>'
                f'<div class="header"><div class="logo"><h1>{self.name}</h1></div>{self.search_form()}'
                f'<div class="nav"><ul><li><a href="/">首页</a></li>{nav}</ul></div></div>'
                f'{body}{self.footer()}</body></html>')

    def search_form(self) -> str:
        if self.search == "none":
            return ""
        return ('<form class="search" action="/search/" method="get"><input type="text" name="q" placeholder="请输入关键字">'
                '<input type="submit" value="搜索"></form>')

    def search_page(self, q: str) -> str:
        if self.search == "empty" or not q:
            hits = []
        else:
            hits = [(self.art(c, i, d), f"第{i}次县政府常务会议召开") for c in self.cols for i, d in enumerate(c.dates)
                    if q in f"第{i}次县政府常务会议召开"]
        lis = "".join(f'<li><a href="{u}">{t}</a></li>' for u, t in hits)
        return self.page("搜索结果", f'<p class="count">共找到{len(hits)}条</p><ul class="result">{lis}</ul>')

    def art(self, c: Col, i: int, d: date) -> str:
        return f"/{c.path}/{d:%Y%m}/t{d:%Y%m%d}_{1000 + i}.html"

    def home(self) -> str:
        blocks = []
        for c in self.cols:
            items = "".join(f'<li><a href="{self.art(c, i, d)}" title="第{i}次县政府常务会议召开" target="_blank">第{i}次县政府常务会议召开</a>'
                            f'<span class="date">{d:%Y-%m-%d}</span></li>' for i, d in enumerate(c.dates[:7]))
            blocks.append(f'<div class="column-box"><div class="hd"><h3><a href="/{c.path}/">{c.name}</a></h3>'
                          f'<a class="more" href="/{c.path}/">更多&gt;&gt;</a></div><ul class="list">{items}</ul></div>')
        extra = ""
        if self.broken_home_link:
            extra += '<p class="friend-links"><a href="/gone/page.html">专题专栏</a></p>'
        return self.page(self.name, "".join(blocks) + extra + self.extra_home_html)

    def column(self, c: Col) -> str:
        if not c.dates:
            lst = '<ul class="list"></ul><p class="no-data">暂无信息</p>'
        else:
            lst = '<ul class="list">' + "".join(
                f'<li><a href="{self.art(c, i, d)}" title="第{i}次县政府常务会议召开">第{i}次县政府常务会议召开</a><span class="date">{d:%Y-%m-%d}</span></li>'
                for i, d in enumerate(c.dates[:20])) + "</ul>"
        body = (f'<div class="position">当前位置：<a href="/">首页</a> &gt; <a>{c.name}</a></div>'
                f'<h2 class="column-title">{c.name}</h2>{lst}<div class="page">共{len(c.dates)}条 第1/1页</div>')
        return self.page(c.name, body, f'<meta name="ColumnName" content="{c.name}">')

    def article(self, c: Col, d: date, title: str) -> str:
        extra = '<p><a href="/gone/inner.html">相关链接</a></p>' if self.broken_inner_link else ""
        body = (f'<div class="article"><h1 class="article-title">{title}</h1><div class="article-info">发布时间：'
                f'{d:%Y-%m-%d} 09:30　来源：测试县</div><div class="article-content" id="zoom">'
                f'<p>{d.month}月{d.day}日，{title}。会议传达学习了上级有关文件精神，研究部署近期重点工作。</p>'
                f'<p><a href="/{c.path}/{d:%Y%m}/P0{d:%Y%m%d}1.pdf">附件</a></p>{extra}</div></div>')
        return self.page(title, body, f'<meta name="PubDate" content="{d:%Y-%m-%d} 09:30">')

    def app(self) -> web.Application:
        app = web.Application()

        async def handler(req: web.Request) -> web.StreamResponse:
            p = req.path
            html = lambda s: web.Response(text=s, content_type="text/html", charset="utf-8")  # noqa: E731
            if p in ("/", "/index.html"):
                return html(self.home())
            for c in self.cols:
                if p == f"/{c.path}/":
                    return html(self.column(c))
                for i, d in enumerate(c.dates):
                    if p == self.art(c, i, d):
                        return html(self.article(c, d, f"第{i}次县政府常务会议召开"))
                if p.startswith(f"/{c.path}/") and p.endswith(".pdf"):
                    return web.Response(body=b"%PDF-1.4\n%test\n", content_type="application/pdf")
            for path, name, dates in self.hdjl():
                if p == f"/{path}/":
                    return html(self.hdjl_list(path, name, dates))
                for i, dd in enumerate(dates):
                    if p == f"/{path}/{i}.html":
                        return html(self.hdjl_item(path, name, i, dd))
            if p == "/search/" and self.search != "none":
                if self.search == "error":
                    return web.Response(status=500, text="Internal Server Error")
                return html(self.search_page(req.query.get("q", "")))
            if p == "/wzdt/":
                return html(self.page("网站地图", "<p>网站地图</p>"))
            if p == "/images/jiucuo.png":
                return web.Response(body=b"\x89PNG\r\n", content_type="image/png")
            return web.Response(status=404, text="not found")

        app.router.add_route("*", "/{tail:.*}", handler)
        return app


class Server:
    """Start an aiohttp app on 127.0.0.1 (random port) for the duration of a test."""

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.runner: web.AppRunner | None = None
        self.port = 0

    async def __aenter__(self) -> Server:
        self.runner = web.AppRunner(self.app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.runner is not None
        await self.runner.cleanup()


async def serve_site(site: Site) -> Server:
    srv = Server(site.app())
    await srv.__aenter__()
    site.port = srv.port
    return srv


def gzip_bomb(size: int = 60_000_000) -> bytes:
    return gzip.compress(b"\0" * size, compresslevel=9)


__all__ = ["HOST", "Col", "Server", "Site", "asyncio", "gzip_bomb", "serve_site"]
