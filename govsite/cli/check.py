"""`govsite check`: score sites against a rule set with evidence (`govsite monitor` lives in cli/monitor.py)."""

from __future__ import annotations

import asyncio
import csv
import json
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import click

from govsite.cli.errors import UserError

CST = timezone(timedelta(hours=8))
VERDICT_LABEL = {"pass": "合格", "fail": "不合格", "incomplete": "检查不完整"}
STATUS_LABEL = {"ok": "达标", "deduct": "扣分", "veto": "否决", "bonus": "加分", "na": "不适用", "error": "无法判断"}


def _parse_as_of(value: str | None) -> datetime:
    if not value:
        return datetime.now(CST)
    try:
        d = datetime.fromisoformat(value.strip())
    except ValueError:
        raise UserError(f"--as-of 日期无效: {value!r}（应为 YYYY-MM-DD 或 YYYY-MM-DDTHH:MM）") from None
    if d.tzinfo is None:
        # A bare date means the end of that day in China time: the monitoring instant.
        if len(value.strip()) == 10:
            d = d.replace(hour=23, minute=59, second=59)
        d = d.replace(tzinfo=CST)
    return d


def _parse_resolve(values: tuple[str, ...]) -> dict[tuple[str, int], list[str]]:
    from govsite.engine.fetch import parse_resolve

    try:
        return parse_resolve(list(values))
    except ValueError as exc:
        raise UserError(str(exc)) from None


def _category(value: str | int | None) -> int | None:
    from govsite.engine.indicators.guideline import CATEGORY_LABELS

    if value is None or value == "":
        return None
    if isinstance(value, int):
        return value
    v = str(value).strip()
    if v.isdigit() and 1 <= int(v) <= 7:
        return int(v)
    if v in CATEGORY_LABELS:
        return CATEGORY_LABELS[v]
    raise UserError(f"网站类别无效: {value!r}（1–7 或类别名称，如“县级政府门户”）")


def _check_url(url: str) -> str:
    from govsite.engine.urls import normalize

    if normalize(url) is None:
        raise UserError(f"网址无效: {url!r}（需要 http:// 或 https:// 开头的完整网址）")
    return url


def _load_sites(path: str) -> list[dict]:
    p = Path(path)
    if not p.is_file():
        raise UserError(f"站点清单不存在: {path}")
    text = p.read_text(encoding="utf-8-sig", errors="replace")
    rows: list[dict]
    if p.suffix.lower() == ".json" or text.lstrip().startswith(("{", "[")):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UserError(f"站点清单 {path} 不是有效的 JSON: {exc}") from None
        rows = data.get("sites", []) if isinstance(data, dict) else data
        if not isinstance(rows, list):
            raise UserError(f"站点清单 {path}: 需要站点列表或含 sites 的对象")
    else:
        rows = list(csv.DictReader(text.splitlines()))
    out = []
    for i, r in enumerate(rows, 1):
        if not isinstance(r, dict) or not r.get("url"):
            raise UserError(f"站点清单 {path} 第 {i} 项缺少 url")
        _check_url(r["url"])
        doms = r.get("domains") or []
        if isinstance(doms, str):
            doms = [d for d in doms.replace(";", " ").split() if d]
        white = r.get("whitelist") or []
        if isinstance(white, str):
            white = [w for w in white.split(";") if w.strip()]
        out.append({"url": r["url"], "name": r.get("name") or None, "code": r.get("code") or None,
                    "category": _category(r.get("category")), "official_name": r.get("official_name") or None,
                    "domains": doms, "whitelist": [str(w) for w in white]})
    if not out:
        raise UserError(f"站点清单 {path} 为空")
    return out


def _load_whitelist(path: str) -> list[str]:
    from govsite.engine.text.lexicon import read_site_whitelist

    try:
        return read_site_whitelist(path)
    except ValueError as exc:
        raise UserError(str(exc)) from None


def _summary(report: dict) -> str:
    site = report["site"]
    lines = [
        f"{site.get('name') or site['url']}  {site['url']}",
        f"  结论: {VERDICT_LABEL.get(report['verdict'], report['verdict'])}   得分: {report['score']:g}"
        f"   扣分: {report.get('deducted', 0):g}   页面 {report['crawl']['pages']} / 链接 {report['crawl']['links']}"
        f" / 用时 {report['crawl']['seconds']}s",
    ]
    for ind in report["indicators"]:
        if ind["status"] in ("veto", "deduct", "error"):
            pts = f" {ind['points']:g}" if ind["points"] else ""
            lines.append(f"  [{STATUS_LABEL[ind['status']]}{pts}] {ind['id']}: {ind.get('summary', '')}")
    if report.get("missing"):
        lines.append(f"  缺少观测: {'、'.join(report['missing'])}")
    return "\n".join(lines)


