"""Security (G-SEC-1): signs that a government site has been tampered with, read from the
crawl's page facts (no second parse).

- hidden links (display:none, off-screen, zero-size …; the extractor's `Link.hidden`) to
  domains outside the site — the classic SEO-spam injection of gambling/porn links;
- injected or obfuscated scripts: external scripts and frames from domains outside the site
  and an allow-list of government / CDN / statistics domains, and inline code that decodes
  (`eval`/`unescape`/`fromCharCode`/`atob`) or writes (`document.write`) an `<iframe>` or
  `<script>` from such a domain;
- defacement: hacker signatures on the home page, and a home page whose title and text no
  longer name the site.

Findings carry the page URL and the offending snippet as evidence."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from govsite.engine.crawl import PageRecord
from govsite.engine.extract.facts import PageFacts
from govsite.engine.scoring import Finding

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
    _seen: set[tuple[str, str]] = field(default_factory=set)

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
        for link in facts.links:
            host = host_of(link.url)
            if link.hidden and link.tag in ("a", "area") and self.foreign(host) and _spam_link(host, link.text):
                self._add("hidden", page, link.url, {"detail": f"隐藏链接指向外部网站 {link.url}「{link.text}」",
                                                     "target": link.url})
            elif link.tag in ("script", "iframe", "frame", "embed") and self.foreign(host):
                self._add("script", page, link.url, {"detail": f"引用站外域名 {host} 的{_TAG_LABEL[link.tag]}：{link.url}",
                                                     "target": link.url})
        for code in facts.inline_scripts:
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
        shown = " ".join(x for x in (facts.title, facts.site_name, facts.text[:20000]) if x)
        m = _HACKER.search(shown)
        if m:
            ctx = shown[max(0, m.start() - 30):m.end() + 60].replace("\n", " ")
            self._add("defaced", page, "hacker", {"detail": f"首页出现黑客篡改标志「{m.group(0)}」：{ctx}"})
        names = [n for n in self.site_names if n]
        if names and not any(_names(n, shown) for n in names):
            self._add("defaced", page, "name", {
                "detail": f"首页标题与正文不再出现网站名称「{names[0]}」（标题：「{facts.title or ''}」），疑被篡改"})

    def findings(self) -> list[Finding]:
        n = sum(self.counts.values())
        if not n:
            return [Finding("G-SEC-1", "ok", 0.0, [], "未发现隐藏外链、可疑脚本或篡改迹象")]
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
