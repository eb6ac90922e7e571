"""Opt-in extra hosts for discovery, closed-site and migration tests. Existing farm sites keep
their bytes: the extras app answers only for its own hosts (and, for the few farm hosts it is
told to take over, only when asked), everything else goes to the unchanged `FarmApp`.

Extra hosts (all derived from the farm's seed):

* `counterfeits`: hosts outside gov.cn copying a farm site's home page — `exact` (same name and
  标识码) or `template` (same page, name changed, code replaced by an unregistered one);
* `gov_aliases`: `*.政务` hosts serving a copy of a farm site (an unreported site under a
  government zone);
* `noise`: hosts outside gov.cn serving an unrelated company page (must not be reported);
* `placeholders`: farm hosts that answer every path with a "网站升级改版中" page;
* `migrations`: a farm site `old` merged into a new host `target`. Before `migrated` is set the
  old site is served as usual; afterwards the target lists the old site's items except a
  deterministic `dropped` share, the old URLs of a `redirect` share answer 301 to the target,
  and every other old URL answers 404.
* `js_built`: farm hosts whose home page is built by JavaScript: the static HTML keeps the head
  and the navigation, and a script injects the home columns and the footer (with its 找错 entry)
  into `<div id="app">`. A browser sees the same page as the farm's; a static parser sees no
  columns and no 找错 entry. The site's ground truth (its defects) is unchanged.
* `js_columns`: farm hosts whose column pages are built by JavaScript: the static page keeps
  everything but the list, which an inline script injects into `<div id="list">` from data
  carried in the page. A static parser sees the column with no items; a browser sees the
  farm's list. Ground truth unchanged.

Run: `python -m govsite.farm.extras --sites N --seed S --port P --manifest F` (the manifest is
the farm's with an `extras` section), or `serve_in_thread(...)` from tests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import threading
from dataclasses import asdict, dataclass, field
from datetime import date
from html import escape
from pathlib import Path
from urllib.parse import unquote

from aiohttp import web

from govsite.farm.model import Farm
from govsite.farm.render import Page
from govsite.farm.rng import h64
from govsite.farm.server import FarmApp

PLACEHOLDER_HTML = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>网站升级改版中</title></head>'
    '<body><div class="notice"><h1>网站升级改版中</h1><p>为更好地服务公众，本网站正在进行升级改版，'
    "敬请期待。给您带来的不便，敬请谅解。</p></div></body></html>"
)
NOISE_HTML = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>{name}</title></head><body>'
    '<div class="top"><h1>{name}</h1></div><ul class="products"><li>产品中心</li><li>解决方案</li>'
    "<li>新闻动态</li><li>联系我们</li></ul><p>{name}成立于2009年，专注于企业信息化服务，为客户提供"
    '软件开发、系统集成与运维服务。</p><div class="foot">版权所有 {name}</div></body></html>'
)


@dataclass
class Migration:
    old: str  # farm host
    target: str  # extra host
    drop_mod: int = 10  # 1 in drop_mod items is not migrated
    redirect_mod: int = 3  # of the rest, 1 in redirect_mod keeps a redirect from its old URL


@dataclass
class Extras:
    counterfeits: list[dict] = field(default_factory=list)  # {host, copies, mode}
    gov_aliases: list[dict] = field(default_factory=list)  # {host (ascii), display, copies}
    noise: list[str] = field(default_factory=list)
    placeholders: list[str] = field(default_factory=list)
    migrations: list[Migration] = field(default_factory=list)
    js_built: list[str] = field(default_factory=list)
    js_columns: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        d = asdict(self)
        d["migrations"] = [asdict(m) for m in self.migrations]
        return d


def plan(
    farm: Farm,
    counterfeits: int = 0,
    aliases: int = 0,
    noise: int = 0,
    skip: set[str] | None = None,
    placeholders: int = 0,
) -> Extras:
    """Pick copied sites deterministically (by seed) among healthy farm sites not in `skip`."""
    skip = skip or set()
    pool = [
        i
        for i in farm.identities
        if i.host not in skip and i.host.endswith(".gov.cn") and not i.intents & {"unreachable", "flaky"}
    ]
    pool.sort(key=lambda i: h64(farm.seed, "extras", i.host))
    ex = Extras()
    for n, ident in enumerate(pool[:counterfeits]):
        mode = "exact" if n % 2 == 0 else "template"
        stem = ident.host.removeprefix("www.").removesuffix(".gov.cn")
        host = f"{stem}-gov.com" if mode == "exact" else stem.replace(".", "-") + "-zf.net"
        ex.counterfeits.append({"host": host, "copies": ident.host, "mode": mode})
    for ident in pool[counterfeits : counterfeits + aliases]:
        display = f"{ident.place}{ident.index}.政务"
        ex.gov_aliases.append(
            {"host": display.encode("idna").decode("ascii"), "display": display, "copies": ident.host}
        )
    ex.noise = [f"www.company{n}-{farm.seed}.com" for n in range(noise)]
    used = counterfeits + aliases
    ex.placeholders = [i.host for i in pool[used : used + placeholders]]
    return ex


class ExtrasApp:
    def __init__(self, farm: Farm, extras: Extras, warp: float = 1.0) -> None:
        self.farm = farm
        self.extras = extras
        self.base = FarmApp(farm, warp)
        self.migrated = False
        self.copies = {c["host"]: c for c in extras.counterfeits} | {a["host"]: a for a in extras.gov_aliases}
        self.noise = set(extras.noise)
        self.placeholders = set(extras.placeholders)
        self.mig_old = {m.old: m for m in extras.migrations}
        self.mig_target = {m.target: m for m in extras.migrations}
        self.js_built = set(extras.js_built)
        self.js_columns = set(extras.js_columns)
        self._moved: dict[str, dict[str, tuple[str, str, str, str]]] = {}

    # -- migration ground truth --------------------------------------------------------------
    def items(self, m: Migration) -> dict[str, tuple[str, str, str, str]]:
        """old path → (state, title, date, target path) for every dated item of the old site."""
        got = self._moved.get(m.old)
        if got is None:
            site = self.farm.site_for_host(m.old)
            assert site is not None
            from govsite.farm.urls import urls_for

            u = urls_for(site)
            got = {}
            n = 0
            for col in site.columns:
                for idx in range(len(col.ages)):
                    path = u.item(col, idx)
                    x = h64(self.farm.seed, "migrate", m.old, path)
                    state = (
                        "missing"
                        if x % m.drop_mod == 0
                        else ("redirected" if x % m.redirect_mod == 1 else "moved")
                    )
                    got[path] = (
                        state,
                        site.item_title(col, idx),
                        site.item_date(col, idx).isoformat(),
                        f"/art/{n}.html",
                    )
                    n += 1
            self._moved[m.old] = got
        return got

    def truth(self, old_host: str) -> dict[str, str]:
        """Absolute old URL → expected state."""
        m = self.mig_old[old_host]
        base = self.farm.base_url(old_host)
        return {base + p: s for p, (s, *_rest) in self.items(m).items()}

    def _target_page(self, m: Migration, path: str) -> tuple[int, str]:
        kept = [(s, t, d, tp) for s, t, d, tp in self.items(m).values() if s != "missing"]
        if path in ("/", "/index.html"):
            lis = "".join(
                f'<li><a href="{tp}">{escape(t)}</a><span class="date">{d}</span></li>'
                for _s, t, d, tp in sorted(kept, key=lambda k: k[2], reverse=True)
            )
            return 200, (
                f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(m.target)} 整合后网站</title>'
                f'<meta name="SiteName" content="整合网站"></head><body><div class="header"><h1>整合网站</h1></div>'
                f'<div class="list"><h2 class="column-title"><a href="/">历史信息</a></h2><ul>{lis}</ul></div>'
                "</body></html>"
            )
        for _s, t, d, tp in kept:
            if tp == path:
                return 200, (
                    f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(t)}</title>'
                    f'<meta name="ArticleTitle" content="{escape(t)}"><meta name="PubDate" content="{d} 09:00">'
                    f'</head><body><div class="article"><h1 class="article-title">{escape(t)}</h1>'
                    f'<div class="article-info">发布时间：{d} 09:00</div><div class="article-content">'
                    f"<p>{escape(t)}。本文由原网站迁移。</p></div></div></body></html>"
                )
        return 404, "404 Not Found"

    # -- HTTP ----------------------------------------------------------------------------------
    def _home_path(self, host: str) -> str:
        from govsite.farm.urls import urls_for

        site = self.farm.site_for_host(host)
        return urls_for(site).home() if site is not None else "/"

    def _script_built(self, host: str, raw: str) -> web.Response | None:
        site = self.farm.site_for_host(host)
        page = self.base.render_cached(site, raw) if site is not None else None
        if page is None or page.status != 200 or page.special:
            return None
        enc, html = _decoded(page, site.ident.encoding)  # type: ignore[union-attr]
        head, sep, rest = html.partition('<div class="main">')
        inner, _, _tail = (sep + rest).rpartition("</body>")
        if not sep or not inner:
            return None
        # "</" escaped so that the markup cannot end the script early.
        code = json.dumps(inner, ensure_ascii=False).replace("</", "<\\/")
        shell = (
            f'{head}<div id="app"></div>\n<script type="text/javascript">'
            f'document.getElementById("app").innerHTML = {code};</script>\n</body>\n</html>\n'
        )
        return _html_response(shell, page.charset, enc)

    def _script_built_column(self, host: str, raw: str) -> web.Response | None:
        """A column page whose list an inline script injects from the data it carries."""
        from govsite.farm.urls import urls_for

        site = self.farm.site_for_host(host)
        if site is None:
            return None
        path, _, query = raw.partition("?")
        route = urls_for(site).parse(unquote(path), query)
        if route is None or route.kind != "column":
            return None
        page = self.base.render_cached(site, raw)
        if page is None or page.status != 200 or page.special:
            return None
        enc, html = _decoded(page, site.ident.encoding)
        start = html.find('<h2 class="column-title">')
        start = html.find("</h2>", start) + len("</h2>\n") if start >= 0 else -1
        end = html.find('<div class="page">', start)
        if start < 0 or end < 0:
            return None
        code = json.dumps(html[start:end], ensure_ascii=False).replace("</", "<\\/")
        shell = (
            f'{html[:start]}<div id="list"></div>\n<script type="text/javascript">var listData = {code};'
            f'document.getElementById("list").innerHTML = listData;</script>\n{html[end:]}'
        )
        return _html_response(shell, page.charset, enc)

    def _copy(self, entry: dict, raw: str) -> web.Response:
        site = self.farm.site_for_host(entry["copies"])
        assert site is not None
        page = self.base.render_cached(site, raw)
        if page is None or page.status != 200 or page.special:
            return web.Response(status=404, text="404 Not Found")
        enc = site.ident.encoding
        html = page.body.decode("gbk" if enc == "gbk" else "utf-8", "replace")
        html = html.replace(site.host, entry["host"])
        if entry.get("mode") == "template":
            html = html.replace(site.ident.name, f"{site.ident.place}综合信息网")
            html = html.replace(site.ident.official_name, f"{site.ident.place}综合信息网")
            html = html.replace(site.ident.code, "9" * 10)
        return web.Response(status=200, body=html.encode("utf-8"), content_type="text/html", charset="utf-8")

    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        host = (request.host or "").split(":")[0].lower()
        raw = request.raw_path
        path = raw.split("?")[0]
        if host in self.copies:
            return self._copy(self.copies[host], raw)
        if host in self.js_built and raw in ("/", self._home_path(host)):
            resp = self._script_built(host, raw)
            if resp is not None:
                return resp
        if host in self.js_columns:
            resp = self._script_built_column(host, raw)
            if resp is not None:
                return resp
        if host in self.noise:
            return web.Response(text=NOISE_HTML.format(name=f"{host}科技有限公司"), content_type="text/html")
        if host in self.placeholders:
            return web.Response(text=PLACEHOLDER_HTML, content_type="text/html")
        if host in self.mig_target:
            if not self.migrated:
                return web.Response(status=404, text=f"unknown host: {host}\n")
            status, body = self._target_page(self.mig_target[host], path)
            return web.Response(status=status, text=body, content_type="text/html")
        if host in self.mig_old and self.migrated:
            m = self.mig_old[host]
            items = self.items(m)
            hit = items.get(path) or items.get(unquote(raw))  # query-style item URLs
            if hit and hit[0] == "redirected":
                raise web.HTTPMovedPermanently(self.farm.base_url(m.target) + hit[3])
            return web.Response(status=404, text="404 Not Found")
        return await self.base.handle(request)


def manifest(farm: Farm, extras: Extras, migrated: bool = False) -> dict:
    from govsite.farm import manifest as mf

    data = mf.build(farm)
    data["extras"] = extras.to_json() | {"migrated": migrated}
    return data


class Running:
    def __init__(
        self,
        app: ExtrasApp,
        port: int,
        loop: asyncio.AbstractEventLoop,
        thread: threading.Thread,
        stop: asyncio.Event,
    ) -> None:
        self.app, self.port, self.loop, self.thread, self._stop = app, port, loop, thread, stop

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self._stop.set)
        self.thread.join(10)


def serve_in_thread(farm: Farm, extras: Extras, warp: float = 20000.0) -> Running:
    """Serve on 127.0.0.1:farm.port (0 = any free port; then farm.port is set to it) in a thread.
    The fast clock keeps availability failures (slow answers, resets) to milliseconds."""
    app = ExtrasApp(farm, extras, warp)
    ready = threading.Event()
    box: dict = {}

    async def main() -> None:
        runner = web.ServerRunner(web.Server(app.handle, access_log=None), handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", farm.port)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        farm.port = port
        box["port"], box["loop"], box["stop"] = port, asyncio.get_running_loop(), asyncio.Event()
        ready.set()
        try:
            await box["stop"].wait()
        finally:
            await runner.cleanup()

    t = threading.Thread(target=lambda: asyncio.run(main()), daemon=True)
    t.start()
    if not ready.wait(30):
        raise RuntimeError("extras farm did not start")
    return Running(app, box["port"], box["loop"], t, box["stop"])


def _decoded(page: Page, default_encoding: str) -> tuple[str, str]:
    """A farm page's encoding and its text."""
    enc = page.charset or default_encoding
    return enc, page.body.decode("gbk" if enc.lower() in ("gbk", "gb2312") else "utf-8", "replace")


