"""Import/export of the registry table: validation, whole-file rejection, encodings, upsert
idempotence and change history."""

from __future__ import annotations

import pytest

from govsite.registry.exporter import export_file
from govsite.registry.importer import ImportRejected, import_file
from govsite.registry.models import Domain, Organization, Site, SiteChange
from govsite.registry.tabular import TableError
from tests.registry.conftest import city_dept_row, ministry_row, row, write_csv, write_xlsx

pytestmark = pytest.mark.django_db


def _state() -> tuple:
    """Everything an import may touch, for 'database exactly as before' checks."""
    return (
        list(Site.objects.order_by("code").values_list("code", "name", "home_url", "status", "sponsor_id", "contacts")),
        list(Domain.objects.order_by("host").values_list("host", "site__code", "is_primary")),
        Organization.objects.count(),
        SiteChange.objects.count(),
    )


def test_import_creates_sites_with_history(tmp_path):
    path = write_csv(tmp_path / "a.csv", [row(), city_dept_row(), ministry_row()])
    result = import_file(path, actor="张三")
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    site = Site.objects.get(code="2204210001")
    assert (site.name, site.category, site.site_class, site.level) == ("东丰县人民政府", 6, "portal", "county")
    assert site.region.code == "220421" and site.department is None
    assert site.sponsor.name == "东丰县人民政府" and site.sponsor.address == "吉林省东丰县东丰镇"
    assert [c["role"] for c in site.contacts] == ["负责人", "联系人"]
    assert list(site.domains.values_list("host", "is_primary")) == [("www.dongfeng.gov.cn", True)]
    ministry = Site.objects.get(code="bm21000001")
    assert ministry.department.name == "商务部" and ministry.region is None
    change = SiteChange.objects.get(site=site)
    assert change.actor == "张三" and change.action == "create"
    assert change.changes["name"] == [None, "东丰县人民政府"]


def test_same_file_twice_changes_nothing(tmp_path):
    path = write_csv(tmp_path / "a.csv", [row(), city_dept_row(), ministry_row()])
    import_file(path, actor="a")
    before = _state()
    again = import_file(path, actor="b")
    assert (again.created, again.updated, again.unchanged, again.changes) == (0, 0, 3, 0)
    assert _state() == before


def test_update_records_field_changes(tmp_path):
    import_file(write_csv(tmp_path / "a.csv", [row(), city_dept_row()]), actor="a")
    changed = row(**{"网站名称": "东丰县人民政府网", "域名": "www.dongfeng.gov.cn;dongfeng.政务", "负责人手机": "13911111111"})
    result = import_file(write_csv(tmp_path / "b.csv", [changed, city_dept_row()]), actor="李四")
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    site = Site.objects.get(code="2204210001")
    change = site.changes.order_by("-id").first()
    assert change.actor == "李四" and change.action == "update"
    assert change.changes["name"] == ["东丰县人民政府", "东丰县人民政府网"]
    assert change.changes["domains"] == [["www.dongfeng.gov.cn"], ["www.dongfeng.gov.cn", "dongfeng.政务"]]
    assert change.changes["contacts"][1][0]["mobile"] == "13911111111"
    assert set(site.domains.values_list("host", flat=True)) == {"www.dongfeng.gov.cn", "dongfeng.政务"}


def test_status_change_and_merge_target(tmp_path):
    import_file(write_csv(tmp_path / "a.csv", [row(), city_dept_row()]), actor="a")
    merged = city_dept_row(**{"运行状态": "已整合", "整合至": "2204210001", "迁移状态": "已核验"})
    import_file(write_csv(tmp_path / "b.csv", [row(), merged]), actor="a")
    site = Site.objects.get(code="1306000012")
    assert site.status == "merged" and site.merged_into.code == "2204210001" and site.migration_state == "verified"
    assert site.changes.order_by("-id").first().action == "status"


