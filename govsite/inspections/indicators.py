"""Indicator ids in words (for the problem-site list), and re-scoring a reviewed report.

Names come from the engine's rule-set data files when present (one source of truth); the
table below covers ids those files do not define (spec/rules.md)."""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path

STATUSES = ("ok", "deduct", "veto", "bonus", "na", "error")
PROBLEM_STATUSES = ("veto", "deduct")

_FALLBACK_NAMES = {
    "V15-1": "站点无法访问",
    "V15-2": "网站不更新",
    "V15-3": "栏目不更新",
    "V15-4": "严重错误",
    "V15-5": "互动回应差",
    "D15-1": "首页可用性不达标",
    "D15-2": "存在错链断链",
    "D15-3": "首页栏目更新量不足",
    "D15-4": "基本信息更新不及时或不准确",
    "D15-5": "政务咨询类栏目缺失或无效",
    "D15-6": "调查征集类栏目缺失或活动过少",
    "D15-7": "互动访谈类栏目无访谈",
    "D15-8": "办事指南要素不全",
    "D15-9": "附件未提供下载或无法下载",
    "D15-10": "在线系统无法使用",
    "V19-1": "存在严重表述错误、泄密或安全事故等严重问题",
    "V19-2": "站点无法访问",
    "V19-3": "首页不更新",
    "V19-4": "栏目不更新",
    "V19-5": "互动回应差",
    "V19-6": "服务不实用",
    "G-NAME-1": "网站名称不规范",
    "G-NAME-2": "头部未突出显示网站名称",
    "G-DOM-1": "域名后缀不规范",
    "G-DOM-2": "门户网站域名不规范",
    "G-DOM-3": "部门网站未使用本级门户子域名",
    "G-ID-1": "底部功能区标识不全",
    "G-ID-2": "网站标识码不一致",
    "G-ID-3": "刊登商业广告",
    "G-ID-4": "未规范添加“我为政府网站找错”平台入口",
    "G-SEC-1": "发生网页篡改、挂马等安全事件",
}


@functools.cache
def indicator_names() -> dict[str, str]:
    names = dict(_FALLBACK_NAMES)
    try:
        import govsite.engine.rulesets as rulesets_pkg

        folder = Path(rulesets_pkg.__file__).parent
    except ImportError:  # pragma: no cover - the engine ships with the project
        return names
    for path in sorted(folder.glob("*.toml")):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError):
            continue
        for ind in data.get("indicator", []):
            # Keep the fuller fallback wording for problems; add ids we do not know.
            if isinstance(ind, dict) and ind.get("id") and ind.get("name"):
                names.setdefault(ind["id"], ind["name"])
    return names


def is_known(indicator_id: str) -> bool:
    return indicator_id in indicator_names()


def name_of(indicator_id: str) -> str:
    return indicator_names().get(indicator_id, indicator_id)


def problem_ids(report: dict, indicators: list[dict] | None = None) -> list[str]:
    """Ids of vetoed and deducted indicators, vetoes first, in report order."""
    items = indicators if indicators is not None else report.get("indicators") or []
    vetoes = [i["id"] for i in items if i.get("status") == "veto"]
    deducts = [i["id"] for i in items if i.get("status") == "deduct"]
    return vetoes + deducts


def problems_text(ids: list[str]) -> str:
    """Main problems in words, e.g. "站点无法访问；栏目不更新"."""
    seen: list[str] = []
    for i in ids:
        words = name_of(i)
        if words not in seen:
            seen.append(words)
    return "；".join(seen)


def rescore(report: dict, indicators: list[dict]) -> tuple[str, float | None]:
    """Verdict and score after a reviewer changed indicator statuses. Reports the engine made
    are re-scored by the engine's own scoring of their rule set (so review and engine never
    disagree on arithmetic); reports of other checkers by the generic convention below."""
    if "engine" not in report:
        return _simple_rescore(indicators)
    try:
        from govsite.engine.check import get_ruleset
        from govsite.engine.scoring import Finding, score

        rs = get_ruleset(report.get("ruleset") or "RS2015")
    except Exception:  # noqa: BLE001 - no engine or unknown rule set: the simple fallback below
        return _simple_rescore(indicators)
    findings = [
        Finding(i["id"], i.get("status", "na"), float(i.get("points") or 0.0), i.get("evidence") or [])
        for i in indicators
        if i.get("id")
    ]
    result = score(rs, findings)
    return result["verdict"], result["score"]


def _simple_rescore(indicators: list[dict]) -> tuple[str, float | None]:
    """Any veto ⇒ fail; unresolved error ⇒ incomplete; else 100 − deductions, pass at ≥ 60."""
    if any(i.get("status") == "veto" for i in indicators):
        return "fail", 0.0
    if any(i.get("status") == "error" for i in indicators):
        return "incomplete", None
    value = 100.0
    for i in indicators:
        pts = abs(float(i.get("points") or 0))
        if i.get("status") == "deduct":
            value -= pts
        elif i.get("status") == "bonus":
            value += pts
    value = max(value, 0.0)
    return ("pass" if value >= 60 else "fail"), value
