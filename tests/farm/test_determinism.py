"""Same seed ⇒ byte-identical manifest and pages (across processes too, where Python's hash
salt differs); another seed ⇒ a different farm."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from datetime import date
from pathlib import Path

from govsite.farm import manifest
from govsite.farm.export import render_raw, site_paths
from govsite.farm.model import Farm

GOVSITE = str(Path(sys.executable).with_name("govsite"))


def farm_digest(seed: int, sites: int = 5) -> str:
    farm = Farm(seed, sites, date(2017, 9, 14))
    h = hashlib.sha256(manifest.dumps(manifest.build(farm)).encode())
    for ident in farm.identities:
        site = farm.site(ident.index)
        for raw in site_paths(site):
            page = render_raw(site, raw)
            h.update(raw.encode() + b"\0" + str(page.status).encode() + page.body)
    return h.hexdigest()


def test_same_seed_same_bytes_in_process() -> None:
    assert farm_digest(5) == farm_digest(5)
    assert farm_digest(5) != farm_digest(6)


def test_same_seed_same_manifest_across_processes() -> None:
    args = [GOVSITE, "farm", "manifest", "--sites", "30", "--seed", "9", "--as-of", "2017-09-14", "--port", "8080"]
    runs = [subprocess.run(args, capture_output=True, check=True, env={"PYTHONHASHSEED": str(i), "PATH": "/usr/bin"}).stdout
            for i in (1, 2)]
    assert runs[0] == runs[1] and len(runs[0]) > 10000


def test_same_seed_same_pages_across_processes() -> None:
    root = str(Path(__file__).resolve().parents[2])
    code = f"import sys; sys.path.insert(0, {root!r}); from tests.farm.test_determinism import farm_digest; print(farm_digest(3, 4))"
    outs = [subprocess.run([sys.executable, "-c", code], capture_output=True, check=True, text=True,
                           env={"PYTHONHASHSEED": str(i), "PATH": "/usr/bin"}).stdout for i in (1, 7)]
    assert outs[0] == outs[1] and len(outs[0].strip()) == 64


def test_sites_have_hundreds_of_pages() -> None:
    farm = Farm(1, 5, date(2017, 9, 14))
    counts = [sum(1 for _ in site_paths(farm.site(i))) for i in range(5)]
    assert min(counts) >= 200


def test_as_of_moves_dates() -> None:
    """Content is relative to --as-of: the same farm a later day has every date shifted."""
    d1, d2 = date(2017, 9, 14), date(2020, 1, 1)
    a = manifest.build(Farm(4, 3, d1))
    b = manifest.build(Farm(4, 3, d2))
    pairs = [(ca["latest"], cb["latest"]) for sa, sb in zip(a["sites"], b["sites"], strict=True)
             for ca, cb in zip(sa["columns"], sb["columns"], strict=True) if ca["latest"]]
    assert pairs
    for la, lb in pairs:
        assert (d1 - date.fromisoformat(la)) == (d2 - date.fromisoformat(lb))
