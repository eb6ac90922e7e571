"""`govsite farm ...` commands: serve, manifest, export the synthetic government-site farm."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from govsite.cli.errors import UserError

MAX_SITES = 20000


def _farm(sites: str, seed: str, as_of: str | None, port: str, warp: str = "1",  # noqa: ANN202 - Farm
          opt_in: tuple[str, ...] = ()):
    from govsite.farm.model import OPT_IN, Farm

    try:
        n = int(sites)
    except ValueError:
        raise UserError(f"--sites 必须是整数，收到 {sites!r}") from None
    if not 1 <= n <= MAX_SITES:
        raise UserError(f"--sites 必须在 1 到 {MAX_SITES} 之间，收到 {n}")
    try:
        s = int(seed)
    except ValueError:
        raise UserError(f"--seed 必须是非负整数，收到 {seed!r}") from None
    if s < 0:
        raise UserError(f"--seed 必须是非负整数，收到 {s}")
    if as_of is None:
        day = date.today()
    else:
        try:
            day = date.fromisoformat(as_of)
        except ValueError:
            raise UserError(f"--as-of 必须是 YYYY-MM-DD 格式的日期，收到 {as_of!r}") from None
        if not 2000 <= day.year <= 2100:
            raise UserError(f"--as-of 年份应在 2000 到 2100 之间，收到 {as_of}")
    try:
        p = int(port)
    except ValueError:
        raise UserError(f"--port 必须是整数，收到 {port!r}") from None
    if not 1 <= p <= 65535:
        raise UserError(f"--port 必须在 1 到 65535 之间，收到 {p}")
    try:
        w = float(warp)
    except ValueError:
        raise UserError(f"--time-warp 必须是正数，收到 {warp!r}") from None
    if not 0 < w <= 1e7 or w != w:
        raise UserError(f"--time-warp 必须大于 0 且不超过 10000000，收到 {warp}")
    kinds = sorted({k.strip() for v in opt_in for k in v.split(",") if k.strip()})
    unknown = [k for k in kinds if k not in OPT_IN]
    if unknown:
        raise UserError(f"--opt-in 不认识的缺陷类型 {', '.join(unknown)}；可选：{', '.join(sorted(OPT_IN))}")
    return Farm(s, n, day, port=p, time_warp=w, opt_in=kinds)


_common = [
    click.option("--sites", "sites", default="10", show_default=True, help="站点数量 (1–20000)"),
    click.option("--seed", "seed", default="1", show_default=True, help="随机种子（同一种子生成完全相同的站点）"),
    click.option("--as-of", "as_of", default=None, help="站点内容的基准日期 YYYY-MM-DD（默认今天）"),
    click.option("--port", "port", default="8080", show_default=True, help="监听端口（也写入清单中的 URL）"),
    click.option("--opt-in", "opt_in", multiple=True,
                 help="另外播种默认关闭的缺陷类型（可重复或用逗号分隔，如 stale_replies,slow_replies）"),
]


def _with_common(f):  # noqa: ANN001, ANN202
    for opt in reversed(_common):
        f = opt(f)
    return f


def register(main: click.Group) -> None:
    @main.group()
    def farm() -> None:
        """模拟政府网站群（本机回环地址上的合成站点，附带缺陷清单）。"""

    @farm.command()
    @_with_common
    @click.option("--manifest", "manifest_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
                  help="启动时把清单（JSON）写入该文件")
    @click.option("--time-warp", "warp", default="1", show_default=True, help="模拟时钟倍速（可用性时间表按此加速）")
    @click.option("--front", type=click.Choice(["asyncio", "aiohttp"]), default="asyncio", show_default=True,
                  help="HTTP 前端：精简的 asyncio 协议（默认）或 aiohttp（用于对比）")
    def serve(sites: str, seed: str, as_of: str | None, port: str, opt_in: tuple[str, ...],
              manifest_file: Path | None, warp: str, front: str) -> None:
        """在 127.0.0.1 上按 Host 头提供所有站点。"""
        f = _farm(sites, seed, as_of, port, warp, opt_in)
        from govsite.farm import manifest, server

        if manifest_file is not None:
            try:
                manifest_file.write_text(manifest.dumps(manifest.build(f)), encoding="utf-8")
            except OSError as e:
                raise UserError(f"无法写入清单文件 {manifest_file}: {e.strerror}") from None
        click.echo(f"farm: {f.n} 个站点, seed={f.seed}, as-of={f.as_of}, http://127.0.0.1:{f.port}/ "
                   f"(time warp ×{f.time_warp:g})", err=True)
        try:
            server.run(f, warp=f.time_warp, front=front)
        except OSError as e:
            raise UserError(f"无法监听 127.0.0.1:{f.port}: {e.strerror or e}") from None

    @farm.command(name="manifest")
    @_with_common
    @click.option("--time-warp", "warp", default="1", show_default=True, help="记录在清单中的时钟倍速")
    @click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
                  help="写入文件（默认输出到标准输出）")
    def manifest_cmd(sites: str, seed: str, as_of: str | None, port: str, opt_in: tuple[str, ...], warp: str,
                     output: Path | None) -> None:
        """输出站点群的真实缺陷清单（JSON）。"""
        f = _farm(sites, seed, as_of, port, warp, opt_in)
        from govsite.farm import manifest

        data = manifest.dumps(manifest.build(f))
        if output is None:
            click.echo(data, nl=False)
        else:
            try:
                output.write_text(data, encoding="utf-8")
            except OSError as e:
                raise UserError(f"无法写入 {output}: {e.strerror}") from None

    @farm.command()
    @click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
    @_with_common
    @click.option("--nginx-conf/--no-nginx-conf", default=True, show_default=True,
                  help="同时写出可独立运行的 nginx.conf（nginx -c DIR/nginx.conf）")
    def export(directory: Path, sites: str, seed: str, as_of: str | None, port: str, opt_in: tuple[str, ...],
               nginx_conf: bool) -> None:
        """把站点群导出为静态文件（按主机名分目录）和 nginx 配置。"""
        f = _farm(sites, seed, as_of, port, "1", opt_in)
        from govsite.farm import export as export_mod

        if directory.exists() and any(directory.iterdir()):
            raise UserError(f"目标目录 {directory} 非空，请指定一个新目录或空目录")
        try:
            directory.mkdir(parents=True, exist_ok=True)
            stats = export_mod.export(f, directory)
            if nginx_conf:
                conf = export_mod.write_nginx_conf(directory, f.port)
                click.echo(f"nginx: nginx -c {conf.resolve()}", err=True)
        except OSError as e:
            raise UserError(f"导出失败: {e}") from None
        click.echo(f"exported {stats['sites']} sites, {stats['files']} files, {stats['bytes']} bytes -> {directory}")
