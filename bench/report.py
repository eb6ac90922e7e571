"""Benchmark: one whole national quarter's notice (2017Q3: 29,431 sites, 500 sampled, 12,466
self-checks, 14,210 messages) collected from the database and written as DOCX, XLSX, HTML and
PDF, with wall time per step and peak RSS.

Peers measured in the same run:
* LibreOffice alone converting the same DOCX to PDF (the floor for the PDF step);
* the same four attachment tables written with the csv module (the floor for table output).

The database is a fresh SQLite file in a temporary GOVSITE_VAR_DIR, filled by
`govsite fixture load 2017Q3` in a subprocess (setup, timed separately, not part of the figure).
Pass `--var-dir DIR` to reuse a database that already holds the fixture.

    .venv/bin/python bench/report.py [--var-dir DIR] [--keep]
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mb(kb: int) -> float:
    return kb / 1024  # ru_maxrss is in KiB on Linux


def run_child_with_rusage(cmd: list[str], env: dict | None = None) -> tuple[float, float, int]:
    """(seconds, peak RSS MiB, exit code) of one child process, measured with wait4."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - t, rss_mb(usage.ru_maxrss), proc.returncode


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--var-dir", help="database directory that already holds the 2017Q3 fixture")
    ap.add_argument("--keep", action="store_true", help="keep the output directory")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="govsite-bench-report-"))
    var_dir = Path(args.var_dir) if args.var_dir else work / "var"
    os.environ["GOVSITE_VAR_DIR"] = str(var_dir)
    os.environ.pop("GOVSITE_DATABASE_URL", None)
    if not args.var_dir:
        secs, peak, code = run_child_with_rusage([str(ROOT / ".venv/bin/govsite"), "fixture", "load", "2017Q3"])
        if code:
            print("fixture load failed", file=sys.stderr)
            return 1
        print(f"setup: fixture load 2017Q3 into a fresh SQLite database: {secs:.1f} s (peak RSS {peak:.0f} MiB)")

    from govsite.project.boot import setup_django

    setup_django()
    from govsite.reports.charts import all_charts
    from govsite.reports.collect import collect
    from govsite.reports.compose import compose
    from govsite.reports.render_docx import render_docx
    from govsite.reports.render_html import render_html
    from govsite.reports.render_pdf import docx_to_pdf
    from govsite.reports.render_xlsx import render_xlsx
    from govsite.reports.tables import build_tables

    out = work / "out"
    out.mkdir()
    steps: dict[str, float] = {}
    cpu: dict[str, float] = {}
    t0 = time.perf_counter()
    t = t0
    c = time.process_time()
    data = collect("2017Q3")
    steps["collect (database → notice data)"] = time.perf_counter() - t
    cpu["collect (database → notice data)"] = time.process_time() - c
    c = time.process_time()
    t = time.perf_counter()
    notice = compose(data)
    tables = build_tables(data, notice.attachment_titles)
    steps["compose text + attachment tables"] = time.perf_counter() - t
    cpu["compose text + attachment tables"] = time.process_time() - c
    c = time.process_time()
    t = time.perf_counter()
    charts = all_charts(data)
    steps["charts (3, matplotlib)"] = time.perf_counter() - t
    cpu["charts (3, matplotlib)"] = time.process_time() - c
    c = time.process_time()
    t = time.perf_counter()
    docx = out / "notice-2017Q3.docx"
    docx.write_bytes(render_docx(notice, tables, charts))
    steps["DOCX"] = time.perf_counter() - t
    cpu["DOCX"] = time.process_time() - c
    c = time.process_time()
    t = time.perf_counter()
    (out / "attachments-2017Q3.xlsx").write_bytes(render_xlsx(tables))
    steps["XLSX"] = time.perf_counter() - t
    cpu["XLSX"] = time.process_time() - c
    c = time.process_time()
    t = time.perf_counter()
    (out / "notice-2017Q3.html").write_text(render_html(notice, tables, charts), encoding="utf-8")
    steps["HTML"] = time.perf_counter() - t
    cpu["HTML"] = time.process_time() - c
    c = time.process_time()
    t = time.perf_counter()
    lo_cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
    docx_to_pdf(docx, out)
    steps["PDF (LibreOffice)"] = time.perf_counter() - t
    cpu["PDF (LibreOffice)"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - lo_cpu0
    total = time.perf_counter() - t0
    self_peak = rss_mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    child_peak = rss_mb(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)

    # Peer 1: LibreOffice alone on the same DOCX (fresh profile, as our step does).
    binary = shutil.which("libreoffice") or shutil.which("soffice")
    with tempfile.TemporaryDirectory() as profile, tempfile.TemporaryDirectory() as peer_out:
        lo_secs, lo_peak, code = run_child_with_rusage([
            binary, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--convert-to", "pdf",
            "--outdir", peer_out, str(docx)])
    # Peer 2: the same four tables as CSV (the floor for writing the attachments).
    t = time.perf_counter()
    for table in tables:
        with open(out / f"attachment{table.number}.csv", "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerows(table.header_grid())
            w.writerows(table.rows)
            if table.total:
                w.writerow(table.total)
    csv_secs = time.perf_counter() - t

    rows = sum(len(t.rows) for t in tables)
    print(f"quarter 2017Q3: {data.running_total} running sites, {data.sample.sampled} sampled, "
          f"{data.unit_total('self_checked')} self-checks, {data.unit_total('messages')} valid messages; "
          f"{rows} attachment rows")
    print(f"  {'step':36s} {'wall':>8s} {'cpu':>8s}   (cpu: this process, or LibreOffice's user time)")
    for name, secs in steps.items():
        print(f"  {name:36s} {secs:6.2f} s {cpu[name]:6.2f} s")
    print(f"  {'TOTAL (DOCX+XLSX+HTML+PDF)':36s} {total:6.2f} s {sum(cpu.values()):6.2f} s   peak RSS: python {self_peak:.0f} MiB, "
          f"LibreOffice {child_peak:.0f} MiB")
    print(f"peer LibreOffice alone, same DOCX → PDF: {lo_secs:6.2f} s (peak RSS {lo_peak:.0f} MiB, exit {code})")
    print(f"peer csv module, same 4 tables:          {csv_secs * 1000:6.1f} ms")
    print(f"govsite without the PDF step: {total - steps['PDF (LibreOffice)']:.2f} s; "
          f"PDF step vs LibreOffice alone: {steps['PDF (LibreOffice)'] / lo_secs:.2f}×; "
          f"XLSX vs csv: {steps['XLSX'] / max(csv_secs, 1e-9):.0f}×")
    print(f"outputs: {sorted(p.name for p in out.iterdir())}")
    if args.keep:
        print(f"kept {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
