"""Discovery of unreported (G-OPEN-8) and counterfeit government sites. No Django here.

Three steps:

1. **Collect** candidate host names: every host seen in links while crawling registered sites
   (with where it was linked from) plus host lists an office imports (`parse_host_list`).
2. **Probe** each candidate's home page once and reduce it to a `Fingerprint`: title, the
   SiteName/标识码/主办单位 shown, and a 64-bit simhash over word shingles of the page's text and
   markup skeleton (so a copied template with a changed name still lands near the original).
3. **Classify** against a `RegistryView` (registered hosts, codes, names and the fingerprints of
   registered home pages in a `SimhashIndex`):
   * a `*.gov.cn` / `*.政务` host that serves a site and is not registered → `unregistered`;
   * a host outside those zones that shows a registered 标识码 or a registered site's name, or
     whose fingerprint is within a few bits of a registered home page → `counterfeit`.

The simhash index (8 bands of 8 bits, pigeonhole: any pair within 7 bits shares a band) makes
"which registered page is this a copy of" a few dictionary look-ups instead of a comparison
with every registered page.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from urllib.parse import urlsplit

GOV_SUFFIXES = (".gov.cn", ".xn--zfr164b")  # .政务 in IDNA form
MAX_HOST_LEN = 253
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_CODE = re.compile(r"^(\d{10}|bm\d{8}|[A-Za-z0-9]{10})$")


class HostListError(ValueError):
    """An imported host list that cannot be used; `errors` lists (line number, line, reason)."""

    def __init__(self, errors: list[tuple[int, str, str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"第 {n} 行 {line!r}：{why}" for n, line, why in errors[:20]))


def to_ascii_host(host: str) -> str | None:
    """Lower-case IDNA (punycode) form of a host name; None when it is not a valid DNS name."""
    h = host.strip().rstrip(".").lower()
    if not h or len(h) > MAX_HOST_LEN or " " in h:
        return None
    try:
        h = h.encode("idna").decode("ascii") if not h.isascii() else h
    except UnicodeError:
        return None
    labels = h.split(".")
    if len(labels) < 2 or not all(_LABEL.match(lb) for lb in labels) or labels[-1].isdigit():
        return None
    return h


def display_host(host: str) -> str:
    """The Unicode form for people (xn--zfr164b → 政务)."""
    try:
        return host.encode("ascii").decode("idna")
    except UnicodeError:
        return host


def is_gov_host(host: str) -> bool:
    h = to_ascii_host(host) or host
    return h.endswith(GOV_SUFFIXES) or h in ("gov.cn", "xn--zfr164b")


def parse_host_list(text: str) -> list[str]:
    """Host names from an imported list: one per line, a bare host or a URL; `#` starts a comment.
    Any junk line rejects the whole list (HostListError names every bad line)."""
    hosts: list[str] = []
    seen: set[str] = set()
    errors: list[tuple[int, str, str]] = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip().strip("\ufeff")
        if not line:
            continue
        candidate = line
        if "://" in line:
            try:
                parts = urlsplit(line)
            except ValueError:
                errors.append((n, raw, "网址无法解析"))
                continue
            if parts.scheme not in ("http", "https"):
                errors.append((n, raw, "只接受 http/https 网址或域名"))
                continue
            candidate = parts.hostname or ""
        elif "/" in line or ":" in line:
            candidate = line.split("/", 1)[0].split(":", 1)[0]
        host = to_ascii_host(candidate)
        if host is None:
            errors.append((n, raw, "不是有效的域名"))
            continue
        if host not in seen:
            seen.add(host)
            hosts.append(host)
    if errors:
        raise HostListError(errors)
    return hosts


# -- collection ---------------------------------------------------------------------------------

@dataclass
class Sighting:
    host: str
    linked_from: list[str] = field(default_factory=list)  # first few pages that link to it
    link_text: str = ""
    imported: bool = False
    count: int = 0


class HostCollector:
    """Hosts seen in links (with the first pages linking to them) and imported hosts."""

    KEEP_SOURCES = 3

    def __init__(self) -> None:
        self.hosts: dict[str, Sighting] = {}

    def see(self, url: str, source: str = "", text: str = "") -> None:
        try:
            host = urlsplit(url).hostname
        except ValueError:
            return
        h = to_ascii_host(host or "")
        if h is None:
            return
        s = self.hosts.get(h)
        if s is None:
            s = self.hosts[h] = Sighting(h, link_text=text[:40])
        s.count += 1
        if source and len(s.linked_from) < self.KEEP_SOURCES and source not in s.linked_from:
            s.linked_from.append(source)

    def add_crawl_links(self, links: Iterable[object]) -> None:
        """`Crawler.links.values()` (LinkRecord: url, source, text)."""
        for rec in links:
            self.see(rec.url, rec.source, rec.text)  # type: ignore[attr-defined]

    def add_imported(self, hosts: Iterable[str]) -> None:
        for h in hosts:
            s = self.hosts.get(h)
            if s is None:
                s = self.hosts[h] = Sighting(h)
            s.imported = True


# -- fingerprints -------------------------------------------------------------------------------

_WORD = re.compile(r"[A-Za-z0-9]+|[\u4e00-\u9fff]")
_TAG = re.compile(r"<\s*([a-zA-Z][a-zA-Z0-9]*)([^>]*)>")
_CLASS = re.compile(r"""class\s*=\s*["']([^"']+)["']""")


def simhash(features: Iterable[str]) -> int:
    """64-bit simhash of distinct features (blake2b). Bits are counted per byte lane with
    `Counter` over byte slices (C speed), not bit by bit in Python."""
    blake = hashlib.blake2b
    digests = b"".join(blake(f.encode("utf-8", "surrogatepass"), digest_size=8).digest() for f in set(features))
    n = len(digests) // 8
    if n == 0:
        return 0
    value = 0
    for lane in range(8):
        counts = Counter(digests[lane::8])
        for bit in range(8):
            ones = sum(c for byte, c in counts.items() if byte >> bit & 1)
            if 2 * ones > n:
                value |= 1 << (lane * 8 + bit)
    return value


def page_features(html: str, text: str, k: int = 4) -> list[str]:
    """Shingles of the visible text (characters of CJK, words otherwise) and of the markup
    skeleton (tag + class sequence): a copy keeps both, a different site of the same CMS only
    the skeleton."""
    words = _WORD.findall(text)
    feats = ["t:" + "".join(words[i:i + k]) for i in range(max(0, len(words) - k + 1))]
    skel = []
    for m in _TAG.finditer(html[:400_000]):
        cls = _CLASS.search(m.group(2))
        skel.append(m.group(1).lower() + ("." + cls.group(1).split()[0] if cls else ""))
    feats += ["s:" + "/".join(skel[i:i + k]) for i in range(max(0, len(skel) - k + 1))]
    return feats


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()


@dataclass
class Fingerprint:
    host: str
    url: str
    status: int | None = None
    error: str | None = None
    serves_site: bool = False
    title: str = ""
    site_name: str = ""
    site_code: str = ""
    sponsor: str = ""
    simhash: int = 0
    final_url: str = ""

    def to_json(self) -> dict:
        d = asdict(self)
        d["simhash"] = f"{self.simhash:016x}"
        return d


def fingerprint_page(host: str, url: str, html: str, final_url: str = "") -> Fingerprint:
    from govsite.engine.extract import extract_page

    return fingerprint_facts(host, url, html, extract_page(html, final_url or url), final_url)


async def probe_home(fetcher: object, host: str, url: str) -> Fingerprint:
    res = await fetcher.get(url)  # type: ignore[attr-defined]
    if not res.ok or not res.is_html or not res.body:
        return Fingerprint(host=host, url=url, status=res.status, error=res.error or "not_html",
                           final_url=res.final_url)
    html = res.text()
    fp = await asyncio.to_thread(fingerprint_page, host, url, html, res.final_url) if len(html) > 300_000 \
        else fingerprint_page(host, url, html, res.final_url)
    fp.status = res.status
    return fp


async def probe_hosts(fetcher: object, urls: dict[str, str], concurrency: int = 32) -> dict[str, Fingerprint]:
    """Home-page fingerprints of many hosts (host → URL to fetch), `concurrency` at a time."""
    sem = asyncio.Semaphore(concurrency)
    out: dict[str, Fingerprint] = {}

    async def one(host: str, url: str) -> None:
        async with sem:
            out[host] = await probe_home(fetcher, host, url)

    await asyncio.gather(*(one(h, u) for h, u in urls.items()))
    return out


# -- index and classification -----------------------------------------------------------------

class SimhashIndex:
    """Near-duplicate look-up: 8 bands of 8 bits; candidates share a band (certain up to 7 bits
    apart, likely beyond), then the exact Hamming distance decides."""

    BANDS = 8

    def __init__(self) -> None:
        self.tables: list[dict[int, list[tuple[int, str]]]] = [{} for _ in range(self.BANDS)]
        self.size = 0

    def add(self, value: int, key: str) -> None:
        self.size += 1
        for b in range(self.BANDS):
            self.tables[b].setdefault(value >> (8 * b) & 0xFF, []).append((value, key))

    def near(self, value: int, max_distance: int = 7) -> list[tuple[int, str]]:
        """(distance, key) of stored values within `max_distance` bits, nearest first."""
        found: dict[str, int] = {}
        for b in range(self.BANDS):
            for v, key in self.tables[b].get(value >> (8 * b) & 0xFF, ()):
                d = hamming(v, value)
                if d <= max_distance and (key not in found or d < found[key]):
                    found[key] = d
        return sorted((d, k) for k, d in found.items())


@dataclass
class RegisteredSite:
    code: str
    name: str
    host: str
    region: str = ""  # region code ('' for State Council departments)
    sponsor: str = ""


@dataclass
class RegistryView:
    """What classification needs to know about the registry (built by the Django side)."""

    sites: dict[str, RegisteredSite]  # code → site
    hosts: dict[str, str]  # every registered host (ascii) → code
    index: SimhashIndex = field(default_factory=SimhashIndex)
    names: dict[str, str] = field(default_factory=dict)  # registered name → code

    def __post_init__(self) -> None:
        if not self.names:
            self.names = {s.name: s.code for s in self.sites.values() if len(s.name) >= 4}

    def add_fingerprint(self, code: str, fp: Fingerprint) -> None:
        if fp.serves_site and fp.simhash:
            self.index.add(fp.simhash, code)


@dataclass
class Finding:
    host: str
    kind: str  # unregistered | counterfeit
    region: str = ""  # region code guessed from the 标识码 / copied site
    matched_code: str = ""  # the registered site it copies (counterfeit)
    reasons: list[str] = field(default_factory=list)
    evidence: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return asdict(self)


NEAR_BITS = 7


def _region_of_code(code: str) -> str:
    return code[:6] if code[:6].isdigit() else ""


def classify(fp: Fingerprint, sighting: Sighting | None, view: RegistryView, near_bits: int = NEAR_BITS) -> Finding | None:
    """A finding for one probed host, or None (registered, not serving a site, or unrelated)."""
    host = fp.host
    if host in view.hosts or not fp.serves_site:
        return None
    final_host = (urlsplit(fp.final_url).hostname or "").lower() if fp.final_url else host
    if final_host != host and final_host in view.hosts:
        return None  # an alias that redirects to a registered site: served by the registered site
    evidence = {
        "title": fp.title, "site_name": fp.site_name, "footer_code": fp.site_code, "sponsor": fp.sponsor,
        "url": fp.url, "simhash": f"{fp.simhash:016x}",
        "linked_from": list(sighting.linked_from) if sighting else [],
        "link_text": sighting.link_text if sighting else "",
        "imported": bool(sighting and sighting.imported),
    }
    if is_gov_host(host):
        region = _region_of_code(fp.site_code)
        if not region and sighting:
            # No code on the page: the region of the registered site that links to it.
            for src in sighting.linked_from:
                linker = view.sites.get(view.hosts.get(to_ascii_host(urlsplit(src).hostname or "") or "", ""))
                if linker and linker.region:
                    region = linker.region
                    evidence["region_from"] = f"链接来源 {linker.code} {linker.name}"
                    break
        return Finding(host, "unregistered", region=region, reasons=["政府域名下的网站未在名录中"], evidence=evidence)
    reasons: list[str] = []
    matched = ""
    if fp.site_code and fp.site_code in view.sites:
        matched = fp.site_code
        reasons.append(f"使用已登记网站的标识码 {fp.site_code}")
    for shown in {fp.site_name, fp.sponsor, fp.title}:
        code = view.names.get(shown.strip()) if shown else None
        if code:
            matched = matched or code
            reasons.append(f"冒用已登记网站名称“{shown.strip()}”")
            break
    near = view.index.near(fp.simhash, near_bits) if fp.simhash else []
    if near:
        d, code = near[0]
        matched = matched or code
        reasons.append(f"页面与已登记网站 {code} 的首页近似（指纹相差 {d} 位）")
        evidence["near"] = [{"code": c, "distance": dd} for dd, c in near[:3]]
    if not reasons:
        return None
    site = view.sites.get(matched)
    evidence["copies"] = {"code": matched, "name": site.name, "host": site.host} if site else {"code": matched}
    return Finding(host, "counterfeit", region=site.region if site else "", matched_code=matched,
                   reasons=reasons, evidence=evidence)


@dataclass
class DiscoveryResult:
    findings: list[Finding]
    probed: int
    serving: int
    candidates: int

    def by_kind(self, kind: str) -> list[Finding]:
        return [f for f in self.findings if f.kind == kind]


def candidates(collector: HostCollector, view: RegistryView) -> list[str]:
    """Hosts worth probing: not registered."""
    return sorted(h for h in collector.hosts if h not in view.hosts)


def classify_all(fps: dict[str, Fingerprint], collector: HostCollector, view: RegistryView) -> list[Finding]:
    out = []
    for host in sorted(fps):
        f = classify(fps[host], collector.hosts.get(host), view)
        if f is not None:
            out.append(f)
    return out


# -- orchestration ------------------------------------------------------------------------------

@dataclass
class SiteToScan:
    code: str
    url: str
    domains: list[str]


async def scan_registered(fetcher: object, sites: list[SiteToScan], *, max_pages: int = 15, max_depth: int = 1,
                          concurrency: int = 16, collector: HostCollector | None = None,
                          ) -> tuple[HostCollector, dict[str, Fingerprint]]:
    """Crawl registered sites shallowly (links recorded, not checked); collect every linked host
    and fingerprint each home page from the bytes the crawl already read (no second fetch)."""
    from govsite.engine.crawl import Crawler
    from govsite.engine.extract import extract_page

    collector = collector or HostCollector()
    fps: dict[str, Fingerprint] = {}
    sem = asyncio.Semaphore(concurrency)

    async def one(s: SiteToScan) -> None:
        home_host = (urlsplit(s.url).hostname or "").lower()

        def extractor(html: str, url: str, as_of: object = None) -> object:
            facts = extract_page(html, url, as_of=as_of)
            if s.code not in fps:  # the first page parsed is the home page (depth 0)
                fps[s.code] = fingerprint_facts(home_host, s.url, html, facts, url)
            return facts

        async with sem:
            crawler = Crawler(s.url, fetcher, domains=s.domains, max_pages=max_pages, max_depth=max_depth,  # type: ignore[arg-type]
                              check_links=False, extractor=extractor, workers=2)
            await crawler.run()
        collector.add_crawl_links(crawler.links.values())

    await asyncio.gather(*(one(s) for s in sites))
    return collector, fps


def fingerprint_facts(host: str, url: str, html: str, facts: object, final_url: str = "") -> Fingerprint:
    code = facts.site_code or ""  # type: ignore[attr-defined]
    if not code:
        codes = {c for c in facts.site_code_sources.values() if c}  # type: ignore[attr-defined]
        code = sorted(codes)[0] if codes else ""
    text = facts.text or ""  # type: ignore[attr-defined]
    fp = Fingerprint(host=host, url=url, status=200, final_url=final_url or url)
    fp.title = (facts.title or "").strip()[:200]  # type: ignore[attr-defined]
    fp.site_name = (facts.site_name or "").strip()[:200]  # type: ignore[attr-defined]
    fp.site_code = code if _CODE.match(code) else ""
    fp.sponsor = (facts.sponsor or "").strip()[:200]  # type: ignore[attr-defined]
    # The text part is the titles of the dated list items when there are any: a copy keeps them,
    # while the name, code and footer (what a counterfeiter edits) are left out.
    # The page's own name is cut out too, so a copy that renames itself stays near the original.
    titles = [i.title for c in facts.columns for i in c.items if i.title]  # type: ignore[attr-defined]
    body = " ".join(titles) if len(titles) >= 5 else text
    for own in sorted({fp.site_name, fp.sponsor, fp.title}, key=len, reverse=True):
        if len(own) >= 2:
            body = body.replace(own, " ")
    fp.simhash = simhash(page_features(html, body))
    # A site: an HTML page that names itself (title or SiteName) and has some content.
    fp.serves_site = bool(fp.title or fp.site_name) and len(text) >= 20
    return fp


async def run_discovery(fetcher: object, view: RegistryView, sites: list[SiteToScan], imported: list[str],
                        url_for: Callable[[str], str], *, max_pages: int = 15, max_depth: int = 1,
                        concurrency: int = 16) -> DiscoveryResult:
    """Scan the registered sites, index their home pages, probe every unregistered candidate host
    once and classify it."""
    collector, fps = await scan_registered(fetcher, sites, max_pages=max_pages, max_depth=max_depth,
                                           concurrency=concurrency)
    for code, fp in fps.items():
        view.add_fingerprint(code, fp)
    collector.add_imported(imported)
    cands = candidates(collector, view)
    probed = await probe_hosts(fetcher, {h: url_for(h) for h in cands}, concurrency=concurrency * 2)
    findings = classify_all(probed, collector, view)
    return DiscoveryResult(findings=findings, probed=len(probed),
                           serving=sum(1 for f in probed.values() if f.serves_site), candidates=len(cands))
