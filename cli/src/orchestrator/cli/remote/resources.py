"""``list`` and ``get`` for what a workspace holds on the control-api: workspaces,
connectors, policies, webhook sources, workflows and schedules."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated

import typer

from orchestrator.cli.remote.deletions import delete_workspace
from orchestrator.cli.remote.options import Target, acting, group
from orchestrator.cli.remote.output import Column, field

UUID = re.compile(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")


@dataclass(frozen=True)
class Resource:
    """One kind of resource: its command group, path and table."""

    command: str
    path: str
    columns: tuple[Column, ...]
    by_id: bool = False
    """Read one by its ``id`` (a name is looked up in the list first)."""


RESOURCES = (
    Resource(
        "workspaces",
        "/workspaces",
        (field("id"), field("name"), field("environment"), field("status")),
        by_id=True,
    ),
    Resource(
        "connectors",
        "/connectors",
        (field("name"), field("type"), field("policy"), field("enabled"), field("version")),
    ),
    Resource(
        "policies",
        "/policies",
        (field("name"), field("version"), field("updated_at")),
    ),
    Resource(
        "sources",
        "/webhooks/sources",
        (field("id"), field("name"), field("provider"), field("enabled"), field("ingress_path")),
        by_id=True,
    ),
    Resource(
        "workflows",
        "/workflows",
        (field("name"), ("STEPS", lambda w: len(w.get("steps") or [])), field("version")),
    ),
    Resource(
        "schedules",
        "/schedules",
        (
            field("name"),
            field("cron"),
            field("timezone"),
            field("enabled"),
            field("next_run_at"),
            ("TARGET", lambda s: s.get("workflow") or f"{s.get('connector')}.{s.get('operation')}"),
        ),
    ),
)


Key = Annotated[
    str, typer.Argument(metavar="NAME", help="Its name (workspaces and sources: or its id)")
]


def resource_app(resource: Resource) -> typer.Typer:
    """``resource``'s group, with its ``list`` and ``get`` commands."""
    commands = group()
    singular = "id or name" if resource.by_id else "name"

    @commands.command("list")
    @acting()
    def list_command(at: Target) -> None:
        """List them all (every page)."""
        from orchestrator.cli.remote.output import show

        with at.remote() as api:
            show(api.items("control", resource.path), at.json, resource.columns)

    @commands.command("get")
    @acting()
    def get_command(at: Target, key: Key) -> None:
        """Show one."""
        from urllib.parse import quote

        from orchestrator.cli.remote.client import ApiError
        from orchestrator.cli.remote.output import show

        with at.remote() as api:
            if resource.by_id and not UUID.fullmatch(key):
                named = [i for i in api.items("control", resource.path) if i.get("name") == key]
                if len(named) != 1:
                    raise ApiError(404, "Not Found", f"no {resource.command} named {key!r}")
                key = named[0]["id"]
            show(api.call("control", "GET", f"{resource.path}/{quote(key, safe='')}"), at.json)

    list_command.__doc__ = f"List the {resource.command} (every page)."
    get_command.__doc__ = f"Show one of the {resource.command} by {singular}."
    return commands


APPS = {resource.command: resource_app(resource) for resource in RESOURCES}
APPS["workspaces"].command("delete")(acting()(delete_workspace))
