"""A plain data model of one quarter's notice, independent of Django, with JSON load/save.

Everything the composer and the renderers print comes from a `NoticeData`. The collector
(`collect.py`) fills it from the database; an edited JSON file can be rendered again.

Rounding rule (the notice's own): a percentage is rounded half up to an integer percent,
computed exactly on integers, `pct(n, d) = floor(100·n/d + 1/2)`; 12466/29431 = 42.36 % → 42 %,
485/500 → 97 %. A change in points is the difference of the two printed (rounded) rates, so the
text never contradicts its own numbers (97 % vs 94 % → "提高3个百分点"). A rate whose
denominator is zero is `None`, printed "—".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govsite import periods

SCHEMA = "govsite.notice/1"

# The seven site categories in the fixed notice order (same order and codes 1..7 as
# govsite.registry.models.Category; kept here so this module needs no Django).
CATEGORY_LABELS: tuple[str, ...] = (
    "国务院部门及其内设、垂直管理机构",
    "省级政府门户",
    "省级政府部门",
    "市级政府门户",
    "市级政府部门",
    "县级政府门户",
    "县级以下",
)
# Attachment 2 columns: running sites by level for categories 2..7.
REGION_LEVEL_LABELS: tuple[str, ...] = ("省级门户", "省级部门", "市级门户", "市级部门", "县级门户", "县级以下")

ACCOUNTABILITY_KINDS: tuple[str, ...] = ("约谈", "书面检查", "通报批评", "警告或记过", "调离岗位或免职", "辞退")

# Section 二 finding kinds, in the order the notice discusses them.
FINDING_KINDS: tuple[str, ...] = (
    "low_selfcheck",  # units below 30 % self-check ratio (G-SUP-1)
    "nonstandard_name",  # G-NAME-1
    "low_ontime",  # 找错 on-time completion below 70 %
    "jiucuo_static",  # G-ID-4, entry is a static picture
    "jiucuo_missing",  # G-ID-4, no entry
    "empty_columns",  # V15-3(c)
    "incomplete_guides",  # D15-8
    "serious_errors",  # V15-4
    "security_incidents",  # G-SEC-1
)



class ReportDataError(ValueError):
    """The notice data is missing or inconsistent; the message says what is wrong (Chinese)."""


# ---------------------------------------------------------------- numbers


def pct(n: int, d: int) -> int | None:
    """Integer percent, rounded half up, exact on integers; None when d is 0."""
    if d <= 0:
        return None
    return (200 * n + d) // (2 * d)


def fmt_pct(value: int | None) -> str:
    return "—" if value is None else f"{value}%"


def rate_text(n: int, d: int) -> str:
    return fmt_pct(pct(n, d))


def above(n: int, d: int, percent: int) -> bool:
    """n/d strictly above `percent` %, on exact fractions (not on the rounded figure)."""
    return d > 0 and 100 * n > percent * d


def below(n: int, d: int, percent: int) -> bool:
    return d > 0 and 100 * n < percent * d


# ---------------------------------------------------------------- quarters


class Quarter(periods.Quarter):
    """A quarter whose bad input is a ReportDataError (what the report commands catch)."""

    error = ReportDataError


def cn_date(day: dt.date, with_year: bool = True) -> str:
    """2017年9月1日 (no zero padding, as official documents write dates)."""
    return f"{day.year}年{day.month}月{day.day}日" if with_year else f"{day.month}月{day.day}日"


def cn_date_range(start: dt.date, end: dt.date) -> str:
    return f"{cn_date(start)}至{cn_date(end, with_year=start.year != end.year)}"


# ---------------------------------------------------------------- rows


@dataclass
class SampleFigures:
    """One unit's (or the nation's) share of the national sample in a quarter."""

    sampled: int = 0
    passed: int = 0

    @property
    def rate(self) -> int | None:
        return pct(self.passed, self.sampled)

    @property
    def all_passed(self) -> bool:
        return self.sampled > 0 and self.passed == self.sampled


@dataclass
class RegionRow:
    """Attachment 2: one province-level region."""

    code: str
    name: str
    short: str
    order: int
    running: list[int]  # categories 2..7, in REGION_LEVEL_LABELS order
    sample: SampleFigures = field(default_factory=SampleFigures)
    # National-sample figures of the previous quarters, most recent first; None = no data.
    history: list[SampleFigures | None] = field(default_factory=list)

    @property
    def running_total(self) -> int:
        return sum(self.running)


@dataclass
class DepartmentRow:
    """Attachment 3: one State Council department (category-1 sites)."""

    code: str
    name: str
    short: str
    order: int
    portals: int  # the department's own portal(s)
    others: int  # 内设、垂直管理机构 sites
    sample: SampleFigures = field(default_factory=SampleFigures)
    history: list[SampleFigures | None] = field(default_factory=list)

    @property
    def running_total(self) -> int:
        return self.portals + self.others


@dataclass
class UnitRow:
    """Attachment 1: the supervision work of one unit (a region or a department)."""

    kind: str  # "region" | "department"
    code: str
    name: str
    short: str
    order: int
    running: int
    self_checked: int = 0
    self_passed: int = 0
    reverified: int = 0  # national re-verification of this unit's self-checks
    reverify_consistent: int = 0
    messages: int = 0  # valid 找错 messages
    closed: int = 0
    on_time: int = 0
    accountability: dict[str, int] = field(default_factory=dict)
    published: bool | None = None  # self-check results published by the unit

    @property
    def selfcheck_ratio(self) -> int | None:
        return pct(self.self_checked, self.running)

    @property
    def selfcheck_pass_rate(self) -> int | None:
        return pct(self.self_passed, self.self_checked)

    @property
    def closed_rate(self) -> int | None:
        return pct(self.closed, self.messages)

    @property
    def on_time_rate(self) -> int | None:
        return pct(self.on_time, self.messages)

    @property
    def accountability_total(self) -> int:
        return sum(self.accountability.values())


@dataclass
class ProblemSite:
    """Attachment 4: one site found with outstanding problems."""

    unit: str
    name: str
    url: str
    code: str
    problems: list[str]


@dataclass
class FindingItem:
    """One named example of a finding: where, which site, which column, what."""

    site_name: str = ""
    place: str = ""  # 吉林省东丰县, printed before the site name when the name lacks it
    unit: str = ""  # unit short name (for unit-level findings)
    column: str = ""
    detail: str = ""
    url: str = ""
    code: str = ""


@dataclass
class Finding:
    kind: str
    items: list[FindingItem] = field(default_factory=list)


@dataclass
class RectificationStatus:
    """Last quarter's failed sites and whether they have been put right."""

    quarter: str
    failed: int
    rectified: int
    unrectified: list[str] = field(default_factory=list)


