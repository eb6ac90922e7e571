"""Services (服务实用): D15-8 guides, D15-9 attachments, D15-10 online systems (RS2015) and
V19-6 (RS2019).

`ServiceObserver` is a crawl observer: it reads each guide page's element labels (the
extractor's `service_guide_elements`, completed with common synonyms such as 申请材料 for
办理材料), and notes the attachment links of guide pages and the online-system links
(在线办理, 办事大厅, …系统). After the crawl `verify` downloads the attachments and opens the
systems through the check's shared Fetcher (its per-host politeness applies), reusing what
the crawl already learned and never exceeding `max_requests` extra requests."""

from __future__ import annotations

import asyncio
import functools
import re
from dataclasses import dataclass, field
from datetime import date

from govsite.engine.crawl import Crawler, PageRecord
from govsite.engine.extract.facts import PageFacts
from govsite.engine.fetch import Fetcher
from govsite.engine.indicators.interaction import InteractionObserver, is_portal, refetch_pages
from govsite.engine.rulesets import RuleSet
from govsite.engine.scoring import Finding
from govsite.engine.urls import ATTACHMENT_EXT, extension, host_of, normalize

KEY_ELEMENTS = ("事项名称", "设定依据", "申请条件", "办理材料", "办理地点", "办理时间", "联系电话", "办理流程")
EXTRA_ELEMENTS = ("办理时限", "收费标准")
# Labels real guides use for the same category (a label is a cell or line of its own).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "事项名称": ("事项名称", "项目名称", "服务事项", "审批事项", "事项名"),
    "设定依据": ("设定依据", "办理依据", "法律依据", "实施依据", "审批依据", "法定依据", "设立依据"),
    "申请条件": ("申请条件", "受理条件", "办理条件", "申报条件", "准予批准的条件"),
    "办理材料": ("办理材料", "申请材料", "申报材料", "所需材料", "提交材料", "材料目录", "申请材料目录"),
    "办理地点": ("办理地点", "受理地点", "办公地点", "办理地址", "受理地址", "办理窗口"),
    "办理时间": ("办理时间", "受理时间", "办公时间", "窗口办理时间"),
    "联系电话": ("联系电话", "咨询电话", "咨询方式", "联系方式", "监督电话", "咨询投诉电话"),
    "办理流程": ("办理流程", "办事流程", "办理程序", "审批流程", "受理流程", "办理步骤"),
    "办理时限": ("办理时限", "承诺时限", "法定时限", "审批时限", "承诺期限", "法定期限"),
    "收费标准": ("收费标准", "收费依据", "收费依据及标准", "是否收费", "收费情况"),
}
_LABEL_RES = {k: re.compile(r"(?:^|\n)\s*[【\[]?\s*(?:" + "|".join(v) + r")\s*[】\]]?\s*(?:[:：]|\n|$)")
              for k, v in SYNONYMS.items()}
# Where the page's footer starts: its 联系电话 line is the site's, not the guide's.
# (case ignored only where letters are: a whole-pattern re.I makes the CJK range slow to compile)
_FOOTER_RE = re.compile(r"\n\s*(?:网站地图|联系我们|关于我们|主办单位|主办[:：]|版权所有|(?i:copyright)|©|(?:政府)?网站标识码|"
                        r"[\u4e00-\u9fff](?i:icp)备|[\u4e00-\u9fff]公网安备)")
# A form the applicant must fill in, named in the guide (《…申请表》): it should be downloadable.
_FORM_RE = re.compile(r"《([^《》\n]{2,40}?(?:申请表|登记表|审批表|申报表|申请书|承诺书|表格))》")
_GUIDE_TITLE_RE = re.compile(r"办事指南|服务指南|办事须知|办理指南")
_SYSTEM_RE = re.compile(r"在线办理|网上办理|在线申报|网上申报|在线申请|网上申请|办事大厅|在线预约|网上预约|"
                        r"在线查询|网上查询|进度查询|办件查询|(?:申报|申请|办理|查询|预约|审批|办事|服务|登记|缴费|报名|公示)"
                        r"\w{0,6}(?:系统|平台)$")
