"""`govsite registry ...`: import, export, lint, statistics and generation of the national
registry of government websites. Django is booted lazily (and migrations applied) per command."""

from __future__ import annotations

import json
import time
import unicodedata
from collections import Counter
from pathlib import Path

import click

from govsite.cli.errors import UserError

MAX_ERRORS_SHOWN = 50


def _boot() -> None:
    from govsite.project.boot import setup_django

    setup_django()


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(header: list[str], rows: list[list[object]]) -> str:
    """A plain text table that lines up Chinese (double-width) characters."""
    cells = [[str(c) for c in header]] + [[str(c) for c in r] for r in rows]
    widths = [max(_width(r[i]) for r in cells) for i in range(len(header))]

    def line(r: list[str]) -> str:
        out = []
        for i, c in enumerate(r):
            pad = " " * (widths[i] - _width(c))
            out.append(c + pad if i == 0 else pad + c)
        return "  ".join(out).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(r) for r in cells[1:])])


def _check_path(file: str, writing: bool) -> Path:
    from govsite.registry.tabular import TableError, table_format

    path = Path(file)
    try:
        table_format(path)
    except TableError as exc:
        raise UserError(str(exc)) from exc
    if not writing and not path.is_file():
        raise UserError(f"文件不存在：{path}")
    if writing and not path.parent.exists():
        raise UserError(f"目录不存在：{path.parent}")
    return path


def _report_rejected(errors: list, what: str = "文件未导入", hint: str = "") -> UserError:
    lines = [str(e) for e in errors[:MAX_ERRORS_SHOWN]]
    more = f"\n……另有 {len(errors) - MAX_ERRORS_SHOWN} 处错误未列出" if len(errors) > MAX_ERRORS_SHOWN else ""
    return UserError(f"{what}（共 {len(errors)} 处错误，数据库未作任何修改）：\n" + "\n".join(lines) + more + hint)


@click.group()
def registry() -> None:
    """全国政府网站名录：导入、导出、规范检查、统计与生成。"""


@registry.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--actor", default=None, help="记入变更记录的操作人（默认：当前系统用户）")
@click.option("--max-mb", default=64, show_default=True, type=click.IntRange(1, 4096), help="文件大小上限（MB）")
@click.option("--dry-run", is_flag=True, help="只检查并报告将新增/修改多少网站，不写入数据库")
def import_cmd(file: str, actor: str | None, max_mb: int, dry_run: bool) -> None:
    """导入报送系统格式的网站名录（CSV 或 XLSX，按网站标识码新增或更新）。

    任何一行有误则整个文件不导入，并逐条列出“第几行、哪一列、原因”。重复导入同一文件不产生任何变更。
    """
    path = _check_path(file, writing=False)
    _boot()
    from govsite.registry.importer import ImportRejected, default_actor, import_file
    from govsite.registry.tabular import TableError

    started = time.perf_counter()
    try:
        result = import_file(path, actor=actor or default_actor(), max_bytes=max_mb * 1024 * 1024, dry_run=dry_run)
    except TableError as exc:
        raise UserError(f"{path.name}：{exc}（数据库未作任何修改）") from exc
    except ImportRejected as exc:
        raise _report_rejected(exc.errors) from exc
    elapsed = time.perf_counter() - started
    for warning in result.warnings:
        click.echo(f"提示: {warning}", err=True)
    click.echo(
        f"{'检查通过（未写入）' if dry_run else '已导入'} {path.name}：{result.rows} 行，新增 {result.created}，修改 {result.updated}，未变 {result.unchanged}"
        f"（{elapsed:.1f} 秒，{result.rows / max(elapsed, 1e-9):,.0f} 行/秒）"
    )


@registry.command("export")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--encoding", type=click.Choice(["utf-8-sig", "utf-8", "gb18030"]), default="utf-8-sig", show_default=True,
              help="CSV 编码（utf-8-sig 便于 Excel 打开）")
@click.option("--status", type=click.Choice(["running", "temp_closed", "closed", "merged"]), default=None,
              help="只导出该运行状态的网站（默认全部）")
