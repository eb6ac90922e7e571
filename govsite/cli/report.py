"""`govsite report` and `govsite fixture` commands."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import click

from govsite.cli.errors import UserError


def _boot() -> None:
    from govsite.project.boot import setup_django

    setup_django()


def _parse_date(text: str | None, what: str, default_year: int | None = None) -> dt.date | None:
    """2017-12-20, 2017年12月20日, or 12-20 / 12月20日 (year taken from the notice)."""
    if not text:
        return None
    t = text.strip()
    m = re.fullmatch(r"(?:(\d{4})[-/.年])?(\d{1,2})[-/.月](\d{1,2})日?", t)
    if not m:
        raise UserError(f"{what}“{text}”格式不正确：应为 2017-12-20 或 12-20")
    year = int(m.group(1)) if m.group(1) else default_year
    if year is None:
        raise UserError(f"{what}“{text}”缺少年份")
    try:
        return dt.date(year, int(m.group(2)), int(m.group(3)))
    except ValueError as exc:
        raise UserError(f"{what}“{text}”不是有效日期") from exc


@click.command("report")
@click.argument("quarter")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="输出目录")
@click.option("--deadline", default=None, help="整改情况报送期限，如 2017-12-20 或 12-20（默认：下季度末月20日）")
@click.option("--date", "issue", default=None, help="通报日期（默认：下季度第二个月18日）")
@click.option("--census-date", default=None, help="运行网站统计截止日期（默认：本季度末月1日）")
@click.option("--formats", default="docx,xlsx,html,pdf", show_default=True, help="输出格式，逗号分隔")
@click.option("--data", "data_file", type=click.Path(dir_okay=False), default=None,
              help="从（编辑过的）通报数据 JSON 生成，而不是从数据库汇总")
@click.option("--template", "template", type=click.Path(dir_okay=False), default=None,
              help="“工作要求”模板文件（string.Template 语法，可用 $deadline $next_quarter $office $quarter）")
def report_cmd(quarter: str, out: str, deadline: str | None, issue: str | None, census_date: str | None,
               formats: str, data_file: str | None, template: str | None) -> None:
    """生成季度抽查情况通报及附件1–4（DOCX/XLSX/HTML/PDF），如 govsite report 2017Q3 --out 输出目录。"""
    from govsite.reports.compose import ComposeOptions
    from govsite.reports.data import NoticeData, Quarter, ReportDataError
    from govsite.reports.generate import generate

    try:
        q = Quarter.parse(quarter)
    except ReportDataError as exc:
        raise UserError(str(exc)) from exc
    nxt = q.next()
    issue_date = _parse_date(issue, "通报日期", nxt.year) or dt.date(nxt.year, 3 * nxt.q - 1, 18)
    options = ComposeOptions(
        deadline=_parse_date(deadline, "整改期限", issue_date.year),
        issue_date=issue_date,
        section3_template=Path(template) if template else None,
    )
    census = _parse_date(census_date, "统计截止日期", q.year)
    fmt = tuple(f.strip().lower() for f in formats.split(",") if f.strip())
    try:
        if data_file:
            data = NoticeData.load(Path(data_file))
            if data.quarter != str(q):
                raise UserError(f"数据文件是 {data.quarter} 的通报数据，与命令中的季度 {q} 不符")
        else:
            _boot()
            from govsite.reports.collect import collect

            data = collect(str(q), census_date=census)
        result = generate(data, Path(out), options, fmt)
    except ReportDataError as exc:
        raise UserError(str(exc)) from exc
    for note in data.notes:
        click.echo(f"提示: {note}", err=True)
    click.echo(f"已生成{q.label}通报（整改期限 {result.notice.deadline.isoformat()}）：")
    for kind, path in result.files.items():
        click.echo(f"  {kind:5s} {path}")


@click.group("fixture")
def fixture() -> None:
    """样例数据。"""


@fixture.command("load")
@click.argument("quarter")
def fixture_load(quarter: str) -> None:
    """把按种子通报数字构造的样例数据写入数据库（目前提供 2017Q3）。"""
    from govsite.reports.data import Quarter, ReportDataError

    try:
        Quarter.parse(quarter)
        _boot()
        from govsite.reports.fixture import load

        counts = load(quarter)
    except ReportDataError as exc:
        raise UserError(str(exc)) from exc
    parts = "，".join(f"{k} {v}" for k, v in counts.items())
    click.echo(f"已加载 {quarter.upper()} 样例数据：{parts}")


def register(main: click.Group) -> None:
    main.add_command(report_cmd)
    main.add_command(fixture)
