"""《政府网站发展指引》 checks: G-NAME-1, G-DOM-1…3, G-ID-1, G-ID-2, G-ID-4.

They are reported with evidence but not scored under RS2015 (points 0); a failing check has
status `deduct` so reviews and statistics can count it."""

from __future__ import annotations

import re

from govsite.engine.indicators.collect import FOOTER_ITEMS, FOOTER_LABELS, Collector, footer_items
from govsite.engine.rulesets import RuleSet
from govsite.engine.scoring import Finding
from govsite.engine.urls import host_of

PORTAL_CATEGORIES = {2, 4, 6}  # 省级/市级/县级政府门户
DEPARTMENT_CATEGORIES = {3, 5}
CATEGORY_LABELS = {
    "国务院部门及其内设、垂直管理机构": 1, "国务院部门": 1, "省级政府门户": 2, "省级政府部门": 3,
    "市级政府门户": 4, "市级政府部门": 5, "县级政府门户": 6, "县级以下": 7,
}
_PUNCT = re.compile(r"[\s\u3000·•・\-—_|｜:：,，.。()（）【】\[\]]+")


def _clean(name: str) -> str:
    return _PUNCT.sub("", name or "")


def _fail(fid: str, summary: str, evidence: list[dict]) -> Finding:
    return Finding(fid, "deduct", 0.0, evidence, summary)


def name_check(rs: RuleSet, col: Collector, official: str | None) -> Finding:
    if col.home is None:
        return Finding("G-NAME-1", "error", 0.0, [{"url": col.home_url, "detail": "首页无法读取"}], "首页无法读取")
    if not official:
        return Finding("G-NAME-1", "na", 0.0, [], "未提供登记的主办单位正式名称（--official-name），不作判断")
    decorations = rs.rule("G-NAME-1").get("decorations", [])
    shown: list[tuple[str, str]] = []
    if col.home.site_name:
        shown.append((col.home.site_name_source or "header", col.home.site_name))
    meta_name = col.home.meta.get("SiteName")
    if meta_name and (not shown or _clean(meta_name) != _clean(shown[0][1])):
        shown.append(("meta", meta_name))
    if not shown:
        return _fail("G-NAME-1", "页面未显示网站名称", [{"url": col.home_url, "detail": "头部、<title> 与 SiteName 均未找到网站名称"}])
    src_label = {"header": "头部标识区", "meta": "SiteName 标签", "title": "<title>"}
    bad = []
    for src, name in shown:
        deco = [d for d in decorations if d in name]
        if _clean(name) == _clean(official):
            continue
        why = f"含修饰语「{'」「'.join(deco)}」" if deco else "与登记名称不一致"
        bad.append({"url": col.home_url, "detail": f"{src_label.get(src, src)}显示「{name}」，{why}；应为「{official}」"})
    if bad:
        return _fail("G-NAME-1", f"网站名称不规范：显示「{shown[0][1]}」，应为「{official}」", bad)
    return Finding("G-NAME-1", "ok", 0.0, [{"url": col.home_url, "detail": f"显示名称「{shown[0][1]}」"}], "网站名称规范")


def domain_checks(rs: RuleSet, url: str, domains: list[str], category: int | None) -> list[Finding]:
    hosts = [host_of(url)] + [d.lower() for d in domains if d.lower() != host_of(url)]
    suffixes = tuple(rs.rule("G-DOM-1").get("suffixes", [".gov.cn"]))
    bad = [h for h in hosts if not h.endswith(suffixes)]
    out = []
    if bad:
        out.append(_fail("G-DOM-1", f"域名 {bad[0]} 不以 .gov.cn 或 .政务 结尾",
                         [{"url": url, "detail": f"域名 {h} 不符合要求（应以 .gov.cn 或 .政务 结尾）"} for h in bad]))
    else:
        out.append(Finding("G-DOM-1", "ok", 0.0, [{"url": url, "detail": f"域名 {hosts[0]}"}], "域名后缀规范"))
    host = hosts[0]
    gov = host.endswith(".gov.cn")
    if category is None or not gov:
        why = "未提供网站类别" if category is None else "域名不是 .gov.cn，已在 G-DOM-1 报告"
        out.append(Finding("G-DOM-2", "na", 0.0, [], why))
        out.append(Finding("G-DOM-3", "na", 0.0, [], why))
        return out
    labels = host[: -len(".gov.cn")].split(".")
    if category in PORTAL_CATEGORIES or category == 1:
        ok = host == "www.gov.cn" or (len(labels) == 2 and labels[0] == "www")
        out.append(Finding("G-DOM-2", "ok", 0.0, [{"url": url, "detail": host}], "门户网站域名规范") if ok else
                   _fail("G-DOM-2", f"门户网站域名 {host} 不是 www.<简称>.gov.cn 形式",
                         [{"url": url, "detail": f"域名 {host}，应为 www.<地区或部门简称>.gov.cn"}]))
        out.append(Finding("G-DOM-3", "na", 0.0, [], "门户网站，不适用"))
    elif category in DEPARTMENT_CATEGORIES:
        ok = len(labels) >= 2 and labels[0] != "www"
        out.append(Finding("G-DOM-2", "na", 0.0, [], "部门网站，不适用"))
        out.append(Finding("G-DOM-3", "ok", 0.0, [{"url": url, "detail": host}], "部门网站使用门户子域名") if ok else
                   _fail("G-DOM-3", f"部门网站域名 {host} 不是本级门户的子域名",
                         [{"url": url, "detail": f"域名 {host}，应为 <部门简称>.<本级门户简称>.gov.cn"}]))
    else:
        out.append(Finding("G-DOM-2", "na", 0.0, [], "该类别不适用"))
        out.append(Finding("G-DOM-3", "na", 0.0, [], "该类别不适用"))
    return out


