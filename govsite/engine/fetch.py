"""Polite, bounded HTTP fetching for the checker.

One `Fetcher` is shared by everything that reads the network during a run (crawler, link
checker, availability prober, several sites at once), so the per-host budget (concurrency and
minimum delay) holds across all of them. Every request ends in a `FetchResult`; no network
error escapes as an exception.

Safety: redirects are followed by hand so every hop is checked; addresses are vetted at connect
time inside a custom resolver (DNS rebinding cannot slip a private address in after a check);
bodies are streamed and cut at `max_body`; compressed bodies are inflated here with an output
bound, so a gzip/brotli bomb is stopped at `max_decompressed`.
"""

from __future__ import annotations

import asyncio
import codecs
import ipaddress
import re
import socket
import ssl
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

import aiohttp
import brotli
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

from govsite import __version__

USER_AGENT = f"govsite/{__version__} (government website supervision checker; +https://www.gov.cn/)"

# Statuses worth retrying: the server says "later" or a proxy in front failed.
RETRY_STATUSES = frozenset({429, 502, 503, 504})
TRANSIENT_ERRORS = frozenset({"timeout", "connect"})


class RefusedAddress(OSError):
    """Raised by the resolver when every address of a host is private/reserved."""


class ResolutionFailed(OSError):
    """The name does not resolve."""


def is_forbidden_ip(ip: str) -> bool:
    """Private, loopback, link-local, multicast, reserved or unspecified: never for a public check."""
    try:
        addr = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        return True
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        addr = addr.ipv4_mapped
    return bool(
        addr.is_private
        or addr.is_loopback
        or addr.is_link_local
        or addr.is_multicast
        or addr.is_reserved
        or addr.is_unspecified
        or (isinstance(addr, ipaddress.IPv4Address) and addr in ipaddress.ip_network("100.64.0.0/10"))
    )


def parse_resolve(values: list[str] | tuple[str, ...]) -> dict[tuple[str, int], list[str]]:
    """curl's `--resolve HOST:PORT:ADDR[,ADDR…]`; ADDR may be `[v6]`; HOST `*` maps every host on
    that port (handy for the farm's many virtual hosts). Raises ValueError."""
    out: dict[tuple[str, int], list[str]] = {}
    for raw in values:
        m = re.fullmatch(r"\+?([^:\s]+):(\d{1,5}):(.+)", raw.strip())
        if not m:
            raise ValueError(f"--resolve 格式应为 HOST:PORT:ADDR，收到 {raw!r}")
        host, port, addrs = m.group(1).lower(), int(m.group(2)), m.group(3)
        if not 0 < port < 65536:
            raise ValueError(f"--resolve 端口无效: {raw!r}")
        parsed: list[str] = []
        for a in addrs.split(","):
            a = a.strip().strip("[]")
            try:
                ipaddress.ip_address(a)
            except ValueError:
                raise ValueError(f"--resolve 地址不是 IP: {a!r}（在 {raw!r} 中）") from None
            parsed.append(a)
        out[(host, port)] = parsed
    return out


class GuardedResolver(AbstractResolver):
    """Resolves names, applies `--resolve` overrides, drops forbidden addresses.

    It runs for every new connection, so an address that changes between a check and the
    connect (DNS rebinding) is vetted again where it is actually used."""

    def __init__(self, resolve: dict[tuple[str, int], list[str]], allow_private: bool) -> None:
        self._map = resolve
        self._allow_private = allow_private
        self._inner = DefaultResolver()

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET):  # type: ignore[override]
        mapped = self._map.get((host.lower().rstrip("."), port))
        if mapped is None:
            mapped = self._map.get(("*", port))  # `*:PORT:ADDR`: every host on that port (farm convenience)
        if mapped is not None:
            infos: list[ResolveResult] = [
                ResolveResult(
                    hostname=host,
                    host=a,
                    port=port,
                    family=socket.AF_INET6 if ":" in a else socket.AF_INET,
                    proto=0,
                    flags=socket.AI_NUMERICHOST,
                )
                for a in mapped
            ]
        else:
            try:
                infos = await self._inner.resolve(host, port, family)
            except OSError as exc:
                raise ResolutionFailed(f"无法解析域名 {host}: {exc}") from exc
        if not self._allow_private:
            good = [i for i in infos if not is_forbidden_ip(i["host"])]
            if not good:
                raise RefusedAddress(
                    f"{host} 解析到内网/保留地址 {', '.join(i['host'] for i in infos)}，已拒绝（需 --allow-private）"
                )
            infos = good
        return infos

    async def close(self) -> None:
        await self._inner.close()


