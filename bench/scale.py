"""Scale-out benchmark, all in one run on the same farm of light sites:

1. campaign checks: sites/h and CPU per site of the in-process executor, 1 Celery worker and
   2 Celery workers (each worker = one process with a thread pool sharing one event loop and
   one engine Fetcher), the 2-vs-1 speed-up, and the projection for a national sweep
   (29,431 sites × 200 pages) with its assumptions;
2. the availability monitor (`govsite monitor --serve`, storing into PostgreSQL) at full speed
   on one core: probes/s and CPU per probe against the national need (29,431 × 20 a day),
   compared with a plain aiohttp probe loop (no SSRF guard, no storage) on the same farm;
3. database growth per site per quarter, from PostgreSQL table sizes after a simulated
   stretch of days of monitoring.

    .venv/bin/python bench/scale.py --sites 2000 --max-pages 3

PostgreSQL and Redis are private to the run (a throw-away initdb cluster and a redis-server on
free ports, as the fault tests use), so their CPU is this run's alone; ``--services shared`` uses
GOVSITE_TEST_PG (default postgresql://postgres@127.0.0.1:5432/test, scratch database) and Redis on
6379 instead. CPU figures are user+system seconds of the measured processes (load-independent),
printed per component — workers, dispatcher (``campaign run``), farm server, PostgreSQL (its
backends included), Redis — and per site; wall figures depend on the machine's load (it is
shared), so both are printed, with the CPU the rest of the machine used meanwhile.

The farm is served from its static export by nginx (as bench/crawl.py does), so serving it
hardly competes with the checkers for the 2 cores; ``--farm python`` serves it with
``govsite farm serve`` instead (with its live-only parts: availability schedule, hostile streams)."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
from cpustat import cpu_seconds, machine_busy  # bench/ is on sys.path when a script runs

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-c", "from govsite.cli import main; main()"]
PG_ADMIN = os.environ.get("GOVSITE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
REDIS = "redis://127.0.0.1:6379/0"
NATIONAL_SITES, NATIONAL_PAGES, PER_DAY = 29_431, 200, 20
QUARTER_DAYS = 92

REGISTER = """
import sys
from govsite.project.boot import setup_django
setup_django()
sys.path.insert(0, sys.argv[2])
from tests.inspections.test_farm_e2e import _register_farm_sites
print(_register_farm_sites(__import__('pathlib').Path(sys.argv[1])))
"""

# The peer: the simplest thing that could probe home pages — aiohttp, a semaphore, a loop.
PEER = """
import asyncio, json, sys, time, aiohttp
from urllib.parse import urlsplit
urls, seconds, conc = json.loads(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
# farm host names are not in DNS: connect to 127.0.0.1, name the site in the Host header
targets = [(f"http://127.0.0.1:{urlsplit(u).port}{urlsplit(u).path or '/'}", urlsplit(u).netloc) for u in urls]
async def main():
    n = fails = 0
    sem = asyncio.Semaphore(conc)
    end = time.monotonic() + seconds
    timeout = aiohttp.ClientTimeout(total=15)
    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=conc)) as s:
        async def one(t):
            nonlocal n, fails
            try:
                async with s.get(t[0], headers={"Host": t[1]}) as r:
                    await r.read()
                    fails += r.status >= 400
            except Exception:
                fails += 1
            finally:
                n += 1
                sem.release()
        tasks = set()
        i = 0
        while time.monotonic() < end:
            await sem.acquire()
            t = asyncio.create_task(one(targets[i % len(targets)]))
            tasks.add(t); t.add_done_callback(tasks.discard)
            i += 1
        await asyncio.gather(*tasks)
    print(n, fails)
asyncio.run(main())
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(cmd: list[str], env: dict, timeout: float = 7200) -> str:
    r = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    if r.returncode:
        raise SystemExit(f"failed: {' '.join(cmd[3:])}\n{r.stderr[-3000:]}")
    return r.stdout


