"""``versions``: a workspace's configuration versions, their differences, activating one
and rolling back."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from orchestrator.cli.remote.options import Reason, Target, acting, group

app = group()

Expect = Annotated[
    int | None,
    typer.Option("--expect", help="Refuse (409) unless this version is the active one"),
]


@app.command("list")
@acting()
def list_versions(at: Target) -> None:
    """Every version, newest first; `*` marks the active one."""
    from orchestrator.cli.remote.output import field, show

    with at.remote() as api:
        head = api.call("control", "GET", "/versions/head")
        versions = api.items("control", "/versions")
    if at.json:
        show({"head": head, "items": versions}, at.json)
        return
    columns = [
        ("", lambda v: "*" if v["number"] == head["active"] else " "),
        *map(field, ("number", "parent", "created_at", "actor", "reason", "summary")),
    ]
    show(versions, at.json, columns)


def value(data: Any) -> str:
    """A field's value in a diff line."""
    import json

    return "(none)" if data is None else json.dumps(data, separators=(",", ":"))


@app.command("diff")
@acting()
def diff(
    at: Target,
    before: Annotated[int, typer.Argument(help="The older version")],
    after: Annotated[int, typer.Argument(help="The newer version")],
) -> None:
    """What changed from version A to version B, field by field."""
    from orchestrator.cli.remote.output import show

    with at.remote() as api:
        changes = api.call("control", "GET", "/versions/diff", params={"from": before, "to": after})
    if at.json:
        show(changes, at.json)
        return
    signs = {"added": "+", "removed": "-", "changed": "~"}
    for change in changes["changes"]:
        typer.echo(f"{signs.get(change['change'], '?')} {change['kind']} {change['name']}")
        for f in change.get("fields") or []:
            typer.echo(f"    {f['pointer']}: {value(f.get('before'))} -> {value(f.get('after'))}")
    if not changes["changes"]:
        typer.echo(f"versions {before} and {after} hold the same configuration")


def move(at: Target, path: str, reason: str, expect: int | None) -> None:
    """Move the active pointer by ``path`` (a compare-and-set on ``expect`` when given)
    and say where it points now."""
    from orchestrator.cli.remote.output import show

    with at.remote() as api:
        params = {"reason": reason, "expected_active_version": expect}
        head = api.call("control", "POST", path, params=params)
    if at.json:
        show(head, at.json)
    else:
        typer.echo(f"active version {head['active']} (latest {head['latest']})")


@app.command("activate")
@acting()
def activate(
    at: Target,
    number: Annotated[int, typer.Argument(help="The version to make active")],
    reason: Reason,
    expect: Expect = None,
) -> None:
    """Make version N the active configuration."""
    move(at, f"/versions/{number}/activate", reason, expect)


@app.command("rollback")
@acting()
def rollback(at: Target, reason: Reason, expect: Expect = None) -> None:
    """Make the previously active version active again."""
    move(at, "/versions/rollback", reason, expect)


APPS = {"versions": app}
