"""找错 submission benchmark: drive POST /feedback/jiucuo.html over loopback against a real
server (gunicorn, DEBUG off) on PostgreSQL, captcha in test mode, rate limit off. Prints accepted
submissions/s and p50/p99 latency, then counts rows: every accepted submission must be stored
exactly once (a share of the requests replay an already accepted form and must be refused).

Peer measured in the same run on the same server: GET /feedback/jiucuo.js, a bare Django view
with no database access — the ceiling for any request through this stack; and the database
alone: raw psycopg INSERT + COMMIT of a message-sized row from 8 threads — the storage ceiling.

    .venv/bin/python bench/feedback.py [--seconds 15] [--concurrency 16] [--workers 3] [--threads 1]
                                        [--conn-max-age 60]

A scratch database `govsite_bench_feedback` is created on postgresql://postgres@127.0.0.1:5432
and dropped afterwards. Goal (issue 7): ≥ 300 submissions/s with p99 < 150 ms."""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import psutil
import psycopg
from cpustat import cpu_seconds, machine_busy  # bench/ is on sys.path when a script runs

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("GOVSITE_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_DB = "govsite_bench_feedback"
VENV_BIN = Path(sys.executable).parent
N_SITES = 200

SEED = """
from govsite.project.boot import setup_django
setup_django()
from govsite.registry.models import Domain, Organization, Region, Site
region = Region.objects.get(code="440100")
for i in range({n}):
    org = Organization.objects.create(name=f"测试单位{{i}}", region=region)
    s = Site.objects.create(code=f"44010{{i:05d}}", name=f"测试网站{{i}}", home_url=f"https://s{{i}}.gz.gov.cn/",
                            category=5, site_class="department", level="city", region=region, sponsor=org)
    Domain.objects.create(site=s, host=f"s{{i}}.gz.gov.cn", is_primary=True)
"""

def admin_exec(sql: str) -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


async def drive(base: str, seconds: float, concurrency: int, submit: bool, replay_every: int = 10) -> dict:
    """Closed-loop load: `concurrency` clients send back to back for `seconds`."""
    accepted: list[str] = []
    nonces: list[str] = []
    lat: list[float] = []
    refused_replays = 0
    replays = 0
    errors: dict[str, int] = {}
    deadline = time.perf_counter() + seconds
    conn = aiohttp.TCPConnector(limit=concurrency, force_close=True)
    async with aiohttp.ClientSession(connector=conn) as session:
        csrf_token = cookie = ""
        if submit:
            async with session.get(f"{base}/feedback/") as resp:
                html = await resp.text()
                cookie = resp.cookies["csrftoken"].value
            csrf_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        headers = {"Cookie": f"csrftoken={cookie}"} if submit else {}

        async def one(worker: int) -> None:
            nonlocal refused_replays, replays
            n = 0
            while time.perf_counter() < deadline:
                n += 1
                if submit:
                    is_replay = bool(nonces) and n % replay_every == 0
                    token = secrets.choice(nonces) if is_replay else "test-" + secrets.token_urlsafe(18)
                    code = f"44010{(worker * 7919 + n) % N_SITES:05d}"
                    data = {"csrfmiddlewaretoken": csrf_token, "captcha_token": token, "captcha_answer": "",
                            "site_code": code, "page_url": f"https://s{code[-3:]}.gz.gov.cn/page/{n}.html",
                            "category": str(n % 7),
                            "description": f"压测留言 {token[-12:]}：第{n}页的发布日期与正文不一致，请核实。",
                            "contact": ""}
                    t = time.perf_counter()
                    async with session.post(f"{base}/feedback/jiucuo.html", data=data, headers=headers,
                                            allow_redirects=False) as resp:
                        await resp.read()
                        status, location = resp.status, resp.headers.get("Location", "")
                    lat.append(time.perf_counter() - t)
                    if is_replay:
                        replays += 1
                        refused_replays += status == 400
                        if status == 302:
                            errors["replay accepted"] = errors.get("replay accepted", 0) + 1
                    elif status == 302:
                        accepted.append(location.split("code=")[1].split("&")[0])
                        nonces.append(token)
                    else:
                        errors[str(status)] = errors.get(str(status), 0) + 1
                else:
                    t = time.perf_counter()
                    async with session.get(f"{base}/feedback/jiucuo.js") as resp:
                        await resp.read()
                        status = resp.status
                    lat.append(time.perf_counter() - t)
                    if status != 200:
                        errors[str(status)] = errors.get(str(status), 0) + 1

        t0 = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(concurrency)))
        wall = time.perf_counter() - t0
    ok = len(accepted) if submit else len(lat) - sum(errors.values())
    return {"wall": wall, "requests": len(lat), "ok": ok, "rate": ok / wall, "p50_ms": pct(lat, 0.5) * 1000,
            "p99_ms": pct(lat, 0.99) * 1000, "mean_ms": statistics.fmean(lat) * 1000 if lat else 0,
            "accepted": accepted, "replays": replays, "refused_replays": refused_replays, "errors": errors}


