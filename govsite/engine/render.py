"""Optional headless-Chromium pass (`govsite check --render`): Debian's `/usr/bin/chromium`
driven by Playwright (never a downloaded browser).

1. Pages built by JavaScript: when the home page looks script-built (few links or columns but
   scripts, or no 找错 entry in the static HTML), the rendered DOM is extracted again and fed to
   the Collector, so the home-page checks see the columns and the 找错 entry a visitor sees.
   Column pages too: a crawled column page whose own list gave no dated item is fetched again
   and, when it looks script-built (`looks_script_built_column`), rendered in a second tab of
   the same browser (at most MAX_COLUMN_PAGES a site, within the check's deadline) and its
   rendered list given to the Collector, so column freshness (V15-3, D15-4) is what a visitor
   sees.
2. Evidence: for home-page findings, the problem region is outlined in red and a clipped JPEG
   screenshot (≤ MAX_SHOT bytes) is attached to the evidence as a `data:image/jpeg;base64,…` URI
   under the key `screenshot`, so the SiteReport stays self-contained. A stale or blank column
   on a rendered column page gets one the same way (its newest date, else its list, marked).

Chromium never touches the network itself: every request it makes is answered through the
engine's own guarded Fetcher (same private-address refusal, `--resolve` mapping and politeness),
and requests to hosts outside the site are aborted (a government page's statistics, badge and
找错 scripts are not needed to see its DOM)."""

from __future__ import annotations

import asyncio
import base64
import os
import shutil
from dataclasses import dataclass, field
from typing import Any

from govsite.engine.extract import extract_page
from govsite.engine.extract.facts import PageFacts
from govsite.engine.fetch import Fetcher
from govsite.engine.scoring import Finding
from govsite.engine.urls import host_of, normalize

CHROMIUM = "/usr/bin/chromium"  # Debian's package; GOVSITE_CHROMIUM names another system build
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--disable-features=Translate,OptimizationHints,MediaRouter",
    # Belt and braces: Chromium's own resolver answers nothing; page requests are fulfilled
    # from the Fetcher before any lookup would happen.
    "--host-resolver-rules=MAP * ~NOTFOUND",
]
VIEWPORT = {"width": 1280, "height": 900}
MAX_SHOT = 200 * 1024
QUALITIES = (70, 50, 35, 22)
MAX_RESOURCE = 5 * 1024 * 1024
PAGE_TIMEOUT = 30.0
SETTLE_MS = 500  # after `load`: time for scripts that inject columns on a timer
FEW_LINKS = 25
FEW_COLUMNS = 2
MAX_COLUMN_PAGES = 10  # column pages rendered per site
MIN_LEFT = 5.0  # seconds of the check's budget that column rendering leaves to the rest of the check
# Text by which a column page says it is empty on purpose or has nothing: rendering will not change that.
EMPTY_NOTES = ("暂无", "不予公开", "无需要公开", "没有相关信息", "无相关信息")
TYPED_FIRST = ("news", "notice", "policy", "personnel", "plan")


class RenderUnavailable(RuntimeError):
    """Chromium or Playwright is missing (message in Chinese, for users)."""


def chromium_path() -> str:
    return os.environ.get("GOVSITE_CHROMIUM") or CHROMIUM


def unavailable_reason(executable: str | None = None) -> str | None:
    """Why the render pass cannot run here, or None when it can."""
    executable = executable or chromium_path()
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "未安装 Playwright（pip install 'playwright>=1.45,<2'；无需 playwright install，使用系统 Chromium）"
    if not (os.path.isfile(executable) and os.access(executable, os.X_OK)) and not shutil.which(executable):
        return f"未找到 Chromium（{executable}）；请安装 Debian 软件包 chromium（apt-get install chromium）"
    return None


def looks_script_built(facts: PageFacts) -> bool:
    """A home page whose content a script probably injects: no 找错 entry in the static HTML, or
    few links and columns while carrying scripts."""
    scripts = sum(1 for ln in facts.links if ln.tag == "script") + len(facts.inline_scripts)
    anchors = sum(1 for ln in facts.links if ln.tag == "a")
    if facts.jiucuo_entry == "none":
        return True
    return scripts > 0 and (anchors < FEW_LINKS or len(facts.columns) < FEW_COLUMNS) and not facts.is_hub


def looks_script_built_column(facts: PageFacts) -> bool:
    """A column page whose list a script probably injects: not one dated list item on it, no
    note that the column is empty, and scripts on the page (a genuinely blank column page says
    暂无信息 or carries no script at all)."""
    if facts.is_hub or any(it.date for c in facts.columns for it in c.items):
        return False
    if any(note in facts.text for note in EMPTY_NOTES):
        return False
    return bool(facts.inline_scripts) or any(ln.tag == "script" for ln in facts.links)


