"""``orchestrator run`` on embedded PostgreSQL and Redis, as a fresh clone runs it (ADR
0092, 0099): one process for the HTTP services (each at its own port), one for the
worker, none for the demo upstream, a launcher holding no database driver, Redis client
or crypto library while it supervises, and on SIGTERM everything stopped, PostgreSQL and
Redis saying so."""

from __future__ import annotations

import os
import re
import signal
import time
import urllib.request
from pathlib import Path

from orchestrator.cli import http_services
from orchestrator.cli.stack import IN_LAUNCHER, SERVED_TOGETHER, SERVICES
from tests.support.stack import free_port
from tests.support.walkthrough import start_run, wait_until_up

HEAVY = ("psycopg_binary", "sqlalchemy", "cryptography", "pydantic_core", "granian")
"""Extension modules whose mapping in a process shows it imported them."""


def children(pid: int) -> list[int]:
    """The direct children of ``pid``."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()]


def command(pid: int) -> str:
    """The command line of ``pid``."""
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def alive(pid: int) -> bool:
    """Whether ``pid`` is still running (not gone, not a zombie)."""
    try:
        return " Z " not in Path(f"/proc/{pid}/stat").read_text().split(")", 1)[1][:4]
    except OSError:
        return False


def answers(url: str) -> bool:
    """Whether ``url`` answers 200 (on loopback, no proxy)."""
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(url) as answer:
        return bool(answer.status == 200)


def test_run_is_one_process_for_the_http_services_one_for_the_worker_and_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "ORCH_KEK"}
    }
    ports = {variable: str(free_port()) for _, _, variable, _ in SERVICES}
    env.update(
        ports, ORCH_EMBEDDED_REDIS_PORT=str(free_port()), ORCH_DATA_DIR=str(tmp_path / ".data")
    )
    env["NO_COLOR"] = "1"
    log = tmp_path / "stack.log"
    stack = start_run(tmp_path, env, log)
    try:
        wait_until_up(log, stack)
        kids = {pid: command(pid) for pid in children(stack.pid)}
        apart = {
            name: module
            for name, module, _, _ in SERVICES
            if name not in IN_LAUNCHER | SERVED_TOGETHER
        }
        processes = {**apart, http_services.NAME: http_services.__name__}
        for name, module in processes.items():
            [pid] = [pid for pid, line in kids.items() if line.endswith(f"-m {module} ")]
            assert children(pid) == [], f"{name} runs more than one process"
        assert len(kids) == len(processes) + 1  # and the embedded redis-server
        for name, _, variable, _ in SERVICES:  # every service at its own port, as before
            if name in SERVED_TOGETHER:
                assert answers(f"http://127.0.0.1:{ports[variable]}/health"), name
        maps = Path(f"/proc/{stack.pid}/maps").read_text()
        assert [name for name in HEAVY if name in maps] == []
        assert answers(f"http://127.0.0.1:{ports['ORCH_DEMO_UPSTREAM_PORT']}/hello")
        stack.send_signal(signal.SIGTERM)
        assert stack.wait(60) == 0
    finally:
        if stack.poll() is None:
            stack.kill()
            stack.wait()
    said = log.read_text()
    assert "SIGTERM received: stopping" in said
    assert re.search(r"^Redis \(embedded, port \d+\) stopped$", said, re.M), said[-2000:]
    assert re.search(r"^PostgreSQL \(embedded, .+\) stopped$", said, re.M), said[-2000:]
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in kids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [kids[pid] for pid in kids if alive(pid)] == []
