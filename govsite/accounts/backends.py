"""The console's authentication backend: Django's ModelBackend, loading a session's user
together with its role and scope (Membership) in one query. Every console request needs both;
the query is plain SQL written once (govsite.accounts.rows): built by the ORM on every request it
cost more CPU than the database spent answering it. It also reads the registry version token,
which the registry pages need (govsite.registry.version)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connection

from govsite.accounts.models import Membership
from govsite.accounts.rows import model_row
from govsite.registry import version as registry_version


class ScopedModelBackend(ModelBackend):
    def get_user(self, user_id):  # noqa: ANN001, ANN201 - Django's signature
        # Read fresh on every request, exactly like ModelBackend: only the join is new, so a
        # changed role or scope applies at the next request.
        user_model = get_user_model()
        try:
            pk = user_model._meta.pk.to_python(user_id)
        except ValidationError:  # not an id at all: no user, as ModelBackend answers
            return None
        users, members = model_row(user_model, "u"), model_row(Membership, "m")
        sql = (
            f"SELECT {users.columns}, {members.columns}, {registry_version.SUBQUERY} FROM {users.table} LEFT JOIN {members.table} "
            f"ON {members.column('user', 'm')} = {users.column('id', 'u')} WHERE {users.column('id', 'u')} = %s"
        )
        with connection.cursor() as cur:
            cur.execute(sql, [pk])
            row = cur.fetchone()
        if row is None:
            return None
        user = users.instance(row)
        # What select_related("membership") leaves behind: the membership cached on the user (None
        # when there is none, so user.membership raises DoesNotExist) and the user on it.
        membership = None
        if row[len(users.fields)] is not None:
            membership = members.instance(row, len(users.fields))
            Membership.user.field.set_cached_value(membership, user)
        user_model.membership.related.set_cached_value(user, membership)
        user.registry_token = row[-1]  # see govsite.registry.version.token
        return user if self.user_can_authenticate(user) else None
