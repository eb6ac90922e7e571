"""On an in-process farm: every seeded V15-4 defect (misspelt leader, banned wording) and every
G-ID-3 ad is found, and clean sites give no finding."""

from __future__ import annotations

import pytest


@pytest.mark.slow
def test_farm_recall_and_clean_sites(bench) -> None:
    r = bench.farm_eval(seed=11, sites=80, per_site=8)
    assert r.defects >= 10  # the farm did seed V15-4 defects
    assert r.misses == []
    assert r.found == r.defects
    assert r.ads_defects >= 3 and r.ads_misses == [] and r.ads_found == r.ads_defects
    assert r.clean_pages >= 100
    assert r.clean_findings == []
    assert r.other_findings == []


@pytest.mark.slow
def test_farm_other_seed(bench) -> None:
    r = bench.farm_eval(seed=3, sites=60, per_site=4)
    assert r.defects > 0 and r.misses == []
    assert r.clean_findings == []
