"""1,000 sites serve from a bounded memory: every page is derived on request and only LRUs
are kept, so RSS stops growing however many sites are visited."""

from __future__ import annotations

import asyncio
import re

import aiohttp
import psutil
import pytest

from .conftest import start_farm, stop
from .test_defects import path_of

# Stated bound: serving pages from all 1,000 sites grows the server by less than this.
RSS_GROWTH_BOUND = 150 * 1024 * 1024


async def crawl(port: int, manifest: dict, per_site: int) -> int:
    ok = 0
    sem = asyncio.Semaphore(32)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=32)) as session:

        async def one(host: str, path: str) -> None:
            nonlocal ok
            async with sem:
                try:
                    async with session.get(f"http://127.0.0.1:{port}{path}", headers={"Host": host},
                                           timeout=aiohttp.ClientTimeout(total=30)) as r:
                        await r.read()
                        ok += r.status == 200
                except (TimeoutError, aiohttp.ClientError):
                    pass  # an unreachable site's home page in a failing slot

        jobs = []
        for site in manifest["sites"]:
            cols = [c for c in site["columns"] if c["items"]]
            paths = ["/css/style.css"] + [path_of(c["url"]) for c in cols[: per_site - 1]]
            jobs += [one(site["host"], p) for p in paths]
        await asyncio.gather(*jobs)
    return ok


@pytest.mark.slow
def test_rss_bounded_for_1000_sites(tmp_path) -> None:  # noqa: ANN001
    live = start_farm(tmp_path, 1000, 21)
    try:
        proc = psutil.Process(live.proc.pid)
        small = {**live.manifest, "sites": live.manifest["sites"][:20]}
        asyncio.run(crawl(live.port, small, 4))
        base = proc.memory_info().rss
        ok1 = asyncio.run(crawl(live.port, live.manifest, 4))
        mid = proc.memory_info().rss
        ok2 = asyncio.run(crawl(live.port, live.manifest, 8))
        end = proc.memory_info().rss
        assert ok1 > 3500 and ok2 > 7000
        print(f"RSS base {base >> 20} MB, after 4k pages {mid >> 20} MB, after 8k more {end >> 20} MB")
        assert end - base < RSS_GROWTH_BOUND
        # Home pages carry the site identity: spot-check one far site is really served.
        site = live.manifest["sites"][-1]
        html = live.get(site["host"], "/css/style.css")[2]
        assert re.search(rb"font-family", html)
    finally:
        stop(live)
