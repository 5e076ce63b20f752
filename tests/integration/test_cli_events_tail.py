"""``orchestrator events tail`` follows the workspace's event stream across an exec-api
restart: it reconnects with the last event's id and prints every event exactly once,
those made while the exec-api was down included, in the log's order."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any

import httpx
import pytest

from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.cli import Cli, exec_token, queue_job
from tests.support.execution import http_connector
from tests.support.stack import Stack, free_port, start_service, wait_ready
from tests.support.upstream import UpstreamServer

pytestmark = pytest.mark.integration

LATER_MS = 3_600_000
"""Jobs queued an hour out: the worker leaves them alone, each is one ``job.queued``."""


def lines_of(stream: IO[str]) -> queue.Queue[str]:
    """The stream's lines as they come, read by a thread."""
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in stream:
            lines.put(line.rstrip("\n"))

    threading.Thread(target=pump, daemon=True).start()
    return lines


def next_line(lines: queue.Queue[str], timeout: float = 30.0) -> str:
    return lines.get(timeout=timeout)


def queue_jobs(exec_url: str, token: str, count: int) -> None:
    for _ in range(count):
        queue_job(exec_url, token, "tail", "charge", delay_ms=LATER_MS)


def events_after(stack: Stack, token: str, cursor: str | None) -> tuple[list[dict[str, Any]], str]:
    page = httpx.get(
        f"{stack.url('exec-api')}/api/v1/events",
        params={"limit": 1000, **({"after": cursor} if cursor else {})},
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    return page["items"], page["next_cursor"]


def interruptible() -> None:
    """Let the child take Ctrl-C as a terminal's user would: a suite started in the
    background (``nohup``, a CI runner's ``&``) ignores SIGINT, every child inherits that,
    and Python then never turns it into ``KeyboardInterrupt``."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_events_tail_resumes_after_the_exec_api_restarts(
    stack: Stack,
    service_env: dict[str, str],
    tenant: BootstrapResult,
    upstream: UpstreamServer,
    tmp_path: Path,
) -> None:
    cli = Cli(config=tmp_path / "config", cwd=tmp_path)
    bundle = tmp_path / "b.json"
    bundle.write_text(
        json.dumps(
            {"connectors": [{"name": "tail", "type": "http", "config": http_connector(upstream)}]}
        )
    )
    cli.ok(*Cli.login_command(stack, tenant))
    cli.ok("bundle", "apply", str(bundle), "--yes", "--reason", "cli test")
    token = exec_token(stack, tenant)
    _, before = events_after(stack, token, None)

    # The tail's own exec-api, restarted on its port while the session's keeps serving.
    port = free_port()
    own = start_service("exec-api-tail", "orchestrator.exec_api", service_env, port=port)
    tail: subprocess.Popen[str] | None = None
    try:
        wait_ready(own)
        cli.ok(*Cli.login_command(stack, tenant, exec_url=own.url), "--profile", "tail")
        env = {**os.environ, "XDG_CONFIG_HOME": str(cli.config), "ORCH_PROFILE": "tail"}
        tail = subprocess.Popen(
            [sys.executable, "-m", "orchestrator.cli.main", "events", "tail", "--json"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=interruptible,
        )
        assert tail.stdout is not None
        assert tail.stderr is not None
        printed, said = lines_of(tail.stdout), lines_of(tail.stderr)
        assert next_line(said).startswith("following ")

        queue_jobs(own.url, token, 2)
        first = [json.loads(next_line(printed)) for _ in range(2)]
        # Killed: a stop waits for the open stream to end (ten seconds, then SIGKILL).
        own.kill()
        assert next_line(said).startswith("disconnected")
        queue_jobs(stack.url("exec-api"), token, 2)  # while the tail's exec-api is down
        own = start_service("exec-api-tail", "orchestrator.exec_api", service_env, port=port)
        wait_ready(own)
        assert next_line(said).startswith("resumed ")
        queue_jobs(own.url, token, 2)

        expected, _ = events_after(stack, token, before)
        assert len(expected) == 6
        seen = first + [json.loads(next_line(printed)) for _ in range(len(expected) - 2)]
        assert [e["id"] for e in seen] == [e["id"] for e in expected]
        time.sleep(0.3)  # nothing more comes: no event twice
        assert printed.empty()

        tail.send_signal(signal.SIGINT)
        assert tail.wait(timeout=10) == 0
        assert "Traceback" not in tail.stderr.read()
    finally:
        if tail is not None:
            tail.kill()
            tail.communicate()
        own.stop()
    cli.assert_no_secret(tenant)
