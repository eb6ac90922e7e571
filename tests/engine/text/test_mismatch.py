"""Title/body mismatch ("文不对题") and duplicate bodies."""

from __future__ import annotations

from govsite.engine.text import DuplicateIndex, body_fingerprint, check_title_body

TITLE = "关于开展2017年森林防火专项检查的通知"
BODY = ("为切实做好今冬明春森林防火工作，经研究，决定在全县范围内开展森林防火专项检查。"
        "各乡镇要加强野外火源管理，落实防火责任，确保不发生重大森林火灾。")


def test_matching_body_passes() -> None:
    assert check_title_body(TITLE, BODY) is None


def test_empty_and_placeholder_bodies() -> None:
    assert check_title_body(TITLE, "").kind == "empty_body"
    assert check_title_body(TITLE, "  \n　　。").kind == "empty_body"
    for body in ("测试", "测试测试测试", "待补充。", "Lorem ipsum dolor sit amet, consectetur adipiscing elit.", " TEST "):
        f = check_title_body(TITLE, body)
        assert f is not None and f.kind == "placeholder", body
        assert f.title == TITLE


def test_unrelated_body_reported_with_both_sides() -> None:
    body = "据统计，今年以来全县共发放养老服务补贴资金三百万元，惠及老年人两千余人，社区居家养老服务中心运行良好。"
    f = check_title_body(TITLE, body)
    assert f is not None and f.kind == "unrelated"
    assert f.overlap is not None and f.overlap < 0.2
    assert f.body_excerpt.startswith("据统计") and f.title == TITLE
    # A title with too little content to judge is not reported.
    assert check_title_body("通知", body) is None


def test_duplicate_bodies_across_pages() -> None:
    idx = DuplicateIndex()
    assert idx.add("http://a.gov.cn/1.html", TITLE, BODY) is None
    assert idx.add("http://a.gov.cn/1.html?x", TITLE, BODY) is None  # same title: the same article again
    f = idx.add("http://a.gov.cn/2.html", "关于做好防汛抗旱工作的通知", BODY.replace("，", ", "))
    assert f is not None and f.kind == "duplicate" and f.duplicate_of == "http://a.gov.cn/1.html"
    assert body_fingerprint("短文") is None
    assert body_fingerprint(BODY) == body_fingerprint(" ".join(BODY))


def test_content_characters_are_the_letters_and_digits_of_every_code_point() -> None:
    """content_chars keeps exactly the characters the earlier definition kept, those that
    re.sub(r"[\\s\\W_]+", "") does not delete, for every code point of this Python's Unicode."""
    import re

    from govsite.engine.text.mismatch import content_chars, core_title

    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    want = re.sub(r"[\s\W_]+", "", every)
    assert content_chars(every) == want and want == "".join(c for c in every if c.isalnum())
    assert content_chars("a_b 中，文\n1") == "ab中文1" and content_chars("") == ""
    # core_title remembers its last title: a new title is cut afresh, the same one comes back the same
    assert core_title("县政府召开常务会议_某某县人民政府") == "县政府召开常务会议"
    assert core_title("县政府召开常务会议_某某县人民政府") == "县政府召开常务会议"
    assert core_title("短_某某县人民政府") == "短_某某县人民政府"


def test_article_body_output_needs_no_second_look_for_title_headings() -> None:
    from govsite.engine.text.mismatch import article_body

    heading = f"{TITLE}  发布时间：2017-09-01"
    for lead, body_lines in ((f"9月5日，县政府召开会议，部署{TITLE[2:]}相关工作。", [BODY]),
                             ("据统计，今年以来全县共发放养老服务补贴资金三百万元，惠及老年人两千余人。", [])):
        text = "\n".join(["首页 > 通知公告", heading, lead, *body_lines, "主办：某某县人民政府"])
        body = article_body(text, TITLE + "_某某县人民政府")
        assert heading not in body and lead in body
        plain = check_title_body(TITLE, body)
        assert check_title_body(TITLE, body, chrome_free=True) == plain
    assert plain is not None and plain.kind == "unrelated"
