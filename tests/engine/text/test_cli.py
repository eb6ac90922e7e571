"""`govsite text scan FILE [--json]`: exit 0 clean, 1 with findings, 2 on bad input."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from govsite.cli import main

DRAFT = "第一段没有问题。\n县攻府召开会议，李克疆总理主持。\n\n国务院总理李克强出席。\n"


def run(args: list[str], stdin: bytes | None = None):  # noqa: ANN201 - click Result
    return CliRunner().invoke(main, ["text", "scan", *args], input=stdin)


def test_json_findings_with_lines_and_spans(tmp_path: Path) -> None:
    f = tmp_path / "draft.txt"
    f.write_text(DRAFT, encoding="utf-8")
    res = run([str(f), "--json", "--date", "2012-05-01"])
    assert res.exit_code == 1, res.output
    out = json.loads(res.output)
    assert out["lines"] == 4 and out["count"] == 3
    got = [(x["line"], x["start"], x["end"], x["category"], x["wrong"], x["suggestion"]) for x in out["findings"]]
    assert got[0] == (2, 1, 3, "confusion", "攻府", "政府")
    assert got[1] == (2, 8, 11, "near_miss", "李克疆", "李克强")
    assert got[2][:5] == (4, 0, 8, "leader_post", "国务院总理李克强")
    lines = DRAFT.splitlines()
    for x in out["findings"]:
        assert lines[x["line"] - 1][x["start"]:x["end"]] == x["wrong"]


def test_human_output_and_exit_codes(tmp_path: Path) -> None:
    res = run(["-"], DRAFT.encode("gbk"))  # GBK drafts are read too
    assert res.exit_code == 1
    assert "第 2 行 第 2–3 字 【易错词】“攻府”→“政府”" in res.output
    assert "发现 2 处问题" in res.output
    clean = run(["-"], "本通知自印发之日起施行。\n".encode())
    assert clean.exit_code == 0 and "未发现问题" in clean.output


def test_bad_input_exits_2_with_a_message(tmp_path: Path) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)) * 10)
    for args, stdin, msg in [
        ([str(tmp_path / "missing.txt")], None, "找不到文件"),
        ([str(junk)], None, "不是文本文件"),
        (["-"], b"\xff\xfe\xfd\x81\x30" * 10, "编码无法识别"),
        (["-", "--date", "2017-02-30"], "正文".encode(), "日期格式错误"),
        (["-", "--whitelist", str(tmp_path / "none.txt")], "正文".encode(), "找不到白名单文件"),
    ]:
        res = run(args, stdin)
        assert res.exit_code == 2, (args, res.output)
        assert msg in res.output
        assert "Traceback" not in res.output


def test_site_whitelist_file(tmp_path: Path) -> None:
    wl = tmp_path / "wl.txt"
    wl.write_text("# 本站确认\n攻府\n", encoding="utf-8")
    res = run(["-", "--whitelist", str(wl)], "县攻府召开会议。\n".encode())
    assert res.exit_code == 0, res.output


def test_long_line_and_malformed_lines(tmp_path: Path) -> None:
    text = ("无关内容" * 100_000) + "县攻府召开会议。\n\r\n\t\x0b\n"
    res = run(["-", "--json"], text.encode())
    assert res.exit_code == 1
    [x] = json.loads(res.output)["findings"]
    assert x["line"] == 1 and x["start"] == 400_001
