"""A live farm (the real CLI in a subprocess) shared by the farm tests."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SITES = 80  # enough for every defect kind (the generator cycles kinds over non-clean sites)
SEED = 11
AS_OF = "2017-09-14"
WARP = 20000.0  # a simulated week lasts 30 real seconds


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Live:
    port: int
    manifest: dict
    proc: subprocess.Popen

    def get(self, host: str, path: str, timeout: float = 10) -> tuple[int, dict[str, str], bytes]:
        """GET a page; home pages of sites with an availability schedule are retried (the
        session farm runs a fast clock, so a failing 5-minute slot lasts milliseconds)."""
        for _ in range(50):
            try:
                status, headers, body = self.get_once(host, path, timeout)
            except (http.client.RemoteDisconnected, ConnectionResetError):
                time.sleep(0.01)
                continue
            if status == 503 and path in ("/", "/index.html", "/index.php"):
                time.sleep(0.01)
                continue
            return status, headers, body
        raise AssertionError(f"{host}{path} kept failing")

    def get_once(self, host: str, path: str, timeout: float = 10) -> tuple[int, dict[str, str], bytes]:
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            c.request("GET", path, headers={"Host": host, "Accept-Encoding": "identity"})
            r = c.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            c.close()


def start_farm(tmp: Path, sites: int, seed: int, warp: float = 1.0, front: str = "asyncio") -> Live:
    port = free_port()
    mf = tmp / f"manifest-{sites}-{seed}.json"
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("govsite")), "farm", "serve", "--sites", str(sites), "--seed", str(seed),
         "--as-of", AS_OF, "--port", str(port), "--manifest", str(mf), "--time-warp", str(warp), "--front", front],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "farm exited")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        raise RuntimeError("farm did not start")
    return Live(port, json.loads(mf.read_text(encoding="utf-8")), proc)


def stop(live: Live) -> None:
    live.proc.terminate()
    try:
        live.proc.wait(10)
    except subprocess.TimeoutExpired:
        live.proc.kill()


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    lv = start_farm(tmp_path_factory.mktemp("farm"), SITES, SEED, warp=WARP)
    yield lv
    stop(lv)
