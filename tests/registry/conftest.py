"""Helpers for registry tests: valid sample rows and table files in the exchange format."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from govsite.registry.records import HEADERS

SMALL_COUNTS = {1: 90, 2: 32, 3: 64, 4: 40, 5: 120, 6: 60, 7: 50}


def row(**overrides: str) -> dict[str, str]:
    """A valid county-portal row (东丰县人民政府), changed by keyword (Chinese headers via dict)."""
    base = {
        "网站标识码": "2204210001", "网站名称": "东丰县人民政府", "首页网址": "http://www.dongfeng.gov.cn/",
        "域名": "www.dongfeng.gov.cn", "类别": "县级政府门户", "网站类型": "门户", "级别": "县级", "省": "吉林省",
        "市": "辽源市", "县": "东丰县", "国务院部门": "", "主办单位": "东丰县人民政府", "主办单位地址": "吉林省东丰县东丰镇",
        "承办单位": "东丰县政务公开办公室", "ICP备案编号": "吉ICP备05002117号", "公安机关备案号": "吉公网安备22042102000001号",
        "党政机关网站标识编号": "", "负责人姓名": "王伟", "负责人职务": "主任", "负责人办公电话": "0437-6222222",
        "负责人手机": "13900000000", "负责人邮箱": "", "联系人姓名": "李娜", "联系人职务": "", "联系人办公电话": "",
        "联系人手机": "13800000000", "联系人邮箱": "webmaster@dongfeng.gov.cn", "运行状态": "正常运行", "整合至": "",
        "迁移状态": "",
    }
    base.update(overrides)
    return base


def city_dept_row(**overrides: str) -> dict[str, str]:
    return row(**{"网站标识码": "1306000012", "网站名称": "保定市水利局", "首页网址": "http://slj.bd.gov.cn/",
                  "域名": "slj.bd.gov.cn", "类别": "5", "网站类型": "部门", "级别": "地市级", "省": "河北省", "市": "保定市",
                  "县": "", "主办单位": "保定市水利局", "主办单位地址": "", "ICP备案编号": "冀ICP备05003456号",
                  "公安机关备案号": "", "联系人邮箱": "", **overrides})


def ministry_row(**overrides: str) -> dict[str, str]:
    return row(**{"网站标识码": "bm21000001", "网站名称": "商务部", "首页网址": "http://www.mofcom.gov.cn/",
                  "域名": "www.mofcom.gov.cn", "类别": "1", "网站类型": "门户", "级别": "国务院部门", "省": "", "市": "",
                  "县": "", "国务院部门": "商务部", "主办单位": "商务部", "主办单位地址": "北京市东长安街2号",
                  "ICP备案编号": "京ICP备05004093号", "公安机关备案号": "", "联系人邮箱": "", **overrides})


def write_csv(path: Path, rows: list[dict[str, str]], encoding: str = "utf-8", headers: tuple[str, ...] = HEADERS) -> Path:
    with open(path, "w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        writer.writerow(headers)
        for r in rows:
            writer.writerow([r.get(h, "") for h in headers])
    return path


def write_xlsx(path: Path, rows: list[dict[str, str]]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(list(HEADERS))
    for r in rows:
        ws.append([r.get(h, "") for h in HEADERS])
    wb.save(path)
    return path


@pytest.fixture
def small_registry(db):
    """A small generated registry (all seven categories) applied through the import path."""
    from govsite.registry.generator import generate
    from govsite.registry.importer import apply_records
    from govsite.registry.index import RegistryIndex

    index = RegistryIndex()
    generated = generate(seed=7, counts=SMALL_COUNTS, violation_share=0.1, index=index)
    apply_records(generated.records, index, actor="tester")
    return generated
