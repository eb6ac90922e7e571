"""Roles and scope: one `Membership` per user says what the user is (role) and over which
regions, departments or sites the user may see and act (scope)."""

from django.conf import settings
from django.db import models

from govsite.registry.models import Department, Region, Site


class Role(models.TextChoices):
    NATIONAL_ADMIN = "national_admin", "国家级管理员"
    NATIONAL_OPS = "national_ops", "国家级运维组"
    REGIONAL_ADMIN = "regional_admin", "地区管理员"
    DEPARTMENT_ADMIN = "department_admin", "部门管理员"
    SITE_OPERATOR = "site_operator", "网站主办单位"
    INSPECTOR = "inspector", "抽查人员"


NATIONAL_ROLES = frozenset({Role.NATIONAL_ADMIN, Role.NATIONAL_OPS})


class Membership(models.Model):
    """A user's role and scope. National roles see everything; a regional admin sees the sites
    of its region and every region below it; a department admin the sites of its department; a
    site operator (and an inspector given sites) only the listed sites."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    sites = models.ManyToManyField(Site, blank=True, related_name="+")

    class Meta:
        verbose_name = "用户角色"
        verbose_name_plural = verbose_name
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="regional_admin") | models.Q(region__isnull=False),
                name="membership_regional_needs_region",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="department_admin") | models.Q(department__isnull=False),
                name="membership_department_needs_department",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"
