"""Creating campaigns: the national sample, self-checks, re-verification subsamples and
rectification re-checks. Every function validates first and writes in one transaction."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.db import transaction

from govsite.engine.rulesets import ruleset_for
from govsite.inspections import sampling
from govsite.inspections.errors import InspectionError
from govsite.inspections.models import AuditEntry, Campaign, CampaignSite, RectificationTask, SelfCheckResult
from govsite.inspections.periods import Quarter, Unit, UnitIndex

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def audit(
    actor: str,
    action: str,
    obj: Any,
    *,
    campaign: Campaign | None = None,
    before: Any = None,
    after: Any = None,
    reason: str = "",
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor or "system",
        action=action,
        object_type=type(obj).__name__,
        object_id=str(obj.pk),
        campaign=campaign,
        before=before,
        after=after,
        reason=reason,
    )


def _window(quarter: Quarter, as_of: dt.date | None, window: tuple[dt.date, dt.date] | None):
    start, end = window or (quarter.start, quarter.end)
    if start > end:
        raise InspectionError(f"采样时间窗口无效：开始 {start} 晚于结束 {end}")
    day = as_of or end
    # The monitoring instant is the end of the as-of day, Beijing time.
    moment = dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=SHANGHAI)
    return start, end, moment, ruleset_for(day)


def new_campaign(
    kind: str,
    name: str,
    quarter: Quarter,
    window: tuple[dt.date, dt.date, dt.datetime, str],
    sites: list[tuple[int, str]],
    *,
    actor: str,
    audit_action: str = "create",
    audit_after: Any = None,
    **fields: Any,
) -> Campaign:
    """Create a campaign, its sites ``(site id, stratum)`` and the audit entry, in the caller's
    transaction: the one way every kind of campaign is written."""
    start, end, moment, ruleset = window
    campaign = Campaign.objects.create(
        name=name, quarter=str(quarter), kind=kind, ruleset=ruleset, as_of=moment,
        window_start=start, window_end=end, **fields,
    )
    CampaignSite.objects.bulk_create(
        [CampaignSite(campaign=campaign, site_id=pk, stratum=stratum) for pk, stratum in sites], batch_size=1000
    )
    audit(actor, audit_action, campaign, campaign=campaign, after=audit_after)
    return campaign


def population() -> tuple[list[tuple[int, str, str]], str, UnitIndex]:
    """Running sites as (site id, code, stratum key), the snapshot hash and the unit index."""
    from govsite.registry.models import Site

    units = UnitIndex()
    rows = []
    for pk, code, category, region_id, dept_id in Site.objects.filter(status=Site.Status.RUNNING).values_list(
        "pk", "code", "category", "region_id", "department_id"
    ):
        unit = units.unit_of(category, region_id, dept_id)
        rows.append((pk, code, f"{unit.key}/{category}"))
    return rows, sampling.snapshot_hash(code for _, code, _ in rows), units


def _unique_name(base: str) -> str:
    name, i = base, 2
    while Campaign.objects.filter(name=name).exists():
        name, i = f"{base}-{i}", i + 1
    return name


def draw_national_sample(
    quarter: str,
    size: int,
    seed: str,
    *,
    minimum: int = 1,
    exclude_previous: bool = False,
    skip_empty_strata: bool = False,
    as_of: dt.date | None = None,
    window: tuple[dt.date, dt.date] | None = None,
    second_review: bool = False,
    name: str | None = None,
    restrict_to: list[str] | None = None,
    restrict_note: dict | None = None,
    replace: bool = False,
    actor: str = "system",
) -> Campaign:
    """Draw and store the national random sample (algorithm: govsite.inspections.sampling).

    ``restrict_to`` limits the population to the given codes (e.g. the farm's slice of the
    registry); the list is recorded so the draw stays reproducible."""
    q = Quarter.parse(quarter)
    if not str(seed).strip():
        raise InspectionError("随机种子不能为空")
    if minimum < 0:
        raise InspectionError("每层最少样本数不能为负")
    start, end, moment, ruleset = _window(q, as_of, window)
    rows, snap, _units = population()
    if not rows:
        raise InspectionError("登记库中没有正常运行的网站，无法抽样（请先导入或生成登记库）")
    excluded: list[str] = []
    previous: list[str] = []
    if exclude_previous:
        prev_campaigns = Campaign.objects.filter(quarter=str(q.previous()), kind=Campaign.Kind.NATIONAL_SAMPLE)
        previous = [c.name for c in prev_campaigns]
        excluded = sorted(
            set(CampaignSite.objects.filter(campaign__in=prev_campaigns).values_list("site__code", flat=True))
        )
    excl = set(excluded)
    if restrict_to is not None:
        keep = set(restrict_to)
        rows_in = [r for r in rows if r[1] in keep]
        if not rows_in:
            raise InspectionError("限定范围内没有登记库中正常运行的网站")
    else:
        rows_in = rows
    all_strata = {s for _, _, s in rows_in}
    members = [sampling.Member(code, s) for _, code, s in rows_in if code not in excl]
    empty = sorted(all_strata - {m.stratum for m in members})
    if empty and not skip_empty_strata:
        shown = "、".join(empty[:10]) + ("……" if len(empty) > 10 else "")
        raise InspectionError(
            f"排除上季度样本后有 {len(empty)} 个抽样层为空：{shown}；"
            "请不排除上季度样本，或加 --skip-empty-strata 跳过这些层"
        )
    result = sampling.draw(members, size=size, seed=str(seed), quarter=str(q), minimum=minimum)
    ids = {code: pk for pk, code, _ in rows}
    strata_of = {m.code: m.stratum for m in members}
    old = Campaign.objects.filter(name=name).first() if name else None
    if old is not None and not replace:
        raise InspectionError(f"检查活动“{name}”已存在；换一个名称，或加 --replace 替换它")
    if old is not None and (old.children.exists() or RectificationTask.objects.filter(campaign_site__campaign=old).exists()):
        raise InspectionError(f"检查活动“{name}”已有整改任务或派生活动，不能替换")
    with transaction.atomic():
        if old is not None:
            audit(actor, "replace", old, after={"name": old.name, "seed": old.seed, "total": old.total},
                  reason="重新抽样替换同名活动")
            old.delete()
        campaign = new_campaign(
            Campaign.Kind.NATIONAL_SAMPLE,
            name or _unique_name(f"{q}-国办抽查-{seed}"),
            q,
            (start, end, moment, ruleset),
            [(ids[c], strata_of[c]) for c in result.codes],
            actor=actor,
            audit_action="draw",
            audit_after={"size": size, "seed": str(seed)},
            seed=str(seed),
            algorithm=sampling.ALGORITHM,
            snapshot_hash=snap,
            population=result.population,
            second_review=second_review,
            total=len(result.codes),
            params={
                "size": size,
                "min_per_stratum": minimum,
                "exclude_previous": exclude_previous,
                "excluded_from": previous,
                "excluded_count": len(excluded),
                "excluded_hash": sampling.snapshot_hash(excluded) if excluded else "",
                "skipped_empty_strata": empty,
                "running_sites": len(rows),
                "restricted_to": sorted(restrict_to) if restrict_to is not None else None,
                "restriction": restrict_note or {},
                "strata": {k: list(v) for k, v in result.strata.items()},
            },
        )
    return campaign


def verify_sample(campaign: Campaign) -> dict:
    """Re-draw a national sample from its recorded inputs and compare with the stored one."""
    if campaign.kind != Campaign.Kind.NATIONAL_SAMPLE:
        raise InspectionError(f"“{campaign.name}”不是随机抽样活动")
    rows, snap, _ = population()
    p = campaign.params
    excluded: set[str] = set()
    if p.get("exclude_previous"):
        prev = Campaign.objects.filter(name__in=p.get("excluded_from", []))
        excluded = set(CampaignSite.objects.filter(campaign__in=prev).values_list("site__code", flat=True))
    keep = set(p["restricted_to"]) if p.get("restricted_to") is not None else None
    members = [sampling.Member(c, s) for _, c, s in rows if c not in excluded and (keep is None or c in keep)]
    redraw = sampling.draw(
        members, size=p["size"], seed=campaign.seed, quarter=campaign.quarter, minimum=p["min_per_stratum"]
    )
    stored = sorted(campaign.sites.values_list("site__code", flat=True))
    return {
        "campaign": campaign.name,
        "snapshot_matches": snap == campaign.snapshot_hash,
        "identical": redraw.codes == stored,
        "stored": len(stored),
        "redrawn": len(redraw.codes),
        "only_stored": sorted(set(stored) - set(redraw.codes)),
        "only_redrawn": sorted(set(redraw.codes) - set(stored)),
    }


def create_selfcheck_campaign(
    quarter: str,
    unit_text: str,
    *,
    ratio: float = 1.0,
    seed: str = "",
    as_of: dt.date | None = None,
    actor: str = "system",
) -> Campaign:
    """A unit's own check of its running sites (all, or a reproducible share ``ratio``)."""
    q = Quarter.parse(quarter)
    if not 0 < ratio <= 1:
        raise InspectionError("自查比例须在 0 到 1 之间（例如 0.3）")
    start, end, moment, ruleset = _window(q, as_of, None)
    rows, snap, units = population()
    unit = units.resolve(unit_text)
    own = [(pk, code, s) for pk, code, s in rows if s.startswith(unit.key + "/")]
    if not own:
        raise InspectionError(f"{unit.name}没有正常运行的网站")
    chosen = {code for _, code, _ in own}
    if ratio < 1:
        n = max(1, -(-len(own) * int(ratio * 10000) // 10000))  # ceil, no float drift
        chosen = set(sampling.subsample(chosen, n, seed=seed or "0", label=unit.key))
    with transaction.atomic():
        campaign = new_campaign(
            Campaign.Kind.SELF_CHECK,
            _unique_name(f"{q}-自查-{unit.name}"),
            q,
            (start, end, moment, ruleset),
            [(pk, s) for pk, code, s in own if code in chosen],
            actor=actor,
            audit_after={"unit": unit.name, "ratio": ratio},
            seed=seed,
            algorithm=sampling.ALGORITHM if ratio < 1 else "",
            snapshot_hash=snap,
            population=len(own),
            total=len(chosen),
            params={"ratio": ratio},
            **units.model_fields(unit),
        )
    return campaign


def selfcheck_campaign_for(quarter: Quarter, unit: Unit, units: UnitIndex, actor: str) -> Campaign:
    """The unit's self-check campaign of the quarter that uploads go to (created on first use)."""
    fields = units.model_fields(unit)
    found = Campaign.objects.filter(quarter=str(quarter), kind=Campaign.Kind.SELF_CHECK, **fields).first()
    if found:
        return found
    return new_campaign(
        Campaign.Kind.SELF_CHECK,
        _unique_name(f"{quarter}-自查-{unit.name}"),
        quarter,
        _window(quarter, None, None),
        [],
        actor=actor,
        audit_after={"unit": unit.name, "via": "upload"},
        state=Campaign.State.CHECKED,
        **fields,
    )


def create_reverification(
    quarter: str, *, per_unit: int, seed: str, as_of: dt.date | None = None, actor: str = "system"
) -> Campaign:
    """Central re-check of a random subsample of every unit's self-checked sites."""
    q = Quarter.parse(quarter)
    if per_unit < 1:
        raise InspectionError("每个单位的复核数量须为正整数")
    if not str(seed).strip():
        raise InspectionError("随机种子不能为空")
    start, end, moment, ruleset = _window(q, as_of, None)
    results = SelfCheckResult.objects.filter(campaign__quarter=str(q)).select_related("site")
    units = UnitIndex()
    by_unit: dict[str, dict[str, int]] = {}
    strata: dict[str, str] = {}
    for r in results:
        unit = units.unit_of_site(r.site)
        by_unit.setdefault(unit.key, {})[r.site.code] = r.site_id
        strata[r.site.code] = f"{unit.key}/{r.site.category}"
    if not by_unit:
        raise InspectionError(f"{q} 没有任何自查结果，无法抽样复核")
    picked: list[tuple[int, str]] = []
    for key in sorted(by_unit):
        for code in sampling.subsample(by_unit[key], per_unit, seed=str(seed), label=key):
            picked.append((by_unit[key][code], code))
    with transaction.atomic():
        campaign = new_campaign(
            Campaign.Kind.REVERIFICATION,
            _unique_name(f"{q}-抽样复核-{seed}"),
            q,
            (start, end, moment, ruleset),
            [(pk, strata[code]) for pk, code in picked],
            actor=actor,
            audit_after={"per_unit": per_unit, "seed": str(seed)},
            seed=str(seed),
            algorithm=sampling.ALGORITHM,
            population=results.count(),
            total=len(picked),
            params={"per_unit": per_unit, "units": len(by_unit)},
        )
    return campaign


def get_campaign(ref: str) -> Campaign:
    """A campaign by id or by name."""
    ref = str(ref).strip()
    qs = Campaign.objects.filter(pk=int(ref)) if ref.isdigit() else Campaign.objects.filter(name=ref)
    campaign = qs.first()
    if campaign is None:
        raise InspectionError(f"检查活动“{ref}”不存在")
    return campaign


def after_run(campaign: Campaign) -> dict:
    """Bookkeeping a finished run triggers: self-check results, rectification verification."""
    out: dict = {}
    if campaign.kind == Campaign.Kind.SELF_CHECK:
        out["selfcheck_results"] = record_selfcheck_results(campaign)
    if campaign.kind == Campaign.Kind.RECTIFICATION_RECHECK:
        from govsite.inspections.rectification import apply_recheck

        out["rectification"] = apply_recheck(campaign)
    return out


def record_selfcheck_results(campaign: Campaign) -> int:
    """Turn a self-check run's decided reports into SelfCheckResult rows."""
    from govsite.inspections.indicators import problem_ids, problems_text

    n = 0
    with transaction.atomic():
        for cs in campaign.sites.filter(state=CampaignSite.State.DONE).exclude(auto_verdict="incomplete"):
            ids = problem_ids(cs.report or {})
            SelfCheckResult.objects.update_or_create(
                campaign=campaign,
                site_id=cs.site_id,
                defaults={
                    "checked_on": campaign.as_of.astimezone(SHANGHAI).date(),  # the monitoring point
                    "verdict": cs.auto_verdict,
                    "score": cs.score,
                    "indicator_ids": ids,
                    "problems": problems_text(ids)[:1000],
                    "source": SelfCheckResult.Source.ENGINE,
                },
            )
            n += 1
    return n
