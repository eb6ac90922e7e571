"""Console load benchmark: the registry list and the dashboard under 50 concurrent users over
loopback, against `govsite serve` (gunicorn, DEBUG off) with the 2017Q3-sized registry (29,431
sites) and a quarter of national-sample results. Prints requests/s, p50 and p99 per page.

Peer measured in the same run on the same server: a static file (the console CSS, served by
WhiteNoise inside the same gunicorn workers) — the ceiling for any request through this stack.

    .venv/bin/python bench/web.py [--seconds 10] [--concurrency 50] [--workers N] [--threads N]
                                  (default: what `govsite serve` starts without options)
                                  [--pg]   (default: SQLite in a temp dir; --pg: a scratch PostgreSQL
                                            database govsite_bench_web on 127.0.0.1:5432, dropped after)
                                  [--redis] (shared Redis cache and cached sessions, as in production)
                                  [--nginx] (the users talk to nginx, which proxies to gunicorn,
                                             as the README's production setup has it)

Two passes: 50 users firing back to back (saturation — throughput, and latency that is mostly
queueing), then 50 users with a think time between clicks (--think, default 1 s). Each line also
prints the server's CPU per request (gunicorn master and workers; independent of the machine's
load), with --pg the CPU of the server's PostgreSQL backends per request, the load generator's CPU
per request, and how many cores other work on the shared machine kept busy meanwhile. The server
runs with GOVSITE_SERVER_TIMING=1, so every response carries its own thread's CPU time: `cpu p99`
and `cpu max` show whether the slow requests did more work (a cache refill, say) or only waited;
requests that used over 10 ms of CPU are listed with their time into the run.
Goal (issue 9): p99 < 200 ms at 50 concurrent users."""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import shutil
import signal
import socket
import string
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
REDIS_DB = 12  # a Redis database of this bench's own (Celery uses 0)
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, tries: int = 200) -> None:
    for _ in range(tries):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)


