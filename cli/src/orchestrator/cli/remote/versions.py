"""``versions``: a workspace's configuration versions, their differences, activating one
and rolling back."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from orchestrator.cli.remote.options import Json, ProfileName, Reason, Workspace, group, remote

app = group()

Expect = Annotated[
    int | None,
    typer.Option("--expect", help="Refuse (409) unless this version is the active one"),
]


@app.command("list")
def list_versions(
    workspace: Workspace = None, profile: ProfileName = None, json_output: Json = False
) -> None:
    """Every version, newest first; `*` marks the active one."""
    from orchestrator.cli.remote.output import field, show

    with remote(profile, workspace) as api:
        head = api.call("control", "GET", "/versions/head")
        versions = api.items("control", "/versions")
    if json_output:
        show({"head": head, "items": versions}, json_output)
        return
    columns = [
        ("", lambda v: "*" if v["number"] == head["active"] else " "),
        *map(field, ("number", "parent", "created_at", "actor", "reason", "summary")),
    ]
    show(versions, json_output, columns)


def value(data: Any) -> str:
    """A field's value in a diff line."""
    import json

    return "(none)" if data is None else json.dumps(data, separators=(",", ":"))


@app.command("diff")
def diff(
    before: Annotated[int, typer.Argument(help="The older version")],
    after: Annotated[int, typer.Argument(help="The newer version")],
    workspace: Workspace = None,
    profile: ProfileName = None,
    json_output: Json = False,
) -> None:
    """What changed from version A to version B, field by field."""
    from orchestrator.cli.remote.output import show

    with remote(profile, workspace) as api:
        changes = api.call("control", "GET", "/versions/diff", params={"from": before, "to": after})
    if json_output:
        show(changes, json_output)
        return
    signs = {"added": "+", "removed": "-", "changed": "~"}
    for change in changes["changes"]:
        typer.echo(f"{signs.get(change['change'], '?')} {change['kind']} {change['name']}")
        for f in change.get("fields") or []:
            typer.echo(f"    {f['pointer']}: {value(f.get('before'))} -> {value(f.get('after'))}")
    if not changes["changes"]:
        typer.echo(f"versions {before} and {after} hold the same configuration")


def report(head: dict[str, Any], json_output: bool) -> None:
    """The head after a change."""
    from orchestrator.cli.remote.output import show

    if json_output:
        show(head, json_output)
    else:
        typer.echo(f"active version {head['active']} (latest {head['latest']})")


def move(
    path: str,
    reason: str,
    expect: int | None,
    workspace: str | None,
    profile: str | None,
    json_output: bool,
) -> None:
    """Move the active pointer by ``path`` (a compare-and-set on ``expect`` when given)
    and report where it points now."""
    with remote(profile, workspace) as api:
        params = {"reason": reason, "expected_active_version": expect}
        head = api.call("control", "POST", path, params=params)
    report(head, json_output)


@app.command("activate")
def activate(
    number: Annotated[int, typer.Argument(help="The version to make active")],
    reason: Reason,
    expect: Expect = None,
    workspace: Workspace = None,
    profile: ProfileName = None,
    json_output: Json = False,
) -> None:
    """Make version N the active configuration."""
    move(f"/versions/{number}/activate", reason, expect, workspace, profile, json_output)


@app.command("rollback")
def rollback(
    reason: Reason,
    expect: Expect = None,
    workspace: Workspace = None,
    profile: ProfileName = None,
    json_output: Json = False,
) -> None:
    """Make the previously active version active again."""
    move("/versions/rollback", reason, expect, workspace, profile, json_output)


APPS = {"versions": app}
