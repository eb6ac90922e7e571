"""Interaction (V15-5, D15-5…7, V19-5) from small pages through the real extractor and observer."""

from __future__ import annotations

from datetime import date

import pytest

from govsite.engine.crawl import PageRecord
from govsite.engine.extract import extract_page
from govsite.engine.indicators.interaction import (
    InteractionObserver,
    column_kind,
    list_statuses,
    parse_message,
)
from govsite.engine.rulesets import load_ruleset

AS_OF = date(2017, 9, 14)
BASE = "http://www.ceshi.gov.cn"


@pytest.fixture(scope="module")
def rs():
    return load_ruleset("RS2015")


def page(col: str, body: str, meta: bool = True, title: str | None = None) -> str:
    m = f'<meta name="ColumnName" content="{col}">' if meta else ""
    if title:
        m += f'<meta name="ArticleTitle" content="{title}">'
    return (f'<html><head><title>{title or col}_测试县人民政府</title>{m}</head><body>'
            '<div class="nav"><ul><li><a href="/">首页</a></li></ul></div>'
            f'<div class="main">{body}</div><div class="footer">主办：测试县人民政府</div></body></html>')


def list_page(col: str, path: str, rows: list[tuple[str, str, str | None]], meta: bool = True) -> str:
    lis = "".join(
        f'<li><a href="{path}{i}.html" title="{t}">{t}</a>'
        + (f'<span class="status">状态：{s}</span>' if s else "")
        + (f'<span class="date">{d}</span>' if d else "") + "</li>"
        for i, (t, d, s) in enumerate(rows))
    return page(col, f'<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="{path}">{col}</a></div>'
                     f'<h2 class="column-title">{col}</h2><ul class="list">{lis}</ul>', meta)


def feed(obs: InteractionObserver, url: str, html: str, depth: int = 1) -> None:
    facts = extract_page(html, url, as_of=AS_OF)
    obs(facts, PageRecord(url=url, depth=depth, status=200, error=None, elapsed=0.0, html=True))


def home_with(*links: tuple[str, str]) -> str:
    lis = "".join(f'<li><a href="{h}">{t}</a></li>' for t, h in links)
    return page("首页", f'<div class="sub-nav"><ul>{lis}</ul></div>')


def test_column_names_by_kind():
    assert column_kind("咨询投诉") == "consult"
    assert column_kind("县长信箱") == "consult"
    assert column_kind("意见征集") == "survey"
    assert column_kind("在线访谈") == "interview"
    # petitions, discipline reports and statistics surveys are not interaction columns of these kinds
    assert column_kind("信访举报") is None
    assert column_kind("统计调查") is None
    assert column_kind("调查数据") is None
    # an article title that mentions 征集 is not a column name
    assert column_kind("关于征集2017年为民办实事项目建议的公告") is None


def test_message_detail_dates_and_status():
    answered = parse_message("来信标题：道路破损\n来信时间：2017-05-02\n内容\n答复单位：县交通局\n答复时间：2017-05-10\n已修复")
    assert answered["asked"] == date(2017, 5, 2) and answered["replied"] == date(2017, 5, 10)
    assert answered["status"] == "answered"
    open_ = parse_message("来信标题：噪音\n留言时间：2017年5月2日\n希望尽快答复\n尚未答复")
    assert open_["asked"] == date(2017, 5, 2) and open_["status"] == "unanswered" and open_["replied"] is None
    # an unreadable date is kept as text, never guessed
    bad = parse_message("来信时间：2017-13-45\n尚未答复")
    assert bad["asked"] is None and bad["raw_asked"] == "2017-13-45"


def test_list_statuses_follow_their_items():
    text = "咨询投诉\n甲问题标题一\n状态：已答复\n2017-09-01\n乙问题标题二\n2017-05-02\n丙问题标题三\n状态：未答复\n2016-12-20"
    assert list_statuses(text, ["甲问题标题一", "乙问题标题二", "丙问题标题三"]) == ["answered", None, "unanswered"]
    # a title cut short on the list (the full one is in the link's title attribute)
    text = "小区附近施工噪音扰民晚上…\n状态：未回复\n2017-05-02"
    assert list_statuses(text, ["小区附近施工噪音扰民晚上十点以后还在施工"]) == ["unanswered"]


