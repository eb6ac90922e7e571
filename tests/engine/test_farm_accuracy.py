"""On the farm: every seeded defect of the indicators this engine implements is found and
clean sites produce no finding (the full figures come from bench/accuracy.py)."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

import pytest

from tests.benchmod import load_bench


def _bench():
    return load_bench("accuracy")


@pytest.mark.slow
def test_recall_and_no_false_findings_on_farm():
    acc = _bench()
    with tempfile.TemporaryDirectory() as tmp:
        proc, manifest = acc.start_farm(12, 11, "2017-09-14", 1.0, Path(tmp))
        try:
            seen: dict[str, set[str]] = {}
            reports = asyncio.run(acc.run_checks(manifest, 1000, 12, None, seen))
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    per_kind, misses, false, _hidden = acc.evaluate(manifest, reports, {"V15-1", "D15-1"}, seen)
    assert sum(n for _h, n in per_kind.values()) > 5  # the farm did seed defects of our kinds
    assert misses == []
    assert false == []
    assert any(s["clean"] for s in manifest["sites"])
