"""``orchestrator run``: the whole stack for development, on embedded PostgreSQL and Redis
unless the environment names its own, with a demo workspace, announced when ready."""

from __future__ import annotations

import asyncio
import base64
import os
import secrets
import sys
import threading
import time
from pathlib import Path

import httpx
import typer

from orchestrator.cli import commands, demo, devstack
from orchestrator.cli.demo_upstream import DEFAULT_PORT, PORT_VARIABLE
from orchestrator.cli.infra import Infra, ensure_infra
from orchestrator.cli.supervisor import ProcessSpec, run_stack
from orchestrator.core.settings import CoreSettings
from orchestrator.core.tenancy.service import BootstrapResult

SERVICES = (
    ("control-api", "orchestrator.control_api", "ORCH_CONTROL_API_PORT", 4000),
    ("exec-api", "orchestrator.exec_api", "ORCH_EXEC_API_PORT", 4001),
    ("webhook-ingress", "orchestrator.webhook_ingress", "ORCH_WEBHOOK_INGRESS_PORT", 4003),
    ("worker", "orchestrator.worker", "ORCH_WORKER_PORT", 4004),
    ("console", "orchestrator.console", "ORCH_CONSOLE_PORT", 4002),
    ("demo-upstream", "orchestrator.cli.demo_upstream", PORT_VARIABLE, DEFAULT_PORT),
)
WITHOUT_OPENAPI = frozenset({"worker", "console", "demo-upstream"})


def run_dev_stack(data_dir: Path) -> int:
    """Run the stack with its data under ``data_dir`` until it stops; the exit status."""
    infra = ensure_infra(data_dir / "infra", os.environ)
    try:
        return _serve(infra, data_dir)
    finally:
        _shut_down(infra, data_dir)


def _dev_kek(data_dir: Path) -> str:
    """A KEK for local runs, kept under .data so secrets survive restarts."""
    path = data_dir / "kek"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(base64.b64encode(secrets.token_bytes(32)).decode())
        path.chmod(0o600)
    return path.read_text().strip()


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


def _announce_when_ready(env: dict[str, str], creds: BootstrapResult, credentials: Path) -> None:
    """Print the URLs and where the demo's credentials are once every service answers
    /ready."""
    urls = service_urls(env)
    deadline = time.monotonic() + 60
    pending = set(urls)
    while pending and time.monotonic() < deadline:
        for name in sorted(pending):
            try:
                if httpx.get(f"{urls[name]}/ready", timeout=1).status_code == 200:
                    pending.discard(name)
            except httpx.HTTPError:
                pass
        time.sleep(0.3)
    lines = [
        "",
        "Orchestrator is up." if not pending else f"Still not ready: {', '.join(sorted(pending))}",
        *(
            f"  {name:<16} {url}"
            + ("" if name in WITHOUT_OPENAPI else f"   (OpenAPI: {url}/schema)")
            for name, url in urls.items()
        ),
        "",
        f"Demo workspace {demo.DEMO_WORKSPACE} (tenant {creds.tenant_id}): its identities,",
        f"the services' URLs and its webhook source are in {credentials}.",
        "In a second shell: `source .data/demo.env`, then the README's five-minute walkthrough.",
        "",
        f"Operator (control plane): client_id={creds.control_client_id} "
        f"client_secret={creds.control_client_secret}",
        f"Console: open {urls['console']} and sign in with that operator's client id and secret.",
        "Press Ctrl-C to stop.",
        "",
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()


def _shut_down(infra: Infra, data_dir: Path) -> None:
    """Stop what the stack started, and say what stopped (and what it left running)."""
    devstack.forget(data_dir)
    stopped = infra.close()
    for line in stopped:
        typer.echo(line)
    if len(stopped) < 2:
        typer.echo("A PostgreSQL or Redis given by DATABASE_URL / REDIS_URL is left running.")


def _serve(infra: Infra, data_dir: Path) -> int:
    """Migrate, seed the demo workspace, record the stack for other shells, and run the
    services until one stops or the stack is told to; the exit status."""
    env = {
        "ORCH_ENVIRONMENT": "dev",
        "ORCH_UPSTREAM_ALLOW_LOOPBACK": "true",  # the demo calls local upstreams
        **os.environ,
        **infra.env(),
        "ORCH_KEK": os.environ.get("ORCH_KEK") or _dev_kek(data_dir),
        demo.WEBHOOK_SECRET_VARIABLE: demo.webhook_secret(data_dir),
    }
    env.update(console_env(env))
    stack_settings = CoreSettings.from_env(env)
    asyncio.run(commands.migrate(stack_settings))
    creds = asyncio.run(
        commands.bootstrap_workspace(
            stack_settings, organization=demo.DEMO_ORG, workspace=demo.DEMO_WORKSPACE
        )
    )
    # The connectors' URLs are checked against the SSRF policy this process reads.
    os.environ.setdefault("ORCH_UPSTREAM_ALLOW_LOOPBACK", env["ORCH_UPSTREAM_ALLOW_LOOPBACK"])
    urls = service_urls(env)
    source_path = asyncio.run(
        demo.seed(stack_settings, creds.tenant_id, urls["control-api"], urls["demo-upstream"])
    )
    devstack.record(data_dir, env)
    credentials = demo.write_credentials(data_dir, creds, urls, source_path)
    processes = [
        ProcessSpec(name=name, argv=[sys.executable, "-m", module], env=env)
        for name, module, _, _ in SERVICES
    ]
    announce = threading.Thread(
        target=_announce_when_ready, args=(env, creds, credentials), daemon=True
    )
    announce.start()
    return run_stack(processes)
