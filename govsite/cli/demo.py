"""`govsite demo`: the main job on the embedded defaults, end to end on one machine.

It builds the national registry, serves a farm of synthetic sites for a slice of it on
127.0.0.1, draws a reproducible sample, checks the sampled sites with the real engine,
accepts the automatic findings and prints pass rates by region."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import click

from govsite.cli.errors import UserError


def _wait_for_port(port: int, proc: subprocess.Popen, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise UserError(f"模拟站点群启动失败（退出码 {proc.returncode}），见 demo-farm.log")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise UserError(f"模拟站点群在 {seconds:.0f} 秒内未在端口 {port} 上启动")


def register(main: click.Group) -> None:
    @main.command()
    @click.option("--seed", default=2017, show_default=True, help="名录、站点群与抽样共用的随机种子")
    @click.option("--size", default=30, show_default=True, help="抽查网站数")
    @click.option("--farm-sites", default=300, show_default=True, help="模拟站点群的网站数")
    @click.option("--port", default=18081, show_default=True, help="站点群监听的本机端口")
    @click.option("--as-of", "as_of", default="2017-09-14", show_default=True, help="检查时点")
    def demo(seed: int, size: int, farm_sites: int, port: int, as_of: str) -> None:
        """演示：生成全国名录，启动模拟站点群，抽样、检查、确认结果并按地区统计合格率。"""
        var = Path(os.environ.get("GOVSITE_VAR_DIR", "var"))
        var.mkdir(exist_ok=True)
        manifest = var / "demo-farm.json"

        def run(*args: str) -> None:
            click.secho("$ govsite " + " ".join(args), fg="cyan", err=True)
            main.main(list(args), prog_name="govsite", standalone_mode=False)

        farm_args = ["--sites", str(farm_sites), "--seed", str(seed), "--as-of", as_of, "--port", str(port)]
        run("registry", "generate", "--like", "2017Q3", "--seed", str(seed))
        run("registry", "stats")
        run("farm", "manifest", *farm_args, "-o", str(manifest))
        with open(var / "demo-farm.log", "wb") as log:
            farm = subprocess.Popen([sys.executable, "-m", "govsite.cli", "farm", "serve", *farm_args],
                                    stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_for_port(port, farm)
            name = f"demo-2017Q3-{seed}"
            run("campaign", "draw", "--quarter", "2017Q3", "--size", str(size), "--seed", str(seed),
                "--min-per-stratum", "0", "--as-of", as_of, "--farm-manifest", str(manifest),
                "--name", name, "--replace")
            run("campaign", "run", name, "--farm-manifest", str(manifest), "--allow-private",
                "--max-pages", "40", "--time-budget", "60")
            run("campaign", "review", "auto-accept", name)
            run("campaign", "results", "--quarter", "2017Q3", "--by", "region")
        finally:
            farm.terminate()
            farm.wait(timeout=10)
