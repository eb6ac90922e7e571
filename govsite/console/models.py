"""Console-owned records: an audit log of every change made through the console or the API,
and API tokens (stored hashed; the clear token is shown once)."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models


class ConsoleAudit(models.Model):
    """One change made through the console or the API: who, when, what, on which object, why."""

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    username = models.CharField("操作人", max_length=150)
    channel = models.CharField("渠道", max_length=8, default="web")  # web | api
    action = models.CharField("操作", max_length=48)
    object_type = models.CharField("对象类型", max_length=48)
    object_id = models.CharField("对象", max_length=64)
    detail = models.JSONField("内容", default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = "控制台操作日志"
        verbose_name_plural = verbose_name
        ordering = ["-at", "-id"]


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the API; it acts with its user's role and scope."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=64, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField("已吊销", default=False)

    class Meta:
        verbose_name = "API 令牌"
        verbose_name_plural = verbose_name

    @classmethod
    def issue(cls, user, name: str = "") -> tuple[ApiToken, str]:  # noqa: ANN001
        raw = "gs_" + secrets.token_urlsafe(32)
        return cls.objects.create(user=user, name=name, key_hash=hash_token(raw), prefix=raw[:8]), raw
