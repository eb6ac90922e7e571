"""Deterministic randomness: every value in the farm is derived from a tuple of keys
(seed, host, what, ...), never from global state, so any page can be rebuilt alone."""

from __future__ import annotations

import hashlib
import random


def h64(*parts: object) -> int:
    """A stable 64-bit hash of the parts (Python's hash() is salted per process)."""
    data = "\x1f".join(str(p) for p in parts).encode("utf-8")
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")


def rng(*parts: object) -> random.Random:
    return random.Random(h64(*parts))


def unit(*parts: object) -> float:
    """A uniform float in [0, 1) for the parts."""
    return h64(*parts) / 2**64
