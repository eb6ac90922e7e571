"""The farm's asyncio HTTP server: one aiohttp application answering for every site by its
Host header. Pages come from `render`; this module adds the transport behaviour: the
availability schedule under a (possibly warped) clock, and the bounded hostile streams."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import time
import zlib
from collections import OrderedDict
from datetime import datetime, timedelta
from urllib.parse import unquote

from aiohttp import web

from govsite.farm import manifest as manifest_mod
from govsite.farm.model import SLOTS_PER_WEEK, Farm, Site
from govsite.farm.render import Page, render
from govsite.farm.rng import h64, rng
from govsite.farm.urls import urls_for

log = logging.getLogger(__name__)
CHUNK = 64 * 1024
MAX_CACHED_BODY = 256 * 1024
MAX_STREAMS = 8  # concurrent huge/slow streams; more get 503 so the farm stays healthy


class Clock:
    """Simulated time: starts at the farm's week start and runs `warp` times faster than real time."""

    def __init__(self, farm: Farm, warp: float, start: datetime | None = None) -> None:
        self.origin = start or manifest_mod.week_start(farm)
        self.warp = warp
        self.real0 = time.monotonic()

    def now(self) -> datetime:
        return self.origin + timedelta(seconds=(time.monotonic() - self.real0) * self.warp)


