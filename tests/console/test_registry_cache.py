"""The registry list cached by registry version (govsite.registry.version): a page is served from
the cache only while nothing in the registry changed, every kind of write (ORM save, queryset
update, raw SQL, a region renamed, a site added or deleted) shows on the very next request,
scopes never share pages, and lists that depend on more than the registry are not cached."""

from __future__ import annotations

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from govsite.accounts.models import Membership, Role
from govsite.inspections.models import Assignment
from govsite.registry.models import Region, Site
from govsite.registry.version import token
from tests.console.conftest import Console, client_for, make_user
from tests.feedback.conftest import make_site

pytestmark = pytest.mark.django_db

GZ, TH, HB, DEPT = "4401000059", "4401060001", "4200000001", "bm01000001"


def site_queries(c, url: str = "/console/sites/") -> tuple[str, int]:  # noqa: ANN001
    """The page and how many of its queries read the site table."""
    with CaptureQueriesContext(connection) as q:
        r = c.get(url)
    assert r.status_code == 200
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", r.content.decode())  # new mask each time
    return html, sum("registry_site" in x["sql"] for x in q.captured_queries)


def rename_orm(console: Console) -> None:
    s = console.w.gz_site
    s.name = "广州市人民政府（新）"
    s.save(update_fields=["name"])


def rename_update(console: Console) -> None:
    Site.objects.filter(code=GZ).update(name="广州市人民政府（新）")


def rename_raw_sql(console: Console) -> None:
    with connection.cursor() as cur:
        cur.execute("UPDATE registry_site SET name = %s WHERE code = %s", ["广州市人民政府（新）", GZ])


@pytest.mark.parametrize("write", [rename_orm, rename_update, rename_raw_sql])
@pytest.mark.parametrize("who", ["nadmin", "gd_admin"])
def test_a_renamed_site_shows_on_the_next_request(console: Console, who: str, write) -> None:  # noqa: ANN001
    c = client_for(console.w.users[who])
    html, reads = site_queries(c)
    assert "广州市人民政府" in html and "（新）" not in html and reads >= 1
    html2, reads = site_queries(c)
    assert (html2, reads) == (html, 0)  # served from the cache: the site table not read at all
    before = token()
    write(console)
    assert token() != before
    html, reads = site_queries(c)
    assert "广州市人民政府（新）" in html and reads >= 1


def test_added_and_deleted_sites_change_rows_and_total(console: Console) -> None:
    c = client_for(console.w.users["gd_admin"])
    html, _ = site_queries(c)
    assert "共 2 个" in html and "4401000060" not in html
    make_site("4401000060", "广州市新站", "new.gz.gov.cn", region=console.w.gz)
    html, _ = site_queries(c)
    assert "共 3 个" in html and ">4401000060<" in html
    Site.objects.filter(code="4401000060").delete()
    html, _ = site_queries(c)
    assert "共 2 个" in html and "4401000060" not in html


def test_a_renamed_region_and_a_moved_region_show_on_the_next_request(console: Console) -> None:
    c = client_for(console.w.users["gd_admin"])
    html, _ = site_queries(c)
    assert "天河区" in html and ">4401060001<" in html
    Region.objects.filter(pk=console.w.tianhe.pk).update(name="天河新区")
    html, _ = site_queries(c)
    assert "天河新区" in html
    # The district moved out of 广东 (the scope is the region tree): gone from the regional list.
    Region.objects.filter(pk=console.w.tianhe.pk).update(parent=console.w.hb)
    html, _ = site_queries(c)
    assert ">4401060001<" not in html and "共 1 个" in html


def test_filters_and_pages_are_cached_apart(console: Console) -> None:
    c = client_for(console.w.users["nadmin"])
    everything, _ = site_queries(c)
    only_2, _ = site_queries(c, "/console/sites/?category=2")
    after, _ = site_queries(c, f"/console/sites/?after={HB}")
    assert {x for x in (GZ, TH, HB, DEPT) if f">{x}<" in everything} == {GZ, TH, HB, DEPT}
    assert {x for x in (GZ, TH, HB, DEPT) if f">{x}<" in only_2} == {HB}
    assert {x for x in (GZ, TH, HB, DEPT) if f">{x}<" in after} == {GZ, TH, DEPT}  # codes after 4200000001
    for url, html in (("/console/sites/", everything), ("/console/sites/?category=2", only_2),
                      (f"/console/sites/?after={HB}", after)):
        assert site_queries(c, url) == (html, 0)


