"""A small, consistent NoticeData for tests that need no database: three regions, two
departments (one with no sites at all), a previous quarter that can be left out."""

from __future__ import annotations

import datetime as dt

from govsite.reports.data import (
    DepartmentRow,
    Finding,
    FindingItem,
    NoticeData,
    ProblemSite,
    RectificationStatus,
    RegionRow,
    SampleFigures,
    UnitRow,
)


def make_notice(previous: bool = True) -> NoticeData:
    regions = [
        RegionRow("110000", "北京市", "北京", 1, [1, 40, 10, 300, 20, 100], SampleFigures(10, 10),
                  [SampleFigures(9, 9), SampleFigures(8, 8)] if previous else [None, None]),
        RegionRow("220000", "吉林省", "吉林", 7, [1, 60, 9, 500, 60, 170], SampleFigures(12, 12),
                  [SampleFigures(10, 6), SampleFigures(9, 8)] if previous else [None, None]),
        RegionRow("410000", "河南省", "河南", 16, [1, 80, 17, 800, 110, 392], SampleFigures(16, 13),
                  [SampleFigures(15, 14), None] if previous else [None, None]),
    ]
    departments = [
        DepartmentRow("bm01", "外交部", "外交部", 1, 1, 9, SampleFigures(1, 1), [SampleFigures(1, 1)] if previous else [None]),
        DepartmentRow("bm09", "国家安全部", "国家安全部", 9, 0, 0, SampleFigures(), [None]),
    ]
    units = [
        UnitRow("region", "110000", "北京市", "北京", 1, 471, 400, 380, 10, 10, 100, 99, 99, {"约谈": 3}),
        UnitRow("region", "220000", "吉林省", "吉林", 7, 800, 300, 282, 5, 5, 200, 190, 180, {"约谈": 2, "书面检查": 1}),
        UnitRow("region", "410000", "河南省", "河南", 16, 1400, 500, 470, 5, 4, 300, 298, 280, {"辞退": 1}),
        UnitRow("department", "bm01", "外交部", "外交部", 1, 10, 2, 2, 0, 0, 10, 6, 5, {}),
        UnitRow("department", "bm09", "国家安全部", "国家安全部", 9, 0),
    ]
    return NoticeData(
        quarter="2017Q3",
        census_date=dt.date(2017, 9, 1),
        sample_start=dt.date(2017, 9, 14),
        sample_end=dt.date(2017, 10, 30),
        running_by_category=[10, 3, 180, 36, 1600, 190, 662],
        regions=regions,
        departments=departments,
        units=units,
        sample=SampleFigures(39, 36),
        sample_history=[SampleFigures(35, 30), SampleFigures(25, 23)] if previous else [None, None],
        rectification=RectificationStatus("2017Q2", 5, 4, ["某县人民政府"]) if previous else None,
        problem_sites=[ProblemSite("河南", "某县人民政府", "http://www.x.gov.cn/", "4100000001", ["站点无法访问"])],
        findings=[
            Finding("nonstandard_name", [FindingItem(site_name="中国·东丰政府公众信息网", place="吉林省东丰县",
                                                     detail="政府门户网站")]),
            Finding("jiucuo_static", [FindingItem(site_name="福建农业信息网")]),
            Finding("empty_columns", [FindingItem(site_name="抚远网上政务服务中心", place="黑龙江省抚远市",
                                                  column="并联审批", detail="下20余项主题服务内容均为空")]),
        ],
    )