@dataclass
class FetchResult:
    url: str
    final_url: str
    status: int | None = None
    error: str | None = None  # timeout|dns|tls|connect|too_large|bomb|refused_private|redirects|invalid|http_NNN
    detail: str = ""
    redirects: list[tuple[str, int]] = field(default_factory=list)  # (url, status) of each hop
    elapsed: float = 0.0
    content_type: str = ""
    body: bytes | None = None
    attempts: int = 1
    method: str = "GET"
    sim_clock: str | None = None  # X-Farm-Clock: the test farm's simulated time, when present

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and 200 <= self.status < 300

    @property
    def is_html(self) -> bool:
        ct = self.content_type.lower()
        if "html" in ct or "xml" in ct and "xhtml" in ct:
            return True
        if not ct and self.body:
            head = self.body[:512].lstrip().lower()
            return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head
        return False

    def text(self) -> str:
        return decode_body(self.body or b"", self.content_type)

    def summary(self) -> dict:
        """A compact, JSON-safe record (no body)."""
        return {
            "url": self.url,
            "final_url": self.final_url,
            "status": self.status,
            "error": self.error,
            "detail": self.detail,
            "redirects": [list(r) for r in self.redirects],
            "elapsed": round(self.elapsed, 3),
        }


# -- decoding -------------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-]+)""", re.I)
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030", "cp936": "gb18030"}


@lru_cache(maxsize=64)  # a few charset names, looked up twice per non-UTF-8 page
def _norm_charset(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    name = _ALIASES.get(name, name)
    try:
        codecs.lookup(name)
    except LookupError:
        return None
    return "gb18030" if codecs.lookup(name).name in ("gbk", "gb2312") else name


def _decodes(body: bytes, enc: str) -> bool:
    try:
        body.decode(enc)
        return True
    except UnicodeDecodeError:
        return False


def _own_decode_body(body: bytes, content_type: str = "") -> str:
    """BOM → header → meta → detection; GBK/GB2312 read as GB18030 (its superset).

    A declared charset that fails to decode the bytes is treated as a mislabel (common on
    government CMSs that say utf-8 but serve GBK) and detection decides."""
    if not body:
        return ""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if body.startswith(bom):
            return body.decode(enc, errors="replace")
    m = re.search(r"charset\s*=\s*[\"']?([\w\-]+)", content_type or "", re.I)
    candidates = [_norm_charset(m.group(1)) if m else None]
    mm = _META_CHARSET.search(body[:4096])
    candidates.append(_norm_charset(mm.group(1).decode("ascii", "ignore")) if mm else None)
    for enc in candidates:
        if enc and _decodes(body, enc):
            return body.decode(enc)
    if _decodes(body, "utf-8"):
        return body.decode("utf-8")
    from charset_normalizer import from_bytes

    best = from_bytes(body[:200_000]).best()
    enc = _norm_charset(best.encoding) if best else None
    if enc is None:
        enc = "gb18030"  # the commonest non-UTF-8 charset on Chinese government sites
    return body.decode(enc, errors="replace")


def _mislabelled_gb(body: bytes, header: str | None) -> str | None:
    """A page declared UTF-8 (or nothing) whose bytes are not UTF-8 but are clean GB18030 is
    GBK/GB18030: statistical detection on short Chinese pages guesses wrong too often."""
    if body.isascii():
        return None
    mm = _META_CHARSET.search(body[:4096])
    declared = [_norm_charset(header), _norm_charset(mm.group(1).decode("ascii", "ignore")) if mm else None]
    if any(d and d not in ("utf-8", "utf_8", "ascii") for d in declared):
        return None  # a declared non-UTF-8 charset: the decoder's own rules apply
    if _decodes(body, "utf-8"):
        return None
    try:
        text = body.decode("gb18030")
    except UnicodeDecodeError:
        return None
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    wide = sum(1 for ch in text if ord(ch) > 127)
    return text if wide and cjk / wide > 0.8 else None


def _pick_decoder() -> Callable[[bytes, str], str]:
    # Defer to the extract package's decoder when it exposes one, so pages read the same way
    # in `govsite extract` and in a check.
    try:
        from govsite.engine.extract.decode import decode_html
    except ImportError:
        return _own_decode_body

    def _dec(body: bytes, content_type: str) -> str:
        m = _CT_CHARSET.search(content_type) if content_type else None
        if m is not None and m.group(1).lower() in ("utf-8", "utf8", "utf_8") and not body.startswith(codecs.BOM_UTF8):
            # The common case, decided in one decode: a page labelled UTF-8 whose bytes are
            # UTF-8 reads as UTF-8 on the long path too (no mislabel, first candidate wins).
            try:
                return body.decode("utf-8")
            except UnicodeDecodeError:
                pass
        fixed = _mislabelled_gb(body, m.group(1) if m else None)
        if fixed is not None:
            return fixed
        return decode_html(body, m.group(1) if m else None)[0]

    return _dec


_DECODER: Callable[[bytes, str], str] | None = None
_CT_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w\-]+)", re.I)


