"""Campaigns and everything hanging off them: per-site progress and reports, inspector
assignments and reviews (with an audit log), self-check results, rectification tasks and
accountability records."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from govsite.registry.models import Department, Region, Site


class Campaign(models.Model):
    """One quarterly check run of a given kind over a fixed list of sites."""

    class Kind(models.TextChoices):
        NATIONAL_SAMPLE = "national_sample", "国办抽查"
        SELF_CHECK = "self_check", "地区部门自查"
        REVERIFICATION = "reverification", "抽样复核"
        RECTIFICATION_RECHECK = "rectification_recheck", "整改复查"

    class State(models.TextChoices):
        DRAWN = "drawn", "已抽样"
        RUNNING = "running", "检查中"
        CHECKED = "checked", "检查完成"
        CLOSED = "closed", "已结束"

    name = models.CharField("名称", max_length=128, unique=True)
    quarter = models.CharField("季度", max_length=6, db_index=True)  # e.g. 2017Q3
    kind = models.CharField("类型", max_length=32, choices=Kind.choices)
    # Self-checks belong to one unit (a province-level region or a State Council department).
    unit_region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    unit_department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )  # the campaign a re-verification / re-check derives from
    ruleset = models.CharField("规则集", max_length=16)
    as_of = models.DateTimeField("监测时间点")
    window_start = models.DateField("采样开始")
    window_end = models.DateField("采样结束")
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.DRAWN)
    # Reproducibility of a random draw.
    seed = models.CharField("随机种子", max_length=64, blank=True)
    algorithm = models.CharField("抽样算法", max_length=64, blank=True)
    snapshot_hash = models.CharField("登记库快照哈希", max_length=64, blank=True)
    population = models.PositiveIntegerField("总体数", default=0)
    params = models.JSONField("抽样参数", default=dict, blank=True)  # size, min per stratum, exclusions …
    second_review = models.BooleanField("需要复审", default=False)
    # Progress for the console, refreshed by the executor while it runs.
    total = models.PositiveIntegerField("网站数", default=0)
    done = models.PositiveIntegerField("已完成", default=0)
    running = models.PositiveIntegerField("进行中", default=0)
    failed = models.PositiveIntegerField("失败", default=0)
    eta_seconds = models.FloatField("预计剩余秒数", null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    progress_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "检查活动"
        verbose_name_plural = verbose_name
        ordering = ["quarter", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def unit(self) -> Region | Department | None:
        return self.unit_region or self.unit_department


class CampaignSite(models.Model):
    """One site in a campaign: its check progress, the SiteReport and its verdicts."""

    class State(models.TextChoices):
        PENDING = "pending", "待检查"
        RUNNING = "running", "检查中"
        DONE = "done", "已完成"
        FAILED = "failed", "检查失败"

    class Verdict(models.TextChoices):
        PASS = "pass", "合格"
        FAIL = "fail", "不合格"
        INCOMPLETE = "incomplete", "未能判定"

    class ReviewState(models.TextChoices):
        UNREVIEWED = "", "未审核"
        FIRST = "first", "已初审"
        FINAL = "final", "已审定"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="sites")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    stratum = models.CharField("抽样层", max_length=32, blank=True)
    state = models.CharField(
        "进度", max_length=16, choices=State.choices, default=State.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    error = models.CharField("失败原因", max_length=1000, blank=True)
    report = models.JSONField("检查报告", null=True, blank=True)
    score = models.FloatField("得分", null=True, blank=True)
    auto_verdict = models.CharField("自动结论", max_length=16, choices=Verdict.choices, blank=True)
    reviewed_indicators = models.JSONField("审核后指标", null=True, blank=True)
    reviewed_verdict = models.CharField("审核结论", max_length=16, choices=Verdict.choices, blank=True)
    review_state = models.CharField(
        "审核状态", max_length=8, choices=ReviewState.choices, blank=True, default=""
    )
    started_at = models.DateTimeField(null=True, blank=True)
    # A Celery worker holding the site renews this (database clock) while it checks; a claim
    # whose heartbeat is older than GOVSITE_CLAIM_STALE seconds belongs to a dead worker.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "活动网站"
        verbose_name_plural = verbose_name
        ordering = ["campaign", "site__code"]
        constraints = [models.UniqueConstraint(fields=["campaign", "site"], name="campaign_site_unique")]

    def __str__(self) -> str:
        return f"{self.campaign.name}: {self.site.code}"

    @property
    def final_verdict(self) -> str:
        """The reviewed verdict once the review is final; empty before."""
        return self.reviewed_verdict if self.review_state == self.ReviewState.FINAL else ""


class Assignment(models.Model):
    """Which inspector reviews which site of a campaign, at which stage (初审 / 复审)."""

    class Stage(models.TextChoices):
        FIRST = "first", "初审"
        SECOND = "second", "复审"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="assignments")
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    stage = models.CharField("阶段", max_length=8, choices=Stage.choices, default=Stage.FIRST)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "审核分配"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["campaign", "site", "stage"], name="assignment_unique_stage")
        ]


class Review(models.Model):
    """One inspector's decision on one site: a per-indicator confirm/override and the verdict."""

    campaign_site = models.ForeignKey(CampaignSite, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.CharField("审核人", max_length=150)  # user name, or "system" for auto-accept
    stage = models.CharField("阶段", max_length=8, choices=Assignment.Stage.choices)
    # {indicator_id: {"action": "confirm"|"override", "before": status, "after": status, "reason": str}}
    decisions = models.JSONField("逐项意见", default=dict)
    verdict_before = models.CharField(max_length=16, blank=True)
    verdict = models.CharField("结论", max_length=16, choices=CampaignSite.Verdict.choices)
    score = models.FloatField(null=True, blank=True)
    comment = models.CharField("意见", max_length=1000, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "审核记录"
        verbose_name_plural = verbose_name
        ordering = ["at", "id"]


class AuditEntry(models.Model):
    """Every change to a verdict, a task or a record: who, when, what before and after, why."""

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.CharField("操作人", max_length=150)
    action = models.CharField("操作", max_length=32)
    object_type = models.CharField("对象类型", max_length=32)
    object_id = models.CharField("对象", max_length=64)
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)
    reason = models.CharField("原因", max_length=1000, blank=True)

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = verbose_name
        ordering = ["at", "id"]


class SelfCheckResult(models.Model):
    """A unit's self-check of one of its sites, run with govsite or uploaded from the template."""

    class Source(models.TextChoices):
        ENGINE = "engine", "govsite检查"
        UPLOAD = "upload", "表格上报"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="selfcheck_results")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    checked_on = models.DateField("检查日期")
    verdict = models.CharField("结论", max_length=16, choices=CampaignSite.Verdict.choices)
    score = models.FloatField("得分", null=True, blank=True)
    problems = models.CharField("主要问题", max_length=1000, blank=True)
    indicator_ids = models.JSONField("问题指标", default=list, blank=True)
    inspector = models.CharField("检查人", max_length=64, blank=True)
    source = models.CharField("来源", max_length=8, choices=Source.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "自查结果"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["campaign", "site"], name="selfcheck_unique_site")]


