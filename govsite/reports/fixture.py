"""`govsite fixture load 2017Q3`: a database built to the figures of the 2017 Q3 notice (the
seed), not a copy of its text. It fills the ordinary tables of the other apps — registry sites
(through the registry generator), national-sample campaigns for 2017 Q1–Q3 with reviewed
verdicts, self-check campaigns and results, a re-verification, last quarter's rectification
tasks, accountability records and 找错 messages — so that `govsite report 2017Q3` composes the
seed's figures through the same code paths as real data:

* 29431 running sites = 1972 / 32 / 2501 / 531 / 15219 / 2770 / 6406;
* 500 sampled, 485 passed (97 %); 2017Q2 524/493 (94 %), 2017Q1 469/427 (91 %);
* 22 regions at 100 %; 北京、天津、海南、新疆生产建设兵团 at 100 % in Q1, Q2 and Q3;
  吉林 and 青海 up markedly on Q2;
* 12466 self-checks (42 % of the running sites) by the regions and 71 departments, 11718 passed
  (94 %); 北京、河北、山西、海南 and 烟草局 above 70 %;
* 14210 valid 找错 messages (plus rejected/duplicate ones), 13926 closed (98 %), 17 units at
  100 % on time (named first: 内蒙古、上海、江苏、环境保护部), 外交部、住房城乡建设部、卫生计生委 below 70 %;
* accountability 约谈 183, 书面检查 33, 通报批评 11, 警告或记过 6, 调离岗位或免职 5;
* all 31 sites that failed in 2017Q2 rectified; no commercial advertising found;
* the findings of section 二 on sampled sites, with evidence.

Deterministic: one `random.Random(2017)`; everything runs in one transaction."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field

from govsite.reports.data import ACCOUNTABILITY_KINDS, Quarter, ReportDataError

SEED = 2017
ACTOR = "fixture-2017Q3"
QUARTERS = ("2017Q1", "2017Q2", "2017Q3")
# National sample per quarter: (sampled in regions, sampled in departments, failures in regions).
SAMPLE = {"2017Q1": (410, 59, 42), "2017Q2": (460, 64, 31), "2017Q3": (440, 60, 12)}
Q3_DEPT_FAILURES = ("bm15", "bm22", "bm32")  # 国土资源部, 文化部, 体育总局
WINDOWS = {
    "2017Q1": (dt.date(2017, 3, 13), dt.date(2017, 4, 20)),
    "2017Q2": (dt.date(2017, 6, 12), dt.date(2017, 7, 25)),
    "2017Q3": (dt.date(2017, 9, 14), dt.date(2017, 10, 30)),
}
STREAK = ("110000", "120000", "460000", "660000")  # 北京 天津 海南 兵团: 100 % three quarters running
RISEN = ("220000", "630000")  # 吉林 青海: 4 failures in Q2, none in Q3
# Regions failing in Q3 (two failures for 河南 and 贵州, one for the others).
Q3_FAILING = {"130000": 1, "140000": 1, "210000": 1, "230000": 1, "340000": 1, "360000": 1, "410000": 2,
              "450000": 1, "520000": 2, "620000": 1}
SELF_CHECK_TOTAL, SELF_CHECK_PASSED = 12466, 11718
SELF_CHECK_HIGH = {"110000": 0.75, "130000": 0.75, "140000": 0.75, "460000": 0.75, "bm65": 0.80}
SELF_CHECK_ZERO_DEPARTMENTS = 4  # of the 75 departments with sites: 71 self-check
REVERIFIED, REVERIFY_DISAGREE = 200, 4
MESSAGES_VALID, MESSAGES_CLOSED = 14210, 13926
ONTIME_FULL = ("150000", "310000", "320000", "350000", "430000", "500000", "540000", "640000", "650000",
               "bm16", "bm18", "bm19", "bm21", "bm25", "bm27", "bm35", "bm37")  # 17 units, 100 % on time
LOW_CLOSED = ("bm01", "bm17", "bm23")  # 外交部, 住房城乡建设部, 卫生计生委: 办结率 60 %
ACCOUNTABILITY = {"约谈": 183, "书面检查": 33, "通报批评": 11, "警告或记过": 6, "调离岗位或免职": 5}
MIN_DEPARTMENT_SITES = 4


@dataclass
class Special:
    """A sampled site carrying one of section 二's findings (reviewed indicators with evidence)."""

    region: str  # region code the site lies in
    category: int
    name: str | None  # new name, or None to keep the generated one
    verdict: str
    indicators: list[dict] = field(default_factory=list)


