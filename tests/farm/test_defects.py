"""Every defect kind appears in a generated farm, and is visible in the served HTML where the
manifest says it is."""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest

from govsite.farm.model import DEFECTS, HOSTILE

from .conftest import AS_OF, Live

ASOF = date.fromisoformat(AS_OF)
ALL_KINDS = ({k for k in DEFECTS if not k.startswith("broken_link_")} | {"broken_link"}) | set(HOSTILE)


def path_of(url: str) -> str:
    p = urlsplit(url)
    return p.path + (f"?{p.query}" if p.query else "")


def decode(body: bytes, site: dict) -> str:
    return body.decode(site["encoding"])


def list_dates(html: str, style: str, home: bool) -> list[date]:
    """The item dates of a list page as a reader sees them (year inferred for [MM-DD])."""
    out = []
    if style == "trs":
        for y, m, d in re.findall(r'<span class="date">(\d{4})-(\d{2})-(\d{2})</span>', html):
            out.append(date(int(y), int(m), int(d)))
        for y, m, d in re.findall(r"<td>(\d{4})-(\d{2})-(\d{2})</td></tr>", html):
            out.append(date(int(y), int(m), int(d)))
    elif style == "ucap" and home:
        for m, d in re.findall(r'<td class="bt-data" align="right">\[(\d{2})-(\d{2})\]</td>', html):
            day = date(ASOF.year, int(m), int(d))
            out.append(day if day <= ASOF else day.replace(year=ASOF.year - 1))
    elif style == "ucap":
        for y, m, d in re.findall(r'<span class="bt-data">(\d{4})/(\d{2})/(\d{2})</span>', html):
            out.append(date(int(y), int(m), int(d)))
    else:
        tag = "em" if home else 'td class="d"'
        for y, m, d in re.findall(rf"<{tag}>(\d{{4}})年(\d{{1,2}})月(\d{{1,2}})日</", html):
            out.append(date(int(y), int(m), int(d)))
    return out


@pytest.fixture(scope="module")
def by_kind(live: Live) -> dict[str, list[tuple[dict, dict]]]:
    out: dict[str, list[tuple[dict, dict]]] = {}
    for site in live.manifest["sites"]:
        for d in site["defects"]:
            out.setdefault(d["kind"], []).append((site, d))
    return out


def test_every_kind_appears_and_clean_sites_exist(live: Live, by_kind: dict) -> None:
    assert ALL_KINDS - set(by_kind) == set()
    sites = live.manifest["sites"]
    clean = [s for s in sites if s["clean"]]
    assert 0.15 * len(sites) <= len(clean) < len(sites)
    for s in sites:
        assert s["clean"] == (not s["defects"])
        for d in s["defects"]:
            assert set(d) == {"kind", "indicator", "page", "detail"}
            assert d["indicator"] == ("hostile" if d["kind"] in HOSTILE else
                                      DEFECTS.get(d["kind"], "D15-2"))
            assert urlsplit(d["page"]).hostname == s["host"]


def test_manifest_top_level(live: Live) -> None:
    m = live.manifest
    assert m["as_of"] == AS_OF and m["seed"] == 11 and len(m["sites"]) == m["sites_count"] == 80
    styles = {s["style"] for s in m["sites"]}
    assert styles == {"trs", "ucap", "query"}
    assert {s["encoding"] for s in m["sites"]} == {"utf-8", "gbk"}
    assert any(s["hub"] for s in m["sites"])
    for s in m["sites"]:
        assert re.fullmatch(r"\d{10}", s["code"])
        assert s["url"] == f"http://{s['host']}:{live.port}/"


def test_clean_sites_look_clean(live: Live) -> None:
    """A clean site's home page has the full footer, a working 找错 entry and fresh items."""
    for site in [s for s in live.manifest["sites"] if s["clean"]][:8]:
        status, _, body = live.get(site["host"], "/")
        html = decode(body, site)
        assert status == 200
        for marker in ("dcs.conac.cn/js/", f"标识码：{site['code']}", "ICP备", "公网安备", "主办", "联系电话"):
            assert marker in html, (site["host"], marker)
        assert f"sitecode='{site['code']}'" in html or f"site_code={site['code']}" in html
        assert f'<meta name="SiteName" content="{site["official_name"]}">' in html
        assert site["host"].endswith(".gov.cn")
        if not site["hub"]:
            dates = list_dates(html, site["style"], home=True)
            assert sum(1 for d in dates if (ASOF - d).days <= 14) >= 10


