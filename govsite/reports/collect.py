"""Fill a `NoticeData` for one quarter from the database, through the other apps:
registry (running sites), inspections (`results`: national sample, self-checks,
re-verification, problem sites; `rectification`: last quarter's tasks, accountability) and
feedback (`metrics.unit_metrics`: valid / closed / on-time messages per unit).

Only final (reviewed) verdicts count, as in `inspections.results`."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from govsite.reports.data import (
    ACCOUNTABILITY_KINDS,
    FINDING_KINDS,
    DepartmentRow,
    Finding,
    FindingItem,
    NoticeData,
    ProblemSite,
    Quarter,
    RectificationStatus,
    RegionRow,
    ReportDataError,
    SampleFigures,
    UnitRow,
)

HISTORY_QUARTERS = 3  # previous quarters kept for the streak, the change and the trend chart

# Indicator ids → section 二 finding kinds (rules.md §7).
_FINDING_IDS = {
    "G-NAME-1": "nonstandard_name",
    "G-ID-4": "jiucuo",
    "V15-3": "empty_columns",
    "D15-8": "incomplete_guides",
    "V19-6": "incomplete_guides",
    "V15-4": "serious_errors",
    "G-SEC-1": "security_incidents",
}
COMMERCIAL_AD_ID = "G-ID-3"  # 指引: government sites carry no commercial advertising
_PROBLEM = ("veto", "deduct")


def default_census_date(q: Quarter) -> dt.date:
    """The registry snapshot the notice counts: the 1st of the quarter's last month (2017Q3 → 9月1日)."""
    return dt.date(q.year, 3 * q.q, 1)


