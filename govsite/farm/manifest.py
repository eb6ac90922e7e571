"""The manifest: recorded ground truth for every site (format in MARKUP.md)."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta, timezone
from typing import Any

from dateutil.relativedelta import relativedelta

from govsite.farm import text
from govsite.farm.model import A_TYPE, DEFECTS, HOSTILE, OPT_IN, SLOTS_PER_WEEK, WINDOWS, Column, Farm, Site
from govsite.farm.render import Renderer
from govsite.farm.urls import Urls

CST = timezone(timedelta(hours=8))
SLOT_SECONDS = 7 * 24 * 3600 // SLOTS_PER_WEEK


def week_start(farm: Farm) -> datetime:
    return datetime.combine(farm.as_of, time(0), tzinfo=CST)


def _d(kind: str, page: str, **detail: Any) -> dict[str, Any]:
    indicator = "hostile" if kind in HOSTILE else DEFECTS.get(kind) or OPT_IN[kind]
    if kind in ("broken_link_home", "broken_link_deep"):
        detail["home"] = kind == "broken_link_home"
        kind = "broken_link"
    return {"kind": kind, "indicator": indicator, "page": page, "detail": detail}


def site_defects(site: Site) -> list[dict[str, Any]]:
    """Every defect of the site, derived from what is actually served."""
    rd = Renderer(site)
    u = rd.u
    farm = site.farm
    base = farm.base_url(site.host)
    home = base + "/"
    out: list[dict[str, Any]] = []
    m = site.marks
    ident = site.ident

    if "availability" in m:
        kind = "unreachable" if site.has("unreachable") else "flaky"
        out.append(_d(kind, home, failure_share=m["availability"], slot_seconds=SLOT_SECONDS,
                      failing_slots_per_week=round(m["availability"] * SLOTS_PER_WEEK), modes=["5xx", "reset", "slow"]))
    # Freshness, derived from the dates.
    if ident.hub:
        dated = [(c, a) for c in site.columns for a in c.ages]
    else:
        dated = [(c, c.ages[i]) for c, idxs in site.home_items() for i in idxs]
    if dated:
        newest = min(a for _, a in dated)
        fresh = sum(1 for _, a in dated if a <= 14)
        if newest > 14:
            out.append(_d("stale_home", home, latest=str(farm.as_of - timedelta(days=newest)), hub=ident.hub))
        elif not ident.hub and fresh < 10:
            out.append(_d("low_volume", home, items_2w=fresh))
    stale_a = []
    for c in site.columns:
        url = base + u.column(c)
        if not c.ages:
            if not c.note_empty:
                out.append(_d("blank_column", url, column=c.name, type=c.type))
            continue
        w = WINDOWS.get(c.type)
        if w and c.ages[0] > w:
            out.append(_d("stale_column", url, column=c.name, type=c.type,
                          latest=str(farm.as_of - timedelta(days=c.ages[0])), window_days=w))
            if c.key in A_TYPE:
                stale_a.append(c.name)
    if len(stale_a) >= 5:
        out.append(_d("stale_columns_veto", home, count=len(stale_a), columns=stale_a))
    blanks = [c.name for c in site.columns if not c.ages and not c.note_empty]
    if len(blanks) >= 5:
        out.append(_d("blank_columns_veto", home, count=len(blanks), columns=blanks))
    # Interaction.
    if "zxzx" not in site.by_key:
        out.append(_d("no_consultation", home))
    else:
        col = site.by_key["zxzx"]
        ui = site.unanswered_idx()
        if ui is not None:
            out.append(_d("unanswered_consultation", base + u.item(col, ui), asked=str(site.item_date(col, ui)),
                          title=site.item_title(col, ui)))
        out += _reply_defects(site, col, base, u, ui)
    need = 3 if ident.dept else 6
    for key, none_kind, few_kind in (("zjdc", "no_surveys", "few_surveys"), ("zxft", "no_interviews", "few_interviews")):
        col = site.by_key[key]
        n_year = sum(1 for a in col.ages if a <= 365)
        if n_year == 0:
            out.append(_d(none_kind, base + u.column(col), column=col.name))
        elif n_year < need:
            out.append(_d(few_kind, base + u.column(col), column=col.name, count=n_year, required=need))
    # Links.
    for t, h in rd.broken_home_links():
        out.append(_d("broken_link_home", home, target=base + h, text=t))
    for key, idx in m.get("broken_link_deep", []):
        col = site.by_key[key]
        out.append(_d("broken_link_deep", base + u.item(col, idx), target=base + rd.broken_deep_link(col, idx)))
    # Identity and footer.
    if site.has("bad_name"):
        out.append(_d("bad_name", home, shown=ident.name, official=ident.official_name))
    if site.has("bad_domain"):
        out.append(_d("bad_domain", home, host=ident.host))
    if "missing_footer_item" in m:
        out.append(_d("missing_footer_item", home, item=m["missing_footer_item"]))
    if "wrong_code" in m:
        out.append(_d("wrong_code", home, shown=m["wrong_code"], expected=ident.code))
    if site.has("jiucuo_missing"):
        out.append(_d("jiucuo_missing", home))
    if site.has("jiucuo_static_image"):
        out.append(_d("jiucuo_static_image", home, image="/images/jiucuo.png"))
    if site.has("ads"):
        t, host = rd.ad()
        out.append(_d("ads", home, target=f"http://{host}/?from=gov", text=t))
    if site.has("hidden_links"):
        out.append(_d("hidden_links", home, targets=[f"http://{h}/" for _, h in rd.gambling()]))
    if site.has("malicious_script"):
        out.append(_d("malicious_script", home, snippet=rd.malicious()))
    if site.has("defaced"):
        out.append(_d("defaced", home, text=rd.defacement_text()))
    # Content.
    if "leader_misspelled" in m:
        key, idx, (right, wrong) = m["leader_misspelled"]
        out.append(_d("leader_misspelled", base + u.item(site.by_key[key], idx), wrong=wrong, right=right))
    if "banned_content" in m:
        key, idx, phrase = m["banned_content"]
        out.append(_d("banned_content", base + u.item(site.by_key[key], idx), text=phrase))
    # Services.
    guides = site.by_key["bszn"]
    for gi, missing in sorted(m.get("guide_missing_elements", {}).items()):
        out.append(_d("guide_missing_elements", base + u.item(guides, gi), missing=missing))
    for kind in ("attachment_404", "attachment_empty"):
        for gi, k in m.get(kind, []):
            ext = site.guide_attachments(gi)[k][2]
            out.append(_d(kind, base + u.item(guides, gi), target=base + u.attachment(gi, k, ext)))
    for k in m.get("online_system_down", []):
        users = [gi for gi in range(len(guides.ages)) if site.guide_system(gi) == k]
        page = base + (u.item(guides, users[0]) if users else u.column(guides))
        out.append(_d("online_system_down", page, target=base + u.system(k), system=text.SYSTEMS[k]))
    if "broken_search" in m:
        out.append(_d("broken_search", base + u.search("工作"), mode=m["broken_search"]))
    # Hostile behaviours.
    for kind in HOSTILE:
        if not site.has(kind):
            continue
        if kind in ("wrong_charset", "malformed_html"):
            if kind in m:
                key, idx = m[kind]
                detail = {}
                if kind == "wrong_charset":
                    detail = {"declared": ident.encoding, "actual": "utf-8" if ident.encoding == "gbk" else "gbk"}
                out.append(_d(kind, base + u.item(site.by_key[key], idx), **detail))
            continue
        paths = {"calendar_trap": f"/calendar?month={farm.as_of:%Y-%m}", "session_trap": "/portal/;jsessionid=",
                 "redirect_loop": "/go/loop1", "huge_page": "/download/all.html", "gzip_bomb": "/data/export.html",
                 "slow_drip": "/slow/index.html"}
        details = {"huge_page": {"bytes": HUGE_BYTES}, "gzip_bomb": {"inflated_bytes": BOMB_BYTES},
                   "slow_drip": {"bytes_per_second": 1, "max_bytes": DRIP_BYTES}}
        out.append(_d(kind, base + paths[kind], **details.get(kind, {})))
    return out


def _reply_defects(site: Site, col: Column, base: str, u: Urls, unanswered: int | None) -> list[dict[str, Any]]:
    """Reply timeliness (RS2019 D19-7), derived from the served replies: the column's newest reply
    older than 2 months while it has messages of the last year (not when V15-5's unanswered message
    already makes the column a veto), and each slowly answered message."""
    farm = site.farm
    out: list[dict[str, Any]] = []
    states = [site.consult_state(col, i) for i in range(len(col.ages))]
    reply_ages = [r for ok, r in states if ok and r is not None]
    line = farm.as_of - relativedelta(months=2)
    newest = farm.as_of - timedelta(days=min(reply_ages)) if reply_ages else None
    if unanswered is None and any(a <= 365 for a in col.ages) and (newest is None or newest < line):
        out.append(_d("stale_replies", base + u.column(col), column=col.name, line=str(line),
                      latest_reply=str(newest) if newest else None))
    for i in sorted(site.slow_reply_idxs):
        _, reply_age = site.consult_state(col, i)
        out.append(_d("slow_replies", base + u.item(col, i), title=site.item_title(col, i),
                      asked=str(site.item_date(col, i)), replied=str(farm.as_of - timedelta(days=reply_age or 0))))
    return out


HUGE_BYTES = 200 * 1024 * 1024
BOMB_BYTES = 100 * 1024 * 1024
DRIP_BYTES = 600


def site_entry(site: Site) -> dict[str, Any]:
    ident = site.ident
    rd = Renderer(site)
    base = site.farm.base_url(site.host)
    defects = site_defects(site)
    return {
        "host": ident.host,
        "url": base + "/",
        "code": ident.code,
        "name": ident.name,
        "official_name": ident.official_name,
        "category": ident.category,
        "style": ident.style,
        "encoding": ident.encoding,
        "encoding_declared_in": "header" if not ident.meta_charset else "header+meta",
        "hub": ident.hub,
        "clean": not defects,
        "defects": defects,
        "availability": {"failure_share": site.marks.get("availability", 0.0)},
        "columns": [
            {"name": c.name, "type": c.type, "url": base + rd.u.column(c),
             "latest": str(site.item_date(c, 0)) if c.ages else None, "items": len(c.ages),
             "on_home": c.on_home and not ident.hub, **({"note_empty": True} if c.note_empty else {})}
            for c in site.columns
        ],
    }


def build(farm: Farm) -> dict[str, Any]:
    sites = []
    for i in range(farm.n):
        # Bypass the LRU so a manifest of many sites does not evict the server's working set.
        sites.append(site_entry(Site(farm, farm.identities[i])))
    return {
        "as_of": str(farm.as_of),
        "seed": farm.seed,
        "sites_count": farm.n,
        "port": farm.port,
        "time_warp": farm.time_warp,
        "clock": {"week_start": week_start(farm).isoformat(), "slot_seconds": SLOT_SECONDS},
        "sites": sites,
    }


def dumps(manifest: dict[str, Any]) -> str:
    return json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=False) + "\n"