@dataclass
class NoticeData:
    quarter: str
    census_date: dt.date
    sample_start: dt.date | None
    sample_end: dt.date | None
    running_by_category: list[int]
    regions: list[RegionRow]
    departments: list[DepartmentRow]
    units: list[UnitRow]
    # National sample: this quarter, and previous quarters most recent first (None = no data).
    sample: SampleFigures
    sample_history: list[SampleFigures | None] = field(default_factory=list)
    commercial_ads: list[ProblemSite] = field(default_factory=list)
    rectification: RectificationStatus | None = None
    problem_sites: list[ProblemSite] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    issue_date: dt.date | None = None
    # Caveats found while collecting (e.g. sampled sites not yet reviewed), shown to the user.
    notes: list[str] = field(default_factory=list)
    schema: str = SCHEMA

    # ------------------------------------------------------------ derived figures

    @property
    def q(self) -> Quarter:
        return Quarter.parse(self.quarter)

    @property
    def running_total(self) -> int:
        return sum(self.running_by_category)

    @property
    def previous_sample(self) -> SampleFigures | None:
        return self.sample_history[0] if self.sample_history else None

    @property
    def rate_change(self) -> int | None:
        """Points between the printed rates; None when the previous quarter has no data."""
        prev = self.previous_sample
        if prev is None or prev.rate is None or self.sample.rate is None:
            return None
        return self.sample.rate - prev.rate

    def unit_total(self, attr: str) -> int:
        return sum(getattr(u, attr) for u in self.units)

    def accountability_totals(self) -> dict[str, int]:
        totals = dict.fromkeys(ACCOUNTABILITY_KINDS, 0)
        for u in self.units:
            for k, v in u.accountability.items():
                totals[k] = totals.get(k, 0) + v
        return totals

    def finding(self, kind: str) -> Finding | None:
        return next((f for f in self.findings if f.kind == kind), None)

    # ------------------------------------------------------------ checks

    def validate(self) -> None:
        """Totals must sum: attachments 2 and 3 against the category counts, the sample
        against its parts, units against the running total."""
        if len(self.running_by_category) != 7:
            raise ReportDataError("运行网站分类数应为7类")
        if self.running_total == 0:
            raise ReportDataError(f"{self.quarter}没有运行网站数据")
        for i in range(6):
            s = sum(r.running[i] for r in self.regions)
            if s != self.running_by_category[i + 1]:
                raise ReportDataError(
                    f"附件2“{REGION_LEVEL_LABELS[i]}”合计{s}与{CATEGORY_LABELS[i + 1]}网站数{self.running_by_category[i + 1]}不符"
                )
        dept = sum(d.running_total for d in self.departments)
        if dept != self.running_by_category[0]:
            raise ReportDataError(f"附件3合计{dept}与国务院部门网站数{self.running_by_category[0]}不符")
        parts = [r.sample for r in self.regions] + [d.sample for d in self.departments]
        if sum(p.sampled for p in parts) != self.sample.sampled or sum(p.passed for p in parts) != self.sample.passed:
            raise ReportDataError("各地区、各部门抽查数之和与全国抽查数不符")
        if self.units and self.unit_total("running") != self.running_total:
            raise ReportDataError("附件1各单位运行网站数之和与全国运行网站数不符")
        for u in self.units:
            if u.self_passed > u.self_checked or u.closed > u.messages or u.on_time > u.closed:
                raise ReportDataError(f"{u.name}的自查或留言数据不一致（合格数或办结数大于总数）")
        if self.sample.passed > self.sample.sampled:
            raise ReportDataError("抽查合格数大于抽查数")

    # ------------------------------------------------------------ JSON

    def to_json(self) -> dict[str, Any]:
        return _encode(self)

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> NoticeData:
        if not isinstance(obj, dict) or obj.get("schema") != SCHEMA:
            raise ReportDataError(f"不是通报数据文件（schema 应为 {SCHEMA}）")
        try:
            return _decode(cls, obj)
        except (KeyError, TypeError, ValueError) as exc:
            raise ReportDataError(f"通报数据文件格式错误：{exc}") from exc

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> NoticeData:
        try:
            obj = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ReportDataError(f"找不到通报数据文件 {path}") from exc
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ReportDataError(f"通报数据文件 {path} 不是有效的 JSON：{exc}") from exc
        return cls.from_json(obj)


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    return value


def _decode(tp: Any, obj: Any) -> Any:
    """Rebuild a dataclass from its JSON form, driven by the type annotations."""
    import typing

    if obj is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return _decode(args[0], obj)
    if origin is list:
        (arg,) = typing.get_args(tp)
        return [_decode(arg, v) for v in obj]
    if origin is dict:
        _, varg = typing.get_args(tp)
        return {k: _decode(varg, v) for k, v in obj.items()}
    if tp is dt.date:
        return dt.date.fromisoformat(obj)
    if dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        kwargs = {f.name: _decode(hints[f.name], obj[f.name]) for f in dataclasses.fields(tp) if f.name in obj}
        return tp(**kwargs)
    if tp in (int, str, bool) and not isinstance(obj, tp):
        raise TypeError(f"期望 {tp.__name__}，得到 {obj!r}")
    return obj
