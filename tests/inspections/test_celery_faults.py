"""Faults around the Celery path on real services: the broker (and the host limiter's Redis)
restarted mid-campaign. The Redis is a private redis-server started by the test on a free port
(the shared one on 6379 is never stopped); PostgreSQL is the shared test server. The campaign
must complete with every site recorded exactly once, and the logs must say what happened."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest

from tests.inspections.test_celery_workers import (  # noqa: F401 - fixtures
    CLI,
    REGISTER,
    ROOT,
    _env,
    _free_port,
    _reachable,
    _rows,
    _start_worker,
    _stop,
    farm,
    scratch_db,
)


class PrivateRedis:
    """redis-server on its own port, with an append-only file so a restart keeps the queue
    (as a production broker is configured)."""

    def __init__(self, workdir: Path) -> None:
        self.port = _free_port()
        self.dir = workdir
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes",
             "--appendfsync", "always", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_port(self.port)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            subprocess.run(["redis-cli", "-p", str(self.port), "shutdown"], capture_output=True, timeout=10)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _wait_port(port: int, timeout: float = 20) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"redis-server did not start on {port}")


@pytest.mark.slow
def test_broker_restart_mid_campaign_loses_and_duplicates_nothing(scratch_db: str, farm: Path,  # noqa: F811
                                                                  tmp_path: Path) -> None:
    if not shutil.which("redis-server") or not shutil.which("redis-cli"):
        pytest.fail("redis-server / redis-cli are needed for the broker restart test")
    _reachable("127.0.0.1", 5432, "PostgreSQL")
    redis = PrivateRedis(tmp_path)
    redis.start()
    env = _env(scratch_db, redis.url, f"govsite.test.{uuid.uuid4().hex[:8]}")
    env["GOVSITE_REDIS_URL"] = redis.url  # the host limiter goes down with the broker
    r = subprocess.run([sys.executable, "-c", REGISTER, str(farm)], env=env, cwd=ROOT, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([*CLI, "campaign", "draw", "--quarter", "2017Q3", "--size", "24", "--seed", "restart",
                        "--min-per-stratum", "0", "--as-of", "2017-09-14", "--farm-manifest", str(farm), "--json"],
                       env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    cid = json.loads(r.stdout)["id"]
    total = len(_rows(scratch_db, cid))
    log = tmp_path / "w.log"
    worker = _start_worker(env, log, "wr")
    run = subprocess.Popen(
        [*CLI, "campaign", "run", str(cid), "--farm-manifest", str(farm), "--allow-private", "--max-pages", "4",
         "--time-budget", "60", "--timeout", "60", "--no-progress"],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            rows = _rows(scratch_db, cid)
            if sum(1 for row in rows if row[1] == "done") >= 3:
                break
            assert run.poll() is None, run.stderr.read() if run.stderr else ""
            time.sleep(0.05)
        else:
            pytest.fail("the campaign never got going")
        redis.stop()  # the broker and the limiter vanish mid-campaign…
        time.sleep(3)
        redis.start()  # …and come back with the queue they had
        out, err = run.communicate(timeout=400)
        assert run.returncode == 0, err
    finally:
        if run.poll() is None:
            run.kill()
        _stop(worker)
        redis.stop()

    rows = _rows(scratch_db, cid)
    assert len(rows) == total
    assert all(state == "done" and has_report and finished for _, state, _, has_report, finished in rows), rows
    text = log.read_text(encoding="utf-8", errors="replace")
    recorded = Counter(re.findall(r"网站 (\d+)：完成", text))
    assert set(recorded) == {row[0] for row in rows}
    assert all(n == 1 for n in recorded.values()), recorded
    # The worker's log says the broker went away and that it reconnected.
    assert re.search(r"(?i)connection to broker lost|Cannot connect to redis|Error while reading from", text), text[-3000:]
    assert re.search(r"(?i)Connected to redis://", text)
