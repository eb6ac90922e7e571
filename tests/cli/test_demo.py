"""`make demo` runs `govsite demo`: the whole main job on the embedded defaults."""

import os
import socket
import subprocess
import sys

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_demo_runs_the_main_job_end_to_end(tmp_path):
    env = {**os.environ, "GOVSITE_VAR_DIR": str(tmp_path)}
    env.pop("GOVSITE_DATABASE_URL", None)  # the embedded default: SQLite under the var dir
    result = subprocess.run(
        [sys.executable, "-m", "govsite.cli", "demo", "--size", "6", "--farm-sites", "80", "--port", str(_free_port())],
        env=env, capture_output=True, text=True, timeout=900, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "29431" in out.replace(",", "")  # the national registry statistics
    assert "2017Q3 国办抽查：审定 6 个" in out  # six sampled sites checked and reviewed
    assert "按地区" in out
    assert (tmp_path / "govsite.sqlite3").exists()
