"""The registry's exchange format: one row per site with Chinese column headers in the style of
the 全国政府网站信息报送系统, and the plain-dict "record" form that import, export and the generator
share (so generated registries go through exactly the same upsert as imported files)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from govsite.registry.models import Category, Site

# (column header, record key). Contacts are flattened into 负责人… / 联系人… columns.
CONTACT_ROLES = ("负责人", "联系人")
CONTACT_FIELDS = (("姓名", "name"), ("职务", "post"), ("办公电话", "phone"), ("手机", "mobile"), ("邮箱", "email"))

COLUMNS: tuple[tuple[str, str], ...] = (
    ("网站标识码", "code"),
    ("网站名称", "name"),
    ("首页网址", "home_url"),
    ("域名", "domains"),
    ("类别", "category"),
    ("网站类型", "site_class"),
    ("级别", "level"),
    ("省", "province"),
    ("市", "city"),
    ("县", "county"),
    ("国务院部门", "department"),
    ("主办单位", "sponsor"),
    ("主办单位地址", "sponsor_address"),
    ("承办单位", "operator"),
    ("ICP备案编号", "icp"),
    ("公安机关备案号", "police_record"),
    ("党政机关网站标识编号", "conac_id"),
    *((f"{role}{label}", f"contact:{role}:{key}") for role in CONTACT_ROLES for label, key in CONTACT_FIELDS),
    ("运行状态", "status"),
    ("整合至", "merged_into"),
    ("迁移状态", "migration_state"),
)
HEADERS = tuple(h for h, _ in COLUMNS)
HEADER_KEYS = dict(COLUMNS)
KEY_HEADERS = {k: h for h, k in COLUMNS}
REQUIRED_HEADERS = ("网站标识码", "网站名称", "首页网址", "类别", "网站类型", "级别", "省", "市", "县", "国务院部门", "主办单位")

# Keys of a site snapshot: what a SiteChange records and what re-import compares.
SNAPSHOT_KEYS = (
    "name", "home_url", "domains", "category", "site_class", "level", "region", "department", "sponsor",
    "sponsor_address", "operator", "icp", "police_record", "conac_id", "contacts", "status", "merged_into",
    "migration_state",
)
# Which snapshot keys a column group controls (a file without the column leaves the field alone).
KEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "region": ("省", "市", "县"),
    "contacts": tuple(f"{role}{label}" for role in CONTACT_ROLES for label, _ in CONTACT_FIELDS),
}

CATEGORY_LABELS = {c.value: c.label for c in Category}
CATEGORY_ALIASES: dict[str, int] = {}
for _c in Category:
    CATEGORY_ALIASES[str(_c.value)] = _c.value
    CATEGORY_ALIASES[_c.label] = _c.value
CATEGORY_ALIASES.update({"国务院部门": 1, "省级门户": 2, "省级部门": 3, "市级门户": 4, "市级部门": 5, "县级门户": 6})

CLASS_LABELS = {Site.SiteClass.PORTAL: "门户", Site.SiteClass.DEPARTMENT: "部门"}
CLASS_ALIASES = {"门户": "portal", "政府门户网站": "portal", "门户网站": "portal", "portal": "portal",
                 "部门": "department", "部门网站": "department", "非门户": "department", "department": "department"}
LEVEL_LABELS = {value: label for value, label in Site.Level.choices}
LEVEL_ALIASES = {**{label: value for value, label in Site.Level.choices}, **{v: v for v in Site.Level.values},
                 "国家级": "national", "部委": "national", "省": "province", "市级": "city", "市": "city",
                 "县": "county", "乡镇": "township", "街道": "township", "乡镇级": "township"}
STATUS_LABELS = {value: label for value, label in Site.Status.choices}
STATUS_ALIASES = {**{label: value for value, label in Site.Status.choices}, **{v: v for v in Site.Status.values},
                  "正常": "running", "运行": "running", "例外": "temp_closed", "整合": "merged", "已关停": "closed"}
MIGRATION_LABELS = {value: label for value, label in Site.MigrationState.choices if value}
MIGRATION_ALIASES = {**{label: value for value, label in MIGRATION_LABELS.items()},
                     **{v: v for v in Site.MigrationState.values if v}, "": "", "—": "", "无": ""}

# Which (level, class) pairs each notice category allows.
CATEGORY_RULES: dict[int, tuple[tuple[str, str | None], ...]] = {
    1: (("national", None),),
    2: (("province", "portal"),),
    3: (("province", "department"),),
    4: (("city", "portal"),),
    5: (("city", "department"),),
    6: (("county", "portal"),),
    7: (("county", "department"), ("township", None)),
}


def category_for(level: str, site_class: str) -> int | None:
    for category, pairs in CATEGORY_RULES.items():
        for lv, cls in pairs:
            if lv == level and (cls is None or cls == site_class):
                return category
    return None


HOST_RE = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9\u4e00-\u9fff](?:[a-z0-9\u4e00-\u9fff-]{0,61}[a-z0-9\u4e00-\u9fff])?\.)+"
                     r"(?:[a-z]{2,63}|[\u4e00-\u9fff]{1,8}|xn--[a-z0-9-]+)$")
ICP_RE = re.compile(r"^(京|津|冀|晋|蒙|辽|吉|黑|沪|苏|浙|皖|闽|赣|鲁|豫|鄂|湘|粤|桂|琼|渝|川|蜀|贵|黔|云|滇|藏|陕|甘|陇|青|宁|新)"
                    r"ICP备\d{6,8}号(-\d+)?$")
POLICE_RE = re.compile(r"^[\u4e00-\u9fff]{1,2}公网安备\s*\d{14}号$")
MOBILE_RE = re.compile(r"^1\d{10}$")
PHONE_RE = re.compile(r"^(\d{3,4}-?)?\d{7,8}(-\d{1,6})?$")
EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
DOMAIN_SPLIT_RE = re.compile(r"[;；,，、\s]+")


def split_domains(value: str) -> list[str]:
    return [d.strip().lower().rstrip(".") for d in DOMAIN_SPLIT_RE.split(value or "") if d.strip()]


def ordered_domains(primary: str, hosts: list[str] | set[str]) -> list[str]:
    """The canonical order: primary host first, the others sorted."""
    rest = sorted(h for h in set(hosts) if h != primary)
    return ([primary] if primary else []) + rest


def empty_contact(role: str) -> dict[str, str]:
    return {"role": role, **{key: "" for _, key in CONTACT_FIELDS}}


def normalize_contacts(contacts: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Contacts as stored: the known roles in fixed order, only those with any value, all keys present."""
    out = []
    for role in CONTACT_ROLES:
        for contact in contacts or []:
            if contact.get("role") == role:
                item = {"role": role, **{key: str(contact.get(key) or "") for _, key in CONTACT_FIELDS}}
                if any(item[key] for _, key in CONTACT_FIELDS):
                    out.append(item)
                break
    return out


@dataclass
class SiteRecord:
    """One site in exchange form. `region` is a region code, `department` a department code,
    `merged_into` a site code; `present` lists the snapshot keys the source actually provides."""

    code: str
    name: str
    home_url: str
    category: int
    site_class: str
    level: str
    sponsor: str
    region: str | None = None
    department: str | None = None
    domains: list[str] = field(default_factory=list)
    sponsor_address: str = ""
    operator: str = ""
    icp: str = ""
    police_record: str = ""
    conac_id: str = ""
    contacts: list[dict[str, str]] = field(default_factory=list)
    status: str = "running"
    merged_into: str = ""
    migration_state: str = ""
    present: frozenset[str] = frozenset(SNAPSHOT_KEYS)

    def snapshot(self) -> dict[str, Any]:
        fields = self.__dict__  # plain dataclass: faster than getattr per key on bulk paths
        return {key: fields[key] for key in SNAPSHOT_KEYS}
