"""Quarter results other apps (reports, console) call: pass rates by region, department and
category with the change against the previous quarter, units at 100 % (also for N quarters
in a row), self-check coverage, re-verification agreement and the problem-site list.

Only final (reviewed) verdicts count: the reviewed verdict is the official one. A change
against the previous quarter is ``None`` ("not available") when either quarter has no data
for the unit — never 0."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass

from govsite.inspections import indicators as ind
from govsite.inspections.models import Campaign, CampaignSite, SelfCheckResult
from govsite.inspections.periods import Quarter, Unit, UnitIndex

NOT_AVAILABLE = "not available"
SELF_CHECK_MIN_RATIO = 0.30
GROUPS = ("region", "department", "category")


@dataclass
class RateRow:
    key: str
    name: str
    order: int
    sampled: int
    passed: int
    rate: float | None  # percent
    previous_rate: float | None
    change_pp: float | None  # percentage points; None = not available

    @property
    def change_text(self) -> str:
        return NOT_AVAILABLE if self.change_pp is None else f"{self.change_pp:+.1f}"


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _category_name(cat: int) -> str:
    from govsite.registry.models import Category

    return Category(cat).label


def _final_rows(quarter: Quarter, kind: str = Campaign.Kind.NATIONAL_SAMPLE):
    return CampaignSite.objects.filter(
        campaign__quarter=str(quarter), campaign__kind=kind, review_state=CampaignSite.ReviewState.FINAL
    ).values_list("site__category", "site__region_id", "site__department_id", "reviewed_verdict", "site_id")


def _tally(quarter: Quarter, by: str, units: UnitIndex) -> dict[str, tuple[str, int, int, int]]:
    """key → (name, order, sampled, passed) for one grouping."""
    acc: dict[str, list] = {}
    seen: set[int] = set()
    for cat, region_id, dept_id, verdict, site_id in _final_rows(quarter):
        if site_id in seen:  # a site drawn twice in one quarter (two campaigns) counts once
            continue
        seen.add(site_id)
        if by == "category":
            key, name, order = str(cat), _category_name(cat), cat
        else:
            unit = units.unit_of(cat, region_id, dept_id)
            if unit.kind != by:
                continue
            key, name, order = unit.key, unit.name, unit.order
        row = acc.setdefault(key, [name, order, 0, 0])
        row[2] += 1
        row[3] += verdict == "pass"
    return {k: tuple(v) for k, v in acc.items()}  # type: ignore[misc]


def pass_rates(quarter: str | Quarter, by: str, units: UnitIndex | None = None) -> dict:
    """Pass rates of the national sample grouped ``by`` region, department or category."""
    if by not in GROUPS:
        raise ValueError(f"by must be one of {GROUPS}")
    q = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    units = units or UnitIndex()
    now = _tally(q, by, units)
    prev = _tally(q.previous(), by, units)
    rows = []
    for key, (name, order, sampled, passed) in now.items():
        rate = _pct(passed, sampled)
        p = prev.get(key)
        prev_rate = _pct(p[3], p[2]) if p else None
        change = round(rate - prev_rate, 1) if rate is not None and prev_rate is not None else None
        rows.append(RateRow(key, name, order, sampled, passed, rate, prev_rate, change))
    rows.sort(key=lambda r: (r.order, r.key))
    sampled = sum(r.sampled for r in rows)
    passed = sum(r.passed for r in rows)
    p_sampled = sum(v[2] for v in prev.values())
    p_passed = sum(v[3] for v in prev.values())
    rate, prev_rate = _pct(passed, sampled), _pct(p_passed, p_sampled)
    return {
        "quarter": str(q),
        "by": by,
        "sampled": sampled,
        "passed": passed,
        "rate": rate,
        "previous_rate": prev_rate,
        "change_pp": round(rate - prev_rate, 1) if rate is not None and prev_rate is not None else None,
        "rows": rows,
    }


def overall(quarter: str | Quarter) -> dict:
    """The national sample's totals (all units, regions and departments together)."""
    q = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    out = {}
    for qq, label in ((q, "now"), (q.previous(), "previous")):
        seen: dict[int, str] = {}
        for *_rest, verdict, site_id in _final_rows(qq):
            seen.setdefault(site_id, verdict)
        n = len(seen)
        out[label] = (n, sum(v == "pass" for v in seen.values()))
    rate, prev = _pct(out["now"][1], out["now"][0]), _pct(out["previous"][1], out["previous"][0])
    return {
        "quarter": str(q),
        "sampled": out["now"][0],
        "passed": out["now"][1],
        "rate": rate,
        "previous_rate": prev,
        "change_pp": round(rate - prev, 1) if rate is not None and prev is not None else None,
    }


