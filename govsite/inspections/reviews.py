"""Inspector review: assignments, per-inspector queues, confirm/override per indicator with a
mandatory reason, optional second review (初审/复审), auto-accept, all in the audit log."""

from __future__ import annotations

import copy
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from govsite.inspections import indicators as ind
from govsite.inspections.bulk import update_rows
from govsite.inspections.campaigns import audit
from govsite.inspections.errors import InspectionError
from govsite.inspections.models import Assignment, Campaign, CampaignSite, Review

REVIEWER_ROLES = {"inspector", "national_admin", "national_ops"}


def get_inspector(username: str):  # noqa: ANN201 - the project's user model
    User = get_user_model()
    try:
        user = User.objects.get(username=username)
    except User.DoesNotExist as exc:
        raise InspectionError(f"用户“{username}”不存在") from exc
    role = getattr(getattr(user, "membership", None), "role", None)
    if not user.is_superuser and role not in REVIEWER_ROLES:
        raise InspectionError(f"用户“{username}”不是抽查人员（角色：{role or '无'}），不能审核")
    return user


def _campaign_site(campaign: Campaign, code: str) -> CampaignSite:
    cs = campaign.sites.select_related("site").filter(site__code=code).first()
    if cs is None:
        raise InspectionError(f"网站 {code} 不在检查活动“{campaign.name}”中")
    return cs


def assign(
    campaign: Campaign, username: str, codes: list[str], *, stage: str = "first", actor: str = "system"
) -> int:
    """Give sites of a campaign to an inspector; a site has one inspector per stage."""
    if stage not in Assignment.Stage.values:
        raise InspectionError(f"审核阶段应为 first（初审）或 second（复审），收到“{stage}”")
    if stage == Assignment.Stage.SECOND and not campaign.second_review:
        raise InspectionError(f"检查活动“{campaign.name}”未配置复审")
    user = get_inspector(username)
    if not codes:
        raise InspectionError("没有指定要分配的网站")
    sites = [_campaign_site(campaign, c) for c in dict.fromkeys(codes)]
    # An inspector whose role carries a scope (region, department or listed sites) only gets
    # sites inside it; one without any scope entry is scoped by these assignments alone.
    m = getattr(user, "membership", None)
    if m is not None and m.role == "inspector" and (m.region_id or m.department_id or m.sites.exists()):
        from govsite.accounts.scope import sites_in_scope

        visible = set(sites_in_scope(user).filter(pk__in=[cs.site_id for cs in sites]).values_list("pk", flat=True))
        outside = [cs.site.code for cs in sites if cs.site_id not in visible]
        if outside:
            raise InspectionError(f"网站 {'、'.join(outside[:10])} 不在 {username} 的管辖范围内")
    with transaction.atomic():
        n = 0
        for cs in sites:
            other = Assignment.objects.filter(campaign=campaign, site=cs.site).exclude(stage=stage)
            if other.filter(inspector=user).exists():
                raise InspectionError(f"网站 {cs.site.code} 的初审和复审不能由同一人（{username}）承担")
            a, created = Assignment.objects.update_or_create(
                campaign=campaign, site=cs.site, stage=stage, defaults={"inspector": user}
            )
            n += 1
            audit(actor, "assign", a, campaign=campaign, after={"site": cs.site.code, "inspector": username, "stage": stage})
    return n


def queue(campaign: Campaign, username: str) -> list[dict]:
    """The inspector's sites still waiting for their decision, in code order."""
    user = get_inspector(username)
    out = []
    for a in Assignment.objects.filter(campaign=campaign, inspector=user).select_related("site").order_by("site__code"):
        cs = campaign.sites.get(site=a.site)
        waiting = (a.stage == "first" and cs.review_state == "") or (
            a.stage == "second" and cs.review_state == "first"
        )
        if waiting:
            out.append(
                {
                    "site": a.site.code,
                    "name": a.site.name,
                    "stage": a.stage,
                    "state": cs.state,
                    "auto_verdict": cs.auto_verdict,
                    "problems": ind.problems_text(ind.problem_ids(cs.report or {})),
                }
            )
    return out


