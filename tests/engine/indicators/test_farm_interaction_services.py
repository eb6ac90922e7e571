"""On the farm: every seeded interaction and service defect kind is found (recall 100 %) and the
clean sites get no interaction/service finding. 24 sites of seed 11 seed all ten kinds."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

import pytest

from tests.benchmod import load_bench

KINDS = {"unanswered_consultation", "no_consultation", "no_surveys", "few_surveys", "no_interviews", "few_interviews",
         "guide_missing_elements", "attachment_404", "attachment_empty", "online_system_down"}


def _bench():
    return load_bench("accuracy")


@pytest.mark.slow
def test_interaction_and_service_kinds_on_farm():
    acc = _bench()
    ours = {acc.KINDS[k] for k in KINDS}
    skip = set(acc.MINE) - ours  # judge only our indicators here; test_farm_accuracy judges all
    with tempfile.TemporaryDirectory() as tmp:
        proc, manifest = acc.start_farm(24, 11, "2017-09-14", 1.0, Path(tmp))
        try:
            reports = asyncio.run(acc.run_checks(manifest, 1000, 12, None, {}))
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    per_kind, misses, false, _hidden = acc.evaluate(manifest, reports, skip, {})
    assert set(per_kind) == KINDS  # every kind seeded at least once
    assert misses == []
    assert false == []
    assert sum(1 for s in manifest["sites"] if s["clean"]) >= 5
