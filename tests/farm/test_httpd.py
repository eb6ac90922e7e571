"""The farm's HTTP/1.1 front-end: keep-alive, pipelining, HEAD, bodies, bad requests; and the
aiohttp front-end serves the same bytes."""

from __future__ import annotations

import re
import socket

from .conftest import Live, start_farm, stop


def raw_exchange(port: int, data: bytes, want: int) -> bytes:
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(data)
    buf = b""
    try:
        while buf.count(b"HTTP/1.1 ") < want or not buf.endswith((b"</html>\n", b"\n")):
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
    except TimeoutError:
        pass
    s.close()
    return buf


def test_pipelined_requests_answered_in_order(live: Live) -> None:
    site = live.manifest["sites"][0]["host"]
    req = (f"GET /css/style.css HTTP/1.1\r\nHost: {site}\r\n\r\n"
           f"GET /no/such HTTP/1.1\r\nHost: {site}\r\n\r\n"
           f"GET /js/common.js HTTP/1.1\r\nHost: {site}\r\nConnection: close\r\n\r\n").encode()
    out = raw_exchange(live.port, req, 3)
    statuses = re.findall(rb"HTTP/1\.1 (\d{3}) ", out)
    assert statuses == [b"200", b"404", b"200"]
    assert out.index(b"font-family") < out.index(b"404") < out.index(b"function setTab")


def test_head_and_post_body(live: Live) -> None:
    site = live.manifest["sites"][0]["host"]
    req = (f"HEAD /css/style.css HTTP/1.1\r\nHost: {site}\r\n\r\n"
           f"POST /css/style.css HTTP/1.1\r\nHost: {site}\r\nContent-Length: 5\r\n\r\nhello"
           f"GET /js/common.js HTTP/1.1\r\nHost: {site}\r\nConnection: close\r\n\r\n").encode()
    out = raw_exchange(live.port, req, 3)
    first = out.split(b"\r\n\r\n", 1)
    assert b"Content-Length: " in first[0] and first[1].startswith(b"HTTP/1.1 200")  # HEAD: no body
    assert out.count(b"HTTP/1.1 200") == 3 and b"hello" not in out


def test_bad_request_line(live: Live) -> None:
    out = raw_exchange(live.port, b"NONSENSE\r\n\r\n", 1)
    assert out.startswith(b"HTTP/1.1 400")


def test_aiohttp_front_serves_same_bytes(tmp_path, live: Live) -> None:  # noqa: ANN001
    other = start_farm(tmp_path, 80, 11, warp=20000.0, front="aiohttp")
    try:
        for site in live.manifest["sites"][:5]:
            for col in site["columns"][:4]:
                path = col["url"].split(f":{live.port}", 1)[1]
                a = live.get(site["host"], path)
                b = other.get(site["host"], path.replace(str(live.port), str(other.port)))
                assert a[0] == b[0] == 200 and (a[2] == b[2] or site["style"] == "query")
    finally:
        stop(other)
