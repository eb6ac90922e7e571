"""A self-contained Chinese HTML page for one SiteReport (no template engine: the engine
imports no web framework)."""

from __future__ import annotations

from html import escape

STATUS_LABEL = {"ok": "达标", "deduct": "扣分/不规范", "veto": "单项否决", "bonus": "加分", "na": "不适用/人工", "error": "无法判断"}
STATUS_CLASS = {"ok": "ok", "deduct": "warn", "veto": "bad", "bonus": "ok", "na": "na", "error": "err"}
VERDICT_LABEL = {"pass": "合格", "fail": "不合格", "incomplete": "检查不完整"}
NAMES = {
    "V15-1": "站点无法访问", "V15-2": "网站不更新", "V15-3": "栏目不更新", "V15-4": "严重错误", "V15-5": "互动回应差",
    "D15-1": "首页可用性", "D15-2": "链接可用性", "D15-3": "首页栏目更新", "D15-4": "基本信息更新",
    "D15-5": "政务咨询类栏目", "D15-6": "调查征集类栏目", "D15-7": "互动访谈类栏目", "D15-8": "办事指南",
    "D15-9": "附件下载", "D15-10": "在线系统", "G-NAME-1": "网站名称规范", "G-DOM-1": "域名后缀",
    "G-DOM-2": "门户网站域名", "G-DOM-3": "部门网站域名", "G-ID-1": "底部六项标识", "G-ID-2": "网站标识码一致",
    "G-ID-4": "找错入口",
}
_CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em;color:#222;max-width:1100px}
h1{font-size:1.5em}table{border-collapse:collapse;width:100%;margin:1em 0}
td,th{border:1px solid #ccc;padding:.4em .6em;vertical-align:top;text-align:left}th{background:#f3f3f3}
.ok{color:#17692e}.warn{color:#a05a00}.bad{color:#b00020;font-weight:bold}.err{color:#6a1b9a}.na{color:#777}
.verdict{font-size:1.3em;padding:.6em 1em;border-radius:4px;display:inline-block}
.v-pass{background:#e5f4e8}.v-fail{background:#fde7ea}.v-incomplete{background:#f1e6f7}
ul.ev{margin:0;padding-left:1.2em}small{color:#666}
"""


def _link(url: str | None) -> str:
    if not url:
        return ""
    u = escape(url)
    return f'<a href="{u}" target="_blank" rel="noopener noreferrer">{u}</a>'


def render(report: dict) -> str:
    site = report.get("site", {})
    verdict = report.get("verdict", "incomplete")
    rows = []
    problems = [i for i in report.get("indicators", []) if i["status"] in ("veto", "deduct", "error")]
    others = [i for i in report.get("indicators", []) if i not in problems]
    for ind in problems + others:
        ev = "".join(
            f"<li>{escape(str(e.get('detail', '')))}<br><small>{_link(e.get('url'))}</small></li>"
            for e in ind.get("evidence", [])[:50]
        )
        more = len(ind.get("evidence", [])) - 50
        if more > 0:
            ev += f"<li><small>另有 {more} 条证据见 JSON 报告</small></li>"
        cls = STATUS_CLASS.get(ind["status"], "")
        rows.append(
            f"<tr><td>{escape(ind['id'])}</td><td>{escape(NAMES.get(ind['id'], ''))}</td>"
            f"<td class='{cls}'>{STATUS_LABEL.get(ind['status'], ind['status'])}</td>"
            f"<td>{ind.get('points', 0):g}</td><td>{escape(ind.get('summary', ''))}"
            f"{'<ul class=ev>' + ev + '</ul>' if ev else ''}</td></tr>"
        )
    crawl = report.get("crawl", {})
    err = report.get("error")
    err_html = f"<p class='err'>检查问题：{escape(err.get('detail', ''))}</p>" if err else ""
    vetoes = "、".join(report.get("vetoes", [])) or "无"
    missing = "、".join(report.get("missing", [])) or "无"
    title = escape(site.get("name") or site.get("url") or "")
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>网站检查报告 - {title}</title><style>{_CSS}</style></head>
<body>
<h1>政府网站检查报告：{title}</h1>
<table>
<tr><th>网站名称</th><td>{escape(site.get('name') or '（未提供）')}</td><th>网站标识码</th><td>{escape(site.get('code') or '（未提供）')}</td></tr>
<tr><th>首页网址</th><td>{_link(site.get('url'))}</td><th>类别</th><td>{escape(str(site.get('category') or '（未提供）'))}</td></tr>
<tr><th>指标体系</th><td>{escape(report.get('ruleset', ''))}</td><th>监测时间点</th><td>{escape(report.get('as_of', ''))}</td></tr>
</table>
<p class="verdict v-{escape(verdict)}">结论：{VERDICT_LABEL.get(verdict, verdict)}　得分：{report.get('score', 0):g}
　扣分合计：{report.get('deducted', 0):g}</p>
<p>单项否决：{escape(vetoes)}；缺少观测（导致检查不完整）：{escape(missing)}</p>
{err_html}
<p><small>抓取页面 {crawl.get('pages', 0)} 个，链接 {crawl.get('links', 0)} 个，错误 {crawl.get('errors', 0)} 个，用时 {crawl.get('seconds', 0)} 秒。
指南类（G-）指标按《政府网站发展指引》报告，不计入 RS2015 得分。</small></p>
<h2>指标明细（问题在前）</h2>
<table><tr><th>编号</th><th>指标</th><th>结果</th><th>分值</th><th>说明与证据</th></tr>
{''.join(rows)}
</table>
</body></html>
"""
