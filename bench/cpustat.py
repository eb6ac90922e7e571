"""CPU accounting shared by the benchmarks that drive a server process: the server's own CPU
(its workers included) and how busy the whole machine was, so a line can say how much of the
machine other work took."""

from __future__ import annotations

import psutil


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and all its live children (server workers)."""
    p = psutil.Process(pid)
    total = sum(p.cpu_times()[:2])
    for c in p.children(recursive=True):
        try:
            total += sum(c.cpu_times()[:2])
        except psutil.NoSuchProcess:
            pass
    return total


def machine_busy() -> float:
    """CPU seconds the whole machine has been busy (all cores, every process)."""
    t = psutil.cpu_times()
    return t.user + t.system + getattr(t, "nice", 0) + getattr(t, "irq", 0) + getattr(t, "softirq", 0)
