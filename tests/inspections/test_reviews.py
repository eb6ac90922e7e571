"""Inspector review: assignment scope, mandatory reasons, two-stage review, audit log."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from click.testing import CliRunner

from govsite.cli import main
from govsite.inspections.errors import InspectionError
from govsite.inspections.executor import RunOptions, run_campaign
from govsite.inspections.offline import registry_rules_checker
from govsite.inspections.reviews import Override, assign, auto_accept, findings, queue, submit
from tests.inspections.conftest import make_user


def _checked_campaign(second_review: bool = False):  # noqa: ANN202
    from govsite.inspections.campaigns import draw_national_sample

    c = draw_national_sample("2017Q3", 30, "rev", second_review=second_review)
    async_to_sync(run_campaign)(c.pk, registry_rules_checker, RunOptions(backoff=0))
    c.refresh_from_db()
    return c


def _failing_site(c):  # noqa: ANN001, ANN202
    return c.sites.filter(auto_verdict="fail").select_related("site").first()


@pytest.mark.django_db
def test_override_flips_verdict_with_reason_and_is_audited(registry, inspector) -> None:  # noqa: ANN001
    from govsite.inspections.models import AuditEntry, Review

    c = _checked_campaign()
    cs = _failing_site(c)
    code = cs.site.code
    assign(c, "alice", [code])
    assert [r["site"] for r in queue(c, "alice")] == [code]
    vetoed = [i["id"] for i in cs.report["indicators"] if i["status"] == "veto"]
    f = findings(c, code)
    assert any(i["evidence"] for i in f["indicators"])  # evidence is shown to the inspector
    overrides = [Override(i, "ok", "主办单位已提供批准文件，名称和域名符合要求") for i in vetoed]
    review = submit(c, code, "alice", overrides=overrides)
    cs.refresh_from_db()
    assert review.verdict == "pass" and cs.reviewed_verdict == "pass" and cs.final_verdict == "pass"
    assert cs.auto_verdict == "fail"  # the engine's finding is kept beside the reviewed one
    assert {k for k, v in review.decisions.items() if v["action"] == "override"} == set(vetoed)
    entry = AuditEntry.objects.get(action="review_first")
    assert entry.actor == "alice" and entry.before["verdict"] == "fail" and entry.after["verdict"] == "pass"
    assert "批准文件" in entry.reason
    assert queue(c, "alice") == []
    with pytest.raises(InspectionError, match="已完成初审"):
        submit(c, code, "alice")
    assert Review.objects.count() == 1


@pytest.mark.django_db
def test_bad_reviews_are_rejected_and_change_nothing(registry, inspector) -> None:  # noqa: ANN001
    from govsite.inspections.models import AuditEntry, Review

    c = _checked_campaign()
    cs = _failing_site(c)
    other = c.sites.exclude(pk=cs.pk).first()
    assign(c, "alice", [cs.site.code])
    before = AuditEntry.objects.count()
    vetoed = next(i["id"] for i in cs.report["indicators"] if i["status"] == "veto")
    with pytest.raises(InspectionError, match="必须填写理由"):
        submit(c, cs.site.code, "alice", overrides=[Override(vetoed, "ok", "")])
    with pytest.raises(InspectionError, match="不在 alice 的审核分配范围内"):
        submit(c, other.site.code, "alice")
    with pytest.raises(InspectionError, match="状态“great”无效"):
        submit(c, cs.site.code, "alice", overrides=[Override(vetoed, "great", "x")])
    with pytest.raises(InspectionError, match="必须用 --reason"):
        submit(c, cs.site.code, "alice", verdict="pass")
    make_user("bob", "site_operator")
    with pytest.raises(InspectionError, match="不是抽查人员"):
        assign(c, "bob", [cs.site.code])
    cs.refresh_from_db()
    assert cs.review_state == "" and cs.reviewed_verdict == ""
    assert Review.objects.count() == 0 and AuditEntry.objects.count() == before


@pytest.mark.django_db
def test_second_review_decides(registry, inspector) -> None:  # noqa: ANN001
    c = _checked_campaign(second_review=True)
    make_user("carol", "inspector")
    cs = _failing_site(c)
    code = cs.site.code
    assign(c, "alice", [code], stage="first")
    with pytest.raises(InspectionError, match="同一人"):
        assign(c, "alice", [code], stage="second")
    assign(c, "carol", [code], stage="second")
    with pytest.raises(InspectionError, match="尚未初审"):
        submit(c, code, "carol")
    vetoed = [i["id"] for i in cs.report["indicators"] if i["status"] == "veto"]
    submit(c, code, "alice", overrides=[Override(i, "ok", "初审认为可接受") for i in vetoed])
    cs.refresh_from_db()
    assert cs.review_state == "first" and cs.final_verdict == ""  # not final before 复审
    assert [r["stage"] for r in queue(c, "carol")] == ["second"]
    # 复审 restores one veto: the final verdict is the second reviewer's.
    submit(c, code, "carol", overrides=[Override(vetoed[0], "veto", "复审：问题确实存在")])
    cs.refresh_from_db()
    assert cs.review_state == "final" and cs.final_verdict == "fail"
    assert [r.stage for r in cs.reviews.all()] == ["first", "second"]


@pytest.mark.django_db
def test_auto_accept_and_cli_review_flow(registry, inspector) -> None:  # noqa: ANN001
    c = _checked_campaign()
    runner = CliRunner()
    cs = _failing_site(c)
    code = cs.site.code
    r = runner.invoke(main, ["campaign", "review", "assign", str(c.pk), "--inspector", "alice", "--site", code])
    assert r.exit_code == 0, r.output
    vetoed = next(i["id"] for i in cs.report["indicators"] if i["status"] == "veto")
    r = runner.invoke(main, ["campaign", "review", "submit", str(c.pk), code, "--inspector", "alice",
                             "--override", f"{vetoed}=ok"])
    assert r.exit_code == 2 and "必须填写理由" in r.output
    r = runner.invoke(main, ["campaign", "review", "submit", str(c.pk), code, "--inspector", "alice",
                             "--override", f"{vetoed}=ok:核实无误"])
    assert r.exit_code == 0, r.output
    outside = c.sites.exclude(pk=cs.pk).first().site.code
    r = runner.invoke(main, ["campaign", "review", "submit", str(c.pk), outside, "--inspector", "alice"])
    assert r.exit_code == 2 and "审核分配范围" in r.output
    res = auto_accept(c)
    assert res == {"accepted": 29, "skipped": 0}
    cs.refresh_from_db()
    assert cs.reviews.count() == 1  # the hand review is not overwritten by auto-accept
    assert c.sites.filter(review_state="final").count() == 30
    log = runner.invoke(main, ["campaign", "review", "log", str(c.pk)])
    assert "alice" in log.output and "auto_accept" in log.output


@pytest.mark.django_db
def test_scoped_inspector_and_round_robin_assignment(registry, inspector) -> None:  # noqa: ANN001
    from govsite.accounts.models import Membership
    from govsite.inspections.models import Assignment
    from govsite.registry.models import Region

    c = _checked_campaign()
    dave = make_user("dave", "inspector")
    Membership.objects.filter(user=dave).update(region=Region.objects.get(code="110000"))
    beijing = [cs.site.code for cs in c.sites.select_related("site__region") if cs.site.region and cs.site.region.code.startswith("11")]
    other = c.sites.exclude(site__code__in=beijing).first().site.code
    assert assign(c, "dave", beijing) == len(beijing)
    with pytest.raises(InspectionError, match="不在 dave 的管辖范围内"):
        assign(c, "dave", [other])
    r = CliRunner().invoke(main, ["campaign", "review", "assign", str(c.pk), "--inspector", "alice",
                                  "--inspector", "carol", "--all-unassigned"])
    assert r.exit_code == 2 and "用户“carol”不存在" in r.output
    assert Assignment.objects.filter(inspector__username="alice").count() == 0  # all or nothing
    make_user("carol", "inspector")
    r = CliRunner().invoke(main, ["campaign", "review", "assign", str(c.pk), "--inspector", "alice",
                                  "--inspector", "carol", "--all-unassigned"])
    assert r.exit_code == 0, r.output
    a = Assignment.objects.filter(inspector__username="alice").count()
    b = Assignment.objects.filter(inspector__username="carol").count()
    assert a + b == 30 - len(beijing) and abs(a - b) <= 1