def export_cmd(file: str, encoding: str, status: str | None) -> None:
    """导出网站名录到 FILE.csv 或 FILE.xlsx（格式与导入相同，可原样导回）。"""
    path = _check_path(file, writing=True)
    _boot()
    from govsite.registry.exporter import export_file

    try:
        count = export_file(path, encoding=encoding, status=status)
    except UnicodeEncodeError as exc:
        raise UserError(f"有字符无法用 {encoding} 编码：{exc.object[exc.start:exc.end]!r}，请改用 utf-8-sig") from exc
    except OSError as exc:
        raise UserError(f"无法写入 {path}：{exc.strerror or exc}") from exc
    click.echo(f"已导出 {count} 个网站到 {path}")


@registry.command("lint")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@click.option("--rule", "rules", multiple=True, help="只检查这些规则（可重复，如 --rule G-DOM-1）")
@click.option("--all-status", is_flag=True, help="包括非正常运行的网站")
def lint_cmd(as_json: bool, rules: tuple[str, ...], all_status: bool) -> None:
    """按《政府网站发展指引》检查名录：一个单位多个网站、乡镇网站、网站名称和域名规范。"""
    _boot()
    from govsite.registry.lint import RULES, lint_registry

    unknown = [r for r in rules if r not in RULES]
    if unknown:
        raise UserError(f"未知的规则 {'、'.join(unknown)}；可用：{'、'.join(RULES)}")
    findings = lint_registry(status=None if all_status else "running")
    if rules:
        findings = [f for f in findings if f.rule in rules]
    if as_json:
        click.echo(json.dumps({"count": len(findings), "rules": RULES, "findings": [f.as_dict() for f in findings]},
                              ensure_ascii=False, indent=1))
        return
    for f in findings:
        click.echo(f"{f.code}\t{f.name}\t{f.rule}\t{f.detail}")
    counts = Counter(f.rule for f in findings)
    summary = "，".join(f"{rule} {RULES[rule]}：{counts[rule]}" for rule in RULES if counts[rule])
    click.echo(f"共 {len(findings)} 条问题" + (f"（{summary}）" if summary else ""), err=True)


@registry.command("stats")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON（机器可读）")
@click.option("--all-status", is_flag=True, help="统计所有网站，而不只是正常运行的网站")
def stats_cmd(as_json: bool, all_status: bool) -> None:
    """正常运行网站统计：按类别、按地区×类别（附件2）、按国务院部门（附件3）。"""
    _boot()
    from govsite.registry.stats import REGION_CATEGORIES, REGION_COLUMNS, registry_stats

    data = registry_stats(status=None if all_status else "running")
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    title = "全部网站" if all_status else "正常运行的政府网站"
    click.echo(f"{title}：共 {data['total']} 家\n")
    click.echo("一、按类别")
    rows = [[c["label"], c["count"]] for c in data["by_category"]] + [["合计", data["total"]]]
    click.echo(_table(["类别", "网站数"], rows))
    click.echo("\n二、各地区政府网站运行情况（附件2）")
    rows = [[r["short_name"], *(r["counts"][str(c)] for c in REGION_CATEGORIES), r["total"]] for r in data["by_region"]]
    totals = data["region_totals"]
    rows.append(["合计", *(totals[str(c)] for c in REGION_CATEGORIES), totals["total"]])
    click.echo(_table(["地区", *REGION_COLUMNS, "合计"], rows))
    click.echo("\n三、国务院部门及其内设、垂直管理机构政府网站运行情况（附件3）")
    rows = [[d["short_name"], d["portal"], d["other"], d["total"]] for d in data["by_department"] if d["total"]]
    dt = data["department_totals"]
    rows.append(["合计", dt["portal"], dt["other"], dt["total"]])
    click.echo(_table(["部门", "门户网站", "内设及垂直管理机构网站", "合计"], rows))
    empty = sum(1 for d in data["by_department"] if not d["total"])
    if empty:
        click.echo(f"（另有 {empty} 个国务院部门没有正常运行的网站）")


@registry.command("generate")
@click.option("--like", "like", type=click.Choice(["2017Q1", "2017Q2", "2017Q3", "2017Q4"]), default="2017Q3",
              show_default=True, help="按该季度通报的各类网站数生成")
