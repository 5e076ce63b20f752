"""``jobs`` (the exec-api's, as the profile's exec identity) and ``dlq`` (dead jobs, on
the control-api as an operator)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from orchestrator.cli.remote.options import (
    Json,
    Most,
    ProfileName,
    Reason,
    Workspace,
    Yes,
    group,
    remote,
)
from orchestrator.cli.remote.output import Column, field

app = group()
dlq_app = group()

JOB_COLUMNS: tuple[Column, ...] = (
    *map(field, ("id", "status", "connector", "operation", "attempts", "created_at")),
    ("ERROR", lambda job: (job.get("error") or "")[:60] or None),
)
JobId = Annotated[str, typer.Argument(help="The job's id")]


@app.command("list")
def list_jobs(
    status: Annotated[str | None, typer.Option("--status", help="Only jobs in this status")] = None,
    most: Most = None,
    profile: ProfileName = None,
    json_output: Json = False,
) -> None:
    """The workspace's jobs, newest first (every page)."""
    from orchestrator.cli.remote.output import show

    with remote(profile) as api:
        show(api.items("exec", "/jobs", {"status": status}, most), json_output, JOB_COLUMNS)


def job_action(profile: str | None, json_output: bool, method: str, path: str) -> None:
    """Call one job's endpoint and show the job it answers."""
    from orchestrator.cli.remote.output import show

    with remote(profile) as api:
        show(api.call("exec", method, path), json_output)


@app.command("get")
def get_job(job_id: JobId, profile: ProfileName = None, json_output: Json = False) -> None:
    """One job."""
    job_action(profile, json_output, "GET", f"/jobs/{job_id}")


@app.command("cancel")
def cancel_job(job_id: JobId, profile: ProfileName = None, json_output: Json = False) -> None:
    """Cancel a queued job."""
    job_action(profile, json_output, "POST", f"/jobs/{job_id}/cancel")


@app.command("retry")
def retry_job(job_id: JobId, profile: ProfileName = None, json_output: Json = False) -> None:
    """Send a dead job back to the queue."""
    job_action(profile, json_output, "POST", f"/jobs/{job_id}/retry")


Connector = Annotated[str | None, typer.Option("--connector", help="Only this connector's")]
Operation = Annotated[str | None, typer.Option("--operation", help="Only this operation's")]
Ids = Annotated[list[str] | None, typer.Option("--id", help="Only this job (repeatable)")]
Limit = Annotated[int | None, typer.Option("--limit", help="At most this many jobs")]


@dlq_app.command("list")
def list_dead(
    connector: Connector = None,
    operation: Operation = None,
    most: Most = None,
    workspace: Workspace = None,
    profile: ProfileName = None,
    json_output: Json = False,
) -> None:
    """Dead jobs (every page, or --limit)."""
    from orchestrator.cli.remote.output import show

    params = {"connector": connector, "operation": operation}
    with remote(profile, workspace) as api:
        show(api.items("control", "/dlq", params, most), json_output, JOB_COLUMNS)


def dead_filter(
    connector: str | None, operation: str | None, ids: list[str] | None, limit: int | None
) -> dict[str, Any]:
    """The request body naming the dead jobs to act on."""
    body = {"connector": connector, "operation": operation, "ids": ids or None, "limit": limit}
    return {k: v for k, v in body.items() if v is not None}


def dead_action(
    profile: str | None,
    workspace: str | None,
    json_output: bool,
    action: str,
    reason: str,
    body: dict[str, Any],
) -> None:
    """Replay or purge, then say how many and which."""
    from orchestrator.cli.remote.output import show

    with remote(profile, workspace) as api:
        done = api.call("control", "POST", f"/dlq/{action}", json=body, params={"reason": reason})
    if json_output:
        show(done, json_output)
        return
    counted = done.get("replayed", done.get("purged", 0))
    typer.echo(f"{action}{'ed' if action == 'replay' else 'd'} {counted} dead job(s)")
    for job_id in done["ids"]:
        typer.echo(f"  {job_id}")


@dlq_app.command("replay")
def replay(
    reason: Reason,
    connector: Connector = None,
    operation: Operation = None,
    ids: Ids = None,
    limit: Limit = None,
    workspace: Workspace = None,
    profile: ProfileName = None,
    json_output: Json = False,
) -> None:
    """Send dead jobs back to the queue (oldest dead first)."""
    body = dead_filter(connector, operation, ids, limit)
    dead_action(profile, workspace, json_output, "replay", reason, body)


@dlq_app.command("purge")
def purge(
    reason: Reason,
    connector: Connector = None,
    operation: Operation = None,
    ids: Ids = None,
    limit: Limit = None,
    yes: Yes = False,
    workspace: Workspace = None,
    profile: ProfileName = None,
    json_output: Json = False,
) -> None:
    """Delete dead jobs and their runs (asks first unless --yes)."""
    if not yes and not typer.confirm("Delete these dead jobs for good?", err=True):
        raise typer.Exit(1)
    body = dead_filter(connector, operation, ids, limit)
    dead_action(profile, workspace, json_output, "purge", reason, body)


APPS = {"jobs": app, "dlq": dlq_app}