def test_scopes_never_share_a_cached_page(console: Console) -> None:
    users = console.w.users
    for who, visible in (("nadmin", {GZ, TH, HB, DEPT}), ("gd_admin", {GZ, TH}), ("hb_admin", {HB}),
                         ("dept_admin", {DEPT}), ("dept2_admin", set()), ("gd_admin", {GZ, TH})):
        html, _ = site_queries(client_for(users[who]))
        assert {x for x in (GZ, TH, HB, DEPT) if f">{x}<" in html} == visible, who


def test_a_changed_role_applies_on_the_next_request(console: Console) -> None:
    user = console.w.users["gd_admin"]
    c = client_for(user)
    site_queries(c)
    Membership.objects.filter(user=user).update(region=console.w.hb)  # not a registry write: no new token
    html, _ = site_queries(c)
    assert {x for x in (GZ, TH, HB, DEPT) if f">{x}<" in html} == {HB}


def test_inspector_lists_are_not_cached(console: Console) -> None:
    """An inspector also sees the sites assigned to them: assignments are not registry writes."""
    c = client_for(console.reviewer)
    html, _ = site_queries(c)
    assert f">{HB}<" not in html
    Assignment.objects.create(campaign=console.campaign, inspector=console.reviewer, site=console.w.hb_site)
    html, reads = site_queries(c)
    assert f">{HB}<" in html and reads >= 1
    operator = make_user("hb_operator", Role.SITE_OPERATOR, sites=[console.w.hb_site])
    c = client_for(operator)
    site_queries(c)
    assert site_queries(c)[1] >= 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_token_changes_when_a_write_commits(world) -> None:  # noqa: ANN001
    """Outside tests' rolled-back transactions: PostgreSQL changes the token at COMMIT (the
    version row is locked only then), SQLite with the write; either way a request that reads the
    token after the commit cannot get a page computed before it."""
    c = client_for(world.users["nadmin"])
    site_queries(c)
    before = token()
    with transaction.atomic():
        Site.objects.filter(code=GZ).update(name="广州市人民政府（新）")
        Site.objects.filter(code=HB).update(name="湖北省人民政府（新）")
        if connection.vendor == "postgresql":
            # Not yet changed for anyone else; and nothing is cached inside a transaction that
            # may hold uncommitted registry changes of its own.
            assert token() is None
            html, reads = site_queries(c)
            assert "广州市人民政府（新）" in html and reads >= 1
            assert site_queries(c)[1] >= 1
    assert token() != before
    html, reads = site_queries(c)
    assert "广州市人民政府（新）" in html and "湖北省人民政府（新）" in html and reads >= 1


def test_a_cached_page_reads_the_token_along_with_the_user(console: Console) -> None:
    """On a cached page the token comes with the user's own query (accounts.backends): no query
    of its own, no site table read."""
    c = client_for(console.w.users["gd_admin"])
    c.get("/console/sites/")
    with CaptureQueriesContext(connection) as q:
        assert c.get("/console/sites/").status_code == 200
    sqls = [x["sql"] for x in q.captured_queries]
    assert not any("registry_site" in s for s in sqls)
    (with_token,) = [s for s in sqls if "registry_version" in s]
    assert '"auth_user"' in with_token and '"accounts_membership"' in with_token


def test_emptied_registry_tables_show_on_the_next_request(console: Console) -> None:
    """TRUNCATE fires no row triggers: a statement trigger of its own replaces the token
    (PostgreSQL; SQLite has no TRUNCATE, its DELETE without WHERE fires the row triggers)."""
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    c = client_for(console.w.users["nadmin"])
    html, _ = site_queries(c)
    assert f">{GZ}<" in html
    before = token()
    with connection.cursor() as cur:
        # The fixture's inserts left deferred trigger events (foreign key checks among them),
        # which PostgreSQL requires to be run before a TRUNCATE in the same transaction.
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute("TRUNCATE registry_site CASCADE")
    assert token() != before
    html, reads = site_queries(c)
    assert f">{GZ}<" not in html and "共 0 个" in html and reads >= 1
