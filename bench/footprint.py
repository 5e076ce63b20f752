"""The idle stack's memory: ``orchestrator run`` (what ``make run`` runs) on a fresh data
directory, with its embedded PostgreSQL and Redis, left idle, then every process's RSS.

The stack gets ports, a data directory and a Redis port of its own, and neither
``DATABASE_URL`` nor ``REDIS_URL``, so it starts the embedded servers a fresh clone gets.
Each process is named by its command line; PostgreSQL's are found from its
``postmaster.pid`` (pgserver starts it outside the launcher's process tree). Targets
(issue 15): the whole at most ``TOTAL_TARGET_MIB``, each process serving an API at most
``API_TARGET_MIB``. That target is about an API as a deployment runs it, one service a
process: beside the stack each API is also started alone (``bench/apart.py``) and measured
after the same idle time, with the libraries' floor (``bench/floor.py``) for comparison.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.support.stack import free_port
from tests.support.walkthrough import start_run, wait_until_up

from bench.apart import APART, FLOOR, Apart, environment_of, started_apart
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
NOT_AN_API = frozenset({"console", FLOOR})
"""Processes measured alone that the per-API target does not apply to."""


def rollup_mib(pid: int) -> dict[str, float]:
    """``pid``'s ``smaps_rollup`` in MiB (``Rss``, ``Pss``, ``Anonymous``...); empty once
    it has gone."""
    found: dict[str, float] = {}
    try:
        for line in (PROC / str(pid) / "smaps_rollup").read_text().splitlines()[1:]:
            key, _, value = line.partition(":")
            found[key] = int(value.split()[0]) / 1024
    except OSError:
        pass
    return found


def memory_mib(pid: int) -> tuple[float, float]:
    """Resident memory of ``pid`` in MiB, and its proportional share (pages shared with
    other processes, e.g. a forked worker's or PostgreSQL's shared buffers, divided among
    them); zeros once it has gone."""
    found = rollup_mib(pid)
    return found.get("Rss", 0.0), found.get("Pss", 0.0)


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


def measure() -> tuple[dict[str, list[tuple[float, float]]], dict[str, dict[str, float]]]:
    """RSS and PSS (MiB) of each process, by kind, of an idle ``orchestrator run`` stack;
    and each HTTP service's and the floor's ``smaps_rollup`` (MiB), each alone."""
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
            # Then, so that their database backends do not count in the stack's total:
            together = next(pid for pid in tree(stack.pid) if "http_services" in label(pid))
            with started_apart(environment_of(together), Path(scratch)) as apart:
                time.sleep(IDLE_S)
                return sizes, alone_mib(apart)
        finally:
            stack.send_signal(signal.SIGINT)
            stack.wait(120)


def alone_mib(apart: list[Apart]) -> dict[str, dict[str, float]]:
    """Each process's ``smaps_rollup`` (MiB), by name, asserting it is still running."""
    found = {}
    for started in apart:
        assert started.process.poll() is None, f"{started.name} exited while idle"
        found[started.name] = rollup_mib(started.process.pid)
    return found


def alone_lines(alone: dict[str, dict[str, float]]) -> list[str]:
    """The printed figures of each service alone, with the per-API verdict."""
    lines = [
        f"Each HTTP service alone, as deployed (one service a process), {IDLE_S:g} s idle after "
        "/ready (anonymous: the interpreter's objects; file: shared libraries' pages mapped)"
    ]
    for name, _, _ in [*APART, (FLOOR, "", "")]:
        found = alone[name]
        rss, anonymous = found.get("Rss", 0.0), found.get("Anonymous", 0.0)
        verdict = ""
        if name not in NOT_AN_API:
            verdict = (
                f"  (target ≤ {API_TARGET_MIB}: {'met' if rss <= API_TARGET_MIB else 'MISSED'})"
            )
        lines.append(
            f"  {name:<18} RSS {rss:6.1f} MiB   PSS {found.get('Pss', 0.0):6.1f}   anonymous "
            f"{anonymous:5.1f}   file {rss - anonymous:5.1f}{verdict}"
        )
    largest = max(alone[name].get("Rss", 0.0) for name, _, _ in APART if name not in NOT_AN_API)
    lines.append(
        f"  largest API alone {largest:.0f} MiB (target ≤ {API_TARGET_MIB}: "
        f"{'met' if largest <= API_TARGET_MIB else 'MISSED'})"
    )
    return lines


def stage_lines() -> list[str]:
    """Where the floor goes: RSS after each group of libraries, imported in turn in a fresh
    interpreter (``bench/floor.py``)."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.floor", "--stages"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    stages: list[tuple[str, float]] = json.loads(done.stdout.splitlines()[-1])
    lines = ["The libraries an API imports, in turn in a fresh interpreter (RSS after each, MiB)"]
    before = 0.0
    for label, rss in stages:
        lines.append(f"  {label:<48} {rss:6.1f}   (+{rss - before:4.1f})")
        before = rss
    return lines


def run() -> list[str]:
    """Measure and return the printed section."""
    measured, alone = measure()
    sizes = {
        name.split(" [", 1)[0]: (sum(r for r, _ in values), sum(p for _, p in values), len(values))
        for name, values in measured.items()
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
        f"{'met' if rss <= TOTAL_TARGET_MIB else 'MISSED'}); largest process of the stack serving APIs "
        f"{largest:.0f} MiB "
        f"(target ≤ {API_TARGET_MIB}: {'met' if largest <= API_TARGET_MIB else 'MISSED'})"
    )
    return [*lines, *alone_lines(alone), *stage_lines()]


if __name__ == "__main__":
    print("\n".join(run()))
