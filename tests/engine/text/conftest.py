"""Shared helpers: the bench module (its evaluation functions are the accuracy definitions)."""

from __future__ import annotations

from types import ModuleType

import pytest

from tests.benchmod import load_bench


@pytest.fixture(scope="session")
def bench() -> ModuleType:
    return load_bench("text")
