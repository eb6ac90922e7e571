"""`govsite extract`: the facts of one saved page, so anyone can test extraction on real pages."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from govsite.cli.errors import UserError

MAX_BYTES = 20 * 1024 * 1024
_TYPE_ZH = {"news": "要闻动态", "notice": "通知公告", "policy": "政策文件", "personnel": "人事", "plan": "规划计划",
            "disclosure": "信息公开", "service": "办事服务", "interaction": "互动交流", "other": "其他"}
_JIUCUO_ZH = {"script": "官方脚本", "link_image": "链接图片", "static_image": "静态图片（无效）", "none": "无"}


def _looks_binary(data: bytes) -> bool:
    head = data[:4096]
    if not head:
        return False
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return False
    if b"\x00" in head:
        return True
    ctrl = sum(1 for b in head if b < 9 or 13 < b < 32)
    return ctrl > len(head) * 0.05


def _parse_as_of(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise UserError(f"--as-of 应为日期 YYYY-MM-DD，收到 {value!r}") from exc


def _summary(facts) -> str:  # noqa: ANN001 - PageFacts
    yes_no = lambda v: "有" if v else "无"  # noqa: E731
    lines = [
        f"页面: {facts.url}",
        f"标题: {facts.title or '（无）'}",
        f"网站名称: {facts.site_name or '（未识别）'}（来源: {facts.site_name_source or '-'}）",
        f"网站标识码: {facts.site_code or '（无）'}"
        + (f"  各处: {', '.join(f'{k}={v}' for k, v in facts.site_code_sources.items())}" if facts.site_code_sources else ""),
        f"找错入口: {_JIUCUO_ZH.get(facts.jiucuo_entry, facts.jiucuo_entry)}",
        f"党政机关标识: {yes_no(facts.conac_badge)}",
        f"ICP备案: {facts.icp or '（无）'}",
        f"公安备案: {facts.police_record or '（无）'}",
        f"主办单位: {facts.sponsor or '（无）'}    承办单位: {facts.operator or '（无）'}",
        f"联系方式: {facts.contact or '（无）'}",
    ]
    if facts.article_pub_date:
        lines.append(f"发布日期: {facts.article_pub_date.isoformat()}")
    if facts.pagination:
        lines.append(f"分页: 第 {facts.pagination['page']} 页 / 共 {facts.pagination['pages']} 页")
    if facts.service_guide_elements:
        lines.append("办事指南要素: " + "、".join(facts.service_guide_elements))
    lines.append(f"栏目: {len(facts.columns)} 个" + ("（导航型首页）" if facts.is_hub else ""))
    for c in facts.columns:
        latest = c.latest_date.isoformat() if c.latest_date else "无日期"
        blank = "  【空白栏目】" if not c.items else ""
        lines.append(f"  - {c.name} [{_TYPE_ZH.get(c.type, c.type)}] 条目 {c.item_count}，最新 {latest}{blank}")
    lines.append(f"链接: {len(facts.links)} 个（隐藏 {sum(1 for lk in facts.links if lk.hidden)} 个）")
    return "\n".join(lines)


def register(main: click.Group) -> None:
    @main.command("extract")
    @click.argument("file", type=click.Path(path_type=Path))
    @click.option("--url", required=True, help="页面的原始地址（用于解析相对链接）")
    @click.option("--as-of", "as_of", default=None, help="参照日期 YYYY-MM-DD（推断只有月日的日期的年份）")
    @click.option("--encoding", default=None, help="已知的字符编码（如 HTTP 头所给）")
    @click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（键见 DESIGN.md）")
    def extract_cmd(file: Path, url: str, as_of: str | None, encoding: str | None, as_json: bool) -> None:
        """读取一个保存的网页，输出其页面要素（网站名称、标识码、找错入口、栏目及最新日期等）。"""
        from govsite.engine.extract import extract_page

        ref = _parse_as_of(as_of)
        if not file.exists():
            raise UserError(f"文件不存在: {file}")
        if file.is_dir():
            raise UserError(f"应为网页文件，而不是目录: {file}")
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise UserError(f"无法读取文件 {file}: {exc.strerror or exc}") from exc
        if len(data) > MAX_BYTES:
            raise UserError(f"文件过大（{len(data)} 字节，上限 {MAX_BYTES}）: {file}")
        if not data.strip():
            raise UserError(f"文件为空: {file}")
        if _looks_binary(data):
            raise UserError(f"不是 HTML 网页（看起来是二进制文件）: {file}")
        if not url.lower().startswith(("http://", "https://")):
            raise UserError(f"--url 应为 http(s) 地址，收到 {url!r}")
        try:
            facts = extract_page(data, url, as_of=ref, encoding=encoding)
        except LookupError as exc:
            raise UserError(f"未知的字符编码: {encoding}") from exc
        if as_json:
            click.echo(json.dumps(facts.to_json(), ensure_ascii=False, indent=2))
        else:
            click.echo(_summary(facts))
