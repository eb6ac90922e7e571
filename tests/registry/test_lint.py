"""Guideline rules on the registry (rules.md §3.1–3.3)."""

from __future__ import annotations

import pytest

from govsite.registry.importer import import_file
from govsite.registry.lint import lint_registry
from tests.registry.conftest import ministry_row, row, write_csv

pytestmark = pytest.mark.django_db


def county_dept(code: str, name: str, host: str, sponsor: str | None = None, **extra: str) -> dict[str, str]:
    return row(**{"网站标识码": code, "网站名称": name, "首页网址": f"http://{host}/", "域名": host, "类别": "7",
                  "网站类型": "部门", "主办单位": sponsor or name, "主办单位地址": "", **extra})


@pytest.fixture
def findings(tmp_path):
    rows = [
        row(),  # 东丰县人民政府 on www.dongfeng.gov.cn: clean
        county_dept("2204210002", "东丰县教育局", "jyj.dongfeng.gov.cn"),
        county_dept("2204210003", "东丰县横道河镇人民政府", "hdhz.dongfeng.gov.cn", 级别="乡镇街道"),
        county_dept("2204210004", "东丰县水利局", "www.dfsl.gov.cn"),
        county_dept("2204210005", "东丰县财政局", "czj.liaoyuan.gov.cn"),
        county_dept("2204210006", "东丰县教育信息网", "jyxx.dongfeng.gov.cn", sponsor="东丰县教育局"),
        row(**{"网站标识码": "2204220001", "网站名称": "东辽县人民政府", "首页网址": "http://dongliao.gov.cn/",
               "域名": "", "县": "东辽县", "主办单位": "东辽县人民政府", "主办单位地址": ""}),
        ministry_row(**{"首页网址": "http://www.mofcom.com/", "域名": ""}),
        ministry_row(**{"网站标识码": "bm21000002", "网站名称": "商务部信息中心", "首页网址": "http://xxzx.mofcom.com/",
                        "域名": "", "网站类型": "部门", "主办单位": "商务部信息中心"}),
        ministry_row(**{"网站标识码": "bm01000001", "网站名称": "外交部", "国务院部门": "外交部", "主办单位": "外交部",
                        "首页网址": "http://www.fmprc.gov.cn/", "域名": ""}),
    ]
    import_file(write_csv(tmp_path / "a.csv", rows), actor="t")
    return {(f.code, f.rule) for f in lint_registry()}


def test_each_rule_finds_its_sites(findings):
    assert ("2204210003", "G-OPEN-2") in findings
    assert ("2204210002", "G-OPEN-4") in findings and ("2204210006", "G-OPEN-4") in findings
    assert ("2204210006", "G-NAME-1") in findings
    assert ("2204210004", "G-DOM-3") in findings
    assert ("2204210005", "G-DOM-3") in findings
    assert ("2204220001", "G-DOM-2") in findings
    assert ("bm21000001", "G-DOM-1") in findings and ("bm21000002", "G-DOM-1") in findings
    assert ("bm01000001", "G-DOM-2") in findings  # 外交部's portal should be www.mfa.gov.cn


def test_clean_sites_have_no_findings(findings):
    flagged = {code for code, _ in findings}
    assert "2204210001" not in flagged
    assert {rule for code, rule in findings if code == "2204210002"} == {"G-OPEN-4"}


def test_generated_violations_are_found(small_registry):
    found = {(f.code, f.rule) for f in lint_registry()}
    flagged = {code for code, _ in found}
    expected_rule = {"name": "G-NAME-1", "dot-com": "G-DOM-1", "one-site": "G-OPEN-4"}
    for code, kind in small_registry.violations.items():
        if kind in expected_rule:
            assert (code, expected_rule[kind]) in found
        else:
            assert any(c == code and r in ("G-DOM-2", "G-DOM-3") for c, r in found)
    clean = [r for r in small_registry.records if r.code not in small_registry.violations and r.level != "township"]
    wrongly = [r.code for r in clean if r.code in flagged and not any(
        c == r.code and rule == "G-OPEN-4" for c, rule in found)]
    assert wrongly == []
