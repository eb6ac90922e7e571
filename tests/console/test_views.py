"""Console pages beyond scope: evidence screenshots on the site page, the registry table built in
Python (escaped, filters), and the cached dashboard dropped when its figures change."""

from __future__ import annotations

import base64
import io
import re

import pytest
from PIL import Image

from govsite.console.views import evidence_shot
from tests.console.conftest import Console, client_for, report

pytestmark = pytest.mark.django_db


def tiny_jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 30, 30)).save(out, "JPEG", quality=80)
    return out.getvalue()


def _with_evidence(console: Console, code: str, evidence: list) -> None:
    cs = console.cs[code]
    rep = report("deduct")
    rep["indicators"][1]["evidence"] = evidence
    cs.report = rep
    cs.save(update_fields=["report"])


def test_site_page_shows_the_evidence_screenshot(console: Console) -> None:
    jpeg = tiny_jpeg()
    uri = "data:image/jpeg;base64," + base64.b64encode(jpeg).decode()
    code = console.w.th_site.code
    _with_evidence(console, code, [{"url": "http://www.gz.gov.cn/", "detail": "首页未发现找错入口", "screenshot": uri}])
    r = client_for(console.w.users["gd_admin"]).get(f"/console/sites/{code}/")
    assert r.status_code == 200
    html = r.content.decode()
    (src,) = re.findall(r'<img class="evidence-shot" src="([^"]+)"', html)
    # The very image, decodable as the JPEG it was.
    assert src == uri
    with Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1]))) as img:
        assert img.format == "JPEG" and img.size == (8, 6)
    assert "首页未发现找错入口" in html
    # The policy lets images, and only images, come from data: URIs.
    policy = {d.split()[0]: d.split()[1:] for d in r["Content-Security-Policy"].split("; ")}
    assert "data:" in policy["img-src"]
    assert [k for k, v in policy.items() if "data:" in v] == ["img-src"]


@pytest.mark.parametrize("value", [
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",  # another media type
    "javascript:alert(1)",
    "data:image/jpeg;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGAAAAAFAAH2mHQKAAAAAElFTkSuQmCC",
    "data:image/jpeg;base64,/9j/\" onerror=\"alert(1)",  # attribute injection
    12345,
])
def test_forged_screenshots_are_not_shown(console: Console, value: object) -> None:
    code = console.w.th_site.code
    _with_evidence(console, code, [{"url": "http://www.gz.gov.cn/", "detail": "证据", "screenshot": value}])
    html = client_for(console.w.users["gd_admin"]).get(f"/console/sites/{code}/").content.decode()
    assert "证据" in html and "evidence-shot" not in html
    assert "alert(1)" not in html and "onerror" not in html
    assert evidence_shot(value) is None


def test_registry_rows_are_escaped_and_filtered(console: Console) -> None:
    site = console.w.gz_site
    site.name = "<script>alert(1)</script>广州"
    site.save(update_fields=["name"])
    c = client_for(console.w.users["nadmin"])
    html = c.get("/console/sites/").content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;广州" in html
    assert f'<a href="/console/sites/{site.code}/">{site.code}</a>' in html
    # Province filter (region ids of 44…): Guangdong's two sites, not Hubei's or the ministry's.
    html = c.get("/console/sites/?province=44").content.decode()
    assert {x for x in (site.code, console.w.th_site.code, console.w.hb_site.code, console.w.dept_site.code)
            if f">{x}<" in html} == {site.code, console.w.th_site.code}
    assert '<option value="44" selected>' in html


def test_dashboard_cache_dropped_when_figures_change(console: Console) -> None:
    from govsite.feedback.models import Message

    c = client_for(console.w.users["nadmin"])
    gz_code = console.messages[console.w.gz_site.code].query_code
    assert gz_code not in c.get("/console/").content.decode()  # cached now, without it
    msg = Message.objects.get(query_code=gz_code)
    msg.overdue = True
    msg.save(update_fields=["overdue"])
    assert gz_code in c.get("/console/").content.decode()


def test_page_frame_links_are_the_reversed_urls_under_any_script_prefix(console: Console) -> None:
    from django.urls import reverse, set_script_prefix

    from govsite.console.context import NAV, console_urls

    html = client_for(console.w.users["nadmin"]).get("/console/sites/").content.decode()
    for path in ("/console/", "/console/sites/", "/console/campaigns/", "/console/messages/",
                 "/console/rectifications/"):
        assert f'<a href="{path}">' in html
    assert '<form class="who" method="post" action="/console/logout/">' in html
    try:
        for prefix in ("/", "/gov/", "/"):  # deployed under a sub-path, then at the root again
            set_script_prefix(prefix)
            urls = console_urls(None)["console_urls"]
            assert urls == {name: reverse(f"console:{name}") for name in NAV}
            assert urls["registry"] == f"{prefix}console/sites/"
    finally:
        set_script_prefix("/")


def test_the_review_queue_read_by_sql_is_what_select_related_gives(console: Console) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from govsite.console.views import _review_queue
    from govsite.inspections.models import Assignment

    inspector = console.reviewer
    for site in (console.w.th_site, console.w.hb_site, console.w.dept_site):
        Assignment.objects.create(campaign=console.campaign, inspector=inspector, site=site,
                                  stage=Assignment.Stage.SECOND if site == console.w.hb_site else Assignment.Stage.FIRST)
    expected = list(Assignment.objects.filter(inspector=inspector).select_related("site", "campaign")
                    .order_by("campaign_id", "site__code"))
    got = _review_queue(inspector)
    assert [x.pk for x in got] == [x.pk for x in expected] and len(got) == 4

    def values(obj) -> list:  # noqa: ANN001
        return [getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields]

    with CaptureQueriesContext(connection) as q:
        for g, e in zip(got, expected, strict=True):
            assert values(g) == values(e) and values(g.site) == values(e.site)
            assert values(g.campaign) == values(e.campaign)
    assert not q.captured_queries  # site and campaign came with the row
    assert [x.pk for x in _review_queue(inspector, limit=2)] == [x.pk for x in expected[:2]]
    assert _review_queue(console.w.users["nadmin"]) == []
    html = client_for(inspector).get("/console/").content.decode()
    for a in expected:
        assert f'href="/console/campaigns/{a.campaign_id}/review/{a.site.code}/"' in html
