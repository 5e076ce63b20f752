"""Orchestrator's command line: migrate, bootstrap, rotate keys and run the stack; operate a
running deployment as a stored login (`orchestrator login`, then any command below it)."""

# Only what declaring the commands needs is imported at the top: each command imports what
# it runs when it runs, so `orchestrator --help` starts in a fraction of the time the
# database, HTTP and service modules take to load.
from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, TypeVar

import typer

from orchestrator.cli import devstack
from orchestrator.cli.lazy import LazyGroup

if TYPE_CHECKING:
    from orchestrator.core.settings import CoreSettings


class Commands(LazyGroup):
    """The top level: operator commands against a running deployment, as a stored login
    (``login``), are built from their modules (``orchestrator.cli.remote``) when run."""

    LAZY: ClassVar[dict[str, tuple[str, str]]] = {
        name: (f"orchestrator.cli.remote.{module}", help_text)
        for name, module, help_text in (
            ("login", "logins", "Check an identity's credentials and store them as a profile."),
            ("logout", "logins", "Forget a stored login."),
            ("profiles", "logins", "List the stored logins; `*` marks the default."),
            ("workspaces", "resources", "Workspaces of your organization."),
            ("deletions", "deletions", "Follow a workspace's deletion."),
            ("connectors", "resources", "Connectors of the workspace."),
            ("policies", "resources", "Policies of the workspace."),
            ("sources", "resources", "Webhook sources of the workspace."),
            ("workflows", "resources", "Workflows of the workspace."),
            ("schedules", "resources", "Schedules of the workspace."),
            ("bundle", "bundle", "A workspace's whole configuration as one JSON document."),
            ("versions", "versions", "Configuration versions: list, diff, activate, roll back."),
            ("execute", "execute", "Call a connector's operation now (exec plane)."),
            ("jobs", "jobs", "Jobs of the workspace (exec plane)."),
            ("dlq", "jobs", "Dead jobs (the DLQ): list, replay, purge."),
            ("inbox", "inbox", "The webhook inbox: deliveries, their outcome, retries."),
            ("events", "events", "The workspace's event log, live (exec plane)."),
            ("channel", "channel", "The workspace's status channel: watch it, send to it."),
        )
    }


# Plain help and errors: Rich's formatting would double the start-up time.
app = typer.Typer(
    cls=Commands,
    no_args_is_help=True,
    rich_markup_mode=None,
    add_completion=True,  # costs nothing measurable at start-up (shellingham loads when used)
    help=__doc__,
    pretty_exceptions_enable=False,
)
keys_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="Token-signing keys.")
app.add_typer(keys_app, name="keys")
webhooks_app = typer.Typer(
    no_args_is_help=True, rich_markup_mode=None, help="Try webhook sources locally."
)
app.add_typer(webhooks_app, name="webhooks")
platform_app = typer.Typer(
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Platform operators (above organizations).",
)
app.add_typer(platform_app, name="platform-operator")

DATA_DIR = Path(os.environ.get("ORCH_DATA_DIR", ".data"))
# A platform operator's name is its tokens' ``sub``, spelled like an operator's.
PLATFORM_NAME = re.compile(r"[a-z0-9][a-z0-9:._-]{2,199}")


T = TypeVar("T")


def wait_for(work: Coroutine[Any, Any, T]) -> T:
    """Run a command's coroutine to its end (asyncio is loaded only by a command using it)."""
    import asyncio

    return asyncio.run(work)


def settings() -> CoreSettings:
    """The settings a command acts with: its environment, completed from the running dev
    stack's (``make run`` in another shell), saying in one line which it took."""
    data_dir = DATA_DIR if "ORCH_DATA_DIR" in os.environ else devstack.nearest(Path.cwd(), DATA_DIR)
    env, taken = devstack.completed(os.environ, data_dir)
    if taken:
        record = data_dir / devstack.STACK_FILE
        typer.echo(f"using the running dev stack's {', '.join(taken)} ({record})", err=True)
    from orchestrator.core.settings import CoreSettings

    return CoreSettings.from_env(env)


def main(args: list[str] | None = None) -> None:
    """The ``orchestrator`` command (with ``args``, else the process's): what the user can
    fix is one line and exit status 1."""
    try:
        app(args=args, standalone_mode=True)
    except Exception as exc:
        from orchestrator.cli.failures import one_line

        told = one_line(exc)
        if told is None:
            raise
        typer.echo(f"orchestrator: {told}", err=True)
        raise SystemExit(1) from None


@app.command()
def migrate() -> None:
    """Migrate the database to head and make sure a signing key exists."""
    from orchestrator.cli import commands

    kid = wait_for(commands.migrate(settings()))
    typer.echo(f"migrated; signing key {kid}" if kid else "migrated (no ORCH_KEK: no signing key)")


@app.command("db-check")
def db_check() -> None:
    """Fail if the models and the migrations disagree (alembic check on a scratch database)."""
    from orchestrator.cli import commands

    commands.check_schema(settings())
    typer.echo("models and migrations agree")


