"""Attachments 1–4 as renderer-neutral tables (header cells with spans, body rows, a totals
row that is the sum of the body), shared by the DOCX, XLSX and HTML renderers.

Columns follow rules.md §5.2 (proposed layouts, [U]); rates use the notice's rounding rule
(`data.pct`) and print "—" when the unit has nothing to divide by."""

from __future__ import annotations

from dataclasses import dataclass, field

from govsite.reports.data import (
    ACCOUNTABILITY_KINDS,
    REGION_LEVEL_LABELS,
    NoticeData,
    below,
    cn_date,
    cn_date_range,
    fmt_pct,
    pct,
)

Cell = str | int


@dataclass
class HeaderCell:
    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1


@dataclass
class Table:
    number: int
    title: str
    header: list[HeaderCell]
    header_rows: int
    ncols: int
    rows: list[list[Cell]]
    total: list[Cell] | None = None
    note: str = ""
    widths: list[float] = field(default_factory=list)  # relative column widths
    flagged: set[tuple[int, int]] = field(default_factory=set)  # (body row, col) printed in bold/red
    wrap_cols: set[int] = field(default_factory=set)  # long-text columns, left-aligned

    def header_grid(self) -> list[list[str]]:
        """The header as a plain grid (span cells repeated), for tests and CSV."""
        grid = [[""] * self.ncols for _ in range(self.header_rows)]
        for h in self.header:
            for r in range(h.row, h.row + h.rowspan):
                for c in range(h.col, h.col + h.colspan):
                    grid[r][c] = h.text
        return grid

    def leaf_headers(self) -> list[str]:
        return self.header_grid()[-1]


def _simple_header(labels: list[str]) -> list[HeaderCell]:
    return [HeaderCell(t, 0, i) for i, t in enumerate(labels)]


def _grouped_header(spec: list[tuple[str, list[str]] | str]) -> tuple[list[HeaderCell], int]:
    """spec items: "label" (spans both header rows) or (group, [leaf labels])."""
    cells, col = [], 0
    for item in spec:
        if isinstance(item, str):
            cells.append(HeaderCell(item, 0, col, rowspan=2))
            col += 1
        else:
            group, leaves = item
            cells.append(HeaderCell(group, 0, col, colspan=len(leaves)))
            for leaf in leaves:
                cells.append(HeaderCell(leaf, 1, col))
                col += 1
    return cells, col


def attachment1(data: NoticeData, title: str) -> Table:
    header, ncols = _grouped_header([
        "序号", "地区/部门", "运行网站数",
        ("季度自查", ["自查网站数", "自查比例", "自查合格率", "抽样复核（一致/复核）"]),
        ("我为政府网站找错", ["有效留言数", "办结率", "按期办结率"]),
        ("问责人数", [*ACCOUNTABILITY_KINDS, "合计"]),
        "自查结果是否公开",
    ])
    units = sorted(data.units, key=lambda u: (u.kind != "region", u.order, u.code))
    rows, flagged = [], set()
    for i, u in enumerate(units):
        acc = [u.accountability.get(k, 0) for k in ACCOUNTABILITY_KINDS]
        published = "—" if u.published is None else ("是" if u.published else "否")
        rows.append([
            i + 1, u.short, u.running, u.self_checked, fmt_pct(u.selfcheck_ratio), fmt_pct(u.selfcheck_pass_rate),
            f"{u.reverify_consistent}/{u.reverified}" if u.reverified else "—",
            u.messages, fmt_pct(u.closed_rate), fmt_pct(u.on_time_rate), *acc, sum(acc), published,
        ])
        if u.running > 0 and below(u.self_checked, u.running, 30):
            flagged.add((i, 4))  # below the 《指引》 30 % floor
        if below(u.closed, u.messages, 70):
            flagged.add((i, 8))
    running = sum(u.running for u in units)
    checked = sum(u.self_checked for u in units)
    passed = sum(u.self_passed for u in units)
    reverified = sum(u.reverified for u in units)
    consistent = sum(u.reverify_consistent for u in units)
    messages = sum(u.messages for u in units)
    acc_totals = [sum(u.accountability.get(k, 0) for u in units) for k in ACCOUNTABILITY_KINDS]
    total = [
        "", "合计", running, checked, fmt_pct(pct(checked, running)), fmt_pct(pct(passed, checked)),
        f"{consistent}/{reverified}" if reverified else "—",
        messages, fmt_pct(pct(sum(u.closed for u in units), messages)),
        fmt_pct(pct(sum(u.on_time for u in units), messages)), *acc_totals, sum(acc_totals), "",
    ]
    widths = [3, 9, 5, 5, 5, 5, 7, 5, 5, 5] + [4] * 7 + [5]
    return Table(1, title, header, 2, ncols, rows, total,
                 note="注：自查比例低于30%、办结率低于70%的以加粗标示。", widths=widths, flagged=flagged)


