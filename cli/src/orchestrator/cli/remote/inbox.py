"""``inbox``: webhook deliveries the ingress received for the workspace, and retrying
those that failed or found no route."""

from __future__ import annotations

from typing import Annotated

import typer

from orchestrator.cli.remote.options import Most, Reason, Target, acting, group
from orchestrator.cli.remote.output import field

app = group()

COLUMNS = tuple(
    map(field, ("id", "status", "event_type", "source_id", "attempts", "received_at", "last_error"))
)
Status = Annotated[list[str] | None, typer.Option("--status", help="Only this status (repeatable)")]


@app.command("list")
@acting()
def list_inbox(at: Target, status: Status = None, most: Most = None) -> None:
    """Deliveries, newest first (every page)."""
    from orchestrator.cli.remote.output import show

    with at.remote() as api:
        items = list(api.items("control", "/webhooks/inbox", {"status": status or None}, most))
    show(items, at.json, COLUMNS)


@app.command("get")
@acting()
def get_entry(
    at: Target, inbox_id: Annotated[str, typer.Argument(help="The delivery's id")]
) -> None:
    """One delivery, with its headers and body."""
    from orchestrator.cli.remote.output import show

    with at.remote() as api:
        show(api.call("control", "GET", f"/webhooks/inbox/{inbox_id}"), at.json)


@app.command("retry")
@acting()
def retry(
    at: Target,
    reason: Reason,
    inbox_id: Annotated[
        str | None, typer.Argument(help="One delivery (default: every one matching --status)")
    ] = None,
    status: Status = None,
) -> None:
    """Route a delivery again (or every failed, unrouted or ignored one, by --status)."""
    from orchestrator.cli.remote.output import show

    with at.remote() as api:
        if inbox_id is not None:
            done = api.call(
                "control", "POST", f"/webhooks/inbox/{inbox_id}/retry", params={"reason": reason}
            )
            show(done, at.json)
            return
        body = {"status": status} if status else {}
        done = api.call(
            "control", "POST", "/webhooks/inbox/retry", json=body, params={"reason": reason}
        )
    if at.json:
        show(done, at.json)
        return
    typer.echo(f"retried {done['retried']} deliver{'y' if done['retried'] == 1 else 'ies'}")
    for entry_id in done["ids"]:
        typer.echo(f"  {entry_id}")


APPS = {"inbox": app}
