"""Reproducible stratified random samples of running sites.

Algorithm ``stratified-lr-sha256/1`` (anyone can re-implement it from this text):

1. Population: every site whose status is ``running``, minus the recorded exclusions
   (e.g. the sites drawn in the previous quarter's national sample). The registry snapshot is
   ``sha256("\\n".join(sorted codes of all running sites))`` — taken before exclusions, so
   two people with the same registry get the same hash.
2. Strata: supervising unit × category. The unit is the State Council department for
   category-1 sites, the province-level region for all others. Stratum key:
   ``R:<province code>/<category>`` or ``D:<department code>/<category>``.
3. Allocation: every stratum first gets ``m_h = min(minimum, N_h)`` sites. The rest,
   ``R = size − Σ m_h``, is shared in proportion to each stratum's remaining capacity
   ``c_h = N_h − m_h`` by the largest-remainder (Hamilton) method: quota ``R·c_h / Σc``,
   integer parts first, then one more site to the strata with the largest fractional
   remainders (ties: stratum key ascending). Exact integer arithmetic, no floats.
4. Selection: inside a stratum, sites are ranked by
   ``sha256("<seed>|<quarter>|<stratum key>|<site code>")`` (hex, ascending) and the first
   ``n_h`` are taken — a keyed random permutation that depends on nothing but the inputs.

Same seed, quarter, registry snapshot, exclusions, size and minimum ⇒ identical sample.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from govsite.inspections.errors import InspectionError

ALGORITHM = "stratified-lr-sha256/1"


@dataclass(frozen=True)
class Member:
    code: str
    stratum: str


@dataclass
class Draw:
    codes: list[str]  # sorted
    strata: dict[str, tuple[int, int]] = field(default_factory=dict)  # key → (population, drawn)
    population: int = 0


def snapshot_hash(running_codes: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(sorted(running_codes)).encode()).hexdigest()


def allocate(sizes: dict[str, int], size: int, minimum: int) -> dict[str, int]:
    """Sample size per stratum (step 3 of the module docstring)."""
    total = sum(sizes.values())
    if size < 1:
        raise InspectionError("样本量须为正整数")
    if size > total:
        raise InspectionError(f"样本量 {size} 大于可抽样网站总数 {total}")
    base = {k: min(minimum, n) for k, n in sizes.items()}
    need = sum(base.values())
    if need > size:
        raise InspectionError(
            f"样本量 {size} 不足以给 {len(sizes)} 个抽样层各分配至少 {minimum} 个（共需 {need} 个）；"
            "请增大样本量或减小 --min-per-stratum"
        )
    rest = size - need
    cap = {k: sizes[k] - base[k] for k in sizes}
    cap_total = sum(cap.values())
    alloc = dict(base)
    if rest and cap_total:
        rema: list[tuple[int, str]] = []
        for k in sorted(sizes):
            whole, frac = divmod(rest * cap[k], cap_total)
            alloc[k] += whole
            rema.append((frac, k))
        left = size - sum(alloc.values())
        rema.sort(key=lambda fk: (-fk[0], fk[1]))
        for _frac, k in rema[:left]:
            alloc[k] += 1
    return alloc


def rank_key(seed: str, quarter: str, stratum: str, code: str) -> str:
    return hashlib.sha256(f"{seed}|{quarter}|{stratum}|{code}".encode()).hexdigest()


def draw(members: Iterable[Member], *, size: int, seed: str, quarter: str, minimum: int = 1) -> Draw:
    """Draw the sample (steps 2–4) from an already-filtered population."""
    by_stratum: dict[str, list[str]] = {}
    for m in members:
        by_stratum.setdefault(m.stratum, []).append(m.code)
    if not by_stratum:
        raise InspectionError("没有可抽样的正常运行网站")
    sizes = {k: len(v) for k, v in by_stratum.items()}
    alloc = allocate(sizes, size, minimum)
    chosen: list[str] = []
    for k in sorted(by_stratum):
        ranked = sorted(by_stratum[k], key=lambda c, k=k: rank_key(seed, quarter, k, c))
        chosen.extend(ranked[: alloc[k]])
    return Draw(
        codes=sorted(chosen),
        strata={k: (sizes[k], alloc[k]) for k in sorted(sizes)},
        population=sum(sizes.values()),
    )


def subsample(codes: Iterable[str], n: int, *, seed: str, label: str) -> list[str]:
    """A reproducible simple random subsample of ``n`` codes (same keyed-hash ranking)."""
    ranked = sorted(set(codes), key=lambda c: rank_key(seed, "", label, c))
    return sorted(ranked[:n])
