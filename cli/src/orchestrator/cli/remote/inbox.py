"""``inbox``: webhook deliveries the ingress received for the workspace, and retrying
those that failed or found no route."""

from __future__ import annotations

from typing import Annotated

import typer

from orchestrator.cli.remote.options import (
    Json,
    Most,
    ProfileName,
    Reason,
    Workspace,
    group,
    remote,
)
from orchestrator.cli.remote.output import field

app = group()

COLUMNS = tuple(
    map(field, ("id", "status", "event_type", "source_id", "attempts", "received_at", "last_error"))
)
Status = Annotated[list[str] | None, typer.Option("--status", help="Only this status (repeatable)")]


@app.command("list")
def list_inbox(
    status: Status = None,
    most: Most = None,
    workspace: Workspace = None,
    profile: ProfileName = None,
    json_output: Json = False,
) -> None:
    """Deliveries, newest first (every page)."""
    from orchestrator.cli.remote.output import show

    with remote(profile, workspace) as api:
        items = list(api.items("control", "/webhooks/inbox", {"status": status or None}, most))
    show(items, json_output, COLUMNS)


@app.command("get")
def get_entry(
    inbox_id: Annotated[str, typer.Argument(help="The delivery's id")],
    workspace: Workspace = None,
    profile: ProfileName = None,
    json_output: Json = False,
) -> None:
    """One delivery, with its headers and body."""
    from orchestrator.cli.remote.output import show

    with remote(profile, workspace) as api:
        show(api.call("control", "GET", f"/webhooks/inbox/{inbox_id}"), json_output)


@app.command("retry")
def retry(
    reason: Reason,
    inbox_id: Annotated[
        str | None, typer.Argument(help="One delivery (default: every one matching --status)")
    ] = None,
    status: Status = None,
    workspace: Workspace = None,
    profile: ProfileName = None,
    json_output: Json = False,
) -> None:
    """Route a delivery again (or every failed, unrouted or ignored one, by --status)."""
    from orchestrator.cli.remote.output import show

    with remote(profile, workspace) as api:
        if inbox_id is not None:
            done = api.call(
                "control", "POST", f"/webhooks/inbox/{inbox_id}/retry", params={"reason": reason}
            )
            show(done, json_output)
            return
        body = {"status": status} if status else {}
        done = api.call(
            "control", "POST", "/webhooks/inbox/retry", json=body, params={"reason": reason}
        )
    if json_output:
        show(done, json_output)
        return
    typer.echo(f"retried {done['retried']} deliver{'y' if done['retried'] == 1 else 'ies'}")
    for entry_id in done["ids"]:
        typer.echo(f"  {entry_id}")


APPS = {"inbox": app}