def decode_body(body: bytes, content_type: str = "") -> str:
    global _DECODER
    if _DECODER is None:
        _DECODER = _pick_decoder()
    return _DECODER(body, content_type)


# -- inflating ------------------------------------------------------------------------------


class _BombError(Exception):
    pass


class _Inflater:
    """Inflates gzip/deflate/br incrementally, never producing more than `limit` bytes."""

    def __init__(self, encoding: str, limit: int) -> None:
        self.limit = limit
        self.out = 0
        self.kind = encoding
        if encoding in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._z = zlib.decompressobj()
            self._raw_fallback = True
        elif encoding == "br":
            self._b = brotli.Decompressor()
        self._started = False

    def feed(self, data: bytes) -> bytes:
        if self.kind == "br":
            return self._feed_br(data)
        if self.kind == "deflate" and not self._started:
            self._started = True
            # Some servers send raw deflate without the zlib header.
            if data and (data[0] & 0x0F) != 8:
                self._z = zlib.decompressobj(-zlib.MAX_WBITS)
        chunks = []
        buf = data
        while True:
            room = self.limit - self.out + 1
            piece = self._z.decompress(buf, room)
            self.out += len(piece)
            chunks.append(piece)
            if self.out > self.limit:
                raise _BombError
            buf = self._z.unconsumed_tail
            if not buf:
                break
        return b"".join(chunks)

    def _feed_br(self, data: bytes) -> bytes:
        chunks = []
        room = self.limit - self.out + 1
        piece = self._b.process(data, output_buffer_limit=room)
        while True:
            self.out += len(piece)
            chunks.append(piece)
            if self.out > self.limit:
                raise _BombError
            if self._b.can_accept_more_data():
                break
            piece = self._b.process(b"", output_buffer_limit=self.limit - self.out + 1)
        return b"".join(chunks)


# -- fetcher --------------------------------------------------------------------------------