def test_unanswered_message_over_three_months_is_a_veto(rs):
    obs = InteractionObserver()
    feed(obs, BASE + "/", home_with(("咨询投诉", "/hdjl/zxzx/")), depth=0)
    feed(obs, BASE + "/hdjl/zxzx/", list_page("咨询投诉", "/hdjl/zxzx/", [
        ("请问城乡医疗保险补贴什么时候发放？", "2017-09-01", "未答复"),  # recent: not late yet
        ("小区附近施工噪音扰民希望尽快处理", "2017-05-02", "未答复"),  # > 3 months: the veto
        ("我村道路破损严重什么时候修缮", "2016-12-20", "已答复"),
        ("去年的老问题已经过了一年多", "2016-06-01", "未答复"),  # outside the 1-year window
    ]))
    v = obs.v15_5(rs, AS_OF)
    assert v.status == "veto"
    assert "1 条" in v.summary
    assert v.evidence[0]["url"] == BASE + "/hdjl/zxzx/1.html"
    assert "小区附近施工噪音扰民希望尽快处理" in v.evidence[0]["detail"] and "2017-05-02" in v.evidence[0]["detail"]
    d5 = obs.d15_5(rs, AS_OF, None)
    assert d5.status == "ok"


def test_detail_page_reply_overrides_list_and_late_reply_counts(rs):
    obs = InteractionObserver()
    feed(obs, BASE + "/hdjl/zxzx/", list_page("县长信箱", "/hdjl/zxzx/", [
        ("小区附近施工噪音扰民希望尽快处理", "2017-05-02", None),
        ("我村道路破损严重什么时候修缮", "2017-01-05", None),
    ]))
    # first: answered in time (detail page); second: answered 4 months later
    feed(obs, BASE + "/hdjl/zxzx/0.html", page("县长信箱", "<h1>噪音</h1><p>来信时间：2017-05-02</p><p>答复时间：2017-05-09</p>",
                                                title="小区附近施工噪音扰民希望尽快处理"), depth=2)
    feed(obs, BASE + "/hdjl/zxzx/1.html", page("县长信箱", "<h1>道路</h1><p>来信时间：2017-01-05</p><p>回复时间：2017-05-20</p>",
                                                title="我村道路破损严重什么时候修缮"), depth=2)
    v = obs.v15_5(rs, AS_OF)
    assert v.status == "veto"
    assert len(v.evidence) == 1 and v.evidence[0]["url"] == BASE + "/hdjl/zxzx/1.html"
    assert "2017-05-20" in v.evidence[0]["detail"]


def test_message_list_without_dates_is_reported_not_guessed(rs):
    obs = InteractionObserver()
    feed(obs, BASE + "/hdjl/zxzx/", list_page("咨询投诉", "/hdjl/zxzx/", [
        ("小区附近施工噪音扰民希望尽快处理", None, "未答复"),
        ("我村道路破损严重什么时候修缮", None, "未答复"),
    ]))
    v = obs.v15_5(rs, AS_OF)
    assert v.status == "error" and "无日期" in v.summary
    assert any("未显示日期" in e["detail"] for e in v.evidence)
    d5 = obs.d15_5(rs, AS_OF, None)
    assert d5.status == "error" and d5.points == 0.0


def test_no_consultation_column_deducts_and_is_a_2019_veto(rs):
    obs = InteractionObserver()
    feed(obs, BASE + "/", home_with(("政务要闻", "/xwzx/zwyw/"), ("意见征集", "/hdjl/zjdc/")), depth=0)
    d5 = obs.d15_5(rs, AS_OF, None)
    assert d5.status == "deduct" and d5.points == -5.0 and "未开设" in d5.summary
    assert d5.evidence[0]["url"] == BASE + "/"  # the home page an inspector opens to confirm it
    assert obs.v15_5(rs, AS_OF).status == "ok"  # RS2015: a deduction, not the veto
    v19 = obs.v19_5(load_ruleset("RS2019"), AS_OF)
    assert v19.status == "veto"


@pytest.mark.parametrize(("portal", "count", "status", "points"), [
    (True, 4, "deduct", -3.0),  # portal: fewer than 6 a year
    (False, 4, "ok", 0.0),  # other sites: 3 a year is enough
    (False, 2, "deduct", -3.0),
    (True, 0, "deduct", -5.0),  # no activity within the year
])
def test_survey_activities_against_thresholds(rs, portal, count, status, points):
    rows = [(f"关于第{i + 1}项工作公开征求意见的公告", f"2017-0{i + 1}-15", None) for i in range(count)]
    rows.append(("关于二〇一五年工作公开征求意见的公告", "2015-06-01", None))
    obs = InteractionObserver()
    feed(obs, BASE + "/hdjl/zjdc/", list_page("意见征集", "/hdjl/zjdc/", rows))
    f = obs.findings(rs, AS_OF, portal=portal)[2]
    assert f.id == "D15-6" and f.status == status and f.points == points
    if status == "deduct" and count:
        assert f"仅开展活动 {count} 次" in f.summary
    if count == 0:
        assert "未开展活动" in f.summary