def _ind(iid: str, status: str, detail: str, url: str = "", points: float = 0, **extra: str) -> dict:
    return {"id": iid, "status": status, "points": points, "evidence": [{"url": url, "detail": detail, **extra}]}


SPECIALS = (
    Special("220421", 6, "中国·东丰政府公众信息网", "pass",
            [_ind("G-NAME-1", "deduct", "网站名称未使用主办单位规范名称“东丰县人民政府”")]),
    Special("350000", 3, "福建农业信息网", "pass",
            [_ind("G-ID-4", "deduct", "首页“我为政府网站找错”入口为静态图片，无有效链接", entry="static_image")]),
    Special("500000", 3, "重庆市体育局", "pass",
            [_ind("G-ID-4", "deduct", "首页未添加“我为政府网站找错”平台入口", entry="none")]),
    Special("360300", 5, "萍乡市财政局", "pass",
            [_ind("G-ID-4", "deduct", "首页未添加“我为政府网站找错”平台入口", entry="none")]),
    Special("230883", 7, "抚远网上政务服务中心", "fail",
            [_ind("V15-3", "veto", "下20余项主题服务内容均为空", column="并联审批")]),
    Special("130181", 7, "辛集市行政服务中心", "fail",
            [_ind("V15-2", "veto", "首页两周内无更新"),
             _ind("D15-8", "deduct", "多项办事指南要素不全，缺少依据条件、流程时限等", points=-5, column="在线申报")]),
    Special("410000", 6, None, "fail", [_ind("V15-4", "veto", "严重错别字")]),
    Special("520000", 6, None, "fail", [_ind("V15-4", "veto", "文不对题")]),
    Special("620000", 7, None, "fail", [_ind("V15-1", "veto", "首页无法访问"), _ind("G-SEC-1", "deduct", "病毒感染")]),
    Special("340000", 7, None, "fail", [_ind("V15-1", "veto", "首页无法访问"), _ind("G-SEC-1", "deduct", "恶意攻击")]),
    Special("450000", 7, None, "fail", [_ind("V15-2", "veto", "首页两周内无更新"), _ind("G-SEC-1", "deduct", "网页篡改")]),
)
_GENERIC_VETOES = (
    ("V15-1", "首页一周内无法访问比例超过5%"),
    ("V15-2", "首页两周内无更新"),
    ("V15-5", "网民留言超过3个月未答复"),
)


def _apportion(total: int, weights: dict[str, float], minimum: int = 0) -> dict[str, int]:
    """Largest-remainder split of `total` by weight, every key at least `minimum`."""
    keys = sorted(weights)
    base = {k: minimum for k in keys}
    rest = total - minimum * len(keys)
    if rest < 0:
        raise ValueError("total below the minimum")
    wsum = sum(weights[k] for k in keys) or 1
    raw = {k: rest * weights[k] / wsum for k in keys}
    out = {k: base[k] + math.floor(raw[k]) for k in keys}
    left = total - sum(out.values())
    for k in sorted(keys, key=lambda k: (-(raw[k] - math.floor(raw[k])), k))[:left]:
        out[k] += 1
    return out


def load(quarter: str = "2017Q3") -> dict[str, int]:
    """Load the fixture; returns counts of what was created. Refuses to load twice."""
    from django.db import transaction

    q = Quarter.parse(quarter)
    if str(q) != "2017Q3":
        raise ReportDataError(f"没有{q}的样例数据：目前只提供 2017Q3（与种子通报的数字一致）")
    from govsite.inspections.models import Campaign

    if Campaign.objects.filter(quarter__in=QUARTERS, name__startswith="样例").exists():
        raise ReportDataError("2017Q3 样例数据已经加载过；如需重新加载，请使用新的数据库（GOVSITE_VAR_DIR 或 GOVSITE_DATABASE_URL）")
    if Campaign.objects.filter(quarter__in=QUARTERS).exists():
        raise ReportDataError("数据库中已有2017年第一至第三季度的检查活动，样例数据不能与之混合；请使用新的数据库")
    with transaction.atomic():
        return _Loader().run()


