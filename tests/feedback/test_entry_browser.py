"""jiucuo.js in a real headless browser: a page embedding the entry gets the badge with the
national handler shape, pointing back at this platform."""

import subprocess

import pytest

# serialized_rollback: the flush after this test then leaves the reference data to be restored
# from the serialized copy, as the console browser tests expect (a plain flush re-created the
# content types under new ids and their restore collided with them).
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_entry_script_renders_badge(live_server, tmp_path):
    page = tmp_path / "footer.html"
    page.write_text(
        '<!doctype html><html><body><footer>网站标识码4401000059'
        f'<script id="_jiucuo_" sitecode="4401000059" src="{live_server.url}/feedback/jiucuo.js"></script>'
        "</footer></body></html>", encoding="utf-8")
    out = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=5000",
         "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    dom = out.stdout
    assert '<span id="_span_jiucuo">' in dom, out.stderr[-2000:]
    assert "onclick=\"Link('4401000059')\"" in dom
    assert f"{live_server.url}/feedback/assets/jiucuo.svg?v=4401000059" in dom