def attachment2(data: NoticeData, title: str) -> Table:
    header, ncols = _grouped_header([
        "序号", "地区", ("运行网站数", [*REGION_LEVEL_LABELS, "合计"]), ("抽查情况", ["抽查数", "合格数", "合格率"]),
    ])
    regions = sorted(data.regions, key=lambda r: (r.order, r.code))
    rows = [
        [i + 1, r.short, *r.running, r.running_total, r.sample.sampled, r.sample.passed, fmt_pct(r.sample.rate)]
        for i, r in enumerate(regions)
    ]
    by_level = [sum(r.running[k] for r in regions) for k in range(6)]
    sampled = sum(r.sample.sampled for r in regions)
    passed = sum(r.sample.passed for r in regions)
    total = ["", "合计", *by_level, sum(by_level), sampled, passed, fmt_pct(pct(passed, sampled))]
    note = f"注：运行网站数据取自全国政府网站信息报送系统{cn_date(data.census_date)}的数据。"
    return Table(2, title, header, 2, ncols, rows, total, note=note, widths=[3, 10] + [6] * 10)


def attachment3(data: NoticeData, title: str) -> Table:
    header, ncols = _grouped_header([
        "序号", "部门", ("运行网站数", ["门户网站", "内设、垂直管理机构网站", "合计"]),
        ("抽查情况", ["抽查数", "合格数", "合格率"]),
    ])
    depts = sorted(data.departments, key=lambda d: (d.order, d.code))
    rows = [
        [i + 1, d.short, d.portals, d.others, d.running_total, d.sample.sampled, d.sample.passed, fmt_pct(d.sample.rate)]
        for i, d in enumerate(depts)
    ]
    portals = sum(d.portals for d in depts)
    others = sum(d.others for d in depts)
    sampled = sum(d.sample.sampled for d in depts)
    passed = sum(d.sample.passed for d in depts)
    total = ["", "合计", portals, others, portals + others, sampled, passed, fmt_pct(pct(passed, sampled))]
    note = f"注：运行网站数据取自全国政府网站信息报送系统{cn_date(data.census_date)}的数据。"
    return Table(3, title, header, 2, ncols, rows, total, note=note, widths=[3, 12, 6, 9, 6, 6, 6, 6])


def attachment4(data: NoticeData, title: str) -> Table:
    header = _simple_header(["序号", "地区/部门", "网站名称", "网址", "网站标识码", "主要问题"])
    rows = [[i + 1, p.unit, p.name, p.url, p.code, "；".join(p.problems)] for i, p in enumerate(data.problem_sites)]
    note = ""
    if data.sample_start and data.sample_end:
        note = f"注：抽查采样时间为{cn_date_range(data.sample_start, data.sample_end)}。"
    return Table(4, title, header, 1, 6, rows, None, note=note, widths=[3, 7, 12, 14, 8, 22], wrap_cols={2, 3, 5})


def build_tables(data: NoticeData, titles: list[str]) -> list[Table]:
    return [attachment1(data, titles[0]), attachment2(data, titles[1]), attachment3(data, titles[2]),
            attachment4(data, titles[3])]
