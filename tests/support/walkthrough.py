"""Pages whose ```sh blocks run as pasted (the README's walkthrough, the runbooks under
``docs/runbooks/``), against a live ``orchestrator run`` (what ``make run`` runs) on a
database, Redis namespace and ports of its own, in a clean environment: a checkout of its
own (``.venv`` linked in, ``.data`` its own) and only ``PATH``, ``HOME`` and ``LANG``."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy import make_url

from orchestrator.cli.stack import SERVICES
from tests.support.stack import free_port

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"^```sh\n(.*?)^```", re.MULTILINE | re.DOTALL)
UP = "Orchestrator is up."
FAILED = """'echo "exit $? at line $LINENO: $BASH_COMMAND" >&2'"""
"""An ERR trap: which command failed (without it, a ``curl -sf`` fails silently)."""


def shell_blocks(page: Path) -> list[str]:
    """A page's ```sh blocks, in order."""
    return BLOCK.findall(page.read_text())


def commands(block: str) -> list[str]:
    """A block's commands, comments dropped."""
    lines = (line.split("#", 1)[0].strip() for line in block.splitlines())
    return [line for line in lines if line]


@contextmanager
def own_database(database_url: str, prefix: str) -> Iterator[str]:
    """An empty database of its own, as a fresh ``make run`` has; dropped afterwards."""
    admin = make_url(database_url).set(drivername="postgresql")
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin_url = admin.render_as_string(hide_password=False)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def start_run(cwd: Path, env: Mapping[str, str], log: Path) -> subprocess.Popen[bytes]:
    """``orchestrator run`` (what ``make run`` runs) in ``cwd``, its output to ``log``."""
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "orchestrator.cli.main", "run"],
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def wait_until_up(log: Path, process: subprocess.Popen[bytes], timeout_s: float = 120) -> None:
    """Until the stack says every service answers ``/ready``."""
    deadline = time.monotonic() + timeout_s
    while UP not in log.read_text(errors="replace"):
        assert process.poll() is None, log.read_text(errors="replace")[-4000:]
        assert time.monotonic() < deadline, log.read_text(errors="replace")[-4000:]
        time.sleep(0.25)


@dataclass(frozen=True)
class DevStack:
    """A running ``orchestrator run`` and the checkout its second shells work in."""

    checkout: Path
    log: Path
    home: Path

    def run(self, script: str, *, home: Path | None = None, timeout_s: float = 180) -> str:
        """``script`` in one ``bash`` with ``set -euo pipefail``, in the checkout, in a clean
        environment (``HOME`` is ``home``); its stdout, asserting it exited 0. A command that
        fails is named on stderr (a ``curl -sf`` says nothing itself)."""
        clean = {"PATH": os.environ["PATH"], "HOME": str(home or self.home), "LANG": "C.UTF-8"}
        done = subprocess.run(
            ["bash", "-c", "\n".join([f"set -eEuo pipefail\ntrap {FAILED} ERR", script])],
            cwd=self.checkout,
            env=clean,
            capture_output=True,
            text=True,
            timeout=timeout_s,
        )
        assert done.returncode == 0, f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        return done.stdout

    def stack_log(self) -> str:
        """What the stack has said so far."""
        return self.log.read_text(errors="replace")


@contextmanager
def dev_stack(
    database_url: str, redis_url: str, workdir: Path, *, links: Iterable[str] = ()
) -> Iterator[DevStack]:
    """``orchestrator run`` on ``database_url`` (an empty database), ``redis_url`` in a
    namespace of its own and free ports, in a checkout under ``workdir`` holding ``.venv``
    and ``links`` (paths of the repository, e.g. ``docs``) as links; stopped with Ctrl-C
    (SIGINT) when the block ends."""
    checkout = workdir / "checkout"  # what the blocks see as the checkout: .venv and .data
    checkout.mkdir()
    for name in (".venv", *links):
        (checkout / name).symlink_to(ROOT / name)
    home = workdir / "home"
    home.mkdir()
    ports = {variable: str(free_port()) for _, _, variable, _ in SERVICES}
    stack_env = {
        **os.environ,
        **ports,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "ORCH_REDIS_NAMESPACE": f"orch-walk-{uuid.uuid4().hex[:8]}",
        "ORCH_DATA_DIR": str(checkout / ".data"),
    }
    stack_env.pop("ORCH_KEK", None)  # make run makes its own, as on a fresh clone
    log = workdir / "stack.log"
    process = start_run(checkout, stack_env, log)
    try:
        wait_until_up(log, process)
        yield DevStack(checkout=checkout, log=log, home=home)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(60)
