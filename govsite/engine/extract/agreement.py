"""Agreement of extracted facts with the hand annotations of real pages
(`../shared/realworld/annotations.json`), field by field, matched as the shared hook does:
digits only for ICP/公安 numbers, substring either way for sponsor and column names."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from govsite.engine.extract.facts import PageFacts

IDENTITY_FIELDS = ("site_code", "jiucuo_entry", "conac_badge", "icp", "police_record", "sponsor")
SAMPLE_URL = "http://example.gov.cn/index.html"


def _norm(s: str | None) -> str:
    return re.sub(r"\s+", "", s or "")


def _digits(s: str | None) -> str:
    return re.sub(r"\D", "", s or "")


def realworld_root(start: Path | None = None) -> Path | None:
    """The shared real-page folder: $GOVSITE_SHARED/realworld, else ../shared/realworld beside
    the repository (as on CI), else None."""
    env = os.environ.get("GOVSITE_SHARED")
    if env:
        p = Path(env) / "realworld"
        return p if p.is_dir() else None
    here = (start or Path(__file__)).resolve()
    for parent in here.parents:
        p = parent.parent / "shared" / "realworld"
        if (parent / "pyproject.toml").exists() and p.is_dir():
            return p
    return None


def load_annotations(root: Path) -> list[dict]:
    return json.loads((root / "annotations.json").read_text(encoding="utf-8"))


def names_match(a: str | None, b: str | None) -> bool:
    na, nb = _norm(a), _norm(b)
    return bool(na and nb and (na in nb or nb in na))


def identity_checks(ann: dict, facts: PageFacts) -> dict[str, tuple[bool, object, object]]:
    """field -> (agrees, annotated, extracted)."""
    out: dict[str, tuple[bool, object, object]] = {}
    out["site_code"] = ((ann.get("site_code") or None) == (facts.site_code or None), ann.get("site_code"), facts.site_code)
    out["jiucuo_entry"] = (ann.get("jiucuo_entry") == facts.jiucuo_entry, ann.get("jiucuo_entry"), facts.jiucuo_entry)
    out["conac_badge"] = (bool(ann.get("conac_badge")) == bool(facts.conac_badge), ann.get("conac_badge"), facts.conac_badge)
    out["icp"] = (_digits(ann.get("icp")) == _digits(facts.icp), ann.get("icp"), facts.icp)
    out["police_record"] = (_digits(ann.get("police_record")) == _digits(facts.police_record), ann.get("police_record"),
                            facts.police_record)
    a, f = ann.get("sponsor"), facts.sponsor
    out["sponsor"] = (((not a and not f) or names_match(a, f)), a, f)
    return out


def column_checks(ann: dict, facts: PageFacts) -> dict[str, tuple[bool, object, object]]:
    """Annotated columns with a latest date: some extracted column of a matching name shows it."""
    out: dict[str, tuple[bool, object, object]] = {}
    for col in ann.get("columns") or []:
        if not col.get("latest_date"):
            continue
        got = [c for c in facts.columns if names_match(c.name, col["name"])]
        seen = [c.latest_date.isoformat() if c.latest_date else None for c in got]
        out["column " + col["name"]] = (col["latest_date"] in seen, col["latest_date"], seen or None)
    return out


def extra_checks(ann: dict, facts: PageFacts) -> dict[str, tuple[bool, object, object]]:
    """Fields reported but not required: article date and the set of list dates."""
    out: dict[str, tuple[bool, object, object]] = {}
    pub = facts.article_pub_date.isoformat() if facts.article_pub_date else None
    out["article_pub_date"] = (ann.get("article_pub_date") == pub, ann.get("article_pub_date"), pub)
    want = set(ann.get("dates_found") or [])
    got = {d.isoformat() for d in facts.dates_found}
    out["dates_found"] = (want == got, sorted(want - got), sorted(got - want))
    return out
