"""Fetcher against real local aiohttp servers: limits, bombs, redirects, retries, SSRF, decoding."""

from __future__ import annotations

import asyncio
import ssl
import subprocess
import time
import zlib
from email.utils import formatdate

import brotli
import pytest
from aiohttp import web

from govsite.engine.fetch import (
    FetchConfig,
    Fetcher,
    GuardedResolver,
    RefusedAddress,
    _parse_retry_after,
    decode_body,
    is_forbidden_ip,
    parse_resolve,
)
from tests.engine.sitekit import Server, gzip_bomb


def _cfg(port: int, **kw) -> FetchConfig:
    base = dict(allow_private=True, resolve={("t.gov.cn", port): ["127.0.0.1"]}, backoff=0.05)
    base.update(kw)
    return FetchConfig(**base)


@pytest.fixture
async def server():
    app = web.Application()
    state = {"busy": 0, "max_busy": 0, "flaky": 0}
    bomb = gzip_bomb()

    async def page(req):
        return web.Response(text="<html><body>你好</body></html>", content_type="text/html")

    async def gz(req):
        return web.Response(body=bomb, headers={"Content-Encoding": "gzip", "Content-Type": "text/html"})

    async def br_bomb(req):
        return web.Response(body=brotli.compress(b"a" * 40_000_000), headers={"Content-Encoding": "br", "Content-Type": "text/html"})

    async def br_ok(req):
        return web.Response(body=brotli.compress("正文".encode() * 100), headers={"Content-Encoding": "br", "Content-Type": "text/html; charset=utf-8"})

    async def deflate_raw(req):
        c = zlib.compressobj(wbits=-15)
        return web.Response(body=c.compress(b"<html>raw deflate</html>") + c.flush(),
                            headers={"Content-Encoding": "deflate", "Content-Type": "text/html"})

    async def huge(req):
        resp = web.StreamResponse(headers={"Content-Type": "text/html"})
        await resp.prepare(req)
        chunk = b"x" * 65536
        try:
            for _ in range(2000):  # 128 MB if nobody stops reading
                await resp.write(chunk)
        except (ConnectionResetError, RuntimeError):
            pass
        return resp

    async def loop1(req):
        raise web.HTTPFound("/loop2")

    async def loop2(req):
        raise web.HTTPFound("/loop1")

    async def slow(req):
        await asyncio.sleep(5)
        return web.Response(text="late")

    async def flaky(req):
        state["flaky"] += 1
        if state["flaky"] == 1:
            return web.Response(status=503, headers={"Retry-After": "1"}, text="busy")
        return web.Response(text="ok now", content_type="text/html")

    async def gone(req):
        state["gone"] = state.get("gone", 0) + 1
        return web.Response(status=404, text="no")

    async def busy(req):
        state["busy"] += 1
        state["max_busy"] = max(state["max_busy"], state["busy"])
        await asyncio.sleep(0.05)
        state["busy"] -= 1
        return web.Response(text="ok")

    async def gbk(req):
        return web.Response(body="<html><title>政府网站</title></html>".encode("gbk"),
                            headers={"Content-Type": "text/html; charset=GBK"})

    async def mislabelled(req):
        return web.Response(body='<html><meta charset="utf-8"><p>通知公告栏目</p></html>'.encode("gb18030"),
                            headers={"Content-Type": "text/html; charset=utf-8"})

    async def to_private(req):
        raise web.HTTPFound("http://10.0.0.1/secret")

    for path, h in [("/", page), ("/gz", gz), ("/brbomb", br_bomb), ("/br", br_ok), ("/deflate", deflate_raw),
                    ("/huge", huge), ("/loop1", loop1), ("/loop2", loop2), ("/slow", slow), ("/flaky", flaky),
                    ("/gone", gone), ("/busy", busy), ("/gbk", gbk), ("/mislabelled", mislabelled),
                    ("/to-private", to_private)]:
        app.router.add_get(path, h)
    async with Server(app) as srv:
        srv.state = state  # type: ignore[attr-defined]
        yield srv


