"""``jobs`` (the exec-api's, as the profile's exec identity) and ``dlq`` (dead jobs, on
the control-api as an operator)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from orchestrator.cli.remote.options import Most, Reason, Target, Yes, acting, group
from orchestrator.cli.remote.output import Column, field

app = group()
dlq_app = group()

JOB_COLUMNS: tuple[Column, ...] = (
    *map(field, ("id", "status", "connector", "operation", "attempts", "created_at")),
    ("ERROR", lambda job: (job.get("error") or "")[:60] or None),
)
JobId = Annotated[str, typer.Argument(help="The job's id")]


@app.command("list")
@acting(plane="exec")
def list_jobs(
    at: Target,
    status: Annotated[str | None, typer.Option("--status", help="Only jobs in this status")] = None,
    most: Most = None,
) -> None:
    """The workspace's jobs, newest first (every page)."""
    from orchestrator.cli.remote.output import show

    with at.remote() as api:
        show(api.items("exec", "/jobs", {"status": status}, most), at.json, JOB_COLUMNS)


def job_action(at: Target, method: str, path: str) -> None:
    """Call one job's endpoint and show the job it answers."""
    from orchestrator.cli.remote.output import show

    with at.remote() as api:
        show(api.call("exec", method, path), at.json)


@app.command("get")
@acting(plane="exec")
def get_job(at: Target, job_id: JobId) -> None:
    """One job."""
    job_action(at, "GET", f"/jobs/{job_id}")


@app.command("cancel")
@acting(plane="exec")
def cancel_job(at: Target, job_id: JobId) -> None:
    """Cancel a queued job."""
    job_action(at, "POST", f"/jobs/{job_id}/cancel")


@app.command("retry")
@acting(plane="exec")
def retry_job(at: Target, job_id: JobId) -> None:
    """Send a dead job back to the queue."""
    job_action(at, "POST", f"/jobs/{job_id}/retry")


Connector = Annotated[str | None, typer.Option("--connector", help="Only this connector's")]
Operation = Annotated[str | None, typer.Option("--operation", help="Only this operation's")]
Ids = Annotated[list[str] | None, typer.Option("--id", help="Only this job (repeatable)")]
Limit = Annotated[int | None, typer.Option("--limit", help="At most this many jobs")]


@dlq_app.command("list")
@acting()
def list_dead(
    at: Target, connector: Connector = None, operation: Operation = None, most: Most = None
) -> None:
    """Dead jobs (every page, or --limit)."""
    from orchestrator.cli.remote.output import show

    params = {"connector": connector, "operation": operation}
    with at.remote() as api:
        show(api.items("control", "/dlq", params, most), at.json, JOB_COLUMNS)


def dead_filter(
    connector: str | None, operation: str | None, ids: list[str] | None, limit: int | None
) -> dict[str, Any]:
    """The request body naming the dead jobs to act on."""
    body = {"connector": connector, "operation": operation, "ids": ids or None, "limit": limit}
    return {k: v for k, v in body.items() if v is not None}


def dead_action(at: Target, action: str, reason: str, body: dict[str, Any]) -> None:
    """Replay or purge, then say how many and which."""
    from orchestrator.cli.remote.output import show

    with at.remote() as api:
        done = api.call("control", "POST", f"/dlq/{action}", json=body, params={"reason": reason})
    if at.json:
        show(done, at.json)
        return
    counted = done.get("replayed", done.get("purged", 0))
    typer.echo(f"{action}{'ed' if action == 'replay' else 'd'} {counted} dead job(s)")
    for job_id in done["ids"]:
        typer.echo(f"  {job_id}")


@dlq_app.command("replay")
@acting()
def replay(
    at: Target,
    reason: Reason,
    connector: Connector = None,
    operation: Operation = None,
    ids: Ids = None,
    limit: Limit = None,
) -> None:
    """Send dead jobs back to the queue (oldest dead first)."""
    dead_action(at, "replay", reason, dead_filter(connector, operation, ids, limit))


@dlq_app.command("purge")
@acting()
def purge(
    at: Target,
    reason: Reason,
    connector: Connector = None,
    operation: Operation = None,
    ids: Ids = None,
    limit: Limit = None,
    yes: Yes = False,
) -> None:
    """Delete dead jobs and their runs (asks first unless --yes)."""
    if not yes and not typer.confirm("Delete these dead jobs for good?", err=True):
        raise typer.Exit(1)
    dead_action(at, "purge", reason, dead_filter(connector, operation, ids, limit))


APPS = {"jobs": app, "dlq": dlq_app}
