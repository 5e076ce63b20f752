"""The ``orchestrator`` command: migrate, bootstrap, rotate keys and run the stack."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import os
import re
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Annotated

import httpx
import typer

from orchestrator.cli import commands, devstack
from orchestrator.cli.failures import one_line
from orchestrator.cli.infra import Infra, ensure_infra
from orchestrator.cli.supervisor import ProcessSpec, run_stack
from orchestrator.core.settings import CoreSettings
from orchestrator.core.tenancy.service import BootstrapResult

app = typer.Typer(
    no_args_is_help=True, add_completion=False, help=__doc__, pretty_exceptions_enable=False
)
keys_app = typer.Typer(no_args_is_help=True, help="Token-signing keys.")
app.add_typer(keys_app, name="keys")
platform_app = typer.Typer(no_args_is_help=True, help="Platform operators (above organizations).")
app.add_typer(platform_app, name="platform-operator")

DATA_DIR = Path(os.environ.get("ORCH_DATA_DIR", ".data"))
SERVICES = (
    ("control-api", "orchestrator.control_api", "ORCH_CONTROL_API_PORT", 4000),
    ("exec-api", "orchestrator.exec_api", "ORCH_EXEC_API_PORT", 4001),
    ("webhook-ingress", "orchestrator.webhook_ingress", "ORCH_WEBHOOK_INGRESS_PORT", 4003),
    ("worker", "orchestrator.worker", "ORCH_WORKER_PORT", 4004),
    ("console", "orchestrator.console", "ORCH_CONSOLE_PORT", 4002),
)
WITHOUT_OPENAPI = frozenset({"worker", "console"})
DEMO_ORG, DEMO_WORKSPACE = "demo", "demo-dev"
# A platform operator's name is its tokens' ``sub``, spelled like an operator's.
PLATFORM_NAME = re.compile(r"[a-z0-9][a-z0-9:._-]{2,199}")


def settings() -> CoreSettings:
    """The settings a command acts with: its environment, completed from the running dev
    stack's (``make run`` in another shell), saying in one line which it took."""
    data_dir = DATA_DIR if "ORCH_DATA_DIR" in os.environ else devstack.nearest(Path.cwd(), DATA_DIR)
    env, taken = devstack.completed(os.environ, data_dir)
    if taken:
        record = data_dir / devstack.STACK_FILE
        typer.echo(f"using the running dev stack's {', '.join(taken)} ({record})", err=True)
    return CoreSettings.from_env(env)


def main() -> None:
    """The ``orchestrator`` command: what the user can fix is one line and exit status 1."""
    try:
        app(standalone_mode=True)
    except Exception as exc:
        told = one_line(exc)
        if told is None:
            raise
        typer.echo(f"orchestrator: {told}", err=True)
        raise SystemExit(1) from None


@app.command()
def migrate() -> None:
    """Migrate the database to head and make sure a signing key exists."""
    kid = asyncio.run(commands.migrate(settings()))
    typer.echo(f"migrated; signing key {kid}" if kid else "migrated (no ORCH_KEK: no signing key)")


@app.command("db-check")
def db_check() -> None:
    """Fail if the models and the migrations disagree (alembic check on a scratch database)."""
    commands.check_schema(settings())
    typer.echo("models and migrations agree")


