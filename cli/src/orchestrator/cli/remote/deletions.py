"""``workspaces delete`` and ``deletions get``: delete a workspace and follow its deletion
(ADR 0100)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Annotated, Any

import typer

from orchestrator.cli.remote.options import Reason, Target, Yes, acting, group

if TYPE_CHECKING:
    from orchestrator.cli.remote.client import Remote

app = group()

Wait = Annotated[bool, typer.Option("--wait", help="Follow it until it ends, printing each step")]
POLL_S = 1.0


def _follow(api: Remote, deletion: dict[str, Any], json_wanted: bool) -> dict[str, Any]:
    """Poll the deletion until it ends, printing each step it enters (unless ``--json``)."""
    step = None
    while True:
        if not json_wanted and deletion["step"] != step:
            step = deletion["step"]
            typer.echo(f"{deletion['status']}: {step}", err=True)
        if deletion["status"] != "running":
            return deletion
        time.sleep(POLL_S)
        deletion = api.call("control", "GET", f"/deletions/{deletion['id']}")


@app.command("get")
@acting()
def get_deletion(
    at: Target,
    deletion_id: Annotated[str, typer.Argument(help="The deletion's id")],
    wait: Wait = False,
) -> None:
    """One deletion: its status, step and what each finished step did."""
    from orchestrator.cli.remote.output import show

    with at.remote() as api:
        deletion = api.call("control", "GET", f"/deletions/{deletion_id}")
        if wait:
            deletion = _follow(api, deletion, at.json)
    show(deletion, at.json)


def delete_workspace(
    at: Target,
    workspace_id: Annotated[str, typer.Argument(help="The workspace's id")],
    reason: Reason,
    operation_id: Annotated[
        str | None,
        typer.Option("--operation-id", help="Keys the deletion: repeat it to follow the same one"),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Cancel its queued and running work first")
    ] = False,
    wait: Wait = False,
    yes: Yes = False,
) -> None:
    """Delete a workspace: at once unusable, then its rows and payloads go (a worker)."""
    from orchestrator.cli.remote.output import show

    if not yes and not typer.confirm(
        f"Delete workspace {workspace_id} and all it holds?", err=True
    ):
        typer.echo("not deleted", err=True)
        raise typer.Exit(1)
    params = {"reason": reason, "operation_id": operation_id, "force": force}
    with at.remote() as api:
        deletion = api.call("control", "DELETE", f"/workspaces/{workspace_id}", params=params)
        if wait:
            deletion = _follow(api, deletion, at.json)
    show(deletion, at.json)


APPS = {"deletions": app}
