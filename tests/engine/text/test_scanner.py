"""Serious-error and banned-vocabulary scanning on plain text."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from govsite.engine.text import load_lexicons, scan_text
from govsite.engine.text.lexicon import DATA_DIR

CASES = Path(__file__).with_name("cases.tsv")


def test_every_case_of_the_test_list_is_caught(bench) -> None:
    total, missed = bench.cases_eval(CASES)
    assert total >= 30
    assert missed == []


def test_finding_carries_span_sentence_category_and_suggestion() -> None:
    text = "第一句话没有问题。会议认真传达学习了习近乎同志重要讲话精神，研究部署贯彻落实意见。最后一句。"
    [f] = scan_text(text)
    assert (f.category, f.kind, f.wrong, f.suggestion) == ("near_miss", "shape", "习近乎", "习近平")
    assert text[f.start:f.end] == "习近乎"
    assert f.sentence == "会议认真传达学习了习近乎同志重要讲话精神，研究部署贯彻落实意见。"
    assert f.serious and "形近字" in f.label
    assert f.to_json()["label"] == f.label


@pytest.mark.parametrize("text", [
    "王洋同学在比赛中获得一等奖。",  # sounds like 汪洋, an ordinary name without a post
    "汪洋大海中的一叶扁舟。",  # the name itself used as a word
    "上海市市长表示要推广应用新技术。",  # 应用 sounds like 应勇
    "坚持公正司法，山东省省长出席会议。",  # 公正 sounds like 龚正 (a governor), but is an ordinary word
    "王冬明同志任县委书记。",  # sounds like a provincial leader, but a local post
    "严厉打击代开发票、网上赌博等违法犯罪活动。",  # reports on fighting banned things
    "坚决抵制黄色网站，净化网络环境，开展扫黄打非专项行动。",
    "深入学习贯彻习近平新时代中国特色社会主义思想和党的十九大精神，国务院总理李克强出席。",
    "全国人民代表大会常务委员会委员长栗战书、中华人民共和国主席习近平出席。",
    "为民服务解难题，改革放开搞活。",
    "召开党的十八大以来第一次会议，回顾党的九大。",
])
def test_ordinary_text_gives_no_finding(text: str) -> None:
    assert scan_text(text, on_date=date(2018, 6, 1)) == []


def test_leader_post_checked_against_the_date() -> None:
    text = "国务院总理李克强出席会议。"
    assert scan_text(text, on_date=date(2017, 9, 1)) == []
    [f] = scan_text(text, on_date=date(2012, 5, 1))
    assert f.category == "leader_post" and f.wrong == "国务院总理李克强"
    assert "国务院副总理" in f.suggestion
    # Without a date only a post never held is reported.
    assert scan_text(text) == []
    [never] = scan_text("韩正总理主持会议。")
    assert never.category == "leader_post" and "国务院副总理" in never.suggestion
    # A deputy is not the post itself, and the reverse.
    assert scan_text("国务院副总理韩正出席。", on_date=date(2019, 1, 1)) == []
    assert scan_text("习近平总书记指出。", on_date=date(2010, 1, 1))[0].category == "leader_post"
    assert scan_text("习近平同志总书记。", on_date=date(2018, 1, 1)) == []


def test_uncertain_dates_are_not_judged_but_short_titles_of_namesakes_are_ignored() -> None:
    # 李强 is a common name; "李强市长" is a namesake, never checked.
    assert scan_text("李强市长到社区调研。", on_date=date(2017, 5, 1)) == []
    # 上海市委书记 李强 from 2017-10-29 (sure): wrong in May 2017, right in 2018.
    assert scan_text("上海市委书记李强出席。", on_date=date(2018, 5, 1)) == []
    assert scan_text("上海市委书记李强出席。", on_date=date(2017, 5, 1))[0].category == "leader_post"


def test_known_miswriting_wins_over_overlapping_near_miss() -> None:
    [f] = scan_text("庆祝中华人民共合国成立。")
    assert (f.category, f.wrong, f.suggestion) == ("confusion", "中华人民共合国", "中华人民共和国")


def test_banned_vocabulary_categories() -> None:
    got = {(f.kind, f.wrong) for f in scan_text("裸聊视频一对一。北京赛车pk10开奖。法轮大法好。高价回收出售枪支。")}
    assert got == {("porn", "裸聊"), ("gambling", "北京赛车pk10"), ("reactionary", "法轮大法好"),
                   ("violent", "出售枪支")}
    assert all(not f.serious for f in scan_text("裸聊视频一对一。"))


def test_site_whitelist_with_and_without_context() -> None:
    text = "县攻府召开会议。"
    assert scan_text(text, site_whitelist=["攻府"]) == []
    assert scan_text(text, site_whitelist=["攻府\t别的上下文"]) != []
    assert scan_text(text, site_whitelist=["攻府\t召开会议"]) == []


def _copy_data(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    shutil.copytree(DATA_DIR, d)
    return d


def test_an_office_can_edit_the_lexicons(tmp_path: Path) -> None:
    d = _copy_data(tmp_path)
    with (d / "confusions.tsv").open("a", encoding="utf-8") as fh:
        fh.write("营商坏境\t营商环境\t本局补充\n")
    with (d / "whitelist.tsv").open("a", encoding="utf-8") as fh:
        fh.write("攻府\t\t已确认：古文引文\n")
    lex = load_lexicons(d)
    [f] = scan_text("优化营商坏境。县攻府。", lexicons=lex)
    assert (f.wrong, f.suggestion) == ("营商坏境", "营商环境")


def test_malformed_data_file_is_reported_with_file_and_line(tmp_path: Path) -> None:
    d = _copy_data(tmp_path)
    with (d / "leaders.tsv").open("a", encoding="utf-8") as fh:
        fh.write("某某\t国务院总理\t2017-02-30\t\tnational\tsure\n")
    with pytest.raises(ValueError, match="leaders.tsv"):
        load_lexicons(d)
    (d / "leaders.tsv").write_text("只有一列\n", encoding="utf-8")
    with pytest.raises(ValueError, match="第 1 行"):
        load_lexicons(d)


def test_bad_input_is_bounded_and_never_crashes() -> None:
    junk = "".join(chr(c) for c in range(0, 0x3000, 7)) + "\udc80\ud800" + "\x00" * 100
    assert isinstance(scan_text(junk), list)
    assert scan_text("") == []
    # A huge page full of matches: bounded number of findings, and the scan ends.
    huge = "县攻府召开会议。" * 300_000
    fs = scan_text(huge)
    assert 0 < len(fs) <= 500
    # Spans stay exact after astral characters and lone surrogates.
    text = "🎉\udc80县攻府"
    [f] = scan_text(text)
    assert text[f.start:f.end] == "攻府"


def test_realworld_article_text_gives_no_finding(bench) -> None:
    assert [(name, f.message) for name, f in bench.realworld_eval()] == []


def test_spans_are_character_offsets_whatever_precedes_them() -> None:
    """Match positions come from UTF-8 bytes: ASCII, CJK, four-byte characters and a lone
    surrogate before a finding must not shift its span in the text."""
    for prefix in ("", "abc ", "中文，", "😀😀 ", "\ud800x", "é中😀a\n"):
        text = prefix + "县攻府召开会议。"
        got = [f for f in scan_text(text) if f.wrong == "攻府"]
        assert got and text[got[0].start:got[0].end] == "攻府", prefix
