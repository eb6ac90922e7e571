"""`govsite calendar …` (working days on the official holiday calendar) and `govsite feedback …`
(找错 reminders and metrics)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from pathlib import Path

import click

from govsite.cli.errors import UserError
from govsite.periods import Quarter, QuarterError


def _date(value: str, what: str = "日期") -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UserError(f"{what}无效：{value!r}（应为 YYYY-MM-DD）") from None


def _boot() -> None:
    from govsite.project.boot import setup_django

    setup_django()


def _period(quarter: str | None, start: str | None, end: str | None) -> tuple[dt.date, dt.date]:
    if quarter:
        try:
            q = Quarter.parse(quarter)
        except QuarterError as exc:
            raise UserError(str(exc)) from None
        return q.start, q.end
    if not (start and end):
        raise UserError("请用 --quarter 2017Q3，或同时给出 --from 和 --to")
    a, b = _date(start, "开始日期"), _date(end, "结束日期")
    if b < a:
        raise UserError(f"结束日期 {b} 早于开始日期 {a}")
    return a, b


def register(main: click.Group) -> None:
    @main.group()
    def calendar() -> None:
        """工作日计算：按国务院办公厅公布的法定节假日和调休上班安排。"""

    @calendar.command("add-workdays")
    @click.argument("date")
    @click.argument("n", type=int)
    def add_workdays(date: str, n: int) -> None:
        """输出 DATE 之后第 N 个工作日（即“N 个工作日内”的截止日）。"""
        from govsite.feedback.workdays import CalendarNotCovered

        _boot()
        from govsite.feedback.workdays import load_calendar

        if n < 0:
            raise UserError("工作日数 N 不能为负数")
        start = _date(date)
        try:
            result = load_calendar().add_workdays(start, n)
        except CalendarNotCovered as exc:
            raise UserError(str(exc)) from None
        click.echo(result.isoformat())

    @calendar.command("import-year")
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--source", default="", help="依据，如 国办发明电〔2026〕×号")
    @click.option("--replace", is_flag=True, help="Replace a year imported before.")
    def import_year(file: Path, source: str, replace: bool) -> None:
        """导入某一年的节假日安排（每行 `YYYY-MM-DD,holiday|workday[,名称]`），
        该年优先使用导入的数据而不是 chinese_calendar 包。"""
        if not file.is_file():
            raise UserError(f"文件不存在：{file}")
        try:
            lines = file.read_text(encoding="utf-8-sig").splitlines()
        except UnicodeDecodeError:
            raise UserError(f"文件不是 UTF-8 文本：{file}") from None
        from govsite.feedback.workdays import parse_year_file

        try:
            year, days = parse_year_file(lines)
        except ValueError as exc:
            raise UserError(f"{file}: {exc}") from None
        names = {}
        for raw in lines:
            parts = [p.strip() for p in raw.split("#", 1)[0].split(",")]
            if len(parts) >= 3:
                names[parts[0]] = parts[2][:64]
        _boot()
        from django.db import transaction

        from govsite.feedback.models import CalendarDay, CalendarYear

        with transaction.atomic():
            existing = CalendarYear.objects.filter(year=year).first()
            if existing and not replace:
                raise UserError(f"{year}年的安排已导入过；如需覆盖请加 --replace")
            if existing:
                existing.delete()
            cy = CalendarYear.objects.create(year=year, source=source, imported_by="cli")
            CalendarDay.objects.bulk_create(
                CalendarDay(year=cy, date=d, is_workday=w, name=names.get(d.isoformat(), "")) for d, w in sorted(days.items())
            )
        holidays = sum(1 for w in days.values() if not w)
        click.echo(f"已导入 {year} 年节假日安排：{holidays} 个放假日，{len(days) - holidays} 个调休上班日")

    @main.group()
    def feedback() -> None:
        """我为政府网站找错：超期催办与办结率统计。"""

    @feedback.command("remind")
    @click.option("--today", "today_s", default=None, help="Evaluate as of this date (YYYY-MM-DD).")
    @click.option("--dry-run", is_flag=True, help="Flag and list, but send no e-mail.")
    def remind(today_s: str | None, dry_run: bool) -> None:
        """标记超期留言，并通过邮件向超期单位催办（Django 邮件后端）。"""
        today = _date(today_s) if today_s else None
        _boot()
        from govsite.feedback.workdays import CalendarNotCovered
        from govsite.feedback.workflow import remind_overdue

        try:
            r = remind_overdue(today=today, send=not dry_run, echo=click.echo)
        except CalendarNotCovered as exc:
            raise UserError(str(exc)) from None
        click.echo(f"超期留言 {r.overdue} 条（新标记 {r.newly_flagged} 条），发送催办邮件 {r.emails} 封，"
                   f"无收件人 {r.without_recipient} 条")

    @feedback.command("metrics")
    @click.option("--quarter", default=None, help="e.g. 2017Q3")
    @click.option("--from", "start", default=None, help="YYYY-MM-DD (submission date, inclusive)")
    @click.option("--to", "end", default=None, help="YYYY-MM-DD (inclusive)")
    @click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table")
    def metrics(quarter: str | None, start: str | None, end: str | None, fmt: str) -> None:
        """按单位统计某一期间的有效留言、办结率、按期办结率和平均办理工作日。
        无效、重复、不在范围和未甄别的留言不计入分母。"""
        a, b = _period(quarter, start, end)
        _boot()
        from govsite.feedback.metrics import totals, unit_metrics
        from govsite.feedback.workdays import CalendarNotCovered

        try:
            rows = unit_metrics(a, b)
        except CalendarNotCovered as exc:
            raise UserError(str(exc)) from None
        total = totals(rows)
        if fmt == "json":
            click.echo(json.dumps({"from": a.isoformat(), "to": b.isoformat(),
                                   "units": [r.as_dict() for r in rows], "total": total.as_dict()},
                                  ensure_ascii=False, indent=2))
            return
        header = ["单位", "收到", "排除", "有效留言", "办结", "办结率", "按期办结", "按期办结率", "平均办理工作日", "标记"]

        def pct(v: float | None) -> str:
            return "—" if v is None else f"{v * 100:.1f}%"

        def line(r) -> list[str]:  # noqa: ANN001
            mark = "低于70%" if r.flagged else ("按期100%" if r.all_on_time else "")
            avg = r.avg_handling_workdays
            return [r.unit_name, str(r.received), str(r.excluded), str(r.valid), str(r.closed), pct(r.closed_rate),
                    str(r.closed_on_time), pct(r.on_time_rate), "—" if avg is None else f"{avg:.2f}", mark]

        table = [line(r) for r in rows] + [line(total)]
        if fmt == "csv":
            w = csv.writer(sys.stdout)
            w.writerow(header)
            w.writerows(table)
            return
        click.echo(f"{a} 至 {b}（排除无效、重复、不在范围和未甄别留言）")
        click.echo("\t".join(header))
        for row in table:
            click.echo("\t".join(row))
        full = [r.unit_name for r in rows if r.all_on_time]
        low = [r.unit_name for r in rows if r.flagged]
        click.echo(f"按期办结率100%的单位（{len(full)}个）：{'、'.join(full) or '无'}")
        click.echo(f"办结率低于70%的单位（{len(low)}个）：{'、'.join(low) or '无'}")
