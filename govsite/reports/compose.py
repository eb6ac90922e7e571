"""Compose the notice's text from a `NoticeData`, in the notice's own wording.

Section 一 (抽查情况) and 二 (主要问题) are written sentence by sentence from the data; a
sentence whose subject is empty is left out (no region at 100 % → no such clause). Section 三
(工作要求) and the closing come from an editable template (`templates/reports/section3.txt`,
`string.Template` syntax) with the rectification deadline as a parameter.
"""

from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass, field
from pathlib import Path

from govsite.reports.data import (
    ACCOUNTABILITY_KINDS,
    CATEGORY_LABELS,
    FindingItem,
    NoticeData,
    Quarter,
    ReportDataError,
    above,
    below,
    cn_date,
    fmt_pct,
    pct,
)

OFFICE = "国务院办公厅政府信息与政务公开办公室"
SECTION3_TEMPLATE = Path(__file__).resolve().parent / "templates" / "reports" / "section3.txt"
# How each category is called in the running-sites sentence (the notice adds 网站 to each).
_CATEGORY_PHRASES = (
    "国务院部门及其内设、垂直管理机构政府网站",
    "省级政府门户网站",
    "省级政府部门网站",
    "市级政府门户网站",
    "市级政府部门网站",
    "县级政府门户网站",
    "县级以下政府网站",
)
_ACCOUNTABILITY_PHRASES = {
    "约谈": "{n}名有关责任人被上级主管单位约谈",
    "书面检查": "{n}人作出书面检查",
    "通报批评": "{n}人被通报批评",
    "警告或记过": "{n}人受到警告或记过处分",
    "调离岗位或免职": "{n}人被调离岗位或免职",
    "辞退": "{n}人被辞退",
}
ATTACHMENT_TITLES = (
    "{label}各地区、各部门政府网站监管工作情况",
    "各地区政府网站运行和抽查情况",
    "国务院部门及其内设、垂直管理机构政府网站运行和抽查情况",
    "抽查发现存在突出问题的政府网站名单",
)


@dataclass
class ComposeOptions:
    deadline: dt.date | None = None  # rectification deadline; default: the 20th of the next quarter's last month
    issue_date: dt.date | None = None  # date printed under the notice; default data.issue_date or today
    marked_rise_points: int = 15  # a region's pass rate rose "明显" when it gained at least this many points
    named_regions: int = 3  # how many units a long list names before "等N个"
    named_departments: int = 1
    selfcheck_high: int = 70  # "抽查比例超过70%"
    selfcheck_low: int = 30  # 《指引》: at least 30 % a quarter
    closed_low: int = 70  # 办结率 below this is named in section 二
    reverify_ok_percent: int = 90  # re-verification agreement that counts as "整体真实准确"
    published_on_govcn: bool = True
    section3_template: Path | None = None
    office: str = OFFICE
    abridged_note: bool = False


@dataclass
class Block:
    """One paragraph of the notice. kind: title | para | h1 | h2 | attachments | signature."""

    kind: str
    text: str
    lines: list[str] = field(default_factory=list)


@dataclass
class ComposedNotice:
    title_lines: list[str]
    blocks: list[Block]
    attachment_titles: list[str]
    issue_date: dt.date
    deadline: dt.date

    def section(self, heading: str) -> str:
        """The plain text of one section (e.g. "一、抽查情况"), for tests and previews."""
        out, inside = [], False
        for b in self.blocks:
            if b.kind == "h1":
                inside = b.text == heading
                continue
            if inside and b.kind in ("para", "h2"):
                out.append(b.text)
        return "\n".join(out)

    def plain_text(self) -> str:
        lines = list(self.title_lines)
        for b in self.blocks:
            lines.extend(b.lines if b.lines else [b.text])
        return "\n".join(lines)


# ---------------------------------------------------------------- helpers


def _names(names: list[str], sep: str = "、") -> str:
    return sep.join(names)


def _names_and(names: list[str]) -> str:
    """A、B、C和D (the notice joins the last item with 和 in some sentences)."""
    if len(names) <= 1:
        return "".join(names)
    return "、".join(names[:-1]) + "和" + names[-1]


def _some(names: list[str], total: int, noun: str, limit: int) -> str:
    """北京等22个地区 / 外交部、住房城乡建设部、卫生计生委等部门."""
    shown = names[:limit]
    if total > len(shown):
        return f"{_names(shown)}等{total}个{noun}"
    return f"{_names(shown)}等{noun}"


def _site_ref(item: FindingItem) -> str:
    """江西省“萍乡市财政局”网 / “福建农业信息网” — the notice quotes the name and adds 网 unless
    the name already ends with it; the place is printed only when the name does not carry it."""
    name = item.site_name
    quoted = f"“{name}”" if name.endswith("网") else f"“{name}”网"
    return f"{item.place}{quoted}"


