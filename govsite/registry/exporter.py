"""Export of the registry in the same table format the importer reads (export → import
changes nothing)."""

from __future__ import annotations

from pathlib import Path

from govsite.registry.importer import _db_snapshots, records_to_rows
from govsite.registry.index import RegistryIndex
from govsite.registry.records import HEADERS, SNAPSHOT_KEYS, SiteRecord
from govsite.registry.tabular import write_table


def stored_records(status: str | None = None) -> list[SiteRecord]:
    """Every stored site as a record, ordered by category then code."""
    records = []
    for code, snap in _db_snapshots().items():
        if status and snap["status"] != status:
            continue
        records.append(SiteRecord(code=code, **{k: snap[k] for k in SNAPSHOT_KEYS}))
    records.sort(key=lambda r: (r.category, r.code))
    return records


def export_file(path: Path, encoding: str = "utf-8-sig", status: str | None = None) -> int:
    """Write the registry to FILE.csv or FILE.xlsx; returns the number of sites written."""
    index = RegistryIndex()
    return write_table(path, HEADERS, records_to_rows(stored_records(status), index), encoding=encoding)
