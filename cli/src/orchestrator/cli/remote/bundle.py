"""``bundle export`` and ``bundle apply``: a workspace's configuration as one JSON document."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from orchestrator.cli.remote.options import Reason, Target, Yes, acting, group

app = group()


@app.command("export")
@acting(prints=False)
def export(
    at: Target,
    version: Annotated[
        int | None, typer.Option("--version", help="A version's bundle (default: the active one)")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file, not stdout")
    ] = None,
) -> None:
    """Print (or write) the workspace's bundle."""
    from orchestrator.cli.remote.output import as_json

    with at.remote() as api:
        text = as_json(api.call("control", "GET", "/bundles/export", params={"version": version}))
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text + "\n")
        typer.echo(f"wrote {output}", err=True)


def print_report(report: dict[str, Any]) -> None:
    """What an import changes (or would), a line a resource."""
    signs = {"create": "+", "update": "~", "delete": "-"}
    for change in report["changes"]:
        fields = f" ({', '.join(change['fields'])})" if change.get("fields") else ""
        sign = signs.get(change["action"], "?")
        typer.echo(f"{sign} {change['kind']} {change['name']}{fields}")
    typer.echo(f"{report['changed']} to change, {report['unchanged']} unchanged")


@app.command("apply")
@acting()
def apply(
    at: Target,
    file: Annotated[Path, typer.Argument(help="A bundle (JSON), as `bundle export` writes")],
    reason: Reason,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only show what would change")] = False,
    prune: Annotated[
        bool, typer.Option("--prune", help="Delete what the bundle does not name")
    ] = False,
    yes: Yes = False,
) -> None:
    """Show what applying the bundle changes, ask, then apply it (a new version)."""
    import json

    from orchestrator.cli.remote.output import as_json

    try:
        bundle = json.loads(file.read_text())
    except (OSError, ValueError) as exc:
        raise typer.BadParameter(f"cannot read a JSON bundle: {exc}", param_hint="FILE") from None
    params: dict[str, Any] = {"reason": reason, "prune": prune}
    with at.remote() as api:
        preview = api.call(
            "control", "POST", "/bundles/import", json=bundle, params={**params, "dry_run": True}
        )
        if at.json and dry_run:
            typer.echo(as_json(preview))
            return
        if not at.json:
            print_report(preview)
        if dry_run or not preview["changed"]:
            return
        if not yes and not typer.confirm("Apply these changes?", err=True):
            typer.echo("not applied", err=True)
            raise typer.Exit(1)
        done = api.call(
            "control", "POST", "/bundles/import", json=bundle, params={**params, "dry_run": False}
        )
    if at.json:
        typer.echo(as_json(done))
    else:
        typer.echo(f"applied: {done['changed']} changed")


APPS = {"bundle": app}