# -- marking the problem region ------------------------------------------------------------------
_MARK_JS = """([kind, value]) => {
  const prev = window.__govsiteMarked;
  if (prev) { prev.style.outline = prev.dataset.govsiteOutline || ''; }
  let el = null;
  if (kind === 'css') {
    for (const s of value.split('||')) { try { el = document.querySelector(s); } catch (e) {} if (el) break; }
  } else if (kind === 'href') {
    const all = document.querySelectorAll('a[href],img[src],script[src],iframe[src],embed[src],area[href]');
    for (const e of all) {
      const u = e.href || e.src || '';
      const raw = e.getAttribute('href') || e.getAttribute('src') || '';
      if (u === value || raw === value || (value.length > 8 && u.endsWith(value))) { el = e; break; }
    }
  } else if (kind === 'text') {
    const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    let n;
    while ((n = w.nextNode())) { if (n.nodeValue && n.nodeValue.includes(value)) { el = n.parentElement; break; } }
  }
  if (!el) return null;
  // An invisible element (a hidden link, a script) is shown through its nearest visible box.
  let box = el;
  while (box && box !== document.body) {
    const r = box.getBoundingClientRect();
    if (r.width > 4 && r.height > 4 && getComputedStyle(box).visibility !== 'hidden') break;
    box = box.parentElement;
  }
  box = box || document.body;
  box.dataset.govsiteOutline = box.style.outline || '';
  box.style.outline = '4px solid red';
  box.style.outlineOffset = '2px';
  window.__govsiteMarked = box;
  box.scrollIntoView({block: 'center'});
  const r = box.getBoundingClientRect();
  return {x: r.left + window.scrollX, y: r.top + window.scrollY, w: r.width, h: r.height,
          pw: document.documentElement.scrollWidth, ph: document.documentElement.scrollHeight};
}"""

FOOTER = "css", ".footer||#footer||footer||.foot||#foot||.bottom||#bottom||.copyright"
HEADER = "css", ".header||#header||header||.logo||.top||h1"
SEARCH = "css", "form[action*=search]||form[action*=Search]||.search-form||form.search||form"
LIST = (
    "css",
    (
        "#list||.list-table||ul.list||.list||.default_pgContainer||.xxgk-list||.column-list||.news-list"
        "||.column-title||h2||.main||body"
    ),
)
COLUMN_FINDINGS = ("V15-3", "D15-4")


def column_locator(ev: dict) -> tuple[str, str]:
    """Where a stale/blank column's problem shows on its page: the newest date when the
    evidence names one, else the list (for a blank list, its nearest visible box)."""
    detail = str(ev.get("detail") or "")
    if "最新信息 " in detail:
        newest = detail.split("最新信息 ", 1)[1].split("，", 1)[0].strip()
        if newest:
            return "text", newest
    return LIST


def locator(finding: Finding, ev: dict) -> tuple[str, str] | None:
    """Where on the home page a finding's problem is (kind, value) for the marking script."""
    fid = finding.id
    if fid in ("G-ID-1", "G-ID-2", "G-ID-4"):
        return FOOTER
    if fid == "G-NAME-1":
        return HEADER
    if fid == "G-FUN-6":
        return SEARCH
    if ev.get("target"):
        return "href", str(ev["target"])
    if ev.get("wrong"):
        return "text", str(ev["wrong"])
    if fid == "G-SEC-1":
        for sig in ("Hacked by", "hacked by", "黑客"):
            if sig in (ev.get("detail") or ""):
                return "text", sig
        return "css", "body"
    if fid.startswith("D15-2") or fid.startswith("D19-9"):
        detail = ev.get("detail") or ""
        for tok in detail.split():
            if tok.startswith(("http://", "https://", "/")):
                return "href", tok.rstrip("，。；,;）)")
    return None


@dataclass
class ColumnRender:
    """One column page the render pass rendered."""

    url: str
    dated: int = 0  # dated list items on the rendered page
    error: str | None = None
    shot: bool = False