def footer_check(col: Collector) -> Finding:
    if col.home is None:
        return Finding("G-ID-1", "error", 0.0, [{"url": col.home_url, "detail": "首页无法读取"}], "首页无法读取")
    pages = [(col.home_url or col.home.url, footer_items(col.home))] + col.inner_footers
    missing: dict[str, list[str]] = {}
    for url, items in pages:
        for k in FOOTER_ITEMS:
            if not items.get(k):
                missing.setdefault(k, []).append(url)
    if missing:
        ev = [{"url": urls[0], "detail": f"底部功能区未列明{FOOTER_LABELS[k]}（共 {len(urls)}/{len(pages)} 个抽查页面缺失）"}
              for k, urls in missing.items()]
        names = "、".join(FOOTER_LABELS[k] for k in missing)
        return _fail("G-ID-1", f"底部功能区缺少：{names}", ev)
    home_items = pages[0][1]
    ev = [{"url": pages[0][0], "detail": "；".join(f"{FOOTER_LABELS[k]}：{home_items[k]}" for k in FOOTER_ITEMS)}]
    return Finding("G-ID-1", "ok", 0.0, ev, f"六项标识齐全（检查 {len(pages)} 个页面）")


def code_check(rs: RuleSet, col: Collector, registry_code: str | None) -> Finding:
    if col.home is None:
        return Finding("G-ID-2", "error", 0.0, [{"url": col.home_url, "detail": "首页无法读取"}], "首页无法读取")
    pattern = re.compile(rs.rule("G-ID-2").get("code_pattern"))
    label = {"footer": "页面底部", "meta": "SiteIDCode 标签", "jiucuo": "找错脚本 sitecode"}
    seen = list(col.codes)
    ev = []
    problems = []
    for page, src, code in seen:
        if not pattern.match(code):
            problems.append({"url": page, "detail": f"{label.get(src, src)}标识码「{code}」格式错误（应为10位）"})
        elif registry_code and code != registry_code:
            problems.append({"url": page, "detail": f"{label.get(src, src)}标识码「{code}」与登记的「{registry_code}」不一致"})
    values = {c for _, _, c in seen}
    if not registry_code and len(values) > 1:
        problems.append({"url": col.home_url, "detail": f"各处标识码不一致：{'、'.join(sorted(values))}"})
    if not seen:
        problems.append({"url": col.home_url, "detail": "页面底部、SiteIDCode 标签和找错脚本中均未找到网站标识码"})
    if problems:
        # one line per distinct problem keeps the report readable on big sites
        uniq = list({p["detail"]: p for p in problems}.values())
        return _fail("G-ID-2", uniq[0]["detail"], uniq)
    for page, src, code in seen[:4]:
        ev.append({"url": page, "detail": f"{label.get(src, src)}：{code}"})
    tail = "，与登记一致" if registry_code else "（未提供登记标识码）"
    return Finding("G-ID-2", "ok", 0.0, ev, f"标识码 {next(iter(values))} 各处一致{tail}")


def jiucuo_check(col: Collector, registry_code: str | None) -> Finding:
    if col.home is None:
        return Finding("G-ID-4", "error", 0.0, [{"url": col.home_url, "detail": "首页无法读取"}], "首页无法读取")
    kind = col.home.jiucuo_entry
    snippet = col.home.jiucuo_detail or ""
    url = col.home_url
    if kind == "none":
        return _fail("G-ID-4", "首页未设置“我为政府网站找错”入口", [{"url": url, "detail": "未找到 _jiucuo_ 脚本或 exposure/jiucuo.html 链接"}])
    if kind == "static_image":
        return _fail("G-ID-4", "找错入口仅为静态图片，无法提交纠错",
                     [{"url": url, "detail": f"静态图片，无链接或脚本：{snippet[:200]}"}])
    code = col.home.site_code_sources.get("jiucuo")
    if code is None:
        m = re.search(r"site_?code\s*=\s*['\"]?([0-9A-Za-z]{6,12})", snippet, re.I)
        code = m.group(1) if m else None
    own = registry_code or col.home.site_code
    if code and own and code != own:
        return _fail("G-ID-4", f"找错入口携带的标识码 {code} 不是本站的 {own}",
                     [{"url": url, "detail": f"入口代码：{snippet[:200]}"}])
    if not code:
        return _fail("G-ID-4", "找错入口未携带网站标识码", [{"url": url, "detail": snippet[:200]}])
    return Finding("G-ID-4", "ok", 0.0, [{"url": url, "detail": f"{'脚本' if kind == 'script' else '链接'}入口，标识码 {code}：{snippet[:160]}"}],
                   "找错入口有效")