def db_peer(db_url: str, seconds: float, threads: int) -> dict:
    """Second peer: the database alone — raw psycopg INSERT + COMMIT of one message-sized row per
    transaction from `threads` threads, each on its own persistent connection."""
    import threading

    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE bench_peer (id bigserial PRIMARY KEY, nonce varchar(64) UNIQUE, "
                     "site_code varchar(10), page_url varchar(1000), description text, created_at timestamptz)")
    lat: list[float] = []
    deadline = time.perf_counter() + seconds

    def run() -> None:
        with psycopg.connect(db_url) as conn:
            while time.perf_counter() < deadline:
                t = time.perf_counter()
                conn.execute("INSERT INTO bench_peer (nonce, site_code, page_url, description, created_at) "
                             "VALUES (%s, %s, %s, %s, now())",
                             (secrets.token_urlsafe(18), "4401000001", "https://s1.gz.gov.cn/p.html", "压测" * 20))
                conn.commit()
                lat.append(time.perf_counter() - t)

    t0 = time.perf_counter()
    pool = [threading.Thread(target=run) for _ in range(threads)]
    for th in pool:
        th.start()
    for th in pool:
        th.join()
    wall = time.perf_counter() - t0
    return {"rate": len(lat) / wall, "p50_ms": pct(lat, 0.5) * 1000, "p99_ms": pct(lat, 0.99) * 1000,
            "requests": len(lat)}