class RectificationTask(models.Model):
    """A failed site's obligation to fix its problems by a deadline, verified by a re-check."""

    class State(models.TextChoices):
        OPEN = "open", "待整改"
        REPORTED = "reported", "已报整改"
        VERIFIED = "verified", "整改到位"
        OVERDUE = "overdue", "逾期未整改"

    campaign_site = models.OneToOneField(CampaignSite, on_delete=models.CASCADE, related_name="rectification")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    quarter = models.CharField("季度", max_length=6, db_index=True)
    deadline = models.DateField("整改期限")
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.OPEN)
    problems = models.CharField("问题", max_length=1000, blank=True)
    report_note = models.CharField("整改说明", max_length=2000, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    recheck = models.ForeignKey(
        CampaignSite, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )  # the latest re-check of this task
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "整改任务"
        verbose_name_plural = verbose_name
        ordering = ["quarter", "site__code"]


class AccountabilityRecord(models.Model):
    """Accountability taken by a unit against people responsible for failing sites."""

    class Kind(models.TextChoices):
        TALK = "约谈", "约谈"
        WRITTEN = "书面检查", "书面检查"
        CRITICISM = "通报批评", "通报批评"
        WARNING = "警告或记过", "警告或记过"
        REMOVAL = "调离岗位或免职", "调离岗位或免职"
        DISMISSAL = "辞退", "辞退"

    quarter = models.CharField("季度", max_length=6, db_index=True)
    unit_region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    unit_department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("问责方式", max_length=16, choices=Kind.choices)
    count = models.PositiveIntegerField("人数", default=1)
    person = models.CharField("责任人", max_length=64, blank=True)
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField("说明", max_length=1000, blank=True)
    actor = models.CharField("录入人", max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "问责记录"
        verbose_name_plural = verbose_name
        ordering = ["quarter", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unit_region__isnull=False) | models.Q(unit_department__isnull=False),
                name="accountability_has_unit",
            ),
            models.CheckConstraint(condition=models.Q(count__gte=1), name="accountability_count_positive"),
        ]
