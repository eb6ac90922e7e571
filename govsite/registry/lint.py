"""Guideline rules on the registry (《政府网站发展指引》, rules.md §3.1–3.3):

* G-OPEN-4  a unit runs at most one website (several sites share one sponsoring unit);
* G-OPEN-2  township/street-level sites should be integrated into the county portal;
* G-NAME-1  a site is named after its sponsoring unit (no decorations such as 中国·, 公众信息网);
* G-DOM-1   domains end in .gov.cn (or .政务);
* G-DOM-2   portals use www.<abbr>.gov.cn (State Council departments: their known <abbr>);
* G-DOM-3   department sites use <dept>.<abbr>.gov.cn under their same-level portal's domain."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import asdict, dataclass

from govsite.registry.models import Domain, Site
from govsite.registry.naming import has_decoration

PORTAL_RE = re.compile(r"^www\.[a-z0-9-]+\.gov\.cn$")
DEPT_RE = re.compile(r"^(?!www\.)[a-z0-9-]+\.[a-z0-9-]+\.gov\.cn$")
RULES = {
    "G-OPEN-4": "一个单位最多开设一个网站",
    "G-OPEN-2": "乡镇街道不单独开设网站，应整合至上级政府门户",
    "G-NAME-1": "网站名称应为主办单位的规范全称",
    "G-DOM-1": "英文域名应以 .gov.cn 结尾，中文域名以 .政务 结尾",
    "G-DOM-2": "门户网站域名应为 www.<简称>.gov.cn",
    "G-DOM-3": "部门网站域名应为同级门户的下级域名 <部门>.<简称>.gov.cn",
}


@dataclass(frozen=True)
class Finding:
    code: str
    name: str
    rule: str
    detail: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def lint_registry(status: str | None = Site.Status.RUNNING) -> list[Finding]:
    qs = Site.objects.all()
    if status:
        qs = qs.filter(status=status)
    sites = list(qs.values("id", "code", "name", "category", "site_class", "level", "region_id", "department_id",
                           "department__domain_abbr", "sponsor_id", "sponsor__name").order_by("code"))
    ids = {s["id"] for s in sites}
    hosts: dict[int, list[str]] = defaultdict(list)
    primary: dict[int, str] = {}
    for site_id, host, is_primary in Domain.objects.values_list("site_id", "host", "is_primary").order_by("host"):
        if site_id in ids:
            hosts[site_id].append(host)
            if is_primary:
                primary[site_id] = host
    findings: list[Finding] = []

    by_sponsor: dict[int, list[dict]] = defaultdict(list)
    for s in sites:
        by_sponsor[s["sponsor_id"]].append(s)

    # Same-level portal base domain, for G-DOM-3: (region, level) or the department's portal.
    portal_base: dict[tuple, str] = {}
    for s in sites:
        host = primary.get(s["id"], "")
        # Only a conforming portal domain defines where its departments belong.
        if s["site_class"] == Site.SiteClass.PORTAL and PORTAL_RE.match(host):
            key = ("dept", s["department_id"]) if s["category"] == 1 else ("region", s["region_id"], s["level"])
            portal_base.setdefault(key, host[4:])

    for s in sites:
        code, name = s["code"], s["name"]
        group = by_sponsor[s["sponsor_id"]]
        if len(group) > 1:
            others = "、".join(o["code"] for o in group if o["id"] != s["id"])
            findings.append(Finding(code, name, "G-OPEN-4", f"主办单位“{s['sponsor__name']}”共开设{len(group)}个网站（另有 {others}）"))
        if s["level"] == Site.Level.TOWNSHIP:
            findings.append(Finding(code, name, "G-OPEN-2", "乡镇街道网站，应将内容整合至县级政府门户后关停"))
        if name != s["sponsor__name"]:
            why = "含修饰词" if has_decoration(name) else "与主办单位名称不一致"
            findings.append(Finding(code, name, "G-NAME-1", f"网站名称{why}，应为“{s['sponsor__name']}”"))
        for host in hosts.get(s["id"], []):
            if not (host.endswith(".gov.cn") or host.endswith(".政务")):
                findings.append(Finding(code, name, "G-DOM-1", f"域名“{host}”不以 .gov.cn 结尾"))
        host = primary.get(s["id"], "")
        if not host or not host.endswith(".gov.cn"):
            continue  # already reported under G-DOM-1
        if s["site_class"] == Site.SiteClass.PORTAL:
            if not PORTAL_RE.match(host):
                findings.append(Finding(code, name, "G-DOM-2", f"门户网站域名“{host}”不符合 www.<简称>.gov.cn"))
            elif s["category"] == 1 and s["department__domain_abbr"] and host != f"www.{s['department__domain_abbr']}.gov.cn":
                findings.append(Finding(code, name, "G-DOM-2", f"部门门户域名应为“www.{s['department__domain_abbr']}.gov.cn”，实为“{host}”"))
        else:
            if not DEPT_RE.match(host):
                findings.append(Finding(code, name, "G-DOM-3", f"部门网站域名“{host}”不符合 <部门>.<简称>.gov.cn"))
                continue
            if s["category"] == 1:
                base = portal_base.get(("dept", s["department_id"]))
            else:
                level = Site.Level.COUNTY if s["level"] in (Site.Level.COUNTY, Site.Level.TOWNSHIP) else s["level"]
                base = portal_base.get(("region", s["region_id"], level))
            if base and not host.endswith("." + base):
                findings.append(Finding(code, name, "G-DOM-3", f"部门网站域名“{host}”不在同级门户域名“{base}”之下"))
    findings.sort(key=lambda f: (f.rule, f.code))
    return findings
