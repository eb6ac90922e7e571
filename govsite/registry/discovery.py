"""Discovery, Django side: the registry view for classification, imported host lists, and
storing findings (unreported sites per region, suspected counterfeits)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.db import transaction

from govsite.engine import discover as D
from govsite.registry.models import DiscoveredHost, Domain, ImportedHost, Region, Site

MAX_LIST_BYTES = 16 * 1024 * 1024


class DiscoveryError(ValueError):
    pass


def _host(url: str) -> str:
    try:
        return D.to_ascii_host(urlsplit(url).hostname or "") or ""
    except ValueError:
        return ""


def registry_view() -> tuple[D.RegistryView, list[D.SiteToScan]]:
    """Every registered host (any status: a closed site's host is not "unreported"), and the
    running sites to scan."""
    sites: dict[str, D.RegisteredSite] = {}
    hosts: dict[str, str] = {}
    scan: list[D.SiteToScan] = []
    domains: dict[int, list[str]] = {}
    for site_id, host in Domain.objects.values_list("site_id", "host"):
        domains.setdefault(site_id, []).append(D.to_ascii_host(host) or host.lower())
    rows = Site.objects.values_list("id", "code", "name", "home_url", "status", "region__code", "sponsor__name")
    for sid, code, name, url, status, region, sponsor in rows.iterator(chunk_size=5000):
        host = _host(url)
        sites[code] = D.RegisteredSite(code=code, name=name, host=host, region=region or "", sponsor=sponsor or "")
        for h in [host, *domains.get(sid, [])]:
            if h:
                hosts.setdefault(h, code)
        if status == Site.Status.RUNNING and host:
            scan.append(D.SiteToScan(code=code, url=url, domains=domains.get(sid, [])))
    return D.RegistryView(sites=sites, hosts=hosts), scan


@dataclass
class ImportResult:
    hosts: int
    created: int
    registered: int  # hosts that are already in the registry (kept, they are simply skipped later)


def import_hosts(path: Path, actor: str) -> ImportResult:
    """Store an office's host list. Any junk line rejects the whole file (nothing stored)."""
    try:
        if path.stat().st_size > MAX_LIST_BYTES:
            raise DiscoveryError(f"{path.name}：文件超过 {MAX_LIST_BYTES // 1024 // 1024} MB")
        raw = path.read_bytes()
    except OSError as exc:
        raise DiscoveryError(f"无法读取 {path}：{exc.strerror or exc}") from exc
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DiscoveryError(f"{path.name}：无法识别文件编码（应为 UTF-8 或 GB18030 文本）")
    if "\x00" in text:
        raise DiscoveryError(f"{path.name}：不是文本文件")
    try:
        hosts = D.parse_host_list(text)
    except D.HostListError as exc:
        lines = [f"第 {n} 行 {line.strip()[:60]!r}：{why}" for n, line, why in exc.errors[:50]]
        more = f"\n……另有 {len(exc.errors) - 50} 行有误" if len(exc.errors) > 50 else ""
        raise DiscoveryError(f"{path.name} 未导入（{len(exc.errors)} 行有误，数据库未作任何修改）：\n"
                             + "\n".join(lines) + more) from exc
    if not hosts:
        raise DiscoveryError(f"{path.name}：文件中没有域名")
    view, _ = registry_view()
    with transaction.atomic():
        existing = set(ImportedHost.objects.filter(host__in=hosts).values_list("host", flat=True))
        new = [ImportedHost(host=h, source=path.name[:255], actor=actor) for h in hosts if h not in existing]
        ImportedHost.objects.bulk_create(new, batch_size=2000)
    return ImportResult(hosts=len(hosts), created=len(new), registered=sum(1 for h in hosts if h in view.hosts))


def save_findings(findings: list[D.Finding]) -> tuple[int, int]:
    """Upsert findings by host; (created, updated)."""
    regions = dict(Region.objects.values_list("code", "id"))
    site_ids = dict(Site.objects.filter(code__in=[f.matched_code for f in findings if f.matched_code])
                    .values_list("code", "id"))
    created = updated = 0
    with transaction.atomic():
        for f in findings:
            region = f.region if f.region in regions else (f.region[:4] + "00" if f.region[:4] + "00" in regions else "")
            _, was_created = DiscoveredHost.objects.update_or_create(
                host=f.host,
                defaults={
                    "display_host": D.display_host(f.host), "kind": f.kind,
                    "region_id": regions.get(region), "matched_site_id": site_ids.get(f.matched_code),
                    "title": (f.evidence.get("title") or "")[:256], "footer_code": (f.evidence.get("footer_code") or "")[:16],
                    "reasons": f.reasons, "evidence": f.evidence,
                },
            )
            created += was_created
            updated += not was_created
    return created, updated


def discover(fetcher_factory: Callable[[], object], url_for: Callable[[str], str], *,
             max_pages: int = 15, max_depth: int = 1, concurrency: int = 16, limit: int | None = None,
             home_url_for: Callable[[str], str] | None = None) -> D.DiscoveryResult:
    """Scan the running registered sites, probe the candidates and store the findings.
    `fetcher_factory()` returns an (unopened) Fetcher."""
    view, scan = registry_view()
    if limit:
        scan = scan[:limit]
    if home_url_for is not None:
        scan = [D.SiteToScan(s.code, home_url_for(s.url), s.domains) for s in scan]
    imported = list(ImportedHost.objects.values_list("host", flat=True))

    async def run() -> D.DiscoveryResult:
        fetcher = fetcher_factory()
        async with fetcher:  # type: ignore[attr-defined]
            return await D.run_discovery(fetcher, view, scan, imported, url_for, max_pages=max_pages,
                                         max_depth=max_depth, concurrency=concurrency)

    result = asyncio.run(run())
    save_findings(result.findings)
    return result
