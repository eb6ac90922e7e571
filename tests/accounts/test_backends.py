"""ScopedModelBackend: the session's user arrives with its Membership in the same query, and a
changed or removed role applies at the very next request."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from govsite.accounts.models import Membership

pytestmark = pytest.mark.django_db


def _codes(html: str, world) -> set[str]:  # noqa: ANN001
    return {s.code for s in (world.gz_site, world.th_site, world.hb_site, world.dept_site) if f">{s.code}<" in html}


def test_user_and_membership_in_one_query_and_always_fresh(world) -> None:
    cache.clear()
    user = world.users["gd_admin"]
    c = Client()
    c.force_login(user)
    with CaptureQueriesContext(connection) as q:
        r = c.get("/console/sites/")
    assert r.status_code == 200
    assert _codes(r.content.decode(), world) == {world.gz_site.code, world.th_site.code}
    user_queries = [x["sql"] for x in q.captured_queries if 'FROM "auth_user"' in x["sql"]]
    assert len(user_queries) == 1 and '"accounts_membership"' in user_queries[0]
    assert not any(x["sql"].startswith('SELECT "accounts_membership"') for x in q.captured_queries)
    # The scope is read again on the next request: moved to Hubei, the user sees Hubei only.
    m = Membership.objects.get(user=user)
    m.region = world.hb
    m.save()
    assert _codes(c.get("/console/sites/").content.decode(), world) == {world.hb_site.code}
    m.delete()
    assert c.get("/console/sites/").status_code == 403
    user.is_active = False
    user.save()
    r = c.get("/console/sites/")
    assert r.status_code == 302 and "/console/login/" in r["Location"]


def test_the_user_read_by_sql_is_the_orm_user(world) -> None:  # noqa: ANN001
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from govsite.accounts.backends import ScopedModelBackend

    user = world.users["gd_admin"]
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    expected = get_user_model().objects.select_related("membership").get(pk=user.pk)
    got = ScopedModelBackend().get_user(user.pk)
    fields = [f.attname for f in get_user_model()._meta.concrete_fields]
    assert [getattr(got, f) for f in fields] == [getattr(expected, f) for f in fields]
    assert got.last_login == user.last_login  # a datetime on every database, not SQLite's text
    with CaptureQueriesContext(connection) as q:
        m = got.membership
        assert m.user is got  # both sides cached, as select_related leaves them
    assert not q.captured_queries
    m_fields = [f.attname for f in Membership._meta.concrete_fields]
    assert [getattr(m, f) for f in m_fields] == [getattr(expected.membership, f) for f in m_fields]
    # A user without a role: known to have none, without another query.
    Membership.objects.filter(user=user).delete()
    got = ScopedModelBackend().get_user(user.pk)
    with CaptureQueriesContext(connection) as q:
        with pytest.raises(Membership.DoesNotExist):
            got.membership  # noqa: B018
    assert not q.captured_queries
    assert ScopedModelBackend().get_user(10**9) is None
    assert ScopedModelBackend().get_user("not-an-id") is None
