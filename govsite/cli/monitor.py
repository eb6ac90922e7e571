"""`govsite monitor`: the home-page availability prober whose probes V15-1 / D15-1 read."""

from __future__ import annotations

import asyncio

import click

from govsite.cli.check import _check_url, _parse_as_of, _parse_resolve
from govsite.cli.errors import UserError


@click.command("monitor")
@click.argument("urls", nargs=-1)
@click.option("--days", default=7.0, show_default=True, type=click.FloatRange(0.001, 366))
@click.option("--per-day", default=20, show_default=True, type=click.IntRange(1, 86400))
@click.option("--timeout", default=15.0, show_default=True, type=click.FloatRange(0.1, 600), help="探测超时（秒，≥ 此值即失败）")
@click.option("--log", "log_file", help="探测日志（JSON Lines，追加写入；不用 --serve 时必填）")
@click.option("--time-warp", default=1.0, show_default=True, type=click.FloatRange(1.0, 1e7),
              help="模拟时钟倍速（与 govsite farm serve 的 time_warp 一致，可在几秒内跑完一周）")
@click.option("--start", help="模拟时钟起点（ISO 时间；默认现在，或用服务器的 X-Farm-Clock）")
@click.option("--resolve", multiple=True, help="HOST:PORT:ADDR，同 curl（可重复）")
@click.option("--allow-private", is_flag=True, help="允许内网/回环地址（仅用于本地测试站点）")
@click.option("--serve", is_flag=True, help="常驻服务：探测登记库中所有正常运行的网站，结果存入数据库并告警")
@click.option("--seed", default=0, show_default=True, type=int, help="--serve：探测时刻抖动的随机种子（可复现）")
@click.option("--alert-after", type=click.IntRange(1, 10000), help="--serve：连续失败几次告警网站主办单位（默认 3）")
@click.option("--concurrency", default=256, show_default=True, type=click.IntRange(1, 4096), help="--serve：同时进行的探测数")
@click.option("--duration", type=click.FloatRange(0.1, None), help="--serve：运行这么多秒后退出（默认一直运行）")
@click.option("--farm-manifest", type=click.Path(exists=True, dir_okay=False),
              help="--serve：按模拟站点群清单改用其网址并解析到 127.0.0.1（需同时 --allow-private）")
@click.option("--export", "export_code", metavar="网站标识码",
              help="把 --serve 已存储的该网站探测结果写成 --log 探测日志（供 govsite check --probe-log）")
@click.option("--since", help="--export：起始日期 YYYY-MM-DD（默认 --until 所在季度的第一天）")
@click.option("--until", help="--export：结束日期 YYYY-MM-DD（默认今天）")
def monitor_cmd(urls, days, per_day, timeout, log_file, time_warp, start, resolve, allow_private,  # noqa: ANN001, PLR0913
                serve, seed, alert_after, concurrency, duration, farm_manifest, export_code, since, until) -> None:
    """Probe home pages N times a day for D days and log each probe (V15-1 / D15-1 input);
    with --serve, probe every running registry site for good and store the probes; with
    --export, write a site's stored probes for any window as a probe log."""
    if export_code:
        if serve or urls or not log_file:
            raise UserError("--export 需要 --log 输出文件，且不能与 --serve 或网址同用")
        _export(export_code, since, until, log_file)
        return
    if serve:
        if urls or log_file:
            raise UserError("--serve 探测登记库中的网站：不要同时给出网址或 --log")
        _serve(per_day=per_day, timeout=timeout, time_warp=time_warp, start=start, resolve=resolve,
               allow_private=allow_private, seed=seed, alert_after=alert_after, concurrency=concurrency,
               duration=duration, farm_manifest=farm_manifest)
        return
    if not urls:
        raise UserError("请给出要探测的网址，或用 --serve 探测登记库中的网站")
    if not log_file:
        raise UserError("请用 --log 指定探测日志文件")
    from govsite.engine.fetch import _literal_forbidden, is_forbidden_ip
    from govsite.engine.indicators.availability import run_monitor
    from govsite.engine.urls import host_of

    for u in urls:
        _check_url(u)
    res_map = _parse_resolve(resolve)
    if not allow_private:
        for u in urls:
            h = host_of(u)
            mapped = [a for (hh, _p), addrs in res_map.items() if hh in (h, "*") for a in addrs]
            if _literal_forbidden(h) or any(is_forbidden_ip(a) for a in mapped):
                raise UserError(f"{u} 指向内网/回环地址，已拒绝。仅对本地测试站点使用 --allow-private")
    start_dt = _parse_as_of(start) if start else None
    failed = 0
    total = 0

    def on_probe(p) -> None:  # noqa: ANN001
        nonlocal failed, total
        total += 1
        failed += 0 if p.ok else 1

    try:
        asyncio.run(run_monitor(list(urls), days=days, per_day=per_day, timeout=timeout, log=log_file,
                                time_warp=time_warp, start=start_dt, allow_private=allow_private, resolve=res_map,
                                on_probe=on_probe))
    except OSError as exc:
        raise UserError(f"无法写入探测日志 {log_file}: {exc}") from None
    except KeyboardInterrupt:
        click.echo("已中断；已完成的探测已写入日志", err=True)
    pct = 100.0 * failed / total if total else 0.0
    click.echo(f"探测 {total} 次，失败 {failed} 次（{pct:.2f}%），日志: {log_file}")


