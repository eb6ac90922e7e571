"""Import of the national registry table: validate every row in memory, reject the whole file
if any row is bad, otherwise upsert by 网站标识码 in one transaction with bulk queries and write a
SiteChange for every created or changed site. `apply_records` is also the generator's fast path."""

from __future__ import annotations

import getpass
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from govsite.registry.codes import is_site_code
from govsite.registry.fastdb import (
    ANALYZE_AFTER_ROWS,
    analyze,
    db_datetime,
    fast_insert,
    json_adapter,
    paused_gc,
)
from govsite.registry.index import RegionInfo, RegistryIndex
from govsite.registry.models import Domain, Organization, Site, SiteChange
from govsite.registry.records import (
    CATEGORY_ALIASES,
    CATEGORY_RULES,
    CLASS_ALIASES,
    CONTACT_FIELDS,
    CONTACT_ROLES,
    EMAIL_RE,
    HEADER_KEYS,
    HOST_RE,
    ICP_RE,
    KEY_COLUMNS,
    KEY_HEADERS,
    LEVEL_ALIASES,
    LEVEL_LABELS,
    MIGRATION_ALIASES,
    MOBILE_RE,
    PHONE_RE,
    POLICE_RE,
    REQUIRED_HEADERS,
    SNAPSHOT_KEYS,
    STATUS_ALIASES,
    SiteRecord,
    ordered_domains,
    split_domains,
)
from govsite.registry.tabular import DEFAULT_MAX_BYTES, TableError, read_table

_SPACE_RE = re.compile(r"\s")
# Column widths of the stored fields that no format check bounds.
_LENGTH_LIMITS = (("承办单位", 128), ("主办单位地址", 256), ("党政机关网站标识编号", 64))
# scheme://host[:port][/path…]; the host is checked against HOST_RE afterwards.
_URL_RE = re.compile(r"^https?://(?:[^/?#@]*@)?([^/?#:@\[\]]+)(?::\d{1,5})?(?:[/?#].*)?$", re.IGNORECASE)


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"第{self.row}行，{self.column}：{self.reason}" if self.row else f"{self.column}：{self.reason}"