def pages(db: str, cid: int) -> tuple[int, int, int]:
    """Sites finished, pages crawled, and sites whose V15-1 came from the monitor's stored probes."""
    with psycopg.connect(db) as conn:
        return conn.execute(
            "SELECT count(*) FILTER (WHERE state IN ('done','failed')),"
            " coalesce(sum((report->'crawl'->>'pages')::int), 0),"
            " count(*) FILTER (WHERE (report->'engine'->>'probes')::int > 3)"
            " FROM inspections_campaignsite WHERE campaign_id = %s",
            [cid],
        ).fetchone()


def tree_cpu(pid: int) -> float:
    """user+system seconds of a server process, its live children and the children it has
    already reaped (PostgreSQL's per-connection backends, nginx workers)."""
    import psutil

    t = psutil.Process(pid).cpu_times()
    return cpu_seconds(pid) + t.children_user + t.children_system


def steady_rate(db: str, cid: int) -> float:
    """Sites per hour between the 10th and the 90th percentile of finish times: the sweep's
    running rate, without the start-up and without the tail of a campaign's slowest sites (the
    farm's hostile sites run into the 120 s time budget, a fixed cost however many sites)."""
    with psycopg.connect(db) as conn:
        rows = [
            r[0]
            for r in conn.execute(
                "SELECT finished_at FROM inspections_campaignsite WHERE campaign_id = %s AND finished_at IS NOT NULL"
                " ORDER BY finished_at",
                [cid],
            )
        ]
    lo, hi = rows[len(rows) // 10], rows[len(rows) * 9 // 10]
    secs = (hi - lo).total_seconds()
    return (len(rows) * 9 // 10 - len(rows) // 10) / secs * 3600 if secs > 0 else 0.0


def loadavg() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


WORKERS: list[subprocess.Popen] = []  # killed in main's finally if the run is interrupted

# This sandbox has no DNS: a lookup of an outside host fails after ~0.5 s, and every farm site
# links to the same few outside hosts (ICP record, police record, 找错 entry), which the
# engine's per-host politeness checks 2 at a time per process — a sandbox bottleneck that
# would cap every mode alike. Outside hosts are resolved to 127.0.0.1 where nothing listens
# on 80/443, so those links are still checked (and reported broken) but at once.
OUTSIDE = ["--resolve", "*:80:127.0.0.1", "--resolve", "*:443:127.0.0.1"]


def campaign_run(cid: int, manifest: Path, max_pages: int, concurrency: int) -> list[str]:
    """`govsite campaign run` on the farm campaign, as every measured run starts it."""
    return [
        *CLI,
        "campaign",
        "run",
        str(cid),
        "--farm-manifest",
        str(manifest),
        "--allow-private",
        "--max-pages",
        str(max_pages),
        "--time-budget",
        "120",
        "--no-progress",
        "--concurrency",
        str(concurrency),
        *OUTSIDE,
    ]


class Services:
    """The processes whose CPU is charged to a campaign besides the workers and the dispatcher:
    name → pid (None: not measurable, e.g. the shared PostgreSQL serves other jobs too)."""

    def __init__(self, farm: int, postgres: int | None, redis: int | None) -> None:
        self.pids = {"farm": farm, "postgres": postgres, "redis": redis}

    def cpu(self) -> dict[str, float]:
        return {k: tree_cpu(pid) if pid else float("nan") for k, pid in self.pids.items()}


def campaigns(
    args: argparse.Namespace,
    base: dict,
    celery_env: dict,
    manifest: Path,
    n: int,
    tmp: Path,
    db: str,
    services: Services,
) -> dict[str, tuple[int, float, int, float, float]]:
    results: dict[str, tuple[int, float, int, float, float]] = {}
    c = args.worker_concurrency
    modes = [
        (f"in-process executor (concurrency {c})", 0, "inproc"),
        ("1 Celery worker", 1, "1"),
        ("2 Celery workers", 2, "2"),
    ]
    wanted = set(args.modes.split(","))
    for mode, nworkers, key in modes:
        if key not in wanted:
            continue
        out = run(
            [
                *CLI,
                "campaign",
                "draw",
                "--quarter",
                "2017Q3",
                "--size",
                str(n),
                "--seed",
                mode,
                "--name",
                f"bench {mode}",
                "--min-per-stratum",
                "0",
                "--as-of",
                "2017-09-14",
                "--farm-manifest",
                str(manifest),
                "--json",
            ],
            base,
        )
        cid = json.loads(out)["id"]
        workers = WORKERS
        for i in range(nworkers):
            log = tmp / f"{cid}-w{i}.log"
            workers.append(
                subprocess.Popen(
                    [
                        *CLI,
                        "worker",
                        "--concurrency",
                        str(args.worker_concurrency),
                        "--hostname",
                        f"bench{i}-{cid}@%h",
                    ],
                    env=celery_env,
                    cwd=ROOT,
                    stdout=log.open("wb"),
                    stderr=subprocess.STDOUT,
                )
            )
            deadline = time.monotonic() + 120
            while "ready." not in log.read_text(errors="replace") and time.monotonic() < deadline:
                time.sleep(0.3)
        env = celery_env if nworkers else base
        # Worker start-up (Django, Celery) is over: only the campaign is charged.
        w0 = [cpu_seconds(w.pid) for w in workers]
        svc0, busy0, disp0 = services.cpu(), machine_busy(), child_cpu()
        t0 = time.monotonic()
        run(campaign_run(cid, manifest, args.max_pages, c), env)
        secs = time.monotonic() - t0
        dispatcher = child_cpu() - disp0  # campaign run: the dispatcher, or the whole in-process check
        parts = {"workers": sum(cpu_seconds(w.pid) for w in workers) - sum(w0), "dispatcher": dispatcher}
        parts.update({k: v - svc0[k] for k, v in services.cpu().items()})
        busy = machine_busy() - busy0
        for w in workers:
            w.terminate()
            w.wait(timeout=120)
        workers.clear()
        checked, npages, stored = pages(db, cid)
        steady = steady_rate(db, cid)
        # The checking processes' CPU (workers + dispatcher; in-process: campaign run alone).
        cpu = parts["workers"] + parts["dispatcher"]
        results[mode] = (checked, secs, npages, cpu, steady)
        print(
            f"{mode:38s} {checked:5d} sites {npages:6d} pages in {secs:7.1f} s wall ="
            f" {checked / secs * 3600:7.0f} sites/h (steady 10→90 %: {steady:7.0f} sites/h); CPU {cpu:7.1f} s ="
            f" {cpu / checked * 1000:6.1f} ms/site, {cpu / max(npages, 1) * 1000:5.1f} ms/page;"
            f" {stored} from stored probes   (load {loadavg()})",
            flush=True,
        )
        known = sum(v for v in parts.values() if v == v)
        shares = "  ".join(
            f"{k} {v / checked * 1000:6.1f}" if v == v else f"{k}    n/a" for k, v in parts.items()
        )
        print(
            f"{'':38s} CPU ms/site by component: {shares}  = {known / checked * 1000:6.1f} ms/site,"
            f" {known / secs:.2f} cores; rest of the machine {(busy - known) / secs:.2f} cores",
            flush=True,
        )
    return results


def projection(results: dict[str, tuple[int, float, int, float, float]], in_flight: int) -> None:
    (c1, s1, p1, cpu1, st1), (c2, s2, _p2, _cpu2, st2) = (
        results["1 Celery worker"],
        results["2 Celery workers"],
    )
    rate1, rate2 = c1 / s1, c2 / s2
    print(
        f"2 workers / 1 worker: steady {st2 / st1:.2f}x (goal ≥ 1.8x), whole campaign incl. its slowest-site"
        f" tail {rate2 / rate1:.2f}x; 2 cores shared with the farm and other jobs"
    )
    cpu_page = cpu1 / p1  # worker CPU per page, this run's fixed per-site costs spread over few pages
    cpu_site_fixed = max(0.0, (cpu1 - 0) / c1)
    total_pages = NATIONAL_SITES * NATIONAL_PAGES
    per_core_h = 3600 / cpu_page
    hours_2core = total_pages / (2 * per_core_h)
    print(f"projection: {NATIONAL_SITES:,} sites × {NATIONAL_PAGES} pages = {total_pages:,} pages")
    print(
        f"  measured worker CPU {cpu_page * 1000:.1f} ms/page ({cpu_site_fixed * 1000:.0f} ms/site at"
        f" {p1 / c1:.1f} pages/site; per-site fixed costs counted into every page, so pessimistic for 200-page sites)"
    )
    print(
        f"  → {per_core_h:,.0f} pages/h per core; one 2-core machine (2 workers): {hours_2core:.1f} h"
        f" ({'<' if hours_2core < 24 else '≥'} 24 h)"
    )
    print(f"  a 6-hour sweep needs {total_pages / (per_core_h * 6):.1f} worker cores")
    print(
        "  assumptions: CPU-bound — a site's latency (here ~9 s for 3 pages and ~100 link checks, 2 at a"
        " time per host) is hidden by enough sites in flight per worker (in flight ≥ latency × sites/s; a"
        f" worker holds {in_flight}); every page costs what this run's pages cost, fixed per-site costs included;"
        " PostgreSQL and Redis on other cores; workers scale linearly (one queue, shared state only in the"
        " per-host limiter and the claim/record rows)"
    )


def marginal(args: argparse.Namespace, base: dict, manifest: Path, n: int, db: str) -> None:
    """CPU per extra page: the same sites checked in-process at --max-pages 3 and 30. Splits a
    site's cost into a fixed part and a per-page part, so the 200-page projection does not
    charge 200 pages with 200 times the fixed cost of a 3-page check."""
    size = min(n, args.marginal_sites)
    got = []
    for pages_cap in (3, 30):
        out = run(
            [
                *CLI,
                "campaign",
                "draw",
                "--quarter",
                "2017Q3",
                "--size",
                str(size),
                "--seed",
                "marginal",
                "--name",
                f"marginal {pages_cap}",
                "--min-per-stratum",
                "0",
                "--as-of",
                "2017-09-14",
                "--farm-manifest",
                str(manifest),
                "--json",
            ],
            base,
        )
        cid = json.loads(out)["id"]
        cpu0 = child_cpu()
        run(campaign_run(cid, manifest, pages_cap, 64), base)
        cpu = child_cpu() - cpu0
        checked, npages, _ = pages(db, cid)
        got.append((checked, npages, cpu))
        print(
            f"in-process, --max-pages {pages_cap:2d}: {checked} sites {npages} pages, CPU {cpu:.1f} s",
            flush=True,
        )
    (c3, p3, cpu3), (_c30, p30, cpu30) = got
    per_page = (cpu30 - cpu3) / max(1, p30 - p3)
    fixed = max(0.0, (cpu3 - per_page * p3) / c3)
    site_200 = fixed + NATIONAL_PAGES * per_page
    hours = NATIONAL_SITES * site_200 / 2 / 3600
    print(
        f"marginal: {per_page * 1000:.1f} ms CPU per extra page, {fixed * 1000:.0f} ms fixed per site (incl. one"
        f" process start-up over {c3} sites) → a 200-page site {site_200:.1f} s CPU; national sweep on one 2-core"
        f" machine: {hours:.1f} h ({'<' if hours < 24 else '≥'} 24 h); a 6-hour sweep needs"
        f" {NATIONAL_SITES * site_200 / 3600 / 6:.1f} worker cores"
    )


def monitor_bench(args: argparse.Namespace, base: dict, manifest: Path, db: str) -> None:
    urls = [s["url"] for s in json.loads(manifest.read_text(encoding="utf-8"))["sites"]]
    need = NATIONAL_SITES * PER_DAY / 86400
    secs = args.monitor_seconds
    # govsite monitor --serve at full speed: every site due every second (far beyond its capacity),
    # storing every probe into PostgreSQL.
    serve = [
        *CLI,
        "monitor",
        "--serve",
        "--farm-manifest",
        str(manifest),
        "--allow-private",
        "--per-day",
        str(args.monitor_per_day),
        "--concurrency",
        "128",
    ]
    cpu0 = child_cpu()
    run([*serve, "--duration", "0.1"], base)  # start-up alone (Django, registry read), subtracted below
    startup = child_cpu() - cpu0
    cpu0 = child_cpu()
    out = run([*serve, "--duration", str(secs)], base)
    cpu = child_cpu() - cpu0 - startup
    m = re.search(r"探测 (\d+) 次，失败 (\d+) 次", out)
    probes, fails = (int(m.group(1)), int(m.group(2))) if m else (0, 0)
    per_cpu = probes / cpu if cpu else 0.0
    print(
        f"monitor --serve (PostgreSQL)  {probes:7d} probes ({fails} failed) in {secs:.0f} s run ="
        f" {probes / secs:7.0f} probes/s wall; CPU {cpu:6.1f} s (start-up {startup:.1f} s excluded) ="
        f" {cpu / max(probes, 1) * 1000:.2f} ms/probe"
        f" → {per_cpu:6.0f} probes per CPU-second   (load {loadavg()})",
        flush=True,
    )
    cpu0 = child_cpu()
    out = run([sys.executable, "-c", PEER, json.dumps(urls), str(secs), "128"], base)
    cpu_p = child_cpu() - cpu0
    n_p, f_p = (int(x) for x in out.split())
    print(
        f"peer: plain aiohttp loop      {n_p:7d} probes ({f_p} failed) in {secs:.0f} s run ="
        f" {n_p / secs:7.0f} probes/s wall; CPU {cpu_p:6.1f} s = {cpu_p / max(n_p, 1) * 1000:.2f} ms/probe"
        f" → {n_p / cpu_p if cpu_p else 0:6.0f} probes per CPU-second   (load {loadavg()})",
        flush=True,
    )
    print(
        f"national need: {NATIONAL_SITES:,} × {PER_DAY}/day = {need:.2f} probes/s; govsite monitor on one core:"
        f" {per_cpu / need:.0f}x headroom by CPU (goal ≥ 50x), {probes / secs / need:.0f}x by this run's wall rate"
        f" (the farm shares the 2 cores)"
    )


GROWTH = """
import sys, time, datetime as dt
from govsite.project.boot import setup_django
setup_django()
from govsite.registry.models import Site
from govsite.registry import availability as store
from govsite.registry.availability_models import AvailabilityProbe
from govsite.engine.indicators.availability import Probe, CST
n, days, per_day, keep = map(int, sys.argv[1:5])
sites = list(Site.objects.order_by('pk').values_list('pk', 'home_url')[:n])
start = dt.datetime(2017, 7, 1, tzinfo=CST)
cpu = 0.0
for d in range(days):
    batch = [(sid, Probe(start + dt.timedelta(days=d, seconds=(k + 0.5) * 86400 / per_day), url,
                         (k + d + sid) % 37 != 0, 200, 0.2, None)) for sid, url in sites for k in range(per_day)]
    for p in (p for _, p in batch if not p.ok):
        p.status, p.error = None, "timeout"
    c0 = time.process_time()
    store.store(batch)
    cpu += time.process_time() - c0
# what a running monitor keeps: the raw probes of the last `keep` days
AvailabilityProbe.objects.filter(t__lt=start + dt.timedelta(days=days - keep)).delete()
print(len(sites), cpu)
"""


def growth_bench(args: argparse.Namespace, base: dict, db: str) -> None:
    """A quarter of probes (20 a day) for some sites through the real store(), pruned as the
    running monitor prunes, then bytes per site from PostgreSQL table sizes."""
    days, raw_days = QUARTER_DAYS, 8
    out = run(
        [sys.executable, "-c", GROWTH, str(args.growth_sites), str(days), str(PER_DAY), str(raw_days)], base
    )
    n, store_cpu = int(out.split()[0]), float(out.split()[1])
    with psycopg.connect(db, autocommit=True) as conn:
        # FULL: the pruned 84 days of raw probes leave dead space that a running monitor reuses
        # (it deletes a little every hour and inserts as much); measure the live rows.
        conn.execute(
            "VACUUM FULL ANALYZE registry_availabilityday, registry_availabilityprobe,"
            " registry_availabilitystate"
        )
        sizes = {}
        for t in ("registry_availabilityday", "registry_availabilityprobe", "registry_availabilitystate"):
            rows = conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            size = conn.execute("SELECT pg_total_relation_size(%s)", [t]).fetchone()[0]
            sizes[t] = (rows, size)
    (dr, ds), (pr, ps), (sr, ss) = sizes.values()
    per_site_quarter = ds / n
    steady = (ps + ss) / n
    print(
        f"database: a quarter ({days} days × {PER_DAY} probes) for {n} sites stored through store() in"
        f" {store_cpu:.1f} s CPU = {store_cpu / (n * days * PER_DAY) * 1e6:.0f} µs/probe; day totals {dr} rows"
        f" {ds / 1e6:.2f} MB ({ds / max(dr, 1):.0f} B/row incl. indexes); raw probes kept ({raw_days} days) {pr} rows"
        f" {ps / 1e6:.2f} MB ({ps / max(pr, 1):.0f} B/row); state {sr} rows {ss / 1e3:.0f} kB"
    )
    print(
        f"growth per site per quarter: {per_site_quarter / 1024:.1f} KiB (day totals, kept for good);"
        f" bounded, not growing: {steady / 1024:.1f} KiB (raw probes of the last {raw_days} days + state);"
        f" national ({NATIONAL_SITES:,} sites): {NATIONAL_SITES * per_site_quarter / 1e6:.0f} MB a quarter"
        f" + {NATIONAL_SITES * steady / 1e6:.0f} MB steady"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sites", type=int, default=2000)
    ap.add_argument("--max-pages", type=int, default=3)
    ap.add_argument("--seed", default="17")
    # In flight must cover latency × rate for a worker to be CPU-bound (the projection's premise): at
    # 64 a worker here waited on politeness delays with a core to spare (2 workers/1: 1.75x).
    ap.add_argument("--worker-concurrency", type=int, default=128, help="sites in flight per worker process")
    ap.add_argument("--monitor-seconds", type=float, default=20.0)
    ap.add_argument(
        "--monitor-per-day",
        type=int,
        default=86400,
        help="probes per site per day in the rate run (86400: every site every second, far above"
        " what one core can do with ≥ 1,000 sites)",
    )
    ap.add_argument("--growth-sites", type=int, default=300, help="sites given a quarter of stored probes")
    ap.add_argument("--skip-campaigns", action="store_true")
    ap.add_argument(
        "--marginal-sites",
        type=int,
        default=0,
        help="also measure CPU per extra page on this many sites (max-pages 3 vs 30)",
    )
    ap.add_argument("--skip-monitor", action="store_true")
    ap.add_argument(
        "--modes",
        default="inproc,1,2",
        help="campaign runs, comma-separated: inproc (in-process executor), 1, 2 (Celery workers)",
    )
    ap.add_argument(
        "--farm",
        choices=["python", "nginx"],
        default="nginx",
        help="nginx: the farm's static export (`govsite farm export`, ~3.7 MB and ~0.15 s CPU per site,"
        " once) served by nginx, as bench/crawl.py does — the farm then takes ~2.5 ms CPU per site from the"
        " 2 cores instead of ~13 ms; its live-only parts (availability schedule, hostile streams, search)"
        " are not exported. python: `govsite farm serve`, all of it",
    )
    ap.add_argument(
        "--services",
        choices=["private", "shared"],
        default="private",
        help="private: own PostgreSQL cluster and redis-server (their CPU measured); shared:"
        " GOVSITE_TEST_PG and Redis on 6379 (their CPU not measurable: other jobs use them)",
    )
    args = ap.parse_args()

    # kill PID stops the run cleanly too: workers, the farm, PostgreSQL and Redis go with it.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    name = f"govsite_bench_{uuid.uuid4().hex[:8]}"
    tmp = Path(f"/tmp/{name}")
    tmp.mkdir()
    tmp.chmod(0o755)  # nginx workers run unprivileged and must read the export
    with contextlib.ExitStack() as stack:
        stack.callback(shutil.rmtree, tmp, ignore_errors=True)  # the farm export is gigabytes
        stack.callback(_kill_workers)
        db, redis_url, pg_pid, redis_pid = start_services(args.services, name, tmp, stack)
        queue = f"govsite.bench.{uuid.uuid4().hex[:8]}"
        base = dict(os.environ, GOVSITE_DATABASE_URL=db, PYTHONPATH=str(ROOT))
        base.pop("GOVSITE_BROKER_URL", None)
        celery_env = dict(
            base, GOVSITE_BROKER_URL=redis_url, GOVSITE_REDIS_URL=redis_url, GOVSITE_QUEUE=queue
        )
        manifest, farm_pid = start_farm(args, tmp, stack)
        n = int(run([sys.executable, "-c", REGISTER, str(manifest), str(ROOT)], base).split()[-1])
        print(
            f"farm: {args.sites} sites ({args.farm}), {n} registered; --max-pages {args.max_pages};"
            f" {args.worker_concurrency} sites in flight per worker process; {args.services} PostgreSQL and"
            f" Redis; {os.cpu_count()} cores shared with the farm and other jobs (load {loadavg()})",
            flush=True,
        )
        # First a quarter of stored probes: table sizes for the growth figure, and stored probes
        # that the campaign checks of those sites then read for V15-1/D15-1 (as in a deployment
        # where the monitor runs all the time) instead of making 3 short probes 1 s apart.
        growth_bench(args, base, db)
        if not args.skip_campaigns:
            results = campaigns(
                args, base, celery_env, manifest, n, tmp, db, Services(farm_pid, pg_pid, redis_pid)
            )
            if {"1 Celery worker", "2 Celery workers"} <= set(results):
                projection(results, args.worker_concurrency)
        if args.marginal_sites:
            marginal(args, base, manifest, n, db)
        if not args.skip_monitor:
            monitor_bench(args, base, manifest, db)


def _kill_workers() -> None:
    for w in WORKERS:
        w.kill()
        w.wait()


def start_services(
    kind: str, name: str, tmp: Path, stack: contextlib.ExitStack
) -> tuple[str, str, int | None, int | None]:
    """(database URL, Redis URL, postmaster pid, redis-server pid)."""
    if kind == "shared":
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')

        def drop() -> None:
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        stack.callback(drop)
        return PG_ADMIN.rsplit("/", 1)[0] + "/" + name, REDIS, None, None
    sys.path.insert(0, str(ROOT))
    from tests.inspections.test_celery_faults import PrivatePostgres, PrivateRedis

    # Production-like: fsync on, no append-only file (as the shared Redis).
    pg = PrivatePostgres(fsync=True)
    stack.callback(pg.destroy)
    pg.init()
    redis = PrivateRedis(tmp, appendonly=False)
    stack.callback(redis.stop)
    redis.start()
    assert redis.proc is not None
    pid = int((pg.data / "postmaster.pid").read_text().split()[0])
    return pg.url, redis.url, pid, redis.proc.pid


def start_farm(args: argparse.Namespace, tmp: Path, stack: contextlib.ExitStack) -> tuple[Path, int]:
    """The farm's manifest and the pid of the process serving it."""
    port = free_port()
    common = ["--sites", str(args.sites), "--seed", args.seed, "--as-of", "2017-09-14", "--port", str(port)]
    if args.farm == "nginx":
        export = tmp / "export"
        run([*CLI, "farm", "export", str(export), *common], dict(os.environ, PYTHONPATH=str(ROOT)))
        proc = subprocess.Popen(
            ["nginx", "-c", str(export / "nginx.conf")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        manifest = export / "manifest.json"
    else:
        manifest = tmp / "manifest.json"
        proc = subprocess.Popen(
            [*CLI, "farm", "serve", *common, "--manifest", str(manifest)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def stop() -> None:
        proc.terminate()
        proc.wait(timeout=10)

    stack.callback(stop)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if manifest.exists() and manifest.stat().st_size:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return manifest, proc.pid
        if proc.poll() is not None:
            raise SystemExit(f"the farm ({args.farm}) did not start")
        time.sleep(0.2)
    raise SystemExit(f"the farm ({args.farm}) did not start")


if __name__ == "__main__":
    main()
