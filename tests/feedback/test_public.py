"""The public pages through Django's test client: every bad input gives a clear message on the
page, stores nothing and never a server error."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from govsite.feedback.models import Message, Status, Transition
from tests.feedback.conftest import captcha_answer, form_fields

pytestmark = pytest.mark.django_db
REPORT = "/feedback/jiucuo.html"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    from django.core.cache import cache

    cache.clear()


def fresh_form(client: Client, query: str = "") -> dict:
    resp = client.get(REPORT + query)
    assert resp.status_code == 200
    fields = form_fields(resp.content.decode())
    return {"csrfmiddlewaretoken": fields["csrfmiddlewaretoken"], "captcha_token": fields["captcha_token"],
            "captcha_answer": captcha_answer(fields["captcha_token"]), "site_code": fields.get("site_code", "")}


def good_data(client: Client, **over) -> dict:
    data = fresh_form(client)
    data.update(site_code="4401000059", page_url="https://www.gz.gov.cn/zwgk/index.html", category="2",
                description="政策文件发布日期写错了，应为2024年，页面上写成了2042年。", contact="13800000000")
    data.update(over)
    return data


def png_bytes(size=(40, 30), fmt="PNG", **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 10, 10)).save(out, fmt, **save)
    return out.getvalue()


def test_entry_opens_prefilled_form(world):
    c = Client()
    resp = c.get(REPORT + "?site_code=4401000059&url=https%3A%2F%2Fwww.gz.gov.cn%2Fa.html")
    html = resp.content.decode()
    assert resp.status_code == 200
    assert "广州市人民政府" in html and 'value="https://www.gz.gov.cn/a.html"' in html
    assert "内容无法访问" in html and "虚假伪造内容" in html and "咨询留言不回复" in html
    assert 'name="viewport"' in html
    # Nothing is loaded from another host (a CDN): every script/style/image reference is local.
    # (Checked on the references, not on the text: random tokens can spell "cdn".)
    assert not re.search(r'<(?:script|link|img)\b[^>]*(?:src|href)="(?:https?:)?//', html)


def test_site_resolved_from_url_host(world):
    c = Client()
    html = c.get(REPORT + "?url=http%3A%2F%2Fwww.thnet.gov.cn%2Fx").content.decode()
    assert "广州市天河区人民政府" in html


def test_submit_then_query(world):
    c = Client(enforce_csrf_checks=True)
    resp = c.post(REPORT, good_data(c))
    assert resp.status_code == 302
    msg = Message.objects.get()
    assert len(msg.query_code) >= 20 and msg.query_code in resp["Location"]
    assert msg.site == world.gz_site and msg.office_region == world.gd and msg.status == Status.UNHANDLED
    page = c.get(resp["Location"]).content.decode()
    assert msg.query_code in page and "未处理" in page and "广州市人民政府" in page


def test_published_reply_and_history_on_query_page(world):
    from govsite.feedback.workflow import act

    c = Client()
    c.post(REPORT, good_data(c))
    msg = Message.objects.get()
    u = world.users
    act(msg, u["ops"], "screen_valid", reason="内部备注不公开")
    act(msg, u["gd_admin"], "forward")
    act(msg, u["gz_operator"], "reply", reason="已更正发布日期")
    act(msg, u["gd_admin"], "first_pass")
    act(msg, u["ops"], "final_close", published_text="已更正为2024年。")
    page = c.get(f"/feedback/query/?code={msg.query_code}").content.decode()
    assert "已办结" in page and "已更正为2024年。" in page and "受理单位回复" in page
    assert "已转办" in page and "已处理待审核" in page and "终审待审核" in page
    assert "内部备注不公开" not in page  # staff reasons stay internal


def test_unknown_query_code(world):
    resp = Client().get("/feedback/query/?code=nope")
    assert resp.status_code == 404 and "查询码不存在" in resp.content.decode()


@pytest.mark.parametrize("over, words", [
    ({"description": ""}, "请填写问题描述"),
    ({"description": "太短"}, "问题描述太短"),
    ({"description": "长" * 2001}, "问题描述太长"),
    ({"page_url": ""}, "请填写问题页面网址"),
    ({"page_url": "ftp://www.gz.gov.cn/x"}, "网址格式不正确"),
    ({"page_url": "not a url"}, "网址格式不正确"),
    ({"page_url": "javascript:alert(1)"}, "不能包含"),
    ({"category": ""}, "请选择问题类型"),
    ({"category": "9"}, "问题类型无效"),
    ({"description": "<script>alert(1)</script>页面有问题请处理"}, "不能包含 HTML 标签或脚本代码"),
    ({"description": "点击这里 <img src=x onerror=alert(1)> 看看"}, "不能包含"),
    ({"contact": "<b>me</b>"}, "不能包含"),
    ({"contact": "1" * 101}, "联系方式太长"),
    ({"site_code": "9999999999"}, "网站标识码 9999999999 不存在"),
    ({"site_code": "", "site_query": "不存在的网站名"}, "未找到"),
    ({"site_code": "", "site_query": "<script>"}, "不能包含"),
    ({"site_code": "", "page_url": "https://www.unknown.example/x"}, "未能根据问题页面网址识别网站"),
    ({"captcha_answer": "999"}, "验证码计算结果不正确"),
    ({"captcha_token": "forged:token:x"}, "表单已失效"),
    ({"captcha_token": ""}, "表单已失效"),
])
def test_bad_input_stores_nothing(world, over, words):
    c = Client()
    resp = c.post(REPORT, good_data(c, **over))
    html = resp.content.decode()
    assert resp.status_code == 400, html
    assert words in html
    assert Message.objects.count() == 0 and Transition.objects.count() == 0
    # The page is re-rendered with a fresh captcha, and the user's text is escaped, not executed.
    assert "<script>alert" not in html


def test_replayed_form_is_refused(world):
    c = Client()
    data = good_data(c)
    assert c.post(REPORT, data).status_code == 302
    resp = c.post(REPORT, data)
    assert resp.status_code == 400 and "该表单已经提交过" in resp.content.decode()
    assert Message.objects.count() == 1


def test_csrf_required(world):
    c = Client(enforce_csrf_checks=True)
    data = good_data(c)
    data.pop("csrfmiddlewaretoken")
    assert c.post(REPORT, data).status_code == 403
    assert Message.objects.count() == 0


def test_rate_limit_per_ip(world, settings):
    settings.FEEDBACK_RATE_LIMIT_COUNT = 2
    c = Client()
    for i in range(2):
        assert c.post(REPORT, good_data(c, description=f"第{i}条：{'甲乙丙丁' * (i + 3)}，页面日期错误")).status_code == 302
    resp = c.post(REPORT, good_data(c, description="又一条完全不同的内容，栏目无法打开"))
    assert resp.status_code == 429 and "提交过于频繁" in resp.content.decode()
    assert Message.objects.count() == 2
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.post(REPORT, good_data(other, description="另一个网民的留言：办事指南过期")).status_code == 302


def test_site_search_by_name_domain_and_code(world):
    c = Client()
    for q in ("天河区", "www.thnet.gov.cn", "4401060001"):
        data = good_data(c, site_code="", site_query=q, description=f"{q} 页面的联系电话无法接通，请核实")
        assert c.post(REPORT, data).status_code == 302, q
    assert set(Message.objects.values_list("site__code", flat=True)) == {"4401060001"}
    assert Message.objects.count() == 3


def test_ambiguous_search_asks_to_choose(world):
    c = Client()
    resp = c.post(REPORT, good_data(c, site_code="", site_query="广州市"))
    html = resp.content.decode()
    assert resp.status_code == 400 and "找到多个匹配的网站" in html
    assert 'value="4401000059"' in html and 'value="4401060001"' in html
    assert Message.objects.count() == 0
    js = Client().get("/feedback/sites/?q=天河").json()
    assert [r["code"] for r in js["results"]] == ["4401060001"]


def test_screenshot_reencoded_without_metadata(world):
    exif = Image.Exif()
    exif[0x010F] = "SecretCamera"  # Make
    jpg = png_bytes(fmt="JPEG", exif=exif.tobytes())
    assert b"SecretCamera" in jpg
    c = Client()
    up = SimpleUploadedFile("../../evil.php", jpg + b"<?php system($_GET['c']); ?>", content_type="application/x-php")
    assert c.post(REPORT, {**good_data(c), "screenshot": up}).status_code == 302
    msg = Message.objects.get()
    name = msg.screenshot.name
    assert re.fullmatch(r"feedback/\d{4}/\d{2}/[0-9a-f]{32}\.jpg", name), name
    stored = msg.screenshot.read()
    assert b"SecretCamera" not in stored and b"<?php" not in stored
    assert Image.open(io.BytesIO(stored)).format == "JPEG"
    # Served only to staff in scope, always as an image type.
    assert Client().get(f"/feedback/manage/{msg.pk}/screenshot").status_code == 302  # login first
    staff = Client()
    staff.force_login(world.users["gd_admin"])
    resp = staff.get(f"/feedback/manage/{msg.pk}/screenshot")
    assert resp.status_code == 200 and resp["Content-Type"] == "image/jpeg"
    assert resp["X-Content-Type-Options"] == "nosniff"
    other = Client()
    other.force_login(world.users["hb_admin"])
    assert other.get(f"/feedback/manage/{msg.pk}/screenshot").status_code == 404


@pytest.mark.parametrize("payload, name, words", [
    (b"<html><script>alert(1)</script></html>", "shot.png", "不是有效的图片"),
    (b"", "empty.png", "空文件"),
    (b"GIF89a" + b"\x00" * 20, "broken.gif", "不是有效的图片"),
])
def test_bad_screenshot_refused(world, payload, name, words):
    c = Client()
    resp = c.post(REPORT, {**good_data(c), "screenshot": SimpleUploadedFile(name, payload, content_type="image/png")})
    assert resp.status_code == 400 and words in resp.content.decode()
    assert Message.objects.count() == 0


@pytest.mark.slow
def test_50mb_upload_refused(world, tmp_path):
    c = Client()
    big = SimpleUploadedFile("big.png", png_bytes() + b"\x00" * (50 * 1024 * 1024), content_type="image/png")
    resp = c.post(REPORT, {**good_data(c), "screenshot": big})
    assert resp.status_code == 400 and "截图过大" in resp.content.decode()
    assert Message.objects.count() == 0
    import os

    media = tmp_path / "media"
    assert not media.exists() or not any(f for _, _, fs in os.walk(media) for f in fs)


def test_stored_text_is_rendered_escaped(world):
    # Text that reached the database by another route (import, admin) is still escaped on output.
    c = Client()
    c.post(REPORT, good_data(c))
    msg = Message.objects.get()
    Message.objects.filter(pk=msg.pk).update(description='<script>alert("x")</script>', reject_reason="<b>x</b>")
    html = c.get(f"/feedback/query/?code={msg.query_code}").content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;" in html and "&lt;b&gt;x&lt;/b&gt;" in html


def test_entry_script_and_captcha_image(world):
    c = Client()
    js = c.get("/feedback/jiucuo.js")
    assert js.status_code == 200 and js["Content-Type"].startswith("application/javascript")
    body = js.content.decode()
    assert "_jiucuo_" in body and "_span_jiucuo" in body and "jiucuo.html?site_code=" in body
    assert "location.href" in body
    svg = c.get("/feedback/assets/jiucuo.svg")
    assert svg["Content-Type"] == "image/svg+xml"
    assert c.get("/feedback/assets/../settings.py").status_code == 404
    token = fresh_form(c)["captcha_token"]
    img = c.get(f"/feedback/captcha/{token}.png")
    assert img["Content-Type"] == "image/png" and Image.open(io.BytesIO(img.content)).size == (180, 56)
    assert c.get("/feedback/captcha/forged.png").status_code == 404


def test_captcha_test_mode(world, settings):
    c = Client()
    data = good_data(c, captcha_token="test-" + "a" * 20, captcha_answer="")
    assert c.post(REPORT, data).status_code == 400  # off by default
    settings.FEEDBACK_CAPTCHA_TEST_MODE = True
    assert c.post(REPORT, data).status_code == 302
    assert c.post(REPORT, data).status_code == 400  # the test token is still single-use
    assert Message.objects.count() == 1


def test_staff_pages_act_within_scope(world):
    c = Client()
    c.post(REPORT, good_data(c))
    msg = Message.objects.get()
    ops = Client()
    ops.force_login(world.users["ops"])
    assert "甄别有效，转办" in ops.get(f"/feedback/manage/{msg.pk}/").content.decode()
    assert ops.post(f"/feedback/manage/{msg.pk}/", {"action": "screen_valid", "reason": "属实"}).status_code == 302
    gd = Client()
    gd.force_login(world.users["gd_admin"])
    listing = gd.get("/feedback/manage/").content.decode()
    assert "待转办" in listing
    hb = Client()
    hb.force_login(world.users["hb_admin"])
    assert hb.post(f"/feedback/manage/{msg.pk}/", {"action": "forward"}).status_code == 404
    op = Client()
    op.force_login(world.users["gz_operator"])
    resp = op.post(f"/feedback/manage/{msg.pk}/", {"action": "forward"})
    assert resp.status_code == 400 and "无权" in resp.content.decode()
    assert gd.post(f"/feedback/manage/{msg.pk}/", {"action": "forward"}).status_code == 302
    msg.refresh_from_db()
    assert msg.status == Status.ACCEPTED


def test_captcha_guessing_is_rate_limited(world, settings):
    settings.FEEDBACK_ATTEMPT_LIMIT = 3
    c = Client()
    data = good_data(c)
    for wrong in ("1", "2", "3"):
        assert c.post(REPORT, {**data, "captcha_answer": wrong + "00"}).status_code == 400
    resp = c.post(REPORT, data)  # the right answer, but too many attempts
    assert resp.status_code == 429 and "提交过于频繁" in resp.content.decode()
    assert Message.objects.count() == 0


def test_engine_recognises_this_platforms_entry(world):
    """The entry snippets this platform hands to site operators pass the engine's 找错 check."""
    from govsite.engine.extract.identity import read_identity

    tag = '<script id="_jiucuo_" sitecode="4401000059" src="https://zc.example.gov.cn/feedback/jiucuo.js"></script>'
    attrs = {"id": "_jiucuo_", "sitecode": "4401000059", "src": "https://zc.example.gov.cn/feedback/jiucuo.js"}
    ident = read_identity("", {}, [(attrs, "", tag)], [], [])
    assert ident.jiucuo_entry == "script" and ident.site_code_sources["jiucuo"] == "4401000059"
    href = "https://zc.example.gov.cn/feedback/exposure/jiucuo.html?site_code=4401000059"
    ident = read_identity("", {}, [], [(href, f'<a href="{href}">找错</a>')], [])
    assert ident.jiucuo_entry == "link_image" and ident.site_code_sources["jiucuo_link"] == "4401000059"
    # What jiucuo.js renders into the page (as a headless browser would serialise it).
    rendered = ('<span id="_span_jiucuo"><img src="https://zc.example.gov.cn/feedback/assets/jiucuo.svg?v=4401000059"'
                ' alt="政府网站找错" onclick="Link(\'4401000059\')"></span>')
    img = {"src": "https://zc.example.gov.cn/feedback/assets/jiucuo.svg?v=4401000059", "alt": "政府网站找错",
           "onclick": "Link('4401000059')"}
    ident = read_identity("", {}, [], [], [(img, rendered)])
    assert ident.jiucuo_entry == "script" and ident.site_code_sources["rendered"] == "4401000059"
    # The page behind the plain link is the report page, prefilled.
    html = Client().get("/feedback/exposure/jiucuo.html?site_code=4401000059").content.decode()
    assert "广州市人民政府" in html
    js = Client().get("/feedback/jiucuo.js").content.decode()
    assert "Link('" in js and "exposure/jiucuo.html?site_code=" in js


def test_replay_with_screenshot_leaves_no_file(world, settings):
    import os

    c = Client()
    data = good_data(c)
    first = SimpleUploadedFile("a.png", png_bytes(), content_type="image/png")
    assert c.post(REPORT, {**data, "screenshot": first}).status_code == 302
    again = SimpleUploadedFile("a.png", png_bytes(), content_type="image/png")
    resp = c.post(REPORT, {**data, "screenshot": again})
    assert resp.status_code == 400 and "该表单已经提交过" in resp.content.decode()
    files = [f for _, _, fs in os.walk(settings.MEDIA_ROOT) for f in fs]
    assert len(files) == 1 and Message.objects.count() == 1
    assert Message.objects.get().screenshot.name.endswith(files[0])