def check(live: Live, site: dict, d: dict) -> None:  # noqa: C901 - one branch per kind, on purpose
    kind, detail = d["kind"], d["detail"]
    host, path = site["host"], path_of(d["page"])
    if kind in ("unreachable", "flaky", "slow_drip", "huge_page", "gzip_bomb", "redirect_loop"):
        return  # transport behaviours: tested in test_server.py
    status, headers, body = live.get(host, path)
    assert status == 200, (kind, d["page"], status)
    if kind == "wrong_charset":
        assert f"charset={detail['declared']}" in headers["content-type"]
        body.decode(detail["actual"])  # the real encoding
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8" if detail["declared"] == "utf-8" else "ascii")
        return
    html = decode(body, site)
    if kind == "stale_home":
        dates = list_dates(html, site["style"], home=True)
        if site["hub"]:
            assert not dates and 'class="hub-nav"' in html
        else:
            assert dates and max(dates) < ASOF - timedelta(days=14)
            assert str(max(dates)) == detail["latest"]
    elif kind == "low_volume":
        dates = list_dates(html, site["style"], home=True)
        assert sum(1 for x in dates if (ASOF - x).days <= 14) == detail["items_2w"]
        assert 0 < detail["items_2w"] < 10
    elif kind == "stale_column":
        dates = list_dates(html, site["style"], home=False)
        assert dates and str(max(dates)) == detail["latest"]
        assert (ASOF - max(dates)).days > detail["window_days"]
        assert detail["column"] in html
    elif kind in ("stale_columns_veto", "blank_columns_veto"):
        assert detail["count"] >= 5 and len(detail["columns"]) == detail["count"]
    elif kind == "blank_column":
        assert '<p class="no-data">暂无信息</p>' in html and not list_dates(html, site["style"], home=False)
    elif kind == "broken_link":
        target = path_of(detail["target"])
        assert f'href="{target.replace("&", "&amp;")}"' in html
        assert live.get(host, target)[0] == 404
    elif kind == "bad_name":
        assert f"<h1>{detail['shown']}</h1>" in html and f'content="{detail["shown"]}"' in html
        assert detail["shown"] != detail["official"]
    elif kind == "bad_domain":
        assert not host.endswith(".gov.cn")
    elif kind == "missing_footer_item":
        footer = html[html.index('<div class="footer">'):]
        marker = {"conac": "dcs.conac.cn", "site_code": "标识码", "icp": "ICP备", "police": "公网安备",
                  "sponsor": "主办", "contact": "联系电话"}[detail["item"]]
        assert marker not in footer
    elif kind == "wrong_code":
        assert f"标识码：{detail['shown']}" in html and f'"SiteIDCode" content="{detail["expected"]}"' in html
    elif kind == "jiucuo_missing":
        assert "_jiucuo_" not in html and "exposure/jiucuo.html" not in html and "jiucuo.png" not in html
    elif kind == "jiucuo_static_image":
        assert 'src="/images/jiucuo.png"' in html and "_jiucuo_" not in html and "exposure/jiucuo" not in html
    elif kind == "ads":
        assert f'href="{detail["target"]}"' in html and 'class="ad-banner"' in html
    elif kind == "hidden_links":
        hidden = re.search(r'<div style="display:none">(.*?)</div>', html).group(1)
        for t in detail["targets"]:
            assert f'href="{t}"' in hidden
    elif kind == "malicious_script":
        assert detail["snippet"] in html
    elif kind == "defaced":
        assert detail["text"] in html and 'id="hacked"' in html
    elif kind == "leader_misspelled":
        assert detail["wrong"] in html and detail["wrong"] != detail["right"]
    elif kind == "banned_content":
        assert detail["text"] in html
    elif kind == "unanswered_consultation":
        assert f"来信时间：{detail['asked']}" in html and "尚未答复" in html and "答复时间" not in html
        assert (ASOF - date.fromisoformat(detail["asked"])).days > 92
    elif kind == "no_consultation":
        assert all(c["type"] != "interaction" or "咨询" not in c["name"] and "信箱" not in c["name"]
                   for c in site["columns"])
        assert "咨询投诉" not in html and "在线咨询" not in html
    elif kind in ("no_surveys", "no_interviews"):
        dates = list_dates(html, site["style"], home=False)
        assert dates and all((ASOF - x).days > 365 for x in dates)
    elif kind in ("few_surveys", "few_interviews"):
        st, _, b2 = live.get(host, path)  # first page holds the latest 20, enough for one year
        dates = list_dates(decode(b2, site), site["style"], home=False)
        assert sum(1 for x in dates if (ASOF - x).days <= 365) == detail["count"] < detail["required"]
    elif kind == "guide_missing_elements":
        present = re.findall(r"<tr><th>(.*?)</th>", html)
        for el in detail["missing"]:
            assert el not in present
        assert "办理时限" in present and "收费标准" in present
    elif kind in ("attachment_404", "attachment_empty", "online_system_down"):
        target = path_of(detail["target"])
        assert f'href="{target}"' in html
        st, _, b2 = live.get(host, target)
        assert st == {"attachment_404": 404, "attachment_empty": 200, "online_system_down": 502}[kind]
        if kind == "attachment_empty":
            assert b2 == b""
    elif kind == "broken_search":
        if detail["mode"] == "error":
            raise AssertionError("search page answered 200")
        assert "共找到0条" in html
    elif kind == "calendar_trap":
        seen = {path}
        cur = html
        for _ in range(5):
            nxt = re.search(r'href="(/calendar\?month=[\d-]+)">下一月', cur).group(1)
            assert nxt not in seen
            seen.add(nxt)
            st, _, b2 = live.get(host, nxt)
            assert st == 200
            cur = decode(b2, site)
    elif kind == "session_trap":
        ids = set()
        cur = html
        for _ in range(4):
            link = re.search(r'href="(/portal/;jsessionid=[0-9A-F]+)"', cur).group(1)
            assert link not in ids
            ids.add(link)
            st, _, b2 = live.get(host, link)
            cur = decode(b2, site)
    elif kind == "malformed_html":
        assert "</span><li></table>" in html and not html.rstrip().endswith("</html>")
    else:
        raise AssertionError(f"unchecked kind {kind}")


