"""Attachments 1–4 as one XLSX workbook, one sheet each, ready to print: A4 landscape,
fit to one page wide, header rows repeated on every page, a totals row, the note below."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from govsite.reports.tables import Table

FONT = "仿宋"  # Excel/WPS show 仿宋; LibreOffice substitutes a CJK serif where it is absent
_thin = Side(style="thin", color="000000")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
FLAG_FILL = PatternFill("solid", fgColor="F8D7DA")


def render_xlsx(tables: list[Table]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for table in tables:
        _sheet(wb, table)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _sheet(wb: Workbook, table: Table) -> None:
    ws = wb.create_sheet(f"附件{table.number}")
    n = table.ncols
    ws.cell(1, 1, f"附件{table.number}").font = Font(name="黑体", size=12)
    ws.cell(2, 1, table.title).font = Font(name="方正小标宋简体", size=16, bold=True)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=n)
    ws.cell(2, 1).alignment = CENTER
    ws.row_dimensions[2].height = 30
    top = 3
    for h in table.header:
        cell = ws.cell(top + h.row, 1 + h.col, h.text)
        cell.font = Font(name="黑体", size=10)
        if h.rowspan > 1 or h.colspan > 1:
            ws.merge_cells(start_row=top + h.row, start_column=1 + h.col,
                           end_row=top + h.row + h.rowspan - 1, end_column=1 + h.col + h.colspan - 1)
    for r in range(top, top + table.header_rows):
        for c in range(1, n + 1):
            ws.cell(r, c).border = BORDER
            ws.cell(r, c).alignment = CENTER
    first = top + table.header_rows
    body = list(table.rows) + ([table.total] if table.total else [])
    for i, values in enumerate(body):
        r = first + i
        is_total = table.total is not None and i == len(body) - 1
        for c, v in enumerate(values):
            cell = ws.cell(r, c + 1, v if v != "" else None)
            cell.border = BORDER
            cell.alignment = LEFT if c in table.wrap_cols else CENTER
            cell.font = Font(name="黑体" if is_total else FONT, size=10, bold=(i, c) in table.flagged)
            if (i, c) in table.flagged:
                cell.fill = FLAG_FILL
    last = first + len(body) - 1
    if table.note:
        ws.cell(last + 2, 1, table.note).font = Font(name=FONT, size=10)
        ws.merge_cells(start_row=last + 2, start_column=1, end_row=last + 2, end_column=n)
    weights = table.widths or [1] * n
    for c, w in enumerate(weights, 1):
        ws.column_dimensions[get_column_letter(c)].width = max(6, w * 2.2)
    ws.freeze_panes = ws.cell(first, 3)
    # Print setup: A4 landscape, one page wide, header rows on every page, centred.
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{top}:{first - 1}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.print_area = f"A1:{get_column_letter(n)}{last + (2 if table.note else 0)}"
