"""Changes through the console: the review screen (inspections.reviews), message handling
(feedback.workflow.act), each audited; refusals change nothing."""

from __future__ import annotations

import pytest

from govsite.console.models import ConsoleAudit
from govsite.feedback.models import Status
from govsite.inspections.models import AuditEntry, Review
from tests.console.conftest import Console, client_for

pytestmark = pytest.mark.django_db

GZ, HB = "4401000059", "4200000001"


def test_inspector_overrides_an_indicator_with_reason(console: Console) -> None:
    c = client_for(console.reviewer)
    url = f"/console/campaigns/{console.campaign.pk}/review/{GZ}/"
    page = c.get(url)
    assert page.status_code == 200 and "D15-2" in page.content.decode() and "断链 404" in page.content.decode()
    # An override without a reason is refused and nothing is stored.
    r = c.post(url, {"status_V15-1": "ok", "status_D15-2": "deduct", "reason_D15-2": ""})
    assert r.status_code == 400 and "必须填写理由" in r.content.decode()
    assert not Review.objects.exists()
    r = c.post(url, {"status_V15-1": "ok", "status_D15-2": "veto", "reason_D15-2": "首页大量断链"})
    assert r.status_code == 302
    cs = console.cs[GZ]
    cs.refresh_from_db()
    assert cs.reviewed_verdict == "fail" and cs.review_state == "final"
    review = Review.objects.get()
    assert review.decisions["D15-2"] == {"action": "override", "before": "ok", "after": "veto", "reason": "首页大量断链"}
    assert review.decisions["V15-1"]["action"] == "confirm"
    assert AuditEntry.objects.filter(action="review_first").exists()
    assert ConsoleAudit.objects.get(action="review").username == "inspector"
    # A second submission is refused (already reviewed).
    assert c.post(url, {"status_D15-2": "ok", "reason_D15-2": "x"}).status_code == 400


@pytest.mark.parametrize("who", ["gd_admin", "nadmin", "gz_operator"])
def test_review_needs_an_assignment(console: Console, who: str) -> None:
    c = client_for(console.w.users[who])
    url = f"/console/campaigns/{console.campaign.pk}/review/{GZ}/"
    assert c.get(url).status_code == 404
    assert c.post(url, {"status_D15-2": "veto", "reason_D15-2": "x"}).status_code == 404
    assert not Review.objects.exists()


def test_inspector_cannot_review_an_unassigned_site(console: Console) -> None:
    c = client_for(console.reviewer)
    url = f"/console/campaigns/{console.campaign.pk}/review/{HB}/"
    assert c.post(url, {"status_D15-2": "ok", "reason_D15-2": "x"}).status_code == 404
    assert not Review.objects.exists()


def test_message_handled_through_the_workflow(console: Console) -> None:
    msg = console.messages[HB]
    n0 = msg.transitions.count()
    ops = client_for(console.w.users["ops"])
    r = ops.post(f"/console/messages/{msg.pk}/", {"action": "screen_valid"})
    assert r.status_code == 302
    msg.refresh_from_db()
    assert msg.status == Status.TRANSFERRED
    # Guangdong's office cannot forward Hubei's message: not found, nothing changed.
    gd = client_for(console.w.users["gd_admin"])
    assert gd.post(f"/console/messages/{msg.pk}/", {"action": "forward"}).status_code == 404
    msg.refresh_from_db()
    assert msg.status == Status.TRANSFERRED
    hb = client_for(console.w.users["hb_admin"])
    page = hb.get(f"/console/messages/{msg.pk}/").content.decode()
    assert "转交网站主办单位办理" in page
    assert hb.post(f"/console/messages/{msg.pk}/", {"action": "forward"}).status_code == 302
    msg.refresh_from_db()
    assert msg.status == Status.ACCEPTED
    assert msg.transitions.count() == n0 + 2
    assert list(ConsoleAudit.objects.order_by("id").values_list("action", flat=True)) == [
        "message_screen_valid", "message_forward"]


def test_wrong_step_is_refused_with_the_reason(console: Console) -> None:
    msg = console.messages[HB]
    n0 = msg.transitions.count()
    hb = client_for(console.w.users["hb_admin"])
    r = hb.post(f"/console/messages/{msg.pk}/", {"action": "screen_valid"})
    assert r.status_code == 400 and "无权执行" in r.content.decode()
    r = client_for(console.w.users["ops"]).post(f"/console/messages/{msg.pk}/", {"action": "screen_reject", "target": "x"})
    assert r.status_code == 400
    msg.refresh_from_db()
    assert msg.status == Status.UNHANDLED and msg.transitions.count() == n0


def test_national_admin_draws_a_sample_others_cannot(console: Console) -> None:
    from govsite.inspections.models import Campaign

    n0 = Campaign.objects.count()
    gd = client_for(console.w.users["gd_admin"])
    assert gd.post("/console/campaigns/", {"quarter": "2017Q4", "size": "2", "seed": "s"}).status_code == 403
    na = client_for(console.w.users["nadmin"])
    r = na.post("/console/campaigns/", {"quarter": "2017Q9", "size": "2", "seed": "s"})
    assert r.status_code == 400 and "季度" in r.content.decode()
    assert Campaign.objects.count() == n0
    r = na.post("/console/campaigns/", {"quarter": "2017Q4", "size": "4", "seed": "console"})
    assert r.status_code == 302
    c = Campaign.objects.get(quarter="2017Q4")
    assert c.sites.count() == 4 and ConsoleAudit.objects.filter(action="campaign_draw").exists()


def test_accountability_entry_national_only(console: Console) -> None:
    from govsite.inspections.models import AccountabilityRecord

    form = {"form": "accountability", "quarter": "2017Q3", "unit": "湖北省", "kind": "约谈", "count": "2"}
    assert client_for(console.w.users["hb_admin"]).post("/console/rectifications/", form).status_code == 403
    na = client_for(console.w.users["nadmin"])
    assert na.post("/console/rectifications/", {**form, "kind": "罚款"}).status_code == 400
    assert not AccountabilityRecord.objects.exists()
    assert na.post("/console/rectifications/", form).status_code == 302
    rec = AccountabilityRecord.objects.get()
    assert rec.count == 2 and rec.unit_region.name == "湖北省" and rec.actor == "nadmin"
