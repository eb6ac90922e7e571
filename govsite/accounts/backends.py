"""The console's authentication backend: Django's ModelBackend, loading a session's user
together with its role and scope (Membership) in one query. Every console request needs both,
and on PostgreSQL each query costs the web server about half a millisecond of CPU."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class ScopedModelBackend(ModelBackend):
    def get_user(self, user_id):  # noqa: ANN001, ANN201 - Django's signature
        # Read fresh on every request, exactly like ModelBackend: only the join is new, so a
        # changed role or scope applies at the next request.
        user = get_user_model()._default_manager.select_related("membership").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
