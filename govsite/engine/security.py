"""Security (G-SEC-1): signs that a government site has been tampered with, read from the
crawl's page facts (no second parse).

- hidden links (display:none, off-screen, zero-size …; the extractor's `Link.hidden`) to
  domains outside the site — the classic SEO-spam injection of gambling/porn links;
- injected or obfuscated scripts: external scripts and frames from domains outside the site
  and an allow-list of government / CDN / statistics domains, and inline code that decodes
  (`eval`/`unescape`/`fromCharCode`/`atob`) or writes (`document.write`) an `<iframe>` or
  `<script>` from such a domain;
- defacement: hacker signatures on the home page, a home page whose title and text no longer
  name the site, and — with a stored baseline (`govsite check --baseline FILE`) — a home page
  whose title, structure and text changed beyond thresholds since the baseline was taken.

Findings carry the page URL and the offending snippet as evidence (for a baseline change: both
versions)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from govsite.engine.crawl import PageRecord
from govsite.engine.extract.facts import PageFacts
from govsite.engine.scoring import Finding
from govsite.engine.urls import origin

# Domains a government page may load code or frames from (suffix match). Government and
# identity services first (党政机关标识, 找错, 备案), then widely used public CDNs and the
# statistics services government sites use. Extend per deployment with `allow`.
DEFAULT_ALLOW = (
    "gov.cn", "xn--zfr164b", "政务", "conac.cn", "beian.gov.cn", "miit.gov.cn", "cac.gov.cn",
    "people.com.cn", "xinhuanet.com", "news.cn", "cctv.com", "cntv.cn",
    "baidu.com", "bdimg.com", "bdstatic.com", "cnzz.com", "qq.com", "gtimg.com", "weixin.qq.com",
    "bootcss.com", "bootcdn.net", "staticfile.org", "jsdelivr.net", "cloudflare.com", "googleapis.com",
    "jquery.com", "unpkg.com", "51.la", "amap.com", "ucap.com.cn", "hanweb.com", "trs.com.cn",
)
MAX_EVIDENCE = 50
MAX_SCRIPT = 5000
_HACKER = re.compile(
    r"hacked\s+by|defaced\s+by|owned\s+by|h[a4]ck[e3]d\s+by|greetz\b|your\s+security\s+is\s+low"
    r"|被黑客(?:入侵|攻破|攻陷|篡改)|本站已被(?:黑|入侵|攻破)|黑客(?:联盟|组织|团队)?(?:到此一游|入侵本站|攻陷本站)",
    re.I,
)
_OBFUSCATE = re.compile(r"eval\s*\(\s*(?:unescape|decodeURIComponent|String\.fromCharCode|atob|window\.atob)\s*\(", re.I)
_WRITTEN_SRC = re.compile(r"<\s*(iframe|script|frame)\b[^>]*?\bsrc\s*=\s*[\"']?\s*((?:https?:)?//[^\s\"'>)]+)", re.I)
_ESC = re.compile(r"\\x([0-9a-fA-F]{2})|\\u([0-9a-fA-F]{4})")
# Hidden link boxes are common on real sites (collapsed menus of sister departments, intranet
# systems: realworld pages 102/103), so a hidden external link counts only when its text is
# harmful wording, or it goes to a commercial top-level domain without naming an institution.
_COMMERCIAL_TLDS = ("com", "net", "cc", "top", "xyz", "vip", "info", "biz", "club", "win", "bet", "shop", "site",
                    "online", "tw", "hk", "me", "co", "la", "pw", "ws")
_INSTITUTION = re.compile(r"政府|厅|局|委员会|办公室|部|院|中心|协会|学会|系统|平台|门户|大学|学院|医院|银行|图书馆|博物馆"
                          r"|报社|电视台|人大|政协|公安|法院|检察")
_TAG_LABEL = {"script": "脚本", "iframe": "内嵌框架（iframe）", "frame": "框架页", "embed": "嵌入对象"}
_MEMO_MAX = 50_000  # SecurityObserver's per-crawl memo entries
_NAME_SUFFIXES = ("门户网站", "政府网站", "网站", "人民政府", "政府")


def host_of(url: str) -> str:
    """Host of an http(s) or protocol-relative URL; "" for other schemes (chrome-extension:,
    data: … in browser-saved pages are not network references)."""
    low = url[:12].lower()
    if "//" in url and not low.startswith(("http://", "https://", "//")):
        return ""
    try:
        return (urlsplit(url if "//" in url else "//" + url).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


def _under(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def site_domain(host: str) -> str:
    """The part of a host that names the site: `www.foo.gov.cn` → `foo.gov.cn` (other hosts
    under it belong to the same organisation)."""
    return host[4:] if host.startswith("www.") else host


def decode_js(code: str) -> str:
    """`%XX`, `\\xXX` and `\\uXXXX` escapes undone (the usual obfuscation), bounded."""
    code = code[:MAX_SCRIPT]
    if "%" in code:
        code = unquote(code)
    return _ESC.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), code)


# -- defacement against a stored baseline ------------------------------------------------------
BASELINE_SCHEMA = "govsite.baseline/1"
SHINGLE = 4  # characters per text shingle
SKETCH = 256  # smallest shingle hashes kept: the baseline's text fingerprint
MAX_FEATURES = 2000
# A normal day changes a home page's news items, not its columns, sections, footer or title;
# defacement replaces the page. Thresholds: structure Jaccard and text containment below which
# a signal counts (rule-set params `baseline_structure_min` / `baseline_text_min` override).
STRUCTURE_MIN = 0.5
TEXT_MIN = 0.25
EXCERPT = 200
_WS = re.compile(r"\s+")


class BaselineError(ValueError):
    """A baseline file that cannot be read or written (message in Chinese, for users)."""


def _h(s: str) -> int:
    return int.from_bytes(hashlib.blake2b(s.encode("utf-8"), digest_size=8).digest(), "big")


def text_shingles(text: str) -> set[int]:
    t = _WS.sub("", text or "")[:200_000]
    return {_h(t[i:i + SHINGLE]) for i in range(max(0, len(t) - SHINGLE + 1))}


def structure_features(facts: PageFacts, site_host: str) -> list[str]:
    """What a page is built of, not what it currently says: column names, the site sections its
    links lead to, where its scripts and frames come from, which footer items it shows."""
    feats: set[str] = {f"col:{c.name}" for c in facts.columns}
    for link in facts.links[:5000]:
        host = host_of(link.url)
        if link.tag in ("script", "iframe", "frame", "embed", "link"):
            feats.add(f"{link.tag}:{host or 'inline'}")
        elif link.tag == "a" and host and _under(host, site_domain(site_host)):
            seg = (urlsplit(link.url).path or "/").strip("/").split("/", 1)[0]
            if seg and "." not in seg:
                feats.add(f"sec:{seg}")
        elif link.tag == "a" and host:
            feats.add(f"out:{host}")
    for key, val in (("icp", facts.icp), ("police", facts.police_record), ("sponsor", facts.sponsor),
                     ("code", facts.site_code), ("jiucuo", facts.jiucuo_entry != "none"), ("conac", facts.conac_badge)):
        if val:
            feats.add(f"footer:{key}")
    return sorted(feats)[:MAX_FEATURES]


@dataclass
class HomeSnapshot:
    url: str
    taken: str  # ISO time the snapshot was made (the check's as_of)
    title: str
    structure: list[str]
    sketch: list[int]  # the SKETCH smallest text shingle hashes
    excerpt: str
    signature: str = ""  # short hash of the structure, for people comparing files

    @classmethod
    def of(cls, facts: PageFacts, site_host: str, taken: str) -> HomeSnapshot:
        feats = structure_features(facts, site_host)
        sh = sorted(text_shingles(facts.text))[:SKETCH]
        return cls(url=facts.url, taken=taken, title=" ".join((facts.title or "").split()), structure=feats,
                   sketch=sh, excerpt=" ".join(facts.text[:EXCERPT * 2].split())[:EXCERPT],
                   signature=hashlib.blake2b("\n".join(feats).encode(), digest_size=8).hexdigest())

    def to_json(self) -> dict:
        d = asdict(self)
        d["sketch"] = [f"{x:016x}" for x in self.sketch]
        return d

    @classmethod
    def from_json(cls, d: dict) -> HomeSnapshot:
        try:
            return cls(url=str(d["url"]), taken=str(d["taken"]), title=str(d.get("title") or ""),
                       structure=[str(x) for x in d["structure"]], sketch=[int(x, 16) for x in d["sketch"]],
                       excerpt=str(d.get("excerpt") or ""), signature=str(d.get("signature") or ""))
        except (KeyError, TypeError, ValueError) as exc:
            raise BaselineError(f"基线记录格式错误：{exc}") from exc


def compare_home(base: HomeSnapshot, facts: PageFacts, site_host: str, *, structure_min: float = STRUCTURE_MIN,
                 text_min: float = TEXT_MIN) -> dict:
    """How far the current home page is from its baseline: title changed, structure Jaccard,
    share of the baseline's text sketch still present, and whether that is a defacement (two of
    the three signals, since one alone is an ordinary redesign or a busy news day)."""
    now = structure_features(facts, site_host)
    a, b = set(base.structure), set(now)
    structure = len(a & b) / len(a | b) if a | b else 1.0
    shingles = text_shingles(facts.text)
    text = sum(1 for x in base.sketch if x in shingles) / len(base.sketch) if base.sketch else 1.0
    title_now = " ".join((facts.title or "").split())
    title_changed = bool(base.title) and title_now != base.title
    signals = [title_changed, structure < structure_min, text < text_min]
    return {"title_changed": title_changed, "structure": round(structure, 3), "text": round(text, 3),
            "defaced": sum(signals) >= 2, "title": title_now,
            "excerpt": " ".join(facts.text[:EXCERPT * 2].split())[:EXCERPT]}


class BaselineStore:
    """One JSON file of home-page snapshots keyed by home URL. Written whole and atomically, so
    an interrupted check never leaves a half-written baseline."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.sites: dict[str, dict] = {}
        if self.path.exists():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise BaselineError(f"基线文件 {self.path} 无法读取：{exc}") from exc
            if not isinstance(data, dict) or data.get("schema") != BASELINE_SCHEMA or not isinstance(data.get("sites"), dict):
                raise BaselineError(f"基线文件 {self.path} 不是 govsite 基线（schema 应为 {BASELINE_SCHEMA}）")
            self.sites = data["sites"]
        elif not self.path.parent.is_dir():
            raise BaselineError(f"基线文件所在目录不存在：{self.path.parent}")

    @staticmethod
    def key(url: str) -> str:
        """Host and path: the same home page whether reached by http or https, on any port."""
        parts = urlsplit(url)
        return f"{(parts.hostname or '').lower()}{parts.path or '/'}"

    def get(self, url: str) -> HomeSnapshot | None:
        d = self.sites.get(self.key(url))
        return HomeSnapshot.from_json(d) if d is not None else None

    def put(self, url: str, snap: HomeSnapshot) -> None:
        # Re-read first: checks of several sites sharing one file each add their own entry
        # (put never awaits, so concurrent checks in one process cannot interleave here).
        if self.path.exists():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                if isinstance(data, dict) and isinstance(data.get("sites"), dict):
                    self.sites = {**data["sites"], **self.sites}
            except (OSError, UnicodeDecodeError, json.JSONDecodeError):
                pass  # replaced whole below, as when it was first read
        self.sites[self.key(url)] = snap.to_json()
        body = json.dumps({"schema": BASELINE_SCHEMA, "sites": self.sites}, ensure_ascii=False, indent=1) + "\n"
        fd, tmp = tempfile.mkstemp(prefix=".baseline-", dir=str(self.path.parent))
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(body)
            os.replace(tmp, self.path)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise BaselineError(f"基线文件 {self.path} 无法写入：{exc}") from exc


