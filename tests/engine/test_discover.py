"""Discovery: host lists, zones, simhash index, and discovery over a live farm with extra hosts."""

from __future__ import annotations

from datetime import date

import pytest

from govsite.engine import discover as D
from govsite.engine.fetch import Fetcher
from govsite.farm import extras
from govsite.farm.model import Farm


def test_host_list_accepts_hosts_urls_comments_and_chinese_names():
    text = "\ufeff# 某市排查清单\nwww.Example.gov.cn\nhttp://jyj.example.gov.cn:8080/index.html\n\n东丰县人民政府.政务  # 中文域名\nwww.example.gov.cn\n"
    hosts = D.parse_host_list(text)
    assert hosts[:2] == ["www.example.gov.cn", "jyj.example.gov.cn"]
    assert hosts[2].endswith(".xn--zfr164b") and D.display_host(hosts[2]) == "东丰县人民政府.政务"
    assert len(hosts) == 3  # the duplicate is dropped


def test_host_list_with_junk_lines_names_every_bad_line():
    with pytest.raises(D.HostListError) as exc:
        D.parse_host_list("www.ok.gov.cn\nnot a host\nftp://x.gov.cn/\n127.0.0.1\n-bad-.gov.cn\n")
    assert [n for n, _, _ in exc.value.errors] == [2, 3, 4, 5]


def test_government_zones():
    assert D.is_gov_host("www.beijing.gov.cn") and D.is_gov_host("东丰县人民政府.政务")
    assert D.is_gov_host("xn--fiq228c.xn--zfr164b")
    assert not D.is_gov_host("www.gov.cn.example.com") and not D.is_gov_host("beijing-gov.com")


def test_simhash_index_finds_near_values_only():
    idx = D.SimhashIndex()
    base = D.simhash(f"f{i}" for i in range(300))
    other = D.simhash(f"g{i}" for i in range(300))
    idx.add(base, "A")
    idx.add(other, "B")
    assert idx.near(base ^ 0b1011, 9) == [(3, "A")]  # 3 bits away
    assert idx.near(base ^ ((1 << 40) - 1), 9) == []  # 40 bits away
    near = D.simhash([f"f{i}" for i in range(290)] + ["x1", "x2"])
    assert idx.near(near, 9)[0][1] == "A"
    assert D.hamming(base, other) > 9


def test_page_fingerprint_reads_footer_identity():
    html = ('<html><head><title>东丰县人民政府</title><meta name="SiteName" content="东丰县人民政府"></head><body>'
            '<div class="header"><h1>东丰县人民政府</h1></div><p>' + "政务公开内容" * 10 + '</p><div class="footer">'
            '<p>主办单位：东丰县人民政府</p><p>网站标识码：2204210001</p></div></body></html>')
    fp = D.fingerprint_page("www.dongfeng.gov.cn", "http://www.dongfeng.gov.cn/", html)
    assert fp.serves_site and fp.site_code == "2204210001" and fp.site_name == "东丰县人民政府"


@pytest.fixture(scope="module")
def world():
    farm = Farm(5, 80, date(2017, 9, 14), port=0)
    withheld = {i.host for i in farm.identities[:80:9] if i.host.endswith(".gov.cn")}
    ex = extras.plan(farm, counterfeits=6, aliases=2, noise=3, skip=withheld)
    run = extras.serve_in_thread(farm, ex)
    yield farm, ex, withheld, run
    run.stop()


def _view(farm: Farm, withheld: set[str]) -> tuple[D.RegistryView, list[D.SiteToScan]]:
    sites, hosts, scan = {}, {}, []
    for i in farm.identities:
        if i.host in withheld:
            continue
        sites[i.code] = D.RegisteredSite(i.code, i.official_name, i.host, i.division)
        hosts[i.host] = i.code
        scan.append(D.SiteToScan(i.code, farm.base_url(i.host) + "/", []))
    return D.RegistryView(sites=sites, hosts=hosts), scan