def collect(quarter: str, census_date: dt.date | None = None) -> NoticeData:
    from govsite.feedback.metrics import unit_metrics
    from govsite.inspections import rectification, results
    from govsite.inspections.models import Campaign, CampaignSite, SelfCheckResult
    from govsite.inspections.periods import Quarter as IQuarter
    from govsite.inspections.periods import UnitIndex
    from govsite.registry.models import Region, Site
    from govsite.registry.reference import PROVINCE_SHORT

    q = Quarter.parse(quarter)
    iq = IQuarter(q.year, q.q)
    units = UnitIndex()

    # ---- running sites (registry)
    running_cat = [0] * 7
    region_levels: dict[str, list[int]] = defaultdict(lambda: [0] * 6)
    dept_parts: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # portals, others
    unit_running: dict[str, int] = defaultdict(int)
    for cat, region_id, dept_id, site_class in Site.objects.filter(status=Site.Status.RUNNING).values_list(
        "category", "region_id", "department_id", "site_class"
    ).iterator(chunk_size=5000):
        running_cat[cat - 1] += 1
        unit = units.unit_of(cat, region_id, dept_id)
        unit_running[unit.key] += 1
        if unit.kind == "region":
            region_levels[unit.code][max(cat - 2, 0)] += 1
        else:
            dept_parts[unit.code][0 if site_class == Site.SiteClass.PORTAL else 1] += 1
    if sum(running_cat) == 0:
        raise ReportDataError("数据库中没有正在运行的政府网站：请先导入登记数据（例如 govsite fixture load 2017Q3）")

    has_any = (
        Campaign.objects.filter(quarter=str(q)).exists()
        or _messages_exist(q)
    )
    if not has_any:
        raise ReportDataError(f"{q.label}没有数据：未找到该季度的抽查、自查活动或找错留言")

    # ---- national sample (inspections.results), this quarter and the previous ones
    def sample_by(qq: IQuarter, by: str) -> dict[str, SampleFigures]:
        res = results.pass_rates(qq, by, units)
        return {r.key: SampleFigures(r.sampled, r.passed) for r in res["rows"]}

    past = [iq]
    for _ in range(HISTORY_QUARTERS):
        past.append(past[-1].previous())
    reg_samples = [sample_by(qq, "region") for qq in past]
    dep_samples = [sample_by(qq, "department") for qq in past]
    national = []
    for qq in past:
        o = results.overall(qq)
        national.append(SampleFigures(o["sampled"], o["passed"]) if o["sampled"] else None)

    def history(key: str, samples: list[dict[str, SampleFigures]], quarter_has_data: list[bool]) -> list:
        return [s.get(key, SampleFigures()) if has else None for s, has in zip(samples[1:], quarter_has_data[1:], strict=True)]

    has_data = [n is not None for n in national]

    # ---- self-checks (per unit, counted the way results.selfcheck_coverage counts them)
    checked: dict[str, dict[int, str]] = defaultdict(dict)
    for cat, region_id, dept_id, site_id, verdict in SelfCheckResult.objects.filter(
        campaign__quarter=str(q)
    ).values_list("site__category", "site__region_id", "site__department_id", "site_id", "verdict"):
        checked[units.unit_of(cat, region_id, dept_id).key][site_id] = verdict
    rever = {r["unit"]: r for r in results.reverification(iq, units)["rows"]}

    # ---- 找错 (feedback.metrics)
    fb = {(m.unit_kind, m.unit_code): m for m in unit_metrics(q.start, q.end, cal=_cached_calendar())}

    # ---- accountability (inspections.rectification)
    acc_by_unit = rectification.accountability_summary(str(q))["by_unit"]

    # ---- rows
    regions, departments, unit_rows = [], [], []
    for u in sorted(units.provinces.values(), key=lambda u: (u.order, u.code)):
        short = PROVINCE_SHORT.get(u.code, u.name)
        regions.append(RegionRow(
            code=u.code, name=u.name, short=short, order=u.order, running=list(region_levels[u.code]),
            sample=reg_samples[0].get(u.key, SampleFigures()),
            history=history(u.key, reg_samples, has_data),
        ))
        unit_rows.append(_unit_row(u, short, unit_running, checked, rever, fb, acc_by_unit))
    short_names = {d.code: (d.short_name or d.name) for d in _departments()}
    for u in sorted(units.departments.values(), key=lambda u: (u.order, u.code)):
        short = short_names.get(u.code, u.name)
        portals, others = dept_parts[u.code]
        departments.append(DepartmentRow(
            code=u.code, name=u.name, short=short, order=u.order, portals=portals, others=others,
            sample=dep_samples[0].get(u.key, SampleFigures()),
            history=history(u.key, dep_samples, has_data),
        ))
        unit_rows.append(_unit_row(u, short, unit_running, checked, rever, fb, acc_by_unit))

    # ---- sample window, last quarter's rectification, problem sites, findings
    window = Campaign.objects.filter(quarter=str(q), kind=Campaign.Kind.NATIONAL_SAMPLE).order_by("window_start")
    first = window.first()
    last = window.order_by("-window_end").first()
    prev = rectification.status(str(iq.previous()))
    rect = None
    if prev["total"]:
        unrectified = [t["name"] for t in prev["tasks"] if t["state"] != "verified"]
        rect = RectificationStatus(str(q.previous()), prev["total"], prev["counts"]["verified"], unrectified)
    names = {r.name: r.short for r in unit_rows}  # unit full name → the short name the notice prints
    problem_sites = [
        ProblemSite(unit=names.get(p["unit"], p["unit"]), name=p["name"], url=p["url"], code=p["site"],
                    problems=[x for x in p["problems"].split("；") if x])
        for p in results.problem_sites(iq, units)
    ]
    region_names = dict(Region.objects.values_list("id", "name"))
    region_codes = dict(Region.objects.values_list("id", "code"))
    province_names = dict(Region.objects.filter(level=Region.Level.PROVINCE).values_list("code", "name"))
    findings: dict[str, list[FindingItem]] = defaultdict(list)
    ads: list[ProblemSite] = []
    sample_sites = CampaignSite.objects.filter(
        campaign__quarter=str(q), campaign__kind=Campaign.Kind.NATIONAL_SAMPLE,
        review_state=CampaignSite.ReviewState.FINAL,
    ).select_related("site").order_by("site__code")
    seen: set[int] = set()
    for cs in sample_sites:
        if cs.site_id in seen:
            continue
        seen.add(cs.site_id)
        indicators = cs.reviewed_indicators if cs.reviewed_indicators is not None else (cs.report or {}).get("indicators") or []
        if isinstance(indicators, dict):
            indicators = [{"id": k, **v} for k, v in indicators.items()]
        site = cs.site
        for item in indicators:
            if item.get("status") not in _PROBLEM:
                continue
            iid = item.get("id", "")
            unit = units.unit_of_site(site)
            if iid == COMMERCIAL_AD_ID:
                ads.append(ProblemSite(names.get(unit.name, unit.name), site.name, site.home_url, site.code, []))
                continue
            kind = _FINDING_IDS.get(iid)
            if kind is None:
                continue
            ev = (item.get("evidence") or [{}])[0] or {}
            if kind == "jiucuo":
                static = ev.get("entry") == "static_image" or "静态图片" in str(ev.get("detail", ""))
                kind = "jiucuo_static" if static else "jiucuo_missing"
            place = _place(site, region_codes, region_names, province_names, full=kind == "nonstandard_name")
            detail = str(ev.get("detail", ""))
            if kind == "nonstandard_name":
                detail = "政府门户网站" if site.site_class == Site.SiteClass.PORTAL else "政府网站"
            findings[kind].append(FindingItem(
                site_name=site.name, place=place, unit=names.get(unit.name, unit.name),
                column=str(ev.get("column", "")), detail=detail, url=str(ev.get("url", site.home_url)), code=site.code,
            ))
    notes = []
    pending = CampaignSite.objects.filter(
        campaign__quarter=str(q), campaign__kind=Campaign.Kind.NATIONAL_SAMPLE,
    ).exclude(review_state=CampaignSite.ReviewState.FINAL).count()
    if pending:
        notes.append(f"{q.label}国办抽查中有{pending}个网站尚未审定，未计入抽查数和合格率")

    data = NoticeData(
        quarter=str(q),
        census_date=census_date or default_census_date(q),
        sample_start=first.window_start if first else None,
        sample_end=last.window_end if last else None,
        running_by_category=running_cat,
        regions=regions,
        departments=departments,
        units=unit_rows,
        sample=national[0] or SampleFigures(),
        sample_history=national[1:],
        commercial_ads=ads,
        rectification=rect,
        problem_sites=problem_sites,
        findings=[Finding(k, findings[k]) for k in FINDING_KINDS if findings.get(k)],
        notes=notes,
    )
    data.validate()
    return data