@click.option("--seed", default=2017, show_default=True, type=int, help="随机种子（同一种子生成完全相同的名录）")
@click.option("--violations", default=3.0, show_default=True, type=click.FloatRange(0, 100),
              help="名称/域名不规范网站的比例（%）")
@click.option("--out", "out", type=click.Path(dir_okay=False), default=None, help="同时写出 CSV/XLSX 文件")
@click.option("--no-db", is_flag=True, help="只写 --out 文件，不写数据库")
@click.option("--replace", is_flag=True, help="先删除数据库中已有的全部网站")
@click.option("--actor", default="generator", show_default=True, help="记入变更记录的操作人")
def generate_cmd(like: str, seed: int, violations: float, out: str | None, no_db: bool, replace: bool, actor: str) -> None:
    """生成逼真的全国政府网站名录（如 2017Q3：29431 家正常运行网站），写入数据库。

    写入走与导入相同的按标识码更新路径：同一种子重复生成不产生变更；名录中若已有其他网站，可用 --replace 清空。
    """
    if no_db and not out:
        raise UserError("--no-db 需要与 --out 一起使用")
    out_path = _check_path(out, writing=True) if out else None
    _boot()
    from django.db import IntegrityError, transaction
    from django.db.models import ProtectedError

    from govsite.registry.generator import generate
    from govsite.registry.importer import ImportRejected, apply_records, records_to_rows
    from govsite.registry.index import RegistryIndex
    from govsite.registry.models import Domain, Organization, Site, SiteChange
    from govsite.registry.records import HEADERS
    from govsite.registry.tabular import write_table

    started = time.perf_counter()
    index = RegistryIndex()
    result = generate(like=like, seed=seed, violation_share=violations / 100, index=index)
    click.echo(f"已生成 {len(result.records)} 个网站（{like}，种子 {seed}，不规范 {len(result.violations)} 个）"
               f"，用时 {time.perf_counter() - started:.1f} 秒")
    if out_path:
        count = write_table(out_path, HEADERS, records_to_rows(result.records, index))
        click.echo(f"已写出 {count} 行到 {out_path}")
    if no_db:
        return
    started = time.perf_counter()
    try:
        with transaction.atomic():
            if replace:
                # Plain table deletes (the ORM collector would load every row); rows of other apps that
                # still point at a site make the database refuse, which is reported below.
                SiteChange.objects.all().delete()
                Domain.objects.all().delete()
                Site.objects.filter(merged_into__isnull=False).update(merged_into=None)
                Site.objects.all()._raw_delete(Site.objects.db)
                Organization.objects.all()._raw_delete(Organization.objects.db)
            applied = apply_records(result.records, index, actor, reason=f"生成名录 {like} 种子 {seed}")
    except (ProtectedError, IntegrityError) as exc:
        raise UserError("已有其他数据引用这些网站，无法用 --replace 清空名录") from exc
    except ImportRejected as exc:
        hint = "\n名录中已有其他网站占用这些域名：可加 --replace 清空已有名录后再生成"
        raise _report_rejected(exc.errors, "生成结果未写入", hint) from exc
    elapsed = time.perf_counter() - started
    click.echo(f"已写入数据库：新增 {applied.created}，修改 {applied.updated}，未变 {applied.unchanged}"
               f"（{elapsed:.1f} 秒，{applied.rows / max(elapsed, 1e-9):,.0f} 行/秒）")
    others = Site.objects.count() - len(result.records)  # every generated code is stored by now
    if others:
        click.echo(f"提示: 数据库中另有 {others} 个不在本次生成结果中的网站；可用 --replace 清空后再生成", err=True)



# -- consolidation and discovery (issue 11) --------------------------------------------------