@dataclass
class FetchConfig:
    per_host: int = 2
    min_delay: float = 0.0  # seconds between request starts on one host
    global_limit: int = 64
    connect_timeout: float = 10.0
    read_timeout: float = 15.0
    total_timeout: float = 30.0
    retries: int = 2
    backoff: float = 0.5
    max_retry_after: float = 30.0
    max_body: int = 10 * 1024 * 1024
    max_decompressed: int = 20 * 1024 * 1024
    max_redirects: int = 10
    allow_private: bool = False
    resolve: dict[tuple[str, int], list[str]] = field(default_factory=dict)
    user_agent: str = USER_AGENT
    verify_tls: bool = True


class _HostBudget:
    def __init__(self, per_host: int) -> None:
        self.sem = asyncio.Semaphore(per_host)
        self.lock = asyncio.Lock()
        self.next_start = 0.0


class Fetcher:
    """Shared HTTP client. Use as `async with Fetcher(cfg) as f: r = await f.get(url)`."""

    def __init__(self, config: FetchConfig | None = None, **overrides) -> None:  # noqa: ANN003
        cfg = config or FetchConfig()
        for k, v in overrides.items():
            setattr(cfg, k, v)
        # Accept `resolve` with single addresses as well (the library API takes a str per key).
        cfg.resolve = {
            (h.lower(), int(p)): ([a] if isinstance(a, str) else list(a)) for (h, p), a in cfg.resolve.items()
        }
        self.cfg = cfg
        self._session: aiohttp.ClientSession | None = None
        self._global = asyncio.Semaphore(cfg.global_limit)
        self._hosts: dict[str, _HostBudget] = {}
        self.requests = 0
        self.bytes = 0

    async def __aenter__(self) -> Fetcher:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def open(self) -> None:
        if self._session is not None:
            return
        connector = aiohttp.TCPConnector(
            resolver=GuardedResolver(self.cfg.resolve, self.cfg.allow_private),
            limit=self.cfg.global_limit,
            limit_per_host=self.cfg.per_host,
            ttl_dns_cache=60,
            # True: aiohttp's verifying context, built once at its import (the same
            # create_default_context(); a context of our own loaded the CA store again, ~35 ms).
            ssl=self.cfg.verify_tls,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            auto_decompress=False,
            headers={
                "User-Agent": self.cfg.user_agent,
                "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
                "Accept-Language": "zh-CN,zh;q=0.9",
                "Accept-Encoding": "gzip, deflate, br",
            },
            cookie_jar=aiohttp.DummyCookieJar(),
        )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _budget(self, host: str) -> _HostBudget:
        b = self._hosts.get(host)
        if b is None:
            b = self._hosts[host] = _HostBudget(self.cfg.per_host)
        return b

    async def get(self, url: str, *, max_body: int | None = None, deadline: float | None = None) -> FetchResult:
        return await self.fetch(url, "GET", max_body=max_body, deadline=deadline)

    async def head(self, url: str, *, deadline: float | None = None) -> FetchResult:
        return await self.fetch(url, "HEAD", deadline=deadline)

    async def check(self, url: str, *, deadline: float | None = None) -> FetchResult:
        """Is this link alive? HEAD first, GET (body mostly skipped) when HEAD is not supported."""
        r = await self.head(url, deadline=deadline)
        if r.error in (None,) and r.status is not None and r.status < 400:
            return r
        if r.error in ("refused_private", "dns", "invalid", "tls", "bomb"):
            return r
        if r.status in (404, 410) and r.error == f"http_{r.status}":
            return r  # the server says it plainly; GET would say the same
        g = await self.fetch(url, "GET", max_body=64 * 1024, truncate_ok=True, deadline=deadline)
        return g

    async def fetch(
        self,
        url: str,
        method: str = "GET",
        *,
        max_body: int | None = None,
        truncate_ok: bool = False,
        deadline: float | None = None,
    ) -> FetchResult:
        """Fetch with retries for transient failures; never raises for network problems."""
        if self._session is None:
            await self.open()
        attempt = 0
        loop = asyncio.get_running_loop()
        while True:
            attempt += 1
            res, retry_after = await self._fetch_once(url, method, max_body, truncate_ok, deadline)
            res.attempts = attempt
            transient = res.error in TRANSIENT_ERRORS or (res.status in RETRY_STATUSES and res.error is not None)
            if not transient or attempt > self.cfg.retries:
                return res
            wait = self.cfg.backoff * (2 ** (attempt - 1))
            if retry_after is not None:
                if retry_after > self.cfg.max_retry_after:
                    return res  # the server asks for longer than we are willing to wait
                wait = max(wait, retry_after)
            if deadline is not None and loop.time() + wait >= deadline:
                return res
            await asyncio.sleep(wait)

    async def _fetch_once(
        self, url: str, method: str, max_body: int | None, truncate_ok: bool, deadline: float | None
    ) -> tuple[FetchResult, float | None]:
        assert self._session is not None
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        res = FetchResult(url=url, final_url=url, method=method)
        current = url
        retry_after: float | None = None
        limit = max_body if max_body is not None else self.cfg.max_body
        try:
            for hop in range(self.cfg.max_redirects + 1):
                parts = urlsplit(current)
                if parts.scheme not in ("http", "https") or not parts.hostname:
                    res.error, res.detail = "invalid", f"不支持的地址: {current}"
                    break
                host = parts.hostname.lower()
                res.status = None
                if not self.cfg.allow_private and _literal_forbidden(host):
                    res.error, res.detail = "refused_private", f"{host} 是内网/保留地址，已拒绝（需 --allow-private）"
                    break
                total = self.cfg.total_timeout
                if deadline is not None:
                    total = min(total, max(0.1, deadline - loop.time()))
                timeout = aiohttp.ClientTimeout(
                    total=total, connect=self.cfg.connect_timeout, sock_read=self.cfg.read_timeout
                )
                budget = self._budget(f"{host}:{parts.port or (443 if parts.scheme == 'https' else 80)}")
                # host slot first: a task waiting for a busy host must not hold a global slot
                async with budget.sem, self._global:
                    if self.cfg.min_delay > 0:
                        async with budget.lock:
                            now = loop.time()
                            if budget.next_start > now:
                                await asyncio.sleep(budget.next_start - now)
                            budget.next_start = loop.time() + self.cfg.min_delay
                    self.requests += 1
                    async with self._session.request(
                        method, current, allow_redirects=False, timeout=timeout, headers=None
                    ) as resp:
                        res.status = resp.status
                        res.final_url = str(resp.url)
                        res.content_type = resp.headers.get("Content-Type", "")
                        res.sim_clock = resp.headers.get("X-Farm-Clock")
                        if resp.status in (301, 302, 303, 307, 308) and "Location" in resp.headers:
                            res.redirects.append((current, resp.status))
                            nxt = urljoin(current, resp.headers["Location"].strip())
                            if hop == self.cfg.max_redirects:
                                res.error, res.detail = "redirects", f"重定向超过 {self.cfg.max_redirects} 次"
                                break
                            current = nxt
                            res.final_url = nxt
                            if resp.status == 303:
                                method = "GET" if method != "HEAD" else "HEAD"
                            continue
                        if resp.status in RETRY_STATUSES:
                            retry_after = _parse_retry_after(resp.headers.get("Retry-After"), resp.headers.get("Date"))
                        if method != "HEAD":
                            await self._read_body(resp, res, limit, truncate_ok)
                        if res.error is None and resp.status >= 400:
                            res.error = f"http_{resp.status}"
                        break
        except RefusedAddress as exc:
            res.error, res.detail = "refused_private", str(exc)
        except ResolutionFailed as exc:
            res.error, res.detail = "dns", str(exc)
        except aiohttp.ClientConnectorCertificateError as exc:
            res.error, res.detail = "tls", f"证书错误: {exc.certificate_error}"
        except aiohttp.ClientConnectorSSLError as exc:
            res.error, res.detail = "tls", f"TLS 错误: {exc}"
        except aiohttp.ClientSSLError as exc:
            res.error, res.detail = "tls", f"TLS 错误: {exc}"
        except aiohttp.ClientConnectorError as exc:
            cause = exc.os_error
            if isinstance(cause, RefusedAddress):
                res.error, res.detail = "refused_private", str(cause)
            elif isinstance(cause, ResolutionFailed):
                res.error, res.detail = "dns", str(cause)
            elif isinstance(exc, aiohttp.ClientConnectorDNSError):
                res.error, res.detail = "dns", f"无法解析域名 {exc.host}"
            elif isinstance(cause, ssl.SSLError):
                res.error, res.detail = "tls", f"TLS 错误: {cause}"
            else:
                res.error, res.detail = "connect", f"无法连接: {exc}"
        except (TimeoutError, aiohttp.ServerTimeoutError):
            res.error, res.detail = "timeout", "超时"
        except ssl.SSLError as exc:
            res.error, res.detail = "tls", f"TLS 错误: {exc}"
        except (aiohttp.ClientPayloadError, aiohttp.ServerDisconnectedError, aiohttp.ClientOSError) as exc:
            res.error, res.detail = "connect", f"连接中断: {exc}"
        except aiohttp.InvalidURL as exc:
            res.error, res.detail = "invalid", f"地址无效: {exc}"
        except aiohttp.ClientResponseError as exc:
            res.error, res.detail = "connect", f"响应无效: {exc.message}"
        except (aiohttp.ClientError, ValueError, UnicodeError) as exc:
            res.error, res.detail = "connect", f"{type(exc).__name__}: {exc}"
        res.elapsed = loop.time() - t0
        if res.body is not None:
            self.bytes += len(res.body)
        return res, retry_after

    async def _read_body(self, resp: aiohttp.ClientResponse, res: FetchResult, limit: int, truncate_ok: bool) -> None:
        clen = resp.headers.get("Content-Length")
        if clen and clen.isdigit() and int(clen) > limit and not truncate_ok:
            res.error, res.detail = "too_large", f"响应体 {clen} 字节，超过上限 {limit}"
            return
        enc = resp.headers.get("Content-Encoding", "").strip().lower()
        inflater = _Inflater(enc, self.cfg.max_decompressed) if enc in ("gzip", "x-gzip", "deflate", "br") else None
        if inflater is None and clen and clen.isdigit() and int(clen) <= limit:
            # The body ends at its announced length (the parser reads no further), within the
            # limit: one read gives what the loop below gathers chunk by chunk.
            res.body = await resp.read()
            return
        raw = 0
        parts: list[bytes] = []
        size = 0
        try:
            async for chunk in resp.content.iter_chunked(65536):
                raw += len(chunk)
                if raw > limit:
                    if truncate_ok:
                        break
                    res.error, res.detail = "too_large", f"响应体超过上限 {limit} 字节，已中止"
                    return
                if inflater is not None:
                    chunk = inflater.feed(chunk)
                size += len(chunk)
                parts.append(chunk)
                if truncate_ok and size > limit:
                    break
        except _BombError:
            res.error, res.detail = "bomb", f"解压后超过 {self.cfg.max_decompressed} 字节（压缩炸弹），已中止"
            return
        except (zlib.error, brotli.error) as exc:
            res.error, res.detail = "connect", f"压缩数据损坏: {exc}"
            return
        res.body = b"".join(parts)


def _literal_forbidden(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return host in ("localhost",) or host.endswith(".localhost")
    return is_forbidden_ip(host.strip("[]"))


def _parse_retry_after(value: str | None, date: str | None = None) -> float | None:
    """Seconds to wait. An HTTP-date is measured against the response's own `Date` (both are the
    server's clock), so a checker whose clock is off neither retries at once nor gives up; the
    local clock is the fallback when the server sent no usable Date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    when = _http_date(value)
    if when is None:
        return None
    return max(0.0, when - (_http_date(date) or time.time()))


def _http_date(value: str | None) -> float | None:
    """An HTTP-date as a timestamp, None when absent or unreadable."""
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(value).timestamp() if value else None
    except (TypeError, ValueError):
        return None