def units_at_100(quarter: str | Quarter, by: str = "region", units: UnitIndex | None = None) -> list[str]:
    res = pass_rates(quarter, by, units)
    return [r.name for r in res["rows"] if r.sampled and r.passed == r.sampled]


def consecutive_100(quarter: str | Quarter, n: int, by: str = "region") -> list[str]:
    """Units sampled and at 100 % in each of the ``n`` quarters ending with ``quarter``."""
    if n < 1:
        raise ValueError("n must be positive")
    q = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    units = UnitIndex()
    names: dict[str, str] = {}
    keep: set[str] | None = None
    for _ in range(n):
        tally = _tally(q, by, units)
        perfect = {k for k, (_nm, _o, s, p) in tally.items() if s and s == p}
        for k, (nm, *_r) in tally.items():
            names.setdefault(k, nm)
        keep = perfect if keep is None else keep & perfect
        q = q.previous()
    order = {u.key: u.order for u in [*units.provinces.values(), *units.departments.values()]}
    return [names[k] for k in sorted(keep or (), key=lambda k: (order.get(k, 0), k))]


def _running_by_unit(units: UnitIndex) -> dict[str, int]:
    from govsite.registry.models import Site

    counts: dict[str, int] = defaultdict(int)
    for cat, region_id, dept_id in Site.objects.filter(status=Site.Status.RUNNING).values_list(
        "category", "region_id", "department_id"
    ):
        counts[units.unit_of(cat, region_id, dept_id).key] += 1
    return counts


def selfcheck_coverage(quarter: str | Quarter, units: UnitIndex | None = None) -> dict:
    """Per unit: self-checked ÷ running (flagged under 30 %) and the self-check pass rate."""
    q = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    units = units or UnitIndex()
    running = _running_by_unit(units)
    checked: dict[str, dict[int, str]] = defaultdict(dict)
    for cat, region_id, dept_id, site_id, verdict in SelfCheckResult.objects.filter(
        campaign__quarter=str(q)
    ).values_list("site__category", "site__region_id", "site__department_id", "site_id", "verdict"):
        checked[units.unit_of(cat, region_id, dept_id).key][site_id] = verdict
    all_units: dict[str, Unit] = {u.key: u for u in [*units.provinces.values(), *units.departments.values()]}
    rows = []
    for key in sorted(set(running) | set(checked), key=lambda k: (k[0] != "R", all_units[k].order if k in all_units else 0, k)):
        unit = all_units.get(key)
        n_run = running.get(key, 0)
        verdicts = checked.get(key, {})
        ratio = round(len(verdicts) / n_run, 4) if n_run else None
        rows.append(
            {
                "unit": unit.name if unit else key,
                "key": key,
                "running": n_run,
                "self_checked": len(verdicts),
                "ratio": ratio,
                "below_30": ratio is not None and ratio < SELF_CHECK_MIN_RATIO,
                "pass_rate": _pct(sum(v == "pass" for v in verdicts.values()), len(verdicts)),
            }
        )
    total_run = sum(running.values())
    total_checked = sum(len(v) for v in checked.values())
    total_pass = sum(sum(x == "pass" for x in v.values()) for v in checked.values())
    return {
        "quarter": str(q),
        "running": total_run,
        "self_checked": total_checked,
        "ratio": round(total_checked / total_run, 4) if total_run else None,
        "pass_rate": _pct(total_pass, total_checked),
        "units_reporting": sum(1 for v in checked.values() if v),
        "below_30": [r["unit"] for r in rows if r["below_30"]],
        "rows": rows,
    }