def wait_up(base: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    import urllib.request

    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited early with status {proc.returncode}")
        try:
            urllib.request.urlopen(f"{base}/feedback/jiucuo.js", timeout=2).read()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not come up")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--workers", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (gthread when > 1)")
    ap.add_argument("--conn-max-age", type=int, default=60,
                    help="GOVSITE_DB_CONN_MAX_AGE for the server (as `govsite serve` sets it; 0 = a connection "
                         "per request)")
    args = ap.parse_args()

    db_url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + PG_DB
    admin_exec(f'DROP DATABASE IF EXISTS "{PG_DB}"')
    admin_exec(f'CREATE DATABASE "{PG_DB}"')
    tmp = Path(tempfile.mkdtemp(prefix="govsite-bench-feedback-"))
    env = {**os.environ, "GOVSITE_DATABASE_URL": db_url, "GOVSITE_VAR_DIR": str(tmp), "GOVSITE_DEBUG": "0",
           "GOVSITE_SECRET_KEY": secrets.token_urlsafe(40), "GOVSITE_ALLOWED_HOSTS": "127.0.0.1",
           "GOVSITE_SSL_REDIRECT": "0", "GOVSITE_HSTS_SECONDS": "0", "GOVSITE_FEEDBACK_CAPTCHA_TEST_MODE": "1",
           "GOVSITE_FEEDBACK_RATE_LIMIT_COUNT": "0", "GOVSITE_LOG_LEVEL": "ERROR",
           "GOVSITE_DB_CONN_MAX_AGE": str(args.conn_max_age), "PYTHONPATH": str(ROOT)}
    server = None
    try:
        t = time.perf_counter()
        subprocess.run([str(VENV_BIN / "govsite"), "migrate"], env=env, check=True, capture_output=True)
        subprocess.run([sys.executable, "-c", SEED.format(n=N_SITES)], env=env, check=True, cwd=ROOT)
        print(f"scratch database {PG_DB}: migrated and seeded {N_SITES} sites in {time.perf_counter() - t:.1f}s")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "govsite.project.wsgi:application", "-b", f"127.0.0.1:{port}",
             "-w", str(args.workers), "--threads", str(args.threads), "--log-level", "warning"],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_up(base, server)
        print(f"gunicorn: {args.workers} workers × {args.threads} threads on {base}, CONN_MAX_AGE={args.conn_max_age}, "
              f"{os.cpu_count()} CPUs (shared), load generator in this process, concurrency {args.concurrency}")

        def server_cpu() -> float:
            return cpu_seconds(server.pid)

        def postgres_cpu() -> float:
            # Every PostgreSQL process on the machine (the server's backends do the work); 0
            # when they are not visible to this user.
            total = 0.0
            for p in psutil.process_iter(["name", "cpu_times"]):
                if (p.info["name"] or "").startswith("postgres") and p.info["cpu_times"]:
                    total += p.info["cpu_times"].user + p.info["cpu_times"].system
            return total

        c0 = server_cpu()
        peer = asyncio.run(drive(base, min(args.seconds, 8), args.concurrency, submit=False))
        c1, p1, g1, m1, w1 = server_cpu(), postgres_cpu(), time.process_time(), machine_busy(), time.perf_counter()
        res = asyncio.run(drive(base, args.seconds, args.concurrency, submit=True))
        c2, p2, g2, m2, w2 = server_cpu(), postgres_cpu(), time.process_time(), machine_busy(), time.perf_counter()
        peer["cpu_ms"] = (c1 - c0) / max(1, peer["requests"]) * 1000
        res["cpu_ms"] = (c2 - c1) / max(1, res["requests"]) * 1000
        res["pg_ms"] = (p2 - p1) / max(1, res["requests"]) * 1000
        res["gen_ms"] = (g2 - g1) / max(1, res["requests"]) * 1000
        # CPU used by everything else on the shared machine during the submission run (other
        # sessions' work): the load this run competed with, in cores.
        res["others_cores"] = max(0.0, (m2 - m1) - (c2 - c1) - (p2 - p1) - (g2 - g1)) / (w2 - w1)
        res["busy_cores"] = (m2 - m1) / (w2 - w1)
        dbp = db_peer(db_url, min(args.seconds, 5), threads=8)

        with psycopg.connect(db_url) as conn:
            rows = conn.execute("SELECT count(*), count(DISTINCT form_nonce) FROM feedback_message").fetchone()
            codes = {r[0] for r in conn.execute("SELECT query_code FROM feedback_message")}
            history = conn.execute("SELECT count(*) FROM feedback_transition WHERE action='submit'").fetchone()[0]
        accepted = set(res["accepted"])
        exactly_once = (rows[0] == len(res["accepted"]) == len(accepted) == rows[1] == history
                        and codes == accepted)

        print()
        print(f"{'':34}{'ok/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'requests':>10}{'server CPU ms/req':>19}")
        print(f"{'peer: GET /feedback/jiucuo.js':34}{peer['rate']:9.1f}{peer['p50_ms']:9.1f}{peer['p99_ms']:9.1f}"
              f"{peer['requests']:10d}{peer['cpu_ms']:19.1f}")
        print(f"{'peer: raw psycopg INSERT+COMMIT':34}{dbp['rate']:9.1f}{dbp['p50_ms']:9.1f}{dbp['p99_ms']:9.1f}"
              f"{dbp['requests']:10d}")
        print(f"{'POST /feedback/jiucuo.html':34}{res['rate']:9.1f}{res['p50_ms']:9.1f}{res['p99_ms']:9.1f}"
              f"{res['requests']:10d}{res['cpu_ms']:19.1f}")
        print()
        print(f"CPU per submission request: server {res['cpu_ms']:.1f} ms, PostgreSQL {res['pg_ms']:.1f} ms, "
              f"load generator {res['gen_ms']:.1f} ms; machine busy {res['busy_cores']:.2f} of {os.cpu_count()} cores, "
              f"of which other work (not this bench) {res['others_cores']:.2f}")
        print(f"submissions/s vs peer requests/s: {res['rate'] / peer['rate'] * 100:.0f} % of the bare-view ceiling")
        print(f"accepted {len(res['accepted'])}, rows {rows[0]} (distinct nonces {rows[1]}, submit history {history}); "
              f"replays sent {res['replays']}, refused {res['refused_replays']}; other errors {res['errors'] or 'none'}")
        print(f"every accepted submission stored exactly once: {'YES' if exactly_once else 'NO'}")
        print(f"goal ≥ 300/s and p99 < 150 ms: {'met' if res['rate'] >= 300 and res['p99_ms'] < 150 else 'NOT met'}")
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=20)
        err = server.stderr.read().decode(errors="replace") if server.stderr else ""
        if "Traceback" in err:
            print("server errors:\n" + err[-2000:])
    finally:
        if server is not None and server.poll() is None:
            server.kill()
            server.wait()
        admin_exec(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')


if __name__ == "__main__":
    main()
