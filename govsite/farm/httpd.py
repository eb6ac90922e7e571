"""A small HTTP/1.1 server protocol for the farm, straight on asyncio.

The farm only needs GET/HEAD with keep-alive, so a focused protocol is several times cheaper
per request than a general framework, which keeps the farm from being the bottleneck of engine
benchmarks. Request bodies are read and ignored; requests on one connection are answered in
order (a slow or streamed answer pauses the parsing of the next one)."""

from __future__ import annotations

import asyncio
from email.utils import formatdate
from typing import TYPE_CHECKING

from govsite.farm import manifest as manifest_mod
from govsite.farm.render import Page

if TYPE_CHECKING:
    from govsite.farm.server import FarmApp

MAX_HEAD = 64 * 1024
REASONS = {200: "OK", 302: "Found", 400: "Bad Request", 404: "Not Found", 500: "Internal Server Error",
           502: "Bad Gateway", 503: "Service Unavailable"}
CHUNK = 64 * 1024


class FarmProtocol(asyncio.Protocol):
    def __init__(self, app: FarmApp) -> None:
        self.app = app
        self.buf = b""
        self.transport: asyncio.Transport | None = None
        self.busy = False  # an async answer is in progress
        self.closed = False
        self.can_write = asyncio.Event()
        self.can_write.set()

    # -- asyncio callbacks --------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.can_write.set()

    def pause_writing(self) -> None:
        self.can_write.clear()

    def resume_writing(self) -> None:
        self.can_write.set()

    def data_received(self, data: bytes) -> None:
        self.buf += data
        if not self.busy:
            self.process()

    # -- parsing --------------------------------------------------------------------------
    def process(self) -> None:
        while not self.busy and not self.closed:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buf) > MAX_HEAD:
                    self.simple(400, b"request head too large\n", "text/plain", close=True)
                return
            head = self.buf[:end].decode("latin-1")
            lines = head.split("\r\n")
            parts = lines[0].split(" ")
            if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
                self.simple(400, b"bad request\n", "text/plain", close=True)
                return
            method, target, version = parts
            host = ""
            length = 0
            conn = ""
            for line in lines[1:]:
                name, _, value = line.partition(":")
                name = name.strip().lower()
                if name == "host":
                    host = value.strip()
                elif name == "content-length":
                    try:
                        length = int(value.strip())
                    except ValueError:
                        self.simple(400, b"bad content-length\n", "text/plain", close=True)
                        return
                elif name == "connection":
                    conn = value.strip().lower()
            if len(self.buf) < end + 4 + length:
                return  # wait for the (ignored) body
            self.buf = self.buf[end + 4 + length:]
            keep = conn != "close" and (version == "HTTP/1.1" or conn == "keep-alive")
            self.answer(method, target, host, keep)

    # -- answers --------------------------------------------------------------------------
    def head_bytes(self, status: int, headers: list[tuple[str, str]], keep: bool) -> bytes:
        lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'OK')}", f"Date: {formatdate(usegmt=True)}", "Server: nginx",
                 f"X-Farm-Clock: {self.app.clock_header()}"]
        lines += [f"{k}: {v}" for k, v in headers]
        if not keep:
            lines.append("Connection: close")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def send(self, status: int, headers: list[tuple[str, str]], body: bytes, keep: bool, head_only: bool) -> None:
        if self.transport is None or self.closed:
            return
        headers = [*headers, ("Content-Length", str(len(body)))]
        self.transport.write(self.head_bytes(status, headers, keep) + (b"" if head_only else body))
        if not keep:
            self.transport.close()
            self.closed = True

    def simple(self, status: int, body: bytes, ctype: str, close: bool = False) -> None:
        self.send(status, [("Content-Type", f"{ctype}; charset=utf-8")], body, not close, False)

    def page_headers(self, page: Page) -> list[tuple[str, str]]:
        ctype = page.ctype + (f"; charset={page.charset}" if page.charset else "")
        return [("Content-Type", ctype), *page.headers.items()]

    def answer(self, method: str, target: str, host: str, keep: bool) -> None:
        try:
            action, arg, page = self.app.decide(host, target)
        except Exception:  # noqa: BLE001 - a farm bug must not kill the connection loop
            self.simple(500, b"farm error\n", "text/plain", close=True)
            return
        head_only = method == "HEAD"
        if action == "page":
            assert page is not None
            self.send(page.status, self.page_headers(page), page.body, keep, head_only)
        elif action == "plain":
            status, text = arg  # type: ignore[misc]
            self.send(status, [("Content-Type", "text/plain; charset=utf-8")], text.encode(), keep, head_only)
        elif action == "reset":
            if self.transport is not None:
                self.transport.abort()
            self.closed = True
        else:
            self.busy = True
            asyncio.get_running_loop().create_task(self.later(action, arg, page, keep, head_only))

    async def later(self, action: str, arg: object, page: Page | None, keep: bool, head_only: bool) -> None:
        try:
            if action == "slow":
                await asyncio.sleep(arg)  # type: ignore[arg-type]
                assert page is not None
                self.send(page.status, self.page_headers(page), page.body, keep, head_only)
            elif action == "special":
                await self.special(str(arg), head_only)
                keep = False
        finally:
            self.busy = False
            if not keep and not self.closed and self.transport is not None:
                self.transport.close()
                self.closed = True
            if not self.closed and self.buf:
                self.process()

    async def special(self, kind: str, head_only: bool) -> None:
        from govsite.farm.server import MAX_STREAMS, gzip_bomb

        app = self.app
        if kind == "gzip_bomb":
            body = gzip_bomb()
            self.send(200, [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip")], body,
                      False, head_only)
            return
        if app.streams >= MAX_STREAMS:
            self.send(503, [("Content-Type", "text/plain; charset=utf-8")], b"busy\n", False, head_only)
            return
        app.streams += 1
        try:
            t = self.transport
            if t is None:
                return
            if kind == "huge_page":
                total = manifest_mod.HUGE_BYTES
                t.write(self.head_bytes(200, [("Content-Type", "text/html; charset=utf-8"),
                                              ("Content-Length", str(total))], False))
                if head_only:
                    return
                unit = b"<p>" + "数据".encode() * 10 + b"</p>\n"
                chunk = unit * (CHUNK // len(unit))
                chunk += b" " * (CHUNK - len(chunk))
                for _ in range(total // CHUNK):
                    if self.closed:
                        return
                    await self.can_write.wait()
                    t.write(chunk)
            else:  # slow_drip: one byte a second, bounded, then close
                t.write(self.head_bytes(200, [("Content-Type", "text/html; charset=utf-8")], False))
                body = (b"<html><head><title>loading</title></head><body>" + b"." * manifest_mod.DRIP_BYTES)[
                    : manifest_mod.DRIP_BYTES]
                for i in range(0 if head_only else len(body)):
                    if self.closed:
                        return
                    t.write(body[i:i + 1])
                    await asyncio.sleep(1.0)
        finally:
            app.streams -= 1
