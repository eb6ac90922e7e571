"""Content inventory and migration check, against the farm's merged-site scenario."""

from __future__ import annotations

from datetime import date

import pytest

from govsite.engine import inventory as I
from govsite.engine.fetch import Fetcher
from govsite.farm import extras
from govsite.farm.model import Farm

TARGET = "www.hebing.gov.cn"


def test_title_key_ignores_spacing_and_punctuation():
    assert I.norm_title("关于 2017年“双随机” 检查的通知。") == I.norm_title("关于2017年双随机检查的通知")
    assert I.norm_title("ＡＢＣ通知") == "abc通知"


def test_match_classifies_redirected_moved_missing():
    old = I.Inventory("http://old.gov.cn/", items=[
        I.Item("通知一", "2017-01-02", "http://old.gov.cn/a1.html"),
        I.Item("通知二", "2017-01-03", "http://old.gov.cn/a2.html"),
        I.Item("通知三", "2017-01-04", "http://old.gov.cn/a3.html"),
        I.Item("通知四", "2017-01-05", "http://old.gov.cn/a4.html"),  # same title at the target, other date
        I.Item("表格.xls", None, "http://old.gov.cn/f.xls", kind="file"),
    ])
    target = I.Inventory("http://new.gov.cn/", items=[
        I.Item("通知 二", "2017-01-03", "http://new.gov.cn/b2.html"),
        I.Item("通知四", "2017-02-05", "http://new.gov.cn/b4.html"),
        I.Item("表格.xls", None, "http://new.gov.cn/f.xls", kind="file"),
    ])
    redirects = {"http://old.gov.cn/a1.html": "http://new.gov.cn/b1.html",
                 "http://old.gov.cn/a3.html": "http://elsewhere.com/x"}  # not the target: does not count
    r = I.match(old, target, redirects, ["new.gov.cn"])
    assert [i.state for i in r.items] == ["redirected", "moved", "missing", "missing", "moved"]
    assert r.counts == {"redirected": 1, "moved": 2, "missing": 2, "total": 5}
    assert not r.complete
    assert I.Inventory.from_json(old.to_json()).items == old.items


@pytest.fixture(scope="module")
def merged():
    farm = Farm(9, 30, date(2017, 9, 14), port=0)
    old = next(i.host for i in farm.identities if not i.intents and not i.hub)
    ex = extras.Extras(migrations=[extras.Migration(old=old, target=TARGET)])
    run = extras.serve_in_thread(farm, ex)
    yield old, run
    run.stop()


@pytest.mark.slow
async def test_inventory_then_migration_check_against_ground_truth(merged):
    old, run = merged
    port = run.port
    async with Fetcher(resolve={("*", port): ["127.0.0.1"]}, allow_private=True, retries=1) as f:
        run.app.migrated = False
        inv, _ = await I.crawl_inventory(f"http://{old}:{port}/", f, max_pages=200)
        assert len(inv.articles) > 100 and inv.files
        assert all(i.date for i in inv.articles)
        run.app.migrated = True
        try:
            r = await I.check_migration(inv, f"http://{TARGET}:{port}/", f)
            with pytest.raises(I.TargetUnreachable):
                await I.check_migration(inv, f"http://www.nowhere.gov.cn:{port}/", f)
        finally:
            run.app.migrated = False
    truth = run.app.truth(old)
    for item in r.items:
        if item.kind == "article":
            assert item.state == truth[item.url], item
        else:
            assert item.state == "missing"  # files were not carried over
    c = r.counts
    assert c["redirected"] and c["moved"] and c["missing"]
    assert sum(1 for i in r.items if i.state == "redirected" and i.target_url.startswith(f"http://{TARGET}:")) == c["redirected"]
