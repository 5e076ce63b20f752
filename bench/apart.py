"""Each API in a process of its own, as a deployment runs it (one service a pod), beside
the idle development stack: the figure issue 15's per-API target is about.

Each service is ``python -m orchestrator.<service>`` with the environment the stack gives
its HTTP services (the same database, Redis, key and settings), at a port of its own; it
counts as up once ``/ready`` answers, as a deployment's readiness probe does. Beside them
runs the libraries' floor (``bench/floor.py``).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from tests.support.stack import free_port

from bench.cpu import PROC

APART = (
    ("control-api", "orchestrator.control_api", "ORCH_CONTROL_API_PORT"),
    ("exec-api", "orchestrator.exec_api", "ORCH_EXEC_API_PORT"),
    ("webhook-ingress", "orchestrator.webhook_ingress", "ORCH_WEBHOOK_INGRESS_PORT"),
    ("console", "orchestrator.console", "ORCH_CONSOLE_PORT"),
)
"""Each HTTP service: its name, module and port variable. The console is a page server,
not an API: measured for comparison, outside the per-API target."""
FLOOR = "libraries' floor"
UP_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class Apart:
    """One process started here: its name, process, port and log."""

    name: str
    process: subprocess.Popen[bytes]
    port: int
    log: Path


def environment_of(pid: int) -> dict[str, str]:
    """The environment ``pid`` was started with."""
    raw = (PROC / str(pid) / "environ").read_bytes().split(b"\0")
    pairs = (item.decode(errors="replace").partition("=") for item in raw if b"=" in item)
    return {key: value for key, _, value in pairs}


def _ready(port: int, path: str) -> bool:
    """Whether ``path`` answers 200 on loopback (no proxy)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"http://127.0.0.1:{port}{path}", timeout=5) as answer:
            return bool(answer.status == 200)
    except (OSError, urllib.error.URLError):
        return False


def _start(name: str, argv: list[str], env: Mapping[str, str], port: int, log: Path) -> Apart:
    """Start ``argv`` with its output to ``log``."""
    with log.open("wb") as out:
        process = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
    return Apart(name, process, port, log)


@contextlib.contextmanager
def started_apart(stack_env: Mapping[str, str], scratch: Path) -> Iterator[list[Apart]]:
    """Each HTTP service alone, and the libraries' floor, up (``/ready``, ``/health``);
    stopped on exit."""
    started: list[Apart] = []
    try:
        for name, module, variable in APART:
            port = free_port()
            env = {**stack_env, variable: str(port)}
            log = scratch / f"{name}.log"
            started.append(_start(name, [sys.executable, "-m", module], env, port, log))
        port = free_port()
        argv = [sys.executable, "-m", "bench.floor", str(port)]
        started.append(_start(FLOOR, argv, os.environ, port, scratch / "floor.log"))
        deadline = time.monotonic() + UP_TIMEOUT_S
        for apart in started:
            path = "/health" if apart.name == FLOOR else "/ready"
            while not _ready(apart.port, path):
                if apart.process.poll() is not None or time.monotonic() > deadline:
                    tail = apart.log.read_text(errors="replace")[-3000:]
                    raise AssertionError(f"{apart.name} did not come up:\n{tail}")
                time.sleep(0.25)
        yield started
    finally:
        for apart in started:
            apart.process.terminate()
        for apart in started:
            try:
                apart.process.wait(30)
            except subprocess.TimeoutExpired:
                apart.process.kill()