@app.command("bootstrap")
def bootstrap_command(
    org: Annotated[str, typer.Option("--org", help="Organization name")],
    workspace: Annotated[str, typer.Option("--workspace", help="Workspace name")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON only")] = False,
) -> None:
    """Create an organization, a workspace and its two identities (idempotent by name)."""
    result = asyncio.run(
        commands.bootstrap_workspace(settings(), organization=org, workspace=workspace)
    )
    if as_json:
        typer.echo(commands.bootstrap_json(result))
        return
    typer.echo(f"tenant_id             {result.tenant_id}")
    typer.echo(f"exec_client_id        {result.exec_client_id}")
    typer.echo(f"exec_client_secret    {result.exec_client_secret}")
    typer.echo(f"control_client_id     {result.control_client_id}")
    typer.echo(f"control_client_secret {result.control_client_secret}")
    typer.echo("Secrets are shown once; running bootstrap again keeps the ids and issues new ones.")


@platform_app.command("create")
def platform_operator_create(
    name: Annotated[str, typer.Option("--name", help="Platform operator name")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON only")] = False,
) -> None:
    """Create a platform operator, which creates organizations (idempotent by name)."""
    if not PLATFORM_NAME.fullmatch(name):
        raise typer.BadParameter("3 to 200 of a-z, 0-9, ':', '.', '_', '-'", param_hint="--name")
    result = asyncio.run(commands.create_platform_operator(settings(), name=name))
    if as_json:
        typer.echo(commands.to_json(result))
        return
    typer.echo(f"client_id     {result.client_id}")
    typer.echo(f"client_secret {result.client_secret}")
    typer.echo("The secret is shown once; running this again keeps the id and issues a new one.")


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Sign new tokens with a fresh key; old keys verify until their tokens expire."""
    kid = asyncio.run(commands.rotate_keys(settings()))
    typer.echo(f"now signing with {kid}")


@keys_app.command("revoke")
def keys_revoke(
    kid: Annotated[str, typer.Argument(help="The key id (a token header's `kid`)")],
    reason: Annotated[str, typer.Option("--reason", help="Why (printed with the outcome)")],
) -> None:
    """Emergency: stop a signing key now; every token it signed is refused on every service.

    The JWKS stops publishing it; a fresh key signs if it was the signing key.
    """
    if not reason.strip():
        raise typer.BadParameter("say why the key is revoked", param_hint="--reason")
    report = asyncio.run(commands.revoke_key(settings(), kid))
    if report is None:
        typer.echo(f"revoke: no signing key {kid}", err=True)
        raise typer.Exit(1)
    state = "revoked" if report.was_verifying else "already not verifying"
    typer.echo(f"{kid} {state} at {dt.datetime.now(dt.UTC):%Y-%m-%dT%H:%M:%SZ}; reason: {reason}")
    if report.replacement is not None:
        typer.echo(f"now signing with {report.replacement}")
    if report.announced_to is None:
        typer.echo(
            "Redis could not be told: services drop the key at their next key reload "
            "(ORCH_AUTH_KEY_REFRESH_S)",
            err=True,
        )
        raise typer.Exit(2)
    typer.echo(f"announced to {report.announced_to} subscribed processes")


@keys_app.command("rotate-kek")
def keys_rotate_kek() -> None:
    """Re-wrap every sealed value from ORCH_KEK_PREVIOUS to ORCH_KEK (idempotent).

    Plaintexts are untouched; values already under ORCH_KEK are skipped.
    """
    report = asyncio.run(commands.rotate_kek(settings()))
    for table, counts in report.tables.items():
        typer.echo(
            f"{table:<18} re-wrapped {counts.rewrapped:>6}  already current {counts.current:>6}"
        )


@app.command(
    "with-infra",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def with_infra(ctx: typer.Context) -> None:
    """Run a command with DATABASE_URL/REDIS_URL set, starting embedded servers if needed."""
    if not ctx.args:
        raise typer.BadParameter("give a command after --")
    with ensure_infra(DATA_DIR / "infra", os.environ) as infra:
        env = {**os.environ, **infra.env()}
        code = subprocess.call(ctx.args, env=env)
    raise typer.Exit(code)


def _dev_kek() -> str:
    """A KEK for local runs, kept under .data so secrets survive restarts."""
    path = DATA_DIR / "kek"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(base64.b64encode(secrets.token_bytes(32)).decode())
        path.chmod(0o600)
    return path.read_text().strip()


def _port(env: dict[str, str], variable: str, default: int) -> int:
    return int(env.get(variable) or default)


def console_env(env: dict[str, str]) -> dict[str, str]:
    """Where the console finds the two APIs it calls (the ports this stack uses)."""
    ports = {name: _port(env, var, port) for name, _, var, port in SERVICES}
    return {
        "ORCH_CONSOLE_CONTROL_API_URL": f"http://127.0.0.1:{ports['control-api']}",
        "ORCH_CONSOLE_EXEC_API_URL": f"http://127.0.0.1:{ports['exec-api']}",
    }


def _announce_when_ready(env: dict[str, str], creds: BootstrapResult) -> None:
    """Print the URLs and a copy-paste curl once every service answers /ready."""
    urls = {name: f"http://127.0.0.1:{_port(env, var, port)}" for name, _, var, port in SERVICES}
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
    control, exec_api = urls["control-api"], urls["exec-api"]
    lines = [
        "",
        "Orchestrator is up." if not pending else f"Still not ready: {', '.join(sorted(pending))}",
        *(
            f"  {name:<16} {url}"
            + ("" if name in WITHOUT_OPENAPI else f"   (OpenAPI: {url}/schema)")
            for name, url in urls.items()
        ),
        "",
        f"Demo workspace {DEMO_WORKSPACE} (tenant {creds.tenant_id}). Try:",
        "",
        f"  TOKEN=$(curl -s {control}/oauth/token -d grant_type=client_credentials \\",
        f"      -d client_id={creds.exec_client_id} -d client_secret={creds.exec_client_secret} \\",
        "      | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access_token\"])')",
        f'  curl -s -H "Authorization: Bearer $TOKEN" {exec_api}/api/v1/workspace',
        f'  curl -s -H "Authorization: Bearer $TOKEN" {exec_api}/api/v1/execute \\',
        f"""      -H Content-Type:application/json -d '{{"connector": "{commands.DEMO_CONNECTOR}", "operation": "jwks"}}'""",
        "",
        f"Operator (control plane): client_id={creds.control_client_id} "
        f"client_secret={creds.control_client_secret}",
        f"Console: open {urls['console']} and sign in with that operator's client id and secret.",
        "Press Ctrl-C to stop.",
        "",
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()


def _shut_down(infra: Infra) -> None:
    """Stop what the stack started, and say what stopped (and what it left running)."""
    devstack.forget(DATA_DIR)
    stopped = infra.close()
    for line in stopped:
        typer.echo(line)
    if len(stopped) < 2:
        typer.echo("A PostgreSQL or Redis given by DATABASE_URL / REDIS_URL is left running.")


@app.command()
def run() -> None:
    """Run the whole stack: embedded PostgreSQL/Redis if needed, migrate, seed, serve."""
    infra = ensure_infra(DATA_DIR / "infra", os.environ)
    try:
        code = _serve(infra)
    finally:
        _shut_down(infra)
    raise typer.Exit(code)


def _serve(infra: Infra) -> int:
    """Migrate, seed the demo workspace, record the stack for other shells, and run the
    services until one stops or the stack is told to; the exit status."""
    env = {
        "ORCH_ENVIRONMENT": "dev",
        "ORCH_UPSTREAM_ALLOW_LOOPBACK": "true",  # the demo calls local upstreams
        **os.environ,
        **infra.env(),
        "ORCH_KEK": os.environ.get("ORCH_KEK") or _dev_kek(),
    }
    env.update(console_env(env))
    stack_settings = CoreSettings.from_env(env)
    asyncio.run(commands.migrate(stack_settings))
    creds = asyncio.run(
        commands.bootstrap_workspace(
            stack_settings, organization=DEMO_ORG, workspace=DEMO_WORKSPACE
        )
    )
    # The connector's URL is checked against the SSRF policy this process reads.
    os.environ.setdefault("ORCH_UPSTREAM_ALLOW_LOOPBACK", env["ORCH_UPSTREAM_ALLOW_LOOPBACK"])
    control_url = f"http://127.0.0.1:{_port(env, SERVICES[0][2], SERVICES[0][3])}"
    asyncio.run(commands.seed_demo_connector(stack_settings, creds.tenant_id, control_url))
    devstack.record(DATA_DIR, env)
    processes = [
        ProcessSpec(name=name, argv=[sys.executable, "-m", module], env=env)
        for name, module, _, _ in SERVICES
    ]
    threading.Thread(target=_announce_when_ready, args=(env, creds), daemon=True).start()
    return run_stack(processes)


if __name__ == "__main__":
    main()