def _html_response(html: str, charset: str | None, enc: str) -> web.Response:
    ctype = "text/html" + (f"; charset={charset}" if charset else "")
    return web.Response(
        status=200, body=html.encode(enc, "xmlcharrefreplace"), headers={"Content-Type": ctype}
    )


def main() -> None:
    ap = argparse.ArgumentParser(description="farm + extra hosts (discovery, closed sites, migration)")
    ap.add_argument("--sites", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--as-of", default="2017-09-14")
    ap.add_argument("--port", type=int, default=8090)
    ap.add_argument("--counterfeits", type=int, default=10)
    ap.add_argument("--aliases", type=int, default=4)
    ap.add_argument("--noise", type=int, default=5)
    ap.add_argument("--manifest", type=Path, default=None)
    ap.add_argument("--time-warp", type=float, default=20000.0)
    ap.add_argument("--placeholders", type=int, default=0, help="farm sites answering with a 升级改版中 page")
    ap.add_argument(
        "--migrate",
        action="append",
        default=[],
        metavar="OLD=TARGET",
        help="farm host OLD merged into the new host TARGET (repeatable)",
    )
    ap.add_argument("--migrated", action="store_true", help="serve the migrations as done (else as before)")
    ap.add_argument(
        "--js-built",
        action="append",
        default=[],
        metavar="HOST",
        help="farm host whose home page is built by JavaScript (repeatable)",
    )
    ap.add_argument(
        "--js-columns",
        action="append",
        default=[],
        metavar="HOST",
        help="farm host whose column pages' lists are built by JavaScript (repeatable)",
    )
    a = ap.parse_args()
    farm = Farm(a.seed, a.sites, date.fromisoformat(a.as_of), port=a.port)
    ex = plan(farm, a.counterfeits, a.aliases, a.noise, placeholders=a.placeholders)
    for spec in a.migrate:
        old, _, target = spec.partition("=")
        if old not in farm.by_host or not target:
            ap.error(f"--migrate {spec}: OLD must be a farm host and TARGET a new host name")
        ex.migrations.append(Migration(old=old, target=target))
    for host in a.js_built:
        if host not in farm.by_host:
            ap.error(f"--js-built {host}: not a farm host")
        ex.js_built.append(host)
    for host in a.js_columns:
        if host not in farm.by_host:
            ap.error(f"--js-columns {host}: not a farm host")
        ex.js_columns.append(host)
    if a.manifest:
        a.manifest.write_text(
            json.dumps(manifest(farm, ex, a.migrated), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
    app = ExtrasApp(farm, ex, a.time_warp)
    app.migrated = a.migrated

    async def run() -> None:
        runner = web.ServerRunner(web.Server(app.handle, access_log=None))
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", a.port, backlog=1024).start()
        await asyncio.Event().wait()

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
