"""Write one quarter's notice in every format: DOCX (with attachment tables and charts), XLSX
(attachments 1–4), HTML, PDF (LibreOffice from the DOCX), plus the notice data as JSON and the
charts as PNG. Files are written under temporary names and renamed into place, so a failed run
never leaves a half-written file behind."""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from govsite.reports.charts import all_charts
from govsite.reports.compose import ComposedNotice, ComposeOptions, compose
from govsite.reports.data import NoticeData, ReportDataError
from govsite.reports.render_docx import render_docx
from govsite.reports.render_html import render_html
from govsite.reports.render_pdf import docx_to_pdf, libreoffice_binary
from govsite.reports.render_xlsx import render_xlsx
from govsite.reports.tables import build_tables

FORMATS = ("docx", "xlsx", "html", "pdf")
_UMASK = os.umask(0)
os.umask(_UMASK)


@dataclass
class Generated:
    notice: ComposedNotice
    files: dict[str, Path] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def _write(path: Path, payload: bytes | str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload.encode("utf-8") if isinstance(payload, str) else payload)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp creates 0600; give the file the usual mode
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def generate(data: NoticeData, out_dir: Path, options: ComposeOptions | None = None,
             formats: tuple[str, ...] = FORMATS) -> Generated:
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ReportDataError(f"未知的输出格式：{'、'.join(unknown)}（可选 {', '.join(FORMATS)}）")
    if "pdf" in formats:
        libreoffice_binary()  # fail before writing anything when LibreOffice is missing
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportDataError(f"无法创建输出目录 {out_dir}：{exc.strerror}") from exc
    if not os.access(out_dir, os.W_OK):
        raise ReportDataError(f"输出目录 {out_dir} 不可写")
    timings: dict[str, float] = {}
    t = time.perf_counter()
    notice = compose(data, options)
    tables = build_tables(data, notice.attachment_titles)
    timings["compose"] = time.perf_counter() - t
    t = time.perf_counter()
    charts = all_charts(data)
    timings["charts"] = time.perf_counter() - t
    stem = f"notice-{data.quarter}"
    out = Generated(notice)
    _write(out_dir / f"{stem}.json", _json(data))
    out.files["json"] = out_dir / f"{stem}.json"
    _write(out_dir / f"{stem}.txt", notice.plain_text() + "\n")
    out.files["txt"] = out_dir / f"{stem}.txt"
    for chart in charts:
        _write(out_dir / f"{stem}-{chart.name}.png", chart.png)
    docx_bytes = None
    if "docx" in formats or "pdf" in formats:
        t = time.perf_counter()
        docx_bytes = render_docx(notice, tables, charts)
        timings["docx"] = time.perf_counter() - t
        _write(out_dir / f"{stem}.docx", docx_bytes)
        out.files["docx"] = out_dir / f"{stem}.docx"
    if "xlsx" in formats:
        t = time.perf_counter()
        _write(out_dir / f"attachments-{data.quarter}.xlsx", render_xlsx(tables))
        timings["xlsx"] = time.perf_counter() - t
        out.files["xlsx"] = out_dir / f"attachments-{data.quarter}.xlsx"
    if "html" in formats:
        t = time.perf_counter()
        _write(out_dir / f"{stem}.html", render_html(notice, tables, charts))
        timings["html"] = time.perf_counter() - t
        out.files["html"] = out_dir / f"{stem}.html"
    if "pdf" in formats:
        t = time.perf_counter()
        with tempfile.TemporaryDirectory(dir=out_dir, prefix=".pdf-") as tmp:
            pdf = docx_to_pdf(out.files["docx"], Path(tmp))
            os.replace(pdf, out_dir / f"{stem}.pdf")
        timings["pdf"] = time.perf_counter() - t
        out.files["pdf"] = out_dir / f"{stem}.pdf"
    out.seconds = timings
    return out


def _json(data: NoticeData) -> str:
    import json

    return json.dumps(data.to_json(), ensure_ascii=False, indent=1)
