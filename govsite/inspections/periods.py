"""Quarters, and the supervising unit a site belongs to."""

from __future__ import annotations

import re
from dataclasses import dataclass

from govsite import periods
from govsite.inspections.errors import InspectionError


class Quarter(periods.Quarter):
    """A quarter whose bad input is an InspectionError (what campaign callers catch)."""

    error = InspectionError


@dataclass(frozen=True)
class Unit:
    """A supervising unit: a province-level region (kind "region") or a State Council department."""

    kind: str  # "region" | "department"
    code: str
    name: str
    order: int = 0

    @property
    def key(self) -> str:
        return f"{self.kind[0].upper()}:{self.code}"


class UnitIndex:
    """Maps sites to their unit in bulk (one query per table) and resolves unit names/codes."""

    def __init__(self) -> None:
        from govsite.registry.models import Department, Region

        self.provinces = {
            r.code: Unit("region", r.code, r.name, r.notice_order)
            for r in Region.objects.filter(level=Region.Level.PROVINCE)
        }
        self.departments = {
            d.pk: Unit("department", d.code, d.name, d.notice_order) for d in Department.objects.all()
        }
        self._dept_by_code = {u.code: u for u in self.departments.values()}
        self._region_code = dict(Region.objects.values_list("pk", "code"))

    def unit_of(self, category: int, region_id: int | None, department_id: int | None) -> Unit:
        """Category-1 sites (State Council departments and their vertical units) report to the
        department; every other site to the province-level region it lies in."""
        if department_id is not None and (category == 1 or region_id is None):
            return self.departments[department_id]
        code = self._region_code[region_id]
        prov = code[:2] + "0000"
        return self.provinces.get(prov) or Unit("region", prov, prov)

    def unit_of_site(self, site) -> Unit:  # noqa: ANN001 - a registry Site
        return self.unit_of(site.category, site.region_id, site.department_id)

    def resolve(self, text: str) -> Unit:
        """A unit from a region code (any level → its province), a department code or a name."""
        t = (text or "").strip()
        for u in self.provinces.values():
            if t in (u.code, u.name):
                return u
        if t in self._dept_by_code:
            return self._dept_by_code[t]
        for u in self.departments.values():
            if t == u.name:
                return u
        if re.fullmatch(r"\d{6}", t) and t[:2] + "0000" in self.provinces:
            return self.provinces[t[:2] + "0000"]
        raise InspectionError(f"未知的地区或部门“{text}”：请使用省级行政区划代码、部门编码或全称")

    def model_fields(self, unit: Unit) -> dict:
        """Foreign-key fields (unit_region / unit_department) for a unit."""
        from govsite.registry.models import Department, Region

        if unit.kind == "region":
            return {"unit_region": Region.objects.get(code=unit.code), "unit_department": None}
        return {"unit_region": None, "unit_department": Department.objects.get(code=unit.code)}

    def from_fields(self, region_id: int | None, department_id: int | None) -> Unit | None:
        if department_id is not None:
            return self.departments[department_id]
        if region_id is not None:
            return self.provinces.get(self._region_code[region_id])
        return None