class ImportRejected(Exception):
    """The file was rejected whole; nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: int = 0
    encoding: str = ""
    warnings: list[str] = field(default_factory=list)


def default_actor() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (containers without passwd entries)
        return "unknown"


# --------------------------------------------------------------------------- parsing and validation


class RowParser:
    """Turns table rows into SiteRecords, collecting every problem as a RowError."""

    def __init__(self, index: RegistryIndex, header: list[str]) -> None:
        self.index = index
        self.errors: list[RowError] = []
        self.header = header
        self.positions: dict[str, int] = {}
        for i, name in enumerate(header):
            key = HEADER_KEYS.get(name)
            if key is None:
                continue
            if name in self.positions:
                self.errors.append(RowError(1, name, "表头中该列重复"))
            self.positions[name] = i
        self.unknown = [h for h in header if h and h not in HEADER_KEYS]
        self.width = len(header)
        self.contact_headers = {role: [(f"{role}{label}", key) for label, key in CONTACT_FIELDS] for role in CONTACT_ROLES}
        self.slot = {name: self.positions.get(name, self.width) for name in HEADER_KEYS}
        for name in REQUIRED_HEADERS:
            if name not in self.positions:
                self.errors.append(RowError(1, name, "缺少必需的列"))
        present = set(SNAPSHOT_KEYS)
        for key, columns in KEY_COLUMNS.items():
            if not any(c in self.positions for c in columns):
                present.discard(key)
        for key in SNAPSHOT_KEYS:
            if key in KEY_HEADERS and KEY_HEADERS[key] not in self.positions:
                present.discard(key)
        self.present = frozenset(present)
        self.seen_codes: dict[str, int] = {}
        self.seen_hosts: dict[str, int] = {}
        self.sponsor_address: dict[tuple[str, str | None, str | None], tuple[str, int]] = {}

    def error(self, row: int, column: str, reason: str) -> None:
        self.errors.append(RowError(row, column, reason))

    def parse(self, number: int, cells: list[str]) -> SiteRecord | None:
        if len(cells) > len(self.header) and any(c.strip() for c in cells[len(self.header):]):
            self.error(number, "整行", f"列数（{len(cells)}）多于表头（{len(self.header)}），可能有未加引号的逗号")
            return None

        # Cells come stripped; absent columns and short rows read as "" through the sentinel index.
        if len(cells) < self.width:
            cells = cells + [""] * (self.width - len(cells))
        cells.append("")
        slot = self.slot

        def get(name: str) -> str:
            return cells[slot[name]]

        before = len(self.errors)
        code = get("网站标识码")
        if not code:
            self.error(number, "网站标识码", "不能为空")
        elif not is_site_code(code):
            self.error(number, "网站标识码", f"“{code}”格式不正确：应为10位数字、bm加8位数字或2位数字加BM加6位数字")
        elif code in self.seen_codes:
            self.error(number, "网站标识码", f"“{code}”与第{self.seen_codes[code]}行重复")
        else:
            self.seen_codes[code] = number

        name = get("网站名称")
        if not name:
            self.error(number, "网站名称", "不能为空")
        elif len(name) > 128:
            self.error(number, "网站名称", "超过128个字符")

        home_url = get("首页网址")
        host = self._home_host(number, home_url)

        domains: list[str] = []
        if "domains" in self.present:
            for d in split_domains(get("域名")):
                if not HOST_RE.match(d):
                    self.error(number, "域名", f"“{d}”不是有效的域名")
                else:
                    domains.append(d)
        if host:
            domains = ordered_domains(host, domains + [host])
        for d in domains:
            if d in self.seen_hosts and self.seen_hosts[d] != number:
                self.error(number, "域名", f"“{d}”已被第{self.seen_hosts[d]}行的网站使用")
            else:
                self.seen_hosts[d] = number

        category = CATEGORY_ALIASES.get(get("类别"))
        if category is None:
            self.error(number, "类别", f"“{get('类别')}”不是有效的类别（应为1–7或通报中的类别名称）")
        site_class = CLASS_ALIASES.get(get("网站类型"))
        if site_class is None:
            self.error(number, "网站类型", f"“{get('网站类型')}”无效，应为“门户”或“部门”")
        level = LEVEL_ALIASES.get(get("级别"))
        if level is None:
            self.error(number, "级别", f"“{get('级别')}”无效，应为国务院部门、省级、地市级、县级或乡镇街道")
        if category and site_class and level:
            allowed = CATEGORY_RULES[category]
            if not any(lv == level and (cls is None or cls == site_class) for lv, cls in allowed):
                self.error(number, "类别", f"类别{category}与级别“{LEVEL_LABELS[level]}”、网站类型“{get('网站类型')}”不一致")

        region = self._region(number, get("省"), get("市"), get("县"))
        dept_value = get("国务院部门")
        department = None
        if dept_value:
            department = self.index.find_department(dept_value)
            if department is None:
                self.error(number, "国务院部门", f"未知的国务院部门“{dept_value}”")
        if category == 1:
            if not dept_value:
                self.error(number, "国务院部门", "类别1（国务院部门）网站必须填写所属国务院部门")
            elif department and code.startswith("bm") and not code.startswith(department.code):
                self.error(number, "网站标识码", f"国务院部门网站标识码应以“{department.code}”开头")
        elif category is not None:
            if dept_value:
                self.error(number, "国务院部门", "地方政府网站不应填写国务院部门")
            if region is None and not any(get(c) for c in ("省", "市", "县")):
                self.error(number, "省", "地方政府网站必须填写所属地区")
            if region is not None and level:
                self._check_region_level(number, region, level)
            if region is not None and code and is_site_code(code) and code[:2] != self.index.province_of(region).code[:2]:
                self.error(number, "网站标识码", f"标识码前两位应与所属省份代码（{self.index.province_of(region).code[:2]}）一致")

        sponsor = get("主办单位")
        if not sponsor:
            self.error(number, "主办单位", "不能为空")
        elif len(sponsor) > 128:
            self.error(number, "主办单位", "超过128个字符")

        for header, limit in _LENGTH_LIMITS:
            if len(get(header)) > limit:
                self.error(number, header, f"超过{limit}个字符")
        icp, police = get("ICP备案编号"), get("公安机关备案号")
        if icp and icp != "无" and not ICP_RE.match(icp):
            self.error(number, "ICP备案编号", f"“{icp}”格式不正确（应如“京ICP备05070218号”）")
        if police and police != "无" and not POLICE_RE.match(police):
            self.error(number, "公安机关备案号", f"“{police}”格式不正确（应如“京公网安备11010202000001号”）")

        contacts = []
        for role in CONTACT_ROLES:
            contact = {"role": role}
            for header, key in self.contact_headers[role]:
                contact[key] = cells[slot[header]]
            if contact["mobile"] and not MOBILE_RE.match(contact["mobile"]):
                self.error(number, f"{role}手机", f"“{contact['mobile']}”不是有效的手机号码")
            if contact["phone"] and not PHONE_RE.match(contact["phone"]):
                self.error(number, f"{role}办公电话", f"“{contact['phone']}”不是有效的电话号码")
            if contact["email"] and not EMAIL_RE.match(contact["email"]):
                self.error(number, f"{role}邮箱", f"“{contact['email']}”不是有效的邮箱地址")
            if any(contact[key] for _, key in CONTACT_FIELDS):
                contacts.append(contact)  # the stored form: see records.normalize_contacts

        status = STATUS_ALIASES.get(get("运行状态") or "正常运行") if "status" in self.present else "running"
        if status is None:
            self.error(number, "运行状态", f"“{get('运行状态')}”无效，应为正常运行、临时关停、关停或已整合")
        merged_into = get("整合至")
        if status == "merged" and "merged_into" in self.present and not merged_into:
            self.error(number, "整合至", "运行状态为“已整合”时必须填写整合至的网站标识码")
        if merged_into:
            if status != "merged":
                self.error(number, "整合至", "只有“已整合”的网站才能填写整合至")
            elif not is_site_code(merged_into):
                self.error(number, "整合至", f"“{merged_into}”不是有效的网站标识码")
            elif merged_into == code:
                self.error(number, "整合至", "不能整合至网站自身")
        migration_state = MIGRATION_ALIASES.get(get("迁移状态"))
        if migration_state is None:
            self.error(number, "迁移状态", f"“{get('迁移状态')}”无效，应为待迁移、已核验、内容缺失或留空")

        if len(self.errors) > before:
            return None
        key = (sponsor, region.code if region else None, department.code if department else None)
        address = get("主办单位地址")
        if "sponsor_address" in self.present:
            prev = self.sponsor_address.get(key)
            if prev and prev[0] != address:
                self.error(number, "主办单位地址", f"与第{prev[1]}行同一主办单位的地址不一致")
                return None
            self.sponsor_address[key] = (address, number)
        return SiteRecord(
            code=code, name=name, home_url=home_url, category=category, site_class=site_class, level=level,
            sponsor=sponsor, region=region.code if region else None, department=department.code if department else None,
            domains=domains, sponsor_address=address, operator=get("承办单位"), icp=icp, police_record=police,
            conac_id=get("党政机关网站标识编号"), contacts=contacts, status=status,
            merged_into=merged_into, migration_state=migration_state, present=self.present,
        )

    def _home_host(self, number: int, url: str) -> str:
        if not url:
            self.error(number, "首页网址", "不能为空")
            return ""
        if len(url) > 512 or _SPACE_RE.search(url):
            self.error(number, "首页网址", f"“{url[:80]}”不是有效的网址（含空白或过长）")
            return ""
        m = _URL_RE.match(url)
        if m is None:
            if not url.lower().startswith(("http://", "https://")):
                self.error(number, "首页网址", f"“{url[:80]}”应以 http:// 或 https:// 开头")
            else:
                self.error(number, "首页网址", f"“{url[:80]}”不是有效的网址")
            return ""
        host = m.group(1).lower().rstrip(".")
        if not HOST_RE.match(host):
            self.error(number, "首页网址", f"“{url[:80]}”中的域名“{host}”无效")
            return ""
        return host

    def _region(self, number: int, province: str, city: str, county: str) -> RegionInfo | None:
        idx = self.index
        if not (province or city or county):
            return None
        p = idx.regions.get(province) if province.isdigit() else idx.province_by_name.get(province)
        if p is None or p.level != "province":
            self.error(number, "省", f"未知的省级地区“{province}”" if province else "填写了市或县时必须填写省")
            return None
        c = None
        if city:
            c = idx.regions.get(city) if city.isdigit() else idx.child_by_name.get((p.code, city))
            if c is None or c.level != "city" or c.parent != p.code:
                self.error(number, "市", f"“{city}”不是{p.name}下属的地市级地区")
                return None
        if not county:
            return c or p
        if county.isdigit():
            k = idx.regions.get(county)
            ok = k is not None and k.level == "county" and idx.province_of(k).code == p.code
            if ok and c is not None and k.parent != c.code:
                ok = False
        elif c is not None:
            k = idx.child_by_name.get((c.code, county))
            ok = k is not None and k.level == "county"
            if not ok and c.code in idx.childless_cities and county == c.name:
                return c
        else:
            found = idx.county_by_province_name.get((p.code, county), [])
            if len(found) > 1:
                self.error(number, "县", f"{p.name}有多个“{county}”，请填写市")
                return None
            k = found[0] if found else None
            ok = k is not None
        if not ok:
            self.error(number, "县", f"“{county}”不是{c.name if c else p.name}下属的县级地区")
            return None
        return k

    def _check_region_level(self, number: int, region: RegionInfo, level: str) -> None:
        if level == "province" and region.level != "province":
            self.error(number, "省", "省级网站的地区只应填写省，不应填写市、县")
        elif level == "city" and region.level != "city":
            self.error(number, "市", "地市级网站必须填写市，且不应填写县")
        elif level in ("county", "township") and not (
            region.level == "county" or region.code in self.index.childless_cities
        ):
            self.error(number, "县", f"{LEVEL_LABELS[level]}网站必须填写所属县级地区")


def parse_table(
    path: Path, index: RegistryIndex, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[list[SiteRecord], list[int], RowParser]:
    """Read and validate a whole file. Raises TableError (file-level) or ImportRejected."""
    with paused_gc():
        return _parse_table(path, index, max_bytes)


def _parse_table(path: Path, index: RegistryIndex, max_bytes: int) -> tuple[list[SiteRecord], list[int], RowParser]:
    header, rows = read_table(path, max_bytes=max_bytes)
    parser = RowParser(index, header)
    if parser.errors:
        raise ImportRejected(parser.errors)
    records: list[SiteRecord] = []
    numbers: list[int] = []
    for number, cells in rows:
        record = parser.parse(number, cells)
        if record is not None:
            records.append(record)
            numbers.append(number)
    if not records and not parser.errors:
        raise TableError("文件只有表头，没有数据行")
    if parser.errors:
        raise ImportRejected(parser.errors)
    return records, numbers, parser


# --------------------------------------------------------------------------- applying


def _db_snapshots() -> dict[str, dict[str, Any]]:
    """Every stored site in snapshot form, keyed by code (with its id and sponsor id)."""
    sites: dict[str, dict[str, Any]] = {}
    for row in Site.objects.values(
        "id", "code", "name", "home_url", "category", "site_class", "level", "region__code", "department__code",
        "sponsor_id", "sponsor__name", "sponsor__address", "operator", "icp", "police_record", "conac_id",
        "contacts", "status", "merged_into__code", "migration_state",
    ).iterator(chunk_size=5000):
        row["region"] = row.pop("region__code")
        row["department"] = row.pop("department__code")
        row["sponsor"] = row.pop("sponsor__name")
        row["sponsor_address"] = row.pop("sponsor__address")
        row["merged_into"] = row.pop("merged_into__code") or ""
        row["domains"] = []
        row["_primary"] = ""
        sites[row.pop("code")] = row
    by_id = {s["id"]: s for s in sites.values()}
    for site_id, host, primary in Domain.objects.values_list("site_id", "host", "is_primary").iterator(chunk_size=5000):
        s = by_id[site_id]
        s["domains"].append(host)
        if primary:
            s["_primary"] = host
    for s in sites.values():
        s["domains"] = ordered_domains(s["_primary"], s["domains"])
    return sites


def check_against_database(records: list[SiteRecord], existing: dict[str, dict[str, Any]], rows: list[int]) -> list[RowError]:
    """Checks that need the stored registry: domain owners and merge targets."""
    errors: list[RowError] = []
    in_file = {r.code for r in records}
    owner: dict[str, str] = {}
    for code, snap in existing.items():
        for host in snap["domains"]:
            owner[host] = code
    for record, row in zip(records, rows, strict=True):
        if "domains" in record.present:
            for host in record.domains:
                other = owner.get(host)
                # A host may move between sites listed in the same file (their old domains are replaced).
                if other and other != record.code and other not in in_file:
                    errors.append(RowError(row, "域名", f"“{host}”已被网站{other}使用"))
        if record.merged_into and record.merged_into not in in_file and record.merged_into not in existing:
            errors.append(RowError(row, "整合至", f"网站标识码“{record.merged_into}”不存在"))
    return errors


def _org_key(name: str, region_id: int | None, department_id: int | None) -> tuple[str, int | None, int | None]:
    return (name, region_id, department_id)


def apply_records(
    records: list[SiteRecord], index: RegistryIndex, actor: str, reason: str = "", rows: list[int] | None = None,
    existing: dict[str, dict[str, Any]] | None = None,
) -> ImportResult:
    """Upsert validated records by code in one transaction. Raises ImportRejected on
    conflicts with the stored registry (before writing anything)."""
    result = ImportResult(rows=len(records))
    with paused_gc(), transaction.atomic():
        if existing is None:
            existing = _db_snapshots()
        errors = check_against_database(records, existing, rows or [i + 2 for i in range(len(records))])
        if errors:
            raise ImportRejected(errors)
        now = timezone.now()
        region_id = {code: info.id for code, info in index.regions.items()}
        dept_id = {code: d.id for code, d in index.departments.items()}

        # What changes, per record.
        creates: list[tuple[SiteRecord, dict[str, list[Any]]]] = []
        updates: list[tuple[SiteRecord, dict[str, Any], dict[str, list[Any]]]] = []
        for record in records:
            snap = existing.get(record.code)
            new = record.snapshot()
            if snap is None:
                creates.append((record, {k: [None, v] for k, v in new.items() if v or v == 0}))
                continue
            diff = {k: [snap[k], new[k]] for k in SNAPSHOT_KEYS if k in record.present and snap[k] != new[k]}
            if diff:
                updates.append((record, snap, diff))
            else:
                result.unchanged += 1

        # Sponsoring organizations: get or create by (name, region, department).
        orgs: dict[tuple[str, int | None, int | None], list[Any]] = {
            _org_key(n, r, d): [i, a] for i, n, r, d, a in Organization.objects.values_list(
                "id", "name", "region_id", "department_id", "address")
        }
        wanted: dict[tuple[str, int | None, int | None], str | None] = {}
        for record, *_ in creates + updates:
            key = _org_key(record.sponsor, region_id.get(record.region), dept_id.get(record.department))
            addr = record.sponsor_address if "sponsor_address" in record.present else None
            if key not in wanted or addr is not None:
                wanted[key] = addr
        new_orgs = [(k[0], k[1], k[2], a or "") for k, a in wanted.items() if k not in orgs]
        if new_orgs:
            fast_insert(Organization, ["name", "region_id", "department_id", "address"], new_orgs)
            orgs = {_org_key(n, r, d): [i, a] for i, n, r, d, a in Organization.objects.values_list(
                "id", "name", "region_id", "department_id", "address")}
        changed_orgs = []
        for key, addr in wanted.items():
            if addr is not None and orgs[key][1] != addr:
                orgs[key][1] = addr
                changed_orgs.append(Organization(pk=orgs[key][0], address=addr))
        if changed_orgs:
            Organization.objects.bulk_update(changed_orgs, ["address"], batch_size=500)

        def sponsor_id(record: SiteRecord) -> int:
            return orgs[_org_key(record.sponsor, region_id.get(record.region), dept_id.get(record.department))][0]

        # New sites.
        stamp = db_datetime(now)
        db_json = json_adapter()
        site_fields = ["code", "name", "home_url", "category", "site_class", "level", "region_id", "department_id",
                       "sponsor_id", "operator", "icp", "police_record", "conac_id", "contacts", "status",
                       "migration_state", "created_at", "updated_at"]
        fast_insert(Site, site_fields, [
            (r.code, r.name, r.home_url, r.category, r.site_class, r.level, region_id.get(r.region),
             dept_id.get(r.department), sponsor_id(r), r.operator, r.icp, r.police_record, r.conac_id,
             db_json(r.contacts), r.status, r.migration_state, stamp, stamp)
            for r, _ in creates
        ])
        site_id: dict[str, int] = {code: snap["id"] for code, snap in existing.items()}
        if creates:
            site_id = dict(Site.objects.values_list("code", "id"))

        # Changed sites: one bulk_update over the union of changed columns.
        field_of = {"region": "region_id", "department": "department_id", "sponsor": "sponsor_id",
                    "sponsor_address": "sponsor_id", "merged_into": None, "domains": None}
        changed_sites, fields = [], {"updated_at"}
        for r, snap, diff in updates:
            site = Site(pk=snap["id"], updated_at=now)
            for key in diff:
                column = field_of.get(key, key)
                if column is not None:
                    fields.add(column)
                if key in ("region", "department"):
                    fields.add("sponsor_id")  # the sponsoring unit is keyed by region and department too
            changed_sites.append((site, r, snap))
        for site, r, snap in changed_sites:
            for column in fields:
                if column == "updated_at":
                    continue
                if column == "region_id":
                    value = region_id.get(r.region) if "region" in r.present else region_id.get(snap["region"])
                elif column == "department_id":
                    value = dept_id.get(r.department)
                elif column == "sponsor_id":
                    value = sponsor_id(r)
                elif column in r.present:
                    value = getattr(r, column)
                else:
                    value = snap[column]
                setattr(site, column, value)
        if changed_sites:
            Site.objects.bulk_update([s for s, _, _ in changed_sites], sorted(fields), batch_size=500)

        # Merge targets (need ids of sites created above).
        merges = [Site(pk=site_id[r.code], merged_into_id=site_id.get(r.merged_into) if r.merged_into else None)
                  for r, d in creates if r.merged_into]
        merges += [Site(pk=snap["id"], merged_into_id=site_id.get(r.merged_into) if r.merged_into else None)
                   for r, snap, diff in updates if "merged_into" in diff]
        if merges:
            Site.objects.bulk_update(merges, ["merged_into"], batch_size=500)

        # Domains: drop the removed ones first so hosts can move between sites in one file.
        drop: list[str] = []
        add: list[tuple[int, str, bool]] = []
        primary_changes: list[tuple[int, str]] = []
        for r, _ in creates:
            add += [(site_id[r.code], h, i == 0) for i, h in enumerate(r.domains)]
        for r, snap, diff in updates:
            if "domains" not in diff:
                continue
            before, after = set(snap["domains"]), set(r.domains)
            drop += sorted(before - after)
            add += [(snap["id"], h, h == r.domains[0]) for h in r.domains if h not in before]
            if r.domains and snap["domains"] and r.domains[0] != snap["domains"][0]:
                primary_changes.append((snap["id"], r.domains[0]))
        for i in range(0, len(drop), 500):
            Domain.objects.filter(host__in=drop[i:i + 500]).delete()
        for sid, host in primary_changes:
            Domain.objects.filter(site_id=sid).update(is_primary=False)
            Domain.objects.filter(site_id=sid, host=host).update(is_primary=True)
        fast_insert(Domain, ["site_id", "host", "is_primary"], add)

        # History.
        history = [(site_id[r.code], stamp, actor, SiteChange.Action.CREATE, db_json(c), reason)
                   for r, c in creates]
        for _r, snap, diff in updates:
            action = SiteChange.Action.STATUS if set(diff) <= {"status", "merged_into", "migration_state"} else SiteChange.Action.UPDATE
            history.append((snap["id"], stamp, actor, action, db_json(diff), reason))
        fast_insert(SiteChange, ["site_id", "at", "actor", "action", "changes", "reason"], history)
    result.created, result.updated, result.changes = len(creates), len(updates), len(history)
    if result.created + result.updated >= ANALYZE_AFTER_ROWS:
        analyze(Site, Domain)
    return result


def import_file(
    path: Path, actor: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES, dry_run: bool = False
) -> ImportResult:
    """Validate and import a registry table. Raises TableError or ImportRejected; on either,
    the database is untouched. `dry_run` does everything, reports the counts and rolls back."""
    index = RegistryIndex()
    records, rows, parser = parse_table(path, index, max_bytes=max_bytes)
    with transaction.atomic():
        result = apply_records(records, index, actor or default_actor(), reason=f"导入 {path.name}", rows=rows)
        if dry_run:
            transaction.set_rollback(True)
    if parser.unknown:
        result.warnings.append("已忽略无法识别的列：" + "、".join(parser.unknown))
    return result


def records_to_rows(records: Iterable[SiteRecord], index: RegistryIndex) -> Iterator[list[str]]:
    """Records in table form (the export's and the generator's --out format)."""
    from govsite.registry.records import CATEGORY_LABELS, CLASS_LABELS, MIGRATION_LABELS, STATUS_LABELS

    for r in records:
        province, city, county = index.chain(r.region)
        dept = index.departments.get(r.department) if r.department else None
        contacts = {c["role"]: c for c in r.contacts}
        contact_cells = [contacts.get(role, {}).get(key, "") for role in CONTACT_ROLES for _, key in CONTACT_FIELDS]
        yield [
            r.code, r.name, r.home_url, ";".join(r.domains), CATEGORY_LABELS[r.category], CLASS_LABELS[r.site_class],
            LEVEL_LABELS[r.level], province, city, county, dept.name if dept else "", r.sponsor, r.sponsor_address,
            r.operator, r.icp, r.police_record, r.conac_id, *contact_cells, STATUS_LABELS[r.status], r.merged_into,
            MIGRATION_LABELS.get(r.migration_state, ""),
        ]