def test_missing_interview_column_costs_nothing_but_empty_one_does(rs):
    obs = InteractionObserver()
    feed(obs, BASE + "/", home_with(("咨询投诉", "/hdjl/zxzx/")), depth=0)
    d7 = obs.findings(rs, AS_OF, portal=True)[3]
    assert d7.id == "D15-7" and d7.status == "ok" and "未开设" in d7.summary
    feed(obs, BASE + "/hdjl/zxft/", list_page("在线访谈", "/hdjl/zxft/", [("县交通局负责人做客在线访谈谈道路建设", "2016-03-01", None)]))
    d7 = obs.findings(rs, AS_OF, portal=True)[3]
    assert d7.status == "deduct" and d7.points == -5.0


def test_article_titles_mentioning_surveys_do_not_make_a_column(rs):
    obs = InteractionObserver()
    html = page("通知公告", '<h2 class="column-title">通知公告</h2><ul class="list">'
                        '<li><a href="/tzgg/1.html">县里开展意见征集活动</a><span class="date">2017-09-01</span></li>'
                        '<li><a href="/tzgg/2.html">县政府关于春节放假的通知</a><span class="date">2017-01-20</span></li></ul>')
    feed(obs, BASE + "/tzgg/", html)
    assert not obs.columns["survey"]


# -- end to end through check_site on the local test site ---------------------------------------
async def _check_site(site, ruleset: str | None = None) -> dict:
    from datetime import datetime

    from govsite.engine.check import CheckOptions, SiteTarget, check_site
    from tests.engine.sitekit import HOST, serve_site

    srv = await serve_site(site)
    try:
        target = SiteTarget(f"{site.base()}/", name=site.name, code=site.code, category=6)
        opts = CheckOptions(as_of=datetime(2017, 9, 14, 23, 0), allow_private=True, resolve={(HOST, srv.port): "127.0.0.1"},
                            check_external=False, ruleset=ruleset)
        return await check_site(target, opts)
    finally:
        await srv.__aexit__()


def _ind(rep: dict, fid: str) -> dict:
    return next(i for i in rep["indicators"] if i["id"] == fid)


async def test_check_site_reports_interaction_columns():
    from tests.engine.sitekit import Site

    rep = await _check_site(Site())
    for fid in ("V15-5", "D15-5", "D15-6", "D15-7"):
        assert _ind(rep, fid)["status"] == "ok", _ind(rep, fid)
    assert "6 次" in _ind(rep, "D15-6")["summary"]
    rep = await _check_site(Site(interaction=False))
    assert _ind(rep, "D15-5")["status"] == "deduct" and _ind(rep, "D15-5")["points"] == -5.0
    assert _ind(rep, "D15-6")["points"] == -5.0 and _ind(rep, "D15-7")["points"] == 0.0
    # RS2019: no consultation channel is a veto; the column deductions land on D19-7/D19-8
    rep = await _check_site(Site(interaction=False), ruleset="RS2019")
    assert _ind(rep, "V19-5")["status"] == "veto" and "V19-5" in rep["vetoes"]
    assert [i["id"] for i in rep["indicators"]].count("D19-8") == 1
    assert _ind(rep, "D19-8")["points"] == -5.0 and _ind(rep, "D19-7")["points"] == -5.0


def test_consultation_column_outside_the_crawl_cannot_be_judged(rs):
    obs = InteractionObserver()
    feed(obs, BASE + "/", home_with(("县长信箱", "http://hdjl.ceshi.gov.cn/xx/")), depth=0)
    v = obs.v15_5(rs, AS_OF)
    assert v.status == "error" and v.evidence[0]["url"] == "http://hdjl.ceshi.gov.cn/xx/"
    assert obs.d15_5(rs, AS_OF, None).status == "error"  # exists, but its use cannot be judged


def test_enormous_undated_list_keeps_bounded_records(rs):
    rows = [(f"第{i}个关于道路维修问题的咨询留言", None if i % 2 else "2017-13-45", "未答复") for i in range(3000)]
    obs = InteractionObserver()
    feed(obs, BASE + "/hdjl/zxzx/", list_page("咨询投诉", "/hdjl/zxzx/", rows))
    assert len(obs.messages) <= 1000 and len(obs.undated["consult"]) <= 10
    v = obs.v15_5(rs, AS_OF)
    assert v.status == "error" and len(v.evidence) <= 20  # never a veto from dates that could not be read


