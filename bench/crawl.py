"""Crawl throughput on the farm's static export served by nginx: govsite (crawl + extraction
+ link checks) against LinkChecker, linkinator 7.x and a plain aiohttp+selectolax crawl
(the floor), in one run, on the same sites.

    .venv/bin/python bench/crawl.py --sites 8 [--linkchecker PATH] [--linkinator PATH]
    .venv/bin/python bench/crawl.py --big 10000     # memory: one site grown to 10,000 pages

`--big N` checks memory as a site grows: the farm makes sites of a few hundred pages, so one
exported site is replicated under /m0/, /m1/, … (its root-relative links rewritten into each
copy, the home page linking every copy) until it holds more than N HTML pages; govsite crawls it at
N/8, N/2 and N pages and prints its peak RSS at each size (the goal: < 300 MB at 10,000 pages,
and flat as the site grows).

Every tool runs as its own process; CPU seconds and peak RSS come from wait4() on that
process. govsite runs twice: in one process, and with `--processes N` (default 2) through
`crawl_sites`, which deals the sites out by host to N processes; CPU then counts every process
(wait4 includes reaped children) and peak RSS is the largest single process. "govsite +
detectors" is the same one-process crawl through `check_site` (engine/check.py), whose observers
(text scanners, security, interaction, services, collector) read every page; search and the
availability probes are off. The last lines print the goal ratios: CPU per page against the
floor, pages/s against linkinator and LinkChecker (issue 4), and the detectors' cost against
govsite alone (issue 5: at most 30 % of throughput). Every tool reaches the farm's virtual hosts on 127.0.0.1 without DNS: govsite and
the floor through --resolve-style resolvers, linkinator through an undici preload, LinkChecker
through a getaddrinfo shim.
LinkChecker: `python -m venv /tmp/lc && /tmp/lc/bin/pip install linkchecker`;
linkinator: `npm install linkinator@7` in a temp directory."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv/bin/python")


PRELOAD = """// govsite bench: resolve every host to 127.0.0.1 for undici (linkinator's fetch).
import { setGlobalDispatcher, Agent } from 'undici';
const lookup = (hostname, options, cb) => {
  if (options && options.all) cb(null, [{ address: '127.0.0.1', family: 4 }]);
  else cb(null, '127.0.0.1', 4);
};
setGlobalDispatcher(new Agent({ connect: { lookup } }));
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_measured(cmd: list[str], env: dict | None = None, timeout: float = 900) -> tuple[float, float, float, str]:
    """(wall s, cpu s, peak RSS MB, stdout) of one child process, from wait4()."""
    t0 = time.monotonic()
    out = tempfile.TemporaryFile()
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
    deadline = t0 + timeout
    while True:
        pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            proc.kill()
        time.sleep(0.05)
    wall = time.monotonic() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    out.seek(0)
    text = out.read().decode("utf-8", "replace")
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0, text


# -- workers (run in a child process) ----------------------------------------------------------

def worker_govsite(manifest: dict, port: int, max_pages: int, processes: int = 1) -> None:
    sys.path.insert(0, str(ROOT))
    from govsite.engine.crawl import crawl_sites
    from govsite.engine.fetch import FetchConfig

    resolve = {(s["host"], port): ["127.0.0.1"] for s in manifest["sites"]}
    config = FetchConfig(allow_private=True, resolve=resolve, per_host=2, retries=0)
    done = crawl_sites([s["url"] for s in manifest["sites"]], config, processes=processes, max_pages=max_pages,
                       max_depth=10, check_external=False)
    pages = sum(sum(1 for p in c.pages if p.html) for c in done)
    urls = sum(len(c.pages) + sum(1 for lr in c.links.values() if lr.checked and lr.kind != "page") for c in done)
    print(json.dumps({"pages": pages, "urls": urls}))


