"""`govsite text ...` commands (pre-publication text checks, 发布前审校)."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click

from govsite.cli.errors import UserError

MAX_INPUT_BYTES = 64 * 1024 * 1024  # a draft, not a corpus: bounded time and memory
MAX_LINE_CHARS = 200_000  # longer lines are scanned in pieces of this size


def _read_input(file: str) -> str:
    if file == "-":
        data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
        name = "标准输入"
    else:
        path = Path(file)
        if not path.is_file():
            raise UserError(f"找不到文件：{file}")
        try:
            with path.open("rb") as fh:
                data = fh.read(MAX_INPUT_BYTES + 1)
        except OSError as exc:
            raise UserError(f"无法读取文件 {file}：{exc.strerror or exc}") from None
        name = file
    if len(data) > MAX_INPUT_BYTES:
        raise UserError(f"{name} 超过 {MAX_INPUT_BYTES // (1024 * 1024)} MB，请分段检查")
    if b"\x00" in data[:65536]:
        raise UserError(f"{name} 不是文本文件（含二进制数据）")
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UserError(f"{name} 的编码无法识别（应为 UTF-8 或 GB18030/GBK 文本）")
    bad = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\t\r\n\f\v")
    if bad > 64:
        raise UserError(f"{name} 不是文本文件（含大量控制字符）")
    return text


def _parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UserError(f"日期格式错误：{value!r}（应为 YYYY-MM-DD，例如 2017-09-14）") from None


def _read_whitelist(file: str | None) -> list[str]:
    if not file:
        return []
    path = Path(file)
    if not path.is_file():
        raise UserError(f"找不到白名单文件：{file}")
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        raise UserError(f"白名单文件 {file} 无法读取（应为 UTF-8 文本，每行一个词，可加 TAB 和上下文）") from None
    return [ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]


def scan_lines(text: str, on_date: date | None, whitelist: list[str]) -> tuple[int, list[dict]]:
    """Findings of every line (1-based line numbers, character spans within the line)."""
    from govsite.engine.text import scan_text

    out: list[dict] = []
    lines = text.splitlines()
    for no, line in enumerate(lines, 1):
        for off in range(0, max(len(line), 1), MAX_LINE_CHARS):
            piece = line[off:off + MAX_LINE_CHARS]
            for f in scan_text(piece, on_date=on_date, site_whitelist=whitelist):
                d = f.to_json()
                d.pop("where", None)
                d["start"] += off
                d["end"] += off
                out.append({"line": no, **d})
    return len(lines), out


def register(main: click.Group) -> None:
    @main.group("text", help="文本检查（发布前审校）：严重错别字、重要词语、领导人姓名职务、违规内容。")
    def text_group() -> None:
        pass

    @text_group.command(
        "scan",
        help="检查文本文件 FILE（“-” 表示标准输入），每行一句或一段。\n\n"
             "退出码：0 = 未发现问题；1 = 发现问题；2 = 输入有误。",
    )
    @click.argument("file")
    @click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（每处问题含行号、字符位置、类别、疑似错误、建议）。")
    @click.option("--date", "on_date", metavar="YYYY-MM-DD", help="文稿日期，用于核对领导人当时的职务。")
    @click.option("--whitelist", metavar="FILE", help="本站白名单（每行一个已确认无误的词，可加 TAB 和上下文）。")
    def scan(file: str, as_json: bool, on_date: str | None, whitelist: str | None) -> None:
        day = _parse_date(on_date)
        white = _read_whitelist(whitelist)
        text = _read_input(file)
        try:
            nlines, findings = scan_lines(text, day, white)
        except ValueError as exc:  # a malformed data file of the lexicons
            raise UserError(f"词库文件有误：{exc}") from None
        if as_json:
            click.echo(json.dumps({"file": file, "lines": nlines, "count": len(findings), "findings": findings},
                                  ensure_ascii=False, indent=2))
        else:
            for f in findings:
                sugg = f"→“{f['suggestion']}”" if f["suggestion"] else "→ 建议删除"
                click.echo(f"第 {f['line']} 行 第 {f['start'] + 1}–{f['end']} 字 【{f['label']}】"
                           f"“{f['wrong']}”{sugg}：{f['message']}")
                click.echo(f"    上下文：{f['sentence'].strip()}")
            click.echo(f"共 {nlines} 行，发现 {len(findings)} 处问题。" if findings else f"共 {nlines} 行，未发现问题。")
        if findings:
            sys.exit(1)
