"""A service with one worker is served in its own process (granian embedded, ADR 0092):
no supervisor process beside it, its lifespan run on start and, on SIGTERM or SIGINT, on
stop (where the services close their pools and flush their logs), then a clean exit.
Several apps served together (the development stack, ADR 0099) share one process, each
on its port, each lifespan and request with its own service named."""

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

from orchestrator.core.observability.context import service_var
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


def _note(line: str) -> None:
    with Path(os.environ[MARK]).open("a") as out:
        out.write(line + "\n")


@asynccontextmanager
async def _named_lifespan(app: Litestar) -> AsyncIterator[None]:
    _note(f"started {service_var.get()}")
    try:
        yield
    finally:
        _note(f"stopped {service_var.get()}")


@get("/service", sync_to_thread=False)
def _service() -> str:
    return service_var.get() or "none"


def create_named_app() -> Litestar:
    """An app served together with another: its lifespan and requests say whose they are."""
    return Litestar([_ready, _service], lifespan=[_named_lifespan])


def _get(url: str) -> str | None:
    """The body ``url`` answers with 200, None if it does not (yet)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=1) as response:
            return response.read().decode() if response.status == 200 else None
    except OSError:
        return None


def _answers(url: str) -> bool:
    return _get(url) is not None


def _serve_and_stop(
    code: str, mark: Path, services: dict[int, str | None], signum: int
) -> tuple[int, str]:
    """Run ``code`` in a child until it answers at every port of ``services``, check it
    serves them itself (no process of its own) and that each port's requests run as its
    service (where one is named), send it ``signum``: its exit status and output."""
    child = subprocess.Popen(
        [sys.executable, "-c", code],
        env={**os.environ, MARK: str(mark)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while not all(_answers(f"http://127.0.0.1:{port}/ready") for port in services):
            assert child.poll() is None, child.communicate()[0].decode()
            assert time.monotonic() < deadline, "the service never answered"
            time.sleep(0.1)
        children = Path(f"/proc/{child.pid}/task/{child.pid}/children").read_text().split()
        assert children == []  # no worker process: this process serves
        for port, service in services.items():
            if service is not None:
                assert _get(f"http://127.0.0.1:{port}/service") == service
        child.send_signal(signum)
        out = child.communicate(timeout=30)[0].decode()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    return child.returncode, out


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_one_process_serves_and_stops_after_its_lifespan(tmp_path: Path, signum: int) -> None:
    port = free_port()
    mark = tmp_path / "lifespan"
    code = (
        "from orchestrator.core.http.serve import serve; "
        f"serve('tests.integration.test_serve_in_process:create_app', host='127.0.0.1', port={port})"
    )
    status, out = _serve_and_stop(code, mark, {port: None}, signum)
    assert status == 0, out
    assert mark.read_text() == "started\nstopped\n", out
    assert "experimental" not in out  # granian's notice is dropped, its other lines kept
    assert "Listening at" in out


def test_apps_served_together_share_one_process_and_each_names_its_lines(
    tmp_path: Path,
) -> None:
    ports = {"first": free_port(), "second": free_port()}
    mark = tmp_path / "lifespans"
    apps = ", ".join(
        f"Served({name!r}, 'tests.integration.test_serve_in_process:create_named_app', "
        f"'127.0.0.1', {port})"
        for name, port in ports.items()
    )
    code = (
        f"from orchestrator.core.http.serve import Served, serve_together; serve_together([{apps}])"
    )
    services: dict[int, str | None] = {port: name for name, port in ports.items()}
    status, out = _serve_and_stop(code, mark, services, signal.SIGTERM)
    assert status == 0, out
    lines = mark.read_text().splitlines()
    assert sorted(lines) == ["started first", "started second", "stopped first", "stopped second"]