def test_bad_rows_reject_whole_file(tmp_path):
    import_file(write_csv(tmp_path / "ok.csv", [row()]), actor="a")
    before = _state()
    rows = [
        city_dept_row(),  # valid, must not be created either
        ministry_row(**{"网站标识码": "310000000044"}),
        row(**{"网站标识码": "1306000012", "县": "东丰县"}),  # duplicate code within the file (row 4)
        row(**{"网站标识码": "2204210002", "省": "火星省"}),
        row(**{"网站标识码": "2204210003", "首页网址": "ftp://x.gov.cn"}),
        row(**{"网站标识码": "2204210004", "类别": "2", "域名": "bad_domain!.gov.cn"}),
        ministry_row(**{"网站标识码": "bm21000002", "国务院部门": "宇宙部", "首页网址": "http://a.mofcom.gov.cn/", "域名": ""}),
        row(**{"网站标识码": "2204210005", "首页网址": "http://www.dongfeng.gov.cn/", "负责人手机": "123"}),
        row(**{"网站标识码": "2204210006", "首页网址": "http://a.dongfeng.gov.cn/", "域名": "", "承办单位": "长" * 129}),
    ]
    with pytest.raises(ImportRejected) as info:
        import_file(write_csv(tmp_path / "bad.csv", rows), actor="a")
    found = {(e.row, e.column) for e in info.value.errors}
    assert (3, "网站标识码") in found
    assert (4, "网站标识码") in found
    assert (5, "省") in found
    assert (6, "首页网址") in found
    assert (7, "类别") in found and (7, "域名") in found
    assert (8, "国务院部门") in found
    assert (9, "负责人手机") in found
    assert (9, "域名") in found  # www.dongfeng.gov.cn is also the home of row 4 in the same file
    assert (10, "承办单位") in found
    assert all(e.reason for e in info.value.errors)
    assert _state() == before


def test_domain_owned_by_stored_site_is_rejected(tmp_path):
    import_file(write_csv(tmp_path / "a.csv", [row()]), actor="a")
    other = city_dept_row(**{"域名": "slj.bd.gov.cn;www.dongfeng.gov.cn"})
    with pytest.raises(ImportRejected) as info:
        import_file(write_csv(tmp_path / "b.csv", [other]), actor="a")
    assert [(e.row, e.column) for e in info.value.errors] == [(2, "域名")]
    assert "2204210001" in info.value.errors[0].reason


def test_region_checks(tmp_path):
    rows = [
        row(**{"网站标识码": "2204210001", "市": "保定市"}),  # 保定 is not in 吉林
        city_dept_row(**{"县": "竞秀区"}),  # city-level site with a county
        row(**{"网站标识码": "1100000001", "省": "北京", "市": "", "县": "", "类别": "省级政府门户",
               "级别": "省级", "网站名称": "北京市人民政府", "主办单位": "北京市人民政府",
               "首页网址": "http://www.beijing.gov.cn/", "域名": ""}),  # short province name is fine
        row(**{"网站标识码": "1100000002", "省": "110000", "市": "", "县": "朝阳区", "类别": "6",
               "首页网址": "http://www.bjchy.gov.cn/", "域名": ""}),  # county found within the province by name
    ]
    with pytest.raises(ImportRejected) as info:
        import_file(write_csv(tmp_path / "a.csv", rows), actor="a")
    found = {(e.row, e.column) for e in info.value.errors}
    assert found == {(2, "市"), (3, "市")}


def test_code_prefix_must_match_region(tmp_path):
    bad = row(**{"网站标识码": "1100000001"})  # a Beijing code for a Jilin county
    with pytest.raises(ImportRejected) as info:
        import_file(write_csv(tmp_path / "a.csv", [bad]), actor="a")
    assert [(e.row, e.column) for e in info.value.errors] == [(2, "网站标识码")]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_encodings(tmp_path, encoding):
    path = write_csv(tmp_path / "a.csv", [row(), city_dept_row()], encoding=encoding)
    result = import_file(path, actor="a")
    assert result.created == 2
    assert Site.objects.get(code="1306000012").name == "保定市水利局"


