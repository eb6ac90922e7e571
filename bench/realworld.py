#!/usr/bin/env python3
"""Real-page agreement and extraction cost.

Prints, for every annotated page in ../shared/realworld (or $GOVSITE_SHARED/realworld), the
agreement of `extract_page` with the annotations per field (as the shared hook matches them),
then the CPU time per page of `extract_page` against the floor: a plain selectolax (lexbor)
parse + body text() of the same decoded pages. Each figure is the best of N rounds in which
the floor and extraction take turns (the machine is shared); caches keyed by a page's own
address are cleared before every round, as a crawl reads each page once.

Usage: .venv/bin/python bench/realworld.py [--rounds N]"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from selectolax.lexbor import LexborHTMLParser  # noqa: E402

from govsite.engine.extract import extract_page  # noqa: E402
from govsite.engine.extract.agreement import (  # noqa: E402
    SAMPLE_URL,
    column_checks,
    extra_checks,
    identity_checks,
    load_annotations,
    realworld_root,
)
from govsite.engine.extract.decode import decode_html  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=20, help="timing rounds over all pages (the best round counts)")
    ap.add_argument("--farm", type=int, default=20, help="also time N farm sites' home + column pages (0: skip)")
    args = ap.parse_args()
    root = realworld_root(Path(__file__))
    if root is None:
        print("../shared/realworld not found (set GOVSITE_SHARED)", file=sys.stderr)
        return 2
    anns = load_annotations(root)
    pages = {a["file"]: (root / a["file"]).read_bytes() for a in anns}

    req_ok = req_total = col_ok = col_total = ext_ok = ext_total = 0
    print(f"{'page':<16}{'field':<34}{'ok':<4}{'annotated':<32}extracted")
    for a in anns:
        facts = extract_page(pages[a["file"]], SAMPLE_URL)
        rows = [("req", identity_checks(a, facts)), ("col", column_checks(a, facts)), ("ext", extra_checks(a, facts))]
        for kind, checks in rows:
            for field, (ok, want, got) in checks.items():
                if kind == "req":
                    req_ok += ok
                    req_total += 1
                elif kind == "col":
                    col_ok += ok
                    col_total += 1
                else:
                    ext_ok += ok
                    ext_total += 1
                mark = "ok" if ok else "NO"
                print(f"{a['file']:<16}{field[:33]:<34}{mark:<4}{str(want)[:31]:<32}{str(got)[:60]}")
    print()
    print(f"identity fields (site code, 找错, conac, ICP, 公安, sponsor): {req_ok}/{req_total}")
    print(f"column latest dates: {col_ok}/{col_total} ({col_ok / max(col_total, 1):.1%}, goal ≥ 95%)")
    print(f"extra (article date, exact dates_found set): {ext_ok}/{ext_total}")

    texts = [decode_html(b)[0] for b in pages.values()]
    total_bytes = sum(len(b) for b in pages.values())

    def run_floor() -> None:
        for t in texts:
            LexborHTMLParser(t).body.text()

    def run_extract() -> None:
        _fresh_caches()
        for b in pages.values():
            extract_page(b, SAMPLE_URL)

    def run_extract_str() -> None:
        _fresh_caches()
        for t in texts:
            extract_page(t, SAMPLE_URL)

    def run_extract_lean() -> None:
        _fresh_caches()
        for b in pages.values():
            extract_page(b, SAMPLE_URL, want_nav=False)

    results = _interleaved((("plain selectolax parse + text() (floor)", run_floor),
                            ("extract_page(str)", run_extract_str),
                            ("extract_page(bytes, incl. decoding)", run_extract),
                            ("extract_page(bytes, want_nav=False)", run_extract_lean)), args.rounds, len(pages))
    print()
    print(f"CPU per page over {len(pages)} real pages (mean {total_bytes / len(pages) / 1024:.0f} KB), {args.rounds} rounds:")
    floor = results["plain selectolax parse + text() (floor)"]
    for name, cpu in results.items():
        print(f"  {name:<42} {cpu * 1000:7.2f} ms   {cpu / floor:5.1f}× floor")
    if args.farm:
        _farm_timing(args.farm, max(2, args.rounds // 4))
    return 0 if req_ok == req_total and col_ok >= 0.95 * col_total else 1


def _interleaved(runs: tuple[tuple[str, Callable[[], None]], ...], rounds: int, n_pages: int) -> dict[str, float]:
    """CPU seconds per page of each run: the best of `rounds` passes, the runs taking turns in
    every round, so the load of a shared machine weighs on the floor and the peer alike."""
    for _name, fn in runs:
        fn()  # warm-up
    best: dict[str, float] = {}
    for _ in range(rounds):
        for name, fn in runs:
            t0 = time.process_time()
            fn()
            cpu = (time.process_time() - t0) / n_pages
            best[name] = min(best.get(name, cpu), cpu)
    return best


def _fresh_caches() -> None:
    """Forget what earlier rounds cached: a crawl reads each page once, so results keyed by a
    page's own address must not be reused across rounds (date strings, styles and column names
    still repeat across the pages of one round, as they do in a crawl)."""
    from govsite.engine.extract import columns, dates, page

    page._join.cache_clear()
    page._HIDDEN_STYLES.clear()
    page._ROOTS.clear()
    dates.segment_date.cache_clear()
    columns.column_type.cache_clear()


def _farm_timing(n_sites: int, rounds: int) -> None:
    """The pages a crawl mostly meets: farm home and column pages (small CMS pages)."""
    from datetime import date

    from govsite.farm.manifest import site_entry
    from govsite.farm.model import Farm, Site
    from govsite.farm.render import render
    from govsite.farm.urls import urls_for

    farm = Farm(7, n_sites, date(2017, 9, 14))
    pages = []
    for i in range(n_sites):
        site = Site(farm, farm.identities[i])
        entry = site_entry(site)
        for url in [entry["url"]] + [c["url"] for c in entry["columns"][:4]]:
            path = url.split(f":{farm.port}", 1)[1]
            pth, _, q = path.partition("?")
            page = render(site, urls_for(site).parse(pth, q))
            if page.status == 200:
                pages.append((page.body, url, page.charset))
    texts = [decode_html(b, c)[0] for b, _u, c in pages]

    def run_floor() -> None:
        for t in texts:
            LexborHTMLParser(t).body.text()

    def run_extract(want_nav: bool) -> Callable[[], None]:
        def run() -> None:
            _fresh_caches()
            for b, u, c in pages:
                extract_page(b, u, as_of=farm.as_of, encoding=c, want_nav=want_nav)
        return run

    res = _interleaved((("floor", run_floor), ("extract_page(bytes)", run_extract(True)),
                        ("extract_page(bytes, want_nav=False)", run_extract(False))), rounds, len(pages))
    floor = res.pop("floor")
    cpus = list(res.values())
    kb = sum(len(b) for b, _u, _c in pages) / len(pages) / 1024
    print(f"CPU per page over {len(pages)} farm pages (home + column pages, mean {kb:.0f} KB), {rounds} rounds:")
    print(f"  {'plain selectolax parse + text() (floor)':<42} {floor * 1000:7.2f} ms     1.0× floor")
    for name, cpu in zip(("extract_page(bytes)", "extract_page(bytes, want_nav=False)"), cpus, strict=True):
        print(f"  {name:<42} {cpu * 1000:7.2f} ms   {cpu / floor:5.1f}× floor")


if __name__ == "__main__":
    sys.exit(main())
