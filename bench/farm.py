"""Benchmark: pages/s the farm serves on one core.

Compares the asyncio farm server (`govsite farm serve`) with nginx serving the static export
of the same sites (`govsite farm export`), both pinned to CPU 0, loaded by `wrk` pinned to
CPU 1 over loopback with a list of real farm URLs (varied hosts and pages). Two URL sets:
"warm" (fits the server's page LRU) and "cold" (every page of every site, mostly rendered on
request). Goal: the asyncio server ≥ 2,000 pages/s.

    .venv/bin/python bench/farm.py [--sites 40] [--seconds 8] [--connections 32]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cpustat import cpu_seconds  # noqa: E402 - bench/ is on sys.path when a script runs

from govsite.farm import export as export_mod  # noqa: E402
from govsite.farm.model import Farm  # noqa: E402

LUA = r"""
local reqs = {}
local i = 0
init = function(args)
  for line in io.lines(args[1]) do
    local host, path = line:match("^(%S+) (%S+)$")
    table.insert(reqs, wrk.format("GET", path, {["Host"] = host}))
  end
end
request = function()
  i = i + 1
  return reqs[(i % #reqs) + 1]
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise SystemExit(f"server exited early: {proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("server did not start")


def pin(cpu: int) -> list[str]:
    return ["taskset", "-c", str(cpu)] if shutil.which("taskset") and os.cpu_count() and os.cpu_count() > 1 else []


def url_lists(farm: Farm, warm_per_site: int) -> tuple[list[str], list[str]]:
    """(warm, cold) lines "host path". Sites with an availability schedule are left out (their
    home page is meant to fail), and so are pages that are not 200 (defects)."""
    warm, cold = [], []
    for ident in farm.identities:
        site = farm.site(ident.index)
        if "availability" in site.marks:
            continue
        paths = []
        for raw in export_mod.site_paths(site):
            page = export_mod.render_raw(site, raw)
            if page is not None and page.status == 200 and not page.special:
                paths.append(raw)
        cold += [f"{ident.host} {p}" for p in paths]
        step = max(1, len(paths) // warm_per_site)
        warm += [f"{ident.host} {p}" for p in paths[::step][:warm_per_site]]
    return warm, cold


def run_wrk(port: int, urls: Path, seconds: int, conns: int, pid: int) -> dict:
    script = urls.parent / "urls.lua"
    script.write_text(LUA)
    cmd = [*pin(1), "wrk", "-t1", f"-c{conns}", f"-d{seconds}s", "-s", str(script), f"http://127.0.0.1:{port}/",
           "--", str(urls)]
    cpu0 = cpu_seconds(pid)
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    cpu = cpu_seconds(pid) - cpu0
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return {"pages_per_s": round(rps), "pages_per_cpu_s": round(total / cpu) if cpu else 0, "non_2xx": int(non2xx.group(1)) if non2xx else 0,
            "socket_errors": errors.group(0) if errors else ""}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sites", type=int, default=40)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--skip-nginx", action="store_true", help="only the asyncio server (quick runs)")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed (apt-get install wrk)")
    if not shutil.which("nginx"):
        raise SystemExit("nginx is needed (make system-deps)")
    as_of = date(2017, 9, 14)
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="farm-bench-") as tmpd:
        tmp = Path(tmpd)
        tmp.chmod(0o755)  # nginx workers run as an unprivileged user when the master is root
        port_py, port_ng = free_port(), free_port()
        farm = Farm(args.seed, args.sites, as_of, port=port_py)
        t0 = time.process_time()
        warm, cold = url_lists(farm, 40)
        gen_s = time.process_time() - t0
        (tmp / "warm.txt").write_text("\n".join(warm) + "\n")
        (tmp / "cold.txt").write_text("\n".join(cold) + "\n")
        print(f"farm: {args.sites} sites, {len(cold)} pages rendered in-process in {gen_s:.1f} CPU-s "
              f"({len(cold) / gen_s:.0f} pages per CPU-second, render only)")

        # 1. the farm server on CPU 0: the default asyncio protocol front-end, then aiohttp's.
        govsite = str(Path(sys.executable).with_name("govsite"))
        for front, label in (("asyncio", "asyncio farm"), ("aiohttp", "aiohttp farm (peer)")):
            proc = subprocess.Popen([*pin(0), govsite, "farm", "serve", "--sites", str(args.sites), "--seed",
                                     str(args.seed), "--as-of", str(as_of), "--port", str(port_py), "--front", front],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            try:
                wait_port(port_py, proc)
                run_wrk(port_py, tmp / "warm.txt", 2, args.connections, proc.pid)  # warm the page LRU
                results[f"{label}, warm set (LRU hits)"] = run_wrk(port_py, tmp / "warm.txt", args.seconds,
                                                                   args.connections, proc.pid)
                results[f"{label}, all pages (mostly rendered)"] = run_wrk(port_py, tmp / "cold.txt", args.seconds,
                                                                           args.connections, proc.pid)
            finally:
                proc.terminate()
                proc.wait(10)

        if args.skip_nginx:
            report(results)
            return
        # 2. nginx serving the static export on CPU 0 (one worker).
        out = tmp / "export"
        out.mkdir()
        t0 = time.monotonic()
        stats = export_mod.export(Farm(args.seed, args.sites, as_of, port=port_ng), out)
        print(f"export: {stats['files']} files, {stats['bytes'] / 1e6:.1f} MB in {time.monotonic() - t0:.1f} s")
        conf = export_mod.write_nginx_conf(out, port_ng, workers=1)
        ng = subprocess.Popen([*pin(0), "nginx", "-c", str(conf), "-e", str(out / "nginx-tmp" / "error.log")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_port(port_ng, ng)
            run_wrk(port_ng, tmp / "warm.txt", 2, args.connections, ng.pid)
            results["nginx static export, warm set"] = run_wrk(port_ng, tmp / "warm.txt", args.seconds, args.connections, ng.pid)
            results["nginx static export, all pages"] = run_wrk(port_ng, tmp / "cold.txt", args.seconds, args.connections, ng.pid)
        finally:
            ng.terminate()
            ng.wait(10)

    report(results)


def report(results: dict[str, dict]) -> None:
    """Wall-clock pages/s depends on what else runs on the machine; pages per CPU-second of
    the server process is the one-core capacity and is what the goal is checked against."""
    print(f"\n{'server (one core)':45} {'pages/s':>9} {'pages/CPU-s':>12} {'non-2xx':>8}")
    for name, r in results.items():
        print(f"{name:50} {r['pages_per_s']:>9} {r['pages_per_cpu_s']:>12} {r['non_2xx']:>8} {r['socket_errors']}")
    asy = results["asyncio farm, all pages (mostly rendered)"]["pages_per_cpu_s"]
    goal = "MET" if asy >= 2000 else "NOT MET"
    ngx = results.get("nginx static export, all pages")
    if ngx:
        print(f"\nnginx / asyncio farm (all pages, per CPU-second): {ngx['pages_per_cpu_s'] / asy:.1f}x")
    aio = results.get("aiohttp farm (peer), all pages (mostly rendered)")
    if aio:
        print(f"asyncio front-end / aiohttp front-end (all pages, per CPU-second): {asy / aio['pages_per_cpu_s']:.2f}x")
    print(f"goal: asyncio farm ≥ 2,000 pages per CPU-second (one core): {goal} ({asy})")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