def reverification(quarter: str | Quarter, units: UnitIndex | None = None) -> dict:
    """Agreement of central re-checks with the units' own self-check verdicts (经抽样复核)."""
    q = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    units = units or UnitIndex()
    own = {
        r.site_id: r
        for r in SelfCheckResult.objects.filter(campaign__quarter=str(q)).select_related("site")
    }
    per_unit: dict[str, list[int]] = {}
    disagreements = []
    for cs in CampaignSite.objects.filter(
        campaign__quarter=str(q), campaign__kind=Campaign.Kind.REVERIFICATION
    ).select_related("site"):
        central = cs.final_verdict or (cs.auto_verdict if cs.state == CampaignSite.State.DONE else "")
        mine = own.get(cs.site_id)
        if central not in ("pass", "fail") or mine is None:
            continue
        unit = units.unit_of_site(cs.site)
        tally = per_unit.setdefault(unit.name, [0, 0])
        tally[0] += 1
        if central == mine.verdict:
            tally[1] += 1
        else:
            ids = ind.problem_ids(cs.report or {}, cs.reviewed_indicators)
            disagreements.append(
                {
                    "unit": unit.name,
                    "site": cs.site.code,
                    "name": cs.site.name,
                    "self_check": mine.verdict,
                    "central": central,
                    "central_problems": ind.problems_text(ids),
                }
            )
    rows = [
        {"unit": u, "rechecked": n, "agreed": a, "agreement": _pct(a, n)} for u, (n, a) in sorted(per_unit.items())
    ]
    n = sum(r["rechecked"] for r in rows)
    a = sum(r["agreed"] for r in rows)
    return {"quarter": str(q), "rechecked": n, "agreed": a, "agreement": _pct(a, n), "rows": rows,
            "disagreements": disagreements}


def problem_sites(quarter: str | Quarter, units: UnitIndex | None = None) -> list[dict]:
    """Attachment 4: sites the national sample found failing, with the main problems in words."""
    q = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    units = units or UnitIndex()
    out: dict[int, dict] = {}
    for cs in CampaignSite.objects.filter(
        campaign__quarter=str(q),
        campaign__kind=Campaign.Kind.NATIONAL_SAMPLE,
        review_state=CampaignSite.ReviewState.FINAL,
        reviewed_verdict="fail",
    ).select_related("site"):
        unit = units.unit_of_site(cs.site)
        items = cs.reviewed_indicators if cs.reviewed_indicators is not None else (cs.report or {}).get("indicators", [])
        ids = ind.problem_ids(cs.report or {}, items)
        by_id = {i.get("id"): i for i in items}
        out.setdefault(
            cs.site_id,
            {
                "unit": unit.name,
                "unit_kind": unit.kind,
                "order": unit.order,
                "site": cs.site.code,
                "name": cs.site.name,
                "url": cs.site.home_url,
                "indicators": ids,
                "problems": ind.problems_text(ids) or "审核认定不合格",
                # What the engine (or the reviewer) saw, for the notice's wording.
                "details": [
                    {"id": i, "name": ind.name_of(i), "status": by_id[i].get("status"),
                     "summary": by_id[i].get("summary", "")}
                    for i in ids
                ],
            },
        )
    rows = sorted(out.values(), key=lambda r: (r["unit_kind"] != "region", r["order"], r["site"]))
    for i, r in enumerate(rows, start=1):
        r["no"] = i
    return rows


def summary(quarter: str, consecutive: int = 3) -> dict:
    """Everything the notice body needs from campaigns, as plain JSON-able data."""
    from govsite.inspections.rectification import accountability_summary, status

    q = Quarter.parse(quarter)
    units = UnitIndex()
    by = {g: pass_rates(q, g, units) for g in GROUPS}
    for g in by.values():
        g["rows"] = [asdict(r) | {"change_text": r.change_text} for r in g["rows"]]
    return {
        "quarter": str(q),
        "overall": overall(q),
        "pass_rates": by,
        "regions_at_100": [r["name"] for r in by["region"]["rows"] if r["sampled"] and r["passed"] == r["sampled"]],
        "departments_at_100": [
            r["name"] for r in by["department"]["rows"] if r["sampled"] and r["passed"] == r["sampled"]
        ],
        f"regions_at_100_for_{consecutive}_quarters": consecutive_100(q, consecutive, "region"),
        "selfcheck": selfcheck_coverage(q, units),
        "reverification": reverification(q, units),
        "problem_sites": problem_sites(q, units),
        "previous_quarter_rectification": status(str(q.previous())),
        "accountability": accountability_summary(str(q)),
    }
