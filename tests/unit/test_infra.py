"""The local-run plumbing: port probe, embedded servers, and the process supervisor."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import redis

from orchestrator.cli.infra import EmbeddedPostgres, EmbeddedRedis, ensure_infra, tcp_answers

_SUPERVISE = """
import sys
from orchestrator.cli.supervisor import ProcessSpec, run_stack
tmp, py = sys.argv[1], sys.executable
record = "import os, pathlib, sys; pathlib.Path(sys.argv[1]).write_text(str(os.getpid()))"
specs = [
    ProcessSpec("sleeper", [py, "-c", record + "; import time; time.sleep(60)", tmp + "/a"]),
    ProcessSpec(
        "stubborn",
        [py, "-c", "import signal; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
         + record + "; print('ready', flush=True); import time; time.sleep(60)", tmp + "/b"],
    ),
    ProcessSpec("shell", ["sh", "-c", "sleep 60 & echo $! > " + tmp + "/c; wait"]),
]
if len(sys.argv) > 2:
    ready = " && ".join(f"[ -s {tmp}/{name} ]" for name in "abc")
    specs.append(ProcessSpec("quitter", ["sh", "-c", f"until {ready}; do sleep 0.05; done; exit 3"]))
sys.exit(run_stack(specs, grace_seconds=1.0))
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        # ProcessLookupError: the process was reaped between opening its stat and reading it.
        return False
    return state != "Z"


def _wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def _start_supervisor(tmp_path: Path, *extra: str) -> tuple[subprocess.Popen[str], list[int]]:
    supervisor = subprocess.Popen(
        [sys.executable, "-c", _SUPERVISE, str(tmp_path), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    pid_files = [tmp_path / name for name in "abc"]
    assert _wait_for(lambda: all(f.exists() and f.read_text().strip() for f in pid_files))
    return supervisor, [int(f.read_text()) for f in pid_files]


def test_tcp_answers_only_while_something_listens() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert tcp_answers("127.0.0.1", port, timeout=1.0)
    assert not tcp_answers("127.0.0.1", port, timeout=1.0)


def test_sigterm_stops_every_child_and_grandchild(tmp_path: Path) -> None:
    supervisor, pids = _start_supervisor(tmp_path)
    assert all(_alive(pid) for pid in pids)
    supervisor.send_signal(signal.SIGTERM)
    output, _ = supervisor.communicate(timeout=15)

    assert supervisor.returncode == 0, output
    assert _wait_for(lambda: not any(_alive(pid) for pid in pids), timeout=5), output
    assert "stubborn | ready" in output
    assert "stubborn did not stop: SIGKILL" in output


def test_a_child_exiting_stops_the_stack_with_its_status(tmp_path: Path) -> None:
    supervisor, pids = _start_supervisor(tmp_path, "with-quitter")
    output, _ = supervisor.communicate(timeout=15)

    assert supervisor.returncode == 3, output
    assert "quitter exited with status 3: stopping" in output
    assert _wait_for(lambda: not any(_alive(pid) for pid in pids), timeout=5), output


def test_embedded_servers_keep_their_data_across_a_restart(tmp_path: Path) -> None:
    env = {"ORCH_EMBEDDED_REDIS_PORT": str(_free_port())}
    for run in (1, 2):
        with ensure_infra(tmp_path, env) as infra:
            with psycopg.connect(infra.database_url, autocommit=True) as conn:
                conn.execute("CREATE TABLE IF NOT EXISTS run (n int)")
                conn.execute("INSERT INTO run VALUES (%s)", (run,))
                rows = conn.execute("SELECT current_database(), count(*) FROM run").fetchone()
            with redis.Redis.from_url(infra.redis_url) as client:
                client.rpush("runs", run)
                runs = client.llen("runs")
        assert rows == ("orchestrator", run)
        assert runs == run
        assert not tcp_answers("127.0.0.1", int(env["ORCH_EMBEDDED_REDIS_PORT"]))


def test_urls_from_the_environment_start_nothing(tmp_path: Path) -> None:
    env = {"DATABASE_URL": "postgresql://db.invalid/x", "REDIS_URL": "redis://cache.invalid/0"}
    with ensure_infra(tmp_path, env) as infra:
        assert infra.env() == env
        assert infra.embedded == []
    assert list(tmp_path.iterdir()) == []


def test_stopped_embedded_redis_refuses_connections_until_restarted(tmp_path: Path) -> None:
    server = EmbeddedRedis(tmp_path, _free_port())
    server.start()
    assert server.stop() == f"Redis (embedded, port {server.port}) stopped"
    assert server.stop() is None  # nothing left to stop, nothing said
    assert not tcp_answers("127.0.0.1", server.port)
    server.start()
    try:
        assert tcp_answers("127.0.0.1", server.port)
    finally:
        server.stop()


def test_embedded_postgres_owns_only_a_server_it_started(tmp_path: Path) -> None:
    first, second = EmbeddedPostgres(tmp_path / "pg"), EmbeddedPostgres(tmp_path / "pg")
    first.start()
    try:
        second.start()
        assert first.owned
        assert not second.owned
        assert second.stop() is None  # leaves the server to its owner, and says nothing
        with psycopg.connect(first.start()) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
    finally:
        first.stop()