async def test_plain_page_and_user_agent(server):
    async with Fetcher(_cfg(server.port)) as f:
        r = await f.get(f"http://t.gov.cn:{server.port}/")
    assert r.ok and r.status == 200 and "你好" in r.text()
    assert "govsite" in f.cfg.user_agent


async def test_gzip_bomb_is_stopped(server):
    async with Fetcher(_cfg(server.port, max_decompressed=5_000_000)) as f:
        r = await f.get(f"http://t.gov.cn:{server.port}/gz")
    assert r.error == "bomb" and r.body is None


async def test_brotli_bomb_is_stopped_and_normal_brotli_decodes(server):
    async with Fetcher(_cfg(server.port, max_decompressed=5_000_000)) as f:
        bomb = await f.get(f"http://t.gov.cn:{server.port}/brbomb")
        ok = await f.get(f"http://t.gov.cn:{server.port}/br")
        raw = await f.get(f"http://t.gov.cn:{server.port}/deflate")
    assert bomb.error == "bomb"
    assert ok.ok and ok.text() == "正文" * 100
    assert raw.ok and raw.body == b"<html>raw deflate</html>"


async def test_body_size_limit_aborts_stream(server):
    async with Fetcher(_cfg(server.port, max_body=1_000_000)) as f:
        r = await f.get(f"http://t.gov.cn:{server.port}/huge")
    assert r.error == "too_large" and r.body is None


async def test_redirect_loop_is_bounded(server):
    async with Fetcher(_cfg(server.port, max_redirects=5)) as f:
        r = await f.get(f"http://t.gov.cn:{server.port}/loop1")
    assert r.error == "redirects"
    assert len(r.redirects) == 6


async def test_redirect_to_private_address_is_refused_per_hop(server):
    # allow_private covers the test host only through --resolve; the hop to 10.0.0.1 must be
    # vetted again, so use a fetcher that forbids private addresses but maps the test host
    # to loopback via a resolver that the guard would refuse: the first hop itself fails.
    async with Fetcher(FetchConfig(allow_private=False, resolve={("t.gov.cn", server.port): ["127.0.0.1"]})) as f:
        r = await f.get(f"http://t.gov.cn:{server.port}/to-private")
    assert r.error == "refused_private"
    async with Fetcher(FetchConfig(allow_private=False)) as f:
        r2 = await f.get("http://10.0.0.1/secret")
        r3 = await f.get("http://[::1]:9/")
        r4 = await f.get("http://localhost:9/")
    assert r2.error == r3.error == r4.error == "refused_private"


async def test_resolver_refuses_private_answers_at_connect_time():
    res = GuardedResolver({("evil.test", 80): ["192.168.1.5"]}, allow_private=False)
    with pytest.raises(RefusedAddress):
        await res.resolve("evil.test", 80)
    ok = GuardedResolver({("evil.test", 80): ["192.168.1.5"]}, allow_private=True)
    infos = await ok.resolve("evil.test", 80)
    assert infos[0]["host"] == "192.168.1.5"
    # a mapping only applies to its own port, exactly like curl --resolve
    with pytest.raises(OSError):
        await res.resolve("evil.test", 81)
    await res.close()
    await ok.close()