@dataclass
class SecurityObserver:
    """Crawl observer collecting G-SEC-1 evidence; `findings()` gives the indicator."""

    site_host: str
    site_names: list[str] = field(default_factory=list)
    allow: tuple[str, ...] = DEFAULT_ALLOW
    domains: list[str] = field(default_factory=list)  # further hosts of the same site
    hidden: list[dict] = field(default_factory=list)
    scripts: list[dict] = field(default_factory=list)
    defaced: list[dict] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: {"hidden": 0, "script": 0, "defaced": 0})
    # Defacement against a stored baseline: `baseline` is the stored snapshot (None: none yet);
    # with `snapshot_at` set, the home page's snapshot is kept in `snapshot` for storing.
    baseline: HomeSnapshot | None = None
    snapshot_at: str | None = None
    snapshot: HomeSnapshot | None = None
    baseline_result: dict | None = None
    structure_min: float = STRUCTURE_MIN
    text_min: float = TEXT_MIN
    _seen: set[tuple[str, str]] = field(default_factory=set)
    # Per-crawl memos (pages of a site share their template): a link's host and whether it is
    # foreign, and the inline scripts already read (their findings depend on the code alone and
    # would only repeat keys `_add` has seen). Bounded: emptied when full.
    _hosts: dict[str, tuple[str, bool]] = field(default_factory=dict)
    _local: set[str] = field(default_factory=set)  # link URLs known not to be foreign
    _scripts_read: set[bytes] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.site_host = self.site_host.lower()
        self._own = tuple({site_domain(self.site_host)} | {site_domain(d.lower()) for d in self.domains if d})

    def foreign(self, host: str) -> bool:
        """Outside the site and outside the allow-list."""
        if not host:
            return False
        return not any(_under(host, d) for d in self._own) and not any(_under(host, d) for d in self.allow)

    def _add(self, bucket: str, page: str, key: str, ev: dict) -> None:
        if (bucket, key) in self._seen:
            return  # the same injection in a shared template: once
        self._seen.add((bucket, key))
        self.counts[bucket] += 1
        lst = {"hidden": self.hidden, "script": self.scripts, "defaced": self.defaced}[bucket]
        if len(lst) < MAX_EVIDENCE:
            lst.append({"url": page, **ev})

    def __call__(self, facts: PageFacts, rec: PageRecord) -> None:
        page = facts.url
        hosts = self._hosts
        # Both link checks below concern foreign hosts only: links to the site itself (nearly
        # all, the same on every page) are set aside in one set difference.
        todo = {link.url for link in facts.links}.difference(self._local)
        # A URL under the page's own http(s)://netloc/ has the page's host (not parsed again):
        # an article page's new links are mostly the site's other articles.
        own = own_host = None
        root = origin(page) if todo else None
        if root is not None:
            own = root + "/"
            own_host = hosts.get(own)
            if own_host is None:
                h = host_of(own)
                own_host = hosts[own] = (h, self.foreign(h))
        for link in facts.links if todo else ():
            if link.url not in todo:
                continue
            got = hosts.get(link.url)
            if got is None:
                if own is not None and link.url.startswith(own):
                    got = own_host
                else:
                    h = host_of(link.url)
                    got = (h, self.foreign(h))
                if len(hosts) >= _MEMO_MAX:
                    hosts.clear()
                hosts[link.url] = got
            host, foreign = got
            if not foreign:
                if len(self._local) >= _MEMO_MAX:
                    self._local.clear()
                self._local.add(link.url)
                continue
            if link.hidden and link.tag in ("a", "area") and _spam_link(host, link.text):
                self._add("hidden", page, link.url, {"detail": f"隐藏链接指向外部网站 {link.url}「{link.text}」",
                                                     "target": link.url})
            elif link.tag in ("script", "iframe", "frame", "embed"):
                self._add("script", page, link.url, {"detail": f"引用站外域名 {host} 的{_TAG_LABEL[link.tag]}：{link.url}",
                                                     "target": link.url})
        for code in facts.inline_scripts:
            key = hashlib.blake2b(code.encode("utf-8", "replace"), digest_size=16).digest()
            if key in self._scripts_read:
                continue
            if len(self._scripts_read) >= _MEMO_MAX:
                self._scripts_read.clear()
            self._scripts_read.add(key)
            self._inline(page, code)
        if rec.depth == 0:
            self._home(facts)

    def _inline(self, page: str, code: str) -> None:
        snippet = " ".join(code[:300].split())
        plain = decode_js(code)
        for m in _WRITTEN_SRC.finditer(plain):
            host = host_of(m.group(2))
            if self.foreign(host):
                self._add("script", page, f"{m.group(1)}:{host}", {
                    "detail": f"脚本写入外部 {m.group(1).lower()}（{m.group(2)}）：{snippet}", "target": m.group(2)})
                return
        if _OBFUSCATE.search(code):
            self._add("script", page, snippet, {"detail": f"混淆脚本（eval 解码执行）：{snippet}"})

    def _home(self, facts: PageFacts) -> None:
        page = facts.url
        if self.snapshot_at is not None and self.snapshot is None:
            self.snapshot = HomeSnapshot.of(facts, self.site_host, self.snapshot_at)
        if self.baseline is not None and self.baseline_result is None:
            self._against_baseline(facts)
        shown = " ".join(x for x in (facts.title, facts.site_name, facts.text[:20000]) if x)
        m = _HACKER.search(shown)
        if m:
            ctx = shown[max(0, m.start() - 30):m.end() + 60].replace("\n", " ")
            self._add("defaced", page, "hacker", {"detail": f"首页出现黑客篡改标志「{m.group(0)}」：{ctx}"})
        names = [n for n in self.site_names if n]
        if names and not any(_names(n, shown) for n in names):
            self._add("defaced", page, "name", {
                "detail": f"首页标题与正文不再出现网站名称「{names[0]}」（标题：「{facts.title or ''}」），疑被篡改"})

    def use_baseline(self, stored: HomeSnapshot | None, taken: str, rule: object | None = None) -> None:
        """Compare the home page with `stored`, or (None) keep its snapshot for storing. `rule`:
        the rule set's G-SEC-1 (its `baseline_structure_min` / `baseline_text_min`)."""
        self.baseline = stored
        self.snapshot_at = taken if stored is None else None
        if rule is not None:
            self.structure_min = float(rule.get("baseline_structure_min", self.structure_min))  # type: ignore[attr-defined]
            self.text_min = float(rule.get("baseline_text_min", self.text_min))  # type: ignore[attr-defined]

    def _against_baseline(self, facts: PageFacts) -> None:
        b = self.baseline
        assert b is not None
        r = self.baseline_result = compare_home(b, facts, self.site_host, structure_min=self.structure_min,
                                                text_min=self.text_min)
        if not r["defaced"]:
            return
        what = []
        if r["title_changed"]:
            what.append(f"标题由「{b.title}」变为「{r['title']}」")
        what.append(f"页面结构相似度 {r['structure']:.0%}（阈值 {self.structure_min:.0%}）")
        what.append(f"基线文字保留 {r['text']:.0%}（阈值 {self.text_min:.0%}）")
        self._add("defaced", facts.url, "baseline", {
            "detail": f"首页与 {b.taken} 的基线相比大幅变化，疑被篡改：" + "；".join(what),
            "baseline": {"taken": b.taken, "title": b.title, "signature": b.signature, "excerpt": b.excerpt},
            "current": {"title": r["title"], "signature": hashlib.blake2b(
                "\n".join(structure_features(facts, self.site_host)).encode(), digest_size=8).hexdigest(),
                "excerpt": r["excerpt"]},
            "structure_similarity": r["structure"], "text_similarity": r["text"]})

    def findings(self) -> list[Finding]:
        n = sum(self.counts.values())
        if not n:
            ev, note = [], ""
            r, b = self.baseline_result, self.baseline
            if r is not None and b is not None:
                note = f"；首页与 {b.taken} 的基线相比无明显变化（结构相似度 {r['structure']:.0%}，基线文字保留 {r['text']:.0%}）"
                ev = [{"url": b.url, "detail": note.lstrip("；"), "structure_similarity": r["structure"],
                       "text_similarity": r["text"]}]
            elif self.snapshot is not None:
                note = "；已建立首页基线（标题、结构、文字指纹），以后的检查将与之比较"
                ev = [{"url": self.snapshot.url, "detail": note.lstrip("；"), "signature": self.snapshot.signature}]
            return [Finding("G-SEC-1", "ok", 0.0, ev, "未发现隐藏外链、可疑脚本或篡改迹象" + note)]
        parts = []
        for key, label in (("defaced", "篡改迹象"), ("script", "可疑脚本"), ("hidden", "隐藏外链")):
            if self.counts[key]:
                parts.append(f"{label} {self.counts[key]} 处")
        return [Finding("G-SEC-1", "deduct", 0.0, self.defaced + self.scripts + self.hidden,
                        "安全隐患：" + "、".join(parts))]