# -- RS2019 D19-7: reply timeliness (replies not updated in 2 months, slow replies) ---------------
@pytest.fixture(scope="module")
def rs19():
    return load_ruleset("RS2019")


def letter(title: str, asked: str, replied: str | None) -> str:
    reply = f"<p>答复单位：县交通局</p><p>答复时间：{replied}</p><p>已处理</p>" if replied else "<p>尚未答复</p>"
    return page("县长信箱", f"<h1>{title}</h1><p>来信时间：{asked}</p>{reply}", title=title)


def mailbox(obs: InteractionObserver, rows: list[tuple[str, str, str | None, str | None]], *, details: bool = True,
            as_of: date = AS_OF) -> None:
    """A 县长信箱 list (title, asked, list status, reply date) and, with `details`, each message page."""
    html = list_page("县长信箱", "/hdjl/zxzx/", [(t, a, s) for t, a, s, _ in rows])
    facts = extract_page(html, BASE + "/hdjl/zxzx/", as_of=as_of)
    obs(facts, PageRecord(url=BASE + "/hdjl/zxzx/", depth=1, status=200, error=None, elapsed=0.0, html=True))
    if details:
        for i, (t, a, s, r) in enumerate(rows):
            if s != "未答复":
                facts = extract_page(letter(t, a, r), f"{BASE}/hdjl/zxzx/{i}.html", as_of=as_of)
                obs(facts, PageRecord(url=f"{BASE}/hdjl/zxzx/{i}.html", depth=2, status=200, error=None, elapsed=0.0,
                                      html=True))


def d19_7(obs: InteractionObserver, rs, rs19, as_of: date = AS_OF):
    return obs.d19_7(rs19, as_of, obs.d15_5(rs, as_of, None))


def test_replies_not_updated_in_two_months_deduct_d19_7(rs, rs19):
    obs = InteractionObserver()
    mailbox(obs, [
        ("请问城乡医疗保险补贴什么时候发放", "2017-08-30", "未答复", None),  # recent and still open (no veto yet)
        ("小区附近施工噪音扰民希望尽快处理", "2017-06-20", "已答复", "2017-06-23"),  # the newest reply: before 07-14
        ("我村道路破损严重什么时候修缮", "2017-03-02", "已答复", "2017-03-06"),
    ])
    f = d19_7(obs, rs, rs19)
    assert f.id == "D19-7" and f.status == "deduct"
    assert f.points == -float(rs19.rule("D19-7").get("points_late_reply")) == -3.0
    ev = next(e for e in f.evidence if "答复未更新" in e["detail"])
    assert ev["url"] == BASE + "/hdjl/zxzx/" and "2017-06-23" in ev["detail"] and "「县长信箱」" in ev["detail"]
    assert "超过 2 个月未更新答复" in f.summary
    # the same column with a reply after the line is fine; so is an answered message asked after it
    # (its reply, wherever it is dated, came after the line)
    for extra in (("关于公交线路调整的咨询留言", "2017-08-01", "已答复", "2017-08-03"),
                  ("关于公交线路调整的咨询留言", "2017-08-01", "已答复", None)):
        obs = InteractionObserver()
        mailbox(obs, [extra, ("我村道路破损严重什么时候修缮", "2017-03-02", "已答复", "2017-03-06")],
                details=extra[3] is not None)
        f = d19_7(obs, rs, rs19)
        assert f.status == "ok" and f.points == 0.0, f


def test_stale_replies_not_judged_when_a_reply_date_is_unknown(rs, rs19):
    # the list says 已答复 but the message pages were not read: a newer reply may exist
    obs = InteractionObserver()
    mailbox(obs, [("小区附近施工噪音扰民希望尽快处理", "2017-06-20", "已答复", None),
                  ("我村道路破损严重什么时候修缮", "2017-03-02", "已答复", None)], details=False)
    f = d19_7(obs, rs, rs19)
    assert f.status == "ok" and f.points == 0.0
    assert "无法判断" in f.summary and any("答复日期不明" in e["detail"] for e in f.evidence)