_SERVICE_ENTRY_RE = re.compile(r"办事|服务指南|政务服务|便民服务|网上办")
MAX_GUIDES = 500
MAX_ATTACHMENTS = 500
MAX_SYSTEMS = 50
MAX_EVIDENCE = 50
READ_BYTES = 64 * 1024  # enough to tell an empty or mislabelled file from a real one

# Content types that fit an extension (substring match) and the types that say nothing.
_EXT_TYPES: dict[str, tuple[str, ...]] = {
    "pdf": ("pdf",),
    "doc": ("msword", "wps"),
    "docx": ("wordprocessingml", "msword"),
    "xls": ("ms-excel", "excel", "x-xls"),
    "xlsx": ("spreadsheetml", "ms-excel"),
    "ppt": ("ms-powerpoint",),
    "pptx": ("presentationml", "ms-powerpoint"),
    "zip": ("zip",),
    "rar": ("rar",),
    "7z": ("7z",),
    "txt": ("text/plain",),
    "csv": ("csv", "text/plain", "ms-excel"),
    "wps": ("wps", "msword"),
    "et": ("et", "ms-excel"),
    "ofd": ("ofd",),
}
_GENERIC = ("application/octet-stream", "application/force-download", "application/x-download", "application/download",
            "binary/octet-stream", "application/x-msdownload", "application/unknown", "application/binary", "")
_OLE = b"\xd0\xcf\x11\xe0"
_ZIP = b"PK\x03\x04"
_MAGIC: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF",), "docx": (_ZIP,), "xlsx": (_ZIP,), "pptx": (_ZIP,), "zip": (_ZIP,), "doc": (_OLE, _ZIP),
    "xls": (_OLE, _ZIP), "ppt": (_OLE,), "rar": (b"Rar!",), "7z": (b"7z\xbc\xaf",), "wps": (_OLE, _ZIP), "et": (_OLE, _ZIP),
}


def guide_elements(text: str) -> list[str]:
    """The element categories (KEY_ELEMENTS + EXTRA_ELEMENTS) labelled on a guide page's text."""
    return [k for k, rx in _LABEL_RES.items() if rx.search(text)]


def guide_body(text: str, title: str | None) -> str:
    """The guide's own part of the page text: from its title to the footer (menus above and
    the footer's 联系电话 below are the site's, not the guide's)."""
    start = 0
    if title:
        i = text.find(title.strip()[:30])
        if i >= 0:
            start = i
    m = _FOOTER_RE.search(text, start)
    return text[start:m.start()] if m else text[start:]


def type_problem(ext: str, content_type: str, head: bytes) -> str | None:
    """Why a downloaded file does not match its extension, or None."""
    ct = content_type.split(";")[0].strip().lower()
    start = head[:64].lstrip().lower()
    if ext not in ("htm", "html", "xml") and ("html" in ct or start.startswith((b"<!doctype", b"<html"))):
        return f"返回的是网页（{ct or 'text/html'}）而不是 .{ext} 文件"
    magic = _MAGIC.get(ext)
    if magic and head and not head.startswith(magic):
        return f"文件内容与扩展名 .{ext} 不符"
    if ct not in _GENERIC and ext in _EXT_TYPES and not any(t in ct for t in _EXT_TYPES[ext]):
        return f"内容类型 {ct} 与扩展名 .{ext} 不符"
    return None


@dataclass
class Guide:
    url: str
    title: str
    present: list[str]
    forms_not_offered: list[str] = field(default_factory=list)  # forms the guide names but offers no file for


@dataclass
class Target:
    """An attachment or an online system to verify after the crawl."""

    url: str
    page: str  # where the link is (evidence)
    text: str
    problem: str | None = None
    checked: bool = False


def transient(status: int | None, error: str | None) -> bool:
    """A failure that may pass (server error, timeout, reset): worth one more try before it is
    reported, so a flaky moment is not a finding."""
    return error in ("timeout", "connect") or (error is not None and status is not None and status >= 500)


