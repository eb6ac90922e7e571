"""Self-check uploads: the XLSX template a unit fills in, and its all-or-nothing validation."""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from govsite.inspections import indicators as ind
from govsite.inspections.campaigns import audit, selfcheck_campaign_for
from govsite.inspections.errors import InspectionError
from govsite.inspections.models import SelfCheckResult
from govsite.inspections.periods import Quarter, UnitIndex

HEADERS = ["网站标识码", "网站名称", "检查日期", "检查结论", "得分", "问题指标", "主要问题", "检查人"]
VERDICTS = {"合格": "pass", "不合格": "fail"}
SHEET = "自查结果"


def write_template(path: Path, quarter: str, unit_text: str) -> int:
    """An XLSX with one row per running site of the unit (code and name pre-filled)."""
    from govsite.registry.models import Site

    q = Quarter.parse(quarter)
    units = UnitIndex()
    unit = units.resolve(unit_text)
    sites = [
        s
        for s in Site.objects.filter(status=Site.Status.RUNNING).order_by("code")
        if units.unit_of_site(s) == unit
    ]
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(HEADERS)
    for s in sites:
        ws.append([s.code, s.name, None, None, None, None, None, None])
    dv = DataValidation(type="list", formula1='"合格,不合格"', allow_blank=True)
    ws.add_data_validation(dv)
    dv.add(f"D2:D{max(len(sites) + 1, 2)}")
    for col, width in zip("ABCDEFGH", (14, 36, 12, 10, 8, 20, 40, 10), strict=True):
        ws.column_dimensions[col].width = width
    info = wb.create_sheet("说明")
    for line in (
        [f"{q} 季度网站自查结果上报表（{unit.name}）"],
        ["每行一个网站；只填写本季度已自查的网站，未自查的行请删除或留空检查结论。"],
        [f"检查日期：{q.start} 至 {q.end} 之间，格式 YYYY-MM-DD。"],
        ["检查结论：合格 或 不合格；不合格时须填写问题指标或主要问题。"],
        ["得分：0–130 之间的数字，可不填。问题指标：指标编号，用逗号或顿号分隔，如 V15-3、D15-2。"],
        ["任何一行有误，整个文件都不会被接收，并列出出错的行、列和原因。"],
    ):
        info.append(line)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return len(sites)


@dataclass
class RowError:
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"第 {self.row} 行“{self.column}”列：{self.reason}"


class UploadRejected(InspectionError):
    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        shown = "\n".join(f"  {e}" for e in errors[:50])
        more = f"\n  ……另有 {len(errors) - 50} 处错误" if len(errors) > 50 else ""
        super().__init__(f"自查结果文件有 {len(errors)} 处错误，整个文件未被接收：\n{shown}{more}")


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def upload(path: Path, quarter: str, unit_text: str, actor: str = "system") -> dict:
    """Validate every row, then store all of them (or nothing) as the unit's self-check results."""
    from govsite.registry.models import Site

    q = Quarter.parse(quarter)
    units = UnitIndex()
    unit = units.resolve(unit_text)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise InspectionError(f"无法读取自查结果文件 {path}：{exc}") from exc
    ws = wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    wb.close()
    if not rows or [str(c or "").strip() for c in rows[0][: len(HEADERS)]] != HEADERS:
        raise InspectionError(f"自查结果文件的表头应为：{'、'.join(HEADERS)}（请使用 selfcheck-template 生成的模板）")
    errors: list[RowError] = []
    parsed: list[dict] = []
    seen: dict[str, int] = {}
    codes = [str(r[0]).strip() for r in rows[1:] if r and r[0] is not None]
    sites = {s.code: s for s in Site.objects.filter(code__in=codes)}
    for n, raw in enumerate(rows[1:], start=2):
        row = list(raw) + [None] * (len(HEADERS) - len(raw))
        code, _name, day, verdict, score, ids_text, problems, inspector = row[: len(HEADERS)]
        if all(v in (None, "") for v in row[: len(HEADERS)]):
            continue
        if verdict in (None, ""):
            continue  # a template row the unit did not self-check
        code = str(code or "").strip()
        site = sites.get(code)
        if not code:
            errors.append(RowError(n, "网站标识码", "不能为空"))
        elif site is None:
            errors.append(RowError(n, "网站标识码", f"{code} 不在登记库中"))
        elif units.unit_of_site(site) != unit:
            errors.append(RowError(n, "网站标识码", f"{code} 不属于{unit.name}"))
        elif site.status != Site.Status.RUNNING:
            errors.append(RowError(n, "网站标识码", f"{code} 不是正常运行的网站（{site.get_status_display()}）"))
        elif code in seen:
            errors.append(RowError(n, "网站标识码", f"{code} 与第 {seen[code]} 行重复"))
        seen.setdefault(code, n)
        d = _date(day)
        if d is None:
            errors.append(RowError(n, "检查日期", f"“{day}”不是有效日期（YYYY-MM-DD）"))
        elif not q.start <= d <= q.end:
            errors.append(RowError(n, "检查日期", f"{d} 不在 {q}（{q.start} 至 {q.end}）内"))
        v = VERDICTS.get(str(verdict).strip())
        if v is None:
            errors.append(RowError(n, "检查结论", f"“{verdict}”无效，应为 合格 或 不合格"))
        sc: float | None = None
        if score not in (None, ""):
            try:
                sc = float(score)
                if not 0 <= sc <= 130:
                    raise ValueError
            except (TypeError, ValueError):
                errors.append(RowError(n, "得分", f"“{score}”不是 0–130 之间的数字"))
        ids = [t.strip() for t in str(ids_text or "").replace("、", ",").replace("，", ",").split(",") if t.strip()]
        for t in ids:
            if not ind.is_known(t):
                errors.append(RowError(n, "问题指标", f"未知指标“{t}”"))
        if v == "fail" and not ids and not str(problems or "").strip():
            errors.append(RowError(n, "主要问题", "结论为不合格时须填写问题指标或主要问题"))
        if v == "pass" and sc is not None and sc < 60:
            errors.append(RowError(n, "得分", f"得分 {sc:g} 低于 60，结论不能为合格"))
        parsed.append(
            {
                "site": site,
                "checked_on": d,
                "verdict": v,
                "score": sc,
                "indicator_ids": ids,
                "problems": str(problems or "").strip() or ind.problems_text(ids),
                "inspector": str(inspector or "").strip()[:64],
            }
        )
    if errors:
        raise UploadRejected(errors)
    if not parsed:
        raise InspectionError("自查结果文件中没有任何已填写检查结论的行")
    with transaction.atomic():
        campaign = selfcheck_campaign_for(q, unit, units, actor)
        created = updated = 0
        for p in parsed:
            site = p.pop("site")
            _, was_created = SelfCheckResult.objects.update_or_create(
                campaign=campaign, site=site, defaults={**p, "problems": p["problems"][:1000], "source": "upload"}
            )
            created += was_created
            updated += not was_created
        campaign.total = campaign.selfcheck_results.count()
        campaign.done = campaign.total
        campaign.save(update_fields=["total", "done"])
        audit(actor, "selfcheck_upload", campaign, campaign=campaign, after={"file": str(path), "rows": len(parsed)})
    return {"campaign": campaign.name, "unit": unit.name, "rows": len(parsed), "created": created, "updated": updated}
