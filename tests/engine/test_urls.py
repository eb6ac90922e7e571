from govsite.engine.urls import link_kind, normalize, trap_reason


def test_normalize_canonical_forms():
    assert normalize("HTTP://WWW.A.GOV.CN:80/a/./b/../c.html#top") == "http://www.a.gov.cn/a/c.html"
    assert normalize("/x/?b=2&a=1", "https://www.a.gov.cn:8443/y/") == "https://www.a.gov.cn:8443/x/?a=1&b=2"
    assert normalize("list.jsp;jsessionid=ABC123?id=1&sid=zzz", "http://a.gov.cn/col/") == "http://a.gov.cn/col/list.jsp?id=1"
    assert normalize("index_1.html", "http://a.gov.cn/xwzx/tzgg/") == "http://a.gov.cn/xwzx/tzgg/index_1.html"
    assert normalize("/路径/页.html", "http://a.gov.cn/") == "http://a.gov.cn/%E8%B7%AF%E5%BE%84/%E9%A1%B5.html"
    assert normalize("/%E8%B7%AF%E5%BE%84/", "http://a.gov.cn/") == normalize("/路径/", "http://a.gov.cn/")
    for junk in ("javascript:void(0)", "mailto:a@b.cn", "#", "tel:123", "ftp://a.gov.cn/"):
        assert normalize(junk, "http://a.gov.cn/") is None
    assert normalize("http://") is None


def test_link_kinds():
    assert link_kind("http://a.gov.cn/f/1.pdf", "a", True) == "attachment"
    assert link_kind("http://b.com/f/1.docx", "a", False) == "attachment"
    assert link_kind("http://a.gov.cn/i/1.png", "img", True) == "resource"
    assert link_kind("http://a.gov.cn/s.js", "script", True) == "resource"
    assert link_kind("http://a.gov.cn/x/", "a", True) == "page"
    assert link_kind("http://www.gov.cn/", "a", False) == "external"


def test_trap_detection():
    assert trap_reason("http://a.gov.cn/calendar?month=2017-09")
    assert trap_reason("http://a.gov.cn/x?date=2017-09-01")
    assert trap_reason("http://a.gov.cn/a/b/a/b/a/b/")
    assert trap_reason("http://a.gov.cn/x/x/x/p.html")
    assert trap_reason("http://a.gov.cn/p?" + "&".join(f"k{i}=v" for i in range(20)))
    assert trap_reason("http://a.gov.cn/p?f=1&f=2&f=3")
    # ordinary government URLs are not traps
    for ok in ("http://a.gov.cn/art/2017/11/1/art_1203_2034.html", "http://a.gov.cn/col/col1203/index.html?uid=1&pageNum=3",
               "http://a.gov.cn/index.php?c=list&cid=3&page=2", "http://a.gov.cn/xwzx/tzgg/201711/t20171101_1000123.html",
               "http://a.gov.cn/index.php?c=article&id=3017"):
        assert trap_reason(ok) is None, ok


def test_canonical_addresses_take_the_fast_path_with_the_same_result():
    from govsite.engine.urls import _normalize

    cases = ["http://a.gov.cn", "http://a.gov.cn/x/", "http://a.gov.cn:8080/x/y.html", "https://a.gov.cn:443/x",
             "http://a.gov.cn:80/x", "http://a.gov.cn/x//y", "http://a.gov.cn/x/./y", "http://a.gov.cn/x/../y",
             "http://a.gov.cn/.hidden", "http://a.gov.cn./x", "http://A.gov.cn/x", "http://a.gov.cn:99999/x",
             "http://a.gov.cn:08/x", "http://a.gov.cn/..", "http://a.gov.cn/x/..", "http://a.gov.cn/a-b_c~d/e.html"]
    for url in cases:
        assert normalize(url) == _normalize(url, None), url
    assert normalize("http://a.gov.cn:99999/x") is None
    assert normalize("http://a.gov.cn") == "http://a.gov.cn/"


def test_queries_take_the_fast_path_with_the_same_result():
    import random

    from govsite.engine.urls import _normalize, _plain_query

    cases = ["http://a.gov.cn/index.php?c=article&id=3017", "http://a.gov.cn/index.php?id=3017&c=article",
             "http://a.gov.cn?b=1&a=2", "http://a.gov.cn/x?a=", "http://a.gov.cn/x?a", "http://a.gov.cn/x?a=1&&b=2",
             "http://a.gov.cn/x?=1", "http://a.gov.cn/x?a=b=c", "http://a.gov.cn/x?SID=1&a=2", "http://a.gov.cn/x?a=%7E",
             "http://a.gov.cn/x?a=%20", "http://a.gov.cn/x?a=%3a", "http://a.gov.cn/x?a=%41", "http://a.gov.cn/x?a=%E4%B8%AD",
             "https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=3702000018&url=http%3A%2F%2Fa.gov.cn%3A80%2F",
             "http://a.gov.cn/x?a=1+2&a=1%212", "http://a.gov.cn/x?b+c=1&b=2"]
    rnd = random.Random(7)
    alphabet = ["a", "b", "Z", "0", "9", "_", "-", ".", "~", "+", "=", "&", "%20", "%21", "%2B", "%2F", "%3A",
                "%3D", "%26", "%40", "%7E", "%7e", "%41", "%E4%B8%AD", "%", "%zz"]
    keys = ["a", "b", "id", "c", "sid", "B", "a+b", "a%41", "x=y", ""]
    for _ in range(3000):
        pairs = [rnd.choice(keys) + "=" + "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 4)))
                 for _ in range(rnd.randint(1, 4))]
        cases.append(f"http://a.gov.cn/p.html?{'&'.join(pairs)}")
    taken = 0
    for url in cases:
        assert normalize(url) == _normalize(url, None), url
        taken += _plain_query(url.split("?", 1)[1]) is not None
    assert taken > 300  # the fast path did answer a good share of them