def findings(campaign: Campaign, code: str) -> dict:
    """A site's findings with evidence, as the inspector sees them."""
    cs = _campaign_site(campaign, code)
    report = cs.report or {}
    current = cs.reviewed_indicators if cs.reviewed_indicators is not None else report.get("indicators", [])
    return {
        "site": cs.site.code,
        "name": cs.site.name,
        "url": cs.site.home_url,
        "state": cs.state,
        "error": cs.error,
        "auto_verdict": cs.auto_verdict,
        "reviewed_verdict": cs.reviewed_verdict,
        "review_state": cs.review_state,
        "score": cs.score,
        "indicators": [
            {
                "id": i.get("id"),
                "name": ind.name_of(i.get("id", "")),
                "status": i.get("status"),
                "points": i.get("points"),
                "evidence": i.get("evidence", []),
            }
            for i in current
        ],
    }


@dataclass
class Override:
    indicator: str
    status: str
    reason: str
    points: float | None = None  # signed, as in reports: deductions negative


def parse_override(text: str) -> Override:
    """``ID=STATUS[/POINTS]:reason``, e.g. ``V15-3=ok:专题汇总页不属于应更新栏目`` or
    ``D15-2=deduct/-3:首页另有 3 个断链``."""
    head, sep, reason = text.partition(":")
    if not sep:
        head, sep, reason = text.partition("：")
    iid, eq, status = head.partition("=")
    status, slash, pts = status.partition("/")
    if not eq or not iid.strip() or not status.strip():
        raise InspectionError(f"改判格式应为 指标=状态[/分值]:理由，收到“{text}”")
    points = None
    if slash:
        try:
            points = float(pts)
        except ValueError as exc:
            raise InspectionError(f"改判分值“{pts}”不是数字（扣分写负数，如 -3）") from exc
    return Override(iid.strip(), status.strip(), reason.strip(), points)


