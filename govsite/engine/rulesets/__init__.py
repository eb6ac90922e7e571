"""Rule sets as data: one TOML file per rule set, loaded and validated at start.

Every threshold, window and point value is a table `{ value = …, conf = "C"|"S"|"U" }` so the
unconfirmed ones stay visible and can be changed without touching code."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
KINDS = ("veto", "deduct", "bonus", "guideline")
CONFIDENCE = ("C", "S", "U")
_META_KEYS = {"id", "name", "kind", "required", "automated"}


class RuleSetError(ValueError):
    """The rule-set file is missing or malformed; the message names the file and the field."""


@dataclass
class Param:
    value: Any
    conf: str
    note: str = ""
    days: int | None = None


@dataclass
class IndicatorRule:
    id: str
    name: str
    kind: str
    required: bool = False
    automated: bool = True
    params: dict[str, Param] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        p = self.params.get(key)
        return p.value if p is not None else default


@dataclass
class RuleSet:
    id: str
    name: str
    path: str
    settings: dict[str, Param]
    windows: dict[str, Param]
    indicators: dict[str, IndicatorRule]

    def setting(self, key: str, default: Any = None) -> Any:
        p = self.settings.get(key)
        return p.value if p is not None else default

    def rule(self, indicator_id: str) -> IndicatorRule:
        return self.indicators[indicator_id]


def _param(where: str, key: str, raw: Any) -> Param:
    if not isinstance(raw, dict) or "value" not in raw or "conf" not in raw:
        raise RuleSetError(f"{where}: {key} 必须写成 {{ value = …, conf = \"C|S|U\" }}")
    if raw["conf"] not in CONFIDENCE:
        raise RuleSetError(f"{where}: {key} 的 conf 必须是 C、S 或 U，收到 {raw['conf']!r}")
    extra = set(raw) - {"value", "conf", "note", "days"}
    if extra:
        raise RuleSetError(f"{where}: {key} 含未知字段 {sorted(extra)}")
    return Param(value=raw["value"], conf=raw["conf"], note=str(raw.get("note", "")), days=raw.get("days"))


def load_ruleset(name_or_path: str = "RS2015") -> RuleSet:
    """Load `RS2015` (bundled) or a TOML file path; raise RuleSetError with a clear message."""
    p = Path(name_or_path)
    if not p.suffix:
        p = HERE / f"{name_or_path.lower()}.toml"
    if not p.is_file():
        known = ", ".join(sorted(f.stem.upper() for f in HERE.glob("*.toml")))
        raise RuleSetError(f"未知的规则集 {name_or_path!r}（可用: {known}）")
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RuleSetError(f"规则集文件 {p} 无法解析: {exc}") from exc
    head = data.get("ruleset")
    if not isinstance(head, dict) or not head.get("id"):
        raise RuleSetError(f"规则集文件 {p} 缺少 [ruleset] 段或 id")
    settings = {k: _param(f"{p.name} [ruleset]", k, v) for k, v in head.items() if k not in ("id", "name", "valid_from", "valid_to")}
    for key in ("start_score", "pass_mark"):
        if key not in settings or not isinstance(settings[key].value, int | float):
            raise RuleSetError(f"{p.name} [ruleset]: 缺少数值 {key}")
    windows: dict[str, Param] = {}
    for k, v in (data.get("windows") or {}).items():
        w = _param(f"{p.name} [windows]", k, v)
        if not isinstance(w.value, dict) or not set(w.value) <= {"days", "weeks", "months", "years"} or not w.value:
            raise RuleSetError(f"{p.name} [windows]: {k} 的 value 须为 {{ weeks|months|years|days = n }}")
        if not all(isinstance(n, int) and n > 0 for n in w.value.values()):
            raise RuleSetError(f"{p.name} [windows]: {k} 的时长必须是正整数")
        windows[k] = w
    indicators: dict[str, IndicatorRule] = {}
    for i, raw in enumerate(data.get("indicator") or []):
        where = f"{p.name} 第 {i + 1} 个 [[indicator]]"
        if not isinstance(raw, dict) or not raw.get("id") or not raw.get("name"):
            raise RuleSetError(f"{where}: 缺少 id 或 name")
        if raw.get("kind") not in KINDS:
            raise RuleSetError(f"{where} ({raw['id']}): kind 必须是 {'/'.join(KINDS)}")
        if raw["id"] in indicators:
            raise RuleSetError(f"{where}: 指标 {raw['id']} 重复")
        params = {k: _param(f"{where} ({raw['id']})", k, v) for k, v in raw.items() if k not in _META_KEYS}
        for k, prm in params.items():
            if (k.startswith("points") or k == "cap") and not (isinstance(prm.value, int | float) and prm.value >= 0):
                raise RuleSetError(f"{where} ({raw['id']}): {k} 必须是非负数")
        indicators[raw["id"]] = IndicatorRule(
            id=raw["id"], name=raw["name"], kind=raw["kind"], required=bool(raw.get("required", False)),
            automated=bool(raw.get("automated", True)), params=params,
        )
    if not indicators:
        raise RuleSetError(f"{p.name}: 没有任何 [[indicator]]")
    return RuleSet(id=head["id"], name=str(head.get("name", head["id"])), path=str(p), settings=settings,
                   windows=windows, indicators=indicators)


@functools.cache
def _spans() -> tuple[tuple[date, Any, str], ...]:
    """(valid_from, valid_to, id) of every bundled rule-set file, read once per process (the
    checks of a campaign ask once per site)."""
    spans = []
    for f in sorted(HERE.glob("*.toml")):
        try:
            head = tomllib.loads(f.read_text(encoding="utf-8")).get("ruleset") or {}
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            continue
        start = head.get("valid_from")
        if head.get("id") and start:
            spans.append((date.fromisoformat(str(start)), head.get("valid_to"), head["id"]))
    spans.sort()
    if not spans:
        raise RuleSetError("没有可用的规则集文件")
    return tuple(spans)


def ruleset_for(as_of: date) -> str:
    """The bundled rule set in force on `as_of` (its `valid_from`..`valid_to`): RS2015 until
    2019-03-31, RS2019 after. Before the first one, the earliest."""
    spans = _spans()
    for start, end, rid in reversed(spans):
        if as_of >= start and (not end or as_of <= date.fromisoformat(str(end))):
            return rid
    return spans[0][2]
