"""The national registry generator: exact category counts, determinism, valid codes and names."""

from __future__ import annotations

from collections import Counter

import pytest

from govsite.registry.codes import is_site_code
from govsite.registry.generator import PRESETS, generate
from govsite.registry.records import HOST_RE, category_for
from tests.registry.conftest import SMALL_COUNTS

pytestmark = pytest.mark.django_db


def _rows(generated) -> list[tuple]:
    return [(r.code, r.name, r.home_url, r.sponsor, r.region, r.department, r.icp, str(r.contacts)) for r in generated.records]


@pytest.mark.slow
def test_2017q3_counts_and_determinism():
    first = generate(like="2017Q3", seed=2017)
    counts = Counter(r.category for r in first.records)
    assert dict(counts) == PRESETS["2017Q3"]
    assert len(first.records) == 29431
    assert _rows(generate(like="2017Q3", seed=2017)) == _rows(first)
    assert _rows(generate(like="2017Q3", seed=2018)) != _rows(first)

    codes = [r.code for r in first.records]
    assert len(set(codes)) == len(codes) and all(is_site_code(c) for c in codes)
    hosts = [h for r in first.records for h in r.domains]
    assert len(set(hosts)) == len(hosts)
    # Spread: every one of the 32 regions has sites, and most departments have more than their portal.
    assert len({r.region[:2] for r in first.records if r.category >= 2}) == 32
    per_dept = Counter(r.department for r in first.records if r.category == 1)
    assert len(per_dept) >= 70 and sum(1 for n in per_dept.values() if n > 1) >= 40
    # Violations: the stated share (3 %), and the notice's own example.
    assert 0.02 <= len(first.violations) / len(first.records) <= 0.04
    assert any(r.name == "中国·东丰政府公众信息网" for r in first.records)


def test_small_registry_is_consistent():
    generated = generate(seed=3, counts=SMALL_COUNTS, violation_share=0.0)
    assert dict(Counter(r.category for r in generated.records)) == SMALL_COUNTS
    assert not generated.violations
    for r in generated.records:
        assert category_for(r.level, r.site_class) == r.category
        assert all(HOST_RE.match(h) for h in r.domains)
        assert r.home_url == f"http://{r.domains[0]}/"
        assert r.name == r.sponsor  # named after the sponsoring unit when no violation is injected
        if r.category == 1:
            assert r.code.startswith(r.department) and r.domains[0].endswith(".gov.cn")
        else:
            assert r.code[:6] == r.region or r.code[:2] == r.region[:2]
        if r.site_class == "portal" and r.category != 1:
            assert r.name.endswith(("人民政府", "行政公署", "管理委员会")) or r.region == "660000"
            assert r.domains[0].startswith("www.")
    names = {r.name for r in generated.records}
    assert "商务部" in names and "北京市人民政府" in names and "新疆生产建设兵团" in names
    assert any(r.level == "township" and r.name.endswith(("人民政府", "办事处")) for r in generated.records)


def test_violations_have_the_stated_kinds():
    generated = generate(seed=5, counts=SMALL_COUNTS, violation_share=0.2)
    by_code = {r.code: r for r in generated.records}
    assert set(generated.violations.values()) <= {"name", "dot-com", "shape", "one-site"}
    for code, kind in generated.violations.items():
        r = by_code[code]
        if kind == "dot-com":
            assert not r.domains[0].endswith(".gov.cn")
        if kind == "name":
            assert r.name != r.sponsor


def test_unknown_preset():
    with pytest.raises(ValueError):
        generate(like="1999Q1")
