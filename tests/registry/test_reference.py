import pytest

from govsite.registry.codes import is_site_code
from govsite.registry.models import Department, Region
from govsite.registry.reference import PROVINCE_NOTICE_ORDER


@pytest.mark.django_db
def test_regions_loaded_with_bingtuan_and_notice_order():
    provinces = list(Region.objects.filter(level="province").order_by("notice_order"))
    assert [p.notice_order for p in provinces] == list(range(1, 33))
    assert [p.code for p in provinces] == [code for code, _ in PROVINCE_NOTICE_ORDER]
    assert provinces[0].name == "北京市" and provinces[-1].name == "新疆生产建设兵团"
    assert provinces[-1].code == "660000"
    dongfeng = Region.objects.get(code="220421")
    assert (dongfeng.name, dongfeng.level, dongfeng.parent.name, dongfeng.parent.parent.name) == ("东丰县", "county", "辽源市", "吉林省")
    assert Region.objects.filter(level="city").count() > 330
    assert Region.objects.filter(level="county").count() > 2800
    assert not Region.objects.filter(level="county", notice_order__gt=0).exists()


@pytest.mark.django_db
def test_departments_of_2017():
    depts = {d.name: d for d in Department.objects.all()}
    assert 70 <= len(depts) <= 80
    assert depts["住房和城乡建设部"].short_name == "住房城乡建设部"
    assert depts["国家卫生和计划生育委员会"].short_name == "卫生计生委"
    assert depts["国家烟草专卖局"].short_name == "烟草局"
    assert depts["商务部"].domain_abbr == "mofcom"
    assert depts["工业和信息化部"].code == "bm07" and depts["财政部"].code == "bm14"
    kinds = {d.kind for d in depts.values()}
    assert kinds == {"组成部门", "直属特设机构", "直属机构", "办事机构", "直属事业单位", "部委管理的国家局"}
    orders = sorted(d.notice_order for d in depts.values())
    assert orders == list(range(1, len(depts) + 1))
    assert all(is_site_code(d.code + "000001") for d in depts.values())
    assert len({d.short_name for d in depts.values()}) == len(depts)


def test_site_code_pattern():
    for good in ("1100000088", "bm07000001", "33BM000001"):
        assert is_site_code(good)
    for bad in ("310000000044", "BM07000001", "bm0700001", "11000000a8", "", "1100000088 "):
        assert not is_site_code(bad)