@app.command("bootstrap")
def bootstrap_command(
    org: Annotated[str, typer.Option("--org", help="Organization name")],
    workspace: Annotated[str, typer.Option("--workspace", help="Workspace name")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON only")] = False,
) -> None:
    """Create an organization, a workspace and its two identities (idempotent by name)."""
    from orchestrator.cli import commands

    result = wait_for(
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
    from orchestrator.cli import commands

    if not PLATFORM_NAME.fullmatch(name):
        raise typer.BadParameter("3 to 200 of a-z, 0-9, ':', '.', '_', '-'", param_hint="--name")
    result = wait_for(commands.create_platform_operator(settings(), name=name))
    if as_json:
        typer.echo(commands.to_json(result))
        return
    typer.echo(f"client_id     {result.client_id}")
    typer.echo(f"client_secret {result.client_secret}")
    typer.echo("The secret is shown once; running this again keeps the id and issues a new one.")


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Sign new tokens with a fresh key; old keys verify until their tokens expire."""
    from orchestrator.cli import commands

    kid = wait_for(commands.rotate_keys(settings()))
    typer.echo(f"now signing with {kid}")


@keys_app.command("revoke")
def keys_revoke(
    kid: Annotated[str, typer.Argument(help="The key id (a token header's `kid`)")],
    reason: Annotated[str, typer.Option("--reason", help="Why (printed with the outcome)")],
) -> None:
    """Emergency: stop a signing key now; every token it signed is refused on every service.

    The JWKS stops publishing it; a fresh key signs if it was the signing key.
    """
    from orchestrator.cli import commands

    if not reason.strip():
        raise typer.BadParameter("say why the key is revoked", param_hint="--reason")
    report = wait_for(commands.revoke_key(settings(), kid))
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
    from orchestrator.cli import commands

    report = wait_for(commands.rotate_kek(settings()))
    for table, counts in report.tables.items():
        typer.echo(
            f"{table:<18} re-wrapped {counts.rewrapped:>6}  already current {counts.current:>6}"
        )


@webhooks_app.command("send")
def webhooks_send(
    url: Annotated[str, typer.Argument(help="The source's ingress URL (…/webhooks/{id})")],
    secret: Annotated[str, typer.Option("--secret", help="The source's signing secret")],
    event_type: Annotated[str, typer.Option("--type", help="The event's type")] = "test.event",
    data: Annotated[str, typer.Option("--data", help="The event's data, as JSON")] = "{}",
) -> None:
    """Deliver an event signed as a Standard Webhooks sender signs it; print the answer."""
    import json

    from orchestrator.cli.webhook_sender import send
    from orchestrator.core.callbacks.signing import InvalidSecret

    try:
        parsed = json.loads(data)
    except ValueError as exc:
        raise typer.BadParameter(f"not JSON: {exc}", param_hint="--data") from None
    try:
        answer = send(url, secret, event_type, parsed)
    except InvalidSecret as exc:
        raise typer.BadParameter(str(exc), param_hint="--secret") from None
    typer.echo(f"{answer.status_code} {answer.text}")
    if not answer.is_success:
        raise typer.Exit(1)


@app.command("backup")
def backup_command() -> None:
    """Dump the database (pg_dump) to the backup bucket, under ORCH_ENVIRONMENT's prefix.

    The bucket is ORCH_BACKUP_BUCKET (at ORCH_BACKUP_ENDPOINT_URL, if not AWS); credentials
    are the standard AWS_* variables. See docs/backups.md.
    """
    import datetime as dt

    from orchestrator.cli import backup

    done = backup.backup(settings().db.owner_url(), os.environ, dt.datetime.now(dt.UTC))
    typer.echo(
        f"backed up database {done.database} to s3://{done.bucket}/{done.key} "
        f"({done.size} bytes, sha256 {done.sha256})"
    )


@app.command("restore")
def restore_command(
    name: Annotated[
        str | None,
        typer.Argument(help="The backup's key or name (default: the environment's latest)"),
    ] = None,
    target_url: Annotated[
        str,
        typer.Option(
            "--target-url",
            envvar="ORCH_RESTORE_TARGET_URL",
            help="The empty database to restore into (or ORCH_RESTORE_TARGET_URL)",
            show_envvar=False,
        ),
    ] = "",
) -> None:
    """Restore a backup (pg_restore) into a fresh, empty database; a non-empty one is refused."""
    from orchestrator.cli import backup

    if not target_url:
        raise typer.BadParameter(
            "name the empty database to restore into", param_hint="--target-url"
        )
    done = backup.restore(target_url, os.environ, name)
    typer.echo(
        f"restored s3://{done.bucket}/{done.key} ({done.size} bytes, sha256 {done.sha256}) "
        f"into database {done.database}"
    )


@app.command(
    "with-infra",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def with_infra(ctx: typer.Context) -> None:
    """Run a command with DATABASE_URL/REDIS_URL set, starting embedded servers if needed."""
    if not ctx.args:
        raise typer.BadParameter("give a command after --")
    import subprocess

    from orchestrator.cli.infra import ensure_infra

    with ensure_infra(DATA_DIR / "infra", os.environ) as infra:
        env = {**os.environ, **infra.env()}
        code = subprocess.call(ctx.args, env=env)
    raise typer.Exit(code)


@app.command()
def run() -> None:
    """Run the whole stack: embedded PostgreSQL/Redis if needed, migrate, seed, serve."""
    from orchestrator.cli.stack import run_dev_stack

    raise typer.Exit(run_dev_stack(DATA_DIR))


if __name__ == "__main__":
    main()
