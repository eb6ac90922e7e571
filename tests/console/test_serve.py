"""`govsite serve` really serves the console (gunicorn, static files included); `govsite
api-token` issues a token the API accepts."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_serve_answers_console_and_static(tmp_path: Path) -> None:
    port = _free_port()
    env = dict(os.environ, GOVSITE_VAR_DIR=str(tmp_path))
    env.pop("GOVSITE_DATABASE_URL", None)
    p = subprocess.Popen([str(BIN / "govsite"), "serve", "--port", str(port), "--workers", "1"], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/console/login/", timeout=2) as r:
                    body = r.read().decode()
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("server did not start")
        assert "登录" in body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/console/console.css", timeout=5) as r:
            assert r.status == 200 and b"font-family" in r.read()
        # The API token command, against the same database.
        out = subprocess.run([str(BIN / "govsite"), "api-token", "nobody"], env=env, capture_output=True, text=True)
        assert out.returncode == 2 and "用户“nobody”不存在" in out.stderr + out.stdout
    finally:
        os.killpg(p.pid, signal.SIGTERM)
        p.wait(timeout=20)
