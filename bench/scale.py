"""Scale-out benchmark: sites checked per hour by the in-process executor, 1 Celery worker
and 2 Celery workers, on the same farm of light sites in the same run, plus the projection
for a national sweep (29,431 sites × 200 pages).

    .venv/bin/python bench/scale.py --sites 200 --max-pages 3

Needs Redis (127.0.0.1:6379) and PostgreSQL (GOVSITE_TEST_PG, default
postgresql://postgres@127.0.0.1:5432/test; a scratch database is created and dropped).
By default each worker runs ONE pool process (``--worker-concurrency 1``), so "N workers"
means N processes checking one site each at a time; the in-process executor overlaps 16 sites
in one process, so compare it with workers of a similar total concurrency."""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-c", "from govsite.cli import main; main()"]
PG_ADMIN = os.environ.get("GOVSITE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
REDIS = "redis://127.0.0.1:6379/0"
NATIONAL_SITES, NATIONAL_PAGES = 29_431, 200

REGISTER = """
import sys
from govsite.project.boot import setup_django
setup_django()
sys.path.insert(0, sys.argv[2])
from tests.inspections.test_farm_e2e import _register_farm_sites
print(_register_farm_sites(__import__('pathlib').Path(sys.argv[1])))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd: list[str], env: dict, timeout: float = 1800) -> str:
    r = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    if r.returncode:
        raise SystemExit(f"failed: {' '.join(cmd[3:])}\n{r.stderr[-2000:]}")
    return r.stdout


def pages(db: str, cid: int) -> tuple[int, int]:
    with psycopg.connect(db) as conn:
        return conn.execute(
            "SELECT count(*) FILTER (WHERE state IN ('done','failed')),"
            " coalesce(sum((report->'crawl'->>'pages')::int), 0)"
            " FROM inspections_campaignsite WHERE campaign_id = %s", [cid]).fetchone()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sites", type=int, default=200)
    ap.add_argument("--max-pages", type=int, default=3)
    ap.add_argument("--seed", default="17")
    ap.add_argument("--worker-concurrency", type=int, default=1, help="pool processes per worker")
    args = ap.parse_args()

    name = f"govsite_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    db = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    queue = f"govsite.bench.{uuid.uuid4().hex[:8]}"
    base = dict(os.environ, GOVSITE_DATABASE_URL=db, PYTHONPATH=str(ROOT))
    base.pop("GOVSITE_BROKER_URL", None)
    celery_env = dict(base, GOVSITE_BROKER_URL=REDIS, GOVSITE_REDIS_URL=REDIS, GOVSITE_QUEUE=queue)
    tmp = Path(f"/tmp/{name}")
    tmp.mkdir()
    manifest = tmp / "manifest.json"
    port = free_port()
    farm = subprocess.Popen([*CLI, "farm", "serve", "--sites", str(args.sites), "--seed", args.seed,
                             "--as-of", "2017-09-14", "--port", str(port), "--manifest", str(manifest)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[subprocess.Popen] = []
    try:
        while not (manifest.exists() and manifest.stat().st_size):
            time.sleep(0.2)
        n = int(run([sys.executable, "-c", REGISTER, str(manifest), str(ROOT)], base).split()[-1])
        print(f"farm: {args.sites} sites, {n} registered; --max-pages {args.max_pages};"
              f" {args.worker_concurrency} pool process(es) per worker; 2 cores shared")
        results: dict[str, tuple[int, float, int]] = {}
        for mode, nworkers in (("in-process executor (concurrency 16)", 0), ("1 Celery worker", 1),
                               ("2 Celery workers", 2)):
            out = run([*CLI, "campaign", "draw", "--quarter", "2017Q3", "--size", str(n), "--seed", mode,
                       "--name", f"bench {mode}", "--min-per-stratum", "0", "--as-of", "2017-09-14",
                       "--farm-manifest", str(manifest), "--json"], base)
            cid = json.loads(out)["id"]
            for i in range(nworkers):
                log = tmp / f"{cid}-w{i}.log"
                workers.append(subprocess.Popen(
                    [*CLI, "worker", "--concurrency", str(args.worker_concurrency), "--hostname", f"bench{i}-{cid}@%h"],
                    env=celery_env, cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT))
                deadline = time.monotonic() + 120
                while "ready." not in log.read_text(errors="replace") and time.monotonic() < deadline:
                    time.sleep(0.3)
            env = celery_env if nworkers else base
            t0 = time.monotonic()
            run([*CLI, "campaign", "run", str(cid), "--farm-manifest", str(manifest), "--allow-private",
                 "--max-pages", str(args.max_pages), "--time-budget", "60", "--no-progress"], env)
            secs = time.monotonic() - t0
            checked, npages = pages(db, cid)
            results[mode] = (checked, secs, npages)
            print(f"{mode:40s} {checked:5d} sites in {secs:7.1f} s = {checked / secs * 3600:9.0f} sites/h,"
                  f" {npages / secs * 3600:9.0f} pages/h")
            for w in workers:
                w.terminate()
                w.wait(timeout=30)
            workers.clear()
        (c1, s1, p1), (c2, s2, _p2) = results["1 Celery worker"], results["2 Celery workers"]
        rate1, rate2 = c1 / s1, c2 / s2
        print(f"2 workers / 1 worker: {rate2 / rate1:.2f}x (goal ≥ 1.8x on free cores)")
        ppw = p1 / s1 * 3600  # pages per hour per worker
        total_pages = NATIONAL_SITES * NATIONAL_PAGES
        print(f"projection: {NATIONAL_SITES} sites × {NATIONAL_PAGES} pages = {total_pages:,} pages;"
              f" at {ppw:,.0f} pages/h per worker (farm on loopback, this worker concurrency):")
        for k in (1, 2):
            print(f"  {k} worker(s): {total_pages / (ppw * k):6.1f} h")
        need = total_pages / (ppw * 6)
        print(f"  a 6-hour sweep needs {need:.1f} such workers (linear scaling assumed)")
    finally:
        for w in workers:
            w.kill()
        farm.terminate()
        farm.wait(timeout=10)
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
