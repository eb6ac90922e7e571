"""A small world for console tests: the feedback tests' registry and role users, plus one
national sample campaign with checked sites, an inspector's assignment, 找错 messages and a
rectification task."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from govsite.accounts.models import Role
from govsite.feedback.models import Message
from govsite.inspections.models import Assignment, Campaign, CampaignSite, RectificationTask
from tests.feedback.conftest import World, make_user, world  # noqa: F401 - re-exported fixture
from tests.feedback.test_workflow import new_message


def report(status: str = "ok", evidence: str = "") -> dict:
    return {"indicators": [
        {"id": "V15-1", "status": "ok", "points": 0, "evidence": []},
        {"id": "D15-2", "status": status, "points": -5 if status == "deduct" else 0,
         "evidence": [{"url": "http://example.gov.cn/broken", "detail": evidence or "断链 404"}]},
    ]}


@pytest.fixture(autouse=True)
def _registry_version_per_statement(request: pytest.FixtureRequest) -> Iterator[None]:
    """In a test's transaction, which is rolled back and never committed, the registry version
    token changes after each writing statement and pages may be cached by it, as in autocommit
    (PostgreSQL otherwise changes it at COMMIT, and caches nothing inside a transaction); no page
    cached by an earlier test survives."""
    if request.node.get_closest_marker("django_db") is None:
        yield
        return
    from django.db import connection

    from govsite.console.views import forget_registry_pages
    from govsite.registry.version import bump_per_statement

    request.getfixturevalue("_django_db_helper")
    bump_per_statement()
    forget_registry_pages()
    cache.clear()
    yield
    connection.registry_version_per_statement = False


@dataclass
class Console:
    w: World
    campaign: Campaign
    cs: dict  # site code → CampaignSite
    messages: dict  # site code → Message
    task: RectificationTask
    reviewer: object  # inspector with region 广州 and an assignment for the Guangzhou site


@pytest.fixture
def console(world: World) -> Console:  # noqa: F811
    cache.clear()  # cached counts are per scope, and region ids repeat across tests
    now = timezone.now()
    c = Campaign.objects.create(name="2017Q3-国办抽查", quarter="2017Q3", kind=Campaign.Kind.NATIONAL_SAMPLE,
                                ruleset="RS2015", as_of=now, window_start=dt.date(2017, 7, 1),
                                window_end=dt.date(2017, 9, 30), state=Campaign.State.CHECKED)
    cs = {}
    for site, verdict in ((world.gz_site, "pass"), (world.th_site, "fail"), (world.hb_site, "fail"),
                          (world.dept_site, "pass")):
        cs[site.code] = CampaignSite.objects.create(
            campaign=c, site=site, state=CampaignSite.State.DONE, report=report("ok" if verdict == "pass" else "deduct"),
            score=100 if verdict == "pass" else 55, auto_verdict=verdict)
    Assignment.objects.create(campaign=c, inspector=world.users["inspector"], site=world.gz_site)
    msgs = {s.code: new_message(s) for s in (world.gz_site, world.hb_site, world.dept_site)}
    Message.objects.filter(pk=msgs[world.hb_site.code].pk).update(overdue=True)
    task = RectificationTask.objects.create(campaign_site=cs[world.hb_site.code], site=world.hb_site, quarter="2017Q3",
                                            deadline=dt.date(2017, 12, 31), problems="存在错链断链")
    return Console(world, c, cs, msgs, task, world.users["inspector"])


def client_for(user) -> Client:  # noqa: ANN001
    c = Client()
    c.force_login(user)
    return c


__all__ = ["Console", "Role", "client_for", "make_user"]