class _Loader:
    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.counts: dict[str, int] = defaultdict(int)

    # ------------------------------------------------------------ registry

    def registry(self) -> None:
        from govsite.registry.generator import PRESETS, generate
        from govsite.registry.importer import apply_records
        from govsite.registry.index import RegistryIndex
        from govsite.registry.models import Site

        running = Site.objects.filter(status=Site.Status.RUNNING)
        if not running.exists():
            index = RegistryIndex()
            result = generate(like="2017Q3", seed=SEED, index=index)
            apply_records(result.records, index, ACTOR, reason="样例数据 2017Q3")
            self.counts["sites"] = len(result.records)
        by_cat = dict.fromkeys(range(1, 8), 0)
        for cat in running.values_list("category", flat=True):
            by_cat[cat] += 1
        if by_cat != PRESETS["2017Q3"]:
            raise ReportDataError(
                "数据库中已有的网站登记数据与2017Q3的分类数不符，样例数据需要空数据库或"
                "`govsite registry generate --like 2017Q3` 生成的名录"
            )

    def index_sites(self) -> None:
        from govsite.inspections.periods import UnitIndex
        from govsite.registry.models import Region, Site

        self.units = UnitIndex()
        self.region_code = dict(Region.objects.values_list("pk", "code"))
        self.sites_by_unit: dict[str, list] = defaultdict(list)
        for site in Site.objects.filter(status=Site.Status.RUNNING).order_by("code"):
            self.sites_by_unit[self._key(self.units.unit_of_site(site))].append(site)

    @staticmethod
    def _key(unit) -> str:  # noqa: ANN001 - periods.Unit
        return unit.code

    def top_up_departments(self) -> None:
        """Every department with sites gets at least MIN_DEPARTMENT_SITES running sites, moved
        from the largest vertical system (a department with one site can only self-check 0 % or
        100 %, and the seed names a single department above 70 %)."""
        from govsite.registry.models import Department, SiteChange

        depts = {d.code: d for d in Department.objects.all()}
        donor = max((c for c in depts if self.sites_by_unit.get(c)), key=lambda c: len(self.sites_by_unit[c]))
        moved = []
        for code in sorted(depts, key=lambda c: depts[c].notice_order):
            sites = self.sites_by_unit.get(code, [])
            if not sites or len(sites) >= MIN_DEPARTMENT_SITES or code == donor:
                continue
            suffixes = ("信息中心", "机关服务中心", "培训中心", "咨询服务中心", "档案馆")
            while len(sites) < MIN_DEPARTMENT_SITES:
                site = next(s for s in reversed(self.sites_by_unit[donor]) if s.site_class == "department")
                self.sites_by_unit[donor].remove(site)
                before = (site.department_id, site.name)
                site.department_id = depts[code].pk
                site.name = f"{depts[code].name}{suffixes[len(sites) - 1]}"
                sites.append(site)
                moved.append(site)
                SiteChange.objects.create(site=site, actor=ACTOR, action=SiteChange.Action.UPDATE,
                                          changes={"department": [before[0], site.department_id], "name": [before[1], site.name]},
                                          reason="样例数据：补足部门网站数")
        from govsite.registry.models import Site

        Site.objects.bulk_update(moved, ["department", "name"])
        self.counts["sites_moved"] = len(moved)

    def specials(self) -> dict[str, list]:
        """Rename/locate the sites carrying section 二's findings; returns unit → [(site, Special)]."""
        from govsite.registry.models import Region, Site, SiteChange

        out: dict[str, list] = defaultdict(list)
        regions = {r.code: r for r in Region.objects.all()}
        used: set[int] = set()
        for sp in SPECIALS:
            prov = sp.region[:2] + "0000"
            target = regions[sp.region]
            pool = [s for s in self.sites_by_unit[prov] if s.category == sp.category and s.pk not in used]
            if sp.name:
                exact = [s for s in pool if s.name == sp.name]
                local = [s for s in pool if self.region_code[s.region_id] == sp.region]
                site = (exact or local or pool)[0]
            else:
                site = self.rng.choice(pool)
            used.add(site.pk)
            changes = {}
            if sp.name and site.name != sp.name:
                changes["name"] = [site.name, sp.name]
                site.name = sp.name
            if sp.region != prov and site.region_id != target.pk:
                changes["region"] = [self.region_code[site.region_id], sp.region]
                site.region_id = target.pk
                self.region_code.setdefault(target.pk, sp.region)
            if changes:
                Site.objects.filter(pk=site.pk).update(name=site.name, region_id=site.region_id)
                SiteChange.objects.create(site=site, actor=ACTOR, action=SiteChange.Action.UPDATE, changes=changes,
                                          reason="样例数据：通报问题示例网站")
            out[prov].append((site, sp))
        return out

    # ------------------------------------------------------------ campaigns

    def _campaign(self, quarter: str, kind: str, name: str, **extra):  # noqa: ANN003, ANN202
        from django.utils import timezone

        from govsite.inspections.models import Campaign

        start, end = WINDOWS.get(quarter, (Quarter.parse(quarter).start, Quarter.parse(quarter).end))
        tz = timezone.get_current_timezone()
        return Campaign.objects.create(
            name=name, quarter=quarter, kind=kind, ruleset="RS2015",
            as_of=dt.datetime.combine(start, dt.time(9), tzinfo=tz), window_start=start, window_end=end,
            state=Campaign.State.CLOSED, seed=str(SEED), algorithm="fixture", **extra,
        )

    def _report(self, site, verdict: str, indicators: list[dict]) -> dict:  # noqa: ANN001
        score = 0.0 if any(i["status"] == "veto" for i in indicators) else 100.0 + sum(
            float(i.get("points") or 0) for i in indicators)
        return {"schema": 1, "site": {"url": site.home_url, "name": site.name, "code": site.code,
                                      "category": site.category},
                "ruleset": "RS2015", "verdict": verdict, "score": score, "indicators": indicators}

    def national_samples(self, specials: dict[str, list]) -> dict[str, list]:
        """Q1–Q3 samples with reviewed verdicts; returns quarter → failed CampaignSites."""
        from django.utils import timezone

        from govsite.inspections.models import Campaign, CampaignSite

        provinces = [u for u in sorted(self.units.provinces.values(), key=lambda u: u.order)]
        departments = [u for u in sorted(self.units.departments.values(), key=lambda u: u.order)
                       if self.sites_by_unit.get(u.code)]
        failed: dict[str, list] = {}
        tz = timezone.get_current_timezone()
        for quarter in QUARTERS:
            in_regions, in_depts, reg_fail = SAMPLE[quarter]
            campaign = self._campaign(quarter, Campaign.Kind.NATIONAL_SAMPLE, f"样例 {quarter} 国办抽查", population=29431)
            per_region = _apportion(in_regions, {u.code: len(self.sites_by_unit[u.code]) for u in provinces}, minimum=8)
            fails = self._region_failures(quarter, provinces, reg_fail)
            dept_units = departments[:in_depts] if quarter != "2017Q3" else self._q3_departments(departments, in_depts)
            rows, failed[quarter] = [], []
            finished = dt.datetime.combine(WINDOWS[quarter][1], dt.time(17), tzinfo=tz)
            for unit_code, n, n_fail in (
                [(u.code, per_region[u.code], fails.get(u.code, 0)) for u in provinces]
                + [(u.code, 1, 1 if quarter == "2017Q3" and u.code in Q3_DEPT_FAILURES else 0) for u in dept_units]
            ):
                pool = self.sites_by_unit[unit_code]
                forced = specials.get(unit_code, []) if quarter == "2017Q3" else []
                forced_ids = {s.pk for s, _ in forced}
                drawn = [s for s in self.rng.sample(pool, min(n, len(pool))) if s.pk not in forced_ids]
                chosen = [(s, sp) for s, sp in forced] + [(s, None) for s in drawn[: n - len(forced)]]
                fail_left = n_fail - sum(1 for _, sp in chosen if sp and sp.verdict == "fail")
                for site, sp in chosen:
                    if sp is not None:
                        verdict, indicators = sp.verdict, sp.indicators
                    elif fail_left > 0:
                        fail_left -= 1
                        iid, detail = self.rng.choice(_GENERIC_VETOES)
                        verdict, indicators = "fail", [_ind(iid, "veto", detail, site.home_url)]
                    else:
                        verdict, indicators = "pass", []
                    report = self._report(site, verdict, indicators)
                    rows.append(CampaignSite(
                        campaign=campaign, site=site, stratum=unit_code, state=CampaignSite.State.DONE, attempts=1,
                        report=report, score=report["score"], auto_verdict=verdict, reviewed_indicators=indicators,
                        reviewed_verdict=verdict, review_state=CampaignSite.ReviewState.FINAL,
                        started_at=finished, finished_at=finished,
                    ))
            CampaignSite.objects.bulk_create(rows, batch_size=500)
            campaign.total = campaign.done = len(rows)
            campaign.save(update_fields=["total", "done"])
            failed[quarter] = list(CampaignSite.objects.filter(campaign=campaign, reviewed_verdict="fail"))
            self.counts[f"sample_{quarter}"] = len(rows)
        return failed

    def _q3_departments(self, departments: list, n: int) -> list:
        must = [u for u in departments if u.code in Q3_DEPT_FAILURES]
        rest = [u for u in departments if u.code not in Q3_DEPT_FAILURES][: n - len(must)]
        return sorted(must + rest, key=lambda u: u.order)

    def _region_failures(self, quarter: str, provinces: list, total: int) -> dict[str, int]:
        if quarter == "2017Q3":
            return dict(Q3_FAILING)
        others = [u.code for u in provinces if u.code not in STREAK]
        if quarter == "2017Q2":
            fails = {c: 4 for c in RISEN}
            rest = [c for c in others if c not in RISEN]  # 26 regions: 1 failure each for the first 23
            for c in rest[: total - 8]:
                fails[c] = 1
            return fails
        fails = {c: 1 for c in others}  # 2017Q1: 28 regions, 14 of them with a second failure
        for c in others[: total - len(others)]:
            fails[c] += 1
        return fails

    # ------------------------------------------------------------ self-checks

    def self_checks(self) -> None:
        from govsite.inspections.models import Campaign, CampaignSite, SelfCheckResult
        from govsite.registry.models import Department, Region

        units = {u.code: u for u in [*self.units.provinces.values(), *self.units.departments.values()]}
        running = {c: len(self.sites_by_unit.get(c, [])) for c in units}
        dept_ext = dict(Department.objects.values_list("code", "has_external_services"))
        with_sites = [c for c in units if units[c].kind == "department" and running[c]]
        zero = sorted(with_sites, key=lambda c: (dept_ext.get(c, True), running[c], units[c].order))[:SELF_CHECK_ZERO_DEPARTMENTS]
        n: dict[str, int] = {}
        for code, share in SELF_CHECK_HIGH.items():
            r = running[code]
            n[code] = min(r, max(math.floor(share * r), math.floor(0.7 * r) + 1))
        others = [c for c in units if running[c] and c not in n and c not in zero]
        rest_total = SELF_CHECK_TOTAL - sum(n.values())
        share = rest_total / sum(running[c] for c in others)
        for c in others:
            n[c] = max(1, min(math.floor(0.7 * running[c]), round(share * running[c])))
        # Put the rounding difference on the largest regions, staying within 30–70 %.
        diff = SELF_CHECK_TOTAL - sum(n.values())
        big = sorted((c for c in others if units[c].kind == "region"), key=lambda c: -running[c])
        i = 0
        while diff:
            c = big[i % len(big)]
            step = 1 if diff > 0 else -1
            if 30 * running[c] <= 100 * (n[c] + step) <= 70 * running[c]:
                n[c] += step
                diff -= step
            i += 1
        passed = {c: round(0.94 * v) for c, v in n.items()}
        diff = SELF_CHECK_PASSED - sum(passed.values())
        i = 0
        while diff:
            c = big[i % len(big)]
            step = 1 if diff > 0 else -1
            if 0 <= passed[c] + step <= n[c]:
                passed[c] += step
                diff -= step
            i += 1
        regions = {r.code: r for r in Region.objects.filter(level=Region.Level.PROVINCE)}
        depts = {d.code: d for d in Department.objects.all()}
        results, checked_sites = [], []
        q3_start = WINDOWS["2017Q3"][0]
        for code in sorted(n, key=lambda c: (units[c].kind != "region", units[c].order)):
            unit = units[code]
            fields = ({"unit_region": regions[code]} if unit.kind == "region" else {"unit_department": depts[code]})
            campaign = self._campaign("2017Q3", Campaign.Kind.SELF_CHECK, f"样例 2017Q3 {unit.name}自查",
                                      population=running[code], **fields)
            sites = self.rng.sample(self.sites_by_unit[code], n[code])
            for k, site in enumerate(sites):
                verdict = CampaignSite.Verdict.PASS if k < passed[code] else CampaignSite.Verdict.FAIL
                results.append(SelfCheckResult(
                    campaign=campaign, site=site, checked_on=q3_start - dt.timedelta(days=self.rng.randrange(60)),
                    verdict=verdict, score=90.0 if verdict == "pass" else 40.0,
                    problems="" if verdict == "pass" else "栏目不更新", indicator_ids=[] if verdict == "pass" else ["V15-3"],
                    inspector=f"{unit.name}检查组", source=SelfCheckResult.Source.UPLOAD,
                ))
                checked_sites.append((site, verdict))
        SelfCheckResult.objects.bulk_create(results, batch_size=1000)
        self.counts["self_checks"] = len(results)
        # Central re-verification of a sample of the self-checked sites.
        campaign = self._campaign("2017Q3", Campaign.Kind.REVERIFICATION, "样例 2017Q3 抽样复核", population=len(results))
        picks = self.rng.sample(checked_sites, REVERIFIED)
        rows = []
        for k, (site, own) in enumerate(picks):
            verdict = own if k >= REVERIFY_DISAGREE else ("fail" if own == "pass" else "pass")
            indicators = [] if verdict == "pass" else [_ind("V15-3", "veto", "空白栏目5个以上", site.home_url)]
            report = self._report(site, verdict, indicators)
            rows.append(CampaignSite(campaign=campaign, site=site, state=CampaignSite.State.DONE, attempts=1,
                                     report=report, score=report["score"], auto_verdict=verdict,
                                     reviewed_indicators=indicators, reviewed_verdict=verdict,
                                     review_state=CampaignSite.ReviewState.FINAL))
        CampaignSite.objects.bulk_create(rows, batch_size=500)

    # ------------------------------------------------------------ rectification and accountability

    def rectification(self, failed_q2: list) -> None:
        from django.utils import timezone

        from govsite.inspections.models import RectificationTask

        tz = timezone.get_current_timezone()
        verified = dt.datetime(2017, 9, 10, 10, tzinfo=tz)
        RectificationTask.objects.bulk_create([
            RectificationTask(campaign_site=cs, site_id=cs.site_id, quarter="2017Q2", deadline=dt.date(2017, 9, 20),
                              state=RectificationTask.State.VERIFIED, problems="国办抽查不合格",
                              report_note="已完成整改", reported_at=verified, verified_at=verified)
            for cs in failed_q2
        ])
        self.counts["rectification_tasks"] = len(failed_q2)

    def accountability(self) -> None:
        from govsite.inspections.models import AccountabilityRecord
        from govsite.registry.models import Region

        regions = list(Region.objects.filter(level=Region.Level.PROVINCE).order_by("notice_order"))
        spread = {"约谈": 24, "书面检查": 11, "通报批评": 5, "警告或记过": 3, "调离岗位或免职": 2}
        rows = []
        for kind in ACCOUNTABILITY_KINDS:
            total = ACCOUNTABILITY.get(kind, 0)
            if not total:
                continue
            chosen = self.rng.sample(regions, spread[kind])
            for region, count in zip(chosen, _apportion(total, {r.code: 1 for r in chosen}).values(), strict=True):
                rows.append(AccountabilityRecord(quarter="2017Q3", unit_region=region, kind=kind, count=count,
                                                 note="对抽查不合格网站责任人问责", actor=ACTOR))
        AccountabilityRecord.objects.bulk_create(rows)
        self.counts["accountability_records"] = len(rows)

    # ------------------------------------------------------------ 找错 messages

    def messages(self) -> None:
        from django.utils import timezone

        from govsite.feedback.models import Category, Message, Status
        from govsite.feedback.workdays import load_calendar
        from govsite.registry.models import Department, Region

        tz = timezone.get_current_timezone()
        cal = load_calendar()
        units = {u.code: u for u in [*self.units.provinces.values(), *self.units.departments.values()]}
        running = {c: len(self.sites_by_unit.get(c, [])) for c in units if self.sites_by_unit.get(c)}
        fixed = {c: 20 for c in LOW_CLOSED}
        counts = _apportion(MESSAGES_VALID - sum(fixed.values()),
                            {c: running[c] for c in running if c not in fixed}, minimum=5) | fixed
        open_left = MESSAGES_VALID - MESSAGES_CLOSED
        open_by = {c: 8 for c in LOW_CLOSED}  # 12 of 20 closed: 60 %
        open_left -= sum(open_by.values())
        partial = [c for c in sorted(counts) if c not in ONTIME_FULL and c not in LOW_CLOSED and units[c].kind == "region"]
        open_by |= _apportion(open_left, {c: counts[c] for c in partial})
        days = [d for d in (dt.date(2017, 7, 1) + dt.timedelta(n) for n in range(80)) if cal.is_workday(d)]
        regions = {r.code: r for r in Region.objects.filter(level=Region.Level.PROVINCE)}
        depts = {d.code: d for d in Department.objects.all()}
        rows: list[Message] = []
        created: dict[dt.date, list[str]] = defaultdict(list)
        seq = 0

        def add(code: str, status: int, late: bool = False) -> None:
            nonlocal seq
            seq += 1
            site = self.rng.choice(self.sites_by_unit[code])
            day = self.rng.choice(days)
            at = dt.datetime.combine(day, dt.time(10), tzinfo=tz)
            screened = at + dt.timedelta(hours=2)
            replied = closed_at = None
            if status == Status.CLOSED:
                replied = screened + dt.timedelta(days=15 if late else 1)
                closed_at = replied + dt.timedelta(hours=1)
            unit = units[code]
            qc = f"YL2017Q3{seq:08d}"
            created[day].append(qc)
            rows.append(Message(
                query_code=qc, form_nonce=f"fixture-2017q3-{seq}", site=site, site_code=site.code, site_name=site.name,
                page_url=site.home_url, category=self.rng.choice(Category.values),
                description="页面内容与实际情况不符，请核实更正。（样例数据）", status=status,
                office_region=regions.get(code) if unit.kind == "region" else None,
                office_department=depts.get(code) if unit.kind == "department" else None,
                screened_at=screened, forwarded_at=screened, replied_at=replied, closed_at=closed_at,
                reply="已核实并更正。" if replied else "", overdue=late,
            ))

        for code in sorted(counts):
            total, n_open = counts[code], open_by.get(code, 0)
            closed = total - n_open
            late = 0
            if code in LOW_CLOSED:
                late = 2
            elif code not in ONTIME_FULL:
                late = max(1, closed // 50)  # every other unit has some replies past the deadline
            for k in range(closed):
                add(code, Status.CLOSED, late=k < late)
            for _ in range(n_open):
                add(code, Status.ACCEPTED)
            for k in range(max(1, total // 30)):  # screened out: not counted as valid
                add(code, Status.REJECTED_INVALID if k % 2 == 0 else Status.DUPLICATE)
        Message.objects.bulk_create(rows, batch_size=1000)
        # created_at is auto_now_add: set the submission times afterwards, one update per day.
        for day, codes in created.items():
            at = dt.datetime.combine(day, dt.time(10), tzinfo=tz)
            for i in range(0, len(codes), 900):
                Message.objects.filter(query_code__in=codes[i:i + 900]).update(created_at=at)
        self.counts["messages"] = len(rows)

    # ------------------------------------------------------------ all

    def run(self) -> dict[str, int]:
        self.registry()
        self.index_sites()
        self.top_up_departments()
        specials = self.specials()
        failed = self.national_samples(specials)
        self.rectification(failed["2017Q2"])
        self.self_checks()
        self.accountability()
        self.messages()
        return dict(self.counts)
