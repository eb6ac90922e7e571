"""Transport behaviour of the live farm: availability schedule under time warp, hostile
streams (bounded), GBK pages, attachments."""

from __future__ import annotations

import http.client
import socket
import time
import zlib
from datetime import date, timedelta

import pytest

from govsite.farm import manifest as manifest_mod
from govsite.farm.model import SLOTS_PER_WEEK, Farm
from govsite.farm.server import failure_mode

from .conftest import AS_OF, SEED, SITES, Live
from .test_defects import path_of


def defects(live: Live, kind: str) -> list[tuple[dict, dict]]:
    return [(s, d) for s in live.manifest["sites"] for d in s["defects"] if d["kind"] == kind]


def test_failure_schedule_matches_recorded_share() -> None:
    farm = Farm(SEED, SITES, date.fromisoformat(AS_OF))
    origin = manifest_mod.week_start(farm)
    m = manifest_mod.build(farm)
    flaky = [s for s in m["sites"] if any(d["kind"] in ("unreachable", "flaky") for d in s["defects"])]
    assert flaky
    for entry in flaky:
        site = farm.site_for_host(entry["host"])
        d = next(d for d in entry["defects"] if d["kind"] in ("unreachable", "flaky"))
        cache: dict = {}
        for week in (0, 3):  # every simulated week has exactly the recorded share
            modes = [failure_mode(farm, site, origin + timedelta(days=7 * week, seconds=300 * i + 1), origin, cache)
                     for i in range(SLOTS_PER_WEEK)]
            failed = sum(1 for x in modes if x)
            assert failed == d["detail"]["failing_slots_per_week"]
            assert abs(failed / SLOTS_PER_WEEK - d["detail"]["failure_share"]) < 1e-9
            assert (failed / SLOTS_PER_WEEK >= 0.05) == (d["kind"] == "unreachable")
            assert set(modes) - {None} <= {"5xx", "reset", "slow"}
    clean = farm.site_for_host(next(s["host"] for s in m["sites"] if s["clean"]))
    assert all(failure_mode(farm, clean, origin + timedelta(minutes=5 * i), origin, {}) is None
               for i in range(SLOTS_PER_WEEK))


def probe(live: Live, host: str) -> str:
    try:
        status, _, _ = live.get_once(host, "/", timeout=5)
    except (http.client.RemoteDisconnected, ConnectionResetError, http.client.IncompleteRead):
        return "reset"
    return "ok" if status == 200 else str(status)


def test_unreachable_site_fails_probes_under_time_warp(live: Live) -> None:
    """The session farm runs 20000× fast: a week of 5-minute slots passes in 30 s, so a few
    hundred probes see the failures while a healthy site never fails."""
    site, d = max(defects(live, "unreachable"), key=lambda sd: sd[1]["detail"]["failure_share"])
    clean = next(s for s in live.manifest["sites"] if s["clean"])
    # Probe for 3 real seconds = 200 simulated 5-minute slots: with a failure share ≥ 6 % the
    # chance of seeing no failing slot is below 1e-5.
    results = []
    t0 = time.monotonic()
    while time.monotonic() - t0 < 3.0:
        results.append(probe(live, site["host"]))
    healthy = [probe(live, clean["host"]) for _ in range(50)]
    failures = [r for r in results if r != "ok"]
    assert failures, "no failed probe"
    assert set(failures) <= {"reset", "503"}
    assert set(healthy) == {"ok"}
    # Clock header advances much faster than real time.
    _, h1, _ = live.get(clean["host"], "/css/style.css")
    time.sleep(0.2)
    _, h2, _ = live.get(clean["host"], "/css/style.css")
    from datetime import datetime

    gap = datetime.fromisoformat(h2["x-farm-clock"]) - datetime.fromisoformat(h1["x-farm-clock"])
    assert gap >= timedelta(minutes=30)


def test_redirect_loop(live: Live) -> None:
    site, d = defects(live, "redirect_loop")[0]
    s1, h1, _ = live.get(site["host"], "/go/loop1")
    s2, h2, _ = live.get(site["host"], h1["location"])
    assert (s1, s2) == (302, 302) and h1["location"] == "/go/loop2" and h2["location"] == "/go/loop1"
    clean = next(s for s in live.manifest["sites"] if s["clean"])
    assert live.get(clean["host"], "/go/loop1")[0] == 404  # only where the manifest says