def worker_detectors(manifest: dict, port: int, max_pages: int) -> None:
    """The same crawl through `check_site`, which adds the engine's detectors: the observers it
    builds (text scanners, security, interaction, services, collector) read every page, then
    the post-crawl interaction/service follow-ups and scoring run. Search and the availability
    probes are off (they query the site, not the crawled pages); one process, as observers need."""
    sys.path.insert(0, str(ROOT))
    from datetime import datetime, timedelta, timezone

    from govsite.engine.check import CheckOptions, SiteTarget, check_site
    from govsite.engine.fetch import FetchConfig, Fetcher
    from govsite.engine.indicators.guideline import CATEGORY_LABELS

    resolve = {(s["host"], port): ["127.0.0.1"] for s in manifest["sites"]}
    as_of = datetime.fromisoformat(manifest["as_of"]).replace(hour=23, minute=59, tzinfo=timezone(timedelta(hours=8)))
    # An empty probe log: no probes are sent (availability is judged from the log, here empty).
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as probe_log:
        pass
    opts = CheckOptions(as_of=as_of, allow_private=True, max_pages=max_pages, max_depth=10, check_external=False,
                        check_search=False, probe_log=probe_log.name, time_budget=600)
    counts = {"pages": 0, "urls": 0}
    t0 = time.monotonic()
    crawled = [0.0, 0.0]  # process CPU s and wall s when the last site's crawl ended

    def count(c) -> None:  # noqa: ANN001 - the finished Crawler; counted as worker_govsite counts
        crawled[:] = [time.process_time(), time.monotonic() - t0]
        counts["pages"] += sum(1 for p in c.pages if p.html)
        counts["urls"] += len(c.pages) + sum(1 for lr in c.links.values() if lr.checked and lr.kind != "page")

    def target(site: dict) -> SiteTarget:
        cat = site.get("category")
        return SiteTarget(url=site["url"], name=site.get("name"), code=site.get("code"),
                          category=CATEGORY_LABELS.get(cat, cat if isinstance(cat, int) else None),
                          official_name=site.get("official_name"))

    async def main() -> None:
        async with Fetcher(FetchConfig(allow_private=True, resolve=resolve, per_host=2, retries=0)) as f:
            await asyncio.gather(*(check_site(target(s), opts, fetcher=f, on_crawl=count) for s in manifest["sites"]))

    try:
        asyncio.run(main())
    finally:
        os.unlink(probe_log.name)
    # Shares of the worker's CPU and wall spent until the last crawl ended (the rest: follow-ups
    # and scoring of the sites still open then); the driver splits the measured totals with them.
    cpu, wall = time.process_time(), time.monotonic() - t0
    print(json.dumps(dict(counts, crawl_cpu_share=crawled[0] / cpu, crawl_wall_share=crawled[1] / wall)))


def worker_plain(manifest: dict, port: int, max_pages: int) -> None:
    """The floor: BFS per site with aiohttp + selectolax, per-host limit 2, no extraction, no checks."""
    from urllib.parse import urldefrag, urljoin, urlsplit

    import aiohttp
    from aiohttp.abc import AbstractResolver
    from selectolax.lexbor import LexborHTMLParser

    class Loopback(AbstractResolver):
        async def resolve(self, host, port=0, family=socket.AF_INET):  # noqa: ANN001
            return [{"hostname": host, "host": "127.0.0.1", "port": port, "family": socket.AF_INET, "proto": 0,
                     "flags": socket.AI_NUMERICHOST}]

        async def close(self) -> None:
            pass

    async def site(session: aiohttp.ClientSession, start: str) -> int:
        host = urlsplit(start).netloc
        seen = {start}
        queue = asyncio.Queue()
        queue.put_nowait(start)
        pages = 0

        async def work() -> None:
            nonlocal pages
            while True:
                url = await queue.get()
                try:
                    async with session.get(url) as r:
                        body = await r.read()
                        ctype = r.headers.get("Content-Type", "")
                    if "html" in ctype and r.status == 200:
                        pages += 1
                        for a in LexborHTMLParser(body.decode("utf-8", "replace")).css("a[href]"):
                            u = urldefrag(urljoin(url, a.attributes.get("href") or ""))[0]
                            if urlsplit(u).netloc == host and u not in seen and len(seen) < max_pages * 4:
                                seen.add(u)
                                queue.put_nowait(u)
                except (TimeoutError, aiohttp.ClientError):
                    pass
                except Exception as exc:  # noqa: BLE001 - a floor crawl must not hang on one page
                    print(f"plain: {url}: {exc!r}", file=sys.stderr)
                finally:
                    queue.task_done()

        workers = [asyncio.create_task(work()) for _ in range(2)]
        await queue.join()
        for w in workers:
            w.cancel()
        return pages

    async def main() -> None:
        conn = aiohttp.TCPConnector(resolver=Loopback(), limit=64, limit_per_host=2)
        async with aiohttp.ClientSession(connector=conn) as session:
            counts = await asyncio.gather(*(site(session, s["url"]) for s in manifest["sites"]))
        print(json.dumps({"pages": sum(counts), "urls": sum(counts)}))

    asyncio.run(main())