def _why(status: int | None, error: str | None, detail: str = "") -> str:
    if error and error.startswith("http_"):
        return f"HTTP {status}"
    return {"timeout": "超时", "connect": "无法连接", "dns": "域名无法解析", "tls": "证书/TLS 错误",
            "redirects": "重定向过多", "refused_private": "内网地址"}.get(error or "", detail or error or "未知错误")


@functools.lru_cache(maxsize=1 << 12)  # every page's menu repeats the same link texts
def _link_roles(text: str) -> tuple[bool, bool]:
    """(names an online system, is a service entry) for a link's text (stripped here: the
    cache then answers for the text as the page has it)."""
    t = text.strip()
    return (len(t) <= 20 and bool(_SYSTEM_RE.search(t)), len(t) <= 10 and bool(_SERVICE_ENTRY_RE.search(t)))


@dataclass
class ServiceObserver:
    guides: list[Guide] = field(default_factory=list)
    guides_total: int = 0
    attachments: dict[str, Target] = field(default_factory=dict)
    systems: dict[str, Target] = field(default_factory=dict)
    service_entries: int = 0  # menu links/columns for services (V19-6 (1): some service offering)
    requests: int = 0  # extra requests made by `verify`
    unchecked: dict[str, int] = field(default_factory=lambda: {"attachment": 0, "system": 0})
    guide_links: dict[str, None] = field(default_factory=dict)  # guide lists and their items (to retry)
    home: str | None = None  # the site's home page (evidence for "no service offering")
    _seen_guides: set[str] = field(default_factory=set)

    def __call__(self, facts: PageFacts, rec: PageRecord) -> None:
        page = normalize(facts.url) or facts.url
        if rec.depth == 0 and self.home is None:
            self.home = page
        for c in facts.columns:
            if "指南" in c.name and len(self.guide_links) < MAX_GUIDES:
                if c.url:
                    self.guide_links[c.url] = None
                for it in c.items:
                    if it.url:
                        self.guide_links[it.url] = None
        for links in (facts.nav, facts.links):
            for lk in links:
                system, entry = _link_roles(lk.text)  # nearly every link has neither role: asked first
                if not (system or entry) or lk.tag != "a" or lk.hidden:
                    continue
                if system and len(self.systems) < MAX_SYSTEMS and lk.url not in self.systems:
                    self.systems[lk.url] = Target(lk.url, page, lk.text.strip())
                if entry:
                    self.service_entries += 1
        self.service_entries += sum(1 for c in facts.columns if c.type == "service")
        present = self._guide(facts)
        if present is None or page in self._seen_guides:
            return
        self._seen_guides.add(page)
        self.guides_total += 1
        title = facts.meta.get("ArticleTitle") or facts.title or page
        files = [lk for lk in facts.links if lk.tag == "a" and (extension(lk.url) in ATTACHMENT_EXT or "下载" in lk.text)]
        forms: list[str] = []
        if not files:  # D15-9 (a): forms named in the guide, no file offered on it
            forms = list(dict.fromkeys(_FORM_RE.findall(guide_body(facts.text, title))))[:10]
        if len(self.guides) < MAX_GUIDES:
            self.guides.append(Guide(page, title, present, forms))
        for lk in files:
            if extension(lk.url) in ATTACHMENT_EXT and len(self.attachments) < MAX_ATTACHMENTS:
                self.attachments.setdefault(lk.url, Target(lk.url, page, lk.text.strip()))

    @staticmethod
    def _guide(facts: PageFacts) -> list[str] | None:
        """The present element categories when the page is a service guide, else None. The
        extractor says whether it is a guide; the elements are read here from the guide's own
        text, with synonyms and without the footer."""
        title = facts.meta.get("ArticleTitle") or facts.title or ""
        if facts.service_guide_elements is None:
            listing = any(c.item_count >= 5 for c in facts.columns)
            if not _GUIDE_TITLE_RE.search(title) or listing or facts.is_hub:
                return None
        own = guide_elements(guide_body(facts.text, title))
        return own if own or facts.service_guide_elements is not None else None

    # -- post-crawl ------------------------------------------------------------------------
    async def verify(self, fetcher: Fetcher, crawler: Crawler | None, *, deadline: float | None,
                     check_external: bool, max_requests: int, concurrency: int = 4) -> None:
        """Download attachments and open online systems, reusing the crawl's results; at most
        `max_requests` new requests, none after `deadline`."""
        pages = {p.url: p for p in crawler.pages} if crawler is not None else {}
        hosts = crawler.domains if crawler is not None else set()
        loop = asyncio.get_running_loop()
        budget = max(0, max_requests)
        sem = asyncio.Semaphore(max(1, concurrency))

        def take() -> bool:
            nonlocal budget
            if budget <= 0 or (deadline is not None and loop.time() >= deadline - 0.5):
                return False
            budget -= 1
            self.requests += 1
            return True

        async def attachment(t: Target) -> None:
            lr = crawler.links.get(t.url) if crawler is not None else None
            if lr is not None and lr.checked and lr.error and lr.status in (404, 410):
                t.checked, t.problem = True, _why(lr.status, lr.error)  # the crawl already knows
                return
            if host_of(t.url) not in hosts and not check_external:
                self.unchecked["attachment"] += 1
                return
            if not take():
                self.unchecked["attachment"] += 1
                return
            async with sem:
                r = await fetcher.fetch(t.url, "GET", max_body=READ_BYTES, truncate_ok=True, deadline=deadline)
                if transient(r.status, r.error) and take():
                    r = await fetcher.fetch(t.url, "GET", max_body=READ_BYTES, truncate_ok=True, deadline=deadline)
            t.checked = True
            if r.error or r.status is None or not 200 <= r.status < 300:
                t.problem = _why(r.status, r.error, r.detail)
            elif not r.body:
                t.problem = "附件为空（0 字节）"
            else:
                t.problem = type_problem(extension(t.url), r.content_type, r.body[:64])

        async def system(t: Target) -> None:
            p = pages.get(t.url)
            lr = crawler.links.get(t.url) if crawler is not None else None
            known = (p.status, p.error, p.detail) if p is not None else (
                (lr.status, lr.error, "") if lr is not None and lr.checked else None)
            if known is not None and not transient(known[0], known[1]):
                t.checked = True  # the crawl opened it, or plainly failed (404 …)
                if known[1]:
                    t.problem = _why(*known)
                return
            if host_of(t.url) not in hosts and not check_external:
                self.unchecked["system"] += 1
                return
            if not take():
                self.unchecked["system"] += 1
                return
            async with sem:
                r = await fetcher.check(t.url, deadline=deadline)
                if transient(r.status, r.error) and known is None and take():
                    r = await fetcher.check(t.url, deadline=deadline)  # a second failure confirms it
            t.checked = True
            if r.error:
                t.problem = _why(r.status, r.error, r.detail)

        # Systems first: fewer, and mostly already answered by the crawl.
        await asyncio.gather(*(system(t) for t in self.systems.values()))
        await asyncio.gather(*(attachment(t) for t in self.attachments.values()))
        # Broken attachments anywhere else on the site: D15-2 leaves them to this indicator
        # (addendum D15-2 vendor practice), and the crawl already checked them.
        if crawler is not None:
            for lr in crawler.links.values():
                if (lr.kind == "attachment" and lr.broken and lr.url not in self.attachments
                        and len(self.attachments) < MAX_ATTACHMENTS):
                    self.attachments[lr.url] = Target(lr.url, lr.source, lr.text, _why(lr.status, lr.error), True)

    # -- findings --------------------------------------------------------------------------
    def findings(self, rs: RuleSet) -> list[Finding]:
        return [self.d15_8(rs), self.d15_9(rs), self.d15_10(rs)]

    def failed_pages(self, crawler: Crawler) -> list[str]:
        """Guide lists and guide pages the crawl failed to open for a passing reason."""
        recs = {p.url: p for p in crawler.pages if p.error and transient(p.status, p.error)}
        return [u for u in self.guide_links if u in recs]

    def d15_8(self, rs: RuleSet) -> Finding:
        rule = rs.rule("D15-8")
        cats = list(rule.get("categories", KEY_ELEMENTS))
        if not self.guides:
            return Finding("D15-8", "na", 0.0, [], "未发现办事指南页面")
        bad = [(g, [c for c in cats if c not in g.present]) for g in self.guides]
        bad = [(g, miss) for g, miss in bad if miss]
        distinct = sorted({c for _, miss in bad for c in miss}, key=cats.index)
        if not distinct:
            return Finding("D15-8", "ok", 0.0, [{"url": self.guides[0].url, "detail": "要素齐全"}],
                           f"{len(self.guides)} 个办事指南要素齐全（{len(cats)} 类）")
        pts = float(rule.get("points_missing_category", 2)) * len(distinct)
        ev = [{"url": g.url, "detail": f"办事指南「{g.title}」缺少要素：{'、'.join(miss)}"} for g, miss in bad[:MAX_EVIDENCE]]
        return Finding("D15-8", "deduct", -pts, ev,
                       f"{len(bad)} 个办事指南要素缺失，共缺 {len(distinct)} 类：{'、'.join(distinct)}")

    @staticmethod
    def _failures(targets: dict[str, Target]) -> tuple[list[Target], int]:
        failed = [t for t in targets.values() if t.problem]
        ok = sum(1 for t in targets.values() if t.checked and not t.problem)
        return failed, ok

    def d15_9(self, rs: RuleSet) -> Finding:
        rule = rs.rule("D15-9")
        failed, ok = self._failures(self.attachments)
        skipped = self.unchecked["attachment"]
        tail = f"；{skipped} 个附件因请求上限或时间预算未检查" if skipped else ""
        missing = [(g, form) for g in self.guides for form in g.forms_not_offered]
        if failed or missing:
            pts = (float(rule.get("points_not_downloadable", 1)) * len(failed)
                   + float(rule.get("points_not_offered", 1)) * len(missing))
            ev = [{"url": t.url, "detail": f"附件「{t.text or t.url}」无法正常下载：{t.problem}（所在页面 {t.page}）"}
                  for t in failed[:MAX_EVIDENCE]]
            ev += [{"url": g.url, "detail": f"办事指南「{g.title}」列出的《{form}》未提供下载"} for g, form in missing[:MAX_EVIDENCE]]
            parts = [f"{len(failed)} 个附件无法下载或内容不符"] if failed else []
            parts += [f"{len(missing)} 个表格未提供下载"] if missing else []
            return Finding("D15-9", "deduct", -pts, ev, "，".join(parts) + tail)
        if not self.attachments:
            return Finding("D15-9", "na" if not self.guides else "ok", 0.0, [],
                           "办事指南未提供附件下载链接" if self.guides else "未发现办事指南附件")
        return Finding("D15-9", "ok", 0.0, [], f"{ok} 个附件均可下载且类型与扩展名一致{tail}")

    def d15_10(self, rs: RuleSet) -> Finding:
        rule = rs.rule("D15-10")
        failed, ok = self._failures(self.systems)
        skipped = self.unchecked["system"]
        tail = f"；{skipped} 个系统未检查（外部地址或请求上限）" if skipped else ""
        if failed:
            pts = float(rule.get("points", 3)) * len(failed)
            ev = [{"url": t.url, "detail": f"在线系统「{t.text}」无法访问：{t.problem}（入口页面 {t.page}）"}
                  for t in failed[:MAX_EVIDENCE]]
            return Finding("D15-10", "deduct", -pts, ev, f"{len(failed)} 个在线办理/查询系统无法访问{tail}")
        if not self.systems:
            return Finding("D15-10", "na", 0.0, [], "未发现在线办理或查询系统入口")
        return Finding("D15-10", "ok", 0.0, [], f"{ok} 个在线系统均可访问{tail}")

    def v19_6(self, rs: RuleSet, *, external_services: bool = True) -> Finding:
        """V19-6: (1) no service offering at all; (2) guides missing >= 4 of the 8 key categories
        number >= 5 (all guides when fewer than 5)."""
        rule = rs.rule("V19-6")
        if not external_services:
            return Finding("V19-6", "na", 0.0, [], "无对外服务职能的部门，不检查办事服务")
        key = list(rule.get("key_categories", KEY_ELEMENTS))
        limit = int(rule.get("missing_categories", 4))
        items = int(rule.get("bad_items", 5))
        if not self.guides and not self.systems and not self.service_entries:
            why = "未发现任何办事服务内容（办事指南、在线办理入口或办事服务栏目）"
            return Finding("V19-6", "veto", 0.0, [{"url": self.home, "detail": why}], why)
        bad = [(g, [c for c in key if c not in g.present]) for g in self.guides]
        bad = [(g, miss) for g, miss in bad if len(miss) >= limit]
        n = len(self.guides)
        ev = [{"url": g.url, "detail": f"办事指南「{g.title}」缺少 {len(miss)} 类要素：{'、'.join(miss)}"}
              for g, miss in bad[:MAX_EVIDENCE]]
        if len(bad) >= items or (0 < n < items and len(bad) == n):
            return Finding("V19-6", "veto", 0.0, ev,
                           f"{len(bad)} 个办事指南（共 {n} 个）缺少 {limit} 类及以上关键要素")
        return Finding("V19-6", "ok", 0.0, ev, f"缺少 {limit} 类及以上关键要素的办事指南 {len(bad)} 个（共 {n} 个），未达否决线")


