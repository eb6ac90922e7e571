"""Scope per role, in pages and downloads: a user sees only the sites, campaign rows, messages
and tasks in scope, and an id outside it answers 404 like a missing one."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.console.conftest import Console, client_for

pytestmark = pytest.mark.django_db

GZ, TH, HB, DEPT = "4401000059", "4401060001", "4200000001", "bm01000001"
ALL = {GZ, TH, HB, DEPT}
NAMES = {GZ: "广州市人民政府", TH: "天河区人民政府", HB: "湖北省人民政府", DEPT: "外交部"}

# role user → the site codes they may see
VISIBLE = {
    "nadmin": ALL,
    "ops": ALL,
    "gd_admin": {GZ, TH},  # 广东省 and everything below it
    "gz_admin": {GZ, TH},  # 广州市 and 天河区
    "hb_admin": {HB},
    "dept_admin": {DEPT},
    "gz_operator": {GZ},
    "th_operator": {TH},
    "dept_operator": {DEPT},
    "inspector": {GZ, TH},  # region 广州 plus the assigned site
}


def _codes(html: str) -> set[str]:
    return {c for c in ALL if f">{c}<" in html}


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_registry_and_site_pages_follow_scope(console: Console, who: str) -> None:
    c = client_for(console.w.users[who])
    r = c.get("/console/sites/")
    assert r.status_code == 200
    assert _codes(r.content.decode()) == VISIBLE[who]
    for code in ALL:
        r = c.get(f"/console/sites/{code}/")
        assert r.status_code == (200 if code in VISIBLE[who] else 404), (who, code)
        if r.status_code == 404:  # nothing of the hidden site leaks into the error page
            assert NAMES[code] not in r.content.decode()


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_campaign_rows_and_download_follow_scope(console: Console, who: str) -> None:
    c = client_for(console.w.users[who])
    r = c.get(f"/console/campaigns/{console.campaign.pk}/")
    assert r.status_code == 200
    assert {code for code in ALL if f"（{code}）" in r.content.decode()} == VISIBLE[who]
    x = c.get(f"/console/campaigns/{console.campaign.pk}/results.xlsx")
    assert x.status_code == 200
    ws = load_workbook(io.BytesIO(x.content)).active
    assert {row[0] for row in ws.iter_rows(min_row=2, values_only=True)} == VISIBLE[who]


def test_campaign_outside_scope_is_not_found(console: Console) -> None:
    from govsite.inspections.models import CampaignSite

    # A campaign with only the Hubei site is invisible to Guangdong's administrator.
    other = console.campaign.__class__.objects.create(
        name="湖北复查", quarter="2017Q3", kind="rectification_recheck", ruleset="RS2015",
        as_of=console.campaign.as_of, window_start=console.campaign.window_start, window_end=console.campaign.window_end)
    CampaignSite.objects.create(campaign=other, site=console.w.hb_site)
    gd = client_for(console.w.users["gd_admin"])
    assert gd.get(f"/console/campaigns/{other.pk}/").status_code == 404
    assert gd.get(f"/console/campaigns/{other.pk}/results.xlsx").status_code == 404
    assert "湖北复查" not in gd.get("/console/campaigns/").content.decode()
    assert client_for(console.w.users["hb_admin"]).get(f"/console/campaigns/{other.pk}/").status_code == 200


@pytest.mark.parametrize("who,visible", [
    ("nadmin", {GZ, HB, DEPT}), ("gd_admin", {GZ}), ("hb_admin", {HB}), ("dept_admin", {DEPT}),
    ("gz_operator", {GZ}), ("th_operator", set()), ("inspector", {GZ}),
])
def test_messages_follow_scope(console: Console, who: str, visible: set[str]) -> None:
    c = client_for(console.w.users[who])
    html = c.get("/console/messages/").content.decode()
    for code, msg in console.messages.items():
        assert (msg.query_code in html) == (code in visible), (who, code)
        assert c.get(f"/console/messages/{msg.pk}/").status_code == (200 if code in visible else 404)


@pytest.mark.parametrize("who,ok", [("nadmin", True), ("hb_admin", True), ("gd_admin", False),
                                    ("dept_admin", False), ("gz_operator", False), ("inspector", False)])
def test_rectification_tasks_follow_scope(console: Console, who: str, ok: bool) -> None:
    c = client_for(console.w.users[who])
    assert ("湖北省人民政府" in c.get("/console/rectifications/").content.decode()) == ok
    before = console.task.state
    r = c.post("/console/rectifications/", {"task": console.task.pk, "note": "已修复断链"})
    console.task.refresh_from_db()
    if not ok:
        assert r.status_code == 404
        assert console.task.state == before
    elif who == "hb_admin":  # the region's office may report for its site
        assert r.status_code == 302 and console.task.state == "reported"
    else:  # the national admin sees the task but reporting is the site's or its office's job
        assert r.status_code == 403 and console.task.state == before


def test_dashboard_pass_rates_only_in_scope(console: Console) -> None:
    html = client_for(console.w.users["gd_admin"]).get("/console/").content.decode()
    assert "广东省" in html and "湖北省" not in html and "外交部" not in html
    html = client_for(console.w.users["nadmin"]).get("/console/").content.decode()
    assert "广东省" in html and "湖北省" in html and "外交部" in html
    # Overdue message of Hubei shown to Hubei's office and the national team only.
    code = console.messages[HB].query_code
    assert code in html
    assert code in client_for(console.w.users["hb_admin"]).get("/console/").content.decode()
    assert code not in client_for(console.w.users["gd_admin"]).get("/console/").content.decode()


def test_anonymous_and_roleless_users_get_nothing(console: Console) -> None:
    from django.contrib.auth import get_user_model
    from django.test import Client

    r = Client().get("/console/sites/")
    assert r.status_code == 302 and "/console/login/" in r["Location"]
    nobody = get_user_model().objects.create_user("nobody")
    assert client_for(nobody).get("/console/sites/").status_code == 403


@pytest.mark.parametrize("who", ["gd_admin", "dept_admin", "gz_operator", "inspector"])
def test_national_notice_is_national_only(console: Console, who: str) -> None:
    r = client_for(console.w.users[who]).get("/console/reports/2017Q3/notice.docx")
    assert r.status_code == 403


def test_national_notice_download(console: Console) -> None:
    c = client_for(console.w.users["nadmin"])
    assert c.get("/console/reports/2017Q3/notice.exe").status_code == 404
    r = c.get("/console/reports/2017Q9/notice.html")
    assert r.status_code == 400 and "季度" in r.content.decode()
    r = c.get("/console/reports/2017Q3/notice.html")
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    assert "2017年第三季度" in r.content.decode() or "2017" in r.content.decode()
    from govsite.console.models import ConsoleAudit

    assert ConsoleAudit.objects.filter(action="notice_download", object_id="2017Q3").exists()
