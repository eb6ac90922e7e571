"""Faults around the Celery path on real services: the broker (and the host limiter's Redis)
restarted mid-campaign, the database restarted mid-campaign, and workers whose clocks disagree
by hours (libfaketime). The restarted service is
always a private one the test starts on a free port (a redis-server; a PostgreSQL cluster made
with initdb) — the shared servers on 6379 and 5432 are never stopped. The campaign must
complete with every site recorded exactly once, and the logs must say what happened."""

from __future__ import annotations

import datetime as dt
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import psycopg
import pytest

from tests.inspections.test_celery_workers import (  # noqa: F401 - fixtures
    CLI,
    REDIS,
    REGISTER,
    ROOT,
    _campaign_run,
    _env,
    _free_port,
    _reachable,
    _register_and_draw,
    _rows,
    _start_worker,
    _stop,
    farm,
    scratch_db,
)


class PrivateRedis:
    """redis-server on its own port, with an append-only file so a restart keeps the queue
    (as a production broker is configured). bench/scale.py runs one without it (``appendonly``
    False), like the shared server, to measure Redis's CPU per site."""

    def __init__(self, workdir: Path, appendonly: bool = True) -> None:
        self.port = _free_port()
        self.dir = workdir
        self.appendonly = appendonly
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes" if self.appendonly else "no",
                "--appendfsync",
                "always",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_port(self.port)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            subprocess.run(["redis-cli", "-p", str(self.port), "shutdown"], capture_output=True, timeout=10)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class PrivatePostgres:
    """A throw-away PostgreSQL cluster (initdb) on its own port and socket directory. PostgreSQL
    refuses to run as root, so under root the cluster belongs to the ``postgres`` OS user.
    ``fsync`` False by default (tests); bench/scale.py keeps it on, as in production."""

    def __init__(self, fsync: bool = False) -> None:
        self.fsync = fsync
        bins = sorted(
            glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
            key=lambda p: int(re.search(r"/(\d+)/bin/", p).group(1)),
        )  # type: ignore[union-attr]
        pg_ctl = bins[-1] if bins else shutil.which("pg_ctl")
        if not pg_ctl:
            pytest.fail(
                "PostgreSQL server binaries (initdb, pg_ctl) are needed for the database restart test"
            )
        self.bin = Path(pg_ctl).parent
        self.port = _free_port()
        # Not under pytest's tmp_path: under root that is private to root, and the server
        # runs as postgres.
        self.dir = Path(tempfile.mkdtemp(prefix="govsite-pg-"))
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
            self.prefix = ["runuser", "-u", "postgres", "--"]
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/govsite"

    def _run(self, *args: str) -> None:
        r = subprocess.run([*self.prefix, *args], capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, f"{args[0]} failed: {r.stdout}{r.stderr}{self._log_tail()}"

    def _log_tail(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-2000:]
        except OSError:
            return ""

    def init(self) -> None:
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        )
        self.start()
        with psycopg.connect(self.url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE govsite")

    def start(self) -> None:
        # fsync off for tests: only a clean (fast) shutdown is exercised, and the disk is shared.
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-w",
            "-t",
            "60",
            "-o",
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync={'on' if self.fsync else 'off'}",
            "start",
        )

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop")

    def destroy(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


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
def test_broker_restart_mid_campaign_loses_and_duplicates_nothing(
    scratch_db: str,  # noqa: F811
    farm: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    if not shutil.which("redis-server") or not shutil.which("redis-cli"):
        pytest.fail("redis-server / redis-cli are needed for the broker restart test")
    _reachable("127.0.0.1", 5432, "PostgreSQL")
    redis = PrivateRedis(tmp_path)
    redis.start()
    env = _env(scratch_db, redis.url, f"govsite.test.{uuid.uuid4().hex[:8]}")
    env["GOVSITE_REDIS_URL"] = redis.url  # the host limiter goes down with the broker
    _, cid, total = _register_and_draw(env, scratch_db, farm, 24, "restart")
    log = tmp_path / "w.log"
    worker = _start_worker(env, log, "wr")
    run = _campaign_run(env, cid, farm)
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
    assert all(state == "done" and has_report and finished for _, state, _, has_report, finished in rows), (
        rows
    )
    text = log.read_text(encoding="utf-8", errors="replace")
    recorded = Counter(re.findall(r"网站 (\d+)：完成", text))
    assert set(recorded) == {row[0] for row in rows}
    assert all(n == 1 for n in recorded.values()), recorded
    # The worker's log says the broker went away and that it reconnected.
    assert re.search(
        r"(?i)connection to broker lost|Cannot connect to redis|Error while reading from", text
    ), text[-3000:]
    assert re.search(r"(?i)Connected to redis://", text)


@pytest.mark.slow
def test_lost_job_is_sent_again_once_the_queue_runs_dry(
    scratch_db: str,  # noqa: F811
    farm: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    """A job that vanished from the broker (a Redis stopped between handing it out and noting
    it unacknowledged) is sent again as soon as the queue is empty and no worker holds a
    claim, not after the long no-progress wait; jobs merely waiting in the queue for a worker
    are never sent twice."""
    import redis as redis_py

    _reachable("127.0.0.1", 6379, "Redis")
    queue = f"govsite.test.{uuid.uuid4().hex[:8]}"
    env = _env(scratch_db, REDIS, queue)
    env["GOVSITE_LOST_JOB_AFTER"] = "2"
    _, cid, total = _register_and_draw(env, scratch_db, farm, 12, "lost")
    client = redis_py.Redis.from_url(REDIS)
    run = _campaign_run(env, cid, farm)
    worker = None
    log = tmp_path / "w.log"
    try:
        deadline = time.monotonic() + 120
        while client.llen(queue) < total and time.monotonic() < deadline:
            assert run.poll() is None, run.stderr.read() if run.stderr else ""
            time.sleep(0.1)
        assert client.llen(queue) == total
        time.sleep(8)  # several lost-job windows with no worker: the waiting jobs are not lost
        assert client.llen(queue) == total
        assert client.rpop(queue)  # one job vanishes before any worker takes it
        worker = _start_worker(env, log, "wl")
        out, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
    finally:
        if run.poll() is None:
            run.kill()
        if worker:
            _stop(worker)
        client.delete(queue)

    rows = _rows(scratch_db, cid)
    assert len(rows) == total
    assert all(state == "done" and has_report for _, state, _, has_report, _ in rows), rows
    recorded = Counter(re.findall(r"网站 (\d+)：完成", log.read_text(encoding="utf-8", errors="replace")))
    assert set(recorded) == {row[0] for row in rows} and all(n == 1 for n in recorded.values()), recorded
    assert re.search(r"1 个网站的任务已不在队列中、也无工作进程在检查（任务丢失），重新发送", err), err[
        -3000:
    ]


def _db_campaign(pg: PrivatePostgres, manifest: Path, **extra: str) -> tuple[dict[str, str], int, int]:
    """The farm's sites registered in the private cluster and a 40-site campaign drawn there."""
    # Shared Redis, own queue: only the database is restarted here.
    env = _env(pg.url, REDIS, f"govsite.test.{uuid.uuid4().hex[:8]}")
    env.update(extra)
    _, cid, total = _register_and_draw(env, pg.url, manifest, 40, "dbrestart")
    assert total >= 30
    return env, cid, total


def _run_until_busy(env: dict[str, str], cid: int, manifest: Path, db: str) -> subprocess.Popen:
    """``campaign run`` started and followed until some sites are recorded and others in hand."""
    run = _campaign_run(env, cid, manifest)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        rows = _rows(db, cid)
        if sum(1 for row in rows if row[1] == "done") >= 3 and any(row[1] == "running" for row in rows):
            return run
        if run.poll() is not None:
            pytest.fail(run.stderr.read() if run.stderr else "campaign run ended early")
        time.sleep(0.05)
    run.kill()
    pytest.fail("the campaign never had recorded and running sites at once")


@pytest.mark.slow
def test_database_restart_mid_campaign_loses_and_duplicates_nothing(farm: Path, tmp_path: Path) -> None:  # noqa: F811
    _reachable("127.0.0.1", 6379, "Redis")
    pg = PrivatePostgres()
    run: subprocess.Popen | None = None
    worker: subprocess.Popen | None = None
    try:
        pg.init()
        db = pg.url
        env, cid, total = _db_campaign(pg, farm)
        log = tmp_path / "w.log"
        worker = _start_worker(env, log, "wd")
        run = _run_until_busy(env, cid, farm, db)
        pg.stop()  # the database vanishes under the worker's claims and records and the dispatcher's polling…
        time.sleep(4)
        assert run.poll() is None, run.stderr.read() if run.stderr else ""  # the dispatcher waits it out
        pg.start()  # …and comes back with everything committed before
        out, err = run.communicate(timeout=400)
        assert run.returncode == 0, err
        _stop(worker)

        rows = _rows(db, cid)
        assert len(rows) == total
        assert all(
            state == "done" and has_report and finished for _, state, _, has_report, finished in rows
        ), rows
        text = log.read_text(encoding="utf-8", errors="replace")
        recorded = Counter(re.findall(r"网站 (\d+)：完成", text))
        assert set(recorded) == {row[0] for row in rows}  # none lost…
        assert all(n == 1 for n in recorded.values()), recorded  # …none recorded twice
        with psycopg.connect(db) as conn:
            state, done, failed = conn.execute(
                "SELECT state, done, failed FROM inspections_campaign WHERE id = %s", [cid]
            ).fetchone()
        assert (state, done, failed) == ("checked", total, 0)
        # The logs say the database went away and that the work went on after it came back —
        # in the worker (claims and records waited out) and in the dispatcher (its watching).
        for where in (text, err):
            assert re.search(r"数据库暂不可用，等待恢复后继续", where), where[-3000:]
            assert re.search(r"数据库已恢复，继续.*（中断 \d+ 秒）", where), where[-3000:]
        assert "Traceback" not in err
    finally:
        if run and run.poll() is None:
            run.kill()
        if worker:
            _stop(worker)
        pg.destroy()


@pytest.mark.slow
def test_database_gone_for_good_stops_the_run_clearly_and_a_rerun_finishes(
    farm: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    """An outage longer than GOVSITE_DB_OUTAGE: ``campaign run`` stops with a plain message (no
    traceback) instead of hanging; once the database is back, running it again finishes the
    campaign, still with every site recorded exactly once."""
    _reachable("127.0.0.1", 6379, "Redis")
    pg = PrivatePostgres()
    run: subprocess.Popen | None = None
    worker: subprocess.Popen | None = None
    try:
        pg.init()
        db = pg.url
        env, cid, total = _db_campaign(pg, farm, GOVSITE_DB_OUTAGE="3")
        log = tmp_path / "w.log"
        worker = _start_worker(env, log, "wg")
        run = _run_until_busy(env, cid, farm, db)
        pg.stop()
        out, err = run.communicate(timeout=120)  # gives up a few seconds after the outage limit
        assert run.returncode == 2, err
        assert "数据库长时间不可用" in err and f"活动 {cid}" in err, err[-3000:]
        assert "Traceback" not in err
        pg.start()
        run = _campaign_run(env, cid, farm)
        out, err = run.communicate(timeout=400)
        assert run.returncode == 0, err
        _stop(worker)

        rows = _rows(db, cid)
        assert len(rows) == total
        assert all(
            state == "done" and has_report and finished for _, state, _, has_report, finished in rows
        ), rows
        recorded = Counter(re.findall(r"网站 (\d+)：完成", log.read_text(encoding="utf-8", errors="replace")))
        assert set(recorded) == {row[0] for row in rows}
        assert all(n == 1 for n in recorded.values()), recorded
        with psycopg.connect(db) as conn:
            state, done = conn.execute(
                "SELECT state, done FROM inspections_campaign WHERE id = %s", [cid]
            ).fetchone()
        assert (state, done) == ("checked", total)
    finally:
        if run and run.poll() is None:
            run.kill()
        if worker:
            _stop(worker)
        pg.destroy()


# libfaketime (Debian package ``faketime``, installed by ``make system-deps``).
FAKETIME_LIBS = (
    "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
    "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
)
# Beyond every time limit the code and Celery use: the visibility timeout (7200 s in
# production, 3600 s in this test), the claims' staleness (GOVSITE_CLAIM_STALE), the
# dispatcher's resend delay and the host limiter's slot ttl. A design trusting worker clocks
# would see the other worker's claims and unacknowledged jobs as long expired, or its own as
# not yet started.
SKEW_SECONDS = 2 * 3600
_LOGGED = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),\d+: [^\]]*\] 网站 (\d+)：完成", re.M)


def _skewed_env(env: dict[str, str], skew: str, seconds: int) -> dict[str, str]:
    lib = next((p for p in FAKETIME_LIBS if os.path.exists(p)), None)
    if lib is None:
        pytest.fail(
            "libfaketime is needed for the clock skew test: apt-get install faketime (make system-deps)"
        )
    skewed = dict(
        env,
        LD_PRELOAD=lib,
        FAKETIME=skew,
        # Monotonic time stays real: asyncio and lock timeouts measure durations with it.
        FAKETIME_DONT_FAKE_MONOTONIC="1",
    )
    before = time.time()
    r = subprocess.run(
        [sys.executable, "-c", "import time; print(time.time())"],
        env=skewed,
        capture_output=True,
        text=True,
        timeout=60,
    )
    after = time.time()
    assert r.returncode == 0, r.stderr
    shifted = float(r.stdout) - seconds
    assert before - 1 <= shifted <= after + 1, f"libfaketime did not shift the clock by {skew}: {r.stdout}"
    return skewed


def _recorded_at(text: str) -> dict[str, float]:
    """Site code → the worker's own wall clock (epoch seconds) when its log said it recorded it.
    Log times are local to settings.TIME_ZONE (Django sets the process's TZ from it)."""
    from zoneinfo import ZoneInfo

    from django.conf import settings

    zone = ZoneInfo(settings.TIME_ZONE)
    return {
        code: dt.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S").replace(tzinfo=zone).timestamp()
        for stamp, code in _LOGGED.findall(text)
    }


@pytest.mark.slow
@pytest.mark.parametrize(
    ("skew", "seconds", "late"),
    [("+2h", SKEW_SECONDS, "skewed"), ("-2h", -SKEW_SECONDS, "real")],
    ids=["ahead", "behind"],
)
def test_clock_skew_between_workers_records_every_site_once(
    skew: str,
    seconds: int,
    late: str,
    scratch_db: str,  # noqa: F811
    farm: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Two workers, one two hours ahead of the other or two hours behind. The worker whose
    clock is AHEAD joins mid-campaign, while the other holds unacknowledged jobs: on start-up
    kombu's Redis transport scans the unacknowledged jobs for ones older than the visibility
    timeout. Were that judged by the workers' own clocks, the late worker would see every job
    the other holds as two hours old and put it back in the queue (a redelivery of live work).
    It is judged by Redis's clock (govsite.inspections.brokerclock), claims by the database's
    (heartbeats) and host slots by Redis's TIME, so: every site is recorded once, by one of the
    two, at the first attempt, and nothing is delivered twice — in both directions.

    The broker is a private redis-server because kombu's unacked index is shared by every queue
    of a Redis database — a restore must not reach other tests' jobs."""
    if not shutil.which("redis-server") or not shutil.which("redis-cli"):
        pytest.fail("redis-server / redis-cli are needed for the clock skew test")
    _reachable("127.0.0.1", 6379, "Redis")  # the host limiter's Redis (its clock, TIME, decides)
    broker = PrivateRedis(tmp_path)
    broker.start()
    env = _env(scratch_db, broker.url, f"govsite.test.{uuid.uuid4().hex[:8]}")
    # Shorter than the skew and longer than any check here: only a worker's clock could make
    # a job look overdue.
    env["GOVSITE_VISIBILITY_TIMEOUT"] = "3600"
    envs = {"real": env, "skewed": _skewed_env(env, skew, seconds)}
    early = "real" if late == "skewed" else "skewed"
    _, cid, total = _register_and_draw(env, scratch_db, farm, 60, f"skew{skew}")
    assert total >= 40

    logs = {"real": tmp_path / "real.log", "skewed": tmp_path / "skewed.log"}
    began = time.time()
    workers = {early: _start_worker(envs[early], logs[early], f"w{early}")}
    run: subprocess.Popen | None = None
    try:
        run = _run_until_busy(env, cid, farm, scratch_db)
        # Same command as _start_worker, more threads: the late joiner must get a fair share.
        workers[late] = subprocess.Popen(
            [*CLI, "worker", "--concurrency", "4", "--hostname", f"w{late}@%h"],
            env=envs[late],
            cwd=ROOT,
            stdout=logs[late].open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        out, err = run.communicate(timeout=400)
        assert run.returncode == 0, err
        ended = time.time()
    finally:
        if run and run.poll() is None:
            run.kill()
        for w in workers.values():
            _stop(w)
        broker.stop()

    rows = _rows(scratch_db, cid)
    assert len(rows) == total
    assert all(state == "done" and has_report and finished for _, state, _, has_report, finished in rows), (
        rows
    )
    texts = {k: p.read_text(encoding="utf-8", errors="replace") for k, p in logs.items()}
    text = texts["real"] + texts["skewed"]
    recorded = Counter(re.findall(r"网站 (\d+)：完成", text))
    assert set(recorded) == {row[0] for row in rows}  # none lost…
    assert all(n == 1 for n in recorded.values()), recorded  # …none recorded twice
    # Both workers recorded sites, each by its own clock: the skewed one's log is two hours off.
    by_real, by_skewed = _recorded_at(texts["real"]), _recorded_at(texts["skewed"])
    assert by_real and by_skewed, (len(by_real), len(by_skewed))
    assert len(by_real) + len(by_skewed) == total
    assert all(began - 2 <= t <= ended + 2 for t in by_real.values()), by_real
    assert all(began + seconds - 2 <= t <= ended + seconds + 2 for t in by_skewed.values()), by_skewed
    # No live work was taken from the other worker and nothing was delivered twice: every site
    # at its first attempt, no redelivery, no duplicate waiting on a live claim, nothing dropped.
    assert all(attempts == 1 for _, _, attempts, _, _ in rows), rows
    for said in (
        "重新投递",
        "忽略重复投递",
        "等待其完成或心跳过期",
        "重复结果已忽略",
        "已被另一次投递接手",
        "多次中断",
    ):
        assert said not in text, (said, text[-3000:])
    # Both workers judge the visibility timeout by Redis's clock; the skewed one says how far off
    # its own clock is.
    assert re.search(r"可见性超时按 Redis 时钟判断（本机时钟与 Redis 相差 [+-]\d+\.\d 秒）", texts["real"])
    off = re.search(
        r"本机时钟与 Redis 相差 ([+-]\d+) 秒：任务的可见性超时仍按 Redis 时钟判断", texts["skewed"]
    )
    assert off and abs(int(off.group(1)) + seconds) <= 5, texts["skewed"][-3000:]
    with psycopg.connect(scratch_db) as conn:
        state, done, failed = conn.execute(
            "SELECT state, done, failed FROM inspections_campaign WHERE id = %s", [cid]
        ).fetchone()
    assert (state, done, failed) == ("checked", total, 0)
    assert "Traceback" not in err
