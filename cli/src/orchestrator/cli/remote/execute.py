"""``execute``: one synchronous call of a connector's operation on the exec-api."""

from __future__ import annotations

from typing import Annotated

import typer

from orchestrator.cli.remote.options import Target, acting, single


@acting(plane="exec")
def execute(
    at: Target,
    connector: Annotated[str, typer.Argument(help="The connector's name")],
    operation: Annotated[str, typer.Argument(help="One of its operations")],
    payload: Annotated[str, typer.Option("--payload", help="The payload, as a JSON object")] = "{}",
    idempotency_key: Annotated[
        str | None,
        typer.Option("--idempotency-key", help="Replays the stored answer for 24 h when repeated"),
    ] = None,
) -> None:
    """Call an operation now, as the profile's exec identity, and show its outcome."""
    import json

    from orchestrator.cli.remote.output import as_json, show

    try:
        body = json.loads(payload)
    except ValueError as exc:
        raise typer.BadParameter(f"not JSON: {exc}", param_hint="--payload") from None
    if not isinstance(body, dict):
        raise typer.BadParameter("a JSON object, as {...}", param_hint="--payload")
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
    with at.remote() as api:
        result = api.call(
            "exec",
            "POST",
            "/execute",
            json={"connector": connector, "operation": operation, "payload": body},
            headers=headers,
        )
    if at.json or not isinstance(result, dict):
        show(result, True)
        return
    output = result.pop("output", None)
    show(result, False)
    typer.echo("output")
    typer.echo(as_json(output))


APPS = {"execute": single(execute)}
