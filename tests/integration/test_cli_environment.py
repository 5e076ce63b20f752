"""The CLI from a second shell: it finds the running dev stack's database, Redis and
key-encryption key when its environment names none, says which it took, and tells each
failure the user can fix in one line with a non-zero exit, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import make_url

from orchestrator.cli import devstack
from orchestrator.cli.failures import one_line

pytestmark = pytest.mark.integration

SETTINGS = (
    "DATABASE_URL",
    "REDIS_URL",
    "ORCH_REDIS_NAMESPACE",
    "ORCH_KEK",
    "ORCH_KEK_ID",
    "ORCH_DATA_DIR",
)


def cli(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``orchestrator`` run as a user would, in ``cwd``, with only ``env`` of our settings."""
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    command = [sys.executable, "-m", "orchestrator.cli.main", *args]
    return subprocess.run(
        command, cwd=cwd, env={**clean, **env}, capture_output=True, text=True, timeout=60
    )


def one_line_failure(done: subprocess.CompletedProcess[str]) -> str:
    """The failure's only line (asserting there is no traceback)."""
    assert done.returncode == 1, done
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


@pytest.mark.usefixtures("signing_key")
def test_a_command_in_a_subdirectory_uses_the_running_stacks_settings(
    service_env: dict[str, str], tmp_path: Path
) -> None:
    checkout = tmp_path / "checkout"
    (checkout / "libs").mkdir(parents=True)
    devstack.record(checkout / ".data", service_env)  # as `make run` does
    assert oct((checkout / ".data" / "stack.env").stat().st_mode & 0o777) == "0o600"

    done = cli(
        "bootstrap",
        "--org",
        "second-shell",
        "--workspace",
        "second-dev",
        "--json",
        cwd=checkout / "libs",
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == (
        "using the running dev stack's DATABASE_URL, REDIS_URL, ORCH_REDIS_NAMESPACE, ORCH_KEK, "
        "ORCH_KEK_ID "
        f"({checkout / '.data' / 'stack.env'})"
    )
    assert '"tenant_id"' in done.stdout
    # The key itself is never said, only its name.
    assert service_env["ORCH_KEK"] not in done.stdout + done.stderr


def test_without_a_running_stack_a_missing_database_is_one_line(tmp_path: Path) -> None:
    line = one_line_failure(cli("migrate", cwd=tmp_path))
    assert line.startswith("orchestrator: DATABASE_URL is not set")


def test_a_record_left_by_a_crashed_stack_is_ignored(
    service_env: dict[str, str], tmp_path: Path
) -> None:
    devstack.record(tmp_path / ".data", service_env)
    record = tmp_path / ".data" / "stack.env"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    record.write_text(
        record.read_text().replace(f"ORCH_STACK_PID={os.getpid()}", f"ORCH_STACK_PID={dead}")
    )
    assert devstack.running(tmp_path / ".data") == {}
    assert "DATABASE_URL is not set" in one_line_failure(cli("migrate", cwd=tmp_path))


def test_an_explicit_database_takes_nothing_from_the_stack(
    service_env: dict[str, str], tmp_path: Path
) -> None:
    devstack.record(tmp_path / ".data", service_env)
    env, taken = devstack.completed(
        {"DATABASE_URL": "postgresql://elsewhere/x"}, tmp_path / ".data"
    )
    assert (env, taken) == ({"DATABASE_URL": "postgresql://elsewhere/x"}, [])


def test_an_unreachable_database_is_one_line_without_its_password(tmp_path: Path) -> None:
    url = "postgresql://postgres:hunter2-not-shown@127.0.0.1:1/x"
    line = one_line_failure(cli("migrate", cwd=tmp_path, DATABASE_URL=url))
    assert line.startswith("orchestrator: the database does not answer (")
    assert "make run" in line
    assert "hunter2" not in line


def test_an_unmigrated_database_says_to_migrate(
    service_env: dict[str, str], database_url: str, tmp_path: Path
) -> None:
    name = f"orch_empty_{os.getpid()}"
    session_db = make_url(database_url).set(drivername="postgresql")
    admin = session_db.render_as_string(hide_password=False)
    empty = session_db.set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        done = cli(
            "keys",
            "revoke",
            "some-kid",
            "--reason",
            "test",
            cwd=tmp_path,
            DATABASE_URL=empty,
            REDIS_URL=service_env["REDIS_URL"],
            ORCH_KEK=service_env["ORCH_KEK"],
        )
        assert one_line_failure(done) == (
            "orchestrator: the database has no Orchestrator tables yet: run `orchestrator migrate`"
        )
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_bug_keeps_its_traceback() -> None:
    assert one_line(ZeroDivisionError("a bug")) is None


def test_webhooks_send_tells_a_bad_secret_and_a_silent_ingress_in_one_line(
    tmp_path: Path,
) -> None:
    url = "http://127.0.0.1:1/webhooks/00000000-0000-0000-0000-000000000000"
    bad = cli("webhooks", "send", url, "--secret", "not-a-whsec", cwd=tmp_path)
    assert bad.returncode == 2
    assert "a Standard Webhooks secret is whsec_ followed by base64" in bad.stderr
    assert "Traceback" not in bad.stderr
    silent = cli("webhooks", "send", url, "--secret", "whsec_c2VjcmV0", cwd=tmp_path)
    assert one_line_failure(silent) == (
        f"orchestrator: {url} does not answer ([Errno 111] Connection refused); "
        "is the stack running?"
    )
