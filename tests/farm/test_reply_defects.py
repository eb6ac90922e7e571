"""Opt-in reply-timeliness defects (RS2019 D19-7): off by default, and where switched on they are
served as the manifest says; a default farm's replies all come within 5 PRC working days."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

import pytest
from dateutil.relativedelta import relativedelta

from govsite.farm import manifest
from govsite.farm.export import render_raw, site_paths
from govsite.farm.model import INTENTS, OPT_IN, Farm, Site
from govsite.farm.urls import urls_for
from govsite.feedback.workdays import WorkCalendar

AS_OF = date(2017, 9, 14)
OPT = tuple(OPT_IN)


def path_of(url: str) -> str:
    p = urlsplit(url)
    return p.path + (f"?{p.query}" if p.query else "")


def served_letters(site: Site) -> list[tuple[str, date, date | None]]:
    """(path, question date, reply date or None) of every consultation page, read from the HTML."""
    col = site.by_key["zxzx"]
    u = urls_for(site)
    out = []
    for i in range(len(col.ages)):
        page = render_raw(site, u.item(col, i))
        assert page is not None and page.status == 200
        html = page.body.decode(site.ident.encoding)
        asked = re.search(r"来信时间：(\d{4}-\d{2}-\d{2})", html)
        reply = re.search(r"答复时间：(\d{4}-\d{2}-\d{2})", html)
        assert asked is not None and (reply is not None or "尚未答复" in html)
        out.append((u.item(col, i), date.fromisoformat(asked.group(1)),
                    date.fromisoformat(reply.group(1)) if reply else None))
    return out


@pytest.fixture(scope="module")
def farms() -> tuple[Farm, Farm]:
    return Farm(7, 60, AS_OF), Farm(7, 60, AS_OF, opt_in=OPT)


def test_default_farm_has_no_opt_in_kinds_and_prompt_replies(farms: tuple[Farm, Farm]) -> None:
    plain, _ = farms
    assert not set(OPT_IN) & set(INTENTS)
    cal = WorkCalendar()
    m = manifest.build(plain)
    assert not [d for s in m["sites"] for d in s["defects"] if d["kind"] in OPT_IN]
    answered = 0
    for ident in plain.identities:
        site = plain.site(ident.index)
        if "zxzx" not in site.by_key:
            continue
        for _path, asked, replied in served_letters(site):
            if replied is not None:
                answered += 1
                assert asked <= replied <= AS_OF
                assert cal.workdays_between(asked, replied) <= 5, (ident.host, asked, replied)
    assert answered > 500


def test_opt_in_leaves_other_sites_and_intents_alone(farms: tuple[Farm, Farm]) -> None:
    plain, opted = farms
    changed = 0
    for a, b in zip(plain.identities, opted.identities, strict=True):
        assert a.host == b.host and a.intents == b.intents - set(OPT_IN)
        if b.intents & set(OPT_IN):
            changed += 1
            assert a.intents, "a site without intents (clean) never gets an opt-in defect"
            continue
        sa, sb = plain.site(a.index), opted.site(b.index)
        for raw in list(site_paths(sa))[:400]:
            assert render_raw(sa, raw).body == render_raw(sb, raw).body, (a.host, raw)
    assert changed >= 4
    with pytest.raises(ValueError, match="unknown opt-in"):
        Farm(7, 3, AS_OF, opt_in=["no_such_kind"])


def test_opt_in_defects_are_served_as_the_manifest_says(farms: tuple[Farm, Farm]) -> None:
    _, opted = farms
    cal = WorkCalendar()
    line = AS_OF - relativedelta(months=2)
    m = manifest.build(opted)
    seen = {k: 0 for k in OPT_IN}
    for s in m["sites"]:
        site = opted.site_for_host(s["host"])
        assert site is not None
        kinds = [d["kind"] for d in s["defects"]]
        if s["clean"]:
            assert not site.ident.intents
        for d in s["defects"]:
            if d["kind"] not in OPT_IN:
                continue
            seen[d["kind"]] += 1
            assert d["indicator"] == "D19-7"
            letters = served_letters(site)
            replies = [r for _p, _a, r in letters if r is not None]
            if d["kind"] == "stale_replies":
                assert path_of(d["page"]) == urls_for(site).column(site.by_key["zxzx"])
                assert max(replies) < line and str(max(replies)) == d["detail"]["latest_reply"]
                # open messages are recent: the column is stale without a V15-5 veto
                assert "unanswered_consultation" not in kinds
                assert all(a > AS_OF - relativedelta(months=3) for _p, a, r in letters if r is None)
            else:
                _, asked, replied = next(x for x in letters if x[0] == path_of(d["page"]))
                assert str(asked) == d["detail"]["asked"] and str(replied) == d["detail"]["replied"]
                assert replied is not None and cal.workdays_between(asked, replied) > 5
                assert replied <= asked + relativedelta(months=3) and replied <= AS_OF
        # every slow reply of the site is in the manifest, and only those
        if "zxzx" in site.by_key:
            slow = {x[0] for x in served_letters(site) if x[2] is not None and cal.workdays_between(x[1], x[2]) > 5}
            listed = {path_of(d["page"]) for d in s["defects"] if d["kind"] == "slow_replies"}
            assert slow == listed, s["host"]
    assert all(seen.values()), seen
