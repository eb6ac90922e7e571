"""Optional headless-Chromium pass (`govsite check --render`): Debian's `/usr/bin/chromium`
driven by Playwright (never a downloaded browser).

1. Pages built by JavaScript: when the home page looks script-built (few links or columns but
   scripts, or no 找错 entry in the static HTML), the rendered DOM is extracted again and fed to
   the Collector, so the home-page checks see the columns and the 找错 entry a visitor sees.
2. Evidence: for home-page findings, the problem region is outlined in red and a clipped JPEG
   screenshot (≤ MAX_SHOT bytes) is attached to the evidence as a `data:image/jpeg;base64,…` URI
   under the key `screenshot`, so the SiteReport stays self-contained.

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
from govsite.engine.urls import host_of

CHROMIUM = "/usr/bin/chromium"  # Debian's package; GOVSITE_CHROMIUM names another system build
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-default-apps",
        "--disable-features=Translate,OptimizationHints,MediaRouter",
        # Belt and braces: Chromium's own resolver answers nothing; page requests are fulfilled
        # from the Fetcher before any lookup would happen.
        "--host-resolver-rules=MAP * ~NOTFOUND"]
VIEWPORT = {"width": 1280, "height": 900}
MAX_SHOT = 200 * 1024
QUALITIES = (70, 50, 35, 22)
MAX_RESOURCE = 5 * 1024 * 1024
PAGE_TIMEOUT = 30.0
SETTLE_MS = 500  # after `load`: time for scripts that inject columns on a timer
FEW_LINKS = 25
FEW_COLUMNS = 2


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
class HomeRender:
    """An open Chromium page showing the site's home page; `close()` when done."""

    url: str
    html: str = ""
    facts: PageFacts | None = None
    script_built: bool = False
    error: str | None = None
    shots: int = 0
    _pw: Any = None
    _browser: Any = None
    _page: Any = None
    _hosts: list[str] = field(default_factory=list)

    async def close(self) -> None:
        for obj, meth in ((self._browser, "close"), (self._pw, "stop")):
            if obj is not None:
                try:
                    await getattr(obj, meth)()
                except Exception:  # noqa: BLE001 - a browser already gone is closed
                    pass
        self._browser = self._pw = self._page = None

    async def screenshot(self, where: tuple[str, str]) -> str | None:
        """Outline the region and return a clipped JPEG data URI (≤ MAX_SHOT), or None."""
        if self._page is None:
            return None
        try:
            box = await self._page.evaluate(_MARK_JS, list(where))
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
                data = await self._page.screenshot(type="jpeg", quality=q, clip=clip, full_page=True)
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

    async def finish(self, findings: list[Finding], home_url: str) -> None:
        try:
            if self.error:
                # Say so where it matters: the 找错 entry is what script-built pages most often hide.
                for fnd in findings:
                    if fnd.id == "G-ID-4":
                        fnd.evidence.append({"url": home_url, "detail": f"{self.error}（以上为未渲染页面的结果）"})
            else:
                if self.script_built:
                    for fnd in findings:
                        if fnd.id == "G-ID-4":
                            fnd.evidence.append({"url": home_url, "detail": "首页内容由脚本生成，已按浏览器渲染后的页面检查"})
                await self.annotate(findings, home_url)
        finally:
            await self.close()


def _own(host: str, hosts: list[str]) -> bool:
    return any(host == h or host.endswith("." + h) for h in hosts)


async def open_home(f: Fetcher, url: str, *, domains: list[str] | None = None, timeout: float = PAGE_TIMEOUT,
                    executable: str | None = None) -> HomeRender:
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
    ctx = await r._browser.new_context(viewport=VIEWPORT, locale="zh-CN", service_workers="block",
                                       ignore_https_errors=False)
    page = r._page = await ctx.new_page()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout

    async def answer(route: Any, request: Any) -> None:
        u = request.url
        if u.startswith(("data:", "blob:")):
            await route.continue_()
            return
        if not _own(host_of(u), hosts) or request.method not in ("GET", "HEAD"):
            await route.abort("blockedbyclient")
            return
        res = await f.get(u, max_body=MAX_RESOURCE, deadline=deadline)
        if res.status is None:
            await route.abort("failed")
            return
        headers = {"content-type": res.content_type} if res.content_type else {}
        await route.fulfill(status=res.status, headers=headers, body=res.body or b"")

    await page.route("**/*", answer)
    try:
        await page.goto(url, wait_until="load", timeout=timeout * 1000)
        await page.wait_for_timeout(SETTLE_MS)
        r.html = await page.content()
    except Exception as exc:  # noqa: BLE001 - Playwright's timeouts and navigation errors
        r.error = f"渲染首页失败：{str(exc).splitlines()[0][:200]}"
    return r


async def render_home(f: Fetcher, url: str, collector: Any, *, as_of: Any = None, domains: list[str] | None = None,
                      force: bool = False, timeout: float = PAGE_TIMEOUT) -> HomeRender:
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


__all__ = ["CHROMIUM", "HomeRender", "chromium_path", "RenderUnavailable", "locator", "looks_script_built", "open_home",
           "render_home", "unavailable_reason"]