def default_issue_date(quarter: Quarter) -> dt.date:
    """The 18th of the second month of the next quarter (2017Q3 → 2017-11-18)."""
    nxt = quarter.next()
    return dt.date(nxt.year, 3 * nxt.q - 1, 18)


def default_deadline(quarter: Quarter) -> dt.date:
    """The 20th of the last month of the quarter after the one reported (2017Q3 → 2017-12-20)."""
    nxt = quarter.next()
    return dt.date(nxt.year, 3 * nxt.q, 20)


# ---------------------------------------------------------------- section 一


def section_one(data: NoticeData, opt: ComposeOptions) -> list[str]:
    q = data.q
    paras: list[str] = []
    cats = data.running_by_category
    parts = "，".join(f"{_CATEGORY_PHRASES[i]}{cats[i]}家" for i in range(7))
    paras.append(f"截至{cn_date(data.census_date)}，全国正在运行的政府网站{data.running_total}家。其中，{parts}。")

    # National sample.
    s = data.sample
    prev_q = q.previous()
    prev_label = prev_q.label
    change = data.rate_change
    if change is None:
        change_text = f"{prev_label}无抽查数据，合格率变化情况不可比"
    elif change > 0:
        change_text = f"比{prev_label}提高{change}个百分点"
    elif change < 0:
        change_text = f"比{prev_label}下降{-change}个百分点"
    else:
        change_text = f"与{prev_label}持平"
    p = f"{opt.office}随机人工抽查各地区和国务院部门政府网站{s.sampled}个，总体合格率{fmt_pct(s.rate)}，{change_text}。"
    clauses = []
    regions = sorted(data.regions, key=lambda r: r.order)
    full = [r for r in regions if r.sample.all_passed]
    if full:
        if len(full) == 1:
            clauses.append(f"{full[0].short}政府网站抽查合格率为100%")
        else:
            clauses.append(f"{full[0].short}等{len(full)}个地区政府网站抽查合格率为100%")
    streak = [
        r for r in full
        if len(r.history) >= 2 and all(h is not None and h.all_passed for h in r.history[:2])
    ]
    if streak:
        clauses.append(f"{_names([r.short for r in streak])}连续三个季度抽查合格率达100%")
    risen = []
    for r in regions:
        prev = r.history[0] if r.history else None
        if prev is not None and prev.rate is not None and r.sample.rate is not None:
            if r.sample.rate - prev.rate >= opt.marked_rise_points:
                risen.append(r.short)
    if risen:
        clauses.append(f"{_names(risen)}等地抽查合格率与{prev_q.label_relative_to(q)}相比明显上升")
    if clauses:
        p += "其中，" + "；".join(clauses) + "。"
    if s.sampled == 0:  # no reviewed national sample this quarter: say so, print no rate
        p = f"{q.label}{opt.office}未开展政府网站抽查或抽查结果尚未审定。"
    paras.append(p)

    # Self-checks, re-verification, 找错, ads, rectification.
    units = data.units
    checked_depts = [u for u in units if u.kind == "department" and u.self_checked > 0]
    sc_total = data.unit_total("self_checked")
    sc_passed = data.unit_total("self_passed")
    subject = f"各地区和{len(checked_depts)}个国务院部门" if checked_depts else "各地区"
    p = (
        f"{subject}共抽查本地区、本部门政府网站{sc_total}个，占运行政府网站总数的"
        f"{fmt_pct(pct(sc_total, data.running_total))}，总体合格率{fmt_pct(pct(sc_passed, sc_total))}。"
    )
    high = [u for u in _unit_order(units) if above(u.self_checked, u.running, opt.selfcheck_high)]
    if high:
        p += f"{_names_and([u.short for u in high])}政府网站季度抽查比例超过{opt.selfcheck_high}%。"
    reverified = data.unit_total("reverified")
    if reverified:
        consistent = data.unit_total("reverify_consistent")
        if 100 * consistent >= opt.reverify_ok_percent * reverified:
            p += "经抽样复核，地区和部门抽查情况整体真实准确"
        else:
            p += f"经抽样复核，地区和部门抽查情况与复核结果一致的比例为{fmt_pct(pct(consistent, reverified))}"
        p += "，抽查情况和问题网站名单已在中国政府网公开。" if opt.published_on_govcn else "。"
    elif opt.published_on_govcn:
        p += "抽查情况和问题网站名单已在中国政府网公开。"
    messages = data.unit_total("messages")
    closed = data.unit_total("closed")
    p += f"{q.name}，“我为政府网站找错”平台收到网民有效留言{messages}条，总体办结率达{fmt_pct(pct(closed, messages))}。"
    on_time_full = [u for u in _unit_order(units) if u.messages > 0 and u.on_time == u.messages]
    if on_time_full:
        shown = [u.short for u in on_time_full if u.kind == "region"][: opt.named_regions]
        shown += [u.short for u in on_time_full if u.kind == "department"][: opt.named_departments]
        kinds = {u.kind for u in on_time_full}
        noun = "地区和部门" if len(kinds) == 2 else ("地区" if "region" in kinds else "部门")
        if len(shown) < len(on_time_full):
            p += f"{_names(shown)}等{len(on_time_full)}个{noun}留言按期办结率达100%。"
        else:
            p += f"{_names(shown)}留言按期办结率达100%。"
    tail = []
    if data.commercial_ads:
        names = [f"{a.unit}“{a.name}”" for a in data.commercial_ads]
        tail.append(f"抽查发现{_names(names)}等{len(names)}家政府网站刊登商业广告")
    else:
        tail.append("抽查未发现政府网站刊登商业广告情形")
    rect = data.rectification
    if rect is not None and rect.failed:
        label = Quarter.parse(rect.quarter).label_relative_to(q)
        if rect.rectified >= rect.failed:
            tail.append(f"{label}通报的不合格政府网站已完成整改")
        else:
            left = rect.failed - rect.rectified
            named = f"（{_names(rect.unrectified[:5])}{'等' if left > 5 else ''}）" if rect.unrectified else ""
            tail.append(f"{label}通报的{rect.failed}家不合格政府网站中，{rect.rectified}家已完成整改，{left}家尚未完成整改{named}")
    p += "此外，" + "，".join(tail) + "。"
    paras.append(p)

    totals = data.accountability_totals()
    acts = [_ACCOUNTABILITY_PHRASES[k].format(n=totals[k]) for k in ACCOUNTABILITY_KINDS if totals.get(k)]
    p = (
        f"{q.name}，各地区、各部门按照《政府网站发展指引》（国办发〔2017〕47号，以下简称《指引》）要求，"
        "在推进规范管理、加强集约建设、提升服务水平的同时，"
    )
    if acts:
        p += "进一步加大了对不合格政府网站责任单位和人员的问责力度，" + "，".join(acts) + "。"
    else:
        p += "持续加强政府网站监管，本季度未报送对不合格政府网站责任人员的问责情况。"
    paras.append(p)
    return paras


