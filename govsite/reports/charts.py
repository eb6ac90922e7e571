"""Charts for the notice (matplotlib, Agg backend, Noto CJK font): pass rate by region, the
quarter-on-quarter national trend, and self-check ratios against the 30 % line."""

from __future__ import annotations

import io
import subprocess
from dataclasses import dataclass
from functools import lru_cache

from govsite.reports.data import NoticeData, Quarter, pct

_FONT_CANDIDATES = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "Droid Sans Fallback")


@dataclass
class Chart:
    name: str
    caption: str
    png: bytes
    width_cm: float


@lru_cache(maxsize=1)
def cjk_font_path() -> str | None:
    """The file of the first installed CJK sans font (fontconfig), or None."""
    for family in _FONT_CANDIDATES:
        try:
            out = subprocess.run(
                ["fc-match", "-f", "%{family}|%{file}", f"{family}:lang=zh-cn"],
                capture_output=True, text=True, timeout=10, check=False,
            ).stdout
        except (OSError, subprocess.TimeoutExpired):
            return None
        fam, _, path = out.partition("|")
        if family.split()[0].lower() in fam.lower() and path:
            return path
    return None


@lru_cache(maxsize=1)
def _setup():  # noqa: ANN202 - returns matplotlib modules (once: registering the CJK font parses a large TTC)
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    path = cjk_font_path()
    if path:
        font_manager.fontManager.addfont(path)
        name = font_manager.FontProperties(fname=path).get_name()
        plt.rcParams["font.family"] = [name]
    plt.rcParams["axes.unicode_minus"] = False
    return plt


def _png(fig) -> bytes:  # noqa: ANN001 - a matplotlib Figure
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150)
    fig.clf()
    return buf.getvalue()


def region_pass_rates(data: NoticeData) -> Chart:
    plt = _setup()
    regions = sorted(data.regions, key=lambda r: r.order)
    names = [r.short for r in regions]
    rates = [r.sample.rate if r.sample.rate is not None else 0 for r in regions]
    fig, ax = plt.subplots(figsize=(10, 3.6))
    colors = ["#c0392b" if r.sample.sampled and not r.sample.all_passed else "#2e6da4" for r in regions]
    ax.bar(range(len(names)), rates, color=colors)
    national = data.sample.rate
    note = ""
    if national is not None:
        ax.axhline(national, color="#555", linestyle="--", linewidth=1)
        note = f"（虚线为全国 {national}%，红色为未全部合格的地区）"
    ax.set_xticks(range(len(names)), names, rotation=90, fontsize=9)
    ax.set_ylim(0, 105)
    ax.set_ylabel("合格率（%）")
    ax.set_title(f"{data.q.label}各地区政府网站抽查合格率{note}", fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return Chart("pass_rate_by_region", f"图1　{data.q.label}各地区政府网站抽查合格率", _png(fig), 15.5)


def national_trend(data: NoticeData) -> Chart:
    plt = _setup()
    q = data.q
    points: list[tuple[str, int]] = []
    past = q
    for h in data.sample_history:
        past = past.previous()
        if h is not None and h.rate is not None:
            points.append((_short(past), h.rate))
    points.reverse()
    if data.sample.rate is not None:
        points.append((_short(q), data.sample.rate))
    fig, ax = plt.subplots(figsize=(6, 3.2))
    xs = list(range(len(points)))
    ax.plot(xs, [p[1] for p in points], marker="o", color="#2e6da4")
    for x, (_, v) in zip(xs, points, strict=True):
        ax.annotate(f"{v}%", (x, v), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=9)
    ax.set_xticks(xs, [p[0] for p in points])
    low = min([p[1] for p in points], default=0)
    ax.set_ylim(max(0, low - 10), 102)
    ax.set_ylabel("合格率（%）")
    ax.set_title("全国政府网站抽查总体合格率（按季度）")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return Chart("national_trend", "图2　全国政府网站抽查总体合格率变化", _png(fig), 11)


def selfcheck_ratios(data: NoticeData, line: int = 30) -> Chart:
    plt = _setup()
    fig, axes = plt.subplots(2, 1, figsize=(10, 6.4))
    for ax, kind, label in ((axes[0], "region", "各地区"), (axes[1], "department", "国务院部门")):
        units = sorted((u for u in data.units if u.kind == kind), key=lambda u: u.order)
        ratios = [pct(u.self_checked, u.running) or 0 for u in units]
        colors = ["#c0392b" if r < line else "#2e6da4" for r in ratios]
        ax.bar(range(len(units)), ratios, color=colors)
        ax.axhline(line, color="#c0392b", linestyle="--", linewidth=1)
        ax.text(len(units) - 0.5, line + 2, f"{line}%", color="#c0392b", ha="right", fontsize=9)
        ax.set_xticks(range(len(units)), [u.short for u in units], rotation=90, fontsize=7 if kind == "department" else 9)
        ax.set_ylim(0, 105)
        ax.set_ylabel("自查比例（%）")
        ax.set_title(f"{label}季度自查比例", fontsize=11)
        ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return Chart("selfcheck_ratio", f"图3　各地区、各部门政府网站季度自查比例（虚线为{line}%）", _png(fig), 15.5)


def _short(q: Quarter) -> str:
    return f"{q.year}年Q{q.q}"


def all_charts(data: NoticeData) -> list[Chart]:
    return [region_pass_rates(data), national_trend(data), selfcheck_ratios(data)]