def test_stale_column_already_vetoed_is_not_deducted_again(rs, rs19):
    obs = InteractionObserver()
    mailbox(obs, [("小区附近施工噪音扰民希望尽快处理", "2017-05-02", "未答复", None),  # > 3 months: V19-5
                  ("我村道路破损严重什么时候修缮", "2017-03-02", "已答复", "2017-03-06")])
    assert obs.v19_5(rs19, AS_OF).status == "veto"
    f = d19_7(obs, rs, rs19)
    assert f.status == "ok" and f.points == 0.0


def test_slow_replies_counted_in_prc_working_days(rs, rs19):
    as_of = date(2017, 10, 20)
    obs = InteractionObserver()
    mailbox(obs, [
        ("国庆前的咨询长假后答复的留言", "2017-09-29", "已答复", "2017-10-09"),  # 10 days, 2 working days (09-30 调休)
        ("五一后的咨询隔了一周多答复的", "2017-05-02", "已答复", "2017-05-10"),  # 6 working days: slow
        ("三天内答复的普通咨询留言一则", "2017-10-09", "已答复", "2017-10-12"),
        ("四个月后才答复的咨询留言一则", "2017-03-01", "已答复", "2017-07-10"),  # V19-5's, not a slow reply
        ("回复的日子写错了的咨询留言", "2017-08-01", "已答复", "2017-08-45"),  # unreadable: reported
    ], as_of=as_of)
    f = d19_7(obs, rs, rs19, as_of)
    slow = [e for e in f.evidence if "个工作日（超过" in e["detail"]]
    assert [e["url"] for e in slow] == [BASE + "/hdjl/zxzx/1.html"]
    assert "相隔 6 个工作日" in slow[0]["detail"] and "2017-05-02" in slow[0]["detail"]
    assert f.status == "deduct" and f.points == -float(rs19.rule("D19-7").get("points_slow_reply"))
    assert "1 条留言超过 5 个工作日才答复" in f.summary
    assert any(e["url"] == BASE + "/hdjl/zxzx/4.html" and "2017-08-45" in e["detail"] for e in f.evidence)
    v = obs.v19_5(rs19, as_of)
    assert v.status == "veto" and any(e["url"] == BASE + "/hdjl/zxzx/3.html" for e in v.evidence)


def test_reply_in_a_year_the_holiday_calendar_lacks_is_reported_not_guessed(rs, rs19):
    as_of = date(2031, 3, 1)
    obs = InteractionObserver()
    mailbox(obs, [("二〇三一年的咨询留言一则测试", "2031-02-02", "已答复", "2031-02-20"),
                  ("二〇三一年的另一则咨询留言", "2031-02-10", "已答复", "2031-02-12")], as_of=as_of)
    f = d19_7(obs, rs, rs19, as_of)
    assert f.points == 0.0 and any("节假日安排不在日历中" in e["detail"] for e in f.evidence)


def test_d19_7_deductions_stay_within_its_cap(rs, rs19):
    rows = [(f"第{i}条隔了很久才答复的咨询留言", f"2017-0{4 + i % 3}-0{1 + i % 5}", "已答复", None) for i in range(12)]
    rows = [(t, a, s, f"{a[:8]}2{a[-1]}") for t, a, s, _ in rows]  # day 1-5 -> 21-25: > 5 working days
    rows.append(("请问城乡医疗保险补贴什么时候发放", "2017-09-01", "未答复", None))
    obs = InteractionObserver()
    mailbox(obs, rows)
    f = d19_7(obs, rs, rs19)
    cap = float(rs19.rule("D19-7").get("cap"))
    assert f.status == "deduct" and f.points == -cap
    assert sum("个工作日（超过" in e["detail"] for e in f.evidence) == 12
    assert "超过 2 个月未更新答复" in f.summary  # newest reply 2017-06-25 < 2017-07-14


def test_no_channel_d19_7_is_d15_5_alone(rs, rs19):
    obs = InteractionObserver()
    feed(obs, BASE + "/", home_with(("政务要闻", "/xwzx/zwyw/")), depth=0)
    f = d19_7(obs, rs, rs19)
    assert f.status == "deduct" and f.points == -5.0 and "未开设" in f.summary


async def test_check_site_rs2019_reply_timeliness_end_to_end():
    from tests.engine.sitekit import Site

    rep = await _check_site(Site(), ruleset="RS2019")
    d7 = _ind(rep, "D19-7")
    assert [i["id"] for i in rep["indicators"]].count("D19-7") == 1
    assert d7["status"] == "ok" and "均在 5 个工作日内答复" in d7["summary"]
    rep = await _check_site(Site())  # RS2015 reports have no D19-7
    assert not any(i["id"] == "D19-7" for i in rep["indicators"])
