"""Real services on loopback for tests: each one a subprocess, as in production."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

LOG_DIR = Path(".data/test-logs")


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Service:
    """One running service process."""

    name: str
    module: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def url(self) -> str:
        """Base URL on loopback."""
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        """What the service wrote so far."""
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it lingers; then SIGKILL whatever it left behind."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._kill_group()

    def kill(self) -> None:
        """SIGKILL the service and its children at once, as a crash would."""
        self._kill_group()
        self.process.wait()

    def _kill_group(self) -> None:
        # Each service leads its own process group: a granian worker still starting when
        # its parent goes would otherwise live on, an orphan holding CPU and a port.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)


PORT_VARIABLES = {
    "orchestrator.control_api": "ORCH_CONTROL_API_PORT",
    "orchestrator.exec_api": "ORCH_EXEC_API_PORT",
    "orchestrator.webhook_ingress": "ORCH_WEBHOOK_INGRESS_PORT",
    "orchestrator.worker": "ORCH_WORKER_PORT",
    "orchestrator.console": "ORCH_CONSOLE_PORT",
}


def start_service(
    name: str,
    module: str,
    env: Mapping[str, str],
    *,
    cpus: set[int] | None = None,
    port: int | None = None,
) -> Service:
    """Start ``python -m module`` on ``port`` (default: a free one) with ``env`` over ours,
    optionally pinned."""
    port = port or free_port()
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log_path = LOG_DIR / f"{name}-{port}.log"
    full_env = {**os.environ, **env, PORT_VARIABLES[module]: str(port)}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", module],
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None,
            start_new_session=True,
        )
    return Service(name, module, port, process, log_path)


def wait_ready(service: Service, path: str = "/ready", timeout: float = 30.0) -> None:
    """Block until ``path`` answers 200, or fail with the service's log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if service.process.poll() is not None:
            raise RuntimeError(f"{service.name} exited:\n{service.log()}")
        try:
            if httpx.get(service.url + path, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{service.name} not ready after {timeout}s:\n{service.log()}")


@dataclass
class Stack:
    """The four services of one test session."""

    services: dict[str, Service] = field(default_factory=dict)

    def url(self, name: str) -> str:
        """Base URL of a service."""
        return self.services[name].url

    def stop(self) -> None:
        """Stop every service."""
        for service in self.services.values():
            service.stop()