def _write(path: str, content: str) -> None:
    try:
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(content, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"无法写入 {path}: {exc}") from None


@click.command("check")
@click.argument("url", required=False)
@click.option("--name", help="网站名称（登记）")
@click.option("--code", help="网站标识码（登记）")
@click.option("--category", help="网站类别 1–7 或名称")
@click.option("--official-name", help="主办单位正式名称（G-NAME-1 对照）")
@click.option("--domain", "domains", multiple=True, help="登记的其他域名（可重复）")
@click.option("--ruleset", default=None, help="指标体系或 TOML 文件（默认按 --as-of 选择：2019-03-31 及以前 RS2015，之后 RS2019）")
@click.option("--as-of", "as_of", help="监测时间点 YYYY-MM-DD[THH:MM]（默认现在）")
@click.option("--json", "json_out", help="SiteReport JSON 输出文件（--sites 时为报告数组）")
@click.option("--html", "html_out", help="中文 HTML 报告（--sites 时为目录）")
@click.option("--resolve", multiple=True, help="HOST:PORT:ADDR，同 curl（可重复；HOST 为 * 时匹配该端口所有主机）")
@click.option("--allow-private", is_flag=True, help="允许内网/回环地址（仅用于本地测试站点）")
@click.option("--probe-log", help="govsite monitor 写的可用性探测日志")
@click.option("--max-pages", default=300, show_default=True, type=click.IntRange(1, 1_000_000))
@click.option("--max-depth", default=5, show_default=True, type=click.IntRange(0, 50))
@click.option("--time-budget", default=600.0, show_default=True, type=click.FloatRange(1, 86400), help="每站秒数上限")
@click.option("--sites", "sites_file", help="站点清单（JSON，含 farm manifest；或 CSV: url,name,code,category,official_name）")
@click.option("--concurrency", default=8, show_default=True, type=click.IntRange(1, 256), help="同时检查的站点数")
@click.option("--per-host", default=2, show_default=True, type=click.IntRange(1, 16), help="每主机并发")
@click.option("--delay", default=0.0, show_default=True, type=click.FloatRange(0, 60), help="每主机请求最小间隔（秒）")
@click.option("--no-external", is_flag=True, help="不检查站外链接（离线测试环境）")
@click.option("--no-search", is_flag=True, help="不检查站内搜索（G-FUN-6）")
@click.option("--whitelist", "whitelist_file", help="本站已确认的误报词（UTF-8，每行“词”或“词<TAB>语境”）")
@click.option("--baseline", "baseline_file", help="首页基线文件（G-SEC-1 篡改比对）：首次检查时建立，之后比对")
@click.option("--render", is_flag=True, help="用系统 Chromium 渲染脚本生成的首页和栏目页（重新提取，问题区域截图作证据）")
@click.option("--quiet", "-q", is_flag=True, help="不显示进度条")
def check_cmd(url, name, code, category, official_name, domains, ruleset, as_of, json_out, html_out, resolve,  # noqa: ANN001, PLR0913
              allow_private, probe_log, max_pages, max_depth, time_budget, sites_file, concurrency, per_host, delay,
              no_external, quiet, no_search, whitelist_file, baseline_file, render) -> None:
    """Check a site (or many with --sites) and score it with evidence."""
    from govsite.engine.check import CheckOptions, SiteTarget, get_ruleset
    from govsite.engine.fetch import FetchConfig, _literal_forbidden
    from govsite.engine.rulesets import RuleSetError, ruleset_for
    from govsite.engine.urls import host_of

    if not url and not sites_file:
        raise UserError("请给出网址 URL 或 --sites 站点清单")
    if url and sites_file:
        raise UserError("URL 与 --sites 只能二选一")
    when = _parse_as_of(as_of)
    try:
        get_ruleset(ruleset or ruleset_for(when.date()))
    except RuleSetError as exc:
        raise UserError(str(exc)) from None
    res_map = _parse_resolve(resolve)
    if probe_log and not Path(probe_log).is_file():
        raise UserError(f"探测日志不存在: {probe_log}")
    white = _load_whitelist(whitelist_file) if whitelist_file else []
    if baseline_file:
        from govsite.engine.security import BaselineError, BaselineStore

        try:
            BaselineStore(baseline_file)  # refuse a file that is not a baseline before any check runs
        except BaselineError as exc:
            raise UserError(str(exc)) from None
    if render:
        from govsite.engine.render import unavailable_reason

        why = unavailable_reason()
        if why:
            raise UserError(f"--render 无法使用：{why}")
    if sites_file:
        targets = [SiteTarget(**s) for s in _load_sites(sites_file)]
    else:
        targets = [SiteTarget(_check_url(url), name=name, code=code, category=_category(category),
                              official_name=official_name or None, domains=list(domains))]
    for t in targets:
        t.whitelist = white + t.whitelist
    if not allow_private:
        for t in targets:
            h = host_of(t.url)
            mapped = [a for (hh, _p), addrs in res_map.items() if hh in (h, "*") for a in addrs]
            from govsite.engine.fetch import is_forbidden_ip

            if _literal_forbidden(h) or any(is_forbidden_ip(a) for a in mapped):
                raise UserError(f"{t.url} 指向内网/回环地址，已拒绝。仅对本地测试站点使用 --allow-private")
    options = CheckOptions(as_of=when, ruleset=ruleset, max_pages=max_pages, max_depth=max_depth,
                           allow_private=allow_private, resolve={}, probe_log=probe_log, time_budget=time_budget,
                           check_external=not no_external, check_search=not no_search, baseline=baseline_file,
                           render=render)
    cfg = FetchConfig(allow_private=allow_private, resolve=res_map, per_host=per_host, min_delay=delay)
    from govsite.engine.render import RenderUnavailable
    from govsite.engine.security import BaselineError

    try:
        reports = asyncio.run(_run_many(targets, options, cfg, concurrency, quiet))
    except (RenderUnavailable, BaselineError) as exc:
        raise UserError(str(exc)) from None
    for rep in reports:
        err = rep.get("error")
        if err and err.get("kind") == "refused_private" and len(reports) == 1:
            raise UserError(f"{err['detail']}。仅对本地测试站点使用 --allow-private")
        click.echo(_summary(rep))
        if baseline_file:
            sec = next((i for i in rep["indicators"] if i["id"] == "G-SEC-1"), None)
            if sec and sec["status"] == "ok" and "基线" in sec["summary"]:
                click.echo("  " + sec["summary"].split("；", 1)[-1])
    if json_out:
        payload = reports if sites_file else reports[0]
        _write(json_out, json.dumps(payload, ensure_ascii=False, indent=1))
    if html_out:
        from govsite.engine.report_html import render

        if sites_file:
            index = ["<!DOCTYPE html><html lang='zh-CN'><meta charset='utf-8'><title>检查报告</title><body><h1>检查报告</h1><ul>"]
            for i, rep in enumerate(reports, 1):
                fname = f"site-{i:04d}.html"
                _write(str(Path(html_out) / fname), render(rep))
                index.append(f"<li><a href='{fname}'>{rep['site'].get('name') or rep['site']['url']}</a> "
                             f"{VERDICT_LABEL.get(rep['verdict'])} {rep['score']:g}</li>")
            _write(str(Path(html_out) / "index.html"), "".join(index) + "</ul></body></html>")
        else:
            _write(html_out, render(reports[0]))
    if len(reports) > 1:
        counts = {v: sum(1 for r in reports if r["verdict"] == v) for v in ("pass", "fail", "incomplete")}
        click.echo(f"共 {len(reports)} 个网站：合格 {counts['pass']}，不合格 {counts['fail']}，检查不完整 {counts['incomplete']}")


