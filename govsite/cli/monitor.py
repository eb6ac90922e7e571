"""`govsite monitor`: the home-page availability prober whose probes V15-1 / D15-1 read."""

from __future__ import annotations

import asyncio

import click

from govsite.cli.check import _check_url, _parse_as_of, _parse_resolve
from govsite.cli.errors import UserError


@click.command("monitor")
@click.argument("urls", nargs=-1, required=True)
@click.option("--days", default=7.0, show_default=True, type=click.FloatRange(0.001, 366))
@click.option("--per-day", default=20, show_default=True, type=click.IntRange(1, 86400))
@click.option("--timeout", default=15.0, show_default=True, type=click.FloatRange(0.1, 600), help="探测超时（秒，≥ 此值即失败）")
@click.option("--log", "log_file", required=True, help="探测日志（JSON Lines，追加写入）")
@click.option("--time-warp", default=1.0, show_default=True, type=click.FloatRange(1.0, 1e7),
              help="模拟时钟倍速（与 govsite farm serve 的 time_warp 一致，可在几秒内跑完一周）")
@click.option("--start", help="模拟时钟起点（ISO 时间；默认现在，或用服务器的 X-Farm-Clock）")
@click.option("--resolve", multiple=True, help="HOST:PORT:ADDR，同 curl（可重复）")
@click.option("--allow-private", is_flag=True, help="允许内网/回环地址（仅用于本地测试站点）")
def monitor_cmd(urls, days, per_day, timeout, log_file, time_warp, start, resolve, allow_private) -> None:  # noqa: ANN001
    """Probe home pages N times a day for D days and log each probe (V15-1 / D15-1 input)."""
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


def register(main: click.Group) -> None:
    main.add_command(monitor_cmd)
