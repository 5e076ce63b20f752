"""CPU time of a process tree, read from ``/proc`` (Linux): where a run's CPU went."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

PROC = Path("/proc")
ALL_CPUS = set(range(os.cpu_count() or 1))
"""Every core of the box, for pinning a process tree back to all of them."""


def _tasks(pid: int) -> list[Path]:
    """The threads of ``pid`` (none once it has exited: a backend may go at any moment)."""
    try:
        return list((PROC / str(pid) / "task").glob("*"))
    except OSError:
        return []


def tree(pid: int) -> list[int]:
    """``pid`` and every descendant (granian's workers are children of its supervisor)."""
    found = [pid]
    for current in found:
        for task in _tasks(current):
            with contextlib.suppress(OSError):
                found += [int(child) for child in (task / "children").read_text().split()]
    return found


TICK_S = 1 / os.sysconf("SC_CLK_TCK")


def _reaped_s(pid: int) -> float:
    """CPU seconds of the children ``pid`` has waited for (``cutime`` and ``cstime``)."""
    try:
        fields = (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[13]) + int(fields[14])) * TICK_S


def cpu_seconds(pid: int) -> float:
    """CPU seconds the process tree of ``pid`` has run so far: every live thread (ns
    precision), and the children that have exited (clock ticks; a PostgreSQL backend that
    closes would otherwise take its CPU with it)."""
    total = 0
    reaped = 0.0
    for member in tree(pid):
        reaped += _reaped_s(member)
        for task in _tasks(member):
            with contextlib.suppress(OSError):
                total += int((task / "schedstat").read_text().split()[0])
    return total / 1e9 + reaped


def pin_tree(pid: int, cpus: set[int]) -> None:
    """Move every thread of the process tree of ``pid`` onto ``cpus``."""
    for member in tree(pid):
        for task in _tasks(member):
            with contextlib.suppress(OSError):
                os.sched_setaffinity(int(task.name), cpus)


class CpuMeter:
    """CPU seconds used by some process trees between ``start`` and ``stop``."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self._before: dict[str, float] = {}
        self.used: dict[str, float] = {}

    def start(self) -> None:
        """Remember where each tree stands."""
        self._before = {name: cpu_seconds(pid) for name, pid in self.pids.items()}

    def stop(self) -> dict[str, float]:
        """CPU seconds used by each tree since ``start``."""
        self.used = {name: cpu_seconds(pid) - self._before[name] for name, pid in self.pids.items()}
        return self.used
