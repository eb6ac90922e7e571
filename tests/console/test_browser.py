"""The console and the public 找错 pages in Debian's Chromium (Playwright, never a downloaded
browser), against a live server. Screenshots go to test-artifacts/console/."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.console.conftest import Console
from tests.feedback.conftest import captcha_answer

pytestmark = [
    pytest.mark.slow,
    # Regions come from a data migration: restore them after the live-server flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"
PASSWORD = "控制台测试口令-2017Q3"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@pytest.fixture
def browser(monkeypatch):  # noqa: ANN001, ANN201
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; the test's own ORM
    # calls are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield b
        b.close()


def login(page, base: str, user) -> None:  # noqa: ANN001
    user.set_password(PASSWORD)
    user.save()
    page.goto(f"{base}/console/login/")
    page.fill("input[name=username]", user.get_username())
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/console/")


def test_public_report_then_query_code(live_server, browser, console: Console) -> None:  # noqa: ANN001
    page = browser.new_page(locale="zh-CN")
    site = console.w.gz_site
    page.goto(f"{live_server.url}/feedback/?site_code={site.code}")
    page.fill("#id_page_url", site.home_url + "zwgk/index.html")
    page.select_option("#id_category", index=1)
    page.fill("#id_description", "政务公开栏目的政策文件链接打不开，页面提示404错误，请尽快修复。")
    page.fill("#id_captcha_answer", captcha_answer(page.input_value("input[name=captcha_token]")))
    page.click("button[type=submit]")
    code = page.locator("p.code").inner_text().strip()
    assert code
    page.screenshot(path=str(ARTIFACTS / "feedback-submitted.png"), full_page=True)
    page.goto(f"{live_server.url}/feedback/query/")
    page.fill("#code", code)
    page.click("button[type=submit]")
    body = page.inner_text("body")
    assert site.name in body
    page.screenshot(path=str(ARTIFACTS / "feedback-query.png"), full_page=True)


def test_inspector_reviews_a_site(live_server, browser, console: Console) -> None:  # noqa: ANN001
    page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 900})
    login(page, live_server.url, console.reviewer)
    page.screenshot(path=str(ARTIFACTS / "dashboard-inspector.png"), full_page=True)
    page.click(f"text={console.w.gz_site.name}（{console.w.gz_site.code}）")
    page.select_option("select[name='status_D15-2']", "deduct")
    page.fill("input[name='reason_D15-2']", "首页存在 1 个断链")
    page.screenshot(path=str(ARTIFACTS / "review.png"), full_page=True)
    page.click("#review-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/console/campaigns/{console.campaign.pk}/")
    assert "已审定" in page.inner_text("#campaign-sites")
    cs = console.cs[console.w.gz_site.code]
    cs.refresh_from_db()
    assert cs.review_state == "final" and cs.reviewed_indicators[1]["status"] == "deduct"


def test_regional_admin_denied_another_regions_site(live_server, browser, console: Console) -> None:  # noqa: ANN001
    page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(page, live_server.url, console.w.users["gd_admin"])
    page.wait_for_selector("#rate-chart canvas")  # the ECharts chart drew (CSP allows it)
    page.screenshot(path=str(ARTIFACTS / "dashboard-regional.png"), full_page=True)
    resp = page.goto(f"{live_server.url}/console/sites/{console.w.hb_site.code}/")
    assert resp.status == 404
    assert "湖北" not in page.inner_text("body") and "不在您的管辖范围内" in page.inner_text("body")
    page.screenshot(path=str(ARTIFACTS / "denied.png"), full_page=True)
    resp = page.goto(f"{live_server.url}/console/sites/{console.w.gz_site.code}/")
    assert resp.status == 200 and console.w.gz_site.name in page.inner_text("h1")
    assert not [e for e in errors if "Content Security Policy" in e]