def _unit_order(units: list) -> list:
    """Regions first, then departments, each in notice order (as the notice lists them)."""
    return sorted(units, key=lambda u: (u.kind != "region", u.order, u.code))


# ---------------------------------------------------------------- section 二


def section_two(data: NoticeData, opt: ComposeOptions) -> list[tuple[str, list[str]]]:
    """(heading, paragraphs) for （一）（二）（三）; a heading with no finding is left out."""
    groups: list[tuple[str, list[str]]] = []

    # （一） guideline compliance.
    first: list[str] = []
    low = [u for u in _unit_order(data.units) if below(u.self_checked, u.running, opt.selfcheck_low) or (u.running > 0 and u.self_checked == 0)]
    if low:
        kinds = {u.kind for u in low}
        who = "部分国务院部门" if kinds == {"department"} else ("部分地区" if kinds == {"region"} else "部分地区和国务院部门")
        first.append(f"{who}网站季度抽查比例未按《指引》要求达到{opt.selfcheck_low}%。")
    f = data.finding("nonstandard_name")
    if f and f.items:
        examples = "；".join(f"{i.place}{i.detail or '网站'}名称仍为“{i.site_name}”" for i in f.items[:2])
        first.append(f"一些政府网站名称未按要求规范，如{examples}。")
    # 办结率 below 70 % is what the notice names (feedback.conf FLAG_BELOW).
    slow = [u for u in _unit_order(data.units) if below(u.closed, u.messages, opt.closed_low)]
    if slow:
        kinds = {u.kind for u in slow}
        noun = "部门" if kinds == {"department"} else ("地区" if kinds == {"region"} else "地区和部门")
        first.append(
            f"{_some([u.short for u in slow], len(slow), noun, 3)}“我为政府网站找错”平台网民留言办结率低于{opt.closed_low}%。"
        )
    static = data.finding("jiucuo_static")
    missing = data.finding("jiucuo_missing")
    if (static and static.items) or (missing and missing.items):
        s = "部分网站未能规范添加“我为政府网站找错”监督举报平台入口"
        if static and static.items:
            s += f"，{_names([_site_ref(i) for i in static.items[:3]])}以静态图片代替平台入口"
        if missing and missing.items:
            refs = [_site_ref(i) for i in missing.items]
            s += f"，{_names(refs[:3])}{'等' if len(refs) > 1 else ''}仍未添加平台入口"
        first.append(s + "。")
    if first:
        groups.append(("（一）少数地区和部门落实《指引》要求不到位。", first))

    # （二） services that do not work.
    second: list[str] = []
    for kind, fallback in (("empty_columns", "空白栏目较多"), ("incomplete_guides", "办事指南要素不全")):
        f = data.finding(kind)
        # Examples with a named column (the richest evidence) first, two at most.
        for i in sorted(f.items, key=lambda i: not i.column)[:2] if f else []:
            where = f"的“{i.column}”栏目" if i.column else "存在"
            second.append(f"{_site_ref(i)}{where}{i.detail or fallback}。")
    if second:
        groups.append(("（二）一些网站办事功能不实用。", ["".join(second)]))

    # （三） day-to-day operation.
    third: list[str] = []
    f = data.finding("serious_errors")
    if f and f.items:
        kinds = _distinct([i.detail for i in f.items if i.detail]) or ["严重错别字"]
        sites = _names([_site_ref(i) for i in f.items[:3]])
        third.append(f"个别单位网站信息审核把关不严，出现{_names(kinds[:3])}等情况，如{sites}。")
    f = data.finding("security_incidents")
    if f and f.items:
        kinds = _distinct([i.detail for i in f.items if i.detail]) or ["安全事件"]
        kinds_text = _names_and(kinds[:3])
        sites = _names([_site_ref(i) for i in f.items[:3]])
        third.append(f"一些基层政府网站安全防护能力薄弱，发生了{kinds_text}等安全事件，如{sites}。")
    if third:
        groups.append(("（三）部分网站日常运维存在薄弱环节。", ["".join(third)]))
    return groups


