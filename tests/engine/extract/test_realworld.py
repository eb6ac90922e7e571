"""Every annotated real page in ../shared/realworld: identity fields must agree on every page,
column latest dates on at least 95 % of annotated columns (matched as the shared hook does)."""

from pathlib import Path

import pytest

from govsite.engine.extract import extract_page
from govsite.engine.extract.agreement import (
    SAMPLE_URL,
    column_checks,
    extra_checks,
    identity_checks,
    load_annotations,
    realworld_root,
)

ROOT = realworld_root(Path(__file__))
ANNOTATIONS = load_annotations(ROOT) if ROOT else []


def test_real_pages_are_present() -> None:
    # CI has ../shared beside the clone; without it these checks would silently not run.
    assert ROOT is not None, "../shared/realworld not found (set GOVSITE_SHARED)"
    assert ANNOTATIONS


def _facts(ann: dict):  # noqa: ANN202
    return extract_page((ROOT / ann["file"]).read_bytes(), SAMPLE_URL)


@pytest.mark.parametrize("ann", ANNOTATIONS, ids=[a["file"] for a in ANNOTATIONS])
def test_identity_fields_agree(ann: dict) -> None:
    checks = identity_checks(ann, _facts(ann))
    wrong = {k: (want, got) for k, (ok, want, got) in checks.items() if not ok}
    assert not wrong, wrong


@pytest.mark.parametrize("ann", ANNOTATIONS, ids=[a["file"] for a in ANNOTATIONS])
def test_article_date_and_list_dates(ann: dict) -> None:
    checks = extra_checks(ann, _facts(ann))
    wrong = {k: (want, got) for k, (ok, want, got) in checks.items() if not ok}
    assert not wrong, wrong


def test_column_latest_dates_at_least_95_percent() -> None:
    ok = total = 0
    misses = []
    for ann in ANNOTATIONS:
        for name, (agree, want, got) in column_checks(ann, _facts(ann)).items():
            total += 1
            ok += agree
            if not agree:
                misses.append((ann["file"], name, want, got))
    assert total >= 20
    assert ok >= 0.95 * total, misses


@pytest.mark.parametrize("ann", [a for a in ANNOTATIONS if a.get("columns")], ids=lambda a: a["file"])
def test_annotated_columns_are_found_with_their_counts(ann: dict) -> None:
    """Names a person sees, and item counts of dated columns (blank ones included)."""
    facts = _facts(ann)
    from govsite.engine.extract.agreement import names_match

    for col in ann["columns"]:
        got = [c for c in facts.columns if names_match(c.name, col["name"])]
        if col["latest_date"] or col["item_count"] == 0:
            assert got, f"column {col['name']} not found"
        if col["latest_date"]:
            assert any(c.item_count == col["item_count"] for c in got) or sum(c.item_count for c in got) == col["item_count"], \
                (col, [(c.name, c.item_count) for c in got])


@pytest.mark.parametrize("ann", ANNOTATIONS, ids=[a["file"] for a in ANNOTATIONS])
def test_no_blank_column_that_a_person_would_not_call_blank(ann: dict) -> None:
    """A blank column is a finding (V15-3): every one reported must be an annotated empty column."""
    from govsite.engine.extract.agreement import names_match

    empty = [c["name"] for c in ann.get("columns") or [] if c["item_count"] == 0]
    for col in _facts(ann).columns:
        if col.item_count == 0:
            assert any(names_match(col.name, e) for e in empty), col.name
