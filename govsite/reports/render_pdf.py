"""DOCX → PDF with LibreOffice headless. Each conversion uses its own temporary user profile
(-env:UserInstallation) so parallel runs never share (and lock) one profile."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from govsite.reports.data import ReportDataError

CANDIDATES = ("libreoffice", "soffice")


class PdfUnavailable(ReportDataError):
    """LibreOffice is not installed or failed."""


def libreoffice_binary() -> str:
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    raise PdfUnavailable(
        "未找到 LibreOffice（libreoffice/soffice），无法生成 PDF；请安装 libreoffice-writer（make system-deps），"
        "或使用 --formats docx,xlsx,html 跳过 PDF"
    )


def docx_to_pdf(docx: Path, out_dir: Path, timeout: float = 180) -> Path:
    binary = libreoffice_binary()
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="govsite-lo-") as profile:
        cmd = [
            binary, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
            "--convert-to", "pdf", "--outdir", str(out_dir), str(docx),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise PdfUnavailable(f"LibreOffice 转换 PDF 超时（{timeout:.0f} 秒）") from exc
    pdf = out_dir / (docx.stem + ".pdf")
    if proc.returncode != 0 or not pdf.exists():
        detail = (proc.stderr or proc.stdout or "").strip().splitlines()[-1:] or ["无输出"]
        raise PdfUnavailable(f"LibreOffice 转换 PDF 失败（退出码 {proc.returncode}）：{detail[0]}")
    return pdf