def _cached_calendar():  # noqa: ANN202 - a feedback WorkCalendar
    """The feedback calendar with is_workday memoised: a quarter's metrics ask about the same
    ~100 days tens of thousands of times, and chinese_calendar's own lookup is slow."""
    from govsite.feedback.workdays import load_calendar

    cal = load_calendar()
    cache: dict[dt.date, bool] = {}
    original = cal.is_workday

    def is_workday(day: dt.date) -> bool:
        value = cache.get(day)
        if value is None:
            value = cache[day] = original(day)
        return value

    cal.is_workday = is_workday  # type: ignore[method-assign]
    return cal


def _departments():  # noqa: ANN202
    from govsite.registry.models import Department

    return Department.objects.all()


def _messages_exist(q: Quarter) -> bool:
    from django.utils import timezone

    from govsite.feedback.models import Message

    tz = timezone.get_current_timezone()
    lo = dt.datetime.combine(q.start, dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(q.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return Message.objects.filter(created_at__gte=lo, created_at__lt=hi).exists()


def _unit_row(u, short, unit_running, checked, rever, fb, acc_by_unit) -> UnitRow:  # noqa: ANN001
    verdicts = checked.get(u.key, {})
    rv = rever.get(u.name)
    m = fb.get((u.kind, u.code))
    acc = acc_by_unit.get(u.name, {})
    return UnitRow(
        kind=u.kind, code=u.code, name=u.name, short=short, order=u.order,
        running=unit_running.get(u.key, 0),
        self_checked=len(verdicts), self_passed=sum(v == "pass" for v in verdicts.values()),
        reverified=rv["rechecked"] if rv else 0, reverify_consistent=rv["agreed"] if rv else 0,
        messages=m.valid if m else 0, closed=m.closed if m else 0, on_time=m.closed_on_time if m else 0,
        accountability={k: acc.get(k, 0) for k in ACCOUNTABILITY_KINDS if acc.get(k, 0)},
    )


def _place(site, region_codes, region_names, province_names, full: bool = False) -> str:  # noqa: ANN001
    """吉林省东丰县 / 江西省 / "" — the province unless the site name already starts with it,
    then the city/county unless its full name is already in the site name."""
    if site.region_id is None:
        return ""
    code = region_codes[site.region_id]
    province = province_names.get(code[:2] + "0000", "")
    short = province.removesuffix("省").removesuffix("市").removesuffix("自治区")
    out = ""
    if full or not (short and short[:2] in site.name):
        out = province
    local = region_names[site.region_id]
    if code[2:] != "0000" and local not in site.name and local != "市辖区":
        out += local
    return out
