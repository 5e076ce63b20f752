"""Servers a test may freeze: a PostgreSQL and a Redis of its own, stopped with SIGSTOP.

A frozen server keeps its sockets open and accepts connections into its backlog, but
answers nothing: what a hung host, a stalled disk or a stop-the-world pause looks like to
a client, and the case no server-side timeout covers. Never the shared servers: these
are started by the test, in a temporary directory, and stopped with it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg


def process_tree(root: int) -> set[int]:
    """``root`` and every process descending from it (read from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            stat = (entry / "stat").read_text()
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree = {root}
    grew = True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grew = True
    return tree


@dataclass
class Freezer:
    """SIGSTOP / SIGCONT of a process and all its descendants."""

    root: int
    frozen: set[int] = field(default_factory=set)

    def freeze(self) -> None:
        """Stop the root first (it forks no more), then its children, until none is left."""
        while True:
            pids = process_tree(self.root) - self.frozen
            if not pids:
                return
            for pid in sorted(pids):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGSTOP)
                self.frozen.add(pid)

    def thaw(self) -> None:
        """Let every stopped process run again."""
        for pid in sorted(self.frozen):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
        self.frozen.clear()

    @contextlib.contextmanager
    def frozen_for_a_while(self) -> Iterator[None]:
        """Frozen inside the block; thawed after it, whatever happens."""
        self.freeze()
        try:
            yield
        finally:
            self.thaw()


def _pgserver() -> Any:
    with warnings.catch_warnings():  # it warns at import without XDG_RUNTIME_DIR
        warnings.simplefilter("ignore")
        import pgserver

    return pgserver


class DedicatedPostgres:
    """PostgreSQL from the pgserver wheel in ``data_dir``, on a unix socket, for one test
    module: started, frozen, thawed and stopped by it (the CI's shared server is never
    touched)."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir.resolve()
        self._server: Any = None
        self.url = ""

    def start(self, database: str = "orchestrator") -> str:
        """Start the server and create ``database``; its owner URL."""
        pgserver = _pgserver()
        self._server = pgserver.get_server(self.data_dir, cleanup_mode=None)
        host = quote(str(self._server.get_postmaster_info().socket_dir), safe="/")
        with psycopg.connect(
            f"postgresql://postgres@/postgres?host={host}", autocommit=True, connect_timeout=10
        ) as conn:
            conn.execute(f'CREATE DATABASE "{database}"')
        self.url = f"postgresql://postgres@/{database}?host={host}"
        return self.url

    def freezer(self) -> Freezer:
        """A freezer of the postmaster and its children."""
        info = _pgserver().utils.PostmasterInfo.read_from_pgdata(self.data_dir)
        return Freezer(int(info.pid))

    def stop(self) -> None:
        """Stop the server (immediately: nothing of it is kept)."""
        if self._server is None:
            return
        pgserver = _pgserver()
        pgserver.pg_ctl(
            ["-w", "-m", "immediate", "stop"],
            pgdata=self.data_dir,
            user=self._server.system_user,
            timeout=20,
        )
        self._server = None