def submit(
    campaign: Campaign,
    code: str,
    username: str,
    *,
    overrides: list[Override] = (),  # type: ignore[assignment]
    verdict: str | None = None,
    verdict_reason: str = "",
    comment: str = "",
) -> Review:
    """An inspector's decision on one site: every indicator not overridden is confirmed."""
    user = get_inspector(username)
    cs = _campaign_site(campaign, code)
    assignment = Assignment.objects.filter(campaign=campaign, site=cs.site, inspector=user).first()
    if assignment is None:
        raise InspectionError(f"网站 {code} 不在 {username} 的审核分配范围内")
    stage = assignment.stage
    if stage == "first" and cs.review_state != "":
        raise InspectionError(f"网站 {code} 已完成初审")
    if stage == "second" and cs.review_state != "first":
        raise InspectionError(
            f"网站 {code} " + ("尚未初审，不能复审" if cs.review_state == "" else "已审定")
        )
    if cs.state != CampaignSite.State.DONE or not cs.report:
        if not verdict:
            raise InspectionError(f"网站 {code} 没有检查报告（{cs.get_state_display()}），请用 --verdict 给出结论并说明理由")
    report = cs.report or {"indicators": []}
    base = cs.reviewed_indicators if cs.reviewed_indicators is not None else report.get("indicators", [])
    items = copy.deepcopy(base)
    by_id = {i.get("id"): i for i in items}
    decisions: dict[str, dict] = {}
    for o in overrides:
        if o.indicator not in by_id and not ind.is_known(o.indicator):
            raise InspectionError(f"未知指标“{o.indicator}”")
        if o.status not in ind.STATUSES:
            raise InspectionError(f"指标 {o.indicator} 的状态“{o.status}”无效，应为 {'/'.join(ind.STATUSES)}")
        if not o.reason:
            raise InspectionError(f"改判指标 {o.indicator} 必须填写理由")
        if o.indicator in decisions:
            raise InspectionError(f"指标 {o.indicator} 重复改判")
        item = by_id.get(o.indicator)
        if item is None:
            item = {"id": o.indicator, "status": "na", "points": 0, "evidence": []}
            items.append(item)
            by_id[o.indicator] = item
        decisions[o.indicator] = {"action": "override", "before": item.get("status"), "after": o.status, "reason": o.reason}
        item["status"] = o.status
        if o.points is not None:
            item["points"] = o.points
        elif o.status in ("ok", "na"):
            item["points"] = 0.0  # a cleared finding takes nothing off the score
        item.setdefault("review", []).append({"by": username, "stage": stage, "reason": o.reason})
    for i in items:
        decisions.setdefault(i.get("id"), {"action": "confirm", "before": i.get("status"), "after": i.get("status")})
    computed, score = ind.rescore(report, items)
    final = computed
    if verdict:
        if verdict not in ("pass", "fail"):
            raise InspectionError(f"结论应为 pass（合格）或 fail（不合格），收到“{verdict}”")
        if verdict != computed and not verdict_reason.strip():
            raise InspectionError(f"结论与逐项结果（{computed}）不同，必须用 --reason 说明理由")
        final = verdict
    if final == "incomplete":
        raise InspectionError(f"网站 {code} 仍有未能判定的指标，请逐项改判或用 --verdict 给出结论")
    before = {"verdict": cs.reviewed_verdict or cs.auto_verdict, "review_state": cs.review_state}
    with transaction.atomic():
        review = Review.objects.create(
            campaign_site=cs,
            reviewer=user,
            actor=username,
            stage=stage,
            decisions=decisions,
            verdict_before=before["verdict"],
            verdict=final,
            score=score,
            comment=(comment or verdict_reason)[:1000],
        )
        cs.reviewed_indicators = items
        cs.reviewed_verdict = final
        cs.review_state = "final" if (stage == "second" or not campaign.second_review) else "first"
        cs.save(update_fields=["reviewed_indicators", "reviewed_verdict", "review_state"])
        audit(
            username,
            f"review_{stage}",
            cs,
            campaign=campaign,
            before=before,
            after={
                "verdict": final,
                "review_state": cs.review_state,
                "overrides": {k: v for k, v in decisions.items() if v["action"] == "override"},
            },
            reason="；".join(o.reason for o in overrides) or verdict_reason or comment,
        )
    return review


def auto_accept(campaign: Campaign, actor: str = "system") -> dict:
    """Accept the automatic verdict of every unreviewed site with a pass/fail report (demo,
    or a national office that decided not to hand-review this run). Audited per site; written
    in bulk so a full 29,431-site sweep takes seconds."""
    from govsite.inspections.models import AuditEntry

    accepted: list[tuple[int, str, float | None]] = []
    skipped = 0
    # Plain tuples, no model instances: the report is not even loaded (reviewed_indicators
    # stays None, meaning "as reported").
    for pk, state, verdict, score in campaign.sites.filter(review_state="").values_list(
        "id", "state", "auto_verdict", "score"
    ).iterator(chunk_size=5000):
        if state != CampaignSite.State.DONE or verdict not in ("pass", "fail"):
            skipped += 1
            continue
        accepted.append((pk, verdict, score))
    reason = "自动接受检查结论"
    with transaction.atomic():
        Review.objects.bulk_create(
            [
                Review(campaign_site_id=pk, actor=actor, stage="first", decisions={}, verdict_before=v,
                       verdict=v, score=score, comment=reason)
                for pk, v, score in accepted
            ],
            batch_size=1000,
        )
        update_rows(CampaignSite, ["reviewed_verdict", "review_state"], [(pk, (v, "final")) for pk, v, _ in accepted])
        AuditEntry.objects.bulk_create(
            [
                AuditEntry(actor=actor, action="auto_accept", object_type="CampaignSite", object_id=str(pk),
                           campaign=campaign, before={"verdict": v, "review_state": ""},
                           after={"verdict": v, "review_state": "final"}, reason=reason)
                for pk, v, _ in accepted
            ],
            batch_size=1000,
        )
    return {"accepted": len(accepted), "skipped": skipped}
