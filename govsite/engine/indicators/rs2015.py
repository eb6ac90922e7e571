"""RS2015 indicators observed by the crawl: V15-2, V15-3 (a, b, c), D15-2, D15-3, D15-4.

Each function turns collected facts into a `Finding` with evidence a person can check
without re-crawling (the page URL and the date, count or link that proves it)."""

from __future__ import annotations

from datetime import date

from govsite.engine.crawl import Crawler
from govsite.engine.indicators.collect import Collector, ColumnObs, HomeItem
from govsite.engine.rulesets import RuleSet
from govsite.engine.scoring import Finding, deduction, window_start

TYPE_LABEL = {
    "news": "动态要闻类", "notice": "通知公告类", "policy": "政策文件类", "personnel": "人事类",
    "plan": "规划计划类", "disclosure": "信息公开目录", "service": "办事服务", "interaction": "互动交流", "other": "其他",
}
TYPED = ("news", "notice", "policy", "personnel", "plan")
# Columns made of entry links, not dated lists: an empty one is not a "blank column".
NOT_LISTS = ("service", "interaction")


def _err(fid: str, why: str, url: str | None = None) -> Finding:
    return Finding(id=fid, status="error", evidence=[{"url": url, "detail": why}], summary=why)


def _fmt(d: date | None) -> str:
    return d.isoformat() if d else "无日期"


def _window_items(items: list[HomeItem], start: date, end: date) -> list[HomeItem]:
    seen: set[str] = set()
    out = []
    for it in items:
        if not (start <= it.date <= end):
            continue
        key = it.url or f"{it.column}|{it.title}"
        if key in seen:
            continue
        seen.add(key)
        out.append(it)
    return out


def home_updates(rs: RuleSet, col: Collector, as_of: date) -> tuple[Finding, Finding]:
    """V15-2 (zero new home items in 2 weeks ⇒ veto) and D15-3 (< 10 ⇒ −5)."""
    if col.home is None:
        why = "首页无法读取，无法判断更新情况"
        return _err("V15-2", why, col.home_url), _err("D15-3", why, col.home_url)
    start = window_start(rs, "home_update", as_of)
    hub = col.home.is_hub or not col.home.columns
    items = col.depth1_items if hub else col.home_items
    where = "二级栏目页" if hub else "首页"
    fresh = _window_items(items, start, as_of)
    newest = max((i.date for i in items), default=None)
    ev = [{"url": i.page, "detail": f"{i.column}：{i.title}（{i.raw or i.date.isoformat()}）"} for i in fresh[:10]]
    window = f"{start.isoformat()} 至 {as_of.isoformat()}"
    v_rule = rs.rule("V15-2")
    if len(fresh) <= v_rule.get("veto_max_new_items", 0):
        summ = f"{where}在 {window} 内无新增信息（最新日期 {_fmt(newest)}）"
        v = Finding("V15-2", "veto", 0.0, [{"url": col.home_url, "detail": summ}], summ)
    else:
        v = Finding("V15-2", "ok", 0.0, ev[:3], f"{where}两周内新增 {len(fresh)} 条")
    d_rule = rs.rule("D15-3")
    if 0 < len(fresh) < d_rule.get("min_items", 10):
        pts = deduction(d_rule, {"once": 1})
        summ = f"{where}两周内仅新增 {len(fresh)} 条（少于 {d_rule.get('min_items')} 条）"
        d = Finding("D15-3", "deduct", -pts, [{"url": col.home_url, "detail": summ}] + ev, summ)
    elif not fresh:
        d = Finding("D15-3", "ok", 0.0, [], "两周内零更新已按 V15-2 单项否决处理")
    else:
        d = Finding("D15-3", "ok", 0.0, ev[:3], f"{where}两周内新增 {len(fresh)} 条")
    return v, d


def _stale(rs: RuleSet, c: ColumnObs, as_of: date) -> bool:
    window = c.type if c.type in TYPED else None
    if window is None:
        return False
    return c.latest is None or c.latest < window_start(rs, window, as_of)


def _col_ev(c: ColumnObs, as_of: date, why: str) -> dict:
    days = (as_of - c.latest).days if c.latest else None
    tail = f"，最新信息 {c.raw_latest or _fmt(c.latest)}，已 {days} 天未更新" if days is not None else "，无带日期的信息"
    return {"url": c.url or c.seen_on, "detail": f"{TYPE_LABEL.get(c.type, c.type)}栏目「{c.name}」{why}{tail}"}