@dataclass
class HomeRender:
    """An open Chromium page showing the site's home page; `close()` when done. Column pages
    are rendered in a second tab of the same browser."""

    url: str
    html: str = ""
    facts: PageFacts | None = None
    script_built: bool = False
    error: str | None = None
    shots: int = 0
    columns: list[ColumnRender] = field(default_factory=list)
    checked_columns: int = 0  # column pages fetched to test `looks_script_built_column`
    _pw: Any = None
    _browser: Any = None
    _page: Any = None
    _tab: Any = None
    _hosts: list[str] = field(default_factory=list)
    _deadline: float = 0.0  # for the Fetcher answering the browser's requests: moved on by each load

    async def close(self) -> None:
        for obj, meth in ((self._browser, "close"), (self._pw, "stop")):
            if obj is not None:
                try:
                    await getattr(obj, meth)()
                except Exception:  # noqa: BLE001 - a browser already gone is closed
                    pass
        self._browser = self._pw = self._page = self._tab = None

    async def load(self, url: str, timeout: float) -> str:
        """Render `url` in the column tab (opened on first use) and return its DOM."""
        if self._tab is None:
            self._tab = await self._page.context.new_page()
        self._deadline = asyncio.get_running_loop().time() + timeout
        await self._tab.goto(url, wait_until="load", timeout=timeout * 1000)
        await self._tab.wait_for_timeout(SETTLE_MS)
        return await self._tab.content()

    async def screenshot(self, where: tuple[str, str], page: Any = None) -> str | None:
        """Outline the region and return a clipped JPEG data URI (≤ MAX_SHOT), or None."""
        page = page or self._page
        if page is None:
            return None
        try:
            box = await page.evaluate(_MARK_JS, list(where))
            if not box:
                return None
            margin = 40
            x = max(0.0, box["x"] - margin)
            y = max(0.0, box["y"] - margin)
            w = min(max(box["w"] + 2 * margin, 480.0), float(box["pw"]) - x, 1600.0)
            h = min(max(box["h"] + 2 * margin, 240.0), float(box["ph"]) - y, 1000.0)
            if w < 10 or h < 10:
                return None
            clip = {"x": x, "y": y, "width": w, "height": h}
            data = b""
            for q in QUALITIES:
                data = await page.screenshot(type="jpeg", quality=q, clip=clip, full_page=True)
                if len(data) <= MAX_SHOT:
                    break
            else:
                return None
        except Exception:  # noqa: BLE001 - a page that breaks the screenshot just gets none
            return None
        self.shots += 1
        return "data:image/jpeg;base64," + base64.b64encode(data).decode("ascii")

    async def annotate(self, findings: list[Finding], home_url: str, limit: int = 12) -> int:
        """Attach a marked screenshot to the first home-page evidence of each problem finding."""
        done = 0
        home = {home_url.rstrip("/"), self.url.rstrip("/")}
        for fnd in findings:
            if done >= limit or fnd.status not in ("deduct", "veto"):
                continue
            for ev in fnd.evidence:
                if (ev.get("url") or "").rstrip("/") not in home:
                    continue
                where = locator(fnd, ev)
                if where is None:
                    continue
                shot = await self.screenshot(where)
                if shot:
                    ev["screenshot"] = shot
                    done += 1
                    break
        return done

    async def annotate_columns(self, findings: list[Finding], deadline: float) -> int:
        """One marked screenshot per rendered column page named by stale/blank column evidence
        (V15-3, D15-4): the page is loaded again in the column tab, since only one is kept."""
        rendered = {c.url: c for c in self.columns if c.error is None}
        loop = asyncio.get_running_loop()
        done = 0
        # Deductions first, so the screenshot sits in the finding that costs points.
        ordered = sorted(
            (x for x in findings if x.id in COLUMN_FINDINGS), key=lambda x: x.status not in ("deduct", "veto")
        )
        for fnd in ordered:
            for ev in fnd.evidence:
                col = rendered.get(str(ev.get("url") or ""))
                left = deadline - loop.time()
                if col is None or col.shot or left < 1.0:
                    continue
                try:
                    await self.load(col.url, min(PAGE_TIMEOUT, left))
                except Exception:  # noqa: BLE001 - a page that will not load again gets no screenshot
                    col.shot = True
                    continue
                where = column_locator(ev)
                shot = await self.screenshot(where, self._tab)
                if shot is None and where != LIST:
                    shot = await self.screenshot(LIST, self._tab)
                col.shot = True
                if shot:
                    ev["screenshot"] = shot
                    done += 1
        return done

    async def finish(self, findings: list[Finding], home_url: str, deadline: float | None = None) -> None:
        try:
            if self.error:
                # Say so where it matters: the 找错 entry is what script-built pages most often hide.
                for fnd in findings:
                    if fnd.id == "G-ID-4":
                        fnd.evidence.append(
                            {"url": home_url, "detail": f"{self.error}（以上为未渲染页面的结果）"}
                        )
            else:
                if self.script_built:
                    for fnd in findings:
                        if fnd.id == "G-ID-4":
                            fnd.evidence.append(
                                {"url": home_url, "detail": "首页内容由脚本生成，已按浏览器渲染后的页面检查"}
                            )
                await self.annotate(findings, home_url)
            if self.columns:
                end = deadline if deadline is not None else asyncio.get_running_loop().time() + PAGE_TIMEOUT
                await self.annotate_columns(findings, end)
        finally:
            await self.close()


