"""Campaign benchmark.

Part 1 — orchestration overhead on the full 2017Q3 registry (29,431 running sites), with the
offline checker (no network, microseconds per site): draw a sample of every running site
(scheduling), run it through the executor (bookkeeping: states, reports, progress), accept
the findings, compute all statistics. Goal: under 60 s in total. Peer measured in the same
run: a bare ``asyncio.gather`` of the same checker over the same jobs with no database at all
— the difference is what the orchestration costs.

Part 2 — a campaign on the farm with the real engine (sites/minute, CPU seconds, peak RSS),
against the same checks one after another (the sequential peer: the sum of this run's
per-site durations), unless ``--farm-sites 0``.

Usage: .venv/bin/python bench/campaign.py [--farm-sites 40] [--max-pages 40] [--keep]
Everything runs in a throw-away SQLite database under a temporary directory."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--farm-sites", type=int, default=40, help="sites in the farm campaign (0 = skip part 2)")
    ap.add_argument("--max-pages", type=int, default=40, help="engine page budget per farm site")
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="govsite-bench-campaign-"))
    os.environ["GOVSITE_VAR_DIR"] = str(tmp)
    os.environ.pop("GOVSITE_DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    try:
        _run(tmp, args)
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def _run(tmp: Path, args: argparse.Namespace) -> None:
    cli = [sys.executable, "-c", "from govsite.cli import main; main()"]
    t = time.perf_counter()
    subprocess.run([*cli, "registry", "generate", "--like", "2017Q3", "--seed", "2017"], check=True,
                   stdout=subprocess.DEVNULL)
    print(f"setup: registry generated in {time.perf_counter() - t:.1f} s (not counted)")

    from asgiref.sync import async_to_sync

    from govsite.project.boot import setup_django

    setup_django()
    from govsite.inspections import results
    from govsite.inspections.campaigns import draw_national_sample
    from govsite.inspections.executor import RunOptions, _prepare, run_campaign
    from govsite.inspections.offline import registry_rules_checker, rule_report
    from govsite.inspections.reviews import auto_accept
    from govsite.registry.models import Site

    n_running = Site.objects.filter(status="running").count()
    print(f"\n== Part 1: orchestration on the full registry ({n_running:,} running sites, offline checker) ==")
    cpu0 = _cpu()
    t0 = time.perf_counter()
    c = draw_national_sample("2017Q3", n_running, "bench", minimum=1)
    t_draw, c_draw = time.perf_counter() - t0, _cpu() - cpu0

    t, c1 = time.perf_counter(), _cpu()
    summary = async_to_sync(run_campaign)(c.pk, registry_rules_checker, RunOptions(concurrency=args.concurrency))
    t_run, c_run = time.perf_counter() - t, _cpu() - c1

    t, c1 = time.perf_counter(), _cpu()
    accepted = auto_accept(c)
    t_accept, c_accept = time.perf_counter() - t, _cpu() - c1

    t, c1 = time.perf_counter(), _cpu()
    data = results.summary("2017Q3")
    t_stats, c_stats = time.perf_counter() - t, _cpu() - c1
    total = time.perf_counter() - t0
    cpu = _cpu() - cpu0
    load = os.getloadavg()[0]

    # Peer: the same checker over the same jobs, no bookkeeping at all.
    c2 = draw_national_sample("2017Q3", n_running, "bench-peer", minimum=1)
    jobs, _ = _prepare(c2.pk, RunOptions())

    async def bare() -> int:
        async def one(j):  # noqa: ANN001, ANN202
            return rule_report(j)

        return len(await asyncio.gather(*(one(j) for j in jobs)))

    t = time.perf_counter()
    n_peer = asyncio.run(bare())
    t_peer = time.perf_counter() - t

    print(f"machine load average at the end: {load:.1f} on {os.cpu_count()} cores (wall times include waiting)")
    print(f"draw (stratified sample of all {n_running:,}):      wall {t_draw:6.2f} s  CPU {c_draw:6.2f} s")
    print(f"run  ({summary.done:,} done, {summary.failed} failed):          wall {t_run:6.2f} s  CPU {c_run:6.2f} s "
          f"({summary.done / t_run:,.0f} sites/s)")
    print(f"auto-accept ({accepted['accepted']:,} reviews + audit):      wall {t_accept:6.2f} s  CPU {c_accept:6.2f} s")
    print(f"statistics (pass rates, coverage, problems):  wall {t_stats:6.2f} s  CPU {c_stats:6.2f} s "
          f"({len(data['problem_sites']):,} problem sites)")
    print(f"TOTAL orchestration:                          wall {total:6.2f} s  CPU {cpu:6.2f} s  (goal < 60 s: "
          f"wall {'met' if total < 60 else 'NOT met'}, CPU {'met' if cpu < 60 else 'NOT met'}); "
          f"peak RSS {_peak_rss_mb():.0f} MB")
    print(f"peer — bare asyncio.gather of the same checker, no DB ({n_peer:,} sites): {t_peer:6.2f} s "
          f"→ orchestration costs {1000 * (total - t_peer) / n_running:.2f} ms per site")

    if args.farm_sites > 0:
        _farm_part(tmp, args, cli)


def _farm_part(tmp: Path, args: argparse.Namespace, cli: list[str]) -> None:
    from asgiref.sync import async_to_sync

    from govsite.inspections.campaigns import draw_national_sample
    from govsite.inspections.executor import RunOptions, engine_checker, run_campaign
    from govsite.inspections.farmlink import load_manifest, matching_codes, run_overrides

    n = args.farm_sites
    print(f"\n== Part 2: {n}-site campaign on the farm, real engine (max {args.max_pages} pages/site) ==")
    port = _free_port()
    manifest = tmp / "farm.json"
    farm_n = max(200, int(n * 1.6))  # ~70 % of farm sites match the registry (code and host)
    proc = subprocess.Popen([*cli, "farm", "serve", "--sites", str(farm_n), "--seed", "2017", "--as-of",
                             "2017-09-14", "--port", str(port), "--manifest", str(manifest)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                if manifest.exists() and manifest.stat().st_size:
                    break
            except OSError:
                time.sleep(0.3)
        entries, _ = load_manifest(manifest)
        codes = matching_codes(entries)
        size = min(n, len(codes))
        c = draw_national_sample("2017Q3", size, "farm", minimum=0, restrict_to=codes,
                                 as_of=dt.date(2017, 9, 14))
        urls, resolve = run_overrides(manifest)
        opts = RunOptions(concurrency=args.concurrency, allow_private=True, resolve=resolve, url_overrides=urls,
                          max_pages=args.max_pages, time_budget=120.0)
        cpu0 = _cpu()
        t = time.perf_counter()
        summary = async_to_sync(run_campaign)(c.pk, engine_checker, opts)
        wall = time.perf_counter() - t
        cpu = _cpu() - cpu0
        farm_cpu = _child_cpu(proc.pid)
        print(f"campaign: {summary.done} done, {summary.failed} failed in {wall:.1f} s → "
              f"{60 * summary.done / wall:.1f} sites/minute; checker CPU {cpu:.1f} s "
              f"({cpu / max(summary.done, 1):.2f} s/site); farm CPU {farm_cpu}; peak RSS {_peak_rss_mb():.0f} MB")
        # Peer: the same checks one after another. Measured from this run's own per-site
        # durations (a second, sequential run of every site would take as long as their sum).
        secs = sorted(
            (cs.finished_at - cs.started_at).total_seconds()
            for cs in c.sites.filter(state="done").only("started_at", "finished_at")
        )
        if secs:
            seq = sum(secs)
            print(f"per-site check time: median {statistics.median(secs):.1f} s, p90 "
                  f"{secs[int(0.9 * (len(secs) - 1))]:.1f} s, max {secs[-1]:.1f} s (traps and slow pages dominate the tail)")
            print(f"peer — sequential (one site at a time, sum of the per-site durations; measured under "
                  f"concurrency, so an upper bound): {seq:.1f} s → {60 * len(secs) / seq:.1f} sites/minute; "
                  f"the executor is up to {seq / wall:.1f}× faster")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _child_cpu(pid: int) -> str:
    try:
        import psutil

        t = psutil.Process(pid).cpu_times()
        return f"{t.user + t.system:.1f} s"
    except Exception:  # noqa: BLE001 - only a figure
        return "n/a"


if __name__ == "__main__":
    main()