def _serve(*, per_day: int, timeout: float, time_warp: float, start: str | None, resolve: tuple[str, ...],
           allow_private: bool, seed: int, alert_after: int | None, concurrency: int, duration: float | None,
           farm_manifest: str | None) -> None:
    import logging
    import signal
    import time

    from asgiref.sync import sync_to_async

    from govsite.engine.monitor import Monitor, MonitorConfig
    from govsite.project.boot import setup_django

    res_map = _parse_resolve(resolve)
    start_dt = _parse_as_of(start) if start else None
    setup_django()
    from django.db import DatabaseError, close_old_connections

    from govsite.registry import availability as store

    log = logging.getLogger("govsite.monitor")
    overrides: dict[str, str] = {}
    if farm_manifest:
        from govsite.engine.fetch import parse_resolve
        from govsite.inspections.errors import InspectionError
        from govsite.inspections.farmlink import run_overrides

        try:
            overrides, farm_resolve = run_overrides(farm_manifest)
        except InspectionError as exc:
            raise UserError(str(exc)) from None
        for k, v in parse_resolve(list(farm_resolve)).items():
            res_map.setdefault(k, v)
    alert_n = alert_after or store.alert_after()

    def db(fn):  # noqa: ANN001, ANN202 - a long-running service: reconnect after a database restart
        def call(*a):  # noqa: ANN002, ANN202
            close_old_connections()
            return fn(*a)
        return sync_to_async(call, thread_sensitive=True)

    refused: set[str] = set()

    async def sites() -> list:
        try:
            rows = await db(store.running_sites)()
        except DatabaseError as exc:
            log.error("读取登记库失败（数据库暂不可用？），沿用上次的网站列表：%s", exc)
            return list(monitor._urls.items())
        out = []
        for pk, code, url in rows:
            url = overrides.get(code, url)
            if not allow_private and _refused(url, res_map):
                if url not in refused:
                    refused.add(url)
                    log.warning("%s 指向内网/回环地址，不探测（本地测试站点请加 --allow-private）", url)
                continue
            out.append((pk, url))
        return out

    pending: list = []
    last_prune = [time.monotonic()]

    async def sink(batch: list) -> None:
        pending.extend(batch)
        try:
            await db(store.store)(list(pending), alert_n)
        except DatabaseError as exc:
            # Keep the probes (bounded) and try again at the next flush.
            del pending[:-200_000]
            log.error("保存探测结果失败（数据库暂不可用？），%s 条待下次保存：%s", len(pending), exc)
            return
        pending.clear()
        if time.monotonic() - last_prune[0] > 3600:
            last_prune[0] = time.monotonic()
            n = await db(store.prune)()
            log.info("已清理 %s 条过期的原始探测记录（日汇总保留）", n)

    cfg = MonitorConfig(per_day=per_day, timeout=timeout, seed=seed, concurrency=concurrency, time_warp=time_warp,
                        start=start_dt, allow_private=allow_private, resolve=res_map)
    monitor = Monitor(cfg, sites, sink)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await monitor.run(stop=stop, duration=duration)

    click.echo(f"可用性监测：每站每天 {per_day} 次，超时 {timeout:g} 秒，连续失败 {alert_n} 次告警", err=True)
    asyncio.run(main())
    st = monitor.stats
    pct = 100.0 * st.failures / st.probes if st.probes else 0.0
    click.echo(f"监测 {st.sites} 个网站，探测 {st.probes} 次，失败 {st.failures} 次（{pct:.2f}%），"
               f"延误 {st.late} 次；结果已存入数据库")


def _export(code: str, since: str | None, until: str | None, log_file: str) -> None:
    from datetime import date, datetime

    from govsite.engine.indicators.availability import CST, write_log
    from govsite.periods import Quarter

    def day(v: str, opt: str) -> date:
        try:
            return date.fromisoformat(v.strip())
        except ValueError:
            raise UserError(f"{opt} 日期无效: {v!r}（应为 YYYY-MM-DD）") from None

    end = day(until, "--until") if until else datetime.now(CST).date()
    begin = day(since, "--since") if since else Quarter.of(end).start
    if begin > end:
        raise UserError("--since 不能晚于 --until")
    from govsite.project.boot import setup_django

    setup_django()
    from govsite.registry import availability as store
    from govsite.registry.models import Site

    site = Site.objects.filter(code=code.strip()).values_list("pk", "home_url").first()
    if site is None:
        raise UserError(f"登记库中没有网站标识码为 {code} 的网站")
    probes = store.window_probes(site[0], site[1], begin, end)
    if not probes:
        raise UserError(f"{code} 在 {begin} 至 {end} 没有已存储的探测结果（govsite monitor --serve）")
    try:
        write_log(log_file, probes)
    except OSError as exc:
        raise UserError(f"无法写入探测日志 {log_file}: {exc}") from None
    failed = sum(not p.ok for p in probes)
    click.echo(f"{code}：{begin} 至 {end} 共 {len(probes)} 次探测，失败 {failed} 次，已写入 {log_file}")


def _refused(url: str, res_map: dict) -> bool:
    from govsite.engine.fetch import _literal_forbidden, is_forbidden_ip
    from govsite.engine.urls import host_of

    h = host_of(url) or ""
    mapped = [a for (hh, _p), addrs in res_map.items() if hh in (h, "*") for a in addrs]
    return _literal_forbidden(h) or any(is_forbidden_ip(a) for a in mapped)


def register(main: click.Group) -> None:
    main.add_command(monitor_cmd)