def test_forbidden_ranges():
    for ip in ("127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.0.1", "169.254.1.1", "224.0.0.1", "0.0.0.0",
               "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "100.64.0.1", "240.0.0.1"):
        assert is_forbidden_ip(ip), ip
    for ip in ("202.108.22.5", "8.8.8.8", "2400:3200::1"):
        assert not is_forbidden_ip(ip), ip


def test_parse_resolve_like_curl():
    m = parse_resolve(["www.a.gov.cn:8080:127.0.0.1", "b.gov.cn:443:[::1]", "c.gov.cn:80:10.0.0.1,10.0.0.2"])
    assert m[("www.a.gov.cn", 8080)] == ["127.0.0.1"]
    assert m[("b.gov.cn", 443)] == ["::1"]
    assert m[("c.gov.cn", 80)] == ["10.0.0.1", "10.0.0.2"]
    for bad in ("nohost", "a:b:1.2.3.4", "a.gov.cn:80:not-an-ip", "a.gov.cn:70000:1.2.3.4"):
        with pytest.raises(ValueError):
            parse_resolve([bad])


async def test_timeout_is_an_error_kind(server):
    async with Fetcher(_cfg(server.port, read_timeout=0.3, total_timeout=0.5, retries=0)) as f:
        r = await f.get(f"http://t.gov.cn:{server.port}/slow")
    assert r.error == "timeout"


async def test_retry_after_is_honoured_for_transient_statuses_only(server):
    async with Fetcher(_cfg(server.port, retries=2)) as f:
        r = await f.get(f"http://t.gov.cn:{server.port}/flaky")
        g = await f.get(f"http://t.gov.cn:{server.port}/gone")
    assert r.ok and r.attempts == 2 and "ok now" in r.text()
    assert g.error == "http_404" and g.attempts == 1 and server.state["gone"] == 1


def test_retry_after_date_is_measured_on_the_servers_clock():
    # A server 2 h ahead of (or behind) this machine: the wait is Retry-After minus the response's
    # own Date, not minus the local clock (which would give 2 h, or nothing).
    for server_now in (time.time() + 7200, time.time() - 7200):
        date = formatdate(server_now, usegmt=True)
        later = formatdate(server_now + 20, usegmt=True)
        assert _parse_retry_after(later, date) == pytest.approx(20, abs=1)
    assert _parse_retry_after("7", None) == 7.0
    assert _parse_retry_after("not a date", None) is None
    local = _parse_retry_after(formatdate(time.time() + 20, usegmt=True), "garbage")
    assert local == pytest.approx(20, abs=2)  # unusable Date: the local clock


async def test_unreachable_and_unresolvable(server):
    async with Fetcher(FetchConfig(allow_private=True, retries=0)) as f:
        refused = await f.get("http://127.0.0.1:1/")
        dns = await f.get("http://no-such-host.invalid/")
        bad = await f.get("ftp://example.gov.cn/")
    assert refused.error == "connect"
    assert dns.error == "dns"
    assert bad.error == "invalid"


async def test_per_host_concurrency_is_bounded(server):
    async with Fetcher(_cfg(server.port, per_host=2)) as f:
        rs = await asyncio.gather(*(f.get(f"http://t.gov.cn:{server.port}/busy") for _ in range(12)))
    assert all(r.ok for r in rs)
    assert server.state["max_busy"] <= 2


async def test_decoding_gbk_and_mislabelled_pages(server):
    async with Fetcher(_cfg(server.port)) as f:
        a = await f.get(f"http://t.gov.cn:{server.port}/gbk")
        b = await f.get(f"http://t.gov.cn:{server.port}/mislabelled")
    assert "政府网站" in a.text()
    assert "通知公告栏目" in b.text()
    # GB2312 declared in meta only, with a GB18030-only character
    body = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312"><p>镕基</p>'.encode("gb18030")
    assert "镕基" in decode_body(body, "text/html")


async def test_tls_error_is_reported(tmp_path):
    key, crt = tmp_path / "k.pem", tmp_path / "c.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(crt),
                    "-days", "1", "-subj", "/CN=t.gov.cn"], check=True, capture_output=True)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(str(crt), str(key))
    app = web.Application()

    async def hi(req):
        return web.Response(text="hi")

    app.router.add_get("/", hi)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ctx)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        async with Fetcher(_cfg(port, retries=0)) as f:
            r = await f.get(f"https://t.gov.cn:{port}/")
        assert r.error == "tls"
    finally:
        await runner.cleanup()


async def test_wildcard_resolve_maps_every_host_on_the_port():
    res = GuardedResolver(parse_resolve(["*:8080:127.0.0.1"]), allow_private=True)
    assert (await res.resolve("www.any.gov.cn", 8080))[0]["host"] == "127.0.0.1"
    await res.close()
