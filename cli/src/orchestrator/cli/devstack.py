"""Where a second shell finds the running dev stack: ``make run`` records the database,
Redis (and its namespace) and key-encryption key it serves with in ``.data/stack.env`` (readable by its owner
only) and removes the file when it stops; a CLI command run without them in its own
environment takes them from there, and says so in one line."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

STACK_FILE = "stack.env"
DEMO_FILE = "demo.env"
"""The demo workspace's identities and the services' URLs, for ``source`` in a second shell
and ``orchestrator login --from-dev-stack`` (here, not in ``demo``: the login needs only its
name, not the bundle importer ``demo`` imports)."""
DEMO_ORG, DEMO_WORKSPACE = "demo", "demo-dev"
"""The demo workspace ``make run`` seeds (here too, for the launcher's announcement)."""
SHARED = ("DATABASE_URL", "REDIS_URL", "ORCH_REDIS_NAMESPACE", "ORCH_KEK", "ORCH_KEK_ID")
"""What a command needs to act on the stack's database as the stack does, and to reach its
services through Redis (``keys rotate`` and ``keys revoke`` announce on the namespace's
channel: in another namespace, no service would hear them)."""


def nearest(start: Path, default: Path) -> Path:
    """The data directory of the checkout ``start`` is in (``.data`` with a record in it, in
    ``start`` or a parent), so a command finds the stack from any directory of it."""
    for directory in (start, *start.parents):
        if (directory / ".data" / STACK_FILE).exists():
            return directory / ".data"
    return default


def write_private(path: Path, text: str) -> Path:
    """Write ``text`` to ``path``, readable and writable by its owner only (from the
    first byte: the file is created so, never chmod-ed afterwards)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)  # an existing file keeps its mode through O_CREAT
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)
    return path


def record(data_dir: Path, env: Mapping[str, str]) -> Path:
    """Write the stack's settings and this process's id for other shells; the path."""
    lines = [f"ORCH_STACK_PID={os.getpid()}"]
    lines += [f"{name}={env[name]}" for name in SHARED if env.get(name)]
    return write_private(data_dir / STACK_FILE, "\n".join(lines) + "\n")


def forget(data_dir: Path) -> None:
    """Remove the record, once the stack has stopped."""
    (data_dir / STACK_FILE).unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def running(data_dir: Path) -> dict[str, str]:
    """The running stack's settings (empty when none runs: no record, or its process is
    gone, as after a crash)."""
    try:
        text = (data_dir / STACK_FILE).read_text()
    except OSError:
        return {}
    values = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
    pid = values.pop("ORCH_STACK_PID", "")
    return values if pid.isdigit() and _alive(int(pid)) else {}


def completed(env: Mapping[str, str], data_dir: Path) -> tuple[dict[str, str], list[str]]:
    """``env`` with what it lacks of ``NEEDED`` taken from the running stack, and the names
    taken. Only when ``env`` names no database: another database's commands must not get
    the dev stack's Redis or key-encryption key."""
    if env.get("DATABASE_URL"):
        return dict(env), []
    stack = running(data_dir)
    taken = [name for name in SHARED if not env.get(name) and stack.get(name)]
    return {**env, **{name: stack[name] for name in taken}}, taken
