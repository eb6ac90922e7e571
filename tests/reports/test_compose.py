import datetime as dt

import pytest

from govsite.reports.compose import ComposeOptions, compose, default_deadline
from govsite.reports.data import Quarter, ReportDataError
from tests.reports.factory import make_notice


def test_section_one_states_the_data_in_the_notice_wording():
    notice = compose(make_notice(), ComposeOptions(issue_date=dt.date(2017, 11, 18)))
    one = notice.section("一、抽查情况")
    assert "截至2017年9月1日，全国正在运行的政府网站2681家。" in one
    assert "国务院部门及其内设、垂直管理机构政府网站10家，省级政府门户网站3家" in one
    assert "县级以下政府网站662家。" in one
    assert "政府网站39个，总体合格率92%，比2017年第二季度提高6个百分点。" in one
    assert "北京等2个地区政府网站抽查合格率为100%" in one
    assert "北京连续三个季度抽查合格率达100%" in one
    assert "吉林等地抽查合格率与第二季度相比明显上升" in one
    assert "各地区和1个国务院部门共抽查本地区、本部门政府网站1202个，占运行政府网站总数的45%，总体合格率94%。" in one
    assert "北京政府网站季度抽查比例超过70%。" in one
    assert "收到网民有效留言610条，总体办结率达97%。" in one
    assert "第二季度通报的5家不合格政府网站中，4家已完成整改，1家尚未完成整改（某县人民政府）" in one
    assert "3名有关责任人" not in one and "5名有关责任人被上级主管单位约谈，1人作出书面检查，1人被辞退。" in one


def test_missing_previous_quarter_is_not_available_never_zero():
    one = compose(make_notice(previous=False)).section("一、抽查情况")
    assert "2017年第二季度无抽查数据，合格率变化情况不可比" in one
    assert "提高0" not in one and "持平" not in one and "下降" not in one
    assert "连续三个季度" not in one and "明显上升" not in one


def test_section_two_names_sites_and_units():
    two = compose(make_notice()).section("二、主要问题")
    assert "（一）少数地区和部门落实《指引》要求不到位。" in two
    assert "部分国务院部门网站季度抽查比例未按《指引》要求达到30%。" in two
    assert "如吉林省东丰县政府门户网站名称仍为“中国·东丰政府公众信息网”。" in two
    assert "外交部等部门“我为政府网站找错”平台网民留言办结率低于70%。" in two
    assert "“福建农业信息网”以静态图片代替平台入口" in two
    assert "黑龙江省抚远市“抚远网上政务服务中心”网的“并联审批”栏目下20余项主题服务内容均为空。" in two
    assert "（三）" not in two  # no finding, no heading


def test_section_three_template_takes_the_deadline(tmp_path):
    data = make_notice()
    notice = compose(data, ComposeOptions(issue_date=dt.date(2017, 11, 18), deadline=dt.date(2017, 12, 28)))
    three = notice.section("三、工作要求")
    assert "请于12月28日前将整改情况、第四季度网站抽查情况" in three
    assert notice.deadline == dt.date(2017, 12, 28)
    assert default_deadline(Quarter.parse("2017Q3")) == dt.date(2017, 12, 20)
    assert default_deadline(Quarter.parse("2017Q4")) == dt.date(2018, 3, 20)
    custom = tmp_path / "t.txt"
    custom.write_text("截止${deadline}，报送${office}。", encoding="utf-8")
    three = compose(data, ComposeOptions(section3_template=custom)).section("三、工作要求")
    assert three == "截止12月20日，报送国务院办公厅政府信息与政务公开办公室。"
    custom.write_text("截止${unknown}", encoding="utf-8")
    with pytest.raises(ReportDataError, match="未知的占位符"):
        compose(data, ComposeOptions(section3_template=custom))


def test_deadline_before_issue_date_is_refused():
    with pytest.raises(ReportDataError, match="早于通报日期"):
        compose(make_notice(), ComposeOptions(issue_date=dt.date(2017, 11, 18), deadline=dt.date(2017, 11, 1)))


def test_title_attachments_and_signature():
    notice = compose(make_notice(), ComposeOptions(issue_date=dt.date(2017, 11, 18)))
    assert notice.title_lines == ["2017年第三季度", "全国政府网站抽查情况通报"]
    text = notice.plain_text()
    assert "附件：1.2017年第三季度各地区、各部门政府网站监管工作情况" in text
    assert "4.抽查发现存在突出问题的政府网站名单" in text
    assert text.rstrip().endswith("2017年11月18日")


def test_quarter_without_reviewed_sample_prints_no_rate():
    from govsite.reports.data import SampleFigures

    data = make_notice()
    data.sample = SampleFigures()
    for r in data.regions:
        r.sample = SampleFigures()
    for d in data.departments:
        d.sample = SampleFigures()
    one = compose(data).section("一、抽查情况")
    assert "未开展政府网站抽查或抽查结果尚未审定" in one and "合格率—" not in one