@pytest.mark.slow
async def test_discovery_over_farm_finds_exactly_the_planted_hosts(world):
    farm, ex, withheld, run = world
    view, scan = _view(farm, withheld)
    imported = [c["host"] for c in ex.counterfeits] + [a["host"] for a in ex.gov_aliases] + ex.noise + sorted(withheld)[:1]
    async with Fetcher(resolve={("*", run.port): ["127.0.0.1"]}, allow_private=True, retries=1) as f:
        res = await D.run_discovery(f, view, scan, imported, lambda h: f"http://{h}:{run.port}/", max_pages=5)
    got = {(x.host, x.kind) for x in res.findings}
    # Every withheld farm site that some registered site links to (or that was imported) is unreported.
    collector_hosts = {h for x in res.findings for h in [x.host]}
    expected = {(c["host"], "counterfeit") for c in ex.counterfeits} | {(a["host"], "unregistered") for a in ex.gov_aliases}
    assert expected <= got
    assert not any(h in view.hosts for h, _ in got)  # no registered site listed
    assert not any(h in ex.noise for h, _ in got)  # unrelated company pages are not counterfeits
    unreg = {h for h, k in got if k == "unregistered"}
    assert unreg - {a["host"] for a in ex.gov_aliases} <= withheld
    assert sorted(withheld)[0] in collector_hosts  # imported → found
    by_host = {x.host: x for x in res.findings}
    for c in ex.counterfeits:
        copied = farm.by_host[c["copies"]]
        assert by_host[c["host"]].matched_code == copied.code  # points at the copied site
        if c["mode"] == "template":
            assert any("近似" in r for r in by_host[c["host"]].reasons)
    alias = by_host[ex.gov_aliases[0]["host"]]
    assert alias.region == farm.by_host[ex.gov_aliases[0]["copies"]].division


def _reg_view() -> D.RegistryView:
    sites = {"2204210001": D.RegisteredSite("2204210001", "东丰县人民政府", "www.dongfeng.gov.cn", "220421"),
             "1306000012": D.RegisteredSite("1306000012", "保定市水利局", "slj.bd.gov.cn", "130600")}
    return D.RegistryView(sites=sites, hosts={"www.dongfeng.gov.cn": "2204210001", "slj.bd.gov.cn": "1306000012"})


def _fp(host: str, **kw) -> D.Fingerprint:
    base = {"url": f"http://{host}/", "status": 200, "serves_site": True, "title": "某网站", "simhash": 1}
    return D.Fingerprint(host=host, **(base | kw))


def test_classify_rules():
    view = _reg_view()
    view.add_fingerprint("1306000012", _fp("slj.bd.gov.cn", simhash=0xF0F0F0F0F0F0F0F0))
    seen = D.Sighting("x", linked_from=["http://slj.bd.gov.cn/index.html"])
    # Registered hosts and hosts that serve nothing are never listed.
    assert D.classify(_fp("www.dongfeng.gov.cn"), None, view) is None
    assert D.classify(_fp("a.gov.cn", serves_site=False), None, view) is None
    # Unreported: region from the footer code, else from the registered site linking to it.
    f = D.classify(_fp("new.dongfeng.gov.cn", site_code="2204219999"), None, view)
    assert f.kind == "unregistered" and f.region == "220421"
    f = D.classify(_fp("hb.bd.gov.cn"), seen, view)
    assert f.region == "130600" and f.evidence["linked_from"] == seen.linked_from
    # Counterfeits: a registered code, a registered name, or a near copy of a registered page.
    f = D.classify(_fp("dongfeng-gov.com", site_code="2204210001"), None, view)
    assert f.kind == "counterfeit" and f.matched_code == "2204210001" and f.region == "220421"
    f = D.classify(_fp("df.net", site_name="东丰县人民政府"), None, view)
    assert f.kind == "counterfeit" and "冒用" in f.reasons[0]
    f = D.classify(_fp("slj-bd.com", simhash=0xF0F0F0F0F0F0F0F1), None, view)
    assert f.matched_code == "1306000012" and f.evidence["near"][0]["distance"] == 1
    # An unrelated page outside the government zones is not a finding.
    assert D.classify(_fp("shop.example.com", simhash=0x0F0F0F0F0F0F0F0F), None, view) is None
