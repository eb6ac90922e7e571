import pytest

from govsite.accounts.models import Role
from govsite.accounts.scope import can_act_on, province_of, role_of, sites_in_scope
from tests.feedback.conftest import make_user

pytestmark = pytest.mark.django_db


def codes(user) -> set[str]:
    return set(sites_in_scope(user).values_list("code", flat=True))


def test_national_roles_see_every_site(world):
    everything = {s.code for s in (world.gz_site, world.th_site, world.hb_site, world.dept_site)}
    assert codes(world.users["ops"]) == everything
    assert codes(world.users["nadmin"]) == everything


def test_regional_admin_sees_its_region_and_below(world):
    assert codes(world.users["gd_admin"]) == {world.gz_site.code, world.th_site.code}
    assert codes(world.users["gz_admin"]) == {world.gz_site.code, world.th_site.code}
    assert codes(world.users["hb_admin"]) == {world.hb_site.code}


def test_department_admin_sees_its_department(world):
    assert codes(world.users["dept_admin"]) == {world.dept_site.code}
    assert codes(world.users["dept2_admin"]) == set()


def test_site_operator_sees_only_its_sites(world):
    assert codes(world.users["gz_operator"]) == {world.gz_site.code}
    assert can_act_on(world.users["gz_operator"], world.gz_site)
    assert not can_act_on(world.users["gz_operator"], world.th_site)


def test_inspector_reads_but_does_not_act_unless_named(world):
    insp = world.users["inspector"]
    assert codes(insp) == {world.gz_site.code, world.th_site.code}
    assert not can_act_on(insp, world.gz_site)
    assert can_act_on(insp, world.gz_site, roles={Role.INSPECTOR})


def test_anonymous_and_roleless_users_see_nothing(world, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    assert codes(AnonymousUser()) == set()
    plain = django_user_model.objects.create_user("plain", password=None)
    assert codes(plain) == set() and role_of(plain) is None
    assert not can_act_on(plain, world.gz_site)


def test_inactive_user_loses_scope(world):
    u = make_user("gone", Role.NATIONAL_ADMIN)
    u.is_active = False
    u.save()
    assert codes(u) == set()


def test_province_of_walks_up(world):
    assert province_of(world.tianhe) == world.gd
    assert province_of(world.gd) == world.gd
    assert province_of(None) is None


def test_region_tree_scope_is_one_statement_and_always_current(world):
    """A regional scope is the region's tree as a recursive subquery inside the site query: no
    separate query per level, nothing cached, so adding a district or moving one to another
    province changes who sees its sites at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from govsite.registry.models import Region
    from tests.feedback.conftest import make_site

    gd_admin, hb_admin = world.users["gd_admin"], world.users["hb_admin"]
    assert codes(gd_admin) == {world.gz_site.code, world.th_site.code}
    with CaptureQueriesContext(connection) as q:
        codes(gd_admin)
    assert len(q.captured_queries) == 1 and "WITH RECURSIVE" in q.captured_queries[0]["sql"]
    district = Region.objects.create(code="440199", name="测试新区", level=Region.Level.COUNTY, parent=world.gz)
    site = make_site("4401990001", "测试新区人民政府", "www.xq.gz.gov.cn", region=district)
    assert site.code in codes(gd_admin)
    # Moved without signals (a bulk update): still seen at once.
    Region.objects.filter(pk=district.pk).update(parent=world.hb)
    assert site.code not in codes(gd_admin)
    assert site.code in codes(hb_admin)