def test_each_defect_visible_where_manifest_says(live: Live, by_kind: dict) -> None:
    checked = set()
    for kind, entries in sorted(by_kind.items()):
        for site, d in entries[:3]:
            if kind == "broken_search" and d["detail"]["mode"] == "error":
                assert live.get(site["host"], path_of(d["page"]))[0] == 500
                checked.add(kind)
                continue
            check(live, site, d)
            checked.add(kind)
    assert checked == set(by_kind)


def test_hostile_entries_linked_from_home(live: Live, by_kind: dict) -> None:
    for kind in ("calendar_trap", "session_trap", "redirect_loop", "huge_page", "gzip_bomb", "slow_drip"):
        site, d = by_kind[kind][0]
        html = decode(live.get(site["host"], "/")[2], site)
        stem = path_of(d["page"]).split(";")[0].split("?")[0]
        assert f'href="{stem}' in html, kind


def test_search_works_on_a_healthy_site(live: Live) -> None:
    broken = {s["host"] for s in live.manifest["sites"] for d in s["defects"] if d["kind"] == "broken_search"}
    site = next(s for s in live.manifest["sites"] if s["host"] not in broken and s["style"] == "trs")
    html = decode(live.get(site["host"], "/")[2], site)
    title = re.search(r'title="([^"]{6,})"', html) or re.search(r'<li><a href="[^"]+">([^<]{4,})</a>', html)
    word = title.group(1)[2:6]
    from urllib.parse import quote

    status, _, body = live.get(site["host"], "/was5/web/search?searchword=" + quote(word))
    res = decode(body, site)
    n = int(re.search(r"共找到(\d+)条", res).group(1))
    assert status == 200 and n >= 1 and word in res


def test_unknown_host_is_plain_404(live: Live) -> None:
    status, headers, body = live.get("www.nowhere.gov.cn", "/")
    assert status == 404 and headers["content-type"].startswith("text/plain") and b"unknown host" in body


def test_unknown_path_is_404(live: Live) -> None:
    site = live.manifest["sites"][0]
    assert live.get(site["host"], "/no/such/page.html")[0] == 404
