"""The idle stack's memory: ``orchestrator run`` (what ``make run`` runs) on a fresh data
directory, with its embedded PostgreSQL and Redis, left idle, then every process's RSS.

The stack gets ports, a data directory and a Redis port of its own, and neither
``DATABASE_URL`` nor ``REDIS_URL``, so it starts the embedded servers a fresh clone gets.
Each process is named by its command line; PostgreSQL's are found from its
``postmaster.pid`` (pgserver starts it outside the launcher's process tree). Targets
(issue 15): the whole at most ``TOTAL_TARGET_MIB``, each process serving an API at most
``API_TARGET_MIB``.
"""

from __future__ import annotations

import os
import signal
import tempfile
import time
from pathlib import Path

from tests.support.stack import free_port
from tests.support.walkthrough import start_run, wait_until_up

from bench.cpu import PROC, tree

IDLE_S = float(os.environ.get("BENCH_FOOTPRINT_IDLE_S", "75"))
"""Idle time before measuring: past PostgreSQL's ``idle_session_timeout`` of our
connections (``ORCH_DB_IDLE_SESSION_TIMEOUT_S``, 60 s), which closes the backends an idle
stack no longer uses (ADR 0098)."""
TOTAL_TARGET_MIB = 500
API_TARGET_MIB = 90
PORT_VARIABLES = (
    "ORCH_CONTROL_API_PORT",
    "ORCH_EXEC_API_PORT",
    "ORCH_WEBHOOK_INGRESS_PORT",
    "ORCH_WORKER_PORT",
    "ORCH_CONSOLE_PORT",
    "ORCH_DEMO_UPSTREAM_PORT",
    "ORCH_EMBEDDED_REDIS_PORT",
)
APIS = ("control_api", "exec_api", "webhook_ingress", "cli.http_services")
"""The processes serving an API: each service's own, or the development stack's one process
serving all of them (ADR 0099), to which the per-API target then applies."""


def memory_mib(pid: int) -> tuple[float, float]:
    """Resident memory of ``pid`` in MiB, and its proportional share (pages shared with
    other processes, e.g. a forked worker's or PostgreSQL's shared buffers, divided among
    them); zeros once it has gone."""
    found = {"Rss:": 0.0, "Pss:": 0.0}
    try:
        for line in (PROC / str(pid) / "smaps_rollup").read_text().splitlines():
            key = line.split(maxsplit=1)[0] if line else ""
            if key in found:
                found[key] = int(line.split()[1]) / 1024
    except OSError:
        pass
    return found["Rss:"], found["Pss:"]


def label(pid: int) -> str:
    """What a process is, from its command line."""
    try:
        argv = (PROC / str(pid) / "cmdline").read_bytes().split(b"\0")
    except OSError:
        return "?"
    words = [word.decode(errors="replace") for word in argv if word]
    for word in words:
        if word.startswith("orchestrator.") or word.startswith("postgres") or "redis" in word:
            return word.rsplit("/", 1)[-1]
    return " ".join(words[:3]).rsplit("/", 1)[-1] or "?"


def postgres_pids(data_dir: Path) -> list[int]:
    """The embedded PostgreSQL's processes: its postmaster (``postmaster.pid``) and children."""
    for pidfile in data_dir.rglob("postmaster.pid"):
        return tree(int(pidfile.read_text().split()[0]))
    return []


def measure() -> dict[str, list[tuple[float, float]]]:
    """RSS and PSS (MiB) of each process, by kind, of an idle ``orchestrator run`` stack."""
    with tempfile.TemporaryDirectory(prefix="orch-footprint-") as scratch:
        data_dir = Path(scratch) / ".data"
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DATABASE_URL", "REDIS_URL", "ORCH_KEK"}
        }
        env.update({variable: str(free_port()) for variable in PORT_VARIABLES})
        env["ORCH_DATA_DIR"] = str(data_dir)
        log = Path(scratch) / "stack.log"
        stack = start_run(Path(scratch), env, log)
        try:
            wait_until_up(log, stack)
            time.sleep(IDLE_S)
            sizes: dict[str, list[tuple[float, float]]] = {}
            for pid in [*tree(stack.pid), *postgres_pids(data_dir)]:
                sizes.setdefault(label(pid), []).append(memory_mib(pid))
            return sizes
        finally:
            stack.send_signal(signal.SIGINT)
            stack.wait(120)


def run() -> list[str]:
    """Measure and return the printed section."""
    sizes = {
        name.split(" [", 1)[0]: (sum(r for r, _ in values), sum(p for _, p in values), len(values))
        for name, values in measure().items()
    }
    rss = sum(r for r, _, _ in sizes.values())
    pss = sum(p for _, p, _ in sizes.values())
    lines = [
        f"Idle footprint — `orchestrator run` with embedded PostgreSQL and Redis, {IDLE_S:g} s "
        "idle (RSS; PSS divides shared pages among the processes sharing them)"
    ]
    for name, (r, p, count) in sorted(sizes.items(), key=lambda item: -item[1][0]):
        lines.append(f"  {name:<40} RSS {r:6.1f} MiB   PSS {p:6.1f} MiB   ({count} process(es))")
    apis = [r for name, (r, _, _) in sizes.items() if name.removeprefix("orchestrator.") in APIS]
    largest = max(apis, default=0.0)
    lines.append(
        f"  total RSS {rss:.0f} MiB, PSS {pss:.0f} MiB (target ≤ {TOTAL_TARGET_MIB}: "
        f"{'met' if rss <= TOTAL_TARGET_MIB else 'MISSED'}); largest process serving an API "
        f"{largest:.0f} MiB "
        f"(target ≤ {API_TARGET_MIB}: {'met' if largest <= API_TARGET_MIB else 'MISSED'})"
    )
    return lines


if __name__ == "__main__":
    print("\n".join(run()))