def _spam_link(host: str, text: str) -> bool:
    from govsite.engine.text import scan_text  # the banned-wording lexicon (loaded once, shared)

    if text and any(f.category == "banned" for f in scan_text(text[:200])):
        return True
    if host.replace(".", "").isdigit() or ":" in host:
        return False  # an address, not a bought domain: intranet systems of the organisation
    return host.rsplit(".", 1)[-1] in _COMMERCIAL_TLDS and not _INSTITUTION.search(text or "")


def _names(name: str, shown: str) -> bool:
    """The site is named in the text: its full name or its core (without 人民政府/网站 endings)."""
    if name in shown:
        return True
    core = name
    for suf in _NAME_SUFFIXES:
        if core.endswith(suf) and len(core) - len(suf) >= 2:
            core = core[: -len(suf)]
    return len(core) >= 2 and core in shown


def security_findings(pages: Iterable[PageFacts], site_host: str, site_names: Iterable[str] = ()) -> list[Finding]:
    """G-SEC-1 for pages already in hand (first page = home page)."""
    obs = SecurityObserver(site_host, list(site_names))
    for i, f in enumerate(pages):
        obs(f, PageRecord(url=f.url, depth=0 if i == 0 else 1, status=200, error=None, elapsed=0.0))
    return obs.findings()
