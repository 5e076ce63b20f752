"""A service with one worker is served in its own process (granian embedded, ADR 0092):
no supervisor process beside it, its lifespan run on start and, on SIGTERM or SIGINT, on
stop (where the services close their pools and flush their logs), then a clean exit."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from litestar import Litestar, get

from tests.support.stack import free_port

MARK = "ORCH_TEST_LIFESPAN_FILE"


def _mark(text: str) -> None:
    Path(os.environ[MARK]).write_text(text)


@asynccontextmanager
async def _lifespan(app: Litestar) -> AsyncIterator[None]:
    _mark("started\n")
    try:
        yield
    finally:
        _mark("started\nstopped\n")


@get("/ready", sync_to_thread=False)
def _ready() -> str:
    return "ok"


def create_app() -> Litestar:
    """The app the child serves: its lifespan writes where it is."""
    return Litestar([_ready], lifespan=[_lifespan])


def _answers(url: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_one_process_serves_and_stops_after_its_lifespan(tmp_path: Path, signum: int) -> None:
    port = free_port()
    mark = tmp_path / "lifespan"
    code = (
        "from orchestrator.core.http.serve import serve; "
        f"serve('tests.integration.test_serve_in_process:create_app', host='127.0.0.1', port={port})"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code],
        env={**os.environ, MARK: str(mark)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while not _answers(f"http://127.0.0.1:{port}/ready"):
            assert child.poll() is None, child.communicate()[0].decode()
            assert time.monotonic() < deadline, "the service never answered"
            time.sleep(0.1)
        children = Path(f"/proc/{child.pid}/task/{child.pid}/children").read_text().split()
        assert children == []  # no worker process: this process serves
        child.send_signal(signum)
        out = child.communicate(timeout=30)[0].decode()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 0, out
    assert mark.read_text() == "started\nstopped\n", out
    assert "experimental" not in out  # granian's notice is dropped, its other lines kept
    assert "Listening at" in out
