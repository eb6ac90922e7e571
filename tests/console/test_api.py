"""The token API: same scopes as the pages, malformed payloads answer 4xx, changes audited."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from govsite.console.models import ApiToken, ConsoleAudit
from govsite.registry.models import SiteChange
from tests.console.conftest import Console

pytestmark = pytest.mark.django_db

GZ, TH, HB, DEPT = "4401000059", "4401060001", "4200000001", "bm01000001"


def api(console: Console, who: str) -> tuple[Client, dict]:
    _, raw = ApiToken.issue(console.w.users[who], "test")
    return Client(), {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_no_or_bad_token_is_401(console: Console) -> None:
    c = Client()
    assert c.get("/console/api/sites").status_code == 401
    assert c.get("/console/api/sites", HTTP_AUTHORIZATION="Bearer gs_forged").status_code == 401
    t, raw = ApiToken.issue(console.w.users["nadmin"])
    t.revoked = True
    t.save()
    assert c.get("/console/api/sites", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


@pytest.mark.parametrize("who,visible", [
    ("nadmin", {GZ, TH, HB, DEPT}), ("gd_admin", {GZ, TH}), ("hb_admin", {HB}), ("dept_admin", {DEPT}),
    ("gz_operator", {GZ}), ("inspector", {GZ, TH}),
])
def test_sites_campaigns_messages_scoped(console: Console, who: str, visible: set[str]) -> None:
    c, h = api(console, who)
    items = c.get("/console/api/sites?limit=500", **h).json()["items"]
    assert {s["code"] for s in items} == visible
    for code in (GZ, TH, HB, DEPT):
        assert c.get(f"/console/api/sites/{code}", **h).status_code == (200 if code in visible else 404)
    results = c.get(f"/console/api/campaigns/{console.campaign.pk}/results", **h).json()
    assert {r["site"] for r in results} == visible
    msgs = {m["site"] for m in c.get("/console/api/messages", **h).json()}
    assert msgs <= visible


def test_keyset_pages_cover_everything_once(console: Console) -> None:
    c, h = api(console, "nadmin")
    seen, after = [], ""
    while True:
        page = c.get(f"/console/api/sites?limit=1&after={after}", **h).json()
        seen += [s["code"] for s in page["items"]]
        if not page["next_after"]:
            break
        after = page["next_after"]
    assert seen == sorted({GZ, TH, HB, DEPT})


def test_registry_sync_in_scope_only(console: Console) -> None:
    c, h = api(console, "gd_admin")
    body = json.dumps({"icp": "粤ICP备05070829号", "reason": "地区系统同步"})
    r = c.patch(f"/console/api/sites/{GZ}", body, content_type="application/json", **h)
    assert r.status_code == 200 and r.json()["icp"] == "粤ICP备05070829号"
    assert SiteChange.objects.get(site__code=GZ).changes == {"icp": ["", "粤ICP备05070829号"]}
    assert ConsoleAudit.objects.get(channel="api").action == "site_update"
    # Another region's site: not found, unchanged.
    r = c.patch(f"/console/api/sites/{HB}", body, content_type="application/json", **h)
    assert r.status_code == 404
    assert not SiteChange.objects.filter(site__code=HB).exists()
    # An operator may read but not sync.
    c2, h2 = api(console, "gz_operator")
    assert c2.patch(f"/console/api/sites/{GZ}", body, content_type="application/json", **h2).status_code == 403


@pytest.mark.parametrize("payload", [
    "{not json", json.dumps({"icp": "x"}), json.dumps({"icp": "x" * 500, "reason": "r"}), json.dumps([1, 2]),
    json.dumps({"icp": 5, "reason": ""}),
])
def test_malformed_payloads_are_4xx_and_change_nothing(console: Console, payload: str) -> None:
    c, h = api(console, "gd_admin")
    r = c.patch(f"/console/api/sites/{GZ}", payload, content_type="application/json", **h)
    assert 400 <= r.status_code < 500
    assert "Traceback" not in r.content.decode()
    assert not SiteChange.objects.exists()


def test_message_act_through_api(console: Console) -> None:
    msg = console.messages[HB]
    c, h = api(console, "ops")
    url = f"/console/api/messages/{msg.pk}/act"
    r = c.post(url, json.dumps({"action": "screen_reject"}), content_type="application/json", **h)
    assert r.status_code == 400 and "原因" in r.json()["detail"] or "类型" in r.json()["detail"]
    r = c.post(url, json.dumps({"action": "screen_valid"}), content_type="application/json", **h)
    assert r.status_code == 200 and "forward" not in r.json()["allowed_actions"]
    c2, h2 = api(console, "gd_admin")
    assert c2.post(url, json.dumps({"action": "forward"}), content_type="application/json", **h2).status_code == 404
    c3, h3 = api(console, "hb_admin")
    assert c3.get(f"/console/api/messages/{msg.pk}", **h3).json()["allowed_actions"] == ["forward", "forward_offline"]


def test_openapi_published(console: Console) -> None:
    schema = Client().get("/console/api/openapi.json").json()
    assert {"/console/api/sites", "/console/api/messages/{message_id}/act"} <= set(schema["paths"])
