"""Rectification tasks for failed sites (open → reported → verified, or overdue) and the
accountability records units report."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from govsite.inspections import indicators as ind
from govsite.inspections.campaigns import SHANGHAI, _unique_name, _window, audit, new_campaign
from govsite.inspections.errors import InspectionError
from govsite.inspections.models import AccountabilityRecord, Campaign, CampaignSite, RectificationTask
from govsite.inspections.periods import Quarter, UnitIndex


def today() -> dt.date:
    return timezone.now().astimezone(SHANGHAI).date()


def create_tasks(campaign: Campaign, deadline: dt.date, actor: str = "system") -> int:
    """One task per site whose final (reviewed) verdict is fail; existing tasks are kept."""
    if campaign.kind not in (Campaign.Kind.NATIONAL_SAMPLE, Campaign.Kind.REVERIFICATION):
        raise InspectionError("只能为国办抽查或抽样复核活动的不合格网站创建整改任务")
    if deadline < campaign.window_start:
        raise InspectionError(f"整改期限 {deadline} 早于采样开始日期 {campaign.window_start}")
    failed = campaign.sites.select_related("site").filter(review_state="final", reviewed_verdict="fail")
    if not failed.exists():
        raise InspectionError(f"“{campaign.name}”没有已审定为不合格的网站")
    n = 0
    with transaction.atomic():
        for cs in failed:
            if RectificationTask.objects.filter(campaign_site=cs).exists():
                continue
            ids = ind.problem_ids(cs.report or {}, cs.reviewed_indicators)
            task = RectificationTask.objects.create(
                campaign_site=cs,
                site=cs.site,
                quarter=campaign.quarter,
                deadline=deadline,
                problems=ind.problems_text(ids)[:1000],
            )
            audit(actor, "rectify_create", task, campaign=campaign, after={"site": cs.site.code, "deadline": str(deadline)})
            n += 1
    return n


def _task(ref: str, quarter: str | None = None) -> RectificationTask:
    qs = RectificationTask.objects.select_related("site")
    if ref.isdigit() and len(ref) < 10:
        task = qs.filter(pk=int(ref)).first()
    else:
        qs = qs.filter(site__code=ref)
        if quarter:
            qs = qs.filter(quarter=str(Quarter.parse(quarter)))
        task = qs.order_by("-quarter", "-id").first()
    if task is None:
        raise InspectionError(f"整改任务“{ref}”不存在")
    return task


def report_fixed(ref: str, note: str, *, quarter: str | None = None, actor: str = "system") -> RectificationTask:
    """The operator says the problems are fixed; the task waits for the engine's re-check."""
    if not note.strip():
        raise InspectionError("请填写整改说明")
    task = _task(ref, quarter)
    if task.state == RectificationTask.State.VERIFIED:
        raise InspectionError(f"网站 {task.site.code} 的整改已核验通过")
    with transaction.atomic():
        before = task.state
        task.state = RectificationTask.State.REPORTED
        task.report_note = note[:2000]
        task.reported_at = timezone.now()
        task.save()
        audit(actor, "rectify_report", task, before={"state": before}, after={"state": task.state}, reason=note)
    return task


def refresh_overdue(on: dt.date | None = None, actor: str = "system") -> int:
    """Open tasks past their deadline become overdue (reported ones wait for the re-check)."""
    day = on or today()
    n = 0
    with transaction.atomic():
        for task in RectificationTask.objects.filter(state=RectificationTask.State.OPEN, deadline__lt=day):
            task.state = RectificationTask.State.OVERDUE
            task.save(update_fields=["state"])
            audit(actor, "rectify_overdue", task, before={"state": "open"}, after={"state": "overdue"},
                  reason=f"超过整改期限 {task.deadline}")
            n += 1
    return n


def create_recheck(quarter: str, *, as_of: dt.date | None = None, actor: str = "system") -> Campaign:
    """A rectification re-check campaign over the quarter's reported tasks."""
    q = Quarter.parse(quarter)
    tasks = list(RectificationTask.objects.filter(quarter=str(q), state=RectificationTask.State.REPORTED))
    if not tasks:
        raise InspectionError(f"{q} 没有已报整改、待复查的任务")
    day = as_of or today()
    with transaction.atomic():
        return new_campaign(
            Campaign.Kind.RECTIFICATION_RECHECK,
            _unique_name(f"{q}-整改复查-{day}"),
            q,
            _window(Quarter.of(day), day, (day, day)),
            [(t.site_id, "") for t in tasks],
            actor=actor,
            audit_after={"tasks": len(tasks)},
            total=len(tasks),
            params={"tasks": [t.pk for t in tasks]},
        )


