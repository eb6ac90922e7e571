"""Migration check, Django side: keep a site's content inventory, check it against the site it
was merged into, store the report and set the site's 迁移状态 (with a change record)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from govsite.engine import inventory as inv_mod
from govsite.registry.models import ContentInventory, MigrationReport, Site, SiteChange


class MigrationError(ValueError):
    pass


def get_site(code: str) -> Site:
    site = Site.objects.filter(code=code.strip()).select_related("merged_into").first()
    if site is None:
        raise MigrationError(f"名录中没有标识码为 {code} 的网站")
    return site


def _domains(site: Site) -> list[str]:
    return list(site.domains.values_list("host", flat=True))


def snapshot(code: str, fetcher_factory: Callable[[], object], url_for: Callable[[Site], str], *,
             max_pages: int = 300, max_depth: int = 4, actor: str = "system") -> ContentInventory:
    """Crawl the site and keep its inventory (the newest is the one a later check uses)."""
    site = get_site(code)
    url = url_for(site)
    domains = _domains(site)  # read here: no database access inside the event loop

    async def run() -> tuple[inv_mod.Inventory, object]:
        async with fetcher_factory() as fetcher:  # type: ignore[attr-defined]
            return await inv_mod.crawl_inventory(url, fetcher, domains=domains, max_pages=max_pages,
                                                 max_depth=max_depth)

    inv, crawler = asyncio.run(run())
    home = getattr(crawler, "home", None)
    if home is None or home.error or not inv.items:
        why = (home.error or f"HTTP {home.status}") if home is not None and (home.error or not home.html) else "未找到任何文章"
        raise MigrationError(f"{site}：无法建立内容清单（{url}：{why}），未保存")
    with transaction.atomic():
        kept = ContentInventory.objects.create(site=site, start_url=url, pages=inv.pages, articles=len(inv.articles),
                                               files=len(inv.files), items=inv.to_json()["items"])
        if site.status in (Site.Status.CLOSED, Site.Status.MERGED) and site.migration_state == "":
            # Content kept, not verified yet: 待迁移.
            Site.objects.filter(pk=site.pk).update(migration_state=Site.MigrationState.PENDING)
            SiteChange.objects.create(site=site, actor=actor, action=SiteChange.Action.UPDATE,
                                      changes={"migration_state": ["", str(Site.MigrationState.PENDING)]},
                                      reason=f"保存内容清单：文章 {len(inv.articles)} 篇，文件 {len(inv.files)} 个")
    return kept


def resolve_target(site: Site, target_code: str | None) -> Site:
    if target_code:
        target = Site.objects.filter(code=target_code.strip()).first()
        if target is None:
            raise MigrationError(f"迁移目标 {target_code} 不在名录中（数据库未作任何修改）")
    elif site.merged_into_id is not None:
        target = site.merged_into
    elif site.status == Site.Status.MERGED:
        raise MigrationError(f"{site} 已标记为“已整合”，但名录中没有登记整合至哪个网站；请先在名录中补全“整合至”，"
                             "或用 --target 指定（数据库未作任何修改）")
    else:
        raise MigrationError(f"{site} 不是已整合网站；请用 --target 指定迁移目标网站的标识码")
    if target is None or target.pk == site.pk:
        raise MigrationError(f"{site} 的迁移目标不能是它自己")
    return target


@dataclass
class CheckOutcome:
    report: MigrationReport
    result: inv_mod.MigrationResult
    target: Site
    before: str


def check(code: str, fetcher_factory: Callable[[], object], url_for: Callable[[Site], str], *,
          target_code: str | None = None, actor: str = "system", max_pages: int = 400, max_depth: int = 5,
          ) -> CheckOutcome:
    """Check the site's newest inventory against its target. Errors leave the registry unchanged."""
    site = get_site(code)
    target = resolve_target(site, target_code)
    inventory = site.inventories.order_by("-taken_at", "-id").first()
    if inventory is None:
        raise MigrationError(f"{site} 没有保存的内容清单：请在关停/整合前运行 "
                             f"`govsite registry migration {site.code} --snapshot`")
    old = inv_mod.Inventory.from_json({"start_url": inventory.start_url, "pages": inventory.pages,
                                       "items": inventory.items})
    target_url = url_for(target)
    target_domains = _domains(target)

    async def run() -> inv_mod.MigrationResult:
        async with fetcher_factory() as fetcher:  # type: ignore[attr-defined]
            return await inv_mod.check_migration(old, target_url, fetcher, target_domains=target_domains,
                                                 max_pages=max_pages, max_depth=max_depth)

    try:
        result = asyncio.run(run())
    except inv_mod.TargetUnreachable as exc:
        raise MigrationError(f"{exc}；未作核验，数据库未作任何修改") from exc
    state = Site.MigrationState.VERIFIED if result.complete else Site.MigrationState.INCOMPLETE
    before = site.migration_state
    with transaction.atomic():
        report = MigrationReport.objects.create(
            site=site, target=target, inventory=inventory, actor=actor, state=state, counts=result.counts,
            missing=[{"title": i.title, "date": i.date, "url": i.url, "kind": i.kind} for i in result.missing],
            moved=[{"title": i.title, "date": i.date, "url": i.url, "target_url": i.target_url}
                   for i in result.items if i.state == "moved"],
        )
        if before != state:
            Site.objects.filter(pk=site.pk).update(migration_state=state)
            SiteChange.objects.create(site=site, actor=actor, action=SiteChange.Action.UPDATE,
                                      changes={"migration_state": [before, str(state)]},
                                      reason=f"迁移核验：目标 {target.code}，缺失 {result.count('missing')} 条")
    return CheckOutcome(report=report, result=result, target=target, before=before)
