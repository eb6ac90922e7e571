"""The static export, served by a real nginx, answers like the live farm."""

from __future__ import annotations

import http.client
import subprocess
import tempfile
import time
from datetime import date
from pathlib import Path

import pytest

from govsite.farm.export import export, render_raw, site_paths, write_nginx_conf
from govsite.farm.model import Farm

from .conftest import free_port


@pytest.mark.slow
def test_nginx_serves_export_byte_identical() -> None:
    # Not pytest's tmp_path: its parents are 0700 and nginx workers run unprivileged under a root master.
    with tempfile.TemporaryDirectory(prefix="farm-export-") as d:
        tmp = Path(d)
        tmp.chmod(0o755)
        check_export(tmp)


def check_export(tmp_path: Path) -> None:
    port = free_port()
    farm = Farm(11, 10, date(2017, 9, 14), port=port)
    stats = export(farm, tmp_path)
    assert stats["files"] > 10 * 200
    conf = write_nginx_conf(tmp_path, port)
    ng = subprocess.Popen(["nginx", "-c", str(conf), "-e", str(tmp_path / "nginx-tmp" / "error.log")],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).connect()
                break
            except OSError:
                time.sleep(0.05)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        statuses = set()
        for ident in farm.identities:
            site = farm.site(ident.index)
            for raw in list(site_paths(site))[::3]:
                page = render_raw(site, raw)
                conn.request("GET", raw, headers={"Host": ident.host})
                r = conn.getresponse()
                body = r.read()
                statuses.add(r.status)
                assert r.status == page.status, (ident.host, raw)
                if r.status == 200:
                    assert body == page.body, (ident.host, raw)
                    if page.ctype == "text/html":
                        assert r.getheader("Content-Type").lower().endswith(f"charset={ident.encoding}")
        conn.request("GET", "/", headers={"Host": "www.unknown.gov.cn"})
        r = conn.getresponse()
        assert r.status == 404 and r.read() == b"unknown host\n"
        assert 200 in statuses
    finally:
        ng.terminate()
        ng.wait(10)