# -- big site (memory) -------------------------------------------------------------------------

_ROOTED = re.compile(rb"""((?:href|src|action)\s*=\s*["'])/(?!/)""", re.I)


def grow_site(export: Path, host: str, port: int, pages: int) -> int:
    """Replicate the exported site of `host` under /m0/, /m1/, … until it has about `pages`
    HTML pages; returns the number of HTML files. Root-relative references are rewritten into
    each copy, absolute ones to this host as well, so every copy is a distinct part of one site."""
    root = export / "hosts" / host
    files = [f for f in root.rglob("*") if f.is_file()]
    html = [f for f in files if f.suffix in (".html", ".htm") or "/_q/" in f.as_posix()]
    copies = max(1, -(-(pages - len(html)) // max(1, len(html))))
    absolute = re.compile(rb"https?://" + re.escape(host.encode()) + rb"(?::" + str(port).encode() + rb")?/")
    links = []
    for k in range(copies):
        prefix = f"m{k}"
        for f in files:
            rel = f.relative_to(root).as_posix()
            dest = root / ("_q/" + prefix + rel[2:] if rel.startswith("_q/") else prefix + "/" + rel)
            dest.parent.mkdir(parents=True, exist_ok=True)
            data = f.read_bytes()
            if f in html or rel.endswith((".html", ".htm")):
                data = _ROOTED.sub(rb"\1/" + prefix.encode() + b"/", data)
                data = absolute.sub(b"/" + prefix.encode() + b"/", data)
            dest.write_bytes(data)
        links.append(f'<a href="/{prefix}/index.html">分站{k}</a>')
    home = root / "index.html"
    body = home.read_bytes()
    at = body.lower().rfind(b"</body>")
    at = at if at >= 0 else len(body)
    home.write_bytes(body[:at] + "".join(links).encode("ascii", "xmlcharrefreplace") + body[at:])
    return len(html) * (copies + 1)


def main_big(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="govsite-crawlbench-big-") as tmp:
        work = Path(tmp)
        work.chmod(0o755)
        port = free_port()
        export = work / "exp"
        subprocess.run([str(ROOT / ".venv/bin/govsite"), "farm", "export", str(export), "--sites", "1",
                        "--seed", str(args.seed), "--as-of", "2017-09-14", "--port", str(port)], check=True,
                       stdout=subprocess.DEVNULL)
        man_path = export / "manifest.json"
        manifest = json.loads(man_path.read_text(encoding="utf-8"))
        site = manifest["sites"][0]
        # Not every exported file is reachable by links (about 70 %): grow past N, the crawl's
        # page limit stops at N.
        files = grow_site(export, site["host"], port, args.big * 3 // 2)
        for f in export.rglob("*"):  # nginx workers run unprivileged
            f.chmod(0o755 if f.is_dir() else 0o644)
        nginx = start_nginx(export)
        rows = []
        try:
            wait_port(port)
            for size in (args.big // 8, args.big // 2, args.big):
                wall, cpu, rss, out = run_measured([PY, __file__, "--worker", "govsite", "--manifest", str(man_path),
                                                    "--port", str(port), "--max-pages", str(size), "--processes", "1"])
                m = re.search(r"\{.*\}", out)
                res = json.loads(m.group(0)) if m else {"pages": 0, "urls": 0}
                rows.append((size, res["pages"], res["urls"], wall, cpu, rss))
        finally:
            nginx.terminate()
            nginx.wait(timeout=10)
    print(f"one farm site ({site['host']}) grown to {files} HTML files, nginx on 127.0.0.1:{port}")
    print(f"{'tool':<12}{'page limit':>11}{'HTML pages':>11}{'URLs':>8}{'wall s':>9}{'pages/s':>9}"
          f"{'CPU ms/page':>12}{'peak RSS MB':>12}")
    for size, pages, urls, wall, cpu, rss in rows:
        print(f"{'govsite':<12}{size:>11}{pages:>11}{urls:>8}{wall:>9.1f}{pages / wall:>9.1f}"
              f"{1000 * cpu / max(pages, 1):>12.2f}{rss:>12.1f}")
    first, last = rows[0], rows[-1]
    print(f"peak RSS grows {last[5] - first[5]:+.1f} MB from {first[1]} to {last[1]} pages "
          f"({1024 * (last[5] - first[5]) / max(1, last[1] - first[1]):.1f} KB per extra page); "
          f"goal < 300 MB at 10,000 pages")


# -- driver ------------------------------------------------------------------------------------

def callgrind_runs(runs: list[tuple[str, str, int]], common: list[str], env: dict | None, work: Path) -> None:
    """Instructions per HTML page of the floor, govsite and govsite + detectors (one process each)
    under callgrind: deterministic where CPU seconds are noisy. Whole-process counts (start-up
    included)."""
    per_page = {}
    for label, name, _procs in runs:
        out_file = work / f"callgrind.{name}.out"
        proc = subprocess.run(["valgrind", "--tool=callgrind", "--dump-instr=no", f"--callgrind-out-file={out_file}",
                               PY, __file__, "--worker", name, *common, "--processes", "1"],
                              capture_output=True, text=True, env=env, check=True)
        m = re.search(r"\{.*\}", proc.stdout)
        pages = json.loads(m.group(0))["pages"] if m else 0
        total = next(int(line.split()[1]) for line in out_file.read_text().splitlines() if line.startswith("totals:"))
        per_page[name] = total / max(pages, 1)
        print(f"{label:<30}{pages:>7} pages {total / 1e9:>8.2f} G instructions {per_page[name] / 1e6:>7.2f} M/page")
    if "govsite" in per_page and "plain" in per_page:
        print(f"govsite: instructions/page {per_page['govsite'] / per_page['plain']:.2f}x the floor (callgrind)")
    if "govsite" in per_page and "detectors" in per_page:
        print(f"govsite + detectors: instructions/page {100 * (per_page['detectors'] / per_page['govsite'] - 1):+.0f} % "
              "over govsite alone (callgrind)")


def start_nginx(export: Path) -> subprocess.Popen:
    conf = export / "nginx.conf"
    proc = subprocess.Popen(["nginx", "-c", str(conf)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    return proc


def wait_port(port: int, timeout: float = 20) -> None:
    t = time.time() + timeout
    while time.time() < t:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listens on {port}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sites", type=int, default=8)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--max-pages", type=int, default=2000)
    ap.add_argument("--linkchecker", default=shutil.which("linkchecker") or "/tmp/govsite-bench/lcvenv/bin/linkchecker")
    ap.add_argument("--linkinator", default=shutil.which("linkinator") or "/tmp/govsite-bench/lnk/node_modules/.bin/linkinator")
    ap.add_argument("--linkchecker-seconds", type=float, default=60)
    ap.add_argument("--processes", type=int, default=2,
                    help="also run govsite with this many processes (sites dealt out by host); 1: skip")
    ap.add_argument("--big", type=int, metavar="N", help="memory mode: one site grown to about N pages")
    ap.add_argument("--bytecode", action="store_true",
                    help="run the Python workers (govsite and the floor alike) with a bytecode cache in a temp "
                         "directory, as an installed package has: with PYTHONDONTWRITEBYTECODE set, govsite's own "
                         "modules are compiled from source at every start, site-packages are not")
    ap.add_argument("--only", help="comma-separated runs to keep, of: plain, govsite, detectors, processes, "
                                   "linkinator, linkchecker (e.g. govsite,detectors for the issue-5 figure alone)")
    ap.add_argument("--callgrind", action="store_true",
                    help="count instructions per page of the floor, govsite and govsite + detectors (one process "
                         "each) under valgrind's callgrind instead of timing the runs (deterministic; --only keeps "
                         "some)")
    ap.add_argument("--worker", choices=["govsite", "plain", "detectors"], help=argparse.SUPPRESS)
    ap.add_argument("--manifest", help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        manifest = json.loads(Path(args.manifest).read_text(encoding="utf-8"))
        if args.worker == "govsite":
            worker_govsite(manifest, args.port, args.max_pages, args.processes)
        elif args.worker == "detectors":
            worker_detectors(manifest, args.port, args.max_pages)
        else:
            worker_plain(manifest, args.port, args.max_pages)
        return
    if args.big:
        main_big(args)
        return

    all_runs = ("plain", "govsite", "detectors", "processes", "linkinator", "linkchecker")
    only = set(all_runs) if not args.only else {r.strip() for r in args.only.split(",") if r.strip()}
    if not only or only - set(all_runs):
        ap.error(f"--only: choose among {', '.join(all_runs)}")
    with tempfile.TemporaryDirectory(prefix="govsite-crawlbench-") as tmp:
        work = Path(tmp)
        work.chmod(0o755)  # nginx workers run as an unprivileged user and must read the export
        port = free_port()
        export = work / "exp"
        subprocess.run([str(ROOT / ".venv/bin/govsite"), "farm", "export", str(export), "--sites", str(args.sites),
                        "--seed", str(args.seed), "--as-of", "2017-09-14", "--port", str(port)], check=True,
                       stdout=subprocess.DEVNULL)
        man_path = export / "manifest.json"
        manifest = json.loads(man_path.read_text(encoding="utf-8"))
        nginx = start_nginx(export)
        try:
            wait_port(port)
            rows = []
            det_phase = None
            common = ["--manifest", str(man_path), "--port", str(port), "--max-pages", str(args.max_pages)]
            runs = [("aiohttp+selectolax (floor)", "plain", 1), ("govsite", "govsite", 1),
                    ("govsite + detectors", "detectors", 1)]
            if args.processes > 1:
                runs.append((f"govsite, {args.processes} processes", "processes", args.processes))
            runs = [r for r in runs if r[1] in only]
            py_env = None
            if args.bytecode:
                py_env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
                py_env["PYTHONPYCACHEPREFIX"] = str(work / "pyc")
                # warm the cache outside the measured runs (every worker's imports)
                subprocess.run([PY, "-c", "import sys; sys.path.insert(0, sys.argv[1]); import aiohttp, selectolax.lexbor, "
                                "govsite.engine.crawl, govsite.engine.check", str(ROOT)], env=py_env, check=True)
            if "detectors" in only:
                # The compiled lexicons are cached per user; a stale copy (data or code edited since)
                # would be rebuilt inside the measured detectors run: build it here instead.
                subprocess.run([PY, "-c", "from govsite.engine.text.lexicon import default; default()"],
                               env=py_env, check=True, cwd=ROOT)
            if args.callgrind:
                callgrind_runs([r for r in runs if r[1] in ("plain", "govsite", "detectors")], common, py_env, work)
                return
            for label, name, procs in runs:
                worker = "govsite" if name == "processes" else name
                wall, cpu, rss, out = run_measured([PY, __file__, "--worker", worker, *common, "--processes", str(procs)],
                                                   env=py_env)
                m = re.search(r"\{.*\}", out)
                res = json.loads(m.group(0)) if m else {"pages": 0, "urls": 0}
                rows.append((label, res["pages"], res["urls"], wall, cpu, rss))
                if "crawl_cpu_share" in res:
                    det_phase = (res["crawl_wall_share"], res["crawl_cpu_share"])
            urls = [s["url"] for s in manifest["sites"]]
            if "linkinator" not in only:
                pass
            elif Path(args.linkinator).exists():
                # linkinator fetches with undici, which ignores proxy variables: a preload maps every
                # host name to 127.0.0.1 (what --resolve does for the others).
                lnk_dir = Path(args.linkinator).parent.parent.parent
                preload = lnk_dir / "govsite-bench-resolve.mjs"
                preload.write_text(PRELOAD, encoding="utf-8")
                lnk_env = dict(os.environ, NODE_OPTIONS=f"--import {preload}")
                wall, cpu, rss, out = run_measured([args.linkinator, *urls, "--recurse", "--format", "json",
                                                    "--concurrency", "100", "--timeout", "15000"], env=lnk_env)
                try:
                    links = json.loads(out[out.index("{"):]).get("links", [])
                except ValueError:
                    links = []
                hosts = {s["host"] for s in manifest["sites"]}
                inside = [lk for lk in links if re.match(r"https?://([^/:]+)", lk.get("url", "")) and
                          re.match(r"https?://([^/:]+)", lk["url"]).group(1) in hosts]
                rows.append(("linkinator 7.x", None, len(inside), wall, cpu, rss))
            else:
                print(f"linkinator not found at {args.linkinator}; skipped")
            if "linkchecker" not in only:
                pass
            elif Path(args.linkchecker).exists():
                # LinkChecker resolves host names itself (a proxy does not spare it DNS timeouts here), so
                # it runs under its own interpreter with getaddrinfo mapped to 127.0.0.1, as --resolve
                # does for govsite. It runs for at most --linkchecker-seconds; its rate is the URLs it
                # logged (verbose CSV rows, written as it goes).
                lc_py = str(Path(args.linkchecker).parent / "python")
                wrapper = ("import socket,sys\n_o=socket.getaddrinfo\n"
                           "socket.getaddrinfo=lambda h,*a,**k:_o('127.0.0.1' if h and h.endswith(('.gov.cn','.com','.net','.org','.cn')) else h,*a,**k)\n"
                           "from linkcheck.command.linkchecker import linkchecker\nsys.argv[0]='linkchecker'\nsys.exit(linkchecker())")
                wall, cpu, rss, out = run_measured([lc_py, "-c", wrapper, "--no-status", "-t", "10", "--no-robots",
                                                    "--verbose", "-o", "csv", *urls],
                                                   env=dict(os.environ, PYTHONUNBUFFERED="1"),
                                                   timeout=args.linkchecker_seconds)
                m = re.search(r"(\d+) links? in (\d+) URLs? checked", out)
                checked = int(m.group(2)) if m else sum(1 for ln in out.splitlines() if ";http" in ln)
                rows.append(("LinkChecker" + ("" if m else " (time-capped)"), None, checked, wall, cpu, rss))
            else:
                print(f"LinkChecker not found at {args.linkchecker}; skipped")
        finally:
            nginx.terminate()
            nginx.wait(timeout=10)
    if not rows:
        print("nothing measured (see --only)")
        return
    total_pages = rows[0][1]
    print(f"farm static export: {args.sites} sites, nginx on 127.0.0.1:{port}; HTML pages reachable: {total_pages}"
          + ("; Python workers with a bytecode cache (--bytecode)" if args.bytecode else ""))
    print(f"{'tool':<30}{'HTML pages':>11}{'URLs':>8}{'wall s':>9}{'pages/s':>9}{'URLs/s':>9}{'CPU ms/page':>12}{'peak RSS MB':>12}")
    for name, pages, urls, wall, cpu, rss in rows:
        # tools that report only URLs: count their URLs as pages (an upper bound on their page rate)
        pg = pages if pages is not None else urls
        print(f"{name:<30}{(pages if pages is not None else '-')!s:>11}{urls:>8}{wall:>9.1f}{pg / wall:>9.1f}"
              f"{urls / wall:>9.1f}{1000 * cpu / max(pg, 1):>12.2f}{rss:>12.1f}")
    print("LinkChecker and linkinator report URLs, not pages: their pages/s uses every in-site URL they checked "
          "(HTML pages + images, scripts, attachments), which flatters them")
    if args.processes > 1:
        print("with several processes, CPU counts them all (wait4 includes reaped children); peak RSS is the largest "
              "single process")
    rate = {name: (pages if pages is not None else urls) / wall for name, pages, urls, wall, _c, _r in rows}
    cpu_pp = {name: 1000 * cpu / max(pages if pages is not None else urls, 1) for name, pages, urls, _w, cpu, _r in rows}
    floor = cpu_pp.get("aiohttp+selectolax (floor)")
    lnk = rate.get("linkinator 7.x")
    lc = next((v for k, v in rate.items() if k.startswith("LinkChecker")), None)
    for name in rate:
        if name.startswith("govsite") and name != "govsite + detectors":
            parts = [f"CPU/page {cpu_pp[name] / floor:.2f}x the floor (goal <= 1.5)"] if floor else []
            if lnk:
                parts.append(f"pages/s {rate[name] / lnk:.1f}x linkinator (goal >= 3)")
            if lc:
                parts.append(f"{rate[name] / lc:.0f}x LinkChecker (goal >= 10)")
            if parts:
                print(f"{name}: " + "; ".join(parts))
    if "govsite + detectors" in rate and rate.get("govsite"):
        # Issue 5: the detectors may cost at most 30 % of crawl throughput (one process each).
        loss = 1 - rate["govsite + detectors"] / rate["govsite"]
        extra = cpu_pp["govsite + detectors"] / cpu_pp["govsite"] - 1
        print(f"govsite + detectors: pages/s {100 * loss:.0f} % below govsite alone (goal <= 30 %); "
              f"CPU/page {100 * extra:+.0f} % (the load-independent figure: throughput share "
              f"{100 * (1 - 1 / (1 + extra)):.0f} % when CPU-bound)")
        if det_phase:
            name, pages, _u, wall, cpu, _r = next(r for r in rows if r[0] == "govsite + detectors")
            cw, cc = wall * det_phase[0], cpu * det_phase[1]
            print(f"govsite + detectors, until the last crawl ended ({100 * det_phase[0]:.0f} % of its wall, "
                  f"{100 * det_phase[1]:.0f} % of its CPU): pages/s {100 * (1 - pages / cw / rate['govsite']):.0f} % "
                  f"below govsite alone; CPU/page {100 * (1000 * cc / max(pages, 1) / cpu_pp['govsite'] - 1):+.0f} %")


if __name__ == "__main__":
    main()