def apply_recheck(campaign: Campaign, actor: str = "system") -> dict:
    """Re-check results decide the reported tasks: pass ⇒ verified, fail ⇒ open again."""
    verified = reopened = 0
    with transaction.atomic():
        for cs in campaign.sites.filter(state=CampaignSite.State.DONE):
            task = (
                RectificationTask.objects.filter(pk__in=campaign.params.get("tasks", []), site_id=cs.site_id)
                .first()
            )
            if task is None or task.state != RectificationTask.State.REPORTED:
                continue
            verdict = cs.final_verdict or cs.auto_verdict
            if verdict not in ("pass", "fail"):
                continue
            before = task.state
            task.recheck = cs
            if verdict == "pass":
                task.state, task.verified_at = RectificationTask.State.VERIFIED, timezone.now()
                verified += 1
            else:
                task.state = RectificationTask.State.OPEN
                reopened += 1
            task.save()
            audit(actor, "rectify_recheck", task, campaign=campaign, before={"state": before},
                  after={"state": task.state, "verdict": verdict})
    return {"verified": verified, "reopened": reopened}


def status(quarter: str, on: dt.date | None = None) -> dict:
    """Counts by state of a quarter's tasks; open tasks past their deadline count as overdue."""
    q = Quarter.parse(quarter)
    day = on or today()
    counts = {s: 0 for s in RectificationTask.State.values}
    rows = []
    for t in RectificationTask.objects.filter(quarter=str(q)).select_related("site"):
        state = t.state
        if state == RectificationTask.State.OPEN and t.deadline < day:
            state = RectificationTask.State.OVERDUE
        counts[state] += 1
        rows.append({"id": t.pk, "site": t.site.code, "name": t.site.name, "state": state,
                     "deadline": str(t.deadline), "problems": t.problems})
    total = sum(counts.values())
    return {
        "quarter": str(q),
        "total": total,
        "counts": counts,
        "all_verified": total > 0 and counts["verified"] == total,
        "tasks": rows,
    }


# --- accountability -------------------------------------------------------------------------


def add_accountability(
    quarter: str,
    unit_text: str,
    kind: str,
    count: int = 1,
    *,
    person: str = "",
    site_code: str = "",
    note: str = "",
    actor: str = "system",
) -> AccountabilityRecord:
    from govsite.registry.models import Site

    q = Quarter.parse(quarter)
    if kind not in AccountabilityRecord.Kind.values:
        raise InspectionError(f"问责方式“{kind}”无效，应为：{'、'.join(AccountabilityRecord.Kind.values)}")
    if count < 1:
        raise InspectionError("问责人数须为正整数")
    if person and count != 1:
        raise InspectionError("填写了责任人姓名时人数应为 1")
    units = UnitIndex()
    unit = units.resolve(unit_text)
    site = None
    if site_code:
        site = Site.objects.filter(code=site_code).first()
        if site is None:
            raise InspectionError(f"网站 {site_code} 不在登记库中")
        if units.unit_of_site(site) != unit:
            raise InspectionError(f"网站 {site_code} 不属于{unit.name}")
    with transaction.atomic():
        rec = AccountabilityRecord.objects.create(
            quarter=str(q), kind=kind, count=count, person=person[:64], site=site, note=note[:1000], actor=actor,
            **units.model_fields(unit),
        )
        audit(actor, "accountability_add", rec, after={"unit": unit.name, "kind": kind, "count": count})
    return rec


def accountability_summary(quarter: str) -> dict:
    """People held accountable in a quarter, by kind (in the notice's order) and by unit."""
    q = Quarter.parse(quarter)
    units = UnitIndex()
    by_kind = {k: 0 for k in AccountabilityRecord.Kind.values}
    by_unit: dict[str, dict[str, int]] = {}
    records = []
    for r in AccountabilityRecord.objects.filter(quarter=str(q)).select_related("site"):
        unit = units.from_fields(r.unit_region_id, r.unit_department_id)
        name = unit.name if unit else "?"
        by_kind[r.kind] += r.count
        by_unit.setdefault(name, {k: 0 for k in AccountabilityRecord.Kind.values})[r.kind] += r.count
        records.append({"id": r.pk, "unit": name, "kind": r.kind, "count": r.count, "person": r.person,
                        "site": r.site.code if r.site else "", "note": r.note})
    return {"quarter": str(q), "total": sum(by_kind.values()), "by_kind": by_kind, "by_unit": by_unit,
            "records": records}