def test_xlsx_import(tmp_path):
    result = import_file(write_xlsx(tmp_path / "a.xlsx", [row(), ministry_row()]), actor="a")
    assert result.created == 2


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "a.csv", "文件为空"),
        ("网站标识码,网站名称\n".encode(), "a.csv", "缺少必需的列"),
        (b"\xef\xbb\xbf" + ",".join(["网站标识码"] * 2).encode() + b"\n", "a.csv", "重复"),
        (b"PK\x03\x04garbage", "a.xlsx", "不是有效的XLSX文件"),
        (b"not a zip", "a.xlsx", "不是有效的XLSX文件"),
        (b"a,b\x00c\n", "a.csv", "NUL"),
        (b"x", "a.txt", "不支持的文件类型"),
    ],
)
def test_malformed_files(tmp_path, content, name, message):
    path = tmp_path / name
    path.write_bytes(content)
    before = _state()
    with pytest.raises((TableError, ImportRejected)) as info:
        import_file(path, actor="a")
    text = str(info.value) if isinstance(info.value, TableError) else " ".join(str(e) for e in info.value.errors)
    assert message in text
    assert _state() == before


def test_header_only_and_unclosed_quote(tmp_path):
    with pytest.raises(TableError, match="没有数据行"):
        import_file(write_csv(tmp_path / "h.csv", []), actor="a")
    path = write_csv(tmp_path / "q.csv", [row()])
    path.write_text(path.read_text(encoding="utf-8") + '3100000044,"unclosed,\n', encoding="utf-8")
    with pytest.raises(TableError, match="引号未闭合"):
        import_file(path, actor="a")
    assert not Site.objects.exists()


def test_size_limit(tmp_path):
    path = write_csv(tmp_path / "big.csv", [row()])
    with open(path, "a", encoding="utf-8") as f:
        f.write("#" * 3_000_000)
    with pytest.raises(TableError, match="文件过大"):
        import_file(path, actor="a", max_bytes=2 * 1024 * 1024)
    assert not Site.objects.exists()


def test_too_many_cells_in_a_row(tmp_path):
    path = write_csv(tmp_path / "a.csv", [row()])
    path.write_text(path.read_text(encoding="utf-8").rstrip("\r\n") + ",extra,cells\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as info:
        import_file(path, actor="a")
    assert info.value.errors[0].row == 2 and info.value.errors[0].column == "整行"


def test_partial_columns_leave_other_fields_alone(tmp_path):
    import_file(write_csv(tmp_path / "a.csv", [row()]), actor="a")
    required = ("网站标识码", "网站名称", "首页网址", "类别", "网站类型", "级别", "省", "市", "县", "国务院部门", "主办单位")
    result = import_file(write_csv(tmp_path / "b.csv", [row()], headers=required), actor="a")
    assert result.unchanged == 1
    site = Site.objects.get(code="2204210001")
    assert site.icp == "吉ICP备05002117号" and len(site.contacts) == 2


def test_export_import_round_trip(tmp_path, small_registry):
    before = _state()
    for name in ("r.csv", "r.xlsx"):
        path = tmp_path / name
        assert export_file(path) == len(small_registry.records)
        result = import_file(path, actor="someone")
        assert (result.created, result.updated, result.changes) == (0, 0, 0)
        assert _state() == before


def test_export_gb18030_round_trip(tmp_path, small_registry):
    before = _state()
    path = tmp_path / "r.csv"
    export_file(path, encoding="gb18030")
    assert import_file(path, actor="x").unchanged == len(small_registry.records)
    assert _state() == before



def _site_rows_in_statistics() -> int:
    """The row count the query planner believes registry_site has (0 without statistics)."""
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE relname = 'registry_site'")
            return int(cur.fetchone()[0])
        cur.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if not cur.fetchone()[0]:
            return 0
        cur.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'registry_site'")
        row = cur.fetchone()
        return int(row[0].split()[0]) if row else 0


@pytest.mark.django_db
def test_bulk_import_refreshes_planner_statistics():
    """A bulk load leaves current statistics behind, so filtered registry pages walk the code
    index instead of sorting the table."""
    from govsite.registry import fastdb
    from govsite.registry.generator import generate
    from govsite.registry.importer import apply_records
    from govsite.registry.index import RegistryIndex

    index = RegistryIndex()
    generated = generate(seed=11, counts={1: 4, 6: fastdb.ANALYZE_AFTER_ROWS}, violation_share=0.0, index=index)
    apply_records(generated.records, index, actor="tester")
    assert _site_rows_in_statistics() == Site.objects.count() >= fastdb.ANALYZE_AFTER_ROWS
