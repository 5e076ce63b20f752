"""The README runs as pasted: its first shell block is the two set-up commands, and every
later one runs, in order and in one shell of a clean environment, against a live
``orchestrator run`` (what ``make run`` runs), failing on any non-zero exit, a curl that
gets an error status included."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import make_url

from orchestrator.cli.stack import SERVICES
from tests.support.stack import free_port

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"^```sh\n(.*?)^```", re.MULTILINE | re.DOTALL)
UP = "Orchestrator is up."


def shell_blocks() -> list[str]:
    """The README's ```sh blocks, in order."""
    return BLOCK.findall((ROOT / "README.md").read_text())


def commands(block: str) -> list[str]:
    """A block's commands, comments dropped."""
    lines = (line.split("#", 1)[0].strip() for line in block.splitlines())
    return [line for line in lines if line]


def test_the_readme_opens_with_exactly_the_two_setup_commands() -> None:
    assert commands(shell_blocks()[0]) == ["make run", "make test"]


@pytest.fixture
def stack_database(database_url: str) -> Iterator[str]:
    """An empty database of its own, as a fresh ``make run`` has."""
    admin = make_url(database_url).set(drivername="postgresql")
    name = f"orch_readme_{uuid.uuid4().hex[:8]}"
    admin_url = admin.render_as_string(hide_password=False)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield admin.set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def wait_until_up(log: Path, process: subprocess.Popen[bytes], timeout_s: float = 120) -> None:
    """Until the stack says every service answers ``/ready``."""
    deadline = time.monotonic() + timeout_s
    while UP not in log.read_text(errors="replace"):
        assert process.poll() is None, log.read_text(errors="replace")[-4000:]
        assert time.monotonic() < deadline, log.read_text(errors="replace")[-4000:]
        time.sleep(0.25)


def test_every_later_block_runs_as_pasted_against_make_run(
    stack_database: str, service_env: dict[str, str], tmp_path: Path
) -> None:
    checkout = tmp_path / "checkout"  # what the blocks see as the checkout: .venv and .data
    checkout.mkdir()
    (checkout / ".venv").symlink_to(ROOT / ".venv")
    ports = {variable: str(free_port()) for _, _, variable, _ in SERVICES}
    stack_env = {
        **os.environ,
        **ports,
        "DATABASE_URL": stack_database,
        "REDIS_URL": service_env["REDIS_URL"],
        "ORCH_REDIS_NAMESPACE": f"orch-readme-{uuid.uuid4().hex[:8]}",
        "ORCH_DATA_DIR": str(checkout / ".data"),
    }
    stack_env.pop("ORCH_KEK", None)  # make run makes its own, as on a fresh clone
    log = tmp_path / "stack.log"
    with log.open("wb") as out:
        stack = subprocess.Popen(
            [sys.executable, "-m", "orchestrator.cli.main", "run"],
            cwd=checkout,
            env=stack_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(log, stack)
        script = "\n".join(["set -euo pipefail", *shell_blocks()[1:]])
        clean = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "LANG": "C.UTF-8"}
        walked = subprocess.run(
            ["bash", "-c", script],
            cwd=checkout,
            env=clean,
            capture_output=True,
            text=True,
            timeout=180,
        )
    finally:
        stack.send_signal(signal.SIGINT)
        stack.wait(60)
    assert walked.returncode == 0, f"{walked.stdout[-3000:]}\n{walked.stderr[-3000:]}"
    said = walked.stdout
    assert '"received":{"order":42}' in said
    assert re.search(r"job [0-9a-f-]{36}: succeeded", said)
    assert '200 {"status":"accepted"}' in said
    assert re.search(r"job [0-9a-f-]{36}: dead", said)
    assert '"replayed":1' in said
    # Stopped, the stack said what it left running (the database and Redis were given).
    assert "left running" in log.read_text(errors="replace")
    assert not (checkout / ".data" / "stack.env").exists()