def _own(host: str, hosts: list[str]) -> bool:
    return any(host == h or host.endswith("." + h) for h in hosts)


async def open_home(
    f: Fetcher,
    url: str,
    *,
    domains: list[str] | None = None,
    timeout: float = PAGE_TIMEOUT,
    executable: str | None = None,
) -> HomeRender:
    """Load the home page in Chromium (requests answered by `f`); raise RenderUnavailable when
    the browser cannot run here. A page that fails to load is returned with `error` set."""
    executable = executable or chromium_path()
    why = unavailable_reason(executable)
    if why:
        raise RenderUnavailable(why)
    from playwright.async_api import async_playwright

    site = host_of(url)
    hosts = [h for h in {site, site.removeprefix("www."), *(d.lower() for d in domains or [])} if h]
    r = HomeRender(url=url, _hosts=hosts)
    try:
        r._pw = await async_playwright().start()
        r._browser = await r._pw.chromium.launch(executable_path=executable, args=ARGS, headless=True)
    except Exception as exc:  # noqa: BLE001 - a browser that will not start is an unavailable one
        await r.close()
        raise RenderUnavailable(f"Chromium 无法启动：{str(exc).splitlines()[0][:200]}") from exc
    ctx = await r._browser.new_context(
        viewport=VIEWPORT, locale="zh-CN", service_workers="block", ignore_https_errors=False
    )
    page = r._page = await ctx.new_page()
    loop = asyncio.get_running_loop()
    r._deadline = loop.time() + timeout

    async def answer(route: Any, request: Any) -> None:
        u = request.url
        if u.startswith(("data:", "blob:")):
            await route.continue_()
            return
        if not _own(host_of(u), hosts) or request.method not in ("GET", "HEAD"):
            await route.abort("blockedbyclient")
            return
        res = await f.get(u, max_body=MAX_RESOURCE, deadline=r._deadline)
        if res.status is None:
            await route.abort("failed")
            return
        headers = {"content-type": res.content_type} if res.content_type else {}
        await route.fulfill(status=res.status, headers=headers, body=res.body or b"")

    await ctx.route("**/*", answer)  # the context's, so the column tab is answered the same way
    try:
        await page.goto(url, wait_until="load", timeout=timeout * 1000)
        await page.wait_for_timeout(SETTLE_MS)
        r.html = await page.content()
    except Exception as exc:  # noqa: BLE001 - Playwright's timeouts and navigation errors
        r.error = f"渲染首页失败：{str(exc).splitlines()[0][:200]}"
    return r


async def render_home(
    f: Fetcher,
    url: str,
    collector: Any,
    *,
    as_of: Any = None,
    domains: list[str] | None = None,
    force: bool = False,
    timeout: float = PAGE_TIMEOUT,
) -> HomeRender:
    """The check's render pass: open the home page; when it looks script-built (or `force`),
    extract the rendered DOM and give it to `collector` as the home page. Returns the open
    page for screenshots (`finish()` closes it)."""
    r = await open_home(f, url, domains=domains, timeout=timeout)
    static = collector.home
    if r.html and static is not None and (force or looks_script_built(static)):
        facts = extract_page(r.html, static.url, as_of=as_of)
        r.facts = facts
        r.script_built = True
        from govsite.engine.crawl import PageRecord

        collector.home = None
        collector(facts, PageRecord(url=static.url, depth=0, status=200, error=None, elapsed=0.0, html=True))
    return r


