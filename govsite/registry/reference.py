"""Reference data every database carries: administrative regions (GB/T 2260, plus 新疆生产建设兵团)
and the State Council departments of 2017. Loaded by the data migration 0002 through these
functions, which take the (historical) model classes so they also work inside migrations."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"

BINGTUAN_CODE = "660000"
BINGTUAN_NAME = "新疆生产建设兵团"

# Province-level regions in the fixed order national notices list them (attachment 2).
PROVINCE_NOTICE_ORDER: tuple[tuple[str, str], ...] = (
    ("110000", "北京"), ("120000", "天津"), ("130000", "河北"), ("140000", "山西"), ("150000", "内蒙古"),
    ("210000", "辽宁"), ("220000", "吉林"), ("230000", "黑龙江"), ("310000", "上海"), ("320000", "江苏"),
    ("330000", "浙江"), ("340000", "安徽"), ("350000", "福建"), ("360000", "江西"), ("370000", "山东"),
    ("410000", "河南"), ("420000", "湖北"), ("430000", "湖南"), ("440000", "广东"), ("450000", "广西"),
    ("460000", "海南"), ("500000", "重庆"), ("510000", "四川"), ("520000", "贵州"), ("530000", "云南"),
    ("540000", "西藏"), ("610000", "陕西"), ("620000", "甘肃"), ("630000", "青海"), ("640000", "宁夏"),
    ("650000", "新疆"), (BINGTUAN_CODE, "新疆生产建设兵团"),
)
PROVINCE_SHORT: dict[str, str] = dict(PROVINCE_NOTICE_ORDER)


def division_rows() -> Iterator[dict[str, str]]:
    """Rows of divisions.csv. Three prefecture-level cities without counties (东莞, 中山, 儋州)
    appear twice in the source, as city and as county with the same code; the city row wins."""
    seen: set[str] = set()
    with open(DATA_DIR / "divisions.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["code"] in seen:
                continue
            seen.add(row["code"])
            yield row


def department_rows() -> list[dict[str, Any]]:
    with open(DATA_DIR / "departments.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        row["has_external_services"] = row["has_external_services"] == "1"
        row["notice_order"] = int(row["notice_order"])
    return rows


def load_regions(region_model: Any) -> int:
    """Create every region (idempotent: existing codes are left alone). Returns how many were created."""
    existing = set(region_model.objects.values_list("code", flat=True))
    order = {code: i for i, (code, _) in enumerate(PROVINCE_NOTICE_ORDER, 1)}
    rows = list(division_rows())
    rows.append({"code": BINGTUAN_CODE, "name": BINGTUAN_NAME, "level": "province", "parent": ""})
    created = 0
    # Parents before children: provinces, then cities, then counties.
    for level in ("province", "city", "county"):
        ids = dict(region_model.objects.values_list("code", "id"))
        batch = [
            region_model(
                code=r["code"], name=r["name"], level=level, parent_id=ids.get(r["parent"]) if r["parent"] else None,
                notice_order=order.get(r["code"], 0),
            )
            for r in rows
            if r["level"] == level and r["code"] not in existing
        ]
        region_model.objects.bulk_create(batch, batch_size=1000)
        created += len(batch)
    return created


def load_departments(department_model: Any) -> int:
    """Create or refresh the State Council departments from departments.csv (keyed by code)."""
    rows = department_rows()
    existing = {d.code: d for d in department_model.objects.all()}
    fields = ["name", "short_name", "domain_abbr", "kind", "has_external_services", "notice_order"]
    new, changed = [], []
    for row in rows:
        obj = existing.get(row["code"])
        if obj is None:
            new.append(department_model(code=row["code"], **{f: row[f] for f in fields}))
        elif any(getattr(obj, f) != row[f] for f in fields):
            for f in fields:
                setattr(obj, f, row[f])
            changed.append(obj)
    department_model.objects.bulk_create(new)
    if changed:
        department_model.objects.bulk_update(changed, fields)
    return len(new) + len(changed)
