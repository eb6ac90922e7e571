"""Text scanners: accuracy and throughput.

    .venv/bin/python bench/text.py [--sites 80] [--seed 11] [--mb 8]

Accuracy: the test list tests/engine/text/cases.tsv (all must be caught), the article text of
the real pages in ../shared/realworld (must give no finding), and an in-process farm (every
seeded V15-4 defect found, ads found for G-ID-3, no finding on clean sites).
Throughput: characters and UTF-8 megabytes per second of `scan_text` with the full lexicons,
on one core, and load time; compared in the same run with two peers over the same keys: a
compiled `re` alternation and a plain `str.find` loop."""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from govsite.engine.extract import extract_page  # noqa: E402
from govsite.engine.text import analyse_page, detect_ads, load_lexicons, scan_page, scan_text  # noqa: E402
from govsite.engine.text import lexicon as lx  # noqa: E402

REALWORLD = ROOT.parent / "shared" / "realworld"
CASES = ROOT / "tests" / "engine" / "text" / "cases.tsv"


# -- accuracy -------------------------------------------------------------------------------

def load_cases(path: Path = CASES) -> list[tuple[str, str, str]]:
    """(sentence, wrong form, expected suggestion) rows of the test list."""
    out = []
    for row in lx.read_rows(path, 3):
        out.append((row[0], row[1], row[2]))
    return out


def cases_eval(path: Path = CASES) -> tuple[int, list[tuple[str, str, str]]]:
    """How many cases are caught (a finding whose wrong form and suggestion match), and the misses."""
    cases = load_cases(path)
    missed = []
    for sentence, wrong, right in cases:
        fs = scan_text(sentence, on_date=date(2018, 6, 1))
        if not any(f.wrong == wrong and (not right or f.suggestion == right or right in f.suggestion) for f in fs):
            missed.append((sentence, wrong, right))
    return len(cases), missed


def realworld_texts() -> list[tuple[str, object]]:
    ann = json.loads((REALWORLD / "annotations.json").read_text(encoding="utf-8"))
    out = []
    for a in ann:
        facts = extract_page((REALWORLD / a["file"]).read_bytes(), "http://realworld.gov.cn/page.html")
        out.append((a["file"], facts))
    return out


def realworld_eval() -> list[tuple[str, object]]:
    """Every finding on the real pages' text (expected: none)."""
    found = []
    for name, facts in realworld_texts():
        for f in scan_page(facts):
            found.append((name, f))
    return found


@dataclass
class FarmResult:
    defects: int = 0
    found: int = 0
    misses: list[dict] = field(default_factory=list)
    ads_defects: int = 0
    ads_found: int = 0
    ads_misses: list[str] = field(default_factory=list)
    clean_pages: int = 0
    clean_findings: list[tuple[str, str]] = field(default_factory=list)
    other_findings: list[tuple[str, str]] = field(default_factory=list)  # on defect sites, not seeded
    mismatch: dict[str, int] = field(default_factory=dict)  # advisory 文不对题 results on article pages
    chars: int = 0


def _farm_page(site, url: str, base: str):  # noqa: ANN001, ANN202 - farm objects
    from govsite.farm.export import render_raw
    page = render_raw(site, "/" + url[len(base):] if url.startswith(base) else url)
    if page is None or page.status != 200:
        return None
    return extract_page(page.body, url, encoding=page.charset)


def farm_eval(seed: int = 11, sites: int = 80, as_of: str = "2017-09-14", per_site: int = 25) -> FarmResult:
    """Scan an in-process farm: each seeded V15-4 defect page, the home page of every site (ads),
    and up to `per_site` article pages of every site (clean sites must give nothing)."""
    from govsite.farm import manifest as mf
    from govsite.farm.export import site_paths
    from govsite.farm.model import Farm, Site
    from govsite.farm.urls import urls_for

    farm = Farm(seed, sites, date.fromisoformat(as_of))
    manifest = mf.build(farm)
    res = FarmResult()
    for entry, ident in zip(manifest["sites"], farm.identities, strict=True):
        site = Site(farm, ident)
        base = entry["url"]
        seeded = {d["page"]: d for d in entry["defects"] if d["indicator"] == "V15-4"}
        for page_url, d in seeded.items():
            res.defects += 1
            facts = _farm_page(site, page_url, base)
            want = d["detail"].get("wrong") or d["detail"].get("text")
            fs = scan_page(facts) if facts else []
            res.chars += len(facts.text) if facts else 0
            hit = any(f.wrong in want or want.startswith(f.wrong) or f.wrong == want for f in fs) if want else False
            if d["kind"] == "leader_misspelled":
                hit = any(f.wrong == d["detail"]["wrong"] and f.suggestion == d["detail"]["right"] for f in fs)
            if hit:
                res.found += 1
            else:
                res.misses.append(d)
        # Home page: ads (G-ID-3).
        home = _farm_page(site, base, base)
        has_ads = any(d["kind"] == "ads" for d in entry["defects"])
        if home is not None:
            ads = detect_ads(home)
            if has_ads:
                res.ads_defects += 1
                if ads:
                    res.ads_found += 1
                else:
                    res.ads_misses.append(base)
            elif ads:
                res.clean_findings.append((base, "; ".join(a.message for a in ads)))
        # Article pages (text findings).
        n = 0
        u = urls_for(site)
        for path in site_paths(site):
            if n >= per_site:
                break
            url = base.rstrip("/") + path
            p, _, q = path.partition("?")
            route = u.parse(p, q)
            if url in seeded or route is None or route.kind != "item":
                continue
            facts = _farm_page(site, url, base)
            if facts is None:
                continue
            n += 1
            res.chars += len(facts.text)
            if route.col is not None and route.col.kind not in ("guide", "consult", "survey", "interview"):
                mm = analyse_page(facts, article=True).mismatch
                key = mm.kind if mm else "matches"
                res.mismatch[key] = res.mismatch.get(key, 0) + 1
            fs = scan_page(facts)
            if entry["clean"]:
                res.clean_pages += 1
                res.clean_findings += [(url, f.message) for f in fs]
            else:
                res.other_findings += [(url, f.message) for f in fs]
    return res


