"""The CLI's start-up: ``orchestrator --help`` as a user runs it, next to a bare Python
start, sequential, on an otherwise idle box (issue 14's target: at most 300 ms)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

RUNS = int(os.environ.get("BENCH_CLI_RUNS", "15"))
TARGET_S = 0.300


def _wall(argv: list[str]) -> float:
    began = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - began


def _median(argv: list[str]) -> tuple[float, float]:
    """Median and slowest of ``RUNS`` runs (after one to warm the page cache)."""
    _wall(argv)
    times = sorted(_wall(argv) for _ in range(RUNS))
    return statistics.median(times), times[-1]


def run() -> list[str]:
    """The section's lines."""
    script = str(Path(sys.executable).parent / "orchestrator")
    help_median, help_worst = _median([script, "--help"])
    bare_median, _ = _median([sys.executable, "-c", "pass"])
    return [
        f"CLI start-up ({RUNS} runs each, sequential)",
        f"  orchestrator --help   median {help_median * 1000:6.0f} ms   slowest "
        f"{help_worst * 1000:4.0f} ms   target ≤ {TARGET_S * 1000:.0f} ms "
        f"(ratio {help_median / TARGET_S:.2f})",
        f"  python -c pass        median {bare_median * 1000:6.0f} ms   "
        f"(the interpreter's own share: {bare_median / help_median:.0%})",
    ]
