"""The ``orchestrator`` command run as an operator runs it, with its own ``XDG_CONFIG_HOME``,
every output kept so a test can check no secret was ever printed.

It runs in this process, through the same entry point as the installed script
(``orchestrator.cli.main:main``), with its own environment, working directory, standard
streams and exit status: a command costs milliseconds instead of an interpreter's start.
The script itself, as a subprocess, is what ``test_cli_environment``, the README's test and
``events tail``'s test run."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from orchestrator.cli.main import main
from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.stack import Stack


def in_process(
    args: list[str], cwd: Path, env: dict[str, str], stdin: str | None
) -> subprocess.CompletedProcess[str]:
    """``orchestrator args`` through its entry point, as a process would see it: ``env``
    its whole environment, ``cwd`` its directory, ``stdin`` its input; what it printed and
    its exit status. An exception the entry point lets out (a bug) fails the test."""
    out, err = io.StringIO(), io.StringIO()
    saved_env, saved_cwd, saved_stdin = dict(os.environ), Path.cwd(), sys.stdin
    # Logging as a fresh process has it (no handler, warnings only), not as the services'
    # set-up that other tests load into this process left it.
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    root.handlers, root.level = [], logging.WARNING
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    sys.stdin = io.StringIO(stdin or "")
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main(args)
                status = 0
            except SystemExit as exit_:
                status = exit_.code if isinstance(exit_.code, int) else int(exit_.code is not None)
    finally:
        root.handlers, root.level = saved_handlers, saved_level
        os.environ.clear()
        os.environ.update(saved_env)
        os.chdir(saved_cwd)
        sys.stdin = saved_stdin
    return subprocess.CompletedProcess(args, status, out.getvalue(), err.getvalue())


@dataclass
class Cli:
    """``orchestrator …`` in ``cwd``, with its profiles under ``config``."""

    config: Path
    cwd: Path
    outputs: list[str] = field(default_factory=list)

    def __call__(
        self, *args: str, stdin: str | None = None, **env: str
    ) -> subprocess.CompletedProcess[str]:
        clean = {k: v for k, v in os.environ.items() if k != "ORCH_PROFILE"}
        done = in_process(
            list(args), self.cwd, {**clean, "XDG_CONFIG_HOME": str(self.config), **env}, stdin
        )
        self.outputs.append(done.stdout + done.stderr)
        return done

    def ok(self, *args: str, **env: str) -> str:
        """A command that must succeed; its standard output."""
        done = self(*args, **env)
        assert done.returncode == 0, done
        assert "Traceback" not in done.stderr
        return done.stdout

    def fails(self, *args: str, status: int = 1, **env: str) -> str:
        """A command that must fail with ``status`` in one line on stderr (a usage error,
        status 2, in click's few lines); that line, or the usage error's last line."""
        done = self(*args, **env)
        assert done.returncode == status, done
        assert "Traceback" not in done.stderr
        lines = done.stderr.strip().splitlines()
        if status == 1:
            assert len(lines) == 1, done.stderr
        return lines[-1]

    @staticmethod
    def login_command(
        stack: Stack, tenant: BootstrapResult, *, secret: str | None = None, exec_url: str = ""
    ) -> list[str]:
        """``login`` as the tenant's operator and exec identities (the operator's secret
        replaced by ``secret`` when given)."""
        return [
            "login",
            "--control-url",
            stack.url("control-api"),
            "--exec-url",
            exec_url or stack.url("exec-api"),
            "--client-id",
            tenant.control_client_id,
            "--client-secret",
            secret or tenant.control_client_secret,
            "--exec-client-id",
            tenant.exec_client_id,
            "--exec-client-secret",
            tenant.exec_client_secret,
        ]

    def assert_no_secret(self, tenant: BootstrapResult) -> None:
        """No output of any command showed a secret."""
        for output in self.outputs:
            assert tenant.control_client_secret not in output
            assert tenant.exec_client_secret not in output


def exec_token(stack: Stack, tenant: BootstrapResult, *, operator: bool = False) -> str:
    """A token of the tenant's exec identity (or of its operator)."""
    client_id, secret = (
        (tenant.control_client_id, tenant.control_client_secret)
        if operator
        else (tenant.exec_client_id, tenant.exec_client_secret)
    )
    answer = httpx.post(
        f"{stack.url('control-api')}/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


def queue_job(
    exec_url: str, token: str, connector: str, operation: str, *, delay_ms: int = 0
) -> str:
    """A job queued with ``POST /api/v1/jobs``; its id."""
    made = httpx.post(
        f"{exec_url}/api/v1/jobs",
        json={
            "connector": connector,
            "operation": operation,
            "delay_ms": delay_ms,
            "payload": {"id": "o-1", "amount": 1},
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert made.status_code == 202, made.text
    return str(made.json()["id"])


def reaching(url: str, token: str, *statuses: str) -> dict[str, Any]:
    """The resource at ``url`` once its ``status`` is one of ``statuses`` (polled, for 30 s
    at most)."""
    deadline = time.monotonic() + 30
    while True:
        found: dict[str, Any] = httpx.get(url, headers={"Authorization": f"Bearer {token}"}).json()
        if found["status"] in statuses or time.monotonic() > deadline:
            assert found["status"] in statuses, found
            return found
        time.sleep(0.1)
