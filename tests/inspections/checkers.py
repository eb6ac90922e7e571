"""Checker factories for executor tests, all built on the offline registry-rules checker
(govsite.inspections.offline): one that records calls (to prove resume repeats nothing), one
that crashes mid-run, one that fails on purpose (to exercise retries)."""

from __future__ import annotations

import asyncio
import contextlib

from govsite.inspections.executor import CheckJob, RunOptions
from govsite.inspections.offline import rule_report

CALLS: list[str] = []


@contextlib.asynccontextmanager
async def rules_checker(options: RunOptions):  # noqa: ANN201
    async def check(job: CheckJob) -> dict:
        CALLS.append(job.code)
        await asyncio.sleep(0)
        return rule_report(job)

    yield check


class SimulatedCrash(BaseException):
    """Not an Exception: the executor does not catch it, like a kill in the middle of a run."""


def crashing_checker(after: int):  # noqa: ANN201
    @contextlib.asynccontextmanager
    async def factory(options: RunOptions):  # noqa: ANN202
        async def check(job: CheckJob) -> dict:
            if len(CALLS) >= after:
                raise SimulatedCrash()
            CALLS.append(job.code)
            await asyncio.sleep(0)
            return rule_report(job)

        yield check

    return factory


def flaky_checker(failures: dict[str, int]):  # noqa: ANN201
    """Raises ConnectionError for the first ``failures[code]`` calls of a site."""
    seen: dict[str, int] = {}

    @contextlib.asynccontextmanager
    async def factory(options: RunOptions):  # noqa: ANN202
        async def check(job: CheckJob) -> dict:
            seen[job.code] = seen.get(job.code, 0) + 1
            CALLS.append(job.code)
            if seen[job.code] <= failures.get(job.code, 0):
                raise ConnectionError(f"连接被重置（第 {seen[job.code]} 次）")
            return rule_report(job)

        yield check

    return factory