def prepare(env: dict) -> dict:
    """Registry, a national sample with results, users and their sessions (in this process)."""
    os.environ.update(env)
    subprocess.run(
        [str(VENV_BIN / "govsite"), "registry", "generate", "--like", "2017Q3"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    from govsite.project.boot import setup_django

    setup_django()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from govsite.accounts.models import Membership, Role
    from govsite.inspections.campaigns import draw_national_sample
    from govsite.inspections.models import CampaignSite
    from govsite.registry.models import Region, Site

    campaign = draw_national_sample("2017Q3", size=800, seed="bench-web")
    rng = random.Random(9)
    rows = list(CampaignSite.objects.filter(campaign=campaign))
    for cs in rows:
        ok = rng.random() < 0.85
        cs.state = CampaignSite.State.DONE
        cs.auto_verdict = "pass" if ok else "fail"
        cs.score = 90.0 if ok else 50.0
        cs.report = {
            "indicators": [
                {"id": "D15-2", "status": "ok" if ok else "deduct", "points": 0 if ok else -5, "evidence": []}
            ]
        }
    CampaignSite.objects.bulk_update(rows, ["state", "auto_verdict", "score", "report"], batch_size=500)
    users = {}
    for name, role, region in (
        ("nadmin", Role.NATIONAL_ADMIN, None),
        ("gd_admin", Role.REGIONAL_ADMIN, Region.objects.get(code="440000")),
    ):
        u = get_user_model().objects.create_user(name)
        Membership.objects.create(user=u, role=role, region=region)
        s = SessionStore()
        s[SESSION_KEY], s[BACKEND_SESSION_KEY] = str(u.pk), settings.AUTHENTICATION_BACKENDS[-1]
        s[HASH_SESSION_KEY] = u.get_session_auth_hash()
        s.create()
        users[name] = s.session_key
    codes = list(Site.objects.order_by("code").values_list("code", flat=True))
    gd_codes = list(
        Site.objects.filter(region__code__startswith="44").order_by("code").values_list("code", flat=True)
    )
    return {"sessions": users, "codes": codes, "gd_codes": gd_codes, "sample": len(rows)}


NGINX_CONF = """daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {tmp}/nginx-body;
  proxy_temp_path {tmp}/nginx-proxy;
  fastcgi_temp_path {tmp}/nginx-fastcgi;
  uwsgi_temp_path {tmp}/nginx-uwsgi;
  scgi_temp_path {tmp}/nginx-scgi;
  upstream govsite {{ server 127.0.0.1:{upstream}; }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      # One upstream connection per request (nginx's default): gunicorn's gthread workers then
      # share the load by accept(), instead of each keeping the browser connections it accepted.
      proxy_pass http://govsite;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-Proto http;
      proxy_buffering on;
    }}
  }}
}}
"""


def start_nginx(tmp: str, port: int, upstream: int) -> subprocess.Popen:
    conf = Path(tmp) / "nginx.conf"
    conf.write_text(NGINX_CONF.format(tmp=tmp, port=port, upstream=upstream), encoding="utf-8")
    return subprocess.Popen(["nginx", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def describe_workers(workers: int | None, threads: int | None) -> str:
    """The worker model `govsite serve` runs with these options (its defaults for None)."""
    from govsite.cli.serve import serve

    defaults = {p.name: p.default for p in serve.params}
    workers, threads = workers or defaults["workers"], threads or defaults["threads"]
    return f"{workers} sync workers" if threads == 1 else f"{workers} workers × {threads} threads"


def pct(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def postgres_cpu(conn: psycopg.Connection) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend serving the bench database (not those of other
    databases on the shared machine), by pid."""
    sql = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    out = {}
    for (pid,) in conn.execute(sql):
        try:
            out[pid] = sum(psutil.Process(pid).cpu_times()[:2])
        except psutil.Error:
            pass
    return out


def postgres_cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """Backends come and go (connections are recycled after CONN_MAX_AGE): count what each one
    alive at the end used since the start, or since it started."""
    return sum(max(0.0, t - before.get(pid, 0.0)) for pid, t in after.items())


def server_cpu_ms(response: aiohttp.ClientResponse) -> float:
    """The request's own CPU in the server, from its Server-Timing header (cpu;dur=…)."""
    for part in response.headers.get("Server-Timing", "").split(","):
        name, _, dur = part.strip().partition(";dur=")
        if name == "cpu":
            return float(dur)
    return 0.0


async def load(
    base: str, paths: list[str], session: str | None, seconds: float, concurrency: int, think: float = 0.0
) -> dict:
    lat: list[float] = []
    cpu: list[tuple[float, float, str]] = []  # (server CPU ms, seconds into the run, path)
    errors = 0
    t_start = time.perf_counter()
    stop = t_start + seconds
    # A browser sends back the CSRF cookie it was given over HTTPS; this client talks plain HTTP,
    # where the (Secure) cookie would never come back and every page would mint a new secret.
    csrf = "".join(random.choices(string.ascii_letters + string.digits, k=32))
    headers = {"Cookie": f"sessionid={session}; csrftoken={csrf}"} if session else {}
    conn = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(base, connector=conn, headers=headers) as http:

        async def user(i: int) -> None:
            nonlocal errors
            rng = random.Random(f"{i}/{think}")  # the think pass must not replay the first pass's clicks
            while time.perf_counter() < stop:
                t0 = time.perf_counter()
                path = rng.choice(paths)
                async with http.get(path, allow_redirects=False) as r:
                    await r.read()
                    if r.status != 200:
                        errors += 1
                lat.append(time.perf_counter() - t0)
                cpu.append((server_cpu_ms(r), t0 - t_start, path))
                if think:  # a person reading the page before the next click
                    await asyncio.sleep(rng.uniform(0.5, 1.5) * think)

        await asyncio.gather(*(user(i) for i in range(concurrency)))
        elapsed = time.perf_counter() - t_start
    lat.sort()
    cpu_ms = sorted(c for c, _, _ in cpu)
    return {
        "n": len(lat),
        "rps": len(lat) / elapsed,
        "p50": pct(lat, 0.50) * 1000,
        "p99": pct(lat, 0.99) * 1000,
        "errors": errors,
        "cpu_p99": pct(cpu_ms, 0.99),
        "cpu_max": cpu_ms[-1] if cpu_ms else 0.0,
        "heavy": sorted((c for c in cpu if c[0] > 10), reverse=True),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--concurrency", type=int, default=50)
    ap.add_argument("--workers", type=int, default=None, help="default: govsite serve's")
    ap.add_argument("--threads", type=int, default=None, help="default: govsite serve's")
    ap.add_argument(
        "--pages", default="", help="only pages whose label contains one of these words (comma-separated)"
    )
    ap.add_argument("--think", type=float, default=1.0, help="mean think time (s) of the second pass")
    ap.add_argument("--pg", action="store_true", help="PostgreSQL scratch database instead of SQLite")
    ap.add_argument(
        "--redis",
        action="store_true",
        help=f"shared cache (and cached sessions) on Redis db {REDIS_DB}, emptied before and after",
    )
    ap.add_argument("--nginx", action="store_true", help="users reach gunicorn through nginx (production)")
    args = ap.parse_args()
    if args.nginx and not shutil.which("nginx"):
        raise SystemExit("--nginx needs nginx (make system-deps)")
    tmp = tempfile.TemporaryDirectory(prefix="govsite-bench-web-")
    port = free_port()
    env = dict(
        os.environ,
        GOVSITE_VAR_DIR=tmp.name,
        GOVSITE_DEBUG="0",
        GOVSITE_SECRET_KEY=secrets.token_urlsafe(40),
        GOVSITE_ALLOWED_HOSTS="127.0.0.1",
        GOVSITE_SSL_REDIRECT="0",
        GOVSITE_DB_CONN_MAX_AGE="60",
        GOVSITE_SERVER_TIMING="1",
        DJANGO_SETTINGS_MODULE="govsite.project.settings",
    )
    admin_url = os.environ.get("GOVSITE_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
    if args.pg:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS govsite_bench_web")
            conn.execute("CREATE DATABASE govsite_bench_web")
        env["GOVSITE_DATABASE_URL"] = admin_url.rsplit("/", 1)[0] + "/govsite_bench_web"
    else:
        env.pop("GOVSITE_DATABASE_URL", None)
    env.pop("GOVSITE_REDIS_URL", None)
    if args.redis:
        import redis

        env["GOVSITE_REDIS_URL"] = f"redis://127.0.0.1:6379/{REDIS_DB}"
        redis.Redis.from_url(env["GOVSITE_REDIS_URL"]).flushdb()
    t0 = time.perf_counter()
    data = prepare(env)
    print(
        f"data: {len(data['codes'])} sites, national sample of {data['sample']} with results "
        f"({time.perf_counter() - t0:.0f} s to prepare)"
    )
    front = None
    server = subprocess.Popen(
        [
            str(VENV_BIN / "govsite"),
            "serve",
            "--port",
            str(port),
            *(["--workers", str(args.workers)] if args.workers else []),
            *(["--threads", str(args.threads)] if args.threads else []),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_port(port)
        base = f"http://127.0.0.1:{port}"
        if args.nginx:
            front_port = free_port()
            front = start_nginx(tmp.name, front_port, port)
            wait_port(front_port)
            base = f"http://127.0.0.1:{front_port}"

        def server_cpu() -> float:  # nginx counts as server when it fronts gunicorn
            return cpu_seconds(server.pid) + (cpu_seconds(front.pid) if front else 0.0)

        pg = psycopg.connect(env["GOVSITE_DATABASE_URL"], autocommit=True) if args.pg else None

        rng = random.Random(1)
        deep = ["/console/sites/"] + [f"/console/sites/?after={c}" for c in rng.sample(data["codes"], 300)]
        gd_deep = ["/console/sites/"] + [
            f"/console/sites/?after={c}" for c in rng.sample(data["gd_codes"], 100)
        ]
        # Pages a cache has not seen: every request a different page of 广东 under one of three
        # filters (a registry page is cached under the registry version once served, so the runs
        # above are mostly cache hits after the warm-up; this one shows the cost of a miss).
        gd_fresh = [
            f"/console/sites/?after={c}&{f}"
            for c in data["gd_codes"]
            for f in ("status=running", "category=5", "q=人民政府")
        ]
        filtered = [
            "/console/sites/?category=5&province=44",
            "/console/sites/?q=人民政府",
            "/console/sites/?status=running",
        ]
        runs = [
            ("peer: static CSS (WhiteNoise, same server)", ["/static/console/console.css"], None),
            ("registry list, national admin (random deep pages)", deep, "nadmin"),
            ("registry list, regional admin 广东 (random pages)", gd_deep, "gd_admin"),
            ("registry list, search/filters (national)", filtered, "nadmin"),
            ("registry list, 广东, filtered pages (mostly uncached)", gd_fresh, "gd_admin"),
            ("dashboard, national admin", ["/console/"], "nadmin"),
            ("dashboard, regional admin 广东", ["/console/"], "gd_admin"),
        ]
        if args.pages:
            runs = [r for r in runs if r[2] is None or any(w in r[0] for w in args.pages.split(","))]
        print(
            f"server: {'nginx → ' if args.nginx else ''}gunicorn {describe_workers(args.workers, args.threads)}, "
            f"{'PostgreSQL' if args.pg else 'SQLite'}, cache {'Redis' if args.redis else 'local memory'}, DEBUG off; {args.concurrency} concurrent users, "
            f"{args.seconds:.0f} s per page"
        )
        for think in (0.0, args.think):
            print(
                f"\n{args.concurrency} users "
                + (
                    "back to back, no think time (saturation: throughput)"
                    if not think
                    else f"with {think:.1f} s mean think time between clicks"
                )
            )
            print(
                f"{'page':52} {'req/s':>6} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6} {'CPU ms/req':>10} "
                + (f"{'PG ms':>6} " if pg else "")
                + f"{'gen ms':>6} {'other load':>10} {'cpu p99':>7} {'cpu max':>7}"
            )
            heavy = []
            for label, paths, who in runs:
                sess = data["sessions"][who] if who else None
                asyncio.run(load(base, paths[:5], sess, 1.0, 5))  # warm the workers' caches and connections

                def sample() -> tuple:
                    return (
                        server_cpu(),
                        postgres_cpu(pg) if pg else {},
                        time.process_time(),
                        machine_busy(),
                        time.perf_counter(),
                    )

                c0, p0, g0, m0, w0 = sample()
                r = asyncio.run(load(base, paths, sess, args.seconds, args.concurrency, think))
                c1, p1, g1, m1, w1 = sample()
                # Server CPU per request (load independent); "other load": cores busy with work that
                # is neither the server, its database backends nor this load generator (other
                # sessions on the shared machine).
                n, pg_s = max(1, r["n"]), postgres_cpu_used(p0, p1)
                cpu_ms, gen_ms = ((b - a) / n * 1000 for a, b in ((c0, c1), (g0, g1)))
                pg_ms = pg_s / n * 1000
                others = max(0.0, (m1 - m0) - (c1 - c0) - pg_s - (g1 - g0)) / (w1 - w0)
                goal = "" if who is None else ("  ✓ p99 < 200 ms" if r["p99"] < 200 else "  ✗ p99 ≥ 200 ms")
                print(
                    f"{label:52} {r['rps']:6.0f} {r['p50']:7.1f} {r['p99']:7.1f} {r['errors']:6d} {cpu_ms:10.2f} "
                    + (f"{pg_ms:6.2f} " if pg else "")
                    + f"{gen_ms:6.2f} {others:7.2f} of {os.cpu_count()} {r['cpu_p99']:7.1f} {r['cpu_max']:7.1f}{goal}"
                )
                heavy += [
                    f"  {c:6.1f} ms CPU at {t:4.1f} s  {path}  ({label})" for c, t, path in r["heavy"][:4]
                ]
            if heavy:
                print("requests that used over 10 ms of server CPU (at most 4 a page):\n" + "\n".join(heavy))
    finally:
        if pg:
            pg.close()
        if front:
            front.terminate()
            front.wait(timeout=10)
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
        tmp.cleanup()
        if args.redis:
            redis.Redis.from_url(env["GOVSITE_REDIS_URL"]).flushdb()
        if args.pg:
            from django.db import connections

            connections.close_all()
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute("DROP DATABASE IF EXISTS govsite_bench_web WITH (FORCE)")


if __name__ == "__main__":
    main()
