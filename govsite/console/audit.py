"""Write one ConsoleAudit row per change made through the console or the API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from govsite.console.models import ConsoleAudit


def record(request: HttpRequest, action: str, obj: Any, detail: dict | None = None, channel: str = "web") -> None:
    user = request.user
    ConsoleAudit.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        username=user.get_username() if getattr(user, "is_authenticated", False) else "",
        channel=channel,
        action=action,
        object_type=type(obj).__name__,
        object_id=str(getattr(obj, "pk", obj)),
        detail=detail or {},
        ip=request.META.get("REMOTE_ADDR") or None,
    )
