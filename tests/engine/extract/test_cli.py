"""`govsite extract FILE --url URL [--as-of] [--json]`: the DESIGN.md keys, a Chinese summary,
clear errors for bad input."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from govsite.cli import main

URL = "http://www.example.gov.cn/index.html"
PAGE = """<html><head><meta charset="utf-8"><meta name="SiteName" content="示例县人民政府"></head><body>
<div class="box"><div class="hd"><h3><a href="/zwyw/">政务要闻</a></h3></div>
<ul><li><a href="/zwyw/1.html">县委常委会召开专题会议研究部署工作</a><span>[12-28]</span></li></ul></div>
<div class="footer"><p>主办单位：示例县人民政府　网站标识码：2204210001　吉ICP备05001234号</p>
<script id="_jiucuo_" sitecode="2204210001" src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js"></script></div>
</body></html>"""


@pytest.fixture()
def page_file(tmp_path: Path) -> Path:
    p = tmp_path / "index.html"
    p.write_text(PAGE, encoding="utf-8")
    return p


def test_json_has_design_keys(page_file: Path) -> None:
    r = CliRunner().invoke(main, ["extract", str(page_file), "--url", URL, "--as-of", "2018-01-05", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    for key in ("site_name", "site_code", "jiucuo_entry", "conac_badge", "icp", "police_record", "sponsor",
                "columns", "dates_found", "service_guide_elements"):
        assert key in data
    assert data["site_code"] == "2204210001" and data["jiucuo_entry"] == "script"
    assert data["columns"][0] == {"name": "政务要闻", "url": "http://www.example.gov.cn/zwyw/", "type": "news",
                                  "latest_date": "2017-12-28", "item_count": 1}


def test_readable_summary_in_chinese(page_file: Path) -> None:
    r = CliRunner().invoke(main, ["extract", str(page_file), "--url", URL])
    assert r.exit_code == 0
    assert "网站标识码: 2204210001" in r.output and "找错入口: 官方脚本" in r.output and "政务要闻" in r.output


@pytest.mark.parametrize(
    "content, args, message",
    [
        (None, ["--url", URL], "文件不存在"),
        (b"", ["--url", URL], "文件为空"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, ["--url", URL], "不是 HTML"),
        (PAGE.encode(), ["--url", URL, "--as-of", "2018-13-45"], "--as-of"),
        (PAGE.encode(), ["--url", "ftp://x"], "--url"),
    ],
)
def test_bad_input_is_a_clear_error(tmp_path: Path, content: bytes | None, args: list[str], message: str) -> None:
    p = tmp_path / "x.html"
    if content is not None:
        p.write_bytes(content)
    r = CliRunner().invoke(main, ["extract", str(p), *args, "--json"])
    assert r.exit_code == 2
    assert "错误" in r.output and message in r.output
    assert "Traceback" not in r.output


def test_directory_is_a_clear_error(tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["extract", str(tmp_path), "--url", URL])
    assert r.exit_code == 2 and "目录" in r.output


def test_text_that_is_not_html_gives_empty_facts(tmp_path: Path) -> None:
    p = tmp_path / "notes.txt"
    p.write_text("这不是网页，只是一些文字。", encoding="utf-8")
    r = CliRunner().invoke(main, ["extract", str(p), "--url", URL, "--json"])
    assert r.exit_code == 0
    data = json.loads(r.output)
    assert data["columns"] == [] and data["site_code"] is None
