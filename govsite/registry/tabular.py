"""Reading and writing the registry's tables (CSV or XLSX, chosen by the file extension).

CSV encodings are detected in a fixed try-order: a UTF-8 byte-order mark, strict UTF-8,
strict GB18030 (a superset of GBK, Excel's default in China), then charset-normalizer's guess."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

DEFAULT_MAX_BYTES = 64 * 1024 * 1024


class TableError(Exception):
    """The file as a whole cannot be read (message in Chinese, for the user)."""


def table_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    raise TableError(f"不支持的文件类型“{path.suffix or '无扩展名'}”：请使用 .csv 或 .xlsx 文件")


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name) or raise TableError."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise TableError(f"文件以UTF-8签名开头，但第{exc.start + 3}字节起不是有效的UTF-8编码") from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise TableError("文件以UTF-16签名开头，但内容不是有效的UTF-16编码") from exc
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise TableError("无法识别文件编码：请另存为UTF-8或GBK编码的CSV文件")
    return str(best), best.encoding


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # Excel stores digit-only cells (标识码, phone numbers) as numbers.
        return str(int(value))
    return str(value).strip()


def read_table(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """Return the header and an iterator of (row number as the user sees it, cells).
    Row 1 is the header; blank rows are skipped."""
    fmt = table_format(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise TableError(f"无法读取文件 {path}：{exc.strerror or exc}") from exc
    if size == 0:
        raise TableError("文件为空：没有表头，也没有数据行")
    if size > max_bytes:
        raise TableError(
            f"文件过大（{size / 1048576:.1f} MB），超过上限 {max_bytes / 1048576:.0f} MB："
            "请拆分文件，或用 --max-mb 调高上限"
        )
    rows = _read_csv(path) if fmt == "csv" else _read_xlsx(path)
    header: list[str] | None = None
    for _number, cells in rows:
        if any(cells):
            header = [c.strip().lstrip("\ufeff") for c in cells]
            break
    if header is None:
        raise TableError("文件为空：没有表头，也没有数据行")
    while header and not header[-1]:
        header.pop()

    def data_rows() -> Iterator[tuple[int, list[str]]]:
        for number, cells in rows:
            if any(cells):
                yield number, cells

    return header, data_rows()


def _read_csv(path: Path) -> Iterator[tuple[int, list[str]]]:
    text, _ = decode_bytes(path.read_bytes())
    if "\x00" in text:
        raise TableError("CSV文件中含有NUL字符，可能不是文本文件（若是Excel文件请使用 .xlsx 扩展名）")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for cells in reader:
            yield reader.line_num, [c.strip() for c in cells]
    except csv.Error as exc:
        raise TableError(f"CSV格式错误（第{reader.line_num}行附近）：{_csv_reason(exc)}") from exc


def _csv_reason(exc: csv.Error) -> str:
    text = str(exc)
    if "EOF" in text or "unexpected end of data" in text:
        return "引号未闭合"
    if "expected" in text and "after" in text:
        return "引号后出现多余字符"
    return text


def _read_xlsx(path: Path) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise TableError("不是有效的XLSX文件（文件已损坏，或是旧版 .xls / CSV 改了扩展名）") from exc
    except Exception as exc:  # openpyxl raises its own InvalidFileException and others
        raise TableError(f"不是有效的XLSX文件：{exc}") from exc
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
            yield number, [_cell_text(v) for v in values]
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise TableError(f"XLSX文件内容损坏：{exc}") from exc
    finally:
        workbook.close()


def write_table(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]], encoding: str = "utf-8-sig") -> int:
    """Write header + rows; returns the number of data rows."""
    fmt = table_format(path)
    count = 0
    if fmt == "csv":
        with open(path, "w", encoding=encoding, newline="") as f:
            writer = csv.writer(f, lineterminator="\r\n")
            writer.writerow(header)
            for row in rows:
                writer.writerow(row)
                count += 1
        return count
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("政府网站")
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
        count += 1
    workbook.save(path)
    return count