def _distinct(values: list[str]) -> list[str]:
    seen: list[str] = []
    for v in values:
        if v not in seen:
            seen.append(v)
    return seen


# ---------------------------------------------------------------- section 三 and the whole


def section_three(data: NoticeData, opt: ComposeOptions, deadline: dt.date) -> list[str]:
    path = opt.section3_template or SECTION3_TEMPLATE
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ReportDataError(f"无法读取工作要求模板 {path}：{exc.strerror}") from exc
    try:
        filled = string.Template(text).substitute(
            deadline=cn_date(deadline, with_year=deadline.year != (opt.issue_date or deadline).year),
            next_quarter=data.q.next().label_relative_to(data.q),
            office=opt.office,
            quarter=data.q.label,
        )
    except (KeyError, ValueError) as exc:
        raise ReportDataError(f"工作要求模板 {path} 中有未知的占位符：{exc}") from exc
    return [line.strip() for line in filled.splitlines() if line.strip()]


def compose(data: NoticeData, options: ComposeOptions | None = None) -> ComposedNotice:
    opt = options or ComposeOptions()
    data.validate()
    q = data.q
    issue = opt.issue_date or data.issue_date or default_issue_date(q)
    opt.issue_date = issue
    deadline = opt.deadline or default_deadline(q)
    if deadline < issue:
        raise ReportDataError(f"整改期限 {deadline.isoformat()} 早于通报日期 {issue.isoformat()}")
    blocks: list[Block] = [
        Block("para", f"{opt.office}近期组织开展了{q.label}全国政府网站抽查。现将有关情况通报如下："),
        Block("h1", "一、抽查情况"),
    ]
    blocks += [Block("para", t) for t in section_one(data, opt)]
    two = section_two(data, opt)
    if two:
        blocks.append(Block("h1", "二、主要问题"))
        for heading, paras in two:
            blocks.append(Block("h2", heading))
            blocks += [Block("para", t) for t in paras]
    blocks.append(Block("h1", "三、工作要求" if two else "二、工作要求"))
    blocks += [Block("para", t) for t in section_three(data, opt, deadline)]
    titles = [t.format(label=q.label) for t in ATTACHMENT_TITLES]
    lines = [f"附件：1.{titles[0]}"] + [f"　　　{i}.{t}" for i, t in enumerate(titles[1:], 2)]
    blocks.append(Block("attachments", "\n".join(lines), lines=lines))
    blocks.append(Block("signature", cn_date(issue)))
    if opt.abridged_note:
        blocks.append(Block("para", "（本文有删减）"))
    return ComposedNotice(
        title_lines=[q.label, "全国政府网站抽查情况通报"],
        blocks=blocks,
        attachment_titles=titles,
        issue_date=issue,
        deadline=deadline,
    )


__all__ = ["CATEGORY_LABELS", "ComposeOptions", "ComposedNotice", "Block", "compose", "default_deadline"]
