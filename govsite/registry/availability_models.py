"""Stored availability probes of `govsite monitor --serve` (V15-1 / D15-1 for any window).

Compact by design: one row per site per day (counts only) kept for good, the raw probes only
for the last few days (bounded, pruned by time), and one state row per site for alerting."""

from django.db import models

from govsite.registry.models import Site


class AvailabilityDay(models.Model):
    """Per-site, per-day (China time) totals: what V15-1 / D15-1 need for any past window."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    day = models.DateField("日期")
    probes = models.PositiveIntegerField("探测次数", default=0)
    failures = models.PositiveIntegerField("失败次数", default=0)
    elapsed_ms = models.BigIntegerField("累计用时（毫秒）", default=0)  # mean response time = elapsed_ms / probes

    class Meta:
        verbose_name = "首页可用性（日汇总）"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["site", "day"], name="availability_day_site_day")]


class AvailabilityProbe(models.Model):
    """One recent probe, kept a few days so failures carry their evidence (time, status, error)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    t = models.DateTimeField("探测时间")
    ok = models.BooleanField("成功")
    status = models.PositiveSmallIntegerField("状态码", null=True)
    elapsed_ms = models.PositiveIntegerField("用时（毫秒）")
    error = models.CharField("错误", max_length=32, blank=True)

    class Meta:
        verbose_name = "首页可用性（近期探测）"
        verbose_name_plural = verbose_name
        indexes = [models.Index(fields=["site", "t"]), models.Index(fields=["t"])]


class AvailabilityState(models.Model):
    """The running streak of failures per site and whether its operator was alerted for it."""

    site = models.OneToOneField(Site, on_delete=models.CASCADE, primary_key=True, related_name="+")
    consecutive_failures = models.PositiveIntegerField("连续失败次数", default=0)
    last_probe_at = models.DateTimeField("最近探测", null=True)
    last_ok_at = models.DateTimeField("最近成功", null=True)
    alerted_at = models.DateTimeField("告警时间", null=True)  # set once per streak, cleared on success

    class Meta:
        verbose_name = "首页可用性（状态）"
        verbose_name_plural = verbose_name
