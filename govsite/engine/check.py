"""Check one site end to end and return its SiteReport (the library API).

    report = await check_site(SiteTarget(url, name=…, code=…), CheckOptions(as_of=…))

A shared `Fetcher` may be passed so several concurrent checks respect one politeness budget
per host. Nothing here raises for network trouble: problems become `error` indicators and the
verdict `incomplete`."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from govsite import __version__
from govsite.engine.crawl import Crawler
from govsite.engine.fetch import FetchConfig, Fetcher, _literal_forbidden
from govsite.engine.indicators import availability as avail
from govsite.engine.indicators import guideline, rs2015
from govsite.engine.indicators.collect import Collector
from govsite.engine.indicators.content import ContentObserver
from govsite.engine.indicators.interaction import InteractionObserver
from govsite.engine.indicators.services import ServiceObserver, interaction_and_services
from govsite.engine.rulesets import RuleSet, load_ruleset, ruleset_for
from govsite.engine.scoring import Finding, score
from govsite.engine.security import DEFAULT_ALLOW, BaselineStore, SecurityObserver
from govsite.engine.urls import host_of, normalize

SCHEMA = "govsite.sitereport/1"
SHORT_PROBES = 3
# Order of indicators in a report: the rule set's order, then the guideline checks.
_MANUAL = "需人工核查（自动检查不覆盖此项）"


@dataclass
class SiteTarget:
    url: str
    name: str | None = None
    code: str | None = None
    category: int | None = None
    official_name: str | None = None
    domains: list[str] = field(default_factory=list)
    external_services: bool = True  # False: a department without external services (RS2019 4/3 rule)
    # Confirmed false positives of the text scanners for this site ("form" or "form<TAB>context").
    whitelist: list[str] = field(default_factory=list)


@dataclass
class CheckOptions:
    as_of: datetime
    ruleset: str | None = None  # None: the rule set in force on `as_of` (RS2015 until 2019-03-31, then RS2019)
    max_pages: int = 300
    max_depth: int = 5
    allow_private: bool = False
    resolve: dict[tuple[str, int], str] = field(default_factory=dict)
    probe_log: str | None = None
    time_budget: float = 600.0
    check_external: bool = True  # off for offline test farms, where every outside host is unreachable
    check_search: bool = True  # G-FUN-6: query the site search with a title the crawl saw
    baseline: str | None = None  # home-page baseline file (G-SEC-1 defacement): stored on first use, compared later
    render: bool = False  # Chromium pass: script-built home pages re-extracted, marked screenshots as evidence


_RULESETS: dict[str, RuleSet] = {}


def get_ruleset(name: str) -> RuleSet:
    rs = _RULESETS.get(name)
    if rs is None:
        rs = _RULESETS[name] = load_ruleset(name)
    return rs


def make_fetcher(options: CheckOptions) -> Fetcher:
    return Fetcher(FetchConfig(allow_private=options.allow_private, resolve=dict(options.resolve)))


def _as_date(as_of: datetime | date) -> date:
    return as_of.date() if isinstance(as_of, datetime) else as_of


async def check_site(
    target: SiteTarget,
    options: CheckOptions,
    fetcher: Fetcher | None = None,
    progress: Callable[[int, int], None] | None = None,
    on_crawl: Callable[[Crawler], None] | None = None,
) -> dict:
    """Crawl, observe, score; return the SiteReport dict (DESIGN.md "Contracts").

    `on_crawl` receives the finished crawler (pages and link records) for callers that need
    more than the report, such as the accuracy bench."""
    rs = get_ruleset(options.ruleset or ruleset_for(_as_date(options.as_of)))
    own = fetcher is None
    f = fetcher or make_fetcher(options)
    try:
        if own:
            await f.open()
        return await _check(target, options, rs, f, progress, on_crawl)
    finally:
        if own:
            await f.close()


async def _check(target: SiteTarget, options: CheckOptions, rs: RuleSet, f: Fetcher,
                 progress: Callable[[int, int], None] | None,
                 on_crawl: Callable[[Crawler], None] | None = None) -> dict:
    t0 = time.monotonic()
    # The observations are RS2015's checks; another rule set reuses them through its `maps`.
    target_rs, rs = rs, (rs if "V15-2" in rs.indicators else get_ruleset("RS2015"))
    loop = asyncio.get_running_loop()
    # Keep a little of the budget for scoring and writing the report.
    deadline = loop.time() + max(1.0, options.time_budget * 0.95 - 0.5)
    as_of = _as_date(options.as_of)
    url = normalize(target.url)
    report_site = {"url": target.url, "name": target.name, "code": target.code, "category": target.category}
    if url is None:
        return _report(target_rs, options, report_site, _mapped(target_rs, [Finding(
            "V15-2", "error", 0.0, [{"url": target.url, "detail": "网址无效"}], "网址无效")]), None, t0,
            error=("invalid", f"网址无效: {target.url}"))
    if not f.cfg.allow_private and _literal_forbidden(host_of(url)):
        why = f"{host_of(url)} 是内网/回环地址，已拒绝（本地测试站点请加 --allow-private）"
        return _report(target_rs, options, report_site, [], None, t0, error=("refused_private", why))

    collector = Collector(sample_inner=int(rs.rule("G-ID-1").get("sample_inner_pages", 5)) if "G-ID-1" in rs.indicators else 5)
    # Text and security observers read each page before the Collector trims the home page's text.
    content = ContentObserver(site_whitelist=list(target.whitelist))
    extra_allow = tuple(target_rs.rule("G-SEC-1").get("allow_domains", [])) if "G-SEC-1" in target_rs.indicators else ()
    security = SecurityObserver(host_of(url), [n for n in (target.name, target.official_name) if n],
                                allow=DEFAULT_ALLOW + extra_allow, domains=list(target.domains))
    baseline = BaselineStore(options.baseline) if options.baseline else None
    if baseline is not None:
        security.use_baseline(baseline.get(url), options.as_of.isoformat(),
                              target_rs.rule("G-SEC-1") if "G-SEC-1" in target_rs.indicators else None)
    interaction, services = InteractionObserver(), ServiceObserver()
    crawler = Crawler(url, f, domains=target.domains, max_pages=options.max_pages, max_depth=options.max_depth,
                      as_of=options.as_of, deadline=deadline,
                      observers=[content, security, interaction, services, collector],
                      progress=progress,
                      check_external=options.check_external)

    probes_task = None
    probe_error: str | None = None
    probes: list[avail.Probe] = []
    if options.probe_log:
        try:
            probes = avail.read_log(options.probe_log)
        except avail.ProbeLogError as exc:
            probe_error = str(exc)
    else:
        probes_task = asyncio.create_task(_short_probes(url, f, rs, deadline))

    await crawler.run()
    if baseline is not None and security.snapshot is not None:
        baseline.put(url, security.snapshot)  # first check of this site: its baseline
    if on_crawl is not None:
        on_crawl(crawler)
    if probes_task is not None:
        probes = await probes_task

    findings: list[Finding] = []
    if probe_error:
        e = [{"url": url, "detail": probe_error}]
        findings += [Finding("V15-1", "error", 0.0, e, probe_error), Finding("D15-1", "error", 0.0, e, probe_error)]
    else:
        findings += list(avail.availability(rs, probes, url, as_of, short_series=not options.probe_log))

    home = crawler.home
    home_problem = None
    if home is None or not home.html:
        if home is None:
            home_problem = "首页未能抓取（检查时间预算用尽）"
        elif home.error:
            home_problem = f"首页无法打开：{home.detail or home.error}"
        else:
            home_problem = "首页不是 HTML 页面"
    if home_problem is not None:
        collector.home = None
        collector.home_url = url
    elif home is not None and collector.home is None:
        home_problem = "首页内容无法解析"

    # Raises RenderUnavailable when Chromium/Playwright is missing (the CLI checks first).
    # Home page, then script-built column pages (bounded), re-read as a browser shows them.
    # (render and search are imported when used: a check without them does not compile them)
    rendered = None
    if options.render and not home_problem:
        from govsite.engine.render import render_site

        rendered = await render_site(f, url, collector, crawler.pages, as_of=options.as_of, domains=target.domains,
                                     deadline=deadline)
    if home_problem:
        for fid in ("V15-2", "V15-3", "D15-2", "D15-3", "D15-4", "G-NAME-1", "G-ID-1", "G-ID-2", "G-ID-4"):
            findings.append(Finding(fid, "error", 0.0, [{"url": url, "detail": home_problem}], home_problem))
    else:
        v2, d3 = rs2015.home_updates(rs, collector, as_of)
        v3, d4 = rs2015.columns(rs, collector, as_of)
        findings += [v2, v3, rs2015.links(rs, collector, crawler), d3, d4]
        findings.append(guideline.name_check(rs, collector, target.official_name))
        findings.append(guideline.footer_check(collector))
        findings.append(guideline.code_check(rs, collector, target.code))
        findings.append(guideline.jiucuo_check(collector, target.code))
        if options.check_search and "G-FUN-6" in target_rs.indicators:
            from govsite.engine.search import crawl_titles, search_check

            findings.append(await search_check(f, url, crawl_titles(collector.home_items + collector.depth1_items),
                                               domains=target.domains, deadline=deadline))
    if content.pages:
        findings += content.findings()
        findings += security.findings()
    if not home_problem:
        findings += await interaction_and_services(
            rs, target_rs, interaction, services, f, crawler, as_of, deadline, category=target.category,
            external_services=target.external_services, check_external=options.check_external)
    if rendered is not None:
        await rendered.finish(findings, url, deadline)  # marked screenshots of problems; closes Chromium
    findings += guideline.domain_checks(rs, url, target.domains, target.category)
    findings = _mapped(target_rs, findings)
    rs = target_rs
    have = {x.id for x in findings}
    for rule in rs.indicators.values():
        if rule.id not in have:
            findings.append(Finding(rule.id, "na", 0.0, [], _MANUAL if not rule.automated else "未检查"))
    error = None
    if home is not None and home.error in ("refused_private", "dns", "tls", "connect", "timeout"):
        error = (home.error, home_problem or "")
    return _report(rs, options, report_site, findings, crawler, t0, error=error, probes=len(probes),
                   external_services=target.external_services)


async def _short_probes(url: str, f: Fetcher, rs: RuleSet, deadline: float) -> list[avail.Probe]:
    """A few probes during the check, within its time budget; a probe cut short by the budget
    (not by the 15 s rule) is dropped, since it proves nothing about the site."""
    timeout = float(rs.rule("V15-1").get("probe_timeout_s", 15)) if "V15-1" in rs.indicators else 15.0
    cfg = FetchConfig(allow_private=f.cfg.allow_private, resolve=dict(f.cfg.resolve), retries=0,
                      total_timeout=timeout, read_timeout=timeout, connect_timeout=timeout)
    loop = asyncio.get_running_loop()
    out = []
    async with Fetcher(cfg) as pf:
        for i in range(SHORT_PROBES):
            if i:
                await asyncio.sleep(1.0)
            left = deadline - loop.time()
            if left <= 0.5:
                break
            p = await avail.probe_once(pf, url, min(timeout, left))
            if p.error == "timeout" and p.elapsed < timeout:
                break
            out.append(p)
    return out


# Which status wins when several observations make one finding.
_RANK = {"veto": 5, "deduct": 4, "error": 3, "ok": 2, "bonus": 1, "na": 0}


def _mapped(rs: RuleSet, findings: list[Finding]) -> list[Finding]:
    """Findings under `rs`'s ids: an indicator's `maps` names the observations it reuses;
    observations `rs` has no indicator for are left out (points stay those observed, capped by
    `rs` at scoring). An indicator that maps several observations (RS2019 D19-5 ← D15-9 +
    D15-10) gets one finding: points added, evidence joined, the worst status kept."""
    if "V15-2" in rs.indicators:
        return findings
    alias = {src: r.id for r in rs.indicators.values() for src in (r.get("maps") or [])}
    multi = {r.id for r in rs.indicators.values() if len(r.get("maps") or []) > 1}
    out: list[Finding] = []
    first: dict[str, Finding] = {}
    for f in findings:
        fid = f.id if f.id in rs.indicators else alias.get(f.id)
        if fid is None:
            continue
        f.id = fid
        g = first.get(fid) if fid in multi else None
        if g is None:
            first[fid] = f
            out.append(f)
            continue
        g.points += f.points
        g.evidence = g.evidence + f.evidence
        g.summary = "；".join(s for s in (g.summary, f.summary) if s)
        if _RANK.get(f.status, 0) > _RANK.get(g.status, 0):
            g.status = f.status
    return out

def _order(rs: RuleSet) -> dict[str, int]:
    return {rid: i for i, rid in enumerate(rs.indicators)}


def _report(rs: RuleSet, options: CheckOptions, site: dict, findings: list[Finding], crawler: Crawler | None,
            t0: float, error: tuple[str, str] | None = None, probes: int = 0, external_services: bool = True) -> dict:
    order = _order(rs)
    findings.sort(key=lambda x: order.get(x.id, len(order)))
    if error and error[0] in ("refused_private", "invalid") and not findings:
        findings = [Finding(r.id, "error", 0.0, [{"url": site["url"], "detail": error[1]}], error[1])
                    for r in rs.indicators.values() if r.required]
    result = score(rs, findings, portal=site.get("category") in guideline.PORTAL_CATEGORIES,
                   external_services=external_services)
    crawl = crawler.stats.to_json() if crawler else {"pages": 0, "links": 0, "errors": 0, "seconds": 0.0}
    crawl["seconds"] = round(time.monotonic() - t0, 2) if crawler is None else crawl["seconds"]
    report = {
        "schema": SCHEMA,
        "site": site,
        "ruleset": rs.id,
        "as_of": options.as_of.isoformat(),
        "verdict": result["verdict"],
        "score": result["score"],
        "indicators": [x.to_json() for x in findings],
        "crawl": crawl,
        "deducted": result["deducted"],
        "vetoes": result["vetoes"],
        "missing": result["missing"],
        "engine": {"version": __version__, "probes": probes, "max_pages": options.max_pages,
                   "max_depth": options.max_depth},
    }
    if crawler is not None:
        st = crawler.stats
        report["crawl_detail"] = {
            "traps": [{"url": u, "reason": r} for u, r in st.traps],
            "trap_count": st.trap_count,
            "budget_exhausted": st.budget_exhausted,
            "page_limit_reached": st.limit_reached,
            "frontier_dropped": st.frontier_dropped,
        }
    if error:
        report["error"] = {"kind": error[0], "detail": error[1]}
    return report