def test_huge_page_is_streamed(live: Live) -> None:
    site, d = defects(live, "huge_page")[0]
    c = http.client.HTTPConnection("127.0.0.1", live.port, timeout=10)
    c.request("GET", path_of(d["page"]), headers={"Host": site["host"]})
    r = c.getresponse()
    assert r.status == 200 and int(r.getheader("Content-Length")) == d["detail"]["bytes"] == 200 * 1024 * 1024
    got = 0
    while got < 4 * 1024 * 1024:
        chunk = r.read(256 * 1024)
        assert chunk
        got += len(chunk)
    c.close()  # the client gives up; the server must survive
    assert live.get(site["host"], "/css/style.css")[0] == 200


def test_gzip_bomb_inflates_far_beyond_its_size(live: Live) -> None:
    site, d = defects(live, "gzip_bomb")[0]
    status, headers, body = live.get(site["host"], path_of(d["page"]))
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert len(body) < 1024 * 1024
    dec = zlib.decompressobj(31)
    total = 0
    data = body
    while data:
        out = dec.decompress(data, 1024 * 1024)
        total += len(out)
        data = dec.unconsumed_tail
    assert total >= d["detail"]["inflated_bytes"] >= 100 * 1024 * 1024


def test_slow_drip_sends_about_one_byte_a_second(live: Live) -> None:
    site, d = defects(live, "slow_drip")[0]
    s = socket.create_connection(("127.0.0.1", live.port), timeout=10)
    s.sendall(f"GET {path_of(d['page'])} HTTP/1.1\r\nHost: {site['host']}\r\n\r\n".encode())
    buf = b""
    while b"\r\n\r\n" not in buf:  # the head comes at once
        buf += s.recv(4096)
    head, _, body = buf.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    while not body:
        body += s.recv(4096)
    # After the first byte, a 2-second window holds at most a few more.
    s.settimeout(0.2)
    t0 = time.monotonic()
    while time.monotonic() - t0 < 2.0:
        try:
            chunk = s.recv(4096)
        except TimeoutError:
            continue
        if not chunk:
            break
        body += chunk
    s.close()
    assert 1 <= len(body) <= 4
    assert d["detail"]["max_bytes"] == 600


def test_gbk_pages_decode(live: Live) -> None:
    gbk = [s for s in live.manifest["sites"] if s["encoding"] == "gbk"]
    assert {s["style"] for s in gbk} >= {"ucap", "query"}
    broken_charset = {s["host"] for s, _ in defects(live, "wrong_charset")}
    for site in gbk[:6]:
        status, headers, body = live.get(site["host"], "/")
        assert status == 200 and headers["content-type"].lower().endswith("charset=gbk")
        html = body.decode("gbk")  # strict
        assert site["name"] in html
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
        if site["encoding_declared_in"] == "header":
            assert "charset" not in html.split("</head>")[0].lower()
        else:
            assert 'charset=gbk"' in html.split("</head>")[0]
        col = site["columns"][3]
        status, _, body = live.get(site["host"], path_of(col["url"]))
        assert col["name"] in body.decode("gbk")
        assert site["host"] not in broken_charset or True


def test_attachments_are_real_files(live: Live) -> None:
    import re

    seen = set()
    for site in live.manifest["sites"][:12]:
        guides = next(c for c in site["columns"] if c["type"] == "service")
        html = live.get(site["host"], path_of(guides["url"]))[2].decode(site["encoding"])
        guide = re.search(r'<a href="([^"]+)" title="[^"]*办事指南"', html).group(1).replace("&amp;", "&")
        ghtml = live.get(site["host"], guide)[2].decode(site["encoding"])
        for href in re.findall(r'<li><a href="([^"]+\.(?:pdf|docx|xlsx))">', ghtml):
            status, headers, body = live.get(site["host"], href)
            if status != 200 or not body:
                continue  # a recorded attachment defect
            ext = href.rsplit(".", 1)[1]
            seen.add(ext)
            assert body.startswith(b"%PDF-" if ext == "pdf" else b"PK\x03\x04")
            if ext != "pdf":
                import io
                import zipfile

                assert zipfile.ZipFile(io.BytesIO(body)).testzip() is None
        assert 'class="online-btn"' in ghtml
        for el in ("事项名称", "办理时限", "收费标准"):
            assert el in ghtml or "guide_missing" in str(site["defects"])
    assert seen == {"pdf", "docx", "xlsx"}