# -- throughput -------------------------------------------------------------------------------

def corpus(mb: float) -> str:
    """Realistic government text (real pages plus farm articles), repeated to `mb` UTF-8 megabytes."""
    parts = [facts.text for _n, facts in realworld_texts()]
    from govsite.farm import text as ft
    from govsite.farm.rng import rng
    r = rng(7, "bench-text")
    ctx = {"place": "某某县", "lvl": "县", "short": "县", "area": "0431"}
    parts += ["".join(ft.paragraphs(r, ctx)) for _ in range(200)]
    base = "\n".join(parts)
    reps = max(1, int(mb * 1_000_000 / len(base.encode("utf-8"))) + 1)
    return (base + "\n") * reps


def throughput(text: str, page_chars: int = 20_000) -> tuple[float, int]:
    lex = lx.default()
    pages = [text[i:i + page_chars] for i in range(0, len(text), page_chars)]
    t0 = time.process_time()
    n = 0
    for p in pages:
        n += len(scan_text(p, lexicons=lex))
    return time.process_time() - t0, n


def peer_regex(keys: list[str], text: str) -> tuple[float, float, int]:
    t0 = time.process_time()
    rx = re.compile("|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True)))
    compile_s = time.process_time() - t0
    t0 = time.process_time()
    n = sum(1 for _ in rx.finditer(text))
    return compile_s, time.process_time() - t0, n


def peer_find(keys: list[str], text: str) -> tuple[float, int]:
    t0 = time.process_time()
    n = 0
    for k in keys:
        i = text.find(k)
        while i >= 0:
            n += 1
            i = text.find(k, i + 1)
    return time.process_time() - t0, n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sites", type=int, default=80)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--mb", type=float, default=8.0, help="megabytes of text for the throughput run")
    ap.add_argument("--peer-kb", type=int, default=200, help="kilobytes of text for the peers (they are slow)")
    args = ap.parse_args()

    print("== load ==")
    t0 = time.perf_counter()
    lex = load_lexicons()
    load_s = time.perf_counter() - t0
    print(f"lexicons loaded in {load_s:.2f} s: {lex.sizes}")

    print("\n== accuracy ==")
    total, missed = cases_eval()
    print(f"test list {CASES.name}: {total - len(missed)}/{total} caught")
    for m in missed:
        print("  MISSED", m)
    rw = realworld_eval()
    print(f"realworld ({REALWORLD}): {len(rw)} finding(s)")
    for name, f in rw:
        print("  ", name, f.message, "|", f.sentence[:60])
    t0 = time.perf_counter()
    fr = farm_eval(args.seed, args.sites)
    print(f"farm seed {args.seed}, {args.sites} sites ({time.perf_counter() - t0:.1f} s):")
    print(f"  V15-4 seeded defects found: {fr.found}/{fr.defects} (recall "
          f"{fr.found / fr.defects:.0%})" if fr.defects else "  no V15-4 defects seeded")
    for d in fr.misses:
        print("   MISSED", d)
    print(f"  G-ID-3 ads found: {fr.ads_found}/{fr.ads_defects}")
    print(f"  clean-site article pages scanned: {fr.clean_pages}; findings on clean sites: {len(fr.clean_findings)}")
    for u, msg in fr.clean_findings[:20]:
        print("   FALSE", u, msg)
    print(f"  advisory title/body check (G-TXT-1) on farm articles, which restate their titles: {fr.mismatch}")
    print(f"  unseeded findings on other sites' article pages: {len(fr.other_findings)}")
    for u, msg in fr.other_findings[:10]:
        print("   EXTRA", u, msg)

    print("\n== throughput (one core, CPU time) ==")
    text = corpus(args.mb)
    nbytes = len(text.encode("utf-8"))
    secs, nf = throughput(text)
    print(f"govsite scan_text (ahocorasick_rs, {lex.sizes['keys']} keys): {len(text) / secs / 1e6:.2f} M chars/s, "
          f"{nbytes / secs / 1e6:.2f} MB/s UTF-8 ({len(text):,} chars, {nf} findings) — goal ≥ 5 MB/s")
    keys = list(lex.matcher.keys)
    sample = text[: args.peer_kb * 1000 // 3]
    sb = len(sample.encode("utf-8"))
    c_s, r_s, rn = peer_regex(keys, sample)
    print(f"peer: compiled re alternation of the same {len(keys)} keys: compile {c_s:.2f} s, "
          f"{sb / r_s / 1e6:.3f} MB/s ({rn} matches on {sb / 1e6:.2f} MB)")
    small = sample[: len(sample) // 10]
    f_s, fn = peer_find(keys, small)
    fb = len(small.encode("utf-8"))
    print(f"peer: str.find loop over the same keys: {fb / f_s / 1e6:.4f} MB/s ({fn} matches on {fb / 1e6:.3f} MB)")
    ok = not missed and not rw and not fr.misses and not fr.clean_findings and fr.ads_found == fr.ads_defects
    print("\naccuracy:", "OK" if ok else "PROBLEMS (see above)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