async def interaction_and_services(rs: RuleSet, target: RuleSet, inter: InteractionObserver, svc: ServiceObserver,
                                   fetcher: Fetcher, crawler: Crawler, as_of: date, deadline: float | None, *,
                                   category: int | None, external_services: bool, check_external: bool) -> list[Finding]:
    """After the crawl: read the message pages and download the attachments and systems the
    crawl did not settle (bounded by the rule set's `max_*requests`), then the RS2015 findings
    (V15-5, D15-5…D15-10) and, when `target` has them, V19-5 and V19-6 with its own values."""
    # Pages that matter here and failed for a passing reason get one more try.
    retry = list(dict.fromkeys(inter.failed_pages(crawler) + svc.failed_pages(crawler)))
    await _reread(retry[:int(rs.rule("D15-8").get("max_retry_pages", 20))], fetcher, as_of, deadline, (inter, svc))
    v5 = rs.rule("V15-5")
    months, window = int(v5.get("unanswered_months", 3)), int(v5.get("window_months", 12))
    urls = inter.pending_details(as_of, months, window, int(v5.get("max_detail_requests", 20)))
    if urls:
        await inter.read_details(fetcher, urls, as_of, deadline)
    max_req = int(rs.rule("D15-9").get("max_requests", 60)) + int(rs.rule("D15-10").get("max_requests", 20))
    await svc.verify(fetcher, crawler, deadline=deadline, check_external=check_external, max_requests=max_req)
    out = inter.findings(rs, as_of, portal=is_portal(category), crawler=crawler) + svc.findings(rs)
    if "D19-7" in target.indicators:  # D15-5's observation plus the target's reply-timeliness rules
        out = [inter.d19_7(target, as_of, f) if f.id == "D15-5" else f for f in out]
    if "V19-5" in target.indicators:
        out.append(inter.v19_5(target, as_of))
    if "V19-6" in target.indicators:
        out.append(svc.v19_6(target, external_services=external_services))
    return out


async def _reread(urls: list[str], fetcher: Fetcher, as_of: date, deadline: float | None,
                  observers: tuple[InteractionObserver, ServiceObserver]) -> None:
    async for u, res, facts in refetch_pages(urls, fetcher, as_of, deadline):
        if facts is None:
            continue
        rec = PageRecord(url=u, depth=2, status=res.status, error=None, elapsed=res.elapsed, html=True)
        for obs in observers:
            obs(facts, rec)
