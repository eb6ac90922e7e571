"""An offline checker: three registry-level guideline rules applied to a site's record, no
network. It is a real (if narrow) checker, used to test the executor's bookkeeping and to
measure orchestration overhead without crawling (bench/campaign.py).

- G-DOM-1: the home URL's host ends in .gov.cn or .政务;
- G-NAME-1: the site name carries no decoration such as 公众信息网 / 中国·;
- G-ID-2: the site code has the 网站标识码 format.
A failed rule is reported as a veto (this checker's own policy) so verdicts follow the input."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

from govsite.inspections.executor import CheckFn, CheckJob, RunOptions
from govsite.registry.codes import is_site_code

DECORATIONS = ("公众信息网", "中国·", "政务网", "在线")


def rule_report(job: CheckJob) -> dict:
    host = urlsplit(job.url).hostname or ""
    checks = {
        "G-DOM-1": (host.endswith(".gov.cn") or host.endswith(".政务"), f"域名 {host}"),
        "G-NAME-1": (not any(d in job.name for d in DECORATIONS), f"网站名称“{job.name}”"),
        "G-ID-2": (is_site_code(job.code), f"网站标识码 {job.code}"),
    }
    indicators = [
        {"id": iid, "status": "ok" if good else "veto", "points": 0.0,
         "evidence": [] if good else [{"url": job.url, "detail": detail}]}
        for iid, (good, detail) in checks.items()
    ]
    verdict = "fail" if any(i["status"] == "veto" for i in indicators) else "pass"
    return {
        "schema": "govsite.sitereport/1",
        "site": {"url": job.url, "name": job.name, "code": job.code, "category": job.category},
        "ruleset": job.ruleset,
        "as_of": job.as_of.isoformat(),
        "verdict": verdict,
        "score": 0.0 if verdict == "fail" else 100.0,
        "indicators": indicators,
        "crawl": {"pages": 0, "links": 0, "errors": 0, "seconds": 0.0},
        "checker": "offline-registry-rules",
    }


@contextlib.asynccontextmanager
async def registry_rules_checker(options: RunOptions) -> AsyncIterator[CheckFn]:
    async def check(job: CheckJob) -> dict:
        return rule_report(job)

    yield check
