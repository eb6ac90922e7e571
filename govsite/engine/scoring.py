"""Turn findings into a verdict: vetoes first, then deductions from the start score
(optionally capped per indicator, floored at 0), the pass mark, and `incomplete` when a
required observation is missing."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime

from dateutil.relativedelta import relativedelta

from govsite.engine.rulesets import IndicatorRule, RuleSet

STATUSES = ("ok", "deduct", "veto", "bonus", "na", "error")


@dataclass
class Finding:
    id: str
    status: str  # ok|deduct|veto|bonus|na|error
    points: float = 0.0  # signed effect on the score: deductions negative
    evidence: list[dict] = field(default_factory=list)  # [{url, detail}]
    summary: str = ""  # one line in Chinese for people

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "status": self.status,
            "points": round(self.points, 2),
            "summary": self.summary,
            "evidence": self.evidence,
        }


def deduction(rule: IndicatorRule, counts: dict[str, float]) -> float:
    """Points (positive) an indicator deducts for counted occurrences, capped when configured.

    `counts` keys name the rule's `points_<key>` parameters (`{"other": 13}` → 13 × points_other);
    D15-1 takes `{"pct": failure percent}` and uses `points_per_pct` with the configured rounding."""
    total = 0.0
    for key, n in counts.items():
        if not n:
            continue
        if key == "pct":
            pct = math.floor(n + 1e-9) if rule.get("rounding", "floor") == "floor" else n
            total += rule.get("points_per_pct", 0) * pct
            continue
        per = rule.get(f"points_{key}") if f"points_{key}" in rule.params else (rule.get("points") if key == "once" else None)
        if per is None:
            raise KeyError(f"{rule.id} has no points_{key}")
        total += per * n
    cap = rule.get("cap", 0) or 0
    if cap > 0:
        total = min(total, cap)
    return round(total, 6)


def window_start(ruleset: RuleSet, window: str, as_of: datetime | date) -> date:
    """First day inside the window ending at `as_of` (footnote: count back N calendar units)."""
    w = ruleset.windows[window]
    d = as_of.date() if isinstance(as_of, datetime) else as_of
    if ruleset.setting("window_mode", "calendar") == "days" and w.days:
        return d - relativedelta(days=w.days)
    return d - relativedelta(**w.value)


def score(ruleset: RuleSet, findings: list[Finding], *, portal: bool | None = None,
          external_services: bool = True) -> dict:
    """{verdict, score, deducted, vetoes, missing, part2, bonus}. Guideline findings are ignored.

    RS2019 settings (absent in RS2015, so its behaviour is unchanged): `cap_per_indicator`
    (an indicator never deducts more than its `cap`), `service_group`/`service_weight` (the 4/3
    rule: for a department without external services, services are not checked and the rest is
    scaled by start / (start − weight)), `bonus_gate` (bonus only when part 2 is above it),
    `bonus_cap` and `bonus_portal_only`. The verdict is judged on part 2; the bonus only adds."""
    service_group = ruleset.setting("service_group")
    exempt = bool(service_group) and not external_services

    def skipped(rule: IndicatorRule | None) -> bool:
        return exempt and rule is not None and rule.get("group") == service_group

    by_id = {f.id: f for f in findings}
    vetoes = [f.id for f in findings if f.status == "veto" and ruleset.indicators.get(f.id, None) is not None
              and ruleset.indicators[f.id].kind == "veto"]
    missing = [
        r.id for r in ruleset.indicators.values()
        if r.required and not skipped(r) and (r.id not in by_id or by_id[r.id].status == "error")
    ]
    per_rule: dict[str, float] = {}
    bonus = 0.0
    for f in findings:
        rule = ruleset.indicators.get(f.id)
        if rule is None or rule.kind == "guideline" or skipped(rule):
            continue
        if f.status == "deduct" and rule.kind == "deduct":
            per_rule[f.id] = per_rule.get(f.id, 0.0) - f.points
        elif f.status == "bonus" and ruleset.setting("bonus", False):
            bonus += f.points
    if ruleset.setting("cap_per_indicator", False):
        for rid, v in per_rule.items():
            cap = ruleset.indicators[rid].get("cap", 0) or 0
            if cap > 0:
                per_rule[rid] = min(v, float(cap))
    deducted = sum(per_rule.values())
    start = float(ruleset.setting("start_score", 100))
    if exempt:
        weight = float(ruleset.setting("service_weight", 0))
        part2 = (start - weight - deducted) * start / (start - weight)
    else:
        part2 = start - deducted
    if ruleset.setting("floor_at_zero", True):
        part2 = max(0.0, part2)
    part2 = round(part2, 2)
    gate = ruleset.setting("bonus_gate")
    if gate is not None and part2 <= float(gate):
        bonus = 0.0
    if ruleset.setting("bonus_portal_only", False) and not portal:
        bonus = 0.0
    bonus_cap = ruleset.setting("bonus_cap")
    if bonus_cap is not None:
        bonus = min(bonus, float(bonus_cap))
    value = round(part2 + bonus, 2)
    if vetoes:
        verdict = "fail"  # an observed veto is definitive, whatever else is missing
    elif missing:
        verdict = "incomplete"
    else:
        verdict = "pass" if part2 >= float(ruleset.setting("pass_mark", 60)) else "fail"
    return {
        "verdict": verdict,
        "score": 0.0 if vetoes else value,
        "deducted": round(deducted, 2),
        "vetoes": vetoes,
        "missing": missing,
        "part2": 0.0 if vetoes else part2,
        "bonus": 0.0 if vetoes else round(bonus, 2),
    }
