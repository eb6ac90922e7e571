"""Accuracy of the checking engine on the farm: recall per seeded defect kind and false
findings on clean sites, for the indicators the engine implements.

    .venv/bin/python bench/accuracy.py --sites 100 --seed 7 [--availability] [--opt-in stale_replies,slow_replies]

Starts `govsite farm serve` on a free loopback port, checks every site through `check_site`
(one shared politeness budget), compares findings with the farm's manifest and prints a table.
With --availability it also runs the prober over one simulated week (every 5-minute slot, the
farm's time warp) for the sites with availability defects and a few clean ones. With --opt-in the
farm also seeds those off-by-default kinds (RS2019 D19-7's reply timeliness), and a second pass
checks the sites carrying them and every clean site under RS2019."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from govsite.engine.check import CheckOptions, SiteTarget, check_site  # noqa: E402
from govsite.engine.fetch import FetchConfig, Fetcher  # noqa: E402
from govsite.engine.indicators.collect import FOOTER_LABELS  # noqa: E402
from govsite.engine.indicators.guideline import CATEGORY_LABELS  # noqa: E402
from govsite.engine.urls import normalize  # noqa: E402
from govsite.farm.model import OPT_IN  # noqa: E402

CST = timezone(timedelta(hours=8))
# defect kind → indicator id of this engine
KINDS = {
    "unreachable": "V15-1", "flaky": "D15-1", "stale_home": "V15-2", "low_volume": "D15-3",
    "stale_column": "D15-4", "stale_columns_veto": "V15-3", "blank_column": "V15-3", "blank_columns_veto": "V15-3",
    "broken_link": "D15-2", "bad_name": "G-NAME-1", "bad_domain": "G-DOM-1", "missing_footer_item": "G-ID-1",
    "wrong_code": "G-ID-2", "jiucuo_missing": "G-ID-4", "jiucuo_static_image": "G-ID-4",
    "leader_misspelled": "V15-4", "banned_content": "V15-4", "ads": "G-ID-3",
    "hidden_links": "G-SEC-1", "malicious_script": "G-SEC-1", "defaced": "G-SEC-1",
    "broken_search": "G-FUN-6",
    "unanswered_consultation": "V15-5", "no_consultation": "D15-5", "no_surveys": "D15-6", "few_surveys": "D15-6",
    "no_interviews": "D15-7", "few_interviews": "D15-7", "guide_missing_elements": "D15-8",
    "attachment_404": "D15-9", "attachment_empty": "D15-9", "online_system_down": "D15-10",
}
# the farm's opt-in kinds (govsite farm serve --opt-in), all RS2019 indicators (D19-7): judged in a
# second pass under RS2019
RS2019_KINDS = OPT_IN
MINE = sorted(set(KINDS.values()) | {"G-DOM-2", "G-DOM-3", "G-TXT-1"})
PAGE_KINDS = ("blank_column", "stale_column", "broken_link", "leader_misspelled", "banned_content")
FOOTER_KEYS = {"conac": "conac", "site_code": "site_code", "icp": "icp", "police": "police", "sponsor": "sponsor",
               "contact": "contact"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_farm(sites: int, seed: int, as_of: str, warp: float, workdir: Path,
               opt_in: list[str] | None = None) -> tuple[subprocess.Popen, dict]:
    port = free_port()
    man = workdir / "manifest.json"
    proc = subprocess.Popen(
        [str(ROOT / ".venv/bin/govsite"), "farm", "serve", "--sites", str(sites), "--seed", str(seed), "--as-of", as_of,
         "--port", str(port), "--manifest", str(man), "--time-warp", str(warp)]
        + [a for k in opt_in or () for a in ("--opt-in", k)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"farm failed: {proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
        if man.exists() and man.stat().st_size > 0:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    return proc, json.loads(man.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("farm did not start")


def detected(defect: dict, rep: dict) -> bool:
    fid = KINDS.get(defect["kind"]) or RS2019_KINDS[defect["kind"]]
    ind = next((i for i in rep["indicators"] if i["id"] == fid), None)
    if ind is None:
        return False
    d = defect.get("detail") or {}
    kind = defect["kind"]
    ev = " ".join(e["detail"] + " " + (e["url"] or "") for e in ind["evidence"])
    if kind in ("unreachable", "stale_home", "stale_columns_veto", "blank_columns_veto"):
        return ind["status"] == "veto"
    if kind == "blank_column":
        return f"「{d.get('column')}」" in ev and "空白" in ev
    if kind == "stale_column":
        return ind["status"] == "deduct" and f"「{d.get('column')}」" in ev
    if kind == "broken_link":
        return ind["status"] == "deduct" and d.get("target", "") in ev
    if kind in ("leader_misspelled", "banned_content"):
        # on the seeded article page, naming the wrong form (or the banned phrase) found there
        page = normalize(defect.get("page") or "")
        want = d.get("wrong") or d.get("text") or ""
        return ind["status"] == "veto" and any(
            normalize(e["url"] or "") == page and (e.get("wrong", "") in want or want in e["detail"])
            for e in ind["evidence"])
    if kind == "ads":
        return ind["status"] == "deduct" and d.get("target", "") in ev
    if kind == "hidden_links":
        return ind["status"] == "deduct" and all(t in ev for t in d.get("targets", []))
    if kind == "malicious_script":
        return ind["status"] == "deduct" and "脚本" in ev
    if kind == "defaced":
        return ind["status"] == "deduct" and "篡改" in ev
    if kind == "unanswered_consultation":
        # the seeded message, by its page or title, with its question date
        page = normalize(defect.get("page") or "")
        return ind["status"] == "veto" and any(
            (normalize(e["url"] or "") == page or f"「{d.get('title')}」" in e["detail"]) and d.get("asked", "") in e["detail"]
            for e in ind["evidence"])
    if kind == "no_consultation":
        return ind["status"] == "deduct" and "未开设" in ind["summary"]
    if kind in ("no_surveys", "no_interviews"):
        return ind["status"] == "deduct" and "未开展活动" in ind["summary"] and f"「{d.get('column')}」" in ind["summary"]
    if kind in ("few_surveys", "few_interviews"):
        return ind["status"] == "deduct" and f"仅开展活动 {d.get('count')} 次" in ind["summary"]
    if kind == "guide_missing_elements":
        page = normalize(defect.get("page") or "")
        return ind["status"] == "deduct" and any(
            normalize(e["url"] or "") == page and all(x in e["detail"].split("缺少要素：")[-1] for x in d.get("missing", []))
            for e in ind["evidence"])
    if kind in ("attachment_404", "attachment_empty"):
        want = "HTTP 404" if kind == "attachment_404" else "为空"
        return ind["status"] == "deduct" and any(
            normalize(e["url"] or "") == normalize(d.get("target", "")) and want in e["detail"] for e in ind["evidence"])
    if kind == "online_system_down":
        return ind["status"] == "deduct" and any(
            normalize(e["url"] or "") == normalize(d.get("target", "")) for e in ind["evidence"])
    if kind == "missing_footer_item":
        return ind["status"] == "deduct" and FOOTER_LABELS[FOOTER_KEYS.get(d.get("item"), d.get("item"))] in ind["summary"]
    if kind == "stale_replies":
        # on the seeded column, naming its newest reply date (or that there is none)
        page = normalize(defect["page"])
        want = f"最新答复日期 {d['latest_reply']}" if d["latest_reply"] else "未见任何答复"
        return ind["status"] == "deduct" and any(
            normalize(e["url"] or "") == page and want in e["detail"] for e in ind["evidence"])
    if kind == "slow_replies":
        # on the seeded message, naming its question and reply dates
        page = normalize(defect["page"])
        return ind["status"] == "deduct" and any(
            normalize(e["url"] or "") == page and d["asked"] in e["detail"] and d["replied"] in e["detail"]
            for e in ind["evidence"])
    return ind["status"] in ("deduct", "veto")


def evaluate_rs2019(sites: list[dict], reports: list[dict]) -> tuple[dict, list, list]:
    """Recall of the opt-in kinds, and D19-7/V19-5 findings nobody seeded (on any site checked)."""
    per_kind: dict[str, list[int]] = {}
    misses = []
    false = []
    for site, rep in zip(sites, reports, strict=True):
        ind = {i["id"]: i for i in rep["indicators"]}
        kinds = {d["kind"] for d in site["defects"]}
        slow_pages = {normalize(d["page"]) for d in site["defects"] if d["kind"] == "slow_replies"}
        for d in site["defects"]:
            if d["kind"] in RS2019_KINDS:
                hit = detected(d, rep)
                per_kind.setdefault(d["kind"], [0, 0])
                per_kind[d["kind"]][0] += int(hit)
                per_kind[d["kind"]][1] += 1
                if not hit:
                    misses.append((site["host"], d))
        for e in ind["D19-7"]["evidence"]:
            if "工作日（超过" in e["detail"] and normalize(e["url"] or "") not in slow_pages:
                false.append((site["host"], "D19-7", "deduct", "unseeded slow reply: " + e["detail"]))
        if "超过 2 个月未更新答复" in ind["D19-7"]["summary"] and "stale_replies" not in kinds:
            false.append((site["host"], "D19-7", "deduct", "unseeded: " + ind["D19-7"]["summary"]))
        if site["clean"]:
            for fid in ("D19-7", "V19-5"):
                if ind[fid]["status"] in ("deduct", "veto", "error"):
                    false.append((site["host"], fid, ind[fid]["status"], ind[fid]["summary"]))
    return per_kind, misses, false


def target_of(site: dict) -> SiteTarget:
    cat = site.get("category")
    return SiteTarget(url=site["url"], name=site.get("name"), code=site.get("code"),
                      category=CATEGORY_LABELS.get(cat, cat if isinstance(cat, int) else None),
                      official_name=site.get("official_name"), domains=[])


async def run_checks(manifest: dict, max_pages: int, concurrency: int, probe_log: str | None,
                     seen: dict[str, set[str]] | None = None, ruleset: str | None = None) -> list[dict]:
    port = manifest["port"]
    resolve = {(s["host"], port): ["127.0.0.1"] for s in manifest["sites"]}
    as_of = datetime.fromisoformat(manifest["as_of"]).replace(hour=23, minute=59, tzinfo=CST)
    opts = CheckOptions(as_of=as_of, allow_private=True, max_pages=max_pages, check_external=False,
                        probe_log=probe_log, time_budget=300, ruleset=ruleset)
    sem = asyncio.Semaphore(concurrency)
    async with Fetcher(FetchConfig(allow_private=True, resolve=resolve, per_host=2, read_timeout=10,
                                   total_timeout=20, retries=1)) as f:

        async def one(site: dict) -> dict:
            def keep(crawler) -> None:  # noqa: ANN001
                if seen is not None:
                    seen[site["host"]] = set(crawler.links) | {p.url for p in crawler.pages}

            async with sem:
                return await check_site(target_of(site), opts, fetcher=f, on_crawl=keep)

        return list(await asyncio.gather(*(one(s) for s in manifest["sites"])))


async def run_availability(manifest: dict, sites: list[dict], log: str, warp: float) -> None:
    from govsite.engine.indicators.availability import run_monitor

    port = manifest["port"]
    resolve = {(s["host"], port): ["127.0.0.1"] for s in sites}
    slot = manifest["clock"]["slot_seconds"]
    per_day = int(86400 // slot)
    await run_monitor([s["url"] for s in sites], days=7, per_day=per_day, timeout=15.0, log=log, time_warp=warp,
                      allow_private=True, resolve=resolve,
                      align_to=datetime.fromisoformat(manifest["clock"]["week_start"]) + timedelta(days=7))


def unlinked(defect: dict, seen: set[str] | None) -> bool:
    """The defect sits on a page that no crawled page links to: no crawler can find it."""
    if seen is None or defect["kind"] not in PAGE_KINDS:
        return False
    page = normalize(defect.get("page") or "")
    return page is not None and page not in seen


def evaluate(manifest: dict, reports: list[dict], skip: set[str],
             seen: dict[str, set[str]] | None = None) -> tuple[dict, list, list, list]:
    per_kind: dict[str, list[int]] = {}
    misses = []
    false = []
    hidden = []
    for site, rep in zip(manifest["sites"], reports, strict=True):
        for d in site["defects"]:
            if d["kind"] not in KINDS or KINDS[d["kind"]] in skip:
                continue
            hit = detected(d, rep)
            site_seen = (seen or {}).get(site["host"])
            hidden_here = any(unlinked(x, site_seen) for x in site["defects"] if x["kind"] == "blank_column")
            if not hit and (unlinked(d, site_seen) or (d["kind"] == "blank_columns_veto" and hidden_here)):
                hidden.append((site["host"], d))
                continue
            per_kind.setdefault(d["kind"], [0, 0])
            per_kind[d["kind"]][0] += int(hit)
            per_kind[d["kind"]][1] += 1
            if not hit:
                misses.append((site["host"], d))
        if site["clean"]:
            for i in rep["indicators"]:
                if i["id"] in MINE and i["id"] not in skip and i["status"] in ("deduct", "veto", "error"):
                    ev = "; ".join(e["detail"] for e in i["evidence"][1:4])
                    false.append((site["host"], i["id"], i["status"], i["summary"] + (" | " + ev if ev else "")))
    return per_kind, misses, false, hidden


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sites", type=int, default=100)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--as-of", default="2017-09-14")
    ap.add_argument("--max-pages", type=int, default=1000)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--availability", action="store_true", help="also probe a simulated week (V15-1/D15-1)")
    ap.add_argument("--warp", type=float, default=2520.0, help="farm time warp for the availability week (4 min)")
    ap.add_argument("--opt-in", action="append", default=[],
                    help="also seed these off-by-default kinds (comma-separated: "
                         + ", ".join(RS2019_KINDS) + ") and judge them in a second pass under RS2019")
    ap.add_argument("--json", help="write the per-kind figures as JSON")
    args = ap.parse_args()
    opt_in = sorted({k.strip() for v in args.opt_in for k in v.split(",") if k.strip()})
    if set(opt_in) - set(RS2019_KINDS):
        ap.error(f"--opt-in: unknown kind(s) {', '.join(sorted(set(opt_in) - set(RS2019_KINDS)))}")
    with tempfile.TemporaryDirectory(prefix="govsite-acc-") as tmp:
        work = Path(tmp)
        proc, manifest = start_farm(args.sites, args.seed, args.as_of, args.warp, work, opt_in)
        try:
            t0 = time.time()
            probe_log = None
            skip = {"V15-1", "D15-1"}
            if args.availability:
                avail = [s for s in manifest["sites"] if s["availability"]["failure_share"] > 0]
                avail += [s for s in manifest["sites"] if s["clean"]][:5]
                probe_log = str(work / "probes.jsonl")
                asyncio.run(run_availability(manifest, avail, probe_log, args.warp))
                skip = set()
                manifest = dict(manifest, sites=[s for s in manifest["sites"]])
            seen: dict[str, set[str]] = {}
            reports = asyncio.run(run_checks(manifest, args.max_pages, args.concurrency, probe_log, seen))
            if args.availability:
                probed = {s["url"] for s in avail}
                # sites not probed carry no availability observation: leave them out of V15-1/D15-1
                for s, r in zip(manifest["sites"], reports, strict=True):
                    if s["url"] not in probed:
                        for i in r["indicators"]:
                            if i["id"] in ("V15-1", "D15-1"):
                                i["status"] = "na"
            elapsed = time.time() - t0
            rs19_sites = [s for s in manifest["sites"]
                          if s["clean"] or any(d["kind"] in RS2019_KINDS for d in s["defects"])] if opt_in else []
            rs19_reports = (asyncio.run(run_checks(dict(manifest, sites=rs19_sites), args.max_pages,
                                                   args.concurrency, None, ruleset="RS2019"))
                            if rs19_sites else [])
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    per_kind, misses, false, hidden = evaluate(manifest, reports, skip, seen)
    if opt_in:
        kinds19, misses19, false19 = evaluate_rs2019(rs19_sites, rs19_reports)
        per_kind.update(kinds19)
        misses += misses19
        false += false19
    clean = sum(1 for s in manifest["sites"] if s["clean"])
    pages = sum(r["crawl"]["pages"] for r in reports)
    print(f"farm: {len(reports)} sites ({clean} clean), seed {args.seed}, as-of {args.as_of}; "
          f"{pages} pages in {elapsed:.1f} s")
    if opt_in:
        print(f"opt-in kinds {', '.join(opt_in)}: a second pass under RS2019 over {len(rs19_sites)} sites "
              f"(those seeded with them and every clean site)")
    print(f"{'defect kind':<22}{'indicator':<10}{'found':>7}{'seeded':>8}{'recall':>9}")
    for kind in sorted(per_kind):
        hit, n = per_kind[kind]
        print(f"{kind:<22}{KINDS.get(kind) or RS2019_KINDS[kind]:<10}{hit:>7}{n:>8}{100.0 * hit / n:>8.1f}%")
    tot_hit = sum(v[0] for v in per_kind.values())
    tot = sum(v[1] for v in per_kind.values())
    print(f"{'all':<32}{tot_hit:>7}{tot:>8}{(100.0 * tot_hit / tot if tot else 100):>8.1f}%")
    print(f"false findings on {clean} clean sites: {len(false)}")
    if hidden:
        print(f"not counted: {len(hidden)} seeded defects on pages no page of the site links to (farm issue)")
        for host, d in hidden[:10]:
            print(f"  UNLINKED {host} {d['kind']} {d.get('page')}")
    for host, d in misses[:30]:
        print(f"  MISS {host} {d['kind']} {json.dumps(d.get('detail'), ensure_ascii=False)[:160]}")
    for row in false[:30]:
        print(f"  FALSE {row[0]} {row[1]} {row[2]} {row[3][:300]}")
    if args.json:
        Path(args.json).write_text(json.dumps({"per_kind": per_kind, "misses": len(misses), "false": len(false),
                                               "clean": clean}, ensure_ascii=False), encoding="utf-8")
    sys.exit(0 if not misses and not false else 1)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
