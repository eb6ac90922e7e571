"""Registry benchmark: generate and import the 29,431-site 2017Q3 registry on SQLite and on
PostgreSQL, re-import (no-op), export, `stats` and `lint`, with rows/s and peak RSS; compared in
the same run against a named peer, Django's plain row-by-row `Model.save()` import of the same
rows (Organization get_or_create + Site.save + Domain.save + SiteChange.save per row, in one
transaction, on a sample, rolled back).

    .venv/bin/python bench/registry.py [--backends sqlite,postgresql] [--peer-rows 2000]

PostgreSQL: a scratch database `govsite_bench` is created on postgresql://postgres@127.0.0.1:5432
and dropped afterwards. Goals (issue 2): import ≥ 5,000 rows/s on SQLite; stats < 1 s."""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("GOVSITE_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
PG_DB = "govsite_bench"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(peer_rows: int) -> None:
    """Runs inside a process whose GOVSITE_DATABASE_URL points at an empty scratch database."""
    sys.path.insert(0, str(ROOT))
    from govsite.project.boot import setup_django

    setup_django()
    from django.db import transaction

    from govsite.registry.generator import generate
    from govsite.registry.importer import import_file, records_to_rows
    from govsite.registry.index import RegistryIndex
    from govsite.registry.lint import lint_registry
    from govsite.registry.models import Domain, Organization, Site, SiteChange
    from govsite.registry.records import HEADERS
    from govsite.registry.stats import registry_stats
    from govsite.registry.tabular import write_table

    out: dict[str, float] = {}
    tmp = Path(tempfile.mkdtemp(prefix="govsite-bench-"))
    index = RegistryIndex()

    t = time.perf_counter()
    generated = generate(like="2017Q3", seed=2017, index=index)
    out["generate_s"] = time.perf_counter() - t
    out["rows"] = len(generated.records)
    out["rss_generate_mb"] = peak_rss_mb()
    path = tmp / "registry.csv"
    write_table(path, HEADERS, records_to_rows(generated.records, index))
    out["file_mb"] = path.stat().st_size / 1048576

    # Peer: Django's plain per-row save() on the first N rows, rolled back.
    sample = generated.records[:peer_rows]
    t = time.perf_counter()
    with transaction.atomic():
        for r in sample:
            region = index.regions.get(r.region) if r.region else None
            dept = index.departments.get(r.department) if r.department else None
            org, _ = Organization.objects.get_or_create(
                name=r.sponsor, region_id=region.id if region else None, department=dept,
                defaults={"address": r.sponsor_address})
            site = Site(code=r.code, name=r.name, home_url=r.home_url, category=r.category, site_class=r.site_class,
                        level=r.level, region_id=region.id if region else None, department=dept, sponsor=org,
                        operator=r.operator, icp=r.icp, police_record=r.police_record, conac_id=r.conac_id,
                        contacts=r.contacts, status=r.status)
            site.save()
            for i, host in enumerate(r.domains):
                Domain(site=site, host=host, is_primary=i == 0).save()
            SiteChange(site=site, actor="bench", action="create", changes=r.snapshot()).save()
        transaction.set_rollback(True)
    out["peer_rows"] = len(sample)
    out["peer_s"] = time.perf_counter() - t

    t, c = time.perf_counter(), time.process_time()
    result = import_file(path, actor="bench")
    out["import_s"] = time.perf_counter() - t
    out["import_cpu_s"] = time.process_time() - c
    assert result.created == out["rows"], result
    out["rss_import_mb"] = peak_rss_mb()

    t = time.perf_counter()
    again = import_file(path, actor="bench")
    out["reimport_s"] = time.perf_counter() - t
    assert again.unchanged == out["rows"] and again.changes == 0

    t = time.perf_counter()
    from govsite.registry.exporter import export_file

    export_file(tmp / "export.csv")
    out["export_s"] = time.perf_counter() - t

    runs = []
    for _ in range(3):
        t = time.perf_counter()
        stats = registry_stats()
        runs.append(time.perf_counter() - t)
    assert stats["total"] == out["rows"]
    out["stats_s"] = sorted(runs)[1]

    t = time.perf_counter()
    out["lint_findings"] = len(lint_registry())
    out["lint_s"] = time.perf_counter() - t
    out["rss_peak_mb"] = peak_rss_mb()
    print("RESULT " + json.dumps(out))


def run_backend(name: str, url: str, peer_rows: int) -> dict | None:
    env = {**os.environ, "GOVSITE_DATABASE_URL": url}
    proc = subprocess.run([sys.executable, __file__, "--child", "--peer-rows", str(peer_rows)], env=env,
                          capture_output=True, text=True, cwd=ROOT)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    print(f"[{name}] failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}", file=sys.stderr)
    return None


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--peer-rows", type=int, default=2000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.peer_rows)
        return

    results: dict[str, dict] = {}
    for backend in args.backends.split(","):
        if backend == "sqlite":
            with tempfile.TemporaryDirectory(prefix="govsite-bench-") as d:
                res = run_backend(backend, f"sqlite:///{d}/bench.sqlite3", args.peer_rows)
        elif backend == "postgresql":
            base = PG_ADMIN_URL.rsplit("/", 1)[0]
            try:
                pg_admin(f"DROP DATABASE IF EXISTS {PG_DB}")
                pg_admin(f"CREATE DATABASE {PG_DB}")
            except Exception as exc:
                print(f"[postgresql] unavailable: {exc}", file=sys.stderr)
                continue
            try:
                res = run_backend(backend, f"{base}/{PG_DB}", args.peer_rows)
            finally:
                pg_admin(f"DROP DATABASE IF EXISTS {PG_DB}")
        else:
            raise SystemExit(f"unknown backend {backend}")
        if res:
            results[backend] = res

    if not results:
        raise SystemExit("no backend ran")
    rows = [
        ("sites generated", lambda r: f"{r['rows']:,}"),
        ("generate (in memory)", lambda r: f"{r['generate_s']:.2f} s  {r['rows'] / r['generate_s']:,.0f} rows/s"),
        ("import CSV (empty registry)", lambda r: f"{r['import_s']:.2f} s  {r['rows'] / r['import_s']:,.0f} rows/s"),
        ("import, client CPU time only", lambda r: f"{r['import_cpu_s']:.2f} s  {r['rows'] / r['import_cpu_s']:,.0f} rows/s"),
        ("re-import (no changes)", lambda r: f"{r['reimport_s']:.2f} s  {r['rows'] / r['reimport_s']:,.0f} rows/s"),
        ("peer: Django row-by-row save()", lambda r: f"{r['peer_rows']:,} rows  {r['peer_rows'] / r['peer_s']:,.0f} rows/s"),
        ("import speed-up over peer", lambda r: f"{(r['rows'] / r['import_s']) / (r['peer_rows'] / r['peer_s']):.1f}x"),
        ("export CSV", lambda r: f"{r['export_s']:.2f} s ({r['file_mb']:.1f} MB)"),
        ("stats (median of 3)", lambda r: f"{r['stats_s'] * 1000:.0f} ms"),
        ("lint", lambda r: f"{r['lint_s']:.2f} s ({r['lint_findings']:,} findings)"),
        ("peak RSS after generate", lambda r: f"{r['rss_generate_mb']:.0f} MB"),
        ("peak RSS after import", lambda r: f"{r['rss_import_mb']:.0f} MB"),
    ]
    names = list(results)
    width = max(len(label) for label, _ in rows)
    colw = 30
    print(f"{'registry benchmark (2017Q3, seed 2017)':<{width}}  " + "  ".join(f"{n:>{colw}}" for n in names))
    print("-" * (width + (colw + 2) * len(names)))
    for label, fmt in rows:
        print(f"{label:<{width}}  " + "  ".join(f"{fmt(results[n]):>{colw}}" for n in names))
    print(f"\nload average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          "(wall-clock figures stretch when other jobs share the CPUs; the CPU-time row does not)")
    sqlite = results.get("sqlite")
    if sqlite:
        rate = sqlite["rows"] / sqlite["import_s"]
        print(f"\ngoal: import >= 5,000 rows/s on SQLite -> {rate:,.0f} ({'met' if rate >= 5000 else 'NOT met'}); "
              f"stats < 1 s -> {sqlite['stats_s'] * 1000:.0f} ms ({'met' if sqlite['stats_s'] < 1 else 'NOT met'})")


if __name__ == "__main__":
    main()
