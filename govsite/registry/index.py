"""In-memory look-ups of the reference data (regions, departments) for fast validation,
export and generation. Built with a handful of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from govsite.registry.models import Department, Region
from govsite.registry.reference import PROVINCE_SHORT


@dataclass(frozen=True)
class RegionInfo:
    id: int
    code: str
    name: str
    level: str
    parent: str | None  # parent code
    notice_order: int


class RegistryIndex:
    def __init__(self) -> None:
        self.regions: dict[str, RegionInfo] = {}
        self.region_by_id: dict[int, RegionInfo] = {}
        ids_to_code: dict[int, str] = dict(Region.objects.values_list("id", "code"))
        for rid, code, name, level, parent_id, order in Region.objects.values_list(
            "id", "code", "name", "level", "parent_id", "notice_order"
        ):
            info = RegionInfo(rid, code, name, level, ids_to_code.get(parent_id), order)
            self.regions[code] = info
            self.region_by_id[rid] = info
        self.children: dict[str | None, list[RegionInfo]] = defaultdict(list)
        for info in self.regions.values():
            self.children[info.parent].append(info)
        self.provinces = sorted(self.children[None], key=lambda r: (r.notice_order or 99, r.code))
        self.province_by_name: dict[str, RegionInfo] = {}
        for p in self.provinces:
            self.province_by_name[p.name] = p
            if p.code in PROVINCE_SHORT:
                self.province_by_name[PROVINCE_SHORT[p.code]] = p
        self.child_by_name: dict[tuple[str, str], RegionInfo] = {}
        for parent, kids in self.children.items():
            if parent is not None:
                for kid in kids:
                    self.child_by_name[(parent, kid.name)] = kid
        # Counties by (province code, name), for files that leave 市 empty.
        self.county_by_province_name: dict[tuple[str, str], list[RegionInfo]] = defaultdict(list)
        for info in self.regions.values():
            if info.level == "county":
                self.county_by_province_name[(self.province_of(info).code, info.name)].append(info)
        # Cities without counties (东莞, 中山, 儋州 …) also stand for county-level sites.
        self.childless_cities = {r.code for r in self.regions.values() if r.level == "city" and not self.children[r.code]}

        self.departments: dict[str, Department] = {d.code: d for d in Department.objects.all()}
        self.department_by_id = {d.id: d for d in self.departments.values()}
        self.department_by_name: dict[str, Department] = {}
        for d in self.departments.values():
            self.department_by_name[d.name] = d
            if d.short_name:
                self.department_by_name.setdefault(d.short_name, d)

    def province_of(self, info: RegionInfo) -> RegionInfo:
        while info.parent is not None:
            info = self.regions[info.parent]
        return info

    def chain(self, code: str | None) -> tuple[str, str, str]:
        """(省, 市, 县) names of a region, as the export writes them."""
        if not code or code not in self.regions:
            return "", "", ""
        names = {"province": "", "city": "", "county": ""}
        info: RegionInfo | None = self.regions[code]
        while info is not None:
            names[info.level] = info.name
            info = self.regions[info.parent] if info.parent else None
        return names["province"], names["city"], names["county"]

    def find_department(self, value: str) -> Department | None:
        value = value.strip()
        return self.departments.get(value) or self.department_by_name.get(value)