async def _run_many(targets, options, cfg, concurrency: int, quiet: bool) -> list[dict]:  # noqa: ANN001
    from tqdm import tqdm

    from govsite.engine.check import check_site
    from govsite.engine.fetch import Fetcher

    sem = asyncio.Semaphore(concurrency)
    bar = None if quiet else tqdm(total=len(targets) if len(targets) > 1 else None, unit="站" if len(targets) > 1 else "页",
                                  desc="检查" if len(targets) > 1 else "抓取", file=sys.stderr, leave=False,
                                  dynamic_ncols=True)

    def page_progress(pages: int, frontier: int) -> None:
        if bar is not None and len(targets) == 1:
            bar.n = pages
            bar.set_postfix_str(f"待抓取 {frontier}")
            bar.refresh()

    async with Fetcher(cfg) as fetcher:  # one politeness budget per host across all sites

        async def one(t) -> dict:  # noqa: ANN001
            async with sem:
                rep = await check_site(t, options, fetcher=fetcher, progress=page_progress)
            if bar is not None and len(targets) > 1:
                bar.update(1)
            return rep

        try:
            return list(await asyncio.gather(*(one(t) for t in targets)))
        finally:
            if bar is not None:
                bar.close()


def register(main: click.Group) -> None:
    main.add_command(check_cmd)
