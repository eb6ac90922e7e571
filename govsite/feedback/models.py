"""找错 messages (rules-addendum §3.1), their full transition history, and the holiday
arrangements administrators import as data."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from govsite.registry.models import Department, Region, Site


class Category(models.IntegerChoices):
    """问题类型, vendor `ErrorInfoType` codes (rules.md §4.2)."""

    UNREACHABLE = 0, "内容无法访问"
    NOT_UPDATED = 1, "信息不更新"
    INACCURATE = 2, "内容不准确"
    NO_REPLY = 3, "咨询留言不回复"
    TYPO = 4, "错别字"
    FAKE = 5, "虚假伪造内容"
    OTHER = 6, "其他"


class Status(models.IntegerChoices):
    """办理状态, vendor `HandleType` codes with the labels verbatim (mixed bracket widths are
    intentional: code must match them). Status 16's label depends on the viewer, see
    `status_label`."""

    UNHANDLED = -1, "未处理"
    ACCEPTED = 0, "受理"
    CLOSED = 1, "已办结"
    REJECTED_INVALID = 2, "不予受理(无效)"
    REJECTED = 3, "不予受理"
    OFFLINE = 4, "线下受理"
    HANDLED_PENDING_REVIEW = 5, "已处理待审核"
    FIRST_REVIEW_REJECTED = 6, "初审驳回"
    FINAL_REVIEW_PENDING = 7, "终审待审核"
    RETURNED_REHANDLE = 8, "退回重新处理"
    RETURNED_REREVIEW = 9, "退回重新审核"
    REJECTED_BUSINESS = 10, "不予受理（业务问题）"
    REJECTED_UNTRUE = 11, "不予受理(不属实)"
    REJECTED_OUT_OF_SCOPE = 12, "不予受理（不在普查范围）"
    DUPLICATE = 13, "不再受理(重复)"
    TRANSFERRED_UNPUBLISHED = 14, "已转办（未曝光但已经受理）"
    CLOSED_UNPUBLISHED = 15, "未曝光已办结"
    TRANSFERRED = 16, "已转办（运维组是已转办，省部级组织单位是待转办）"


# Metric groupings (rules-addendum §3.2).
CLOSED_STATUSES = frozenset({Status.CLOSED, Status.CLOSED_UNPUBLISHED})
REJECTED_STATUSES = frozenset(
    {Status.REJECTED_INVALID, Status.REJECTED, Status.REJECTED_BUSINESS, Status.REJECTED_UNTRUE,
     Status.REJECTED_OUT_OF_SCOPE}
)
DUPLICATE_STATUSES = frozenset({Status.DUPLICATE})
OPEN_STATUSES = frozenset(
    {Status.UNHANDLED, Status.ACCEPTED, Status.OFFLINE, Status.HANDLED_PENDING_REVIEW,
     Status.FIRST_REVIEW_REJECTED, Status.FINAL_REVIEW_PENDING, Status.RETURNED_REHANDLE,
     Status.RETURNED_REREVIEW, Status.TRANSFERRED_UNPUBLISHED, Status.TRANSFERRED}
)
# Waiting for the organising office to forward (the transfer step).
AWAITING_FORWARD = frozenset({Status.TRANSFERRED, Status.TRANSFERRED_UNPUBLISHED})
# Waiting for the site's sponsor to handle and reply.
AWAITING_OWNER = frozenset(
    {Status.ACCEPTED, Status.OFFLINE, Status.FIRST_REVIEW_REJECTED, Status.RETURNED_REHANDLE}
)
ORGANISER_ROLES = frozenset({"regional_admin", "department_admin"})


def status_label(status: int, viewer_role: str | None = None) -> str:
    """The label a viewer sees. 16 is 已转办 for the national team and the public, and 待转办
    for the provincial/ministerial organising office that still has to forward it."""
    status = Status(status)
    if status == Status.TRANSFERRED:
        return "待转办" if viewer_role in ORGANISER_ROLES else "已转办"
    return status.label


class Message(models.Model):
    query_code = models.CharField("查询码", max_length=32, unique=True)
    # The one-time form token: a replayed form collides here, so a form is stored at most once.
    form_nonce = models.CharField(max_length=64, unique=True)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="feedback_messages")
    site_code = models.CharField("网站标识码", max_length=10)
    site_name = models.CharField("网站名称", max_length=128)
    page_url = models.URLField("问题页面网址", max_length=1000)
    category = models.SmallIntegerField("问题类型", choices=Category.choices)
    description = models.TextField("问题描述")
    contact = models.CharField("联系方式", max_length=100, blank=True)
    screenshot = models.FileField("截图", upload_to="feedback/%Y/%m/", blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    status = models.SmallIntegerField("办理状态", choices=Status.choices, default=Status.UNHANDLED, db_index=True)
    # Routing: the province-level office of the site's region, or its State Council department.
    office_region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    office_department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("提交时间", auto_now_add=True, db_index=True)
    screened_at = models.DateTimeField("甄别时间", null=True, blank=True)
    forwarded_at = models.DateTimeField("转办时间", null=True, blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    reject_reason = models.TextField("不受理原因", blank=True)
    reply = models.TextField("受理单位回复", blank=True)
    published = models.BooleanField("已曝光", default=False)
    published_text = models.TextField("曝光内容", blank=True)
    published_at = models.DateTimeField("曝光时间", null=True, blank=True)
    overdue = models.BooleanField("已超期", default=False)
    reminded_at = models.DateTimeField("最近催办时间", null=True, blank=True)

    class Meta:
        verbose_name = "找错留言"
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["site", "category", "created_at"], name="fb_dup_lookup"),
            models.Index(fields=["office_region", "created_at"], name="fb_region_period"),
            models.Index(fields=["office_department", "created_at"], name="fb_dept_period"),
        ]

    def __str__(self) -> str:
        return f"{self.site_name} · {self.get_category_display()} · {self.query_code[:6]}…"

    @property
    def office_name(self) -> str:
        unit = self.office_department or self.office_region
        return unit.name if unit else ""

    def label_for(self, viewer_role: str | None) -> str:
        return status_label(self.status, viewer_role)


class Transition(models.Model):
    """One step of a message's workflow: who (user and role), when, from → to, and why."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="transitions")
    at = models.DateTimeField("时间", auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField("操作人", max_length=150)
    actor_role = models.CharField("角色", max_length=20, blank=True)
    action = models.CharField("操作", max_length=24)
    from_status = models.SmallIntegerField(null=True, blank=True)
    to_status = models.SmallIntegerField()
    reason = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "办理记录"
        verbose_name_plural = verbose_name
        ordering = ["message", "at", "id"]


class CalendarYear(models.Model):
    """A year's official holiday arrangement entered by an administrator; when present it is
    used instead of the `chinese_calendar` package for that year."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    source = models.CharField("依据", max_length=256, blank=True)
    imported_by = models.CharField("导入人", max_length=150, blank=True)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "节假日安排"
        verbose_name_plural = verbose_name


class CalendarDay(models.Model):
    year = models.ForeignKey(CalendarYear, on_delete=models.CASCADE, related_name="days")
    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("上班")
    name = models.CharField("名称", max_length=64, blank=True)

    class Meta:
        ordering = ["date"]