def _net(farm_port: int | None, timeout: float = 15.0):  # noqa: ANN202 - (fetcher factory, host URL, site URL)
    """Fetcher factory and URL builders. `--farm PORT` sends every host to 127.0.0.1:PORT (the
    local farm); otherwise names are resolved normally and private addresses are refused."""
    from urllib.parse import urlsplit, urlunsplit

    from govsite.engine.fetch import Fetcher

    def factory() -> Fetcher:
        if farm_port:
            return Fetcher(resolve={("*", farm_port): ["127.0.0.1"]}, allow_private=True, retries=1,
                           total_timeout=timeout, per_host=4)
        return Fetcher(retries=1, total_timeout=timeout)

    def host_url(host: str) -> str:
        return f"http://{host}:{farm_port}/" if farm_port else f"http://{host}/"

    def site_url(site) -> str:  # noqa: ANN001 - registry Site, or its home URL
        url = site if isinstance(site, str) else site.home_url
        if not farm_port:
            return url
        p = urlsplit(url)
        return urlunsplit(("http", f"{p.hostname}:{farm_port}", p.path or "/", p.query, ""))

    return factory, host_url, site_url


_farm_opt = click.option("--farm", "farm_port", type=click.IntRange(1, 65535), default=None,
                         help="把所有域名解析到 127.0.0.1 的该端口（本地模拟站点群）")


@registry.command("import-hosts")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--actor", default=None, help="操作人（默认：当前系统用户）")
def import_hosts_cmd(file: str, actor: str | None) -> None:
    """导入待排查的域名清单（每行一个域名或网址，# 开头为注释），供 discover 探测。

    任何一行不是有效域名则整个文件不导入，并列出行号和原因。
    """
    path = Path(file)
    if not path.is_file():
        raise UserError(f"文件不存在：{path}")
    _boot()
    from govsite.registry.discovery import DiscoveryError, import_hosts
    from govsite.registry.importer import default_actor

    try:
        r = import_hosts(path, actor or default_actor())
    except DiscoveryError as exc:
        raise UserError(str(exc)) from exc
    click.echo(f"已导入 {path.name}：{r.hosts} 个域名，新增 {r.created}，其中 {r.registered} 个已在名录中")


@registry.command("discover")
@_farm_opt
@click.option("--max-pages", default=15, show_default=True, type=click.IntRange(1, 1000), help="每个已登记网站抓取的页面数")
@click.option("--depth", default=1, show_default=True, type=click.IntRange(0, 5), help="抓取深度")
@click.option("--limit", default=None, type=click.IntRange(1), help="只扫描前 N 个正常运行的网站")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
def discover_cmd(farm_port: int | None, max_pages: int, depth: int, limit: int | None, as_json: bool) -> None:
    """发现未报送网站（G-OPEN-8）和疑似仿冒网站。

    抓取正常运行的已登记网站，收集链接中出现的域名和导入的域名清单，逐个探测首页：
    *.gov.cn / *.政务 下提供网站而不在名录中的，按地区列为未报送网站；名录外的其他域名如冒用已登记网站的
    标识码、名称，或页面与已登记网站首页近似（指纹），列为疑似仿冒。
    """
    _boot()
    from govsite.registry.discovery import discover
    from govsite.registry.models import DiscoveredHost

    factory, host_url, site_url = _net(farm_port)
    started = time.perf_counter()
    result = discover(factory, host_url, max_pages=max_pages, max_depth=depth, limit=limit, home_url_for=site_url)
    elapsed = time.perf_counter() - started
    rows = DiscoveredHost.objects.filter(host__in=[f.host for f in result.findings]).select_related(
        "region", "matched_site").order_by("kind", "region__code", "host")
    if as_json:
        click.echo(json.dumps({"candidates": result.candidates, "probed": result.probed, "serving": result.serving,
                               "findings": [f.to_json() for f in result.findings]}, ensure_ascii=False, indent=1))
        return
    for kind, label in DiscoveredHost.Kind.choices:
        group = [r for r in rows if r.kind == kind]
        click.echo(f"{label}：{len(group)} 个")
        for r in group:
            ev = r.evidence
            where = "、".join(ev.get("linked_from", [])[:2]) or ("导入清单" if ev.get("imported") else "—")
            extra = f"仿冒 {r.matched_site.code} {r.matched_site.name}；" if r.matched_site else ""
            click.echo(f"  [{r.region.name if r.region else '地区未知'}] {r.display_host}  标题：{r.title or '—'}"
                       f"  页面标识码：{r.footer_code or '—'}  {extra}{'；'.join(r.reasons)}  来源：{where}")
    click.echo(f"候选域名 {result.candidates} 个，提供网站 {result.serving} 个；用时 {elapsed:.1f} 秒", err=True)