def failure_mode(farm: Farm, site: Site, at: datetime, origin: datetime, cache: dict | None = None) -> str | None:
    """The availability answer of `site`'s home page at simulated time `at`: None when up,
    else '5xx', 'reset' or 'slow'. Each simulated week fails exactly round(share × 2016) slots."""
    share = site.marks.get("availability")
    if not share:
        return None
    slot = int((at - origin).total_seconds() // manifest_mod.SLOT_SECONDS)
    week, s = divmod(slot, SLOTS_PER_WEEK)
    key = (site.host, week)
    failing = cache.get(key) if cache is not None else None
    if failing is None:
        k = round(share * SLOTS_PER_WEEK)
        failing = frozenset(rng(farm.seed, site.host, "avail", week).sample(range(SLOTS_PER_WEEK), k))
        if cache is not None:
            if len(cache) > 4096:
                cache.clear()
            cache[key] = failing
    if s not in failing:
        return None
    return ("5xx", "reset", "slow")[h64(farm.seed, site.host, "mode", week, s) % 3]


_BOMB: bytes | None = None


def gzip_bomb() -> bytes:
    """~100 KB of gzip that inflates to 100 MB; built once, in chunks (never 100 MB in memory)."""
    global _BOMB
    if _BOMB is None:
        co = zlib.compressobj(9, zlib.DEFLATED, 31)
        parts = [co.compress(b"<html><body>")]
        zeros = b" " * (1024 * 1024)
        for _ in range(manifest_mod.BOMB_BYTES // len(zeros)):
            parts.append(co.compress(zeros))
        parts.append(co.compress(b"</body></html>"))
        parts.append(co.flush())
        _BOMB = b"".join(parts)
    return _BOMB


class FarmApp:
    def __init__(self, farm: Farm, warp: float = 1.0, cache_pages: int = 2048) -> None:
        self.farm = farm
        self.clock = Clock(farm, warp)
        self.cache: OrderedDict[tuple[str, str], Page] = OrderedDict()
        self.cache_pages = cache_pages
        self.avail_cache: dict = {}
        self.streams = 0
        self._tick = -1
        self._clock_text = ""

    def make_app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        return app

    def clock_header(self) -> str:
        tick = int(time.monotonic() * 20)  # refreshed every 50 ms of real time
        if tick != self._tick:
            self._tick = tick
            self._clock_text = self.clock.now().isoformat(timespec="seconds")
        return self._clock_text

    def _headers(self, page: Page) -> dict[str, str]:
        ctype = page.ctype + (f"; charset={page.charset}" if page.charset else "")
        h = {"Content-Type": ctype, "Server": "nginx", "X-Farm-Clock": self.clock_header()}
        h.update(page.headers)
        return h

    def render_cached(self, site: Site, raw: str) -> Page | None:
        key = (site.host, raw)
        page = self.cache.get(key)
        if page is not None:
            self.cache.move_to_end(key)
            return page
        path, _, query = raw.partition("?")
        route = urls_for(site).parse(unquote(path), query)
        if route is None:
            return None
        page = render(site, route)
        if len(page.body) <= MAX_CACHED_BODY and page.special is None:
            self.cache[key] = page
            if len(self.cache) > self.cache_pages:
                self.cache.popitem(last=False)
        return page

    def decide(self, host_header: str, raw: str) -> tuple[str, object, Page | None]:
        """What to answer, independent of the HTTP front-end: (action, arg, page) with action
        `page` (arg unused), `plain` (arg = (status, text)), `reset`, `slow` (arg = delay in
        real seconds, then the page) or `special` (arg = hostile kind)."""
        host = host_header.split(":")[0].lower()
        site = self.farm.site_for_host(host)
        if site is None:
            if raw.split("?")[0] == "/__farm/clock":
                return "plain", (200, self.clock.now().isoformat() + "\n"), None
            return "plain", (404, f"unknown host: {host or '-'}\n"), None
        page = self.render_cached(site, raw)
        if page is None:
            from govsite.farm.render import not_found

            page = not_found()
        if page.status == 200 and "?" not in raw and raw in ("/", "/index.html", "/index.htm", "/index.php"):
            mode = failure_mode(self.farm, site, self.clock.now(), self.clock.origin, self.avail_cache)
            if mode == "5xx":
                return "plain", (503, "503 Service Temporarily Unavailable\n"), None
            if mode == "reset":
                return "reset", None, None
            if mode == "slow":
                return "slow", min(60.0, max(0.01, 16.0 / self.clock.warp)), page
        if page.special:
            return "special", page.special, None
        return "page", None, page

    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        """The aiohttp front-end (kept as a peer for the benchmark; `httpd.FarmProtocol` is the default)."""
        action, arg, page = self.decide(request.host or "", request.raw_path)
        if action == "plain":
            status, text_ = arg  # type: ignore[misc]
            return web.Response(status=status, text=text_, content_type="text/plain", headers={"Server": "nginx"})
        if action == "reset":
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError  # nothing more to send: the peer sees a reset connection
        if action == "slow":
            await asyncio.sleep(arg)  # type: ignore[arg-type]
        if action == "special":
            return await self.special(request, arg)  # type: ignore[arg-type]
        assert page is not None
        return web.Response(status=page.status, body=page.body if request.method != "HEAD" else b"",
                            headers=self._headers(page))

    async def special(self, request: web.BaseRequest, kind: str) -> web.StreamResponse:
        if kind == "gzip_bomb":
            return web.Response(body=gzip_bomb(), headers={"Content-Type": "text/html; charset=utf-8",
                                                           "Content-Encoding": "gzip", "Server": "nginx"})
        if self.streams >= MAX_STREAMS:
            return web.Response(status=503, text="busy\n")
        self.streams += 1
        try:
            resp = web.StreamResponse(headers={"Content-Type": "text/html; charset=utf-8", "Server": "nginx"})
            if kind == "huge_page":
                resp.content_length = manifest_mod.HUGE_BYTES
                await resp.prepare(request)
                chunk = (b"<p>" + "数据".encode() * 10 + b"</p>\n") * (CHUNK // 67)
                chunk = chunk + b" " * (CHUNK - len(chunk))
                for _ in range(manifest_mod.HUGE_BYTES // CHUNK):
                    await resp.write(chunk)
            else:  # slow_drip: one byte a second, bounded
                await resp.prepare(request)
                body = (b"<html><head><title>loading</title></head><body>" + b"." * manifest_mod.DRIP_BYTES)[
                    : manifest_mod.DRIP_BYTES]
                for i in range(len(body)):
                    await resp.write(body[i:i + 1])
                    await asyncio.sleep(1.0)
            await resp.write_eof()
            return resp
        except (ConnectionResetError, asyncio.CancelledError):
            raise
        finally:
            self.streams -= 1


async def serve(farm: Farm, warp: float = 1.0, host: str = "127.0.0.1", front: str = "asyncio") -> None:
    """Serve until cancelled. `front`: `asyncio` (a small HTTP/1.1 protocol on the event loop,
    the default) or `aiohttp` (aiohttp's low-level server)."""
    fa = FarmApp(farm, warp)
    # The identities live as long as the server: keep them out of the cyclic GC's scans.
    gc.collect()
    gc.freeze()
    if front == "aiohttp":
        server = web.Server(fa.handle, access_log=None)
        runner = web.ServerRunner(server, handle_signals=True)
        await runner.setup()
        site = web.TCPSite(runner, host, farm.port, backlog=1024)
        await site.start()
        try:
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()
        return
    from govsite.farm.httpd import FarmProtocol

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    srv = await loop.create_server(lambda: FarmProtocol(fa), host, farm.port, backlog=1024, reuse_address=True)
    async with srv:
        await stop.wait()


def run(farm: Farm, warp: float = 1.0, host: str = "127.0.0.1", front: str = "asyncio") -> None:
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    try:
        asyncio.run(serve(farm, warp, host, front))
    except KeyboardInterrupt:
        pass
