"""The CLI never shows a traceback for a database it cannot reach."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once the socket is closed


def test_database_down_at_start_is_a_clear_error(tmp_path):
    env = dict(os.environ, GOVSITE_DATABASE_URL=f"postgresql://postgres@127.0.0.1:{_closed_port()}/test",
               GOVSITE_VAR_DIR=str(tmp_path))
    proc = subprocess.run([sys.executable, "-m", "govsite.cli", "campaign", "status"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("错误: 数据库不可用：")
    assert "GOVSITE_DATABASE_URL" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_engine_errors_are_not_mistaken_for_database_errors(tmp_path):
    """A command that never loads Django keeps its own error handling."""
    missing = tmp_path / "missing.html"
    proc = subprocess.run([sys.executable, "-m", "govsite.cli", "extract", str(missing), "--url", "http://a.gov.cn/"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert "数据库" not in proc.stderr
    assert "Traceback" not in proc.stderr