@registry.command("migration")
@click.argument("site_code")
@click.option("--snapshot", is_flag=True, help="抓取该网站并保存内容清单（关停/整合前运行）")
@click.option("--target", "target_code", default=None, help="迁移目标网站的标识码（默认：名录中的“整合至”）")
@click.option("--max-pages", default=400, show_default=True, type=click.IntRange(1, 20000))
@click.option("--actor", default=None, help="记入变更记录的操作人")
@_farm_opt
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
def migration_cmd(site_code: str, snapshot: bool, target_code: str | None, max_pages: int, actor: str | None,
                  farm_port: int | None, as_json: bool) -> None:
    """网站整合迁移核验：原网站内容（文章、文件）在目标网站是否都能找到。

    逐条判定：已跳转（原网址跳转到目标网站）、已迁移无跳转（目标网站有同标题同日期的内容）、缺失。
    结果写入迁移核验报告，并更新名录中的迁移状态（已核验 / 内容缺失）。
    """
    _boot()
    from govsite.registry.importer import default_actor
    from govsite.registry.migration import MigrationError, check
    from govsite.registry.migration import snapshot as take_snapshot

    factory, _, site_url = _net(farm_port)
    try:
        if snapshot:
            inv = take_snapshot(site_code, factory, site_url, max_pages=max_pages, actor=actor or default_actor())
            click.echo(f"已保存内容清单：{inv.site}，{inv.pages} 个页面，文章 {inv.articles} 篇，文件 {inv.files} 个")
            return
        out = check(site_code, factory, site_url, target_code=target_code, actor=actor or default_actor(),
                    max_pages=max_pages)
    except MigrationError as exc:
        raise UserError(str(exc)) from exc
    rep = out.report
    if as_json:
        click.echo(json.dumps({"site": site_code, "target": out.target.code, "state": rep.state, "counts": rep.counts,
                               "missing": rep.missing, "moved_without_redirect": rep.moved}, ensure_ascii=False, indent=1))
        return
    c = rep.counts
    click.echo(f"{rep.site} → {out.target}")
    click.echo(f"共 {c['total']} 条：已跳转 {c['redirected']}，已迁移无跳转 {c['moved']}，缺失 {c['missing']}"
               f"；迁移状态：{rep.get_state_display()}")
    for m in rep.missing[:MAX_ERRORS_SHOWN]:
        click.echo(f"  缺失  {m['date'] or '—'}  {m['title']}  {m['url']}")
    if len(rep.missing) > MAX_ERRORS_SHOWN:
        click.echo(f"  ……另有 {len(rep.missing) - MAX_ERRORS_SHOWN} 条缺失未列出")


@registry.command("watch-closed")
@_farm_opt
@click.option("--allowed-days", default=90, show_default=True, type=click.IntRange(1, 3650),
              help="临时关停允许的最长天数（《指引》原文未找到，按本地规定设置）")
@click.option("--site", "codes", multiple=True, help="只巡查这些网站（标识码，可重复）")
def watch_closed_cmd(farm_port: int | None, allowed_days: int, codes: tuple[str, ...]) -> None:
    """巡查已关停和临时关停的网站（G-OPEN-7）：关停后仍可访问、临时关停超期仍显示“升级改版中”等。"""
    _boot()
    from govsite.registry.closedwatch import watch

    factory, _, site_url = _net(farm_port)
    r = watch(factory, site_url, allowed_days=allowed_days, codes=list(codes) or None)
    for f in r.findings:
        click.echo(f"{f.site.code}\t{f.site.name}\t{f.get_kind_display()}\t关停于 {f.since}（{f.days} 天）\t{f.url}"
                   f"\t{f.evidence.get('title') or f.evidence.get('error') or ''}")
    click.echo(f"巡查 {r.checked} 个关停/临时关停网站，发现问题 {len(r.findings)} 个", err=True)

def register(main: click.Group) -> None:
    main.add_command(registry)