def columns(rs: RuleSet, col: Collector, as_of: date) -> tuple[Finding, Finding]:
    """V15-3 (stale (a) ≥ 5, long-stale (b) ≥ 10, blank (c) ≥ 5 ⇒ veto) and D15-4 (−3/−4/−5 per stale column)."""
    if col.home is None:
        why = "首页无法读取，无法判断栏目更新情况"
        return _err("V15-3", why, col.home_url), _err("D15-4", why, col.home_url)
    cols = list(col.columns.values())
    blank = [c for c in cols if c.items == 0 and c.type not in NOT_LISTS and not c.explained_empty]
    stale = [c for c in cols if _stale(rs, c, as_of) and c not in blank]
    stale_a = [c for c in stale if c.type in ("news", "notice", "policy")]
    blank_typed = [c for c in blank if c.type in TYPED]
    long_stale = stale + blank  # 应更新但长期不更新: blank columns are one form of it
    rule = rs.rule("V15-3")
    hits = []
    blank_a = [c for c in blank_typed if c.type in ("news", "notice", "policy")]
    if len(stale_a) + len(blank_a) >= rule.get("veto_stale_a"):
        extra = f"（其中空白 {len(blank_a)} 个）" if blank_a else ""
        hits.append(f"(a) 动态要闻/通知公告/政策文件类栏目不更新 {len(stale_a) + len(blank_a)} 个{extra}")
    if len(long_stale) >= rule.get("veto_long_stale_b"):
        hits.append(f"(b) 应更新但长期不更新栏目 {len(long_stale)} 个")
    if len(blank) >= rule.get("veto_blank_c"):
        hits.append(f"(c) 空白栏目 {len(blank)} 个")
    ev = [_col_ev(c, as_of, "超期未更新") for c in stale] + [
        {"url": c.url or c.seen_on, "detail": f"空白栏目「{c.name}」（栏目下无任何信息）"} for c in blank
    ]
    counts = f"(a) {len(stale_a) + len(blank_a)} 个，(b) {len(long_stale)} 个，(c) {len(blank)} 个"
    if hits:
        v = Finding("V15-3", "veto", 0.0, ev, "；".join(hits))
    else:
        v = Finding("V15-3", "ok", 0.0, ev, f"未达否决线：{counts}（共检查 {len(cols)} 个栏目）")
    d_rule = rs.rule("D15-4")
    stale_d = [c for c in cols if _stale(rs, c, as_of)]  # blank typed columns are also not updated
    n = {
        "news": sum(1 for c in stale_d if c.type == "news"),
        "notice_policy": sum(1 for c in stale_d if c.type in ("notice", "policy")),
        "personnel_plan": sum(1 for c in stale_d if c.type in ("personnel", "plan")),
    }
    pts = deduction(d_rule, n)
    if pts:
        d_ev = [_col_ev(c, as_of, "超期未更新") for c in stale_d]
        d = Finding("D15-4", "deduct", -pts, d_ev,
                    f"动态要闻类 {n['news']} 个、通知公告/政策文件类 {n['notice_policy']} 个、人事/规划计划类 {n['personnel_plan']} 个栏目未按时更新")
    else:
        typed = [c for c in cols if c.type in TYPED]
        d = Finding("D15-4", "ok", 0.0, [], f"{len(typed)} 个应定期更新的栏目均在时限内更新")
    return v, d


def links(rs: RuleSet, col: Collector, crawler: Crawler) -> Finding:
    """D15-2: −1 per broken link on the home page (2nd-level pages if a hub), −0.1 elsewhere;
    attachment links are left to D15-9."""
    if col.home is None:
        return _err("D15-2", "首页无法读取，无法检查链接", col.home_url)
    rule = rs.rule("D15-2")
    hub = col.home.is_hub or not col.home.columns
    home_broken, other_broken = [], []
    for lr in crawler.links.values():
        if not lr.broken:
            continue
        if lr.kind == "attachment" and rule.get("exclude_attachments", True):
            continue
        if lr.from_home or (hub and lr.from_depth1):
            home_broken.append(lr)
        else:
            other_broken.append(lr)
    pts = deduction(rule, {"home": len(home_broken), "other": len(other_broken)})
    where = "首页（导航型首页按二级页面计）" if hub else "首页"

    def ev(lr) -> dict:  # noqa: ANN001
        code = f"HTTP {lr.status}" if lr.error and lr.error.startswith("http_") else (lr.error or "")
        return {"url": lr.source, "detail": f"不可用链接「{lr.text or lr.url}」→ {lr.url}（{code}）"}

    evidence = [ev(lr) for lr in home_broken] + [ev(lr) for lr in other_broken[:200]]
    unchecked = sum(1 for lr in crawler.links.values() if not lr.checked and lr.kind != "page")
    if pts:
        return Finding("D15-2", "deduct", -pts, evidence,
                       f"{where}不可用链接 {len(home_broken)} 个，其他页面 {len(other_broken)} 个")
    tail = f"（{unchecked} 个链接因预算未检查）" if unchecked else ""
    return Finding("D15-2", "ok", 0.0, [], f"检查 {len(crawler.links)} 个链接，未发现不可用链接{tail}")
