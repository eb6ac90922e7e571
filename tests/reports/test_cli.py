"""The `govsite report` / `govsite fixture` commands, and the reproduction of the seed notice."""

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from govsite.cli import main

SEED = Path(__file__).resolve().parents[2].parent / "shared" / "spec" / "000_d95ef5031bd55667.txt"


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_unknown_quarter_is_a_clear_error(tmp_path):
    r = run("report", "2017Q9", "--out", str(tmp_path / "o"))
    assert r.exit_code == 2 and "错误: 未知的季度“2017Q9”" in r.output
    assert "Traceback" not in r.output and not (tmp_path / "o").exists()
    r = run("fixture", "load", "Q3")
    assert r.exit_code == 2 and "未知的季度" in r.output


def test_bad_deadline_is_a_clear_error(tmp_path):
    r = run("report", "2017Q3", "--out", str(tmp_path), "--deadline", "next week")
    assert r.exit_code == 2 and "整改期限“next week”格式不正确" in r.output
    r = run("report", "2017Q3", "--out", str(tmp_path), "--deadline", "2017-02-30")
    assert r.exit_code == 2 and "不是有效日期" in r.output


@pytest.mark.django_db
def test_empty_registry_is_a_clear_error(tmp_path):
    r = run("report", "2017Q3", "--out", str(tmp_path / "o"))
    assert r.exit_code == 2 and "没有正在运行的政府网站" in r.output
    assert not (tmp_path / "o").exists()


@pytest.mark.django_db
def test_quarter_without_data_is_a_clear_error(tmp_path):
    from govsite.registry.models import Organization, Region, Site

    region = Region.objects.get(code="110101")
    org = Organization.objects.create(name="北京市东城区人民政府", region=region)
    Site.objects.create(code="1101010001", name="北京市东城区人民政府", home_url="http://www.bjdch.gov.cn/",
                        category=6, site_class="portal", level="county", region=region, sponsor=org)
    r = run("report", "2018Q1", "--out", str(tmp_path / "o"))
    assert r.exit_code == 2 and "2018年第一季度没有数据" in r.output


@pytest.mark.django_db
def test_fixture_for_another_quarter_is_refused():
    r = run("fixture", "load", "2016Q1")
    assert r.exit_code == 2 and "没有2016Q1的样例数据" in r.output
    from govsite.registry.models import Site

    assert not Site.objects.exists()


def _section_one(docx: Path) -> str:
    texts = [p.text for p in Document(str(docx)).paragraphs]
    start, end = texts.index("一、抽查情况"), texts.index("二、主要问题")
    # Without the chart paragraphs (an image and its caption 图N) placed after the section's text.
    return "\n".join(t for t in texts[start + 1:end] if t and not t.startswith("图"))


@pytest.mark.slow
@pytest.mark.django_db
def test_reproduction_of_the_seed_notice(tmp_path):
    r = run("fixture", "load", "2017Q3")
    assert r.exit_code == 0, r.output
    out = tmp_path / "out"
    r = run("report", "2017Q3", "--out", str(out), "--formats", "docx,xlsx,html")
    assert r.exit_code == 0, r.output
    one = _section_one(out / "notice-2017Q3.docx")
    # Every number of the seed's section 一 (issue 8, point 3), in the notice's sentences.
    assert "全国正在运行的政府网站29431家" in one
    counts = re.findall(r"(\d+)家", one.split("其中，", 1)[1].split("。", 1)[0])
    assert counts == ["1972", "32", "2501", "531", "15219", "2770", "6406"]
    assert "政府网站500个，总体合格率97%，比2017年第二季度提高3个百分点" in one
    assert "北京等22个地区政府网站抽查合格率为100%" in one
    assert "北京、天津、海南、新疆生产建设兵团连续三个季度抽查合格率达100%" in one
    assert "吉林、青海等地抽查合格率与第二季度相比明显上升" in one
    assert "各地区和71个国务院部门共抽查本地区、本部门政府网站12466个，占运行政府网站总数的42%，总体合格率94%" in one
    assert "北京、河北、山西、海南和烟草局政府网站季度抽查比例超过70%" in one
    assert "收到网民有效留言14210条，总体办结率达98%" in one
    assert "内蒙古、上海、江苏、环境保护部等17个地区和部门留言按期办结率达100%" in one
    assert "抽查未发现政府网站刊登商业广告情形，第二季度通报的不合格政府网站已完成整改" in one
    assert ("183名有关责任人被上级主管单位约谈，33人作出书面检查，11人被通报批评，6人受到警告或记过处分，"
            "5人被调离岗位或免职") in one
    if SEED.exists():  # the seed's own section 一, sentence for sentence
        seed = SEED.read_text(encoding="utf-8")
        seed_one = seed.split("一、抽查情况\n", 1)[1].split("\n二、主要问题", 1)[0]
        assert one == seed_one.strip()
    # Section 二 names the seed's examples, from the reviewed findings.
    text = (out / "notice-2017Q3.txt").read_text(encoding="utf-8")
    assert "吉林省东丰县政府门户网站名称仍为“中国·东丰政府公众信息网”" in text
    assert "外交部、住房城乡建设部、卫生计生委等部门“我为政府网站找错”平台网民留言办结率低于70%" in text
    assert "“福建农业信息网”以静态图片代替平台入口" in text
    assert "黑龙江省抚远市“抚远网上政务服务中心”网的“并联审批”栏目下20余项主题服务内容均为空" in text
    assert "河北省“辛集市行政服务中心”网的“在线申报”栏目多项办事指南要素不全，缺少依据条件、流程时限等" in text
    # Attachments: shapes and totals against the database figures.
    doc = Document(str(out / "notice-2017Q3.docx"))
    a1, a2, a3, a4 = doc.tables
    assert len(a2.rows) == 2 + 32 + 1 and a2.rows[-1].cells[8].text == str(29431 - 1972)
    assert [c.text for c in a2.rows[-1].cells][9:] == ["440", "428", "97%"]
    assert len(a3.rows) == 2 + 76 + 1 and a3.rows[-1].cells[4].text == "1972"
    no_sites = next(r for r in a3.rows if r.cells[1].text == "国家安全部")  # a unit with zero sites
    assert [c.text for c in no_sites.cells][2:] == ["0", "0", "0", "0", "0", "—"]
    assert [c.text for c in a3.rows[-1].cells][5:] == ["60", "57", "95%"]
    assert len(a4.rows) == 1 + 15  # the 15 sites that failed the national sample
    total = [c.text for c in a1.rows[-1].cells]
    assert total[1:4] == ["合计", "29431", "12466"] and total[7] == "14210"
    assert total[10:16] == ["183", "33", "11", "6", "5", "0"] and total[16] == "238"
    # Loading twice is refused and changes nothing.
    from govsite.feedback.models import Message

    before = Message.objects.count()
    r = run("fixture", "load", "2017Q3")
    assert r.exit_code == 2 and "已经加载过" in r.output
    assert Message.objects.count() == before
    # The saved data renders again without the database, and must be for the quarter asked.
    r = run("report", "2017Q3", "--data", str(out / "notice-2017Q3.json"), "--out", str(tmp_path / "again"),
            "--formats", "html", "--deadline", "12-28")
    assert r.exit_code == 0, r.output
    assert "请于12月28日前" in (tmp_path / "again" / "notice-2017Q3.html").read_text(encoding="utf-8")
    r = run("report", "2017Q4", "--data", str(out / "notice-2017Q3.json"), "--out", str(tmp_path / "x"))
    assert r.exit_code == 2 and "与命令中的季度 2017Q4 不符" in r.output
