"""The campaign executor: results stored, crash and resume, retries, failures, progress."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from click.testing import CliRunner

from govsite.cli import main
from govsite.inspections.executor import CheckJob, RunOptions, _interleave_hosts, run_campaign
from govsite.inspections.offline import rule_report
from tests.inspections import checkers


@pytest.fixture(autouse=True)
def _reset_calls() -> None:
    checkers.CALLS.clear()


def _campaign(size: int = 30, seed: str = "run"):  # noqa: ANN202
    from govsite.inspections.campaigns import draw_national_sample

    return draw_national_sample("2017Q3", size, seed)


def _run(campaign_id: int, factory, **opts):  # noqa: ANN001, ANN003, ANN202
    return async_to_sync(run_campaign)(campaign_id, factory, RunOptions(backoff=0, **opts))


@pytest.mark.django_db
def test_run_stores_reports_and_verdicts(registry) -> None:  # noqa: ANN001
    c = _campaign()
    summary = _run(c.pk, checkers.rules_checker, concurrency=4)
    assert summary.done == 30 and summary.failed == 0 and summary.checked_now == 30
    c.refresh_from_db()
    assert (c.state, c.done, c.failed, c.running) == ("checked", 30, 0, 0)
    for cs in c.sites.select_related("site"):
        assert cs.state == "done" and cs.attempts == 1
        assert cs.report["site"]["code"] == cs.site.code
        # The verdict is the checker's reading of this very site.
        bad_name = "公众信息网" in cs.site.name
        bad_domain = not cs.site.home_url.split("/")[2].endswith(".gov.cn")
        assert cs.auto_verdict == ("fail" if bad_name or bad_domain else "pass")
    assert sorted(checkers.CALLS) == sorted(c.sites.values_list("site__code", flat=True))


@pytest.mark.django_db
def test_crash_then_resume_repeats_no_finished_site(registry) -> None:  # noqa: ANN001
    c = _campaign()
    with pytest.raises(checkers.SimulatedCrash):
        _run(c.pk, checkers.crashing_checker(after=11), concurrency=3)
    first = list(checkers.CALLS)
    done_after_crash = set(c.sites.filter(state="done").values_list("site__code", flat=True))
    assert done_after_crash and len(done_after_crash) <= 11 and done_after_crash <= set(first)
    c.refresh_from_db()
    assert c.state == "running" and c.done == len(done_after_crash)  # progress the console sees
    checkers.CALLS.clear()
    summary = _run(c.pk, checkers.rules_checker, concurrency=3)
    second = set(checkers.CALLS)
    assert not second & done_after_crash  # nothing finished is checked again
    assert second | done_after_crash == set(c.sites.values_list("site__code", flat=True))
    assert summary.done == 30 and summary.checked_now == 30 - len(done_after_crash)
    c.refresh_from_db()
    assert c.state == "checked" and c.done == 30 and not c.sites.filter(state="running").exists()


@pytest.mark.django_db
def test_retries_then_failure_with_reason(registry) -> None:  # noqa: ANN001
    c = _campaign(size=20)
    codes = list(c.sites.order_by("site__code").values_list("site__code", flat=True))
    flaky, dead = codes[0], codes[1]
    summary = _run(c.pk, checkers.flaky_checker({flaky: 2, dead: 99}), max_attempts=3)
    assert summary.done == 19 and summary.failed == 1
    f = c.sites.get(site__code=flaky)
    assert (f.state, f.attempts) == ("done", 3)
    d = c.sites.get(site__code=dead)
    assert (d.state, d.attempts) == ("failed", 3)
    assert "ConnectionError" in d.error and "连接被重置" in d.error
    assert checkers.CALLS.count(dead) == 3
    # A plain re-run does not touch the failed site; --retry-failed does.
    checkers.CALLS.clear()
    _run(c.pk, checkers.rules_checker)
    assert checkers.CALLS == []
    _run(c.pk, checkers.rules_checker, retry_failed=True)
    assert checkers.CALLS == [dead]
    d.refresh_from_db()
    assert d.state == "done" and d.error == ""


@pytest.mark.django_db
def test_invalid_report_is_an_error_for_that_site(registry) -> None:  # noqa: ANN001
    import contextlib

    @contextlib.asynccontextmanager
    async def broken(options):  # noqa: ANN001, ANN202
        async def check(job: CheckJob) -> dict:
            report = rule_report(job)
            report["verdict"] = "maybe"
            return report

        yield check

    c = _campaign(size=14)
    summary = _run(c.pk, broken, max_attempts=1)
    assert summary.failed == 14
    assert "verdict 无效" in c.sites.first().error


def test_dispatch_interleaves_hosts() -> None:
    import datetime as dt

    def job(i: int, host: str) -> CheckJob:
        return CheckJob(i, f"http://{host}/", "n", "1100000001", 2, "o", (), dt.datetime(2017, 9, 30), "RS2015")

    jobs = [job(1, "a"), job(2, "a"), job(3, "a"), job(4, "b"), job(5, "c")]
    assert [j.host for j in _interleave_hosts(jobs)] == ["a", "b", "c", "a", "a"]


@pytest.mark.django_db
def test_cli_run_and_status(registry) -> None:  # noqa: ANN001
    c = _campaign(size=15)
    r = CliRunner().invoke(main, ["campaign", "run", str(c.pk), "--checker",
                                  "govsite.inspections.offline:registry_rules_checker", "--no-progress"])
    assert r.exit_code == 0, r.output
    assert "完成 15" in r.output
    s = CliRunner().invoke(main, ["campaign", "status", str(c.pk)])
    assert "共 15，完成 15" in s.output
    bad = CliRunner().invoke(main, ["campaign", "run", str(c.pk), "--checker", "no.such:thing"])
    assert bad.exit_code == 2 and "无法加载检查器" in bad.output
    missing = CliRunner().invoke(main, ["campaign", "run", "999999"])
    assert missing.exit_code == 2 and "不存在" in missing.output


@pytest.mark.django_db
def test_engine_refusal_fails_at_once_and_empty_crawls_are_retried(registry) -> None:  # noqa: ANN001
    import contextlib

    c = _campaign(size=14)
    codes = list(c.sites.order_by("site__code").values_list("site__code", flat=True))
    private, down_once = codes[0], codes[1]
    seen: dict[str, int] = {}

    @contextlib.asynccontextmanager
    async def engine_like(options):  # noqa: ANN001, ANN202
        async def check(job: CheckJob) -> dict:
            seen[job.code] = seen.get(job.code, 0) + 1
            report = rule_report(job)
            report["crawl"]["pages"] = 3
            if job.code == private:  # what the engine says without --allow-private
                report.update(verdict="incomplete", error={"kind": "refused_private", "detail": "127.0.0.1 是回环地址"})
            elif job.code == down_once and seen[job.code] == 1:  # the server was down for a moment
                report.update(verdict="incomplete", crawl={"pages": 0, "links": 0, "errors": 1, "seconds": 0.1})
            return report

        yield check

    summary = _run(c.pk, engine_like, max_attempts=3)
    assert (summary.done, summary.failed) == (13, 1)
    p = c.sites.get(site__code=private)
    assert (p.state, p.attempts, seen[private]) == ("failed", 1, 1)
    assert "检查被拒绝" in p.error and "回环地址" in p.error
    assert p.report is not None and p.auto_verdict == "incomplete"  # evidence kept for the inspector
    d = c.sites.get(site__code=down_once)
    assert (d.state, d.attempts) == ("done", 2) and d.auto_verdict in ("pass", "fail")
