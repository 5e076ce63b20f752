"""``orchestrator run``: the whole stack for development, on embedded PostgreSQL and Redis
unless the environment names its own, with a demo workspace, announced when ready.

This process supervises the stack for as long as it runs, so it imports only what that
needs: the migration and the demo's seeding run in a child that exits once done
(``prepare``), the announcement asks with the standard library (ADR 0092). The HTTP
services share one process, each on its own port (``http_services``, ADR 0099)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import typer

from orchestrator.cli import demo_upstream, devstack, http_services
from orchestrator.cli.announce import announce_when_ready
from orchestrator.cli.dev_secrets import WEBHOOK_SECRET_VARIABLE, dev_kek, webhook_secret
from orchestrator.cli.infra import Infra, ensure_infra
from orchestrator.cli.supervisor import ProcessSpec, run_stack

SERVICES = (
    ("control-api", "orchestrator.control_api", "ORCH_CONTROL_API_PORT", 4000),
    ("exec-api", "orchestrator.exec_api", "ORCH_EXEC_API_PORT", 4001),
    ("webhook-ingress", "orchestrator.webhook_ingress", "ORCH_WEBHOOK_INGRESS_PORT", 4003),
    ("worker", "orchestrator.worker", "ORCH_WORKER_PORT", 4004),
    ("console", "orchestrator.console", "ORCH_CONSOLE_PORT", 4002),
    (
        demo_upstream.NAME,
        "orchestrator.cli.demo_upstream",
        demo_upstream.PORT_VARIABLE,
        demo_upstream.DEFAULT_PORT,
    ),
)
"""Each part of the stack: its name, module, port variable and default port."""
IN_LAUNCHER = frozenset({demo_upstream.NAME})
"""Served by the launcher itself, from a thread: only the dev stack has them (ADR 0092)."""
SERVED_TOGETHER = frozenset(name for name, _ in http_services.TOGETHER)
"""Served by one process of the dev stack, each on its own port (ADR 0099)."""
WITHOUT_OPENAPI = frozenset({"worker", "console", demo_upstream.NAME})


def run_dev_stack(data_dir: Path) -> int:
    """Run the stack with its data under ``data_dir`` until it stops; the exit status."""
    infra = ensure_infra(data_dir / "infra", os.environ)
    try:
        return _serve(infra, data_dir)
    finally:
        _shut_down(infra, data_dir)


def service_urls(env: dict[str, str]) -> dict[str, str]:
    """Each process's URL on loopback, at the port ``env`` gives it (else its default)."""
    return {
        name: f"http://127.0.0.1:{int(env.get(variable) or port)}"
        for name, _, variable, port in SERVICES
    }


def console_env(env: dict[str, str]) -> dict[str, str]:
    """Where the console finds the two APIs it calls (the ports this stack uses)."""
    urls = service_urls(env)
    return {
        "ORCH_CONSOLE_CONTROL_API_URL": urls["control-api"],
        "ORCH_CONSOLE_EXEC_API_URL": urls["exec-api"],
    }


def _shut_down(infra: Infra, data_dir: Path) -> None:
    """Stop what the stack started, and say what stopped (and what it left running)."""
    devstack.forget(data_dir)
    stopped = infra.close()
    for line in stopped:
        typer.echo(line)
    if len(stopped) < 2:
        typer.echo("A PostgreSQL or Redis given by DATABASE_URL / REDIS_URL is left running.")


def _serve(infra: Infra, data_dir: Path) -> int:
    """Migrate and seed the demo workspace (in a child), record the stack for other shells,
    and run the services until one stops or the stack is told to; the exit status."""
    env = {
        "ORCH_ENVIRONMENT": "dev",
        "ORCH_UPSTREAM_ALLOW_LOOPBACK": "true",  # the demo calls local upstreams
        **os.environ,
        **infra.env(),
        "ORCH_KEK": os.environ.get("ORCH_KEK") or dev_kek(data_dir),
        WEBHOOK_SECRET_VARIABLE: webhook_secret(data_dir),
    }
    env.update(console_env(env))
    prepared = subprocess.run(
        [sys.executable, "-m", "orchestrator.cli.prepare", str(data_dir)], env=env, check=False
    )
    if prepared.returncode != 0:
        typer.echo(f"migrating and seeding the demo workspace failed ({prepared.returncode})")
        return prepared.returncode
    devstack.record(data_dir, env)
    announce = threading.Thread(
        target=announce_when_ready,
        args=(
            service_urls(env),
            WITHOUT_OPENAPI,
            data_dir / devstack.DEMO_FILE,
            devstack.DEMO_WORKSPACE,
        ),
        daemon=True,
    )
    upstream = demo_upstream.serve_in_thread(demo_upstream.port_of(env))
    announce.start()
    try:
        together = [sys.executable, "-m", http_services.__name__]
        return run_stack(
            [
                ProcessSpec(name=http_services.NAME, argv=together, env=env),
                *(
                    ProcessSpec(name=name, argv=[sys.executable, "-m", module], env=env)
                    for name, module, _, _ in SERVICES
                    if name not in IN_LAUNCHER | SERVED_TOGETHER
                ),
            ]
        )
    finally:
        upstream.shutdown()
        upstream.server_close()