def column_candidates(collector: Any, pages: list[Any]) -> list[str]:
    """Crawled column pages whose own list gave no dated item (a list never read on its own
    page, blank, or undated): the ones rendering could change. Typed columns first, since
    their freshness is scored. When the home page shows no column (a hub, or a page whose
    lists a script failed to build), its second-level pages are the column pages: they
    follow, in crawl order."""
    crawled: dict[str, Any] = {}
    for rec in pages:
        if rec.depth > 0 and rec.html and not rec.error:
            for u in (normalize(rec.url), normalize(rec.final_url)):
                if u:
                    crawled.setdefault(u, rec)
    seen: set[str] = set()
    out: list[tuple[int, str]] = []
    for obs in collector.columns.values():
        if not obs.url or obs.url in seen or obs.url not in crawled:
            continue
        seen.add(obs.url)
        if obs.from_page and obs.items > 0 and obs.latest is not None:
            continue
        out.append((0 if obs.type in TYPED_FIRST else 1, obs.url))
    home = collector.home
    if home is not None and (home.is_hub or not home.columns):
        for u, rec in crawled.items():
            if rec.depth == 1 and u not in seen:
                seen.add(u)
                out.append((2, u))
    return [u for _rank, u in sorted(out, key=lambda x: x[0])]


async def render_columns(
    r: HomeRender,
    f: Fetcher,
    collector: Any,
    pages: list[Any],
    *,
    as_of: Any = None,
    deadline: float,
    max_pages: int = MAX_COLUMN_PAGES,
) -> list[ColumnRender]:
    """Render (in `r`'s column tab) up to `max_pages` column pages that look script-built and
    give their rendered lists to `collector` in place of the static ones. Each candidate is
    first fetched statically (cheap) and tested with `looks_script_built_column`; at most
    3 × `max_pages` are tested, and nothing starts with less than MIN_LEFT seconds left
    before `deadline`."""
    from govsite.engine.crawl import PageRecord

    loop = asyncio.get_running_loop()
    depth = {normalize(p.url) or p.url: p.depth for p in pages}
    # 1. static test of the candidates, cheap; 2. render the likeliest lists first: a page with a
    # pager (a list page with its items missing), then one naming its column, then the rest.
    found: list[tuple[int, int, str]] = []
    for url in column_candidates(collector, pages)[: 3 * max_pages]:
        left = deadline - loop.time() - MIN_LEFT
        if left <= 1.0:
            break
        r.checked_columns += 1
        res = await f.get(url, deadline=loop.time() + min(PAGE_TIMEOUT, left))
        if res.status != 200 or not res.body:
            continue
        static = extract_page(res.body, res.final_url or url, as_of=as_of, encoding=None)
        if looks_script_built_column(static):
            rank = 0 if static.pagination else (1 if static.meta.get("ColumnName") else 2)
            found.append((rank, len(found), url))
    for _rank, _n, url in sorted(found)[:max_pages]:
        left = deadline - loop.time() - MIN_LEFT
        if left <= 1.0:
            break
        col = ColumnRender(url=url)
        r.columns.append(col)
        try:
            html = await r.load(url, min(PAGE_TIMEOUT, left))
        except Exception as exc:  # noqa: BLE001 - Playwright's timeouts and navigation errors
            col.error = f"渲染栏目页失败：{str(exc).splitlines()[0][:200]}"
            continue
        facts = extract_page(html, url, as_of=as_of)
        col.dated = sum(1 for c in facts.columns for it in c.items if it.date)
        # Only the column observations: the page was already counted, and its footer sampled, statically.
        collector._columns(
            facts,
            PageRecord(url=url, depth=depth.get(url, 1), status=200, error=None, elapsed=0.0, html=True),
        )
    return r.columns


async def render_site(
    f: Fetcher,
    url: str,
    collector: Any,
    pages: list[Any],
    *,
    as_of: Any = None,
    domains: list[str] | None = None,
    deadline: float,
    force: bool = False,
    max_columns: int = MAX_COLUMN_PAGES,
) -> HomeRender:
    """The check's render pass: the home page (`render_home`), then script-built column pages
    (`render_columns`), in one browser. `finish()` attaches screenshots and closes it."""
    loop = asyncio.get_running_loop()
    r = await render_home(
        f,
        url,
        collector,
        as_of=as_of,
        domains=domains,
        force=force,
        timeout=min(PAGE_TIMEOUT, max(5.0, deadline - loop.time())),
    )
    if r.error is None and max_columns > 0:
        try:
            await render_columns(
                r, f, collector, pages, as_of=as_of, deadline=deadline, max_pages=max_columns
            )
        except BaseException:
            await r.close()
            raise
    return r


__all__ = [
    "CHROMIUM",
    "MAX_COLUMN_PAGES",
    "ColumnRender",
    "HomeRender",
    "chromium_path",
    "RenderUnavailable",
    "column_candidates",
    "column_locator",
    "locator",
    "looks_script_built",
    "looks_script_built_column",
    "open_home",
    "render_columns",
    "render_home",
    "render_site",
    "unavailable_reason",
]
